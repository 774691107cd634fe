"""Rendering plain data to table, markdown, csv, json and html.

Reports and views build rows (dicts of plain values); this module only turns
them into text. It is the one place that knows how money looks in a table,
how CSV is made spreadsheet-safe, and how user text is cleaned for a terminal.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from decimal import Decimal
from itertools import chain, cycle
from typing import NamedTuple

from ..core.text import HIDDEN, Column, clean, fmt_money, jsonable, text
import sys
import textwrap

import orjson

FORMATS = ("table", "markdown", "csv", "json")
TABLE_CELL = 40   # the widest a table cell gets (but a row's first column, its id)
TABLE_WIDTH = 100  # a list's row fits this many characters (text columns clipped to make it fit)
REPORT_FORMATS = FORMATS + ("html",)

_NUMERIC = re.compile(r"-?\d+(\.\d+)?\Z")


def to_json(data) -> str:
    """Stable JSON: UTF-8 text, with the characters that can hide or reorder text in a terminal
    or an editor (bidi and C1 controls) as \\u escapes, which read back as the same string.
    All ASCII (\\u escapes) when stdout cannot show UTF-8 (`cli.standard_streams`)."""
    ascii_only = not utf8_stdout()
    return _shown(dumps(data, ascii_only, "\n"), ascii_only)


def _shown(text: str, ascii_only: bool) -> str:
    """JSON text with the hidden characters (`text.HIDDEN`) escaped."""
    if ascii_only or text.isascii() and "\x7f" not in text:      # (each a C scan) nothing to escape
        return text
    return HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if HIDDEN.search(text) else text


def json_bytes(items) -> bytes:
    """`to_json(dict(items))` in UTF-8, an item's value a callable called when its turn comes
    (`export json`: each kind's rows made, written and let go in turn, so that 116 MB of text
    and 150,000 rows are not in memory at once)."""
    ascii_only = not utf8_stdout()
    out: list[bytes] = []
    sep = "{\n  "
    for key, value in items:
        value = value() if callable(value) else value
        out.append((sep + json.dumps(key, ensure_ascii=ascii_only) + ": ").encode("utf-8"))
        out.append(value.text if isinstance(value, Written) else item_bytes(value, ascii_only))
        sep = ",\n  "
    out.append(b"\n}\n" if out else b"{}\n")
    return b"".join(out)


class Written(NamedTuple):
    """An item's value written already (`item_bytes`), for `json_bytes` to put in its place."""
    text: bytes


def item_bytes(value, ascii_only: bool) -> bytes:
    """The text of a top-level item's value as `json_bytes` writes it (at an indent of two)."""
    fast = None if ascii_only else book_json_bytes(value, b"  ")
    return fast if fast is not None else _shown(dumps(value, ascii_only, indent="  "), ascii_only).encode("utf-8")


