"""Writing: the one narrow door through which commands change the book.

A command builds `Write`s (a file's new text, computed from the text it read)
and hands them to `apply`, which refuses to touch a file that does not parse
or that changed since it was read, writes each to a temporary file in the
same folder, fsyncs, and renames them into place.

Edits are surgical: a new record is appended as text; a changed record has
only its own lines re-written, by ruamel.yaml round-trip of that record alone
(so comments, key order and quoting in it survive, and the cost does not grow
with the file). See docs/writing.md.
"""
from __future__ import annotations

import codecs
import os
import re
from typing import NamedTuple

from ..core.errors import DataError
from ..core.schema import KINDS
from .atomic import replace_all
from .book import Book
from .emitter import record_text as fast_text
from .files import read_book_file, writable
from .readback import keeps_its_meaning, reads_back_all
from .records import FileResult, Record
from .splice import lines_of, next_item, peeked_span, rewrite, span, span_in, spliced
from .style import dump, rt_yaml
import bisect
from ..core.settings import SETTINGS_FILE
from .yamlio import read_records


class Tail(NamedTuple):
    """What a write changed, for the parse cache: kept in the tail beside the file's entry
    (`cache.replay`), so the next command need not parse the file again."""
    base: object                   # what it was planned on: the file's records as read, or its Peek
    change: tuple                  # ("append", records) or ("edit", index, new record or None, line shift)
    record: Record | None = None   # on a peeked file: the record edited or removed


class Write:
    """One file's whole new content: `text`, or for a peeked file `data` (its bytes as they go
    to disk, so a 6 MB file is not decoded and encoded again for one changed record)."""

    def __init__(self, rel: str, text: str | None, message: str = "", data: bytes | None = None):
        self.rel = rel                # file relative to the book
        self._text = text
        self.data = data
        self.message = message
        self.parsed = None            # the FileResult it reads as, when known without parsing it
        self.change: Tail | None = None    # for the parse cache, when known
        self.delete = False                # remove the file (after the others are written)

    @property
    def text(self) -> str:
        if self._text is None:
            text = self.data.decode("utf-8")
            self._text = text[1:] if text.startswith("\ufeff") else text
        return self._text


def _writable(book: Book, rel: str):
    """Refuse a file that did not parse, or that holds what the reader would not
    follow (an anchor, a duplicate key, a second document, a value that is not
    its type...): a round-trip through it could change what it means."""
    res = book.files.get(rel)
    first = next((p for p in res.problems if p.is_error), None) if res is not None else None
    if res is not None and not res.parsed:
        raise DataError(f"{rel}: refusing to write to a file that does not parse"
                        + (f" ({first})" if first else "") + "; fix it first (see `freelance validate`)")
    if first is not None:
        raise DataError(f"{rel}: refusing to write to a file with a problem ({first}); "
                        "fix it first (see `freelance validate`)")
    return res


def _block_items(rel: str, res) -> None:
    """Surgical edits need one record per `- ` item at column 0; refuse any other layout
    (a flow list `[{...}, {...}]`, an indented list) rather than guess at its lines."""
    lines = lines_of(res.text or "")
    starts = [r.line for r in res.records]
    if len(set(starts)) == len(starts) and all(
            lines[n - 1].startswith("-") and lines[n - 1][1:2] in (" ", "\n", "\r", "") for n in starts):
        return
    bad = next((r for r in res.records if not lines[r.line - 1].startswith("-")
                or starts.count(r.line) > 1), res.records[0])
    raise DataError(f"{rel}:{bad.line}: refusing to edit this file: its records are not one '- ' item per "
                    "record at the start of a line (a flow list [...] or an indented list); "
                    "rewrite it in that layout first")


