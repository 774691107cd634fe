"""The fast path for reading a book file: rapidyaml parses, JSON carries the values.

PyYAML's C parser hands Python one event object (with two marks) per node,
and that is most of what a cold book costs (docs/performance.md). rapidyaml
(`ryml`) parses into a C++ tree and writes it out as JSON, which Python's C
decoder turns into lists and dicts: the same file in a sixth of the time.

It is a fast path, not a second reader. It answers only for files it can
prove it reads exactly as `yamlio.read_records` would, and returns None for
anything else; the caller then reads the file the usual way, which also
finds every problem and its line. What it takes:

- a block sequence of block mappings at column 0, every item on a `- key:`
  line, every top-level key on its own line;
- no character that starts a YAML feature where one could start (anchors,
  aliases, tags, block scalars, flow collections, quotes, directives,
  document markers, merge keys, tabs, CR, characters libyaml refuses);
- values whose meaning JSON keeps: with quoted scalars declined, every JSON
  string is a plain scalar's text, and goes through `yamlio.coerce` (typed
  fields) or `resolve_plain` (other keys) as the reader's plain scalars do,
  so `~` in a text field is None there too. rapidyaml writes `inf`,
  `infinity` and `nan` as `.inf` and `.nan`, values and keys alike: those
  decline the file, as does an empty key (`: x`), which libyaml refuses. Numbers
  keep their text (`parse_int`/`parse_float` hand it over), except where
  rapidyaml rewrites one (`.5` as `0.5`, `1.` as `1.0`) in a way that matters;
- no problem: the first value that `coerce` refuses, or any shape the
  schema does not expect, declines the file, so problems always come from
  the reader, with their lines;
- the lines: there is exactly one `-` line per item. When the items, each
  on one line per key plus one per list entry (one per key of a mapping in
  a list), add up to the file's lines after its header, every item takes
  exactly that many, so the lines are arithmetic: the record keeps None and
  `Record.lines` works them out when asked (most never are). Otherwise
  (comments, blank lines) each item's lines are checked one by one against
  its values, which also finds duplicate keys (JSON keeps only the last).

tests/test_fastread.py compares it with the reader on the demo book,
generated books, and hypothesis-made files, including every file it
declines.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
from decimal import Decimal

from ..core.limits import MAX_DIGITS, MAX_PLACES
from ..core.schema import Field, Kind
from .records import FileResult, Record
from .scalars import NULL, coerce, resolve_plain

try:                                    # an optional speed-up: without it, the reader does it all
    import ryml
except ImportError:                     # pragma: no cover - rapidyaml is a dependency
    ryml = None

MIN_BYTES = 2048        # below this the reader is as fast, and small files are where people get creative

# Characters that mean something where a scalar or a key starts; elsewhere in a
# plain scalar they are text. One `translate` marks them '&' (and the control
# characters, tab and CR, which the fast path leaves to the reader, '\0'); only
# a mark after a space or a line break is then looked at: does nothing but spaces
# stand between it and a ': ', a '- ' or the start of its line?
_STARTERS = b"&*!|>%@`{}[],?'\""
_CONTROLS = bytes([*range(0, 10), 11, 12, 13, *range(14, 32), 127])
_MARK = bytes.maketrans(_STARTERS + _CONTROLS, b"&" * len(_STARTERS) + b"\0" * len(_CONTROLS))
# beyond ASCII: what libyaml refuses or reads as a line break
_REFUSED = re.compile("[\x80-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
# Plain texts the reader does not keep as they are in a text field (YAML 1.2
# nulls other than `null`, which JSON keeps), and what rapidyaml writes for
# `inf` and `nan`, which could have been either.
_NULLS = frozenset(NULL)
_INFNAN = frozenset(f"{sign}.{word}" for sign in ("", "+", "-")
                    for word in ("inf", "Inf", "INF", "nan", "NaN", "NAN"))
_ODD_TEXT = _NULLS | _INFNAN
# Keys the fast path cannot vouch for: an empty key (`: x`), which libyaml refuses
# and rapidyaml takes, and a key rapidyaml has renamed (`inf` -> `.inf`).
_ODD_KEYS = _INFNAN | {""}
# A number whose JSON text rapidyaml may have rewritten: `.5` -> `0.5`, `1.` -> `1.0`.
_REWRITTEN = re.compile(r"[-+]?0\.|.*\.0(?:[eE]|\Z)")
# ... and whether the file holds a plain number that such a rewrite starts from.
_DOT_EDGE = re.compile(r"(?<![0-9A-Za-z_])[-+]?\.[0-9]|[0-9]\.(?![0-9])")
_ITEM = re.compile(r"^-", re.M)


class _Decline(Exception):
    """The fast path cannot promise the reader's answer for this file."""


