"""`client statement C`: a client's statement of account, from the journal.

The client's receivable in the accrual journal (read/journal.py), per currency: the
opening balance before the window, each invoice, credit note, payment (and the fee the
bank kept of it) and write-off in it, and the closing balance. It is what the client
owes by the ledger, so it agrees with `client show` (outstanding), aging and the digest.
Not in `REPORTS`: it is one client's (the CLI verb is `client statement`).
"""
from __future__ import annotations

import datetime as dt

from ...core.money import ZERO
from ...core.text import Column
from ..graph import Graph
from ..journal import journal
from . import Options, Report, Section

MONEY = dict(align="right", money=True)

WHAT = {"invoice": "invoice", "credit": "credit note", "payment": "payment", "fee": "bank fee",
        "write-off": "written off"}


def _what(g: Graph, x, p) -> tuple[str, str]:
    """(what the line is, the invoice it concerns)."""
    kind, rid = x.source.split(":", 1)
    if kind == "invoice":
        inv = g.get("invoice", rid)
        if x.description.startswith("Written off"):
            return WHAT["write-off"], rid
        return (WHAT["credit"], rid) if inv is not None and inv.data.get("credit_for") else (WHAT["invoice"], rid)
    return WHAT["payment"], x.link or ""


def build(g: Graph, client: str, opts: Options) -> Report:
    start, end = opts.start, opts.end
    account = ("assets", "receivable", client)
    per: dict[str, dict] = {}
    book = g.settings.currency
    for x in journal(g, "accrual"):
        mine = [p for p in x.postings if p.account == account]
        if not mine or (end is not None and x.date > end):
            continue
        for p in mine:
            cur = per.setdefault(p.currency, {"opening": ZERO, "rows": []})
            if start is not None and x.date < start:
                cur["opening"] += p.amount
                continue
            what, inv = _what(g, x, p)
            fee = next((q.amount for q in x.postings if q.account[0] == "expenses" and q.source == p.source
                        and what == WHAT["payment"]), ZERO)
            if fee:      # the payment as it reached the account, and the fee the bank kept
                cur["rows"].append({"date": x.date, "what": what, "invoice": inv, "reference": x.rid,
                                    "description": x.description, "amount": p.amount + fee + ZERO, "currency": p.currency})
                cur["rows"].append({"date": x.date, "what": WHAT["fee"], "invoice": inv, "reference": x.rid,
                                    "description": "kept by the bank", "amount": -fee + ZERO, "currency": p.currency})
            else:
                cur["rows"].append({"date": x.date, "what": what, "invoice": inv, "reference": x.rid,
                                    "description": x.description, "amount": p.amount + ZERO, "currency": p.currency})
    if not per:
        per[g.currency(g.get("client", client)) if g.get("client", client) is not None else book] = \
            {"opening": ZERO, "rows": []}
    sections, summary = [], []
    for cur in sorted(per, key=lambda c: (c != book, c)):
        v = per[cur]
        balance = v["opening"]
        rows = [{"date": start, "what": "opening balance", "invoice": "", "reference": "", "description": "",
                 "amount": None, "balance": balance, "currency": cur}]
        for r in v["rows"]:
            balance += r["amount"]
            rows.append({**r, "balance": balance})
        rows.append({"date": end or opts.today, "what": "closing balance", "invoice": "", "reference": "",
                     "description": "", "amount": None, "balance": balance, "currency": cur})
        summary.append({"currency": cur, "opening": v["opening"],
                        "invoiced": sum((r["amount"] for r in v["rows"] if r["what"] == WHAT["invoice"]), ZERO),
                        "credited": -sum((r["amount"] for r in v["rows"] if r["what"] == WHAT["credit"]), ZERO),
                        "paid": -sum((r["amount"] for r in v["rows"] if r["what"] in (WHAT["payment"], WHAT["fee"])), ZERO),
                        "written_off": -sum((r["amount"] for r in v["rows"] if r["what"] == WHAT["write-off"]), ZERO),
                        "closing": balance})
        sections.append(Section(f"lines_{cur.lower()}" if len(per) > 1 else "lines",
                                f"Statement in {cur}", rows, [
                                    Column("date"), Column("what"), Column("invoice"), Column("reference"),
                                    Column("description"), Column("amount", **MONEY), Column("balance", **MONEY)],
                                table_columns=("date", "what", "invoice", "amount", "balance")))
    sections.insert(0, Section("summary", "Summary", summary, [
        Column("currency", "cur"), Column("opening", unit=False, **MONEY), Column("invoiced", unit=False, **MONEY),
        Column("credited", unit=False, **MONEY), Column("paid", unit=False, **MONEY),
        Column("written_off", "written off", unit=False, **MONEY), Column("closing", unit=False, **MONEY)],
        note="closing = opening + invoiced - credited - paid (with bank fees) - written off; "
             "below zero: credit the client has"))
    c = g.get("client", client)
    name = str(c.data.get("name")) if c is not None and c.data.get("name") else client
    span = f"{start or 'the start'} to {end or opts.today}"
    return Report("statement", f"Statement of account: {name}, {span}", sections,
                  meta={"client": client, "from": start, "to": end or opts.today})


def closing(g: Graph, client: str, asof: dt.date) -> dict:
    """The closing balance per currency on `asof` (what the client owes by the ledger)."""
    r = build(g, client, Options(asof, None, asof))
    return {row["currency"]: row["closing"] for row in r.sections[0].rows}
