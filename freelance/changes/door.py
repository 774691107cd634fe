"""The one door for changes: every change to a book (the CLI's, the web's, a bank or
contact import, a setting) is one call here, which plans the writes, runs the checks every
record write gets (one currency per linked records), works out what follows from them
(`FOLLOW_UPS`), and applies them all atomically.

    faces -> door.add / edit / remove / link_income / set_setting / import_contacts / ...
          -> planners (records, invoicing, workflow, time, settings, contacts, matching, bank)
          -> checks and follow-ups (`commit`) -> store.writer.apply

Planners only plan: none calls `commit` or `apply`. `commit` is the only caller of
`store.writer.apply` outside the store, and no face calls it: it is private to the door
(`__all__` is the list in docs/architecture.md, and a test compares them). The door also
hands faces the few helpers that name a change (`find`, `parse_value`, ...), so a face
imports nothing else of `changes/`. A refused change raises `UsageError` or `DataError`
before anything is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..core.errors import UsageError
from ..core.rules import BILLED, is_draft_id
from ..core.schedule import Period
from ..core.schema import INVOICE, KINDS, QUOTE, RECURRING, Kind, noun_kind
from ..store.book import Book
from ..store.records import Record
from ..store.writer import Write, apply, plan_remove, plan_update, plan_updates, plan_updates_in_files
from . import bank, contacts, currency, init, invoicing, quotes, rates, receipts, records, recurring, services, settings, time, todos, workflow
# how a face names what to change: the record, typed values, a filter, a new record's id
from .records import check_filter, find, new_id, parse_value, unchanged
from .settings import ACCOUNT_EDITS
from .todos import is_done as todo_done
from .matching import review_items       # what `bank review` lists, each with the command that settles it
from .matching import plan_rule

# docs/architecture.md, "The door", lists exactly these (tests/test_layers.py compares them)
__all__ = [
    # records
    "add", "add_by_noun", "edit", "remove", "add_transaction", "link_income", "edit_project_services",
    "import_contacts", "add_todo", "mark_todo",
    # expenses: receipts and supplier e-invoices (docs/suppliers.md)
    "attach_receipt", "import_bill",
    # invoices
    "add_invoice", "add_invoice_from_time", "edit_invoice", "send_invoice", "credit_invoice", "settle_invoice",
    "renumber_invoice", "number_invoice",
    # quotes and projects billed in parts (docs/quotes.md)
    "add_quote", "edit_quote", "send_quote", "accept_quote", "add_part_invoice",
    # time
    "log_time", "start_timer", "stop_timer", "cancel_timer",
    # bank
    "import_statement", "add_bank_rule",
    # settings and accounts
    "add_to_list", "remove_from_list", "set_setting", "add_account", "edit_account",
    # recurring invoices and payment reminders (`freelance run`)
    "add_recurring", "edit_recurring", "make_period", "record_reminders",
    # exchange rates (`freelance rates`)
    "set_rates",
    # a new book
    "create_book",
    # naming a change
    "find", "parse_value", "unchanged", "check_filter", "new_id", "review_items", "todo_done", "ACCOUNT_EDITS",
]

# What else changes when records of a kind are added, edited or removed, in the same atomic
# write: kind -> function(book, [(old record | None, new data | None), ...]) -> (writes, notes),
# asked once per kind with every record of that kind the change touches (a bank import
# touches thousands, several of which may pay one invoice together).
# Received income that covers an invoice moves it to paid (docs/workflow.md); an invoice
# moved to paid by hand must have the received income to show for it.
FollowUp = Callable[[Book, list[tuple[Record | None, dict | None]]], tuple[list[Write], list[str]]]
OneFollowUp = Callable[[Book, Record | None, dict | None], tuple[list[Write], list[str]]]


def _each(*steps: OneFollowUp) -> FollowUp:
    """Follow-ups asked for one record at a time, in order, as one follow-up of a kind."""
    def follow(book: Book, changes) -> tuple[list[Write], list[str]]:
        writes, notes = [], []
        for old, new in changes:
            for step in steps:
                w, n = step(book, old, new)
                writes += w
                notes += n
        return writes, notes
    return follow


# A voided or removed invoice releases the time entries it billed; an entry billed on a sent
# or paid invoice is not changed or removed (docs/time.md).
# A project's services are one link (docs/project-services.md): a project lists only services
# that are its own, and a service moved to another project leaves the old one's list.
FOLLOW_UPS: dict[str, FollowUp] = {
    "transaction": invoicing.settle_all,
    "invoice": _each(invoicing.check_paid, time.release),
    "project": _each(services.check_listed_services),
    "service": _each(services.leave_old_project),
    "time": _each(time.check_billed),
    "quote": _each(quotes.check_quote),
}


@dataclass
class Touch:
    """A record a change adds (old None), edits, or removes (new None), for its follow-ups;
    `write` plans the record's own write once they are worked out (None: planned already)."""
    kind: Kind
    old: Record | None
    new: dict | None
    write: Callable[[Book], Write] | None = None


