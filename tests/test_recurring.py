"""Recurring invoices and payment reminders through `freelance run` (docs/recurring.md,
docs/reminders.md): the real CLI on a copy of the demo book, checked on disk."""
from __future__ import annotations

import datetime as dt
import email
import json
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from email.policy import default as default_policy
from pathlib import Path

import yaml

from conftest import run_cli, run_proc


def _invoices(book: Path) -> list[dict]:
    return yaml.safe_load((book / "invoices.yaml").read_text(encoding="utf-8"))


def _made(book: Path, schedule: str) -> list[dict]:
    return [i for i in _invoices(book) if i.get("recurring") == schedule]


def _mail(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=default_policy)


def _pdf_text(data: bytes, tmp: Path) -> str:
    pdf = tmp / "x.pdf"
    pdf.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _no_reminders(book: Path) -> None:
    """The demo book has late invoices and a retainer; these tests are about their own
    recurring invoices alone."""
    (book / "recurring.yaml").unlink()
    settings = book / "freelance.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "reminders: []\n", encoding="utf-8")


def test_add_with_every_and_on_writes_the_rule_and_list_shows_the_next_day(cli):
    _no_reminders(cli.book)
    r = cli("recurring", "add", "--client", "acme", "--item", "Retainer:1:2000", "--every", "month", "--on", "1",
            "--start", "2026-12-01", "--send")
    assert r.exit_code == 0, r.output
    rows = json.loads(cli("recurring", "list", "--format", "json").stdout)
    (row,) = rows
    assert row["rrule"] == "FREQ=MONTHLY;BYMONTHDAY=1"
    assert row["next"] == "2026-12-01" and row["send"] is True and row["status"] == "active"
    r = cli("recurring", "add", "--client", "globex", "--item", "Hosting:1:120", "--every", "quarter",
            "--start", "2027-01-01", "--count", "4")
    assert r.exit_code == 0, r.output
    text = (cli.book / "recurring.yaml").read_text(encoding="utf-8")
    assert "rrule: FREQ=MONTHLY;INTERVAL=3\n" in text and "count: 4\n" in text


def test_a_rule_that_is_not_one_is_refused_with_what_is_wrong(cli):
    for rule, words in (("FREQ=HOURLY", "FREQ must be one of"), ("FREQ=MONTHLY;BYMONTHDAY=40", "BYMONTHDAY=40"),
                        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no day of it comes"),
                        ("FREQ=MONTHLY;BYMONTDAY=1", "BYMONTHDAY"), ("DTSTART:20260101\nFREQ=MONTHLY", "one RRULE")):
        r = cli("recurring", "add", "--client", "acme", "--item", "X:1:1", "--rrule", rule)
        assert r.exit_code == 2, (rule, r.output)
        assert words in r.stderr and "Traceback" not in r.output
    assert not (cli.book / "recurring.yaml").exists() or "X" not in (cli.book / "recurring.yaml").read_text()
    r = cli("recurring", "add", "--client", "acme", "--item", "X:1:1", "--every", "fortnight")
    assert r.exit_code == 2 and "week, month, quarter or year" in r.stderr


def test_run_makes_each_period_once_however_often_it_runs(cli):
    _no_reminders(cli.book)
    cli("recurring", "add", "--client", "acme", "--item", "Retainer:1:2000", "--every", "month", "--on", "1",
        "--start", "2026-12-01", "--id", "retainer")
    for _ in range(3):
        r = cli("run", today="2026-12-01")
        assert r.exit_code == 0, r.output
    (inv,) = _made(cli.book, "retainer")
    assert inv["period"] == inv["supply_start"] and str(inv["supply_start"]) == "2026-12-01"
    assert str(inv["supply_end"]) == "2026-12-31" and inv["status"] == "draft"
    assert inv["items"][0]["description"] == "Retainer, December 2026"
    assert cli("run", today="2026-12-31").stdout == "nothing to do\n"
    assert len(_made(cli.book, "retainer")) == 1
    assert cli("validate").exit_code == 0


def test_missed_periods_are_made_as_drafts_and_listed_never_sent(cli):
    _no_reminders(cli.book)
    cli("recurring", "add", "--client", "acme", "--item", "Retainer:1:2000", "--every", "month", "--on", "1",
        "--start", "2026-12-01", "--send", "--id", "retainer")
    r = cli("run", today="2027-03-15")     # the machine was off from December to March
    assert r.exit_code == 0, r.output
    made = _made(cli.book, "retainer")
    assert [str(i["period"]) for i in made] == ["2026-12-01", "2027-01-01", "2027-02-01", "2027-03-01"]
    assert {i["status"] for i in made} == {"draft"}
    assert r.stdout.count("made draft") == 4 and "missed on 2027-01-01" in r.stdout
    assert not (cli.book / "outbox").exists() or not list((cli.book / "outbox").glob("INV-*.eml"))
    r = cli("run", today="2027-04-01")     # on its day: sent
    (new,) = [i for i in _made(cli.book, "retainer") if str(i["period"]) == "2027-04-01"]
    assert new["status"] == "sent" and new["seal"]
    mail = _mail(cli.book / "outbox" / f"{new['id']}.eml")
    assert mail["To"].addresses[0].addr_spec == "accounts@acme.test"
    assert [a.get_filename() for a in mail.iter_attachments()] == [f"{new['id']}.pdf"]
    assert (cli.book / "outbox" / ".gitignore").read_text().endswith("*\n")


