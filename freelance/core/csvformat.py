"""What a bank's CSV rules file may say (`bank-rules/NAME.yaml`, docs/bank-csv.md), checked.

A pure checker on the ground floor: the CSV reader (`statements/csvrules.py`) and
`validate` both call `check(raw, lines)`, so a rules file is refused by `bank import`
and reported by `validate` with the same words. It knows nothing of any CSV file.

    skip: 2                  lines before the header (a bank's title lines)
    skip_end: 1              lines after the last row (a total, a footer)
    header: true             the first line after `skip` names the columns (default true)
    delimiter: ";"           one character, or "tab"
    encoding: cp1252         a text encoding Python knows (default utf-8)
    date_format: "%d.%m.%Y"  a fixed format: %d %m %Y %y %b %H %M %S and - . / : space T
    decimal_mark: ","        "," or "." (default ".")
    thousands: "."           "", ".", ",", " " or "'" (default: the other mark)
    flip_sign: false         money out is positive in this file (a card statement)
    currency: EUR            the statement's currency, when no column says it
    pending_values: [vorgemerkt]   what the pending column says of a line not booked yet
    debit_values: [Af]       what the sign column says of money out (default: D, DR, DBIT, Debit, Af, S, -)
    credit_values: [Bij]     ... of money in (default: C, CR, CRDT, Credit, Bij, H, +)
    columns:                 by the header's name, or by number (1 is the first)
      date: Buchungstag      (required)
      amount: Betrag         or debit: and/or credit: (money out, money in)
      sign: Af Bij           the amount's sign in a column of its own (with amount:)
      payee, iban, reference, description (a list: joined), bank_id, pending,
      currency, balance (after the line) or balance_before (before it), account
"""
from __future__ import annotations

import re
from .errors import did_you_mean
from .rules import is_currency

TOP_KEYS = ("skip", "skip_end", "header", "delimiter", "encoding", "date_format", "decimal_mark",
            "thousands", "flip_sign", "currency", "pending_values", "debit_values", "credit_values", "columns")
COLUMN_KEYS = ("date", "amount", "debit", "credit", "sign", "payee", "iban", "reference", "description",
               "bank_id", "pending", "currency", "balance", "balance_before", "account")
DATE_TOKENS = ("%d", "%m", "%Y", "%y", "%b", "%H", "%M", "%S")
DATE_LITERALS = "-./: T,"
THOUSANDS = ("", ".", ",", " ", "'")
MAX_SKIP = 1000
PENDING_DEFAULT = ("pending", "true", "yes", "1")
DEBIT_DEFAULT = ("d", "dr", "dbit", "debit", "af", "s", "-")      # a sign column's money out (compared without case)
CREDIT_DEFAULT = ("c", "cr", "crdt", "credit", "bij", "h", "+")   # ... and money in
_DELIMITERS = {"tab": "\t", "\\t": "\t"}


def date_format_problem(fmt) -> str | None:
    """Why `fmt` is not a date format the import takes (a day, a month and a year, from a
    fixed set of tokens: a date is never guessed), or None."""
    if not isinstance(fmt, str) or not fmt:
        return "expected a format like \"%d.%m.%Y\" or \"%Y-%m-%d\""
    rest = fmt
    seen = []
    while rest:
        if rest[0] == "%":
            tok = rest[:2]
            if tok not in DATE_TOKENS:
                return (f"{tok!r} is not one of the tokens {' '.join(DATE_TOKENS)}"
                        " (a date is read by a fixed format, never guessed)")
            if tok in seen:
                return f"{tok} twice"
            seen.append(tok)
            rest = rest[2:]
        elif rest[0] in DATE_LITERALS:
            rest = rest[1:]
        else:
            return f"{rest[0]!r} is not a separator the format may hold (one of {DATE_LITERALS!r})"
    missing = [what for what, toks in (("day", ("%d",)), ("month", ("%m", "%b")), ("year", ("%Y", "%y")))
               if not any(t in seen for t in toks)]
    if missing:
        return f"it names no {' and no '.join(missing)}"
    return None


def delimiter_of(value) -> str:
    return _DELIMITERS.get(value, value) if isinstance(value, str) else value


def _column_problem(key: str, value, header: bool) -> str | None:
    values = value if key == "description" and isinstance(value, list) else [value]
    if not values:
        return "expected a column name or number, got an empty list"
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            return f"expected a column name or number (1 is the first), got {v!r}"
        if isinstance(v, int) and v < 1:
            return f"column numbers start at 1, got {v}"
        if isinstance(v, str) and not v.strip():
            return "expected a column name or number, got an empty name"
        if isinstance(v, str) and not header:
            return f"{v!r} is a column name, but header: false says the file has none; give its number"
    return None


