"""A parse cache per book file, in the book's git-ignored `.freelance/cache/`.

Parsing YAML is most of the time a command spends on a big book; the parsed
records of a file that did not change are the same. So after parsing a file,
`Book` stores its records and problems here (a pickle), under a header with
what the file looked like: size, mtime_ns, inode, and the SHA-1 of its bytes.
On the next read the header is compared with `os.stat` of the file:

- any of size, mtime_ns, inode differs: the entry is stale; the file is parsed
  again and the entry rewritten. An edit of one year's shard re-parses only
  that shard; a write through `writer.apply` (a rename: a new inode) too.
- they match but the file's mtime is within 2 seconds of now or of when the
  entry was written (a same-size edit in the same clock tick could hide):
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
import tempfile
import time
from pathlib import Path

from .errors import DataError
from .yamlio import FileResult, Record

FORMAT = 2
DOUBT_NS = 2_000_000_000          # mtime this close to now or to the entry: check the content
_FINGERPRINT: str | None = None
_CODE: str | None = None


def fingerprint() -> str:
    """What the parsed form depends on: this format, Python, and the reader's and schema's source."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        from . import cache, errors, graph, schema, yamlio
        h = hashlib.sha1(f"{FORMAT} {sys.version_info[:2]}".encode())
        files = [Path(m.__file__) for m in (yamlio, schema, errors, cache, graph)]
        for f in files + [files[0].with_name("fastread.py")]:
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


