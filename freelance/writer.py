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
import datetime as dt
import io
import os
import re
import tempfile
from decimal import Decimal

from .book import Book
from .errors import DataError
from .schema import KINDS
from .yamlio import FileResult, Record, read_records, yaml11_reads_otherwise

_YAML = None


def rt_yaml():
    """ruamel.yaml set to the book's canonical style (see SPEC section 1)."""
    global _YAML
    if _YAML is None:
        from ruamel.yaml import YAML
        y = YAML()  # round-trip, YAML 1.2
        y.indent(mapping=2, sequence=2, offset=0)
        y.width = 4096
        y.preserve_quotes = True
        rep = y.representer
        rep.add_representer(type(None), lambda r, d: r.represent_scalar("tag:yaml.org,2002:null", "null"))

        def decimal(r, d: Decimal):
            text = format(d, "f")
            tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
            return r.represent_scalar(tag, text)
        rep.add_representer(Decimal, decimal)

        def text(r, d: str):
            if _needs_escapes(d):
                return r.represent_scalar("tag:yaml.org,2002:str", d, style='"')
            if yaml11_reads_otherwise(d):
                return r.represent_scalar("tag:yaml.org,2002:str", d, style="'")
            return r.represent_str(d)
        rep.add_representer(str, text)
        rep.add_representer(dt.datetime, lambda r, d: r.represent_str(
            d.strftime("%Y-%m-%d %H:%M") if not d.second else d.strftime("%Y-%m-%d %H:%M:%S")))
        _YAML = y
    return _YAML


# Characters YAML reads as line breaks, which ruamel.yaml's emitter leaves raw in
# plain and single-quoted scalars (so they would read back as a space): only a
# double-quoted scalar (`"\N"`, `"\L"`) keeps them.
_BREAKS = ("\x85", "\u2028", "\u2029", "\r")     # and CR, which a block scalar cannot hold


def _needs_escapes(text: str) -> bool:
    return any(c in text for c in _BREAKS)


def dump(value) -> str:
    out = io.StringIO()
    rt_yaml().dump(value, out)
    return out.getvalue()


def record_text(data: dict) -> str:
    """A new record as it is appended: `- id: ...` at column 0, keys at two spaces."""
    return dump([_clean(data)])


def _clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None and v != [] and v != ""}


class Write:
    """One file's whole new content: `text`, or for a peeked file `data` (its bytes as they go
    to disk, so a 6 MB file is not decoded and encoded again for one changed record)."""

    def __init__(self, rel: str, text: str | None, message: str = "", data: bytes | None = None):
        self.rel = rel                # file relative to the book
        self._text = text
        self.data = data
        self.message = message
        self.parsed = None            # the FileResult it reads as, when known without parsing it
        self.change: tuple | None = None   # (what it was planned on, change for cache.replay): a cache tail

    @property
    def text(self) -> str:
        if self._text is None:
            text = self.data.decode("utf-8")
            self._text = text[1:] if text.startswith("\ufeff") else text
        return self._text


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _span(book: Book, record: Record) -> tuple[list[str], int, int]:
    """(file lines, first, end) of the record's own lines: from its `-` to the next
    record's `-`, less the blank and comment lines that trail it."""
    res = book.files[record.file]
    lines = _lines(res.text)
    first = record.line - 1
    while first > 0 and not lines[first].startswith("-"):
        first -= 1
    later = [r.line for r in res.records if r.line > record.line]
    end = len(lines)
    if later:
        end = min(later) - 1
        while end > first + 1 and not lines[end].startswith("-"):
            end -= 1
    keep = _KEEP_CHOMP.search("".join(lines[first:end])) is not None
    while end > first + 1 and _trails(lines[end - 1], keep):
        end -= 1
    return lines, first, end


# A block scalar that keeps its final line breaks (`|+`, `>2+`): blank lines after it are its text.
_KEEP_CHOMP = re.compile(r":[ \t]+[|>][1-9]?\+")


