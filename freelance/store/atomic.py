"""The one way files are replaced: atomically.

Each new content goes to a temporary file in its target's folder, is flushed
(and fsynced, unless it is only a cache), and is renamed over the target, so
a reader sees the old file or the new one, never half of either. A group of
files (one command's writes) is staged whole before the first rename, so a
failure while writing leaves every file as it was.
"""
from __future__ import annotations

import os
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


def replace_all(files: list[tuple[str, bytes]], *, make_folders: bool = False) -> None:
    """Replace every (path, bytes) as one group, each keeping its mode (a new file honours
    the umask): all written and fsynced before the first rename, none replaced on failure."""
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
