"""Each value rule once: the predicates every room of the house asks.

Ground floor: imports only the standard library. Messages stay with their
callers (a CLI refusal and a `validate` line word the same rule
differently); the rule itself lives here, so they cannot disagree.
"""
from __future__ import annotations

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
