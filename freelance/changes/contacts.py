"""Contacts imported from a vCard file (`contact import`, docs/vcard.md): the one write of
`contacts.yaml` that adds the new people and changes the known ones. A face (formats/vcard.py)
reads the cards into typed values; the door checks them like any add or edit and commits."""
from __future__ import annotations

from ..core.schema import KINDS
from ..store.book import Book
from ..store.writer import Write, plan_append, plan_updates
from ..store.yamlio import read_records
from .records import ordered


def plan_import(book: Book, new: list[dict], changes: dict[str, dict]) -> list[Write]:
    """The writes of a contact import: the changed records rewritten from the last one up (a
    rewrite moves only the lines below it), then every new contact appended in one go.
    Linear: planning card by card re-read the whole file after each one (2,000 cards took
    13 s, 10,000 minutes)."""
    kind = KINDS["contact"]
    pending: dict[str, Write] = {}
    if changes:
        index = book.index(kind.name)
        _stage(book, plan_updates(book, [(index[rid], c) for rid, c in changes.items()]), pending)
    if new:
        _stage(book, plan_append(book, "contact", [ordered(kind, d) for d in new]), pending)
    return list(pending.values())


def _stage(book: Book, w: Write, pending: dict[str, Write]) -> None:
    """Let the next plan see this write's text (several changes to one file), without touching
    the disk: `apply` later writes the last text, checked against the file as read. The
    writer's own idea of the result (`w.parsed`) is taken when it has one: no parse."""
    kind = KINDS["contact"]
    book.stage(kind.name, w.rel, w.parsed or read_records(w.text.encode("utf-8"), w.rel, kind))
    pending[w.rel] = w
