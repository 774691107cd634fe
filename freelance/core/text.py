"""How values look to people: money, percentages, cleaned user text, a column.

Ground floor: the read side builds rows with these, the renderers (render.py)
turn the rows into table, markdown, csv, json and html. Standard library only.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, ROUND_HALF_UP

# Bidirectional controls: an override (U+202E) or isolate makes `txt.exe` of `exe.txt`, and
# reorders a terminal line or a CSV cell, hiding what the text says (Trojan Source).
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|[\x00-\x08\x0b-\x1f\x7f-\x9f"
                      + BIDI + "]")
HIDDEN = re.compile("[\x7f-\x9f" + BIDI + "]")   # what JSON output escapes (it escapes C0 itself)


def clean(text: str) -> str:
    """User text made safe for a terminal, a CSV cell or a mail: escape sequences, control
    characters (C0 but tab and newline, C1) and bidirectional controls removed."""
    if text.isprintable():      # none of those is printable: most text has nothing to remove
        return text
    return _CONTROL.sub("", text)


def jsonable(v):
    """Stable JSON values: decimals as strings, dates ISO, datetimes 'YYYY-MM-DD HH:MM'."""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if not v.second else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return v


def fmt_money(amount, currency: str = "") -> str:
    if amount is None or amount == "":
        return ""
    if not isinstance(amount, Decimal):
        try:
            amount = Decimal(str(amount))
        except Exception:
            return str(amount)
    try:
        amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)   # half up, as invoices round
    except InvalidOperation:
        return str(amount)
    text = f"{amount:,.2f}"
    return f"{text} {currency}".strip()


def fmt_price(amount, currency: str = "") -> str:
    """A unit price exactly as written, with cents at least: 0.125 stays 0.125 (`fmt_money`
    would show 0.13, and lines of 1000 x 0.13 would not add up to the 125.00 they are)."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount.as_tuple().exponent >= -2:
        return fmt_money(amount, currency)
    whole, _, places = format(abs(amount), "f").partition(".")
    sign = "-" if amount < 0 else ""
    return f"{sign}{int(whole):,}.{places.rstrip('0').ljust(2, '0')} {currency}".strip()


def fmt_pct(p) -> str:
    if p is None:
        return ""
    if p > 100:
        return f"{p}% over"
    return f"{p}%"


def text(v) -> str:
    """A plain value as people read it."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ", ".join(text(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}: {text(x)}" for k, x in v.items())
    return clean(str(jsonable(v)))


@dataclass
class Column:
    key: str
    header: str = ""
    align: str = "left"       # "left" or "right"
    money: bool = False       # format as money with the row's `currency`
    pct: bool = False
    unit: bool = True         # money: append the currency (False when a column of its own shows it)

    def __post_init__(self):
        if not self.header:
            self.header = self.key.replace("_", " ")

    def cell(self, row: dict) -> str:
        """How this column shows `row`'s value: money with the row's currency, a percentage,
        or plain text (every face that draws a table: the terminal, markdown, html, the web)."""
        v = row.get(self.key)
        if self.money:
            return fmt_money(v, row.get("currency", "") if self.unit else "")
        if self.pct:
            return fmt_pct(v)
        return text(v)