def test_the_period_is_named_in_the_clients_language(cli):
    _no_reminders(cli.book)
    cli("recurring", "add", "--client", "umbrella-labs", "--item", "Wartung {period}:1:300", "--every", "quarter",
        "--start", "2027-01-01", "--id", "wartung")
    cli("run", today="2027-01-01")
    (inv,) = _made(cli.book, "wartung")
    assert inv["items"][0]["description"] == "Wartung 1. Quartal 2027"
    assert str(inv["supply_end"]) == "2027-03-31"


def test_count_end_and_pause_stop_a_schedule(cli):
    _no_reminders(cli.book)
    cli("recurring", "add", "--client", "acme", "--item", "Weekly:1:100", "--every", "week", "--on", "mon",
        "--start", "2026-11-30", "--count", "3", "--id", "weekly")
    cli("recurring", "add", "--client", "globex", "--item", "Monthly:1:100", "--every", "month",
        "--start", "2026-12-15", "--end", "2027-02-20", "--id", "ended")
    cli("recurring", "add", "--client", "initech", "--item", "Paused:1:100", "--every", "month",
        "--start", "2026-12-01", "--id", "paused")
    assert cli("recurring", "pause", "paused").exit_code == 0
    cli("run", today="2027-06-01")
    assert len(_made(cli.book, "weekly")) == 3
    ended = _made(cli.book, "ended")
    assert [str(i["period"]) for i in ended] == ["2026-12-15", "2027-01-15", "2027-02-15"]
    assert str(ended[-1]["supply_end"]) == "2027-02-20"
    assert _made(cli.book, "paused") == []
    assert cli("recurring", "resume", "paused", today="2027-06-01").exit_code == 0
    cli("run", today="2027-07-01")            # the months paused are skipped, not billed late
    assert [str(i["period"]) for i in _made(cli.book, "paused")] == ["2027-06-01", "2027-07-01"]


def test_hours_of_a_project_are_billed_per_period_in_arrears(cli):
    _no_reminders(cli.book)
    cli("project", "add", "Support", "--client", "acme", "--rate", "100", "--id", "support")
    for day, hours in (("2026-12-03", "2"), ("2026-12-20", "1.5"), ("2027-01-04", "3")):
        assert cli("time", "log", "support", hours, "--date", day, today=day).exit_code == 0
    r = cli("recurring", "add", "--client", "acme", "--project", "support", "--from-time", "--every", "month",
            "--on", "1", "--start", "2026-12-01", "--id", "support-hours")
    assert r.exit_code == 0, r.output
    assert cli("run", today="2026-12-31").stdout == "nothing to do\n"    # December is not over
    cli("run", today="2027-01-01")
    (inv,) = _made(cli.book, "support-hours")
    assert sum(float(it["quantity"]) for it in inv["items"]) == 3.5
    assert str(inv["supply_start"]) == "2026-12-01" and str(inv["supply_end"]) == "2026-12-31"


def test_dry_run_says_what_is_due_and_changes_nothing(cli):
    cli("recurring", "add", "--client", "acme", "--item", "Retainer:1:2000", "--every", "month", "--on", "1",
        "--start", "2026-12-01")
    before = (cli.book / "invoices.yaml").read_bytes()
    r = cli("run", "--dry-run", today="2026-12-01")
    assert r.exit_code == 0 and "would make" in r.stdout and "would send reminder 1 for INV-2026-009" in r.stdout
    assert (cli.book / "invoices.yaml").read_bytes() == before and not (cli.book / "outbox").exists()


def test_a_second_invoice_of_one_period_is_an_error_of_validate(cli):
    cli("recurring", "add", "--client", "acme", "--item", "Retainer:1:2000", "--every", "month",
        "--start", "2026-12-01", "--id", "retainer")
    cli("run", today="2026-12-01")
    text = (cli.book / "invoices.yaml").read_text(encoding="utf-8")
    first = text[text.rindex("- id: "):]
    (cli.book / "invoices.yaml").write_text(text + first.replace("INV-2026-023", "INV-2026-099"), encoding="utf-8")
    r = cli("validate")
    assert r.exit_code == 1 and "bills period 2026-12-01 of recurring 'retainer' again" in r.stdout


