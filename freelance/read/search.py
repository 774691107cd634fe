"""Finding and ordering records: the whole book searched for words, and rows sorted by fields.

One rule for both faces: `list --search`, `freelance search` and the web's search box all ask
`texts` what a record says, and `list --sort` and the web's column headers ask `sort_rows`.
docs/search.md says how hits are ranked.
"""
from __future__ import annotations

import datetime as dt
import heapq
from bisect import bisect_left, bisect_right, insort
from decimal import Decimal

from ..core.errors import UsageError, did_you_mean
from ..core.schema import KINDS, Kind
from ..store.records import Record

# The fields a record is known by: a word found there ranks the record higher.
BLOCK = 4096        # records per block of an Index (its text is made per block)
TITLES = ("id", "name", "title", "description", "note", "payee", "company")

# Dated kinds list newest first; the field that dates each.
DATED = {"transaction": "date", "time": "date", "meeting": "start", "transfer": "date", "balance": "date"}


def texts(r: Record) -> list[tuple[str, str]]:
    """(field, text) for every text the record holds, nested lists and mappings (an invoice's
    items, a record's links) included; the id first."""
    out = [("id", r.id)]

    def walk(field: str, v) -> None:
        if isinstance(v, str):
            out.append((field, v))
        elif isinstance(v, list):
            for x in v:
                walk(field, x)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(f"{field}.{k}", x)

    for k, v in r.data.items():
        if k != "id":
            walk(k, v)
    return out


def matches(r: Record, text: str) -> bool:
    """Whether every word of `text` is in one of the record's texts, ignoring case."""
    words = text.casefold().split()
    if not words:
        return True
    hay = " \n".join(t.casefold() for _, t in texts(r))
    return all(w in hay for w in words)


def folded(r: Record) -> list[tuple[str, str]]:
    """(field, text casefolded) for every text of the record: what `score` compares words with."""
    return [(f, t.casefold()) for f, t in texts(r)]


