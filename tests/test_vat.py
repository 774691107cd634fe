"""The VAT return and the EC sales list (issue 27, docs/vat.md): `report vat` reads the journal's
tax postings, so it equals `hledger bal` of the export's tax accounts to the cent."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal

import pytest

from conftest import run_cli
from drafts import added, numbered

TODAY = "2026-12-20"
needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed (.ci/run installs it)")


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def fl(book, *args):
    return run_cli(*args, books=book, today=TODAY)


def js(book, *args):
    return json.loads(ok(fl(book, *args, "--format", "json")).stdout)


def _invoice(book, client, *items, issued, tax="19"):
    rid = added(ok(fl(book, "invoice", "add", "--client", client, *[x for i in items for x in ("--item", i)],
                      "--tax-rate", tax, "--issued", issued)))
    return numbered(ok(fl(book, "invoice", "move", rid, "sent")))


@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    """A German freelancer's fourth quarter: a domestic client at two rates (part credited, paid
    net of a bank fee), a French business (reverse charge), a US client in USD (an export, part
    paid), client income without an invoice, expenses with input tax; one invoice in September."""
    book = tmp_path_factory.mktemp("vat") / "book"
    ok(run_cli("init", book, "--no-git", today=None))
    for args in (("settings", "set", "currency", "EUR"), ("settings", "set", "business.country", "DE"),
                 ("client", "add", "Acme", "--country", "DE"),
                 ("client", "add", "Frog", "--country", "FR", "--vat-id", "FR40303265045"),
                 ("client", "add", "Yank", "--country", "US", "--currency", "USD")):
        ok(fl(book, *args))
    ids = {"old": _invoice(book, "acme", "Before:1:300", issued="2026-09-20"),
           "acme": _invoice(book, "acme", "Work:1:1000", "Book:1:100:7%", issued="2026-10-05"),
           "frog": _invoice(book, "frog", "Dev:2:500", issued="2026-10-06", tax="0"),
           "yank": _invoice(book, "yank", "Dev:1:800", issued="2026-11-01", tax="0")}
    ids["credit"] = added(ok(fl(book, "invoice", "credit", ids["acme"], "--item", "Discount:1:100", "--issue")))
    for args in (("income", "add", "357", "--invoice", ids["old"], "--received", "--date", "2026-10-02"),
                 ("income", "add", "1173", "--invoice", ids["acme"], "--fee", "5", "--received", "--date", "2026-11-10"),
                 ("income", "add", "500", "--invoice", ids["yank"], "--received", "--date", "2026-11-15"),
                 ("income", "add", "200", "--client", "acme", "--received", "--date", "2026-11-16"),
                 ("expense", "add", "119", "--tax-rate", "19", "--category", "software", "--received", "--date", "2026-11-03"),
                 ("expense", "add", "50", "--tax", "3.27", "--category", "office", "--received", "--date", "2026-12-04")):
        ok(fl(book, *args))
    return book


def _rows(rows, *keys):
    return sorted(tuple(r[k] for k in keys) for r in rows)


def test_the_quarter_on_both_bases(quarter):
    cash = js(quarter, "report", "vat", "--period", "2026-Q4")
    assert (cash["from"], cash["to"], cash["basis"]) == ("2026-10-01", "2026-12-31", "cash")
    # cash: the September invoice's tax came in October; the acme invoice (1,297.00 less the credit
    # note's 119.00) was paid in full with the fee, so its tax net of the credit note is in
    assert _rows(cash["outputs"], "category", "rate", "net", "tax", "currency") == sorted([
        ("S", "19", "1200.00", "228.00", "EUR"), ("S", "7", "100.00", "7.00", "EUR"),
        ("", "0", "200.00", "0.00", "EUR"), ("G", "0", "500.00", "0.00", "USD")])
    assert [(r["rate"], r["net"], r["tax"]) for r in cash["inputs"]] == [("19", "100.00", "19.00"), (None, "46.73", "3.27")]
    assert [(r["output_tax"], r["input_tax"], r["payable"], r["currency"]) for r in cash["totals"]] == [
        ("235.00", "22.27", "212.73", "EUR"), ("0.00", "0.00", "0.00", "USD")]
    accrual = js(quarter, "report", "vat", "--period", "2026-Q4", "--basis", "accrual")
    assert _rows(accrual["outputs"], "category", "rate", "net", "tax", "currency") == sorted([
        ("S", "19", "900.00", "171.00", "EUR"), ("S", "7", "100.00", "7.00", "EUR"),
        ("AE", "0", "1000.00", "0.00", "EUR"), ("", "0", "200.00", "0.00", "EUR"),
        ("G", "0", "800.00", "0.00", "USD")])
    assert [(r["output_tax"], r["payable"]) for r in accrual["totals"]] == [("178.00", "155.73"), ("0.00", "0.00")]
    for r in (cash, accrual):      # by the invoice's day, whatever the basis
        assert _rows(r["ec_sales"], "country", "vat_id", "client", "amount", "currency") == [
            ("FR", "FR40303265045", "frog", "1000.00", "EUR")]
        assert r["warnings"] == [] and r["alerts"] == {"warnings": []}


@needs_hledger
@pytest.mark.parametrize("period,begin,end", [("2026-Q4", "2026-10-01", "2027-01-01"),
                                              ("2026-11", "2026-11-01", "2026-12-01"),
                                              ("2026", "2026-01-01", "2027-01-01")])
def test_the_return_equals_hledger_bal_of_the_export(quarter, tmp_path, period, begin, end):
    for basis, flag in (("cash", []), ("accrual", ["--accrual"])):
        path = tmp_path / f"{basis}.journal"
        ok(fl(quarter, "export", "hledger", *flag, "--out", path))
        p = subprocess.run(["hledger", "bal", "-f", str(path), "-b", begin, "-e", end, "--flat", "-N",
                            "-O", "csv", "--layout", "bare", "tax"], capture_output=True, text=True, check=True)
        got = {(row[0], row[1]): Decimal(row[2]) for row in list(csv.reader(io.StringIO(p.stdout)))[1:]}
        ret = js(quarter, "report", "vat", "--period", period, "--basis", basis)
        assert ret["totals"], "a period with tax"
        for t in ret["totals"]:
            for account, amount in (("liabilities:tax:tax", -Decimal(t["output_tax"])), ("assets:tax:tax", Decimal(t["input_tax"]))):
                assert got.get((account, t["currency"]), Decimal(0)) == amount
        # the rows add up to the totals: output tax per rate is the tax account, split
        out_tax = sum(Decimal(r["tax"]) for r in ret["outputs"] if r["currency"] == "EUR")
        assert out_tax == sum(Decimal(t["output_tax"]) for t in ret["totals"] if t["currency"] == "EUR")


def test_warnings_where_the_category_looks_wrong(quarter, tmp_path):
    book = tmp_path / "book"
    shutil.copytree(quarter, book)
    ok(fl(book, "client", "add", "Nova", "--country", "FR"))
    wrong_vat = _invoice(book, "frog", "Oops:1:100", issued="2026-12-01")          # 19% to a French business
    no_id = _invoice(book, "nova", "Plain:1:50", issued="2026-12-02", tax="0")     # reverse charge without an id
    r = js(book, "report", "vat", "--period", "2026-12")
    assert r["alerts"]["warnings"] == [wrong_vat, no_id]
    assert [w["client"] for w in r["warnings"]] == ["frog", "nova"]
    assert "reverse charge" in r["warnings"][0]["problem"] and "FR40303265045" in r["warnings"][0]["problem"]
    assert "client edit nova --vat-id" in r["warnings"][1]["problem"]
    table = fl(book, "report", "vat", "--period", "2026-12", "--fail-on", "warnings")
    assert table.exit_code == 1 and f"{no_id} (nova)" in table.stdout and "client edit nova --vat-id" in table.stdout
    # the other months are fine
    assert fl(book, "report", "vat", "--period", "2026-10", "--fail-on", "warnings").exit_code == 0


def test_every_format_and_the_default_period(quarter):
    text = ok(fl(quarter, "report", "vat")).stdout        # --today's quarter
    assert "VAT return 2026-10-01 to 2026-12-31" in text and "EC sales list" in text and "FR40303265045" in text
    rows = list(csv.DictReader(io.StringIO(ok(fl(quarter, "report", "vat", "--format", "csv")).stdout)))
    assert {r["section"] for r in rows} >= {"outputs", "inputs", "totals", "ec_sales"}
    assert all(r["currency"] for r in rows if r["section"] != "warnings")      # no amount without its currency
    md = ok(fl(quarter, "report", "vat", "--format", "markdown", "--basis", "accrual")).stdout
    assert "## EC sales list" in md and "accrual basis" in md
    assert "<table" in ok(fl(quarter, "report", "vat", "--format", "html")).stdout
    r = fl(quarter, "report", "vat", "--client", "acme")
    assert r.exit_code == 2 and "--client" in r.stderr
