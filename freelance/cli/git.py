"""`freelance git setup`: register the book's merge driver in a clone."""
from __future__ import annotations

import typer

from .common import say, state

app = typer.Typer(name="git", add_completion=False, no_args_is_help=True,
                  help="The book's git repository: register the merge driver.\n\n"
                       "Example: freelance git setup")


@app.callback()
def git_root():
    """The book's git repository: register the merge driver.

    Example: freelance git setup
    """


@app.command("setup")
def setup(ctx: typer.Context):
    """Register freelance's merge driver in this clone: `*.yaml merge=freelance` in the
    book's .gitattributes, and the driver in the clone's git config (git does not copy
    config when it clones, so every clone made with `git clone` needs this once).

    Example: freelance git setup
    """
    from ..core.errors import UsageError
    from ..store import git
    book = state(ctx).book()
    if not git.in_repository(book.root):
        raise UsageError(f"{book.root}: not in a git repository (`git init` it, or `freelance init` a new book)")
    for line in git.setup(book.root):
        say(line)


def command(name: str):
    return typer.main.get_command(app)
