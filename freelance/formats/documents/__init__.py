"""Documents a client receives (a face): the invoice as HTML, PDF/A-3 with Factur-X XML, and
the XML alone. One dict (`model.build`) feeds them all; see docs/documents.md.

    doc = invoice_document(book, "INV-2026-019")   # raises DataError listing what is missing
    invoice_pdf(book, doc) -> bytes
"""
from __future__ import annotations

from ...core.errors import DataError, did_you_mean, NotFound, UsageError
import datetime as dt
from . import model
from ...core.rules import is_draft_id
from ...core.schema import KINDS
from ...read.automation import to_pay
from ...read.graph import Graph
from .cii import build_xml
from .html import render, render_html
from .labels import labels
from .pdf import check_xml, render_pdf, render_plain_pdf


def invoice_document(book, number: str, complete: bool = True) -> dict:
    """The document of invoice `number`; with `complete`, refuse (DataError) one that lacks
    what an invoice must show, saying what and how to fill it in."""
    rec = _find(book, number)
    if rec.data.get("status") == "void":
        raise UsageError(f"invoice '{rec.id}' is void: there is no document to send")
    doc = model.build(book, Graph(book), rec)
    if complete and doc["missing"]:
        raise DataError(f"invoice '{rec.id}' is not complete yet; it needs "
                        + "; ".join(doc["missing"]))
    return doc


def _find(book, number: str):
    """The invoice `number`, or a UsageError with the closest numbers: what `door.find` does,
    without importing the door and its planners (a document changes nothing; 45 ms a process)."""
    rec = book.find_generated(KINDS["invoice"], number) or book.get("invoice", number)
    if rec is None and is_draft_id(number):          # issued since: the draft id still names it (docs/ids.md)
        rec = next((r for r in book.records("invoice") if r.data.get("draft_id") == number), None)
    if rec is None:
        raise NotFound(f"no invoice '{number}'{did_you_mean(number, [r.id for r in book.records('invoice')])}")
    return rec


def invoice_html(book, doc: dict) -> str:
    return render_html(doc, book.root)


def invoice_xml(book, doc: dict) -> bytes:
    xml = build_xml(doc)
    check_xml(xml)
    return xml


def invoice_pdf(book, doc: dict, refused: list | None = None) -> bytes:
    """The PDF; `refused` gains a line for each thing the book's template asked for and did not
    get (a file outside the book, a URL, an attachment: docs/documents.md)."""
    return render_pdf(doc, render_html(doc, book.root), build_xml(doc), book.root, refused)


# -- quotes (docs/quotes.md) ----------------------------------------------------------------

def quote_document(book, number: str, complete: bool = True) -> dict:
    """The document of quote `number` (the invoice's model: parties, lines, tax per rate), with
    its validity and the work's dates; refused (DataError) while what it must show is missing."""
    rec = book.get("quote", number)
    if rec is None:
        raise UsageError(f"no quote '{number}'{did_you_mean(number, [r.id for r in book.records('quote')])}")
    doc = model.build(book, Graph(book), rec)
    if complete and doc["missing"]:
        raise DataError(f"quote '{rec.id}' is not complete yet; it needs " + "; ".join(doc["missing"]))
    return doc


def quote_html(book, doc: dict) -> str:
    return render("quote.html", doc, book.root)


def quote_pdf(book, doc: dict, refused: list | None = None) -> bytes:
    """The quote as PDF: a letter, not an invoice (no e-invoice XML in it)."""
    words = labels(doc["language"])
    return render_plain_pdf(doc, render("quote.html", doc, book.root), f"{words['quote']} {doc['number']}",
                            book.root, refused)


# -- payment reminders (docs/reminders.md) ------------------------------------------------

PAY_WITHIN_DAYS = 10        # a reminder asks for payment within this many days of its date


def reminder_document(book, graph, reminder, levels: int) -> dict:
    """The document of a payment reminder (`read.automation.Reminder`): the invoice's facts, what
    it still owes, the level's fee and interest, what to pay by when; `levels`: how many there are
    (the last is the final reminder). Refused (DataError) while the invoice's document is incomplete."""

    inv = reminder.invoice
    doc = model.build(book, graph, inv)
    if doc["missing"]:
        raise DataError(f"invoice '{inv.id}': no reminder without a complete document; it needs "
                        + "; ".join(doc["missing"]))
    level = reminder.level
    doc["reminder"] = {
        "level": level["level"], "final": level["level"] == levels, "date": book.today,
        "open": reminder.open, "paid": doc["total"] - reminder.open if doc["total"] > reminder.open else None,
        "fee": level.get("fee"), "interest": reminder.interest, "interest_rate": level.get("interest"),
        "days": reminder.days_late, "pay": to_pay(reminder),
        "by": book.today + dt.timedelta(days=PAY_WITHIN_DAYS),
    }
    return doc


def reminder_pdf(book, doc: dict, template: str | None = None) -> bytes:
    words = labels(doc["language"])
    title = f"{words['final_reminder'] if doc['reminder']['final'] else words['reminder']} {doc['number']}"
    return render_plain_pdf(doc, render(f"{template or 'reminder'}.html", doc, book.root), title, book.root)


# -- a client's statement of account (docs/ledger.md) --------------------------------------

def statement_document(book, graph, report) -> dict:
    """The document of a client's statement (`read.reports.statement.build`'s report)."""
    return model.build_statement(book, graph, report)


def statement_html(book, doc: dict) -> str:
    return render("statement.html", doc, book.root)


def statement_pdf(book, doc: dict, refused: list | None = None) -> bytes:
    """The statement as a PDF (a letter, no e-invoice in it), through the book's fetcher and
    the typesetting lock as an invoice's."""
    title = f"{labels(doc['language'])['statement']}: {doc['buyer']['name']}, {doc['to']}"
    return render_plain_pdf(doc, statement_html(book, doc), title, book.root, refused)
