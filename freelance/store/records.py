"""The record model: one item of a book file with its file and lines, and what reading
one file gave. Imports nothing of the house: every floor above may hold these."""
from __future__ import annotations

import hashlib
import os


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

    def same_as(self, other: "Record") -> bool:
        """Whether `other` reads as this record does: kind, data and the line of each key (as
        read, without working out a tight item's lines)."""
        return self.kind == other.kind and self.line == other.line and self.file == other.file \
            and self._lines == other._lines and self.data == other.data

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


class Stamp:
    """What a file looked like when read: enough to tell it changed since."""

    __slots__ = ("size", "mtime_ns", "inode", "digest")

    def __init__(self, data: bytes | None, st: os.stat_result | None, known: tuple | None = None):
        if known is not None:     # (size, mtime_ns, inode, digest) from the parse cache
            self.size, self.mtime_ns, self.inode, self.digest = known
            return
        self.size = st.st_size if st else -1
        self.mtime_ns = st.st_mtime_ns if st else -1
        self.inode = st.st_ino if st else -1
        self.digest = hashlib.sha1(data).hexdigest() if data is not None else None

    def matches(self, data: bytes | None, known: bytes | None = None) -> bool:
        """Whether `data` is what was read; `known`: those bytes, when kept (no hashing then)."""
        if data is None:
            return self.digest is None
        if known is not None:
            return data == known
        return self.digest == hashlib.sha1(data).hexdigest()