def summarize(kind: str, records) -> dict:
    """A file's summary, kept in its entry's header, for writes that would otherwise load a
    whole kind: for transactions, "received": invoice id -> the sum of the received income
    linked to it (what `Graph.received_income` adds up, file by file); for invoices,
    "status": invoice id -> its status (the first record of an id, as `Book.index`)."""
    if kind == "invoice":
        status: dict = {}
        for r in records:
            rid = r.id
            if rid and rid not in status:
                status[rid] = r.data.get("status")
        return {"status": status}
    if kind != "transaction":
        return {}
    from .graph import ZERO, dec
    out: dict = {}
    for r in records:
        d = r.data
        v = d.get("invoice")
        if v is None or d.get("kind") != "income" or d.get("received") is not True:
            continue
        keys = [x for x in v if isinstance(x, str)] if isinstance(v, list) else [v if v.__class__ is str else str(v)]
        amount = dec(d.get("amount"))
        for k in keys:
            out[k] = out.get(k, ZERO) + amount
    return {"received": out}


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
    """The summary of a file's records followed by more records: sums add up, and the first
    record of an id stays the one that counts."""
    out = {}
    for part in first.keys() | then.keys():
        a, b = first.get(part, {}), then.get(part, {})
        if part == "received":
            out[part] = {**a, **{k: a[k] + v if k in a else v for k, v in b.items()}}
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

    def entry(self, rel: str) -> Path:
        return self.folder / (rel.replace("/", "%") + ".pickle")

    def tail_entry(self, rel: str) -> Path:
        return self.folder / (rel.replace("/", "%") + ".tail.pickle")

    def _current(self, path: Path, stamp: tuple, written_ns: int):
        """(True, text or None) if the file is as `stamp` (size, mtime_ns, inode, sha) says, by the
        rules above; the text when in doubt it had to be read and hashed. (False, None) if not."""
        size, mtime_ns, inode, sha = stamp
        st = os.stat(path)
        if (size, mtime_ns, inode) != (st.st_size, st.st_mtime_ns, st.st_ino):
            return False, None
        text = None
        if time.time_ns() - mtime_ns < DOUBT_NS or written_ns - mtime_ns < DOUBT_NS:
            with open(path, "rb") as f2:
                data = f2.read()
            if digest(data) != sha:
                return False, None
            text = data.decode("utf-8")
            if text.startswith("\ufeff"):
                text = text[1:]
        return True, text

    def _trusted(self, fh, rel: str, path: Path):
        """What describes `path` as it is now: (stamp, summary, text or None, tail or None),
        from the entry's header, or from its tail's (the changes written since the entry,
        `store_tail`); None when neither does."""
        head = pickle.load(fh)
        if not (isinstance(head, tuple) and len(head) == 9) or head[:2] != (fingerprint(), rel):
            return None
        stamp, written_ns, summary = head[2:6], head[6], head[8]
        ok, text = self._current(path, stamp, written_ns)
        if ok:
            return stamp, summary, text, None
        with open(self.tail_entry(rel), "rb") as tf:
            thead = pickle.load(tf)
            if not (isinstance(thead, tuple) and len(thead) == 6) or thead[:3] != (fingerprint(), rel, stamp):
                return None
            ok, text = self._current(path, thead[3], thead[4])
            if not ok:
                return None
            return thead[3], thead[5], text, (stamp, pickle.load(tf))

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
        stamp, _, text, tail = found
        if tail is not None:
            if problems or not parsed:
                return None
            records = replay(records, tail[1])
            self.tails[rel] = tail
        res = FileResult(records, problems, parsed, text)
        if text is None:
            res.load_text = _TextLoader(path, rel, stamp[3])
        return res, stamp

    def summary(self, rel: str, path: Path) -> dict | None:
        """The file's summary (`summarize`) from its entry's header (or its tail's), without loading
        its records; None when the entry cannot be trusted."""
        try:
            with open(self.entry(rel), "rb") as fh:
                found = self._trusted(fh, rel, path)
        except Exception:
            return None
        return None if found is None else found[1]

    def store(self, rel: str, stamp, res: FileResult, kind: str = "") -> None:
        """Write the entry for a file just parsed; a cache that cannot be written is no cache."""
        try:
            self._folder()
            head = (fingerprint(), rel, stamp.size, stamp.mtime_ns, stamp.inode, stamp.digest, time.time_ns(),
                    FORMAT, summarize(kind, res.records))
            self._write(self.entry(rel), head, (res.records, res.problems, res.parsed))
        except (OSError, pickle.PicklingError, RecursionError):
            pass

    def store_tail(self, rel: str, base: tuple, stamp, tail: list, res: FileResult, kind: str = "") -> bool:
        """After a write: the changes (`replay`) made since the entry (still describing the file
        as it was, `base`) was written, so the entry need not be pickled whole again. `res` is
        the whole file as it reads now (for its summary, unless only appends were made).
        False when the entry beside it is not `base` (then write the entry whole)."""
        try:
            with open(self.entry(rel), "rb") as fh:
                head = pickle.load(fh)
            if not (isinstance(head, tuple) and len(head) == 9 and head[:2] == (fingerprint(), rel)
                    and head[2:6] == base):
                return False
            if all(change[0] == "append" for change in tail):
                summary = merge(head[8], summarize(kind, [r for change in tail for r in change[1]]))
            else:
                summary = summarize(kind, res.records)
            head = (fingerprint(), rel, base, (stamp.size, stamp.mtime_ns, stamp.inode, stamp.digest),
                    time.time_ns(), summary)
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
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
        enabled = gc.isenabled()
        gc.disable()            # pickling allocates a memo entry per object: collections are waste
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(head, fh, protocol=5)
                pickle.dump(body, fh, protocol=5)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
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
                if not (isinstance(head, tuple) and len(head) == 5):
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
                    if now - mtime_ns < DOUBT_NS or written_ns - mtime_ns < DOUBT_NS:
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
            self._write(self._result(name), (code_fingerprint(), key, listing, files, time.time_ns()), result)
        except (OSError, pickle.PicklingError, RecursionError):
            pass


class _TextLoader:
    """Reads a cached file's text when a write needs it, and checks it is what was parsed."""

    def __init__(self, path: Path, rel: str, sha: str):
        self.path, self.rel, self.sha = path, rel, sha

    def __call__(self) -> str:
        with open(self.path, "rb") as fh:
            data = fh.read()
        if digest(data) != self.sha:
            raise DataError(f"{self.rel}: changed on disk since it was read (edited by hand?); "
                            "nothing was written, run the command again")
        text = data.decode("utf-8")
        return text[1:] if text.startswith("\ufeff") else text
