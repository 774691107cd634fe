"""Invoices: line items from the command line, gapless numbers, and settling.

- `parse_item` reads `--item "description:quantity:unit_price[:service]"`,
  splitting from the right so a description may hold ':' (docs/invoicing.md).
- `next_number` (in `numbers.py`) takes the book's `invoice_number` pattern (`{year}`,
  `{seq:03d}`) and returns the number after the highest of that year.
- `plan_invoice` builds a new invoice's data and writes (not applied).
- `settle` is the follow-up of every income add or edit (door.FOLLOW_UPS):
  received income that covers an invoice's total moves it to `paid`, in the
  same atomic write, and says so.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from ..core.errors import DataError, did_you_mean, UsageError
from ..core.money import dec, money, ZERO
from ..core.rules import (BILLED, NOT_OWED, SETTLED, first_format_seal, foreign_owner, seal_of,
                          invoice_statuses, is_draft_id, is_id, seal_problem, sealed_changes,
                          settles_invoice)
from ..read.owed import left_to_pay, prepaid, settled_otherwise as owed_otherwise, settlement, written_off
from ..core.schema import INVOICE, KINDS
from ..core.text import fmt_money
from ..read.graph import currency_of, Graph
from ..store.book import Book
from ..store.records import Record
from ..store.writer import Write, plan_update, plan_updates, plan_updates_in_files
from .numbers import draft_id, new_invoice_id, next_number
from ..core.limits import line_problem
from .records import check_size, number_text, plan_add

_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)\Z")


def _decimal(text: str, what: str, item: str) -> Decimal:
    try:
        value = Decimal(number_text(text, f"--item {item!r}: {what}", plain=False))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise UsageError(f"--item {item!r}: {what} {text.strip()!r} is not a number")
    return check_size(value, text.strip(), f"--item {item!r}: {what}")


def parse_item(text: str) -> dict:
    """`description:quantity:unit_price` or `description:quantity:unit_price:service`, either
    with a line's own tax rate after it (`:7%`).

    Split from the right: the last field is a service id when it is not a
    number, so the description keeps any ':' it contains
    ("Meeting: kick-off:1:250" is one line of 1 x 250)."""
    rate = None
    head, sep, last = text.rpartition(":")
    if sep and re.fullmatch(r"\s*\d+(\.\d+)?\s*%\s*", last):     # a line's own tax rate: ":7%"
        rate = _decimal(last.strip().rstrip("%"), "tax rate", text)
        if rate > 100:
            raise UsageError(f"--item {text!r}: tax rate must be a percentage from 0 to 100, got {last.strip()}")
        text = head
    parts = text.rsplit(":", 3)
    service = None
    if len(parts) == 4 and not _NUMBER.match(parts[3].strip().replace(",", "")):
        service = parts[3].strip()
        parts = parts[:3]
    else:
        if rate is None and len(parts) == 4 and all(_NUMBER.fullmatch(p.strip().replace(",", "")) for p in parts[1:]):
            # "Book:1:100:7": a tax rate without its '%', or a description ending in ":1"? Never guess.
            raise UsageError(f"--item {text!r}: four numbers after the description; if the last is the "
                             f"line's tax rate, end it with '%' (':{parts[3].strip()}%'); a description that "
                             "ends in ':<number>' needs another character after it")
        parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[0].strip():
        raise UsageError(f"--item {text!r}: expected \"description:quantity:unit_price\" "
                         "(optionally \":service-id\" after it), e.g. \"Development:40:95\"")
    desc, qty, price = parts[0].strip(), parts[1], parts[2]
    quantity = _decimal(qty, "quantity", text)
    if quantity <= 0:
        raise UsageError(f"--item {text!r}: quantity must be more than zero, got {qty.strip()}")
    unit_price = _decimal(price, "unit price", text)
    problem = line_problem(quantity, unit_price)
    if problem:
        raise UsageError(f"--item {text!r}: {problem}")
    item = {"description": desc}
    if service:
        item["service"] = service
    item["quantity"] = quantity
    item["unit_price"] = unit_price
    if rate is not None:
        item["tax_rate"] = rate
    return item


# -- numbers: changes/numbers.py (the income that makes an invoice on the spot needs them too)

# -- a new invoice -----------------------------------------------------------------

def plan_invoice(book: Book, values: dict, items: list[str], number: str | None,
                 create_missing: bool = False, lines: list[dict] | None = None,
                 terms: int | None = None) -> tuple[dict, list[Write], list[str]]:
    """A new invoice from typed option values plus `--item` texts (or `lines` made already,
    as `invoice add --from-time` makes them); writes not applied. Due after `terms` days, else
    its project's `payment_terms_days` (a quote's terms, docs/quotes.md), else the book's."""
    values = dict(values)
    if (items or lines) and values.get("amount") is not None:
        raise UsageError("give either --item (one or more lines) or --amount (a one-line invoice), not both")
    if not items and not lines and values.get("amount") is None:
        raise UsageError('an invoice needs --item "description:quantity:unit_price" (repeat it) or --amount')
    if items or lines:
        values["items"] = [parse_item(t) for t in items] + list(lines or [])
        services = book.index("service")
        for it in values["items"]:
            sid = it.get("service")
            if sid and sid not in services:
                raise UsageError(f"--item: no service '{sid}'{did_you_mean(sid, services)}")
        subtotal = sum(money(it["quantity"] * it["unit_price"]) for it in values["items"])   # as totalled
        if subtotal <= 0:   # what `validate` refuses, `add` does not write
            raise UsageError(f"--item: the lines add up to {subtotal}: an invoice must be for more than zero")
    issued = values.setdefault("issued", book.today)
    if terms is None and isinstance(values.get("project"), str):
        project = book.get("project", values["project"])
        terms = project.data.get("payment_terms_days") if project is not None else None
    if not isinstance(terms, int) or isinstance(terms, bool) or terms <= 0:
        terms = book.settings.payment_terms_days
    if values.get("due") is None:
        values["due"] = issued + dt.timedelta(days=terms)
    elif values["due"] < issued:
        raise UsageError(f"--due {values['due']} is before --issued {issued}")
    rid = new_invoice_id(book, values.get("status"), issued, number)
    return plan_add(book, INVOICE, values, rid=rid, create_missing=create_missing)


