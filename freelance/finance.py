"""The money side as plain numbers: account balances, income and expenses by
month and by classification or category, moved and expected.

"Payment mode": a transaction counts as money in or out of its account only
once it has moved (`received: true`); until then it is *expected*. Only
amounts in the book's currency are summed; others are counted apart (see
docs/finance.md). `report finance` and the ledger exports both read this.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .graph import Graph
from .money import ZERO, dec


@dataclass
class Finance:
    currency: str
    start: dt.date | None
    end: dt.date | None
    accounts: list[dict] = field(default_factory=list)
    months: list[dict] = field(default_factory=list)
    classifications: list[dict] = field(default_factory=list)
    categories: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    other_currencies: dict = field(default_factory=dict)   # currency -> count of transactions not summed


def _account_of(g: Graph, t) -> str:
    acc = t.data.get("account")
    if acc:
        return str(acc)
    accounts = g.settings.accounts()
    return accounts[0]["id"] if accounts else "bank"


def summary(g: Graph, start: dt.date | None = None, end: dt.date | None = None) -> Finance:
    cur = g.settings.currency
    out = Finance(cur, start, end)
    settings_accounts = g.settings.accounts()
    acc = {a["id"]: {"account": a["id"], "name": a["name"], "opening_balance": a["opening_balance"],
                     "money_in": ZERO, "money_out": ZERO, "expected_in": ZERO, "expected_out": ZERO}
           for a in settings_accounts}
    months = defaultdict(lambda: {"income": ZERO, "expenses": ZERO, "expected_income": ZERO, "expected_expenses": ZERO})
    classes = defaultdict(lambda: {"received": ZERO, "expected": ZERO, "count": 0})
    cats = defaultdict(lambda: {"paid": ZERO, "expected": ZERO, "count": 0})
    for c in g.settings.allowed("income_classifications"):
        classes[c]
    for c in g.settings.allowed("expense_categories"):
        cats[c]
    others: dict[str, int] = defaultdict(int)
    for t in g.records("transaction"):
        kind = t.data.get("kind")
        d = t.data.get("date")
        amount = t.data.get("amount")
        if kind not in ("income", "expense") or not isinstance(d, dt.date) or not isinstance(amount, Decimal):
            continue  # validate reports these
        if g.currency(t) != cur:
            others[g.currency(t)] += 1
            continue
        moved = t.data.get("received") is True
        a = acc.setdefault(_account_of(g, t), {"account": _account_of(g, t), "name": _account_of(g, t),
                                               "opening_balance": ZERO, "money_in": ZERO, "money_out": ZERO,
                                               "expected_in": ZERO, "expected_out": ZERO})
        income = kind == "income"
        if start is not None and d < start:
            if moved:  # before the period: part of the opening balance
                a["opening_balance"] += amount if income else -amount
            continue
        if end is not None and d > end:
            continue
        month = months[f"{d:%Y-%m}"]
        if income:
            group = classes[str(t.data.get("classification") or "(none)")]
            group["received" if moved else "expected"] += amount
            a["money_in" if moved else "expected_in"] += amount
            month["income" if moved else "expected_income"] += amount
        else:
            group = cats[str(t.data.get("category") or "(none)")]
            group["paid" if moved else "expected"] += amount
            a["money_out" if moved else "expected_out"] += amount
            month["expenses" if moved else "expected_expenses"] += amount
        group["count"] += 1
    for a in acc.values():
        a["opening_balance"] = dec(a["opening_balance"]) + ZERO
        a["balance"] = a["opening_balance"] + a["money_in"] - a["money_out"]
        a["expected_balance"] = a["balance"] + a["expected_in"] - a["expected_out"]
        a["currency"] = cur
        out.accounts.append(a)
    for m in sorted(months):
        v = months[m]
        out.months.append({"month": m, **v, "net": v["income"] - v["expenses"], "currency": cur})
    out.classifications = [{"classification": k, **v, "currency": cur} for k, v in classes.items()]
    out.categories = [{"category": k, **v, "currency": cur} for k, v in cats.items()]
    s = lambda rows, key: sum((r[key] for r in rows), ZERO)  # noqa: E731
    out.totals = {"opening_balance": s(out.accounts, "opening_balance"), "money_in": s(out.accounts, "money_in"),
                  "money_out": s(out.accounts, "money_out"), "balance": s(out.accounts, "balance"),
                  "expected_in": s(out.accounts, "expected_in"), "expected_out": s(out.accounts, "expected_out"),
                  "expected_balance": s(out.accounts, "expected_balance"),
                  "currency": cur}
    out.other_currencies = dict(sorted(others.items()))
    return out
