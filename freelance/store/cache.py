"""A parse cache per book file, in the book's git-ignored `.freelance/cache/`.

Parsing YAML is most of the time a command spends on a big book; the parsed
records of a file that did not change are the same. So after parsing a file,
`Book` stores its records and problems here (a pickle), under a header with
what the file looked like: size, mtime_ns, inode, and the SHA-1 of its bytes.
On the next read the header is compared with `os.stat` of the file:

- any of size, mtime_ns, inode differs: the entry is stale; the file is parsed
  again and the entry rewritten. An edit of one year's shard re-parses only
  that shard; a write through `writer.apply` (a rename: a new inode) too.
- they match but the file's mtime is within a clock tick of now or of when
  the entry was written (a same-size edit in the same tick could hide;
  `in_doubt`: 100 ms, or 2 s on file systems that keep whole seconds):
  in doubt, the file is read and its SHA-1 compared.
- the entry is from another version of the reader or schema, truncated,
  corrupt, or unreadable: ignored, parsed again, rewritten. Never a crash.

The folder can be deleted at any time; `--no-cache` bypasses it. The file's
text is read only if a write needs it, and then checked against the digest.
See docs/performance.md for why pickle (and not marshal).

Besides the records, an entry's header holds a small summary of its file
(`summarize`: per invoice, the received income a transaction shard links to
it; an invoice's status), so a write can sum what an invoice received from
every shard's header, or see that it is paid already, without loading records.

`store_result`/`load_result` keep a whole command's answer (validate's sorted
problems) keyed on every file it read, trusted by the same rules, and on
the source of the whole package (`code_fingerprint`).
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from ..errors import DataError
from ..money import ZERO, dec
from ..rules import pays_invoice
from .atomic import replacing
from .records import FileResult

FORMAT = 4
DOUBT_NS = 2_000_000_000          # mtime this close to now or to the entry: check the content ...
STATUS_MAX = 1000                 # invoices in a file whose summary keeps each one's status
FINE_DOUBT_NS = 100_000_000       # ... or this close, on a file system that keeps sub-second mtimes


def in_doubt(mtime_ns: int, written_ns: int, now: int | None = None) -> bool:
    """Whether a file could have changed after an entry was written without its size, mtime
    and inode showing it: its mtime is within one file-system clock tick of when the entry
    was written (or of now). A tick is taken as 2 s when the mtime is a whole second (FAT,
    HFS+, some network file systems), else as 100 ms (a coarse kernel clock is ~10 ms)."""
    window = DOUBT_NS if mtime_ns % 1_000_000_000 == 0 else FINE_DOUBT_NS
    now = time.time_ns() if now is None else now
    return now - mtime_ns < window or written_ns - mtime_ns < window


class Head(NamedTuple):
    """An entry's header: whose entry it is, what its file looked like when parsed, and the
    file's summary (`summarize`)."""
    fingerprint: str
    rel: str
    size: int
    mtime_ns: int
    inode: int
    digest: str
    written_ns: int
    format: int
    summary: dict

    @property
    def stamp(self) -> tuple:
        return (self.size, self.mtime_ns, self.inode, self.digest)


class TailHead(NamedTuple):
    """A tail's header: the entry it follows (`base`, that entry's stamp), what the file looks
    like after the changes in the tail, and the file's summary then."""
    fingerprint: str
    rel: str
    base: tuple
    stamp: tuple
    written_ns: int
    summary: dict


class ResultHead(NamedTuple):
    """A stored whole result's header: the code, the question and the files it was computed on."""
    fingerprint: str
    key: object
    listing: list
    files: dict             # rel -> (size, mtime_ns, inode, digest)
    written_ns: int


_FINGERPRINT: str | None = None
_CODE: str | None = None


