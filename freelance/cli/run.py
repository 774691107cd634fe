"""`freelance run`: do what is due, once, for cron (docs/recurring.md, docs/reminders.md).

In this order, under the book's run lock (a second run waits, then finds nothing to do):
1. mails SMTP did not take last time (in outbox/, saying what they are) are sent again;
2. each recurring invoice's periods due by --today that no invoice bills yet are made: a
   draft, sent on its day when the schedule says `send`; missed ones stay drafts;
3. each payment reminder due is made (PDF and mail, in the client's language), delivered,
   and recorded on its invoice, all in one write.
Each is whole or not at all: a failure is reported, the rest goes on, and the exit is 1.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Optional

import typer

from ..changes import door
from ..core.errors import FreelanceError
from ..core.schema import INVOICE
from ..formats import outbox
from ..formats.documents import invoice_document, invoice_pdf, reminder_document, reminder_pdf
from ..formats.documents.mail import invoice_mail
from ..formats.render import to_json
from ..read.automation import due_occurrences, due_reminders, sent_reminders
from ..read.graph import Graph
from ..read.reports.parts import owed
from ..store.book import Book, find_book, lock
from .common import check_format, emit, state, writing


@dataclass
class Done:
    action: str                 # invoice, draft, reminder, retry, dropped, failed (and "would ..." in a dry run)
    invoice: str | None
    text: str
    file: str | None = None

    def as_json(self) -> dict:
        return {"action": self.action, "invoice": self.invoice, "message": self.text, "file": self.file}


def _when(book: Book) -> dt.datetime:
    """The mail's Date: --today at the time it is now, in the book's timezone."""
    tz = book.settings.zone()
    return dt.datetime.combine(book.today, dt.datetime.now(tz).time().replace(microsecond=0), tzinfo=tz)


def _deliver(book: Book, smtp: dict | None, rel: str, data: bytes) -> str:
    """Hand a mail written to `rel` on: with SMTP, send it and move it to outbox/sent/ (NotSent
    leaves it where it is); without, outbox/ is where it goes. Returns where it is now."""
    if smtp is None:
        return rel
    outbox.send(smtp, data)
    return outbox.move_sent(book, rel)


def _retry(book: Book, smtp: dict, out: list[Done]) -> set[tuple[str, str]]:
    """Send again each mail in outbox/ that is not recorded as sent; returns those still waiting."""
    waiting = set()
    g = Graph(book)
    for rel, number, action in outbox.pending(book):
        inv = book.get("invoice", number)
        if inv is None:
            continue
        if action == "invoice":
            if inv.data.get("status") != "draft":
                continue                        # recorded: a mail left in outbox/ without SMTP
        elif action.startswith("reminder "):
            level = int(action.split()[1]) if action.split()[1].isdigit() else None
            if level is None or any(r["level"] == level for r in sent_reminders(inv)):
                continue
            left = owed(g, inv, book.today)
            if left is None or left <= 0:
                outbox.remove(book, rel)
                out.append(Done("dropped", number, f"{action} for {number} not sent: it is paid now", rel))
                continue
        else:
            continue
        data = outbox.read(book, rel)
        try:
            outbox.send(smtp, data)
        except outbox.NotSent as exc:
            waiting.add((number, action))
            out.append(Done("failed", number, f"{action} for {number} still not sent ({exc}); it stays in {rel} "
                                              "and is tried again on the next run", rel))
            continue
        new = outbox.move_sent(book, rel)
        if action == "invoice":
            door.send_invoice(book, inv)
        else:
            fee, interest = outbox.header(data, "X-Freelance-Fee"), outbox.header(data, "X-Freelance-Interest")
            door.record_reminders(book, [(inv, {"level": level, "date": book.today, "document": new,
                                                "fee": door.parse_value(book, _FEE, fee) if fee else None,
                                                "interest": door.parse_value(book, _FEE, interest) if interest else None})])
        out.append(Done("retry", number, f"sent {action} for {number} (it waited in {rel})", new))
        g = Graph(book)
    return waiting


def _make_invoices(book: Book, smtp: dict | None, out: list[Done], dry_run: bool) -> bool:
    failed = False
    for occ in due_occurrences(Graph(book), book.today):
        sched, p = occ.schedule, occ.period
        what = f"{sched.id}, {p.first} to {p.last}"
        if dry_run:
            out.append(Done("would make", None, f"would make the invoice of {what}"
                            + (" as a draft (missed on " + str(p.issue) + ")" if occ.late else
                               ", and send it" if sched.data.get("send") is True else " as a draft")))
            continue
        try:
            data, _ = door.make_period(book, sched, p)
        except FreelanceError as exc:
            failed = True
            out.append(Done("failed", None, f"{what}: not made: {exc.message}"))
            continue
        if data is None:
            continue                            # hours: none unbilled in the period
        number = data["id"]
        if occ.late:
            out.append(Done("draft", number, f"made draft {number} for {what} (missed on {p.issue}: check it and "
                                             f"send it with `freelance invoice send {number}`)"))
            continue
        if sched.data.get("send") is not True:
            out.append(Done("draft", number, f"made draft {number} for {what}"))
            continue
        try:
            number = door.number_invoice(book, book.get("invoice", number))[0].id   # before its document
        except FreelanceError as exc:
            failed = True
            out.append(Done("failed", number, f"made {number} for {what}, not numbered: {exc.message}"))
            continue
        rel = f"{outbox.OUTBOX}/{outbox.name_for(number, 'invoice')}"
        try:
            doc = invoice_document(book, number)
            mail = invoice_mail(doc, invoice_pdf(book, doc), outbox.name_for(number, "invoice")[:-4] + ".pdf",
                                book.root, _when(book),
                                headers={outbox.HEADER_INVOICE: number, outbox.HEADER_ACTION: "invoice"})
            outbox.prepare(book)
            outbox.write(book, rel, mail)
            where = _deliver(book, smtp, rel, mail)
            door.send_invoice(book, book.get("invoice", number))
        except outbox.NotSent as exc:
            failed = True
            out.append(Done("failed", number, f"made {number} for {what}, not sent ({exc}): it waits in {rel} and "
                                              "is sent on the next run", rel))
            continue
        except FreelanceError as exc:
            failed = True
            outbox.remove(book, rel)
            out.append(Done("failed", number, f"made draft {number} for {what}, not sent: {exc.message}"))
            continue
        out.append(Done("invoice", number, f"made {number} for {what} and sent it to {doc['buyer']['email']} "
                                           f"({where})", where))
    return failed


def _remind(book: Book, smtp: dict | None, out: list[Done], waiting: set, dry_run: bool) -> bool:
    failed = False
    g = Graph(book)
    levels, _ = book.settings.reminder_levels()
    sent = []
    for r in due_reminders(g, book.today):
        inv, level = r.invoice, r.level
        action = f"reminder {level['level']}"
        if (inv.id, action) in waiting:
            continue
        text = f"{action} for {inv.id} ({r.days_late} days late, {r.open} {g.currency(inv)} open)"
        if dry_run:
            out.append(Done("would remind", inv.id, f"would send {text}"))
            continue
        rel = f"{outbox.OUTBOX}/{outbox.name_for(inv.id, action)}"
        headers = {outbox.HEADER_INVOICE: inv.id, outbox.HEADER_ACTION: action}
        if level.get("fee"):
            headers["X-Freelance-Fee"] = str(level["fee"])
        if r.interest:
            headers["X-Freelance-Interest"] = str(r.interest)
        try:
            doc = reminder_document(book, g, r, len(levels))
            tpl = level.get("template")
            mail = invoice_mail(doc, reminder_pdf(book, doc, tpl), rel.rsplit("/", 1)[-1][:-4] + ".pdf", book.root,
                                _when(book), template=f"{tpl or 'reminder'}-mail.txt", headers=headers)
            outbox.prepare(book)
            outbox.write(book, rel, mail)
            where = _deliver(book, smtp, rel, mail)
        except outbox.NotSent as exc:
            failed = True
            out.append(Done("failed", inv.id, f"{text}: not sent ({exc}); it waits in {rel} for the next run", rel))
            continue
        except FreelanceError as exc:
            failed = True
            outbox.remove(book, rel)
            out.append(Done("failed", inv.id, f"{text}: not made: {exc.message}"))
            continue
        sent.append((inv, {"level": level["level"], "date": book.today, "document": where,
                           "fee": level.get("fee"), "interest": r.interest}))
        out.append(Done("reminder", inv.id, f"sent {text} to {doc['buyer']['email']} ({where})", where))
    if sent:
        door.record_reminders(book, sent)
    return failed


_FEE = next(f for f in INVOICE.field("reminders").sub if f.name == "fee")


def run(ctx: typer.Context,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what is due; make, send and record nothing.")] = False,
        fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
        out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                                   help="Write to FILE (atomically; '-' for stdout).")] = None):
    """Do what is due on --today, exactly once: recurring invoices, payment reminders, their mail.

    Makes each recurring invoice whose day has come (a draft, or sent on its day when the
    schedule says --send; periods missed while the machine was off are made as drafts and
    listed), then the payment reminders due (levels in freelance.yaml, by default 7 and 21
    days after the due date), each a PDF and a mail in the client's language, recorded on
    the invoice so it is never sent twice. Mails go to outbox/ in the book (one .eml each,
    named by the invoice number), or by SMTP when FREELANCE_SMTP_HOST is set; a mail SMTP
    did not take stays in outbox/ and is sent on the next run. Run it as often as you like:
    what exists is not made again. Exit 0: done or nothing to do; 1: something failed (the
    rest was done; nothing is half-made).

    Example: freelance run --dry-run

    Example (crontab): 0 7 * * * cd ~/books/studio && freelance run
    """
    check_format(fmt, ("text", "json"))
    st = state(ctx)
    done: list[Done] = []
    failed = False
    if dry_run:
        book = st.book()
        failed |= _make_invoices(book, None, done, True)
        failed |= _remind(book, None, done, set(), True)
    else:
        smtp = outbox.smtp_settings()
        with lock(find_book(st.books), timeout=3600, name="run.lock",
                  busy="another `freelance run` has held this book for an hour; is it stuck?"):
            with writing(ctx) as book:
                waiting = _retry(book, smtp, done) if smtp is not None else set()
                failed |= any(d.action == "failed" for d in done)
                failed |= _make_invoices(book, smtp, done, False)
                failed |= _remind(book, smtp, done, waiting, False)
    if fmt == "json":
        emit(to_json([d.as_json() for d in done]), out)
    else:
        emit("".join(d.text + "\n" for d in done) or ("nothing due\n" if dry_run else "nothing to do\n"), out)
    if failed:
        raise typer.Exit(1)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(run)
    return typer.main.get_command(app)
