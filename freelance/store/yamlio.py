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

import re
import sys

import yaml
from yaml.cyaml import CParser   # the C event parser (the same class as yaml._yaml.CParser)

from ..core.errors import Problem
from ..core.limits import MAX_DEPTH
from ..core.schema import Field, Kind
from .records import FileResult, Record
from .scalars import NULL, coerce, resolve_plain


class _TooDeep(yaml.YAMLError):
    def __init__(self, line: int):
        super().__init__(f"nested more than {MAX_DEPTH} levels deep (lists in lists, mappings in "
                         "mappings): no book file needs that")
        self.line = line


class _Reader:
    """Walks the event stream of one file; collects problems instead of raising."""

    def __init__(self, text: str, rel: str):
        self.parser = CParser(text)
        self.rel = rel
        self.problems: list[Problem] = []
        self.kind = ""
        self.rid = ""
        self.depth = 0

    def problem(self, line: int, message: str, severity: str = "error"):
        self.problems.append(Problem(self.rel, line, severity, self.kind, self.rid, message))

    def next(self):
        return self.parser.get_event()

    def deeper(self, line: int) -> None:
        """One level further in; a file nested past `MAX_DEPTH` is not read on (Python's own
        recursion limit would end the command with a traceback at about 1,000)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep(line)

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
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self.deeper(line)
        if isinstance(event, yaml.SequenceStartEvent):
            out = []
            item_type = "str" if ftype in ("links", "strs") else ""
            if ftype and ftype not in ("links", "strs", "records"):
                self.problem(line, f"expected a single value ({ftype}), got a list")
            while True:
                ev = self.next()
                if isinstance(ev, yaml.SequenceEndEvent):
                    self.depth -= 1
                    return out
                if ftype == "records" and isinstance(ev, yaml.MappingStartEvent):
                    out.append(self.mapping(ev, sub or (), {}))
                else:
                    out.append(self.value(ev, item_type))
        if isinstance(event, yaml.MappingStartEvent):
            if ftype:
                self.problem(line, f"expected {'a list' if ftype in ('links', 'strs', 'records') else 'a ' + ftype}, got a mapping")
            self.depth -= 1      # `mapping` counts itself
            return self.mapping(event, None, {})
        raise yaml.YAMLError(f"unexpected event {event!r}")

    def mapping(self, start, fields, lines: dict):
        """A mapping; `fields` (a dict name->Field, or a tuple of Field) types its values."""
        if isinstance(fields, tuple):
            fields = {f.name: f for f in fields}
        self.deeper(start.start_mark.line + 1)
        out: dict = {}
        while True:
            ev = self.next()
            if isinstance(ev, yaml.MappingEndEvent):
                self.depth -= 1
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


_YAML_DIRECTIVE = re.compile(r"%YAML[ \t]+1\.[0-9]+(?:[ \t]+(?:#.*)?)?\Z")


def _directive_problems(text: str, rel: str) -> list[Problem]:
    """Directive lines (`%YAML 1.2`) before the document that the C reader passes but YAML does
    not allow: `%YAML 1.1#...` (a comment needs a space before it; yaml-test-suite MUS6) would
    otherwise be read as an empty file with no problem named."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("---") or not (line.startswith("%") or not line.strip() or line.startswith("#")):
            break
        body = line.rstrip()
        if body.startswith("%YAML") and not _YAML_DIRECTIVE.match(body):
            out.append(Problem(rel, n, "error", "", "", f"YAML syntax error: {body[:40]!r} is not a valid %YAML "
                                                         "directive (like '%YAML 1.2'; a comment needs a space before '#')"))
    return out


def _syntax_problem(exc: yaml.YAMLError, rel: str, text: str = "") -> Problem:
    if isinstance(exc, _TooDeep):
        return Problem(rel, exc.line, "error", "", "", str(exc))
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark else 0
    col = f", column {mark.column + 1}" if mark else ""
    if mark is None and isinstance(getattr(exc, "position", None), int):
        # a character YAML does not allow (a NUL byte): the C reader names only its byte offset
        data, pos = text.encode("utf-8"), exc.position
        line = data.count(b"\n", 0, pos) + 1
        start = data.rfind(b"\n", 0, pos) + 1
        col = f", column {len(data[start:pos].decode('utf-8', 'replace')) + 1}"
        char = getattr(exc, "character", None)
        code = ord(char) if isinstance(char, str) else char
        what = (f"the control character U+{code:04X} is not allowed in a YAML file" if isinstance(code, int)
                else str(exc))
        return Problem(rel, line, "error", "", "", f"YAML syntax error{col}: {what}")
    what = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    msg = f"YAML syntax error{col}: {what}" + (f" ({context})" if context else "")
    return Problem(rel, line, "error", "", "", msg)


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
    if text.startswith("%") or "\n%" in text:
        bad = _directive_problems(text, rel)
        if bad:
            return FileResult([], problems + bad, False, text)
    r = _Reader(text, rel)
    records: list[Record] = []
    fields = kind.field_map
    try:
        ev = r.next()                      # StreamStart
        ev = r.next()
        if isinstance(ev, yaml.StreamEndEvent):
            return FileResult([], problems, True, text)
        ev = r.next()                      # root node
        if isinstance(ev, yaml.ScalarEvent) and (ev.style in (None, "")) and ev.value in NULL:
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
        problems.append(_syntax_problem(exc, rel, text))
        return FileResult(records, problems, False, text)
    problems.extend(r.problems)
    return FileResult(records, problems, True, text)


def read_mapping(data: bytes, rel: str) -> tuple[dict | None, dict, list[Problem]]:
    """A file holding one mapping (freelance.yaml): (value or None, key lines, problems)."""
    text, problems = _decode(data, rel)
    if text is None:
        return None, {}, problems
    if text.startswith("%") or "\n%" in text:
        bad = _directive_problems(text, rel)
        if bad:
            return None, {}, problems + bad
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
        return None, lines, problems + r.problems + [_syntax_problem(exc, rel, text)]
    return value, lines, problems + r.problems


_RESOLVER = None


def yaml11_reads_otherwise(text: str) -> bool:
    """Whether a YAML 1.1 reader (PyYAML's `safe_load`, older yq, Ruby) would read this plain
    text as something else (`NO` as false, `12:30` as 750). ruamel.yaml quotes only what
    YAML 1.2 misreads; the book is also read by other tools, so these are quoted too."""
    global _RESOLVER
    if _RESOLVER is None:
        _RESOLVER = (yaml.resolver.Resolver(), yaml.ScalarNode)
    resolver, node = _RESOLVER
    return resolver.resolve(node, text, (True, False)) != "tag:yaml.org,2002:str"
