"""The property of docs/ledger.md: on generated books (two or three currencies, invoices with
several tax rates, partial payments, payments net of fees, credit notes, write-offs,
transfers, void and draft churn, hours billed from time, bank-imported lines), every face gives the same numbers to the cent, per invoice,
client, account and tax rate: `invoice list` and `show`, `client show`, `client statement`,
`report invoices` (aging), `report finance`, `report vat` (per rate, cash and accrual), the web
overview's data, the static dashboard (`report dashboard --format html`) and `hledger bal` on
the export; every transaction of the journal balances per currency. A bounded profile (2
examples and EVERY_KIND) runs in CI; `python -m freelance.tools.bench --ledger-property` runs thousands
(`HYPOTHESIS_PROFILE=ledger-long`). The books also have time entries billed by `invoice add
--from-time` with void and draft churn (no entry is on two live invoices; `time list`, the
invoices' lines and `validate` agree) and lines brought in by a real `bank import` of a
generated CAMT.053 file per currency (whole balances paid, halves left for review, money that
pays no invoice); every face above sees them."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings, strategies as st

from conftest import run_cli

settings.register_profile("ledger", max_examples=2, deadline=None, derandomize=True,     # + EVERY_KIND
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
hours_st = st.fixed_dictionaries({         # a client's new hours, billed by `invoice add --from-time`
    "client": st.sampled_from(range(3)),
    "quarters": st.lists(st.integers(1, 32), min_size=1, max_size=3),     # an entry's hours x 4
    "day": st.integers(0, 290),
    "churn": st.sampled_from(["draft", "sent", "void", "remove"]),      # then billed again (void, remove)
})
book_st = st.fixed_dictionaries({
    "invoices": st.lists(invoice_st, min_size=1, max_size=6),
    "transfers": st.lists(st.integers(1, 500_00), max_size=2),
    "expenses": st.lists(st.tuples(st.integers(1, 300_00), st.sampled_from(RATES)), max_size=2),
    "hours": st.lists(hours_st, max_size=2),
    # statement lines (`bank import` of a CAMT file per currency): an open invoice's balance,
    # whole (the matcher links it: paid) or half (a partial payment: left for review)...
    "bank": st.lists(st.tuples(st.integers(0, 9), st.booleans()), max_size=3),
    # ...and money in or out that pays no invoice (cents, signed)
    "bank_other": st.lists(st.integers(-300_00, 300_00).filter(bool), max_size=2),
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
    (root / "projects.yaml").write_text("".join(      # the hours' projects, each with its hourly rate
        f"- id: p-{cid}\n  name: Work for {cid}\n  client: {cid}\n  status: in-progress\n  rate: {80 + 15 * i}\n"
        for i, (cid, _) in enumerate(CLIENTS)))
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


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def bill_time(root, hours) -> None:
    """Each item's hours logged, then billed by `invoice add --from-time`, then its churn: kept
    as a draft, sent, sent then voided (its hours released) and billed again, or the draft
    removed (its hours released) and billed again. The invoice is found by what its entries
    name (a draft's number may change when it is sent)."""
    from freelance.store.book import Book
    (root / "timelog").mkdir(exist_ok=True)
    n = 0

    def billed(eid):
        book = Book(root, dt.date.fromisoformat(TODAY), cache=False)
        return next(e.data.get("invoice") for e in book.records("time") if e.id == eid)

    def bill(cid):
        ok(run_cli("invoice", "add", "--from-time", "--client", cid, "--issued", "2026-12-01", books=root, today=TODAY))
    for item in hours:
        cid = CLIENTS[item["client"]][0]
        first = f"t-2026{_d(item['day']).strftime('%m%d')}-{n:06x}"
        with open(root / "timelog" / "2026.yaml", "a") as f:
            for q in item["quarters"]:
                d = _d(item["day"])
                f.write(f"- id: t-{d.strftime('%Y%m%d')}-{n:06x}\n  date: {d}\n  project: p-{cid}\n"
                        f"  hours: {Decimal(q) / 4}\n  note: Work\n")
                n += 1
        bill(cid)
        number = billed(first)
        churn = item["churn"]
        if churn in ("sent", "void"):
            ok(run_cli("invoice", "move", number, "sent", books=root, today=TODAY))
            number = billed(first)
        if churn == "void":
            ok(run_cli("invoice", "move", number, "void", books=root, today=TODAY))
        if churn == "remove":
            ok(run_cli("invoice", "rm", number, books=root, today=TODAY))
        if churn in ("void", "remove"):
            assert billed(first) is None            # its hours are released...
            bill(cid)                               # ...and billed again, once
            if churn == "void":
                ok(run_cli("invoice", "move", billed(first), "sent", books=root, today=TODAY))


def import_bank(root, spec, folder) -> list[tuple[str, Decimal, bool]]:
    """Statement lines paying open invoices (whole balances, or halves) and others paying none,
    written as one CAMT.053 file per currency and brought in by `bank import`. Returns
    (invoice, amount, whole) of the lines that name an invoice."""
    from statement_files import camt, ntry, stmt, txdtls
    from freelance.read.graph import Graph
    from freelance.read.owed import settlement
    from freelance.store.book import Book
    g = Graph(Book(root, dt.date.fromisoformat(TODAY), cache=False))
    open_ = [(i, settlement(g, i)) for i in g.records("invoice")
             if i.data.get("status") == "sent" and not i.data.get("credit_for")]
    open_ = [(i, s) for i, s in open_ if s.balance > 0]
    lines: dict = {}
    paying, taken = [], set()
    for k, (pick, whole) in enumerate(spec["bank"]):
        if not open_:
            break
        inv, s = open_[pick % len(open_)]
        amount = s.balance if whole else (s.balance / 2).quantize(C)
        if inv.id in taken or amount <= 0:
            continue
        taken.add(inv.id)
        paying.append((inv.id, amount, whole))
        lines.setdefault(s.currency, []).append(ntry(f"{amount:f}", booked=f"2026-12-{k + 2:02d}", ref=f"B{k}",
                                                     ccy=s.currency,
                                                     tx=txdtls(party=f"Client {inv.data['client']}",
                                                               ustrd=f"Payment {inv.id}", ccy=s.currency)))
    for k, cents in enumerate(spec["bank_other"]):
        lines.setdefault("EUR", []).append(ntry(f"{_money(abs(cents)):f}", ind="CRDT" if cents > 0 else "DBIT",
                                                booked=f"2026-12-{k + 8:02d}", ref=f"O{k}",
                                                tx=txdtls(party="Someone else", side="Dbtr" if cents > 0 else "Cdtr",
                                                          ustrd="Refund" if cents > 0 else "Card payment")))
    for cur, entries in lines.items():
        path = folder / f"statement-{cur}.xml"
        path.write_bytes(camt([stmt(entries, ccy=cur)]))
        ok(run_cli("bank", "import", path, "--account", ACCOUNTS[cur], books=root, today=TODAY))
    return paying


def js(root, *args):
    r = run_cli(*args, "--format", "json", books=root, today=TODAY)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# One book with every kind of line, so that CI's two generated ones need not find them: hours
# kept as a draft, sent, voided and removed (each billed again), a credit note and a fee, whole
# and half balances paid by the bank, money in and out that pays no invoice.
EVERY_KIND = {
    "invoices": [{"client": 0, "lines": [(1000_00, Decimal(19)), (200_00, Decimal(7))], "status": "sent", "day": 40,
                  "pays": [(50, 2)], "credit": 10, "write_off": False},
                 {"client": 1, "lines": [(300_00, Decimal(0))], "status": "sent", "day": 60, "pays": [],
                  "credit": None, "write_off": False}],
    "transfers": [100_00], "expenses": [(50_00, Decimal(19))],
    "hours": [{"client": 0, "quarters": [6, 10], "day": 100, "churn": "void"},
              {"client": 1, "quarters": [8], "day": 110, "churn": "remove"},
              {"client": 2, "quarters": [4, 4], "day": 120, "churn": "sent"},
              {"client": 0, "quarters": [3], "day": 130, "churn": "draft"}],
    "bank": [(0, True), (1, False), (2, True), (3, True)],
    "bank_other": [123_45, -67_89],
}


@settings(settings.get_profile(PROFILE))
@given(spec=book_st)
@example(spec=EVERY_KIND)
def test_every_face_agrees_with_the_journal(tmp_path_factory, spec):
    from freelance.read.graph import Graph
    from freelance.read.journal import balances, journal, unbalanced
    from freelance.read.owed import settlement
    from freelance.store.book import Book
    folder = tmp_path_factory.mktemp("gen")
    root = folder / "book"
    write_book(root, spec)
    bill_time(root, spec["hours"])
    paying = import_bank(root, spec, folder)
    book = Book(root, dt.date.fromisoformat(TODAY), cache=False)
    g = Graph(book)
    for basis in ("cash", "accrual"):
        assert unbalanced(journal(g, basis)) == []
    checked = run_cli("validate", books=root, today=TODAY)
    assert checked.exit_code == 0 and " error: " not in checked.output, checked.output

    on: dict = {}                           # hours are billed once: entry -> the live invoices listing it
    for inv in g.records("invoice"):
        if inv.data.get("status") != "void" and not inv.data.get("credit_for"):
            for it in inv.data.get("items") or []:
                for eid in it.get("entries") or []:
                    on.setdefault(eid, []).append(inv.id)
    entries = js(root, "time", "list")
    assert len(entries) == sum(len(h["quarters"]) for h in spec["hours"])
    for e in entries:                       # every entry was billed (again, after a void or a removal), once
        assert on.get(e["id"]) == [e["invoice"]], (e, on.get(e["id"]))
        assert g.get("invoice", e["invoice"]).data["status"] in ("draft", "sent", "paid"), e

    imported = [t for t in g.records("transaction") if t.data.get("bank_ref")]
    assert len(imported) == len(paying) + len(spec["bank_other"])
    for number, amount, whole in paying:    # the matcher links a whole balance (paid); a half is left for review
        inv = g.get("invoice", number)
        linked = [t for t in imported if t.data.get("invoice") == number]
        if whole:
            assert inv.data["status"] == "paid" and settlement(g, inv).balance == 0, number
            assert [t.data["amount"] for t in linked] == [amount], number
        else:
            assert linked == [] and inv.data["status"] == "sent", number

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
