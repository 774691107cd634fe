"""Invoice numbers: the book's `invoice_number` pattern and the next number of a year.

Its own room so that both an invoice added (`invoicing`) and one made on the spot by
`--invoice new` (`records.check_links`) take it without importing each other."""
from __future__ import annotations

from typing import Iterable

from ..core.errors import UsageError
from ..core.rules import DEFAULT_INVOICE_NUMBER, invoice_number_problem, number_regex
from ..store.book import Book


def _pattern(book: Book) -> str:
    pattern = str(book.settings.get("invoice_number") or DEFAULT_INVOICE_NUMBER)
    problem = invoice_number_problem(pattern)
    if problem:
        raise UsageError(f"the book's invoice_number pattern {pattern!r} is not usable ({problem}); "
                         f"fix it with `freelance settings set invoice_number \"{DEFAULT_INVOICE_NUMBER}\"`")
    return pattern


def next_number(book: Book, year: int, taken: Iterable[str] = ()) -> str:
    """The number after the highest one of `year` in the book (gapless: max + 1), and among
    `taken` (numbers the book does not hold yet: another device's, when `sync` merges)."""
    pattern = _pattern(book)
    rx = number_regex(pattern, year)
    seqs = [int(m.group(1)) for rid in [*book.index("invoice"), *taken] if (m := rx.match(rid))]
    return pattern.format(year=year, seq=max(seqs, default=0) + 1)
