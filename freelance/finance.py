"""The money side as plain numbers: account balances, income and expenses by
month and by classification or category, moved and expected.

"Payment mode": a transaction counts as money in or out of its account only
once it has moved (`received: true`); until then it is *expected*. Amounts
in different currencies are never added: every row is per currency, the
book's first (see docs/finance.md). Tax collected on invoices and paid on
expenses is counted apart (`tax_part`). `report finance` and the ledger exports both read this.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .graph import Graph
from .money import HUNDRED, ZERO, dec


@dataclass
class Finance:
    currency: str                     # the book's: its rows come first
    start: dt.date | None
    end: dt.date | None
    accounts: list[dict] = field(default_factory=list)         # per account and currency
    months: list[dict] = field(default_factory=list)           # per month and currency
    classifications: list[dict] = field(default_factory=list)  # per classification and currency
    categories: list[dict] = field(default_factory=list)       # per category and currency
    totals: dict = field(default_factory=dict)                 # the book's currency (as before)
    totals_by_currency: list[dict] = field(default_factory=list)  # one total per currency, the book's first
    tax: list[dict] = field(default_factory=list)               # per currency: collected, paid, net owed
    other_currencies: dict = field(default_factory=dict)   # currency -> count of transactions in it (summed apart)


def _account_of(g: Graph, t) -> str:
    acc = t.data.get("account")
    if acc:
        return str(acc)
    accounts = g.settings.accounts()
    return accounts[0]["id"] if accounts else "bank"


def tax_name(g: Graph) -> str:
    """The name of the tax in account names (`liabilities:tax:<name>`): the `tax_name` setting."""
    import re
    name = re.sub(r"[^a-z0-9-]+", "-", str(g.settings.get("tax_name") or "tax").lower()).strip("-")
    return name or "tax"


def tax_part(g: Graph, t) -> Decimal:
    """The part of transaction `t`'s amount that is tax (docs/finance.md):
    - income paying an invoice with tax: the invoice's tax in proportion to what it pays
      (all of it when it pays the whole total); collected for the tax office, not earned;
    - an expense: its `tax`, or the part of its amount (tax included) that `tax_rate` is;
      paid out, reclaimable.
    Zero otherwise."""
    amount = t.data.get("amount")
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return ZERO
    cur = g.currency(t)
    if t.data.get("kind") == "income":
        inv = g.get("invoice", t.data.get("invoice"))
        if inv is None or g.currency(inv) != cur:
            return ZERO
        d = g.derived(inv)
        if d["tax"] <= 0 or d["total"] <= 0:
            return ZERO
        if amount == d["total"]:
            return d["tax"]
        return round_to(amount * d["tax"] / d["total"], cur)
    if t.data.get("kind") == "expense":
        tax, rate = t.data.get("tax"), t.data.get("tax_rate")
        if isinstance(tax, Decimal) and tax.is_finite():
            return min(max(tax, ZERO), amount) + ZERO
        if isinstance(rate, Decimal) and rate.is_finite() and rate > 0:
            return round_to(amount * rate / (HUNDRED + rate), cur)
    return ZERO


def round_to(amount: Decimal, currency: str) -> Decimal:
    """Rounded half up to the currency's minor unit (cents, or none for JPY)."""
    from decimal import ROUND_HALF_UP
    from .rules import minor_units
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP) + ZERO


def _order(book: str):
    """Sort key putting the book's currency first, then the others alphabetically."""
    return lambda cur: (cur != book, cur)


