"""Reading book files: PyYAML's C parser, events straight to records.

We do not use PyYAML's constructors: their resolvers are YAML 1.1 (`NO` is
False, `12:30` is 750) and build floats. Instead the parser's events are
turned into values here, by the field types of `schema`:

- a typed field takes the scalar's text: money becomes `Decimal(text)`,
  a string field keeps `010` or `NO` exactly as written;
- anything else (unknown keys, settings) resolves by the YAML 1.2 core
  schema, with numbers that are not integers read as `Decimal`.

Anchors, aliases, merge keys, explicit tags and duplicate keys are reported
as problems, never followed. Every record remembers its file and the line of
each of its keys.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from decimal import Decimal, InvalidOperation

import yaml
from yaml._yaml import CParser

from .errors import Problem
from .schema import Field, Kind

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\Z")
_DURATION = re.compile(r"(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?\Z", re.ASCII)
_DECIMAL_HOURS = re.compile(r"(\d+)\.(\d+)h\Z", re.ASCII)
_CLOCK = re.compile(r"(\d+):([0-5]\d)\Z", re.ASCII)


class Record:
    """One item of a book file: its data, where it came from, and the line of each key."""

    __slots__ = ("kind", "data", "file", "line", "_lines", "derived")

    def __init__(self, kind: str, data: dict, file: str, line: int, lines: dict | None):
        self.kind = kind
        self.data = data
        self.file = file          # relative to the book, with forward slashes
        self.line = line          # 1-based line of the item
        self._lines = lines       # key -> 1-based line; None: laid out tight (see `lines`)
        self.derived: dict | None = None

    @property
    def lines(self) -> dict:
        """key -> 1-based line. An item that `fastread` found laid out tight (each key on
        the line after the previous one's value, a list taking a line per entry and a
        mapping in a list a line per key) has its lines worked out when first asked."""
        lines = self._lines
        if lines is None:
            lines = self._lines = tight_lines(self.data, self.line)
        return lines

    @lines.setter
    def lines(self, value: dict) -> None:
        self._lines = value

    def moved(self, shift: int) -> "Record":
        """The same record `shift` lines further down its file."""
        lines = self._lines
        return Record(self.kind, self.data, self.file, self.line + shift,
                      None if lines is None else {k: n + shift for k, n in lines.items()})

    @property
    def id(self) -> str:
        value = self.data.get("id")
        return "" if value is None else str(value)

    def get(self, key, default=None):
        return self.data.get(key, default)

    def __getitem__(self, key):
        return self.data[key]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def __repr__(self) -> str:
        return f"<{self.kind} {self.id!r} {self.file}:{self.line}>"


def tight_lines(data: dict, line: int) -> dict:
    """key -> line of an item on `line` whose values take one line each, lists one per entry."""
    out = {}
    for k, v in data.items():
        out[k] = line
        line += 1
        if v.__class__ is list:
            line += sum(len(x) if x.__class__ is dict else 1 for x in v)
    return out


def resolve_plain(text: str):
    """YAML 1.2 core schema for a plain scalar; non-integer numbers as Decimal."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return Decimal(text)
    if text in (".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN"):
        return text  # infinities make no sense in a book: keep the text
    return text


MAX_MINUTES = 7 * 24 * 60   # a meeting of more than a week is a typo


def parse_duration(text: str) -> int | None:
    """Minutes in '45m', '1h30m', '2h', '1.5h' or '1:30'; None when unreadable. A bare
    number is not a duration (90 minutes or 90 hours?): the unit is part of it."""
    text = str(text).strip()
    if len(text) > 20:
        return None
    m = _DURATION.match(text)
    if m and (m.group(1) or m.group(2)):
        return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)
    m = _CLOCK.match(text)
    if m:
        return int(m.group(1)) * 60 + int(m.group(2))
    m = _DECIMAL_HOURS.match(text)
    if m:
        minutes = Decimal(f"{m.group(1)}.{m.group(2)}") * 60
        return int(minutes) if minutes == minutes.to_integral_value() else None
    return None


