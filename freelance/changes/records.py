"""Planning changes to records, shared by every kind: find, typed values, ids, links.

Faces hand these values typed on the command line (or in a form); these turn
them into typed values (with a clear message when they cannot) and plan the
`Write`s of an add, edit or removal. Nothing here applies a write (the door,
`changes.door`, does), prints or exits.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from decimal import Decimal, InvalidOperation

from ..core.dates import parse_date, parse_datetime, parse_period
from ..core.errors import NotFound, UsageError, did_you_mean
from ..core.rules import BILLED, date_order, is_currency, is_draft_id, is_email, is_id, is_url, may_lack, moved_after, NOT_OWED, TEXT_CHECKS
from ..core.schema import KINDS, Field, Kind
from ..store.book import Book
from ..store.records import Record
from ..store.scalars import duration_problem, duration_text, parse_duration
from ..store.writer import Write, plan_append
from ..core.durations import HOURS_HINT, MAX_ENTRY_HOURS, parse_hours
from ..core.limits import number_problem
from ..core.text import clean
from ..read.graph import Graph
from .matching import clear_review
from .numbers import draft_id

# A comma is read only as a thousands separator in its proper place (1,200.50):
# "1,5" or "1.200,50" would otherwise silently become 15 or 1.20050.
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?\Z")


def check_size(value: Decimal, text: str, opt: str) -> Decimal:
    """Refuse numbers no book needs and Decimal's cent rounding cannot take (1e30, 1e-40):
    `1e999999` would be written out as a million digits (limits.py)."""
    problem = number_problem(value)
    if problem:
        raise UsageError(f"{opt}: {text} {problem}")
    return value


_PLAIN = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)\Z")


def number_text(text: str, opt: str, plain: bool = True) -> str:
    """A number typed on the command line, thousands separators removed; UsageError
    when a comma is anywhere else (a decimal comma, a misplaced separator)."""
    t = str(text).strip().replace("_", "")
    if "," in t:
        if not _THOUSANDS.match(t):
            raise UsageError(f"{opt}: {text!r} is not a number: write decimals with a point "
                             "and commas only between thousands, like 1,200.50 or 1200.50")
        t = t.replace(",", "")
    if plain and not _PLAIN.match(t):     # 1e3, 0x10, Infinity: not how money is written (nor read from the book)
        raise UsageError(f"{opt}: expected a number like 1200.50, got {text!r}")
    return t


def slug(text: str) -> str:
    # an escape sequence is not part of the name: "\x1b[31mRed" -> "red"
    t = unicodedata.normalize("NFKD", clean(str(text))).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-zA-Z0-9]+", "-", t).strip("-").lower()
    return t[:60].strip("-") or "item"


def label(record: Record) -> str:
    """How a record is named in messages: 'client acme', 'income tx-...'."""
    k = record.kind if record.kind != "transaction" else str(record.data.get("kind") or "transaction")
    return f"{k} {record.id}"


def issued_as(book: Book, draft: str) -> Record | None:
    """The invoice that had draft id `draft` until it was issued (its `draft_id`), or None."""
    return next((r for r in book.records("invoice") if r.data.get("draft_id") == draft), None)


def find(book: Book, kind: str, rid: str, noun: str | None = None) -> Record:
    """The record `rid` of `kind`, or a UsageError with the closest ids."""
    rec = book.find_generated(KINDS[kind], rid) or book.get(kind, rid)
    if rec is None and kind == "invoice" and is_draft_id(rid):     # issued since: its number (docs/ids.md)
        rec = issued_as(book, rid)
    noun = noun or kind
    if rec is None or (kind == "transaction" and noun in ("income", "expense") and rec.data.get("kind") != noun):
        pool = [r.id for r in book.records(kind)
                if kind != "transaction" or noun not in ("income", "expense") or r.data.get("kind") == noun]
        raise NotFound(f"no {noun} '{rid}'{did_you_mean(rid, pool)}")
    return rec


def parse_value(book: Book, f: Field, raw, *, option: str | None = None):
    """A command-line value for field `f`, typed and checked; UsageError when it is not right.
    Links are checked by `check_links`, which knows about --create-missing."""
    opt = option or f.option_name
    if raw is None:
        return None
    if f.type in ("links", "strs"):
        values = [str(x) for x in raw] if isinstance(raw, (list, tuple)) else [str(raw)]
        for v in values:
            if f.check == "email" and not is_email(v):
                raise UsageError(f"{opt}: {v!r} does not look like an email address")
        return values
    if isinstance(raw, bool):
        return raw
    text = str(raw)
    if f.type == "link" and "invoice" in f.link and is_draft_id(text) and book.get("invoice", text) is None:
        issued = issued_as(book, text)          # a draft issued since: its number (docs/ids.md)
        if issued is not None:
            return issued.id
    if f.check == "hours":
        value = parse_hours(text)
        if value is None:
            raise UsageError(f"{opt}: expected hours like {HOURS_HINT}, got {text!r}")
        if not (0 < value <= MAX_ENTRY_HOURS):
            raise UsageError(f"{opt}: hours in one entry must be more than 0 and at most 24, got {text}")
        return value
    if f.type in ("money", "decimal"):
        t = number_text(text, opt)
        try:
            value = Decimal(t)
        except InvalidOperation:
            raise UsageError(f"{opt}: expected a number like 1200.50, got {text!r}") from None
        if not value.is_finite():
            raise UsageError(f"{opt}: expected a number like 1200.50, got {text!r}")
        check_size(value, text, opt)
        if f.check == "positive" and value <= 0:
            raise UsageError(f"{opt}: must be more than zero, got {text}")
        if f.check in ("nonnegative",) and value < 0:
            raise UsageError(f"{opt}: must not be negative, got {text}")
        if f.check == "hours" and not (0 < value <= 24):
            raise UsageError(f"{opt}: hours in one entry must be more than 0 and at most 24, got {text}")
        if f.check == "percent" and not (0 <= value <= 100):
            raise UsageError(f"{opt}: must be a percentage from 0 to 100, got {text}")
        return value
    if f.type == "int":
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"{opt}: expected a whole number, got {text!r}") from None
    if f.type == "date":
        return parse_date(text, book.today, opt, book.settings.date_order)
    if f.type == "datetime":
        return parse_datetime(text, book.today, opt, book.settings.date_order)
    if f.type == "duration":
        problem = duration_problem(text)
        if problem:
            raise UsageError(f"{opt}: {problem}")
        return duration_text(parse_duration(text))   # 1:30 and 1.5h are written 1h30m
    if f.type == "bool":
        low = text.lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
        raise UsageError(f"{opt}: expected true or false, got {text!r}")
    if f.required and not text.strip():
        raise UsageError(f"{opt}: must not be blank")
    allowed = list(f.choices) or (book.settings.allowed(f.setting) if f.setting else [])
    if (f.choices or f.setting) and text not in allowed:
        hint = (f"; add it with `freelance settings add {f.setting} {text}`" if f.setting else "")
        raise UsageError(f"{opt}: {text!r} is not one of {', '.join(allowed)}{did_you_mean(text, allowed)}{hint}")
    if f.check == "email" and not is_email(text):
        raise UsageError(f"{opt}: {text!r} does not look like an email address")
    if f.check == "url" and not is_url(text):
        raise UsageError(f"{opt}: {text!r} is not a URL (expected https://...)")
    if f.check == "currency" and not is_currency(text):
        raise UsageError(f"{opt}: expected a three-letter code like USD or EUR, got {text!r}")
    if f.check in TEXT_CHECKS:
        problem = TEXT_CHECKS[f.check](text)
        if problem:
            raise UsageError(f"{opt}: {text!r}: {problem}")
    return text


def check_filter(book: Book, f: Field, value: str, option: str, records=()) -> str:
    """A `list`/`board` filter value: an existing id for a link, an allowed value (or one
    some record has) otherwise; UsageError with the closest ones, so a typo is not
    mistaken for "nothing matches"."""
    if f.type in ("link", "links"):
        if any(book.get(k, value) for k in f.link):
            return value
        pool = [i for k in f.link for i in book.index(k)]
        raise UsageError(f"{option}: no {' or '.join(f.link)} '{value}'{did_you_mean(value, pool)}")
    if any(r.data.get(f.name) == value for r in records):
        return value
    try:
        return parse_value(book, f, value, option=option)
    except UsageError as exc:  # a filter adds nothing: no "add it with `settings add`" hint
        raise UsageError(exc.message.split("; add it with")[0]) from None


def new_id(book: Book, kind: Kind, data: dict, planned=frozenset()) -> str:
    """A slug of the record's name made unique, or a generated id that is never reused.
    `planned`: ids of records about to be added with this one (not in the book yet)."""
    if kind.id_from:
        taken = book.index(kind.name)
        base = slug(data.get(kind.id_from) or kind.name)
        rid, n = base, 2
        while rid in taken or rid in planned:
            rid, n = f"{base}-{n}", n + 1
        return rid
    # Generated: date plus random hex. Random, not a counter, so two branches of
    # a book kept in git never mint the same id (see docs/ids.md).
    d = data.get(kind.shard_by)
    day = f"{d:%Y%m%d}" if d is not None else f"{book.today:%Y%m%d}"
    if kind.sharded and not book.loaded(kind.name):
        # Only this day's ids can collide, and those live in its year's shard: read that
        # one file, not every year (docs/ids.md says when a same-day id lives elsewhere).
        rel = book.shard_for(kind, d or book.today)
        p = book.peek(rel, kind)            # a big shard: its ids are in its cache entry's header
        taken = set(p.ids[0]) if p is not None else {r.data.get("id") for r in book.read_file(rel, kind).records}
    else:
        taken = book.index(kind.name)
    while True:
        rid = f"{kind.id_prefix}-{day}-{secrets.token_hex(3)}"
        if rid not in taken:
            return rid


def check_id(book: Book, kind: Kind, rid: str) -> str:
    if not is_id(rid):
        raise UsageError(f"--id: {rid!r} is not a valid id (letters, digits, '.', '_' and '-')")
    if rid in book.index(kind.name):
        other = book.index(kind.name)[rid]
        raise UsageError(f"{kind.name} '{rid}' already exists ({other.file}:{other.line})")
    return rid


def ordered(kind: Kind, data: dict) -> dict:
    """Keys in the kind's declared order, unknown keys after."""
    out = {f.name: data[f.name] for f in kind.fields if f.name in data}
    out.update({k: v for k, v in data.items() if k not in out})
    return out