def update(record: Record, changes: dict) -> Callable[[Book], Write]:
    """The deferred write that changes some keys of `record` (for `Touch.write`); it carries
    `changes`, so that an invoice leaving draft can add its number to them (`_issue`)."""
    def write(book: Book) -> Write:
        return plan_update(book, record, changes)
    write.changes = changes
    return write


def _numbered(book: Book, record: Record, changes: dict, taken: list[str]):
    """Invoice `record`, still under its draft id, given its number (the next of its issue
    year, gapless) with `changes`: (the changes with `id`, the deferred write of its file,
    the writes of the other files that link to it, the note naming the number). Its links
    in its own file go into that one write."""
    number, own, links = invoicing.plan_number(book, record, None, tuple(taken))
    taken.append(number)
    changes = {**changes, "id": number, "draft_id": record.id}      # the draft id still finds it

    def write(book: Book) -> Write:
        return plan_updates(book, [(record, changes), *own]) if own else plan_update(book, record, changes)
    write.changes = changes
    return changes, write, plan_updates_in_files(book, links), \
        f"invoice '{record.id}' is numbered {number}" + invoicing.linked_note(own, links)


def _issue(book: Book, touched: list[Touch]) -> tuple[list[Write], list[str]]:
    """Every touched invoice that leaves draft (to sent or paid) under its draft id gets its
    number here, whichever door it went through (`move`, `edit --status`, the web's board):
    `Touch.new` and its write gain the `id`, and the records linking to it are rewritten, in
    the same atomic write (docs/ids.md). `send_invoice` numbers before sealing, so its touch
    carries the number already."""
    writes, notes, taken = [], [], []
    for t in touched:
        if t.kind.name != "invoice" or t.old is None or t.new is None or not is_draft_id(t.old.id) \
                or t.new.get("id", t.old.id) != t.old.id or t.new.get("status") not in BILLED:
            continue
        changes = getattr(t.write, "changes", None)
        if changes is None:
            changes = {k: t.new.get(k) for k in {*t.new, *t.old.data} if t.new.get(k) != t.old.data.get(k)}
        changes, t.write, more, note = _numbered(book, t.old, changes, taken)
        t.new = {**t.new, "id": changes["id"]}
        writes += more
        notes.append(note)
    return writes, notes


