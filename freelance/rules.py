"""Each value rule once: the predicates every room of the house asks.

Ground floor: imports only the standard library. Messages stay with their
callers (a CLI refusal and a `validate` line word the same rule
differently); the rule itself lives here, so they cannot disagree.
"""
from __future__ import annotations

import datetime as dt
import re
import string

# -- invoice numbers ------------------------------------------------------------------

DEFAULT_INVOICE_NUMBER = "INV-{year}-{seq:03d}"


def invoice_number_problem(pattern) -> str | None:
    """Why `pattern` cannot number invoices, or None when it can.

    A usable pattern formats with `year` and `seq`, uses `{seq}` (the
    gapless sequence) and no field but `{year}` and `{seq}`."""
    pattern = str(pattern)
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
        pattern.format(year=2026, seq=1)
    except (KeyError, IndexError, ValueError) as exc:
        return str(exc)
    if "seq" not in fields or not set(fields) <= {"year", "seq"}:
        return "it needs {seq} (and may use {year})"
    return None


def number_regex(pattern: str, year: int) -> re.Pattern:
    """A regex matching the numbers `pattern` gives in `year`, with the sequence as group 1."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(pattern):
        out.append(re.escape(literal))
        if name == "year":
            out.append(str(year))
        elif name == "seq":
            out.append(r"(\d+)")
    return re.compile("".join(out) + r"\Z")


# -- ids and codes ----------------------------------------------------------------------

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_CURRENCY = re.compile(r"[A-Z]{3}\Z")


def is_id(text) -> bool:
    """A record id (and a list value such as a stage): a letter or digit, then letters,
    digits, '.', '_' or '-'."""
    return isinstance(text, str) and _ID.match(text) is not None


def is_currency(text) -> bool:
    """An ISO 4217-shaped currency code: three capital letters."""
    return isinstance(text, str) and _CURRENCY.match(text) is not None


# -- date pairs ---------------------------------------------------------------------------

# kind -> (first, second): the second may not be before the first (`add`/`edit` refuse it too)
DATE_PAIRS = {"project": ("start", "end"), "service": ("start", "end"), "goal": ("start", "target_date"),
              "meeting": ("start", "end"), "invoice": ("issued", "due")}


def date_order(kind_name: str, data: dict) -> tuple[str, str] | None:
    """(field, message) when a record's second date is before its first."""
    a, b = DATE_PAIRS.get(kind_name, ("", ""))
    x, y = data.get(a), data.get(b)
    if isinstance(x, dt.date) and isinstance(y, dt.date) and type(x) is type(y) and y < x:
        return b, f"{b} {_when(y)} is before {a} {_when(x)}"
    return None


def moved_after(data: dict, today: dt.date) -> str | None:
    """A message when income or an expense is marked as moved (received, paid) on a day
    after `today`: money does not move in the future (`--future` says it is meant)."""
    d = data.get("date")
    if data.get("received") is True and isinstance(d, dt.date) and d > today:
        verb = "paid" if data.get("kind") == "expense" else "received"
        return f"{data.get('kind') or 'transaction'} marked {verb} on {d.isoformat()}, after today ({today.isoformat()})"
    return None


def _when(d: dt.date) -> str:
    """A date or time as the files write it: 2026-12-01, 2026-12-01 10:00."""
    if isinstance(d, dt.datetime):
        return d.strftime("%Y-%m-%d %H:%M" if not d.second else "%Y-%m-%d %H:%M:%S")
    return d.isoformat()


# -- invoices and the income that pays them -------------------------------------------------

BILLED = ("sent", "paid")          # invoice statuses that count as invoiced


def pays_invoice(data: dict | None) -> bool:
    """Income that counts toward its invoice's total: income whose money has moved."""
    return data is not None and data.get("kind") == "income" and data.get("received") is True


def foreign_owner(owner: str | None, client: str | None) -> bool:
    """A linked record owned by another client than the one an income (or a record) names."""
    return bool(owner and client and owner != client)
