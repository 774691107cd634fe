"""A parse cache per book file, in the user's own cache folder (never in the book).

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

Pickle runs code from what it loads, so nothing that comes with a book, or
from a place another user can write, is ever unpickled (docs/cache-trust.md):
the entries live in `$XDG_CACHE_HOME/freelance/<hash of the book's real path>/`
(or `~/.cache/freelance/...`), folders mode 0700 owned by the user, and each
part of an entry carries an HMAC-SHA256 with a per-user key (`key` in that
root, mode 0600, made on first use). The MAC is read with the bytes and
checked before `pickle.loads` sees them; an entry that fails is ignored (the
file is parsed again). A `.freelance/cache/` inside a book is never read.

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
import hmac
import os
import pickle
import stat
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from ..core.errors import DataError
from ..core.money import ZERO
from ..core.rules import settles_invoice
from .atomic import replacing
from .files import MAX_FILE_BYTES, read_regular
from .records import FileResult

FORMAT = 5
MAGIC = b"FLCACHE5"                # an entry: MAGIC, len(head) (8 bytes), MAC(head), head, MAC(body), body
MAC_SIZE = 32                     # HMAC-SHA256
KEY_SIZE = 32
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
PACKAGE = Path(__file__).resolve().parent.parent          # freelance/ (this module is freelance/store/cache.py)
# What the parsed form depends on, relative to PACKAGE: the reader, the schema, the errors and
# money (the summaries' sums). A path that is not a file fails tests/test_scans.py: a module
# moved (as when the floors became folders) would otherwise be hashed as missing, for ever.
READER_SOURCES = ("store/records.py", "store/scalars.py", "store/yamlio.py", "store/fastread.py", "store/cache.py",
                  "core/schema.py", "core/errors.py", "core/money.py", "core/rules.py")


def _hashed(files) -> str:
    h = hashlib.sha1(f"{FORMAT} {sys.version_info[:2]}".encode())
    for f in files:
        h.update(f.relative_to(PACKAGE).as_posix().encode() + b"\0")
        try:
            h.update(f.read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()


def fingerprint() -> str:
    """What the parsed form depends on: this format, Python, and the source of READER_SOURCES.
    Not the read side: a change of a rollup keeps every user's parse cache."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        _FINGERPRINT = _hashed(PACKAGE / rel for rel in READER_SOURCES)
    return _FINGERPRINT


def code_sources() -> list[Path]:
    """Every module of the package, the read side and the faces included."""
    return sorted(PACKAGE.rglob("*.py"))


def code_fingerprint() -> str:
    """What a command's result may depend on: Python and the source of every module of the package."""
    global _CODE
    if _CODE is None:
        _CODE = _hashed(code_sources())
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
        out["payers"] = payers_of(records)
    return out


def payers_of(records) -> dict:
    """How the clients pay, for matching a bank statement (changes/matching.py): "iban\tclient"
    and "name\tclient" (the payee as written) -> how many of the client's income records carry it."""
    out: dict = {}
    for r in records:
        d = r.data
        client = d.get("client")
        if client is None or d.get("kind") != "income" or d.get("classification") not in (None, "client"):
            continue
        for tag, key in (("i", "iban"), ("n", "payee")):
            v = d.get(key)
            if v:
                k = f"{tag}{v}\t{client}"
                out[k] = out.get(k, 0) + 1
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
        got = settles_invoice(d) if v is not None else None     # its amount and the bank's fee
        if got is None:
            continue
        keys = [x for x in v if isinstance(x, str)] if isinstance(v, list) else [v if v.__class__ is str else str(v)]
        amount = got[0] + got[1]
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
    if "payers" in summary:
        got = dict(summary["payers"])
        for sign, r in ((-1, old), (1, new)):
            for k, v in (payers_of([r]) if r is not None else {}).items():
                n = got.get(k, 0) + sign * v
                if n > 0:
                    got[k] = n
                else:
                    got.pop(k, None)
        out["payers"] = got
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
        elif part == "payers":
            if "payers" not in first or "payers" not in then:
                continue                # an entry written before payers were kept: none, not some
            got = dict(a)
            for k, v in b.items():
                got[k] = got.get(k, 0) + v
            out[part] = got
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