def _trails(line, keep: bool) -> bool:
    """Whether a line at the end of a record's lines belongs after it (to the next record or the
    file's end) rather than to it: a blank line, or a comment at most as indented as the record's
    keys. A `#` line indented more may be the last line of a block scalar (`notes: |`), whose
    text has to be more indented than its key; it stays with the record."""
    body = line.lstrip(" ")
    if not body.strip():
        return not keep
    return body.startswith("#") and len(line) - len(body) <= 2


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
    lines = _lines(res.text or "")
    starts = [r.line for r in res.records]
    if len(set(starts)) == len(starts) and all(
            lines[n - 1].startswith("-") and lines[n - 1][1:2] in (" ", "\n", "\r", "") for n in starts):
        return
    bad = next((r for r in res.records if not lines[r.line - 1].startswith("-")
                or starts.count(r.line) > 1), res.records[0])
    raise DataError(f"{rel}:{bad.line}: refusing to edit this file: its records are not one '- ' item per "
                    "record at the start of a line (a flow list [...] or an indented list); "
                    "rewrite it in that layout first")


def plan_append(book: Book, kind: str, data: dict | list[dict]) -> Write:
    """Append new records (one, or several of one file) to the end of their file
    (its year's shard for dated kinds)."""
    k = KINDS[kind]
    many = data if isinstance(data, list) else [data]
    rels = {book.shard_for(k, d.get(k.shard_by)) if k.sharded else k.path for d in many}
    if len(rels) != 1:
        raise DataError(f"internal error: one append spans several files ({', '.join(sorted(rels))})")
    rel = rels.pop()
    from .emitter import record_text as fast_text   # the same text, without ruamel.yaml when it can
    texts = [fast_text(d) for d in many]
    p = book.peek(rel, k)
    if p is not None and p.appendable():   # a big file: append without reading its records
        data = p.data
        if not data.endswith(b"\n"):
            data += b"\n"
        added = [_check_reads_back(t, rel, k, d) for t, d in zip(texts, many)]
        w = Write(rel, None, data=data + "".join(a.text for a in added).encode("utf-8"))
        if not any(a.problems for a in added):
            shift, moved = data.count(b"\n"), []
            for a in added:
                moved.append(a.records[0].moved(shift))
                shift += a.text.count("\n")
            w.change = (p, ("append", moved))
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
        kept = "".join(l for l in _lines(text) if l.strip() != body.strip())
        text = kept
    elif body and not res.records and body.strip() not in ("",):
        raise DataError(f"{rel}: expected a list of {k.plural}; refusing to append to it")
    if text and not text.endswith("\n"):
        text += "\n"
    added = [_check_reads_back(t, rel, k, d) for t, d in zip(texts, many)]
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
        w.change = (res.records, ("append", moved))
    return w


def _rewrite(record: Record, chunk: str, changes: dict):
    """(new text, what it reads as) of a record's own lines `chunk` with `changes` made."""
    seq = rt_yaml().load(chunk)
    node = seq[0]
    before = dump(seq)
    k = KINDS[record.kind]
    order = [f.name for f in k.fields]
    for key, value in changes.items():
        if value is None or value == [] or value == "":
            if key in node:
                del node[key]
        elif key not in node and key in order:
            # a new key goes where a new record would have it: after the keys before it in
            # the schema (so a field cleared and set again comes back to its place)
            earlier = set(order[:order.index(key)])
            at = max((i + 1 for i, have in enumerate(node) if have in earlier), default=0)
            node.insert(at, key, value)
        else:
            _assign(node, key, value, record.data.get(key))
    new = _no_document_end(dump(seq))
    new = _overlay(chunk, _no_document_end(before), new, record.file, k)
    if not chunk.endswith("\n") and new.endswith("\n"):
        new = new[:-1]
    expect = {k2: v for k2, v in changes.items() if v is not None and v != [] and v != ""}
    return new, _check_reads_back(new, record.file, k, expect)