class Index:
    """The records' folded texts, made once (a server keeps one per snapshot of the book), so
    that a search compares words with text instead of walking every record again: a record
    that lacks a word is passed over by one look at its haystack, and only the rest scored.
    An index of `parts` searches each part in turn (a kind's index is kept while its records
    are, `serve`); `mended` makes the index of a kind's records after a change from this one,
    folding again only the records that are not the very ones it holds."""

    def __init__(self, records=(), parts: list["Index"] = ()):
        self.parts = list(parts)
        self.entries = []
        self._all: str | None = None
        self._starts: list[int] = []
        entries = [_entry(r) for r in records]
        if len(entries) <= BLOCK:
            self.entries = entries
        else:                   # in blocks: a change makes one block's text again, not the whole kind's
            self.parts += [Index.of(entries[i:i + BLOCK]) for i in range(0, len(entries), BLOCK)]

    @staticmethod
    def of(entries: list) -> "Index":
        out = Index()
        out.entries = entries
        return out

    def mended(self, records) -> "Index":
        """The index of `records` (this index's records after a reload, `Book.reload`: the
        records that did not change are the same objects), each record's entry taken from
        here when it is the same record, made when it is new."""
        known = {id(e[0]): e for p in self._leaves() for e in p.entries}
        entries = []
        for r in records:
            e = known.get(id(r))
            entries.append(e if e is not None and e[0] is r else _entry(r))
        return Index(parts=[Index.of(entries[i:i + BLOCK]) for i in range(0, len(entries), BLOCK)])

    def changed(self, gone, came) -> "Index":
        """This index after the records `gone` went and `came` came (`Book.changes`): the
        blocks that held none of `gone` are kept with their text, the ones that did are made
        again without them, and `came` is a block of its own (small blocks are merged)."""
        left = {id(r) for r in gone}
        parts = []
        for p in self._leaves():
            if left and any(id(e[0]) in left for e in p.entries):
                p = Index.of([e for e in p.entries if id(e[0]) not in left])
            if p.entries:
                parts.append(p)
        if came:
            parts.append(Index.of([_entry(r) for r in came]))
        small = [p for p in parts if len(p.entries) < BLOCK // 8]
        if len(small) > 8:          # many writes: their blocks become one
            parts = [p for p in parts if len(p.entries) >= BLOCK // 8] + [Index.of([e for p in small for e in p.entries])]
        return Index(parts=parts)

    def _leaves(self) -> list["Index"]:
        return [x for p in self.parts for x in p._leaves()] + ([self] if self.entries else [])

    def _text(self) -> str:
        """Every haystack in one string, NUL between them (no word holds one), and where each
        starts: one C-speed `find` walks the whole book instead of a Python loop per record."""
        if self._all is None:
            starts, at = [], 0
            for _, _, hay in self.entries:
                starts.append(at)
                at += len(hay) + 1
            self._starts, self._all = starts, "\0".join(hay for _, _, hay in self.entries)
        return self._all

    def candidates(self, words: list[str]):
        """The records whose texts hold every word (a word found once per record)."""
        for p in self.parts:
            yield from p.candidates(words)
        if not self.entries:
            return
        text, first = self._text(), max(words, key=len)
        if "\0" in first:
            return
        starts, at = self._starts, 0
        while True:
            at = text.find(first, at)
            if at < 0:
                return
            n = bisect_right(starts, at) - 1
            r, fields, hay = self.entries[n]
            if all(w in hay for w in words):
                yield r, fields
            at = starts[n + 1] if n + 1 < len(starts) else len(text)


def _entry(r: Record) -> tuple:
    """(record, its folded texts, them joined): what an Index holds of a record."""
    fields = folded(r)
    return (r, fields, " \n".join(t for _, t in fields))


def score(r: Record, words: list[str], fields: list[tuple[str, str]] | None = None) -> tuple[int, list[str]]:
    """How well the record answers the words (0: not every word is in it), and the fields
    they were found in. A word in an id, name or title counts more, a whole word more than a
    part of one, and the whole phrase in one field more again."""
    found: list[str] = []
    total = 0
    fields = folded(r) if fields is None else fields
    for w in words:
        best = 0
        where = ""
        for f, t in fields:
            at = t.find(w)
            if at < 0:
                continue
            s = 1
            if at == 0 or not t[at - 1].isalnum():
                s += 1                                  # the start of a word
                end = at + len(w)
                if end == len(t) or not t[end].isalnum():
                    s += 1                              # a whole word
            if f.split(".")[0] in TITLES:
                s *= 3
            if t == w:
                s += 6                                  # the whole field (an id, a name)
            if s > best:
                best, where = s, f
        if not best:
            return 0, []
        total += best
        if where not in found:
            found.append(where)
    if len(words) > 1:
        phrase = " ".join(words)
        if any(phrase in t for _, t in fields):
            total += 2 * len(words)
    return total, found


def _date(r: Record):
    field = DATED.get(r.kind) or {"invoice": "issued", "project": "due", "service": "start",
                                  "goal": "target_date"}.get(r.kind)
    v = r.data.get(field) if field else None
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None


def search(records, text: str, limit: int | None = None, index: Index | None = None) -> list[dict]:
    """The records holding every word of `text`, best first (then newest, then by id):
    kind, id, title, date, the fields the words were found in, and a snippet. With `index`
    (an Index of the same records) only the records holding every word are scored. Equal
    ones come in the book's order (file, then line), so an index's order is not the answer's."""
    words = text.casefold().split()
    if not words:
        raise UsageError("search for what? give one or more words, as in `freelance search acme`")
    hits = []
    pairs = index.candidates(words) if index is not None else ((r, None) for r in records)
    for r, known in pairs:
        s, fields = score(r, words, known)
        if s:
            hits.append((s, r, fields))
    hits.sort(key=lambda h: (-h[0], -(_date(h[1]) or dt.date.min).toordinal(), h[1].kind, h[1].id, h[1].file, h[1].line))
    out = []
    for s, r, fields in hits[:limit] if limit else hits:
        out.append({"kind": _noun(r), "id": r.id, "title": _title(r), "date": _date(r),
                    "found_in": fields, "snippet": _snippet(r, fields, words), "score": s})
    return out


def _noun(r: Record) -> str:
    return str(r.data.get("kind") or "transaction") if r.kind == "transaction" else r.kind


def _title(r: Record) -> str:
    kind = KINDS[r.kind]
    for f in (kind.title, "name", "title", "description", "payee", "note"):
        v = r.data.get(f) if f else None
        if isinstance(v, str) and v.strip():
            return v
    return ""


def _snippet(r: Record, fields: list[str], words: list[str], width: int = 60) -> str:
    """The text around the first word found, in the first field that is not the title."""
    title = _title(r)
    for f, t in texts(r):
        if f not in fields or t == title or f == "id":
            continue
        low = t.casefold()
        at = min((low.find(w) for w in words if w in low), default=-1)
        if at < 0:
            continue
        start = max(0, at - width // 3)
        piece = " ".join(t[start:start + width].split())
        return f"{f}: " + ("…" if start else "") + piece + ("…" if start + width < len(t) else "")
    return ""


# -- sorting ----------------------------------------------------------------------------------

def sort_keys(kind: Kind, rows: list[dict], keys: list[str]) -> list[tuple[str, bool]]:
    """`--sort` values as (field, descending), each checked against the fields the rows have
    (stored, the list's columns, and the derived ones a row carries; with no rows there is
    nothing to order and nothing to check a derived name against)."""
    known = [f.name for f in kind.fields] + list(kind.columns) + sorted({k for r in rows[:50] for k in r})
    out = []
    for key in keys:
        desc = key.startswith("-")
        name = key.lstrip("-+").strip()
        if rows and name not in known:
            raise UsageError(f"cannot sort {kind.plural} by {name!r}{did_you_mean(name, known)}; "
                             f"the fields are: {', '.join(dict.fromkeys(known))}")
        out.append((name, desc))
    return out


def _typed(v):
    """A value as a key that compares across the types a field may hold in a hand-edited book."""
    if isinstance(v, bool):
        return (0, int(v), "")
    if isinstance(v, (int, float, Decimal)):
        return (1, Decimal(str(v)), "")
    if isinstance(v, dt.datetime):
        return (2, v.toordinal() * 86400 + v.hour * 3600 + v.minute * 60 + v.second, "")
    if isinstance(v, dt.date):
        return (2, v.toordinal() * 86400, "")
    if isinstance(v, (list, tuple)):
        return (3, 0, ", ".join(map(str, v)).casefold())
    return (3, 0, str(v).casefold())


def sort_rows(rows: list[dict], keys: list[tuple[str, bool]]) -> list[dict]:
    """Rows ordered by each (field, descending) in turn, the first key first; a row without
    the field comes last either way; rows equal on every key keep their order."""
    for name, desc in reversed(keys):
        have = [r for r in rows if r.get(name) not in (None, "", [])]
        missing = [r for r in rows if r.get(name) in (None, "", [])]
        have.sort(key=lambda r: _typed(r[name]), reverse=desc)
        rows = have + missing
    return rows


class Newest:
    """Records in a list's order, newest first, kept sorted so that a change to a few records
    mends it (`changed`) instead of sorting them all again (a server's lists and workflow after
    a write). `key(record)`: the order, oldest first; `member(record)`: whether the list holds
    it. Records equal on the key come last written first (the book's order, file then line,
    reversed), as a stable sort of the records reversed has them."""

    def __init__(self, records=(), key=None, member=None):
        self.key, self.member = key, member
        self.entries = sorted((key(r), r.file, r.line, r) for r in records if member(r)) if key else []

    def _entry(self, r: Record) -> tuple:
        return (self.key(r), r.file, r.line, r)

    def changed(self, gone, came) -> "Newest":
        """This order after the records `gone` went and `came` came (`Book.changes`)."""
        out = Newest(key=self.key, member=self.member)
        entries = out.entries = list(self.entries)
        for r in gone:
            if self.member(r):
                e = self._entry(r)
                at = bisect_left(entries, e[:3])
                while at < len(entries) and entries[at][:3] == e[:3]:
                    if entries[at][3] is r:
                        del entries[at]
                        break
                    at += 1
        for r in came:
            if self.member(r):
                insort(entries, self._entry(r))
        return out

    def first(self, n: int) -> list[Record]:
        """The newest `n`, newest first."""
        return [e[3] for e in self.entries[:-n - 1 if n < len(self.entries) else None:-1]] if n else []

    def __len__(self) -> int:
        return len(self.entries)


def newest_first(kind: Kind, records: list[Record], n: int | None = None) -> list[Record]:
    """Records of a dated kind, newest first (records written on the same day: the last
    written first; a date that does not read: last); other kinds in file order. `n`: the
    first `n` only, picked without sorting them all."""
    key = date_key(kind)
    if key is None:
        return records if n is None else records[:n]
    if n is not None:           # as sorted(..., reverse=True)[:n], equal keys in the same order
        return heapq.nlargest(n, records[::-1], key=key)
    return sorted(records[::-1], key=key, reverse=True)


def date_key(kind: Kind):
    """The order of a dated kind's list, oldest first (`newest_first` reverses it), or None."""
    field = DATED.get(kind.name)
    if not field:
        return None

    def key(r: Record):
        v = r.data.get(field)
        if isinstance(v, dt.datetime):
            return (1, v)
        if isinstance(v, dt.date):
            return (1, dt.datetime(v.year, v.month, v.day))
        return (0, dt.datetime.min)
    return key
