"""The book's git repository: the merge driver's registration, and running git in it
(docs/merge.md, docs/sync.md). git is run without a shell, with the book's folder as its
working directory; nothing that comes with the book is executed."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from ..core.errors import DataError, UsageError

DRIVER = "freelance"
ATTRIBUTE_LINE = "*.yaml merge=freelance"
GITATTRIBUTES = ".gitattributes"


def driver_command() -> str:
    """What git runs to merge a book file: this Python (so it works from a virtualenv that is
    not active when git runs) running freelance's `merge-file` on git's `%O %A %B %P`."""
    return f"{shlex.quote(sys.executable)} -m freelance merge-file %O %A %B %P"


def git(root: Path, *args: str, check: bool = True, env: dict | None = None, input: str | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess:
    """`git ARGS` in the book's folder (text out, never a terminal prompt)."""
    e = dict(os.environ)
    e.setdefault("GIT_TERMINAL_PROMPT", "0")
    e.update(env or {})
    try:
        p = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=e, input=input,
                           stdin=None if input is not None else subprocess.DEVNULL, timeout=timeout)
    except FileNotFoundError:
        raise UsageError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise DataError(f"git {args[0]} took longer than {int(timeout)} s; stopped") from None
    if check and p.returncode != 0:
        raise DataError(f"git {' '.join(args[:2])} failed: {(p.stderr or p.stdout).strip()}")
    return p


def in_repository(root: Path) -> bool:
    """Whether the book's folder is inside a git work tree (a `.git` above or in it: no
    process is started for a book that is not)."""
    folder = Path(root).resolve()
    for f in (folder, *folder.parents):
        if (f / ".git").exists():
            return True
    return False


def top(root: Path) -> Path | None:
    p = git(root, "rev-parse", "--show-toplevel", check=False)
    return Path(p.stdout.strip()) if p.returncode == 0 and p.stdout.strip() else None


def attributes_registered(root: Path) -> bool:
    """Whether git merges the book's files with the driver (`.gitattributes` says so)."""
    p = git(root, "check-attr", "merge", "--", "freelance.yaml", check=False)
    return p.returncode == 0 and p.stdout.strip().endswith(f": merge: {DRIVER}")


def driver_registered(root: Path) -> bool:
    """Whether this clone's git config names the driver (git does not copy config in a clone)."""
    p = git(root, "config", "--get", f"merge.{DRIVER}.driver", check=False)
    return p.returncode == 0 and "merge-file" in p.stdout


def write_attributes(root: Path) -> bool:
    """Add `*.yaml merge=freelance` to the book's `.gitattributes` (keeping what is there).
    True when the file changed."""
    path = Path(root) / GITATTRIBUTES
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if any(line.split() == ATTRIBUTE_LINE.split() for line in text.splitlines()):
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    text += ("# merge book files by record id and field (`freelance merge-file`, docs/merge.md)\n"
             + ATTRIBUTE_LINE + "\n")
    path.write_text(text, encoding="utf-8")
    return True


def register_driver(root: Path) -> None:
    """Name the driver in the clone's own git config (`.git/config`)."""
    git(root, "config", f"merge.{DRIVER}.name", "freelance: merge book records by id and field")
    git(root, "config", f"merge.{DRIVER}.driver", driver_command())


def setup(root: Path) -> list[str]:
    """Register the merge driver for the book's repository; what was done, for people."""
    done = []
    if write_attributes(root):
        done.append(f"added '{ATTRIBUTE_LINE}' to {GITATTRIBUTES} (commit it, or let `freelance sync` do it)")
    was = driver_registered(root)
    register_driver(root)
    done.append(("updated" if was else "set") + f" the merge driver in this clone's git config: {driver_command()}")
    return done


def registration_problem(root: Path) -> str | None:
    """What is missing for git to merge the book by record (None: nothing, or no repository)."""
    if not in_repository(root):
        return None
    missing = []
    if not attributes_registered(root):
        missing.append(f"{GITATTRIBUTES} does not say '{ATTRIBUTE_LINE}'")
    if not driver_registered(root):
        missing.append("this clone's git config does not name the driver")
    if not missing:
        return None
    return ("the book is a git repository but its merge driver is not registered ("
            + "; ".join(missing) + "): run `freelance git setup`, else changes made on two devices "
            "conflict on every added record")
