"""The OFX/QFX and CAMT readers (issue 18): what a statement file becomes, and the exact
message for each broken or hostile file. Files are made by the tests (statement_files.py)
or are real ones from other projects' test suites (tests/data/statements/LICENSES.md)."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from freelance.core.errors import DataError, UsageError
from freelance.formats.statements import camt, ofx, read_file
from freelance.formats.statements.registry import detect
from freelance.formats.statements import guard
from statement_files import REAL, bal, ntry, stmt, stmtrs, stmttrn, txdtls
from statement_files import camt as camt_file
from statement_files import ofx as ofx_file

D = Decimal


def message(fn, *args) -> str:
    with pytest.raises(DataError) as e:
        fn(*args)
    assert "\n" not in e.value.message
    return e.value.message


# --- OFX -----------------------------------------------------------------------------------

@pytest.mark.parametrize("version", [1, 2])
def test_ofx_lines_signed_decimal_with_their_ids(version):
    xml = version == 2
    data = ofx_file([stmtrs("123456789", "USD", [
        stmttrn("F1", "20261105", "1200.00", name="Acme Corp &amp; Sons", memo="INV-2026-001", xml=xml),
        stmttrn("F2", "20261130200000.000[-5:EST]", "-12.5", name="Cafe Bleu", checknum="1001", xml=xml),
    ], balance="5187.50", asof="20261130", xml=xml)], version=version)
    [s] = ofx.read(data, "nov.ofx")
    assert (s.currency, s.account_id, s.iban) == ("USD", "123456789", None)
    a, b = s.lines
    assert (a.date, a.amount, a.payee, a.description, a.bank_id, a.reference) == \
        (date(2026, 11, 5), D("1200.00"), "Acme Corp & Sons", "INV-2026-001", "F1", "")
    assert type(a.amount) is Decimal and str(b.amount) == "-12.5"
    # the bank's own day, not UTC: 20:00 in New York on the 30th is still the 30th
    assert (b.date, b.reference, b.bank_id, b.pending) == (date(2026, 11, 30), "1001", "F2", False)
    assert s.closing == (date(2026, 11, 30), D("5187.50"))
    assert a.line < b.line and a.line > 10


def test_qfx_and_a_credit_card_statement():
    data = ofx_file([stmtrs("4111-XXXX", "USD", [stmttrn("C1", "20261103", "-42.00", name="Hosting Inc")],
                            balance="-42.00", card=True)], qfx=True, card=True)
    [s] = ofx.read(data, "card.qfx")
    assert (s.account_id, s.lines[0].payee, s.lines[0].amount, s.closing[1]) == \
        ("4111-XXXX", "Hosting Inc", D("-42.00"), D("-42.00"))


def test_ofx_several_accounts_and_currencies_in_one_file():
    data = ofx_file([
        stmtrs("111", "USD", [stmttrn("U1", "20261102", "10.00")], balance="10.00"),
        stmtrs("DE89 3704 0044 0532 0130 00", "EUR", [stmttrn("E1", "20261102", "-3,50")], balance="96,50"),
    ])
    usd, eur = ofx.read(data, "both.ofx")
    assert (usd.currency, usd.account_id) == ("USD", "111")
    assert (eur.currency, eur.iban) == ("EUR", "DE89370400440532013000")
    assert eur.lines[0].amount == D("-3.50") and eur.closing[1] == D("96.50")   # a lone decimal comma


def test_ofx_dtasof_midnight_is_the_end_of_the_day_before():
    one = [stmttrn("F1", "20261129", "5.00")]
    [s] = ofx.read(ofx_file([stmtrs("1", "USD", one, balance="5.00", asof="20261201000000")]), "m.ofx")
    assert s.closing == (date(2026, 11, 30), D("5.00"))
    [s] = ofx.read(ofx_file([stmtrs("1", "USD", one, balance="5.00", asof="20261130153000[-5:EST]")]), "m.ofx")
    assert s.closing == (date(2026, 11, 30), D("5.00"))
    # a bank writing every date with 000000: a transaction on that day says it means the date
    same_day = [stmttrn("F1", "20261201000000", "5.00")]
    [s] = ofx.read(ofx_file([stmtrs("1", "USD", same_day, balance="5.00", asof="20261201000000")]), "m.ofx")
    assert s.closing == (date(2026, 12, 1), D("5.00"))


def test_ofx_cdata_entities_and_charset():
    trn = stmttrn("F1", "20261105", "-9.99", name="<![CDATA[Caf\u00e9 <Bleu> & Co]]>", memo="caf&#233;")
    [s] = ofx.read(ofx_file([stmtrs("1", "EUR", [trn])], charset="1252"), "cp.ofx")
    assert (s.lines[0].payee, s.lines[0].description) == ("Caf\u00e9 <Bleu> & Co", "caf\u00e9")


@pytest.mark.parametrize("charset", ["8859-1", "ISO-8859-1", "1252", "CP1252"])
def test_qfx_in_latin1_or_windows_1252_is_read(charset):
    trn = stmttrn("F1", "20261105", "-9.99", name="Caf\u00e9 M\u00fcller")
    [s] = ofx.read(ofx_file([stmtrs("1", "EUR", [trn])], charset=charset, qfx=True), "q.qfx")
    assert s.lines[0].payee == "Caf\u00e9 M\u00fcller"


def test_ofx_header_problems_are_named():
    good = ofx_file([stmtrs("1", "USD", [stmttrn("F1", "20261105", "1.00")])])
    assert message(ofx.read, good.replace(b"CHARSET:1252", b"CHARSET:KLINGON"), "k.ofx") == (
        "k.ofx: the header says CHARSET:KLINGON, a character set freelance does not know; expected 1252, "
        "ISO-8859-1 or NONE")
    # a NUL in the name (the property below found it): the same message, not a ValueError from codecs
    assert message(ofx.read, good.replace(b"CHARSET:1252", b"CHARSET:12\x0052"), "n.ofx").startswith(
        "n.ofx: the header says CHARSET:12")
    assert message(ofx.read, good.replace(b"SECURITY:NONE", b"SECURITY NONE"), "h.ofx") == (
        "h.ofx: line 4: 'SECURITY NONE' is not a header line KEY:VALUE; an OFX 1 header has OFXHEADER, DATA, "
        "VERSION, SECURITY, ENCODING, CHARSET, COMPRESSION, OLDFILEUID and NEWFILEUID")


def test_no_gpl_library_is_imported_to_read_ofx():
    code = ("import sys; from statement_files import REAL; from freelance.formats.statements import ofx; "
            "[ofx.read((REAL / n).read_bytes(), n) for n in ('ofxparse-suncorp.ofx', 'ofxparse-checking.ofx')]; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ofxtools', 'ofxparse')))")
    tests = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tests,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(tests), tests])})
    assert (out.returncode, out.stdout.strip()) == (0, "[]"), out.stderr


def test_ofx2_that_is_not_well_formed_xml_is_read_as_sgml():
    # a bank writing OFX 2's header over an SGML body (values without end tags)
    data = ofx_file([stmtrs("1", "USD", [stmttrn("F1", "20261105", "1.00", name="A")], balance="1.00")])
    body = data[data.index(b"<OFX>"):]
    data2 = ofx_file([], version=2)
    data2 = data2[:data2.index(b"<OFX>")] + body
    [s] = ofx.read(data2, "mixed.ofx")
    assert (s.lines[0].payee, s.closing[1]) == ("A", D("1.00"))


def test_ofx_undecodable_byte_names_its_line():
    data = ofx_file([stmtrs("1", "USD", [stmttrn("F1", "20261105", "-9.99", name="Cafe")])], version=2)
    data = data.replace(b"Cafe", b"Caf\xe9")
    line = data[:data.index(b"Caf\xe9")].count(b"\n") + 1
    assert message(ofx.read, data, "bad.ofx") == (
        f"bad.ofx: line {line}: byte 0xE9 is not UTF-8 text; the file says it is UTF-8: "
        "save it again in that encoding, or download it again")


def test_ofx_broken_files_each_have_their_message():
    good = ofx_file([stmtrs("1", "USD", [stmttrn("F1", "20261105", "1.00")], balance="1.00")])
    cases = {
        "cut short": (good[:len(good) // 2 + 40], "cut.ofx: ends before </OFX>: the file is cut short "
                      "(download it again)"),
        "not ofx": (b"\x89PNG\r\n\x1a\n\x00\x00", "png.ofx: not an OFX file: it starts with '?PNG', "
                    "expected an OFX header (OFXHEADER:100 or <?OFX OFXHEADER=\"200\" ...?>)"),
        "empty file": (b"  \n", "empty.ofx: the file is empty, expected an OFX statement"),
        "no statement": (ofx_file([]), "none.ofx: holds no bank or credit-card statement (no STMTRS or CCSTMTRS)"),
        "empty statement": (ofx_file([stmtrs("77", "USD", [])]),
                            "estmt.ofx: STMTRS 77: the statement is empty (no transactions, no LEDGERBAL); "
                            "nothing to import"),
    }
    names = {"cut short": "cut.ofx", "not ofx": "png.ofx", "empty file": "empty.ofx",
             "no statement": "none.ofx", "empty statement": "estmt.ofx"}
    for what, (data, expected) in cases.items():
        assert message(ofx.read, data, names[what]) == expected, what


def test_ofx_bad_values_name_the_line():
    def one(trn):
        data = ofx_file([stmtrs("1", "USD", [trn])])
        return data, data[:data.index(b"<STMTTRN>")].count(b"\n") + 1
    data, line = one(stmttrn("F1", "20261105", "$120"))
    assert message(ofx.read, data, "a.ofx") == f"a.ofx: line {line}: TRNAMT is '$120', expected a number like -12.50"
    data, line = one(stmttrn("F1", "20261105", "1000000000000.00"))
    assert message(ofx.read, data, "a.ofx") == (f"a.ofx: line {line}: TRNAMT 1000000000000.00 is too large "
                                                "(at most 12 digits before the point)")
    data, line = one(stmttrn("F1", "20261131", "1.00"))
    assert message(ofx.read, data, "a.ofx") == f"a.ofx: line {line}: DTPOSTED '20261131' is not a calendar date"
    data, line = one(stmttrn("F1", "next week", "1.00"))
    assert message(ofx.read, data, "a.ofx") == (f"a.ofx: line {line}: DTPOSTED is 'next week', expected a date "
                                                "like 20261130 or 20261130120000[-5:EST]")
    data, line = one(stmttrn("F1", "18991231", "1.00"))
    assert message(ofx.read, data, "a.ofx") == (f"a.ofx: line {line}: DTPOSTED '18991231': year 1899 is not a "
                                                "year a book needs (1900 to 2999)")
    data, line = one(stmttrn("F1", "20261105", "1.00", extra="<CURRENCY><CURRATE>1.1<CURSYM>GBP</CURRENCY>\n"))
    assert message(ofx.read, data, "a.ofx") == (f"a.ofx: line {line}: the amount is in GBP (CURRENCY) on a "
                                                "statement in USD; freelance imports a statement in its own "
                                                "currency only")


def test_ofx_bank_error_instead_of_statement():
    assert message(ofx.read, (REAL / "ofxparse-error_message.ofx").read_bytes(), "e.ofx") == \
        "e.ofx: the bank answered with error 2000 (General Server Error) instead of a statement"


# --- CAMT ----------------------------------------------------------------------------------

CREDIT = ntry("1200.00", "CRDT", "2026-11-05", ref="ACSR-1", info="SEPA credit transfer",
              tx=txdtls("Acme GmbH", "FR1420041010050500013M02606", "Dbtr", ustrd="INV-2026-001"))
DEBIT = ntry("12.50", "DBIT", "2026-11-07", ref="ACSR-2",
             tx=txdtls("Cafe Bleu", "DE02120300000000202051", "Cdtr", strd="RF18539007547034"))


@pytest.mark.parametrize("version", ["053.001.02", "053.001.04", "053.001.06", "053.001.08", "053.001.10", None])
def test_camt053_every_version_reads_alike(version):
    v8 = version is not None and int(version.split(".")[-1]) >= 8
    entries = [ntry("1200.00", "CRDT", "2026-11-05", ref="ACSR-1", info="SEPA credit transfer", v8=v8,
                    tx=txdtls("Acme GmbH", "FR1420041010050500013M02606", "Dbtr", ustrd="INV-2026-001", v8=v8)),
               ntry("12.50", "DBIT", "2026-11-07", ref="ACSR-2", v8=v8,
                    tx=txdtls("Cafe Bleu", "DE02120300000000202051", "Cdtr", strd="RF18539007547034", v8=v8))]
    balances = bal("OPBD", "100.00", "2026-11-01") + bal("CLBD", "1287.50", "2026-11-30")
    data = camt_file([stmt(entries, balances=balances)], version=version or "053.001.02",
                     namespace=version is not None)
    [s] = camt.read(data, "nov.xml")
    assert (s.iban, s.account_id, s.currency, s.source) == \
        ("DE89370400440532013000", "DE89370400440532013000", "EUR", "nov.xml STMT-2026-11")
    assert s.opening == (date(2026, 11, 1), D("100.00")) and s.closing == (date(2026, 11, 30), D("1287.50"))
    a, b = s.lines
    assert (a.date, a.amount, a.payee, a.iban, a.reference, a.description, a.bank_id, a.pending) == \
        (date(2026, 11, 5), D("1200.00"), "Acme GmbH", "FR1420041010050500013M02606", "INV-2026-001",
         "SEPA credit transfer", "ACSR-1", False)
    assert (b.amount, b.payee, b.iban, b.reference, b.bank_id) == \
        (D("-12.50"), "Cafe Bleu", "DE02120300000000202051", "RF18539007547034", "ACSR-2")
    assert 0 < a.line < b.line


def test_camt_pending_in_both_forms_info_left_out_value_date_fallback():
    entries = [ntry("5.00", booked="", value_date="2026-11-09", status="PDNG", ref="P1"),
               ntry("6.00", status="PDNG", ref="P2", v8=True),
               ntry("7.00", status="INFO", ref="I1"),
               ntry("8.00", booked="2026-11-10T23:30:00+01:00", date_tag="DtTm", ref="B1")]
    [s] = camt.read(camt_file([stmt(entries)]), "p.xml")
    assert [(l.bank_id, l.pending, l.date) for l in s.lines] == [
        ("P1", True, date(2026, 11, 9)), ("P2", True, date(2026, 11, 5)), ("B1", False, date(2026, 11, 10))]


def test_camt_batch_entry_becomes_one_line_per_transaction():
    batch = ntry("300.00", "CRDT", ref="BATCH-9", info="Batch of 2", tx=(
        txdtls("Acme GmbH", ustrd="INV-1", amount="100.00", ref="TX-A")
        + txdtls("Globex SA", ustrd="INV-2", amount="200.00", v2_amount=True)))
    mismatched = ntry("50.00", "CRDT", ref="B2", info="Sum differs", tx=(
        txdtls("One", amount="10.00") + txdtls("Two", amount="10.00")))
    no_amounts = ntry("70.00", "DBIT", ref="B3", tx=txdtls("X", side="Cdtr") + txdtls("Y", side="Cdtr"))
    [s] = camt.read(camt_file([stmt([batch, mismatched, no_amounts])]), "b.xml")
    assert [(l.amount, l.payee, l.reference, l.bank_id, l.description) for l in s.lines] == [
        (D("100.00"), "Acme GmbH", "INV-1", "TX-A", "Batch of 2"),
        (D("200.00"), "Globex SA", "INV-2", "BATCH-9/2", "Batch of 2"),
        (D("50.00"), "One", "", "B2", "Sum differs"),     # details that do not add up: one line
        (D("-70.00"), "X", "", "B3", ""),
    ]


def test_camt_several_statements_and_currencies():
    data = camt_file([stmt([CREDIT], sid="EUR-1"),
                      stmt([ntry("9.00", ccy="CHF", ref="C1")], iban="CH9300762011623852957", ccy="CHF",
                           sid="CHF-1")])
    eur, chf = camt.read(data, "two.xml")
    assert (eur.currency, chf.currency, chf.iban, chf.lines[0].amount) == ("EUR", "CHF", "CH9300762011623852957",
                                                                           D("9.00"))


def test_camt052_and_054():
    rpt = camt_file([stmt([CREDIT], tag="Rpt")], version="052.001.02", message="BkToCstmrAcctRpt")
    ntf = camt_file([stmt([DEBIT], tag="Ntfctn")], version="054.001.08", message="BkToCstmrDbtCdtNtfctn")
    assert camt.read(rpt, "r.xml")[0].lines[0].bank_id == "ACSR-1"
    assert camt.read(ntf, "n.xml")[0].lines[0].amount == D("-12.50")


def test_camt_other_account_id_and_prcd_opening():
    s = camt.read(camt_file([stmt([CREDIT], other="0532013000", balances=bal("PRCD", "5.00", "2026-10-31", "DBIT"))]),
                  "o.xml")[0]
    assert (s.account_id, s.iban, s.opening) == ("0532013000", None, (date(2026, 11, 1), D("-5.00")))


def line_of(data: bytes, needle: bytes, nth: int = 1) -> int:
    at = -1
    for _ in range(nth):
        at = data.index(needle, at + 1)
    return data[:at].count(b"\n") + 1


def test_camt_broken_files_each_have_their_message():
    good = camt_file([stmt([CREDIT, DEBIT])])
    cut = good[:good.index(b"ACSR-2")]
    last = cut.count(b"\n") + 1
    assert message(camt.read, cut, "cut.xml") == (
        f"cut.xml: line {last}: the XML ends too soon (Premature end of data in tag AcctSvcrRef "
        f"line {line_of(good, b'<AcctSvcrRef>ACSR-2')}): the file is cut short (download it again)")
    latin = good.replace(b"Cafe", b"Caf\xe9")
    assert message(camt.read, latin, "l.xml") == (
        f"l.xml: line {line_of(latin, b'Caf')}: byte 0xE9 is not UTF-8 text; the file says it is UTF-8: save it "
        "again in that encoding, or download it again")
    assert message(camt.read, b"<html><body>hello</body></html>", "h.xml") == (
        "h.xml: the XML's root is <html>, expected <Document> of a CAMT.053 statement (camt.052 and camt.054 "
        "are read too); not a bank statement")
    pain = b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>'
    assert message(camt.read, pain, "p.xml") == (
        "p.xml: the document holds <CstmrCdtTrfInitn>, expected <BkToCstmrStmt> (CAMT.053), <BkToCstmrAcctRpt> "
        "(.052) or <BkToCstmrDbtCdtNtfctn> (.054); not a bank statement")
    assert message(camt.read, camt_file([]), "e.xml") == (
        "e.xml: the CAMT.053 statement holds no <Stmt>: the file is empty or cut short")
    assert message(camt.read, camt_file([stmt([])]), "s.xml") == (
        "s.xml: <Stmt> STMT-2026-11 (line 5): the statement is empty (no entries, no balances); nothing to import")
    assert message(camt.read, b"", "z.xml") == "z.xml: the file is empty, expected a CAMT.053 statement (XML)"
    assert message(camt.read, b"PK\x03\x04 zip", "zip.xml") == (
        "zip.xml: not an XML file (no element found); expected a CAMT.053 statement")


def test_camt_bad_values_name_the_line():
    gbp = camt_file([stmt([CREDIT, ntry("3.00", ccy="GBP", ref="G1")])])
    assert message(camt.read, gbp, "g.xml") == (
        f"g.xml: line {line_of(gbp, b'<Ntry>', 2)}: entry 2: the amount is in GBP, the account (<Stmt> "
        "STMT-2026-11 (line 5)) in EUR; freelance imports a statement in its account's currency only")
    huge = camt_file([stmt([ntry("99999999999999.00")])])
    assert message(camt.read, huge, "h.xml") == (
        f"h.xml: line {line_of(huge, b'<Ntry>')}: entry 1: entry amount 99999999999999.00 is too large "
        "(at most 12 digits before the point)")
    sign = camt_file([stmt([ntry("5.00", ind="PLUS")])])
    assert message(camt.read, sign, "s.xml") == (
        f"s.xml: line {line_of(sign, b'<Ntry>')}: entry 1: CdtDbtInd is 'PLUS', expected CRDT or DBIT")
    nodate = camt_file([stmt([ntry("5.00", booked="")])])
    assert message(camt.read, nodate, "d.xml") == (
        f"d.xml: line {line_of(nodate, b'<Ntry>')}: entry 1: no BookgDt or ValDt, expected the entry's date")


# --- hostile files -------------------------------------------------------------------------

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&lol9;</Id>
</Stmt></BkToCstmrStmt></Document>
"""
XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       b'<Document><BkToCstmrStmt><Stmt><Id>&xxe;</Id></Stmt></BkToCstmrStmt></Document>\n')
REFUSED = ("line 2: declares a DOCTYPE (<!DOCTYPE ...>); bank statements never do, and such a declaration is how "
           "an XML bomb or an external entity gets in: not read")


