"""Found by a new user's QA pass: each test drives the real CLI and failed before its fix."""
from __future__ import annotations

import pytest

from conftest import run_cli  # noqa: F401


def _bytes(book):
    return {p.relative_to(book): p.read_bytes() for p in sorted(book.rglob("*.yaml"))}


@pytest.mark.parametrize("typed", ["1,5", "1.200,50", "1,2345", ",5", "12,00"])
def test_a_decimal_comma_is_refused_not_read_as_a_bigger_number(cli, typed):
    before = _bytes(cli.book)
    r = cli("income", "add", typed, "--classification", "salary")
    assert r.exit_code == 2, r.output
    assert "not a number" in r.stderr and "1,200.50" in r.stderr
    assert _bytes(cli.book) == before


def test_thousands_separators_still_read(cli):
    r = cli("income", "add", "1,200.50", "--classification", "salary", "--id", "tx-qa-1")
    assert r.exit_code == 0, r.output
    assert "  amount: 1200.50\n" in (cli.book / "transactions" / "2026.yaml").read_text()


def test_an_invoice_item_quantity_with_a_decimal_comma_is_refused(cli):
    before = _bytes(cli.book)
    r = cli("invoice", "add", "--client", "acme", "--item", "Design:1,5:100")
    assert r.exit_code == 2, r.output
    assert "quantity: '1,5' is not a number" in r.stderr
    assert _bytes(cli.book) == before
