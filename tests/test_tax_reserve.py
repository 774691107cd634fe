"""The tax reserve (issue 27, docs/tax-reserve.md): `tax_reserve: 30%` of this year's profit is to
be set aside; the summary, the digest and the dashboard compare it with the reserve account."""
from __future__ import annotations

import json

from conftest import run_cli

TODAY = "2026-12-01"


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def fl(book, *args):
    return run_cli(*args, books=book, today=TODAY)


def test_the_reserve_on_every_face(empty_book):
    book = empty_book
    for args in (("settings", "set", "currency", "EUR"), ("client", "add", "Acme"),
                 ("income", "add", "1000", "--client", "acme", "--received", "--date", "2026-03-01"),
                 ("income", "add", "500", "--client", "acme", "--received", "--date", "2025-12-30"),   # last year
                 ("expense", "add", "119", "--tax-rate", "19", "--category", "software", "--received", "--date", "2026-04-01")):
        ok(fl(book, *args))
    assert "tax_reserve" not in json.loads(ok(fl(book, "report", "summary", "--format", "json")).stdout)
    r = fl(book, "settings", "set", "tax_reserve", "130%")
    assert r.exit_code != 0 and "tax_reserve" in r.stderr and "0 to 100" in r.stderr
    ok(fl(book, "settings", "set", "tax_reserve", "30"))
    assert "tax_reserve: 30%" in (book / "freelance.yaml").read_text()
    summary = json.loads(ok(fl(book, "report", "summary", "--format", "json")).stdout)
    # profit 1,000.00 - 100.00 (net of input tax) = 900.00; 30% is 270.00; nothing in the account yet
    [row] = summary["tax_reserve"]
    assert (row["profit"], row["set_aside"], row["reserved"], row["difference"], row["currency"]) == \
        ("900.00", "270.00", "0.00", "-270.00", "EUR")
    assert summary["alerts"]["tax-reserve"] == ["-270.00 EUR"]
    assert "account add tax-reserve" in ok(fl(book, "report", "summary")).stdout.replace("\n", " ")
    ok(fl(book, "account", "add", "tax-reserve"))
    ok(fl(book, "transfer", "add", "300", "--from", "bank", "--to", "tax-reserve", "--date", "2026-06-01"))
    digest = json.loads(ok(fl(book, "report", "digest", "--format", "json")).stdout)
    assert [(r["reserved"], r["difference"]) for r in digest["tax_reserve"]] == [("300.00", "30.00")]
    assert ok(fl(book, "report", "digest", "--fail-on", "tax-reserve")).exit_code == 0
    assert "Tax reserve 2026" in ok(fl(book, "report", "dashboard", "--format", "html")).stdout
    ok(fl(book, "settings", "set", "tax_reserve_account", "savings"))       # an account the book lacks
    assert fl(book, "report", "summary", "--fail-on", "tax-reserve").exit_code == 1
    (book / "freelance.yaml").write_text((book / "freelance.yaml").read_text().replace("tax_reserve: 30%", "tax_reserve: lots"))
    r = fl(book, "validate")
    assert r.exit_code == 1 and "tax_reserve" in r.output