def test_xml_bomb_and_external_entity_are_refused_before_parsing():
    assert message(camt.read, BOMB, "bomb.xml") == f"bomb.xml: {REFUSED}"
    assert message(camt.read, XXE, "xxe.xml") == f"xxe.xml: {REFUSED}"
    ofx2 = ofx_file([stmtrs("1", "USD", [stmttrn("F1", "20261105", "1.00", xml=True)])], version=2)
    ofx2 = ofx2.replace(b"<?OFX", b'<!DOCTYPE o [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<?OFX', 1)
    assert message(ofx.read, ofx2, "x.ofx") == f"x.ofx: {REFUSED}"
    # a lone ENTITY declaration (no DOCTYPE before it) is refused by name too
    assert message(camt.read, b'<?xml version="1.0"?>\n<!ENTITY a "b">\n<a/>', "e.xml") == (
        "e.xml: line 2: declares an ENTITY (<!ENTITY ...>); bank statements never do, and such a declaration is "
        "how an XML bomb or an external entity gets in: not read")


def test_xml_bomb_in_utf16_is_refused_after_a_parse_that_expands_nothing():
    data = BOMB.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    assert message(camt.read, data, "b16.xml") == (
        "b16.xml: declares a DOCTYPE; bank statements never do, and such a declaration is how an XML bomb or an "
        "external entity gets in: not read")