# -- reminders ------------------------------------------------------------------------------

def test_reminders_go_out_on_or_after_their_day_once_each_and_show_in_invoice_json(cli, tmp_path):
    # INV-2026-015 (acme) was due 2026-11-14 and is half paid.
    assert "INV-2026-015" not in cli("run", today="2026-11-20").stdout          # 6 days late: not yet
    r = cli("run", today="2026-11-25")                                          # 11 days: level 1, late as it is
    assert "reminder 1 for INV-2026-015" in r.stdout, r.output
    assert "INV-2026-015" not in cli("run", today="2026-11-26").stdout
    r = cli("run", today="2026-12-20")                                          # 36 days: level 2
    assert "reminder 2 for INV-2026-015" in r.stdout
    for day in ("2026-12-21", "2027-03-01"):
        assert "INV-2026-015" not in cli("run", today=day).stdout
    shown = json.loads(cli("invoice", "show", "INV-2026-015", "--format", "json").stdout)
    assert [(x["level"], x["date"]) for x in shown["reminders"]] == [(1, "2026-11-25"), (2, "2026-12-20")]
    mail = _mail(cli.book / shown["reminders"][0]["document"])
    assert mail["Subject"].startswith("Payment reminder: invoice INV-2026-015")
    (pdf,) = [a.get_content() for a in mail.iter_attachments()]
    text = _pdf_text(pdf, tmp_path)
    assert "INV-2026-015" in text and "$2,850.00" in text


def test_a_paid_invoice_gets_no_reminder(cli):
    cli("income", "add", "2850", "--invoice", "INV-2026-015", "--received", "--date", "2026-11-20", today="2026-11-20")
    assert "INV-2026-015" not in cli("run", today="2026-12-30").stdout
    assert "reminders" not in json.loads(cli("invoice", "show", "INV-2026-015", "--format", "json").stdout) or \
        json.loads(cli("invoice", "show", "INV-2026-015", "--format", "json").stdout)["reminders"] is None


def test_a_levels_fee_and_interest_are_added_once_in_the_clients_language(cli, tmp_path):
    settings = cli.book / "freelance.yaml"
    settings.write_text(settings.read_text() + "reminders:\n- days: 7\n- days: 21\n  fee: 5\n  interest: 8\n")
    assert cli("validate").exit_code == 0
    cli("run", today="2026-11-25")
    cli("run", today="2026-12-10")
    for _ in range(3):
        cli("run", today="2026-12-11")
    reminders = json.loads(cli("invoice", "show", "INV-2026-015", "--format", "json").stdout)["reminders"]
    assert [r.get("fee") for r in reminders] == [None, "5"]
    late = (dt.date(2026, 12, 10) - dt.date(2026, 11, 14)).days      # level 2 went out on the 10th
    interest = (Decimal("2850.00") * 8 / 100 * late / 365).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert reminders[1]["interest"] == str(interest) and reminders[1]["date"] == "2026-12-10"
    mail = _mail(cli.book / reminders[1]["document"])
    text = _pdf_text([a.get_content() for a in mail.iter_attachments()][0], tmp_path)
    assert "Reminder fee" in text and "Final payment reminder" in text
    assert f"${Decimal('2855.00') + interest:,}" in text


def test_bad_reminder_settings_are_reported_by_validate(cli):
    settings = cli.book / "freelance.yaml"
    settings.write_text(settings.read_text() + "reminders:\n- days: seven\n- {days: 21, fees: 5}\n")
    out = cli("validate").stdout
    assert "reminders[1]: days" in out and "reminders[2]: unknown key 'fees'" in out


def test_two_runs_at_once_do_the_work_once(cli):
    (cli.book / "recurring.yaml").unlink()
    cli("recurring", "add", "--client", "acme", "--item", "Retainer:1:2000", "--every", "week",
        "--start", "2026-10-01", "--id", "weekly")
    procs = [subprocess.Popen(["python", "-m", "freelance", "--books", str(cli.book), "--today", "2026-12-01", "run"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    periods = [str(i["period"]) for i in _made(cli.book, "weekly")]
    assert len(periods) == len(set(periods)) == 9
    reminded = [i["id"] for i in _invoices(cli.book) for _ in (i.get("reminders") or [])]
    assert len(reminded) == len(set(reminded))
    assert sum(o.count("made draft") for o, _ in outs) == 9
    assert run_proc("--books", cli.book, "validate").returncode == 0


def test_run_json_is_a_list_of_what_it_did(cli):
    r = cli("run", "--format", "json", today="2026-11-25")
    done = json.loads(r.stdout)
    assert {d["action"] for d in done} == {"reminder"}
    assert all(d["file"].startswith("outbox/") and d["invoice"] in d["file"] for d in done)
    assert json.loads(run_cli("run", "--format", "json", books=cli.book, today="2026-11-25").stdout) == []
