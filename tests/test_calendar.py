"""`freelance calendar`: month grid, week list, and the ICS export read by icalendar and khal."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zoneinfo

import pytest

from conftest import check_golden
import json
from conftest import run_cli


def test_month_grid_matches_golden(cli, update_goldens):
    r = cli("calendar", "--month", "2026-12")
    assert r.exit_code == 0, r.output
    check_golden("calendar-month.txt", r.stdout, update_goldens)


def test_week_matches_golden(cli, update_goldens):
    r = cli("calendar", "--week")
    assert r.exit_code == 0, r.output
    check_golden("calendar-week.txt", r.stdout, update_goldens)


def test_month_grid_fits_80_columns_and_marks_kinds_differently(cli):
    r = cli("calendar", "--month")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].strip() == "November 2026"
    assert max(len(x) for x in lines) <= 80
    assert "|[25]" in r.stdout                       # today
    assert "|10:00 Hoo…|" in r.stdout                # a meeting with its time
    assert "|$ Acme Co…|" in r.stdout                 # an invoice due date
    assert "|! Globex …" in r.stdout                 # a project deadline
    assert "Mon 30 Nov  $ due        INV-2026-018  (Globex · 1,848.00 USD · sent)" in lines


def test_week_start_sunday_is_honoured(cli):
    settings = cli.book / "freelance.yaml"
    settings.write_text(settings.read_text().replace("week_start: monday", "week_start: sunday"))
    r = cli("calendar", "--week", "2026-11-25")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Week of Sun 22 Nov 2026 to Sat 28 Nov 2026")
    m = cli("calendar", "--month", "2026-11")
    assert m.stdout.splitlines()[2].startswith("|Sun       |Mon")


def test_week_lists_days_with_times(cli):
    r = cli("calendar", "--week", "2026-12-15")
    assert r.exit_code == 0, r.output
    assert "Tue 15 Dec\n  ! due        Acme website  (acme · in-progress)\n" \
           "  17:00-19:00  Acme launch  (acme, dev-dana · in-person)\n" in r.stdout
    assert "Wed 16 Dec\n  -\n" in r.stdout


def test_bad_month_and_both_views_are_usage_errors(cli):
    r = cli("calendar", "--month", "Smarch")
    assert r.exit_code == 2 and "--month: cannot read 'Smarch' as a date" in r.stderr
    r = cli("calendar", "--month", "2026-12", "--week", "2026-12-01")
    assert r.exit_code == 2 and "not both" in r.stderr


# -- ICS ---------------------------------------------------------------------------------

def _export(cli, *extra):
    path = cli.book.parent / "out.ics"
    r = cli("calendar", "export", "--ics", path, *extra)
    assert r.exit_code == 0, r.output
    return path, r


def test_ics_round_trip_through_icalendar(cli):
    import icalendar
    path, r = _export(cli, "--deadlines")
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert r.stdout == f"wrote {len(events)} events to {path}\n"
    london = zoneinfo.ZoneInfo("Europe/London")
    kick = events["meeting-m-20260902-a268aa@freelance"]
    assert kick.decoded("dtstart") == dt.datetime(2026, 9, 2, 10, 0, tzinfo=london)
    assert kick.decoded("dtend") == dt.datetime(2026, 9, 2, 11, 0, tzinfo=london)
    assert kick["dtstart"].params["TZID"] == "Europe/London"
    assert str(kick["summary"]) == "Acme website kick-off"
    assert str(kick["description"]).startswith("Agenda: scope, timeline, access\nWith: Ann Example (Acme Corp)")
    attendees = kick.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:ann@acme.test"]
    assert attendees[0].params["CN"] == "Ann Example (Acme Corp)"
    # the winter meeting is in GMT, the autumn one in BST: the VTIMEZONE carries both
    launch = events["meeting-m-20261215-fe3bfa@freelance"]
    assert launch.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert kick.decoded("dtstart").utcoffset() == dt.timedelta(hours=1)
    assert [c["TZID"] for c in cal.walk("VTIMEZONE")] == ["Europe/London"]
    # two attendees with emails, in the order of the record
    scoping = events["meeting-m-20261112-58ee85@freelance"]
    assert [str(a) for a in scoping["attendee"]] == ["mailto:uma@umbrella.test", "mailto:sam@sample.test"]
    # deadlines are all-day events
    due = events["invoice-INV-2026-019-due@freelance"]
    assert due.decoded("dtstart") == dt.date(2026, 12, 20) and due.decoded("dtend") == dt.date(2026, 12, 21)
    assert "project-acme-website-due@freelance" in events
    assert "invoice-INV-2026-001-due@freelance" not in events   # paid invoices have no due date to chase


def test_ics_without_deadlines_has_only_meetings_and_is_stable(cli):
    path, _ = _export(cli)
    first = path.read_bytes()
    assert first.count(b"BEGIN:VEVENT") == 12 and b"-due@freelance" not in first
    path2, _ = _export(cli)
    assert path2.read_bytes() == first   # same book, same --today: the same bytes


def test_ics_escapes_commas_semicolons_and_newlines(cli):
    import icalendar
    r = cli("meeting", "add", "Budget; Q1, Q2", "--at", "2026-12-09 09:00", "--with", "sam-sample",
            "--agenda", "costs, risks; next steps\nsecond line", "--id", "m-escape")
    assert r.exit_code == 0, r.output
    path, _ = _export(cli)
    raw = path.read_bytes().decode()
    unfolded = raw.replace("\r\n ", "")
    assert "SUMMARY:Budget\\; Q1\\, Q2\r\n" in unfolded
    assert "Agenda: costs\\, risks\\; next steps\\nsecond line" in unfolded
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))
    ev = next(e for e in icalendar.Calendar.from_ical(raw).walk("VEVENT") if str(e["uid"]) == "meeting-m-escape@freelance")
    assert str(ev["summary"]) == "Budget; Q1, Q2"
    assert str(ev["description"]).startswith("Agenda: costs, risks; next steps\nsecond line\n")


def test_ics_in_a_utc_book_uses_utc_times(cli):
    import icalendar
    settings = cli.book / "freelance.yaml"
    settings.write_text(settings.read_text().replace("timezone: Europe/London", "timezone: UTC"))
    path, _ = _export(cli)
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    assert not cal.walk("VTIMEZONE")
    ev = next(e for e in cal.walk("VEVENT") if str(e["uid"]) == "meeting-m-20260902-a268aa@freelance")
    assert ev.decoded("dtstart") == dt.datetime(2026, 9, 2, 10, 0, tzinfo=dt.timezone.utc)


def test_ics_to_stdout_as_a_real_process(demo):
    import os
    import subprocess
    import sys
    from conftest import ROOT
    p = subprocess.run([sys.executable, "-m", "freelance", "--books", str(demo), "--today", "2026-11-25",
                        "calendar", "export", "--ics", "-"], capture_output=True,
                       env={"PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]})   # the suite's
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(b"BEGIN:VCALENDAR\r\n") and p.stdout.endswith(b"END:VCALENDAR\r\n")


# -- khal: a real calendar client reads every event at the right time ----------------------

KHAL = shutil.which("khal")


def _khal(tmp_path, local_tz: str):
    vdir = tmp_path / "vdir" / "book"
    vdir.mkdir(parents=True)
    conf = tmp_path / "khal.conf"
    conf.write_text(f"""[calendars]
