"""Small things a user notices (issue 13): durations, windows a report ignored, a made-up owner,
a measured goal's start, what `income add` and `edit` say, a header naming a missing command,
a help text, list order and `--search`."""
import json

import pytest

from conftest import run_cli


def snapshot(book):
    return {p: p.read_bytes() for p in book.rglob("*.yaml")}


# -- durations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, message", [
    ("1", "expected a duration with its unit like 45m, 1h30m, 1.5h or 1:30, got '1'"),
    ("90", "expected a duration with its unit like 45m, 1h30m, 1.5h or 1:30, got '90'"),
    ("0m", "a duration of zero ('0m') is not a meeting"), ("0h", "a duration of zero ('0h') is not a meeting"),
    ("0:00", "a duration of zero ('0:00') is not a meeting"), ("1.01h", "expected a duration with its unit like 45m, 1h30m, 1.5h or 1:30, got '1.01h'")])
def test_a_meeting_duration_needs_a_unit_and_is_not_zero(cli, typed, message):
    before = snapshot(cli.book)
    r = cli("meeting", "add", "Call", "--at", "2026-12-01 10:00", "--duration", typed)
    assert r.exit_code == 2
    assert r.stderr == f"freelance: error: --duration: {message}\n"
    assert snapshot(cli.book) == before


@pytest.mark.parametrize("typed, stored", [("45m", "45m"), ("1h30m", "1h30m"), ("1.5h", "1h30m"), ("1:30", "1h30m"),
                                           ("0.25h", "15m"), ("2h", "2h"), ("120m", "2h")])
def test_a_duration_is_written_in_one_form(cli, typed, stored):
    r = cli("meeting", "add", "Call", "--at", "2026-12-01 10:00", "--duration", typed)
    assert r.exit_code == 0, r.output
    assert f"  start: 2026-12-01 10:00\n  duration: {stored}\n" in (cli.book / "meetings" / "2026.yaml").read_text()


def test_a_bare_or_zero_duration_in_a_file_is_a_validate_error(cli):
    with open(cli.book / "meetings" / "2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: m-hand-1\n  title: A\n  start: 2026-12-02 10:00\n  duration: 90\n"
                 "- id: m-hand-2\n  title: B\n  start: 2026-12-03 10:00\n  duration: 0m\n")
    out = cli("validate").stdout
    assert "meeting 'm-hand-1': expected a duration with its unit like 45m" in out
    assert "meeting 'm-hand-2': a duration of zero ('0m') is not a meeting" in out


# -- report summary and digest do not ignore a window ------------------------------------------

@pytest.mark.parametrize("report", ["summary", "digest"])
@pytest.mark.parametrize("window", [("--period", "2026-Q4"), ("--from", "2026-10-01"), ("--to", "2026-10-31")])
def test_summary_and_digest_refuse_a_window_they_would_ignore(cli, report, window):
    r = cli("report", report, *window)
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.startswith(f"freelance: error: {window[0]}: report {report} shows the book as it stands on one "
                               "day and takes no --period, --from or --to; for another day use "
                               f"`freelance --today DATE report {report}`")


def test_reports_over_a_window_still_take_it(cli):
    assert cli("report", "finance", "--period", "2026-Q4").exit_code == 0
    assert cli("report", "summary", "--client", "acme").exit_code == 0


# -- init does not make up an owner ------------------------------------------------------------

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


# -- a measured goal over a period -------------------------------------------------------------

def test_a_measured_goal_with_a_period_starts_at_the_periods_start(cli):
    r = cli("goal", "add", "Q4 income", "--measure", "income", "--period", "2026-Q4", "--target", "30000")
    assert r.exit_code == 0, r.output
    g = json.loads(cli("goal", "show", "q4-income", "--format", "json").stdout)
    assert (g["start"], g["target_date"]) == ("2026-10-01", "2026-12-31")
    assert g["expected_pct"] == "60.4"     # 55 of the quarter's 91 days have passed on 25 November


def test_a_goal_period_keeps_dates_given_and_must_read(cli):
    r = cli("goal", "add", "Year", "--measure", "savings", "--period", "2026", "--start", "2026-03-01",
            "--by", "2026-11-30")
    assert r.exit_code == 0
    g = json.loads(cli("goal", "show", "year", "--format", "json").stdout)
    assert (g["start"], g["target_date"]) == ("2026-03-01", "2026-11-30")
    r = cli("goal", "add", "Bad", "--measure", "income", "--period", "Q4")
    assert r.exit_code == 2 and "--period: expected a period like 2026, 2026-Q4 or 2026-11" in r.stderr


