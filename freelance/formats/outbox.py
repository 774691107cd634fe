"""Where the mails of `freelance run` go (docs/reminders.md): `outbox/` in the book, one .eml per
mail, and on by SMTP when the user has set it up.

- Each mail says what it is in X-Freelance-* headers (the invoice, and `invoice` or
  `reminder N`), so a mail that SMTP did not take is known on the next run and sent again
  as it was made; the headers are taken off before it goes out.
- Without SMTP, writing the .eml to outbox/ is the delivery: a mail program or another tool
  sends it from there. With SMTP, a mail sent moves to outbox/sent/; one that failed stays
  in outbox/ and the invoice stays as it was.
- SMTP is the user's, never the book's: a book can come from anyone, and one that named a
  server would get the password. Host, port, TLS and user come from the environment
  (FREELANCE_SMTP_HOST, _PORT, _TLS, _USER) or the `smtp:` mapping of the user's config file
  (`~/.config/freelance/config.yaml`); the password only from FREELANCE_SMTP_PASSWORD.
- outbox/ is ignored by git (a .gitignore in it) unless the book says `outbox: kept`.
"""
from __future__ import annotations

import email
import os
import smtplib
import ssl
from email.policy import SMTP
from pathlib import Path

from ..core.errors import DataError, UsageError
from ..store.atomic import replace_all
from ..store.book import config_file
from ..store.files import read_book_file, writable
from ..store.yamlio import read_mapping
import re

OUTBOX = "outbox"
SENT = "outbox/sent"
IGNORE = "# freelance: mails written by `freelance run`, not kept in git (`outbox: kept` in freelance.yaml keeps them)\n*\n"
HEADER_INVOICE = "X-Freelance-Invoice"
HEADER_ACTION = "X-Freelance-Action"
HEADERS = (HEADER_INVOICE, HEADER_ACTION, "X-Freelance-Fee", "X-Freelance-Interest")
TLS = ("starttls", "ssl", "none")


class NotSent(Exception):
    """SMTP did not take a mail (the server is down, refused it, or the login failed)."""


def prepare(book) -> None:
    """outbox/ exists in the book, with a .gitignore that keeps it out of git unless `outbox: kept`."""
    writable(book.root, OUTBOX + "/.gitignore")
    folder = Path(book.root) / OUTBOX
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    ours = ignore.is_file() and ignore.read_text(encoding="utf-8", errors="replace") == IGNORE
    if book.settings.outbox_kept:
        if ours:
            ignore.unlink()
    elif not ignore.exists():
        replace_all([(writable(book.root, OUTBOX + "/.gitignore"), IGNORE.encode())])


def name_for(number: str, action: str) -> str:
    """`INV-2026-019.eml` (the invoice), `INV-2026-019-reminder-1.eml`: the number, made a file name."""
    base = re.sub(r"[^\w.@+-]", "-", number)
    return f"{base}.eml" if action == "invoice" else f"{base}-{action.replace(' ', '-')}.eml"


def write(book, rel: str, data: bytes) -> str:
    """Write mail `data` to book file `rel` atomically (inside the book only); returns `rel`."""
    replace_all([(writable(book.root, rel), data)], make_folders=True)
    return rel


def pending(book) -> list[tuple[str, str, str]]:
    """(file, invoice, action) of each mail in outbox/ (not outbox/sent/) that says what it is."""
    folder = Path(book.root) / OUTBOX
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".eml"))
    except OSError:
        return []
    out = []
    for n in names:
        rel = f"{OUTBOX}/{n}"
        got = read_book_file(book.root, rel, limit=50 * 2**20)
        if got is None:
            continue
        msg = email.message_from_bytes(got[0], policy=SMTP)
        inv, action = msg.get(HEADER_INVOICE), msg.get(HEADER_ACTION)
        if inv and action:
            out.append((rel, str(inv), str(action)))
    return out


def read(book, rel: str) -> bytes:
    got = read_book_file(book.root, rel, limit=50 * 2**20)
    if got is None:
        raise DataError(f"{rel}: the mail is gone")
    return got[0]


def move_sent(book, rel: str) -> str:
    """Move a mail SMTP took to outbox/sent/ (same name); returns its new place."""
    new = f"{SENT}/{rel.rsplit('/', 1)[-1]}"
    target = writable(book.root, new)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(writable(book.root, rel), target)
    return new


def remove(book, rel: str) -> None:
    try:
        os.unlink(writable(book.root, rel))
    except FileNotFoundError:
        pass


def header(data: bytes, name: str) -> str | None:
    v = email.message_from_bytes(data, policy=SMTP).get(name)
    return None if v is None else str(v)


# -- SMTP -------------------------------------------------------------------------------

def smtp_settings() -> dict | None:
    """{host, port, tls, user, password} from the environment, else the user's config file's
    `smtp:`; None when no host is set (the mails stay in outbox/)."""
    conf = {}
    path = config_file()
    try:
        with open(path, "rb") as fh:
            data = fh.read(1_000_000)
    except OSError:
        data = None
    if data is not None:
        raw, _, problems = read_mapping(data, str(path))
        if raw is None or any(p.is_error for p in problems):
            raise UsageError(f"{path}: the config file does not read as YAML")
        smtp = raw.get("smtp")
        if smtp is not None and not isinstance(smtp, dict):
            raise UsageError(f"{path}: smtp: expected a mapping like {{host: smtp.example.test, port: 587}}")
        if isinstance(smtp, dict):
            if "password" in smtp:
                raise UsageError(f"{path}: smtp: no password here; set FREELANCE_SMTP_PASSWORD in the environment")
            conf = {k: smtp.get(k) for k in ("host", "port", "tls", "user") if smtp.get(k) is not None}
    for key in ("host", "port", "tls", "user"):
        v = os.environ.get(f"FREELANCE_SMTP_{key.upper()}")
        if v:
            conf[key] = v
    if not conf.get("host"):
        return None
    tls = str(conf.get("tls") or "starttls").lower()
    if tls not in TLS:
        raise UsageError(f"SMTP tls: one of {', '.join(TLS)}, got {tls!r}")
    try:
        port = int(conf.get("port") or (465 if tls == "ssl" else 587 if tls == "starttls" else 25))
    except ValueError:
        raise UsageError(f"SMTP port: a number, got {conf.get('port')!r}") from None
    return {"host": str(conf["host"]), "port": port, "tls": tls, "user": conf.get("user"),
            "password": os.environ.get("FREELANCE_SMTP_PASSWORD")}


def send(conf: dict, data: bytes) -> None:
    """Hand mail `data` to the SMTP server of `conf`, without the X-Freelance-* headers;
    NotSent saying why when it does not take it."""
    msg = email.message_from_bytes(data, policy=SMTP)
    for name in HEADERS:
        del msg[name]
    try:
        if conf["tls"] == "ssl":
            server = smtplib.SMTP_SSL(conf["host"], conf["port"], timeout=30, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(conf["host"], conf["port"], timeout=30)
        with server:
            if conf["tls"] == "starttls":
                server.starttls(context=ssl.create_default_context())
            if conf.get("user"):
                server.login(str(conf["user"]), conf.get("password") or "")
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise NotSent(f"{conf['host']}:{conf['port']}: {exc}") from None
