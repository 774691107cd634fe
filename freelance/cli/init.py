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
import shlex
import sys

# The hook calls the Python that installed it (so it works from a virtualenv that is
# not active when git runs), else whatever `freelance` is on PATH.
HOOK_MARK = "# Installed by `freelance init --hook`"
HOOK = """#!/bin/sh
# Installed by `freelance init --hook`: refuse a commit while the book, as staged
# for it, has errors.
book="$(git rev-parse --show-toplevel)"{where}
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


def hook_text(where: str = ".") -> str:
    """The hook for a book at `where`, relative to the top of its repository."""
    return HOOK.format(python=shlex.quote(sys.executable),
                       where="" if where in ("", ".") else "/" + shlex.quote(where))


def enclosing_repository(root: Path) -> Path | None:
    """The top of the git work tree that `root` (which may not exist yet) is inside of, if any:
    the book then belongs to that repository, not to one of its own nested in it."""
    folder = root.resolve()
    while not folder.exists():
        folder = folder.parent
    p = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True)
    return Path(p.stdout.strip()) if p.returncode == 0 and p.stdout.strip() else None


def hooks_dir(top: Path) -> Path:
    """Where git runs hooks from in the repository at `top` (`core.hooksPath`, a worktree's
    common directory...): `git rev-parse --git-path hooks`, relative to `top`."""
    p = subprocess.run(["git", "rev-parse", "--git-path", "hooks"], cwd=top, capture_output=True, text=True,
                       check=True)
    return top / p.stdout.strip()


def init(
    ctx: typer.Context,
    directory: Annotated[str, typer.Argument(metavar="DIR", help="Folder for the new book.")] = ".",
    name: Annotated[Optional[str], typer.Option("--name", help="Business name.")] = None,
    currency: Annotated[str, typer.Option("--currency", help="The book's currency (ISO code).")] = "USD",
    timezone: Annotated[str, typer.Option("--timezone", help="Time zone of meeting times.")] = "UTC",
    owner: Annotated[Optional[str], typer.Option("--owner", help="Your name (default: unset).")] = None,
    email: Annotated[Optional[str], typer.Option("--email", help="Your email (the organizer of exported meetings; default: unset).")] = None,
    git: Annotated[bool, typer.Option("--git/--no-git", help="Make it a git repository with a first commit.")] = True,
    hook: Annotated[bool, typer.Option("--hook", help="Install a git pre-commit hook that runs `freelance validate` (in the repository "
                                                 "DIR is in, if any; never over another hook).")] = False,
    force: Annotated[bool, typer.Option("--force", help="Create the book even inside another book's folder.")] = False,
):
    """Create a new book: freelance.yaml with the default lists, empty entity files,
    .gitattributes, and (unless --no-git) a git repository with a first commit.

    Example: freelance init ~/books --currency EUR --name "Example Studio"
    """
    from ..changes.door import create_book
    from ..core.errors import UsageError
    from .common import state
    root = Path(directory).expanduser()
    git_bin = shutil.which("git") is not None
    has_git = git and git_bin
    outer = enclosing_repository(root) if git_bin and not (root / ".git").exists() else None
    if hook and not (has_git or (root / ".git").is_dir() or outer):
        raise UsageError("--hook needs a git repository (drop --no-git)")
    hook_path = None
    if hook and outer is not None:
        hook_path = hooks_dir(outer) / "pre-commit"
    elif hook:
        hook_path = root / ".git" / "hooks" / "pre-commit"
    if hook_path is not None and hook_path.exists() and HOOK_MARK not in hook_path.read_text(errors="replace"):
        raise UsageError(f"--hook: {hook_path} is another pre-commit hook; refusing to replace it "
                         "(call `freelance validate --staged` from it instead)")
    # (create_book refuses a folder inside another book, before anything is written)
    written = create_book(root, name=name, currency=currency, timezone=timezone, owner=owner, email=email,
                          today=state(ctx).today_date(), force=force)
    say(f"created a book in {root}")
    if git:
        if not has_git:
            say("git is not installed: skipped `git init` (run it later, or use --no-git)")
        elif outer is not None:
            _git(root, written, init=False)
            say(f"committed it to the git repository it is in ({outer})")
        else:
            _git(root, written)
            say("made it a git repository with a first commit")
    if hook_path is not None:
        where = os.path.relpath(root.resolve(), outer.resolve()).replace(os.sep, "/") if outer is not None else "."
        hook_path.parent.mkdir(parents=True, exist_ok=True)
        hook_path.write_text(hook_text(where))
        hook_path.chmod(hook_path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        say("installed a pre-commit hook that runs `freelance validate`" + (f" ({hook_path})" if outer else ""))
    else:
        say("tip: `freelance init --hook` (or see the README) adds a pre-commit hook running `freelance validate`")


def _git(root: Path, files: list[str], init: bool = True) -> None:
    """`git init` (unless it is one already, or `init` is False: the repository it is in) and
    commit the book's own files, nothing else."""
    def run(*args):
        env = dict(os.environ)
        ident = subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True, text=True).stdout.strip()
        if not ident:
            env.update(GIT_AUTHOR_NAME="freelance", GIT_AUTHOR_EMAIL="freelance@localhost",
                       GIT_COMMITTER_NAME="freelance", GIT_COMMITTER_EMAIL="freelance@localhost")
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    if init and not (root / ".git").exists():
        run("init", "-q")
    from ..store.git import register_driver
    register_driver(root)       # .gitattributes names it; the clone's config says what it runs
    run("add", "--", *files)
    run("commit", "-q", "--no-verify", "-m", "New freelance book", "--", *files)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(init)
    return typer.main.get_command(app)
