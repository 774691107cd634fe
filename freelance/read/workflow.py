"""The workflow: every client income with its four links.

`rows` is the view (also `report workflow`). Linking one income is a change:
`changes.workflow.link`, through the door, whose follow-ups settle the invoice
its received income now covers (the same as `income add` and `income edit`).
"""
from __future__ import annotations

import datetime as dt

from .graph import Graph
from ..store.records import Record
from ..core.text import Column

LINKS = ("invoice", "client", "project", "service")

COLUMNS = [Column("id"), Column("date"), Column("amount", align="right", money=True), Column("state"),
           Column("invoice"), Column("client"), Column("project"), Column("service")]


def missing_links(t: Record) -> list[str]:
    return [k for k in LINKS if not t.data.get(k)]


def row(g: Graph, t: Record) -> dict:
    return {"id": t.id, "date": t.data.get("date"), "amount": t.data.get("amount"),
            "currency": g.currency(t), "received": t.data.get("received") is True,
            "state": "received" if t.data.get("received") is True else "expected",
            **{k: t.data.get(k) for k in LINKS},
            "missing": missing_links(t), "description": t.data.get("description")}


def rows(g: Graph, *, unlinked: bool = False, pending: bool = False, start: dt.date | None = None,
         end: dt.date | None = None, client: str | None = None) -> list[dict]:
    """Client income, oldest first. `unlinked`: no invoice or no client yet;
    `pending`: not yet received (expected money)."""
    out = []
    for t in sorted(g.client_income(), key=lambda t: (str(t.data.get("date")), t.id)):
        d = t.data.get("date")
        if start and (not isinstance(d, dt.date) or d < start):
            continue
        if end and (not isinstance(d, dt.date) or d > end):
            continue
        if client and t.data.get("client") != client:
            continue
        if unlinked and t.data.get("invoice") and t.data.get("client"):
            continue
        if pending and t.data.get("received") is True:
            continue
        out.append(row(g, t))
    return out
