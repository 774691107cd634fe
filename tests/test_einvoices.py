"""Receipts in the book and supplier e-invoices read in (issue 29, docs/suppliers.md).

The e-invoices are real files of other tools (tests/data/einvoices/, from the ZUGFeRD
corpus, Apache-2.0): Factur-X MINIMUM, BASIC WL, EN 16931 and EXTENDED, ZUGFeRD 1.0 and 2.0,
XRechnung in UBL and in CII, a plain CII file, and a PDF without e-invoice data. The values
expected below were read by hand from each file's XML (GrandTotalAmount / TaxInclusiveAmount,
TaxTotalAmount, each ApplicableTradeTax / TaxSubtotal, the seller's Name).
"""
from __future__ import annotations

import json
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

TODAY = "2026-11-25"
DATA = ROOT / "tests" / "data" / "einvoices"

# file -> (format, supplier name, number, issued, due, total, tax, [(rate, net, tax)], payment IBAN)
EXPECTED = {
    "Facture_FR_MINIMUM.pdf": ("Factur-X/ZUGFeRD 2 MINIMUM", "Au bon moulin", "FA-2017-0010", "2017-11-13", None,
                               "671.15", "46.25", [], None),
    "Facture_FR_BASICWL.pdf": ("Factur-X/ZUGFeRD 2 BASICWL", "Au bon moulin", "FA-2017-0010", "2017-11-13",
                               "2017-12-13", "671.15", "46.25", [("20", "81.90", "16.38"), ("5.5", "543.00", "29.87")],
                               "FR2012421242124212421242124"),
    "MustangGnuaccountingBeispielRE-20201121_508.pdf": (
        "Factur-X/ZUGFeRD 2 EN16931", "Bei Spiel GmbH", "RE-20201121/508", "2020-11-21", "2020-12-12", "571.04",
        "75.04", [("7", "160.00", "11.20"), ("19", "336.00", "63.84")], "DE88200800000970375700"),
    "zugferd_2p0_EXTENDED_Warenrechnung.pdf": (
        "Factur-X/ZUGFeRD 2 EXTENDED", "MUSTERLIEFERANT GMBH", "R87654321012345", "2018-08-06", None, "518.99",
        "70.00", [("19", "321.40", "61.07"), ("7", "127.59", "8.93")], None),
    "ZUGFeRD_1p0_BASIC_Einfach.pdf": ("ZUGFeRD 1.0 BASIC", "Lieferant GmbH", "471102", "2013-03-05", None, "235.62",
                                      "37.62", [("19", "198.00", "37.62")], "DE08700901001234567890"),
    "XRECHNUNG_Einfach.ubl.xml": ("XRechnung (UBL)", "Lieferant GmbH", "471102", "2024-11-15", None, "529.87", "56.87",
                                  [("7", "275.00", "19.25"), ("19", "198.00", "37.62")], "DE02120300000000202051"),
    "XRECHNUNG_Einfach.cii.xml": ("XRechnung (CII)", "Lieferant GmbH", "471102", "2024-11-15", None, "529.87", "56.87",
                                  [("7", "275.00", "19.25"), ("19", "198.00", "37.62")], "DE02120300000000202051"),
    "EN16931_Einfach.cii.xml": ("Factur-X/ZUGFeRD 2 EN16931", "Lieferant GmbH", "471102", "2018-03-05", None,
                                "529.87", "56.87", [("7", "275.00", "19.25"), ("19", "198.00", "37.62")], None),
}
NO_XML = "RE-E-974-Hetzner_2016-01-19_R0005532486.pdf"


@pytest.fixture
def book(empty_book) -> Path:
    s = (empty_book / "freelance.yaml").read_text(encoding="utf-8")
    (empty_book / "freelance.yaml").write_text(s.replace("currency: USD", "currency: EUR"), encoding="utf-8")
    return empty_book


def fl(book: Path, *args, **kw):
    return run_cli(*args, books=book, today=TODAY, **kw)