# -- records made on the spot (--create-missing) ----------------------------------------
# Such a record must pass `validate` as written: it takes what it can from the record
# that links to it (client, project, date, amount, currency, the rate chain), and when
# something it needs cannot be found the command is refused, naming what to give
# (docs/create-missing.md).

NEW_INVOICE = "new"     # `--invoice new`: a new draft invoice (its draft id)


def owner_client(book: Book, data: dict) -> str | None:
    """The client a record belongs to: its own `client`, else the client of the invoice,
    project or service it links to."""
    if data.get("client"):
        return str(data["client"])
    for k in ("invoice", "project", "service"):
        rid = data.get(k)
        rec = book.get(k, rid) if isinstance(rid, str) and rid != NEW_INVOICE else None
        if rec is not None and rec.data.get("client"):
            return str(rec.data["client"])
    return None


def supplier_defaults(book: Book, values: dict, create_missing: bool = False) -> dict:
    """An expense's values with what its supplier gives when they are not given: the category,
    the tax rate (unless the tax is given) and the currency (docs/suppliers.md). A supplier
    that does not exist is refused here, with the close ones (unless `create_missing`)."""
    rid = values.get("supplier")
    sup = book.get("supplier", rid) if isinstance(rid, str) and rid else None
    if sup is None:
        if rid and not create_missing:
            raise UsageError(f"--supplier: no supplier '{rid}'{did_you_mean(rid, list(book.index('supplier')))} "
                             "(add it with `freelance supplier add NAME`, or use --create-missing)")
        return values
    out = dict(values)
    if "category" not in out and sup.data.get("category"):
        out["category"] = sup.data["category"]
    if "tax_rate" not in out and "tax" not in out and "taxes" not in out and sup.data.get("tax_rate") is not None:
        out["tax_rate"] = sup.data["tax_rate"]
    if "currency" not in out and sup.data.get("currency"):
        out["currency"] = sup.data["currency"]
    return out