def test_size_is_capped_before_reading(tmp_path):
    big = tmp_path / "huge.xml"
    with open(big, "wb") as f:
        f.truncate(64 * 2**20 + 1)                       # sparse: nothing is written, stat says 64 MB + 1
    assert message(read_file, big, "huge.xml") == (
        "huge.xml: 64 MB, more than the 64 MB a statement file may have; not read (export a shorter period "
        "from the bank)")
    with pytest.raises(DataError) as e:
        guard.check_size(b"x" * 101, "b.xml", limit=100)
    assert e.value.message == ("b.xml: 101 bytes, more than the 100 bytes a statement file may have; not read "
                               "(export a shorter period from the bank)")


def misuse(fn, *args) -> str:
    with pytest.raises(UsageError) as e:
        fn(*args)
    return e.value.message


def test_read_file_refuses_what_is_not_a_plain_file(tmp_path):
    assert misuse(read_file, tmp_path, "dir") == "dir: a folder; give the statement file"
    fifo = tmp_path / "pipe.ofx"
    os.mkfifo(fifo)                                   # (opened at all, it would block: it is not)
    assert misuse(read_file, fifo, "pipe.ofx") == ("pipe.ofx: not a regular file (a pipe, a device or a "
                                                   "socket); give the statement file")
    assert misuse(read_file, tmp_path / "nope.ofx", "nope.ofx") == \
        "nope.ofx: cannot read it (No such file or directory)"
    ok = tmp_path / "ok.ofx"
    ok.write_bytes(b"abc")
    assert read_file(ok) == b"abc"


