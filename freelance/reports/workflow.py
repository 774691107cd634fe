"""`report workflow`: every client income with its invoice, client, project and service,
and how much of it is still unlinked or expected. `--fail-on unlinked|pending`."""
from __future__ import annotations

from ..graph import Graph
from ..money import ZERO
from ..workflow import COLUMNS, rows
from . import Options, Report, Section


def build(g: Graph, opts: Options) -> Report:
    income = rows(g, start=opts.start, end=opts.end, client=opts.client)
    cur = g.settings.currency
    unlinked = [r for r in income if not r["invoice"] or not r["client"]]
    pending = [r for r in income if not r["received"]]

    def line(what, members):
        return {"what": what, "count": len(members), "currency": cur,
                "amount": sum((r["amount"] for r in members if r["currency"] == cur), ZERO)}
    from ..text import Column
    return Report("workflow", "Workflow: client income", [
        Section("summary", "Summary", [line("client income", income), line("unlinked (no invoice or client)", unlinked),
                                       line("expected (not yet received)", pending)],
                [Column("what"), Column("count", align="right"), Column("amount", align="right", money=True)],
                note=f"amounts in {cur}"),
        Section("income", "Client income", income, COLUMNS,
                table_columns=("id", "amount", "state", "invoice", "client")),
    ], alerts={"unlinked": [r["id"] for r in unlinked], "pending": [r["id"] for r in pending]})
