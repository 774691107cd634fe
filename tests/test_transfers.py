"""Transfers between own accounts: a record kind of its own (`freelance transfer`), in balances,
`report finance` and the exports, never income or expense."""
import json
import shutil
import subprocess

import pytest

from conftest import run_cli

TODAY = "2026-11-30"
needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed")
needs_bean = pytest.mark.skipif(shutil.which("bean-check") is None, reason="beancount not installed")


@pytest.fixture
def acc(empty_book):
    def run(*args, today=TODAY):
        return run_cli(*args, books=empty_book, today=today)
    run.book = empty_book
    r = run("account", "add", "wise-eur", "--currency", "EUR")
    assert r.exit_code == 0, r.output
    r = run("income", "add", "1000", "--classification", "other", "--received", "--date", "2026-11-01")
    assert r.exit_code == 0, r.output
    return run


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def test_transfer_add_writes_its_year_shard(acc):
    r = ok(acc("transfer", "add", "200", "--from", "bank", "--to", "cash", "--date", "2026-11-04",
               "--description", "Float for the trip"))
    assert r.stdout.startswith("added transfer 'tr-20261104-")
    text = (acc.book / "transfers" / "2026.yaml").read_text()
    assert "  amount: 200\n  from_account: bank\n  to_account: cash\n  description: Float for the trip\n" in text
    rows = json.loads(ok(acc("transfer", "list", "--format", "json")).stdout)
    assert [(r["amount"], r["from_account"], r["to_account"], r["currency"]) for r in rows] == [
        ("200", "bank", "cash", "USD")]
    rows = json.loads(ok(acc("transfer", "list", "--from-account", "cash", "--format", "json")).stdout)
    assert rows == []


def test_transfer_refusals(acc):
    r = acc("transfer", "add", "200", "--from", "bank", "--to", "bank")
    assert r.exit_code == 2
    assert r.stderr == "freelance: error: --to: a transfer moves money between two accounts, and both are 'bank'\n"
    r = acc("transfer", "add", "200", "--from", "bank", "--to", "savings")
    assert r.exit_code == 2
    assert r.stderr.startswith("freelance: error: --to-account: 'savings' is not one of bank, cash, wise-eur") \
        or r.stderr.startswith("freelance: error: --to: 'savings' is not one of bank, cash, wise-eur"), r.stderr
    r = acc("transfer", "add", "100", "--from", "bank", "--to", "wise-eur")
    assert r.exit_code == 2
    assert r.stderr == ("freelance: error: --to-amount: account 'bank' is in USD and 'wise-eur' in EUR: give the "
                        "amount in EUR that reached 'wise-eur' (--to-amount)\n")
    r = acc("transfer", "add", "100", "--from", "bank", "--to", "cash", "--to-amount", "99")
    assert r.exit_code == 2 and "to_amount is for transfers between currencies" in r.stderr
    r = acc("transfer", "add", "100", "--from", "bank", "--to", "wise-eur", "--to-amount", "92.505")
    assert r.exit_code == 2 and "92.505 has more decimals than EUR has" in r.stderr
    r = acc("transfer", "add", "100", "--from", "wise-eur", "--to", "bank", "--currency", "USD")
    assert r.exit_code == 2 and "from account 'wise-eur', which holds EUR" in r.stderr
    assert not (acc.book / "transfers" / "2026.yaml").exists() or "amount" not in (
        acc.book / "transfers" / "2026.yaml").read_text()


def test_transfers_move_balances_but_are_not_income_or_expense(acc):
    ok(acc("transfer", "add", "200", "--from", "bank", "--to", "cash", "--date", "2026-11-04"))
    ok(acc("transfer", "add", "100", "--from", "bank", "--to", "wise-eur", "--to-amount", "92.50",
           "--date", "2026-11-05"))
    f = json.loads(ok(acc("report", "finance", "--format", "json")).stdout)
    acc_rows = {(a["account"], a["currency"]): a for a in f["sections"]["accounts"]} \
        if isinstance(f.get("sections"), dict) else None
    if acc_rows is None:    # the report's json: a list of sections
        secs = {s["name"]: s["rows"] for s in f["sections"]} if "sections" in f else f
        acc_rows = {(a["account"], a["currency"]): a for a in secs["accounts"]}
    assert acc_rows[("bank", "USD")]["balance"] == "700.00"
    assert acc_rows[("bank", "USD")]["transfers"] == "-300.00"
    assert acc_rows[("cash", "USD")]["balance"] == "200.00"
    assert acc_rows[("wise-eur", "EUR")]["balance"] == "92.50"
    months = json.dumps(f)
    assert '"income": "1000.00"' in months and '"expenses": "0.00"' in months   # the month has only the income
    table = ok(acc("report", "finance")).stdout
    bank = next(line for line in table.splitlines() if line.startswith("bank "))
    assert "-300.00" in bank.split() and "USD" in bank.split()      # the money of the table is in its cur column
    dash = ok(acc("report", "dashboard", "--format", "json")).stdout
    assert "700.00" in dash


