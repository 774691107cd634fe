"""Suppliers, bills and their payment from the bank statement (issue 29, docs/suppliers.md).

A small EUR book: a supplier with a VAT id, an IBAN and defaults; bills typed by hand; a
statement (CSV) that pays them by the supplier's IBAN or the bill's number in the reference.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import run_cli

TODAY = "2026-11-25"
HOST_IBAN = "DE02120300000000202051"

RULES = """\
delimiter: ";"
date_format: "%Y-%m-%d"
columns:
  date: date
  amount: amount
  payee: payee
  iban: iban
  reference: reference
"""


@pytest.fixture
def book(empty_book) -> Path:
    s = (empty_book / "freelance.yaml").read_text(encoding="utf-8")
    (empty_book / "freelance.yaml").write_text(s.replace("currency: USD", "currency: EUR"), encoding="utf-8")
    (empty_book / "bank-rules").mkdir(exist_ok=True)
    (empty_book / "bank-rules" / "plain.yaml").write_text(RULES, encoding="utf-8")
    r = fl(empty_book, "supplier", "add", "Hosting GmbH", "--vat-id", "DE123456788", "--iban", HOST_IBAN,
           "--category", "software", "--tax-rate", "19")
    assert r.exit_code == 0, r.output
    return empty_book


def fl(book: Path, *args, **kw):
    return run_cli(*args, books=book, today=TODAY, **kw)


def added_id(output: str) -> str:
    return re.search(r"added expense '([^']+)'", output).group(1)


def show(book: Path, noun: str, rid: str) -> dict:
    r = fl(book, noun, "show", rid, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_an_expense_takes_its_suppliers_defaults_and_a_typo_gets_a_did_you_mean(book):
    r = fl(book, "expense", "add", "119.00", "--supplier", "hosting-gmbh", "--date", "2026-11-02", "--paid")
    assert r.exit_code == 0, r.output
    got = show(book, "expense", added_id(r.output))
    assert (got["supplier"], got["category"], got["tax_rate"], got["tax"]) == ("hosting-gmbh", "software", "19", "19.00")
    r = fl(book, "expense", "add", "10", "--supplier", "hostinggmbh")
    assert r.exit_code == 2 and "did you mean 'hosting-gmbh'" in r.stderr
    r = fl(book, "supplier", "add", "Bad", "--iban", "DE00 1234")
    assert r.exit_code != 0
    assert fl(book, "supplier", "list").exit_code == 0


def test_supplier_rollups_spent_this_year_per_currency_and_open_bills(book):
    assert fl(book, "expense", "add", "50", "--supplier", "hosting-gmbh", "--date", "2026-03-01", "--paid").exit_code == 0
    assert fl(book, "expense", "add", "20", "--supplier", "hosting-gmbh", "--date", "2026-04-01", "--paid",
              "--currency", "USD").exit_code == 0
    assert fl(book, "expense", "add", "99", "--supplier", "hosting-gmbh", "--date", "2025-04-01", "--paid").exit_code == 0
    assert fl(book, "expense", "add", "238", "--supplier", "hosting-gmbh", "--number", "R-77", "--date", "2026-11-01",
              "--due", "2026-11-15").exit_code == 0
    s = show(book, "supplier", "hosting-gmbh")
    assert s["spent"] == "50.00" and s["spent_by_currency"] == {"EUR": "50.00", "USD": "20.00"}
    assert (s["open_bills"], s["open_amount"], s["overdue_bills"]) == (1, "238.00", 1)
    rows = json.loads(fl(book, "supplier", "list", "--format", "json").stdout)
    assert [(x["id"], x["open_bills"]) for x in rows] == [("hosting-gmbh", 1)]
    table = fl(book, "expense", "list").stdout
    assert "supplier" in table.splitlines()[0] and "hosting-gmbh" in table
    r = fl(book, "supplier", "rm", "hosting-gmbh")
    assert r.exit_code == 2 and "linked from" in r.stderr


def test_a_bill_books_input_tax_per_rate_and_on_accrual_is_owed_to_the_supplier(book):
    r = fl(book, "expense", "add", "119.00", "--supplier", "hosting-gmbh", "--number", "R-1", "--issued", "2026-10-01",
           "--date", "2026-10-01", "--due", "2026-10-15")
    bill = added_id(r.output)
    got = show(book, "expense", bill)
    assert (got["status"], got["number"], got["amount"], got["tax"]) == ("open", "R-1", "119.00", "19.00")
    cash = fl(book, "export", "hledger").stdout
    assert "R-1" not in cash                                   # nothing moved yet
    accrual = fl(book, "export", "hledger", "--accrual").stdout
    assert "liabilities:payable:hosting-gmbh  -119.00 EUR" in accrual
    assert "assets:tax:tax  19.00 EUR" in accrual and "expenses:software  100.00 EUR" in accrual
    assert fl(book, "expense", "edit", bill, "--paid", "--date", "2026-10-10").exit_code == 0
    assert show(book, "expense", bill)["status"] == "paid"
    accrual = fl(book, "export", "hledger", "--accrual").stdout
    assert "liabilities:payable:hosting-gmbh  119.00 EUR" in accrual and "assets:bank  -119.00 EUR" in accrual
    cash = fl(book, "export", "hledger").stdout
    assert "assets:tax:tax  19.00 EUR" in cash


def test_the_bank_statement_pays_open_bills_by_iban_or_reference(book, tmp_path):
    a = added_id(fl(book, "expense", "add", "119.00", "--supplier", "hosting-gmbh", "--number", "R-1",
                    "--date", "2026-10-28", "--due", "2026-11-10").output)
    # a second bill of the same amount from someone without an IBAN: paid by its number
    assert fl(book, "supplier", "add", "Print Shop", "--category", "office").exit_code == 0
    b = added_id(fl(book, "expense", "add", "119.00", "--supplier", "print-shop", "--number", "PS-2026-7",
                    "--date", "2026-10-01").output)
    # and one nothing pays: the same amount, no IBAN, a number nobody writes
    c = added_id(fl(book, "expense", "add", "119.00", "--supplier", "print-shop", "--number", "PS-2026-9",
                    "--date", "2026-10-01").output)
    csv = tmp_path / "nov.csv"
    csv.write_text("date;amount;payee;iban;reference\n"
                   f"2026-11-05;-119.00;Hosting GmbH;{HOST_IBAN};Kunde 4711\n"
                   "2026-11-06;-119.00;Print Shop;;Rechnung PS-2026-7\n", encoding="utf-8")
    r = fl(book, "bank", "import", str(csv), "--account", "bank", "--rules", "plain")
    assert r.exit_code == 0, r.output
    assert "pays bill R-1" in r.output and "pays bill PS-2026-7" in r.output
    paid_a, paid_b, open_c = show(book, "expense", a), show(book, "expense", b), show(book, "expense", c)
    assert (paid_a["status"], paid_a["date"]) == ("paid", "2026-11-05")
    assert (paid_b["status"], paid_b["date"]) == ("paid", "2026-11-06")
    assert open_c["status"] == "open"
    assert show(book, "supplier", "print-shop")["open_bills"] == 1
    again = fl(book, "bank", "import", str(csv), "--account", "bank", "--rules", "plain")
    assert again.exit_code == 0 and show(book, "expense", c)["status"] == "open"
    assert len([t for t in json.loads(fl(book, "expense", "list", "--format", "json").stdout)]) == 3
