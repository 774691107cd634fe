"""Exports: the real hledger and bean-check accept them, and their balances equal
`report finance` to the cent; csv and json for spreadsheets and scripts."""
import csv
import io
import json
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from conftest import ONE_FORK, forced_ahead

needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed (.ci/run installs it)")


@pytest.fixture
def book(cli):
    """The demo book plus an account with an opening balance and hostile descriptions."""
    assert cli("settings", "add", "accounts", "savings", "--opening-balance", "1000.10").exit_code == 0
    for args in (["income", "add", "0.10", "--classification", "interest", "--account", "savings", "--received"],
                 ["income", "add", "0.20", "--classification", "interest", "--account", "savings", "--received"],
                 ["expense", "add", "5", "--category", "other", "--paid", "--description",
                  "evil\n    assets:bank  999999 USD ; \"quoted\" \\ back"],
                 ["expense", "add", "7.77", "--category", "other", "--account", "savings", "--paid",
                  "--description", '"; option "title" "x']):
        r = cli(*args)
        assert r.exit_code == 0, r.output
    return cli


def report(cli):
    r = cli("report", "finance", "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def expected_balances(f) -> dict:
    """The report's numbers under the exported account names (income negative, as ledgers show it)."""
    out = {}
    for a in f["accounts"]:
        if a["account"] != "total":
            out[f"assets:{a['account']}"] = Decimal(a["balance"])
    for c in f["income"]:
        if c["classification"] != "client" and Decimal(c["received"]):
            out[f"income:{c['classification']}"] = -Decimal(c["net"])
    for c in f["expenses"]:
        if Decimal(c["paid"]):
            out[f"expenses:{c['category']}"] = Decimal(c["net"])
    for t in f.get("tax", []):     # tax collected is owed, tax paid is reclaimable: neither is earned or spent
        if Decimal(t["collected"]):
            out[f"liabilities:tax:{t['tax']}"] = -Decimal(t["collected"])
        if Decimal(t["paid"]):
            out[f"assets:tax:{t['tax']}"] = Decimal(t["paid"])
    return out


def hledger_balances(path) -> dict:
    p = subprocess.run(["hledger", "bal", "-f", str(path), "--flat", "-N", "-O", "csv"],
                       capture_output=True, text=True, check=True)
    rows = list(csv.reader(io.StringIO(p.stdout)))[1:]
    out = {}
    for account, amount in rows:
        value, cur = amount.split()
        assert cur == "USD"
        out[account] = Decimal(value)
    return out


@needs_hledger
def test_hledger_check_accepts_the_journal_and_bal_equals_report_finance(book, tmp_path):
    out = tmp_path / "book.journal"
    r = book("export", "hledger", "--out", out)
    assert r.exit_code == 0, r.output
    check = subprocess.run(["hledger", "check", "-s", "-f", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    got = hledger_balances(out)
    f = report(book)
    want = expected_balances(f)
    assert {k: v for k, v in got.items() if not k.startswith("income:clients:")} | {} == \
        {k: v for k, v in want.items()} | {"equity:opening-balances": Decimal("-1000.10")}
    client = next(c for c in f["income"] if c["classification"] == "client")
    assert sum(v for k, v in got.items() if k.startswith("income:clients:")) == -Decimal(client["net"])
    assert got["assets:bank"] == Decimal("21414.61") and got["assets:savings"] == Decimal("992.63")
    # per client, as the client rollup says
    acme = json.loads(book("client", "show", "acme", "-f", "json").stdout)
    assert got["income:clients:acme"] == -Decimal(acme["received"])
    # the hostile description stayed one line: no posting was injected
    assert "\n    assets:bank  999999 USD" not in out.read_text() and "evil     assets:bank  999999 USD" in out.read_text()


@needs_hledger
def test_hledger_accrual_holds_sent_invoices_as_receivables(book, tmp_path):
    out = tmp_path / "accrual.journal"
    assert book("export", "hledger", "--accrual", "--out", out).exit_code == 0
    check = subprocess.run(["hledger", "check", "-s", "-f", str(out)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    got = hledger_balances(out)
    f = report(book)
    for a in f["accounts"][:-1]:
        assert got[f"assets:{a['account']}"] == Decimal(a["balance"])   # the bank is the same either way
    invoices = json.loads(book("invoice", "list", "--format", "json").stdout)
    open_balance = defaultdict(Decimal)
    for inv in invoices:
        if inv["status"] in ("sent", "paid"):
            open_balance[inv["client"]] += Decimal(inv["balance"])
    for client, balance in open_balance.items():
        assert got.get(f"assets:receivable:{client}", Decimal(0)) == balance, client
    assert got["assets:receivable:initech"] == Decimal("1100.00")


def beancount_balances(path) -> dict:
    from beancount import loader
    from beancount.core import data
    entries, errors, _ = loader.load_file(str(path))
    assert not errors, errors
    out = defaultdict(Decimal)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                assert p.units.currency == "USD"
                out[p.account] += p.units.number
    return dict(out)


def test_bean_check_accepts_the_file_and_balances_equal_report_finance(book, tmp_path):
    out = tmp_path / "book.beancount"
    r = book("export", "beancount", "--out", out)
    assert r.exit_code == 0, r.output
    bean_check = shutil.which("bean-check")
    assert bean_check, "bean-check missing: pip install '.[test]' installs beancount"
    p = subprocess.run([bean_check, str(out)], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout == "" and p.stderr == "", p.stdout + p.stderr
    got = beancount_balances(out)
    f = report(book)
    for name, value in expected_balances(f).items():
        bean = ":".join(part[:1].upper() + part[1:] for part in name.split(":"))
        assert got[bean] == value, name
    client = next(c for c in f["income"] if c["classification"] == "client")
    assert sum(v for k, v in got.items() if k.startswith("Income:Clients:")) == -Decimal(client["net"])
    assert got["Income:Clients:Blue-harbor"] == Decimal("-6900")
    assert 'option "title" "x' not in out.read_text().replace('\\"', "")


def test_bean_check_accepts_the_accrual_file(book, tmp_path):
    out = tmp_path / "accrual.beancount"
    assert book("export", "beancount", "--accrual", "--out", out).exit_code == 0
    p = subprocess.run([shutil.which("bean-check"), str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    got = beancount_balances(out)
    assert got["Assets:Receivable:Initech"] == Decimal("1100.00")
    assert got["Assets:Bank"] == Decimal("21414.61")


def test_export_of_an_empty_book_is_accepted(empty_book, tmp_path):
    from conftest import run_cli
    out = tmp_path / "e.beancount"
    assert run_cli("--books", empty_book, "export", "beancount", "--out", out).exit_code == 0
    assert subprocess.run([shutil.which("bean-check"), str(out)]).returncode == 0
    if shutil.which("hledger"):
        j = tmp_path / "e.journal"
        assert run_cli("--books", empty_book, "export", "hledger", "--out", j).exit_code == 0
        assert subprocess.run(["hledger", "check", "-s", "-f", str(j)]).returncode == 0


def test_export_csv_is_formula_safe_and_json_has_every_record(cli):
    cli("expense", "add", "3", "--category", "other", "--paid", "--description", "=HYPERLINK(\"http://x\")")
    r = cli("export", "csv", "transactions")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    evil = next(x for x in rows if "HYPERLINK" in x["description"])
    assert evil["description"].startswith("'=") and evil["amount"] == "3"
    inv = list(csv.DictReader(io.StringIO(cli("export", "csv", "invoice").stdout)))
    assert len(inv) == 22 and inv[0]["total"] == "4000.00"
    r = cli("export", "csv", "invoise")
    assert r.exit_code == 2 and "did you mean 'invoice'" in r.stderr
    data = json.loads(cli("export", "json").stdout)
    assert len(data["invoices"]) == 22 and len(data["clients"]) == 10
    assert data["clients"][0]["received"] == "12650.00"


_scalars = (st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.floats(allow_nan=True)
            | st.decimals(allow_nan=False, places=2) | st.dates() | st.datetimes())
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                       | st.dictionaries(st.text(max_size=4) | st.integers(0, 3), inner, max_size=4), max_leaves=20)
# rows as the exports hold them (lists of dicts of scalars, braces and newlines in the text), some
# nested among them: what the writer hands to the library's C encoder a run at a time
_row = st.dictionaries(st.sampled_from(["id", "}", "{", "a\n", ""]) | st.text(max_size=3),
                       _scalars.filter(lambda v: not isinstance(v, float)) | st.sampled_from(["},\n  {", "}", "]"]),
                       max_size=5)
_values = _values | st.lists(_row | _values, max_size=6) | st.dictionaries(st.text(max_size=3), st.lists(_row, max_size=4),
                                                                          max_size=3)


@settings(max_examples=150, deadline=None)
@given(value=_values, ascii_only=st.booleans())
def test_the_fast_json_writer_writes_what_the_library_writes(value, ascii_only):
    """`render.dumps` (what every --format json and `export json` print) is the standard
    library's indented text of `jsonable`, character for character, only faster."""
    from freelance.core.text import jsonable
    from freelance.formats.render import dumps
    assert dumps(value, ascii_only) == json.dumps(jsonable(value), indent=2, ensure_ascii=ascii_only)


# The book's values (no float: the store builds none), with the characters the JSON escapes or
# must not (C0 and C1 controls, DEL, bidi controls, quotes, backslashes, astral characters)
_book_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(list("\x00\x1f\x7f\x85\x9f\u061c\u200e"
                                                                               "\u202e\u2066\u2069\u2028\"\\\U0001f600")),
                     max_size=8)
_book_scalars = (st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | _book_text
                 | st.decimals(allow_nan=False, places=2) | st.dates() | st.datetimes())
_book_values = st.recursive(_book_scalars, lambda inner: st.lists(inner, max_size=4)
                            | st.dictionaries(_book_text, inner, max_size=4), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(value=_book_values | st.lists(st.dictionaries(st.sampled_from(["id", "kind", "a\n"]), _book_scalars), max_size=4),
       indent=st.sampled_from([b"", b"  "]))
def test_export_json_writes_the_books_values_as_the_library_does(value, indent):
    """`export json` writes the book's values with orjson (`render.book_json_bytes`): the same
    bytes as the standard library's indented text, hidden characters escaped (`render.dumps`)."""
    from freelance.formats.render import _shown, book_json_bytes, dumps
    want = _shown(dumps(value, False, indent=indent.decode()), False).encode("utf-8")
    assert book_json_bytes(value, indent) == want


def test_export_json_escapes_a_delete_in_ascii_text():
    """DEL is ASCII, and hidden in a terminal: escaped as the library's writer escapes it."""
    from freelance.formats.render import book_json_bytes
    assert book_json_bytes(["a\x7fb"]) == b'[\n  "a\\u007fb"\n]'


def test_export_json_of_a_value_orjson_refuses_is_written_as_before():
    """A key that is not a string or an int over 64 bits: orjson refuses, the library's writer writes."""
    from freelance.formats.render import book_json_bytes, json_bytes
    odd = [{1: "one", "big": 2**70}]
    assert book_json_bytes(odd) is None
    assert json.loads(json_bytes([("rows", odd)])) == {"rows": [{"1": "one", "big": 2**70}]}


def test_export_json_with_the_transactions_written_on_another_core_is_the_same(cli, monkeypatch):
    """At 20,000 transactions and more, `export json` writes their rows in a forked worker while
    it derives the rest (store/parallel.py `ahead`): the same bytes as written in one process."""
    alone = cli("export", "json")
    assert alone.exit_code == 0, alone.output
    forks = forced_ahead(monkeypatch)
    two = cli("export", "json")
    assert two.exit_code == 0, two.output
    assert two.stdout == alone.stdout
    assert forks == ONE_FORK


@pytest.mark.skipif((__import__("os").cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_a_worker_that_fails_leaves_the_work_to_this_process():
    """The forked worker's text when it delivers, else (it raised, died) the text made here."""
    import os
    from freelance.store.parallel import AHEAD_MIN, ahead
    me = os.getpid()
    here: list = []
    big = bytes(range(256)) * 20_000        # 5 MB: more than a pipe holds, the reader must drain it

    def works():
        if os.getpid() == me:
            here.append(1)
        return big
    assert ahead(works, AHEAD_MIN)() == big and here == []

    def fails():
        if os.getpid() != me:
            raise RuntimeError("the worker fails")
        here.append(1)
        return big
    assert ahead(fails, AHEAD_MIN)() == big and here == [1]

    def dies():
        if os.getpid() != me:
            os.kill(os.getpid(), 9)
        here.append(1)
        return b"made here"
    assert ahead(dies, AHEAD_MIN)() == b"made here" and here == [1, 1]
    assert ahead(works, AHEAD_MIN - 1)() == big and here == [1, 1, 1]      # too small: made here
