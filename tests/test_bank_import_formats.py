"""`freelance bank import` of OFX/QFX and CAMT files (issue 18), through the real CLI: what a
dry run says it would add for each format, and for each broken or hostile file its exact
message, its exit code, and a book whose files are byte for byte what they were."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from conftest import run_cli, run_proc
from statement_files import REAL, bal, ntry, stmt, stmtrs, stmttrn, txdtls
from statement_files import camt as camt_file
from statement_files import ofx as ofx_file

TODAY = "2026-12-02"
ACCOUNTS = ("accounts: [{id: bank, name: Bank, opening_balance: 0, iban: DE89 3704 0044 0532 0130 00}, "
            "{id: usd, name: Dollar account, currency: USD, opening_balance: 0}]")


@pytest.fixture
def book(empty_book) -> Path:
    s = (empty_book / "freelance.yaml").read_text(encoding="utf-8")
    s = s.replace("currency: USD", "currency: EUR")
    s = re.sub(r"^accounts: .*$", ACCOUNTS, s, flags=re.M)
    (empty_book / "freelance.yaml").write_text(s, encoding="utf-8")
    return empty_book


def snapshot(book: Path) -> dict:
    return {str(p.relative_to(book)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(book.rglob("*")) if p.is_file() and ".freelance" not in p.parts}


def fl(book: Path, *args):
    return run_cli(*args, books=book, today=TODAY)


def ids_masked(text: str) -> str:
    text = re.sub(r"\bb-\d{8}-[0-9a-f]{6}\b", "b-XXXXXX", text)       # (a balance's id is dated when made)
    return re.sub(r"\btx-(\d{8})-[0-9a-f]{6}\b", r"tx-\1-XXXXXX", text)


USD_OFX = ofx_file([stmtrs("123456789", "USD", [
    stmttrn("F1", "20261105", "1200.00", name="Acme Corp", memo="INV-2026-001"),
    stmttrn("F2", "20261130200000[-5:EST]", "-12.50", name="Cafe Bleu", checknum="1001"),
], balance="1187.50", asof="20261130")])

EUR_CAMT = camt_file([stmt([
    ntry("1200.00", "CRDT", "2026-11-05", ref="ACSR-1", info="SEPA credit transfer",
         tx=txdtls("Acme GmbH", "FR1420041010050500013M02606", "Dbtr", ustrd="INV-2026-001")),
    ntry("12.50", "DBIT", "2026-11-07", ref="ACSR-2", status="PDNG",
         tx=txdtls("Cafe Bleu", "DE02120300000000202051", "Cdtr")),
], balances=bal("OPBD", "0.00", "2026-11-01") + bal("CLBD", "1187.50", "2026-11-30"))], version="053.001.08")


@pytest.mark.parametrize("name,data,account,expected", [
    ("nov.ofx", USD_OFX, "usd", [
        "would add income tx-20261105-XXXXXX: line 20, 2026-11-05 1,200.00 USD Acme Corp",
        "would add expense tx-20261130-XXXXXX: line 28, 2026-11-30 -12.50 USD Cafe Bleu",
        "would add balance b-XXXXXX: balance of account usd at the end of 2026-11-30: 1,187.50 USD",
        "nov.ofx: 2 added, 0 updated, 0 skipped as duplicates (dry run: nothing written)"]),
    ("nov.qfx", ofx_file([stmtrs("4111", "USD", [stmttrn("C1", "20261103", "-42.00", name="Hosting Inc")],
                                 balance="-42.00", card=True)], qfx=True, card=True), "usd", [
        "would add expense tx-20261103-XXXXXX: line 20, 2026-11-03 -42.00 USD Hosting Inc",
        "would add balance b-XXXXXX: balance of account usd at the end of 2026-11-30: -42.00 USD",
        "nov.qfx: 1 added, 0 updated, 0 skipped as duplicates (dry run: nothing written)"]),
    ("nov.xml", EUR_CAMT, "bank", [
        "would add income tx-20261105-XXXXXX: line 10, 2026-11-05 1,200.00 EUR Acme GmbH",
        "would add expense tx-20261107-XXXXXX: line 16, 2026-11-07 -12.50 EUR Cafe Bleu (pending)",
        "would add balance b-XXXXXX: balance of account bank at the end of 2026-11-30: 1,187.50 EUR",
        "nov.xml: 2 added, 0 updated, 0 skipped as duplicates (dry run: nothing written)"]),
], ids=["ofx", "qfx", "camt"])
def test_dry_run_of_each_format_says_what_it_would_add(book, tmp_path, name, data, account, expected):
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", account, "--dry-run")
    assert r.exit_code == 0, r.output
    # (why a line is left for review is the matcher's to say: tests/test_bank_*.py)
    got = [re.sub(r"; for review: .*$", "", line) for line in ids_masked(r.stdout).splitlines()]
    assert [g for g in got if g.startswith(("would add", name))] == expected
    assert snapshot(book) == before


def test_ofx_import_then_again_adds_nothing_and_keeps_fitids(book, tmp_path):
    path = tmp_path / "nov.ofx"
    path.write_bytes(USD_OFX)
    r = fl(book, "bank", "import", path, "--account", "usd", "--json")
    assert r.exit_code == 0, r.output
    added = json.loads(r.stdout)["added"]
    assert [(a["bank_ref"], a["amount"], a["kind"]) for a in added] == [("F1", "1200.00", "income"),
                                                                        ("F2", "12.50", "expense")]
    before = snapshot(book)
    r = fl(book, "bank", "import", path, "--account", "usd")
    assert r.exit_code == 0 and "0 added, 0 updated, 2 skipped as duplicates" in r.stdout, r.output
    assert snapshot(book) == before


def test_camt_pending_line_comes_back_booked(book, tmp_path):
    first = tmp_path / "a.xml"
    first.write_bytes(EUR_CAMT)
    assert fl(book, "bank", "import", first, "--account", "bank").exit_code == 0
    later = tmp_path / "b.xml"
    later.write_bytes(camt_file([stmt([ntry("12.50", "DBIT", "2026-11-09", ref="ACSR-2", v8=True,
                                            tx=txdtls("Cafe Bleu", side="Cdtr"))])], version="053.001.08"))
    r = fl(book, "bank", "import", later, "--account", "bank")
    assert r.exit_code == 0, r.output
    assert "b.xml: 0 added, 1 updated, 0 skipped as duplicates" in r.stdout


def test_real_statements_import(book, tmp_path):
    r = fl(book, "bank", "import", REAL / "genkgo-camt053.v2.multi.statement.xml", "--account", "bank", "--dry-run")
    # two statements of one account (not "several accounts"): both read, in date order, each balance
    assert r.exit_code == 0, r.output
    assert "2 added, 0 updated, 0 skipped" in r.stdout and "holds" not in r.output
    r = fl(book, "bank", "import", REAL / "ofxparse-chase_cc.qfx", "--account", "usd", "--dry-run")
    assert r.exit_code == 0, r.output
    assert "2020-01-01 -10.00 USD SQ *ECCO UN POCO \u00a6 NATURA" in r.stdout


BOMB = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        b'<Document><BkToCstmrStmt><Stmt><Id>&lol2;</Id></Stmt></BkToCstmrStmt></Document>\n')


@pytest.mark.parametrize("name,data,code,message", [
    ("bomb.xml", BOMB, 1, "bomb.xml: line 2: declares a DOCTYPE (<!DOCTYPE ...>); bank statements never do, and such "
     "a declaration is how an XML bomb or an external entity gets in: not read"),
    ("xxe.xml", b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<Document/>',
     1, "xxe.xml: line 2: declares a DOCTYPE (<!DOCTYPE ...>); bank statements never do, and such a declaration "
     "is how an XML bomb or an external entity gets in: not read"),
    ("latin.xml", EUR_CAMT.replace(b"Cafe", b"Caf\xe9"), 1, "latin.xml: line 19: byte 0xE9 is not UTF-8 text; the "
     "file says it is UTF-8: save it again in that encoding, or download it again"),
    ("cut.xml", EUR_CAMT[:EUR_CAMT.index(b"ACSR-2")], 1, "cut.xml: line 18: the XML ends too soon (Premature end of "
     "data in tag AcctSvcrRef line 18): the file is cut short (download it again)"),
    ("cut.ofx", USD_OFX[:-40], 1, "cut.ofx: ends before </OFX>: the file is cut short (download it again)"),
    ("pain.xml", b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
     b'<CstmrCdtTrfInitn/></Document>', 1, "pain.xml: the document holds <CstmrCdtTrfInitn>, expected "
     "<BkToCstmrStmt> (CAMT.053), <BkToCstmrAcctRpt> (.052) or <BkToCstmrDbtCdtNtfctn> (.054); not a bank statement"),
    ("empty.xml", camt_file([stmt([])], version="053.001.02"), 1, "empty.xml: <Stmt> STMT-2026-11 (line 5): the "
     "statement is empty (no entries, no balances); nothing to import"),
    ("huge.ofx", ofx_file([stmtrs("1", "USD", [stmttrn("F1", "20261105", "1000000000000")])]), 1,
     "huge.ofx: line 20: TRNAMT 1000000000000 is too large (at most 12 digits before the point)"),
    ("notxml.xml", b'<?xml version="1.0"?>\n<feed/>', 2, "notxml.xml: an XML file that no statement reader claims "
     "(formats: ofx, camt, mt940, csv); give --format"),
], ids=lambda v: v if isinstance(v, str) and v.endswith((".xml", ".ofx")) and len(v) < 20 else "")
def test_broken_files_exact_message_exit_code_book_unchanged(book, tmp_path, name, data, code, message):
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(book)
    for extra in ([], ["--dry-run"]):
        r = fl(book, "bank", "import", path, "--account", "bank", *extra)
        assert (r.exit_code, r.stderr) == (code, f"freelance: error: {message}\n"), r.output
        assert r.stdout == ""
    assert snapshot(book) == before


def test_a_huge_file_is_refused_before_it_is_read(book, tmp_path):
    path = tmp_path / "year.xml"
    with open(path, "wb") as f:
        f.truncate(64 * 2**20 + 1)            # sparse: reading it would take 64 MB
    before = snapshot(book)
    p = run_proc("--books", book, "bank", "import", path, "--account", "bank")
    assert (p.returncode, p.stderr) == (1, f"freelance: error: {path}: 64 MB, more than the 64 MB a statement file "
                                           "may have; not read (export a shorter period from the bank)\n")
    assert "Traceback" not in p.stderr and snapshot(book) == before


def test_camt_entries_whose_reference_is_the_placeholder_nonref_are_five_lines(book, tmp_path):
    # a real bank's export: every entry's AcctSvcrRef is NONREF; a placeholder is not an id
    entries = [ntry(f"{n}0.00", "DBIT", f"2026-11-0{n}", ref="NONREF", tx=txdtls(f"Shop {n}", side="Cdtr"))
               for n in range(1, 6)]
    path = tmp_path / "nonref.xml"
    path.write_bytes(camt_file([stmt(entries, balances=bal("CLBD", "150.00", "2026-11-05", ind="DBIT"))]))
    r = fl(book, "bank", "import", path, "--account", "bank", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [a["payee"] for a in out["added"]] == [f"Shop {n}" for n in range(1, 6)] and out["skipped"] == []
    assert all(a["bank_ref"].startswith("h:") for a in out["added"])
    r = fl(book, "bank", "import", path, "--account", "bank")
    assert "0 added, 0 updated, 5 skipped as duplicates" in r.stdout, r.output


def test_a_camt_file_of_several_statements_of_one_account_imports_each_with_its_balance(book, tmp_path):
    days = [stmt([ntry("10.00", "CRDT", "2026-11-02", ref="A1")], sid="S-02",
                 balances=bal("CLBD", "5.00", "2026-11-02")),
            stmt([ntry("5.00", "DBIT", "2026-11-01", ref="A0")], sid="S-01",        # the file is not in date order
                 balances=bal("CLBD", "5.00", "2026-11-01", ind="DBIT"))]
    path = tmp_path / "days.xml"
    path.write_bytes(camt_file(days))
    r = fl(book, "bank", "import", path, "--account", "bank", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [a["bank_ref"] for a in out["added"]] == ["A0", "A1"]
    assert [(b["date"], b["amount"]) for b in out["balances"]] == [("2026-11-01", "-5.00"), ("2026-11-02", "5.00")]
    assert fl(book, "validate").exit_code == 0


def test_the_import_runs_the_doors_follow_ups_for_every_record(book, tmp_path, monkeypatch):
    """door.import_statement commits through door.commit: each kind's follow-up is asked once,
    with every record of that kind the import touches (here: two lines and a balance)."""
    from freelance.changes import door
    from freelance.core.statement import Statement, StatementLine
    from freelance.store.book import Book
    import datetime as dt
    from decimal import Decimal
    asked = {}

    def spy(kind):
        def follow(book, changes):
            asked[kind] = [(old, dict(new)["amount"]) for old, new in changes]
            return [], [f"{kind} followed up"]
        return follow
    monkeypatch.setitem(door.FOLLOW_UPS, "transaction", spy("transaction"))
    monkeypatch.setitem(door.FOLLOW_UPS, "balance", spy("balance"))
    st = Statement(lines=[StatementLine(dt.date(2026, 11, 2), Decimal("10.00"), payee="A", line=1),
                          StatementLine(dt.date(2026, 11, 3), Decimal("-2.50"), payee="B", line=2)],
                   closing=(dt.date(2026, 11, 3), Decimal("7.50")), source="s")
    b = Book(book, dt.date(2026, 12, 2))
    with b.locked():
        plan = door.import_statement(b, st, "bank")
    assert asked == {"transaction": [(None, Decimal("10.00")), (None, Decimal("2.50"))],
                     "balance": [(None, Decimal("7.50"))]}
    assert plan.notes == ["transaction followed up", "balance followed up"]


def test_an_account_number_that_is_not_an_iban_picks_its_statement_in_a_multi_account_ofx(book):
    # ofxparse's multi-account file: accounts 9100 and 9200 (US numbers, no IBAN)
    r = fl(book, "account", "add", "savings", "--currency", "USD", "--iban", "9200")
    assert r.exit_code == 2 and "goes in --number" in r.stderr, r.output
    assert fl(book, "account", "add", "savings", "--currency", "USD", "--number", "9200").exit_code == 0
    assert "number: '9200'" in (book / "freelance.yaml").read_text(encoding="utf-8")
    r = fl(book, "bank", "import", REAL / "ofxparse-multiple_accounts2.ofx", "--account", "savings", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["balance"]["amount"] == "222"
    r = fl(book, "bank", "import", REAL / "ofxparse-multiple_accounts2.ofx", "--account", "usd", "--dry-run")
    assert r.exit_code == 2 and "--number" in r.stderr, r.output
    assert fl(book, "account", "edit", "usd", "--number", "9100").exit_code == 0
    r = fl(book, "bank", "import", REAL / "ofxparse-multiple_accounts2.ofx", "--account", "usd", "--json")
    assert json.loads(r.stdout)["balance"]["amount"] == "111", r.output
    assert fl(book, "validate").exit_code in (0, 1) and "unknown key 'number'" not in fl(book, "validate").stdout
