"""`report workflow`: every client income with its invoice, client, project and service,
and how much of it is still unlinked or expected. `--fail-on unlinked|pending`."""
from __future__ import annotations

from ..graph import Graph
from ...core.money import ZERO
from ..workflow import COLUMNS, rows
from . import Options, Report, Section
from ...core.text import Column


def build(g: Graph, opts: Options) -> Report:
    income = rows(g, start=opts.start, end=opts.end, client=opts.client)
    cur = g.settings.currency
    unlinked = [r for r in income if not r["invoice"] or not r["client"]]
    pending = [r for r in income if not r["received"]]

    def lines(what, members):
        """One line per currency (the book's first, always there); amounts never added across."""
        currencies = [cur] + sorted({r["currency"] for r in members} - {cur})
        return [{"what": what, "count": sum(1 for r in members if r["currency"] == c), "currency": c,
                 "amount": sum((r["amount"] for r in members if r["currency"] == c), ZERO)} for c in currencies]
    return Report("workflow", "Workflow: client income", [
        Section("summary", "Summary", lines("client income", income) + lines("unlinked (no invoice or client)", unlinked)
                + lines("expected (not yet received)", pending),
                [Column("what"), Column("count", align="right"), Column("amount", align="right", money=True)],
                note=f"a line per currency ({cur} first), never added together"),
        Section("income", "Client income", income, COLUMNS,
                table_columns=("id", "amount", "state", "invoice", "client")),
    ], alerts={"unlinked": [r["id"] for r in unlinked], "pending": [r["id"] for r in pending]})