# -- sending and sealing -------------------------------------------------------------

def refuse_sealed(old: Record, new: dict) -> None:
    """A sealed (sent) invoice whose document fields `new` would change: refused."""
    changed = sealed_changes(old.data, new)
    if changed:
        sent = old.data.get("sent_on")
        raise UsageError(f"invoice '{old.id}' was sent{f' on {sent}' if sent else ''} and is sealed: "
                         f"{', '.join(changed)} cannot change (status, payments and notes can); correct it "
                         f"with a credit note: `freelance invoice credit {old.id}`")


def plan_send(book: Book, inv: Record) -> tuple[dict, list[str]]:
    """What sending `inv` changes: draft -> sent, `sent_on` today, and the seal of what its
    document shows (`rules.seal_of`). Sending again re-seals nothing: the seal must still hold."""
    status = inv.data.get("status")
    if status == "void":
        raise UsageError(f"invoice '{inv.id}' is void: it cannot be sent")
    seal = seal_of(inv.data)
    broken = seal_problem(inv.data)
    if broken and broken[0] == "error" and not first_format_seal(inv.data):     # a first-format seal: re-sealed
        raise DataError(f"invoice '{inv.id}': {broken[1]}; not sent again (see `freelance validate`)")
    changes = {"sent_on": book.today, "seal": seal}
    if status == "draft":
        changes = {"status": "sent", **changes}
    return changes, [f"invoice '{inv.id}' sealed: what it shows can no longer be edited"
                     if not inv.data.get("seal") else f"invoice '{inv.id}' sent again"]


# -- editing a draft, crediting a sent invoice -----------------------------------------

def plan_invoice_edit(book: Book, inv: Record, changes: dict, items: list[str] | None) -> dict:
    """The changes of `invoice edit`, completed: `--item` texts replace a draft's lines (and
    drop a one-line `amount`); a draft's new issue date moves a due date that was derived
    from the old one (issued + payment_terms_days)."""
    changes = dict(changes)
    status = inv.data.get("status")
    if items:
        if status != "draft":
            raise UsageError(f"invoice '{inv.id}' is {status}: only a draft's lines can be replaced "
                             f"(correct a sent one with `freelance invoice credit {inv.id}`)")
        if changes.get("amount") is not None:
            raise UsageError("give either --item (the new lines) or --amount, not both")
        lines = item_lines(book, items)
        changes["items"] = lines
        if inv.data.get("amount") is not None:
            changes["amount"] = None
    issued, due = inv.data.get("issued"), inv.data.get("due")
    new_issued = changes.get("issued")
    terms = dt.timedelta(days=book.settings.payment_terms_days)
    if status == "draft" and new_issued is not None and "due" not in changes \
            and isinstance(issued, dt.date) and due == issued + terms:
        changes["due"] = new_issued + terms
    return changes


