"""The book: a folder of YAML files, loaded lazily, kind by kind.

`Book` is the only way the rest of the package reads files. It reads a
kind's files the first time that kind is asked for, remembers what each file
looked like (so a write can tell that someone edited it since), and collects
every problem it meets as a value.
"""
from __future__ import annotations

import copy
import datetime as dt
import gc
import os
import re
import subprocess
import weakref
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from ..core.errors import DataError, Problem, UsageError
from ..core.schema import KINDS, Kind, kind_for_path
from ..core.settings import SETTINGS_FILE, Settings, merged
from .atomic import recover
from .files import Within, read_book_file
from .records import FileResult, Record, Stamp
from .yamlio import read_mapping, read_records
from ..core.money import ZERO
from .cache import ParseCache, TextLoader, amend, locator, summarize
from .parallel import parse_many

STATE_DIR = ".freelance"
JOURNAL = f"{STATE_DIR}/commit"      # a group of writes under way (store/atomic.py)
TAIL_MAX = 2000     # records appended or changed in a file before its cache entry is written whole again
PEEK_BYTES = 256_000  # a file this big is peeked at (`Book.peek`) rather than loaded, for one record
PEEK_RECORDS = 16     # records read one by one from a peeked file before it is loaded whole instead:
                     # each costs a scan of the file's bytes, so asking for every record of it would be quadratic
_MISSING = object()
_GENERATED = re.compile(r"([a-z]+)-([0-9]{4})[0-9]{4}-[0-9a-f]+\Z")   # tx-20261120-a3f9c2


def find_book(explicit: str | None = None, start: Path | None = None) -> Path:
    """`--books`, else $FREELANCE_BOOKS, else the nearest folder upward with freelance.yaml
    (or data/freelance.yaml), if it is the user's own or listed in their config (`_own`)."""
    chosen = explicit or os.environ.get("FREELANCE_BOOKS")
    if chosen:
        root = Path(chosen).expanduser()
        if not (root / SETTINGS_FILE).is_file():
            raise UsageError(f"{root}: not a book (no {SETTINGS_FILE}); create one with `freelance init {chosen}`")
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for book in (folder, folder / "data"):
            if (book / SETTINGS_FILE).is_file():
                return _own(book, here)
    raise UsageError("no book found: no freelance.yaml here or above; "
                     "use --books DIR, set FREELANCE_BOOKS, or create one with `freelance init DIR`")


def config_file() -> Path:
    """The user's own settings for freelance (not a book's): `$XDG_CONFIG_HOME/freelance/config.yaml`,
    else `~/.config/freelance/config.yaml`. It holds `safe_books:`, a list of folders."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "freelance" / "config.yaml"


def safe_books() -> list[str]:
    """The real paths of the books listed under `safe_books:` in the user's config file."""
    path = config_file()
    try:
        with open(path, "rb") as fh:
            data = fh.read(1_000_000)
    except OSError:
        return []
    raw, _, problems = read_mapping(data, str(path))
    if raw is None or any(p.is_error for p in problems):
        first = next((p for p in problems if p.is_error), None)
        raise UsageError(f"{first or path}: the config file does not read as YAML")
    listed = raw.get("safe_books") or []
    if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
        raise UsageError(f"{path}: safe_books: expected a list of folders, like safe_books: [~/books]")
    return [os.path.realpath(os.path.expanduser(x)) for x in listed]


def _own(book: Path, here: Path) -> Path:
    """`book`, found by looking upward from `here`, if it is the user's (its folder and its
    freelance.yaml belong to them) or listed in their config's safe_books; else refused,
    as git refuses a repository of another user (`safe.directory`): whoever can write a
    folder above yours could have put it there."""
    me = os.geteuid() if hasattr(os, "geteuid") else None
    owners = set()
    for p in (book, book / SETTINGS_FILE):
        try:
            owners.add(os.stat(p).st_uid)
        except OSError:
            pass
    if me is None or owners <= {me}:
        return book
    if os.path.realpath(book) in safe_books():
        return book
    other = next(uid for uid in sorted(owners) if uid != me)
    raise UsageError(f"{book}: found by looking upward from {here}, but it belongs to another user (uid {other}); "
                     f"not opened, since anyone who can write a folder above yours could have put it there. "
                     f"If you trust it, name it: freelance --books {book} ..., "
                     f"or list it under safe_books: in {config_file()}")


