"""The workflow's change: link client income to its invoice, client, project and service."""
from __future__ import annotations

from ..core.errors import UsageError
from ..core.rules import foreign_owner
from ..core.schema import TRANSACTION
from ..store.book import Book
from ..store.records import Record
from ..store.writer import Write
from ..read.workflow import LINKS
from .matching import clear_review
from .records import check_links


def _owner(book: Book, kind: str, rid: str | None) -> str | None:
    rec = book.get(kind, rid) if rid else None
    return rec.data.get("client") if rec is not None else None


def plan_link(book: Book, tx: Record, links: dict, create_missing: bool = False
              ) -> tuple[list[Write], list[str], dict | None, dict]:
    """(writes of records it makes, notes, `tx`'s data after, the changes to `tx`) for setting
    the given links of client income `tx` (None: leave as is); `after` None: nothing changes."""
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
        if foreign_owner(owner, after.get("client")):
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
    clear_review(tx, changes, after)          # `bank match` and `income link` settle a line under review
    if not (changes or "classification" not in tx.data):
        return [], [f"income '{tx.id}' already has these links; nothing changed"], None, {}
    if "classification" not in tx.data:
        changes["classification"] = "client"
    notes = created + notes + [f"linked income '{tx.id}': " + ", ".join(f"{k} {v}" for k, v in changes.items()
                                                                    if k != "review")
                               + (" (no longer under review)" if "review" in changes else "")]
    return writes, notes, after, changes
