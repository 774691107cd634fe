"""Resources (to-dos), goals (progress, on track, measured) and meetings, through the real CLI."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import git_commit_all


def _git(book):
    git_commit_all(book)


def _changed_lines(book) -> list[str]:
    diff = subprocess.run(["git", "diff", "-U0"], cwd=book, capture_output=True, text=True).stdout
    return [x for x in diff.splitlines() if x[:1] in "+-" and x[:3] not in ("+++", "---")]


def _json(cli, *args, **kw):
    r = cli(*args, "--format", "json", **kw)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# -- resources -------------------------------------------------------------------------

def test_resource_add_with_link_and_note(cli):
    r = cli("resource", "add", "VAT guide", "--type", "guide", "--category", "taxes",
            "--link", "https://vat.example.test/guide", "--note", "Read before filing.")
    assert r.exit_code == 0, r.output
    assert (cli.book / "resources.yaml").read_text().endswith(
        "- id: vat-guide\n  name: VAT guide\n  type: guide\n  category: taxes\n"
        "  link: https://vat.example.test/guide\n  notes: Read before filing.\n")
    r = cli("resource", "add", "Bad", "--link", "vat.example.test")
    assert r.exit_code == 2 and "--link: 'vat.example.test' is not a URL" in r.stderr


def test_resource_todo_appends_and_done_ticks_one_line(cli):
    _git(cli.book)
    r = cli("resource", "done", "quarterly-tax-checklist", "2")
    assert r.exit_code == 0, r.output
    assert r.stdout == "done: to-do 2 of resource 'quarterly-tax-checklist': File VAT return\n"
    assert _changed_lines(cli.book) == ["-    done: false", "+    done: true"]
    r = cli("resource", "done", "quarterly-tax-checklist", "2")
    assert "already done" in r.stdout
    r = cli("resource", "todo", "pricing-guide", "Raise rates in January")
    assert r.stdout == "added to-do 1 to resource 'pricing-guide': Raise rates in January\n"
    r = cli("resource", "todo", "pricing-guide")
    assert r.stdout == "  1. [ ] Raise rates in January\n"
    rows = {x["id"]: x for x in _json(cli, "resource", "list")}
    assert rows["pricing-guide"]["open_todos"] == 1 and rows["quarterly-tax-checklist"]["open_todos"] == 1
    r = cli("resource", "done", "quarterly-tax-checklist", "2", "--undo")
    assert r.stdout.startswith("reopened: to-do 2")
    assert "  todo 2      [ ] File VAT return\n" in cli("resource", "show", "quarterly-tax-checklist").stdout


def test_resource_done_out_of_range_and_typo(cli):
    r = cli("resource", "done", "quarterly-tax-checklist", "7")
    assert r.exit_code == 2 and "has no to-do 7; it has 3 (1 to 3)" in r.stderr
    r = cli("resource", "done", "pricing-guide", "1")
    assert r.exit_code == 2 and "it has none" in r.stderr
    r = cli("resource", "todo", "pricing-gide", "x")
    assert r.exit_code == 2 and "did you mean 'pricing-guide'" in r.stderr


def test_resource_list_filters(cli):
    r = cli("resource", "list", "--type", "tip", "--category", "budgeting", "--format", "csv")
    assert r.stdout.splitlines() == ["id,name,type,category,open_todos",
                                     "invoice-reminder-tip,Polite payment reminders,tip,budgeting,0"]
    assert [x["id"] for x in _json(cli, "resource", "list", "--type", "guide")] == ["pricing-guide"]


# -- goals -----------------------------------------------------------------------------------

def test_goal_add_and_progress_set_and_add(cli):
    r = cli("goal", "add", "Emergency fund 2", "--category", "wealth", "--target", "10000", "--actual", "2500",
            "--unit", "USD", "--by", "2027-06-30", "--id", "ef2")
    assert r.exit_code == 0, r.output
    g = _json(cli, "goal", "show", "ef2")
    assert (g["target"], g["actual"], g["start"], g["target_date"]) == ("10000", "2500", "2026-11-25", "2027-06-30")
    assert g["completion_pct"] == "25.0" and g["expected_pct"] == "0.0" and g["on_track"] is True
    r = cli("goal", "progress", "ef2", "3000")
    assert r.exit_code == 0 and r.stdout.startswith("goal 'ef2': actual 3000 USD, 30.0% done")
    r = cli("goal", "progress", "ef2", "--add", "500.50")
    assert r.stdout.startswith("goal 'ef2': actual 3500.50 USD, 35.0% done")
    assert "  actual: 3500.50\n" in (cli.book / "goals.yaml").read_text()
    assert cli("goal", "progress", "ef2").exit_code == 2
    assert cli("goal", "progress", "ef2", "1", "--add", "1").exit_code == 2
    r = cli("goal", "progress", "ef2", "lots")
    assert r.exit_code == 2 and "VALUE: expected a number" in r.stderr


@pytest.mark.parametrize("today, actual, expected_pct, on_track", [
    ("2026-01-01", "0", "0.0", True),          # nothing is expected on day one
    ("2026-07-02", "50", "50.0", True),        # half the time, half done: on track
    ("2026-07-02", "49", "50.0", False),       # a little short: behind
    ("2027-03-01", "99", "100.0", False),      # the date has passed and it is not done
    ("2027-03-01", "100", "100.0", True),
])
def test_goal_on_track_by_elapsed_time(cli, today, actual, expected_pct, on_track):
    assert cli("goal", "add", "Read books", "--category", "health", "--target", "100", "--actual", actual,
               "--start", "2026-01-01", "--by", "2026-12-31", "--id", "books").exit_code == 0
    g = _json(cli, "goal", "show", "books", today=today)
    assert g["expected_pct"] == expected_pct and g["on_track"] is on_track
    assert g["completion_pct"] == f"{actual}.0"


def test_goal_over_target_shows_overrun(cli):
    assert cli("goal", "add", "Ship", "--target", "4", "--actual", "5", "--by", "2026-12-31", "--id", "ship").exit_code == 0
    assert "completion_pct  125.0% over" in cli("goal", "show", "ship").stdout


def test_measured_goals_compute_actual_from_transactions(cli):
    # received income and paid expenses of 2026 in the demo book, summed from the files
    txs = _json(cli, "income", "list", "--period", "2026") + _json(cli, "expense", "list", "--period", "2026")
    from decimal import Decimal
    inc = sum(Decimal(t["amount"]) for t in txs if t["kind"] == "income" and t["received"] and t["currency"] == "USD")
    exp = sum(Decimal(t["amount"]) for t in txs if t["kind"] == "expense" and t["received"] and t["currency"] == "USD")
    assert cli("goal", "add", "Income 2026", "--category", "wealth", "--target", "80000", "--unit", "USD",
               "--measure", "income", "--period", "2026", "--id", "inc").exit_code == 0
    goals = {g["id"]: g for g in _json(cli, "goal", "list")}
    assert Decimal(goals["inc"]["actual"]) == inc
    assert Decimal(goals["savings-2026"]["actual"]) == inc - exp
    assert goals["savings-2026"]["actual"] == "22033.21"
    r = cli("goal", "progress", "inc", "5")
    assert r.exit_code == 2 and "measured from the books (measure: income)" in r.stderr
    # a new received income moves the measured goal
    assert cli("income", "add", "1000.25", "--classification", "other", "--received", "--date", "2026-11-20").exit_code == 0
    goals = {g["id"]: g for g in _json(cli, "goal", "list")}
    assert Decimal(goals["inc"]["actual"]) == inc + Decimal("1000.25")


# -- meetings ------------------------------------------------------------------------------

def test_meeting_add_full_example(cli):
    r = cli("meeting", "add", "Kick-off", "--at", "2026-12-01 10:00", "--duration", "45m", "--with", "acme",
            "--with", "sam-sample", "--medium", "google-meet", "--link", "https://meet.example.test/abc",
            "--agenda", "scope, timeline", "--doc", "contracts/acme.pdf", "--priority", "high", "--id", "m-kick")
    assert r.exit_code == 0, r.output
    text = (cli.book / "meetings" / "2026.yaml").read_text()
    assert text.endswith("- id: m-kick\n  title: Kick-off\n  start: 2026-12-01 10:00\n  duration: 45m\n"
                         "  attendees:\n  - acme\n  - sam-sample\n  medium: google-meet\n"
                         "  link: https://meet.example.test/abc\n  agenda: scope, timeline\n"
                         "  documents:\n  - contracts/acme.pdf\n  priority: high\n")
    m = _json(cli, "meeting", "show", "m-kick")
    assert m["end_time"] == "2026-12-01 10:45"
    # the new meeting overlaps the Stark proposal at 10:00: a warning, not an error
    v = cli("validate")
    assert v.exit_code == 0 and "warning: meeting 'm-kick': overlaps meeting m-20261201-1d87ce" in v.stdout


def test_meeting_attendee_typo_and_bad_values(cli):
    r = cli("meeting", "add", "X", "--at", "2026-12-01 12:00", "--with", "acme", "--with", "sam-smaple")
    assert r.exit_code == 2
    assert r.stderr == "freelance: error: --with: no client or contact 'sam-smaple' (did you mean 'sam-sample'?)\n"
    r = cli("meeting", "add", "X", "--at", "2026-12-01 12:00", "--medium", "zom")
    assert r.exit_code == 2 and "(did you mean 'zoom'?)" in r.stderr
    r = cli("meeting", "add", "X", "--at", "2026-12-01 12:00", "--duration", "soon")
    assert r.exit_code == 2 and "expected a duration with its unit like 45m" in r.stderr
    r = cli("meeting", "add", "X", "--at", "someday at noon")
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_meeting_list_by_dates_and_attendee(cli):
    rows = _json(cli, "meeting", "list", "--from", "2026-12-01", "--to", "2026-12-10")
    assert [m["title"] for m in rows] == ["Contract review with Sam", "Globex handover", "Stark Studio proposal"]
    rows = _json(cli, "meeting", "list", "--with", "acme")
    assert [m["start"] for m in rows] == ["2026-12-15 17:00", "2026-11-27 15:00", "2026-10-21 14:00", "2026-09-02 10:00"]
    rows = _json(cli, "meeting", "list", "--with", "acme", "--from", "today")
    assert len(rows) == 2
    rows = _json(cli, "meeting", "list", "--medium", "phone", "--priority", "medium")
    assert [m["id"] for m in rows] == ["m-20261208-7cf207", "m-20261103-f4998d"]


def test_client_show_lists_its_meetings(cli):
    out = cli("client", "show", "acme").stdout
    assert "  meeting  past      2026-09-02 10:00  Acme website kick-off  (m-20260902-a268aa)\n" in out
    assert "  meeting  upcoming  2026-12-15 17:00  Acme launch  (m-20261215-fe3bfa)\n" in out


def test_every_new_verb_has_help_with_an_example(cli):
    for args in (("resource", "todo"), ("resource", "done"), ("goal", "progress"), ("contact", "import"),
                 ("contact", "export"), ("calendar",), ("calendar", "export")):
        r = cli(*args, "--help")
        assert r.exit_code == 0 and "Example: freelance " + " ".join(args[:1]) in r.stdout, args
