"""Books in real git repositories, cloned: for the merge driver, sync and history tests.

git runs the merge driver itself (`freelance init` and `freelance git setup` register it
with this Python); the driver's process finds this checkout's package through PYTHONPATH."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import ROOT, TODAY, run_cli

GIT_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")},
    "PYTHONPATH": str(ROOT),
    "GIT_AUTHOR_NAME": "Alex", "GIT_AUTHOR_EMAIL": "alex@example.com",
    "GIT_COMMITTER_NAME": "Alex", "GIT_COMMITTER_EMAIL": "alex@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": os.environ.get("HOME", "/tmp"),
}


def git(cwd: Path, *args, check: bool = True) -> subprocess.CompletedProcess:
    p = subprocess.run(["git", *map(str, args)], cwd=cwd, env=GIT_ENV, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"git {' '.join(map(str, args))}: {p.returncode}\n{p.stdout}\n{p.stderr}")
    return p


def fl(book: Path, *args, today: str = TODAY):
    """The CLI on `book`, asserting it worked."""
    r = run_cli(*args, books=book, today=today)
    assert r.exit_code == 0, r.output
    return r


def origin_and_clone(tmp_path: Path, setup: bool = True) -> tuple[Path, Path]:
    """A book made by `freelance init` with two clients committed, and a `git clone` of it
    (with `freelance git setup` run in it unless `setup` is False)."""
    a = tmp_path / "a"
    r = run_cli("init", a, "--name", "Studio", today=TODAY)
    assert r.exit_code == 0, r.output
    git(a, "config", "receive.denyCurrentBranch", "updateInstead")
    fl(a, "client", "add", "Acme", "--email", "ap@acme.test")
    fl(a, "client", "add", "Beta", "--company", "Beta Ltd")
    commit(a, "two clients")
    b = tmp_path / "b"
    git(tmp_path, "clone", "-q", a, b)
    if setup:
        fl(b, "git", "setup")
    return a, b


def commit(book: Path, message: str = "change") -> None:
    git(book, "add", "-A")
    git(book, "commit", "-q", "--no-verify", "-m", message)


def branch(book: Path) -> str:
    return git(book, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()


def shared(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(origin, laptop, desktop): a book made by `freelance init` with two clients, pushed to a
    bare repository; the laptop is where it was made, the desktop a plain `git clone` of it."""
    laptop = tmp_path / "laptop"
    r = run_cli("init", laptop, "--name", "Studio", today=TODAY)
    assert r.exit_code == 0, r.output
    fl(laptop, "client", "add", "Acme", "--email", "ap@acme.test")
    fl(laptop, "client", "add", "Beta", "--company", "Beta Ltd")
    commit(laptop, "two clients")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", origin)
    git(laptop, "remote", "add", "origin", origin)
    git(laptop, "push", "-q", "-u", "origin", "HEAD")
    desktop = tmp_path / "desktop"
    git(tmp_path, "clone", "-q", origin, desktop)
    return origin, laptop, desktop


def sync(book: Path, *args, today: str = TODAY):
    """`freelance sync` in a real process (git runs the driver from it as a user's would)."""
    from conftest import run_proc
    return run_proc("--books", book, "--today", today, "sync", *args, env=GIT_ENV)
