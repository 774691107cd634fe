"""Planning changes to the time log: booking hours, the timer, billing hours on an invoice.

Planners only (nothing here applies a write; `changes.door` does):

- `log_values`: a time entry's values from the command line (`time log`, `project log`).
- `plan_start`, `plan_stop`, `plan_cancel`: the running timer is `timer.yaml` in the book
  (visible, in git, survives a reboot); stopping it appends an ordinary entry and removes
  the file in one atomic write. The entry takes the timer's id, minted at start, so a
  stop that was interrupted after the entry was written cannot book it twice.
- `plan_bill`: `invoice add --from-time`: unbilled entries become invoice lines (one per
  service, or per project for entries with no service) and each entry taken gets
  `invoice: INV-...` in the same write.
- follow-ups (`door.FOLLOW_UPS`): `check_billed` refuses to change or remove an entry on a
  sent or paid invoice; `release` frees the entries of an invoice that is voided or removed.
See docs/time.md.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from ..core.durations import hours_text, MAX_ENTRY_HOURS, parse_hours, rounded, tidy
from ..core.errors import UsageError, did_you_mean
from ..core.money import money
from ..core.rules import BILLED
from ..core.schema import KINDS
from ..store.book import Book
from ..store.records import Record
from ..store.style import dump
from ..store.writer import Write, plan_delete, plan_updates_in_files
from ..read.work import booked_by, now, read_timer, running, services_of, timer_entry, TIMER_FILE
from . import records
from ..core.dates import parse_datetime
from ..read.graph import Graph
from .invoicing import plan_invoice
from .numbers import new_invoice_id

TIME = KINDS["time"]
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})\Z")


# -- when ------------------------------------------------------------------------------

def at(book: Book, text: str | None, option: str = "--at") -> dt.datetime:
    """`--at 09:15` (today), `--at "2026-11-30 09:15"` or `--at "yesterday 17:40"`; now when None."""
    if text is None:
        return now(book)
    m = _CLOCK.match(str(text).strip())
    if m:
        h, mi = int(m.group(1)), int(m.group(2))
        if h > 23 or mi > 59:
            raise UsageError(f"{option}: {text!r} is not a time of day (00:00 to 23:59)")
        return dt.datetime.combine(book.today, dt.time(h, mi))
    return parse_datetime(text, book.today, option).replace(second=0, microsecond=0)


# -- booking -----------------------------------------------------------------------------

def pick_service(book: Book, project: Record, service: str | None) -> tuple[str | None, list[str]]:
    """The service an entry of `project` names: the one given (one of the project's), the
    project's only one, or none when it has none."""
    listed = [s.id for s in services_of(Graph(book), project)]   # docs/project-services.md
    if service is None:
        if len(listed) == 1:
            return listed[0], [f"service: {listed[0]} (the project's only service)"]
        if listed:
            raise UsageError(f"project {project.id} has {len(listed)} services; choose one with --service "
                             f"({', '.join(listed)})")
        return None, []
    if service not in listed:
        if not listed:
            raise UsageError(f"--service: project {project.id} has no services; book without --service, "
                             f"or add it with `freelance project edit {project.id} --add-service {service}`")
        raise UsageError(f"--service: '{service}' is not one of project {project.id}'s services "
                         f"({', '.join(listed)}){did_you_mean(service, listed)}")
    return service, []


def log_values(book: Book, project_id: str, hours: str, date: str | None = None, service: str | None = None,
               note: str | None = None) -> tuple[dict, list[str]]:
    """The typed values of a new time entry, and notes (the service taken).

    The project must exist; a service must be one the project lists (and is required when
    it lists several, taken when it lists one); hours are a duration of more than 0 and at
    most 24 (`1.5`, `1,5`, `1h30m`, `90m`, `1:30`); the day is not after today."""
    project = records.find(book, "project", project_id)
    h = records.parse_value(book, TIME.field("hours"), hours, option="HOURS")
    day = records.parse_value(book, TIME.field("date"), date or "today", option="--date")
    if day > book.today:
        raise UsageError(f"--date: {day} is after today ({book.today}); book hours once they are worked")
    service, notes = pick_service(book, project, service)
    values = {"date": day, "project": project.id, "service": service, "hours": h, "note": note}
    return {k: v for k, v in values.items() if v is not None}, notes


# -- the timer -----------------------------------------------------------------------------

def timer_text(data: dict) -> str:
    return ("# The running timer (`freelance time status`); `freelance time stop` books it.\n"
            + dump({k: v for k, v in data.items() if v is not None}))


def plan_start(book: Book, project_id: str, service: str | None, note: str | None,
               start_text: str | None) -> tuple[dict, list[Write], list[str], dict | None]:
    """(the new timer, writes, notes, the stopped timer's entry or None). A timer already
    running is stopped when the new one starts, and booked."""
    project = records.find(book, "project", project_id)
    service, notes = pick_service(book, project, service)
    start = at(book, start_text)
    if start.date() > book.today:
        raise UsageError(f"--at: {start:%Y-%m-%d %H:%M} is after today; start the timer when the work starts")
    writes, entry = [], None
    old = running(book)
    if old is not None:
        if start <= old["start"]:
            raise UsageError(f"a timer on '{old['project']}' runs since {old['start']:%Y-%m-%d %H:%M}: the new one "
                             "stops it, so it starts after that (--at), or drop it first with `freelance time cancel`")
        entry, w, more = plan_entry(book, old, start, None)
        writes += [x for x in w if x.rel != TIMER_FILE]       # the new timer replaces the file
        notes += [f"stopped the timer on '{old['project']}' started {old['start']:%Y-%m-%d %H:%M}: "
                  + (f"booked {entry['hours']} h as '{entry['id']}'" if entry else "nothing to book")] + more
    rid = records.new_id(book, TIME, {"date": start.date()})
    timer = {"id": rid, "project": project.id, "service": service, "start": start, "note": note}
    writes.append(Write(TIMER_FILE, timer_text(timer)))
    return timer, writes, notes, entry


def plan_entry(book: Book, timer: dict, end: dt.datetime, note: str | None) -> tuple[dict | None, list[Write], list[str]]:
    """The entry a timer running until `end` books (None when the entry is booked already,
    by a stop that was interrupted), the writes, notes."""
    start = timer["start"]
    if end <= start:
        raise UsageError(f"--at: {end:%Y-%m-%d %H:%M} is not after the timer's start ({start:%Y-%m-%d %H:%M})")
    minutes = Decimal(int((end - start).total_seconds()) // 60)
    hours = parse_hours(f"{minutes}m")
    if hours > MAX_ENTRY_HOURS:
        raise UsageError(f"the timer started {start:%Y-%m-%d %H:%M} has run {hours_text(hours)}, more than the "
                         "24 hours one entry takes: stop it at the time the work ended (`freelance time stop "
                         f"--at \"{start:%Y-%m-%d} 18:00\"`), or drop it with `freelance time cancel`")
    rid, more = timer["id"], []
    taken = timer_entry(book, timer)
    if taken is not None and booked_by(taken, timer):
        return None, [plan_delete(book, TIMER_FILE)], [f"time entry '{rid}' was booked already"]
    project = book.get("project", timer["project"])
    if project is None:
        raise UsageError(f"the timer's project '{timer['project']}' no longer exists; "
                         "`freelance time cancel` drops the timer")
    service = timer.get("service")
    if service is not None:
        try:
            pick_service(book, project, service)
        except UsageError as exc:
            raise UsageError(f"the timer's service: {exc.message.removeprefix('--service: ')}; "
                             "`freelance time cancel` drops the timer") from None
    if taken is not None:           # the id is another entry's: this work gets an id of its own
        rid = records.new_id(book, TIME, {"date": start.date()})
        more = [f"the timer's id '{timer['id']}' is time entry {taken.id}'s ({taken.data.get('date')}, "
                f"{taken.data.get('project')}), other work: booked under a new id"]
    values = {"date": start.date(), "project": project.id, "service": service,
              "hours": hours, "note": note or timer.get("note")}
    values = {k: v for k, v in values.items() if v is not None}
    data, writes, notes = records.plan_add(book, TIME, values, rid=rid, id_checked=True)
    return data, writes, more + notes


def plan_stop(book: Book, end_text: str | None, note: str | None) -> tuple[dict, dict | None, list[Write], list[str]]:
    """(the timer, its entry, writes, notes): the entry appended and timer.yaml removed."""
    timer = running(book)
    if timer is None:
        raise UsageError("no timer is running; start one with `freelance time start PROJECT`")
    entry, writes, notes = plan_entry(book, timer, at(book, end_text), note)
    if not any(w.rel == TIMER_FILE for w in writes):
        writes.append(plan_delete(book, TIMER_FILE))
    return timer, entry, writes, notes


def plan_cancel(book: Book) -> tuple[dict | None, list[Write]]:
    """(the timer dropped, writes); (None, []) when none runs: there is nothing to cancel.
    A timer.yaml that cannot be read is removed too (what `validate` complains about)."""
    if not book.path(TIMER_FILE).is_file():
        return None, []
    timer, problems = read_timer(book)
    book.raw(TIMER_FILE)                     # its stamp: removed only as read
    return timer or {"project": "?", "start": None}, [plan_delete(book, TIMER_FILE)]


# -- billing -----------------------------------------------------------------------------

def _label(g, sid: str | None, pid: str) -> str:
    rec = g.get("service", sid) if sid else g.get("project", pid)
    return str(rec.data.get("name") or rec.id) if rec is not None else (sid or pid)


def _period(days: list[dt.date]) -> str:
    first, last = min(days), max(days)
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


def unbilled(book: Book, client: str | None, project: str | None, through: dt.date | None,
             service: str | None) -> list[Record]:
    """Time entries no invoice names, of the client (by their project) or the project, up to
    `through`, of `service` when given, in date order."""
    projects = {p.id: p for p in book.records("project")}
    out = []
    for e in book.records("time"):
        if e.data.get("invoice") or not isinstance(e.data.get("date"), dt.date):
            continue
        pid = e.data.get("project")
        if project and pid != project:
            continue
        if client and (pid not in projects or projects[pid].data.get("client") != client):
            continue
        if through is not None and e.data["date"] > through:
            continue
        if service and e.data.get("service") != service:
            continue
        out.append(e)
    return sorted(out, key=lambda e: (e.data["date"], e.id))


def plan_bill(book: Book, values: dict, client: str | None, project: str | None, through: dt.date | None,
              service: str | None, include_fixed: bool, number: str | None):
    """`invoice add --from-time`: (invoice data, writes, notes), or None when there is
    nothing to bill. `values` are the invoice's other typed options (issued, due, tax_rate...)."""
    if not client and not project:
        raise UsageError("--from-time needs --client C or --project P: whose hours to bill")
    if project:
        p = records.find(book, "project", project)
        owner = p.data.get("client")
        if not owner:
            raise UsageError(f"project {p.id} has no client to invoice; set one with "
                             f"`freelance project edit {p.id} --client C`")
        if client and client != owner:
            raise UsageError(f"--project {p.id} belongs to client '{owner}', not '{client}'")
        client = owner
    records.find(book, "client", client)
    if service:
        records.find(book, "service", service)
    g = Graph(book)
    rule = book.settings.time_rounding
    entries = unbilled(book, client, project, through, service)
    groups: dict[tuple, list[Record]] = {}
    fixed_entries: dict[str, list[Record]] = {}
    for e in entries:
        sid = e.data.get("service") if isinstance(e.data.get("service"), str) else None
        s = g.get("service", sid) if sid else None
        if s is not None and s.data.get("pricing") == "fixed":
            fixed_entries.setdefault(sid, []).append(e)     # billed with its fee, or not at all
            continue
        groups.setdefault(("service", sid) if sid else ("project", e.data.get("project")), []).append(e)
    items, taken, currencies = [], [], set()
    for (what, key), es in groups.items():
        pid = es[0].data.get("project")
        prj = g.get("project", pid)
        s = g.get("service", key) if what == "service" else None
        rate, _ = g.rate_for(s, prj)
        if rate is None:
            where = f"service {key}" if s is not None else f"project {pid}"
            raise UsageError(f"no hourly rate for the hours of {where}: set one "
                             f"(`freelance {'service' if s is not None else 'project'} edit {key} --rate 95`, "
                             "the client's --default-rate or `freelance settings set default_rate 95`)")
        hours = sum((rounded(Decimal(e.data["hours"]), rule) for e in es), Decimal(0))
        item = {"description": f"{_label(g, key if s else None, pid)}, {_period([e.data['date'] for e in es])}"}
        if s is not None:
            item["service"] = s.id
        else:
            item["project"] = pid
        item.update(quantity=tidy(hours), unit_price=rate if rate == money(rate) else money(rate),
                    entries=[e.id for e in es])     # the hours it bills, so validate sees any billed twice
        items.append(item)
        taken += es
        currencies.add(_currency(g, prj, s))
    if include_fixed:
        for s in _fixed_to_bill(g, book, client, project, service):
            fixed = {"description": f"{s.data.get('name') or s.id} (fixed fee)", "service": s.id,
                     "quantity": Decimal(1), "unit_price": s.data["rate"]}
            if fixed_entries.get(s.id):
                fixed["entries"] = [e.id for e in fixed_entries[s.id]]
            items.append(fixed)
            taken += fixed_entries.get(s.id, [])
            currencies.add(_currency(g, g.get("project", s.data.get("project")), s))
    if not items:
        return None
    if len(currencies) > 1:
        raise UsageError(f"the hours to bill are in {', '.join(sorted(currencies))}: an invoice has one currency; "
                         "bill them one project at a time (--project P)")
    values = dict(values)
    values["client"] = client
    pids = {e.data.get("project") for e in taken} | {it.get("project") for it in items if it.get("project")}
    if project or len(pids) == 1:
        values["project"] = project or pids.pop()
    cur = currencies.pop()
    if cur != book.settings.currency and not values.get("currency"):
        values["currency"] = cur
    issued = values.setdefault("issued", book.today)
    number = new_invoice_id(book, values.get("status"), issued, number)
    data, writes, notes = plan_invoice(book, values, [], number, lines=items)
    writes += plan_updates_in_files(book, [(e, {"invoice": number}) for e in taken])
    hours = sum((Decimal(e.data["hours"]) for e in taken), Decimal(0))
    notes.append(f"billed {len(taken)} time entr{'y' if len(taken) == 1 else 'ies'} ({hours.normalize():f} h"
                 + (f", rounded by time_rounding {book.settings.get('time_rounding')}" if rule else "") + ")")
    return data, writes, notes


def _currency(g, project: Record | None, service: Record | None) -> str:
    """The currency hours of `service` (or `project`) are billed in: the currency chain."""
    rec = service if service is not None else project
    return g.currency(rec) if rec is not None else g.settings.currency


def _fixed_to_bill(g, book: Book, client: str, project: str | None, service: str | None) -> list[Record]:
    """Completed fixed-price services of the client (or project) that no invoice lists yet and
    that are not billed otherwise (an `amount:` invoice of their project pays for them)."""
    listed = set()
    for inv in book.records("invoice"):
        if inv.data.get("status") == "void":
            continue
        for it in inv.data.get("items") or []:
            if isinstance(it, dict) and isinstance(it.get("service"), str):
                listed.add(it["service"])
    out = []
    for s in book.records("service"):
        if s.data.get("pricing") != "fixed" or s.data.get("status") != "completed" or s.id in listed:
            continue
        if not isinstance(s.data.get("rate"), Decimal) or (service and s.id != service):
            continue
        prj = g.get("project", s.data.get("project")) if isinstance(s.data.get("project"), str) else None
        owner = s.data.get("client") or (prj.data.get("client") if prj is not None else None)
        if project and s.data.get("project") != project and s.id not in (g.get("project", project).data.get("services") or []):
            continue
        d = g.derived(s)
        if owner != client or d["invoiced"] > 0 or d["unbilled_value"] <= 0:
            continue        # billed already: by a line of its own, or by an invoice of its project's (`amount:`)
        out.append(s)
    return sorted(out, key=lambda s: s.id)


# -- follow-ups -------------------------------------------------------------------------------

def check_billed(book: Book, old: Record | None, new: dict | None) -> tuple[list[Write], list[str]]:
    """An entry on a sent or paid invoice is what the client was billed: it is not changed or
    removed (void the invoice first, which releases its entries)."""
    if old is None:
        return [], []
    inv = old.data.get("invoice")
    if not isinstance(inv, str):
        return [], []
    status = book.invoice_status(inv)
    if status in BILLED and (new is None or new != old.data):
        what = "removed" if new is None else "changed"
        raise UsageError(f"time entry '{old.id}' is billed on invoice '{inv}' ({status}): it is not {what}; "
                         f"if the invoice is wrong, void it (`freelance invoice move {inv} void`), which "
                         "releases its entries")
    if status == "draft" and new is not None and new.get("hours") != old.data.get("hours"):
        return [], [f"time entry '{old.id}' is on draft invoice '{inv}', whose lines were made from the "
                    f"hours before: remove the draft and bill again (`freelance invoice rm {inv}`)"]
    return [], []


def release(book: Book, old: Record | None, new: dict | None) -> tuple[list[Write], list[str]]:
    """An invoice removed, or voided, frees the time entries it billed: they are unbilled again."""
    if old is None or old.kind != "invoice":
        return [], []
    if new is not None and not (new.get("status") == "void" and old.data.get("status") != "void"):
        return [], []
    entries = [e for e in book.records("time") if e.data.get("invoice") == old.id]
    if not entries:
        return [], []
    hours = sum((Decimal(e.data.get("hours") or 0) for e in entries), Decimal(0))
    why = "removed" if new is None else "void"
    return plan_updates_in_files(book, [(e, {"invoice": None}) for e in entries]), [
        f"released {len(entries)} time entr{'y' if len(entries) == 1 else 'ies'} ({hours.normalize():f} h) of "
        f"invoice '{old.id}' ({why}): they are unbilled again"]
