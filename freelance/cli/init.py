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

# The hook calls the Python that installed it (so it works from a virtualenv that is
# not active when git runs), else whatever `freelance` is on PATH.
HOOK = """#!/bin/sh
# Installed by `freelance init --hook`: refuse a commit while the book, as staged
# for it, has errors.
book="$(git rev-parse --show-toplevel)"
if {python} -c "import freelance" >/dev/null 2>&1; then
  {python} -m freelance --books "$book" validate --staged
elif command -v freelance >/dev/null 2>&1; then
  freelance --books "$book" validate --staged
else
  echo "freelance pre-commit hook: freelance is not installed; skipping validation" >&2
  exit 0
fi || {{
  echo "freelance validate found errors: fix them, or commit with --no-verify" >&2
  exit 1
}}
"""


def hook_text() -> str:
    import shlex
    import sys
    return HOOK.format(python=shlex.quote(sys.executable))


def init(
    ctx: typer.Context,
    directory: Annotated[str, typer.Argument(metavar="DIR", help="Folder for the new book.")] = ".",
    name: Annotated[Optional[str], typer.Option("--name", help="Business name.")] = None,
    currency: Annotated[str, typer.Option("--currency", help="The book's currency (ISO code).")] = "USD",
    timezone: Annotated[str, typer.Option("--timezone", help="Time zone of meeting times.")] = "UTC",
    owner: Annotated[Optional[str], typer.Option("--owner", help="Your name.")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Your email.")] = None,
    git: Annotated[bool, typer.Option("--git/--no-git", help="Make it a git repository with a first commit.")] = True,
    hook: Annotated[bool, typer.Option("--hook", help="Install a git pre-commit hook that runs `freelance validate`.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Create the book even inside another book's folder.")] = False,
):
    """Create a new book: freelance.yaml with the default lists, empty entity files,
    .gitattributes, and (unless --no-git) a git repository with a first commit.

    Example: freelance init ~/books --currency EUR --name "Example Studio"
    """
    from ..changes.init import create_book
    from ..errors import UsageError
    from .common import state
    root = Path(directory).expanduser()
    has_git = git and shutil.which("git") is not None
    if hook and not (has_git or (root / ".git").is_dir()):
        raise UsageError("--hook needs a git repository (drop --no-git)")
    # (create_book refuses a folder inside another book, before anything is written)
    written = create_book(root, name=name, currency=currency, timezone=timezone, owner=owner, email=email,
                          today=state(ctx).today_date(), force=force)
    say(f"created a book in {root}")
    if git:
        if not has_git:
            say("git is not installed: skipped `git init` (run it later, or use --no-git)")
        else:
            _git(root, written)
            say("made it a git repository with a first commit")
    if hook:
        path = root / ".git" / "hooks" / "pre-commit"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(hook_text())
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        say("installed a pre-commit hook that runs `freelance validate`")
    else:
        say("tip: `freelance init --hook` (or see the README) adds a pre-commit hook running `freelance validate`")


def _git(root: Path, files: list[str]) -> None:
    """`git init` (unless it is one already) and commit the book's own files, nothing else."""
    def run(*args):
        env = dict(os.environ)
        ident = subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True, text=True).stdout.strip()
        if not ident:
            env.update(GIT_AUTHOR_NAME="freelance", GIT_AUTHOR_EMAIL="freelance@localhost",
                       GIT_COMMITTER_NAME="freelance", GIT_COMMITTER_EMAIL="freelance@localhost")
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    if not (root / ".git").exists():
        run("init", "-q")
    run("add", "--", *files)
    run("commit", "-q", "--no-verify", "-m", "New freelance book", "--", *files)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(init)
    return typer.main.get_command(app)