def check(raw, lines: dict | None = None, nested: dict | None = None) -> list[tuple[int, str, str]]:
    """The problems of a rules file read as a mapping: (line, key, message) each, in file
    order. `lines` maps a top-level key to its line, `nested` a column key to its line."""
    lines, nested = lines or {}, nested or {}
    out: list[tuple[int, str, str]] = []

    def bad(key, msg, line=None):
        out.append((line if line is not None else lines.get(key, 0), key, msg))

    if not isinstance(raw, dict):
        return [(1, "", "expected a mapping of rules (key: value), like date_format: \"%d.%m.%Y\"")]
    for key in raw:
        if key not in TOP_KEYS:
            bad(key, f"not a rule the import knows{did_you_mean(key, TOP_KEYS) or '; one of ' + ', '.join(TOP_KEYS)}")
    for key in ("skip", "skip_end"):
        v = raw.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_SKIP):
            bad(key, f"expected a number of lines from 0 to {MAX_SKIP}, got {v!r}")
    for key in ("header", "flip_sign"):
        v = raw.get(key)
        if v is not None and not isinstance(v, bool):
            bad(key, f"expected true or false, got {v!r}")
    header = raw.get("header") is not False
    d = raw.get("delimiter")
    if d is not None and not (isinstance(d, str) and len(delimiter_of(d)) == 1 and delimiter_of(d) not in "\"\r\n"):
        bad("delimiter", f"expected one character like \",\" or \";\" (or tab), got {d!r}")
    enc = raw.get("encoding")
    if enc is not None:
        try:    # a text encoding decodes bytes to str; base64, rot13, zlib... are refused by decode
            ok = isinstance(enc, str) and isinstance(b"a".decode(enc, "replace"), str)
        except LookupError:
            ok = False
        if not ok:
            common = ("utf-8", "utf-8-sig", "latin-1", "cp1252", "iso-8859-15", "utf-16", "mac-roman")
            bad("encoding", f"{enc!r} is not a text encoding{did_you_mean(str(enc), common)}; "
                            "common ones: utf-8, cp1252, latin-1, iso-8859-15, utf-16")
    fmt = raw.get("date_format")
    if fmt is None:
        bad("date_format", "required: the dates' format, like \"%d.%m.%Y\" or \"%Y-%m-%d\"",
            line=1 if "date_format" not in lines else None)
    elif (why := date_format_problem(fmt)):
        bad("date_format", why)
    mark = raw.get("decimal_mark")
    if mark is not None and mark not in (",", "."):
        bad("decimal_mark", f"expected \",\" or \".\", got {mark!r}")
    th = raw.get("thousands")
    if th is not None and (th not in THOUSANDS or th == (mark or ".")):
        bad("thousands", f"expected one of {', '.join(repr(x) for x in THOUSANDS)} other than the decimal mark, got {th!r}")
    cur = raw.get("currency")
    if cur is not None and not is_currency(cur):
        bad("currency", f"expected a three-letter code like EUR or USD, got {cur!r}")
    for key, like in (("pending_values", "[pending, vorgemerkt]"), ("debit_values", "[D, Af]"),
                      ("credit_values", "[C, Bij]")):
        pv = raw.get(key)
        if pv is not None and not (isinstance(pv, list) and pv
                                   and all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in pv)):
            bad(key, f"expected a list of texts, like {like}, got {pv!r}")
    both = {str(x).casefold() for x in raw.get("debit_values") or DEBIT_DEFAULT if not isinstance(x, bool)} & \
        {str(x).casefold() for x in raw.get("credit_values") or CREDIT_DEFAULT if not isinstance(x, bool)}
    if both and isinstance(raw.get("debit_values") or [], list) and isinstance(raw.get("credit_values") or [], list):
        bad("credit_values" if "credit_values" in raw else "debit_values",
            f"{sorted(both)[0]!r} is both money out and money in; give it to one of debit_values and credit_values")
    cols = raw.get("columns")
    if cols is None:
        bad("columns", "required: which column holds what, like columns: {date: Date, amount: Amount}",
            line=1 if "columns" not in lines else None)
        return sorted(out, key=lambda x: x[0])
    if not isinstance(cols, dict):
        bad("columns", f"expected a mapping of what -> column, like {{date: Date, amount: Amount}}, got {cols!r}")
        return sorted(out, key=lambda x: x[0])
    where = lambda k: nested.get(k, lines.get("columns", 0))   # noqa: E731
    for key, value in cols.items():
        if key not in COLUMN_KEYS:
            bad(f"columns.{key}", f"not a column the import reads{did_you_mean(key, COLUMN_KEYS) or '; one of ' + ', '.join(COLUMN_KEYS)}",
                line=where(key))
            continue
        if (why := _column_problem(key, value, header)):
            bad(f"columns.{key}", why, line=where(key))
    if any(k not in COLUMN_KEYS for k in cols):
        return sorted(out, key=lambda x: x[0])      # a misspelt key: what is "missing" is that one
    if "date" not in cols:
        bad("columns", "no date column: give columns: date: NAME")
    if "amount" in cols and ("debit" in cols or "credit" in cols):
        bad("columns", "give one amount column, or debit and credit columns, not both")
    elif not any(k in cols for k in ("amount", "debit", "credit")):
        bad("columns", "no amount column: give columns: amount: NAME (or debit: and credit:)")
    if "sign" in cols and "amount" not in cols:
        bad("columns", "a sign column goes with one amount column (columns: amount:), not debit and credit")
    if "balance" in cols and "balance_before" in cols:
        bad("columns", "give balance (after each line) or balance_before (before it), not both")
    if "currency" in cols and cur is not None:
        bad("currency", "a currency column and a fixed currency: give one")
    return sorted(out, key=lambda x: x[0])


def nested_lines(text: str, key: str = "columns") -> dict:
    """The line of each key of the mapping under top-level `key` (for messages), from the text."""
    out: dict = {}
    inside = False
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(rf"{key}\s*:", line):
            inside = True
            m = re.match(rf"{key}\s*:\s*\{{(.*)", line)       # a flow mapping on one line
            if m:
                for k in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*:", m.group(1)):
                    out.setdefault(k, n)
            continue
        if inside:
            if line and not line[0].isspace() and not line.startswith("#"):
                break
            m = re.match(r"\s+([A-Za-z_][A-Za-z0-9_]*)\s*:", line)
            if m:
                out.setdefault(m.group(1), n)
    return out
