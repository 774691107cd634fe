"""`freelance bank import` (issue 18): CSV rules, the import, de-duplication, balances.

Statements are made by the tests: a German bank's CSV (title line, semicolons, decimal
commas, thousands dots), a card statement with debit and credit columns and no header,
files with several accounts and currencies, duplicates, overlaps, pending then booked,
equal lines on one day. What each import adds is compared with golden files
(tests/golden/bank/, ids masked: they are random).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import check_golden, run_cli, run_proc

TODAY = "2026-11-25"
BANK_IBAN = "DE89370400440532013000"
CLIENT_IBAN = "GB33BUKB20201555555555"

SETTINGS_ACCOUNTS = (
    "accounts: [{id: bank, name: Bank, opening_balance: 1000, iban: DE89 3704 0044 0532 0130 00}, "
    "{id: cash, name: Cash, opening_balance: 0}, {id: usd, name: Dollar account, currency: USD, opening_balance: 0}]")

GIRO_RULES = """\
# Example Bank's CSV export (Kontoumsätze)
skip: 1
delimiter: ";"
encoding: cp1252
date_format: "%d.%m.%Y"
decimal_mark: ","
thousands: "."
columns:
  date: Buchungstag
  amount: Betrag
  payee: Name
  iban: IBAN
  reference: Verwendungszweck
  description: [Buchungstext]
  balance: Saldo
  currency: Währung
"""

GIRO_HEAD = "Kontoumsätze Girokonto DE89 3704 0044 0532 0130 00\nBuchungstag;Name;IBAN;Verwendungszweck;Buchungstext;Betrag;Währung;Saldo\n"
GIRO_NOV = GIRO_HEAD + (
    f"03.11.2026;ACME GmbH;{CLIENT_IBAN};INV-2026-001;Gutschrift;1.200,00;EUR;2.200,00\n"
    "04.11.2026;Café Müller;;;Kartenzahlung;-3,50;EUR;2.196,50\n"
    "04.11.2026;Café Müller;;;Kartenzahlung;-3,50;EUR;2.193,00\n"
    "10.11.2026;Hosting AG;;Rechnung 7781;Lastschrift;-24,99;EUR;2.168,01\n")
GIRO_NOV_CLOSING = "2168.01"
# the second statement overlaps the first by two days (10.11 and 04.11 lines again), adds two
GIRO_LATE_NOV = GIRO_HEAD + (
    "04.11.2026;Café Müller;;;Kartenzahlung;-3,50;EUR;2.196,50\n"
    "04.11.2026;Café Müller;;;Kartenzahlung;-3,50;EUR;2.193,00\n"
    "10.11.2026;Hosting AG;;Rechnung 7781;Lastschrift;-24,99;EUR;2.168,01\n"
    "12.11.2026;Finanzamt;;St.-Nr. 12/345;Überweisung;-1.000,00;EUR;1.168,01\n"
    "20.11.2026;Globex Ltd;;INV-2026-002;Gutschrift;2.500,50;EUR;3.668,51\n")

CARD_RULES = """\
# the card statement: no header, money out in the debit column, ids from the bank
header: false
date_format: "%Y-%m-%d"
columns:
  date: 1
  bank_id: 2
  description: [3, 4]
  debit: 5
  credit: 6
  pending: 7