def item_lines(book: Book, items: list[str], sign: int = 1) -> list[dict]:
    """`--item` texts as an invoice's lines (services checked, more than zero in all); `sign` -1:
    negative prices (a credit note)."""
    lines = [parse_item(t) for t in items]
    services = book.index("service")
    for it in lines:
        sid = it.get("service")
        if sid and sid not in services:
            raise UsageError(f"--item: no service '{sid}'{did_you_mean(sid, services)}")
    subtotal = sum(money(it["quantity"] * it["unit_price"]) for it in lines)   # as totalled
    if subtotal <= 0:   # what `validate` refuses, an edit does not write
        raise UsageError(f"--item: the lines add up to {subtotal}: an invoice must be for more than zero")
    if sign < 0:
        for it in lines:
            it["unit_price"] = -it["unit_price"]
    return lines


def _refuse_over_credit(book: Book, inv: Record, values: dict) -> None:
    """Credit notes of an invoice (not void) may together take back at most its total."""
    g = Graph(book)
    total = g.totals(inv)[2]
    before = sum((g.totals(r)[2] for r in book.records("invoice")
                  if r.data.get("credit_for") == inv.id and r.data.get("status") != "void"), Decimal(0))
    new = g.totals(Record("invoice", {**inv.data, **values, "amount": None}, inv.file, inv.line, {}))[2]
    if total + before + new < 0:
        cur = g.currency(inv)
        raise UsageError(f"invoice '{inv.id}' is for {fmt_money(total, cur)} and credited "
                         f"{fmt_money(-before, cur)} already: a credit note of {fmt_money(-new, cur)} would take "
                         "back more than it was for")


def plan_credit(book: Book, inv: Record, items: list[str] | None,
                as_status: str = "draft") -> tuple[dict, list[Write], list[str]]:
    """A credit note for `inv`: its own number, `credit_for` the original, the original's
    client, project, currency and rates, and its lines (or the `--item` lines) with negative
    prices, so its totals are negative and rollups count it. Starts as a draft under a draft
    id, or `as_status` sent with its number."""
    status = inv.data.get("status")
    if inv.data.get("credit_for"):
        raise UsageError(f"'{inv.id}' is a credit note itself: credit the invoice it corrects "
                         f"({inv.data['credit_for']})")
    if status in NOT_OWED:
        raise UsageError(f"invoice '{inv.id}' is {status}: " + ("edit it instead (a draft was never sent)"
                                                                 if status == "draft" else "it is not owed"))
    values = {k: inv.data[k] for k in ("client", "project", "currency", "tax_rate", "supply_start", "supply_end")
              if inv.data.get(k) is not None}
    if items:
        values["items"] = item_lines(book, items, sign=-1)
    elif isinstance(inv.data.get("items"), list) and inv.data["items"]:
        values["items"] = []
        for it in inv.data["items"]:
            if isinstance(it, dict):
                line = {k: it[k] for k in ("description", "service", "quantity", "unit_price", "tax_rate")
                        if it.get(k) is not None}
                line["unit_price"] = -dec(line.get("unit_price"))
                values["items"].append(line)
    else:   # a one-line invoice: one line (an amount may not be negative)
        project = book.get("project", inv.data["project"]) if inv.data.get("project") else None
        what = str(project.data.get("name")) if project is not None else f"Invoice {inv.id}"
        values["items"] = [{"description": what, "quantity": Decimal(1), "unit_price": -dec(inv.data.get("amount"))}]
    _refuse_over_credit(book, inv, values)
    values["issued"] = book.today
    values["status"] = as_status
    values["credit_for"] = inv.id
    return plan_add(book, INVOICE, values, rid=new_invoice_id(book, as_status, book.today))


# -- a draft's number ------------------------------------------------------------------