_ORJSON = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# The UTF-8 of what `_shown` escapes (`text.HIDDEN`: DEL, the C1 controls, the bidi controls)
_HIDDEN_UTF8 = re.compile(b"\x7f|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def _orjson_default(v):
    """What orjson hands back (a Decimal, a date, a datetime): its text as `jsonable` gives it;
    anything else refused, as the standard library refuses it."""
    c = v.__class__
    if c is Decimal:
        return format(v, "f")
    if c is dt.date:
        return v.isoformat()
    got = jsonable(v)
    if got is v:
        raise TypeError(f"{type(v).__name__} is not JSON serializable")
    return got


def book_json_bytes(data, indent: bytes = b"") -> bytes | None:
    """`dumps(data, False, indent=...)` in UTF-8 with `_shown`'s escapes, written by orjson
    (`export json`: 116 MB at 100,000 transactions in a quarter of the time). For the book's
    values only: strings, ints, bools, None, Decimals, dates and datetimes in dicts and lists,
    as the store builds them (never a float: orjson writes a float otherwise than the library).
    None when orjson refuses the value (a key that is not a string, an int over 64 bits, a lone
    surrogate): the caller writes it with `dumps`, which writes or refuses it as the library does."""
    try:
        if indent == b"  ":         # written as the value of a key at that indent, not indented again
            out = orjson.dumps({"": data}, default=_orjson_default, option=_ORJSON)[len(b'{\n  "": '):-len(b"\n}")]
        else:
            out = orjson.dumps(data, default=_orjson_default, option=_ORJSON)
            if indent:
                out = out.replace(b"\n", b"\n" + indent)
    except (orjson.JSONEncodeError, TypeError):
        return None
    if (not out.isascii() or b"\x7f" in out) and _HIDDEN_UTF8.search(out):     # (DEL is ASCII)
        return _shown(out.decode("utf-8"), False).encode("utf-8")
    return out


_SCALARS = {type(None): lambda v: "null", bool: lambda v: "true" if v else "false", int: int.__repr__}
# What the library's C encoder writes as `jsonable` and `indent=2` would (`default=jsonable` gives
# a Decimal's, a date's and a datetime's text): a value of these types is one line, whatever its depth
_FLAT = frozenset({str, int, bool, type(None), Decimal, dt.date, dt.datetime})
_NESTED = frozenset({list, tuple, dict})
_ENCODERS: dict = {}
ROWS = 500          # rows written at once: the text of a few hundred, not 70 MB copied three times


_TEXTS = {Decimal: lambda v: format(v, "f"), dt.date: dt.date.isoformat}


def _text(v):
    """A Decimal's, a date's, a datetime's text, as `jsonable` gives it (the C encoder asks)."""
    return _TEXTS.get(v.__class__, jsonable)(v)


def _encoder(sep: str, ensure_ascii: bool) -> json.JSONEncoder:
    """The library's encoder without `indent`, so its C encoder, items separated by `sep`."""
    key = (sep, ensure_ascii)
    got = _ENCODERS.get(key)
    if got is None:
        got = _ENCODERS[key] = json.JSONEncoder(ensure_ascii=ensure_ascii, check_circular=False,
                                                separators=(sep, ": "), default=_text)
    return got


def dumps(data, ensure_ascii: bool = True, end: str = "", indent: str = "") -> str:
    """`json.dumps(jsonable(data), indent=2, ensure_ascii=...)`, the same text, in one pass and a
    fraction of the time: with `indent`, the standard library writes through its Python encoder
    (nested generators), and `export json` of a 100,000-transaction book is 116 MB of it.

    Rows (a list's dicts with the same keys, as every list and export holds) are written a few
    hundred at a time: their values, one list, by the library's C encoder one per line (a
    scalar's text never holds a newline: strings are escaped), then put between the keys' text,
    made once; a nested value (an invoice's lines) is written in its place at its depth. Lists
    of scalars are one call of the C encoder. Strings elsewhere are escaped by the library's
    own (C) escaper; anything else is left to `json.dumps`, so what it refuses is refused alike
    (tests/test_export.py holds the two equal). `end` is added to the text (116 MB are not
    copied to add a newline); `indent`: the text of `data` as the value of a key at that indent."""
    enc = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    scalars = _SCALARS
    keys: dict = {}                             # a key's text, once per key (rows repeat them)
    lines = _encoder("\n", ensure_ascii)       # a list of scalars -> their texts, one per line
    templates: dict = {}                        # (keys, indent) -> the text around each value

    def rows(v, ind: str) -> str | None:
        """Dicts `v` (at least one, all with the same text keys) as `indent=2` writes them as
        items of a list at `ind`, each row's items a line; None when a value is not of the kinds
        written here (the caller writes them one by one)."""
        first = v[0]
        inner = ind + "  "
        shape = (tuple(first), ind, len(v))
        template = templates.get(shape)
        if template is None:                    # the rows' text, each value a %s
            row = "{\n" + inner + (",\n" + inner).join(enc(k).replace("%", "%%") + ": %s" for k in first) + "\n" + ind + "}"
            template = templates[shape] = (",\n" + ind).join([row] * len(v))
        values = list(chain.from_iterable(map(dict.values, v)))
        kinds = set(map(type, values))
        holes: list = []
        if not _FLAT.issuperset(kinds):
            if not (_FLAT | _NESTED).issuperset(kinds):
                return None
            holes = [(i, values[i]) for i, t in enumerate(map(type, values)) if t in _NESTED]
            for i, _ in holes:
                values[i] = None
        texts = lines.encode(values)[1:-1].split("\n")
        for i, x in holes:
            texts[i] = text_of(x, inner)
        return template % tuple(texts)

    def text_of(v, ind: str) -> str:
        got: list[str] = []
        emit(v, ind, got.append)
        return "".join(got)

    def emit(v, ind: str, add) -> None:
        t = type(v)
        if t is str:
            add(enc(v))
        elif t is Decimal:
            add('"' + format(v, "f") + '"')     # digits, '.', '-': nothing to escape (nan, inf: letters)
        elif t in scalars:
            add(scalars[t](v))
        elif t is dict:
            if not v:
                add("{}")
                return
            if any(k.__class__ is not str for k in v):
                v = jsonable(v)             # str(key), as jsonable makes them (two keys may become one)
            inner = ind + "  "
            sep = "{\n" + inner
            for k, x in v.items():
                key = keys.get(k)
                if key is None:
                    key = keys[k] = enc(k) + ": "
                t = type(x)
                if t is str:                    # most values: written here, not by another call
                    add(sep + key + enc(x))
                elif t is Decimal:
                    add(sep + key + '"' + format(x, "f") + '"')
                elif t is dt.date:
                    add(sep + key + '"' + x.isoformat() + '"')
                elif t in scalars:
                    add(sep + key + scalars[t](x))
                else:
                    add(sep + key)
                    emit(x, inner, add)
                sep = ",\n" + inner
            add("\n" + ind + "}")
        elif t is list or t is tuple:
            if not v:
                add("[]")
                return
            inner = ind + "  "
            if _FLAT.issuperset(map(type, v)):          # scalars: one per line
                add("[\n" + inner + _encoder(",\n" + inner, ensure_ascii).encode(v)[1:-1] + "\n" + ind + "]")
                return
            sep = "[\n" + inner
            i, n = 0, len(v)
            while i < n:
                x = v[i]
                if type(x) is dict and x and all(k.__class__ is str for k in x):
                    shape = tuple(x)                    # a run of rows with the same keys (at most ROWS)
                    j, last = i + 1, min(n, i + ROWS)
                    while j < last and type(v[j]) is dict and tuple(v[j]) == shape:
                        j += 1
                    text = rows(v[i:j], inner)
                    if text is not None:
                        add(sep + text)
                        sep = ",\n" + inner
                    else:                               # a value of another kind: row by row
                        for x in v[i:j]:
                            add(sep)
                            emit(x, inner, add)
                            sep = ",\n" + inner
                    i = j
                    continue
                add(sep)
                emit(x, inner, add)
                sep = ",\n" + inner
                i += 1
            add("\n" + ind + "]")
        else:
            j = jsonable(v)
            if j is v or type(j) is type(v) and j == v:
                add(json.dumps(v, indent=2, ensure_ascii=ensure_ascii).replace("\n", "\n" + ind))
            else:
                emit(j, ind, add)

    out: list[str] = []
    emit(data, indent, out.append)
    out.append(end)
    return "".join(out)


def utf8_stdout() -> bool:
    """Whether stdout shows UTF-8 (else JSON is written all ASCII, with \\u escapes)."""
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    return encoding in ("utf8", "utf8sig")


def md_text(s: str) -> str:
    """User text in Markdown: a `<` cannot open an HTML tag or an autolink, nor `[` and `]` a
    link or an image (`![x](http://...)` as a client's name would load a remote image in the
    mailed digest), in a mail or a page the report is rendered into (`\\<` shows as `<`, and
    reads as one in the raw text)."""
    return _MD_SPECIAL.sub(r"\\\g<0>", s)   # the backslash too: `\\<` must not undo the escape


_MD_SPECIAL = re.compile(r"[\\<\[\]]")


def csv_safe(s: str) -> str:
    """Neutralise spreadsheet formula injection (OWASP): prefix a quote."""
    if s and s[0] in "=+-@\t\r" and not _NUMERIC.match(s):
        return "'" + s
    return s


def render_rows(rows: list[dict], columns: list[Column], fmt: str, json_rows=None, table_keys=()) -> str:
    """Rows as a table, markdown, csv or json (`json_rows` when json wants more than the columns).
    `table_keys`: the columns the 80-column table format keeps (csv, markdown and json keep all)."""
    if fmt == "table" and table_keys:
        columns = [c for c in columns if c.key in table_keys]
    if fmt == "json":
        return to_json(json_rows if json_rows is not None else [{c.key: r.get(c.key) for c in columns} for r in rows])
    if fmt == "csv":
        if any(c.money and c.unit for c in columns) and not any(c.key == "currency" for c in columns):
            columns = [*columns, Column("currency")]   # money is plain decimals in csv: say in which currency
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow([c.key for c in columns])
        for r in rows:
            w.writerow([csv_safe(text(r.get(c.key))) if not isinstance(r.get(c.key), Decimal)
                        else format(r[c.key], "f") for c in columns])
        return out.getvalue()
    if fmt == "html":
        return html_table(rows, columns)
    from tabulate import tabulate
    body = [[c.cell(r) for c in columns] for r in rows]
    headers = [c.header for c in columns]
    if fmt == "markdown":
        body = [[md_text(x.replace("|", "\\|").replace("\n", " ")) for x in row] for row in body]
        return tabulate(body, headers, tablefmt="github", colalign=[c.align for c in columns], disable_numparse=True) + "\n"
    if not rows:
        return "(none)\n"
    # a table is for reading (csv and json carry everything): one line per row, a column empty
    # in every row left out, and long text (a pasted paragraph, a hostile 1,000-character name)
    # clipped after the id column so that the row fits TABLE_WIDTH
    keep = [i for i in range(len(columns)) if i == 0 or any(row[i] for row in body)]
    columns = [columns[i] for i in keep]
    headers = [headers[i] for i in keep]
    body = [[row[i].replace("\n", " ") for i in keep] for row in body]
    # (tabulate pads a header by two: a column is never narrower than its header + 2)
    widths = fit([max([len(h) + 2] + [len(row[i]) for row in body]) for i, h in enumerate(headers)],
                 [i > 0 and c.align == "left" for i, c in enumerate(columns)])
    body = [[x if i == 0 else _clip(x, widths[i]) for i, x in enumerate(row)] for row in body]
    return simple_table(body, headers, [c.align for c in columns]) + "\n"


def simple_table(body: list[list[str]], headers: list[str], aligns: list[str]) -> str:
    """`tabulate(body, headers, tablefmt="simple", colalign=aligns, disable_numparse=True)`, the
    same text, written here in one pass, several times faster (50,000 rows of `income list`).
    A cell's width is what tabulate counts: its length, or for text beyond ASCII the terminal
    columns of the width function tabulate itself uses (`tabulate.wcwidth`, when it has one).
    Anything else tabulate may treat apart (an escape code, a line break, a control or
    zero-width character) goes to tabulate. tests/test_tables.py holds the two equal."""
    plain = "".join(headers) + "".join(map("".join, body))
    width = len
    if plain.isprintable() and all(a in ("left", "right") for a in aligns) \
            and all(len(row) == len(headers) for row in body):
        if not plain.isascii():
            import tabulate as library
            if library.wcwidth is not None and library.WIDE_CHARS_MODE:
                columns = library.wcwidth.wcswidth

                def width(s: str) -> int:
                    return len(s) if s.isascii() else columns(s)
        cols = [[x.strip() for x in col] for col in zip(*body)] if body else [[] for _ in headers]
        aligns = aligns if body else ["left"] * len(headers)       # (tabulate: no rows, no column types)
        sizes = [[width(x) for x in col] for col in cols]
        heads = [width(h) for h in headers]
        if min(heads, default=0) >= 0 and all(min(col, default=0) >= 0 for col in sizes):
            widths = [max([h + 2] + col) for h, col in zip(heads, sizes)]
            cells = [[" " * (w - n) + x for x, n in zip(col, size)] if a == "right" else
                     [x + " " * (w - n) for x, n in zip(col, size)]
                     for a, w, col, size in zip(aligns, widths, cols, sizes)]
            lines = ["  ".join(" " * (w - n) + h if a == "right" else h + " " * (w - n)
                               for a, h, n, w in zip(aligns, headers, heads, widths)).rstrip(),
                     "  ".join("-" * w for w in widths)]
            lines += ["  ".join(row).rstrip() for row in zip(*cells)]
            return "\n".join(lines)
    from tabulate import tabulate
    return tabulate(body, headers, tablefmt="simple", colalign=aligns, disable_numparse=True)


def fit(widths: list[int], shrinkable: list[bool], total: int = None) -> list[int]:
    """Column widths no wider than TABLE_CELL, then narrowed (the widest text column first,
    never below 10) until the row with two spaces between columns fits `total`."""
    total = TABLE_WIDTH if total is None else total
    widths = [w if i == 0 else min(w, TABLE_CELL) for i, w in enumerate(widths)]
    while sum(widths) + 2 * (len(widths) - 1) > total:
        candidates = [i for i, s in enumerate(shrinkable) if s and widths[i] > 10]
        if not candidates:
            break
        i = max(candidates, key=lambda j: widths[j])
        widths[i] -= 1
    return widths


def html_table(rows: list[dict], columns: list[Column], title: str = "") -> str:
    e = html.escape
    parts = []
    if title:
        parts.append(f"<h2>{e(title)}</h2>")
    parts.append("<table>\n<thead><tr>" + "".join(f"<th>{e(c.header)}</th>" for c in columns) + "</tr></thead>\n<tbody>")
    for r in rows:
        parts.append("<tr>" + "".join(
            f"<td class=\"{'num' if c.align == 'right' else ''}\">{e(c.cell(r))}</td>" for c in columns) + "</tr>")
    parts.append("</tbody></table>\n")
    return "\n".join(parts)


HTML_STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
              "table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px}"
              "th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}")


