"""`freelance account`: add, list, show, edit over the `accounts:` list of freelance.yaml,
with balances per currency (opening + received income - paid expenses +/- transfers)."""
import json
from decimal import Decimal

import pytest

from conftest import run_cli

TODAY = "2026-11-30"
IBAN = "GB29NWBK60161331926819"


@pytest.fixture
def acc(empty_book):
    def run(*args, today=TODAY):
        return run_cli(*args, books=empty_book, today=today)
    run.book = empty_book
    return run


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def settings_text(acc) -> str:
    return (acc.book / "freelance.yaml").read_text()


def test_account_add_writes_one_entry_with_iban_and_currency(acc):
    before = settings_text(acc)
    r = ok(acc("account", "add", "wise-eur", "--name", "Wise EUR", "--currency", "EUR",
               "--opening-balance", "1200.50", "--iban", "GB29 NWBK 6016 1331 9268 19"))
    assert r.stdout == "added account 'wise-eur'\n"
    after = settings_text(acc)
    assert "{id: wise-eur, name: Wise EUR, currency: EUR, opening_balance: 1200.50, iban: GB29NWBK60161331926819}" in after
    # only the accounts line changed
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert len(changed) == 1 and changed[0][0].startswith("accounts:")
    assert len(before.splitlines()) == len(after.splitlines())


def test_account_add_takes_the_bic_that_account_edit_takes(acc):
    ok(acc("account", "add", "wise-usd", "--currency", "USD", "--iban", "BE71 0961 2345 6769", "--bic", "TRWIBEB1XXX"))
    assert "iban: BE71096123456769, bic: TRWIBEB1XXX}" in settings_text(acc)
    shown = json.loads(ok(acc("account", "show", "wise-usd", "--format", "json")).stdout)
    assert "TRWIBEB1XXX" in json.dumps(shown)
    before = settings_text(acc)
    r = acc("account", "add", "other", "--bic", "NOT A BIC")
    assert r.exit_code == 2 and r.stderr.startswith("freelance: error: --bic: 'NOT A BIC': ")
    assert settings_text(acc) == before


def test_account_add_refusals_have_exact_messages(acc):
    before = settings_text(acc)
    r = acc("account", "add", "bank")
    assert r.exit_code == 2
    assert r.stderr == "freelance: error: account 'bank' already exists; change it with `freelance account edit bank ...`\n"
    r = acc("account", "add", "wise", "--currency", "euro")
    assert r.exit_code == 2
    assert r.stderr == "freelance: error: --currency: expected a three-letter code like USD or EUR, got 'euro'\n"
    r = acc("account", "add", "wise", "--iban", "GB29 NWBK 6016 1331 9268 18")
    assert r.exit_code == 2
    assert r.stderr.startswith("freelance: error: --iban: 'GB29 NWBK 6016 1331 9268 18': ")
    assert "Traceback" not in r.output
    r = acc("account", "add", "wise", "--opening-balance", "1.234")
    assert r.exit_code == 2 and "--opening-balance: 1.234 has more decimals than USD has" in r.stderr
    r = acc("account", "add", "no good")
    assert r.exit_code == 2 and "an account id is letters, digits" in r.stderr
    assert settings_text(acc) == before


def test_unknown_account_says_did_you_mean(acc):
    for args in (["account", "show", "bnak"], ["account", "edit", "bnak", "--name", "X"],
                 ["account", "assert", "bnak", "10", "--on", "2026-11-01"]):
        r = acc(*args)
        assert r.exit_code == 2, args
        assert r.stderr == ("freelance: error: no account 'bnak' (did you mean 'bank'?); the book's accounts: "
                            "bank, cash (add one with `freelance account add ID`)\n")


def test_balance_counts_income_expenses_and_transfers(acc):
    ok(acc("account", "edit", "bank", "--opening-balance", "100"))
    ok(acc("income", "add", "1000", "--classification", "other", "--received", "--date", "2026-11-01"))
    ok(acc("income", "add", "500", "--classification", "other", "--date", "2026-11-02"))      # expected only
    ok(acc("expense", "add", "49.90", "--category", "software", "--paid", "--date", "2026-11-03"))
    ok(acc("transfer", "add", "200", "--from", "bank", "--to", "cash", "--date", "2026-11-04"))
    rows = json.loads(ok(acc("account", "list", "--format", "json")).stdout)
    by = {r["id"]: r for r in rows}
    assert by["bank"]["balance"] == "850.10" and by["bank"]["currency"] == "USD"
    assert by["bank"]["transfers"] == "-200.00"
    assert by["bank"]["expected_balance"] == "1350.10"
    assert by["cash"]["balance"] == "200.00"
    show = json.loads(ok(acc("account", "show", "bank", "--format", "json")).stdout)
    assert show["balance"] == "850.10" and show["currency"] == "USD" and show["iban"] is None
    table = ok(acc("account", "list")).stdout
    assert "850.10 USD" in table and "200.00 USD" in table


