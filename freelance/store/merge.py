"""A three-way merge of one book file by record id and field (docs/merge.md).

git merges text by lines: two clones that each append a record to a kind's file conflict on
the append, and a record removed on one side while edited on the other merges into nonsense.
Here the three versions (the common base, ours, theirs) are read with the book's own reader
and matched by id:

- a record added on one side is kept; records added on both sides are all kept, in the
  file's order (date, then id), after the record they follow in their own version;
- a field changed on one side takes that change; changed alike on both, it is taken once;
- the same field changed differently on both sides, a record removed on one side and edited
  on the other, or the same id added on both sides with different values, is a conflict:
  git's conflict markers around that record only (ours, then theirs);
- the merged text is ours as written, with only the records that change re-written by the
  writer's own splice (`splice.rewrite`: comments, key order and quoting kept); a record
  taken whole from theirs keeps theirs' lines.

Settings (`freelance.yaml`) merge by top-level key. A file that does not read cleanly (a
syntax error, a record without an id, an id twice) is not merged here: `merge` returns None
and the caller falls back to git's own text merge. So does a merge whose result would not
read back as the records meant. Plans nothing, writes nothing, runs nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..core.errors import FreelanceError
from ..core.schema import Kind, kind_for_path
from ..core.settings import SETTINGS_FILE
from .records import Record
from .splice import lines_of, rewrite, span_in
from .style import dump, rt_yaml
from .yamlio import read_mapping, read_records

OURS_MARK, MIDDLE_MARK, THEIRS_MARK = "<<<<<<< ours\n", "=======\n", ">>>>>>> theirs\n"
_MISSING = object()


@dataclass
class Conflict:
    id: str
    why: str                     # "email changed on both sides", "removed here, edited there"


@dataclass
class Merged:
    text: str
    conflicts: list[Conflict] = field(default_factory=list)
    kind: str = ""


def book_path(path: str, exists) -> str | None:
    """The path of a repository file relative to its book: the longest tail of `path` that
    names a kind's file or `freelance.yaml` whose folder (the rest of the path) is a book
    (`exists(folder/freelance.yaml)`). None when it is no book file."""
    parts = path.replace("\\", "/").split("/")
    for i in range(len(parts)):
        rel = "/".join(parts[i:])
        if rel != SETTINGS_FILE and kind_for_path(rel) is None:
            continue
        folder = "/".join(parts[:i])
        if exists(f"{folder}/{SETTINGS_FILE}" if folder else SETTINGS_FILE):
            return rel
    return None


def merge(base: bytes, ours: bytes, theirs: bytes, rel: str) -> Merged | None:
    """Merge three versions of the book file `rel` (relative to the book); None: not here."""
    if rel == SETTINGS_FILE:
        return _merge_settings(base, ours, theirs)
    kind = kind_for_path(rel)
    if kind is None:
        return None
    if theirs == base or ours == theirs:
        return Merged(_text(ours), [], kind.name)
    if ours == base:
        return Merged(_text(theirs), [], kind.name)
    sides = [_Side.of(data, rel, kind) for data in (base, ours, theirs)]
    if any(side is None for side in sides):
        return None
    try:
        return _merge_records(*sides, rel, kind)
    except (FreelanceError, _NotHere):      # a change the writer would not make: git's text merge
        return None


def _text(data: bytes) -> str:
    return data.decode("utf-8")


class _NotHere(Exception):
    """A record that does not read cleanly on its own: the file is left to git's text merge."""


# A record as the tool writes it starts `- id: ID` (ids are letters, digits, '.', '_', '-').
_ID_LINE = re.compile(r"- id: ([A-Za-z0-9._-]+)[ \t]*\n")