def plan_renumber(book: Book, inv: Record, number: str | None = None,
                  taken: tuple[str, ...] = ()) -> tuple[str, list[Write], list[str]]:
    """A draft invoice's number (its id) changed to `number`, else to the next free one of its
    year (after the book's and `taken`'s), with every link to it: the `invoice` of income and
    time entries, a credit note's `credit_for`, any field the schema says links an invoice.
    Only a draft, or an invoice that still has its draft id (issued by hand or by a merge:
    it never had a number): an issued number is the law's, never changed (docs/sync.md).
    Returns (the new number, writes, notes)."""
    status = inv.data.get("status") or "draft"
    if not is_draft_id(inv.id) and (status != "draft" or inv.data.get("seal") or inv.data.get("sent_on")):
        raise UsageError(f"invoice '{inv.id}' is {status}{' and was sent' if inv.data.get('sent_on') else ''}: "
                         "an issued number is never changed; correct it with a credit note "
                         f"(`freelance invoice credit {inv.id}`)")
    new, own, links = plan_number(book, inv, number, taken)
    change = {"id": new, "draft_id": inv.id} if is_draft_id(inv.id) else {"id": new}   # the draft id still names it
    writes = [plan_updates(book, [(inv, change), *own]) if own else plan_update(book, inv, change)]
    writes += plan_updates_in_files(book, links)
    return new, writes, [f"invoice '{inv.id}' is now '{new}'" + linked_note(own, links)]


def linked_note(own: list, links: list) -> str:
    moved = len(own) + len(links)
    return f", and {moved} record{'s' * (moved != 1)} linking to it" if moved else ""


def _naming(book: Book, kind, rid: str) -> list[Record]:
    """The records of `kind` that may link to `rid`: every one when the kind is loaded, else
    those of the files whose text holds it (a draft is linked from few records: issuing one on
    a book of 100,000 transactions parses none of their shards that do not name it)."""
    if book.loaded(kind.name) or kind.name == "invoice":
        return book.records(kind.name)
    out: list[Record] = []
    for rel in book.files_of(kind):
        data = book.raw(rel)
        if data is not None and rid.encode("utf-8") in data:
            out += book.read_file(rel, kind).records
    return out


def plan_number(book: Book, inv: Record, number: str | None = None, taken: tuple[str, ...] = ()
                ) -> tuple[str, list[tuple[Record, dict]], list[tuple[Record, dict]]]:
    """The number `inv` takes (`number`, else the next of its issue year after the book's and
    `taken`'s) and its links rewritten: (number, changes to records in the invoice's own file,
    changes to records of other files). The invoice's own change (`id`) is the caller's, so that it
    goes into the one write of its file with whatever else changes (a draft sent: its status,
    its seal)."""
    same = [r for r in book.records("invoice") if r.id == inv.id]
    if len(same) > 1:
        raise DataError(f"{len(same)} invoices are numbered '{inv.id}' ({', '.join(f'{r.file}:{r.line}' for r in same)}): "
                        "which links are whose cannot be told; give one of them another `id:` in its file, and "
                        "its income and time entries the same `invoice:`")
    issued = inv.data.get("issued")
    year = issued.year if isinstance(issued, dt.date) else book.today.year
    new = number or next_number(book, year, taken)
    if not is_id(new):
        raise UsageError(f"{new!r} is not a usable number: letters, digits, '.', '_' and '-' only")
    if new == inv.id:
        raise UsageError(f"invoice '{inv.id}' has that number already")
    if new in book.index("invoice") or new in taken:
        raise UsageError(f"invoice '{new}' exists already: choose a free number (or leave --to out for the next one)")
    own: list[tuple[Record, dict]] = []
    links: list[tuple[Record, dict]] = []
    for kind in KINDS.values():
        fields = [f.name for f in kind.link_fields if "invoice" in f.link]
        if not fields:
            continue
        for r in _naming(book, kind, inv.id):
            change = {}
            for name in fields:
                v = r.data.get(name)
                if v == inv.id:
                    change[name] = new
                elif isinstance(v, list) and inv.id in v:
                    change[name] = [new if x == inv.id else x for x in v]
            if change:
                (own if r.file == inv.file else links).append((r, change))
    return new, own, links


# -- settling ------------------------------------------------------------------------