def duration_text(minutes: int) -> str:
    """The canonical way to write a duration: 45m, 2h, 1h30m."""
    h, m = divmod(minutes, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if m or not h else "")


def duration_problem(text: str) -> str | None:
    """Why `text` is not a meeting's duration, or None when it is one."""
    minutes = parse_duration(text)
    if minutes is None:
        return f"expected a duration with its unit like 45m, 1h30m, 1.5h or 1:30, got {text!r}"
    if minutes == 0:
        return f"a duration of zero ({text!r}) is not a meeting"
    if minutes > MAX_MINUTES:
        return f"{text!r} is longer than a week"
    return None


def coerce(ftype: str, text: str, plain: bool):
    """Value of a scalar for a field type, or raise ValueError('expected ...')."""
    if plain and text in _NULL:
        return None
    if ftype in ("str", "link", "links", "strs"):
        return text
    if ftype in ("money", "decimal"):
        t = text.strip().replace("_", "")
        if _NUMBER.match(t):
            try:
                value = Decimal(t)
            except InvalidOperation:
                value = None
            if value is not None:
                if value and value.adjusted() >= 15:   # past what cents can be computed for
                    raise ValueError(f"{text!r} is too large (at most 15 digits before the point)")
                return value
        raise ValueError(f"expected a number, got {text!r}")
    if ftype == "int":
        if _INT.match(text.strip()):
            return int(text)
        raise ValueError(f"expected a whole number, got {text!r}")
    if ftype == "date":
        if _DATE.match(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a date in the calendar") from None
        raise ValueError(f"expected a date like 2026-11-25, got {text!r}")
    if ftype == "datetime":
        m = _DATETIME.match(text.strip())
        if m:
            try:
                d = dt.date.fromisoformat(m.group(1))
                return dt.datetime(d.year, d.month, d.day, int(m.group(2)), int(m.group(3)), int(m.group(4) or 0))
            except ValueError:
                raise ValueError(f"{text!r} is not a time in the calendar") from None
        if _DATE.match(text):
            try:
                d = dt.date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a date in the calendar") from None
            return dt.datetime(d.year, d.month, d.day)
        raise ValueError(f"expected a time like '2026-12-01 10:00', got {text!r}")
    if ftype == "bool":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"expected true or false, got {text!r}")
    if ftype == "duration":
        problem = duration_problem(text)
        if problem:
            raise ValueError(problem)
        return text
    return resolve_plain(text) if plain else text