class _Side:
    """One version of a book file cut into its records' texts: the lines before the first
    record (`header`), then each record's lines up to the next record's `-` (`chunks`, the
    comments and blank lines after it included). Records are read one at a time, when the
    merge needs their values: a record whose text is the same on every side is never read."""

    def __init__(self, text: str, rel: str, kind: Kind, header: str, ids: list[str], chunks: dict):
        self.text, self.rel, self.kind = text, rel, kind
        self.header, self.ids, self.chunks = header, ids, chunks
        self.index = {rid: i for i, rid in enumerate(ids)}
        self._records: dict[str, Record] = {}

    @classmethod
    def of(cls, data: bytes, rel: str, kind: Kind) -> "_Side | None":
        if data.startswith(b"\xef\xbb\xbf") or b"\r" in data:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        starts = _item_starts(text)
        ids = []
        fast = not (text.startswith(("---", "...")) or "\n---" in text or "\n..." in text)
        for at in starts if fast else ():
            m = _ID_LINE.match(text, at)
            if m is None:
                fast = False
                break
            ids.append(m.group(1))
        if fast:
            head = text[:starts[0]] if starts else text
            if any(line.strip() and not line.lstrip().startswith("#") for line in head.splitlines()):
                fast = False                  # `[]` or anything else before the records
        if not fast:
            res = read_records(data, rel, kind)
            if not res.parsed or any(p.is_error for p in res.problems):
                return None
            lines = lines_of(text)
            firsts = [span_in(lines, r.line, None)[0] for r in res.records]
            offsets = [0]
            for line in lines:
                offsets.append(offsets[-1] + len(line))
            starts = [offsets[f] for f in firsts]
            ids = [r.id for r in res.records]
        if any(not i for i in ids) or len(set(ids)) != len(ids):
            return None
        bounds = starts + [len(text)]
        chunks = {rid: text[bounds[i]:bounds[i + 1]] for i, rid in enumerate(ids)}
        return cls(text, rel, kind, text[:starts[0]] if starts else text, ids, chunks)

    def record(self, rid: str) -> Record:
        """The record `rid` as its own lines read (the next record's lines never change it)."""
        r = self._records.get(rid)
        if r is None:
            res = read_records(self.chunks[rid].encode("utf-8"), self.rel, self.kind)
            if not res.parsed or any(p.is_error for p in res.problems) or len(res.records) != 1 \
                    or res.records[0].id != rid:
                raise _NotHere(rid)
            r = self._records[rid] = res.records[0]
        return r

    def data(self, rid: str) -> dict:
        return _norm(self.record(rid).data)

    def own(self, rid: str) -> tuple[str, str]:
        """(the record's own lines, the comments and blank lines after them)."""
        lines = lines_of(self.chunks[rid])
        _, end = span_in(lines, 1, None)
        return "".join(lines[:end]), "".join(lines[end:])


def _item_starts(text: str) -> list[int]:
    """Where the lines starting with `-` begin (top-level items, in a file the tool wrote)."""
    out = [0] if text.startswith("-") else []
    at = text.find("\n-")
    while at >= 0:
        out.append(at + 1)
        at = text.find("\n-", at + 1)
    return out


