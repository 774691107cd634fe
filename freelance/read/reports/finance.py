"""`report finance`: per account opening, money in, money out, transfers, balance and the
day it is reconciled through; income and
expenses by month, by classification and by category; moved versus expected."""
from __future__ import annotations

from ..finance import summary
from ..graph import Graph
from ..journal import DEFAULT_BASIS, revenue, revenue_home
from ..value import accounts_home, value_date
from ...core.text import Column
from . import Options, Report, Section

CLIENT = False     # accounts and tax are the whole book's: --client is refused, not ignored
BASIS = True       # --basis cash|accrual: revenue and tax when the money moved, or when invoiced
VALUE = True       # --value home [--value-date DATE]: the book's currency beside each currency (docs/rates.md)
CLIENT_INSTEAD = "for one client's money see `freelance report invoices --client ID` or `freelance client show ID`"


def build(g: Graph, opts: Options) -> Report:
    f = summary(g, opts.start, opts.end)
    m = dict(align="right", money=True)
    span = (f"from {opts.start or 'the start'} to {opts.end or 'the end'}" if opts.start or opts.end
            else "all dates")
    note = f"{span}; expected = not yet received or paid"
    if f.other_currencies:
        note += (f"; other currencies are totalled apart, never added to {f.currency}: "
                 + ", ".join(f"{n} in {c}" for c, n in f.other_currencies.items()))
    total = [{"account": "total", "name": "", **t} for t in f.totals_by_currency]
    sections = [
        Section("accounts", "Accounts", f.accounts + total, [
            Column("account"), Column("opening_balance", "start", unit=False, **m),
            Column("money_in", "in", unit=False, **m), Column("money_out", "out", unit=False, **m),
            Column("transfers", "moved", unit=False, **m), Column("balance", unit=False, **m), Column("currency", "cur"),
            Column("reconciled_through", "verified")], note=note + "; start: the opening balance (of the period); start + in - out + moved = "
            "balance; moved: transfers between own accounts, net; verified: reconciled through the day of the latest balance assertion (bank statement) that holds",
            table_columns=("account", "opening_balance", "money_in", "money_out", "transfers", "balance",
                           "currency", "reconciled_through")),
        Section("expected", "Expected (not yet moved)", f.accounts + total, [
            Column("account"), Column("expected_in", "expected in", **m), Column("expected_out", "expected out", **m),
            Column("expected_balance", "balance after", **m)]),
        Section("months", "By month", f.months, [
            Column("month"), Column("income", **m), Column("expenses", **m), Column("net", **m),
            Column("expected_income", "exp. income", **m), Column("expected_expenses", "exp. expenses", **m)],
            table_columns=("month", "income", "expenses", "net")),
        Section("income", "Income by classification", f.classifications, [
            Column("classification"), Column("count", align="right"), Column("received", **m),
            Column("expected", **m), Column("tax", **m), Column("net", **m)],
            table_columns=("classification", "count", "received", "expected")),
        Section("expenses", "Expenses by category", f.categories, [
            Column("category"), Column("count", align="right"), Column("paid", **m), Column("expected", **m),
            Column("tax", **m), Column("net", **m)],
            table_columns=("category", "count", "paid", "expected")),
    ]
    basis = opts.basis or DEFAULT_BASIS
    earned = revenue(g, basis, opts.start, opts.end)
    sections.append(Section("revenue", f"Revenue and tax ({basis} basis)", earned, [
        Column("revenue", **m), Column("expenses", **m), Column("profit", **m), Column("collected", "tax collected", **m),
        Column("paid", "input tax", **m), Column("owed", "tax owed", **m)],
        note=("cash basis: revenue and tax when the money moved (payments, fees, write-offs)" if basis == "cash" else
              "accrual basis: revenue and tax when invoices and credit notes were issued")
        + "; from the journal, as the exports print it (docs/ledger.md); --basis cash|accrual",
        table_columns=("revenue", "expenses", "profit", "collected", "owed")))
    if opts.value == "home":
        home = f.currency
        on = value_date(opts.today, opts.end, opts.value_date)
        sections.append(Section("revenue_home", f"Revenue and tax in {home} ({basis} basis)",
                                [revenue_home(g, basis, opts.start, opts.end)], [
            Column("revenue", **m), Column("expenses", **m), Column("profit", **m),
            Column("collected", "tax collected", **m), Column("paid", "input tax", **m), Column("owed", "tax owed", **m)],
            note=f"--value home: every currency in {home}, each posting at the rate of its day (income, expenses, "
                 "tax); `hledger bal --value=then` on the export agrees (docs/rates.md)",
            table_columns=("revenue", "expenses", "profit", "collected", "owed")))
        sections.append(Section("accounts_home", f"Balances in {home} on {on}", accounts_home(g, f.accounts, on), [
            Column("account"), Column("amount", "balance", unit=False, **m), Column("amount_currency", "cur"),
            Column("rate", align="right"), Column("balance", f"in {home}", unit=False, **m)],
            note=f"each balance at the rate of {on} (--value-date; default the end of the window, or today)"))
    if f.tax:
        sections.append(Section("tax", "Tax (collected on invoices, paid on expenses)", f.tax, [
            Column("tax"), Column("collected", **m), Column("paid", **m), Column("owed", **m)],
            note="collected: the tax share of received invoice payments (owed to the tax office); "
                 "paid: tax on paid expenses (reclaimable); owed = collected - paid"))
    return Report("finance", "Finance", sections)