class _Num(str):
    """The text of a JSON number, exactly as rapidyaml wrote it."""
    __slots__ = ()


def _refuse_constant(name):
    raise _Decline(name)


def _quiet_parse(data: bytes):
    """rapidyaml reports a syntax error on stderr (fd 2) before raising; the reader says it better."""
    saved = os.dup(2)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
        finally:
            os.close(devnull)
        tree = ryml.parse_in_arena(data)
        return ryml.emit_json_malloc(tree, tree.root_id())
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _File:
    """What converting one file's values needs: its text, for the rare rewrite question."""

    def __init__(self, text: str):
        self.text = text
        self._dot_edge: bool | None = None

    def number_text(self, t: str) -> str:
        """The YAML text of a JSON number, or _Decline when it may have been rewritten."""
        if _REWRITTEN.match(t):
            if self._dot_edge is None:
                self._dot_edge = _DOT_EDGE.search(self.text) is not None
            if self._dot_edge:
                raise _Decline(t)
        return t


_DATES: dict[str, dt.date] = {}


def _scalar(ftype: str, v, f: _File):
    """The reader's value of a typed scalar field whose JSON value is `v`."""
    cls = v.__class__
    if cls is str:                          # a plain scalar's text: the fast path takes no quotes
        if v in _INFNAN:
            raise _Decline(v)
        if ftype == "date":
            d = _DATES.get(v)
            if d is None:
                d = coerce("date", v, True)
                if d is not None and len(_DATES) < 100_000:
                    _DATES[v] = d
            return d
        return coerce(ftype, v, True)
    if cls is _Num:
        t = f.number_text(str(v))
        if ftype in ("money", "decimal") and "e" not in t and "E" not in t:
            value = Decimal(t)
            if not value or (value.adjusted() < MAX_DIGITS and value.as_tuple().exponent >= -MAX_PLACES):
                return value
        return coerce(ftype, t, True)
    if v is None:
        return None
    if v is True or v is False:
        return coerce(ftype, "true" if v else "false", True)
    raise _Decline(ftype)                   # a list or a mapping where a scalar belongs


def _untyped(v, f: _File):
    cls = v.__class__
    if cls is str:
        if v in _INFNAN:
            raise _Decline(v)
        return resolve_plain(v)
    if v is None or v is True or v is False:
        return v
    if cls is _Num:
        return resolve_plain(f.number_text(str(v)))
    if cls is list:
        return [_untyped(x, f) for x in v]
    raise _Decline("mapping")


_STRISH = frozenset({"str", "link"})


def _listish(d: dict, k: str, field: Field, v, f: _File) -> int:
    """Convert a links, strs or records value in place; the lines it takes below its key."""
    if field.type != "records":
        if v.__class__ is list:
            d[k] = [_scalar("str", x, f) for x in v]
            return len(v)
        if v is not None:
            raise _Decline(k)                # one id for a list of them: the reader wraps it
        return 0
    if v is None:
        return 0
    if v.__class__ is not list:
        raise _Decline(k)
    sub = _plan(field)
    extra = 0
    for item in v:
        if item.__class__ is not dict or not item:
            raise _Decline(k)
        if _mapping(item, sub, f):
            raise _Decline(k)                # a list inside an item: the reader's business
        extra += len(item)
    return extra