# -- where entries live, and the key that vouches for them ---------------------
def cache_home() -> Path:
    """The user's cache root: `$XDG_CACHE_HOME/freelance` (an absolute path, as the XDG
    spec says), else `~/.cache/freelance`."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "freelance"


def _private(folder: Path, make: bool) -> bool:
    """Whether `folder` is a folder only this user can write: made (mode 0700) when `make`
    and missing; one of ours with looser modes is tightened; anyone else's is not used."""
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        if not make:
            return False
        try:
            os.makedirs(folder.parent, exist_ok=True)
            os.mkdir(folder, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return False
        try:
            st = os.stat(folder)
        except OSError:
            return False
    except OSError:
        return False
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        return False
    if st.st_mode & 0o077:
        try:
            os.chmod(folder, 0o700)
        except OSError:
            return False
    return True


_KEYS: dict[str, bytes | None] = {}


def user_key(make: bool) -> bytes | None:
    """The user's cache key (`key` in `cache_home()`, mode 0600): made on first use when
    `make`; None when there is none, or it or its folder could be someone else's."""
    home = cache_home()
    known = _KEYS.get(str(home))
    if known is not None:
        return known
    if not _private(home, make):
        return None
    path = home / "key"
    key = _read_key(path)
    if key is None and make:
        tmp = home / f".key.{os.getpid()}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            try:
                os.write(fd, os.urandom(KEY_SIZE))
                os.fsync(fd)
            finally:
                os.close(fd)
            try:
                os.link(tmp, path)              # never replaces a key another process just made
            except FileExistsError:
                if _read_key(path) is None:     # a bad one (wrong mode, size, owner): ours replaces it
                    os.replace(tmp, path)
        except OSError:
            return None
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        key = _read_key(path)
    if key is not None:
        _KEYS[str(home)] = key
    return key


def _read_key(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o077 \
                or st.st_size != KEY_SIZE:
            return None
        key = os.read(fd, KEY_SIZE + 1)
        return key if len(key) == KEY_SIZE else None
    except OSError:
        return None
    finally:
        os.close(fd)


def book_id(root: Path) -> str:
    """The name of a book's folder in the cache: a hash of its real path."""
    return hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:32]


class Untrusted(Exception):
    """An entry that is missing, of another format, cut short, or whose MAC does not match."""


class _MacWriter:
    """A file handle that feeds what is written to an HMAC too (pickle streams into it)."""

    def __init__(self, fh, mac):
        self.fh, self.mac = fh, mac

    def write(self, b) -> int:
        self.mac.update(b)
        return self.fh.write(b)


class ParseCache:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.id = book_id(self.root)
        self.folder = cache_home() / self.id
        self.tails: dict[str, tuple] = {}    # rel -> (entry's stamp, tail's changes) of what `load` joined
        self._headers: dict[str, tuple] = {}  # rel -> ((size, mtime_ns, inode), `header`'s answer)

    def entry(self, rel: str) -> Path:
        return self.folder / (rel.replace("/", "%") + ".pickle")

    def tail_entry(self, rel: str) -> Path:
        return self.folder / (rel.replace("/", "%") + ".tail.pickle")

    # -- sealed entries: nothing is unpickled before its MAC is checked ----------
    def _label(self, target: Path) -> bytes:
        """What a MAC covers besides the bytes: whose entry it is (the book, the file's entry name),
        so an entry moved to another name or book does not verify."""
        return f"{self.id}/{target.name}\0".encode()

    def _read(self, target: Path, body: bool = True):
        """(head, body loader) of the entry at `target`: the head unpickled only once its MAC is
        checked; the loader (None unless `body`) checks the body's MAC, then unpickles it.
        Raises when the entry is missing, not ours, or does not verify (`Untrusted`)."""
        key = user_key(False)
        if key is None:
            raise Untrusted(target)
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise Untrusted(target)
            data = fh.read() if body else fh.read(48)
            if len(data) < 48 or data[:8] != MAGIC:
                raise Untrusted(target)
            n = int.from_bytes(data[8:16], "little")
            if not body:
                data += fh.read(n)
        view = memoryview(data)
        head_mac, head = view[16:48], view[48:48 + n]
        if len(head) != n or not hmac.compare_digest(hmac.digest(key, self._label(target) + head, "sha256"), head_mac):
            raise Untrusted(target)
        loaded = pickle.loads(head)
        if not body:
            return loaded, None

        def load_body():
            rest = view[48 + n:]
            mac = hmac.new(key, head_mac, "sha256")
            mac.update(rest[MAC_SIZE:])
            if len(rest) < MAC_SIZE or not hmac.compare_digest(mac.digest(), rest[:MAC_SIZE]):
                raise Untrusted(target)
            return pickle.loads(rest[MAC_SIZE:])
        return loaded, load_body

    def _write(self, target: Path, head, body) -> None:
        key = user_key(True)
        if key is None:
            raise OSError("no cache key")
        enabled = gc.isenabled()
        gc.disable()            # pickling allocates a memo entry per object: collections are waste
        try:
            head_bytes = pickle.dumps(head, protocol=5)
            head_mac = hmac.digest(key, self._label(target) + head_bytes, "sha256")
            with replacing(str(target), fsync=False, keep_mode=False) as fh:   # a cache: no fsync, mode 0600
                fh.write(MAGIC + len(head_bytes).to_bytes(8, "little") + head_mac + head_bytes)
                at = fh.tell()
                fh.write(bytes(MAC_SIZE))
                mac = hmac.new(key, head_mac, "sha256")
                pickle.dump(body, _MacWriter(fh, mac), protocol=5)
                fh.seek(at)
                fh.write(mac.digest())
        finally:
            if enabled:
                gc.enable()

    def _folder(self) -> None:
        """The book's folder in the cache, made (mode 0700) if missing; OSError if it cannot be ours."""
        if user_key(True) is None or not _private(self.folder, True):
            raise OSError(f"{self.folder}: not a private cache folder")

    # -- a file's entry ----------------------------------------------------------
    def _current(self, path: Path, stamp: tuple, written_ns: int):
        """(True, bytes or None) if the file is as `stamp` (size, mtime_ns, inode, sha) says, by the
        rules above; its bytes when in doubt they had to be read and hashed. (False, None) if not."""
        size, mtime_ns, inode, sha = stamp
        st = os.stat(path)
        if (size, mtime_ns, inode) != (st.st_size, st.st_mtime_ns, st.st_ino) or not stat.S_ISREG(st.st_mode):
            return False, None
        data = None
        if in_doubt(mtime_ns, written_ns):
            data = read_regular(path, str(path), size)[0]   # grown past `size`: raises, not trusted
            if digest(data) != sha:
                return False, None
        return True, data

    def _trusted(self, head, rel: str, path: Path):
        """What describes `path` as it is now: (stamp, summary, bytes or None, tail or None),
        from the entry's header, or from its tail's (the changes written since the entry,
        `store_tail`); None when neither does."""
        if not isinstance(head, Head) or (head.fingerprint, head.rel) != (fingerprint(), rel):
            return None
        stamp = head.stamp
        ok, data = self._current(path, stamp, head.written_ns)
        if ok:
            return stamp, head.summary, data, None
        thead, changes = self._read(self.tail_entry(rel))
        if not isinstance(thead, TailHead) or (thead.fingerprint, thead.rel, thead.base) != (fingerprint(), rel, stamp):
            return None
        ok, data = self._current(path, thead.stamp, thead.written_ns)
        if not ok:
            return None
        return thead.stamp, thead.summary, data, (stamp, changes())

    def load(self, rel: str, path: Path):
        """(FileResult, (size, mtime_ns, inode, digest)) from the cache, or None when it cannot be trusted.
        When it came with a tail, `tails[rel]` is (the entry's own stamp, the tail's changes)."""
        try:
            head, body = self._read(self.entry(rel))
            found = self._trusted(head, rel, path)
            if found is None:
                return None
            records, problems, parsed = body()
        except Exception:       # missing, stale format, truncated, corrupt, not verified: parse the file instead
            return None
        stamp, _, data, tail = found
        if tail is not None:
            if problems or not parsed:
                return None
            records = replay(records, tail[1])
            self.tails[rel] = tail
        res = FileResult(records, problems, parsed, None)
        res.load_text = TextLoader(path, rel, stamp[3], data, stamp[:3])
        return res, stamp

    def load_since(self, rel: str, path: Path, base: tuple, seen: int, records: list):
        """(FileResult, stamp) of the file as its entry's tail says it is now, replayed on
        `records` (what the entry of stamp `base` and the first `seen` changes of its tail
        gave): the changes since, without unpickling the entry's records again (25,000
        invoices for one marked paid). None when the entry is another or not trusted."""
        try:
            found = self._trusted(self._read(self.entry(rel), body=False)[0], rel, path)
        except Exception:
            return None
        if found is None or found[3] is None:
            return None
        stamp, _, data, (own, changes) = found
        if own != base or len(changes) < seen:
            return None
        self.tails[rel] = (own, changes)
        res = FileResult(replay(records, changes[seen:]), [], True, None)
        res.load_text = TextLoader(path, rel, stamp[3], data, stamp[:3])
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
            found = self._trusted(self._read(self.entry(rel), body=False)[0], rel, path)
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
            head, _ = self._read(self.entry(rel), body=False)
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

    # -- whole results ---------------------------------------------------------
    def _result(self, name: str) -> Path:
        return self.folder / f"%{name}.pickle"      # '%': no book file's entry starts with it

    def load_result(self, name: str, key, listing: list[str]):
        """The result stored under `name`, if it was computed with `key`, on the files of
        `listing`, none of which changed since (the same rules as a file's entry); else None."""
        try:
            head, body = self._read(self._result(name))
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
                if (st.st_size, st.st_mtime_ns, st.st_ino) != (size, mtime_ns, inode) or not stat.S_ISREG(st.st_mode):
                    return None
                if in_doubt(mtime_ns, written_ns, now):
                    if digest(read_regular(self.root / rel, rel, size)[0]) != sha:
                        return None
            return body()
        except Exception:       # missing, truncated, corrupt, not verified, unreadable: compute it again
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


class TextLoader:
    """Reads a cached file's text when a write needs it, and checks it is what was parsed:
    by its digest, or (when its entry was trusted on size, mtime and inode alone, not in
    doubt) by the same size, mtime and inode after reading it, which the same rule trusts."""

    def __init__(self, path: Path, rel: str, sha: str, data: bytes | None = None, seen: tuple | None = None):
        self.path, self.rel, self.sha, self.data = path, rel, sha, data   # data: read and checked already
        self.seen = seen if data is None else None    # (size, mtime_ns, inode) trusted without doubt

    def read_bytes(self) -> bytes:
        if self.data is None:
            data, st = read_regular(self.path, self.rel, MAX_FILE_BYTES)
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