def commit(book: Book, writes: list[Write], notes: list[str] = (), touched: list[Touch] = (),
           dry_run: bool = False) -> list[str]:
    # (the door's own: every function below ends here)
    """Apply `writes`, each touched record's own write and every follow-up, as one atomic write;
    returns the notes on what was done (the plan's, then the follow-ups'). `dry_run`: every
    check and follow-up is worked out (a refusal is raised as it would be), nothing written."""
    writes, notes, own, more = list(writes), list(notes), [], []
    w, n = _issue(book, touched)
    writes += w
    notes += n
    by_kind: dict[str, list[tuple[Record | None, dict | None]]] = {}
    for t in touched:
        if t.new is not None:   # linked records in one currency, amounts that fit it (docs/finance.md)
            currency.check_write(book, t.kind.name, t.new, t.old)
        by_kind.setdefault(t.kind.name, []).append((t.old, t.new))
    for kind, changes in by_kind.items():
        follow = FOLLOW_UPS.get(kind)
        if follow is not None:
            w, n = follow(book, changes)
            more += w
            notes += n
    for t in touched:
        if t.write is not None:
            own.append(t.write(book))
    if not dry_run:
        apply(book, writes + own + more)
    return notes


def add(book: Book, kind: Kind, values: dict, rid: str | None = None,
        create_missing: bool = False, future: bool = False) -> tuple[dict, list[str]]:
    """Add a record; `values` are typed already. Returns (record data, notes). `future`:
    money marked as moved may be dated after today."""
    data, writes, notes = records.plan_add(book, kind, values, rid, create_missing, future)
    return data, commit(book, writes, notes, [Touch(kind, None, data)])


def add_transaction(book: Book, noun: str, values: dict, rid: str | None = None,
                    create_missing: bool = False, future: bool = False,
                    receipt: tuple[str, bytes] | None = None) -> tuple[dict, list[str]]:
    """Add income or an expense (`noun`), with what a transaction takes from its context: the
    invoice, project or service names income's client; income is classified client when it
    has one, else the book's last classification; an expense needs its category (its
    supplier's, when not given). `receipt` (file name, bytes): copied into `documents/` and
    linked, in the same write (docs/suppliers.md)."""
    values = {**values, "kind": noun}
    if noun == "income" and not values.get("client"):
        client = records.owner_client(book, values)
        if client:
            values["client"] = client
    if noun == "income" and "classification" not in values:
        values["classification"] = "client" if values.get("client") else \
            (book.settings.allowed("income_classifications") or ["other"])[-1]
    if noun == "expense":
        values = records.supplier_defaults(book, values, create_missing)
    if noun == "expense" and "category" not in values:
        raise UsageError("--category is required for an expense "
                         f"(one of {', '.join(book.settings.allowed('expense_categories'))})")
    if receipt is None:
        return add(book, KINDS["transaction"], values, rid, create_missing, future)
    if noun != "expense":
        raise UsageError("--receipt: only an expense keeps a receipt")
    values = dict(values)
    values["receipt"], write = receipts.plan(book, receipt[1], receipt[0], values.get("date") or book.today,
                                             values.get("supplier"))
    data, writes, notes = records.plan_add(book, KINDS["transaction"], values, rid, create_missing, future)
    return data, commit(book, writes + [write] * (write is not None), notes, [Touch(KINDS["transaction"], None, data)])


def attach_receipt(book: Book, record: Record, name: str, data: bytes) -> tuple[str, list[str]]:
    """`expense attach ID FILE`: the file copied into `documents/` (stored once: the same file
    again is the one there) and linked from the expense; returns (its path, notes)."""
    if record.kind != "transaction" or record.data.get("kind") != "expense":
        raise UsageError(f"{records.label(record)}: only an expense keeps a receipt")
    rel, write = receipts.plan(book, data, name, record.data.get("date"), record.data.get("supplier"))
    old = record.data.get("receipt")
    if old == rel:
        return rel, [f"expense '{record.id}' has this receipt already ({rel})"]
    notes = [f"expense '{record.id}': receipt {rel}" + (" (the same file was stored already)" if write is None else "")]
    if old:
        notes.append(f"expense '{record.id}': it linked {old} before; that file stays in the book")
    changes = {"receipt": rel}
    return rel, commit(book, [write] if write is not None else [], notes,
                       [Touch(KINDS["transaction"], record, {**record.data, **changes}, update(record, changes))])