def _no_document_end(text: str) -> str:
    """ruamel.yaml ends a dump whose last value is a block scalar keeping its line breaks
    (`|+`) with `...`; a record's lines are spliced into a file, where that would end the
    document for the records after it. Without it the block runs to the next record's `-`
    line (or the file's end), which is what the record's lines held."""
    return text[:-4] if text.endswith("\n...\n") else text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


_KEY_OR_ENTRY = re.compile(r"(?:- )*(?:[^\s:#'\"][^:#]*?:(?=\s|$))?")


def _shape(line: str) -> tuple:
    """What must match between a line as the user wrote it and as ruamel.yaml writes it for
    the two to be taken as the same line: its entry dashes and key, not its value's
    spelling (`~` for `null`, a quote ruamel.yaml adds or drops) nor its indentation."""
    body = line.strip()
    if not body or body.startswith("#"):
        return (body[:1],)
    return ("k", _KEY_OR_ENTRY.match(body).group(0))


def _structural(line: str) -> bool:
    """A line of keys or entries (not blank, not a comment)."""
    rest = line.lstrip(" ")
    return bool(rest.strip()) and not rest.startswith("#")


def _overlay(chunk: str, before: str, after: str, rel: str, kind) -> str:
    """The change ruamel.yaml made (`before` -> `after`, both in its own layout) laid over
    the record as the user wrote it (`chunk`): the lines the change did not touch stay as
    written (a list indented under its key, a comment's column), and new lines take the
    indentation the user gave lines of their sort (same depth, a `- ` entry or a key).
    When the user's lines do not match ruamel's one for one, or the result would read
    otherwise, ruamel's layout is used as it is."""
    src, old, new = chunk.splitlines(True), before.splitlines(True), after.splitlines(True)
    if src == old or len(src) != len(old) or any(_shape(a) != _shape(b) for a, b in zip(src, old)):
        return after
    import difflib

    def sort(line: str) -> tuple[int, bool]:
        rest = line.lstrip(" ")
        return _indent(line), rest.startswith("- ") or rest.rstrip() == "-"

    # how far the user's lines of each sort sit from ruamel's: the nearest such line before,
    # else the first after (a new entry may come before the old one it replaces ends)
    shift: dict[tuple[int, bool], int] = {}
    for a, b in reversed(list(zip(src, old))):
        if _structural(b):
            shift[sort(b)] = _indent(a) - _indent(b)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        for i in range(i1, i2):
            if _structural(old[i]):
                shift[sort(old[i])] = _indent(src[i]) - _indent(old[i])
        if tag == "equal":
            out += src[i1:i2]
            continue
        for line in new[j1:j2]:
            d = shift.get(sort(line), 0) if _structural(line) else 0   # ruamel keeps a comment's column
            out.append(" " * d + line if d >= 0 else line[min(-d, _indent(line)):])
    text = "".join(out)
    mine, theirs = read_records(text.encode("utf-8"), rel, kind), read_records(after.encode("utf-8"), rel, kind)
    if not mine.parsed or mine.problems != theirs.problems or \
            [r.data for r in mine.records] != [r.data for r in theirs.records]:
        return after
    return text


def _assign(node, key, value, was=None) -> None:
    """node[key] = value, keeping what the user wrote around what did not change: the
    quoting of a string, and for a list (to-dos, invoice lines, links) the entries that
    stay, with their comments, changed key by key rather than written anew. `was`: the
    value as the book read it (for a list, its entries line up with the loaded ones)."""
    old = node[key] if key in node else None
    if isinstance(value, list) and isinstance(old, list) and old.__class__ is not list:
        _update_list(old, value, was if isinstance(was, list) and len(was) == len(old) else None)
        return
    if old is not None and type(old).__name__.endswith("ScalarString") and isinstance(value, str):
        if not _needs_escapes(value):
            node[key] = type(old)(value)    # keep the quoting the user chose
            return
        # ruamel.yaml keeps a key's old style when it is set again: take the key out and put it
        # back (with its comments) so that the value is written double-quoted, as it must be
        at, comment = list(node).index(key), node.ca.items.get(key)
        del node[key]
        node.insert(at, key, value)
        if comment is not None:
            node.ca.items[key] = comment
        return
    node[key] = value