def test_account_in_two_currencies_is_balanced_per_currency(acc):
    ok(acc("income", "add", "10", "--classification", "other", "--received", "--currency", "EUR",
           "--date", "2026-11-01"))
    ok(acc("income", "add", "20", "--classification", "other", "--received", "--date", "2026-11-01"))
    rows = [r for r in json.loads(ok(acc("account", "list", "--format", "json")).stdout) if r["id"] == "bank"]
    assert {(r["currency"], r["balance"]) for r in rows} == {("USD", "20.00"), ("EUR", "10.00")}


def test_account_edit_touches_only_its_entry_and_keeps_comments(acc):
    path = acc.book / "freelance.yaml"
    text = path.read_text().replace(
        "accounts: [{id: bank, name: Bank, opening_balance: 0}, {id: cash, name: Cash, opening_balance: 0}]",
        "# where the money is\naccounts:\n  - {id: bank, name: Bank, opening_balance: 0}   # the current account\n"
        "  - {id: cash, name: Cash, opening_balance: 0}\n")
    path.write_text(text)
    r = ok(acc("account", "edit", "bank", "--iban", "GB29 NWBK 6016 1331 9268 19", "--name", "Barclays"))
    assert r.stdout == "changed account 'bank': name, iban\n"
    after = path.read_text()
    assert after == text.replace("{id: bank, name: Bank, opening_balance: 0}",
                                 f"{{id: bank, name: Barclays, opening_balance: 0, iban: {IBAN}}}")
    r = ok(acc("account", "edit", "bank", "--unset", "iban"))
    assert path.read_text() == text.replace("name: Bank,", "name: Barclays,")
    r = ok(acc("account", "edit", "bank", "--name", "Barclays"))
    assert r.stdout == "account 'bank' unchanged: it has those values already\n"


def test_account_edit_currency_refused_while_records_are_in_another(acc):
    ok(acc("income", "add", "20", "--classification", "other", "--received", "--date", "2026-11-01"))
    before = settings_text(acc)
    r = acc("account", "edit", "bank", "--currency", "EUR")
    assert r.exit_code == 2
    assert "--currency: account 'bank' has records in another currency than EUR: income tx-" in r.stderr
    assert settings_text(acc) == before
    ok(acc("account", "edit", "cash", "--currency", "EUR"))     # nothing in it yet
    assert "{id: cash, name: Cash, opening_balance: 0, currency: EUR}" in settings_text(acc)
    r = acc("account", "edit", "bank", "--iban", "nope")
    assert r.exit_code == 2 and r.stderr.startswith("freelance: error: --iban: 'nope': ")


def test_settings_add_accounts_still_works(acc):
    r = ok(acc("settings", "add", "accounts", "savings", "--opening-balance", "10", "--currency", "USD"))
    assert r.stdout == "added 'savings' to accounts\n"
    rows = json.loads(ok(acc("account", "list", "--format", "json")).stdout)
    assert [r["id"] for r in rows] == ["bank", "cash", "savings"]
    assert rows[2]["balance"] == "10.00" and rows[2]["holds"] == "USD"


def test_account_show_lists_assertions_and_reconciled_date(acc):
    ok(acc("income", "add", "1000", "--classification", "other", "--received", "--date", "2026-11-01"))
    r = ok(acc("account", "assert", "bank", "1000", "--on", "2026-11-10", "--source", "nov.csv"))
    assert r.stdout.endswith("the book agrees\n")
    r = ok(acc("account", "assert", "bank", "1040", "--on", "2026-11-20"))
    assert "the book says 1,000.00 USD: 40.00 missing" in r.stdout
    show = json.loads(ok(acc("account", "show", "bank", "--format", "json")).stdout)
    assert show["reconciled_through"] == "2026-11-10"
    assert [(a["date"], a["amount"], a["book"], a["difference"], a["holds"], a["source"]) for a in show["assertions"]] == [
        ("2026-11-10", "1000", "1000.00", "0.00", True, "nov.csv"), ("2026-11-20", "1040", "1000.00", "40.00", False, None)]
    text = ok(acc("account", "show", "bank")).stdout
    assert "reconciled  2026-11-10" in text and "balance assertions:" in text and "nov.csv" in text


def test_account_assert_takes_a_negative_balance(acc):
    ok(acc("expense", "add", "30", "--category", "other", "--paid", "--date", "2026-11-01"))
    r = ok(acc("account", "assert", "bank", "-30", "--on", "2026-11-01"))
    assert "the book agrees" in r.stdout
    assert "amount: -30\n" in (acc.book / "balances.yaml").read_text()
    ok(acc("validate"))


def test_account_help_has_examples():
    for verb in ("add", "list", "show", "edit", "assert"):
        r = run_cli("account", verb, "--help", today=None)
        assert r.exit_code == 0 and "Example: freelance account" in r.stdout, verb