pending_values: [pending]
"""


@pytest.fixture
def book(empty_book) -> Path:
    """A new book in EUR with a bank account (IBAN, opening balance 1000), cash, and a USD account."""
    s = (empty_book / "freelance.yaml").read_text(encoding="utf-8")
    s = s.replace("currency: USD", "currency: EUR")
    s = re.sub(r"^accounts: .*$", SETTINGS_ACCOUNTS, s, flags=re.M)
    (empty_book / "freelance.yaml").write_text(s, encoding="utf-8")
    (empty_book / "bank-rules").mkdir(exist_ok=True)
    return empty_book


def rules(book: Path, name: str, text: str) -> None:
    (book / "bank-rules" / f"{name}.yaml").write_text(text, encoding="utf-8")


def statement(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def fl(book: Path, *args, **kw):
    return run_cli(*args, books=book, today=TODAY, **kw)


def snapshot(book: Path) -> dict:
    """Every file of the book with its bytes' hash (the parse cache is elsewhere)."""
    return {str(p.relative_to(book)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(book.rglob("*")) if p.is_file() and ".freelance" not in p.parts}


def masked(text: str) -> str:
    """Generated ids are random: masked so a golden file compares what matters."""
    return re.sub(r"\b(tx|b)-(\d{8})-[0-9a-f]{6}\b", r"\1-\2-XXXXXX", text)


def tx_records(book: Path, year: int = 2026) -> list[dict]:
    r = fl(book, "export", "json")
    assert r.exit_code == 0, r.output
    return [t for t in json.loads(r.stdout)["transactions"] if str(t["date"]).startswith(str(year))]


def giro(book: Path, tmp_path: Path, text: str = GIRO_NOV, name: str = "2026-11.csv") -> Path:
    rules(book, "giro", GIRO_RULES)
    return statement(tmp_path, name, text, "cp1252")


# -- the import ------------------------------------------------------------------------------

def test_decimal_commas_import_adds_what_the_golden_files_show(book, tmp_path, update_goldens):
    path = giro(book, tmp_path)
    r = fl(book, "bank", "import", path, "--account", "bank")
    assert r.exit_code == 0, r.output
    check_golden("bank/giro-import.txt", masked(r.stdout), update_goldens)
    check_golden("bank/giro-transactions.yaml", masked((book / "transactions" / "2026.yaml").read_text("utf-8")),
                 update_goldens)
    check_golden("bank/giro-balances.yaml", masked((book / "balances.yaml").read_text("utf-8")), update_goldens)
    recs = tx_records(book)
    assert [(t["kind"], t["amount"], t["received"]) for t in recs] == [
        ("income", "1200.00", True), ("expense", "3.50", True), ("expense", "3.50", True), ("expense", "24.99", True)]
    assert recs[0]["payee"] == "ACME GmbH" and recs[0]["iban"] == CLIENT_IBAN and recs[0]["reference"] == "INV-2026-001"
    assert recs[1]["payee"] == "Café Müller"          # cp1252 read as such
    assert [t["review"] for t in recs] == ["no invoice or rule matches it"] + ["no rule classifies it"] * 3
    v = fl(book, "validate")
    assert v.exit_code == 0, v.output                   # lines under review are valid records


def test_reimport_adds_nothing_and_says_which_record_each_line_is(book, tmp_path):
    path = giro(book, tmp_path)
    assert fl(book, "bank", "import", path, "--account", "bank").exit_code == 0
    before = snapshot(book)
    ids = [t["id"] for t in tx_records(book)]
    r = fl(book, "bank", "import", path, "--account", "bank")
    assert r.exit_code == 0, r.output
    assert snapshot(book) == before
    skipped = [l for l in r.stdout.splitlines() if l.startswith("skipped line")]
    assert len(skipped) == 4
    # each line to its own record: the two equal coffees to two records
    named = [re.search(r"duplicate of \w+ (tx-\S+),", l).group(1) for l in skipped]
    assert named == ids
    assert "skipped line 5 (2026-11-04 -3.50 EUR Café Müller): duplicate of expense " in r.stdout
    assert r.stdout.rstrip().endswith("2026-11.csv: 0 added, 0 updated, 4 skipped as duplicates")
    assert "in the book already" in r.stdout


def test_an_overlapping_statement_adds_only_its_new_lines(book, tmp_path):
    assert fl(book, "bank", "import", giro(book, tmp_path), "--account", "bank").exit_code == 0
    later = statement(tmp_path, "late.csv", GIRO_LATE_NOV, "cp1252")
    r = fl(book, "bank", "import", later, "--account", "bank", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [(a["line"], a["payee"]) for a in out["added"]] == [(6, "Finanzamt"), (7, "Globex Ltd")]
    assert [s["line"] for s in out["skipped"]] == [3, 4, 5]
    assert {s["matched_on"] for s in out["skipped"]} == {"hash of date, amount and text"}
    assert out["balance"]["action"] == "added" and out["balance"]["amount"] == "3668.51"
    assert len(tx_records(book)) == 6
    # both statements again, in either order: nothing more
    for f in (later, tmp_path / "2026-11.csv"):
        again = json.loads(fl(book, "bank", "import", f, "--account", "bank", "--json").stdout)
        assert again["added"] == [] and again["updated"] == []
    assert len(tx_records(book)) == 6


def test_equal_lines_on_one_day_stay_two_and_a_third_is_added_later(book, tmp_path):
    rules(book, "giro", GIRO_RULES)
    two = GIRO_HEAD + "04.11.2026;Café Müller;;;Kartenzahlung;-3,50;EUR;\n" * 2
    three = GIRO_HEAD + "04.11.2026;Café Müller;;;Kartenzahlung;-3,50;EUR;\n" * 3
    r = fl(book, "bank", "import", statement(tmp_path, "a.csv", two, "cp1252"), "--account", "bank")
    assert "2 added" in r.stdout, r.output
    r = fl(book, "bank", "import", statement(tmp_path, "b.csv", three, "cp1252"), "--account", "bank")
    assert "1 added, 0 updated, 2 skipped" in r.stdout, r.output
    refs = [t["bank_ref"] for t in tx_records(book)]
    assert len(set(refs)) == 3 and all(x.startswith("h:") for x in refs)


def test_duplicates_are_only_looked_for_in_the_same_account(book, tmp_path):
    path = giro(book, tmp_path)
    assert fl(book, "bank", "import", path, "--account", "bank").exit_code == 0
    r = fl(book, "bank", "import", path, "--account", "cash")
    assert r.exit_code == 0, r.output
    assert "4 added, 0 updated, 0 skipped" in r.stdout
    assert sorted(t["account"] for t in tx_records(book)) == ["bank"] * 4 + ["cash"] * 4


def test_the_bank_id_decides_first_and_a_pending_line_comes_back_booked(book, tmp_path):
    rules(book, "card", CARD_RULES)
    first = ("2026-11-18,C-1,Bookshop,Berlin,12.00,,booked\n"
             "2026-11-20,P-9,Train ticket,DB,89.90,,pending\n"
             "2026-11-21,C-3,Refund,Shop,,15.00,booked\n")
    r = fl(book, "bank", "import", statement(tmp_path, "card1.csv", first), "--account", "cash", "--rules", "card")
    assert r.exit_code == 0, r.output
    assert "(pending)" in r.stdout
    recs = {t["bank_ref"]: t for t in tx_records(book)}
    assert recs["P-9"]["received"] is False and recs["C-1"]["description"] == "Bookshop Berlin"
    assert recs["C-3"]["kind"] == "income" and recs["C-3"]["amount"] == "15.00"
    # the next file: C-1 again with another text (matched on the bank id), the train ticket
    # booked two days later under a new id, and one new line
    second = ("2026-11-18,C-1,BOOKSHOP GMBH,Berlin,12.00,,booked\n"
              "2026-11-22,C-7,Train ticket,DB,89.90,,booked\n"
              "2026-11-23,C-8,Bakery,,4.20,,booked\n")
    before = {t["id"] for t in tx_records(book)}
    r = fl(book, "bank", "import", statement(tmp_path, "card2.csv", second), "--account", "cash", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["skipped"][0]["matched_on"] == "bank id C-1" and out["skipped"][0]["line"] == 1
    assert out["updated"] == [{"line": 2, "id": recs["P-9"]["id"], "kind": "expense",
                               "changes": {"received": True, "date": "2026-11-22", "bank_ref": "C-7"},
                               "matched_on": "pending line of the same amount and text, dated 2026-11-20"}]
    assert [a["bank_ref"] for a in out["added"]] == ["C-8"]
    after = {t["bank_ref"]: t for t in tx_records(book)}
    assert set(t["id"] for t in after.values()) == before | {out["added"][0]["id"]}
    assert after["C-7"]["received"] is True and after["C-7"]["date"] == "2026-11-22"
    # and the booked file again: nothing
    again = json.loads(fl(book, "bank", "import", tmp_path / "card2.csv", "--account", "cash", "--json").stdout)
    assert again["added"] == [] and again["updated"] == [] and len(again["skipped"]) == 3


def test_a_pending_line_seen_again_still_pending_is_a_duplicate(book, tmp_path):
    rules(book, "card", CARD_RULES)
    f = statement(tmp_path, "p.csv", "2026-11-20,P-9,Train ticket,DB,89.90,,pending\n")
    assert fl(book, "bank", "import", f, "--account", "cash").exit_code == 0
    r = fl(book, "bank", "import", f, "--account", "cash")
    assert "0 added, 0 updated, 1 skipped" in r.stdout, r.output


def test_dry_run_says_what_would_happen_and_writes_nothing(book, tmp_path):
    path = giro(book, tmp_path)
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", "bank", "--dry-run")
    assert r.exit_code == 0, r.output
    assert snapshot(book) == before
    assert r.stdout.count("would add ") == 5          # four lines and the balance
    assert r.stdout.rstrip().endswith("4 added, 0 updated, 0 skipped as duplicates (dry run: nothing written)")
    out = json.loads(fl(book, "bank", "import", path, "--account", "bank", "--dry-run", "--json").stdout)
    assert out["dry_run"] is True and len(out["added"]) == 4
    assert snapshot(book) == before


def test_hledger_balance_of_the_account_equals_the_statement_closing_balance(book, tmp_path):
    assert shutil.which("hledger"), "hledger is installed for the round trip"
    assert fl(book, "bank", "import", giro(book, tmp_path), "--account", "bank").exit_code == 0
    later = statement(tmp_path, "late.csv", GIRO_LATE_NOV, "cp1252")
    assert fl(book, "bank", "import", later, "--account", "bank").exit_code == 0
    journal = tmp_path / "book.journal"
    assert fl(book, "export", "hledger", "--out", journal).exit_code == 0
    p = subprocess.run(["hledger", "-f", str(journal), "bal", "assets:bank", "-N", "--no-elide"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert re.search(r"\b3668\.51 EUR\s+assets:bank", p.stdout), p.stdout
    balances = json.loads(fl(book, "export", "json").stdout)["balances"]
    assert [(b["date"], b["amount"]) for b in balances] == [("2026-11-10", GIRO_NOV_CLOSING), ("2026-11-20", "3668.51")]


# -- accounts, currencies, several accounts in one file ----------------------------------------

def test_an_unknown_account_is_refused_with_the_close_ones(book, tmp_path):
    path = giro(book, tmp_path)
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", "bnak")
    assert r.exit_code == 2
    assert r.stderr.strip() == ("freelance: error: --account: no account 'bnak' (did you mean 'bank'?); "
                                "the book's accounts: bank, cash, usd (add one with `freelance account add ID`)")
    assert snapshot(book) == before


def test_a_statement_in_another_currency_than_the_account_is_refused(book, tmp_path):
    path = giro(book, tmp_path)
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", "usd")
    assert r.exit_code == 2
    assert r.stderr.strip() == ("freelance: error: 2026-11.csv: the statement is in EUR, account 'usd' in USD: "
                                "import it into an account in its currency (`--account`)")
    assert snapshot(book) == before


MULTI_RULES = """\
date_format: "%Y-%m-%d"
columns: {account: Account, date: Date, amount: Amount, currency: Currency, description: Text, balance: Balance}
"""
MULTI = ("Account,Date,Amount,Currency,Text,Balance\n"
         "DE89 3704 0044 0532 0130 00,2026-11-02,100.00,EUR,Interest,1100.00\n"
         "DE02120300000000202051,2026-11-02,-5.00,EUR,Fee,95.00\n"
         "US-778,2026-11-03,40.00,USD,Dividend,40.00\n"
         "US-778,2026-11-05,-10.00,USD,Transfer fee,30.00\n")


def test_a_file_of_several_accounts_imports_the_one_whose_iban_matches(book, tmp_path):
    rules(book, "multi", MULTI_RULES)
    path = statement(tmp_path, "all.csv", MULTI)
    r = fl(book, "bank", "import", path, "--account", "bank")
    assert r.exit_code == 0, r.output
    assert [t["description"] for t in tx_records(book)] == ["Interest"]
    # the USD lines: the only statement in the account's currency
    r = fl(book, "bank", "import", path, "--account", "usd", "--json")
    out = json.loads(r.stdout)
    assert [(a["description"], a["amount"], a["currency"]) for a in out["added"]] == [
        ("Dividend", "40.00", "USD"), ("Transfer fee", "10.00", "USD")]
    assert out["balance"]["amount"] == "30.00" and out["balance"]["currency"] == "USD"
    # cash (EUR, no IBAN): two EUR statements, neither cash's: named, nothing written
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", "cash")
    assert r.exit_code == 2
    assert r.stderr.strip() == (
        "freelance: error: all.csv holds 3 accounts (DE89370400440532013000 EUR, DE02120300000000202051 EUR, "
        "US-778 USD) and none is account 'cash' alone: give the account the IBAN or number of one "
        "(`freelance account edit cash --iban ...` or `--number ...`)")
    assert snapshot(book) == before


# -- invoices: the door's follow-ups run ------------------------------------------------------

def test_income_the_matcher_links_pays_its_invoices_in_the_same_write(book, tmp_path, monkeypatch):
    for args in (("client", "add", "ACME", "--stage", "client"),
                 ("invoice", "add", "--client", "acme", "--amount", "1200", "--issued", "2026-10-01", "--status", "sent"),
                 ("invoice", "add", "--client", "acme", "--amount", "2500.50", "--issued", "2026-10-02", "--status", "sent")):
        assert fl(book, *args).exit_code == 0
    from freelance.changes import bank, matching
    seen = []

    class Linking(matching.Matcher):
        def values(self, line):
            seen.append(line.line)
            if line.reference.startswith("INV-"):
                return {"classification": "client", "client": "acme", "invoice": line.reference}
            return {"category": "office"} if line.amount < 0 else {"review": "no rule classifies it"}
    monkeypatch.setattr(bank, "Matcher", Linking)
    assert fl(book, "bank", "import", giro(book, tmp_path), "--account", "bank").exit_code == 0
    assert seen == [3, 4, 5, 6]               # every new line, in the statement's order
    r = fl(book, "bank", "import", tmp_path / "2026-11.csv", "--account", "bank")
    assert seen == [3, 4, 5, 6], "a duplicate is not matched again"
    r = fl(book, "bank", "import", statement(tmp_path, "late.csv", GIRO_LATE_NOV, "cp1252"), "--account", "bank")
    assert r.exit_code == 0, r.output
    assert "invoice 'INV-2026-002' is paid" in r.stdout
    invoices = {i["id"]: i["status"] for i in json.loads(fl(book, "invoice", "list", "--format", "json").stdout)}
    assert invoices == {"INV-2026-001": "paid", "INV-2026-002": "paid"}
    assert fl(book, "validate").exit_code == 0


def test_two_invoices_paid_by_one_import_are_one_write_of_the_invoices(book, tmp_path, monkeypatch):
    assert fl(book, "client", "add", "ACME", "--stage", "client").exit_code == 0
    for amount in ("10", "20", "30"):
        assert fl(book, "invoice", "add", "--client", "acme", "--amount", amount, "--issued", "2026-10-01",
                  "--status", "sent").exit_code == 0
    from freelance.changes import bank, matching

    class Linking(matching.Matcher):
        def values(self, line):
            return {"classification": "client", "client": "acme", "invoice": line.reference}
    monkeypatch.setattr(bank, "Matcher", Linking)
    rules(book, "giro", GIRO_RULES)
    text = GIRO_HEAD + ("01.11.2026;ACME;;INV-2026-001;;10,00;EUR;\n"
                        "02.11.2026;ACME;;INV-2026-003;;15,00;EUR;\n"     # half of 003
                        "03.11.2026;ACME;;INV-2026-003;;15,00;EUR;\n"     # the other half, same import
                        "03.11.2026;ACME;;INV-2026-002;;5,00;EUR;\n")     # 002 stays sent
    r = fl(book, "bank", "import", statement(tmp_path, "p.csv", text, "cp1252"), "--account", "bank")
    assert r.exit_code == 0, r.output
    invoices = {i["id"]: i["status"] for i in json.loads(fl(book, "invoice", "list", "--format", "json").stdout)}
    assert invoices == {"INV-2026-001": "paid", "INV-2026-002": "sent", "INV-2026-003": "paid"}


# -- the rules file --------------------------------------------------------------------------

def test_rules_may_be_left_out_when_the_book_has_one_and_are_named_otherwise(book, tmp_path):
    path = giro(book, tmp_path)
    assert fl(book, "bank", "import", path, "--account", "bank", "--dry-run").exit_code == 0
    rules(book, "card", CARD_RULES)
    r = fl(book, "bank", "import", path, "--account", "bank", "--dry-run")
    assert r.exit_code == 2
    assert r.stderr.strip() == "freelance: error: --rules: give one of card, giro (the book has 2 rules files)"
    r = fl(book, "bank", "import", path, "--account", "bank", "--rules", "gyro")
    assert r.exit_code == 2
    assert r.stderr.strip() == "freelance: error: --rules: no bank-rules/gyro.yaml (did you mean 'giro'?)"
    assert fl(book, "bank", "import", path, "--account", "bank", "--rules", "giro", "--dry-run").exit_code == 0


BROKEN_RULES = [
    ("date_format: \"%d.%m.%Y\"\ncolumns: {date: 1, amount: 2}\ndelimeter: \";\"\n",
     "bank-rules/r.yaml:3: delimeter: not a rule the import knows (did you mean 'delimiter'?)"),
    ("date_format: \"%d.%m.%Y\"\ncolumns:\n  date: Datum\n  amonut: Betrag\n",
     "bank-rules/r.yaml:4: columns.amonut: not a column the import reads (did you mean 'amount' or 'account'?)"),
    ("date_format: \"%d/%m/%Q\"\ncolumns: {date: 1, amount: 2}\n",
     "bank-rules/r.yaml:1: date_format: '%Q' is not one of the tokens %d %m %Y %y %b %H %M %S "
     "(a date is read by a fixed format, never guessed)"),
    ("date_format: \"%d.%m\"\ncolumns: {date: 1, amount: 2}\n",
     "bank-rules/r.yaml:1: date_format: it names no year"),
    ("columns: {date: 1, amount: 2}\n",
     "bank-rules/r.yaml:1: date_format: required: the dates' format, like \"%d.%m.%Y\" or \"%Y-%m-%d\""),
    ("date_format: \"%Y-%m-%d\"\ndecimal_mark: \";\"\ncolumns: {date: 1, amount: 2}\n",
     "bank-rules/r.yaml:2: decimal_mark: expected \",\" or \".\", got ';'"),
    ("date_format: \"%Y-%m-%d\"\nencoding: utf8x\ncolumns: {date: 1, amount: 2}\n",
     "bank-rules/r.yaml:2: encoding: 'utf8x' is not a text encoding (did you mean 'utf-8'?); "
     "common ones: utf-8, cp1252, latin-1, iso-8859-15, utf-16"),
    ("date_format: \"%Y-%m-%d\"\ncolumns:\n  date: 1\n  amount: 2\n  debit: 3\n",
     "bank-rules/r.yaml:2: columns: give one amount column, or debit and credit columns, not both"),
    ("date_format: \"%Y-%m-%d\"\ncolumns:\n  date: 1\n  payee: 2\n",
     "bank-rules/r.yaml:2: columns: no amount column: give columns: amount: NAME (or debit: and credit:)"),
    ("date_format: \"%Y-%m-%d\"\nheader: false\ncolumns:\n  date: Datum\n  amount: 2\n",
     "bank-rules/r.yaml:4: columns.date: 'Datum' is a column name, but header: false says the file has none; give its number"),
    ("date_format: \"%Y-%m-%d\"\nskip: -1\ncolumns: {date: 1, amount: 0}\n",
     "bank-rules/r.yaml:2: skip: expected a number of lines from 0 to 1000, got -1 (and 1 more problem)"),
    ("date_format: \"%Y-%m-%d\"\ncurrency: euro\ncolumns: {date: 1, amount: 2}\n",
     "bank-rules/r.yaml:2: currency: expected a three-letter code like EUR or USD, got 'euro'"),
    ("- date_format\n",
     "bank-rules/r.yaml:1: error: expected a mapping of settings (key: value)"),
    ("date_format: [\n",
     None),      # a YAML syntax error: the reader's message, with the file and line
    ("date_format: \"%Y-%m-%d\"\nencoding: rot13\ncolumns: {date: 1, amount: 2}\n",    # a codec, not text
     "bank-rules/r.yaml:2: encoding: 'rot13' is not a text encoding; "
     "common ones: utf-8, cp1252, latin-1, iso-8859-15, utf-16"),
]


@pytest.mark.parametrize("text,message", BROKEN_RULES)
def test_a_broken_rules_file_is_named_with_its_line_and_key(book, tmp_path, text, message):
    rules(book, "r", text)
    path = statement(tmp_path, "s.csv", "2026-11-02,1.00\n")
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", "bank")
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and len(r.stderr.strip().splitlines()) == 1
    if message is None:
        assert r.stderr.startswith("freelance: error: bank-rules/r.yaml:"), r.stderr
    else:
        assert r.stderr.strip() == f"freelance: error: {message}"
    assert snapshot(book) == before


BROKEN_CSV = [
    (GIRO_HEAD + "31.02.2026;A;;;;1,00;EUR;\n",
     "bad.csv:3: column 'Buchungstag': '31.02.2026' is not a date of the form %d.%m.%Y (the rules' date_format)"),
    (GIRO_HEAD + "2026-11-02;A;;;;1,00;EUR;\n",
     "bad.csv:3: column 'Buchungstag': '2026-11-02' is not a date of the form %d.%m.%Y (the rules' date_format)"),
    (GIRO_HEAD + "02.11.2026;A;;;;1.00;EUR;\n",
     "bad.csv:3: column 'Betrag': '1.00' is not an amount like 1.234,56 (the rules' decimal_mark and thousands)"),
    (GIRO_HEAD + "02.11.2026;A;;;;12,3x;EUR;\n",
     "bad.csv:3: column 'Betrag': '12,3x' is not an amount like 1.234,56 (the rules' decimal_mark and thousands)"),
    (GIRO_HEAD + "02.11.2026;A;;;;;EUR;\n",
     "bad.csv:3: column 'Betrag': empty; every line needs an amount"),
    (GIRO_HEAD + "02.11.2026;A;;;\n",
     "bad.csv:3: no column 'Betrag' (columns.amount of the rules): the line has 5 columns"),
    (GIRO_HEAD + "02.11.2026;A;;;;1,00;Euro;\n",
     "bad.csv:3: column 'Währung': 'Euro' is not a currency code like EUR"),
    (GIRO_HEAD + "02.11.2026;A;;;;1,005;EUR;\n",
     "bad.csv:3: amount: 1.005 has more decimals than EUR has (2 decimal places)"),
    (GIRO_HEAD + "02.11.2026;A;;;;1.000.000.000.000,00;EUR;\n",
     "bad.csv:3: column 'Betrag': 1.000.000.000.000,00 is too large (at most 12 digits before the point)"),
    (GIRO_HEAD + "02.12.2026;A;;;;1,00;EUR;\n",
     "bad.csv:3: booked on 2026-12-02, after today (2026-11-25); a statement from the future? (--today sets today)"),
    (GIRO_HEAD.replace("Betrag", "Umsatz") + "02.11.2026;A;;;;1,00;EUR;\n",
     "bad.csv:2: no column 'Betrag' in the header (columns.amount of the rules); the header has 'Buchungstag', "
     "'Name', 'IBAN', 'Verwendungszweck', 'Buchungstext', 'Umsatz', 'Währung', 'Saldo'"),
    (GIRO_HEAD + "02.11.2026;\"A;;;;1,00;EUR;\n",
     "bad.csv:3: not a CSV line the rules can read (unexpected end of data)"),
    ("Kontoumsätze\n",
     "bad.csv: no header line after the 1 line the rules skip"),
    (GIRO_HEAD + "02.11.2026;A;;;;1,00;EUR;1.00,0\n",
     "bad.csv:3: column 'Saldo': '1.00,0' is not an amount like 1.234,56 (the closing balance; "
     "the rules' decimal_mark and thousands)"),
]


@pytest.mark.parametrize("text,message", BROKEN_CSV)
def test_a_broken_csv_line_is_named_with_its_line_and_column(book, tmp_path, text, message):
    rules(book, "giro", GIRO_RULES)
    path = statement(tmp_path, "bad.csv", text, "cp1252")
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", "bank")
    assert r.exit_code == 1, r.output
    assert r.stderr.strip() == f"freelance: error: {message}"
    assert snapshot(book) == before


def test_a_file_in_another_encoding_than_the_rules_say_is_refused(book, tmp_path):
    rules(book, "utf", GIRO_RULES.replace("encoding: cp1252", "encoding: utf-8"))
    path = statement(tmp_path, "w.csv", GIRO_NOV, "cp1252")
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", "bank")
    assert r.exit_code == 1
    assert r.stderr.strip() == ("freelance: error: w.csv:1: not utf-8 text (byte 0xe4); say the file's encoding "
                                "in the rules (encoding: cp1252, latin-1, utf-16...)")
    assert snapshot(book) == before


def test_amounts_with_a_trailing_minus_parentheses_and_symbols(book, tmp_path):
    rules(book, "x", 'date_format: "%d/%m/%y"\ndecimal_mark: "."\nthousands: ","\ncurrency: EUR\n'
                     'columns: {date: Date, amount: Amount, description: Text}\n')
    text = ("Date,Amount,Text\n"
            "01/11/26,\"1,234.56\",a\n"
            "02/11/26,12.00-,b\n"
            "03/11/26,(7.25),c\n"
            "04/11/26,€ 3.10,d\n"
            "05/11/26,-.50,e\n")
    r = fl(book, "bank", "import", statement(tmp_path, "x.csv", text), "--account", "bank", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [(a["kind"], a["amount"]) for a in out["added"]] == [
        ("income", "1234.56"), ("expense", "12.00"), ("expense", "7.25"), ("income", "3.10"), ("expense", "0.50")]


def test_flip_sign_and_skip_end(book, tmp_path):
    rules(book, "cc", 'date_format: "%Y-%m-%d"\nflip_sign: true\nskip_end: 1\n'
                      'columns: {date: 1, amount: 2, payee: 3}\n')
    text = "date,amount,payee\n2026-11-02,20.00,Shop\n2026-11-03,-5.00,Refund\nTotal,15.00,\n"
    out = json.loads(fl(book, "bank", "import", statement(tmp_path, "cc.csv", text), "--account", "bank",
                        "--json").stdout)
    assert [(a["kind"], a["amount"], a["payee"]) for a in out["added"]] == [
        ("expense", "20.00", "Shop"), ("income", "5.00", "Refund")]


def test_a_sign_column_and_a_balance_before_each_line(book, tmp_path):
    # ING's Dutch export: unsigned amounts, the sign in "Af Bij"; this bank gives the balance
    # before each line, so the closing balance is the last one's plus its amount
    rules(book, "ing", 'date_format: "%Y%m%d"\ndecimal_mark: ","\ncurrency: EUR\n'
                       'columns: {date: Datum, payee: Naam, sign: Af Bij, amount: Bedrag (EUR), '
                       'balance_before: Saldo voor mutatie}\n')
    text = ("Datum,Naam,Af Bij,Bedrag (EUR),Saldo voor mutatie\n"
            "20261102,Klant BV,Bij,\"1200,00\",\"100,00\"\n"
            "20261103,Albert Heijn,Af,\"12,50\",\"1300,00\"\n"
            "20261104,KPN,af,\"-30,00\",\"1287,50\"\n")        # the sign column decides, whatever the cell says
    out = json.loads(fl(book, "bank", "import", statement(tmp_path, "ing.csv", text), "--account", "bank",
                        "--json").stdout)
    assert [(a["kind"], a["amount"]) for a in out["added"]] == [
        ("income", "1200.00"), ("expense", "12.50"), ("expense", "30.00")]
    assert (out["balance"]["date"], out["balance"]["amount"]) == ("2026-11-04", "1257.50")
    # C/D by default; a value in neither list is named with its line
    rules(book, "ing", 'date_format: "%Y%m%d"\ncolumns: {date: 1, sign: 2, amount: 3}\n')
    r = fl(book, "bank", "import", statement(tmp_path, "cd.csv", "d,s,a\n20261102,C,5.00\n20261103,X,1.00\n"),
           "--account", "bank")
    assert (r.exit_code, r.stderr.strip()) == (1, (
        "freelance: error: cd.csv:3: column 2: 'X' is neither money out (-, af, d, dbit, debit, dr, s) nor money in "
        "(+, bij, c, cr, crdt, credit, h); say which in the rules (debit_values, credit_values)"))
    rules(book, "ing", 'date_format: "%Y%m%d"\ndebit_values: [X]\ncolumns: {date: 1, sign: 2, amount: 3}\n')
    out = json.loads(fl(book, "bank", "import", tmp_path / "cd.csv", "--account", "bank", "--json").stdout)
    assert [(a["kind"], a["amount"]) for a in out["added"]] == [("income", "5.00"), ("expense", "1.00")]


@pytest.mark.parametrize("rules_text,message", [
    ('date_format: "%Y-%m-%d"\ncolumns: {date: 1, sign: 2, debit: 3, credit: 4}\n',
     "bank-rules/r.yaml:2: columns: a sign column goes with one amount column (columns: amount:), not debit and credit"),
    ('date_format: "%Y-%m-%d"\ncolumns: {date: 1, amount: 2, balance: 3, balance_before: 4}\n',
     "bank-rules/r.yaml:2: columns: give balance (after each line) or balance_before (before it), not both"),
    ('date_format: "%Y-%m-%d"\ndebit_values: [D, C]\ncolumns: {date: 1, sign: 2, amount: 3}\n',
     "bank-rules/r.yaml:2: debit_values: 'c' is both money out and money in; give it to one of debit_values "
     "and credit_values"),
])
def test_sign_and_balance_rules_are_checked(book, tmp_path, rules_text, message):
    rules(book, "r", rules_text)
    r = fl(book, "bank", "import", statement(tmp_path, "x.csv", "a,b,c,d\n"), "--account", "bank", "--rules", "r")
    assert (r.exit_code, r.stderr.strip()) == (1, f"freelance: error: {message}")


@pytest.mark.parametrize("day", ["0001-11-02", "1000-11-02", "1850-11-02", "3000-01-01"])
def test_a_date_outside_the_years_a_book_holds_is_named(book, tmp_path, day):
    rules(book, "iso", 'date_format: "%Y-%m-%d"\ncolumns: {date: 1, amount: 2}\n')
    r = fl(book, "bank", "import", statement(tmp_path, "old.csv", f"d,a\n2026-11-01,1.00\n{day},2.00\n"),
           "--account", "bank")
    year = int(day[:4])
    assert (r.exit_code, r.stderr.strip()) == (1, f"freelance: error: old.csv:3: column 1: {day!r}: year {year} "
                                                  "is not a year a book needs (1900 to 2999)")
    assert "Traceback" not in r.output


# -- faces -----------------------------------------------------------------------------------

def test_help_names_the_options_and_json(book):
    r = fl(book, "bank", "import", "--help")
    assert r.exit_code == 0
    for word in ("--account", "--format", "--rules", "--dry-run", "--json", "bank-rules/NAME.yaml"):
        assert word in r.stdout


def test_no_progress_bar_in_a_pipe_and_one_on_a_terminal(book, tmp_path):
    rules(book, "card", CARD_RULES)
    lines = "".join(f"2026-11-{1 + i % 24:02d},ID-{i},Line {i},,1.00,,booked\n" for i in range(1200))
    path = statement(tmp_path, "long.csv", lines)
    p = run_proc("--books", book, "--today", TODAY, "bank", "import", path, "--account", "cash", "--dry-run")
    assert p.returncode == 0, p.stderr
    assert "importing" not in p.stdout + p.stderr
    import pty
    import sys
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    proc = subprocess.Popen([sys.executable, "-m", "freelance", "--books", str(book), "--today", TODAY, "bank",
                             "import", str(path), "--account", "cash", "--dry-run"],
                            stdout=slave, stderr=slave, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0
    assert b"importing" in out


def test_a_missing_file_and_a_folder_are_usage_errors(book, tmp_path):
    r = fl(book, "bank", "import", tmp_path / "nope.csv", "--account", "bank")
    assert r.exit_code == 2 and r.stderr.strip().endswith("nope.csv: cannot read it (No such file or directory)")
    r = fl(book, "bank", "import", tmp_path, "--account", "bank")
    assert r.exit_code == 2 and "a folder; give the statement file" in r.stderr


def test_imported_records_are_written_by_the_fast_emitter(book, tmp_path, monkeypatch):
    """A bank's texts and `h:` hashes hold `:`, `*`, `#` and `"`: written plain by the fast
    emitter (the same bytes as ruamel.yaml's), not a millisecond a record through ruamel.yaml."""
    from freelance.store import style

    def slow(data):
        raise AssertionError(f"ruamel.yaml asked to write {data}")
    monkeypatch.setattr(style, "record_text", slow)
    rules(book, "cc", 'date_format: "%Y-%m-%d"\ncolumns: {date: 1, amount: 2, payee: 3, reference: 4}\n')
    text = ('d,a,p,r\n2026-11-02,-20.00,AMZN Mktp DE*2K4,Order:123-456#2\n'
            '2026-11-03,-5.00,"Shop ""Nord"" GmbH",Invoice no:7\n')
    r = fl(book, "bank", "import", statement(tmp_path, "cc.csv", text), "--account", "bank")
    assert r.exit_code == 0, r.output
    written = (book / "transactions" / "2026.yaml").read_text("utf-8")
    assert "  payee: AMZN Mktp DE*2K4\n  reference: Order:123-456#2\n" in written
    assert '  payee: Shop "Nord" GmbH\n  reference: Invoice no:7\n' in written


def test_validate_checks_the_rules_files_with_the_same_words(book, tmp_path):
    rules(book, "giro", GIRO_RULES)
    assert fl(book, "validate").exit_code == 0
    rules(book, "broken", 'date_format: "%d.%m.%Q"\ncolumns:\n  date: 1\n  amonut: 2\n')
    r = fl(book, "validate")
    assert r.exit_code == 1
    assert "bank-rules/broken.yaml:1: error: date_format: '%Q' is not one of the tokens" in r.output
    assert ("bank-rules/broken.yaml:4: error: columns.amonut: not a column the import reads "
            "(did you mean 'amount' or 'account'?)") in r.output
    assert "bank-rules/giro.yaml" not in r.output


def test_the_quick_path_for_usual_rows_reads_as_the_checked_one():
    """csvrules reads a usual row (a date seen before, a plain amount) by a quicker path: it
    must give the same lines as the path that checks every cell, for any cells."""
    from hypothesis import given, settings, strategies as stt

    from freelance.formats.statements import csvrules
    rules_ = {"date_format": "%d.%m.%Y", "delimiter": ";", "decimal_mark": ",",
              "columns": {"date": 1, "amount": 2, "payee": 3, "reference": 4, "description": [5, 6],
                          "iban": 7, "bank_id": 8, "balance": 9}}
    cell = stt.text(alphabet=" aZ09-,.*:#äß\t\x1b\"'", max_size=8)
    amount = stt.one_of(stt.from_regex(r"-?[0-9]{1,4}(,[0-9]{1,2})?", fullmatch=True),
                        stt.from_regex(r"[0-9]{1,2}\.[0-9]{3},[0-9]{2}-?", fullmatch=True))
    row = stt.tuples(stt.sampled_from(["01.11.2026", "02.11.2026"]), amount, cell, cell, cell, cell, cell, cell,
                     stt.sampled_from(["", "1,00", "1.234,50"]))

    def slow(r, rows, index, fixed):
        return [csvrules._line(r, n, row, index, fixed) for n, row in rows]

    @settings(max_examples=150, deadline=None)
    @given(stt.lists(row, min_size=1, max_size=6))
    def check(rows):
        import csv as csv_
        import io
        buf = io.StringIO()
        csv_.writer(buf, delimiter=";").writerows(rows)
        data = ("h1;h2;h3;h4;h5;h6;h7;h8;h9\n" + buf.getvalue()).encode("utf-8")
        quick = csvrules.read(data, rules_, "x.csv")
        real = csvrules._lines
        csvrules._lines = slow
        try:
            checked = csvrules.read(data, rules_, "x.csv")
        finally:
            csvrules._lines = real
        assert [(s.lines, s.closing) for s in quick] == [(s.lines, s.closing) for s in checked]
    check()


def test_payments_typed_by_hand_are_the_statements_lines_not_new_ones(book, tmp_path):
    """Until today every payment was typed by hand: the statement that holds them adds no
    second record. A paid expense takes the line's id and payee; income expected for a sent
    invoice (received false) is received now, on the booking day, and pays the invoice."""
    assert fl(book, "client", "add", "Acme GmbH").exit_code == 0
    inv = fl(book, "invoice", "add", "--client", "acme-gmbh", "--amount", "1200", "--issued", "2026-10-20",
             "--status", "sent")
    assert inv.exit_code == 0, inv.output
    number = re.search(r"INV-\d{4}-\d+", inv.stdout).group(0)
    typed = [("income", "add", "1200", "--client", "acme-gmbh", "--invoice", number, "--date", "2026-11-01",
              "--account", "bank"),
             ("expense", "add", "24.99", "--category", "software", "--paid", "--date", "2026-11-09", "--account", "bank",
              "--description", "Hosting"),
             ("expense", "add", "24.99", "--category", "software", "--paid", "--date", "2026-11-10", "--account", "cash")]
    for args in typed:
        r = fl(book, *args)
        assert r.exit_code == 0, r.output
    before = {t["id"]: t for t in tx_records(book)}
    r = fl(book, "bank", "import", giro(book, tmp_path), "--account", "bank", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [(a["line"], a["payee"]) for a in out["added"]] == [(4, "Café Müller"), (5, "Café Müller")]
    updated = {u["line"]: u for u in out["updated"]}
    assert sorted(updated) == [3, 6]
    assert updated[3]["matched_on"] == "typed by hand: the same amount, dated 2026-11-01"
    assert updated[3]["changes"]["received"] is True and updated[3]["changes"]["date"] == "2026-11-03"
    assert updated[6]["matched_on"] == "typed by hand: the same amount, dated 2026-11-09"
    after = {t["id"]: t for t in tx_records(book)}
    income = after[updated[3]["id"]]
    assert income["received"] is True and income["payee"] == "ACME GmbH" and income["iban"] == CLIENT_IBAN
    assert income["invoice"] == number and not income.get("review")
    hosting = after[updated[6]["id"]]
    assert hosting["description"] == "Hosting" and hosting["payee"] == "Hosting AG"
    assert hosting["category"] == "software" and hosting["date"] == "2026-11-09"   # a paid record keeps its day
    cash = [t for t in after.values() if t["account"] == "cash"]
    assert len(cash) == 1 and not cash[0].get("bank_ref")         # another account's record is not the line
    assert len(after) == len(before) + 2
    shown = json.loads(fl(book, "invoice", "show", number, "--format", "json").stdout)
    assert shown["status"] == "paid"
    assert fl(book, "validate").exit_code == 0
    # and the statement again: every line is a duplicate now
    again = json.loads(fl(book, "bank", "import", tmp_path / "2026-11.csv", "--account", "bank", "--json").stdout)
    assert again["added"] == [] and again["updated"] == [] and len(again["skipped"]) == 4
