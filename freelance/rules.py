"""Each value rule once: the predicates every room of the house asks.

Ground floor: imports only the standard library. Messages stay with their
callers (a CLI refusal and a `validate` line word the same rule
differently); the rule itself lives here, so they cannot disagree.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal

from .limits import MAX_INT_DIGITS, MAX_NUMBER_LENGTH, pattern_width_problem

# -- invoice numbers ------------------------------------------------------------------

DEFAULT_INVOICE_NUMBER = "INV-{year}-{seq:03d}"


def invoice_number_problem(pattern) -> str | None:
    """Why `pattern` cannot number invoices, or None when it can.

    A usable pattern formats with `year` and `seq`, uses `{seq}` (the
    gapless sequence) and no field but `{year}` and `{seq}`."""
    pattern = str(pattern)
    too_wide = pattern_width_problem(pattern)       # before formatting it (limits.py)
    if too_wide:
        return too_wide
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
        made = pattern.format(year=2026, seq=1)
    except (KeyError, IndexError, ValueError) as exc:
        return str(exc)
    if "seq" not in fields or not set(fields) <= {"year", "seq"}:
        return "it needs {seq} (and may use {year})"
    if len(made) > MAX_NUMBER_LENGTH:
        return f"it makes numbers longer than {MAX_NUMBER_LENGTH} characters"
    return None


def number_regex(pattern: str, year: int) -> re.Pattern:
    """A regex matching the numbers `pattern` gives in `year`, with the sequence as group 1."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(pattern):
        out.append(re.escape(literal))
        if name == "year":
            out.append(str(year))
        elif name == "seq":
            out.append(r"(\d{1,%d})" % MAX_INT_DIGITS)   # longer is no number of ours (limits.py)
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


def is_client_income(data: dict | None) -> bool:
    """Income a client paid (classification `client`, or none yet): only this counts in a
    client's, project's or service's received; a grant linked to a client is refused."""
    return data is not None and data.get("kind") == "income" and data.get("classification") in (None, "client")


def foreign_owner(owner: str | None, client: str | None) -> bool:
    """A linked record owned by another client than the one an income (or a record) names."""
    return bool(owner and client and owner != client)


# -- currencies (docs/finance.md) ----------------------------------------------------------

# ISO 4217 minor units that are not 2 (the usual case). Enough for a freelancer's
# books; a code not listed has 2 (cents).
MINOR_UNITS = {
    # no minor unit
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # thousandths
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # four places
    "CLF": 4, "UYW": 4,
}

# A record with no `currency:` takes it from the first of these links that names a record
# (which may take its own from its links), then from its account (transactions), then the book.
CURRENCY_FROM: dict[str, tuple[str, ...]] = {
    "invoice": ("project", "client"),
    "service": ("project", "client"),
    "project": ("client",),
    "transaction": ("invoice", "service", "project", "client"),
}

# Amounts that must fit the currency's minor unit (0.001 USD is refused). Prices per unit
# (rate, default_rate, an item's unit_price) may be finer: the lines are rounded to the unit.
WHOLE_AMOUNTS = ("amount", "contract_value", "value", "tax", "opening_balance")


_TAX_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


def is_tax_name(text) -> bool:
    """The `tax_name` setting: lowercase letters, digits and '-' (it names ledger accounts)."""
    return isinstance(text, str) and _TAX_NAME.match(text) is not None


def minor_units(code: str) -> int:
    return MINOR_UNITS.get(str(code), 2)


def fits(amount: Decimal, code: str) -> bool:
    """`amount` has no more decimals than `code` has (trailing zeros do not count: 10.500 USD fits)."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return True
    exp = amount.as_tuple().exponent
    if isinstance(exp, int) and exp >= -minor_units(code):
        return True
    return amount == amount.quantize(Decimal(1).scaleb(-minor_units(code)))


def places_message(option: str, value: Decimal, cur: str) -> str:
    """What is wrong with `value` in `cur` (for a refusal on input and for validate)."""
    n = minor_units(cur)
    places = "no decimals" if n == 0 else f"{n} decimal place{'s' * (n != 1)}"
    return f"{option}: {value} has more decimals than {cur} has ({places})"
