"""Balance assertions and reconciliation: `validate` reports an account whose balance at the
end of a day differs from what the statement says, `report finance` shows the day each
account is reconciled through, and the ledger exports carry the assertions so that
`hledger check` and `bean-check` agree with validate."""
import json
import shutil
import subprocess

import pytest

from conftest import prepared, run_cli

TODAY = "2026-11-30"
needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed")
needs_bean = pytest.mark.skipif(shutil.which("bean-check") is None, reason="beancount not installed")


def ok(r):
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture
def acc(tmp_path):
    """A EUR book: 100.00 opening, 4,250.00 in, 49.90 out, 200.00 to cash on the last day (made
    by the CLI once per worker, a copy for each test: conftest.prepared)."""
    book = prepared("reconcile", _make_book, tmp_path / "empty")

    def run(*args, today=TODAY):
        return run_cli(*args, books=book, today=today)
    run.book = book
    return run


def _make_book(root):
    ok(run_cli("init", root, "--no-git", today=None))
    for args in (("settings", "set", "currency", "EUR"), ("account", "edit", "bank", "--opening-balance", "100"),
                 ("income", "add", "4250", "--classification", "other", "--received", "--date", "2026-11-02"),
                 ("expense", "add", "49.90", "--category", "software", "--paid", "--date", "2026-11-30"),
                 ("income", "add", "999", "--classification", "other", "--date", "2026-11-30"),   # expected: not counted
                 ("transfer", "add", "200", "--from", "bank", "--to", "cash", "--date", "2026-11-30")):
        ok(run_cli(*args, books=root, today=TODAY))


def test_an_assertion_that_holds_validates_and_reconciles(acc):
    ok(acc("account", "assert", "bank", "4350", "--on", "2026-11-29"))        # before the last day's moves
    ok(acc("account", "assert", "bank", "4100.10", "--on", "2026-11-30"))     # at the end of the day
    assert ok(acc("validate")).output.startswith("ok")
    f = json.loads(ok(acc("report", "finance", "--format", "json")).stdout)
    text = json.dumps(f)
    assert '"reconciled_through": "2026-11-30"' in text
    table = ok(acc("report", "finance")).stdout
    bank = next(line for line in table.splitlines() if line.startswith("bank "))
    assert bank.rstrip().endswith("2026-11-30")


def test_validate_reports_the_difference_with_the_exact_message(acc):
    ok(acc("account", "assert", "bank", "4140.10", "--on", "2026-11-30"))
    r = acc("validate")
    assert r.exit_code == 1
    assert ("balances.yaml:5: error: balance 'b-20261130-" in r.stdout)
    assert r.stdout.rstrip().endswith(
        "bank on 2026-11-30: the book says 4,100.10 EUR, the statement 4,140.10 EUR: 40.00 EUR missing")
    ok(acc("account", "assert", "bank", "4000", "--on", "2026-11-29"))
    r = acc("validate")
    assert "bank on 2026-11-29: the book says 4,350.00 EUR, the statement 4,000.00 EUR: 350.00 EUR too much" in r.stdout
    # the latest assertion that holds: none
    f = json.dumps(json.loads(ok(acc("report", "finance", "--format", "json")).stdout))
    assert '"reconciled_through": null' in f


def test_reconciled_through_is_the_latest_that_holds(acc):
    ok(acc("account", "assert", "bank", "4350", "--on", "2026-11-10"))
    ok(acc("account", "assert", "bank", "1", "--on", "2026-11-30"))        # off
    rows = json.loads(ok(acc("account", "list", "--format", "json")).stdout)
    assert {r["id"]: r["reconciled_through"] for r in rows} == {"bank": "2026-11-10", "cash": None}


def test_balance_noun_lists_and_removes_assertions(acc):
    ok(acc("balance", "add", "bank", "--date", "2026-11-30", "--amount", "5", "--source", "nov.csv"))
    rows = json.loads(ok(acc("balance", "list", "--format", "json")).stdout)
    assert [(r["account"], r["date"], r["amount"], r["currency"], r["source"]) for r in rows] == [
        ("bank", "2026-11-30", "5", "EUR", "nov.csv")]
    assert acc("validate").exit_code == 1
    ok(acc("balance", "rm", rows[0]["id"]))
    assert ok(acc("validate")).exit_code == 0
    r = acc("balance", "add", "savings", "--date", "2026-11-30", "--amount", "5")
    assert r.exit_code == 2 and "'savings' is not one of bank, cash" in r.stderr


def _export(acc, tmp_path, fmt):
    r = ok(acc("export", fmt))
    path = tmp_path / ("book.journal" if fmt == "hledger" else "book.beancount")
    path.write_text(r.stdout)
    return r.stdout, path


@needs_hledger
def test_hledger_checks_the_assertion_and_bal_equals_it(acc, tmp_path):
    ok(acc("account", "assert", "bank", "4350", "--on", "2026-11-29"))
    ok(acc("account", "assert", "bank", "4100.10", "--on", "2026-11-30"))
    text, path = _export(acc, tmp_path, "hledger")
    assert "    assets:bank  0 EUR = 4100.10 EUR\n" in text
    subprocess.run(["hledger", "check", "-f", str(path)], check=True, capture_output=True)
    p = subprocess.run(["hledger", "bal", "-f", str(path), "-N", "--flat", "-O", "csv", "assets:bank"],
                       capture_output=True, text=True, check=True)
    assert p.stdout.splitlines()[1] == '"assets:bank","4100.10 EUR"'


@needs_hledger
def test_hledger_check_fails_on_a_book_that_is_off(acc, tmp_path):
    ok(acc("account", "assert", "bank", "4140.10", "--on", "2026-11-30"))
    _, path = _export(acc, tmp_path, "hledger")
    p = subprocess.run(["hledger", "check", "-f", str(path)], capture_output=True, text=True)
    assert p.returncode != 0
    assert "balance assertion" in p.stderr and "4140.10" in p.stderr and "difference: 40.00" in p.stderr


@needs_bean
def test_bean_check_passes_a_reconciled_book_with_the_balance_on_the_next_day(acc, tmp_path):
    ok(acc("account", "assert", "bank", "4100.10", "--on", "2026-11-30"))
    text, path = _export(acc, tmp_path, "beancount")
    assert "2026-12-01 balance Assets:Bank  4100.10 EUR\n" in text
    subprocess.run(["bean-check", str(path)], check=True, capture_output=True)


@needs_bean
def test_bean_check_fails_on_a_book_that_is_off(acc, tmp_path):
    ok(acc("account", "assert", "bank", "4140.10", "--on", "2026-11-30"))
    _, path = _export(acc, tmp_path, "beancount")
    p = subprocess.run(["bean-check", str(path)], capture_output=True, text=True)
    assert p.returncode != 0
    assert "Balance failed for 'Assets:Bank'" in p.stdout + p.stderr
    assert "40.00 too little" in p.stdout + p.stderr


def test_validate_stays_one_sweep_per_account(acc, tmp_path):
    """Many assertions on many days: the answers are the running balance at each day's end."""
    for day in range(1, 31):
        expected = "100" if day < 2 else "4350" if day < 30 else "4100.10"
        ok(acc("account", "assert", "bank", expected, "--on", f"2026-11-{day:02d}"))
    assert ok(acc("validate")).output.startswith("ok")