def _other_currency(book: Book, client: str | None) -> str | None:
    """The client's own currency, when it has one other than the book's."""
    rec = book.get("client", client) if client else None
    cur = rec.data.get("currency") if rec is not None else None
    return str(cur) if cur and str(cur) != book.settings.currency else None


def _stub(book: Book, kind: str, rid: str, context: dict, context_kind: str) -> dict:
    """What a record made on the spot by --create-missing looks like."""
    data = {"id": rid}
    client = owner_client(book, context) if context_kind != "client" else None
    name = rid.replace("-", " ").title()
    if kind == "client":
        data.update(name=name, stage=(book.settings.allowed("stages") or ["lead"])[0])
    elif kind in ("project", "service"):
        data.update(name=name, client=client)
        if kind == "service":
            data["project"] = context.get("project") if context_kind != "project" else context.get("id")
        data.update(status="not-started", currency=_other_currency(book, client))
    elif kind == "invoice":
        day = context.get("date") if context_kind == "transaction" else None
        day = day if isinstance(day, dt.date) else book.today
        data.update(client=client, project=context.get("project"), issued=day, status="draft")
        if context.get("amount") is not None:
            data["amount"] = context["amount"]
        cur = context.get("currency") or _other_currency(book, client)
        if cur and str(cur) != book.settings.currency:
            data["currency"] = cur       # the income's (or its client's): an invoice is paid in its own
    elif kind == "contact":
        data.update(name=name)
    elif kind == "supplier":
        data.update(name=name, category=context.get("category"))
    return {k: v for k, v in data.items() if v is not None}


