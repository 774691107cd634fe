"""A bank's CSV export read by the book's rules (`bank-rules/NAME.yaml`, docs/bank-csv.md).

The rules say what hledger's CSV rules say: lines to skip, the delimiter, the
encoding, the date format (a fixed one: a date is never guessed), the decimal mark and
thousands separator, one amount column or debit and credit columns, a sign flip, and
which column holds the date, payee, IBAN, reference, description, bank id, pending
status, currency, the amount's sign (C/D, Af/Bij) and the running balance (after each
line, or before it). `freelance.core.csvformat` checks the rules themselves.

Every problem with a line is a `DataError` naming the file, the CSV line, the column and
what was expected.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation

from ...core.csvformat import CREDIT_DEFAULT, DEBIT_DEFAULT, PENDING_DEFAULT, check, delimiter_of, nested_lines
from ...core.errors import DataError, UsageError, did_you_mean
from ...core.limits import number_problem, year_problem
from ...core.statement import Statement, StatementLine
from ...core.text import clean
import os
from ...read.classify import RESERVED
from ...store.yamlio import read_mapping

RULES_DIR = "bank-rules"
_SYMBOLS = "€$£¥₣₤₹₽"
_IBAN_LIKE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}\Z")
_CURRENCY = re.compile(r"[A-Z]{3}\Z")


def claims(head: bytes) -> bool:
    """A CSV is never recognised by its bytes: it is the registry's default (and a `.csv`)."""
    return False


# -- the rules file --------------------------------------------------------------------------

def rule_names(root) -> list[str]:
    """The rules files of a book: `bank-rules/*.yaml`, by name, sorted."""
    folder = os.path.join(str(root), RULES_DIR)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    # bank-rules/classify.yaml: the classification rules
    return sorted(n[:-5] for n in names if n.endswith(".yaml") and not n.startswith(".") and n[:-5] != RESERVED)


def parse_rules(data: bytes, rel: str) -> dict:
    """A rules file's bytes -> the rules, checked; DataError naming the file, line and key."""
    raw, lines, problems = read_mapping(data, rel)
    bad = [p for p in problems if p.is_error]
    if raw is None or bad:
        first = bad[0] if bad else None
        raise DataError(f"{first or rel}" if first else f"{rel}: does not read as YAML")
    text = data.decode("utf-8-sig", "replace")
    found = check(raw, lines, nested_lines(text))
    if found:
        line, key, msg = found[0]
        more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
        raise DataError(f"{rel}:{line}: {key + ': ' if key else ''}{msg}{more}")
    return raw


def load_rules(book, name: str | None) -> tuple[str, dict]:
    """(name, rules) of `--rules NAME` (or the book's only rules file); UsageError with the
    names there are when it is missing."""
    names = rule_names(book.root)
    if name is None:
        if len(names) == 1:
            name = names[0]
        elif not names:
            raise UsageError(f"a CSV statement needs rules: write {RULES_DIR}/NAME.yaml in the book "
                             "(docs/bank-csv.md) and give --rules NAME")
        else:
            raise UsageError(f"--rules: give one of {', '.join(names)} (the book has {len(names)} rules files)")
    if name.endswith(".yaml"):
        name = name[:-5]
    if name == RESERVED:
        raise UsageError(f"--rules: {RULES_DIR}/{RESERVED}.yaml holds the classification rules (`freelance bank "
                         "rules`), not how to read a CSV; give your bank's rules file with --rules NAME")
    if name not in names:
        hint = did_you_mean(name, names) or (f"; the book has {', '.join(names)}" if names else
                                             f"; the book has no {RULES_DIR}/ folder yet")
        raise UsageError(f"--rules: no {RULES_DIR}/{name}.yaml{hint}")
    rel = f"{RULES_DIR}/{name}.yaml"
    data = book.raw(rel)
    if data is None:
        raise UsageError(f"--rules: cannot read {rel}")
    return name, parse_rules(data, rel)


# -- values ----------------------------------------------------------------------------------

def amount_pattern(mark: str, thousands: str) -> re.Pattern:
    m, t = re.escape(mark), re.escape(thousands)
    whole = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)" if thousands else r"\d+"
    return re.compile(rf"({whole})?(?:{m}(\d+))?\Z")