def import_bill(book: Book, bill: dict, name: str, data: bytes, account: str | None = None,
                category: str | None = None) -> tuple[dict, bool, list[str]]:
    """`expense import`: a supplier's e-invoice (`bill`: the typed values a face read from it,
    `formats.einvoice`) as an open bill, its supplier found by VAT id or IBAN or added, the file
    kept as its receipt, in one write. A file imported before adds nothing: (the expense it
    made, False, notes); else (the new expense, True, notes)."""
    plan = receipts.plan_bill(book, bill, name, data, account, category)
    if plan.existing is not None:
        return plan.existing, False, plan.notes
    touched = [Touch(KINDS["transaction"], None, plan.expense)]
    if plan.supplier is not None:
        touched.append(Touch(KINDS["supplier"], None, plan.supplier))
    return plan.expense, True, commit(book, plan.writes, plan.notes, touched)


def add_invoice(book: Book, values: dict, items: list[str], number: str | None = None,
                create_missing: bool = False) -> tuple[dict, list[str]]:
    """Add an invoice from typed values and `--item` texts, numbered by the book's pattern."""
    data, writes, notes = invoicing.plan_invoice(book, values, items, number, create_missing)
    return data, commit(book, writes, notes, [Touch(INVOICE, None, data)])


def send_invoice(book: Book, record: Record) -> list[str]:
    """Mark invoice `record` sent today and seal what its document shows (the document itself
    is made and delivered by a face); returns notes."""
    writes, first, write = [], [], None
    if is_draft_id(record.id):      # numbered first: the seal covers the number its document shows
        changes, write, writes, note = _numbered(book, record, {}, [])
        first.append(note)
        numbered = Record(record.kind, {**record.data, **changes}, record.file, record.line, None)
        changes, notes = invoicing.plan_send(book, numbered)
        write.changes.update(changes)
    else:
        changes, notes = invoicing.plan_send(book, record)
        write = update(record, changes)
    return commit(book, writes, first + notes, [Touch(INVOICE, record, {**record.data, **write.changes}, write)])


def edit_invoice(book: Book, record: Record, changes: dict, items: list[str] | None = None,
                 future: bool = False) -> list[str]:
    """`invoice edit`: a draft's lines replaced by `items` (`--item` texts), a derived due date
    moved with the issue date, then as `edit`."""
    changes.update(invoicing.plan_invoice_edit(book, record, changes, items))   # the face names what changed
    after = {k: v for k, v in {**record.data, **changes}.items() if v is not None}
    invoicing.refuse_sealed(record, after)     # first: no other rule matters for a sealed field
    return _edit(book, record, changes, [], [], future)


def credit_invoice(book: Book, record: Record, items: list[str] | None = None,
                   status: str = "draft") -> tuple[dict, list[str]]:
    """A credit note for invoice `record` (all its lines, or `items`): a draft under a draft id,
    or `status` sent, numbered as the next invoice."""
    data, writes, notes = invoicing.plan_credit(book, record, items, status)
    return data, commit(book, writes, notes, [Touch(INVOICE, None, data)])


def settle_invoice(book: Book, record: Record, write_off: bool = False, reason: str | None = None) -> list[str]:
    """`invoice settle`: mark a sent invoice paid when nothing is left to pay, writing off what
    is left with `write_off` (docs/ledger.md); returns notes."""
    changes, notes = invoicing.plan_settle(book, record, write_off, reason)
    after = {**record.data, **changes}
    return commit(book, [], notes, [Touch(INVOICE, record, after, update(record, changes))])


# -- quotes and projects billed in parts (docs/quotes.md) ----------------------------------------

def add_quote(book: Book, values: dict, items: list[str], number: str | None = None) -> tuple[dict, list[str]]:
    """A quote from typed values and `--item` texts, numbered by the book's quote_number."""
    data, writes, notes = quotes.plan_quote(book, values, items, number)
    return data, commit(book, writes, notes, [Touch(QUOTE, None, data)])