def fingerprint() -> str:
    """What the parsed form depends on: this format, Python, and the source of the reader
    (records, scalars, yamlio, fastread), the schema, the errors and money (the summaries'
    sums). Not the read side: a change of a rollup keeps every user's parse cache."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        here = Path(__file__).resolve().parent
        h = hashlib.sha1(f"{FORMAT} {sys.version_info[:2]}".encode())
        files = [here / f"{m}.py" for m in ("records", "scalars", "yamlio", "fastread", "cache")]
        files += [here.parent / f"{m}.py" for m in ("schema", "errors", "money", "rules")]
        for f in files:
            try:
                h.update(f.read_bytes())
            except OSError:
                h.update(b"?")
        _FINGERPRINT = h.hexdigest()
    return _FINGERPRINT


def code_fingerprint() -> str:
    """What a command's result may depend on: Python and the source of every module of the package."""
    global _CODE
    if _CODE is None:
        pkg = Path(__file__).resolve().parent
        h = hashlib.sha1(f"{FORMAT} {sys.version_info[:2]}".encode())
        for f in sorted(pkg.rglob("*.py")):
            h.update(f.relative_to(pkg).as_posix().encode() + b"\0")
            try:
                h.update(f.read_bytes())
            except OSError:
                h.update(b"?")
        _CODE = h.hexdigest()
    return _CODE


def summarize(kind: str, records, clean: bool = True) -> dict:
    """A file's summary, kept in its entry's header, for writes that would otherwise load a
    whole kind: for every file, a "locator" (each record's id and item line, in file order,
    pickled apart: most readers of a header never unpickle it) and "clean" (it parsed with
    no problem), so one record can be read or appended without loading the others
    (`Book.peek`); for transactions, "received": invoice id ->
    the sum (its decimal text: a str unpickles faster than a Decimal; none when it is zero) of the
    received income linked to it (what `Graph.received_income` adds up,
    file by file); for invoices, "status": invoice id -> its status (the first record of
    an id, as `Book.index`), in a file of fewer than STATUS_MAX invoices (in a bigger one,
    `Book.invoice_status` reads the one record instead: the map would cost more to load)."""
    out: dict = {"locator": _locator([r.id for r in records], [r.line for r in records]), "clean": clean}
    if kind == "invoice" and len(records) < STATUS_MAX:
        status: dict = {}
        for r in records:
            rid = r.id
            if rid and rid not in status:
                status[rid] = r.data.get("status")
        out["status"] = status
    elif kind == "transaction":
        out["received"] = {k: _text(v) for k, v in _received(records).items() if v}
    return out


def _locator(ids: list, lines: list) -> bytes:
    return pickle.dumps((ids, lines), protocol=pickle.HIGHEST_PROTOCOL)


def locator(summary: dict) -> tuple[list, list]:
    """(ids, item lines) of a file's records, in file order, from its summary."""
    return pickle.loads(summary["locator"])


def _text(amount: Decimal) -> str:
    """One text per value (`1E+2`, `100.00` and `100` are all `100`), so sums made in any order compare."""
    return format(amount.normalize(), "f")


def _received(records) -> dict:
    out: dict = {}
    for r in records:
        d = r.data
        v = d.get("invoice")
        if v is None or not pays_invoice(d):
            continue
        keys = [x for x in v if isinstance(x, str)] if isinstance(v, list) else [v if v.__class__ is str else str(v)]
        amount = dec(d.get("amount"))
        for k in keys:
            out[k] = out.get(k, ZERO) + amount
    return out


def amend(kind: str, summary: dict, change: tuple, old=None, where: tuple | None = None) -> dict | None:
    """The summary after one change (as `replay` takes it; `old`: the record an edit or a
    removal replaced), from the summary before it: what `summarize` of the whole file gives
    (a sum whose last income went may stay as a zero), without reading the file. None when
    it cannot tell (an id that more than one record has)."""
    if change[0] == "append":
        return merge(summary, summarize(kind, change[1]))
    _, i, new, shift = change
    before = where or locator(summary)
    ids, lines = list(before[0]), list(before[1])
    touched = {old.id} | ({new.id} if new is not None else set())
    if any(before[0].count(rid) > 1 for rid in touched if rid):
        return None
    if new is None:
        del ids[i], lines[i]
    else:
        ids[i], lines[i] = new.id, new.line
        if ids.count(new.id) > 1 and new.id:
            return None
        i += 1
    if shift:
        lines[i:] = [n + shift for n in lines[i:]]
    out = {**summary, "locator": _locator(ids, lines)}
    if kind == "invoice" and ("status" in summary) != (len(ids) < STATUS_MAX):
        if "status" not in summary:
            return None                 # a removal took it below STATUS_MAX: no map to start from
        del out["status"]               # one kept past STATUS_MAX: summarize would not keep it
    elif "status" in summary:
        status = dict(summary["status"])
        status.pop(old.id, None)
        if new is not None and new.id:
            status[new.id] = new.data.get("status")
        out["status"] = status
    if "received" in summary:
        got = dict(summary["received"])
        for sign, r in ((-1, old), (1, new)):
            for k, v in (_received([r]) if r is not None else {}).items():
                total = Decimal(got.get(k, "0")) + sign * v
                if total:
                    got[k] = _text(total)
                else:
                    got.pop(k, None)        # as `summarize`: no entry for nothing received
        out["received"] = got
    return out


