"""The back office beyond the records: accounts, the bank (a statement uploaded, its dry run,
its import; the review queue and its one-click match; classification rules; reconciliation),
and an invoice sent. Each page reads what the CLI's command reads; each change is the CLI's
door call (docs/serve.md)."""
from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import OrderedDict
from urllib.parse import quote

from ..changes import door
from ..core.dates import parse_date
from ..core.errors import FreelanceError, NotFound, UsageError
from ..core.rules import is_draft_id
from ..core.limits import MAX_STATEMENT_BYTES
from ..core.text import Column
from ..formats import outbox
from ..formats.documents import invoice_document, invoice_pdf as make_pdf
from ..formats.documents.mail import invoice_mail
from ..formats.statements import registry as statements
from ..read import finance as fin
from ..read.classify import read_rules
from .forms import Input, as_text, check_version, typed, version

UPLOADS = 8          # statement files kept between their dry run and their import (the oldest forgotten)
ACCOUNT_FIELDS = (   # (name, help) as `account add` / `account edit` take them
    ("name", "Display name (default: from the id)."),
    ("currency", "The one currency it holds (blank: any, balanced per currency)."),
    ("opening_balance", "Its balance before the book's first record (default 0)."),
    ("iban", "Its IBAN (checked; spaces are dropped)."),
    ("bic", "Its bank's BIC, shown with its IBAN on invoices in its currency."),
    ("number", "Its bank account number, when it has no IBAN."),
)
UNSETTABLE = ("currency", "iban", "bic", "number")      # what `account edit --unset` may remove


def account_href(rid: str) -> str:
    return f"/account/{quote(str(rid), safe='')}"


def _notes(note) -> dict:
    return {"note": note[1], "note_kind": note[0]} if note else {}


# -- accounts -------------------------------------------------------------------------------

MONEY = dict(align="right", money=True)
ACCOUNT_COLUMNS = [Column("id"), Column("name"), Column("currency"), Column("iban"),
                   Column("opening_balance", "opening", **MONEY), Column("money_in", "in", **MONEY),
                   Column("money_out", "out", **MONEY), Column("transfers", **MONEY), Column("balance", **MONEY),
                   Column("expected_balance", "expected", **MONEY), Column("reconciled_through", "reconciled")]


def accounts_page(site, request, note):
    """`/accounts`: `freelance account list`, each account a link to its page."""
    g = site.graph()
    rows = [{**r, "_href": account_href(r["id"])} for r in g.memo(("page", "accounts"), lambda: fin.accounts(g))]
    return site.page("accounts.html", title="Accounts", rows=rows, columns=ACCOUNT_COLUMNS, **_notes(note))


def account_page(site, request, note):
    """`/account/ID`: `freelance account show ID` and its reconciliation: the statement's
    balance, the book's, and the lines that explain the difference."""
    rid = request.path_params["rid"]
    g = site.graph()
    g.settings.account(rid)                 # NotFound: 404
    d = site.memo(g, ("account", rid), lambda: fin.account_detail(g, rid))
    recs = site.memo(g, ("reconciliation", rid), lambda: fin.reconciliation(g, rid))
    return site.page("account.html", title=f"Account {d['name']}" + (f" ({rid})" if d["name"] != rid else ""),
                     d=d, recs=recs, rid=rid, here=account_href(rid), **_notes(note))


def _account_inputs(values: dict, errors: dict, new: bool) -> list[Input]:
    out = [Input("id", "id", "text", values.get("id", ""), "The account's id, like bank or wise-eur.", (), True,
                 errors.get("id", ""))] if new else []
    return out + [Input(n, n.replace("_", " "), "text", values.get(n, ""), h, (), False, errors.get(n, ""))
                  for n, h in ACCOUNT_FIELDS]


def _account_form(site, *, values, rid=None, errors=(), status=200):
    return site.page("form.html", status, title=f"Edit account {rid}" if rid else "New account", noun="account",
                     rec=None, version="", inputs=_account_inputs(values, {}, rid is None), errors=list(errors),
                     datalists={}, action=f"/edit/account/{quote(rid, safe='')}" if rid else "/new/account",
                     items="", has_items=False, is_invoice=False, no_create=True,
                     cancel=account_href(rid) if rid else "/accounts")


def account_new_form(site, request, note):
    return _account_form(site, values={})


def _shown(value) -> str:
    return as_text(value)


def account_edit_form(site, request, note):
    rid = request.path_params["rid"]
    info = site.book().settings.account(rid)
    return _account_form(site, values={n: _shown(info.get(n)) for n, _ in ACCOUNT_FIELDS}, rid=rid)


def account_new_submit(site, request, form):
    """`freelance account add ID --name ... --currency ...`, refused with its messages."""
    rid = form.get("id", "").strip()
    raw = {n: form.get(n, "").strip() or None for n, _ in ACCOUNT_FIELDS}
    try:
        if not rid:
            raise UsageError("ID: the account needs an id, like bank or wise-eur")
        with site.writing() as book:
            door.add_account(book, rid, **raw)
    except FreelanceError as exc:
        return _account_form(site, values=form, errors=[exc.message], status=400)
    return site.back(account_href(rid), "ok", [f"added account '{rid}'"])