def parse_amount(text: str, pattern: re.Pattern) -> Decimal | None:
    """A cell's amount (None when it is not one): a sign in front or behind, or parentheses,
    a currency symbol beside it, the rules' decimal mark and thousands separator."""
    t = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    neg = False
    if t.startswith("(") and t.endswith(")"):
        neg, t = True, t[1:-1].strip()
    t = t.strip(_SYMBOLS).strip()
    if t[:1] in "+-":
        neg, t = neg ^ (t[0] == "-"), t[1:].strip()
    elif t[-1:] in "+-":
        neg, t = neg ^ (t[-1] == "-"), t[:-1].strip()
    t = t.strip(_SYMBOLS).strip()
    m = pattern.match(t)
    if not t or m is None or (m.group(1) is None and m.group(2) is None):
        return None
    whole = re.sub(r"\D", "", m.group(1) or "0")
    try:
        value = Decimal(f"{whole}.{m.group(2)}" if m.group(2) else whole)
    except InvalidOperation:
        return None
    return -value if neg else value


_SIMPLE = re.compile(r"[ -~À-ÿ]*\Z")     # printable, no control characters to take out


def one_line(text: str) -> str:
    """A cell as one line of plain text: control characters out, runs of space as one."""
    if _SIMPLE.match(text) and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(clean(text).split())


class _Reader:
    def __init__(self, rules: dict, name: str):
        self.rules, self.name = rules, name
        self.fmt = rules["date_format"]
        mark = rules.get("decimal_mark") or "."
        th = rules.get("thousands")
        if th is None:
            th = "," if mark == "." else "."
        self.mark = mark
        self.number = amount_pattern(mark, th)
        self.number_hint = f"like {'1' + th + '234' if th else '1234'}{mark}56"
        self.flip = bool(rules.get("flip_sign"))
        self.pending_values = {str(x).casefold() for x in rules.get("pending_values") or PENDING_DEFAULT}
        self.debit_values = {str(x).casefold() for x in rules.get("debit_values") or DEBIT_DEFAULT}
        self.credit_values = {str(x).casefold() for x in rules.get("credit_values") or CREDIT_DEFAULT}
        self.dates: dict[str, dt.date] = {}

    def where(self, line: int) -> str:
        return f"{self.name}:{line}"


