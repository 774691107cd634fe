"""Dates typed on the command line: ISO, `today`, `+30d`, `2026-Q4`, ..."""
from __future__ import annotations

import datetime as dt
import re

from .errors import UsageError
from .limits import year_problem

_OFFSET = re.compile(r"([+-])(\d+)([dwmy])\Z")
_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])\Z")
_MONTH = re.compile(r"(\d{4})-(\d{2})\Z")
_YEAR = re.compile(r"(\d{4})\Z")
_MONTH_LOOSE = re.compile(r"(\d{4})-(\d{1,2})\Z")


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


def parse_date(text: str, today: dt.date, what: str = "date") -> dt.date:
    """A date from the command line; raises UsageError naming `what`."""
    try:
        d = _parse_date(text, today, what)
    except OverflowError:
        raise UsageError(f"{what}: {text!r} is outside the calendar") from None
    return in_range(d, what)


def in_range(d, what: str):
    """`d` (a date or datetime), or a UsageError when its year is past the limits (limits.py)."""
    problem = year_problem(d.year)
    if problem:
        raise UsageError(f"{what}: {d}: {problem}")
    return d


def parse_month(text: str, today: dt.date, what: str = "--month") -> tuple[int, int]:
    """(year, month) of '2026-12', or of any date `parse_date` reads."""
    m = _MONTH_LOOSE.match(text.strip())
    if m and 1 <= int(m.group(2)) <= 12:
        year = int(m.group(1))
        problem = year_problem(year)
        if problem:
            raise UsageError(f"{what}: {text.strip()!r}: {problem}")
        return year, int(m.group(2))
    d = parse_date(text, today, what)
    return d.year, d.month


def _parse_date(text: str, today: dt.date, what: str) -> dt.date:
    t = str(text).strip().lower()
    if t == "today":
        return today
    if t == "tomorrow":
        return today + dt.timedelta(days=1)
    if t == "yesterday":
        return today - dt.timedelta(days=1)
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
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        pass
    from dateutil import parser as dparser  # costly import: only when needed
    try:
        return dparser.parse(text, default=dt.datetime(today.year, today.month, today.day)).date()
    except (ValueError, OverflowError):
        raise UsageError(f"{what}: cannot read {text!r} as a date "
                         "(try 2026-11-25, today, tomorrow, +30d, -2w)") from None


def parse_datetime(text: str, today: dt.date, what: str = "time") -> dt.datetime:
    """A time from the command line, naive in the book's timezone (docs/calendar.md): one with a
    UTC offset or a zone name is refused rather than silently moved; seconds are kept, not
    fractions of them."""
    try:
        d = _parse_datetime(text, today, what)
    except OverflowError:
        raise UsageError(f"{what}: {text!r} is outside the calendar") from None
    if d.tzinfo is not None:
        raise UsageError(f"{what}: {text!r} names a time zone or UTC offset; give the time as it is in the "
                         "book's timezone (`freelance settings show`), like '2026-12-01 10:00'")
    return in_range(d.replace(microsecond=0), what)


def _parse_datetime(text: str, today: dt.date, what: str) -> dt.datetime:
    t = str(text).strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(t, fmt)
        except ValueError:
            pass
    parts = t.rsplit(" ", 1)
    if len(parts) == 2 and re.match(r"\d{1,2}:\d{2}\Z", parts[1]):
        d = parse_date(parts[0], today, what)
        h, mi = map(int, parts[1].split(":"))
        try:
            return dt.datetime(d.year, d.month, d.day, h, mi)
        except ValueError:
            raise UsageError(f"{what}: {parts[1]!r} is not a time of day") from None
    import warnings

    from dateutil import parser as dparser
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", dparser.UnknownTimezoneWarning)   # 'PST': not silently dropped
            return dparser.parse(t, default=dt.datetime(today.year, today.month, today.day, 9, 0))
    except dparser.UnknownTimezoneWarning:
        raise UsageError(f"{what}: {text!r} names a time zone; give the time as it is in the book's timezone, "
                         "like '2026-12-01 10:00'") from None
    except (ValueError, OverflowError):
        raise UsageError(f"{what}: cannot read {text!r} as a time (try '2026-12-01 10:00')") from None


def parse_period(text: str, what: str = "--period") -> tuple[dt.date, dt.date]:
    """Inclusive (first, last) day of '2026', '2026-Q4' or '2026-11'."""
    t = str(text).strip()
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
           period: str | None) -> tuple[dt.date | None, dt.date | None]:
    """(start, end) from --period, then --from and --to over it; refuses a window that ends
    before it starts (it would silently match nothing)."""
    start = end = None
    if period:
        start, end = parse_period(period)
    if date_from:
        start = parse_date(date_from, today, "--from")
    if date_to:
        end = parse_date(date_to, today, "--to")
    if start is not None and end is not None and end < start:
        raise UsageError(f"--to {end} is before --from {start}" if date_from and date_to else
                         f"the window ends ({end}) before it starts ({start}): check --period, --from and --to")
    return start, end
