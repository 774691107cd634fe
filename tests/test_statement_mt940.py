"""MT940/MT942 (SWIFT) statements: the proof that a format is one module and one registry
line (formats/statements/mt940.py, read by the mt-940 library). Real files from the
library's own test suite (tests/data/statements/LICENSES.md), and the real CLI."""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_cli
from freelance.core.errors import DataError
from freelance.formats.statements import mt940
from freelance.formats.statements.registry import FORMATS, detect
from statement_files import REAL

D = Decimal
SMALL = (":20:STMT-1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C261101EUR100,00\n"
         ":61:2611031103C1200,00NTRFNONREF//B2611030001\n:86:/EREF/INV-2026-001/NAME/ACME BV/REMI/INV-2026-001\n"
         ":61:2611041104D12,50NTRFNONREF\n:86:Albert Heijn 1234\n"
         ":62F:C261104EUR1287,50\n-\n")


def real(name: str) -> bytes:
    return (REAL / name).read_bytes()


def test_the_registry_knows_it_by_its_bytes_and_by_its_name():
    assert detect(real("wolph-mt940-jejik-ing.sta"), "x.txt") == "mt940"      # a SWIFT header line first
    assert detect(SMALL.encode(), "download") == "mt940"
    assert detect(b"whatever", "day.sta") == "mt940"
    assert [f.name for f in FORMATS].count("mt940") == 1


def test_lines_balances_and_ids():
    [s] = mt940.read(SMALL.encode(), "nov.sta")
    assert (s.iban, s.currency, s.opening, s.closing) == (
        "NL91ABNA0417164300", "EUR", (date(2026, 11, 1), D("100.00")), (date(2026, 11, 4), D("1287.50")))
    a, b = s.lines
    assert (a.date, a.amount, a.bank_id, a.line) == (date(2026, 11, 3), D("1200.00"), "B2611030001", 5)
    assert (b.date, b.amount, b.bank_id, b.description) == (date(2026, 11, 4), D("-12.50"), "", "Albert Heijn 1234")
    assert s.opening[1] + sum(x.amount for x in s.lines) == s.closing[1]


def test_real_mt940_and_mt942_files():
    [ing] = mt940.read(real("wolph-mt940-jejik-ing.sta"), "ing.sta")
    assert (ing.account_id, ing.closing, len(ing.lines)) == ("0001234567", (date(2010, 7, 23), D("3.47")), 7)
    assert all(line.bank_id == "" for line in ing.lines)              # NONREF everywhere: no ids
    a, b = mt940.read(real("wolph-mt940-jejik-rabobank-iban.sta"), "rabo.sta")   # one account, two statements
    assert (a.iban, b.iban, a.closing, b.opening) == ("NL71RABO0123456789", "NL71RABO0123456789",
                                                      (date(2013, 1, 8), D("965.00")), (date(2013, 1, 8), D("965.00")))
    [report] = mt940.read(real("wolph-mt940-mBank-mt942.sta"), "m.sta")              # MT942: no balances
    assert (report.currency, report.opening, report.closing, [x.amount for x in report.lines]) == (
        "PLN", None, None, [D("0.01")] * 3)
    dem, eur, pln = mt940.read(real("wolph-mt940-cmxl-mt940.sta"), "cmxl.sta")
    assert (dem.currency, eur.currency, pln.currency) == ("DEM", "EUR", "PLN")
    assert [x.payee for x in eur.lines] == ["MUELLER", "MUELLER"]
    [k1, k2] = mt940.read(real("wolph-mt940-jejik-knab.sta"), "knab.sta")
    assert k1.lines[0].bank_id == "B4E07XM00J000023"


@pytest.mark.parametrize("data,expected", [
    (b"", "e.sta: the file is empty, expected an MT940 statement"),
    (b"hello\nworld\n", "e.sta: not an MT940 file: it starts with 'hello', expected the tags :20:, :25: and :60F: "
                        "(or an MT942's :34F:)"),
    (SMALL.replace(":61:2611041104D12,50", ":61:2611041104D12,50:61:").encode(), None),
    (SMALL.replace("C261101EUR100,00", "C261101USD100,00").encode(),
     "e.sta: statement 1 (STMT-1): an amount in EUR on a statement in USD; freelance imports a statement in its "
     "own currency only"),
])
def test_broken_files_each_have_their_message(data, expected):
    try:
        mt940.read(data, "e.sta")
    except DataError as e:
        assert expected is None or e.message == expected
        assert e.message.startswith("e.sta: ") and "\n" not in e.message
    else:
        assert expected is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pos=st.integers(0, 400), byte=st.integers(0, 255), insert=st.binary(max_size=8), cut=st.integers(1, 400))
def test_mangled_files_give_statements_or_one_data_error(pos, byte, insert, cut):
    data = bytearray(SMALL.encode())
    pos %= len(data)
    data[pos] = byte
    data = (bytes(data[:pos]) + insert + bytes(data[pos:]))[:cut]
    try:
        statements = mt940.read(data, "m")
    except DataError as e:
        assert e.message.startswith("m: ") and "\n" not in e.message
    else:
        for s in statements:
            assert all(isinstance(x.amount, Decimal) and x.amount.is_finite() for x in s.lines)


# --- through the CLI ------------------------------------------------------------------------

@pytest.fixture
def book(empty_book) -> Path:
    s = (empty_book / "freelance.yaml").read_text(encoding="utf-8").replace("currency: USD", "currency: EUR")
    s = re.sub(r"^accounts: .*$", "accounts: [{id: bank, name: Bank, opening_balance: 1000, "
               "iban: NL71RABO0123456789}]", s, flags=re.M)
    (empty_book / "freelance.yaml").write_text(s, encoding="utf-8")
    return empty_book


def test_bank_import_of_an_mt940_file_with_two_days(book):
    r = run_cli("bank", "import", REAL / "wolph-mt940-jejik-rabobank-iban.sta", "--json", books=book,
                today="2026-11-25")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["format"] == "mt940" and len(out["added"]) == 4
    assert [(b["date"], b["amount"], b["action"]) for b in out["balances"]] == [
        ("2013-01-08", "965.00", "added"), ("2013-01-15", "930.00", "added")]
    again = run_cli("bank", "import", REAL / "wolph-mt940-jejik-rabobank-iban.sta", books=book, today="2026-11-25")
    assert "0 added, 0 updated, 4 skipped as duplicates" in again.stdout, again.output
    assert "balance of account bank at the end of 2013-01-15: 930.00 EUR: in the book already" in again.stdout
    # (validate would flag 2013-01-08: this sample's first statement closes on the day the second
    # has a line; a closing balance is the end of its day, docs/statement-readers.md)