def _check_stub(book: Book, kind: str, stub: dict, context: dict, context_kind: str, option: str) -> None:
    """Refuse a record made on the spot that `validate` would call an error."""
    target = stub["id"]
    if kind == "invoice":
        if not stub.get("client"):
            raise UsageError(f"{option}: cannot create invoice '{target}' without a client: give --client")
        if stub.get("amount") is None:
            raise UsageError(f"{option}: cannot create invoice '{target}' without an amount: add it first with "
                             f"`freelance invoice add --client {stub['client']} --amount AMOUNT`")
    if kind == "service":
        project = Record("project", context, "", 0, {}) if context_kind == "project" else (
            book.get("project", stub["project"]) if stub.get("project") else None)
        rate, _ = Graph(book).rate_for(Record("service", stub, "", 0, {}), project)
        if rate is None:
            client = stub.get("client")
            ways = [f"`freelance service add \"{stub['name']}\" --id {target}"
                    + (f" --client {client}" if client else "") + " --rate RATE` first"]
            known = book.get("client", client) if client else None
            if known is not None and known.file:          # not one made on the spot just now
                ways.append(f"give client {client} a rate (`freelance client edit {client} --default-rate RATE`)")
            if context_kind == "project":
                ways.append("give the project one (--rate RATE)")
            ways.append("give the book one (`freelance settings set default_rate RATE`)")
            raise UsageError(f"{option}: cannot create service '{target}': it would have no rate (none on its "
                             f"project, client or book); add it with {', or '.join(ways)}")