def _entry_key(x):
    if isinstance(x, dict):
        return tuple((k, repr(v)) for k, v in x.items())
    return repr(x)


def _update_list(seq, value: list, was: list | None) -> None:
    """Make the loaded list `seq` hold `value`: entries lined up by a diff of their values
    (the book's reading of them, `was`, when known), so an entry taken out of the middle
    takes its own comment with it and leaves the others where they are; a changed entry
    is changed key by key; a value the book reads as the new one is left as written."""
    import difflib
    base = was if was is not None else list(seq)
    ops = difflib.SequenceMatcher(None, [_entry_key(x) for x in base], [_entry_key(x) for x in value],
                                  autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):          # from the end: earlier indices stay valid
        if tag == "equal":
            continue
        n = min(i2 - i1, j2 - j1)
        for t in range(n):
            _update_entry(seq, i1 + t, base[i1 + t] if was is not None else None, value[j1 + t])
        for i in range(i2 - 1, i1 + n - 1, -1):
            _carry_comment(seq, i)
            del seq[i]
        for t, v in enumerate(value[j1 + n:j2]):
            seq.insert(i1 + n + t, v)


def _update_entry(seq, i: int, was, v) -> None:
    entry = seq[i]
    if isinstance(v, dict) and isinstance(entry, dict) and entry.__class__ is not dict:
        for k in [k for k in entry if k not in v]:
            del entry[k]
        for k, x in v.items():
            if isinstance(was, dict) and k in was and k in entry and was[k] == x and type(was[k]) is type(x):
                continue                      # the book reads the same: leave it as written
            if k not in entry or not _same(entry[k], x):
                _assign(entry, k, x, was.get(k) if isinstance(was, dict) else None)
    elif was is not None and was == v and type(was) is type(v):
        return
    elif not _same(entry, v):
        seq[i] = v


def _post_comment(seq, i: int):
    """(the comment token after entry i of a loaded list, a function setting it)."""
    item = seq[i]
    if isinstance(item, dict) and item.__class__ is not dict and len(item):
        last = list(item)[-1]
        slot = item.ca.items.get(last)

        def put(tok, item=item, last=last):
            item.ca.items.setdefault(last, [None, None, None, None])[2] = tok
        return (slot[2] if slot and len(slot) > 2 else None), put
    slot = seq.ca.items.get(i)

    def put(tok, seq=seq, i=i):
        seq.ca.items.setdefault(i, [None, None, None, None])[0] = tok
    return (slot[0] if slot else None), put


def _carry_comment(seq, i: int) -> None:
    """Before entry i goes: the whole-line comments after it (about what follows it, the next
    entry or key) move to the entry before it. Its own end-of-line comment goes with it."""
    tok, _ = _post_comment(seq, i)
    if tok is None or "\n" not in tok.value:
        return
    extra = tok.value.split("\n", 1)[1]
    if not extra.strip():
        return
    from ruamel.yaml.tokens import CommentToken
    if i == 0:                                  # they go before the new first entry
        if not seq.ca.comment:
            seq.ca.comment = [None, []]
        elif seq.ca.comment[1] is None:
            seq.ca.comment[1] = []
        seq.ca.comment[1].append(CommentToken(extra.lstrip(" "), tok.start_mark, None))
        return
    prev, put = _post_comment(seq, i - 1)
    if prev is None:
        put(CommentToken("\n" + extra, tok.start_mark, None))
    else:
        prev.value = prev.value + extra


def _same(loaded, value) -> bool:
    """Whether a value ruamel.yaml loaded is `value` (so it is left as written)."""
    if isinstance(value, bool) or isinstance(loaded, bool):
        return loaded is value
    if isinstance(value, Decimal) and isinstance(loaded, (int, float)):
        return Decimal(str(loaded)) == value
    return loaded == value


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


