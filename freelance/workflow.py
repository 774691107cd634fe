"""The workflow: every client income with its four links, and linking them.

`rows` is the view (also `report workflow`); `plan_link` fills links of one
income record surgically, creating missing records with --create-missing,
and settles the invoice when its received income now covers it (through
ops.edit's follow-ups, the same as `income add` and `income edit`).
"""
from __future__ import annotations

import datetime as dt

from .book import Book
from .errors import UsageError
from .graph import Graph
from .render import Column
from .schema import TRANSACTION
from .writer import apply, plan_update
from .yamlio import Record

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


def _owner(book: Book, kind: str, rid: str | None) -> str | None:
    rec = book.get(kind, rid) if rid else None
    return rec.data.get("client") if rec is not None else None


def link(book: Book, tx: Record, links: dict, create_missing: bool = False) -> list[str]:
    """Set the given links of client income `tx` (None: leave as is); returns what was done."""
    from .ops import check_links, follow_ups
    links = {k: v for k, v in links.items() if v}
    if not links:
        raise UsageError("nothing to link: give --invoice, --client, --project and/or --service")
    if tx.data.get("kind") != "income":
        raise UsageError(f"{tx.id} is an expense; only income is linked to invoices and clients")
    cls = tx.data.get("classification")
    if cls not in (None, "client"):
        raise UsageError(f"income {tx.id} is classified {cls!r}, not client; change that first with "
                         f"`freelance income edit {tx.id} --classification client`")
    after = {**tx.data, **links}
    notes = []
    # the client follows from what is linked, when not given
    if not after.get("client"):
        for k in ("invoice", "project", "service"):
            owner = _owner(book, k, after.get(k))
            if owner:
                after["client"] = links["client"] = owner
                notes.append(f"client '{owner}' taken from {k} {after[k]}")
                break
    for k in ("invoice", "project", "service"):
        owner = _owner(book, k, links.get(k))
        if owner and after.get("client") and owner != after["client"]:
            raise UsageError(f"--{k}: {k} {links[k]} belongs to client '{owner}', not '{after['client']}'"
                             + " (an income's links must all be one client's)")
    if after.get("invoice") and not after.get("client"):
        raise UsageError("--invoice: income linked to an invoice needs a client too (give --client)")
    context = {**{k: after.get(k) for k in LINKS}, "amount": after.get("amount"), "currency": after.get("currency"),
               "date": after.get("date")}
    context = {k: v for k, v in context.items() if v is not None}
    writes, created = check_links(book, TRANSACTION, context, create_missing)
    for k in ("invoice", "currency"):       # `--invoice new` became a number (and its currency)
        if context.get(k) is not None and context[k] != after.get(k):
            after[k] = links[k] = context[k]
    for k, v in links.items():
        old = tx.data.get(k)
        if old and old != v:
            notes.append(f"{k}: {old} -> {v}")
    changes = {k: v for k, v in links.items() if tx.data.get(k) != v}
    if not (changes or "classification" not in tx.data):
        return [f"income '{tx.id}' already has these links; nothing changed"]
    if "classification" not in tx.data:
        changes["classification"] = "client"
    more, settled = follow_ups(book, TRANSACTION, tx, after)
    apply(book, writes + [plan_update(book, tx, changes)] + more)
    return created + notes + [f"linked income '{tx.id}': " + ", ".join(f"{k} {v}" for k, v in changes.items())] + settled