def check_links(book: Book, kind: Kind, data: dict, create_missing: bool,
                only: set[str] | None = None) -> tuple[list[Write], list[str]]:
    """Refuse links to missing records (with close matches), or create them when asked.
    `--invoice new` (on a record that links to an invoice) makes a draft invoice; its draft
    id replaces `new` in `data`."""
    writes, notes = [], []
    stubs: dict[str, list[dict]] = {}   # kind -> records to create, appended in one write per file
    order = ("client", "project", "service", "invoice")
    fields = sorted((f for f in kind.link_fields if only is None or f.name in only),
                    key=lambda f: order.index(f.link[0]) if f.link[0] in order else 9)
    for f in fields:
        value = data.get(f.name)
        option = (f.aliases or (f.option_name,))[0]
        if f.link == ("invoice",) and value == NEW_INVOICE:
            day = data.get("date") if isinstance(data.get("date"), dt.date) else book.today
            value = data[f.name] = draft_id(book, day)    # a draft: numbered when it is issued
            new_ok = True
        else:
            new_ok = create_missing
        for target in (value if isinstance(value, list) else [value] if value else []):
            if any(book.get(k, target) for k in f.link):
                continue
            if new_ok and len(f.link) == 1:
                stub = ordered(KINDS[f.link[0]], _stub(book, f.link[0], target, data, kind.name))
                _check_stub(book, f.link[0], stub, data, kind.name, option)
                if f.link[0] == "invoice" and kind.name == "transaction" and stub.get("currency") \
                        and not data.get("currency"):
                    data["currency"] = stub["currency"]   # income in its invoice's currency
                stubs.setdefault(f.link[0], []).append(stub)
                book.index(f.link[0])[target] = Record(f.link[0], stub, "", 0, {})
                notes.append(f"created {f.link[0]} '{target}'"
                             + (f" ({stub.get('stage') or stub.get('status')})" if stub.get('stage') or stub.get('status') else ""))
                continue
            pool = [i for k in f.link for i in book.index(k)]
            what = " or ".join(f.link)
            hint = " (or use --create-missing)" if len(f.link) == 1 else ""
            raise UsageError(f"{option}: no {what} '{target}'{did_you_mean(target, pool)}{hint}")
    for kind_name, records in stubs.items():
        writes.append(plan_append(book, kind_name, records))
    return writes, notes


def plan_add(book: Book, kind: Kind, values: dict, rid: str | None = None,
             create_missing: bool = False, future: bool = False,
             id_checked: bool = False) -> tuple[dict, list[Write], list[str]]:
    """The writes that add a record (and the records it creates with it), not applied; the
    door (`door.add`) adds what follows from it and applies them. `future`: money marked as
    moved may be dated after today. `id_checked`: `rid` is a generated id its caller looked
    up in its shard already (a stopped timer's), so the whole kind is not loaded to check it."""
    data = {k: v for k, v in values.items() if v is not None and v != []}
    data.update(_from_period(kind, data))
    for f in kind.fields:
        if f.name in data or f.default is None:
            continue
        if f.default == "@first":
            allowed = book.settings.allowed(f.setting)
            if allowed:
                data[f.name] = allowed[0]
        elif f.default == "@today":
            data[f.name] = book.today
        else:
            data[f.name] = f.default
    for f in kind.fields:
        if f.required and f.name != "id" and data.get(f.name) in (None, "", []) and not may_lack(kind.name, f.name, data):
            raise UsageError(f"{f.option_name} is required for a new {kind.name}")
    _check_date_order(kind, data)
    if not future:
        _check_moved(book, kind, data)
    data["id"] = rid if rid and id_checked else check_id(book, kind, rid) if rid else new_id(book, kind, data)
    writes, notes = check_links(book, kind, data, create_missing)
    data = ordered(kind, data)
    writes.append(plan_append(book, kind.name, data))
    return data, writes, notes


def _from_period(kind: Kind, data: dict) -> dict:
    """A goal measured over a `period` starts on its first day (not on the day it was added)
    and, unless given, is due on its last."""
    if kind.name != "goal" or not data.get("period"):
        return {}
    first, last = parse_period(str(data["period"]), "--period")
    return {k: v for k, v in (("start", first), ("target_date", last)) if k not in data}


def _check_moved(book: Book, kind: Kind, data: dict) -> None:
    """Refuse money marked as moved (received, paid) on a day after today, unless `--future`."""
    if kind.name != "transaction":
        return
    msg = moved_after(data, book.today)
    if msg:
        mark = "--paid" if data.get("kind") == "expense" else "--received"
        raise UsageError(f"--date: {msg}; leave out {mark} until it has moved, "
                         "or give --future if it is meant")


def unchanged(record: Record, changes: dict) -> bool:
    """Whether `changes` (typed values; None removes a field) leave the record as it is."""
    for k, v in changes.items():
        if v is None:
            if k in record.data:
                return False
        elif k not in record.data or record.data[k] != v or type(record.data[k]) is not type(v):
            return False
    return True


