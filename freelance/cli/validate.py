"""`freelance validate`: every check, every problem, exit 1 on errors."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import emit, state


def validate(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing; only the exit status tells.")] = False,
):
    """Check the whole book: syntax, ids, links, types, allowed values, money, dates.

    Prints one line per problem, `file:line: error|warning: kind 'id': message`,
    sorted; exits 1 when there is an error (warnings alone exit 0). Fit for a
    git pre-commit hook.

    Example: freelance validate --format json
    """
    from ..render import clean, to_json
    from ..validate import validate as run
    from .common import check_format
    check_format(fmt, ("text", "json"))
    book = state(ctx).book()
    problems = run(book)
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
