"""Invoice and quote numbers: the book's `invoice_number` and `quote_number` patterns and
the next number of a year.

Its own room so that both an invoice added (`invoicing`) and one made on the spot by
`--invoice new` (`records.check_links`) take it without importing each other."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Iterable

from ..core.errors import UsageError
from ..core.rules import DRAFT_PREFIX, DEFAULT_INVOICE_NUMBER, DEFAULT_QUOTE_NUMBER, invoice_number_problem, number_regex
from ..store.book import Book

# kind -> (the setting that holds its pattern, the default pattern)
PATTERNS = {"invoice": ("invoice_number", DEFAULT_INVOICE_NUMBER), "quote": ("quote_number", DEFAULT_QUOTE_NUMBER)}


def _pattern(book: Book, kind: str = "invoice") -> str:
    setting, default = PATTERNS[kind]
    pattern = str(book.settings.get(setting) or default)
    problem = invoice_number_problem(pattern)
    if problem:
        raise UsageError(f"the book's {setting} pattern {pattern!r} is not usable ({problem}); "
                         f"fix it with `freelance settings set {setting} \"{default}\"`")
    return pattern


def next_number(book: Book, year: int, taken: Iterable[str] = (), kind: str = "invoice") -> str:
    """The number after the highest one of `year` in the book (gapless: max + 1), and among
    `taken` (numbers the book does not hold yet: another device's, when `sync` merges); `kind`:
    an invoice's (`invoice_number`) or a quote's (`quote_number`)."""
    pattern = _pattern(book, kind)
    rx = number_regex(pattern, year)
    seqs = [int(m.group(1)) for rid in [*book.index(kind), *taken] if (m := rx.match(rid))]
    return pattern.format(year=year, seq=max(seqs, default=0) + 1)


def draft_id(book: Book, day: dt.date, taken: Iterable[str] = ()) -> str:
    """A draft invoice's id: `draft-YYYYMMDD-3fa9c2` (its issue date, 24 random bits), never one
    the book or `taken` holds. Random, not a counter: drafts made on two devices never clash;
    the legal number is given when it leaves draft (`next_number`, docs/ids.md)."""
    held = book.index("invoice")
    taken = set(taken)
    while True:
        rid = f"{DRAFT_PREFIX}{day:%Y%m%d}-{secrets.token_hex(3)}"
        if rid not in held and rid not in taken:
            return rid


def new_invoice_id(book: Book, status, issued: dt.date, number: str | None = None) -> str:
    """A new invoice's id: `number` when chosen, a draft id while it is a draft (no `status` is
    a draft), else the next number of its issue year."""
    if number:
        return number
    if status in (None, "", "draft"):
        return draft_id(book, issued)
    return next_number(book, issued.year)