def _peeked_span(p, record: Record) -> tuple[int, int, int]:
    """(index, start, end) of a peeked record's own bytes: from its `-` to the next record's,
    less the blank and comment lines that trail it (as `_span`)."""
    i = p.index_of(record)
    start, stop = p.spans[i]
    parts = p.data[start:stop].decode("utf-8").split("\n")     # a peeked file has LF line ends only
    lines = [x + "\n" for x in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    keep = _KEEP_CHOMP.search("".join(lines)) is not None
    n = len(lines)
    while n > 1 and _trails(lines[n - 1], keep):
        n -= 1
    return i, start, start + len("".join(lines[:n]).encode("utf-8"))


def _spliced(data: bytes, start: int, end: int, new: bytes) -> bytes:
    """`data` with its bytes [start:end) replaced by `new`, copied once (a big file is megabytes)."""
    view = memoryview(data)
    return b"".join((view[:start], new, view[end:]))


def plan_update(book: Book, record: Record, changes: dict) -> Write:
    """Change some keys of one record (None deletes a key), re-writing only its lines."""
    p = book.peeked(record)
    if p is not None:          # a big file read one record at a time: its others stay unread
        i, start, end = _peeked_span(p, record)
        data = p.data
        chunk = data[start:end].decode("utf-8")
        new, again = _rewrite(record, chunk, changes)
        _keeps_its_meaning(new, data[end:p.spans[i][1]].decode("utf-8"), record)
        w = Write(record.file, None, data=_spliced(data, start, end, new.encode("utf-8")))
        if not again.problems:
            w.change = (p, ("edit", i, again.records[0].moved(record.line - 1),
                            new.count("\n") - chunk.count("\n")), record)
        return w
    record = _own(book, record)
    _writable(book, record.file)
    _block_items(record.file, book.files[record.file])
    lines, first, end = _span(book, record)
    chunk = "".join(lines[first:end])
    new, again = _rewrite(record, chunk, changes)
    _keeps_its_meaning(new, "".join(lines[end:_next_item(lines, end)]), record)
    text = "".join(lines[:first]) + new + "".join(lines[end:])
    w = Write(record.file, text)
    if not again.problems:
        w.parsed, w.change = _reparsed(book.files[record.file], record, again.records[0], first,
                                       new.count("\n") - chunk.count("\n"), text)
    return w


def plan_remove(book: Book, record: Record) -> Write:
    p = book.peeked(record)
    if p is not None:
        i, start, end = _peeked_span(p, record)
        data = p.data
        prev = data.rfind(b"\n-", 0, max(start - 1, 0)) + 1 if start else -1
        if prev >= 0 and not data.startswith(b"-", prev):
            prev = -1                        # the first record: only a header before it
        if prev >= 0:
            _keeps_its_meaning(data[prev:start].decode("utf-8"), data[end:p.spans[i][1]].decode("utf-8"),
                               record, removed=True)
        w = Write(record.file, None, data=_spliced(data, start, end, b""))
        w.change = (p, ("edit", i, None, -data.count(b"\n", start, end)), record)
        return w
    record = _own(book, record)
    _writable(book, record.file)
    _block_items(record.file, book.files[record.file])
    lines, first, end = _span(book, record)
    before = [r.line for r in book.files[record.file].records if r.line < record.line]
    if before:
        _keeps_its_meaning("".join(lines[max(before) - 1:first]), "".join(lines[end:_next_item(lines, end)]),
                           record, removed=True)
    w = Write(record.file, "".join(lines[:first]) + "".join(lines[end:]))
    w.parsed, w.change = _reparsed(book.files[record.file], record, None, first, first - end, w.text)
    return w


def _next_item(lines: list[str], at: int) -> int:
    """The index of the first line from `at` that starts an item (`-`), or the end."""
    return next((j for j in range(at, len(lines)) if lines[j].startswith("-")), len(lines))


def _keeps_its_meaning(lines: str, tail: str, record: Record, removed: bool = False) -> None:
    """A record's lines (its new ones, or the previous record's when `record` is removed) must
    read the same with the lines left behind after them (blank lines and comments, kept in
    place): else the write would change a record it did not mean to, and is refused."""
    if not tail:
        return
    kind = KINDS[record.kind]
    alone = read_records(lines.encode("utf-8"), record.file, kind, fast=False)
    joined = read_records((lines + tail).encode("utf-8"), record.file, kind, fast=False)
    if [r.data for r in alone.records] != [r.data for r in joined.records] or alone.parsed != joined.parsed:
        whose = "the record before it" if removed else "it"
        raise DataError(f"{record.file}: internal error: the lines after {record.kind} '{record.id}' would "
                        f"change {whose} (a block scalar next to a comment?); nothing was written")


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
            change = (res.records, ("edit", i, moved, shift))
        elif after and shift:
            out.append(r.moved(shift))
        else:
            out.append(r)
    return FileResult(out, [], True, text), change


def _check_reads_back(text: str, rel: str, kind, expect: dict):
    """The text we are about to write must read back as the values we meant."""
    res = read_records(text.encode("utf-8"), rel, kind)
    errors = [p for p in res.problems if p.is_error and "not allowed" in p.message]
    if not res.parsed or len(res.records) != 1 or errors:
        raise DataError(f"{rel}: internal error: the new record text does not read back:\n{text}")
    got = res.records[0].data
    for key, value in expect.items():
        if key in got and _norm(got[key]) != _norm(value):
            raise DataError(f"{rel}: internal error: {key} would read back as {got[key]!r}, not {value!r}")
    return res


def _norm(v):
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items() if x is not None}
    if isinstance(v, Decimal):
        return v.normalize()
    if isinstance(v, dt.datetime):
        return v.replace(microsecond=0)
    return v


