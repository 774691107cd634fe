"""`report dashboard`: the overview of `freelance serve` as a report. In html it is one
self-contained page (boards, the money chart, goals with progress bars; no script), for a
cron mail or an archive; in the other formats, the summary's sections and the months."""
from __future__ import annotations

import datetime as dt

from .. import finance
from ..graph import Graph
from ...core.text import Column
from . import Options, Report, Section, summary

MONEY = {"align": "right", "money": True}
WINDOW = False     # the overview on one day (--today), as the summary: --period, --from, --to are refused


def build(g: Graph, opts: Options) -> Report:
    year = dt.date(opts.today.year, 1, 1)
    summary.ahead(g, opts.today, [finance.summary_tally(g, year, opts.today)])     # on another core
    report = summary.build(g, opts)
    f = finance.summary(g, year, opts.today, taxed=False)   # its months only: no tax
    report.name, report.title = "dashboard", f"Dashboard on {opts.today.isoformat()}"
    report.sections.append(Section("months", f"Income and expenses by month, {opts.today.year}", f.months, [
        Column("month"), Column("income", **MONEY), Column("expenses", **MONEY), Column("net", **MONEY)]))
    return report
