"""Dates typed on the command line: ISO, `today`, `+30d`, `2026-Q4`, ... (docs/dates.md)."""
from __future__ import annotations

import datetime as dt
import re

from .errors import UsageError
from .limits import year_problem

_OFFSET = re.compile(r"([+-])(\d+)([dwmy])\Z", re.ASCII)
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])\Z", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})\Z", re.ASCII)
_YEAR = re.compile(r"(\d{4})\Z", re.ASCII)
_MONTH_LOOSE = re.compile(r"(\d{4})-(\d{1,2})\Z", re.ASCII)


def _add_months(d: dt.date, months: int) -> dt.date:
    """`d` moved by whole months, its day clipped to the month's end (31 Jan + 1m = 28 Feb)."""
    from dateutil.relativedelta import relativedelta   # imported when needed: --help stays fast
    return d + relativedelta(months=months)


# The forms a date typed on the command line may take, and nothing else: no guessing
# (`01/02/2026` is not read as 2 January or 1 February, `friday` is not next Friday).
ACCEPTED = ("2026-11-25 (YYYY-MM-DD), today, yesterday, tomorrow, "
            "or an offset from today like +30d, -2w, +1m, +1y")
ORDERS = ("dmy", "mdy")          # the book's `date_order`, for 25/11/2026 or 11/25/2026
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z", re.ASCII)
_WORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\Z", re.ASCII)
# A time that ends in a zone or UTC offset (Z, +05:30, UTC+14, PST): refused, not silently moved
_ZONE = re.compile(r".*?[\d\s](?:Z|(?:UTC|GMT)\s*(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2}|[A-Z]{3,5})\Z", re.ASCII)


def accepted(order: str | None = None) -> str:
    """The accepted date forms, as a message says them."""
    if order == "dmy":
        return ACCEPTED + ", or 25/11/2026 (DD/MM/YYYY, the book's date_order)"
    if order == "mdy":
        return ACCEPTED + ", or 11/25/2026 (MM/DD/YYYY, the book's date_order)"
    return ACCEPTED


def parse_date(text: str, today: dt.date, what: str = "date", order: str | None = None) -> dt.date:
    """A date from the command line in one of the `accepted` forms; UsageError naming
    `what` otherwise. `order` is the book's `date_order` (dmy, mdy or None)."""
    try:
        d = _parse_date(str(text), today, what, order if order in ORDERS else None)
    except (OverflowError, ValueError):     # +9999999y: past the calendar's last year
        raise UsageError(f"{what}: {text!r} is outside the calendar") from None
    return in_range(d, what)


def in_range(d, what: str):
    """`d` (a date or datetime), or a UsageError when its year is past the limits (limits.py)."""
    problem = year_problem(d.year)
    if problem:
        raise UsageError(f"{what}: {d}: {problem}")
    return d


def parse_month(text: str, today: dt.date, what: str = "--month", order: str | None = None) -> tuple[int, int]:
    """(year, month) of '2026-12', or of any date `parse_date` reads."""
    m = _MONTH_LOOSE.match(text.strip())
    if m and 1 <= int(m.group(2)) <= 12:
        year = int(m.group(1))
        problem = year_problem(year)
        if problem:
            raise UsageError(f"{what}: {text.strip()!r}: {problem}")
        return year, int(m.group(2))
    d = parse_date(text, today, what, order)
    return d.year, d.month


def _calendar_day(y: int, m: int, d: int, text: str, what: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a day of the calendar") from None


def _parse_date(text: str, today: dt.date, what: str, order: str | None) -> dt.date:
    t = text.strip().lower()
    if t in _WORDS:
        return today + dt.timedelta(days=_WORDS[t])
    m = _OFFSET.match(t)
    if m:
        n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
        unit = m.group(3)
        if unit == "d":
            return today + dt.timedelta(days=n)
        if unit == "w":
            return today + dt.timedelta(weeks=n)
        if unit == "m":
            return _add_months(today, n)
        return _add_months(today, 12 * n)
    m = _ISO.match(t)
    if m:
        return _calendar_day(int(m.group(1)), int(m.group(2)), int(m.group(3)), text, what)
    m = _SLASHED.match(t)
    if m and order:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _calendar_day(y, b, a, text, what) if order == "dmy" else _calendar_day(y, a, b, text, what)
    hint = ""
    if m:
        hint = ("; for day-first or month-first dates set the book's order: "
                "`freelance settings set date_order dmy` (25/11/2026) or `mdy` (11/25/2026)")
    raise UsageError(f"{what}: cannot read {text!r} as a date; accepted: {accepted(order)}{hint}")


def parse_datetime(text: str, today: dt.date, what: str = "time", order: str | None = None) -> dt.datetime:
    """A date and a time of day: '2026-12-01 10:00' (or 'T' between them, seconds optional),
    or any accepted date form followed by a time ('tomorrow 10:00'). Nothing is guessed."""
    t = str(text).strip()
    parts = t.replace("T", " ", 1).split() if _ISO.match(t[:10]) and t[10:11] in ("T", "t") else t.split()
    if len(parts) == 2 and _TIME.match(parts[1]):
        d = parse_date(parts[0], today, what, order)
        m = _TIME.match(parts[1])
        h, mi, sec = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if h > 23 or mi > 59 or sec > 59:
            raise UsageError(f"{what}: {parts[1]!r} is not a time of day (00:00 to 23:59)")
        return in_range(dt.datetime(d.year, d.month, d.day, h, mi, sec), what)
    if _ZONE.match(t):
        raise UsageError(f"{what}: {text!r} names a time zone or UTC offset; give the time as it is in the "
                         "book's timezone (`freelance settings show`), like '2026-12-01 10:00'")
    raise UsageError(f"{what}: cannot read {text!r} as a date and time: expected a date and a time of day "
                     f"like '2026-12-01 10:00' or 'tomorrow 14:30'; the date: {accepted(order)}")


def parse_period(text: str, what: str = "--period") -> tuple[dt.date, dt.date]:
    """Inclusive (first, last) day of '2026', '2026-Q4' or '2026-11'."""
    t = str(text).strip()
    year = _YEAR.match(t[:4])
    problem = year_problem(int(year.group(1))) if year else None
    if problem:
        raise UsageError(f"{what}: {t!r}: {problem}")
    m = _QUARTER.match(t)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        first = dt.date(y, 3 * q - 2, 1)
        return first, _add_months(first, 3) - dt.timedelta(days=1)
    m = _MONTH.match(t)
    if m and 1 <= int(m.group(2)) <= 12:
        first = dt.date(int(m.group(1)), int(m.group(2)), 1)
        return first, _add_months(first, 1) - dt.timedelta(days=1)
    m = _YEAR.match(t)
    if m:
        y = int(m.group(1))
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    raise UsageError(f"{what}: expected a period like 2026, 2026-Q4 or 2026-11, got {text!r}")


def window(today: dt.date, date_from: str | None, date_to: str | None,
           period: str | None, order: str | None = None) -> tuple[dt.date | None, dt.date | None]:
    """(start, end) from --period, then --from and --to over it; refuses a window that ends
    before it starts (it would silently match nothing)."""
    start = end = None
    if period:
        start, end = parse_period(period)
    if date_from:
        start = parse_date(date_from, today, "--from", order)
    if date_to:
        end = parse_date(date_to, today, "--to", order)
    if start is not None and end is not None and end < start:
        raise UsageError(f"--to {end} is before --from {start}" if date_from and date_to else
                         f"the window ends ({end}) before it starts ({start}): check --period, --from and --to")
    return start, end
