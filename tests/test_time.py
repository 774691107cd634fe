"""Hours that bill themselves (issue 15): the `time` noun, durations, the timer, the time
sheet, `invoice add --from-time`, rounding for a client, and what validate says.
Every test drives the real CLI on a book in a temporary folder."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import run_cli
from drafts import added

MONDAY = "2026-11-02"

CLIENTS = """\
- id: acme
  name: Acme
  stage: client
- id: beta
  name: Beta
  stage: client
  default_rate: 80
"""
PROJECTS = """\
- id: acme-web
  name: Acme web
  client: acme
  services:
  - acme-design
  - acme-build
  status: in-progress
- id: beta-app
  name: Beta app
  client: beta
  status: in-progress
"""
SERVICES = """\
- id: acme-design
  name: UX design
  client: acme
  project: acme-web
  pricing: hourly
  rate: 95
- id: acme-build
  name: Front-end build
  client: acme
  project: acme-web
  pricing: hourly
  rate: 110
"""


def make_book(tmp_path: Path, settings: str = "") -> Path:
    root = tmp_path / "book"
    r = run_cli("init", str(root), "--no-git", "--name", "Test Studio", today=MONDAY)
    assert r.exit_code == 0, r.output
    if settings:
        with open(root / "freelance.yaml", "a", encoding="utf-8") as fh:
            fh.write(settings)
    for rel, text in (("clients.yaml", CLIENTS), ("projects.yaml", PROJECTS), ("services.yaml", SERVICES)):
        (root / rel).write_text(text, encoding="utf-8")
    return root


def cli(book, *args, today=MONDAY):
    return run_cli(*args, books=book, today=today)


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def entries(book: Path, today=MONDAY) -> list[dict]:
    return json.loads(ok(cli(book, "time", "list", "--format", "json", today=today)).stdout)


def day(n: int) -> str:
    return f"2026-11-{2 + n:02d}"


# -- the "done when" ------------------------------------------------------------------

def test_a_week_of_timers_a_correction_a_sheet_and_invoices_that_bill_nothing_twice(tmp_path):
    book = make_book(tmp_path)
    timer = book / "timer.yaml"
    # Monday to Friday: mornings on Acme (design, then build), afternoons on Beta
    for n in range(5):
        d = day(n)
        service = "acme-design" if n < 2 else "acme-build"
        r = ok(cli(book, "time", "start", "acme-web", "--service", service, "--at", "09:00",
                   "--note", f"acme day {n}", today=d))
        assert r.stdout == f"timer started on 'acme-web' ({service}) at {d} 09:00\n"
        assert timer.is_file() and f"start: {d} 09:00" in timer.read_text()
        status = json.loads(ok(cli(book, "time", "status", "--format", "json", today=d)).stdout)
        assert status["running"] and status["project"] == "acme-web" and status["start"] == f"{d} 09:00"
        # starting Beta at 12:30 stops Acme first and says so
        r = ok(cli(book, "time", "start", "beta-app", "--at", "12:30", today=d))
        assert r.stdout.startswith(f"stopped the timer on 'acme-web' started {d} 09:00: booked 3.5 h as 't-")
        r = ok(cli(book, "time", "stop", "--at", "17:15", today=d))
        assert r.stdout.startswith(f"timer stopped: booked 4.75 h on {d} to project 'beta-app' as 't-")
        assert not timer.exists()
    assert ok(cli(book, "time", "status", today=day(4))).stdout == "no timer running\n"
    shard = (book / "timelog" / "2026.yaml").read_text()
    assert shard.count("- id: t-2026110") == 10 and "hours: 3.5\n" in shard and "hours: 4.75\n" in shard
    # a correction: Wednesday's Acme morning was really 4h15m
    wed = next(e for e in entries(book) if e["date"] == day(2) and e["project"] == "acme-web")
    r = ok(cli(book, "time", "edit", wed["id"], "--hours", "4h15m", today=day(4)))
    assert r.stdout == f"changed time '{wed['id']}': hours\n"
    after = (book / "timelog" / "2026.yaml").read_text()
    assert "hours: 4.25\n" in after and len(after.splitlines()) == len(shard.splitlines())
    # the week's sheet: projects and services by day, totals, value; fits 80 columns
    sheet = ok(cli(book, "time", "sheet", "--week", day(2), today=day(4))).stdout
    assert all(len(line) <= 80 for line in sheet.splitlines()), sheet
    lines = sheet.splitlines()
    assert lines[0] == "Time sheet, 2026-11-02 to 2026-11-08"
    assert lines[2].split() == ["Mo", "02", "Tu", "03", "We", "04", "Th", "05", "Fr", "06", "Sa", "07", "Su", "08",
                                "hours", "value", "USD"]
    row = {line.split()[0]: line.split()[1:] for line in lines[3:]}
    assert row["acme-web"] == ["3.5", "3.5", "4.25", "3.5", "3.5", "18.25", "1,902.50"]
    assert row["acme-design"] == ["3.5", "3.5", "7", "665.00"]
    assert row["acme-build"] == ["4.25", "3.5", "3.5", "11.25", "1,237.50"]
    assert row["beta-app"] == ["4.75"] * 5 + ["23.75", "1,900.00"]
    assert row["total"] == ["8.25", "8.25", "9", "8.25", "8.25", "42", "3,802.50"]
    data = json.loads(ok(cli(book, "time", "sheet", "--week", day(2), "--format", "json", today=day(4))).stdout)
    assert data["totals"]["hours"] == "42" and data["totals"]["value"] == {"USD": "3802.50"}
    # invoices from the hours, one per client
    r = ok(cli(book, "invoice", "add", "--from-time", "--client", "acme", today=day(4)))
    a = added(r)
    assert r.stdout == ("billed 5 time entries (18.25 h)\n"
                        f"added invoice '{a}' (draft): total 1,902.50 USD, due 2026-12-06\n")
    r = ok(cli(book, "invoice", "add", "--from-time", "--project", "beta-app", today=day(4)))
    b = added(r)
    assert f"added invoice '{b}' (draft): total 1,900.00 USD" in r.stdout
    inv = json.loads(ok(cli(book, "invoice", "show", a, "--format", "json", today=day(4))).stdout)
    assert inv["client"] == "acme" and inv["project"] == "acme-web"
    assert [(i["description"], i.get("service"), i["quantity"], i["unit_price"]) for i in inv["items"]] == [
        ("UX design, 2026-11-02 to 2026-11-03", "acme-design", "7", "95"),
        ("Front-end build, 2026-11-04 to 2026-11-06", "acme-build", "11.25", "110")]
    inv2 = json.loads(ok(cli(book, "invoice", "show", b, "--format", "json", today=day(4))).stdout)
    assert [(i["description"], i.get("project"), i["quantity"], i["unit_price"]) for i in inv2["items"]] == [
        ("Beta app, 2026-11-02 to 2026-11-06", "beta-app", "23.75", "80")]
    billed = (book / "timelog" / "2026.yaml").read_text()
    assert billed.count(f"invoice: {a}\n") == 5 and billed.count(f"invoice: {b}\n") == 5
    # sent: the draft takes its number, and its entries with it, in one write
    r = ok(cli(book, "invoice", "move", b, "sent", today=day(4)))
    assert f"invoice '{b}' is numbered INV-2026-001, and 5 records linking to it" in r.stdout
    b = "INV-2026-001"
    assert (book / "timelog" / "2026.yaml").read_text().count("invoice: INV-2026-001\n") == 5
    # a second run bills nothing and writes nothing
    before = {p: p.read_bytes() for p in book.rglob("*.yaml")}
    for who in (("--client", "acme"), ("--client", "beta")):
        r = ok(cli(book, "invoice", "add", "--from-time", *who, today=day(4)))
        assert r.stdout.startswith(f"nothing to bill: no unbilled time of client {who[1]} up to {day(4)}")
    assert {p: p.read_bytes() for p in book.rglob("*.yaml")} == before
    assert json.loads(ok(cli(book, "time", "list", "--unbilled", "--format", "json", today=day(4))).stdout) == []
    # the invoice's time sheet shows exactly its entries
    s = json.loads(ok(cli(book, "time", "sheet", "--invoice", "INV-2026-001", "--format", "json", today=day(4))).stdout)
    assert [(r["project"], r["hours"], r["value"]) for r in s["rows"]] == [("beta-app", "23.75", "1900.00")]
    assert ok(cli(book, "validate", today=day(4))).output == "ok: no problems\n"


# -- durations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,hours", [("1.5", "1.5"), ("1,5", "1.5"), ("1h30m", "1.5"), ("90m", "1.5"),
                                        ("1:30", "1.5"), ("1.5h", "1.5"), ("2h", "2"), ("45m", "0.75"),
                                        ("1h20m", "1.33"), ("0:05", "0.08")])
def test_time_log_takes_hours_in_every_form(tmp_path, text, hours):
    book = make_book(tmp_path)
    r = ok(cli(book, "time", "log", "beta-app", text))
    assert r.stdout.startswith(f"booked {hours} h on {MONDAY} to project 'beta-app' as 't-")
    assert f"  hours: {hours}\n" in (book / "timelog" / "2026.yaml").read_text()


@pytest.mark.parametrize("text,message", [
    ("three", "HOURS: expected hours like 1.5, 1,5, 1.5h, 1h30m, 90m or 1:30, got 'three'"),
    ("25h", "HOURS: hours in one entry must be more than 0 and at most 24, got 25h"),
    ("0:00", "HOURS: hours in one entry must be more than 0 and at most 24, got 0:00"),
    ("1:75", "HOURS: expected hours like"), ("1h30", "HOURS: expected hours like"),
])
def test_time_log_refuses_hours_it_cannot_read_and_writes_nothing(tmp_path, text, message):
    book = make_book(tmp_path)
    r = cli(book, "time", "log", "beta-app", text)
    assert r.exit_code == 2 and r.stderr.startswith(f"freelance: error: {message}"), r.output
    assert not (book / "timelog" / "2026.yaml").exists() or "beta-app" not in (book / "timelog" / "2026.yaml").read_text()


@settings(max_examples=40, deadline=None)
@given(h=st.integers(0, 30), m=st.integers(0, 59))
def test_hours_and_minutes_read_the_same_in_each_form(h, m):
    from freelance.core.durations import parse_hours
    forms = [f"{h}:{m:02d}", f"{h}h{m}m", f"{h * 60 + m}m"]
    got = {parse_hours(f) for f in forms}
    assert len(got) == 1
    value = got.pop()
    assert abs(value * 60 - (h * 60 + m)) <= Decimal("0.3")


def test_meetings_take_the_same_durations(tmp_path):
    book = make_book(tmp_path)
    for text in ("1:30", "1.5h", "90m"):
        ok(cli(book, "meeting", "add", f"Sync {text}", "--at", "2026-11-03 10:00", "--duration", text))
    shown = json.loads(ok(cli(book, "meeting", "list", "--format", "json")).stdout)
    assert {m["end_time"] for m in shown} == {"2026-11-03 11:30"}


# -- rounding -----------------------------------------------------------------------------------

def test_time_rounding_rounds_what_is_billed_never_what_is_stored(tmp_path):
    book = make_book(tmp_path)
    assert ok(cli(book, "settings", "set", "time_rounding", "15m up")).stdout
    assert "time_rounding: 15m up\n" in (book / "freelance.yaml").read_text()
    for text in ("1h05m", "0:20", "2h"):
        ok(cli(book, "time", "log", "beta-app", text))
    shard = (book / "timelog" / "2026.yaml").read_text()
    assert "hours: 1.08\n" in shard and "hours: 0.33\n" in shard
    sheet = json.loads(ok(cli(book, "time", "sheet", "--client", "beta", "--format", "json")).stdout)
    assert sheet["rounding"] == "15m up" and sheet["rows"][0]["hours"] == "3.75"
    raw = json.loads(ok(cli(book, "time", "sheet", "--format", "json")).stdout)
    assert raw["rounding"] is None and raw["rows"][0]["hours"] == "3.41"
    r = ok(cli(book, "invoice", "add", "--from-time", "--client", "beta"))
    assert "billed 3 time entries (3.41 h, rounded by time_rounding 15m up)" in r.stdout
    inv = json.loads(ok(cli(book, "invoice", "show", added(r), "--format", "json")).stdout)
    assert inv["items"][0]["quantity"] == "3.75" and inv["total"] == "300.00"
    assert "hours: 1.08\n" in (book / "timelog" / "2026.yaml").read_text()


@pytest.mark.parametrize("value", ["15", "15m sideways", "5 up", "0m"])
def test_settings_refuse_a_rounding_they_cannot_apply(tmp_path, value):
    book = make_book(tmp_path)
    before = (book / "freelance.yaml").read_text()
    r = cli(book, "settings", "set", "time_rounding", value)
    assert r.exit_code == 2 and "time_rounding: expected none, or a step like 15m" in r.stderr, r.output
    assert (book / "freelance.yaml").read_text() == before


# -- billed entries --------------------------------------------------------------------------------

def _billed(tmp_path) -> tuple[Path, str]:
    book = make_book(tmp_path)
    r = ok(cli(book, "time", "log", "beta-app", "2", "--note", "setup"))
    eid = r.stdout.split("as '")[1].rstrip("'\n")
    ok(cli(book, "invoice", "add", "--from-time", "--client", "beta", "--number", "INV-2026-001"))   # a numbered draft
    return book, eid


def test_an_entry_on_a_sent_invoice_is_not_edited_or_removed(tmp_path):
    book, eid = _billed(tmp_path)
    ok(cli(book, "invoice", "move", "INV-2026-001", "sent"))
    before = (book / "timelog" / "2026.yaml").read_bytes()
    for args in (("edit", eid, "--hours", "3"), ("rm", eid)):
        r = cli(book, "time", *args)
        assert r.exit_code == 2, r.output
        assert f"time entry '{eid}' is billed on invoice 'INV-2026-001' (sent)" in r.stderr
    assert (book / "timelog" / "2026.yaml").read_bytes() == before
    shown = json.loads(ok(cli(book, "project", "show", "beta-app", "--format", "json")).stdout)
    assert shown["hours_billed"] == "2"


def test_voiding_or_removing_a_draft_releases_its_entries(tmp_path):
    book, eid = _billed(tmp_path)
    r = ok(cli(book, "invoice", "move", "INV-2026-001", "void"))
    assert f"released 1 time entry (2 h) of invoice 'INV-2026-001' (void): they are unbilled again" in r.stdout
    assert "invoice:" not in (book / "timelog" / "2026.yaml").read_text()
    again = added(ok(cli(book, "invoice", "add", "--from-time", "--client", "beta")))
    assert f"invoice: {again}\n" in (book / "timelog" / "2026.yaml").read_text()
    r = ok(cli(book, "invoice", "rm", again))
    assert f"released 1 time entry (2 h) of invoice '{again}' (removed)" in r.stdout
    assert "invoice:" not in (book / "timelog" / "2026.yaml").read_text()
    assert ok(cli(book, "validate")).output == "ok: no problems\n"


def test_validate_checks_an_entrys_invoice(tmp_path):
    book, eid = _billed(tmp_path)
    ok(cli(book, "invoice", "add", "--client", "acme", "--item", "Other work:1:100", "--number", "INV-2026-002"))
    path = book / "timelog" / "2026.yaml"
    path.write_text(path.read_text().replace("invoice: INV-2026-001", "invoice: INV-2026-002"))
    r = cli(book, "validate")
    assert r.exit_code == 1
    assert f"error: time '{eid}': invoice INV-2026-002 is client 'acme's, but project beta-app is client 'beta's" in r.stdout
    path.write_text(path.read_text().replace("invoice: INV-2026-002", "invoice: INV-2026-009"))
    r = cli(book, "validate")
    assert r.exit_code == 1 and "INV-2026-009" in r.stdout
    ok(cli(book, "invoice", "add", "--client", "beta", "--item", "Hosting:1:50", "--number", "INV-2026-003"))
    path.write_text(path.read_text().replace("invoice: INV-2026-009", "invoice: INV-2026-003"))
    r = cli(book, "validate")
    assert r.exit_code == 1
    assert f"error: time '{eid}': invoice INV-2026-003 does not list project 'beta-app'" in r.stdout


def test_from_time_refuses_hours_without_a_rate(tmp_path):
    book = make_book(tmp_path)
    (book / "clients.yaml").write_text(CLIENTS.replace("  default_rate: 80\n", ""))
    ok(cli(book, "time", "log", "beta-app", "2"))
    r = cli(book, "invoice", "add", "--from-time", "--client", "beta")
    assert r.exit_code == 2 and "no hourly rate for the hours of project beta-app" in r.stderr
    assert "INV-" not in (book / "invoices.yaml").read_text()


def test_include_fixed_bills_a_completed_fixed_fee_once(tmp_path):
    book = make_book(tmp_path)
    ok(cli(book, "service", "add", "Audit", "--client", "acme", "--project", "acme-web", "--pricing", "fixed",
           "--rate", "1500", "--status", "completed", "--id", "acme-audit"))
    ok(cli(book, "time", "log", "acme-web", "3", "--service", "acme-audit"))
    r = ok(cli(book, "invoice", "add", "--from-time", "--client", "acme"))
    assert r.stdout.startswith("nothing to bill")
    r = ok(cli(book, "invoice", "add", "--from-time", "--client", "acme", "--include-fixed"))
    assert "total 1,500.00 USD" in r.stdout
    assert f"invoice: {added(r)}" in (book / "timelog" / "2026.yaml").read_text()
    r = ok(cli(book, "invoice", "add", "--from-time", "--client", "acme", "--include-fixed"))
    assert r.stdout.startswith("nothing to bill")


# -- the timer ------------------------------------------------------------------------------------

def test_stop_books_once_even_after_an_interrupted_stop(tmp_path):
    book = make_book(tmp_path)
    ok(cli(book, "time", "start", "beta-app", "--at", "09:00"))
    timer = (book / "timer.yaml").read_text()
    ok(cli(book, "time", "stop", "--at", "10:00"))
    # as if the stop had written the entry but not yet removed the timer
    (book / "timer.yaml").write_text(timer)
    r = ok(cli(book, "time", "stop", "--at", "11:00"))
    assert "was booked already" in r.stdout
    assert not (book / "timer.yaml").exists()
    assert len(entries(book)) == 1 and entries(book)[0]["hours"] == "1"


def test_timer_refusals_write_nothing(tmp_path):
    book = make_book(tmp_path)
    r = cli(book, "time", "stop")
    assert r.exit_code == 2 and "no timer is running" in r.stderr
    ok(cli(book, "time", "start", "beta-app", "--at", "09:00"))
    timer = (book / "timer.yaml").read_bytes()
    r = cli(book, "time", "stop", "--at", "08:00")
    assert r.exit_code == 2 and "is not after the timer's start" in r.stderr
    r = cli(book, "time", "start", "nope")
    assert r.exit_code == 2 and "no project 'nope'" in r.stderr
    assert (book / "timer.yaml").read_bytes() == timer
    r = ok(cli(book, "time", "cancel"))
    assert r.stdout == "timer on 'beta-app' since 2026-11-02 09:00 cancelled; nothing was booked\n"
    assert not (book / "timer.yaml").exists() and not entries(book)


def test_a_timer_running_more_than_a_day_is_a_warning(tmp_path):
    book = make_book(tmp_path)
    ok(cli(book, "time", "start", "beta-app", "--at", "09:00"))
    assert ok(cli(book, "validate")).output == "ok: no problems\n"
    r = cli(book, "validate", today="2026-11-04")
    assert r.exit_code == 0
    assert "timer.yaml:" in r.stdout and "warning" in r.stdout and "more than a day" in r.stdout
    d = ok(cli(book, "report", "digest", today="2026-11-04")).stdout
    assert "Timer running for more than a day" in d
    assert any("beta-app" in line and "2026-11-02 09:00" in line for line in d.splitlines())
    r = cli(book, "time", "stop", today="2026-11-04")
    assert r.exit_code == 2 and "more than the 24 hours one entry takes" in r.stderr
    assert (book / "timer.yaml").exists()


def test_project_log_and_time_log_are_the_same(tmp_path):
    book = make_book(tmp_path)
    a = ok(cli(book, "project", "log", "beta-app", "1:30"))
    b = ok(cli(book, "time", "log", "beta-app", "90m"))
    assert a.stdout.split(" as ")[0] == b.stdout.split(" as ")[0]


def test_time_list_filters(tmp_path):
    book = make_book(tmp_path)
    ok(cli(book, "time", "log", "beta-app", "1", "--date", "2026-10-30"))
    ok(cli(book, "time", "log", "acme-web", "2", "--service", "acme-build"))
    assert [e["hours"] for e in entries(book)] == ["2", "1"]          # newest first
    r = json.loads(ok(cli(book, "time", "list", "--client", "acme", "--format", "json")).stdout)
    assert [e["project"] for e in r] == ["acme-web"]
    r = json.loads(ok(cli(book, "time", "list", "--period", "2026-10", "--format", "json")).stdout)
    assert [e["project"] for e in r] == ["beta-app"]
    r = cli(book, "time", "list", "--client", "acmee")
    assert r.exit_code == 2 and "did you mean 'acme'" in r.stderr
    csv = ok(cli(book, "time", "list", "--format", "csv")).stdout
    assert csv.splitlines()[0] == "id,date,project,service,hours,note,invoice"


def test_month_sheet_is_week_by_week_in_every_format(tmp_path):
    book = make_book(tmp_path)
    ok(cli(book, "time", "log", "beta-app", "2", "--date", "2026-11-02"))
    ok(cli(book, "time", "log", "beta-app", "3", "--date", "2026-11-20", today="2026-11-30"))
    data = json.loads(ok(cli(book, "time", "sheet", "--month", "2026-11", "--format", "json",
                             today="2026-11-30")).stdout)
    assert data["by"] == "week" and data["rows"][0]["hours"] == "5"
    for fmt in ("markdown", "csv", "html", "table"):
        out = ok(cli(book, "time", "sheet", "--month", "2026-11", "--format", fmt, today="2026-11-30")).stdout
        assert "beta-app" in out


def test_digest_counts_hours_on_an_invoice_as_billed(tmp_path):
    book = make_book(tmp_path)
    ok(cli(book, "time", "log", "beta-app", "2"))
    before = json.loads(ok(cli(book, "report", "digest", "--format", "json")).stdout)
    unbilled = before["unbilled"]
    assert [(r["project"], r["unbilled_hours"]) for r in unbilled] == [("beta-app", "2")]
    ok(cli(book, "invoice", "add", "--from-time", "--client", "beta"))
    after = json.loads(ok(cli(book, "report", "digest", "--format", "json")).stdout)
    assert after["unbilled"] == [] and after["alerts"]["timer"] == []


def test_marking_entries_keeps_their_lines_and_puts_the_key_in_its_place(tmp_path):
    book = make_book(tmp_path)
    shard = book / "timelog" / "2026.yaml"
    shard.parent.mkdir(exist_ok=True)
    shard.write_text("# my hours\n"
                     "- id: t-20261102-aaaaaa\n  date: 2026-11-02\n  project: beta-app\n  hours: 2  # late start\n"
                     "  note: setup\n\n"
                     "- id: t-20261102-bbbbbb\n  date: 2026-11-02\n  project: beta-app\n  hours: 1\n  tags: [x]\n"
                     "# end\n")
    rid = added(ok(cli(book, "invoice", "add", "--from-time", "--client", "beta")))
    assert shard.read_text() == (
        "# my hours\n"
        "- id: t-20261102-aaaaaa\n  date: 2026-11-02\n  project: beta-app\n  hours: 2  # late start\n"
        f"  note: setup\n  invoice: {rid}\n\n"
        f"- id: t-20261102-bbbbbb\n  date: 2026-11-02\n  project: beta-app\n  hours: 1\n  invoice: {rid}\n"
        "  tags: [x]\n# end\n")
    ok(cli(book, "invoice", "rm", rid))
    assert "invoice:" not in shard.read_text() and "  hours: 2  # late start\n" in shard.read_text()


# -- the demo book: its invoices' hours are marked, so --from-time bills only what no invoice did ------

def _lines_by_service(invoices: list[dict]) -> dict:
    """service id -> the amount (quantity x unit price) of the given invoices' lines naming it."""
    out: dict = {}
    for inv in invoices:
        for it in inv.get("items") or []:
            if it.get("service"):
                out[it["service"]] = out.get(it["service"], Decimal(0)) + Decimal(it["quantity"]) * Decimal(it["unit_price"])
    return out