def summary(g: Graph, start: dt.date | None = None, end: dt.date | None = None) -> Finance:
    book = g.settings.currency
    out = Finance(book, start, end)
    first = _order(book)
    settings_accounts = g.settings.accounts()

    def blank(acc_id, name, cur, opening=ZERO):
        return {"account": acc_id, "name": name, "opening_balance": opening, "money_in": ZERO, "money_out": ZERO,
                "expected_in": ZERO, "expected_out": ZERO, "currency": cur}
    acc = {(a["id"], a["currency"] or book): blank(a["id"], a["name"], a["currency"] or book, a["opening_balance"])
           for a in settings_accounts}
    names = {a["id"]: a["name"] for a in settings_accounts}
    months = defaultdict(lambda: {"income": ZERO, "expenses": ZERO, "expected_income": ZERO, "expected_expenses": ZERO})
    classes = defaultdict(lambda: {"received": ZERO, "expected": ZERO, "count": 0, "tax": ZERO})
    cats = defaultdict(lambda: {"paid": ZERO, "expected": ZERO, "count": 0, "tax": ZERO})
    for c in g.settings.allowed("income_classifications"):
        classes[(c, book)]
    for c in g.settings.allowed("expense_categories"):
        cats[(c, book)]
    others: dict[str, int] = defaultdict(int)
    taxes = defaultdict(lambda: {"collected": ZERO, "paid": ZERO})
    for t in g.records("transaction"):
        kind = t.data.get("kind")
        d = t.data.get("date")
        amount = t.data.get("amount")
        if kind not in ("income", "expense") or not isinstance(d, dt.date) or not isinstance(amount, Decimal):
            continue  # validate reports these
        cur = g.currency(t)
        if cur != book:
            others[cur] += 1
        moved = t.data.get("received") is True
        account = _account_of(g, t)
        a = acc.get((account, cur))
        if a is None:
            a = acc[(account, cur)] = blank(account, names.get(account, account), cur)
        income = kind == "income"
        if start is not None and d < start:
            if moved:  # before the period: part of the opening balance
                a["opening_balance"] += amount if income else -amount
            continue
        if end is not None and d > end:
            continue
        month = months[(f"{d:%Y-%m}", cur)]
        tax = tax_part(g, t) if moved else ZERO
        if income:
            group = classes[(str(t.data.get("classification") or "(none)"), cur)]
            group["received" if moved else "expected"] += amount
            a["money_in" if moved else "expected_in"] += amount
            month["income" if moved else "expected_income"] += amount
            if tax:
                taxes[cur]["collected"] += tax
        else:
            group = cats[(str(t.data.get("category") or "(none)"), cur)]
            group["paid" if moved else "expected"] += amount
            a["money_out" if moved else "expected_out"] += amount
            month["expenses" if moved else "expected_expenses"] += amount
            if tax:
                taxes[cur]["paid"] += tax
        group["tax"] += tax
        group["count"] += 1
    order = {a["id"]: i for i, a in enumerate(settings_accounts)}
    for key in sorted(acc, key=lambda k: (order.get(k[0], len(order)), k[0], first(k[1]))):
        a = acc[key]
        a["opening_balance"] = dec(a["opening_balance"]) + ZERO
        a["balance"] = a["opening_balance"] + a["money_in"] - a["money_out"]
        a["expected_balance"] = a["balance"] + a["expected_in"] - a["expected_out"]
        out.accounts.append(a)
    for m, cur in sorted(months, key=lambda k: (k[0], first(k[1]))):
        v = months[(m, cur)]
        out.months.append({"month": m, **v, "net": v["income"] - v["expenses"], "currency": cur})
    out.classifications = [{"classification": k, **v, "net": v["received"] - v["tax"], "currency": cur}
                           for (k, cur), v in sorted(classes.items(), key=lambda kv: first(kv[0][1]))]
    out.categories = [{"category": k, **v, "net": v["paid"] - v["tax"], "currency": cur}
                      for (k, cur), v in sorted(cats.items(), key=lambda kv: first(kv[0][1]))]
    keys = ("opening_balance", "money_in", "money_out", "balance", "expected_in", "expected_out", "expected_balance")
    for cur in sorted({a["currency"] for a in out.accounts} | {book}, key=first):
        rows = [a for a in out.accounts if a["currency"] == cur]
        out.totals_by_currency.append({**{k: sum((r[k] for r in rows), ZERO) for k in keys}, "currency": cur})
    out.totals = out.totals_by_currency[0]
    for cur in sorted(taxes, key=first):
        v = taxes[cur]
        out.tax.append({"tax": tax_name(g), **v, "owed": v["collected"] - v["paid"], "currency": cur})
    out.other_currencies = dict(sorted(others.items()))
    return out