def replay(records: list, changes: list) -> list:
    """The records of a file after `changes`, each ("append", [records]) or ("edit", index, the
    record there now or None when removed, lines the records after it moved): what
    `writer._reparsed` made of each write, so the same as a fresh parse gives."""
    out = list(records)
    for change in changes:
        if change[0] == "append":
            out.extend(change[1])
            continue
        _, i, new, shift = change
        if new is None:
            del out[i]
        else:
            out[i] = new
            i += 1
        if shift:
            for j in range(i, len(out)):
                r = out[j]
                out[j] = r.moved(shift)
    return out


def merge(first: dict, then: dict) -> dict:
    """The summary of a file's records followed by more records: ids and lines follow on,
    sums add up, and the first record of an id stays the one that counts."""
    out = {}
    (ia, la) = locator(first) if "locator" in first else ([], [])
    (ib, lb) = locator(then) if "locator" in then else ([], [])
    for part in first.keys() | then.keys():
        a, b = first.get(part, {}), then.get(part, {})
        if part == "locator":
            out[part] = _locator(ia + ib, la + lb)
        elif part == "clean":
            out[part] = first.get(part, True) and then.get(part, True)
        elif part == "status" and ("status" not in first or len(ia) + len(ib) >= STATUS_MAX):
            continue                    # a big file keeps no statuses (see summarize)
        elif part == "received":
            got = dict(a)
            for k, v in b.items():
                total = Decimal(a[k]) + Decimal(v) if k in a else Decimal(v)
                if total:
                    got[k] = _text(total)
                else:
                    got.pop(k, None)
            out[part] = got
        else:
            out[part] = {**b, **a}
    return out


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


