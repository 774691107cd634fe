"""Schedules of recurring invoices (docs/recurring.md): an RRULE, its periods, their names.

A schedule is an RFC 5545 RRULE (python-dateutil's `rrulestr`) from a start day. Its
occurrences o0, o1, ... cut time into periods [o_k, o_k+1 - 1]; each period is billed once,
keyed by (schedule, the period's first day). Billed in advance (the default) the invoice of a
period is issued on its first day; in arrears (the hours of a project) on the day after its
last. `--every month --on 1` and the like are written as the RRULE they mean.

The rule is someone's text (a book may come from anyone): only WEEKLY, MONTHLY and YEARLY
rules of the parts listed in PARTS are read, with no DTSTART of their own (the schedule's
`start` is that); a rule that never occurs costs dateutil about a second to find out.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from .errors import did_you_mean

FREQS = ("WEEKLY", "MONTHLY", "YEARLY")
PARTS = ("FREQ", "INTERVAL", "BYMONTHDAY", "BYDAY", "BYMONTH", "BYSETPOS", "BYWEEKNO", "BYYEARDAY",
         "COUNT", "UNTIL", "WKST")
UNITS = {"week": "WEEKLY", "month": "MONTHLY", "quarter": "MONTHLY", "year": "YEARLY"}
DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA", "sun": "SU"}
MAX_PERIODS = 5000          # periods one schedule may have up to a day (weekly for 96 years)


class Period(NamedTuple):
    first: dt.date          # the key: (schedule id, first)
    last: dt.date
    issue: dt.date          # the day its invoice is due to be made


def check_rule(text: str) -> str:
    """The RRULE `text` in its canonical form (upper case, no "RRULE:"), or ValueError saying
    what is wrong with it."""
    raw = str(text).strip()
    if raw.upper().startswith("RRULE:"):
        raw = raw[6:]
    if not raw or "\n" in raw or "\r" in raw:
        raise ValueError("expected one RRULE line like FREQ=MONTHLY;BYMONTHDAY=1")
    parts = {}
    for part in raw.upper().split(";"):
        name, eq, value = part.partition("=")
        name = name.strip()
        if not eq or not value.strip():
            raise ValueError(f"{part!r} is not NAME=VALUE (as in FREQ=MONTHLY;BYMONTHDAY=1)")
        if name not in PARTS:
            raise ValueError(f"{name} is not a part of a schedule's rule (one of {', '.join(PARTS)})"
                             f"{did_you_mean(name, PARTS)}")
        if name in parts:
            raise ValueError(f"{name} is given twice")
        parts[name] = value.strip()
    if parts.get("FREQ") not in FREQS:
        raise ValueError(f"FREQ must be one of {', '.join(FREQS)} (got {parts.get('FREQ') or 'none'})")
    for name, lo, hi in (("BYMONTHDAY", 1, 31), ("BYMONTH", 1, 12), ("INTERVAL", 1, 999), ("COUNT", 1, MAX_PERIODS),
                         ("BYSETPOS", 1, 366), ("BYWEEKNO", 1, 53), ("BYYEARDAY", 1, 366)):
        for v in parts.get(name, "").split(",") if name in parts else ():
            n = v.lstrip("+-")
            if not n.isdigit() or not lo <= int(n) <= hi or (v.startswith("-") and name in ("BYMONTH", "INTERVAL", "COUNT")):
                raise ValueError(f"{name}={parts[name]}: each value from {lo} to {hi}"
                                 + (" (or -1 to -%d, counted from the end)" % hi if name not in ("BYMONTH", "INTERVAL", "COUNT") else ""))
    canonical = ";".join(f"{k}={v}" for k, v in parts.items())
    if not re.fullmatch(r"[A-Z0-9=;,+\-]+", canonical):
        raise ValueError("only letters, digits and , + - belong in a rule")
    _rule(canonical, dt.date(2026, 1, 1))        # dateutil's own checks (BYMONTHDAY=40, ...)
    return canonical


def _rule(text: str, start: dt.date):
    from dateutil.rrule import rrulestr     # imported when a schedule is read: --help stays fast
    try:
        return rrulestr(text, dtstart=dt.datetime.combine(start, dt.time()))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise ValueError(f"not a rule python-dateutil reads ({exc})") from None


def occurs(rule: str, start: dt.date, years: int = 5) -> bool:
    """Whether `rule` from `start` has a day within `years` (a rule like BYMONTH=2;BYMONTHDAY=30
    reads well and never comes)."""
    first = _rule(check_rule(rule), start).after(dt.datetime.combine(start, dt.time()), inc=True)
    return first is not None and first.date() <= start + dt.timedelta(days=366 * years)


def rule_from_every(every: str, on: str | None = None) -> str:
    """`--every month --on 1` -> FREQ=MONTHLY;BYMONTHDAY=1. EVERY is [N] week|month|quarter|year
    (plural too: "2 weeks"); ON is a day of the month (1-31, or `last`) or, weekly, a weekday
    (mon..sun). Without ON the start day's date (or weekday) is kept."""
    m = re.fullmatch(r"\s*(\d+)?\s*(week|month|quarter|year)s?\s*", str(every).lower())
    if not m:
        raise ValueError(f"{every!r}: expected week, month, quarter or year, with a number before it "
                         "for more than one (\"2 weeks\")")
    n = int(m.group(1) or 1)
    if not 1 <= n <= 99:
        raise ValueError(f"{every!r}: every 1 to 99 of them")
    unit = m.group(2)
    interval = n * 3 if unit == "quarter" else n
    parts = [f"FREQ={UNITS[unit]}"] + ([f"INTERVAL={interval}"] if interval > 1 else [])
    if on is not None:
        word = str(on).strip().lower()
        if unit == "week":
            if word[:3] not in DAYS:
                raise ValueError(f"--on {on!r}: weekly, a weekday: {', '.join(DAYS)}")
            parts.append(f"BYDAY={DAYS[word[:3]]}")
        elif word == "last":
            parts.append("BYMONTHDAY=-1")
        elif word.isdigit() and 1 <= int(word) <= 31:
            parts.append(f"BYMONTHDAY={int(word)}")
        else:
            raise ValueError(f"--on {on!r}: a day of the month, 1 to 31 or last")
    return check_rule(";".join(parts))


