"""The book as git's index has it, for `validate --staged` (the pre-commit hook).

A commit records the index, not the working tree: a fix left unstaged must not let
a broken file through, and a half-done edit left unstaged must not block a good
commit. When nothing under the book differs from the index (no unstaged change, no
untracked .yaml file), the book itself is what is being committed and is checked
as it is, with its cache; otherwise the book's files are checked out of the index
into a temporary folder (`git checkout-index`) and that is checked.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import UsageError


def _git(args: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, **kw)
    except FileNotFoundError:
        raise UsageError("--staged: git is not installed") from None


@contextmanager
def staged_root(root: Path):
    """Yields (folder holding the book as staged, whether it is a temporary copy)."""
    top = _git(["rev-parse", "--show-toplevel"], root, text=True)
    if top.returncode != 0:
        raise UsageError(f"--staged: {root} is not in a git repository")
    top_path = Path(top.stdout.strip())
    rel = Path(os.path.relpath(root.resolve(), top_path.resolve()))
    spec = ":(literal)" + rel.as_posix()      # a folder named `books[1]` is not a pattern
    unstaged = _git(["diff", "--quiet", "--", spec], top_path).returncode != 0
    untracked = [f for f in _git(["ls-files", "--others", "--exclude-standard", "-z", "--", spec], top_path,
                                 text=True).stdout.split("\0") if f.endswith(".yaml")]
    if not unstaged and not untracked:
        yield root, False
        return
    with tempfile.TemporaryDirectory(prefix="freelance-staged-") as tmp:
        listed = _git(["ls-files", "-z", "--", spec], top_path).stdout
        out = _git(["checkout-index", "-z", "--stdin", f"--prefix={tmp}/"], top_path, input=listed)
        if out.returncode != 0:
            raise UsageError(f"--staged: git checkout-index failed: {out.stderr.decode(errors='replace').strip()}")
        yield Path(tmp) / rel, True