def account_edit_submit(site, request, form):
    """`freelance account edit ID`: only the fields whose text changed; a blank currency, IBAN
    or number is `--unset` (a blank name or opening balance is left as it is)."""
    rid = request.path_params["rid"]
    try:
        with site.writing() as book:
            info = book.settings.account(rid)
            changes = {}
            for n, _ in ACCOUNT_FIELDS:
                new = form.get(n, "").strip()
                if n not in form or new == _shown(info.get(n)).strip():
                    continue
                if new:
                    changes[n] = new
                elif n in UNSETTABLE:
                    changes[n] = None
            if not changes:
                return site.back(account_href(rid), "ok", [f"account '{rid}' unchanged"])
            changed = door.edit_account(book, rid, changes)
    except NotFound:
        raise
    except FreelanceError as exc:
        return _account_form(site, values=form, rid=rid, errors=[exc.message], status=400)
    return site.back(account_href(rid), "ok", [f"changed account '{rid}': {', '.join(changed)}" if changed
                                               else f"account '{rid}' unchanged: it has those values already"])


# -- the bank: upload, dry run, import; review and match; rules --------------------------------

class Uploads:
    """Statement files uploaded for a dry run, kept (at most UPLOADS, in memory) until imported."""

    def __init__(self):
        self._files: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, name: str, data: bytes) -> str:
        key = secrets.token_hex(12)
        with self._lock:
            self._files[key] = (name, data)
            while len(self._files) > UPLOADS:
                self._files.popitem(last=False)
        return key

    def get(self, key: str) -> tuple[str, bytes]:
        with self._lock:
            found = self._files.get(key)
        if found is None:
            raise UsageError("that upload is no longer here (the server keeps the last few, until it restarts): "
                             "upload the file again")
        return found

    def drop(self, key: str) -> None:
        with self._lock:
            self._files.pop(key, None)


RULE_COLUMNS = [Column("line"), Column("match"), Column("field"), Column("category"), Column("classification"),
                Column("account"), Column("description")]


def bank_page(site, request, note):
    """`/bank`: upload a statement; what imports left to review (`bank review`), each payment
    with its candidate invoices to match in one click; the accounts' reconciliation; the rules."""
    g = site.graph()
    book = g.book
    items = [dict(it) for it in site.snapshot_memo(g, ("review",), lambda: door.review_items(book))]  # reads the book itself
    for it in items:
        it["_href"] = f"/r/{it['kind']}/{quote(it['id'], safe='')}"
        rec = book.get("transaction", it["id"])
        it["version"] = door_version(rec)
    rules, _ = read_rules(book)
    accounts = [a["id"] for a in book.settings.accounts()]
    recs = [(a, r) for a in accounts for r in site.memo(g, ("reconciliation", a), lambda a=a: fin.reconciliation(g, a))]
    return site.page("bank.html", title="Bank", items=items, rules=[r.as_dict() for r in rules], rule_columns=RULE_COLUMNS,
                     accounts=accounts, recs=recs, account_href=account_href,
                     categories=book.settings.allowed("expense_categories"),
                     classifications=book.settings.allowed("income_classifications"),
                     formats=statements.TITLES, csv_rules=statements.rule_names(book), **_notes(note))


def door_version(rec) -> str:
    return version(rec)


def _account_of_form(book, given: str) -> str:
    """The account a statement is of: the one chosen, else the book's only one (as `bank import`)."""
    if given:
        book.settings.account(given, "account")
        return given
    ids = [a["id"] for a in book.settings.accounts()]
    if len(ids) != 1:
        raise UsageError(f"choose the account: the book has {len(ids)} accounts ({', '.join(ids) or 'none'})")
    return ids[0]


def _plan(site, book, key: str, account: str, rules: str | None, dry_run: bool):
    name, data = site.uploads.get(key)
    acc = _account_of_form(book, account)
    f, stmts = statements.read(book, data, name, None, rules or None)
    return name, f, door.import_statement(book, stmts, acc, dry_run, None, name=name)


def bank_upload(site, request, form, upload):
    """The upload form: the file kept, then its dry run shown (`bank import --dry-run`), with a
    button that imports it."""
    name, data = upload
    if len(data) > MAX_STATEMENT_BYTES:
        raise UsageError(f"a statement file is at most {MAX_STATEMENT_BYTES:,} bytes")
    key = site.uploads.keep(name, data)
    book = site.book()
    name, f, plan = _plan(site, book, key, form.get("account", ""), form.get("rules", "").strip(), True)
    return site.page("bank_plan.html", title=f"Import {name}: dry run", plan=plan, name=name, format=f.title,
                     key=key, account=plan.account, rules=form.get("rules", "").strip(), dry_run=True)


def bank_import(site, request, form):
    """The dry run's "Import" button: `bank import FILE --account A`, one atomic write."""
    key = form.get("key", "")
    with site.writing() as book:
        name, f, plan = _plan(site, book, key, form.get("account", ""), form.get("rules", ""), False)
    site.uploads.drop(key)
    lines = [*plan.notes, f"{name}: {len(plan.added)} added, {len(plan.updated)} updated, "
                          f"{len(plan.skipped)} skipped as duplicates"]
    return site.back("/bank", "ok", lines)