def plan_settle(book: Book, inv: Record, write_off: bool, reason: str | None) -> tuple[dict, list[str]]:
    """`invoice settle`: the changes that mark a sent invoice paid once nothing is left to pay
    (read/owed.py: money, fees, credit notes, write-off), writing off what is left with
    `write_off` (a small difference, a fee the client's bank took; `reason` says why)."""
    if inv.data.get("credit_for"):
        raise UsageError(f"'{inv.id}' is a credit note: it is settled by the invoice it corrects "
                         f"({inv.data['credit_for']}), or marked paid when refunded: `freelance invoice move {inv.id} paid`")
    status = inv.data.get("status")
    if status not in BILLED:
        raise UsageError(f"invoice '{inv.id}' is {status}: only a sent invoice is settled")
    if reason is not None and not write_off:
        raise UsageError("--reason goes with --write-off")
    g = Graph(book)
    s = settlement(g, inv, dt.date.max)
    cur = s.currency
    if s.balance < 0:
        raise UsageError(f"invoice '{inv.id}' is overpaid by {fmt_money(-s.balance, cur)}: nothing to settle")
    changes: dict = {}
    notes: list[str] = []
    if s.balance > 0:
        if not write_off:
            raise UsageError(f"invoice '{inv.id}' still owes {fmt_money(s.balance, cur)}: record the payment "
                             f"(`freelance income add {s.balance} --invoice {inv.id} --received`), or write it off: "
                             f"`freelance invoice settle {inv.id} --write-off --reason bank-fee`")
        changes = {"written_off": s.written_off + s.balance, "written_off_on": book.today}
        if reason:
            changes["write_off_reason"] = reason
        notes.append(f"wrote off {fmt_money(s.balance, cur)} of invoice '{inv.id}'"
                     + (f" ({reason})" if reason else "") + f": expenses:{g.settings.get('write_off_category') or 'write-offs'}")
    elif write_off:
        raise UsageError(f"invoice '{inv.id}' owes nothing: there is nothing to write off")
    if status != "paid":
        changes["status"] = "paid"
        notes.append(f"invoice '{inv.id}' is paid: nothing is left to pay ({status} -> paid)")
    if not changes:
        raise UsageError(f"invoice '{inv.id}' is paid already and owes nothing")
    return changes, notes


def check_paid(book: Book, old: Record | None, new: dict) -> tuple[list[Write], list[str]]:
    """Refuse to mark an invoice paid (by `move` or `edit`) while its received income does
    not cover the total, to lower its total below what it has received, or to change its
    currency away from its income's: states that `validate` reports as errors. A sealed
    (sent) invoice keeps what its document shows: an edit of those fields, or its removal, is refused."""
    if new is not None and old is not None:
        refuse_back(old, new)
        refuse_sealed(old, new)
        _refuse_new_total(book, old, new)
    if new is None and old is not None and old.data.get("seal"):
        sent = old.data.get("sent_on")
        raise UsageError(f"invoice '{old.id}' was sent{f' on {sent}' if sent else ''} and is sealed: it is not "
                         f"removed (its number and document stay on record); void it with `freelance invoice move "
                         f"{old.id} void`, or correct it with a credit note: `freelance invoice credit {old.id}`")
    if new is None or new.get("status") != "paid" or (old is not None and old.data.get("status") == "paid"):
        return [], []
    inv = old
    if inv is None:   # a new invoice: no income can be linked to it yet
        raise UsageError(f"a new invoice cannot start as paid: add it as sent, then record the payment "
                         f"(`freelance income add AMOUNT --invoice {new.get('id', 'INV')} --received`) "
                         "and it moves to paid by itself")
    if inv.data.get("credit_for"):    # settled by a refund (an expense) or set off: no income to wait for
        return [], []
    g = Graph(book)
    # read/owed.py, as it will be (under the id its income links to: a draft numbered now keeps its links)
    s = settlement(g, Record(inv.kind, {**new, "id": inv.id, "status": "sent"}, inv.file, inv.line, {}), dt.date.max)
    if s.total > 0 and s.balance <= 0:
        return [], []
    cur = s.currency
    settled = [f"received {fmt_money(s.received, cur)}"] + \
        ([f"credited {fmt_money(s.credited, cur)}"] if s.credited else []) + \
        ([f"written off {fmt_money(s.written_off, cur)}"] if s.written_off else [])
    raise UsageError(f"invoice '{inv.id}' has {', '.join(settled)} of {fmt_money(s.total, cur)}, so it still owes "
                     f"{fmt_money(s.balance, cur)}; record the payment and it moves to paid by itself: "
                     f"`freelance income add {s.balance} --invoice {inv.id} --received`, or write the rest off: "
                     f"`freelance invoice settle {inv.id} --write-off --reason bank-fee`")