def html_page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{HTML_STYLE}</style></head>\n"
            f"<body>\n<h1>{html.escape(title)}</h1>\n{body}</body></html>\n")


def render_board(columns: list[dict], fmt: str, width: int = 80) -> str:
    """A board: `columns` = [{name, count, total, currency, cards: [{id, lines: [..]}]}]."""
    if fmt == "json":
        return to_json(columns)
    if fmt in ("csv",):
        rows = [{"column": c["name"], "id": card["id"], "card": " / ".join(card["lines"])}
                for c in columns for card in c["cards"]]
        return render_rows(rows, [Column("column"), Column("id"), Column("card")], fmt)
    if fmt == "markdown":
        out = []
        for c in columns:
            extra = "".join(f" + {fmt_money(v, cur)}" for cur, v in (c.get("other_totals") or {}).items())
            out.append(f"### {md_text(c['name'])} ({c['count']}) "
                       f"{fmt_money(c.get('total'), c.get('currency', ''))}{extra}".rstrip())
            out.append("")
            for card in c["cards"]:
                out.append(f"- **{md_text(clean(card['lines'][0]))}**"
                           + "".join(f" · {md_text(clean(x))}" for x in card["lines"][1:]))
            out.append("")
        return "\n".join(out)
    n = max(len(columns), 1)
    colw = max(12, (width - 1) // n - 3)  # a column is its text, two spaces of padding and a border
    headers = []
    for c in columns:
        headers.append(f"{c['name']} ({c['count']})")
    depth = max((len(c["cards"]) for c in columns), default=0)
    body = []
    for i in range(depth):
        row = []
        for c in columns:
            if i < len(c["cards"]):
                row.append("\n".join(_wrap(clean(x), colw) for x in c["cards"][i]["lines"]))
            else:
                row.append("")
        body.append(row)
    totals = []
    for c in columns:
        if c.get("total") is None:
            totals.append("")
            continue
        total = fmt_money(c["total"], c.get("currency", ""))
        lines = ["total " + total] if len(total) + 6 <= colw else ["total", total]
        lines += ["+ " + fmt_money(v, cur) for cur, v in (c.get("other_totals") or {}).items()]
        totals.append("\n".join(_wrap(x, colw) for x in lines))
    if any(totals):
        body.append(totals)
    return grid_table(body, headers) + "\n"


def grid_table(body: list[list[str]], headers: list[str]) -> str:
    """`tabulate(body, headers, tablefmt="simple_grid", disable_numparse=True)`, the same text
    (a board: cells of several lines, every column left-aligned), written here in one pass
    when every line of every cell is printable (as `simple_table`: tabulate's width function
    for text beyond ASCII), else by tabulate. tests/test_tables.py holds the two equal."""
    def cut(cell: str) -> list[str]:        # a cell's lines, as tabulate pads them
        cell = cell.strip()
        return cell.split("\n") if multiline and cell else [cell] if not multiline else []
    multiline = any("\n" in x or "\r" in x for x in headers) or \
        any("\n" in x or "\r" in x for row in body for x in row)
    if headers and all(len(row) == len(headers) for row in body):
        cols = [[cut(x) for x in col] for col in zip(*body)] if body else [[] for _ in headers]
        plain = "".join(headers) + "".join(line for col in cols for cell in col for line in cell)
        width = len
        if plain.isprintable() and not plain.isascii():
            import tabulate as library
            if library.wcwidth is not None and library.WIDE_CHARS_MODE:
                columns = library.wcwidth.wcswidth

                def width(s: str) -> int:
                    return len(s) if s.isascii() else columns(s)
        if plain.isprintable():
            heads = [width(h) for h in headers]
            sizes = [[[width(line) for line in cell] for cell in col] for col in cols]
            if min(heads, default=0) >= 0 and all(w >= 0 for col in sizes for cell in col for w in cell):
                return _grid(headers, heads, cols, sizes)
    from tabulate import tabulate
    return tabulate(body, headers, tablefmt="simple_grid", disable_numparse=True)


def _grid(headers: list[str], heads: list[int], cols: list, sizes: list) -> str:
    widths = [max([h + 2] + [w for cell in col for w in cell]) for h, col in zip(heads, sizes)]
    cells = [[[line + " " * (most - w) for line, w in zip(cell, size)] for cell, size in zip(col, csize)]
             for most, col, csize in zip(widths, cols, sizes)]

    def bar(left: str, mid: str, right: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + right
    out = [bar("┌", "┬", "┐"),
           ("│" + "│".join(f" {h}{' ' * (w - n)} " for h, n, w in zip(headers, heads, widths)) + "│").rstrip(),
           bar("├", "┼", "┤")]
    rows = list(zip(*cells))
    for i, row in enumerate(rows):
        for k in range(max(len(c) for c in row)):
            out.append(("│" + "│".join(f" {c[k] if k < len(c) else ' ' * w} " for c, w in zip(row, widths))
                        + "│").rstrip())
        if i < len(rows) - 1:
            out.append(bar("├", "┼", "┤"))
    out.append(bar("└", "┴", "┘"))
    return "\n".join(out)


def _wrap(s: str, w: int) -> str:
    """A card line folded to the column's width (words kept whole where they fit), never cut off."""
    if len(s) <= w:
        return s
    return "\n".join(textwrap.wrap(s, w, break_on_hyphens=False)) or s[:w]


def _clip(s: str, w: int) -> str:
    return s if len(s) <= w else s[: w - 1] + "…"