def _mapping(d: dict, plan: "_Plan", f: _File) -> int:
    """Turn one mapping's JSON values into the reader's, in place; the lines its lists
    take below their keys when laid out one value per line."""
    if not _ODD_KEYS.isdisjoint(d):
        raise _Decline("key")
    extra = 0
    fields, strish = plan.fields, plan.strish
    for k, v in d.items():
        if v.__class__ is str and k in strish and v not in _ODD_TEXT:
            continue
        field = fields.get(k)
        if field is None:
            d[k] = _untyped(v, f)
            if v.__class__ is list:
                extra += len(v)
        elif field.type in _LISTISH:
            extra += _listish(d, k, field, v, f)
        else:
            d[k] = _scalar(field.type, v, f)
    return extra


_LISTISH = frozenset({"links", "strs", "records"})


# a number `coerce` takes as it is: at most MAX_DIGITS before the point and MAX_PLACES after it
# (limits.py); any other goes through `_scalar`, which reports what is wrong with it
_DECIMAL_TEXT = re.compile(r"-?[0-9]{1,%d}(?:\.(?!0\Z)[0-9]{1,%d})?\Z" % (MAX_DIGITS, MAX_PLACES)).match


def _quick(d: dict, plan: "_Plan", f: _File) -> int:
    """`_mapping` for a record whose keys are all known and whose text fields hold text
    (the caller checked): only the other fields are looked at."""
    for k in plan.dates:
        v = d.get(k)
        if v is not None:
            x = _DATES.get(v) if v.__class__ is str else None
            d[k] = x if x is not None else _scalar("date", v, f)
    for k, ftype in plan.numbers:
        v = d.get(k)
        if v is not None:
            if v.__class__ is _Num and _DECIMAL_TEXT(v):
                d[k] = Decimal(v)           # what `coerce` makes of it; see _scalar for the rest
            else:
                d[k] = _scalar(ftype, v, f)
    for k in plan.bools:
        v = d.get(k)
        if v is not None and v.__class__ is not bool:
            d[k] = _scalar("bool", v, f)
    extra = 0
    for k, ftype, field in plan.others:
        v = d.get(k)
        if v is not None:
            if ftype in _LISTISH:
                extra += _listish(d, k, field, v, f)
            else:
                d[k] = _scalar(ftype, v, f)
    return extra


class _Plan:
    """How to convert the mappings of one kind (or of a `records` field's items)."""

    def __init__(self, fields: tuple[Field, ...]):
        self.fields = {x.name: x for x in fields}
        self.known = frozenset(self.fields)
        self.strish = frozenset(x.name for x in fields if x.type in _STRISH)
        self.dates = tuple(x.name for x in fields if x.type == "date")
        self.numbers = tuple((x.name, x.type) for x in fields if x.type in ("money", "decimal"))
        self.bools = tuple(x.name for x in fields if x.type == "bool")
        self.others = tuple((x.name, x.type, x) for x in fields
                            if x.type not in _STRISH | {"date", "money", "decimal", "bool"})
        # a text field holding a number, true/false, a list or a mapping in the JSON
        # ... or a text the reader reads otherwise (see _ODD_TEXT), anywhere
        names = "|".join(re.escape(n) for n in sorted(self.strish)) or "(?!)"
        self.odd_text = re.compile(r'"(?:(?:%s)": [^"n]|(?:~|Null|NULL|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|)")'
                                   % names)


_PLANS: dict[int, _Plan] = {}


def _plan(of) -> _Plan:
    """The plan of a Kind or a records Field (kept by id: a frozen dataclass hashes slowly)."""
    got = _PLANS.get(id(of))
    if got is None:
        got = _PLANS[id(of)] = _Plan(of.fields if isinstance(of, Kind) else of.sub)
        got.owner = of                      # keeps `of` alive, so its id stays its own
    return got


