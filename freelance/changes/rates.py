"""Planning the book's exchange rates (`rates.yaml`): typed (`rates set`), read from a file
(`rates import`), or frozen when a foreign-currency record is booked (docs/rates.md).

A rate is one record per currency and day, id `CUR-YYYY-MM-DD`: a second rate of the same
day replaces the first one's value (one line changed), a new day is appended. Planners only
plan; the door commits.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.errors import UsageError
from ..core.limits import number_problem
from ..core.rules import is_currency
from ..core.schema import KINDS
from ..store.book import Book
from ..store.writer import Write, plan_append, plan_updates
from .records import ordered

RATE = KINDS["rate"]


def rate_id(currency: str, day: dt.date) -> str:
    return f"{currency}-{day.isoformat()}"


def check_rate(book: Book, currency: str, rate: Decimal, where: str = "") -> None:
    """A rate the book can hold: a foreign currency's code, a positive number that fits."""
    at = f"{where}: " if where else ""
    if not is_currency(currency):
        raise UsageError(f"{at}expected a three-letter currency code like USD, got {currency!r}")
    if currency == book.settings.currency:
        raise UsageError(f"{at}{currency} is the book's own currency: its rate is 1")
    if not rate.is_finite() or rate <= 0:
        raise UsageError(f"{at}expected a positive rate like 0.9132 (1 {currency} in {book.settings.currency}), "
                         f"got {rate}")
    problem = number_problem(rate)
    if problem:
        raise UsageError(f"{at}rate {rate}: {problem}")


TYPED = "typed"


def plan_rates(book: Book, items: list[tuple[dt.date, str, Decimal, str]],
               keep_typed: bool = False) -> tuple[list[Write], dict]:
    """The write that puts each (day, currency, rate, source) in rates.yaml: new days appended,
    a changed rate of a day already there re-written in place, the same rate left alone.
    `keep_typed`: a rate typed by hand (`source: typed`) is kept (an import does not overwrite
    it). Returns (writes, counts {"added", "changed", "same", "kept"})."""
    have = book.index("rate")
    latest: dict[str, tuple] = {}
    for day, cur, rate, source in items:             # a file naming a day twice: its last one
        latest[rate_id(cur, day)] = (day, cur, rate, source)
    new, changes, same, kept = [], [], 0, 0
    for rid, (day, cur, rate, source) in latest.items():
        old = have.get(rid)
        if old is not None and keep_typed and old.data.get("source") == TYPED and old.data.get("rate") != rate:
            kept += 1
        elif old is None:
            new.append(ordered(RATE, {"id": rid, "date": day, "currency": cur, "rate": rate, "source": source}))
        elif old.data.get("rate") != rate or old.data.get("date") != day or old.data.get("currency") != cur:
            changes.append((old, {"date": day, "currency": cur, "rate": rate, "source": source}))
        else:
            same += 1
    new.sort(key=lambda d: (d["date"], d["currency"]))
    writes: list[Write] = []
    w = plan_updates(book, changes) if changes else None
    if new:
        w = plan_append(book, "rate", new, after=w)
    if w is not None:
        writes.append(w)
    return writes, {"added": len(new), "changed": len(changes), "same": same, "kept": kept}
