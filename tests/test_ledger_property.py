"""The property of docs/ledger.md: on generated books (two or three currencies, invoices with
several tax rates, partial payments, payments net of fees, credit notes, write-offs,
transfers, void and draft churn), every face gives the same numbers to the cent, per invoice,
client, account and tax rate: `invoice list` and `show`, `client show`, `client statement`,
`report invoices` (aging), `report finance`, `report vat` (per rate, cash and accrual), the web
overview's data, the static dashboard (`report dashboard --format html`) and `hledger bal` on
the export; every transaction of the journal balances per currency. A bounded profile (3
examples) runs in CI; `python -m freelance.tools.bench --ledger-property` runs thousands
(`HYPOTHESIS_PROFILE=ledger-long`). Not generated yet: time entries (hours billed once is
tests/test_ledger.py's) and bank-imported lines (tests/test_ledger.py imports a statement)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import run_cli

settings.register_profile("ledger", max_examples=3, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("ledger-long", max_examples=int(os.environ.get("LEDGER_EXAMPLES") or 2000), deadline=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ledger")
TODAY = "2026-12-15"
CLIENTS = (("c-eur", "EUR"), ("c-usd", "USD"), ("c-gbp", "GBP"))
ACCOUNTS = {"EUR": "bank", "USD": "wise-usd", "GBP": "wise-gbp"}
RATES = (Decimal(0), Decimal(7), Decimal(19))
C = Decimal("0.01")

invoice_st = st.fixed_dictionaries({
    "client": st.sampled_from(range(3)),
    "lines": st.lists(st.tuples(st.integers(1, 400_00), st.sampled_from(RATES)), min_size=1, max_size=3),
    "status": st.sampled_from(["draft", "sent", "sent", "sent", "void"]),
    "day": st.integers(0, 300),
    "pays": st.lists(st.tuples(st.integers(1, 100), st.integers(0, 3)), max_size=3),   # % of what is left, fee cents x 100
    "credit": st.one_of(st.none(), st.integers(1, 100)),                               # % of the first line taken back
    "write_off": st.booleans(),
})
book_st = st.fixed_dictionaries({
    "invoices": st.lists(invoice_st, min_size=1, max_size=6),
    "transfers": st.lists(st.integers(1, 500_00), max_size=2),
    "expenses": st.lists(st.tuples(st.integers(1, 300_00), st.sampled_from(RATES)), max_size=2),
})


def _d(day: int) -> dt.date:
    return dt.date(2026, 1, 1) + dt.timedelta(days=day)


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(C)


def _totals(lines) -> tuple[Decimal, Decimal]:
    """(total, tax) per-invoice rounding, as the book does by default."""
    net: dict = {}
    for amount, rate in lines:
        net[rate] = net.get(rate, Decimal(0)) + amount
    tax = sum(((n * r / 100).quantize(C, rounding="ROUND_HALF_UP") for r, n in net.items()), Decimal(0))
    return sum(net.values(), Decimal(0)) + tax, tax


def write_book(root, spec) -> None:
    """The generated book as YAML files (as a user or the door would write them)."""
    r = run_cli("init", root, "--no-git", "--currency", "EUR", today=None)
    assert r.exit_code == 0, r.output
    path = root / "freelance.yaml"
    text = path.read_text()
    old = next(line for line in text.splitlines() if line.startswith("accounts:"))
    path.write_text(text.replace(old, "accounts: [{id: bank, name: Bank, opening_balance: 1000}, "
                                      "{id: cash, name: Cash, opening_balance: 0}, "
                                      "{id: wise-usd, name: Wise USD, currency: USD, opening_balance: 50}, "
                                      "{id: wise-gbp, name: Wise GBP, currency: GBP, opening_balance: 0}]"))
    (root / "clients.yaml").write_text("".join(
        f"- id: {cid}\n  name: Client {cid}\n  stage: client\n  currency: {cur}\n" for cid, cur in CLIENTS))
    invoices, txs = [], []
    n = 0

    def tx(date, amount, kind="income", **more):
        extra = "".join(f"  {k}: {v}\n" for k, v in more.items() if v is not None)
        txs.append((date, f"- id: tx-{len(txs):04d}\n  date: {date}\n  kind: {kind}\n  amount: {amount}\n"
                          f"  received: true\n{extra}"))
    for inv in spec["invoices"]:
        n += 1
        cid, cur = CLIENTS[inv["client"]]
        number = f"INV-2026-{n:03d}"
        lines = [(_money(c), r) for c, r in inv["lines"]]
        issued = _d(inv["day"])
        items = "".join(f"  - description: Line {i}\n    quantity: 1\n    unit_price: {a}\n    tax_rate: {r}\n"
                        for i, (a, r) in enumerate(lines))
        total, _ = _totals(lines)
        left = total
        status = inv["status"]
        notes = []
        if status == "sent" and inv["credit"]:
            amount, rate = lines[0]
            back = (amount * inv["credit"] / 100).quantize(C)
            if back > 0:
                n += 1
                note = f"INV-2026-{n:03d}"
                ctotal, _ = _totals([(-back, rate)])
                left += ctotal
                notes.append(f"- id: {note}\n  client: {cid}\n  issued: {issued + dt.timedelta(days=3)}\n"
                             f"  status: sent\n  items:\n  - description: Back\n    quantity: 1\n"
                             f"    unit_price: {-back}\n    tax_rate: {rate}\n  credit_for: {number}\n")
        extra = ""
        if status == "sent":
            for k, (pct, fee) in enumerate(inv["pays"]):
                if left <= 0:
                    break
                part = max((left * pct / 100).quantize(C), C)
                fee_amount = min(Decimal(fee), part - C) if fee else Decimal(0)
                paid = part - fee_amount
                if paid <= 0:
                    continue
                tx(issued + dt.timedelta(days=5 + k), paid, client=cid, classification="client", invoice=number,
                   account=ACCOUNTS[cur], fee=fee_amount if fee_amount > 0 else None)
                left -= part
            if inv["write_off"] and left > 0:
                extra = f"  written_off: {left}\n  written_off_on: {issued + dt.timedelta(days=20)}\n" \
                        f"  write_off_reason: small-difference\n"
                left = Decimal(0)
            if left == 0:
                status = "paid"
        invoices.append(f"- id: {number}\n  client: {cid}\n  issued: {issued}\n  status: {status}\n  items:\n"
                        f"{items}{extra}")
        invoices += notes
    for i, cents in enumerate(spec["transfers"]):
        (root / "transfers").mkdir(exist_ok=True)
        with open(root / "transfers" / "2026.yaml", "a") as f:
            f.write(f"- id: tr-{i:04d}\n  date: 2026-06-{i + 1:02d}\n  amount: {_money(cents)}\n"
                    f"  from_account: bank\n  to_account: cash\n")
    for i, (cents, rate) in enumerate(spec["expenses"]):
        tx(_d(10 + i), _money(cents), kind="expense", category="software", account="bank",
           tax_rate=rate if rate else None)
    (root / "invoices.yaml").write_text("".join(invoices))
    (root / "transactions").mkdir(exist_ok=True)
    (root / "transactions" / "2026.yaml").write_text("".join(t for _, t in sorted(txs, key=lambda x: str(x[0]))))


def js(root, *args):
    r = run_cli(*args, "--format", "json", books=root, today=TODAY)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@settings(settings.get_profile(PROFILE))
@given(spec=book_st)
def test_every_face_agrees_with_the_journal(tmp_path_factory, spec):
    from freelance.read.graph import Graph
    from freelance.read.journal import balances, journal, unbalanced
    from freelance.read.owed import settlement
    from freelance.store.book import Book
    root = tmp_path_factory.mktemp("gen") / "book"
    write_book(root, spec)
    book = Book(root, dt.date.fromisoformat(TODAY), cache=False)
    g = Graph(book)
    for basis in ("cash", "accrual"):
        assert unbalanced(journal(g, basis)) == []

    listed = {r["id"]: r for r in js(root, "invoice", "list")}
    owed_by: dict = {}
    for inv in g.records("invoice"):
        s = settlement(g, inv)
        assert Decimal(listed[inv.id]["balance"]) == s.balance, inv.id
        if not inv.data.get("credit_for") and inv.data.get("status") == "paid":
            assert s.balance == 0, inv.id                     # generated paid only when settled
        owed_by[inv.data["client"]] = owed_by.get(inv.data["client"], Decimal(0)) + s.owed
    aging = {r["client"]: Decimal(r["total"]) for r in js(root, "report", "invoices")["aging"]}
    receivable = balances(journal(g, "accrual"))
    for cid, cur in CLIENTS:
        outstanding = Decimal(js(root, "client", "show", cid)["outstanding"])
        assert outstanding == owed_by.get(cid, Decimal(0)) == aging.get(cid, Decimal(0))
        closing = js(root, "client", "statement", cid)["summary"][0]["closing"]
        assert Decimal(closing) == outstanding == receivable.get((("assets", "receivable", cid), cur), Decimal(0))

    finance = js(root, "report", "finance")
    cash = balances(journal(g, "cash"))
    for a in (a for a in finance["accounts"] if a["account"] != "total"):
        assert Decimal(a["balance"]) == cash.get((("assets", a["account"]), a["currency"]), Decimal(0)), a
    for t in finance.get("tax", []):
        assert -Decimal(t["collected"]) == cash.get((("liabilities", "tax", "tax"), t["currency"]), Decimal(0))
    for r in finance["revenue"]:
        assert -Decimal(r["collected"]) == cash.get((("liabilities", "tax", "tax"), r["currency"]), Decimal(0))

    for basis in ("cash", "accrual"):                      # per tax rate: the VAT return is the journal's tax
        want: dict = {}
        for x in journal(g, basis):
            for p in x.postings:
                if p.account == ("liabilities", "tax", "tax"):
                    want[(p.rate, p.currency)] = want.get((p.rate, p.currency), Decimal(0)) - p.amount
        vat = js(root, "report", "vat", "--basis", basis, "--from", "2025-01-01", "--to", TODAY)
        got: dict = {}
        for row in vat["outputs"]:
            key = (Decimal(row["rate"]), row["currency"])
            got[key] = got.get(key, Decimal(0)) + Decimal(row["tax"])
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}, basis
    shown = sorted(listed)
    for number in {shown[0], shown[-1]}:                   # `show` says what `list` says (two a book: cheap)
        inv = g.get("invoice", number)
        assert Decimal(js(root, "invoice", "show", number)["balance"]) == settlement(g, inv).balance, number

    from freelance.serve.pages import overview_data       # the web overview's and static dashboard's data
    overview = overview_data(g, dt.date.fromisoformat(TODAY))
    for a in overview["sections"]["accounts"].rows:
        assert a["balance"] == cash.get((("assets", a["account"]), a["currency"]), Decimal(0)), a
    from freelance.core.text import fmt_money
    r = run_cli("report", "dashboard", "--format", "html", books=root, today=TODAY)   # the static dashboard
    assert r.exit_code == 0, r.output
    for a in overview["sections"]["accounts"].rows:
        assert f'<td class="num">{fmt_money(a["balance"], a["currency"])}</td>' in r.stdout, a
    for row in overview["sections"]["invoices"].rows:
        if row["status"] == "overdue":
            assert row["owed"] == sum((settlement(g, i).owed for i in g.records("invoice")
                                       if g.derived(i)["overdue"] and g.currency(i) == row["currency"]), Decimal(0))

    if shutil.which("hledger"):
        for flag in ([], ["--accrual"]):
            out = root / f"export{len(flag)}.journal"
            assert run_cli("export", "hledger", *flag, "--out", out, books=root, today=TODAY).exit_code == 0
            p = subprocess.run(["hledger", "bal", "-f", str(out), "--flat", "-N", "-O", "csv"],
                               capture_output=True, text=True, check=True)
            got: dict = {}
            for account, amount in list(csv.reader(io.StringIO(p.stdout)))[1:]:
                for part in amount.split(", "):
                    if part.strip() in ("0", ""):
                        continue
                    value, cur = part.split()
                    got[(account, cur)] = Decimal(value)
            want = {(":".join(k[0]), k[1]): v for k, v in balances(journal(g, "accrual" if flag else "cash")).items()
                    if v}
            assert got == want
