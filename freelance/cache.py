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
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

from .errors import DataError
from .yamlio import FileResult

FORMAT = 1
DOUBT_NS = 2_000_000_000          # mtime this close to now or to the entry: check the content
_FINGERPRINT: str | None = None


def fingerprint() -> str:
    """What the parsed form depends on: this format, Python, and the reader's and schema's source."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        from . import cache, errors, schema, yamlio
        h = hashlib.sha1(f"{FORMAT} {sys.version_info[:2]}".encode())
        for mod in (yamlio, schema, errors, cache):
            try:
                h.update(Path(mod.__file__).read_bytes())
            except OSError:
                h.update(b"?")
        _FINGERPRINT = h.hexdigest()
    return _FINGERPRINT


def digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


class ParseCache:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.folder = self.root / ".freelance" / "cache"

    def entry(self, rel: str) -> Path:
        return self.folder / (rel.replace("/", "%") + ".pickle")

    def load(self, rel: str, path: Path):
        """(FileResult, (size, mtime_ns, inode, digest)) from the cache, or None when it cannot be trusted."""
        try:
            st = os.stat(path)
            with open(self.entry(rel), "rb") as fh:
                head = pickle.load(fh)
                if not (isinstance(head, tuple) and len(head) == 8):
                    return None
                fp, rel_, size, mtime_ns, inode, sha, written_ns, _ = head
                if (fp, rel_, size, mtime_ns, inode) != (fingerprint(), rel, st.st_size, st.st_mtime_ns, st.st_ino):
                    return None
                text = None
                now = time.time_ns()
                if now - mtime_ns < DOUBT_NS or written_ns - mtime_ns < DOUBT_NS:
                    with open(path, "rb") as f2:
                        data = f2.read()
                    if digest(data) != sha:
                        return None
                    text = data.decode("utf-8")
                    if text.startswith("\ufeff"):
                        text = text[1:]
                records, problems, parsed = pickle.load(fh)
        except Exception:       # missing, stale format, truncated, corrupt: parse the file instead
            return None
        res = FileResult(records, problems, parsed, text)
        if text is None:
            res.load_text = _TextLoader(path, rel, sha)
        return res, (size, mtime_ns, inode, sha)

    def store(self, rel: str, stamp, res: FileResult) -> None:
        """Write the entry for a file just parsed; a cache that cannot be written is no cache."""
        try:
            if not self.folder.is_dir():
                self.folder.mkdir(parents=True, exist_ok=True)
                ignore = self.folder.parent / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# freelance's lock and parse cache: safe to delete\n*\n")
            head = (fingerprint(), rel, stamp.size, stamp.mtime_ns, stamp.inode, stamp.digest, time.time_ns(), FORMAT)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(head, fh, protocol=5)
                    pickle.dump((res.records, res.problems, res.parsed), fh, protocol=5)
                os.replace(tmp, self.entry(rel))
            except BaseException:
                os.unlink(tmp)
                raise
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