def test_transfer_before_the_period_is_in_the_opening_balance(acc):
    ok(acc("transfer", "add", "200", "--from", "bank", "--to", "cash", "--date", "2026-11-04"))
    f = json.loads(ok(acc("report", "finance", "--from", "2026-11-10", "--format", "json")).stdout)
    r = ok(acc("report", "finance", "--from", "2026-11-10", "--format", "csv")).stdout
    rows = r.splitlines()
    assert rows[0].startswith("section,account,opening_balance,money_in,money_out,transfers,balance,")
    assert "accounts,cash,200.00,0.00,0.00,0.00,200.00," in r
    assert "accounts,bank,800.00,0.00,0.00,0.00,800.00," in r


def test_transfer_edit_and_rm(acc):
    ok(acc("transfer", "add", "200", "--from", "bank", "--to", "cash", "--date", "2026-11-04"))
    tid = json.loads(ok(acc("transfer", "list", "--format", "json")).stdout)[0]["id"]
    r = acc("transfer", "edit", tid, "--to", "bank")
    assert r.exit_code == 2 and "both are 'bank'" in r.stderr
    ok(acc("transfer", "edit", tid, "--amount", "250"))
    assert "amount: 250\n" in (acc.book / "transfers" / "2026.yaml").read_text()
    ok(acc("transfer", "rm", tid))
    assert "from_account" not in (acc.book / "transfers" / "2026.yaml").read_text()


def test_validate_reports_a_transfer_written_wrong_by_hand(acc):
    (acc.book / "transfers").mkdir(exist_ok=True)
    (acc.book / "transfers" / "2026.yaml").write_text(
        "- id: tr-20261104-aaaaaa\n  date: 2026-11-04\n  amount: 10\n  from_account: bank\n  to_account: bank\n"
        "- id: tr-20261104-bbbbbb\n  date: 2026-11-04\n  amount: 10\n  from_account: bank\n  to_account: wise-eur\n")
    r = acc("validate")
    assert r.exit_code == 1
    assert "transfers/2026.yaml:5: error: transfer 'tr-20261104-aaaaaa': a transfer moves money between two " \
           "accounts, and both are 'bank'" in r.output
    assert "transfers/2026.yaml:6: error: transfer 'tr-20261104-bbbbbb': account 'bank' is in USD and " \
           "'wise-eur' in EUR: give the amount in EUR that reached 'wise-eur' (to_amount)" in r.output


def _journal(acc, tmp_path, fmt):
    r = ok(acc("export", fmt))
    path = tmp_path / f"book.{fmt}"
    path.write_text(r.stdout)
    return r.stdout, path


@needs_hledger
def test_hledger_export_has_transfers_as_one_transaction_priced_across_currencies(acc, tmp_path):
    ok(acc("transfer", "add", "200", "--from", "bank", "--to", "cash", "--date", "2026-11-04"))
    ok(acc("transfer", "add", "100", "--from", "bank", "--to", "wise-eur", "--to-amount", "92.50",
           "--date", "2026-11-05"))
    text, path = _journal(acc, tmp_path, "hledger")
    assert "    assets:cash  200 USD\n    assets:bank  -200 USD\n" in text
    assert "    assets:wise-eur  92.50 EUR\n    assets:bank  -100 USD @@ 92.50 EUR\n" in text
    subprocess.run(["hledger", "check", "-f", str(path)], check=True, capture_output=True)
    p = subprocess.run(["hledger", "bal", "-f", str(path), "--flat", "-N", "-O", "csv", "assets"],
                       capture_output=True, text=True, check=True)
    assert '"assets:bank","700 USD"' in p.stdout.replace(".00", "")
    assert '"assets:wise-eur","92.50 EUR"' in p.stdout
    assert "income" not in p.stdout


@needs_bean
def test_beancount_export_has_transfers_and_checks(acc, tmp_path):
    ok(acc("transfer", "add", "100", "--from", "bank", "--to", "wise-eur", "--to-amount", "92.50",
           "--date", "2026-11-05"))
    text, path = _journal(acc, tmp_path, "beancount")
    assert "  Assets:Wise-eur  92.50 EUR\n  Assets:Bank  -100 USD @@ 92.50 EUR\n" in text
    subprocess.run(["bean-check", str(path)], check=True, capture_output=True)


def test_csv_and_json_exports_carry_transfers(acc):
    ok(acc("transfer", "add", "200", "--from", "bank", "--to", "cash", "--date", "2026-11-04"))
    data = json.loads(ok(acc("export", "json")).stdout)
    assert [(t["amount"], t["from_account"], t["to_account"]) for t in data["transfers"]] == [("200", "bank", "cash")]
    csv = ok(acc("export", "csv", "transfer")).stdout
    assert csv.splitlines()[0].startswith("id,kind,date,amount,from_account,to_account")
    assert ",200,bank,cash," in csv.splitlines()[1]