def _nl(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _norm(data: dict) -> dict:
    """A record's values as the merge compares them: an empty value is no value."""
    return {k: v for k, v in data.items() if v is not None and v != "" and v != []}


def sort_key(kind: Kind, data: dict) -> tuple[str, str]:
    """Where a record goes among others added at one place: by its date, then its id."""
    name = kind.shard_by or ("issued" if "issued" in kind.field_map else
                             "created" if "created" in kind.field_map else "")
    value = data.get(name) if name else None
    return ("" if value is None else str(value), str(data.get("id")))


def _merge_fields(b: dict, o: dict, t: dict) -> tuple[dict, list[str]]:
    """(the changes theirs brings to ours, the fields changed differently on both sides)."""
    b, o, t = _norm(b), _norm(o), _norm(t)
    changes, clashes = {}, []
    for key in list(o) + [k for k in t if k not in o] + [k for k in b if k not in o and k not in t]:
        bv, ov, tv = b.get(key, _MISSING), o.get(key, _MISSING), t.get(key, _MISSING)
        if _same(ov, tv) or _same(tv, bv):
            continue
        if _same(ov, bv):
            changes[key] = None if tv is _MISSING else tv
        else:
            clashes.append(key)
    return changes, clashes


def _same(a, b) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return a.__class__ is b.__class__ and a == b


def _conflict(mine: str, other: str) -> str:
    return OURS_MARK + _nl(mine) + MIDDLE_MARK + _nl(other) + THEIRS_MARK


def _merge_records(base: _Side, ours: _Side, theirs: _Side, rel: str, kind: Kind) -> Merged:
    replaced: dict[int, str] = {}            # ours index -> its new text
    expect: dict[str, dict] = {}             # id -> what a merged record read must read as
    conflicts: list[Conflict] = []
    removed: set[int] = set()
    for i, rid in enumerate(ours.ids):
        mine = ours.chunks[rid]
        was, other = base.chunks.get(rid), theirs.chunks.get(rid)
        if other == mine or (other is not None and other == was):
            continue                                         # nothing comes from theirs
        if other is None:
            if was is None:
                continue                                     # added here
            own, after = ours.own(rid)
            if mine == was or ours.data(rid) == base.data(rid):
                replaced[i] = after                          # removed there, untouched here
                removed.add(i)
            else:
                replaced[i] = _conflict(own, "") + after
                conflicts.append(Conflict(rid, "edited here, removed on the other side"))
            continue
        if mine == was:
            replaced[i] = _nl(other)                         # untouched here: theirs' lines
            continue
        o, t = ours.record(rid), theirs.record(rid)
        bdata = base.record(rid).data if was is not None else {}
        changes, clashes = _merge_fields(bdata, o.data, t.data)
        own, after = ours.own(rid)
        if clashes:
            why = (f"added on both sides with different {', '.join(clashes)}" if was is None
                   else f"{', '.join(clashes)} changed on both sides")
            replaced[i] = _conflict(own, theirs.own(rid)[0]) + after
            conflicts.append(Conflict(rid, why))
            continue
        expect[rid] = _norm({**o.data, **changes})
        if was is not None and _norm(t.data) == _norm(bdata):
            # only the text changed there (a comment, quoting): ours' changes go into theirs' lines
            their_own, their_after = theirs.own(rid)
            mine_changes, _ = _merge_fields(bdata, t.data, o.data)
            new = rewrite(t, their_own, mine_changes)[0] if mine_changes else their_own
            replaced[i] = _nl(new) + (their_after if after == base.own(rid)[1] else after)
        elif changes:
            replaced[i] = _nl(rewrite(o, own, changes)[0]) + after

    # what theirs adds (or edited while ours removed it): after the record it follows there,
    # among the records ours added after that one, by date then id
    inserts: dict[int, list[tuple[str, str]]] = {}
    anchor = -1                               # ours index of the last record theirs shares with ours
    for rid in theirs.ids:
        if rid in ours.index:
            anchor = ours.index[rid]
            continue
        other, was = theirs.chunks[rid], base.chunks.get(rid)
        if was is not None and (other == was or theirs.data(rid) == base.data(rid)):
            continue                                         # removed here, untouched there
        if was is None:
            text = _nl(other)
            expect[rid] = theirs.data(rid)
        else:
            text = _conflict("", theirs.own(rid)[0])
            conflicts.append(Conflict(rid, "removed here, edited on the other side"))
        key = sort_key(kind, theirs.record(rid).data)
        at = anchor + 1
        while at < len(ours.ids) and ours.ids[at] not in base.chunks and ours.ids[at] not in theirs.chunks \
                and sort_key(kind, ours.record(ours.ids[at]).data) <= key:
            at += 1
        inserts.setdefault(at, []).append((rid, text))

    # the merged text: ours' text, record by record
    header = theirs.header if ours.header == base.header else ours.header
    out = [header]
    for i, rid in enumerate(ours.ids):
        out += [t for _, t in inserts.get(i, ())]
        out.append(replaced.get(i, ours.chunks[rid]))
    if out[-1] and not out[-1].endswith("\n"):
        out.append("\n")
    out += [t for _, t in inserts.get(len(ours.ids), ())]
    text = "".join(out)
    if conflicts:
        return Merged(text, conflicts, kind.name)
    # the merged file must read back as meant: every record once, in this order, those the
    # merge changed with the values meant
    want = []
    for i, rid in enumerate(ours.ids + [None]):
        want += [r for r, _ in inserts.get(i, ())]
        if rid is not None and i not in removed:
            want.append(rid)
    again = read_records(text.encode("utf-8"), rel, kind)
    got = {r.id: r for r in again.records}
    if not again.parsed or any(p.is_error for p in again.problems) or [r.id for r in again.records] != want \
            or any(_norm(got[rid].data) != data for rid, data in expect.items()):
        raise _NotHere("the merged text does not read back as meant")
    return Merged(text, [], kind.name)


def _merge_settings(base: bytes, ours: bytes, theirs: bytes) -> Merged | None:
    """freelance.yaml by top-level key: a key changed on one side takes that change; the same
    key changed differently on both sides is left to git's text merge (None)."""
    if theirs == base or ours == theirs:
        return Merged(_text(ours))
    if ours == base:
        return Merged(_text(theirs))
    values = []
    for data in (base, ours, theirs):
        raw, _, problems = read_mapping(data, SETTINGS_FILE)
        if raw is None or any(p.is_error for p in problems) or b"\r" in data:
            return None
        values.append(raw)
    b, o, t = values
    changes, clashes = _merge_fields(b, o, t)
    if clashes:
        return None
    doc = rt_yaml().load(_text(ours))
    theirs_doc = rt_yaml().load(_text(theirs))
    if doc is None or theirs_doc is None:
        return None
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = theirs_doc[key]
    text = dump(doc)
    head = _header(_text(ours))
    if not text.startswith(head):
        text = head + text
    got, _, problems = read_mapping(text.encode("utf-8"), SETTINGS_FILE)
    if got is None or _norm(got) != _norm({**o, **{k: v for k, v in changes.items()}}):
        return None
    return Merged(text)


def _header(text: str) -> str:
    """Comment lines at the top of a file, which a ruamel.yaml round-trip may not keep."""
    head = []
    for line in lines_of(text):
        if line.startswith("#") or not line.strip():
            head.append(line)
        else:
            break
    return "".join(head)


def conflicted_ids(text: str, rel: str) -> list[str]:
    """The ids of the records between conflict markers in a merged book file (what `sync`
    names when it stops)."""
    kind = kind_for_path(rel)
    out, inside = [], False
    for line in lines_of(text):
        if line.startswith("<<<<<<<"):
            inside = True
        elif line.startswith(">>>>>>>"):
            inside = False
        elif inside and kind is not None:
            body = line[2:] if line.startswith("- ") else line
            if body.startswith("id:") and (line.startswith("- ") or line.startswith("  ")):
                rid = body[3:].strip().strip("'\"")
                if rid and rid not in out:
                    out.append(rid)
    return out



@dataclass
class RecordChange:
    id: str
    what: str                               # "add", "edit", "rm"
    fields: dict = field(default_factory=dict)   # field -> (old, new) for an edit; None: not set
    data: dict = field(default_factory=dict)     # the record's values after (before, for "rm")


def diff_records(old: bytes | None, new: bytes | None, rel: str) -> list[RecordChange] | None:
    """The records added, edited (field by field) and removed between two versions of the book
    file `rel` (None: the file did not exist); None when either does not read cleanly. Only
    the records whose text differs are read."""
    kind = kind_for_path(rel)
    if kind is None:
        return None
    sides = [_Side.of(data or b"", rel, kind) for data in (old, new)]
    if any(side is None for side in sides):
        return None
    a, b = sides
    out = []
    try:
        for rid in b.ids:
            was = a.chunks.get(rid)
            if was == b.chunks[rid]:
                continue
            now = b.data(rid)
            if was is None:
                out.append(RecordChange(rid, "add", {}, now))
                continue
            before = a.data(rid)
            fields = {k: (before.get(k), now.get(k)) for k in list(before) + [k for k in now if k not in before]
                      if not _same(before.get(k, _MISSING), now.get(k, _MISSING))}
            if fields:
                out.append(RecordChange(rid, "edit", fields, now))
        for rid in a.ids:
            if rid not in b.chunks:
                out.append(RecordChange(rid, "rm", {}, a.data(rid)))
    except _NotHere:
        return None
    return out


def record_values(data: bytes, rid: str, rel: str, memo: dict | None = None) -> dict | None:
    """The values of record `rid` in one version of a book file, reading only its lines when
    the file is as the tool writes it (None: not there, or the file does not read). `memo`:
    lines already read (many versions of a file hold the record's lines unchanged)."""
    kind = kind_for_path(rel)
    if kind is None:
        return None
    needle = f"- id: {rid}\n".encode("utf-8")
    at = data.find(needle)
    if at >= 0 and (at == 0 or data[at - 1:at] == b"\n") and data.find(needle, at + 1) < 0:
        end = data.find(b"\n-", at + len(needle) - 1)
        chunk = data[at:] if end < 0 else data[at:end + 1]
        if memo is not None and chunk in memo:
            return memo[chunk]               # the same lines in another version: read once
        res = read_records(chunk, rel, kind)
        if res.parsed and len(res.records) == 1 and res.records[0].id == rid:
            values = _norm(res.records[0].data)
            if memo is not None:
                memo[chunk] = values
            return values
    if at < 0 and f"id: {rid}".encode("utf-8") not in data and rid.encode("utf-8") not in data:
        return None
    res = read_records(data, rel, kind)
    found = [r for r in res.records if r.id == rid]
    return _norm(found[0].data) if found else None