def plan_append(book: Book, kind: str, data: dict | list[dict], after: Write | None = None) -> Write:
    """Append new records (one, or several of one file) to the end of their file
    (its year's shard for dated kinds). `after`: a Write of the same file planned before in
    this change (records of it edited): the records go after its text, in one Write."""
    k = KINDS[kind]
    many = data if isinstance(data, list) else [data]
    rels = {book.shard_for(k, d.get(k.shard_by)) if k.sharded else k.path for d in many}
    if len(rels) != 1 or (after is not None and after.rel not in rels):
        raise DataError(f"internal error: one append spans several files ({', '.join(sorted(rels))})")
    rel = rels.pop()
    texts = [fast_text(d) for d in many]   # style.record_text's text, without ruamel.yaml when it can
    if after is not None:
        text = after.text if after.text.endswith("\n") or not after.text else after.text + "\n"
        if re.search(r"^\.\.\.[ \t]*$", text, re.M):
            raise DataError(f"{rel}: its YAML document ends with '...'; remove that line so records can be appended")
        added = reads_back_all(texts, rel, k, many)
        return Write(rel, text + "".join(a.text for a in added))
    p = book.peek(rel, k)
    if p is not None and p.appendable():   # a big file: append without reading its records
        data = p.data
        if not data.endswith(b"\n"):
            data += b"\n"
        added = reads_back_all(texts, rel, k, many)
        w = Write(rel, None, data=data + "".join(a.text for a in added).encode("utf-8"))
        if not any(a.problems for a in added):
            shift, moved = data.count(b"\n"), []
            for a in added:
                moved.append(a.records[0].moved(shift))
                shift += a.text.count("\n")
            w.change = Tail(p, ("append", moved))
        return w
    res = book.read_file(rel, k)
    _writable(book, rel)
    if res.records:
        _block_items(rel, res)
    text = res.text or ""
    if re.search(r"^\.\.\.[ \t]*$", text, re.M):
        # a record after the document's end marker would not be part of the list
        raise DataError(f"{rel}: its YAML document ends with '...'; remove that line so records can be appended")
    new = "".join(texts)
    body = "" if res.records else "\n".join(l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("#"))
    if not res.records and body.strip() in ("[]", "null", "~"):
        # an empty flow list: the new record replaces it, comments stay
        kept = "".join(l for l in lines_of(text) if l.strip() != body.strip())
        text = kept
    elif body and not res.records and body.strip() not in ("",):
        raise DataError(f"{rel}: expected a list of {k.plural}; refusing to append to it")
    if text and not text.endswith("\n"):
        text += "\n"
    added = reads_back_all(texts, rel, k, many)
    w = Write(rel, text + new)
    if res.records and res.parsed and not any(a.problems for a in added):
        # old records, unchanged, then the new ones on the lines after them: what a fresh
        # read of the new text gives, so the parse cache can take it (tests/test_perf.py)
        shift = text.count("\n")
        moved = []
        for a in added:
            r = a.records[0]
            moved.append(Record(r.kind, r.data, rel, r.line + shift, {key: n + shift for key, n in r.lines.items()}))
            shift += a.text.count("\n")
        w.parsed = FileResult(res.records + moved, list(res.problems), True, w.text)
        w.change = Tail(res.records, ("append", moved))
    return w


def _own(book: Book, record: Record) -> Record:
    """`record` as the loaded file has it (it may have been read alone before the file was loaded)."""
    res = book.files.get(record.file)
    if res is None:
        book.read_file(record.file, KINDS[record.kind])
        res = book.files[record.file]
    if any(r is record for r in res.records):
        return record
    same = next((r for r in res.records if r.line == record.line and r.id == record.id), None)
    if same is None:
        raise DataError(f"{record.file}: changed on disk since it was read (edited by hand?); "
                        "nothing was written, run the command again")
    return same


def plan_update(book: Book, record: Record, changes: dict) -> Write:
    """Change some keys of one record (None deletes a key), re-writing only its lines."""
    p = book.peeked(record)
    if p is not None:          # a big file read one record at a time: its others stay unread
        i, start, end = peeked_span(p, record)
        data = p.data
        chunk = data[start:end].decode("utf-8")
        new, again = rewrite(record, chunk, changes)
        keeps_its_meaning(new, data[end:p.spans[i][1]].decode("utf-8"), record)
        w = Write(record.file, None, data=spliced(data, start, end, new.encode("utf-8")))
        if not again.problems:
            w.change = Tail(p, ("edit", i, again.records[0].moved(record.line - 1),
                            new.count("\n") - chunk.count("\n")), record)
        return w
    record = _own(book, record)
    _writable(book, record.file)
    _block_items(record.file, book.files[record.file])
    lines, first, end = span(book, record)
    chunk = "".join(lines[first:end])
    new, again = rewrite(record, chunk, changes)
    keeps_its_meaning(new, "".join(lines[end:next_item(lines, end)]), record)
    text = "".join(lines[:first]) + new + "".join(lines[end:])
    w = Write(record.file, text)
    if not again.problems:
        w.parsed, w.change = _reparsed(book.files[record.file], record, again.records[0], first,
                                       new.count("\n") - chunk.count("\n"), text)
    return w


