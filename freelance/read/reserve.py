"""The tax reserve: what to have set aside for income tax so far this year, what the reserve
account holds, and the difference (docs/tax-reserve.md).

    set aside = tax_reserve % of this year's profit (cash basis, 1 January to --today; none on a loss)
    profit    = revenue net of tax - expenses net of input tax (fees and write-offs included)
    reserved  = the balance of the `tax_reserve_account` on --today
    difference = reserved - set aside (below zero: that much more to move to the reserve)

Profit, not income received: income tax is on profit, and the VAT in what was received is
owed apart (`report vat`). Per currency, as the journal's revenue is; never summed across.
"""
from __future__ import annotations

import datetime as dt

from ..core.money import HUNDRED, ZERO
from .graph import Graph
from .journal import journal, revenue, round_to


def tax_reserve(g: Graph, today: dt.date) -> list[dict]:
    """One row per currency: {year, percent, profit, set_aside, reserved, difference, account,
    currency}; none when the book sets no `tax_reserve`."""
    pct = g.settings.tax_reserve
    if pct is None:
        return []
    account = g.settings.tax_reserve_account
    start = dt.date(today.year, 1, 1)
    profit = {r["currency"]: r["profit"] for r in revenue(g, "cash", start, today)}
    held: dict = {}
    for x in journal(g, "cash"):        # the account's balance on the day, opening balance included
        if x.date > today:
            break
        for p in x.postings:
            if p.account == ("assets", account):
                held[p.currency] = held.get(p.currency, ZERO) + p.amount
    book = g.settings.currency
    rows = []
    for cur in sorted(set(profit) | set(held) | {book}, key=lambda c: (c != book, c)):
        made = profit.get(cur, ZERO)
        aside = round_to(max(made, ZERO) * pct / HUNDRED, cur)
        have = held.get(cur, ZERO) + ZERO
        rows.append({"year": today.year, "percent": pct, "profit": made, "set_aside": aside, "reserved": have,
                     "difference": have - aside, "account": account, "currency": cur})
    return rows


def reserve_note(g: Graph) -> str:
    """What the reserve rows say, for a report's note."""
    account = g.settings.tax_reserve_account
    note = (f"set aside: {g.settings.tax_reserve.normalize():f}% of this year's profit (cash basis, net of tax); "
            f"reserved: the balance of account '{account}'; difference = reserved - set aside (below zero: move that "
            f"much to '{account}')")
    if account not in g.settings.allowed("accounts"):
        note += f"; the book has no account '{account}': `freelance account add {account}` or set tax_reserve_account"
    return note