def refuse_back(old: Record, new: dict) -> None:
    """Hours are billed once, for ever (docs/ledger.md): a void invoice stays void (its hours
    were released and may be billed again), and a sealed one (sent) never goes back to draft."""
    was, now = old.data.get("status"), new.get("status")
    if now in invoice_statuses(old.data, [now]):      # the web offers only these (core/rules.py)
        return
    if was == "void":
        raise UsageError(f"invoice '{old.id}' is void, and void is final: its number stays on record and the "
                         f"hours it billed were released; bill them on a new invoice "
                         f"(`freelance invoice add --from-time --client {old.data.get('client') or 'CLIENT'}`)")
    raise UsageError(f"invoice '{old.id}' is {was} and sealed: it does not go "
                     f"back to draft; correct it with a credit note (`freelance invoice credit {old.id}`) or "
                     f"void it (`freelance invoice move {old.id} void`)")


def _refuse_new_total(book: Book, old: Record, new: dict) -> None:
    """An invoice edit or move that leaves it overpaid (a lower total, or back from void), or
    in another currency or of another client than the income linked to it."""
    g = Graph(book)
    cur = g.currency(Record(old.kind, new, old.file, old.line, {}))    # as stored, or from its project or client
    client = new.get("client")
    if cur != g.currency(old) or (client and client != old.data.get("client")):
        linked = [t for t in g.records("transaction") if t.data.get("invoice") == old.id]
        for what, bad in (("income in another currency than " + cur, [t for t in linked if g.currency(t) != cur]),
                          (f"income of another client than '{client}'",
                           [t for t in linked if client and t.data.get("client") and t.data.get("client") != client])):
            if bad:
                ids = sorted(t.id for t in bad)
                raise UsageError(f"invoice '{old.id}' has {what} linked to it "
                                 f"({', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''}): relink or edit "
                                 "that income first (`freelance income link TX --invoice ...`)")
    if new.get("status") == "void":
        return                          # a void invoice is not owed: validate does not weigh it
    total = g.totals(Record(old.kind, new, old.file, old.line, {}))[2]
    if total >= g.totals(old)[2] and old.data.get("status") != "void":
        return
    received = book.received_for_invoice(old.id)
    if received > total:
        raise UsageError(f"invoice '{old.id}' has received {fmt_money(received, cur)}; with a total of "
                         f"{fmt_money(total, cur)}{' and no longer void' if old.data.get('status') == 'void' else ''} "
                         "it would be overpaid, so nothing was changed")


_LINKED = ("invoice", "project", "service")


def refuse_bad_payment(book: Book, old: Record | None, new: dict) -> None:
    """Income whose links are not all its client's, that would pay an invoice in another
    currency, or pay it past its total (what `validate` reports as errors), is refused. Only
    what this write changes is judged: an edit of income already linked that way (by hand)
    is left to `validate`."""
    if new.get("kind") != "income":
        return
    was = old.data if old is not None and old.data.get("kind") == "income" else {}
    client = new.get("client")
    if client:
        for k in _LINKED:
            rid = new.get(k)
            if not rid or (was.get(k) == rid and was.get("client") == client):
                continue                # neither the link nor the client changed
            rec = book.get(k, rid)
            owner = rec.data.get("client") if rec is not None else None
            if foreign_owner(owner, client):
                raise UsageError(f"{k} '{rid}' belongs to client '{owner}', not '{client}' "
                                 "(an income's links must all be one client's)")
    if not new.get("invoice"):
        return
    inv_id = str(new["invoice"])
    same = str(was.get("invoice") or "") == inv_id
    relinked = not same or was.get("currency") != new.get("currency")   # the same invoice: the same inherited one
    before = _contribution(was, inv_id) if same else None
    after = _contribution(new, inv_id)
    more = after is not None and (before is None or after > before)
    if not (relinked or more):
        return
    inv = book.get("invoice", inv_id)
    if inv is None or not inv.file:
        return                  # missing (check_links says so), or made on the spot in its currency
    g = Graph(book)
    inv_cur = g.currency(inv)
    cur = currency_of(book.get, book.settings, "transaction", new)      # no --currency: the invoice's
    if relinked and cur != inv_cur:
        raise UsageError(f"income in {cur} cannot pay invoice '{inv_id}', which is in {inv_cur}: "
                         f"record the payment in {inv_cur} (its currency and amount), or keep it apart from the invoice")
    if not more or inv.data.get("status") == "void":
        return
    total = g.totals(inv)[2] - settled_otherwise(book, g, inv)
    others = book.received_for_invoice(inv_id) - (before or 0)
    if others + after > total:
        owed = total - others
        left = (f"it is owed {fmt_money(owed, cur)}: record that much against it and the rest as income "
                f"without --invoice" if owed > 0 else "it is paid in full already")
        raise UsageError(f"income of {fmt_money(after, cur)} would overpay invoice '{inv_id}' "
                         f"(total {fmt_money(g.totals(inv)[2], cur)}"
                         + (f", {fmt_money(g.totals(inv)[2] - total, cur)} settled by credit notes or written off"
                            if total != g.totals(inv)[2] else "")
                         + f", received {fmt_money(others, cur)} so far); {left}")