def plan_updates(book: Book, changes: list[tuple[Record, dict]]) -> Write:
    """Change several records of one loaded file in one plan (`contact import`): each one's
    lines re-written as `plan_update` does, the file split into lines once and the records
    done from the last up, so that 10,000 of them cost 10,000 record rewrites, not 10,000
    passes over the file. The file is parsed again when the write is applied."""
    rel = changes[0][0].file
    if any(r.file != rel for r, _ in changes):
        raise DataError(f"internal error: one update plan spans several files ({rel}, ...)")
    if book.peeked(changes[0][0]) is not None:
        book.read_file(rel, KINDS[changes[0][0].kind])
    loaded = book.files.get(rel)
    mine = {id(r) for r in loaded.records} if loaded is not None else set()
    pairs = [(r if id(r) in mine else _own(book, r), c) for r, c in changes]
    _writable(book, rel)
    res = book.files[rel]
    _block_items(rel, res)
    lines = lines_of(res.text or "")
    starts = sorted({r.line for r in res.records})
    pieces, stop = [], len(lines)
    for record, change in sorted(pairs, key=lambda p: p[0].line, reverse=True):
        i = bisect.bisect_right(starts, record.line)
        first, end = span_in(lines, record.line, starts[i] if i < len(starts) else None)
        if end > stop:
            raise DataError(f"internal error: {record.kind} '{record.id}' is changed twice in one plan")
        chunk = "".join(lines[first:end])
        new = _one_line(record, chunk, change)
        if new is None:
            new, _ = rewrite(record, chunk, change)
        keeps_its_meaning(new, "".join(lines[end:next_item(lines, end)]), record)
        pieces += ["".join(lines[end:stop]), new]
        stop = first
    pieces.append("".join(lines[:stop]))
    return Write(rel, "".join(reversed(pieces)))


def plan_updates_in_files(book: Book, changes: list[tuple[Record, dict]]) -> list[Write]:
    """`plan_updates` for records of several files (the time log's year shards): one Write
    per file."""
    by_file: dict[str, list[tuple[Record, dict]]] = {}
    for rec, change in changes:
        by_file.setdefault(rec.file, []).append((rec, change))
    return [plan_update(book, *items[0]) if len(items) == 1 else plan_updates(book, items)
            for items in by_file.values()]


_KEY_LINE = re.compile(r"  [A-Za-z_][A-Za-z0-9_]*:")


def _one_line(record: Record, chunk: str, change: dict) -> str | None:
    """A record's lines with a change that adds one scalar key at its schema place when that is
    the end of the record (every key it has comes before it), or drops a key written on one
    line: a line added or taken out, no round-trip (`invoice add --from-time` marks hundreds
    of entries). None when the change is not that simple, or the lines would not read back
    as the record with the change made (then `splice.rewrite` does it)."""
    if len(change) != 1:
        return None
    (key, value), = change.items()
    kind = KINDS[record.kind]
    names = [f.name for f in kind.fields]
    if key not in names:
        return None
    lines = lines_of(chunk)
    if value is None:
        hits = [i for i, line in enumerate(lines) if line.startswith(f"  {key}:")]
        if key not in record.data or len(hits) != 1:
            return None
        i = hits[0]
        if i + 1 < len(lines) and not _KEY_LINE.match(lines[i + 1]):
            return None                       # its value goes on below (a list, a block scalar)
        new = "".join(lines[:i] + lines[i + 1:])
    else:
        if key in record.data or not isinstance(value, str) or not chunk.endswith("\n") \
                or any(k not in names or names.index(k) > names.index(key) for k in record.data):
            return None
        text = dump({key: value})
        if text.count("\n") != 1:
            return None
        new = chunk + "  " + text
    expect = {k: v for k, v in record.data.items() if k != key}
    if value is not None:
        expect[key] = value
    again = read_records(new.encode("utf-8"), record.file, kind, fast=False)
    if not again.parsed or again.problems or len(again.records) != 1 or again.records[0].data != expect:
        return None
    return new


def plan_delete(book: Book, rel: str) -> Write:
    """Remove a whole small file of the book (the running timer, `timer.yaml`), in the same
    atomic write as the others: it goes after every other file is in place."""
    w = Write(rel, "")
    w.delete = True
    return w


def plan_remove(book: Book, record: Record) -> Write:
    p = book.peeked(record)
    if p is not None:
        i, start, end = peeked_span(p, record)
        data = p.data
        prev = data.rfind(b"\n-", 0, max(start - 1, 0)) + 1 if start else -1
        if prev >= 0 and not data.startswith(b"-", prev):
            prev = -1                        # the first record: only a header before it
        if prev >= 0:
            keeps_its_meaning(data[prev:start].decode("utf-8"), data[end:p.spans[i][1]].decode("utf-8"),
                               record, removed=True)
        w = Write(record.file, None, data=spliced(data, start, end, b""))
        w.change = Tail(p, ("edit", i, None, -data.count(b"\n", start, end)), record)
        return w
    record = _own(book, record)
    _writable(book, record.file)
    _block_items(record.file, book.files[record.file])
    lines, first, end = span(book, record)
    before = [r.line for r in book.files[record.file].records if r.line < record.line]
    if before:
        keeps_its_meaning("".join(lines[max(before) - 1:first]), "".join(lines[end:next_item(lines, end)]),
                           record, removed=True)
    w = Write(record.file, "".join(lines[:first]) + "".join(lines[end:]))
    w.parsed, w.change = _reparsed(book.files[record.file], record, None, first, first - end, w.text)
    return w