[[book]]
path = {vdir}
type = calendar
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = {local_tz}
default_timezone = {local_tz}
[sqlite]
path = {tmp_path / 'khal.db'}
""")

    def run(*args):
        p = subprocess.run([KHAL, "-c", str(conf), *args], capture_output=True, text=True, timeout=60,
                           env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "TZ": "UTC", "LANG": "C.UTF-8"})
        assert p.returncode == 0, p.stderr
        return p.stdout
    return run, vdir


def _khal_events(run) -> list[str]:
    out = run("list", "--format", "{start} {end} {title} [{uid}]", "--day-format", "", "2026-01-01", "2027-12-31")
    return sorted({line.strip() for line in out.splitlines() if line.strip()})


@pytest.mark.skipif(KHAL is None, reason="khal is not installed (pip install '.[test]')")
@pytest.mark.parametrize("local_tz, shift", [("Europe/London", 0), ("America/New_York", -5)])
def test_khal_imports_every_event_at_the_right_local_time(cli, tmp_path, local_tz, shift):
    import icalendar
    path, _ = _export(cli, "--deadlines")
    run, vdir = _khal(tmp_path, local_tz)
    run("import", "--batch", "-a", "book", str(path))
    lines = _khal_events(run)
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(lines) == len(events)
    zone = zoneinfo.ZoneInfo(local_tz)
    for ev in events:
        start, end = ev.decoded("dtstart"), ev.decoded("dtend")
        if isinstance(start, dt.datetime):
            s, e = start.astimezone(zone), end.astimezone(zone)
            want = f"{s:%Y-%m-%d %H:%M} {e:%Y-%m-%d %H:%M} {ev['summary']} [{ev['uid']}]"
        else:
            want = f"{start:%Y-%m-%d} {end - dt.timedelta(days=1):%Y-%m-%d} {ev['summary']} [{ev['uid']}]"
        assert want in lines
    # spot checks written out: 10:00 London in September is 05:00 in New York, in December 05:00 too
    kick = "2026-09-02 10:00 2026-09-02 11:00" if shift == 0 else "2026-09-02 05:00 2026-09-02 06:00"
    assert any(x.startswith(kick + " Acme website kick-off") for x in lines)


@pytest.mark.skipif(KHAL is None, reason="khal is not installed (pip install '.[test]')")
def test_khal_reimport_updates_instead_of_duplicating(cli, tmp_path):
    path, _ = _export(cli)
    run, vdir = _khal(tmp_path, "Europe/London")
    run("import", "--batch", "-a", "book", str(path))
    before = _khal_events(run)
    r = cli("meeting", "edit", "m-20261203-d953ee", "--at", "2026-12-03 15:00", "--title", "Globex handover, final")
    assert r.exit_code == 0, r.output
    path, _ = _export(cli)
    run("import", "--batch", "-a", "book", str(path))
    after = _khal_events(run)
    assert len(after) == len(before) == 12
    assert "2026-12-03 15:00 2026-12-03 16:00 Globex handover, final [meeting-m-20261203-d953ee@freelance]" in after
    assert not any("2026-12-03 13:00" in x for x in after)


def test_month_and_week_values_are_optional_and_take_offsets(cli, tmp_path):
    r = cli("calendar", "--week", "-1w")
    assert r.stdout.startswith("Week of Mon 16 Nov 2026 to Sun 22 Nov 2026 (Europe/London)\n")
    out = tmp_path / "m.txt"
    r = cli("calendar", "--month", "-o", out)
    assert r.exit_code == 0 and out.read_text().splitlines()[0].strip() == "November 2026"
    r = cli("calendar", "--month", "+1m")
    assert r.stdout.splitlines()[0].strip() == "December 2026"
    r = cli("calendar")
    assert r.exit_code == 0 and r.stdout.splitlines()[0].strip() == "November 2026"
    r = cli("calendar", "--month", "export", "--ics", tmp_path / "x.ics")
    assert r.exit_code == 2 and "do not go with a subcommand" in r.stderr


def ics(book, tmp_path):
    out = tmp_path / "m.ics"
    assert run_cli("meeting", "add", "Call", "--at", "2026-12-01 10:00", "--duration", "30m",
                   books=book).exit_code == 0
    r = run_cli("calendar", "export", "--ics", out, books=book)
    assert r.exit_code == 0, r.output
    return out.read_text()


def test_init_without_owner_leaves_it_unset_and_the_export_has_no_organizer(tmp_path):
    book = tmp_path / "b"
    assert run_cli("init", book, "--no-git", today=None).exit_code == 0
    text = (book / "freelance.yaml").read_text()
    assert "Alex Example" not in text and "alex@example.com" not in text
    assert "owner: {name: null, email: null, address: null}\n" in text
    assert "ORGANIZER" not in ics(book, tmp_path)
    assert json.loads(run_cli("settings", "show", "--format", "json", books=book).stdout)["owner"]["email"] is None


def test_an_owner_given_is_the_organizer(tmp_path):
    book = tmp_path / "b"
    assert run_cli("init", book, "--no-git", "--owner", "Sam Sample", "--email", "sam@sample.test",
                   today=None).exit_code == 0
    assert 'ORGANIZER;CN="Sam Sample":mailto:sam@sample.test' in ics(book, tmp_path).replace("\r\n ", "")


def test_an_owner_email_set_later_keeps_the_others_unset(tmp_path):
    book = tmp_path / "b"
    run_cli("init", book, "--no-git", today=None)
    assert run_cli("settings", "set", "owner.email", "me@x.test", books=book).exit_code == 0
    assert "owner: {name: null, email: me@x.test, address: null}\n" in (book / "freelance.yaml").read_text()