def settle(book: Book, old: Record | None, new: dict | None) -> tuple[list[Write], list[str]]:
    """Income `new` (replacing `old`, when an edit; None when `old` is removed): refused if its
    links are not all its client's, or it would pay an invoice in another currency or past its
    total (`refuse_bad_payment`); if it is received and its
    invoice's received income now covers the total, the invoice moves to paid; if `old`
    paid an invoice that it no longer covers, that invoice moves back to sent."""
    if new is not None:
        refuse_bad_payment(book, old, new)
    writes, notes = _pay(book, old, new) if new is not None else ([], [])
    back_w, back_n = _unpay(book, old, new, busy=bool(writes))
    return writes + back_w, notes + back_n


def settle_all(book: Book, changes: list[tuple[Record | None, dict | None]]) -> tuple[list[Write], list[str]]:
    """`settle` for the transactions of one change (door.FOLLOW_UPS): one of them is `settle`;
    several (a bank import's lines) are judged each on its own, then each invoice they pay
    (or stop paying) once, with their sum: two lines that pay one invoice together move it
    to paid, and overpay it together too; every invoice that moves is changed in one write
    of its file."""
    if len(changes) == 1:
        return settle(book, *changes[0])
    by_invoice: dict[str, list[tuple[Record | None, dict | None]]] = {}
    for old, new in changes:
        if new is not None:
            refuse_bad_payment(book, old, new)
        paid = {str(d["invoice"]) for d in (old.data if old is not None else None, new)
                if d is not None and d.get("kind") == "income" and d.get("invoice")}
        for inv_id in paid:
            by_invoice.setdefault(inv_id, []).append((old, new))
    moves, notes = [], []
    for inv_id, group in by_invoice.items():
        before = sum((_contribution(o.data, inv_id) or 0 for o, _ in group if o is not None), Decimal(0))
        after = sum((_contribution(n, inv_id) or 0 for _, n in group), Decimal(0))
        if after == before:
            continue
        inv = book.get("invoice", inv_id)
        if inv is None or not inv.file or inv.data.get("status") == "void":
            continue
        g = Graph(book)
        cur, total = g.currency(inv), g.totals(inv)[2]
        received = book.received_for_invoice(inv_id) - before + after
        other = settled_otherwise(book, g, inv)           # credit notes, write-off, prepaid (read/owed.py)
        left = left_to_pay(total, received, other)
        by = f" and {fmt_money(other, cur)} of credit notes and write-offs" if other else ""
        status = inv.data.get("status")
        if after > before and left < 0:
            raise UsageError(f"income of {fmt_money(after - before, cur)} would overpay invoice '{inv_id}' "
                             f"(total {fmt_money(total, cur)}"
                             + (f", {fmt_money(other, cur)} settled by credit notes or written off" if other else "")
                             + f", received {fmt_money(received - after + before, cur)} so far); record what it "
                             "is owed against it and the rest as income without an invoice")
        if after > before and status != "paid" and total > 0 and left <= 0:
            note = (f"invoice '{inv_id}' is paid: received {fmt_money(received, cur)}{by} covers its total "
                    f"{fmt_money(total, cur)} ({status} -> paid)")
            if is_draft_id(inv_id):
                notes.append(draft_paid(inv_id, note))
                continue
            moves.append((inv, {"status": "paid"}))
            notes.append(note)
        elif after < before and status == "paid" and left > 0:
            moves.append((inv, {"status": "sent"}))
            notes.append(f"invoice '{inv_id}' now has received {fmt_money(received, cur)} of "
                         f"{fmt_money(total, cur)} (paid -> sent)")
    return (plan_updates_in_files(book, moves) if moves else []), notes


def _contribution(data: dict | None, invoice: str):
    """What income `data` settles of `invoice` (its amount and fee), or None."""
    got = settles_invoice(data)
    if got is None or data.get("invoice") != invoice:
        return None
    return got[0] + got[1]


