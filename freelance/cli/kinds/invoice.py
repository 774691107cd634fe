"""What is special about invoices on the command line: `add` with line items and numbering.

The generic `add` (cli/entity.py) knows neither `--item` nor the book's
numbering, so this module replaces the invoice noun's `add` with one that
takes the same field options (made from the schema by the same function)
plus `--item` and `--number`, and hands them to `invoicing.plan_invoice`.
"""
from __future__ import annotations

import inspect
from typing import Annotated, List, Optional

import typer

from .. import entity
from ..common import say, writing

EXAMPLE = ('freelance invoice add --client acme --project acme-website --item "Design sprint:1:2500" '
           '--item "Development:40:95" --tax-rate 19 --issued today')


def _add_verb(app: typer.Typer, noun: str) -> None:
    def add(ctx: typer.Context, **kw):
        from ...changes import door
        from ...errors import UsageError
        timed = kw.get("from_time")
        if not timed and (kw.get("through") or kw.get("service") or kw.get("include_fixed")):
            raise UsageError("--through, --service and --include-fixed go with --from-time")
        if timed and (kw.get("item") or kw.get("amount")):
            raise UsageError("--from-time makes the lines from the hours: give no --item or --amount with it")
        with writing(ctx) as book:
            values = entity._values(book, noun, kw)
            if timed:
                from ...dates import parse_date
                through = parse_date(kw["through"], book.today, "--through") if kw.get("through") else book.today
                client, project = values.pop("client", None), values.pop("project", None)
                data, notes = door.add_invoice_from_time(book, values, client, project, through, kw.get("service"),
                                                         kw.get("include_fixed") or False, kw.get("number"))
                if data is None:
                    say(f"nothing to bill: no unbilled time of {'project ' + project if project else 'client ' + str(client)}"
                        f" up to {through}" + (" (fixed fees: --include-fixed)" if not kw.get("include_fixed") else ""))
                    return
            else:
                data, notes = door.add_invoice(book, values, kw.get("item") or [], kw.get("number"),
                                               kw.get("create_missing") or False)
        for n in notes:
            say(n)
        from ...graph import Graph
        from ...text import fmt_money
        g = Graph(book)
        rec = book.get("invoice", data["id"])      # a new invoice: its total, no income to load for it
        say(f"added invoice '{data['id']}' ({data['status']}): total {fmt_money(g.totals(rec)[2], g.currency(rec))}, "
            f"due {data['due']}")

    P = inspect.Parameter
    params = [entity._ctx_param(),
              P("item", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[List[str]], typer.Option(
                  "--item", metavar="DESC:QTY:PRICE[:SERVICE]",
                  help='A line item, "description:quantity:unit_price" with an optional ":service-id"; '
                       "repeat it. The description may contain ':' (fields are split from the right).")]),
              *entity._option_params(noun, for_edit=False),
              P("number", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
                  "--number", "--id", metavar="NUMBER",
                  help="The invoice number (default: the next of the issue year by the book's invoice_number).")]),
              P("create_missing", P.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
                  "--create-missing", help="Create the client or project if it does not exist yet.")]),
              P("from_time", P.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
                  "--from-time", help="Bill the unbilled hours of --client or --project: one line per service "
                                      "(or per project for hours with no service), at the rate of the rate chain; "
                                      "each entry taken is marked with the invoice.")]),
              P("through", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
                  "--through", metavar="DATE", help="With --from-time: hours up to DATE (default today).")]),
              P("service", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
                  "--service", metavar="ID", help="With --from-time: only this service's hours.")]),
              P("include_fixed", P.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
                  "--include-fixed", help="With --from-time: add completed fixed-price services not billed yet.")])]
    add.__signature__ = inspect.Signature(params)
    add.__doc__ = ("Add an invoice: the next number of the book's pattern, due after payment_terms_days.\n\n"
                   "Give line items with --item (repeat) or one amount with --amount, or bill unbilled hours "
                   "with --from-time (running it again bills nothing twice).\n\n"
                   f"Example: {EXAMPLE}\n\n"
                   "Example: freelance invoice add --from-time --client acme --through 2026-11-30")
    # replace the generic add, keep every other generic verb
    app.registered_commands[:] = [c for c in app.registered_commands if c.name != "add"]
    app.command("add")(add)


entity.EXTRA.setdefault("invoice", []).append(_add_verb)