def _check_date_order(kind: Kind, data: dict, only=None) -> None:
    """Refuse an end before its start (what `validate` reports, a write does not make); with
    `only` (the fields a change sets), just the pairs the change touches."""
    bad = date_order(kind.name, data, only)
    if bad:
        f = kind.field(bad[0])
        raise UsageError(f"{(f.aliases or (f.option_name,))[0] if f else bad[0]}: {bad[1]}")


def plan_edit(book: Book, record: Record, changes: dict,
              future: bool = False) -> tuple[dict, list[Write], list[str]]:
    """(the record's data after `changes`, the writes of records its new links create, notes on
    them), after checking the change; the record's own write is made by the door, after the
    follow-ups. `changes` may gain values: `--invoice new` becomes the number it made."""
    kind = KINDS[record.kind]
    merged = dict(record.data)
    merged.update({k: v for k, v in changes.items() if v is not None})
    # links that change are checked (with the rest of the record as context for `--invoice new`)
    links = {f.name for f in kind.link_fields}
    context = dict(merged)
    writes, made = check_links(book, kind, context, False, only={k for k in links if changes.get(k) is not None})
    for k in links | {"currency"}:
        if context.get(k) is not None and context.get(k) != merged.get(k):
            changes[k] = merged[k] = context[k]           # `new` became the invoice's number
    after = {k: v for k, v in merged.items() if not (k in changes and changes[k] is None)}
    # what it lacked given: no longer under review
    clear_review(record, changes, after)
    _check_date_order(kind, after, set(changes))     # an old wrong pair does not block other edits
    if set(changes) & {"date", "received"} and not future:
        _check_moved(book, kind, after)
    return after, writes, made


def linked_from(book: Book, record: Record) -> list[tuple[Record, str]]:
    """Records that link to `record`, with the field that does."""
    out = []
    for kind in KINDS.values():
        for f in kind.fields:
            targets = f.link or tuple(s.link[0] for s in f.sub if s.link)
            if record.kind not in targets:
                continue
            for r in book.records(kind.name):
                v = r.data.get(f.name)
                if f.type == "records" and isinstance(v, list):
                    if any(isinstance(it, dict) and any(it.get(s.name) == record.id for s in f.sub if s.link == (record.kind,)) for it in v):
                        out.append((r, f.name))
                elif v == record.id or (isinstance(v, list) and record.id in v):
                    out.append((r, f.name))
    return out


def check_removable(book: Book, record: Record, force: bool = False) -> None:
    """Refuse to remove a record other records link to, unless `force` leaves them dangling, and
    an issued invoice (sent, paid or void: its number is used), unless `force`. A sealed one
    (sent by `invoice send`) is refused even so, by the invoice's follow-up (`invoicing.check_paid`)."""
    status = record.data.get("status")
    if record.kind == "invoice" and (status in BILLED or status == "void") and not force and not record.data.get("seal"):
        rid = record.id
        ways = ("it stays on record as void; " if status == "void" else
                f"void it with `freelance invoice move {rid} void`, or correct it with a credit note "
                f"(`freelance invoice credit {rid}`); ")
        raise UsageError(f"invoice '{rid}' is {status}: an issued invoice keeps its number, so that numbering "
                         f"stays gapless (docs/invoicing.md); {ways}`freelance invoice rm {rid} --force` removes "
                         "it anyway, and validate then reports the gap")
    users = linked_from(book, record)
    if record.kind == "invoice" and record.data.get("status") in NOT_OWED:
        # time entries a draft or void invoice billed are released with it (`time.release`)
        users = [(r, f) for r, f in users if not (r.kind == "time" and f == "invoice")]
    if users and not force:
        shown = ", ".join(f"{label(r)} ({f})" for r, f in users[:5])
        more = f" and {len(users) - 5} more" if len(users) > 5 else ""
        raise UsageError(f"{label(record)} is linked from {shown}{more}; "
                         "remove those links first, or use --force to leave them dangling")