def edit_quote(book: Book, record: Record, changes: dict, items: list[str] | None = None) -> list[str]:
    """`quote edit`: a draft's lines replaced by `items`, then as `edit` (a sealed field refused)."""
    changes = quotes.plan_quote_edit(book, record, changes, items)
    return _edit(book, record, changes, [], [])


def send_quote(book: Book, record: Record) -> list[str]:
    """Mark quote `record` sent today and seal what its document shows (the face delivers it)."""
    changes, notes = quotes.plan_send(book, record)
    return commit(book, [], notes, [Touch(QUOTE, record, {**record.data, **changes}, update(record, changes))])


def accept_quote(book: Book, record: Record, project: str | None = None,
                 deposit: str | None = None) -> tuple[dict | None, list[str]]:
    """`quote accept`: the client to client, the project and its services from the quote's lines,
    the quote accepted, and with `deposit` (30% or a net amount) the deposit invoice, in one
    write; returns (the deposit invoice's data or None, notes)."""
    writes, notes, touched, invoice = quotes.plan_accept(book, record, project, deposit)
    touches = [Touch(kind, old, new, update(old, changes) if old is not None else None)
               for kind, old, new, changes in touched]
    if invoice is not None:
        touches.append(Touch(INVOICE, None, invoice))
    return invoice, commit(book, writes, notes, touches)


def add_part_invoice(book: Book, values: dict, part: str, share: str | None = None,
                     lines: list[int] | None = None, number: str | None = None) -> tuple[dict, list[str]]:
    """A deposit or progress invoice of a project (`share`: 30% or a net amount; or the quoted
    `lines` by number), or its final invoice deducting every deposit and progress invoice."""
    data, writes, notes = quotes.plan_part(book, values, part, share, lines, number)
    return data, commit(book, writes, notes, [Touch(INVOICE, None, data)])


