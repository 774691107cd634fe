"""The mail that carries an invoice: an RFC 5322 message (the standard library's `email`)
to the client's billing email, subject and body from a template, the PDF attached.
Written as a .eml file that any mail program opens and sends."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ...core.errors import DataError
from ...core.text import clean
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from .html import render


def one_line(text) -> str:
    """`text` as a mail header may hold it: one line (line and paragraph separators, U+0085,
    vertical tab and form feed made spaces), no control or bidirectional characters."""
    return clean(" ".join(str(text or "").splitlines())).strip()


def invoice_mail(doc: dict, pdf: bytes, file_name: str, book_root: Path | None, when: dt.datetime,
                 template: str = "invoice-mail.txt", headers: dict | None = None) -> bytes:
    """The message as bytes (CRLF line ends, as mail is sent): `template` (the invoice's, or a
    reminder's) for subject and body, the PDF attached, `headers` added (`freelance run` says
    in X-Freelance-* headers what the mail is, so a retry records it)."""

    to, sender = doc["buyer"].get("email"), doc["seller"].get("email")
    missing = [what for what, value in (("the client's billing email (`freelance client edit CLIENT "
                                         "--billing-email ap@client.test`)", to),
                                        ("your business email (`freelance settings set business.email "
                                         "you@example.test`)", sender)) if not value]
    if missing:
        raise DataError(f"invoice '{doc['number']}' cannot be sent: it needs " + "; ".join(missing))
    text = render(template, doc, book_root)
    subject, _, body = text.lstrip("\n").partition("\n")
    msg = EmailMessage(policy=SMTP)
    try:
        msg["From"] = Address(display_name=one_line(doc["seller"].get("legal_name")), addr_spec=one_line(sender))
        msg["To"] = Address(display_name=one_line(doc["buyer"]["name"]), addr_spec=one_line(to))
    except (ValueError, IndexError) as exc:
        raise DataError(f"invoice '{doc['number']}': an email address the mail cannot use ({exc})") from None
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(idstring=doc["number"].replace("/", "-"), domain=one_line(sender).rpartition("@")[2])
    msg["Content-Language"] = doc["language"].replace("_", "-")
    for name, value in (headers or {}).items():
        msg[name] = value
    body = "\n".join(clean(line) for line in body.strip("\n").splitlines())
    msg.set_content(body + "\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=file_name)
    return msg.as_bytes()
