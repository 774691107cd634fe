"""`freelance validate`: every check, every problem, exit 1 on errors."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import emit, state
from pathlib import Path
import os


def validate(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically; '-' for stdout).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing; only the exit status tells.")] = False,
    staged: Annotated[bool, typer.Option("--staged", help="Check what git would commit (the index), "
                                         "not the working tree: for a pre-commit hook.")] = False,
):
    """Check the whole book: syntax, ids, links, types, allowed values, money, dates.

    Prints one line per problem, `file:line: error|warning: kind 'id': message`,
    sorted; exits 1 when there is an error (warnings alone exit 0). With
    --staged it checks the files as staged for the next commit: the
    pre-commit hook of `freelance init --hook` runs that.

    Example: freelance validate --format json
    """
    from ..formats.render import to_json
    from ..core.text import clean
    from ..read.validate import validate as run
    from .common import check_format
    check_format(fmt, ("text", "json"))
    state(ctx).reports_problems = True
    if staged:
        from ..store.book import Book, find_book
        from ..store.staged import staged_root
        st = state(ctx)
        chosen = st.books or os.environ.get("FREELANCE_BOOKS")
        # the folder given, even if its freelance.yaml is deleted in the working tree only
        start = Path(chosen).expanduser() if chosen and Path(chosen).expanduser().is_dir() else find_book(st.books)
        with staged_root(start) as (root, copy):
            problems = run(Book(root, st.today_date(), cache=st.cache and not copy))
    else:
        problems = run(state(ctx).book())
    if not quiet:
        if fmt == "json":
            emit(to_json([p.as_json() for p in problems]), out)
        else:
            errors = sum(p.is_error for p in problems)
            warnings = len(problems) - errors
            lines = [clean(str(p)) for p in problems]
            summary = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
            emit("".join(line + "\n" for line in lines), out)
            typer.echo(summary if problems else "ok: no problems", err=True)
    if any(p.is_error for p in problems):
        raise typer.Exit(1)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(validate)
    return typer.main.get_command(app)
