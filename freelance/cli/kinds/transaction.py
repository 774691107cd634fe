"""What is special about income on the command line: `income link`, the workflow's verb."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .. import entity
from ..common import say, writing

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