def _unpay(book: Book, old: Record | None, new: dict | None, busy: bool) -> tuple[list[Write], list[str]]:
    """A paid invoice that this change leaves short of its total goes back to sent."""
    if old is None or old.data.get("kind") != "income" or not old.data.get("invoice"):
        return [], []
    inv_id = str(old.data["invoice"])
    before = _contribution(old.data, inv_id)
    after = _contribution(new, inv_id) or 0
    if before is None or after >= before:
        return [], []
    gone = object()
    if book.invoice_status(inv_id, gone) != "paid":
        return [], []
    inv = book.get("invoice", inv_id)
    if inv is None or inv.data.get("status") != "paid":
        return [], []
    g = Graph(book)
    total = g.totals(inv)[2] - settled_otherwise(book, g, inv)
    received = book.received_for_invoice(inv_id) - before + after
    if received >= total:
        return [], []
    cur = g.currency(inv)
    short = (f"invoice '{inv_id}' now has received {fmt_money(received, cur)} of {fmt_money(total, cur)}")
    if busy:   # another write to invoices.yaml in this command: say what to do instead
        return [], [f"{short}: `freelance invoice move {inv_id} sent`"]
    return [plan_update(book, inv, {"status": "sent"})], [f"{short} (paid -> sent)"]


def _pay(book: Book, old: Record | None, new: dict) -> tuple[list[Write], list[str]]:
    got = pays(book, old, new)
    if got is None:
        return [], []
    inv, note = got
    if is_draft_id(inv.id):
        return [], [draft_paid(inv.id, note)]
    return [plan_update(book, inv, {"status": "paid"})], [note]


def draft_paid(rid: str, note: str) -> str:
    """What a payment that covers a draft still under its draft id says instead of moving it:
    it is numbered when issued, and a payment does not issue it (its links are being written
    in this very command); the one command that does both (docs/ids.md)."""
    return (note.replace(" (draft -> paid)", "") + f"; it is still a draft: `freelance invoice move {rid} paid` "
            "issues it with its number")


def pays(book: Book, old: Record | None, new: dict) -> tuple[Record, str] | None:
    """(the invoice income `new` (replacing `old`) moves to paid, the note saying so), or None.
    A bank import asks once per invoice, with its lines' sum as `new` (`changes/bank.py`)."""
    if new.get("kind") != "income" or new.get("received") is not True or not new.get("invoice"):
        return None
    gone = object()
    if book.invoice_status(str(new["invoice"]), gone) in (gone, *SETTLED):
        return None  # read from the invoices' summary: no need to load 25,000 of them
    inv = book.get("invoice", new["invoice"])
    if inv is None or not inv.file or inv.data.get("status") in SETTLED:
        return None  # missing, made on the spot by --create-missing (a draft), or settled
    g = Graph(book)
    cur = g.currency(inv)
    if currency_of(book.get, book.settings, "transaction", new) != cur:
        return None  # validate reports the currency mismatch
    total = g.totals(inv)[2]
    received = book.received_for_invoice(inv.id)     # from each shard's summary (docs/performance.md)
    received -= _contribution(old.data if old is not None else None, inv.id) or 0
    received += _contribution(new, inv.id) or 0
    if total <= 0:
        return None
    other = settled_otherwise(book, g, inv) if received < total else ZERO   # money alone: no need to look
    if left_to_pay(total, received, other) > 0:
        return None
    was = inv.data.get("status")
    ahead = prepaid(g, inv).total if other else ZERO      # a final invoice: paid on account
    by = (f" and {fmt_money(other - ahead, cur)} of credit notes and write-offs" if other - ahead else "") + \
         (f" and {fmt_money(ahead, cur)} paid on account" if ahead else "")
    note = (f"invoice '{inv.id}' is paid: received {fmt_money(received, cur)}{by} covers its total "
            f"{fmt_money(total, cur)} ({was} -> paid)")
    return inv, note


def settled_otherwise(book: Book, g, inv: Record) -> Decimal:
    """What settles `inv` besides money (read/owed.py): its billed credit notes, its
    write-off and (a final invoice) its deposit and progress invoices. Its credit notes are looked for only when its number appears more than once
    in the invoices' file, so a payment on a big book does not load every invoice."""
    data = book.read_bytes_of(inv.file) if inv.file else None
    if data is not None and data.count(inv.id.encode()) < 2:
        return written_off(inv, None) + prepaid(g, inv).total     # a final invoice: paid on account
    return owed_otherwise(g, inv)
