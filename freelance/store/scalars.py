"""Scalars as the books mean them: the YAML 1.2 core schema for plain text, field types
for typed fields (money as `Decimal` from the text, never float), durations."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from ..core.durations import parse_minutes
from ..core.limits import MAX_INT_DIGITS, number_problem, year_problem

NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\Z")


def resolve_plain(text: str):
    """YAML 1.2 core schema for a plain scalar; non-integer numbers as Decimal."""
    if text in NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if len(text) > MAX_INT_DIGITS + 2 and (_INT.match(text) or _OCT.match(text) or _HEX.match(text)):
        return Decimal(text) if _INT.match(text) else text   # Python will not print a 5,000-digit int
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return Decimal(text)
    if text in (".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN"):
        return text  # infinities make no sense in a book: keep the text
    return text


MAX_MINUTES = 7 * 24 * 60   # a meeting of more than a week is a typo


def parse_duration(text: str) -> int | None:
    """Whole minutes in '45m', '1h30m', '2h', '1.5h' or '1:30' (read by freelance.core.durations, the
    one place durations are read); None when unreadable. A bare number is not a duration (90
    minutes or 90 hours?): the unit is part of it."""
    minutes = parse_minutes(text)
    if minutes is None or minutes != minutes.to_integral_value():
        return None
    return int(minutes)


def duration_text(minutes: int) -> str:
    """The canonical way to write a duration: 45m, 2h, 1h30m."""
    h, m = divmod(minutes, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if m or not h else "")


def duration_problem(text: str) -> str | None:
    """Why `text` is not a meeting's duration, or None when it is one."""
    minutes = parse_duration(text)
    if minutes is None:
        return f"expected a duration with its unit like 45m, 1h30m, 1.5h or 1:30, got {text!r}"
    if minutes == 0:
        return f"a duration of zero ({text!r}) is not a meeting"
    if minutes > MAX_MINUTES:
        return f"{text!r} is longer than a week"
    return None


def _calendar_date(text: str) -> dt.date:
    """An ISO date that is in the calendar and in the years a book may hold, or ValueError."""
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date in the calendar") from None
    problem = year_problem(d.year)
    if problem:
        raise ValueError(f"{text!r}: {problem}")
    return d


def coerce(ftype: str, text: str, plain: bool):
    """Value of a scalar for a field type, or raise ValueError('expected ...')."""
    if plain and text in NULL:
        return None
    if ftype in ("str", "link", "links", "strs"):
        return text
    if ftype in ("money", "decimal"):
        t = text.strip().replace("_", "")
        if _NUMBER.match(t):
            try:
                value = Decimal(t)
            except InvalidOperation:
                value = None
            if value is not None:
                problem = number_problem(value)     # past what cents can be computed for
                if problem:
                    raise ValueError(f"{text!r} {problem}")
                return value
        raise ValueError(f"expected a number, got {text!r}")
    if ftype == "int":
        if _INT.match(text.strip()) and len(text.strip()) <= MAX_INT_DIGITS:
            return int(text)
        raise ValueError(f"expected a whole number, got {text!r}")
    if ftype == "date":
        if _DATE.match(text):
            return _calendar_date(text)
        raise ValueError(f"expected a date like 2026-11-25, got {text!r}")
    if ftype == "datetime":
        m = _DATETIME.match(text.strip())
        if m:
            try:
                d = dt.date.fromisoformat(m.group(1))
                t = dt.datetime(d.year, d.month, d.day, int(m.group(2)), int(m.group(3)), int(m.group(4) or 0))
            except ValueError:
                raise ValueError(f"{text!r} is not a time in the calendar") from None
            problem = year_problem(d.year)
            if problem:
                raise ValueError(f"{text!r}: {problem}")
            return t
        if _DATE.match(text):
            d = _calendar_date(text)
            return dt.datetime(d.year, d.month, d.day)
        raise ValueError(f"expected a time like '2026-12-01 10:00', got {text!r}")
    if ftype == "bool":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"expected true or false, got {text!r}")
    if ftype == "duration":
        problem = duration_problem(text)
        if problem:
            raise ValueError(problem)
        return text
    return resolve_plain(text) if plain else text