def show(book: Path, rid: str) -> dict:
    r = fl(book, "expense", "show", rid, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def files_of(book: Path) -> dict:
    return {str(p.relative_to(book)): p.read_bytes() for p in sorted(book.rglob("*"))
            if p.is_file() and ".freelance" not in p.parts}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_real_einvoice_imports_with_its_supplier_totals_and_tax_to_the_cent(book, name):
    fmt, seller, number, issued, due, total, tax, taxes, iban = EXPECTED[name]
    r = fl(book, "expense", "import", DATA / name, "--account", "bank")
    assert r.exit_code == 0, r.output
    rid = r.stdout.strip()
    assert re.fullmatch(r"tx-\d{8}-[0-9a-f]{6}", rid), r.stdout       # the id alone on stdout, for scripts
    assert fmt in r.stderr
    got = show(book, rid)
    sup = json.loads(fl(book, "supplier", "show", got["supplier"], "--format", "json").stdout)
    assert sup["name"] == seller
    assert (got["number"], got["issued"], got["due"], got["currency"]) == (number, issued, due, "EUR")
    assert (Decimal(got["amount"]), Decimal(got["tax"])) == (Decimal(total), Decimal(tax))
    assert [(Decimal(t["rate"]), Decimal(t["net"]), Decimal(t["tax"])) for t in got["taxes"] or []] == \
        [tuple(Decimal(x) for x in t) for t in taxes]
    assert got["iban"] == iban and got["status"] == "open" and got["received"] is False
    receipt = got["receipt"]
    assert receipt.startswith(f"documents/{issued[:4]}/{issued}-{got['supplier']}-") and (book / receipt).is_file()
    assert (book / receipt).read_bytes() == (DATA / name).read_bytes()          # the original, kept as it came
    assert fl(book, "validate").exit_code == 0


def test_the_same_file_twice_adds_nothing_and_a_pdf_without_xml_leaves_a_draft(book, tmp_path):
    ubl = DATA / "XRECHNUNG_Einfach.ubl.xml"
    first = fl(book, "expense", "import", ubl, DATA / NO_XML)
    assert first.exit_code == 0, first.output
    bill, draft = first.stdout.split()
    before = files_of(book)
    # the same file again, and the same invoice as CII (the supplier's IBAN and the number): nothing added
    again = fl(book, "expense", "import", ubl, DATA / "XRECHNUNG_Einfach.cii.xml")
    assert again.exit_code == 0 and again.stdout.split() == [bill, bill]
    assert "imported before" in again.stderr
    assert files_of(book) == before
    d = show(book, draft)
    assert d["draft"] is True and d["amount"] is None and (book / d["receipt"]).read_bytes() == (DATA / NO_XML).read_bytes()
    v = fl(book, "validate")
    assert v.exit_code == 0 and f"expense '{draft}': a draft to complete" in v.output
    assert fl(book, "expense", "edit", draft, "--amount", "49.90", "--category", "software", "--not-draft").exit_code == 0
    assert "draft" not in fl(book, "validate").output


def test_what_is_not_an_invoice_or_not_valid_is_refused_with_a_clear_message(book, tmp_path):
    before = files_of(book)
    other = tmp_path / "order.xml"
    other.write_text('<?xml version="1.0"?><Order xmlns="urn:example"><ID>1</ID></Order>', encoding="utf-8")
    r = fl(book, "expense", "import", other)
    assert r.exit_code == 2 and "order.xml" in r.stderr and "is not an e-invoice" in r.stderr
    text = tmp_path / "notes.xml"
    text.write_text("just some notes", encoding="utf-8")
    r = fl(book, "expense", "import", text)
    assert r.exit_code == 2 and "not XML" in r.stderr
    broken = tmp_path / "broken.ubl.xml"      # the UBL invoice without its issue date: the schema says no
    broken.write_text(re.sub(r"<cbc:IssueDate>[^<]*</cbc:IssueDate>", "",
                             (DATA / "XRECHNUNG_Einfach.ubl.xml").read_text(encoding="utf-8")), encoding="utf-8")
    r = fl(book, "expense", "import", DATA / "EN16931_Einfach.cii.xml", broken)
    assert r.exit_code == 2 and "broken.ubl.xml" in r.stderr and "not valid against the XRechnung (UBL) schema" in r.stderr
    assert "Traceback" not in r.output
    assert files_of(book) == before                   # every file is checked before any is imported


def test_receipts_are_stored_once_by_content_and_named_by_date_supplier_and_hash(book, tmp_path):
    assert fl(book, "supplier", "add", "Café Müller", "--category", "travel").exit_code == 0
    photo = tmp_path / "IMG_0001.JPG"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"a receipt photo" * 50)
    r = fl(book, "expense", "add", "3.50", "--supplier", "cafe-muller", "--date", "2026-11-04", "--paid",
           "--receipt", photo)
    assert r.exit_code == 0, r.output
    a = re.search(r"added expense '([^']+)'", r.output).group(1)
    got = show(book, a)
    assert re.fullmatch(r"documents/2026/2026-11-04-cafe-muller-[0-9a-f]{12}\.jpg", got["receipt"])
    assert (book / got["receipt"]).read_bytes() == photo.read_bytes() and not (book / got["receipt"]).is_symlink()
    assert got["receipt"] in fl(book, "expense", "show", a).stdout
    b = re.search(r"added expense '([^']+)'", fl(book, "expense", "add", "3.50", "--category", "travel",
                                                 "--date", "2026-11-05", "--paid").output).group(1)
    r = fl(book, "expense", "attach", b, photo)             # the same photo: the file stored once
    assert r.exit_code == 0 and "stored already" in r.output
    assert show(book, b)["receipt"] == got["receipt"]
    assert len(list((book / "documents").rglob("*.*"))) == 1
    r = fl(book, "expense", "attach", b, tmp_path / "missing.jpg")
    assert r.exit_code == 2 and "missing.jpg" in r.stderr
    r = fl(book, "income", "add", "10", "--classification", "other", "--received")
    inc = re.search(r"added income '([^']+)'", r.output).group(1)
    r = fl(book, "expense", "attach", inc, photo)
    assert r.exit_code == 2