def _decode(data: bytes, encoding: str, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf") and encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        data = data[3:]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(f"{name}:{line}: not {encoding} text (byte {data[exc.start]:#04x}); "
                        "say the file's encoding in the rules (encoding: cp1252, latin-1, utf-16...)") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DataError(f"{name}:{line}: a NUL character: not {encoding} text "
                        "(a UTF-16 file? say encoding: utf-16 in the rules)")
    return text[1:] if text.startswith("\ufeff") else text


def read(data: bytes, rules: dict, name: str) -> list[Statement]:
    """The statements in a CSV file read by `rules` (checked by `csvformat.check`): one per
    account and currency the file names (one when it names none)."""
    r = _Reader(rules, name)
    text = _decode(data, rules.get("encoding") or "utf-8", name)
    skip = rules.get("skip") or 0
    pos = 0
    for _ in range(skip):
        nl = text.find("\n", pos)
        if nl == -1:
            raise DataError(f"{name}: has {text.count(chr(10)) + (1 if text and not text.endswith(chr(10)) else 0)} "
                            f"lines, fewer than the {skip} the rules skip")
        pos = nl + 1
    body = text[pos:]
    delim = delimiter_of(rules.get("delimiter") or ",")
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delim, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        start = skip + 1
        for row in reader:
            if any(c.strip() for c in row):
                rows.append((start, row))
            start = skip + reader.line_num + 1
    except csv.Error as exc:
        raise DataError(f"{name}:{skip + reader.line_num}: not a CSV line the rules can read ({exc})") from None
    cols = rules["columns"]
    names: dict[str, int] = {}
    hline = skip + 1
    if rules.get("header") is not False:
        if not rows:
            raise DataError(f"{name}: no header line after the {skip} line{'s' if skip != 1 else ''} the rules skip")
        hline, head = rows.pop(0)
        for i, h in enumerate(head):
            names.setdefault(one_line(h), i)
    end = rules.get("skip_end") or 0
    if end:
        rows = rows[:-end] if end < len(rows) else []
    index: dict[str, list[tuple[int, str]]] = {}
    for key, value in cols.items():
        out = []
        for v in (value if isinstance(value, list) else [value]):
            if isinstance(v, int):
                out.append((v - 1, f"column {v}"))
                continue
            if v.strip() not in names:
                shown = ", ".join(repr(n) for n in names)
                raise DataError(f"{name}:{hline}: no column {v!r} in the header (columns.{key} of the rules)"
                                f"{did_you_mean(v, names) or ''}; the header has {shown}")
            out.append((names[v.strip()], f"column {v!r}"))
        index[key] = out
    fixed = rules.get("currency")
    lines = _lines(r, rows, index, fixed)
    groups: dict[tuple, list] = {}
    for key, line, bal in lines:
        groups.setdefault(key, []).append((line, bal))
    if not groups:
        groups[(None, fixed)] = []
    out = []
    for (acct, cur), items in groups.items():
        st = Statement(lines=[x for x, _ in items], currency=cur, source=name)
        if acct:
            if _IBAN_LIKE.match(acct):
                st.iban = acct
            else:
                st.account_id = acct
        st.closing = _closing(r, items)
        out.append(st)
    return out


def _line(r: _Reader, n: int, row: list[str], index: dict, fixed: str | None) -> tuple:
    """(account and currency, the line, its balance cell) of one CSV row, every value checked."""
    cell = _cells(r, n, row, index)
    day = _date(r, n, *cell("date"))
    amount = _amount(r, n, cell)
    bal = None
    for key in ("balance", "balance_before"):
        if key in index:
            text_, label = cell(key)
            if text_.strip():
                bal = (text_, label, key == "balance_before")   # read when it gives the closing balance (`_closing`)
    cur = fixed
    if "currency" in index:
        text_, label = cell("currency")
        cur = text_.strip().upper() or None
        if cur is not None and not _CURRENCY.match(cur):
            raise DataError(f"{r.where(n)}: {label}: {text_.strip()!r} is not a currency code like EUR")
    acct = None
    if "account" in index:
        acct = "".join(cell("account")[0].split()).upper() or None
    pending = False
    if "pending" in index:
        pending = cell("pending")[0].strip().casefold() in r.pending_values
    iban = "".join(cell("iban")[0].split()).upper() if "iban" in index else ""
    desc = " ".join(x for x in (one_line(row[i]) if i < len(row) else "" for i, _ in index.get("description", [])) if x)
    line = StatementLine(
        date=day, amount=amount,
        payee=one_line(cell("payee")[0]) if "payee" in index else "",
        iban=iban,
        reference=one_line(cell("reference")[0]) if "reference" in index else "",
        description=desc,
        bank_id=one_line(cell("bank_id")[0]) if "bank_id" in index else "",
        pending=pending, line=n)
    return (acct, cur), line, bal


def _lines(r: _Reader, rows: list, index: dict, fixed: str | None) -> list[tuple]:
    """`_line` of each row, with a quicker path for the usual row (every column there, a date
    seen before, a plain amount like -24,99 in one column, no currency, account or pending
    column) that gives the same; anything else goes through `_line`."""
    simple_keys = {"date", "amount", "payee", "iban", "reference", "description", "bank_id", "balance"}
    if set(index) - simple_keys or "amount" not in index:
        return [_line(r, n, row, index, fixed) for n, row in rows]
    need = max(i for k, v in index.items() if k != "description" for i, _ in v)
    at = {k: v[0][0] for k, v in index.items()}
    di, ai = at["date"], at["amount"]
    bi = at.get("balance")
    pi, ri, ii, ki = at.get("payee"), at.get("reference"), at.get("iban"), at.get("bank_id")
    desc = [i for i, _ in index.get("description", [])]
    plain = re.compile(rf"-?\d{{1,9}}(?:{re.escape(r.mark)}\d{{1,2}})?\Z")
    mark, flip, dates, cells = r.mark, r.flip, r.dates, _SIMPLE.match
    out = []
    for n, row in rows:
        day = dates.get(row[di].strip()) if len(row) > need else None
        text = row[ai].strip() if day is not None else ""
        if day is None or not plain.match(text):
            out.append(_line(r, n, row, index, fixed))
            continue
        amount = Decimal(text.replace(mark, ".") if mark != "." else text)
        if flip:
            amount = -amount
        values = []
        for i in (pi, ri, ki):
            v = row[i] if i is not None else ""
            values.append(v if (not v or (cells(v) and "  " not in v and v[0] != " " and v[-1] != " ")) else one_line(v))
        d = " ".join(x for x in (one_line(row[i]) if i < len(row) else "" for i in desc) if x) if desc else ""
        bal = None
        if bi is not None and row[bi].strip():
            bal = (row[bi], index["balance"][0][1], False)
        line = StatementLine(date=day, amount=amount, payee=values[0],
                             iban="".join(row[ii].split()).upper() if ii is not None else "",
                             reference=values[1], description=d, bank_id=values[2], line=n)
        out.append(((None, fixed), line, bal))
    return out


def _cells(r: _Reader, n: int, row: list[str], index: dict):
    def cell(key: str) -> tuple[str, str]:
        i, label = index[key][0]
        if i >= len(row):
            raise DataError(f"{r.where(n)}: no {label} (columns.{key} of the rules): the line has "
                            f"{len(row)} column{'s' if len(row) != 1 else ''}")
        return row[i], label
    return cell


def _date(r: _Reader, n: int, text: str, label: str) -> dt.date:
    t = text.strip()
    day = r.dates.get(t)            # a statement has a few hundred days and thousands of lines
    if day is not None:
        return day
    try:
        day = dt.datetime.strptime(t, r.fmt).date()
    except ValueError:
        raise DataError(f"{r.where(n)}: {label}: {t!r} is not a date of the form {r.fmt} "
                        "(the rules' date_format)") from None
    problem = year_problem(day.year)
    if problem:
        raise DataError(f"{r.where(n)}: {label}: {t!r}: {problem}")
    r.dates[t] = day
    return day


def _amount(r: _Reader, n: int, cell) -> Decimal:
    def one(key: str) -> Decimal | None:
        if key not in r.rules["columns"]:
            return None
        text, label = cell(key)
        if not text.strip():
            return None
        v = parse_amount(text, r.number)
        if v is None:
            raise DataError(f"{r.where(n)}: {label}: {text.strip()!r} is not an amount {r.number_hint} "
                            "(the rules' decimal_mark and thousands)")
        if (why := number_problem(v)):
            raise DataError(f"{r.where(n)}: {label}: {text.strip()} {why}")
        return v
    if "amount" in r.rules["columns"]:
        v = one("amount")
        if v is None:
            raise DataError(f"{r.where(n)}: {cell('amount')[1]}: empty; every line needs an amount")
        if "sign" in r.rules["columns"]:
            text, label = cell("sign")
            said = text.strip().casefold()
            if said in r.debit_values:
                v = -abs(v)
            elif said in r.credit_values:
                v = abs(v)
            else:
                raise DataError(f"{r.where(n)}: {label}: {text.strip()[:20]!r} is neither money out ("
                                f"{', '.join(sorted(r.debit_values))}) nor money in ({', '.join(sorted(r.credit_values))}); "
                                "say which in the rules (debit_values, credit_values)")
    else:
        debit, credit = one("debit"), one("credit")
        if debit and credit:
            raise DataError(f"{r.where(n)}: both debit ({debit}) and credit ({credit}): expected one of them")
        if debit is None and credit is None:
            raise DataError(f"{r.where(n)}: no amount: the debit and credit columns are both empty")
        v = -abs(debit) if debit else (credit if credit is not None else -abs(debit))
    return -v if r.flip else v


def _closing(r: _Reader, items: list) -> tuple | None:
    """(day, balance) after the statement's last booked line: the last line with a balance in
    a file sorted oldest first, the first in one sorted newest first (a `balance_before`
    column's balance plus that line's amount)."""
    booked = [(line, bal) for line, bal in items if bal is not None and not line.pending]
    if not booked:
        return None
    newest_first = items[0][0].date > items[-1][0].date
    line, (text, label, before) = booked[0] if newest_first else booked[-1]
    value = parse_amount(text, r.number)
    if value is None or number_problem(value):
        raise DataError(f"{r.where(line.line)}: {label}: {text.strip()!r} is not an amount {r.number_hint} "
                        "(the closing balance; the rules' decimal_mark and thousands)")
    return line.date, value + line.amount if before else value    # a balance before the line: add the line