class _Reader:
    """Walks the event stream of one file; collects problems instead of raising."""

    def __init__(self, text: str, rel: str):
        self.parser = CParser(text)
        self.rel = rel
        self.problems: list[Problem] = []
        self.kind = ""
        self.rid = ""

    def problem(self, line: int, message: str, severity: str = "error"):
        self.problems.append(Problem(self.rel, line, severity, self.kind, self.rid, message))

    def next(self):
        return self.parser.get_event()

    def check_node(self, event):
        anchor = None if isinstance(event, yaml.AliasEvent) else getattr(event, "anchor", None)
        if anchor is not None:
            self.problem(event.start_mark.line + 1, f"anchors (&{anchor}) are not allowed in book files")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in ("!", "tag:yaml.org,2002:str"):
            shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
            self.problem(event.start_mark.line + 1, f"explicit tags ({shown}) are not allowed in book files")

    # -- generic values -------------------------------------------------
    def value(self, event, ftype: str = "", sub=None, lines: dict | None = None):
        """Build the value whose first event is `event`, typed by `ftype` if given."""
        self.check_node(event)
        line = event.start_mark.line + 1
        if isinstance(event, yaml.ScalarEvent):
            plain = event.style is None or event.style == ""
            if plain and event.tag is not None:
                plain = False
            if not ftype:
                return resolve_plain(event.value) if plain else event.value
            if ftype in ("links", "strs"):
                v = coerce("str", event.value, plain)
                return None if v is None else [v]
            if ftype == "records":
                v = resolve_plain(event.value) if plain else event.value
                if v is not None:
                    self.problem(line, f"expected a list, got {event.value!r}")
                return v
            try:
                return coerce(ftype, event.value, plain)
            except ValueError as exc:
                self.problem(line, str(exc))
                return event.value
        if isinstance(event, yaml.AliasEvent):
            self.problem(line, f"aliases (*{event.anchor}) are not allowed in book files")
            return None
        if isinstance(event, yaml.SequenceStartEvent):
            out = []
            item_type = "str" if ftype in ("links", "strs") else ""
            if ftype and ftype not in ("links", "strs", "records"):
                self.problem(line, f"expected a single value ({ftype}), got a list")
            while True:
                ev = self.next()
                if isinstance(ev, yaml.SequenceEndEvent):
                    return out
                if ftype == "records" and isinstance(ev, yaml.MappingStartEvent):
                    out.append(self.mapping(ev, sub or (), {}))
                else:
                    out.append(self.value(ev, item_type))
        if isinstance(event, yaml.MappingStartEvent):
            if ftype:
                self.problem(line, f"expected {'a list' if ftype in ('links', 'strs', 'records') else 'a ' + ftype}, got a mapping")
            return self.mapping(event, None, {})
        raise yaml.YAMLError(f"unexpected event {event!r}")

    def mapping(self, start, fields, lines: dict):
        """A mapping; `fields` (a dict name->Field, or a tuple of Field) types its values."""
        if isinstance(fields, tuple):
            fields = {f.name: f for f in fields}
        out: dict = {}
        while True:
            ev = self.next()
            if isinstance(ev, yaml.MappingEndEvent):
                return out
            line = ev.start_mark.line + 1
            if isinstance(ev, yaml.ScalarEvent):
                key = sys.intern(ev.value)   # one str per key name: less memory, smaller cache
                self.check_node(ev)
            else:
                self.problem(line, "mapping keys must be plain words")
                key = repr(self.value(ev))
            if key == "<<":
                self.problem(line, "merge keys (<<) are not allowed in book files")
                self.value(self.next())
                continue
            f: Field | None = fields.get(key) if fields else None
            val = self.value(self.next(), f.type if f else "", f.sub if f else None)
            if key in out:
                self.problem(line, f"duplicate key '{key}' (first on line {lines.get(key, '?')})")
                continue
            out[key] = val
            lines[key] = line