def settings_update(book: Book, change) -> Write:
    """Round-trip `freelance.yaml` (a small file) through `change(mapping)`."""
    from .settings import SETTINGS_FILE
    if not book.settings_parsed:
        raise DataError(f"{SETTINGS_FILE}: refusing to write to a file that does not parse; fix it first")
    first = next((p for p in book.settings_problems if p.is_error), None)
    if first is not None:
        raise DataError(f"{SETTINGS_FILE}: refusing to write to a file with a problem ({first}); fix it first")
    with open(book.path(SETTINGS_FILE), encoding="utf-8") as fh:
        text = fh.read()
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
    staged: list[tuple[str, str]] = []
    try:
        for w in writes:
            path = os.path.realpath(book.path(w.rel))  # follow a symlinked file
            stamp = book.stamps.get(w.rel)
            if w.data is not None and book.unchanged_since_peek(w.rel):
                current = book.read_bytes_of(w.rel)    # a big file, as read: not read again
            else:
                try:
                    with open(path, "rb") as fh:
                        current = fh.read()
                except FileNotFoundError:
                    current = None
            if stamp is not None and not stamp.matches(current, book.read_bytes_of(w.rel)):
                raise DataError(f"{w.rel}: changed on disk since it was read (edited by hand?); "
                                "nothing was written, run the command again")
            folder = os.path.dirname(path)
            os.makedirs(folder, exist_ok=True)
            mode = os.stat(path).st_mode & 0o7777 if current is not None else None
            fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as fh:
                w.data = w.data if w.data is not None else _as_before(w.text, current)
                fh.write(w.data)
                fh.flush()
                os.fsync(fh.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
        for tmp, path in staged:
            os.replace(tmp, path)
        for folder in {os.path.dirname(p) for _, p in staged}:
            try:
                dfd = os.open(folder, os.O_RDONLY)
                os.fsync(dfd)
                os.close(dfd)
            except OSError:
                pass
        staged = []
    finally:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    if book.cache is not None:
        for w in writes:
            if w.parsed is not None or w.change is not None:
                book.cache_written(w.rel, w.data, w.parsed, w.change)
    for w in writes:
        k = next((k for k in KINDS.values() if w.rel == k.path or (k.sharded and w.rel.startswith(k.path + "/"))), None)
        if k is not None:
            book.forget(k.name)
