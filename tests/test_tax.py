"""Tax is not earned: a client's invoiced amount is net of tax, and the ledger exports book
tax collected as a liability and tax paid on expenses as a receivable, agreeing with
`report finance` to the cent (issue 13; docs/finance.md, docs/export.md)."""
import csv
import io
import json
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal

import pytest

from conftest import run_cli

TODAY = "2026-12-31"
needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed")


@pytest.fixture
def book(tmp_path):
    root = tmp_path / "book"
    assert run_cli("init", root, "--no-git", "--currency", "EUR", today=None).exit_code == 0

    def _run(*args, today=TODAY):
        r = run_cli(*args, books=root, today=today)
        return r
    _run.book = root
    return _run


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def js(r):
    return json.loads(ok(r).stdout)


def rows(report, name):
    return next(s for s in report["sections"] if s["name"] == name)["rows"] if "sections" in report else report[name]


# -- invoiced is net of tax --------------------------------------------------------------

def test_a_clients_invoiced_is_net_of_tax_with_the_gross_beside_it(book):
    ok(book("client", "add", "Acme", "--contract-value", "1000", "--stage", "client"))
    ok(book("invoice", "add", "--client", "acme", "--amount", "1000", "--tax-rate", "25", "--status", "sent"))
    c = js(book("client", "show", "acme", "-f", "json"))
    assert (c["invoiced"], c["invoiced_pct"], c["invoiced_gross"]) == ("1000.00", "100.0", "1250.00")
    shown = ok(book("client", "show", "acme")).stdout
    assert "125.0%" not in shown and "100.0%" in shown
    assert "1,250.00 EUR (net 1,000.00 + tax 250.00)" in shown      # the client's invoice list
    inv = ok(book("invoice", "show", "INV-2026-001")).stdout
    assert "1,000.00 EUR" in inv and "250.00 EUR" in inv and "1,250.00 EUR" in inv
    pipe = rows(js(book("report", "pipeline", "--format", "json")), "clients")
    assert pipe[0]["invoiced"] == "1000.00" and pipe[0]["invoiced_pct"] == "100.0"
    assert "over" not in ok(book("client", "board")).stdout


# -- the exports ---------------------------------------------------------------------------

def taxed_book(book, tax_name="vat"):
    ok(book("settings", "set", "tax_name", tax_name))
    ok(book("client", "add", "Acme", "--stage", "client"))
    ok(book("invoice", "add", "--client", "acme", "--amount", "1000", "--tax-rate", "20", "--status", "sent",
            "--issued", "2026-10-01"))
    ok(book("invoice", "add", "--client", "acme", "--amount", "1000", "--tax-rate", "20", "--status", "sent",
            "--issued", "2026-11-01"))
    ok(book("income", "add", "1200", "--invoice", "INV-2026-001", "--client", "acme", "--received", "--date", "2026-10-20"))
    ok(book("income", "add", "600", "--invoice", "INV-2026-002", "--client", "acme", "--received", "--date", "2026-11-20"))
    ok(book("expense", "add", "120", "--category", "software", "--tax-rate", "20", "--paid", "--date", "2026-10-05"))
    ok(book("expense", "add", "50", "--category", "office", "--tax", "5", "--paid", "--date", "2026-10-06"))
    ok(book("expense", "add", "30", "--category", "travel", "--paid", "--date", "2026-10-07"))


WANT = {"assets:bank": Decimal("1600.00"), "income:clients:acme": Decimal("-1500.00"),
        "liabilities:tax:vat": Decimal("-300.00"), "assets:tax:vat": Decimal("25.00"),
        "expenses:software": Decimal("100.00"), "expenses:office": Decimal("45.00"), "expenses:travel": Decimal("30")}


def hledger_bal(path) -> dict:
    p = subprocess.run(["hledger", "bal", "-f", str(path), "--flat", "-N", "-O", "csv", "--layout", "bare"],
                       capture_output=True, text=True, check=True)
    out = {}
    for account, cur, amount in list(csv.reader(io.StringIO(p.stdout)))[1:]:
        out[(account, cur)] = Decimal(amount)
    return out


def test_report_finance_shows_tax_collected_and_paid(book):
    taxed_book(book)
    f = js(book("report", "finance", "--format", "json"))
    assert rows(f, "tax") == [{"tax": "vat", "collected": "300.00", "paid": "25.00", "owed": "275.00", "currency": "EUR"}]
    client = next(r for r in rows(f, "income") if r["classification"] == "client")
    assert (client["received"], client["tax"], client["net"]) == ("1800.00", "300.00", "1500.00")
    software = next(r for r in rows(f, "expenses") if r["category"] == "software")
    assert (software["paid"], software["tax"], software["net"]) == ("120.00", "20.00", "100.00")
    assert "Tax (collected on invoices, paid on expenses)" in ok(book("report", "finance")).stdout


