"""What is special about clients on the command line: `client statement`, their account."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..entity import EXTRA


def register(app: typer.Typer, noun: str) -> None:
    @app.command("statement")
    def statement(ctx: typer.Context,
                  rid: Annotated[str, typer.Argument(metavar="CLIENT", help="The client's id.")],
                  fmt: Annotated[str, typer.Option("--format", "-f", help="table, markdown, csv, json, html or pdf "
                                                                          "(html and pdf: the document you send).")] = "table",
                  out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                                             help="Write to FILE (atomically; '-' for stdout; pdf: "
                                                                  "default statement-CLIENT-DATE.pdf).")] = None,
                  period: Annotated[Optional[str], typer.Option("--period", metavar="PERIOD",
                                                                help="2026, 2026-Q4 or 2026-11.")] = None,
                  date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="From this date.")] = None,
                  date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Up to this date.")] = None):
        """A client's statement of account: opening balance, invoices, credit notes,
        payments (and bank fees), write-offs and closing balance, per currency.

        What the client owes by the ledger (docs/ledger.md), as `client show`, aging and the
        digest say; the opening balance is everything before --from or --period. As html or
        pdf it is a document to send the client (your business details, their address, in
        their language; a book's own templates/statement.html replaces the built-in one),
        with the same figures.

        Example: freelance client statement acme --period 2026-Q4 --format pdf
        """
        from ...changes import door
        from ...core.dates import window
        from ...read.graph import Graph
        from ...read.reports import Options
        from ...read.reports.statement import build
        from ..common import check_format, emit, say, state, warn, write_out
        from ..report import FORMATS, render_report
        check_format(fmt, FORMATS + ("pdf",))
        book = state(ctx).book()
        rec = door.find(book, "client", rid, noun)
        start, end = window(book.today, date_from, date_to, period, book.settings.date_order)
        g = Graph(book)
        report = build(g, rec.id, Options(book.today, start, end))
        if fmt not in ("html", "pdf"):
            emit(render_report(report, fmt, book.today), out)
            return
        from ...formats.documents import statement_document, statement_html, statement_pdf
        doc = statement_document(book, g, report)
        if fmt == "html":
            emit(statement_html(book, doc), out)
            return
        refused: list = []
        pdf = statement_pdf(book, doc, refused)
        for line in refused:
            warn(f"statement of {rec.id}: {line}")
        if out:
            emit(pdf, out)
            if out != "-":
                say(f"wrote {out}")
        else:               # a name the command chooses: no link that was there is followed
            path = f"statement-{rec.id}-{doc['to']}.pdf"
            write_out(path, pdf, "statement-CLIENT-DATE.pdf", named=False)
            say(f"wrote {path}")


EXTRA.setdefault("client", []).append(register)
