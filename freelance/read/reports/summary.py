"""`report summary`: the whole dashboard on one screen."""
from __future__ import annotations

import datetime as dt

from ..graph import Graph
from ...core.text import Column
from . import Options, Report, Section, pipeline
from ..value import accounts_home, cash_home, value_date
from .parts import (AGENDA_COLUMNS, CASH_COLUMNS, GOAL_COLUMNS, GOAL_TABLE, MONEY, PROJECT_COLUMNS, STATUS_COLUMNS,
                    agenda_rows, cash_rows, cash_tallies, every_invoice_status, for_client, goal_row, goals, invoice_row, project_row,
                    projects,
                    reserve_section, status_rows)

NEXT_DAYS = 7
VALUE = True       # --value home [--value-date DATE]: money moved and balances in the book's currency too
WINDOW = False     # the dashboard on one day (--today), not over --period/--from/--to: those are refused


def ahead(g: Graph, today: dt.date, tallies=()) -> None:
    """The whole-book sums over the transactions the summary asks for last (the accounts'
    balances, money moved this month and this year), and `tallies` (the dashboard's months),
    made on another core while the pipeline, the invoices and the projects are derived
    (`Graph.ahead`). Not the income per client: the pipeline, asked first, would wait for it."""
    g.ahead([g.balances_tally(today), *cash_tallies(g, today), *tallies])


def build(g: Graph, opts: Options) -> Report:
    today = opts.today
    ahead(g, today)
    if g.track and not opts.client:     # a server: each section kept with what it read (docs/serve.md)
        def kept(key, make):
            return g.memo(("summary", key, today), make)
    else:
        def kept(key, make):
            return make()
    stages = kept("pipeline", lambda: pipeline.build(g, opts).sections[0])
    invoices = [i for i in g.records("invoice") if for_client(i, opts)]
    in_progress = kept("in progress", lambda: [project_row(g, p) for p in projects(g, Options(today, client=opts.client))
                                               if p.data.get("status") == "in-progress"])
    goal_rows = kept("goals", lambda: [goal_row(g, x) for x in goals(g, Options(today))])
    soon = kept("agenda", lambda: agenda_rows(g, opts, today, today + dt.timedelta(days=NEXT_DAYS - 1)))
    accounts = g.account_balances(upto=today)      # per account and currency
    reserve = kept("reserve", lambda: reserve_section(g, today))    # with a `tax_reserve` setting only
    home = []
    if opts.value == "home":
        cur = g.settings.currency
        on = value_date(today, None, opts.value_date)
        home = [Section("cash_home", f"Income and expenses in {cur}", cash_home(g, today), CASH_COLUMNS,
                        note="--value home: each transaction at the rate of its day (docs/rates.md)"),
                Section("accounts_home", f"Balances in {cur} on {on}", accounts_home(g, accounts, on), [
                    Column("account"), Column("amount", "balance", unit=False, align="right", money=True), Column("amount_currency", "cur"),
                    Column("rate", align="right"), Column("balance", f"in {cur}", **MONEY)],
                    note=f"each balance at the rate of {on} (--value-date, default today)",
                    table_columns=("account", "amount", "amount_currency", "rate", "balance"))]
    if opts.client:
        statuses = status_rows(g, invoices, today)
        overdue = [i.id for i in invoices if invoice_row(g, i, today)["overdue"]]
    else:                                           # every invoice: summed per invoice (a server mends them)
        statuses, overdue = every_invoice_status(g, today)
    report = Report("summary", f"Summary on {today.isoformat()}", [
        Section("pipeline", "Pipeline", stages.rows, stages.columns, note=stages.note),
        Section("invoices", "Invoices", statuses, STATUS_COLUMNS,
                note="owed: unpaid on the day; overdue: the part of it past its due date"),
        Section("cash", "Income and expenses (money moved)", cash_rows(g, today), CASH_COLUMNS),
        Section("accounts", "Accounts", accounts, [
            Column("account"), Column("name"), Column("opening_balance", "opening", **MONEY),
            Column("money_in", "in", **MONEY), Column("money_out", "out", **MONEY),
            Column("transfers", **MONEY), Column("balance", **MONEY)],
            table_columns=("account", "opening_balance", "money_in", "money_out", "transfers", "balance")),
        *home,
        Section("projects", "Projects in progress", in_progress, PROJECT_COLUMNS,
                table_columns=("project", "client", "due", "actual_hours", "estimated_hours", "completion_pct")),
        Section("goals", "Goals", goal_rows, GOAL_COLUMNS, table_columns=GOAL_TABLE),
        Section("next", f"Next {NEXT_DAYS} days", soon, AGENDA_COLUMNS,
                table_columns=("date", "time", "what", "title", "with")),
    ], alerts={"overdue": overdue,
               "behind": [r["goal"] for r in goal_rows if r["on_track"] is False]})
    if reserve is not None:
        report.sections.insert(4, reserve)
        report.alerts["tax-reserve"] = [f"{r['difference']} {r['currency']}" for r in reserve.rows if r["difference"] < 0]
    return report
