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
from ...core.rules import is_draft_id
from ..common import emit, out_folder, say, state, writing
from . import documents

EXAMPLE = ('freelance invoice add --client acme --project acme-website --item "Design sprint:1:2500" '
           '--item "Development:40:95" --tax-rate 19 --issued today')
INVOICE = documents.number_arg("invoice")
OUT, EML = documents.OUT, documents.EML
CREDIT_ITEMS = entity.item_option("Credit only these lines (positive prices; repeat). Default: every line.")


def _add_verb(app: typer.Typer, noun: str) -> None:
    def add(ctx: typer.Context, **kw):
        from ...changes import door
        from ...core.errors import UsageError
        timed = kw.get("from_time")
        if not timed and (kw.get("through") or kw.get("service") or kw.get("include_fixed")):
            raise UsageError("--through, --service and --include-fixed go with --from-time")
        if timed and (kw.get("item") or kw.get("amount")):
            raise UsageError("--from-time makes the lines from the hours: give no --item or --amount with it")
        parts = [x for x in ("deposit", "progress", "final") if kw.get(x)]
        if kw.get("progress_line") and not kw.get("progress"):
            parts.append("progress")
        if len(parts) > 1 or (parts and (timed or kw.get("item") or kw.get("amount"))):
            raise UsageError("give one of --deposit, --progress (or --progress-line), --final; they make the lines "
                             "from the project's quoted work: no --item, --amount or --from-time with them")
        with writing(ctx) as book:
            values = entity.typed_values(book, noun, kw)
            if parts:
                part = parts[0]
                share = kw.get(part) if part != "final" else None
                data, notes = door.add_part_invoice(book, values, part, share if isinstance(share, str) else None,
                                                    kw.get("progress_line") or None, kw.get("number"))
            elif timed:
                from ...core.dates import parse_date
                through = parse_date(kw["through"], book.today, "--through") if kw.get("through") else book.today
                client, project = values.pop("client", None), values.pop("project", None)
                data, notes = door.add_invoice_from_time(book, values, client, project, through, kw.get("service"),
                                                         kw.get("include_fixed") or False, kw.get("number"))
                if data is None:
                    why = (f"nothing to bill: no unbilled time of "
                           f"{'project ' + project if project else 'client ' + str(client)} up to {through}")
                    if kw.get("quiet"):     # no id: an empty $(...), and the reason on stderr
                        say(why, err=True)
                    else:
                        say(why + (" (fixed fees: --include-fixed)" if not kw.get("include_fixed") else ""))
                    return
            else:
                data, notes = door.add_invoice(book, values, kw.get("item") or [], kw.get("number"),
                                               kw.get("create_missing") or False)
        if kw.get("quiet"):         # for scripts: ID=$(freelance invoice add ... --quiet)
            for n in notes:
                say(n, err=True)
            say(data["id"])
            return
        for n in notes:
            say(n)
        from ...read.graph import Graph
        from ...core.text import fmt_money
        g = Graph(book)
        rec = book.get("invoice", data["id"])      # a new invoice: its total, no income to load for it
        d = g.derived(rec)
        what = f"{data['part']} invoice" if data.get("part") else "invoice"
        say(f"added {what} '{data['id']}' ({data['status']}): total {fmt_money(d['total'], d['currency'])}"
            + (f", less {fmt_money(d['prepaid'], d['currency'])} paid on account: "
               f"{fmt_money(d['total'] - d['prepaid'], d['currency'])}" if d["prepaid"] else "")
            + f", due {data['due']}")

    P = inspect.Parameter
    params = [entity.ctx_param(),
              entity.item_param('A line item, "description:quantity:unit_price" with an optional ":service-id" and '
                                'the line\'s own tax rate (":7%"); repeat it. The description may contain \':\' '
                                "(fields are split from the right)."),
              *entity.option_params(noun, for_edit=False),
              entity.number_param("The invoice number (default: the next of the issue year by the book's "
                                  "invoice_number)."),
              P("quiet", P.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
                  "--quiet", "-q", help="Print only the new invoice's id (its notes go to stderr; nothing when "
                                        "--from-time finds nothing to bill), for scripts: "
                                        "ID=$(freelance invoice add ... --quiet).")]),
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
                  "--include-fixed", help="With --from-time: add completed fixed-price services not billed yet.")]),
              P("deposit", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
                  "--deposit", metavar="PCT%|AMOUNT",
                  help="A deposit invoice of --project (type 386, paid on account): a share of its quoted work, "
                       "30% or an amount without tax, one line per tax rate.")]),
              P("progress", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
                  "--progress", metavar="PCT%|AMOUNT",
                  help="A progress invoice of --project (type 386, paid on account): a share of its quoted work.")]),
              P("progress_line", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[List[int]], typer.Option(
                  "--progress-line", metavar="N",
                  help="A progress invoice of the quoted work's line N, whole (repeat; `project show` numbers them).")]),
              P("final", P.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
                  "--final", help="The final invoice of --project (380): the whole quoted work, less every deposit "
                                  "and progress invoice (paid on account, BT-113), each rate's tax settled.")])]
    add.__signature__ = inspect.Signature(params)
    add.__doc__ = ("Add an invoice: a draft under a draft id (its number comes when it is issued), due after "
                   "payment_terms_days.\n\n"
                   "It prints the draft id (draft-20261207-3fa9c2); `invoice send` or `invoice move ID sent` gives "
                   "it the next number of the book's pattern, with every record linking to it. --status sent "
                   "numbers it at once; --number chooses one.\n\n"
                   "Give line items with --item (repeat) or one amount with --amount, or bill unbilled hours "
                   "with --from-time (running it again bills nothing twice).\n\n"
                   "A project billed in parts (docs/quotes.md): --deposit 30% or --progress 40% take a share of "
                   "its quoted work; --final bills the whole work less what was paid on account.\n\n"
                   f"Example: {EXAMPLE}\n\n"
                   "Example: freelance invoice add --from-time --client acme --through 2026-11-30\n\n"
                   "Example: ID=$(freelance invoice add --from-time --project acme-website --quiet)\n\n"
                   "Example: freelance invoice add --final --project shop-relaunch")
    entity.replace_verbs(app, add=add)


