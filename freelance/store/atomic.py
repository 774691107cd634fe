"""The one way files are replaced: atomically.

Each new content goes to a temporary file in its target's folder, is flushed
(and fsynced, unless it is only a cache), and is renamed over the target, so
a reader sees the old file or the new one, never half of either. A group of
files (one command's writes) is staged whole before the first rename, so a
failure while writing leaves every file as it was.

A group written into a book keeps a journal (`journal=`, the book's
`.freelance/commit`), so that a process killed at any point (between two renames
too) leaves a book the next command completes or rolls back: the journal names
every temporary file before the first is made ("staging"), and says "renaming"
once all are written and fsynced. `recover` finds it: staging -> the temporary
files are removed (nothing was replaced); renaming -> each one still there is
renamed into place (all were complete). Either way no `.tmp` stays behind
(docs/writing.md).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from contextlib import contextmanager


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _open_temp(path: str):
    """(binary file handle, name) of a new temporary file beside `path`."""
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=os.path.dirname(path) or ".")
    return os.fdopen(fd, "wb"), tmp


def _close(fh, tmp: str, path: str, *, fsync: bool, mode: int | None, keep_mode: bool) -> None:
    """Flush (and fsync) a temporary file, close it and give it its mode: the mode `path`
    has (an existing file keeps it, and its owner when this user may give it), or what the
    umask leaves (a new file), or `mode`."""
    with fh:
        fh.flush()
        if fsync:
            os.fsync(fh.fileno())
    if mode is None and keep_mode:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        else:
            mode = st.st_mode & 0o7777
            if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.chown(tmp, st.st_uid, st.st_gid)    # root editing a user's file: it stays theirs
                except OSError:
                    pass
    if mode is not None:
        os.chmod(tmp, mode)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _sync_folders(paths) -> None:
    for folder in {os.path.dirname(p) or "." for p in paths}:
        try:
            dfd = os.open(folder, os.O_RDONLY)
            os.fsync(dfd)
            os.close(dfd)
        except OSError:
            pass


def replace_all(files: list[tuple[str, bytes]], *, make_folders: bool = False, journal: str | None = None) -> None:
    """Replace every (path, bytes) as one group, each keeping its mode (a new file honours
    the umask): all written and fsynced before the first rename, none replaced on failure.
    `journal`: the file that lets `recover` finish or undo the group after a kill."""
    if journal is not None and files:
        return _journaled(files, make_folders, journal)
    staged: list[tuple[str, str]] = []
    try:
        for path, data in files:
            if make_folders:
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            fh, tmp = _open_temp(path)
            staged.append((tmp, path))
            try:
                fh.write(data)
            except BaseException:
                fh.close()
                raise
            _close(fh, tmp, path, fsync=True, mode=None, keep_mode=True)
        for tmp, path in staged:
            os.replace(tmp, path)
        _sync_folders(p for _, p in staged)
        staged = []
    finally:
        for tmp, _ in staged:
            _unlink(tmp)


_TMP = re.compile(r"\.(?P<base>.+)\.[0-9a-f]{16}\.tmp\Z")


def _journal_write(journal: str, state: str, pairs: list[tuple[str, str]]) -> None:
    root = os.path.realpath(os.path.dirname(os.path.dirname(journal)))      # (as `recover` joins them)
    def rel(path: str) -> str:
        return os.path.relpath(os.path.join(os.path.realpath(os.path.dirname(path) or "."), os.path.basename(path)), root)
    text = json.dumps({"state": state, "files": [[rel(t), rel(p)] for t, p in pairs]})
    tmp = journal + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, journal)
    _sync_folders([journal])


def _journaled(files: list[tuple[str, bytes]], make_folders: bool, journal: str) -> None:
    pairs = [(os.path.join(os.path.dirname(p) or ".", f".{os.path.basename(p)}.{secrets.token_hex(8)}.tmp"), p)
             for p, _ in files]
    _journal_write(journal, "staging", pairs)
    try:
        for (tmp, path), (_, data) in zip(pairs, files):
            if make_folders:
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            fh = os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
            try:
                fh.write(data)
            except BaseException:
                fh.close()
                raise
            _close(fh, tmp, path, fsync=True, mode=None, keep_mode=True)
        _journal_write(journal, "renaming", pairs)
    except BaseException:
        for tmp, _ in pairs:
            _unlink(tmp)
        _unlink(journal)
        raise
    for tmp, path in pairs:
        os.replace(tmp, path)
    _sync_folders(p for _, p in pairs)
    _unlink(journal)


def recover(root: str, journal: str) -> list[str]:
    """Finish or undo the group a killed process left (see the module's docstring); returns
    the files it renamed into place. Paths outside `root`, or not a temporary file beside its
    target, are ignored: the journal is in the book, and a book is someone else's text."""
    _unlink(journal + ".tmp")
    try:
        with open(journal, encoding="utf-8") as fh:
            got = json.load(fh)
        state, files = got["state"], [(str(t), str(p)) for t, p in got["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        _unlink(journal)
        return []
    real = os.path.realpath(root)
    done, seen = [], []
    for tmp, path in files:
        tmp, path = os.path.join(real, tmp), os.path.join(real, path)
        seen.append(path)
        m = _TMP.match(os.path.basename(tmp))
        if (m is None or m.group("base") != os.path.basename(path) or os.path.dirname(tmp) != os.path.dirname(path)
                or os.path.commonpath([real, os.path.realpath(os.path.dirname(tmp))]) != real
                or os.path.islink(tmp) or not os.path.isfile(tmp)):
            continue
        if state == "renaming":
            os.replace(tmp, path)
            done.append(path)
        else:
            _unlink(tmp)
    _sync_folders(seen)
    _unlink(journal)
    return done


@contextmanager
def replacing(path: str, *, fsync: bool = True, mode: int | None = None, keep_mode: bool = True):
    """`with replacing(path) as fh: fh.write(...)`: a binary file handle for `path`'s new
    content, renamed into place when the block ends without an error (else `path` stays
    as it was). `mode` sets the new file's mode; else see `_close`."""
    fh, tmp = _open_temp(path)
    try:
        yield fh
        _close(fh, tmp, path, fsync=fsync, mode=mode, keep_mode=keep_mode)
        os.replace(tmp, path)
    except BaseException:
        fh.close()
        _unlink(tmp)
        raise