def tracked_state_files(root: Path) -> list[str]:
    """The files under the book's `.freelance/` that git tracks (book-relative, sorted): [] when
    it holds nothing but the lock, the book is not in a git repository, or there is no git."""
    try:
        names = [n for n in os.listdir(Path(root) / STATE_DIR) if n not in ("lock", "run.lock", ".gitignore")]
    except OSError:
        return []
    if not names:
        return []
    try:
        p = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", STATE_DIR],
                           capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return []
    if p.returncode != 0:
        return []
    return sorted(os.fsdecode(x) for x in p.stdout.split(b"\0") if x)


@contextmanager
def _no_gc():
    """Loading builds many objects and frees none: the cyclic collector would only slow it down.
    Afterwards they are frozen (moved out of the collector's generations): a command keeps what
    it loaded until it ends, so a collection that walks 150,000 records again finds nothing,
    and costs the checks of `validate` a third of their time. Freed by reference count as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


class Peek:
    """A big file known from its cache entry's header alone (`Book.peek`): its stamp, its
    summary (every record's id and item line, in file order), its bytes when asked, and
    the records read from it one at a time (index -> record, and their byte spans)."""

    __slots__ = ("rel", "kind", "summary", "_loader", "_ids", "_where", "_plain", "records", "spans", "scans")

    def __init__(self, rel: str, kind: Kind, summary: dict, loader):
        self.rel, self.kind, self.summary, self._loader = rel, kind, summary, loader
        self._ids: tuple | None = None
        self._where: dict | None = None      # id -> its index in file order (the first, if repeated)
        self._plain: bool | None = None      # whether the bytes have no CR (known after one look)
        self.records: dict[int, Record] = {}
        self.spans: dict[int, tuple[int, int]] = {}
        self.scans = 0                       # searches of the file's bytes for a record (`Book._peek_record`)

    @property
    def data(self) -> bytes | None:
        """The file's bytes, checked against the entry's digest; None if it changed since."""
        try:
            return self._loader.read_bytes()
        except Exception:
            return None

    @property
    def plain_data(self) -> bytes | None:
        """`data` if a record's bytes can be spliced into it as they are: None for a file with
        CR line ends (the writer keeps them, `writer._as_before`), so it is loaded instead."""
        data = self.data
        if data is None:
            return None
        if self._plain is None:
            self._plain = b"\r" not in data
        return data if self._plain else None

    @property
    def ids(self) -> tuple[list, list]:
        """(ids, item lines) of the records, in file order (`cache.locator`)."""
        if self._ids is None:
            self._ids = locator(self.summary)
        return self._ids

    def position(self, rid: str) -> int | None:
        """The index (in file order) of record `rid`, None when the file has no such id."""
        if self._where is None:
            where: dict = {}
            for i, x in enumerate(self.ids[0]):
                where.setdefault(x, i)
            self._where = where
        return self._where.get(rid)

    def full(self) -> bool:
        """Whether enough records were read one by one that the next is read by loading the file
        whole (PEEK_RECORDS): a peek is for a write's few records, not for a report's thousands."""
        return len(self.records) >= PEEK_RECORDS

    def index_of(self, record: Record) -> int | None:
        return next((i for i, r in self.records.items() if r is record), None)

    def appendable(self) -> bool:
        """Whether a record can be appended without reading the others: at least one record
        (an empty file may be `[]` or `~`), one `- ` line per record, LF line ends and nothing
        that ends the document early."""
        data = self.plain_data
        if data is None or not self.ids[0]:
            return False
        items = data.count(b"\n-") + data.startswith(b"-")
        return items == len(self.ids[0]) and b"\n..." not in data and not data.startswith(b"...")


class Book:
    def __init__(self, root: Path, today: dt.date, cache: bool = True):
        self.root = Path(root)
        self.today = today
        self.inside = Within(self.root)    # rel -> its real path, when inside the book (store/files.py)
        self.cache = None
        if cache:
            self.cache = ParseCache(self.root)
        self.parsed: list[str] = []   # files parsed from YAML (not taken from the cache) by this Book
        self.files: dict[str, FileResult] = {}
        self._ready: dict[str, tuple] = {}   # rel -> (FileResult, stamp, parsed?) read ahead by load_all
        self._bases: dict[str, tuple] = {}   # rel -> (stamp its cache entry describes, its tail, records read)
        self.stamps: dict[str, Stamp] = {}
        self._records: dict[str, list[Record]] = {}
        self._index: dict[str, dict[str, Record]] = {}
        self.problems: list[Problem] = []
        self._peeks: dict[str, Peek | None] = {}   # rel -> what `peek` knows (None: load it instead)
        self._summaries: dict[str, tuple] = {}    # rel -> (its loaded FileResult, the summary made of it)
        self._file_idx: dict[str, tuple] = {}     # rel -> (its loaded FileResult, id -> record of it)
        self._on_disk: dict | None = None          # the files' stamps when `reload` made this book
        self.base = None                           # (a weak reference to) the book `reload` made this from, and
        self.changes: dict[str, tuple[list, list]] = {}   # kind -> (records gone, records come) since
        self.reread: set[str] = set()              # the kinds whose files changed since (read again, or to be)
        if self.interrupted():          # a command killed while writing: finish (or undo) it first
            try:
                with lock(self.root, timeout=0):    # (the lock held elsewhere: that command is still writing)
                    pass
            except DataError:
                pass
        self._load_settings()

    # -- settings -----------------------------------------------------------
    def _load_settings(self):
        data = self._read_bytes(SETTINGS_FILE)
        if data is None:
            raise UsageError(f"{self.root}: not a book (no {SETTINGS_FILE})")
        raw, lines, problems = read_mapping(data, SETTINGS_FILE)
        self.problems.extend(problems)
        self.settings_problems = problems
        self.settings_parsed = raw is not None
        self.settings = Settings(merged(raw or {}), lines)

    # -- files ----------------------------------------------------------------
    def path(self, rel: str) -> Path:
        return self.root / rel

    def _read_bytes(self, rel: str) -> bytes | None:
        """A book file's bytes (None when missing), read only if it is a plain file in the
        book's folder of a size a book can have (store/files.py)."""
        got = read_book_file(self.root, rel, within=self.inside)
        if got is None:
            self.stamps[rel] = Stamp(None, None)
            return None
        data, st = got
        self.stamps[rel] = Stamp(data, st)
        return data

    def raw(self, rel: str) -> bytes | None:
        """A small file's bytes (None when missing), remembered so a write can tell it changed since."""
        return self._read_bytes(rel)

    def files_of(self, kind: Kind) -> list[str]:
        """The book-relative files that hold `kind`, shards in year order."""
        if not kind.sharded:
            return [kind.path]
        folder = self.path(kind.path)
        if not folder.is_dir():
            return []
        return sorted(f"{kind.path}/{p.name}" for p in folder.iterdir()
                      if p.suffix == ".yaml" and not p.name.startswith("."))

    def shard_for(self, kind: Kind, value) -> str:
        if not kind.sharded:
            return kind.path
        year = getattr(value, "year", None) or self.today.year
        return f"{kind.path}/{year}.yaml"

    def shard_of_id(self, kind: Kind, rid: str) -> str | None:
        """The shard a generated id (`tx-20261120-a3f9c2`) was minted for: its date's year
        (docs/ids.md). None for ids of another form, or whose year has no shard."""
        if not (kind.sharded and kind.id_prefix):
            return None
        m = _GENERATED.match(str(rid))
        if m is None or m.group(1) != kind.id_prefix:
            return None
        rel = f"{kind.path}/{m.group(2)}.yaml"
        return rel if self.path(rel).is_file() else None

    def find_generated(self, kind: Kind, rid: str) -> Record | None:
        """Record `rid` looked up in the shard its generated id names, reading only that
        file; None when not there (then search everything: the record may have moved)."""
        if kind.name in self._records:       # everything is loaded already: the index decides
            return None
        rel = self.shard_of_id(kind, rid)
        if rel is None:
            return None
        p = self.peek(rel, kind)
        if p is not None and not p.full():
            rec = self._peek_record(p, rid)
            if rec is not _MISSING:
                return rec
        for r in self.read_file(rel, kind).records:
            if r.data.get("id") == rid:
                return r
        return None

    def read_file(self, rel: str, kind: Kind) -> FileResult:
        if rel not in self.files:
            self.inside(rel)                   # a link out of the book: refused, even with a cache entry
            self._peeks.pop(rel, None)         # loaded whole now: records come from here
            ready = self._ready.pop(rel, None) if self._ready else None
            hit = None if ready is not None else \
                self.cache.load(rel, self.path(rel)) if self.cache is not None else None
            if ready is not None:
                res, known, was_parsed = ready
                self.stamps[rel] = Stamp(None, None, known)
                if was_parsed:
                    self.parsed.append(rel)
            elif hit is not None:
                res, known = hit
                self.stamps[rel] = Stamp(None, None, known)
            else:
                data = self._read_bytes(rel)
                if data is None:
                    res = FileResult([], [], True, "")
                else:
                    with _no_gc():
                        res = read_records(data, rel, kind)
                    self.parsed.append(rel)
                    if self.cache is not None:
                        self.cache.store(rel, self.stamps[rel], res, kind.name)
            self.files[rel] = res
            self.problems.extend(res.problems)
            if self.cache is not None:
                st = self.stamps[rel]
                base, tail = self.cache.tails.pop(rel, None) or ((st.size, st.mtime_ns, st.inode, st.digest), [])
                self._bases[rel] = (base, tail, res.records)
        return self.files[rel]

    def cache_written(self, rel: str, data: bytes, res: FileResult, change=None) -> None:
        """Store what a file just written reads as (known without parsing it) in the cache,
        so the next command does not parse the shard it appended to or edited. When the
        write was planned on the records read from a current entry (and its tail), only the
        change goes to the entry's tail (up to TAIL_MAX records): the entry itself, maybe
        25,000 invoices, is not pickled whole again."""
        try:
            st = os.stat(self.path(rel))
        except OSError:
            return
        stamp = Stamp(data, st)
        if stamp.size != len(data):
            return
        kind = next((k.name for k in KINDS.values() if rel == k.path or (k.sharded and rel.startswith(k.path + "/"))), "")
        base = self._bases.pop(rel, None)
        if base is not None and change is not None and change.base is base[2] and (res is None or not res.problems):
            entry, tail, token = base
            tail = tail + [change.change]
            summary = None
            if isinstance(token, Peek):        # planned on a peeked file: no records to summarize
                summary = amend(kind, token.summary, change.change, change.record,
                                token.ids)
            if sum(len(c[1]) if c[0] == "append" else 1 for c in tail) <= TAIL_MAX and \
                    (summary is not None or res is not None):
                if self.cache.store_tail(rel, entry, stamp, tail, res, kind, summary):
                    return
            if res is None:       # a peeked file whose tail is full: parse it, once, to write it whole
                res = read_records(data, rel, KINDS[kind])
        if res is not None:
            self.cache.store(rel, stamp, res, kind)

    def summary(self, rel: str, kind: Kind) -> dict:
        """The file's summary (`cache.summarize`): from its cache entry's header, without loading
        its records, unless they are loaded already (or there is no usable entry)."""
        if rel not in self.files and self.cache is not None:
            found = self.cache.summary(rel, self.path(rel))
            if found is not None:
                return found
        res = self.read_file(rel, kind)
        known = self._summaries.get(rel)
        if known is None or known[0] is not res:   # once per loaded file, not per question asked of it
            known = self._summaries[rel] = (res, summarize(kind.name, res.records))
        return known[1]

    def received_for_invoice(self, invoice_id: str):
        """The sum of the received income linked to an invoice (`Graph.received_income`), shard
        by shard from their summaries: a write on a big book does not load every transaction."""
        kind = KINDS["transaction"]
        total = ZERO
        for rel in self.files_of(kind):
            got = self.summary(rel, kind)["received"].get(invoice_id)
            if got is not None:
                total += Decimal(got)
        return total

    def invoice_status(self, invoice_id: str, missing=None):
        """An invoice's status from the invoices' summary (`missing` when there is no such id),
        without loading the invoices unless they are loaded already."""
        kind = KINDS["invoice"]
        if kind.name in self._records:
            rec = self.get(kind.name, invoice_id)
            return missing if rec is None else rec.data.get("status")
        for rel in self.files_of(kind):
            summary = self.summary(rel, kind)
            if "status" not in summary:      # a big file: read the one record (`peek`)
                rec = self.get(kind.name, invoice_id)
                return missing if rec is None else rec.data.get("status")
            if invoice_id in summary["status"]:
                return summary["status"][invoice_id]
        return missing

    def listing(self) -> list[str]:
        """Every file the book's kinds are read from (a new or removed shard changes it)."""
        return [rel for k in KINDS.values() for rel in self.files_of(k)]

    # -- records --------------------------------------------------------------
    def records(self, kind: str | Kind) -> list[Record]:
        k = KINDS[kind] if isinstance(kind, str) else kind
        if k.name not in self._records:
            out: list[Record] = []
            with _no_gc():
                for rel in self.files_of(k):
                    out.extend(self.read_file(rel, k).records)
            self._records[k.name] = out
        return self._records[k.name]

    def index(self, kind: str) -> dict[str, Record]:
        """id -> record (the first, when an id is duplicated: validate reports the rest)."""
        if kind not in self._index:
            k = KINDS[kind]
            self.records(k)
            idx: dict[str, Record] = {}
            for rel in reversed(self.files_of(k)):      # an earlier file's record wins
                idx.update(self._file_index(rel, self.read_file(rel, k)))
            self._index[kind] = idx
        return self._index[kind]

    def _file_index(self, rel: str, res: FileResult) -> dict[str, Record]:
        """id -> record of one file (the first of an id), kept while the file is: a book
        `reload` made after a change to another file indexes only that one again."""
        got = self._file_idx.get(rel)
        if got is None or got[0] is not res:
            pairs = [(v if v.__class__ is str else str(v), r) for r in res.records
                     if (v := r.data.get("id")) is not None]
            pairs.reverse()               # a dict keeps the last value given: the first record
            idx = dict(pairs)
            idx.pop("", None)             # (`Record.id` of an item without one)
            got = self._file_idx[rel] = (res, idx)
        return got[1]

    def get(self, kind: str, rid: str) -> Record | None:
        rid = str(rid)
        if kind not in self._index:
            k = KINDS[kind]
            p = None if k.sharded else self.peek(k.path, k)
            if p is not None and not p.full():
                rec = self._peek_record(p, rid)
                if rec is not _MISSING:
                    return rec
        return self.index(kind).get(rid)

    # -- one record of a big file, without loading it -------------------------
    def peek(self, rel: str, kind: Kind) -> Peek | None:
        """A big file (PEEK_BYTES or more) that is not loaded, known from its trusted cache
        entry's header: enough to read one record, or to append one, without loading the
        25,000 others (docs/performance.md). None when it must be loaded instead: no cache,
        no trusted entry, a small file, or a file with a problem."""
        if rel in self.files or self.cache is None:
            return None
        if rel in self._peeks:
            return self._peeks[rel]
        self._peeks[rel] = None
        path = self.path(rel)
        self.inside(rel)
        try:
            if os.stat(path).st_size < PEEK_BYTES:
                return None
        except OSError:
            return None
        found = self.cache.header(rel, path)
        if found is None or not found[1].get("clean") or "locator" not in found[1]:
            return None
        stamp, summary, data, tail = found
        p = Peek(rel, kind, summary, TextLoader(path, rel, stamp[3], data, stamp[:3]))
        self._peeks[rel] = p
        self.stamps[rel] = Stamp(None, None, stamp)
        # a write to it adds its change to the entry's tail, as for a loaded file (cache_written)
        self._bases[rel] = (tail[0], tail[1], p) if tail is not None else (stamp, [], p)
        return p

    def _peek_record(self, p: Peek, rid: str):
        """Record `rid` of a peeked file, read alone from its own lines; None when the file has
        no such id; _MISSING when it cannot tell here (then the file is loaded)."""
        i = p.position(rid)
        if i is None:
            return None
        if i in p.records:
            return p.records[i]
        lines = p.ids[1]
        data = p.plain_data
        if data is None:
            return _MISSING
        p.scans += 1
        needle = f"- id: {rid}\n".encode("utf-8")
        pos = 0 if data.startswith(needle) else data.find(b"\n" + needle) + 1
        if pos == 0 and not data.startswith(needle):
            return _MISSING                    # written another way (quoted, a comment after it)
        line = data.count(b"\n", 0, pos) + 1    # the summary's line for it, or not this record
        end = data.find(b"\n-", pos)
        end = len(data) if end == -1 else end + 1
        if line != lines[i] or (i + 1 < len(lines) and line + data.count(b"\n", pos, end) != lines[i + 1]):
            return _MISSING
        res = read_records(data[pos:end], p.rel, p.kind, fast=False)
        if len(res.records) != 1 or res.problems or not res.parsed or res.records[0].id != rid:
            return _MISSING
        rec = res.records[0].moved(line - 1)
        p.records[i], p.spans[i] = rec, (pos, end)
        return rec

    def read_bytes_of(self, rel: str) -> bytes | None:
        """The bytes a peeked file had when read (to tell it has not changed since), if read."""
        p = self._peeks.get(rel)
        return p._loader.data if p is not None else None

    def unchanged_since_peek(self, rel: str) -> bool:
        """Whether a peeked file is as read, told by its size, mtime and inode, when those are
        what its cache entry was trusted on (see `cache._TextLoader`)."""
        p = self._peeks.get(rel)
        return p is not None and p._loader.data is not None and p._loader.unchanged()

    def peeked(self, record: Record) -> Peek | None:
        """The Peek that `record` was read from, while its file is not loaded."""
        p = self._peeks.get(record.file)
        return p if p is not None and p.index_of(record) is not None else None

    def load_all(self) -> "Book":
        self._read_ahead()
        for name in KINDS:
            self.records(name)
        return self

    def _read_ahead(self) -> None:
        """Take what the cache has, and parse the rest on every core when that is worth it
        (freelance/store/parallel.py); `read_file` then finds them ready, in its usual order."""
        todo: dict[str, str] = {}
        with _no_gc():
            for k in KINDS.values():
                if k.name in self._records:
                    continue
                for rel in self.files_of(k):
                    if rel in self.files or rel in self._ready:
                        continue
                    hit = self.cache.load(rel, self.path(rel)) if self.cache is not None else None
                    if hit is not None:
                        self._ready[rel] = (hit[0], hit[1], False)
                    else:
                        todo[rel] = k.name
            if len(todo) < 2:
                return
            for rel, (records, problems, parsed, known) in parse_many(self.root, todo, self.cache is not None).items():
                res = FileResult(records, problems, parsed, None)
                res.load_text = TextLoader(self.path(rel), rel, known[3])
                self._ready[rel] = (res, known, True)

    def loaded(self, kind: str) -> bool:
        """Whether every record of `kind` is read already (`records(kind)` costs nothing)."""
        return kind in self._records

    def stage(self, kind: str, rel: str, result: FileResult) -> None:
        """Let the next plan read file `rel` of `kind` as a planned write leaves it (`result`:
        its records), without touching the disk: several changes to one file become one write,
        which `writer.apply` later checks against the file as read."""
        self.files[rel] = result
        self._records.pop(kind, None)
        self._index.pop(kind, None)

    def forget(self, kind: str):
        """Drop what was read of `kind` (after a write, so the next read sees it)."""
        k = KINDS[kind]
        self._records.pop(kind, None)
        self._index.pop(kind, None)
        for rel in list(self.files):
            if (k.sharded and rel.startswith(k.path + "/")) or rel == k.path:
                res = self.files.pop(rel)
                self.problems = [p for p in self.problems if p not in res.problems]
        for rel in list(self._peeks):
            if (k.sharded and rel.startswith(k.path + "/")) or rel == k.path:
                del self._peeks[rel]

    # -- writing --------------------------------------------------------------
    def journal(self) -> str | None:
        """Where a group of writes keeps its journal (store/atomic.py): `.freelance/commit`, when
        the book's `.freelance` is a folder of its own (it is made with the lock)."""
        state = self.path(STATE_DIR)
        return str(self.path(JOURNAL)) if state.is_dir() and not state.is_symlink() else None

    def interrupted(self) -> bool:
        """Whether a command was killed while writing (its journal is still there)."""
        return interrupted(self.root)

    @contextmanager
    def locked(self, timeout: float = 15.0):
        """Hold the book's write lock (a separate lock file) for a read-modify-write."""
        with lock(self.root, timeout):
            yield self

    # -- reading again ------------------------------------------------------------
    def on_disk(self) -> dict[str, tuple | None]:
        """rel -> (mtime_ns, size, inode) of the settings file and of every file the kinds are
        read from (None: missing): what `reload` compares, without reading any."""
        out: dict[str, tuple | None] = {}
        for rel in [SETTINGS_FILE, *self.listing()]:
            try:
                st = os.stat(self.path(rel))
                out[rel] = (st.st_mtime_ns, st.st_size, st.st_ino)
            except FileNotFoundError:
                out[rel] = None
        return out

    def reload(self, today: dt.date | None = None) -> "Book":
        """The book as its files are now (for a long-running reader such as `serve`): this one
        when no file changed since the last `reload` made it; after a change to some files, a
        copy that reads again only those files (an income added re-reads one shard of the
        transactions, not 100,000 of them) and keeps every record whose file, line and data
        are as they were: the same Record, so what a reader derived of it still holds
        (`changes` says which records came and went); a new Book when the settings, the list
        of files or today changed. This book itself is never changed: a reader holding it
        keeps what it saw."""
        fresh = Book(self.root, today or self.today, cache=self.cache is not None)
        now = fresh.on_disk()
        before = self._on_disk
        if before is not None and fresh.today == self.today:
            if before == now:
                return self
            if before.keys() == now.keys() and before[SETTINGS_FILE] == now[SETTINGS_FILE]:
                changed: dict[str, list[str]] = {}
                for rel in now:
                    if now[rel] != before[rel]:
                        kind = kind_for_path(rel)
                        if kind is None:
                            break
                        changed.setdefault(kind.name, []).append(rel)
                else:
                    book = copy.copy(self)
                    for name, value in vars(self).items():   # its own dicts and lists: this one stays as it was
                        if isinstance(value, (dict, list)):
                            setattr(book, name, type(value)(value))
                    book.base, book.changes, book.reread = weakref.ref(self), {}, set(changed)
                    for kind, rels in changed.items():
                        book._read_again(self, kind, rels)
                    book._on_disk = now
                    return book
        fresh._on_disk = now
        return fresh

    def _replayed(self, old: "Book", rel: str, records: list | None) -> FileResult | None:
        """File `rel` as old's `records` of it and the changes written to it since (its cache
        entry's tail, `ParseCache.load_since`), read as `read_file` would; None when the cache
        does not know them so."""
        base = old._bases.get(rel)
        if self.cache is None or records is None or base is None or base[2] is not records \
                or old.files[rel].problems:
            return None
        self.inside(rel)
        got = self.cache.load_since(rel, self.path(rel), base[0], len(base[1]), records)
        if got is None:
            return None
        res, known = got
        self.stamps[rel] = Stamp(None, None, known)
        self.files[rel] = res
        own, tail = self.cache.tails.pop(rel)
        self._bases[rel] = (own, tail, res.records)
        return res

    def _read_again(self, old: "Book", kind: str, rels: list[str]) -> None:
        """Forget files `rels` of `kind` (a copy of book `old`); when `old` had the kind's records
        loaded, read them again now, keeping each of old's records whose file, line and data are
        unchanged, and note in `changes[kind]` the records that went and came."""
        loaded = kind in old._records
        prev = {rel: old.files[rel].records for rel in rels if rel in old.files}
        self._records.pop(kind, None)
        self._index.pop(kind, None)
        for rel in rels:
            res = self.files.pop(rel, None)
            if res is not None and res.problems:
                self.problems = [p for p in self.problems if p not in res.problems]
            for d in (self._peeks, self._summaries, self._ready, self._file_idx):
                d.pop(rel, None)
        if not loaded:
            return
        k = KINDS[kind]
        gone, came = [], []
        for rel in rels:
            res = self._replayed(old, rel, prev.get(rel))
            if res is not None:        # the unchanged records are old's own: only the changes are new
                olds, news = set(map(id, prev[rel])), set(map(id, res.records))
                gone.extend(r for r in prev[rel] if id(r) not in news)
                came.extend(r for r in res.records if id(r) not in olds)
                continue
            before = {(r.line, r.id): r for r in prev.get(rel, ())}
            res = self.read_file(rel, k)
            kept = []
            for r in res.records:
                o = before.pop((r.line, r.id), None)
                if o is not None and o.same_as(r):
                    kept.append(o)
                    continue
                if o is not None:
                    gone.append(o)
                kept.append(r)
                came.append(r)
            gone.extend(before.values())
            res.records[:] = kept
        records = self.records(k)   # loaded, as in `old`: the next reload reads again what changes then
        idx = old._index.get(kind)
        if idx is not None and len(idx) == len(old._records[kind]) == len(records) - len(came) + len(gone):
            idx = dict(idx)         # no id twice before: mend the index where records went and came
            again = {r.id for r in came}        # an edited record keeps its place (the order a fresh index has)
            left = {id(r) for r in gone}
            for r in gone:
                if idx.get(r.id) is r and r.id not in again:
                    del idx[r.id]
            if all(r.id and (r.id not in idx or id(idx[r.id]) in left) for r in came) and len(again) == len(came):
                idx.update((r.id, r) for r in came)
                self._index[kind] = idx
        self.changes[kind] = (gone, came)

@contextmanager
def lock(root: Path, timeout: float = 15.0, name: str = "lock",
         busy: str = "another freelance command is writing this book; try again"):
    """Hold book `root`'s write lock (a separate lock file) for a read-modify-write; take it
    before reading anything of the book. `name`: another lock of the book (`freelance run`
    holds "run.lock" while it works, `busy` saying why when it waits too long)."""
    from filelock import FileLock, Timeout
    root = Path(root)
    Within(root)(STATE_DIR)            # the lock is made in the book, not where a link points
    state = root / STATE_DIR
    if not state.is_dir():
        state.mkdir(exist_ok=True)
        ignore = state / ".gitignore"
        try:
            with open(ignore, "x", encoding="utf-8") as fh:
                fh.write("# freelance's write lock (the parse cache is in ~/.cache/freelance): safe to delete\n*\n")
        except OSError:
            pass
    held = FileLock(str(state / name), timeout=timeout)
    try:
        held.acquire()
    except Timeout:
        raise DataError(f"{root}: {busy}") from None
    try:
        if interrupted(root):          # a command killed while writing: finished or undone first
            recover(str(root), str(root / JOURNAL))
        yield
    finally:
        held.release()


def interrupted(root: Path) -> bool:
    """Whether a command was killed while writing book `root` (its journal is still there,
    store/atomic.py)."""
    j = Path(root) / JOURNAL
    return os.path.lexists(j) or os.path.lexists(f"{j}.tmp")
