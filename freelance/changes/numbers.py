"""Invoice and quote numbers: the book's `invoice_number` and `quote_number` patterns and
the next number of a year.

Its own room so that both an invoice added (`invoicing`) and one made on the spot by
`--invoice new` (`records.check_links`) take it without importing each other."""
from __future__ import annotations

from typing import Iterable

from ..core.errors import UsageError
from ..core.rules import DEFAULT_INVOICE_NUMBER, DEFAULT_QUOTE_NUMBER, invoice_number_problem, number_regex
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
