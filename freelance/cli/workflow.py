"""`freelance workflow`: the client-income view (every client income and its four links)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import FORMAT_HELP, emit, state


def workflow(ctx: typer.Context,
             unlinked: Annotated[bool, typer.Option("--unlinked", help="Only income with no invoice or no client yet.")] = False,
             pending: Annotated[bool, typer.Option("--pending", help="Only income not yet received (expected).")] = False,
             client: Annotated[Optional[str], typer.Option("--client", metavar="ID", help="Only this client's income.")] = None,
             date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="From this date.")] = None,
             date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Up to this date.")] = None,
             period: Annotated[Optional[str], typer.Option("--period", metavar="PERIOD", help="2026, 2026-Q4 or 2026-11.")] = None,
             fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "table",
             out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically; '-' for stdout).")] = None):
    """Every client income with its invoice, client, project and service (blank where not linked).

    Fill the blanks with `freelance income link TX --invoice ... --project ...`.

    Example: freelance workflow --unlinked
    """
    from ..read.graph import Graph
    from ..formats.render import render_rows
    from ..read.workflow import COLUMNS, rows
    from .common import check_format
    from .entity import date_range
    check_format(fmt)
    book = state(ctx).book()
    if client and book.get("client", client) is None:
        from ..core.errors import UsageError, did_you_mean
        raise UsageError(f"--client: no client '{client}'{did_you_mean(client, book.index('client'))}")
    start, end = date_range(book, date_from, date_to, period)
    data = rows(Graph(book), unlinked=unlinked, pending=pending, start=start, end=end, client=client)
    emit(render_rows(data, COLUMNS, fmt, json_rows=data if fmt == "json" else None,
                     table_keys=("id", "amount", "state", "invoice", "client")), out)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(workflow)
    return typer.main.get_command(app)