def _decode(data: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, [Problem(rel, line, "error", "", "", f"not valid UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})")]


def _syntax_problem(exc: yaml.YAMLError, rel: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else 0
    col = f", column {mark.column + 1}" if mark else ""
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    msg = f"YAML syntax error{col}: {what}" + (f" ({context})" if context else "")
    return Problem(rel, line, "error", "", "", msg)


class FileResult:
    """What reading one file gave: records, problems, and whether it parsed at all."""

    __slots__ = ("records", "problems", "parsed", "_text", "load_text")

    def __init__(self, records, problems, parsed, text):
        self.records = records
        self.problems = problems
        self.parsed = parsed      # False: syntax error or undecodable; never write to it
        self._text = text
        self.load_text = None     # reads the text on demand (records from the parse cache)

    @property
    def text(self) -> str | None:
        if self._text is None and self.load_text is not None:
            self._text = self.load_text()
        return self._text


def read_records(data: bytes, rel: str, kind: Kind, fast: bool = True) -> FileResult:
    """Records of one book file (a YAML sequence of mappings).

    `fast`: try `fastread.read_fast` first, which answers the same for the
    files it takes (tests/test_fastread.py) and declines the rest."""
    text, problems = _decode(data, rel)
    if text is None:
        return FileResult([], problems, False, None)
    if fast:
        from .fastread import read_fast
        res = read_fast(data[3:] if data.startswith(b"\xef\xbb\xbf") else data, text, rel, kind)
        if res is not None:
            return res
    r = _Reader(text, rel)
    records: list[Record] = []
    fields = kind.field_map
    try:
        ev = r.next()                      # StreamStart
        ev = r.next()
        if isinstance(ev, yaml.StreamEndEvent):
            return FileResult([], problems, True, text)
        ev = r.next()                      # root node
        if isinstance(ev, yaml.ScalarEvent) and (ev.style in (None, "")) and ev.value in _NULL:
            pass                           # an empty document: no records
        elif not isinstance(ev, yaml.SequenceStartEvent):
            r.check_node(ev)
            r.problem(ev.start_mark.line + 1, f"expected a list of {kind.plural} (items starting with '- ')")
            if not isinstance(ev, yaml.ScalarEvent):
                r.value(ev) if not isinstance(ev, yaml.MappingStartEvent) else r.mapping(ev, None, {})
        else:
            r.check_node(ev)
            while True:
                ev = r.next()
                if isinstance(ev, yaml.SequenceEndEvent):
                    break
                line = ev.start_mark.line + 1
                if not isinstance(ev, yaml.MappingStartEvent):
                    r.kind, r.rid = kind.name, ""
                    r.problem(line, f"expected a {kind.name} record (a mapping with an id), got {type(r.value(ev)).__name__}")
                    continue
                r.check_node(ev)
                lines: dict = {}
                r.kind, r.rid = kind.name, ""
                start = len(r.problems)
                data_ = r.mapping(ev, fields, lines)
                rid = data_.get("id")
                if rid is not None:
                    rid = str(rid)
                    data_["id"] = rid
                    # name the record in the problems found while reading it
                    label = str(data_.get("kind") or kind.name) if kind.name == "transaction" else kind.name
                    r.problems[start:] = [Problem(p.file, p.line, p.severity, label, rid, p.message)
                                          for p in r.problems[start:]]
                records.append(Record(kind.name, data_, rel, line, lines))
            r.kind = r.rid = ""
        ev = r.next()                      # DocumentEnd
        ev = r.next()
        if not isinstance(ev, yaml.StreamEndEvent):
            r.problem(ev.start_mark.line + 1, "a book file holds one YAML document; found a second '---'")
    except yaml.YAMLError as exc:
        problems.extend(r.problems)
        problems.append(_syntax_problem(exc, rel))
        return FileResult(records, problems, False, text)
    problems.extend(r.problems)
    return FileResult(records, problems, True, text)


def read_mapping(data: bytes, rel: str) -> tuple[dict | None, dict, list[Problem]]:
    """A file holding one mapping (freelance.yaml): (value or None, key lines, problems)."""
    text, problems = _decode(data, rel)
    if text is None:
        return None, {}, problems
    r = _Reader(text, rel)
    lines: dict = {}
    try:
        r.next()
        ev = r.next()
        if isinstance(ev, yaml.StreamEndEvent):
            return {}, lines, problems
        ev = r.next()
        if isinstance(ev, yaml.MappingStartEvent):
            r.check_node(ev)
            value = r.mapping(ev, None, lines)
        else:
            v = r.value(ev)
            if v is not None:
                r.problem(ev.start_mark.line + 1, "expected a mapping of settings (key: value)")
            value = {}
    except yaml.YAMLError as exc:
        return None, lines, problems + r.problems + [_syntax_problem(exc, rel)]
    return value, lines, problems + r.problems


_RESOLVER = None


def yaml11_reads_otherwise(text: str) -> bool:
    """Whether a YAML 1.1 reader (PyYAML's `safe_load`, older yq, Ruby) would read this plain
    text as something else (`NO` as false, `12:30` as 750). ruamel.yaml quotes only what
    YAML 1.2 misreads; the book is also read by other tools, so these are quoted too."""
    global _RESOLVER
    if _RESOLVER is None:
        import yaml
        _RESOLVER = (yaml.resolver.Resolver(), yaml.ScalarNode)
    resolver, node = _RESOLVER
    return resolver.resolve(node, text, (True, False)) != "tag:yaml.org,2002:str"
