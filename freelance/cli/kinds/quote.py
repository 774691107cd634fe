"""Quotes on the command line (docs/quotes.md): `add` with `--item` lines and the book's
numbering (Q-2026-001), the documents (`html`, `pdf`), `send` (the mail, sealed) and `accept`
(the client to client, the project and its services, the deposit invoice). list, show, edit,
move, board and rm are the generic ones (cli/entity.py)."""
from __future__ import annotations

import inspect
from typing import Annotated, Optional

import typer

from .. import entity
from ..common import say, state, writing
from . import documents

QUOTE = documents.number_arg("quote")
EXAMPLE = ('freelance quote add --client acme --title "Shop relaunch" --item "Design:1:2500:19%" '
           '--item "Development:40:95:19%" --valid-until +30d')


def _add_verb(app: typer.Typer, noun: str) -> None:
    def add(ctx: typer.Context, **kw):
        from ...changes import door
        from ...read.graph import Graph
        from ...core.text import fmt_money
        with writing(ctx) as book:
            values = entity.typed_values(book, noun, kw)
            data, notes = door.add_quote(book, values, kw.get("item") or [], kw.get("number"))
        for n in notes:
            say(n)
        rec = book.get("quote", data["id"])
        d = Graph(book).derived(rec)
        say(f"added quote '{data['id']}' ({data['status']}): total {fmt_money(d['total'], d['currency'])}, "
            f"valid until {data['valid_until']}")

    add.__signature__ = inspect.Signature([
        entity.ctx_param(),
        entity.item_param('A line, "description:quantity:unit_price" with the line\'s own tax rate (":19%"); '
                          "repeat it. On acceptance a line of quantity 1 becomes a fixed-price service, "
                          "others hourly ones (quantity = hours).", metavar="DESC:QTY:PRICE[:RATE%]"),
        *entity.option_params(noun, for_edit=False),
        entity.number_param("The quote number (default: the next of the issue year by the book's quote_number, "
                            "Q-{year}-{seq:03d}).")])
    add.__doc__ = ("Add a quote: the next number of the book's quote_number pattern, valid for 30 days "
                   "unless --valid-until says otherwise. A lead may get one.\n\n"
                   f"Example: {EXAMPLE}")
    entity.replace_verbs(app, add=add)


def _verbs(app: typer.Typer, noun: str) -> None:
    documents.html_verb(app, noun, "Q-2026-001")

    @app.command("pdf")
    def pdf(ctx: typer.Context,
            number: QUOTE,
            out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                                       help="The PDF's file (default: NUMBER.pdf, never written "
                                                            "through a link already there).")] = None):
        """The quote as PDF, in the client's language: what the client (or lead) receives.

        Refused, saying what to fill in, while your business details or the client's billing
        address are missing.

        Example: freelance quote pdf Q-2026-001 --out Q-2026-001.pdf
        """
        from ...formats.documents import quote_document
        book = state(ctx).book()
        documents.write_pdf(book, noun, quote_document(book, number), out)

    @app.command("send")
    def send(ctx: typer.Context, number: QUOTE, eml: documents.EML = None):
        """Send a quote: write the mail (an .eml with the PDF attached), mark it sent and seal it.

        What its document shows can no longer be edited afterwards (status and notes can).

        Example: freelance quote send Q-2026-001 --eml Q-2026-001.eml
        """
        from ...changes import door
        from ...formats.documents import quote_document
        with writing(ctx) as book:
            rec = door.find(book, "quote", number, "quote")
            doc = quote_document(book, rec.id)
            path, notes = documents.mail_out(book, noun, rec, doc, eml, documents.mail_time(book),
                                             lambda: door.send_quote(book, rec), template="quote-mail.txt")
        documents.say_sent(path, rec, doc, notes)

    @app.command("accept")
    def accept(ctx: typer.Context,
               number: QUOTE,
               project: Annotated[Optional[str], typer.Option(
                   "--project", metavar="NEW", help="The new project's id (default: a slug of the quote's title).")] = None,
               deposit: Annotated[Optional[str], typer.Option(
                   "--deposit", metavar="PCT%|AMOUNT",
                   help="Make the deposit invoice (a draft, type 386): a percentage of the quoted work (30%) or "
                        "an amount without tax, split over the tax rates as the quote is.")] = None):
        """Accept a quote: the client becomes a client, the project and its services are made from
        the quote's lines, and with --deposit the deposit invoice (its number is printed).

        A line of quantity 1 becomes a fixed-price service, others hourly services (quantity =
        hours, unit price = rate). The project keeps the quote's dates (start, due) and payment
        terms; its invoices are due after those terms.

        Example: freelance quote accept Q-2026-001 --project menu-app --deposit 30%
        """
        from ...changes import door
        with writing(ctx) as book:
            rec = door.find(book, "quote", number, "quote")
            invoice, notes = door.accept_quote(book, rec, project, deposit)
        for n in notes:
            say(n)
        if invoice is not None:
            from ...read.graph import Graph
            from ...core.text import fmt_money
            g = Graph(book)
            d = g.derived(book.get("invoice", invoice["id"]))
            say(f"added deposit invoice '{invoice['id']}' (draft): total {fmt_money(d['total'], d['currency'])}, "
                f"due {invoice['due']}")
            typer.echo(invoice["id"])


entity.EXTRA.setdefault("quote", []).extend([_add_verb, _verbs])
