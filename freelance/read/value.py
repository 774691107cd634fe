"""Figures in the book's currency (`--value home`), beside the per-currency ones (docs/rates.md).

The rate date rule: income, expenses and tax at the rate of their transaction's day
(`journal.revenue_home`, `cash_home`); balances at the rate of one chosen day (`--value-date`,
default the end of the report's window, or today): `accounts_home`. Each value is the exact
product summed, rounded to the cent once per figure, as `hledger bal --value` does with the
export's prices. A missing rate is an error naming the day and currency (`rates.MissingRate`).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.money import ZERO
from .graph import Graph
from .journal import round_to
from .owed import day
from .rates import rates


def value_date(today: dt.date, end: dt.date | None, chosen: dt.date | None) -> dt.date:
    """The day balances are valued on: the one chosen, else the window's end (not after today)."""
    if chosen is not None:
        return chosen
    return min(end, today) if end is not None else today


def accounts_home(g: Graph, rows: list[dict], on: dt.date, key: str = "balance") -> list[dict]:
    """Each (account, currency) row's `key` in the book's currency on day `on`, and a total."""
    home = g.settings.currency
    r = rates(g)
    out, total = [], ZERO
    for row in rows:
        amount: Decimal = row[key]
        rate = r.rate(row["currency"], on) if row["currency"] != home else Decimal(1)
        exact = amount * rate
        total += exact
        out.append({"account": row["account"], "name": row.get("name", ""), "amount": amount,
                    "amount_currency": row["currency"], "rate": rate, "date": on,
                    key: round_to(exact, home), "currency": home})
    out.append({"account": "total", "name": "", "amount": None, "amount_currency": None, "rate": None, "date": on,
                key: round_to(total, home), "currency": home})
    return out


def cash_home(g: Graph, today: dt.date) -> list[dict]:
    """Money moved this month and this year up to `today`, every currency's valued at the
    rate of its transaction's day, in the book's currency (`report summary --value home`)."""
    home = g.settings.currency
    r = rates(g)
    rows = []
    for name, first in (("month", today.replace(day=1)), ("year", today.replace(month=1, day=1))):
        sums = [ZERO, ZERO]
        for t in g.records("transaction"):
            d = day(t.data.get("date"))
            amount = t.data.get("amount")
            kind = t.data.get("kind")
            if t.data.get("received") is not True or d is None or not first <= d <= today \
                    or kind not in ("income", "expense") or not isinstance(amount, Decimal):
                continue
            cur = g.currency(t)
            sums[0 if kind == "income" else 1] += amount if cur == home else amount * r.rate(cur, d)
        rows.append({"period": name, "from": first, "to": today, "income": round_to(sums[0], home),
                     "expenses": round_to(sums[1], home), "net": round_to(sums[0] - sums[1], home),
                     "currency": home})
    return rows