def test_the_demo_books_hours_bill_what_show_says_is_unbilled_and_nothing_twice(demo):
    def run(*args):
        return ok(run_cli(*args, books=demo))
    services = {s["id"]: s for s in json.loads(run("service", "list", "--format", "json").stdout)}
    drafts = [json.loads(run("invoice", "show", d["id"], "--format", "json").stdout)
              for d in json.loads(run("invoice", "list", "--status", "draft", "--format", "json").stdout)]
    on_drafts = _lines_by_service(drafts)          # a draft is not invoiced yet, but names its hours
    acme = json.loads(run("project", "show", "acme-website", "--format", "json").stdout)
    unbilled = json.loads(run("time", "list", "--unbilled", "--format", "json").stdout)
    left, projects = {e["id"] for e in unbilled}, {e["project"] for e in unbilled}
    assert left
    billed = []
    for project in sorted(projects):
        rid = run("invoice", "add", "--from-time", "--project", project, "--quiet").stdout.strip()
        if rid:     # hours of a fixed fee are billed with it, not by the hour
            billed.append(json.loads(run("invoice", "show", rid, "--format", "json").stdout))
    lines = _lines_by_service(billed)
    # each hourly service: what `service show` says is unbilled, less what a draft bills already
    assert {sid: Decimal(s["drafted_value"]) for sid, s in services.items() if Decimal(s["drafted_value"])} == \
        {sid: v for sid, v in on_drafts.items() if services[sid]["pricing"] == "hourly"}     # hours, not fees
    expected = {sid: Decimal(s["unbilled_value"]) - Decimal(s["drafted_value"])
                for sid, s in services.items() if s["pricing"] == "hourly"}
    assert lines == {sid: amount for sid, amount in expected.items() if amount}
    bill = next(inv for inv in billed if inv["project"] == "acme-website")     # the project `show` tells
    assert Decimal(bill["subtotal"]) == Decimal(acme["unbilled_value"]) - Decimal(acme["drafted_value"])
    taken = {eid for inv in billed for it in inv["items"] for eid in it.get("entries") or []}
    assert taken == left
    assert json.loads(run("time", "list", "--unbilled", "--format", "json").stdout) == []
    assert run("validate").exit_code == 0


