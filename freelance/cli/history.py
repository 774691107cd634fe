"""`freelance history ID` and `freelance undo`: a record's changes from git, and taking back
the last change the tool committed."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import emit, say, state


def _locate(book, rid: str) -> list[str]:
    """The files that hold record `rid` now, else the ones whose history held it."""
    from ..core.schema import KINDS
    from ..store import git
    for kind in KINDS.values():
        rec = book.index(kind.name).get(rid)
        if rec is not None:
            return [rec.file]
    return git.files_with(book.root, rid)


def _show(v) -> str:
    from ..core.text import text
    return "(none)" if v is None else text(v)


def history(
    ctx: typer.Context,
    rid: Annotated[str, typer.Argument(metavar="ID", help="The record's id (a client, an invoice number, tx-...).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, markdown, csv or json.")] = "table",
    out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically; '-' for stdout).")] = None,
):
    """A record's changes from git, newest first: date, commit, author, and each
    field as `old -> new` (json: one object per commit with its fields).

    Example: freelance history acme --format json
    """
    from ..core.errors import UsageError
    from ..core.text import Column
    from ..formats.render import render_rows
    from ..store import git
    from .common import check_format
    check_format(fmt)
    book = state(ctx).book()
    if not git.in_repository(book.root):
        raise UsageError(f"{book.root}: not in a git repository: there is no history to show")
    rels = _locate(book, rid)
    if not rels:
        from ..core.errors import DataError
        raise DataError(f"no record '{rid}' in the book or its history")
    changes = git.history(book.root, rid, rels)
    if fmt == "json":
        from ..formats.render import to_json
        emit(to_json([{**c, "fields": {k: {"old": o, "new": n} for k, (o, n) in c["fields"].items()}}
                      for c in changes]), out)
        return
    rows = []
    for c in changes:
        base = {"date": c["date"][:16].replace("T", " "), "commit": c["commit"][:8], "author": c["author"]}
        if c["change"] == "rm":
            rows.append({**base, "change": "removed"})
            continue
        if c["change"] == "add" and fmt == "table":
            rows.append({**base, "change": "added"})
            continue
        for k, (o, n) in c["fields"].items():
            rows.append({**base, "change": f"{k}: {_show(o)} -> {_show(n)}" if c["change"] == "edit"
                         else f"{k}: {_show(n)}"})
    columns = [Column("date"), Column("commit"), Column("author"), Column("change")]
    emit(render_rows(rows, columns, fmt), out)


def undo(ctx: typer.Context):
    """Take back the last change the tool committed (with `auto_commit: true`, or
    by `freelance sync`), if it is not pushed yet: the book's files as before it.

    Example: freelance undo
    """
    from ..core.errors import UsageError
    from ..store import git
    from ..store.book import Book, find_book
    root = find_book(state(ctx).books)
    if not git.in_repository(root):
        raise UsageError(f"{root}: not in a git repository: there is no committed change to undo")
    holder = Book.__new__(Book)
    holder.root = root
    with Book.locked(holder):
        subject = git.undo(root)
    say(f"undone: {subject}")


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(history if name == "history" else undo)
    return typer.main.get_command(app)