def test_gobd_mode_lists_every_expense_without_a_receipt_and_beancount_carries_documents(book, tmp_path):
    from beancount import loader
    receipt = tmp_path / "bill.pdf"
    receipt.write_bytes(b"%PDF-1.4\n% a bill\n")
    with_one = re.search(r"added expense '([^']+)'", fl(book, "expense", "add", "119", "--category", "software",
                                                        "--date", "2026-11-02", "--paid", "--receipt", receipt).output).group(1)
    without = re.search(r"added expense '([^']+)'", fl(book, "expense", "add", "20", "--category", "office",
                                                       "--date", "2026-11-03", "--paid").output).group(1)
    assert fl(book, "validate").exit_code == 0                  # not asked for: no receipt is fine
    assert fl(book, "settings", "set", "require_receipts", "true").exit_code == 0
    v = fl(book, "validate", "--format", "json")
    assert v.exit_code == 1
    missing = [p for p in json.loads(v.stdout) if "no receipt" in p["message"]]
    assert [p["id"] for p in missing] == [without] and with_one not in v.stdout
    out = tmp_path / "book.beancount"
    assert fl(book, "export", "beancount", "--out", out).exit_code == 0
    entries, errors, _ = loader.load_file(str(out))
    assert not errors, errors
    docs = [e for e in entries if type(e).__name__ == "Document"]
    stored = show(book, with_one)["receipt"]
    assert [(d.account, os.path.realpath(d.filename)) for d in docs] == \
        [("Expenses:Software", os.path.realpath(book / stored))]