def test_include_fixed_leaves_a_fee_its_projects_amount_invoice_billed(tmp_path):
    book = make_book(tmp_path)
    ok(cli(book, "service", "add", "Audit", "--client", "acme", "--project", "acme-web", "--pricing", "fixed",
           "--rate", "1500", "--status", "completed", "--id", "acme-audit"))
    ok(cli(book, "invoice", "add", "--client", "acme", "--project", "acme-web", "--amount", "1500",
           "--status", "sent"))
    r = ok(cli(book, "invoice", "add", "--from-time", "--client", "acme", "--include-fixed"))
    assert r.stdout.startswith("nothing to bill"), r.stdout


def test_quiet_prints_only_the_new_invoices_id_for_scripts(tmp_path):
    book = make_book(tmp_path)
    ok(cli(book, "time", "log", "beta-app", "2"))
    r = ok(cli(book, "invoice", "add", "--from-time", "--client", "beta", "--quiet"))
    rid = r.stdout.strip()
    assert r.stdout == f"{rid}\n" and "billed 1 time entry" in r.stderr
    assert f"invoice: {rid}" in (book / "timelog" / "2026.yaml").read_text()
    r = ok(cli(book, "invoice", "add", "--from-time", "--client", "beta", "-q"))
    assert r.stdout == "" and "nothing to bill" in r.stderr
    r = ok(cli(book, "invoice", "add", "--client", "beta", "--item", "Setup:1:100", "-q"))
    assert r.stdout.strip() != rid and json.loads(ok(cli(book, "invoice", "show", r.stdout.strip(),
                                                         "--format", "json")).stdout)["total"] == "100.00"
