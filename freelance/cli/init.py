"""`freelance init [DIR]`: a new book with settings, empty files, .gitattributes and git."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import say

HOOK = """#!/bin/sh
# Installed by `freelance init --hook`: refuse a commit while the book has errors.
exec freelance --books "$(git rev-parse --show-toplevel)" validate --quiet || {
  echo "freelance validate found errors; run 'freelance validate' to see them" >&2; exit 1; }
"""


def init(
    directory: Annotated[str, typer.Argument(metavar="DIR", help="Folder for the new book.")] = ".",
    name: Annotated[Optional[str], typer.Option("--name", help="Business name.")] = None,
    currency: Annotated[str, typer.Option("--currency", help="The book's currency (ISO code).")] = "USD",
    timezone: Annotated[str, typer.Option("--timezone", help="Time zone of meeting times.")] = "UTC",
    owner: Annotated[Optional[str], typer.Option("--owner", help="Your name.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Your email.")] = None,
    git: Annotated[bool, typer.Option("--git/--no-git", help="Make it a git repository with a first commit.")] = True,
    hook: Annotated[bool, typer.Option("--hook", help="Install a git pre-commit hook that runs `freelance validate`.")] = False,
):
    """Create a new book: freelance.yaml with the default lists, empty entity files,
    .gitattributes, and (unless --no-git) a git repository with a first commit.

    Example: freelance init ~/books --currency EUR --name "Example Studio"
    """
    from ..book_init import create_book
    root = Path(directory).expanduser()
    create_book(root, name=name, currency=currency, timezone=timezone, owner=owner, email=email)
    say(f"created a book in {root}")
    if git:
        if shutil.which("git") is None:
            say("git is not installed: skipped `git init` (run it later, or use --no-git)")
        else:
            _git(root)
            say("made it a git repository with a first commit")
    if hook:
        if not (root / ".git").is_dir():
            from ..errors import UsageError
            raise UsageError("--hook needs a git repository (drop --no-git)")
        path = root / ".git" / "hooks" / "pre-commit"
        path.write_text(HOOK)
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        say("installed a pre-commit hook that runs `freelance validate`")
    else:
        say("tip: `freelance init --hook` (or see the README) adds a pre-commit hook running `freelance validate`")


def _git(root: Path) -> None:
    def run(*args):
        env = dict(os.environ)
        ident = subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True, text=True).stdout.strip()
        if not ident:
            env.update(GIT_AUTHOR_NAME="freelance", GIT_AUTHOR_EMAIL="freelance@localhost",
                       GIT_COMMITTER_NAME="freelance", GIT_COMMITTER_EMAIL="freelance@localhost")
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    if not (root / ".git").exists():
        run("init", "-q")
    run("add", "-A")
    run("commit", "-q", "-m", "New freelance book")


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(init)
    return typer.main.get_command(app)
