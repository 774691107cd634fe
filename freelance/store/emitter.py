"""A small, fast emitter of records in the book's canonical YAML style.

`style.record_text` goes through ruamel.yaml: exact, but about a millisecond
a record, far too slow to write a 100,000-record book. `record_text` here
writes the same bytes directly for the values a book holds (str, bool, int,
Decimal, date, datetime, lists of those, lists of flat mappings), and falls
back to `style.record_text` for anything it is not sure about (a string
that needs quoting, a nested structure it does not know): so its output is
always byte-identical to the writer's. tests/test_demo.py proves it with
hypothesis.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from .scalars import resolve_plain
from .yamlio import yaml11_reads_otherwise
from .style import record_text as slow

# Strings written plain, unquoted: they start with a letter (or are a phone
# number, a duration or a URL), hold no YAML indicator that matters in block context, and
# do not resolve to anything but themselves (null, true, false).
# Inside, `:`, `#`, `*` and `"` too (a bank's texts: "h:1d7f...", "AMZN Mktp DE*2K4"), but never
# ": " or " #" (`_str`), which would start a value or a comment.
_PLAIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ0-9 ,.()&/@_+'=?!%*:#\"-]*[A-Za-zÀ-ÖØ-öø-ÿ0-9.)]\Z"
                    r"|[A-Za-z]\Z"
                    r"|\+[0-9]+(?: [0-9]+)*\Z"
                    r"|[0-9]+h(?:[0-9]+m)?\Z|[0-9]+m\Z"
                    r"|https?://[A-Za-z0-9._/-]+\Z")


class NotFast(Exception):
    """A value the fast path does not handle: use ruamel.yaml for the record."""


# First characters of the plain texts a YAML 1.1 reader could take for a bool or a number
_YAML11_FIRST = frozenset("yYnNoOtTfF+")


def _str(s: str) -> str:
    if not _PLAIN.match(s) or "  " in s or ": " in s or " #" in s or resolve_plain(s) is not s or \
            (s[0] in _YAML11_FIRST and yaml11_reads_otherwise(s)):
        raise NotFast
    return s


def scalar(v) -> str:
    t = type(v)
    if t is str:
        return _str(v)
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is Decimal:
        if not v.is_finite():
            raise NotFast
        return format(v, "f")
    if t is dt.date:
        return v.isoformat()
    if t is dt.datetime:
        if v.second or v.microsecond or v.tzinfo is not None:
            raise NotFast                    # ruamel.yaml quotes some of these
        return v.strftime("%Y-%m-%d %H:%M")
    if v is None:
        return "null"
    raise NotFast


def fast_text(data: dict) -> str:
    out = []
    lead = "- "
    for key, value in data.items():
        if value is None or value == [] or value == "":
            continue                       # what writer._clean drops
        if type(key) is not str or not _PLAIN.match(key):
            raise NotFast
        if type(value) is list:
            out.append(f"{lead}{key}:\n")
            for item in value:
                if type(item) is dict:
                    if not item:
                        raise NotFast
                    first = "  - "
                    for k2, v2 in item.items():
                        if type(k2) is not str or not _PLAIN.match(k2) or type(v2) in (list, dict):
                            raise NotFast
                        out.append(f"{first}{k2}: {scalar(v2)}\n")
                        first = "    "
                else:
                    out.append(f"  - {scalar(item)}\n")
        elif type(value) is dict:
            raise NotFast
        else:
            out.append(f"{lead}{key}: {scalar(value)}\n")
        lead = "  "
    if not out:
        raise NotFast
    return "".join(out)


def record_text(data: dict) -> str:
    """Exactly what `style.record_text(data)` returns, usually a hundred times faster."""
    try:
        return fast_text(data)
    except NotFast:
        return slow(data)
