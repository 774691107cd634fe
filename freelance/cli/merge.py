"""`freelance merge-file BASE OURS THEIRS PATH`: git's merge driver for book files."""
from __future__ import annotations

import os
import subprocess
from typing import Annotated

import typer


def merge_file(
    base: Annotated[str, typer.Argument(metavar="BASE", help="The common ancestor's version (git's %O).")],
    ours: Annotated[str, typer.Argument(metavar="OURS", help="Our version; the result is written here (git's %A).")],
    theirs: Annotated[str, typer.Argument(metavar="THEIRS", help="Their version (git's %B).")],
    path: Annotated[str, typer.Argument(metavar="PATH", help="The file's path in the repository (git's %P).")],
):
    """Merge three versions of a book file by record id and field (git runs it).

    Records added on both sides are both kept; a field changed on one side
    takes the change; the same field changed differently on both sides, or a
    record removed on one side and edited on the other, is a conflict marked
    around that record only (exit 1). A file that is not a book file, or does
    not read cleanly, is merged by `git merge-file`. `freelance init` and
    `freelance git setup` register it; see docs/merge.md.

    Example: freelance merge-file base.yaml ours.yaml theirs.yaml clients.yaml
    """
    from ..core.errors import UsageError
    from ..store.merge import book_path, merge
    data = []
    for name, p in (("BASE", base), ("OURS", ours), ("THEIRS", theirs)):
        try:
            with open(p, "rb") as f:
                data.append(f.read())
        except OSError as exc:
            raise UsageError(f"{name} {p}: {exc.strerror}") from None
    rel = book_path(path, os.path.isfile)
    result = merge(*data, rel) if rel is not None else None
    if result is None:
        p = subprocess.run(["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", ours, base, theirs],
                           capture_output=True, text=True)
        if p.returncode != 0:
            typer.echo(f"freelance merge: {path}: merged as text (git merge-file): "
                       f"{max(p.returncode, 1)} conflict(s)", err=True)
        raise typer.Exit(0 if p.returncode == 0 else 1)
    tmp = ours + ".freelance-merge"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(result.text)
    os.replace(tmp, ours)
    for c in result.conflicts:
        typer.echo(f"freelance merge: {path}: {result.kind} '{c.id}': {c.why}", err=True)
    if result.conflicts:
        raise typer.Exit(1)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(merge_file)
    return typer.main.get_command(app)