entity.EXTRA.setdefault("invoice", []).append(_add_verb)


# -- documents: html, pdf, xml ---------------------------------------------------------------

def _document_verbs(app: typer.Typer, noun: str) -> None:
    documents.html_verb(app, noun, "INV-2026-019")

    @app.command("xml")
    def xml(ctx: typer.Context, number: INVOICE, out: OUT = None):
        """The invoice as Factur-X / ZUGFeRD XML (EN 16931), checked against the schema.

        The same XML is embedded in the PDF; this writes it alone.

        Example: freelance invoice xml INV-2026-019 --out INV-2026-019.xml
        """
        from ...formats.documents import invoice_document, invoice_xml
        book = state(ctx).book()
        doc = invoice_document(book, number)
        emit(invoice_xml(book, doc), out)

    @app.command("pdf")
    def pdf(ctx: typer.Context,
            numbers: Annotated[Optional[List[str]], typer.Argument(metavar="[INVOICE]...",
                                                                   help="Invoice numbers.", show_default=False)] = None,
            out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                                       help="The PDF's file (one invoice; default: NUMBER.pdf, never "
                                                            "written through a link already there).")] = None,
            out_dir: Annotated[Optional[str], typer.Option("--out-dir", metavar="DIR",
                                                           help="Folder for the PDFs, made if missing (default: here); "
                                                                "not a link, nor through one.")] = None,
            status: Annotated[Optional[str], typer.Option("--status", help="Every invoice with this status.")] = None,
            client: Annotated[Optional[str], typer.Option("--client", help="Every invoice of this client.")] = None,
            period: Annotated[Optional[str], typer.Option("--period", metavar="PERIOD",
                                                          help="Issued in 2026, 2026-Q4 or 2026-11.")] = None):
        """The invoice as PDF/A-3 with its Factur-X XML embedded: what a client receives.

        Name invoices, or choose them with --status, --client and --period (a batch).
        Refused, saying what to fill in, while your business details or the client's
        billing details are missing. A book's own templates/invoice.html loads nothing
        from outside the book (a warning says what it left out).

        Example: freelance invoice pdf --status sent --period 2026-Q4 --out-dir invoices/
        """
        from ...formats.documents import invoice_document
        from ...core.errors import UsageError
        book = state(ctx).book()
        chosen = list(numbers or [])
        if status or client or period:
            chosen += _select(book, status, client, period)
        elif not chosen:
            raise UsageError("name an invoice (freelance invoice pdf INV-2026-019) or choose them with "
                             "--status, --client or --period")
        if out and len(chosen) != 1:
            raise UsageError(f"--out names one file, but {len(chosen)} invoices were chosen: use --out-dir")
        docs = [invoice_document(book, n) for n in dict.fromkeys(chosen)]   # all complete, or none written
        folder = out_folder(out_dir) if docs and not out else None
        for doc in docs:
            documents.write_pdf(book, noun, doc, out, folder, "--out-dir" if out_dir else "NUMBER.pdf")
        if not docs:
            say("no invoice matches")


    @app.command("send")
    def send(ctx: typer.Context, number: INVOICE, eml: EML = None):
        """Send an invoice: write the mail (an .eml with the PDF attached) and seal the invoice.

        The mail goes to the client's billing email (else their email), from your
        business email; its subject and body come from a template (a book's own
        templates/invoice-mail.txt replaces it). Open the .eml in a mail program to send
        it. The invoice moves to sent, records sent_on, and is sealed: what its document
        shows can no longer be edited (status, payments and notes can).

        Example: freelance invoice send INV-2026-019 --eml INV-2026-019.eml
        """

        from ...changes import door
        from ...formats.documents import invoice_document
        from ...formats.documents.mail import invoice_mail
        with writing(ctx) as book:
            rec = door.find(book, "invoice", number)
            when = documents.mail_time(book)
            if is_draft_id(rec.id):      # refused (incomplete, no email...) before a draft is numbered
                invoice_mail(invoice_document(book, rec.id), b"", "draft.pdf", book.root, when)
            rec, numbered = door.number_invoice(book, rec)     # a draft's number, before its document
            doc = invoice_document(book, rec.id)
            path, notes = documents.mail_out(book, noun, rec, doc, eml, when, lambda: door.send_invoice(book, rec))
        documents.say_sent(path, rec, doc, numbered + notes)


    @app.command("credit")
    def credit(ctx: typer.Context,
               number: Annotated[str, typer.Argument(metavar="INVOICE", help="The invoice it corrects.")],
               item: CREDIT_ITEMS = None,
               issue: Annotated[bool, typer.Option(
                   "--issue", help="Issue it at once (sent, with its number) instead of a draft.")] = False):
        """Make a credit note for a sent invoice, linked to the original.

        Its lines are the original's (or --item's) with negative prices, so its totals are
        negative and reports count it; its PDF and XML are a credit note (type 381) that
        names the invoice it corrects. It starts as a draft under a draft id (its number
        comes when it is sent: send it like an invoice), or with --issue as sent, numbered.

        Example: freelance invoice credit INV-2026-018 --item "Dashboard, hours not worked:4:95"
        """
        from ...changes import door
        from ...read.graph import Graph
        from ...core.text import fmt_money
        with writing(ctx) as book:
            rec = door.find(book, "invoice", number)
            data, notes = door.credit_invoice(book, rec, item, "sent" if issue else "draft")
        for n in notes:
            say(n)
        d = Graph(book).derived(book.get("invoice", data["id"]))
        say(f"added credit note '{data['id']}' for invoice '{rec.id}' ({data['status']}): "
            f"total {fmt_money(d['total'], d['currency'])}")


    @app.command("settle")
    def settle(ctx: typer.Context,
               number: INVOICE,
               write_off: Annotated[bool, typer.Option(
                   "--write-off", help="Write off what is still owed (it never comes): an expense of the "
                                       "book's write_off_category.")] = False,
               reason: Annotated[Optional[str], typer.Option(
                   "--reason", metavar="TEXT", help="Why it is written off: bank-fee, small-difference...")] = None):
        """Mark a sent invoice paid once nothing is left to pay, or write off the rest.

        An invoice is paid when its total less payments (and their fees), credit notes
        and write-offs is zero. Payments move it to paid by themselves; a credit note
        set against it is settled by that, and this marks the invoice paid. With
        --write-off, what is still owed is written off (dated today) and the invoice is
        paid: reports, the journal and the exports show it as an expense.

        Example: freelance invoice settle INV-2026-017 --write-off --reason bank-fee
        """
        from ...changes import door
        with writing(ctx) as book:
            rec = door.find(book, "invoice", number)
            notes = door.settle_invoice(book, rec, write_off, reason)
        for n in notes:
            say(n)

    @app.command("renumber")
    def renumber(ctx: typer.Context,
                 number: Annotated[str, typer.Argument(metavar="INVOICE", help="The draft's number now.")],
                 to: Annotated[Optional[str], typer.Option(
                     "--to", metavar="NUMBER", help="The number it gets (default: the next free one of "
                                                    "its year, by the book's invoice_number pattern).")] = None):
        """Give a draft invoice another number, with every record linking to it.

        The invoice's id is its number: its income, time entries and credit notes
        follow it, in one atomic write. Only a draft, or an invoice still under its
        draft id (sent by hand or by a merge: it gets its number): an issued number is
        never changed (correct a sent invoice with a credit note). `freelance sync`
        does this by itself for numbered drafts of older books that another device
        numbered alike (docs/sync.md).

        Example: freelance invoice renumber INV-2026-020
        """
        from ...changes import door
        with writing(ctx) as book:
            rec = door.find(book, "invoice", number)
            _, notes = door.renumber_invoice(book, rec, to)
        for n in notes:
            say(n)


def _select(book, status, client, period) -> list[str]:
    from ...core.dates import window
    from ...core.errors import UsageError, did_you_mean
    from ...core.schema import INVOICE
    from ...read.views import in_range
    if status and status not in INVOICE.field("status").choices:
        choices = INVOICE.field("status").choices
        raise UsageError(f"--status: one of {', '.join(choices)}{did_you_mean(status, choices)}")
    start, end = window(book.today, None, None, period)
    return [r.id for r in book.records("invoice")
            if (not status or r.data.get("status") == status) and (not client or r.data.get("client") == client)
            and (status == "void" or r.data.get("status") != "void") and in_range(r, INVOICE, start, end)]


entity.EXTRA["invoice"].append(_document_verbs)