def test_read_file_stops_at_the_cap_whatever_stat_said(tmp_path, monkeypatch):
    grows = tmp_path / "grows.xml"
    grows.write_bytes(b"y" * 5000)
    assert message(read_file, grows, "grows.xml", 4096) == (
        "grows.xml: 5,000 bytes, more than the 4,096 bytes a statement file may have; not read (export a "
        "shorter period from the bank)")


# --- detection -----------------------------------------------------------------------------

def test_detect_formats():
    assert detect(ofx_file([]), "x.txt") == "ofx"
    assert detect(ofx_file([], version=2), "x.txt") == "ofx"
    assert detect(camt_file([]), "x.txt") == "camt"
    assert detect(camt_file([], namespace=False), "x.txt") == "camt"     # no namespace: found by its element
    assert detect(b"Date;Amount\n2026-11-01;3,00\n", "bank.csv") == "csv"
    with pytest.raises(UsageError):
        detect(b'<?xml version="1.0"?><feed/>', "x.xml")


# --- real statements from other projects' test suites (tests/data/statements/LICENSES.md) ---

def real(name: str) -> bytes:
    return (REAL / name).read_bytes()


def test_real_ofx_files():
    [s] = ofx.read(real("ofxparse-suncorp.ofx"), "suncorp.ofx")          # OFX 2, CDATA
    assert (s.currency, s.closing, s.lines[0].payee, s.lines[0].amount) == \
        ("AUD", (date(2013, 12, 15), D("1234.12")), "EFTPOS WDL HANDYWAY ALDI STORE", D("-16.85"))
    [s] = ofx.read(real("ofxparse-checking.ofx"), "checking.ofx")        # SGML with INTU tags (QFX style)
    assert (s.currency, s.account_id, [l.amount for l in s.lines]) == \
        ("USD", "1452687~7", [D("0.01"), D("-34.51"), D("-25.00")])
    [s] = ofx.read(real("ofxparse-chase_cc.qfx"), "chase.qfx")           # says 1252, is UTF-8
    assert s.lines[0].payee == "SQ *ECCO UN POCO \u00a6 NATURA" and s.closing[1] == D("-10.00")
    a, b = ofx.read(real("ofxparse-multiple_accounts2.ofx"), "multi.ofx")
    assert (a.account_id, a.closing[1], b.account_id, b.closing[1]) == ("9100", D("111"), "9200", D("222"))
    [s] = ofx.read(real("ofxparse-anzcc.ofx"), "anz.ofx")
    assert (s.currency, s.lines[0].amount, s.lines[0].bank_id) == ("AUD", D("-5.50"), "201705080001")
    [s] = ofx.read(real("ofxparse-bank_medium.ofx"), "medium.ofx")
    assert (s.currency, len(s.lines), s.lines[1].payee) == ("CAD", 3, "Joe's Bald Hairstyles")


