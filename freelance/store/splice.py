"""Text surgery on one record's lines: find them in a file (or a peeked file's bytes),
re-write them by a ruamel.yaml round-trip of that record alone, and lay the change over
the lines as the user wrote them (docs/writing.md). Plans nothing, writes nothing."""
from __future__ import annotations

import re
from decimal import Decimal

from ..core.schema import KINDS
from .book import Book
from .readback import reads_back
from .records import Record
from .style import dump, needs_escapes, rt_yaml
from .yamlio import read_records
import difflib
from .emitter import NotFast, fast_text


def lines_of(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def span(book: Book, record: Record, lines: list[str] | None = None) -> tuple[list[str], int, int]:
    """(file lines, first, end) of the record's own lines: from its `-` to the next
    record's `-`, less the blank and comment lines that trail it. `lines`: the file's
    lines, when split already (several records of one file)."""
    res = book.files[record.file]
    lines = lines_of(res.text)
    later = [r.line for r in res.records if r.line > record.line]
    first, end = span_in(lines, record.line, min(later) if later else None)
    return lines, first, end


def span_in(lines: list[str], line: int, next_line: int | None) -> tuple[int, int]:
    """(first, end) of the lines of the record whose item is on `line`, the next record's
    being on `next_line` (None: it is the last), as `span` says."""
    first = line - 1
    while first > 0 and not lines[first].startswith("-"):
        first -= 1
    end = len(lines)
    if next_line is not None:
        end = next_line - 1
        while end > first + 1 and not lines[end].startswith("-"):
            end -= 1
    keep = _KEEP_CHOMP.search("".join(lines[first:end])) is not None
    while end > first + 1 and _trails(lines[end - 1], keep):
        end -= 1
    return first, end


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


def rewrite(record: Record, chunk: str, changes: dict, fast: bool = True):
    """(new text, what it reads as) of a record's own lines `chunk` with `changes` made."""
    k = KINDS[record.kind]
    new = _canonical_rewrite(record, chunk, changes) if fast else None
    if new is not None:
        expect = {k2: v for k2, v in changes.items() if v is not None and v != [] and v != ""}
        return new, reads_back(new, record.file, k, expect)
    seq = rt_yaml().load(chunk)
    node = seq[0]
    before = dump(seq)
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
    return new, reads_back(new, record.file, k, expect)


def _canonical_rewrite(record: Record, chunk: str, changes: dict) -> str | None:
    """The rewrite without ruamel.yaml, when it can be had exactly: the record's lines are
    what a new record of its values is written as (`emitter`'s fast path: plain scalars, no
    comments, no lists) and so are the new values. The keys go where the round-trip puts
    them: a changed one stays, a removed one goes, a new one after the keys before it in the
    schema. None otherwise (tests/hostile/test_also_found.py checks it gives what the
    round-trip gives)."""
    data = record.data
    if any(v.__class__ in (list, dict) for v in data.values()) or \
            any(v.__class__ in (list, dict) for v in changes.values()):
        return None
    try:
        if fast_text(data) != chunk:
            return None
    except NotFast:
        return None
    order = [f.name for f in KINDS[record.kind].fields]
    items = list(data.items())
    for key, value in changes.items():
        keys = [k for k, _ in items]
        if value is None or value == "":
            items = [(k, v) for k, v in items if k != key]
        elif key in keys:
            items[keys.index(key)] = (key, value)
        elif key in order:
            earlier = set(order[:order.index(key)])
            at = max((i + 1 for i, have in enumerate(keys) if have in earlier), default=0)
            items.insert(at, (key, value))
        else:
            items.append((key, value))
    try:
        return fast_text(dict(items))
    except NotFast:
        return None


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
        if not needs_escapes(value):
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


def peeked_span(p, record: Record) -> tuple[int, int, int]:
    """(index, start, end) of a peeked record's own bytes: from its `-` to the next record's,
    less the blank and comment lines that trail it (as `span`)."""
    i = p.index_of(record)
    start, stop = p.spans[i]
    parts = p.data[start:stop].decode("utf-8").split("\n")     # a peeked file has LF line ends only
    lines = [x + "\n" for x in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    keep = _KEEP_CHOMP.search("".join(lines)) is not None
    n = len(lines)
    while n > 1 and _trails(lines[n - 1], keep):
        n -= 1
    return i, start, start + len("".join(lines[:n]).encode("utf-8"))


def spliced(data: bytes, start: int, end: int, new: bytes) -> bytes:
    """`data` with its bytes [start:end) replaced by `new`, copied once (a big file is megabytes)."""
    view = memoryview(data)
    return b"".join((view[:start], new, view[end:]))


def next_item(lines: list[str], at: int) -> int:
    """The index of the first line from `at` that starts an item (`-`), or the end."""
    return next((j for j in range(at, len(lines)) if lines[j].startswith("-")), len(lines))