# -- what income add and edit say --------------------------------------------------------------

def test_income_added_without_received_says_it_is_expected_and_how_to_mark_it(cli):
    r = cli("income", "add", "500", "--client", "acme")
    assert r.exit_code == 0
    rid = r.stdout.splitlines()[0].split("'")[1]
    assert r.stdout.splitlines()[1] == (f"income '{rid}' is expected, not received: it is not in the bank "
                                        f"balance until `freelance income edit {rid} --received`")
    r = cli("income", "add", "500", "--client", "acme", "--received")
    assert len(r.stdout.splitlines()) == 1 and "expected" not in r.stdout


def test_changed_is_printed_only_for_what_changed(cli):
    before = snapshot(cli.book)
    r = cli("client", "edit", "acme", "--stage", "client", "--contract-value", "24000.00")
    assert r.exit_code == 0
    assert r.stdout == "client 'acme' unchanged: it has those values already\n"
    assert snapshot(cli.book) == before
    r = cli("client", "edit", "acme", "--stage", "client", "--email", "ann@acme.example")
    assert r.stdout == "changed client 'acme': email\n"


# -- what a new book's files and the help name -------------------------------------------------

def test_every_file_header_of_a_new_book_names_a_command_that_exists(empty_book):
    import re
    headers = {p.relative_to(empty_book): p.read_text().splitlines()[0] for p in empty_book.rglob("*.yaml")
               if p.name != "freelance.yaml"}
    assert any("`freelance project log --help`" in h for h in headers.values())
    for rel, header in headers.items():
        named = re.search(r"`freelance ([a-z ]+) --help`", header)
        assert named, (rel, header)
        r = run_cli(*named.group(1).split(), "--help", books=empty_book)
        assert r.exit_code == 0, (rel, header, r.output)


def test_expense_project_help_does_not_say_client_income():
    r = run_cli("expense", "add", "--help", today=None)
    line = next(x for x in r.stdout.splitlines() if "--project" in x)
    assert "client income" not in line and "cost of this project" in line
    assert "(client income)" in next(x for x in run_cli("income", "add", "--help", today=None).stdout.splitlines()
                                     if "--project" in x)


# -- list order and --search -------------------------------------------------------------------

def test_income_expense_and_meeting_lists_come_by_date(cli):
    with open(cli.book / "transactions" / "2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: tx-early\n  date: 2026-01-02\n  kind: income\n  amount: 1\n  classification: other\n"
                 "  account: bank\n  received: true\n"
                 "- id: tx-early-x\n  date: 2026-01-03\n  kind: expense\n  amount: 1\n  category: other\n"
                 "  account: bank\n  received: true\n")
    with open(cli.book / "meetings" / "2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: m-early\n  title: Early\n  start: 2026-01-05 09:00\n  duration: 30m\n")
    for noun, early in (("income", "tx-early"), ("expense", "tx-early-x"), ("meeting", "m-early")):
        rows = json.loads(cli(noun, "list", "--format", "json").stdout)
        field = "start" if noun == "meeting" else "date"
        dates = [r[field] for r in rows]
        assert dates == sorted(dates), noun
        assert [r["id"] for r in rows].index(early) < 3, noun      # written last, listed in its place


@pytest.mark.parametrize("noun, text, expected", [
    ("client", "HARBOR", ["blue-harbor"]),
    ("income", "reference nw-4471", ["tx-20261124-81e74e"]),
    ("expense", "figma", None),
    ("meeting", "kick-off", None),
    ("project", "dashboard", ["globex-dashboard"]),
    ("contact", "nomatch-at-all", []),
])
def test_list_search_looks_in_name_description_and_notes(cli, noun, text, expected):
    r = cli(noun, "list", "--search", text, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    if expected is not None:
        assert [x["id"] for x in rows] == expected
    else:
        assert rows
    for x in rows:
        hay = " ".join(str(x.get(k) or "") for k in ("name", "title", "description", "notes", "note")).casefold()
        assert text.casefold() in hay


def test_search_finds_notes_too(cli):
    assert cli("client", "edit", "globex", "--notes", "Prefers invoices in PDF/A").exit_code == 0
    rows = json.loads(cli("client", "list", "--search", "pdf/a", "--format", "json").stdout)
    assert [x["id"] for x in rows] == ["globex"]