def test_real_camt_files():
    a, b = camt.read(real("genkgo-camt053.v2.multi.statement.xml"), "multi.xml")
    assert (a.iban, a.opening, a.closing) == ("NL26VAYB8060476890", (date(2014, 12, 30), D("18.15")),
                                              (date(2014, 12, 31), D("27.00")))
    assert a.opening[1] + sum(l.amount for l in a.lines) == a.closing[1]
    assert b.opening[1] + sum(l.amount for l in b.lines) == b.closing[1]
    assert (b.lines[0].payee, b.lines[0].iban, b.lines[0].amount) == ("Company Name 2", "NL56AGDH9619008421",
                                                                      D("-7.00"))
    [s] = camt.read(real("genkgo-camt053.v2.five.decimals.xml"), "five.xml")
    assert s.lines[0].amount == D("8.850")
    [r] = camt.read(real("genkgo-camt052.v4.xml"), "r.xml")
    assert (r.lines[0].pending, r.lines[0].payee, r.lines[0].bank_id) == (True, "UNIFITS GmbH", "ACSR160614165200001")
    [r] = camt.read(real("genkgo-camt052.v1.xml"), "v1.xml")            # BkToCstmrAcctRptV01
    assert r.lines[0].amount == D("-200000")
    [n] = camt.read(real("genkgo-camt054.v4.xml"), "n.xml")
    assert (n.lines[0].payee, n.lines[0].iban) == ("Example Creditor 3 - V1", "CH4112345003131313131")
    # a test file whose balances are in four currencies on one EUR account: refused, said why
    assert message(camt.read, real("genkgo-camt053.v8.xml"), "v8.xml") == (
        "v8.xml: line 74: balance CLBD: the amount is in SEK, the account (<Stmt> 253EURNL26VAYB8060476890 "
        "(line 30)) in EUR; freelance imports a statement in its account's currency only")