class ParseCache:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.folder = self.root / ".freelance" / "cache"
        self.tails: dict[str, tuple] = {}    # rel -> (entry's stamp, tail's changes) of what `load` joined
        self._headers: dict[str, tuple] = {}  # rel -> ((size, mtime_ns, inode), `header`'s answer)

    def entry(self, rel: str) -> Path:
        return self.folder / (rel.replace("/", "%") + ".pickle")

    def tail_entry(self, rel: str) -> Path:
        return self.folder / (rel.replace("/", "%") + ".tail.pickle")

    def _current(self, path: Path, stamp: tuple, written_ns: int):
        """(True, bytes or None) if the file is as `stamp` (size, mtime_ns, inode, sha) says, by the
        rules above; its bytes when in doubt they had to be read and hashed. (False, None) if not."""
        size, mtime_ns, inode, sha = stamp
        st = os.stat(path)
        if (size, mtime_ns, inode) != (st.st_size, st.st_mtime_ns, st.st_ino):
            return False, None
        data = None
        if in_doubt(mtime_ns, written_ns):
            with open(path, "rb") as f2:
                data = f2.read()
            if digest(data) != sha:
                return False, None
        return True, data

    def _trusted(self, fh, rel: str, path: Path):
        """What describes `path` as it is now: (stamp, summary, bytes or None, tail or None),
        from the entry's header, or from its tail's (the changes written since the entry,
        `store_tail`); None when neither does."""
        head = pickle.load(fh)
        if not isinstance(head, Head) or (head.fingerprint, head.rel) != (fingerprint(), rel):
            return None
        stamp = head.stamp
        ok, data = self._current(path, stamp, head.written_ns)
        if ok:
            return stamp, head.summary, data, None
        with open(self.tail_entry(rel), "rb") as tf:
            thead = pickle.load(tf)
            if not isinstance(thead, TailHead) or (thead.fingerprint, thead.rel, thead.base) != (fingerprint(), rel, stamp):
                return None
            ok, data = self._current(path, thead.stamp, thead.written_ns)
            if not ok:
                return None
            return thead.stamp, thead.summary, data, (stamp, pickle.load(tf))

    def load(self, rel: str, path: Path):
        """(FileResult, (size, mtime_ns, inode, digest)) from the cache, or None when it cannot be trusted.
        When it came with a tail, `tails[rel]` is (the entry's own stamp, the tail's changes)."""
        try:
            with open(self.entry(rel), "rb") as fh:
                found = self._trusted(fh, rel, path)
                if found is None:
                    return None
                records, problems, parsed = pickle.load(fh)
        except Exception:       # missing, stale format, truncated, corrupt: parse the file instead
            return None
        stamp, _, data, tail = found
        if tail is not None:
            if problems or not parsed:
                return None
            records = replay(records, tail[1])
            self.tails[rel] = tail
        res = FileResult(records, problems, parsed, None)
        res.load_text = _TextLoader(path, rel, stamp[3], data, stamp[:3])
        return res, stamp

    def header(self, rel: str, path: Path):
        """(stamp, summary, text or None, tail or None) describing `path` as it is now, from the
        entry's header (or its tail's), without loading its records; None when not trusted.
        Kept for the rest of the command while the file's size, mtime and inode stay as they
        were: a write asks about the same few headers several times."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        key = (st.st_size, st.st_mtime_ns, st.st_ino)
        known = self._headers.get(rel)
        if known is not None and known[0] == key:
            return known[1]
        try:
            with open(self.entry(rel), "rb") as fh:
                found = self._trusted(fh, rel, path)
        except Exception:
            found = None
        self._headers[rel] = (key, found)
        return found

    def summary(self, rel: str, path: Path) -> dict | None:
        """The file's summary (`summarize`) from its entry's header (or its tail's), without loading
        its records; None when the entry cannot be trusted."""
        found = self.header(rel, path)
        return None if found is None else found[1]

    def store(self, rel: str, stamp, res: FileResult, kind: str = "") -> None:
        """Write the entry for a file just parsed; a cache that cannot be written is no cache."""
        try:
            self._folder()
            head = Head(fingerprint(), rel, stamp.size, stamp.mtime_ns, stamp.inode, stamp.digest, time.time_ns(),
                        FORMAT, summarize(kind, res.records, res.parsed and not res.problems))
            self._headers.pop(rel, None)
            self._write(self.entry(rel), head, (res.records, res.problems, res.parsed))
        except (OSError, pickle.PicklingError, RecursionError):
            pass

    def store_tail(self, rel: str, base: tuple, stamp, tail: list, res: FileResult | None, kind: str = "",
                   summary: dict | None = None) -> bool:
        """After a write: the changes (`replay`) made since the entry (still describing the file
        as it was, `base`) was written, so the entry need not be pickled whole again. `res` is
        the whole file as it reads now (for its summary, unless only appends were made, or
        `summary` is given: then `res` may be None).
        False when the entry beside it is not `base` (then write the entry whole)."""
        try:
            with open(self.entry(rel), "rb") as fh:
                head = pickle.load(fh)
            if not (isinstance(head, Head) and (head.fingerprint, head.rel) == (fingerprint(), rel)
                    and head.stamp == base):
                return False
            if summary is not None:
                pass                                    # worked out by the caller (`amend`)
            elif all(change[0] == "append" for change in tail):
                summary = merge(head.summary, summarize(kind, [r for change in tail for r in change[1]]))
            else:
                summary = summarize(kind, res.records)
            head = TailHead(fingerprint(), rel, base, (stamp.size, stamp.mtime_ns, stamp.inode, stamp.digest),
                            time.time_ns(), summary)
            self._headers.pop(rel, None)
            self._write(self.tail_entry(rel), head, tail)
            return True
        except Exception:       # no entry to add a tail to, or it cannot be read: no tail
            return False

    def _folder(self) -> None:
        if not self.folder.is_dir():
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# freelance's lock and parse cache: safe to delete\n*\n")

    def _write(self, target: Path, head, body) -> None:
        enabled = gc.isenabled()
        gc.disable()            # pickling allocates a memo entry per object: collections are waste
        try:
            with replacing(str(target), fsync=False, keep_mode=False) as fh:   # a cache: no fsync, mode 0600
                pickle.dump(head, fh, protocol=5)
                pickle.dump(body, fh, protocol=5)
        finally:
            if enabled:
                gc.enable()

    # -- whole results ---------------------------------------------------------
    def _result(self, name: str) -> Path:
        return self.folder / f"%{name}.pickle"      # '%': no book file's entry starts with it

    def load_result(self, name: str, key, listing: list[str]):
        """The result stored under `name`, if it was computed with `key`, on the files of
        `listing`, none of which changed since (the same rules as a file's entry); else None."""
        try:
            with open(self._result(name), "rb") as fh:
                head = pickle.load(fh)
                if not isinstance(head, ResultHead):
                    return None
                fp, key_, listing_, files, written_ns = head
                if fp != code_fingerprint() or key_ != key or listing_ != listing:
                    return None
                now = time.time_ns()
                for rel, (size, mtime_ns, inode, sha) in files.items():
                    try:
                        st = os.stat(self.root / rel)
                    except FileNotFoundError:
                        if size != -1:
                            return None
                        continue
                    if (st.st_size, st.st_mtime_ns, st.st_ino) != (size, mtime_ns, inode):
                        return None
                    if in_doubt(mtime_ns, written_ns, now):
                        with open(self.root / rel, "rb") as f2:
                            if digest(f2.read()) != sha:
                                return None
                return pickle.load(fh)
        except Exception:       # missing, truncated, corrupt, unreadable: compute it again
            return None

    def store_result(self, name: str, key, listing: list[str], stamps: dict, result) -> None:
        """Keep `result`, computed from the files read with `stamps` (rel -> Stamp)."""
        files = {rel: (s.size, s.mtime_ns, s.inode, s.digest) for rel, s in stamps.items()}
        if any(s[3] is None and s[0] != -1 for s in files.values()):
            return
        try:
            self._folder()
            self._write(self._result(name), ResultHead(code_fingerprint(), key, listing, files, time.time_ns()), result)
        except (OSError, pickle.PicklingError, RecursionError):
            pass


class _TextLoader:
    """Reads a cached file's text when a write needs it, and checks it is what was parsed:
    by its digest, or (when its entry was trusted on size, mtime and inode alone, not in
    doubt) by the same size, mtime and inode after reading it, which the same rule trusts."""

    def __init__(self, path: Path, rel: str, sha: str, data: bytes | None = None, seen: tuple | None = None):
        self.path, self.rel, self.sha, self.data = path, rel, sha, data   # data: read and checked already
        self.seen = seen if data is None else None    # (size, mtime_ns, inode) trusted without doubt

    def read_bytes(self) -> bytes:
        if self.data is None:
            with open(self.path, "rb") as fh:
                data = fh.read()
                st = os.fstat(fh.fileno())
            if not (self.seen is not None and (st.st_size, st.st_mtime_ns, st.st_ino) == self.seen
                    and len(data) == st.st_size) and digest(data) != self.sha:
                raise DataError(f"{self.rel}: changed on disk since it was read (edited by hand?); "
                                "nothing was written, run the command again")
            self.data = data
        return self.data

    def unchanged(self) -> bool:
        """Whether the file is still as read, by the rule that trusted it (no reading again)."""
        if self.seen is None:
            return False
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns, st.st_ino) == self.seen

    def __call__(self) -> str:
        text = self.read_bytes().decode("utf-8")
        return text[1:] if text.startswith("\ufeff") else text
