"""What an invoice and a quote share on the command line: their documents (docs/documents.md).

`html` prints or writes the page; `write_pdf` writes a PDF to --out or NUMBER.pdf;
`mail_out` writes the mail (an .eml with the PDF attached) and then lets the door send the
record, taking back a mail file it made when the door refuses. The documents themselves
are `formats.documents.{noun}_document`, `{noun}_html` and `{noun}_pdf`.

(No `from __future__ import annotations` here: the verbs' option types are made per noun,
and Typer reads them from the functions' annotations.)
"""
import datetime as dt
import os
import re
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from ..common import emit, say, state, warn, write_out


# the options the document verbs share (an annotation: `out: OUT = None`)
OUT = Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (default: print it).")]
EML = Annotated[Optional[str], typer.Option("--eml", metavar="FILE", help="The mail's file (default: NUMBER.eml, "
                                                                          "never written through a link already there).")]


def number_arg(noun: str):
    """The NUMBER argument of an invoice's or a quote's verb."""
    return Annotated[str, typer.Argument(metavar=noun.upper(), help=f"The {noun} number.")]


def file_name(number: str, ext: str) -> str:
    """The default file of an invoice's document: its number, with '/' and the like made '-'."""
    return re.sub(r"[^\w.@+-]", "-", number) + "." + ext


def html_verb(app: typer.Typer, noun: str, example: str) -> None:
    """`NOUN html NUMBER [--out FILE] [--incomplete]`: the document as one HTML page."""
    def html(ctx: typer.Context, number: number_arg(noun), out: OUT = None,
             incomplete: Annotated[bool, typer.Option("--incomplete", help="Render it even when your or the "
                                                      "client's details are missing (a preview).")] = False):
        from ...formats import documents
        book = state(ctx).book()
        doc = getattr(documents, f"{noun}_document")(book, number, complete=not incomplete)
        emit(getattr(documents, f"{noun}_html")(book, doc), out)

    html.__doc__ = (f"The {noun} as one HTML page, in the client's language (a preview of the PDF).\n\n"
                    f"Example: freelance {noun} html {example} --out {example}.html")
    app.command("html")(html)


def write_pdf(book, noun: str, doc: dict, out: Optional[str], folder: Optional[Path] = None,
              option: str = "NUMBER.pdf") -> None:
    """The document's PDF to `out`, else NUMBER.pdf (in `folder`, the one --out-dir named as
    `option`), never through a link already there; what the PDF left out, warned."""
    from ...formats import documents
    refused: list = []
    data = getattr(documents, f"{noun}_pdf")(book, doc, refused)
    for line in refused:
        warn(f"{noun} {doc['number']}: {line}")
    if out:
        emit(data, out)
        path = out
    else:               # a name the command chooses: no link that was there is followed
        name = file_name(doc["id"] if doc.get("draft") else doc["number"], "pdf")    # a draft: its draft id
        path = name if folder is None else str(folder / name)
        write_out(path, data, option, named=False)
    say(f"wrote {path}")


def mail_time(book) -> dt.datetime:
    """A mail's Date: the book's today at the clock's time, in the book's zone."""
    tz = book.settings.zone()
    return dt.datetime.combine(book.today, dt.datetime.now(tz).time().replace(microsecond=0), tzinfo=tz)


def mail_out(book, noun: str, rec, doc: dict, eml: Optional[str], when: dt.datetime,
             send: Callable[[], list], template: str = "invoice-mail.txt") -> tuple[str, list]:
    """Write the mail of `rec` (its PDF attached) to --eml or NUMBER.eml, then `send()` (the
    door's send, which seals it); a mail file this made is removed when the send is refused.
    Returns (the mail's file, the send's notes): the caller says them once the book is written."""
    from ...formats import documents
    from ...formats.documents.mail import invoice_mail
    refused: list = []
    mail = invoice_mail(doc, getattr(documents, f"{noun}_pdf")(book, doc, refused), file_name(rec.id, "pdf"),
                        book.root, when, template=template)
    for line in refused:
        warn(f"{noun} {rec.id}: {line}")
    path = eml or file_name(rec.id, "eml")
    existed = os.path.lexists(path)
    if eml:
        emit(mail, path, option="--eml")
    else:               # NUMBER.eml here: written only as a file, never through a link already there
        write_out(path, mail, "NUMBER.eml", named=False)
    try:
        notes = send()
    except BaseException:
        if not existed and os.path.lexists(path):
            os.unlink(path)
        raise
    return path, notes


def say_sent(path: str, rec, doc: dict, notes: list) -> None:
    """Where the mail of `rec` went, to whom, and the send's notes."""
    say(f"wrote {path}: to {doc['buyer']['email']}, {file_name(rec.id, 'pdf')} attached")
    for n in notes:
        say(n)