def _key_lines(lines: list[str], s: int, e: int, d: dict) -> dict:
    """key -> line of an item on lines[s:e] (0-based) laid out one value per line; else _Decline."""
    keys = list(d)
    out: dict = {}
    i, n = 0, -1                 # n: lines still owed to the value of the last key
    for j in range(s, e):
        line = lines[j]
        if j == s:
            body = line[2:]
        elif line.startswith("  ") and line[2:3] not in (" ", "-", "#", ""):
            body = line[2:]
        else:
            stripped = line.lstrip(" ")
            if not stripped or stripped[0] == "#":
                continue                                  # blank or comment
            n -= 1                                        # a line of the last key's list
            if n < 0:
                raise _Decline("layout")
            continue
        if n > 0 or i >= len(keys) or not body.startswith(keys[i] + ":"):
            raise _Decline("layout")
        v = d[keys[i]]
        n = 0
        if v.__class__ is list:
            rest = body[len(keys[i]) + 1:].strip(" ")
            if rest and rest[0] != "#":
                raise _Decline("layout")
            n = sum(len(x) if x.__class__ is dict and x else 1 for x in v)
        out[keys[i]] = j + 1
        i += 1
    if i != len(keys) or n > 0:
        raise _Decline("layout")
    return out


def _relocate(records: list[Record], text: str) -> None:
    """Find the lines of items that are not laid out tight (comments, blank lines)."""
    starts: list[int] = []
    line, pos = 1, 0
    count = text.count
    for m in _ITEM.finditer(text):
        at = m.start()
        line += count("\n", pos, at)
        pos = at
        if not text.startswith("- ", at) or text[at + 2:at + 3] in (" ", "\n", ""):
            raise _Decline("item line")
        starts.append(line)
    split = text.split("\n")
    end = len(split) + (0 if text.endswith("\n") else 1)
    for n, (r, s) in enumerate(zip(records, starts)):
        e = starts[n + 1] if n + 1 < len(starts) else end
        r.line = s
        r.lines = _key_lines(split, s - 1, e - 1, r.data)


def read_fast(data: bytes, text: str, rel: str, kind: Kind) -> FileResult | None:
    """The records of a book file if the fast path can promise the reader's answer, else None."""
    if ryml is None or len(data) < MIN_BYTES:
        return None
    try:
        return _read(data, text, rel, kind)
    except (_Decline, ValueError, RecursionError):
        return None
    except Exception:          # rapidyaml's own errors: the reader will say what is wrong
        return None


def _read(data: bytes, text: str, rel: str, kind: Kind) -> FileResult | None:
    if ("<<" in text or text.startswith(("---", "...", "%"))
            or "\n---" in text or "\n..." in text or "\n%" in text):
        return None
    marked = data.translate(_MARK)
    if b"\0" in marked or marked.startswith(b"&") or b"\n&" in marked:
        return None
    if not data.isascii() and _REFUSED.search(text):
        return None
    i = marked.find(b" &")
    while i != -1:
        at = i
        while at >= 0 and data[at] == 32:        # back over the spaces before the mark
            at -= 1
        if at < 0 or data[at] in b":-\n":
            return None
        i = marked.find(b" &", i + 2)
    js = _quiet_parse(data)
    items = json.loads(js, parse_int=_Num, parse_float=_Num, parse_constant=_refuse_constant)
    if items.__class__ is not list:
        return None
    total = text.count("\n") + (0 if text.endswith("\n") else 1)
    dashes = text.count("\n-") + text.startswith("-")
    if dashes != len(items):                # one '-' line per item, and no other
        return None
    plan = _plan(kind)
    quick = plan.odd_text.search(js) is None
    known = plan.known
    f = _File(text)
    records: list[Record] = []
    append = records.append
    name = kind.name
    # Lines, first guessed: after the header, each item on as many lines as it has keys
    # and list entries. Every item takes at least that many, so if they add up to the
    # file's lines, each takes exactly that (checked below); else they are found.
    first = 0 if text.startswith("-") else text.count("\n", 0, text.index("\n-") + 1)
    at = first + 1
    for d in items:
        if d.__class__ is not dict or not d:
            return None
        if quick and d.keys() <= known:
            extra = _quick(d, plan, f)
        else:
            extra = _mapping(d, plan, f)
        rid = d.get("id")
        if rid is not None and rid.__class__ is not str:
            d["id"] = str(rid)
        append(Record(name, d, rel, at, None))      # its lines: yamlio.tight_lines, when asked
        at += len(d) + extra
    if at != total + 1 or not text.startswith("- ", text.index("\n-") + 1 if first else 0):
        _relocate(records, text)
    return FileResult(records, [], True, text)