# --- whatever the bytes: statements or one DataError, never a traceback ---------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SAMPLES = {
    "ofx1": ofx_file([stmtrs("1", "USD", [stmttrn("F1", "20261105", "1.00", name="A"),
                                          stmttrn("F2", "20261106", "-2.00", memo="<![CDATA[x]]>")],
                             balance="3.00")]),
    "ofx2": ofx_file([stmtrs("1", "USD", [stmttrn("F1", "20261105", "1.00", xml=True)], balance="1.00", xml=True)],
                     version=2),
    "camt": camt_file([stmt([CREDIT, DEBIT], balances=bal("CLBD", "5.00", "2026-11-30"))]),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(sorted(SAMPLES)), cut=st.integers(0, 4000), pos=st.integers(0, 4000),
       byte=st.integers(0, 255), insert=st.binary(max_size=12))
def test_mangled_files_give_statements_or_one_data_error(sample, cut, pos, byte, insert):
    data = bytearray(SAMPLES[sample])
    pos %= len(data)
    data[pos] = byte
    data = bytes(data[:pos]) + insert + bytes(data[pos:])
    data = data[:max(cut, 1)] if cut < len(data) else data
    reader = camt.read if sample == "camt" else ofx.read
    try:
        statements = reader(data, "m")
    except DataError as e:
        assert e.message.startswith("m: ") and "\n" not in e.message
    else:
        for s in statements:
            for line in s.lines:
                assert isinstance(line.amount, Decimal) and line.amount.is_finite()