def occurrences(rule: str, start: dt.date, upto: dt.date, count: int | None = None):
    """The rule's days from `start` (inclusive) up to and including the first one after
    `upto` (so the last period's end is known); at most `count` + 1 and MAX_PERIODS + 1."""
    out = []
    for when in _rule(check_rule(rule), start):
        day = when.date()
        out.append(day)
        if day > upto or len(out) > MAX_PERIODS or (count is not None and len(out) > count):
            break
    return out


def periods(rule: str, start: dt.date, upto: dt.date, end: dt.date | None = None,
            count: int | None = None, arrears: bool = False) -> list[Period]:
    """The periods whose invoice is due by `upto`: each from an occurrence to the day before
    the next (the last one cut at `end`), none starting after `end` or beyond `count`."""
    days = occurrences(rule, start, upto, count)
    out = []
    for k, first in enumerate(days):
        if count is not None and k >= count:
            break
        if end is not None and first > end:
            break
        nxt = days[k + 1] if k + 1 < len(days) else None
        if nxt is None:
            if first > upto:
                break
            nxt = _next(rule, start, first)
            if nxt is None:                     # a rule with its own COUNT or UNTIL ran out
                if end is not None:
                    nxt = end + dt.timedelta(days=1)
                elif k > 0:                     # as long as the period before it
                    nxt = first + (first - days[k - 1])
                else:
                    break
        last = nxt - dt.timedelta(days=1)
        if end is not None and last > end:
            last = end
        issue = first if not arrears else last + dt.timedelta(days=1)
        if issue > upto:
            break
        out.append(Period(first, last, issue))
    return out


def _next(rule: str, start: dt.date, day: dt.date) -> dt.date | None:
    nxt = _rule(rule, start).after(dt.datetime.combine(day, dt.time()))
    return nxt.date() if nxt is not None else None


def next_issue(rule: str, start: dt.date, after: dt.date, end: dt.date | None = None,
               count: int | None = None, arrears: bool = False) -> dt.date | None:
    """The day the next invoice after `after` is due to be made, or None when none is left."""
    ahead = periods(rule, start, after + dt.timedelta(days=800), end, count, arrears)
    return next((p.issue for p in ahead if p.issue > after), None)


def period_label(first: dt.date, last: dt.date, language: str = "en") -> str:
    """How a period is named on an invoice line, in `language`: a month ("January 2026"), a
    quarter ("1st quarter 2026"), a year ("2026"), else the days ("Jan 5 – 11, 2026")."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_date, format_interval
    try:
        loc = Locale.parse(str(language or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        loc = Locale.parse("en")
    month_end = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if first.day == 1 and last == month_end:
        return format_date(first, "LLLL y", locale=loc)
    if first.day == 1 and first.month in (1, 4, 7, 10):
        q_end = dt.date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1) - dt.timedelta(days=1)
        if last == q_end:
            return format_date(first, "QQQQ y", locale=loc)
    if first.day == 1 and first.month == 1 and last == dt.date(first.year, 12, 31):
        return str(first.year)
    if first == last:
        return format_date(first, "medium", locale=loc)
    return format_interval(first, last, "yMMMd", locale=loc)


# -- a recurring invoice's record (its data as read) ---------------------------------------

def in_arrears(data: dict) -> bool:
    """Billed after the period: when it says so, and always for the hours of a period."""
    return data.get("billing") == "arrears" or data.get("from_time") is True


def _terms(data: dict):
    """(rule, start, end, count) of a schedule's record, or None when it is paused or cannot
    be read (`validate` says why)."""
    start, end, count = data.get("start"), data.get("end"), data.get("count")
    if data.get("status") == "paused" or not isinstance(start, dt.date) or not isinstance(data.get("rrule"), str):
        return None
    if end is not None and not isinstance(end, dt.date):
        return None
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        return None
    try:
        return check_rule(data["rrule"]), start, end, count
    except ValueError:
        return None


def due_periods(data: dict, upto: dt.date) -> list[Period]:
    """The periods of a schedule's record whose invoice is due by `upto` (none when paused)."""
    terms = _terms(data)
    if terms is None:
        return []
    out = periods(*terms[:2], upto, *terms[2:], in_arrears(data))
    resumed = data.get("resumed")
    return [p for p in out if p.issue >= resumed] if isinstance(resumed, dt.date) else out


def next_day(data: dict, after: dt.date) -> dt.date | None:
    """The day a schedule's record makes its next invoice after `after` (None: paused or done)."""
    terms = _terms(data)
    return None if terms is None else next_issue(*terms[:2], after, *terms[2:], in_arrears(data))
