"""Parsing a cold book's files on every core (docs/performance.md).

`Book.load_all` hands this the files that have no usable parse-cache entry.
When they are worth it (at least `MIN_BYTES` together, two files or more, and
more than one core), they are shared out by size between the command's own
process and `os.cpu_count() - 1` forked workers; each parses whole files with
the same reader (`yamlio.read_records`), writes the file's cache entry itself
when the cache is on, and sends back the records and problems (pickled, as
the cache holds them). Otherwise, or for any file a worker did not deliver
(it raised, died, or the pool could not start), `Book.read_file` parses it in
this process as before: the result is the same either way.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import gc
import os
import threading
from pathlib import Path
from typing import Callable
from ..core.schema import KINDS
from .cache import ParseCache
from .files import read_book_file
from .records import Stamp
from .yamlio import read_records

MIN_BYTES = 4_000_000     # below this, starting workers costs more than it saves


def _parse(root: str, rel: str, kind_name: str, cache: bool):
    """Parse one file (in a worker, or in this process): (records, problems, parsed, stamp)."""
    got = read_book_file(root, rel)
    if got is None:
        raise FileNotFoundError(rel)
    data, st = got
    stamp = Stamp(data, st)
    res = read_records(data, rel, KINDS[kind_name])
    if cache:
        ParseCache(Path(root)).store(rel, stamp, res, kind_name)
    return res.records, res.problems, res.parsed, (stamp.size, stamp.mtime_ns, stamp.inode, stamp.digest)


def _shares(sizes: dict[str, int], n: int) -> list[list[str]]:
    """The files in `n` groups of about the same size, largest first into the lightest."""
    groups: list[list[str]] = [[] for _ in range(n)]
    loads = [0] * n
    for rel in sorted(sizes, key=lambda r: (-sizes[r], r)):
        i = loads.index(min(loads))
        groups[i].append(rel)
        loads[i] += sizes[rel]
    return groups


def parse_many(root: Path, todo: dict[str, str], cache: bool) -> dict:
    """rel -> (records, problems, parsed, stamp) for the files of `todo` (rel -> kind name) that
    were parsed here; {} when parsing them one by one is as good (or the pool failed).
    A worker only allocates: its collector is off (the caller turns off its own)."""
    sizes = {}
    for rel in todo:
        try:
            sizes[rel] = os.stat(root / rel).st_size
        except OSError:
            pass                                   # missing: read_file knows what to do
    cores = os.cpu_count() or 1
    if cores < 2 or len(sizes) < 2 or sum(sizes.values()) < MIN_BYTES:
        return {}
    try:
        context = multiprocessing.get_context("fork")
    except (ImportError, ValueError):
        return {}
    mine, *theirs = _shares(sizes, min(cores, len(sizes)))
    out: dict = {}
    try:
        pool = ProcessPoolExecutor(max_workers=len(theirs), mp_context=context, initializer=gc.disable)
    except (OSError, ValueError):
        return {}
    try:
        futures = {rel: pool.submit(_parse, str(root), rel, todo[rel], cache) for group in theirs for rel in group}
        for rel in mine:
            try:
                out[rel] = _parse(str(root), rel, todo[rel], cache)
            except Exception:
                pass                               # read_file parses it again, and says what is wrong
        for rel, fut in futures.items():
            try:
                out[rel] = fut.result()
            except Exception:                      # the worker raised or died: parse it here
                pass
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return out


AHEAD_MIN = 20_000        # records: below this, a forked worker costs more than it saves


def ahead(make: Callable[[], bytes], size: int) -> Callable[[], bytes]:
    """`make()` (bytes, from what this process holds) started now on another core, in a forked
    child, while this process goes on with other work: a callable that waits for and returns
    its bytes. `export json` writes the transactions' rows so (two thirds of its text) while
    it derives the rest. When it is not worth it (`size`, the records `make` covers, under
    AHEAD_MIN, or one core), or the child fails (it raised, died, was killed, or the fork was
    refused), `make()` runs here when asked: the bytes are the same either way.

    The child only computes and writes to a pipe (never the book, the cache, stdout or a lock)
    and leaves by `os._exit`, so nothing of this process's clean-up runs twice; a thread here
    drains the pipe meanwhile, so the child never waits on it. A child left behind by a killed
    parent ends at its next write (the pipe has no reader)."""
    if size < AHEAD_MIN or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return make
    try:
        r, w = os.pipe()
    except OSError:
        return make
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return make
    if pid == 0:                                # the child
        code = 1
        try:
            gc.disable()                        # it only allocates; a collection would copy every page
            os.close(r)
            view = memoryview(make())
            while view:
                view = view[os.write(w, view):]
            code = 0
        except BaseException:
            pass
        finally:
            os._exit(code)
    os.close(w)
    chunks: list[bytes] = []

    def drain() -> None:
        try:
            while True:
                got = os.read(r, 1 << 20)
                if not got:
                    break
                chunks.append(got)
        except OSError:
            chunks.clear()
            chunks.append(None)                 # (a read failed: not the whole text)
        finally:
            os.close(r)
    reader = threading.Thread(target=drain, name="ahead", daemon=True)
    reader.start()

    def result() -> bytes:
        reader.join()
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            status = -1
        if status == 0 and None not in chunks:
            return b"".join(chunks)
        return make()
    return result
