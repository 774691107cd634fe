"""What is special about income and expenses on the command line: `income link`, the workflow's
verb; `expense attach` (a receipt) and `expense import` (supplier e-invoices, docs/suppliers.md)."""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from .. import entity
from ..common import read_user_file, say, warn, writing

EXAMPLE = "freelance income link tx-20261118-36f675 --invoice INV-2026-013 --project globex-dashboard"


def _link_verb(app: typer.Typer, noun: str) -> None:
    @app.command("link")
    def link(ctx: typer.Context,
             rid: Annotated[str, typer.Argument(metavar="ID", help="The income's id.")],
             invoice: Annotated[Optional[str], typer.Option("--invoice", metavar="NUMBER", help=(
                 "Invoice number; `new` makes a draft invoice with the book's next number."))] = None,
             client: Annotated[Optional[str], typer.Option("--client", metavar="ID", help="Client id.")] = None,
             project: Annotated[Optional[str], typer.Option("--project", metavar="ID", help="Project id.")] = None,
             service: Annotated[Optional[str], typer.Option("--service", metavar="ID", help="Service id.")] = None,
             create_missing: Annotated[bool, typer.Option(
                 "--create-missing", help="Create what does not exist yet: a draft invoice, a lead, "
                                          "a not-started project or service (with a rate from its project, "
                                          "client or book, else refused).")] = False):
        """Link client income to its invoice, client, project and service (the workflow).

        Only the income's link lines change. The client follows from the invoice,
        project or service when not given. Received income that covers its
        invoice's total moves the invoice to paid, and this says so.

        Example: freelance income link tx-20261118-36f675 --invoice INV-2026-013 --project globex-dashboard
        """
        from ...changes import door
        with writing(ctx) as book:
            tx = door.find(book, "transaction", rid, noun)
            notes = door.link_income(book, tx, {"invoice": invoice, "client": client, "project": project,
                                       "service": service}, create_missing)
        for n in notes:
            say(n)


entity.EXTRA.setdefault("income", []).append(_link_verb)


def _expense_verbs(app: typer.Typer, noun: str) -> None:
    @app.command("attach")
    def attach(ctx: typer.Context,
               rid: Annotated[str, typer.Argument(metavar="ID", help="The expense's id.")],
               path: Annotated[str, typer.Argument(metavar="FILE", help="The receipt: a PDF, a photo, an e-invoice.")]):
        """Attach a receipt: the file is copied into the book's documents/YYYY/ (named by date,
        supplier and a hash of its content; the same file twice is stored once) and linked.

        Example: freelance expense attach TX-ID ~/Downloads/receipt.jpg
        """
        from ...changes import door
        name, data = read_user_file(path)
        with writing(ctx) as book:
            rec = door.find(book, "transaction", rid, noun)
            _, notes = door.attach_receipt(book, rec, name, data)
        for n in notes:
            say(n)

    @app.command("import")
    def import_(ctx: typer.Context,
                paths: Annotated[List[str], typer.Argument(metavar="FILE...", help=(
                    "Supplier e-invoices: Factur-X/ZUGFeRD PDFs, XRechnung (UBL or CII) or CII XML files; "
                    "a PDF without one is kept as the receipt of a draft to complete."))],
                account: Annotated[Optional[str], typer.Option("--account", metavar="ID", help=(
                    "The account the bill is paid from (default: the book's first)."))] = None,
                category: Annotated[Optional[str], typer.Option("--category", metavar="CATEGORY", help=(
                    "The expense category (default: the supplier's, else other)."))] = None):
        """Import supplier e-invoices as open bills: the supplier (found by VAT id or IBAN, or
        added), number, dates, lines, net and tax per rate, total, due date, payment IBAN; the
        file is kept as the receipt. The XML is checked against its official schema first.
        Importing the same file again adds nothing. Prints each expense's id on its own line;
        what else it did goes to stderr.

        Example: freelance expense import ~/Downloads/RE-2026-0815.pdf --account bank
        """
        from ...changes import door
        from ...formats import einvoice
        files = [read_user_file(p) for p in paths]
        bills = [(name, data, einvoice.read(data, name)) for name, data in files]   # all checked first
        for name, data, bill in bills:
            with writing(ctx) as book:
                made, added, notes = door.import_bill(book, bill or {}, name, data, account, category)
            for n in notes:
                warn(n) if not added else typer.echo(f"freelance: {n}", err=True)
            if added and bill is None:
                typer.echo(f"freelance: {name}: no e-invoice inside: kept as the receipt of draft expense "
                           f"'{made['id']}'; complete it (`freelance expense edit {made['id']} --amount ... "
                           "--not-draft`)", err=True)
            elif added:
                typer.echo(f"freelance: {name}: {bill['format']}: bill {bill.get('number')} of "
                           f"{made.get('supplier')}, {made['amount']} {bill.get('currency') or ''}".rstrip()
                           + f" -> expense '{made['id']}'", err=True)
            typer.echo(made["id"])


entity.EXTRA.setdefault("expense", []).append(_expense_verbs)
