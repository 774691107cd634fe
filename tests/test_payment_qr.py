"""Paying by phone and an account per currency (issue 27, docs/payment-qr.md): the invoice PDF's
GiroCode is read back from the rendered page by a real decoder (zbar) and checked against the
fields of EPC069-12; a CHF invoice's Swiss QR-bill likewise; a USD invoice names the USD account."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import run_cli

TODAY = "2026-11-30"
pytestmark = pytest.mark.skipif(not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
                                reason="zbar-tools and poppler-utils are not installed (.ci/run installs them)")


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def codes(pdf: Path) -> list[str]:
    """Every QR code on the PDF's pages, as the decoder reads it (its bytes as UTF-8)."""
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    out = []
    for png in sorted(pdf.parent.glob(f"{pdf.stem}-*.png")):
        p = subprocess.run(["zbarimg", "--raw", "-q", "-Sbinary", "-Sdisable", "-Sqrcode.enable", str(png)],
                           capture_output=True)
        assert p.returncode in (0, 4), p.stderr      # 4: no code on this page
        if p.stdout:
            out.append(p.stdout.decode("utf-8").rstrip("\n"))
    return out


def make_book(root: Path, currency: str, business: dict, client: list[str]) -> Path:
    ok(run_cli("init", root, "--no-git", "--currency", currency, "--name", "Studio", today=None))
    for key, value in business.items():
        ok(run_cli("settings", "set", f"business.{key}", value, books=root, today=TODAY))
    ok(run_cli("client", "add", *client, books=root, today=TODAY))
    return root


@pytest.fixture(scope="module")
def eur(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("qr") / "book"
    make_book(root, "EUR", {"legal_name": "Jana Müller Design", "address": "Hauptstraße 1", "postcode": "10115",
                            "city": "Berlin", "country": "DE", "vat_id": "DE136695976",
                            "iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"},
              ["Kunde AG", "--address", "Marktplatz 2", "--postcode", "80331", "--city", "München", "--country", "DE"])
    ok(run_cli("client", "add", "Acme", "--address", "500 Market Street", "--postcode", "94105",
               "--city", "San Francisco", "--country", "US", "--currency", "USD", books=root, today=TODAY))
    ok(run_cli("account", "add", "wise-usd", "--currency", "USD", "--iban", "BE71 0961 2345 6769", books=root, today=TODAY))
    ok(run_cli("account", "edit", "wise-usd", "--bic", "TRWIBEB1XXX", books=root, today=TODAY))
    ok(run_cli("invoice", "add", "--client", "kunde-ag", "--item", "Entwicklung:12.5:95.50", "--item", "Buch:1:39.90:7%",
               "--tax-rate", "19", "--issued", "2026-11-10", "--status", "sent", books=root, today=TODAY))
    ok(run_cli("invoice", "add", "--client", "acme", "--amount", "1234.56", "--issued", "2026-11-12",
               "--status", "sent", books=root, today=TODAY))
    return root


def test_a_eur_invoice_carries_a_girocode_that_meets_epc069_12(eur, tmp_path):
    pdf = tmp_path / "inv.pdf"
    ok(run_cli("invoice", "pdf", "INV-2026-001", "--out", pdf, books=eur, today=TODAY))
    total = Decimal(json.loads(ok(run_cli("invoice", "show", "INV-2026-001", "--format", "json", books=eur,
                                          today=TODAY)).stdout)["total"])
    [payload] = codes(pdf)
    assert len(payload.encode("utf-8")) <= 331                        # the most an EPC QR code may hold
    lines = payload.split("\n")
    assert 11 <= len(lines) <= 12
    tag, version, charset, ident, bic, name, iban, amount, purpose, reference, text = lines[:11]
    assert (tag, ident) == ("BCD", "SCT")                             # service tag, SEPA credit transfer
    assert version in ("001", "002") and charset in "12345678" and len(charset) == 1
    assert re.fullmatch(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?", bic) and bic == "COBADEFFXXX"
    assert name == "Jana Müller Design" and len(name) <= 70
    assert iban == "DE89370400440532013000"
    m = re.fullmatch(r"EUR(\d{1,9}(?:\.\d{1,2})?)", amount)
    assert m and Decimal(m.group(1)) == total and Decimal("0.01") <= total <= Decimal("999999999.99")
    assert len(purpose) <= 4 and reference == ""                      # structured or unstructured, not both
    assert text == "INV-2026-001" and len(text) <= 140


def test_an_invoice_names_the_account_of_its_currency_and_no_girocode_outside_eur(eur, tmp_path):
    pdf = tmp_path / "usd.pdf"
    ok(run_cli("invoice", "pdf", "INV-2026-002", "--out", pdf, books=eur, today=TODAY))
    assert codes(pdf) == []                                           # a GiroCode is for euros only
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "BE71 0961 2345 6769" in text and "TRWIBEB1XXX" in text and "DE89" not in text
    xml = ok(run_cli("invoice", "xml", "INV-2026-002", books=eur, today=TODAY)).stdout
    assert "<ram:IBANID>BE71096123456769</ram:IBANID>" in xml and "<ram:BICID>TRWIBEB1XXX</ram:BICID>" in xml
    xml = ok(run_cli("invoice", "xml", "INV-2026-001", books=eur, today=TODAY)).stdout     # EUR: the business's
    assert "<ram:IBANID>DE89370400440532013000</ram:IBANID>" in xml


def test_a_chf_invoice_carries_a_swiss_qr_bill(tmp_path):
    root = make_book(tmp_path / "ch", "CHF", {"legal_name": "Atelier Rösti GmbH", "address": "Bahnhofstrasse 1",
                                              "postcode": "8001", "city": "Zürich", "country": "CH",
                                              "tax_number": "CHE-116.281.710 MWST", "iban": "CH44 3199 9123 0008 8901 2"},
                     ["Kunde", "--address", "Marktgasse 3", "--postcode", "3011", "--city", "Bern", "--country", "CH"])
    ok(run_cli("invoice", "add", "--client", "kunde", "--item", "Beratung:2:150", "--tax-rate", "8.1",
               "--issued", "2026-11-20", "--status", "sent", books=root, today=TODAY))
    pdf = tmp_path / "chf.pdf"
    ok(run_cli("invoice", "pdf", "INV-2026-001", "--out", pdf, books=root, today=TODAY))
    [payload] = codes(pdf)
    lines = payload.replace("\r\n", "\n").split("\n")
    assert lines[:4] == ["SPC", "0200", "1", "CH4431999123000889012"]      # Swiss Payments Code, version, UTF-8
    assert lines[5] == "Atelier Rösti GmbH" and "Zürich" in lines
    assert lines[lines.index("CHF") - 1] == "324.30"
    ref = lines.index("QRR")                        # a QR-IBAN takes a QR reference: the number's digits
    assert lines[ref + 1] == "000000000000000000020260010" and lines[ref + 2] == "INV-2026-001"
    assert lines[ref + 3] == "EPD"