def _reparsed(res, old: Record, new: Record | None, first: int, shift: int, text: str):
    """What a fresh read of a file gives after its record `old` became `new` (read alone from
    its own lines, which start after line `first`; None: removed), the records after it
    moved by `shift` lines: so the parse cache takes the file without parsing it again.
    None when the file had problems (their lines would move too): it is parsed next time.
    With it, the change as `cache.replay` makes it, on the records it was planned on."""
    if not res.parsed or res.problems or not any(r is old for r in res.records):
        return None, None
    out = []
    after = False
    change = None
    for i, r in enumerate(res.records):
        if r is old:
            after = True
            moved = None
            if new is not None:
                moved = Record(new.kind, new.data, old.file, new.line + first,
                               {key: n + first for key, n in new.lines.items()})
                out.append(moved)
            change = Tail(res.records, ("edit", i, moved, shift))
        elif after and shift:
            out.append(r.moved(shift))
        else:
            out.append(r)
    return FileResult(out, [], True, text), change


def settings_update(book: Book, change) -> Write:
    """Round-trip `freelance.yaml` (a small file) through `change(mapping)`."""
    if not book.settings_parsed:
        raise DataError(f"{SETTINGS_FILE}: refusing to write to a file that does not parse; fix it first")
    first = next((p for p in book.settings_problems if p.is_error), None)
    if first is not None:
        raise DataError(f"{SETTINGS_FILE}: refusing to write to a file with a problem ({first}); fix it first")
    got = read_book_file(book.root, SETTINGS_FILE)
    if got is None:
        raise DataError(f"{SETTINGS_FILE}: missing; nothing was written")
    text = got[0].decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")   # as a text-mode read
    doc = rt_yaml().load(text)
    if doc is None:
        from ruamel.yaml.comments import CommentedMap
        doc = CommentedMap()
    change(doc)
    return Write(SETTINGS_FILE, dump(doc))


def _as_before(text: str, current: bytes | None) -> bytes:
    """The new text in the file's own conventions: a byte-order mark and CRLF line
    ends are kept (new and edited lines get them too), not mixed with LF."""
    data = text.encode("utf-8")
    if current and current.split(b"\n", 1)[0].endswith(b"\r"):
        data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
    if current and current.startswith(codecs.BOM_UTF8) and not data.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data
    return data


def apply(book: Book, writes: list[Write]) -> None:
    """Write every file atomically, after checking none changed since it was read.

    All temporary files are written and fsynced before the first rename, so a
    failure while writing leaves every file as it was."""
    rels = [w.rel for w in writes]
    if len(set(rels)) != len(rels):   # each Write is a whole file: a second would undo the first
        raise DataError(f"internal error: two writes to one file ({', '.join(sorted({r for r in rels if rels.count(r) > 1}))}); "
                        "nothing was written")
    files, deletes = [], []
    for w in writes:
        path = writable(book.root, w.rel)  # a link inside the book is followed; out of it, refused
        stamp = book.stamps.get(w.rel)
        if w.data is not None and book.unchanged_since_peek(w.rel):
            current = book.read_bytes_of(w.rel)    # a big file, as read: not read again
        else:
            got = read_book_file(book.root, w.rel)
            current = None if got is None else got[0]
        if stamp is not None and not stamp.matches(current, book.read_bytes_of(w.rel)):
            raise DataError(f"{w.rel}: changed on disk since it was read (edited by hand?); "
                            "nothing was written, run the command again")
        if w.delete:
            deletes.append(path)
            continue
        w.data = w.data if w.data is not None else _as_before(w.text, current)
        files.append((path, w.data))
    replace_all(files, make_folders=True, journal=book.journal())   # all of them or none, even under a kill
    for path in deletes:                   # after every other file is in place (docs/time.md)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    if book.cache is not None:
        for w in writes:
            if w.delete:
                continue
            if w.parsed is not None or w.change is not None:
                book.cache_written(w.rel, w.data, w.parsed, w.change)
    for w in writes:
        k = next((k for k in KINDS.values() if w.rel == k.path or (k.sharded and w.rel.startswith(k.path + "/"))), None)
        if k is not None:
            book.forget(k.name)