def bank_match(site, request, form):
    """A candidate's "match" button: `freelance bank match TX INV`."""
    with site.writing() as book:
        rec = door.find(book, "transaction", form.get("id", ""), "income")
        check_version(rec, form.get("version"), "income")
        door.find(book, "invoice", form.get("invoice", ""))
        notes = door.link_income(book, rec, {"invoice": form.get("invoice", "")})
    return site.back(form.get("back") or "/bank", "ok", notes)


def bank_rule(site, request, form):
    """The rule form: `freelance bank rule add PATTERN --category C` (or --classification)."""
    get = {k: form.get(k, "").strip() or None for k in ("match", "category", "classification", "field", "account",
                                                       "description")}
    if not get["match"]:
        raise UsageError("PATTERN: give the text the payee holds (or a glob with *)")
    if (get["category"] is None) == (get["classification"] is None):
        raise UsageError("give --category (money out) or --classification (money in), one of them")
    values = {**get, "field": get["field"] if get["field"] not in (None, "payee") else None}
    with site.writing() as book:
        notes = door.add_bank_rule(book, values)
    return site.back("/bank", "ok", notes or ["rule added"])


# -- an invoice sent ----------------------------------------------------------------------------

def _when(book) -> dt.datetime:
    """The mail's Date: today (the book's) at the time it is now, in the book's timezone."""
    tz = book.settings.zone()
    return dt.datetime.combine(book.today, dt.datetime.now(tz).time().replace(microsecond=0), tzinfo=tz)


def bill_hours(site, request, form):
    """A project's (or client's) page's "bill the unbilled hours": `freelance invoice add
    --from-time --project P [--through DATE] [--tax-rate R]`, through the same door call: a draft
    whose lines are the hours not billed yet, each entry taken marked with it in the same write.
    The new invoice's page is shown (to check, edit or send it)."""
    noun, rid = form.get("noun", ""), form.get("id", "").strip()
    if noun not in ("project", "client"):
        raise UsageError("the hours billed are a project's or a client's")
    with site.writing() as book:
        values, errors = typed(book, "invoice", {"tax_rate": form.get("tax_rate", "")})
        if errors:
            raise UsageError(next(iter(errors.values())))
        raw = form.get("through", "").strip()
        through = parse_date(raw, book.today, "--through") if raw else book.today
        data, notes = door.add_invoice_from_time(book, values, rid if noun == "client" else None,
                                                 rid if noun == "project" else None, through)
    if data is None:
        return site.back(form.get("back") or "/", "ok", [f"nothing to bill: no unbilled time of {noun} {rid} "
                                                         f"up to {through}"])
    return site.back(f"/r/invoice/{quote(data['id'], safe='')}", "ok",
                     [*notes, f"added invoice '{data['id']}' ({data['status']}) from the unbilled hours of {noun} "
                              f"{rid} up to {through}: check it, then send it"])


def send_invoice(site, request, form):
    """The invoice page's "send it": the mail with the PDF attached, made as `freelance run`
    makes it (outbox/, then SMTP when the user has set it up: formats/outbox.py), and the
    invoice marked sent and sealed by `door.send_invoice` as `invoice send` does. A mail SMTP
    does not take waits in outbox/ and the invoice stays a draft."""
    back = form.get("back") or "/board/invoice"
    with site.writing() as book:
        rec = door.find(book, "invoice", form.get("id", ""))
        check_version(rec, form.get("version"), "invoice")
        smtp = outbox.smtp_settings()
        if is_draft_id(rec.id):         # refused (incomplete, no email...) before a draft is numbered
            invoice_mail(invoice_document(book, rec.id), b"", "draft.pdf", book.root, _when(book))
        rec, numbered = door.number_invoice(book, rec)     # a draft's number, before its document
        doc = invoice_document(book, rec.id)
        name = outbox.name_for(rec.id, "invoice")
        rel = f"{outbox.OUTBOX}/{name}"
        mail = invoice_mail(doc, make_pdf(book, doc), name[:-4] + ".pdf", book.root, _when(book),
                            headers={outbox.HEADER_INVOICE: rec.id, outbox.HEADER_ACTION: "invoice"})
        outbox.prepare(book)
        outbox.write(book, rel, mail)
        where = rel
        if smtp is not None:
            try:
                outbox.send(smtp, mail)
            except outbox.NotSent as exc:
                return site.back(back, "error", [f"invoice {rec.id} not sent ({exc}): the mail waits in {rel}; "
                                                 "`freelance run` sends it again; the invoice stays a draft"])
            where = outbox.move_sent(book, rel)
        try:
            notes = door.send_invoice(book, rec)
        except FreelanceError:
            if smtp is None:
                outbox.remove(book, rel)
            raise
    return site.back(back, "ok", [*numbered, *notes, f"sent invoice {rec.id} to {doc['buyer'].get('email') or 'the client'} "
                                          f"({where})"])
