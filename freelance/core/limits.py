"""Limits no real business reaches, each stated once (docs/limits.md).

A book is shared and hand-written; the command line takes whatever is typed.
Past these bounds a value is a typo or an attack, and some would break the
arithmetic (Decimal keeps 28 digits: a line of 10^14 x 10^14 cannot be
rounded to cents), the calendar (Python's dates end in 9999), or Python
itself (an integer of 4,300 digits cannot be printed). Input parsing refuses
them (exit 2) and `validate` reports them in hand-written files (exit 1),
both with the messages below.

Each rule is a small function returning what is wrong (a phrase to put after
the value's name) or None: callers add where the value came from.
Standard library only: the ground floor.
"""
from __future__ import annotations

import re
import string
from decimal import Decimal

MAX_DIGITS = 12          # amounts, rates, hours, quantities: below 10^12 (a trillion)
MAX_PLACES = 10          # decimal places of a typed number
MAX_LINE_DIGITS = 12     # an invoice line's quantity x unit price: below 10^12 too
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_TERMS_DAYS = 3650    # payment_terms_days: ten years
MAX_SEQ_WIDTH = 10       # the widest field of the invoice_number pattern ({seq:010d})
MAX_NUMBER_LENGTH = 100  # an invoice number as the pattern makes it
MAX_DEPTH = 32           # nesting of lists and mappings in a book file (a record needs 4)
MAX_INT_DIGITS = 18      # a whole number in a file longer than this is not read as one
MAX_STATEMENT_BYTES = 64 * 2**20   # a bank statement file (a year of a busy account in CAMT: a few MB)


def number_problem(value: Decimal) -> str | None:
    """What is wrong with an amount, rate, quantity or hours value, or None."""
    if not value.is_finite():
        return "is not a number"
    if value and value.adjusted() >= MAX_DIGITS:
        return f"is too large (at most {MAX_DIGITS} digits before the point)"
    if value.as_tuple().exponent < -MAX_PLACES:
        return f"has too many decimal places (at most {MAX_PLACES})"
    return None


def line_problem(quantity: Decimal, unit_price: Decimal) -> str | None:
    """An invoice line whose quantity x unit price is past what an invoice can be for."""
    total = quantity * unit_price
    if total and total.adjusted() >= MAX_LINE_DIGITS:
        return (f"quantity x unit price is {quantity} x {unit_price}, too large for one line "
                f"(at most {MAX_LINE_DIGITS} digits before the point)")
    return None


def year_problem(year: int) -> str | None:
    if not (MIN_YEAR <= year <= MAX_YEAR):
        return f"year {year} is not a year a book needs ({MIN_YEAR} to {MAX_YEAR})"
    return None


def terms_problem(value) -> str | None:
    """payment_terms_days: a whole number of days from 0 to MAX_TERMS_DAYS."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value() \
                and value.adjusted() < MAX_INT_DIGITS:
            value = int(value)
        else:
            return f"expected a whole number of days from 0 to {MAX_TERMS_DAYS}"
    if not (0 <= value <= MAX_TERMS_DAYS):
        return f"expected a whole number of days from 0 to {MAX_TERMS_DAYS}"
    return None


_WIDTHS = re.compile(r"\d+")


def pattern_width_problem(pattern: str) -> str | None:
    """What is too wide in an invoice_number pattern, or None: no field may be wider than
    MAX_SEQ_WIDTH (`{seq:05000d}` makes 5,000-digit numbers). Checked before the pattern is
    ever formatted (`{seq:999999999d}` would make a gigabyte). `rules.invoice_number_problem`
    asks this first."""
    try:
        fields = [(name, spec) for _, name, spec, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        return None                    # not a pattern at all: the caller says why
    for name, spec in fields:
        if any(len(n) > 3 or int(n) > MAX_SEQ_WIDTH for n in _WIDTHS.findall(spec or "")):
            return f"{{{name}:{spec}}} is too wide (at most {MAX_SEQ_WIDTH} digits, like {{seq:04d}})"
    return None


def whole(text: str) -> int | None:
    """A run of digits as an int, or None when it is too long to be a number a book uses."""
    return int(text) if len(text) <= MAX_INT_DIGITS else None
