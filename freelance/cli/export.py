"""`freelance export hledger|beancount|csv|json`: the book for other tools."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import emit, state

app = typer.Typer(name="export", no_args_is_help=True, add_completion=False,
                  help="Export the book: an hledger or beancount journal, or csv/json for spreadsheets "
                       "and scripts.\n\nExample: freelance export hledger --out book.journal")

Out = Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically; '-' for stdout).")]
Accrual = Annotated[bool, typer.Option("--accrual", help="Sent and paid invoices are income when issued, "
                                                         "held in assets:receivable:<client> until paid.")]


@app.callback()
def export_root():
    """Export the book: an hledger or beancount journal, or csv/json for spreadsheets and scripts.

    Example: freelance export hledger --out book.journal
    """


@app.command("hledger")
def hledger(ctx: typer.Context, out: Out = None, accrual: Accrual = False):
    """The moved money as an hledger journal (`hledger check`, `hledger bal` accept it).

    Client income goes to income:clients:<client>, other income to
    income:<classification>, expenses to expenses:<category>, accounts are
    assets:<account>; opening balances come from equity:opening-balances.

    Example: freelance export hledger --out book.journal && hledger -f book.journal bal
    """
    from ..formats.export import export_warnings, hledger as write
    from ..read.graph import Graph
    from .common import warn
    g = Graph(state(ctx).book())
    emit(write(g, accrual), out)
    for w in export_warnings(g, accrual):
        warn(w)


@app.command("beancount")
def beancount(ctx: typer.Context, out: Out = None, accrual: Accrual = False):
    """The moved money as a beancount file (`bean-check` accepts it); accounts as for hledger.

    Example: freelance export beancount --out book.beancount && bean-check book.beancount
    """
    from ..formats.export import beancount as write, export_warnings
    from ..read.graph import Graph
    from .common import warn
    g = Graph(state(ctx).book())
    emit(write(g, accrual), out)
    for w in export_warnings(g, accrual):
        warn(w)


@app.command("csv")
def csv(ctx: typer.Context,
        kind: Annotated[str, typer.Argument(metavar="KIND", help="client, project, service, invoice, transaction, "
                                                              "time, contact, resource, goal or meeting.")],
        out: Out = None):
    """Every record of one kind as CSV, stored and derived fields (formula-safe for spreadsheets).

    Example: freelance export csv invoice --out invoices.csv
    """
    from ..core.errors import UsageError, did_you_mean
    from ..formats.export import csv_of
    from ..read.graph import Graph
    from ..core.schema import KINDS
    aliases = {k.plural: k.name for k in KINDS.values()} | {"income": "transaction", "expense": "transaction"}
    name = aliases.get(kind, kind)
    if name not in KINDS:
        raise UsageError(f"export csv: no kind {kind!r}; one of {', '.join(KINDS)}{did_you_mean(kind, KINDS)}")
    emit(csv_of(Graph(state(ctx).book()), name), out)


@app.command("json")
def json(ctx: typer.Context, out: Out = None):
    """Every record of the book with its derived fields, by kind, as one JSON object.

    Example: freelance export json --out book.json
    """
    from ..formats.export import book_json
    book = state(ctx).book()
    book.load_all()
    # not kept between runs (read/kept.py): keeping 116 MB at 100,000 transactions cost a fifth
    # of making it, on every first run (docs/performance.md, "export json's first run")
    emit(book_json(book), out)


def command(name: str):
    return typer.main.get_command(app)