def test_a_receipt_is_never_read_or_written_through_a_link_out_of_the_book(book, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (book / "documents").symlink_to(outside, target_is_directory=True)
    receipt = tmp_path / "r.pdf"
    receipt.write_bytes(b"%PDF-1.4\n% r\n")
    r = fl(book, "expense", "add", "5", "--category", "office", "--receipt", receipt)
    assert r.exit_code != 0 and "out of the book" in r.stderr
    assert list(outside.iterdir()) == []
    (book / "documents").unlink()
    rid = re.search(r"added expense '([^']+)'", fl(book, "expense", "add", "5", "--category", "office",
                                                   "--receipt", receipt).output).group(1)
    stored = book / show(book, rid)["receipt"]
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF secret")
    stored.unlink()
    stored.symlink_to(secret)            # swapped for a link out of the book
    v = fl(book, "validate")
    assert v.exit_code == 1 and "out of the book" in v.output


def test_an_imported_bill_is_paid_from_the_bank_statement_by_its_iban(book, tmp_path):
    (book / "bank-rules").mkdir(exist_ok=True)
    (book / "bank-rules" / "plain.yaml").write_text(
        'delimiter: ";"\ndate_format: "%Y-%m-%d"\ncolumns:\n  date: date\n  amount: amount\n  payee: payee\n'
        '  iban: iban\n  reference: reference\n', encoding="utf-8")
    rid = fl(book, "expense", "import", DATA / "MustangGnuaccountingBeispielRE-20201121_508.pdf").stdout.strip()
    csv = tmp_path / "dec.csv"
    csv.write_text("date;amount;payee;iban;reference\n"
                   "2020-12-10;-571.04;Bei Spiel GmbH;DE88200800000970375700;Kd 7\n", encoding="utf-8")
    r = fl(book, "bank", "import", csv, "--account", "bank", "--rules", "plain")
    assert r.exit_code == 0, r.output
    got = show(book, rid)
    assert (got["status"], got["date"], got["issued"]) == ("paid", "2020-12-10", "2020-11-21")
    cash = fl(book, "export", "hledger").stdout
    assert "assets:tax:tax  11.20 EUR" in cash and "assets:tax:tax  63.84 EUR" in cash
    vat = json.loads(fl(book, "report", "vat", "--period", "2020-Q4", "--format", "json").stdout)
    assert [(x["rate"], x["net"], x["tax"]) for x in vat["inputs"]] == [("19", "336.00", "63.84"), ("7", "160.00", "11.20")]


def test_the_record_page_links_the_receipt_and_serves_it_only_from_inside_the_book(book, tmp_path):
    from servehelp import Live
    receipt = tmp_path / "bill.pdf"
    receipt.write_bytes(b"%PDF-1.4\n% the bill\n")
    rid = re.search(r"added expense '([^']+)'", fl(book, "expense", "add", "119", "--category", "software",
                                                   "--receipt", receipt).output).group(1)
    other = re.search(r"added expense '([^']+)'", fl(book, "expense", "add", "5", "--category", "office").output).group(1)
    live = Live(book)
    try:
        c = live.client()
        page = c.get(f"/r/expense/{rid}")
        assert page.status_code == 200 and f'href="/receipt/{rid}"' in page.text
        got = c.get(f"/receipt/{rid}")
        assert got.status_code == 200 and got.content == receipt.read_bytes()
        assert got.headers["content-type"] == "application/pdf" and got.headers["x-content-type-options"] == "nosniff"
        assert c.get(f"/receipt/{other}").status_code == 400           # no receipt
        stored = book / show(book, rid)["receipt"]
        secret = tmp_path / "secret.pdf"
        secret.write_bytes(b"%PDF secret")
        stored.unlink()
        stored.symlink_to(secret)                                       # a link out of the book: refused
        bad = c.get(f"/receipt/{rid}")
        assert bad.status_code != 200 and b"%PDF secret" not in bad.content and b"out of the book" in bad.content
    finally:
        live.stop()