def renumber_invoice(book: Book, record: Record, number: str | None = None,
                     taken: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """A draft invoice's number changed (to `number`, else the next free one after the book's
    and `taken`'s), with every record linking to it, in one atomic write (`invoice renumber`,
    and `sync` when another device made a draft of the same number). Returns (number, notes).
    Nothing but the id changes, so no follow-up has anything to do."""
    new, writes, notes = invoicing.plan_renumber(book, record, number, tuple(taken))
    return new, commit(book, writes, notes)


def number_invoice(book: Book, record: Record) -> tuple[Record, list[str]]:
    """Invoice `record`, still under its draft id, given its number (the next of its year) with
    every record linking to it, in one atomic write; (the record as it is now, notes). A face
    calls it before it makes the document it sends, so the document shows the number; an
    invoice numbered already is returned as it is (docs/ids.md)."""
    if not is_draft_id(record.id):
        return record, []
    changes, write, writes, note = _numbered(book, record, {}, [])
    commit(book, writes + [write(book)], [note])
    return find(book, "invoice", changes["id"]), [note]


def edit(book: Book, record: Record, changes: dict, future: bool = False) -> list[str]:
    """Change fields of a record (None clears one); returns notes on what else changed with it.
    `changes` may gain values the change chose (`--invoice new` -> the draft id it made).
    `future`: money marked as moved may be dated after today."""
    return _edit(book, record, changes, [], [], future)


def _edit(book: Book, record: Record, changes: dict, writes: list[Write], notes: list[str],
          future: bool = False) -> list[str]:
    changes = {k: v for k, v in changes.items() if not (v is None and k not in record.data)}
    if not changes:
        if writes or notes:             # only other records change (or nothing needs to)
            return commit(book, writes, notes)
        raise UsageError("nothing to change: give the fields to set as options (see --help)")
    after, more, made = records.plan_edit(book, record, changes, future)
    return commit(book, writes + more, made + notes,
                  [Touch(KINDS[record.kind], record, after, update(record, changes))])


def edit_project_services(book: Book, project: Record, changes: dict, add: list[str], rm: list[str]) -> list[str]:
    """`project edit` with `--add-service`/`--rm-service`: the project's list item by item, and the
    services' own `project` cleared when one leaves (docs/project-services.md)."""
    more, writes, notes = services.plan_project_services(book, project, add, rm)
    changes.update(more)
    return _edit(book, project, changes, writes, notes)


def remove(book: Book, record: Record, force: bool = False) -> list[str]:
    """Remove a record (refused while others link to it, unless `force`); returns notes."""
    records.check_removable(book, record, force)
    return commit(book, [], [], [Touch(KINDS[record.kind], record, None, lambda b: plan_remove(b, record))])


def link_income(book: Book, tx: Record, links: dict, create_missing: bool = False) -> list[str]:
    """`income link`, `bank match`, the web's workflow: set the given links of client income
    `tx` (invoice, client, project, service; None leaves one as is); returns what was done."""
    writes, notes, after, changes = workflow.plan_link(book, tx, links, create_missing)
    if after is None:
        return notes
    return commit(book, writes, notes, [Touch(KINDS["transaction"], tx, after, update(tx, changes))])


def add_by_noun(book: Book, noun: str, values: dict, rid: str | None = None, create_missing: bool = False,
                future: bool = False, items: list[str] | None = None, number: str | None = None,
                receipt: tuple[str, bytes] | None = None) -> tuple[dict, list[str]]:
    """`NOUN add` and the web's new-record form: an invoice from its `--item` lines and number,
    income or an expense as a transaction with its context (an expense with its `receipt`),
    any other kind as it is."""
    if noun == "invoice":
        return add_invoice(book, values, items or [], number, create_missing)
    if noun == "quote":
        return add_quote(book, values, items or [], number)
    kind = noun_kind(noun)
    if kind.name == "transaction":
        return add_transaction(book, noun, values, rid, create_missing, future, receipt)
    return add(book, kind, values, rid, create_missing)


def add_todo(book: Book, resource: Record, text: str) -> list[str]:
    """`resource todo ID TEXT`, the web's "add a to-do": appended to the resource's list."""
    changes, note = todos.plan_add(resource, text)
    return _edit(book, resource, changes, [], [note])


def mark_todo(book: Book, resource: Record, n: int, done: bool = True) -> list[str]:
    """`resource done ID N [--undo]`, the web's checkbox: to-do `n` (1 is the first) done or open."""
    changes, note = todos.plan_mark(resource, n, done)
    return [note] if changes is None else _edit(book, resource, changes, [], [note])


def import_contacts(book: Book, planned) -> list[str]:
    """`contact import`: the contacts a vCard file adds and changes (`planned`:
    `formats.vcard.plan_import`'s typed values), each checked as an add or an edit, in one write."""
    kind = KINDS["contact"]
    index = book.index(kind.name) if planned.changes else {}
    touched = [Touch(kind, None, d) for d in planned.new] + \
              [Touch(kind, index[rid], {**index[rid].data, **c}) for rid, c in planned.changes.items()]
    writes = contacts.plan_import(book, planned.new, planned.changes)
    return commit(book, writes, [], touched)


# -- bank ---------------------------------------------------------------------------------------

def add_bank_rule(book: Book, values: dict) -> list[str]:
    """`bank rule add`: a classification rule appended to `bank-rules/classify.yaml`, and the
    records under review it covers classified, in one atomic write; returns notes."""
    _, writes, notes = plan_rule(book, values)
    return commit(book, writes, notes)


# -- time -----------------------------------------------------------------------------------

def log_time(book: Book, project_id: str, hours: str, date: str | None = None, service: str | None = None,
             note: str | None = None) -> tuple[dict, list[str]]:
    """Book hours against a project (`time log`, `project log`); returns (entry, notes)."""
    values, notes = time.log_values(book, project_id, hours, date, service, note)
    data, more = add(book, KINDS["time"], values)
    return data, notes + more


def start_timer(book: Book, project_id: str, service: str | None = None, note: str | None = None,
                at: str | None = None) -> tuple[dict, dict | None, list[str]]:
    """Start the timer (stopping and booking one that runs): (timer, the stopped one's entry, notes)."""
    timer, writes, notes, entry = time.plan_start(book, project_id, service, note, at)
    touched = [Touch(KINDS["time"], None, entry)] if entry is not None else []
    return timer, entry, commit(book, writes, notes, touched)


def stop_timer(book: Book, at: str | None = None, note: str | None = None) -> tuple[dict, dict | None, list[str]]:
    """Stop the timer: its entry appended and timer.yaml removed in one write."""
    timer, entry, writes, notes = time.plan_stop(book, at, note)
    touched = [Touch(KINDS["time"], None, entry)] if entry is not None else []
    return timer, entry, commit(book, writes, notes, touched)


def cancel_timer(book: Book) -> dict | None:
    """Drop the running timer without booking it; None when no timer runs."""
    timer, writes = time.plan_cancel(book)
    if writes:
        commit(book, writes)
    return timer


def add_invoice_from_time(book: Book, values: dict, client: str | None, project: str | None, through,
                          service: str | None = None, include_fixed: bool = False,
                          number: str | None = None) -> tuple[dict | None, list[str]]:
    """An invoice of the unbilled hours (`invoice add --from-time`), the entries taken marked with
    it in the same write; (None, []) when there is nothing to bill."""
    planned = time.plan_bill(book, values, client, project, through, service, include_fixed, number)
    if planned is None:
        return None, []
    data, writes, notes = planned
    return data, commit(book, writes, notes, [Touch(INVOICE, None, data)])


# -- bank statements ------------------------------------------------------------------------

def import_statement(book: Book, statements, account: str, dry_run: bool = False, progress=None,
                     name: str = "the file"):
    """Import the statements of `account` among those a file (`name`) holds (`freelance.core.
    statement.Statement`s; or one): the account's are chosen (by IBAN or number, else
    currency; several of one account in date order), new lines become transactions, pending
    ones that came back booked are updated, duplicates skipped, each closing balance becomes a
    `balance` record, through the door's checks and follow-ups (the invoices its income pays
    move to paid), in one atomic write (none with `dry_run`). `progress(done, total)` is told
    how far it is. Returns the plan (`changes.bank.Plan`): what was done."""
    if isinstance(statements, bank.Statement):
        statements = [statements]
    plan = bank.plan(book, bank.choose(book, statements, account, name), account, progress)
    touched = [Touch(kind, old, new) for kind, old, new in plan.touched]
    plan.notes = commit(book, plan.writes, plan.notes, touched, dry_run=dry_run)
    return plan


# -- settings and accounts (freelance.yaml) -------------------------------------------------

def add_to_list(book: Book, list_name: str, value: str, *, name: str | None = None, opening_balance=None,
                currency: str | None = None) -> None:
    """`settings add LIST VALUE` (an account with its display name, opening balance, currency)."""
    commit(book, settings.plan_list_add(book, list_name, value, name=name, opening_balance=opening_balance,
                                        currency=currency))


def remove_from_list(book: Book, list_name: str, value: str) -> None:
    """`settings rm LIST VALUE`: refused while records use the value."""
    commit(book, settings.plan_list_rm(book, list_name, value))


def set_setting(book: Book, key: str, value):
    """`settings set KEY VALUE...`; returns the value as stored (None: cleared)."""
    writes, stored = settings.plan_set(book, key, value)
    commit(book, writes)
    return stored


def add_account(book: Book, rid: str, name: str | None = None, currency: str | None = None,
                opening_balance=None, iban: str | None = None, number: str | None = None,
                bic: str | None = None) -> dict:
    """`account add`; returns the account as `Settings.accounts()` gives it (`number`: a bank
    account number that is not an IBAN)."""
    writes, account = settings.plan_account_add(book, rid, name, currency, opening_balance, iban, number, bic)
    commit(book, writes)
    return account


def edit_account(book: Book, rid: str, changes: dict) -> list[str]:
    """`account edit`: `changes` maps name, currency, opening_balance, iban, number to the text typed
    (None removes one); returns the fields changed (none: it had those values)."""
    writes, changed = settings.plan_account_edit(book, rid, changes)
    if writes:
        commit(book, writes)
    return changed


# -- a new book -------------------------------------------------------------------------------

def set_rates(book: Book, items: list, dry_run: bool = False, keep_typed: bool = False) -> dict:
    """Exchange rates into rates.yaml: each (day, currency, rate, source), one unit of the
    currency worth `rate` of the book's (`rates set`, `rates import`; docs/rates.md).
    `keep_typed`: rates typed by hand stay (an import). Returns the counts added, changed,
    the same as before, and kept."""
    for day, cur, rate, _ in items:
        rates.check_rate(book, cur, rate, f"{cur} on {day}")
    writes, counts = rates.plan_rates(book, items, keep_typed)
    commit(book, writes, dry_run=dry_run)
    return counts


def create_book(root, **options) -> list[str]:
    """`init` (and `demo`): a new book's settings, empty files and git files in `root`; returns
    the files written. There is no book to lock or check yet: the folder is new."""
    return init.create_book(root, **options)


# -- recurring invoices and reminders (docs/recurring.md, docs/reminders.md) ----------------

def add_recurring(book: Book, values: dict, items: list[str] | None = None, every: str | None = None,
                  on: str | None = None, rid: str | None = None,
                  create_missing: bool = False) -> tuple[dict, list[str]]:
    """A recurring invoice (a schedule) from typed values, `--item` texts and `--every`/`--on`."""
    values = recurring.schedule_values(book, values, items, every, on)
    data, writes, notes = recurring.plan_schedule(book, values, rid)
    return data, commit(book, writes, notes, [Touch(RECURRING, None, data)])


def edit_recurring(book: Book, record: Record, changes: dict, items: list[str] | None = None,
                   every: str | None = None, on: str | None = None) -> list[str]:
    """`recurring edit`: fields, new lines (`items` replace them all), a new schedule. The
    invoices made already stay as they are; periods are keyed by their first day."""
    changes = recurring.schedule_values(book, changes, items, every, on, old=record)
    return _edit(book, record, changes, [], [])


def make_period(book: Book, schedule: Record, period: Period) -> tuple[dict | None, list[str]]:
    """Make sure the invoice of `period` of `schedule` exists: a draft issued today that records
    (recurring, period). (None, []) when it bills hours and the period has none."""
    planned = recurring.plan_period(book, schedule, period)
    if planned is None:
        return None, []
    data, writes, notes = planned
    return data, commit(book, writes, notes, [Touch(INVOICE, None, data)])


def record_reminders(book: Book, sent: list[tuple[Record, dict]]) -> list[str]:
    """Record reminders sent: each (invoice, {level, date, document, fee, interest}) appended to
    the invoice's `reminders`, all in one write (a level recorded already is refused)."""
    changes = []
    for inv, entry in sent:
        had = [r for r in inv.data.get("reminders") or []]
        if any(isinstance(r, dict) and r.get("level") == entry["level"] for r in had):
            raise UsageError(f"invoice '{inv.id}': reminder {entry['level']} was recorded already")
        changes.append((inv, {"reminders": had + [{k: v for k, v in entry.items() if v is not None}]}))
    if not changes:
        return []
    return commit(book, [plan_updates(book, changes)], [f"invoice '{inv.id}': reminder {e['level']} recorded"
                                                        for inv, e in sent])