@needs_hledger
def test_hledger_books_tax_collected_as_a_liability_and_tax_paid_as_a_receivable(book, tmp_path):
    taxed_book(book)
    out = tmp_path / "book.journal"
    ok(book("export", "hledger", "--out", out))
    check = subprocess.run(["hledger", "check", "-s", "-f", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    got = hledger_bal(out)
    assert {k: v for (k, cur), v in got.items()} == WANT
    assert {cur for _, cur in got} == {"EUR"}


def test_beancount_books_tax_the_same_way(book, tmp_path):
    from beancount import loader
    from beancount.core import data
    taxed_book(book)
    out = tmp_path / "book.beancount"
    ok(book("export", "beancount", "--out", out))
    p = subprocess.run([shutil.which("bean-check"), str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    entries, errors, _ = loader.load_file(str(out))
    assert not errors
    got = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for posting in e.postings:
                got[posting.account] += posting.units.number
    want = {":".join(x[:1].upper() + x[1:] for x in k.split(":")): v for k, v in WANT.items()}
    assert dict(got) == want


@needs_hledger
def test_accrual_books_the_tax_when_the_invoice_is_issued(book, tmp_path):
    taxed_book(book)
    out = tmp_path / "accrual.journal"
    ok(book("export", "hledger", "--accrual", "--out", out))
    check = subprocess.run(["hledger", "check", "-s", "-f", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    got = {k: v for (k, cur), v in hledger_bal(out).items()}
    assert got["income:clients:acme"] == Decimal("-2000.00")       # both invoices, net
    assert got["liabilities:tax:vat"] == Decimal("-400.00")         # both invoices' tax
    assert got["assets:receivable:acme"] == Decimal("600.00")       # what is still owed, gross
    assert got["assets:bank"] == WANT["assets:bank"]


def test_the_tax_name_defaults_to_tax_and_is_checked(book):
    ok(book("client", "add", "Acme"))
    ok(book("invoice", "add", "--client", "acme", "--amount", "100", "--tax-rate", "10", "--status", "sent"))
    ok(book("income", "add", "110", "--invoice", "INV-2026-001", "--client", "acme", "--received"))
    assert "liabilities:tax:tax  -10.00 EUR" in ok(book("export", "hledger")).stdout
    r = book("settings", "set", "tax_name", "V A T")
    assert r.exit_code == 2 and "tax_name" in r.output


def test_validate_checks_an_expenses_tax(book):
    ok(book("expense", "add", "10", "--category", "office", "--tax", "1", "--description", "one"))
    ok(book("expense", "add", "10", "--category", "office", "--tax", "1", "--description", "two"))
    path = next((book.book / "transactions").glob("*.yaml"))       # written by hand
    text = path.read_text()
    path.write_text(text.replace("tax: 1\n", "tax: 12\n", 1).replace("description: two\n", "description: two\n  tax_rate: 10\n"))
    r = book("validate")
    assert r.exit_code == 1
    assert "tax 12 is more than the amount 10" in r.stdout
    assert "give tax (an amount) or tax_rate (a percentage), not both" in r.stdout


# -- done when: a new user's quarter ---------------------------------------------------------

@needs_hledger
def test_a_quarter_in_two_currencies_with_taxed_invoices_agrees_with_hledger(book, tmp_path):
    """Clients in EUR and USD, taxed invoices paid in full and in part, expenses with tax, an
    account in dollars: `report finance` equals `hledger bal` on the export, per currency, to the cent."""
    ok(book("settings", "set", "tax_name", "vat"))
    ok(book("settings", "add", "accounts", "wise-usd", "--name", "Wise", "--currency", "USD", "--opening-balance", "250"))
    ok(book("client", "add", "Euro Shop", "--stage", "client", "--contract-value", "6000"))
    ok(book("client", "add", "Yankee Corp", "--stage", "client", "--currency", "USD", "--contract-value", "9000"))
    ok(book("project", "add", "Shop site", "--client", "euro-shop", "--value", "6000"))
    ok(book("project", "add", "Dashboard", "--client", "yankee-corp", "--value", "9000"))
    ok(book("invoice", "add", "--client", "euro-shop", "--project", "shop-site", "--item", "Design:10:95",
            "--item", "Build:20:90", "--tax-rate", "19", "--status", "sent", "--issued", "2026-10-01"))
    ok(book("invoice", "add", "--client", "yankee-corp", "--project", "dashboard", "--amount", "4500",
            "--tax-rate", "7.5", "--status", "sent", "--issued", "2026-10-15"))
    ok(book("invoice", "add", "--client", "yankee-corp", "--project", "dashboard", "--amount", "1999.99",
            "--tax-rate", "7.5", "--status", "sent", "--issued", "2026-11-15"))
    # paid in full (EUR), in full and in part (USD, into the dollar account)
    ok(book("income", "add", "3272.50", "--invoice", "INV-2026-001", "--client", "euro-shop", "--received",
            "--date", "2026-10-25"))
    ok(book("income", "add", "4837.50", "--invoice", "INV-2026-002", "--client", "yankee-corp", "--received",
            "--account", "wise-usd", "--date", "2026-11-10"))
    ok(book("income", "add", "1000", "--invoice", "INV-2026-003", "--client", "yankee-corp", "--received",
            "--account", "wise-usd", "--date", "2026-12-01"))
    ok(book("income", "add", "12.34", "--classification", "interest", "--received", "--date", "2026-12-31"))
    ok(book("expense", "add", "119", "--category", "software", "--tax-rate", "19", "--paid", "--date", "2026-10-03"))
    ok(book("expense", "add", "33.33", "--category", "office", "--tax", "5.32", "--paid", "--date", "2026-11-03"))
    ok(book("expense", "add", "80", "--category", "travel", "--currency", "USD", "--account", "wise-usd", "--paid",
            "--date", "2026-11-04"))
    ok(book("expense", "add", "500", "--category", "hardware", "--date", "2026-12-20"))    # expected, not paid
    assert ok(book("validate")).output.startswith("ok")
    out = tmp_path / "quarter.journal"
    ok(book("export", "hledger", "--out", out))
    check = subprocess.run(["hledger", "check", "-s", "-f", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    got = hledger_bal(out)

    f = js(book("report", "finance", "--period", "2026-Q4", "--format", "json"))
    want = {}
    for a in rows(f, "accounts"):
        if a["account"] != "total" and Decimal(a["balance"]):
            want[(f"assets:{a['account']}", a["currency"])] = Decimal(a["balance"])
    for c in rows(f, "income"):
        if Decimal(c["net"]):
            name = "income:clients" if c["classification"] == "client" else f"income:{c['classification']}"
            want[(name, c["currency"])] = want.get((name, c["currency"]), 0) - Decimal(c["net"])
    for c in rows(f, "expenses"):
        if Decimal(c["net"]):
            want[(f"expenses:{c['category']}", c["currency"])] = Decimal(c["net"])
    for t in rows(f, "tax"):
        want[("liabilities:tax:vat", t["currency"])] = -Decimal(t["collected"])
        if Decimal(t["paid"]):
            want[("assets:tax:vat", t["currency"])] = Decimal(t["paid"])
    want[("equity:opening-balances", "USD")] = Decimal("-250")
    clients = defaultdict(Decimal)
    for (account, cur), v in got.items():
        if account.startswith("income:clients:"):
            clients[("income:clients", cur)] += v
    got = {k: v for k, v in got.items() if not k[0].startswith("income:clients:")} | dict(clients)
    assert got == want
    # and the numbers are the ones a person works out by hand
    assert want[("assets:bank", "EUR")] == Decimal("3272.50") + Decimal("12.34") - Decimal("119") - Decimal("33.33")
    assert want[("assets:wise-usd", "USD")] == Decimal("250") + Decimal("4837.50") + Decimal("1000") - Decimal("80")
    assert want[("liabilities:tax:vat", "EUR")] == Decimal("-522.50")                 # 19% of 2,750.00
    assert want[("liabilities:tax:vat", "USD")] == Decimal("-337.50") - Decimal("69.77")  # 1000 of 2,149.99 pays 69.77 tax
    assert want[("assets:tax:vat", "EUR")] == Decimal("19.00") + Decimal("5.32")
    # the client's numbers: invoiced net, in its own currency
    yankee = js(book("client", "show", "yankee-corp", "-f", "json"))
    assert (yankee["currency"], yankee["invoiced"], yankee["received"]) == ("USD", "6499.99", "5837.50")


@pytest.mark.parametrize("args, words", [
    (("expense", "add", "10", "--category", "office", "--tax", "12"), ("--tax: 12 is more than the amount 10",)),
    (("expense", "add", "10", "--category", "office", "--tax", "1", "--tax-rate", "10"), ("not both",)),
    (("income", "add", "10", "--tax-rate", "10"), ("for expenses",)),
])
def test_an_expenses_tax_that_makes_no_sense_is_refused(book, args, words):
    before = {p: p.read_bytes() for p in book.book.rglob("*.yaml")}
    r = book(*args)
    assert r.exit_code == 2 and all(w in r.output for w in words), r.output
    assert {p: p.read_bytes() for p in book.book.rglob("*.yaml")} == before
