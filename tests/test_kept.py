"""Answers kept between runs (read/kept.py, docs/performance.md): a report or a board asked again
of a book that did not change is read from the cache, not computed; any change that could alter
it computes it again. Each test compares with the plain path (--no-cache)."""
import datetime as dt

import pytest
from conftest import TODAY, run_cli

from freelance.read import reports
from freelance.read.reports import Options
from freelance.store.book import Book
from freelance.store.cache import ParseCache

DAY = dt.date.fromisoformat(TODAY)
VIEWS = [("report", "summary"), ("report", "finance"), ("report", "invoices"), ("client", "board"),
         ("invoice", "board")]


def same_as_plain(book, *argv, today=TODAY):
    """The command's output with the caches, and without: they must be equal."""
    got = run_cli(*argv, books=book, today=today)
    plain = run_cli("--no-cache", *argv, books=book, today=today)
    assert (got.exit_code, got.stdout, got.stderr) == (plain.exit_code, plain.stdout, plain.stderr), argv
    return got


def answered_from_cache(root, name="summary", today=DAY, **opts) -> bool:
    """`report NAME` answered without loading a single record."""
    book = Book(root, today)
    reports.build(name, book, Options(today=today, **opts))
    return book._records == {} and book.files == {}


@pytest.mark.parametrize("argv", VIEWS, ids=" ".join)
def test_a_view_asked_again_is_read_not_computed_and_says_the_same(cli, argv):
    for fmt in ("table", "json"):
        first = same_as_plain(cli.book, *argv, "--format", fmt)
        again = same_as_plain(cli.book, *argv, "--format", fmt)
        assert first.stdout == again.stdout != ""
    name = f"report-{argv[1]}" if argv[0] == "report" else f"board-{argv[0]}"
    assert ParseCache(cli.book)._result(name).is_file()


# Lists (with their common options) and search keep their drawn text (cli/common.kept_text).
LISTS = [("income", "list"), ("expense", "list", "--category", "software", "--sort", "-amount"),
         ("client", "list", "--sort", "-name"), ("invoice", "list", "--status", "sent"),
         ("time", "list", "--unbilled"), ("account", "list"), ("search", "acme")]


def kept_entry(book, name):
    """(inode, mtime) of the kept answer `name`: a run that computes it again replaces the file."""
    st = ParseCache(book)._result(name).stat()
    return st.st_ino, st.st_mtime_ns


@pytest.mark.parametrize("argv", LISTS, ids=" ".join)
def test_a_list_or_search_asked_again_is_read_not_computed(cli, argv):
    name = "search" if argv[0] == "search" else f"list-{argv[0]}"
    for fmt in ("table", "json"):
        first = same_as_plain(cli.book, *argv, "--format", fmt)
        entry = kept_entry(cli.book, name)
        again = same_as_plain(cli.book, *argv, "--format", fmt)
        assert first.stdout == again.stdout != "" and first.exit_code == 0
        assert kept_entry(cli.book, name) == entry          # read, not computed and stored again


def test_lists_and_search_follow_writes_and_days(cli):
    invoices = same_as_plain(cli.book, "invoice", "list").stdout
    found = same_as_plain(cli.book, "search", "zebra", "--format", "json").stdout
    assert run_cli("invoice", "move", "INV-2026-001", "sent", books=cli.book).exit_code == 0
    assert same_as_plain(cli.book, "invoice", "list").stdout != invoices
    expenses = same_as_plain(cli.book, "expense", "list").stdout
    accounts = same_as_plain(cli.book, "account", "list").stdout
    assert run_cli("expense", "add", "49.90", "--category", "software", "--date", "2026-11-20", "--paid",
                   "--description", "Zebra licence", books=cli.book).exit_code == 0
    assert same_as_plain(cli.book, "search", "zebra", "--format", "json").stdout != found
    assert same_as_plain(cli.book, "expense", "list").stdout != expenses
    assert same_as_plain(cli.book, "account", "list").stdout != accounts
    same_as_plain(cli.book, "invoice", "list", today="2027-03-01")          # another day: overdue moves
    for _ in range(2):      # a misspelt filter is refused every time (nothing kept for it)
        r = same_as_plain(cli.book, "invoice", "list", "--status", "snet")
        assert r.exit_code == 2


def test_a_write_another_day_or_other_options_compute_it_again(cli):
    before = same_as_plain(cli.book, "report", "summary").stdout
    assert answered_from_cache(cli.book)
    assert not answered_from_cache(cli.book, today=dt.date(2026, 12, 31))   # another day
    assert not answered_from_cache(cli.book, client="acme")                 # other options
    assert run_cli("invoice", "move", "INV-2026-001", "sent", books=cli.book).exit_code == 0
    assert not answered_from_cache(cli.book)
    after = same_as_plain(cli.book, "report", "summary").stdout
    assert after != before
    board = same_as_plain(cli.book, "invoice", "board").stdout
    assert run_cli("expense", "add", "49.90", "--category", "software", "--date", "2026-11-20",
                   books=cli.book).exit_code == 0
    same_as_plain(cli.book, "report", "finance")
    assert same_as_plain(cli.book, "invoice", "board").stdout == board      # expenses are not on it
    (cli.book / "transactions" / "2019.yaml").write_text(
        "- id: tx-20190302-aaaaaa\n  date: 2019-03-02\n  kind: expense\n  amount: 4\n  category: software\n")
    assert not answered_from_cache(cli.book)                                # a new shard
    same_as_plain(cli.book, "report", "finance")


def test_a_book_with_problems_is_read_every_time(cli):
    with open(cli.book / "clients.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: broken-one\n  name: Broken One\n  stage: lead\n  stage: client\n")
    for _ in range(2):
        r = same_as_plain(cli.book, "report", "summary")
        assert r.exit_code == 1 and "duplicate key" in r.stderr
        r = same_as_plain(cli.book, "client", "board")
        assert r.exit_code == 1 and "duplicate key" in r.stderr
    assert not answered_from_cache(cli.book)


def test_a_report_asked_again_is_answered_before_the_reports_are_imported(demo):
    """The drawn text of a report asked again is found before the graph and the report's modules
    are imported (cli/report.py, read/report_options.py): a warm view's start-up is the command's.
    A real process, with -X importtime (the fork server would have imported them already)."""
    import os
    import subprocess
    import sys
    from conftest import ROOT
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}, "PYTHONPATH": str(ROOT)}

    def run(*argv):
        return subprocess.run([sys.executable, "-X", "importtime", "-m", "freelance", "--books", str(demo),
                               "--today", TODAY, *argv], env=env, capture_output=True, text=True, timeout=60)
    for argv in (("report", "finance", "--basis", "accrual"), ("report", "summary", "--format", "json")):
        first, again = run(*argv), run(*argv)
        assert first.returncode == again.returncode == 0 and first.stdout == again.stdout != ""
        assert "freelance.read.graph" in first.stderr and "freelance.read.graph" not in again.stderr
    refused = run("report", "goals", "--basis", "accrual")      # still refused: never drawn, never kept
    assert refused.returncode == 2 and "--basis: report goals does not count revenue" in refused.stderr
