"""Booked hours and what they are worth: rates, work value, invoiced, unbilled.

The graph's project and service rollups come from here, and so do the
breakdowns `project show` and `service show` print (hours by service, by
week). The rules are in docs/completion.md; in short:

- an hour booked to an hourly service (or to no service) is worth the rate
  found by `Graph.rate_for`: service, project, client, then the book's
  `default_rate`. Hours with no rate anywhere are counted as unpriced.
- a fixed-price service is worth its fee once it is completed, whatever the
  hours; before that its booked hours add no value.
- invoiced is net of tax: the subtotals of sent and paid invoices linked to
  the project, the lines of other sent and paid invoices that name one of
  its services, and client income linked to it that no sent or paid invoice
  already accounts for.
- unbilled = work value - invoiced, never below zero.
- drafted = the part of unbilled whose hours a draft invoice names already
  (`invoice: DRAFT` on their entries): not invoiced until it is sent, and not
  billed again by `invoice add --from-time`, which bills unbilled - drafted.

The running timer is `timer.yaml` in the book (`read_timer`, docs/time.md).
"""
from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from ..core.durations import rounded
from ..core.errors import DataError, Problem
from ..core.money import ZERO, dec, money, pct
from ..core.rules import BILLED, is_id
from ..store.records import Record
from .owed import prepaid
from ..store.scalars import coerce
from ..core.schema import KINDS
from ..store.yamlio import read_mapping

if TYPE_CHECKING:        # the graph calls these with itself: no import at run time
    from ..store.book import Book
    from .graph import Graph

NONE = Decimal(0)  # hour sums start here, so they print as "12.5", not "12.50"


def tidy(h: Decimal) -> Decimal:
    """Hours without trailing zeros: 183, 12.5 (never 1.83E+2)."""
    return h.quantize(Decimal(1)) if h == h.to_integral_value() else h.normalize()


def hours_of(entries) -> Decimal:
    return tidy(sum((dec(e.data.get("hours")) for e in entries), NONE))


def hours_billed(g: Graph, entries) -> Decimal:
    """Hours of the entries whose invoice (`invoice: INV-...`) is sent or paid."""
    return hours_of(e for e in entries if _invoice_status(g, e) in BILLED)


def drafted(g: Graph, entries, project: Record | None = None) -> Decimal:
    """The work value of the entries whose invoice is a draft (`invoice add --from-time` wrote
    it, or a hand): on an invoice, not invoiced yet."""
    on = [e for e in entries if _invoice_status(g, e) == "draft"]
    return money(_value_entries(g, on, project)[0]) if on else ZERO


def _invoice_status(g: Graph, e: Record) -> str | None:
    """The status of the invoice time entry `e` names (`invoice:`), or None (none, or not found)."""
    rid = e.data.get("invoice")
    inv = g.get("invoice", rid) if isinstance(rid, str) else None
    return None if inv is None else inv.data.get("status")


def is_fixed(service: Record | None) -> bool:
    return service is not None and service.data.get("pricing") == "fixed"


def _service_lines(g: Graph, sid: str) -> list:
    """[(invoice, net line amount, quantity)] of the lines naming service `sid` on sent and paid
    invoices. A tracking graph (serve) reads only the invoices that name it: an invoice paid
    derives again the services it names, not every one."""
    if not g.track:
        return _lines_by_service(g).get(sid, [])
    out = []
    for inv in g.by("invoice", "items.service").get(sid, ()):
        items = inv.data.get("items")
        if inv.data.get("status") not in BILLED or not isinstance(items, list):
            continue
        for it in items:
            if isinstance(it, dict) and it.get("service") == sid:
                q = it.get("quantity")
                q = q if isinstance(q, Decimal) else Decimal(1)
                out.append((inv, money(q * dec(it.get("unit_price"))), q))
    return out


def _lines_by_service(g: Graph) -> dict:
    """service id -> [(invoice, net line amount, quantity)] over sent and paid invoices (cached)."""
    def make():
        out = defaultdict(list)
        for inv in g.records("invoice"):
            items = inv.data.get("items")
            if inv.data.get("status") not in BILLED or not isinstance(items, list):
                continue
            for it in items:
                if isinstance(it, dict) and isinstance(it.get("service"), str):
                    q = it.get("quantity")
                    q = q if isinstance(q, Decimal) else Decimal(1)
                    out[it["service"]].append((inv, money(q * dec(it.get("unit_price"))), q))
        return out
    return g.memo(("invoice", "items.service"), make)


def _unaccounted_income(g: Graph, field: str, rid: str, cur: str) -> Decimal:
    """Income linked to `rid` that no sent or paid invoice accounts for already (only income
    in `cur`, the record's currency: another currency is never added in; validate reports it)."""
    if g.track:         # per record, as read (serve): an income added re-derives its project's alone
        total = ZERO
        for t in g.by("transaction", field).get(rid, ()):
            if _unaccounted(g, t) and g.currency(t) == cur:
                total += dec(t.data.get("amount"))
        return total
    got = g.income_sums("work")[("unaccounted", field)].get(rid)
    return got.get(cur, ZERO) if got else ZERO


def _unaccounted(g: Graph, t: Record) -> bool:
    """Whether transaction `t` is income that no sent or paid invoice accounts for."""
    if t.data.get("kind") != "income":
        return False
    inv = g.get("invoice", t.data.get("invoice")) if isinstance(t.data.get("invoice"), str) else None
    return inv is None or inv.data.get("status") not in BILLED


def services_of(g: Graph, p: Record) -> list[Record]:
    """The project's services (docs/project-services.md): those that name it as their
    project, and those it lists that name no project; listed ones first, in its order."""
    out, seen = [], set()
    for sid in p.data.get("services") or []:
        s = g.get("service", sid) if isinstance(sid, str) else None
        if s is not None and s.id not in seen and project_id_of(g, s) == p.id:
            out.append(s)
            seen.add(s.id)
    for s in g.by("service", "project").get(p.id, ()):
        if s.id not in seen:
            out.append(s)
            seen.add(s.id)
    return out


def project_id_of(g: Graph, s: Record) -> str | None:
    """The id of the project a service belongs to: the one its `project` names, else the
    first project that lists it (a book written by hand, or before the one link)."""
    pid = s.data.get("project")
    if isinstance(pid, str) and pid:
        return pid
    listing = g.by("project", "services").get(s.id, ())
    return listing[0].id if listing else None


def project_of(g: Graph, s: Record) -> Record | None:
    pid = project_id_of(g, s)
    return g.get("project", pid) if pid else None


def _value_entries(g: Graph, entries, project: Record | None = None) -> tuple[Decimal, Decimal, Decimal]:
    """(value, priced hours, unpriced hours) of time entries not on fixed-price services. An
    entry is worth its hours as they are billed (the book's `time_rounding`, as `invoice add
    --from-time` rounds them), so a project shows one unbilled figure."""
    value, priced, unpriced = NONE, NONE, NONE
    rule = g.settings.time_rounding
    for e in entries:
        h = dec(e.data.get("hours"))
        s = g.get("service", e.data.get("service")) if isinstance(e.data.get("service"), str) else None
        if is_fixed(s):
            continue
        p = project or (g.get("project", e.data.get("project")) if isinstance(e.data.get("project"), str) else None)
        rate, _ = g.rate_for(s, p)
        if rate is None:
            unpriced += h
        else:
            value += (rounded(h, rule) if rule else h) * rate
            priced += h
    return value, priced, unpriced


def service_work(g: Graph, s: Record) -> dict:
    """A service's hours, work value, invoiced and unbilled amounts."""
    entries = g.by("time", "service").get(s.id, [])
    booked = hours_of(entries)
    cur = g.currency(s)
    lines = [x for x in _service_lines(g, s.id) if g.currency(x[0]) == cur]
    invoiced = sum((amount for _, amount, _ in lines), ZERO) + _unaccounted_income(g, "service", s.id, cur)
    project = project_of(g, s)
    out = {"hours_booked": booked, "hours_billed": hours_billed(g, entries), "invoiced": invoiced}
    est = s.data.get("hours")
    completion = pct(booked, est)
    note = None
    if is_fixed(s):
        fee = s.data.get("rate")
        fee = money(fee) if isinstance(fee, Decimal) else None
        done = s.data.get("status") == "completed"
        value = fee if fee is not None and done else ZERO
        if completion is None:
            completion = Decimal("100.0") if done else None
            note = None if done else "fixed fee: done when completed"
        out.update(effective_rate=None, rate_source="fixed fee", amount=fee, booked_value=value,
                   unpriced_hours=NONE, hours_invoiced=None)
    else:
        rate, source = g.rate_for(s, project)
        value, _, unpriced = _value_entries(g, entries)
        if completion is None:
            note = "no estimated hours (--hours) to measure booked hours against"
        out.update(effective_rate=rate, rate_source=source or None,
                   amount=money(rate * est) if rate is not None and isinstance(est, Decimal) else None,
                   booked_value=money(value), unpriced_hours=tidy(unpriced),
                   hours_invoiced=tidy(sum((q for _, _, q in lines), NONE)))
    unbilled = max(out["booked_value"] - invoiced, ZERO)
    if project is not None and _unattributed(g, project) > 0:
        # invoices on the project that name no service pay for no service in particular:
        # then a service is never more unbilled than its project
        unbilled = min(unbilled, g.derived(project)["unbilled_value"])
    out.update(completion_pct=completion, completion_note=note, unbilled_value=unbilled,
               drafted_value=min(drafted(g, entries, project), unbilled))
    return out


def _unattributed(g: Graph, p: Record) -> Decimal:
    """What the project was billed that names no service: invoice lines without one, amount-only
    invoices, and income linked to the project but to no service nor billed invoice (once per
    project: each of its services asks)."""
    return g.memo(("unattributed", p.id, id(p)), lambda: _billed_to_no_service(g, p), of=p)


def _billed_to_no_service(g: Graph, p: Record) -> Decimal:
    return _invoiced_to_no_service(g, p) + (_income_to_no_service(g, p) if g.track else
                                            g.income_sums("work")[("unattributed", "project")].get(p.id, ZERO))


def _invoiced_to_no_service(g: Graph, p: Record) -> Decimal:
    total = ZERO
    for inv in g.by("invoice", "project").get(p.id, []):
        if inv.data.get("status") not in BILLED:
            continue
        items = inv.data.get("items")
        if isinstance(items, list) and items:
            for it in items:
                if isinstance(it, dict) and not isinstance(it.get("service"), str):
                    q = it.get("quantity")
                    total += money((q if isinstance(q, Decimal) else Decimal(1)) * dec(it.get("unit_price")))
        else:
            total += g.totals(inv)[0]
    return total


def _income_to_no_service(g: Graph, p: Record) -> Decimal:
    """Income linked to the project but to no service nor billed invoice, in any currency."""
    total = ZERO
    for t in g.by("transaction", "project").get(p.id, ()):
        inv = g.get("invoice", t.data.get("invoice")) if isinstance(t.data.get("invoice"), str) else None
        if t.data.get("kind") == "income" and not t.data.get("service") and not (
                inv is not None and inv.data.get("status") in BILLED):
            total += dec(t.data.get("amount"))
    return total


def project_work(g: Graph, p: Record) -> dict:
    """A project's booked hours, work value, invoiced (net) and unbilled amounts."""
    entries = g.by("time", "project").get(p.id, [])
    actual = hours_of(entries)
    value, _, unpriced = _value_entries(g, entries, p)
    services = services_of(g, p)
    for s in services:
        if is_fixed(s) and s.data.get("status") == "completed" and isinstance(s.data.get("rate"), Decimal):
            value += s.data["rate"]
    invoiced, counted = ZERO, set()
    cur = g.currency(p)      # invoices in another currency are never added in (validate reports them)
    for inv in g.by("invoice", "project").get(p.id, []):
        if inv.data.get("status") in BILLED and g.currency(inv) == cur:
            invoiced += g.totals(inv)[0] - prepaid(g, inv).net_total    # a final invoice: its deposits once
            counted.add(inv.id)
    for s in services:
        for inv, amount, _ in _service_lines(g, s.id):
            if inv.id not in counted and inv.data.get("project") in (None, p.id) and g.currency(inv) == cur:
                invoiced += amount
    invoiced += _unaccounted_income(g, "project", p.id, cur)
    value = money(value)
    unbilled = max(value - invoiced, ZERO)
    return {"actual_hours": actual, "hours_billed": hours_billed(g, entries), "invoiced": invoiced, "booked_value": value,
            "unbilled_value": unbilled, "drafted_value": min(drafted(g, entries, p), unbilled),
            "unpriced_hours": tidy(unpriced)}


# -- breakdowns for `show` ------------------------------------------------------

def week_of(d: dt.date, week_start: int) -> tuple[str, dt.date]:
    """(label, first day) of the week holding `d`: ISO `2026-W47` when weeks start on Monday."""
    first = d - dt.timedelta(days=(d.weekday() - week_start) % 7)
    if week_start == 0:
        y, w, _ = d.isocalendar()
        return f"{y}-W{w:02d}", first
    return f"week of {first.isoformat()}", first


def hours_by_week(g: Graph, entries) -> list[dict]:
    weeks: dict[dt.date, list] = {}
    for e in entries:
        d = e.data.get("date")
        if not isinstance(d, dt.date):
            continue
        label, first = week_of(d, g.settings.week_start)
        slot = weeks.setdefault(first, [label, NONE, 0])
        slot[1] += dec(e.data.get("hours"))
        slot[2] += 1
    return [{"week": label, "start": first, "hours": tidy(hours), "entries": n}
            for first, (label, hours, n) in sorted(weeks.items())]


def hours_by_service(g: Graph, p: Record) -> list[dict]:
    """One row per service of the project (and one for hours booked to none)."""
    entries = g.by("time", "project").get(p.id, [])
    groups: dict = defaultdict(list)
    for e in entries:
        sid = e.data.get("service")
        groups[sid if isinstance(sid, str) else None].append(e)
    rows = []
    ids = [s.id for s in services_of(g, p)]
    ids += sorted(k for k in groups if k is not None and k not in ids)
    if None in groups:
        ids.append(None)
    for sid in ids:
        es = groups.get(sid, [])
        s = g.get("service", sid) if sid else None
        hours = hours_of(es)
        row = {"service": sid, "name": s.data.get("name") if s is not None else None, "hours": hours}
        if is_fixed(s):
            d = g.derived(s)
            row.update(pricing="fixed", rate=s.data.get("rate"), rate_source="fixed fee",
                       value=d["booked_value"], status=s.data.get("status"))
        else:
            rate, source = g.rate_for(s, p)
            value, _, unpriced = _value_entries(g, es, p)
            row.update(pricing="hourly", rate=rate, rate_source=source or None,
                       value=money(value) if rate is not None or not es else None,
                       status=s.data.get("status") if s is not None else None)
        rows.append(row)
    return rows


def breakdown(g: Graph, r: Record) -> dict:
    """The extra data `show` gives a project or a service."""
    if r.kind == "project":
        return {"hours_by_service": hours_by_service(g, r),
                "hours_by_week": hours_by_week(g, g.by("time", "project").get(r.id, []))}
    if r.kind == "service":
        return {"hours_by_week": hours_by_week(g, g.by("time", "service").get(r.id, []))}
    return {}


# -- the running timer --------------------------------------------------------------

TIMER_FILE = "timer.yaml"
TIMER_FIELDS = {"id": "str", "project": "str", "service": "str", "start": "datetime", "note": "str"}


def read_timer(book) -> tuple[dict | None, list[Problem]]:
    """The running timer (`timer.yaml`: id, project, service, start, note), or None when no
    timer runs; with the problems that keep it from being read."""
    if not book.path(TIMER_FILE).is_file():
        return None, []
    raw, lines, problems = read_mapping(book.raw(TIMER_FILE) or b"", TIMER_FILE)
    problems = [p for p in problems if p.is_error]
    if problems:
        return None, problems
    if raw is None:
        return None, []
    out = {}
    for key, ftype in TIMER_FIELDS.items():
        v = raw.get(key)
        if v is None:
            continue
        try:
            out[key] = coerce(ftype, str(v), True) if ftype == "datetime" else str(v)
        except ValueError as exc:
            return None, [Problem(TIMER_FILE, lines.get(key, 1), "error", "timer", "", f"{key}: {exc}")]
    for key in ("id", "project", "start"):
        if key not in out:
            return None, [Problem(TIMER_FILE, 1, "error", "timer", "", f"the timer has no {key}")]
    if not is_id(out["id"]):
        return None, [Problem(TIMER_FILE, lines.get("id", 1), "error", "timer", "",
                              f"id {out['id']!r} is not an id (letters, digits, '.', '_' and '-')")]
    out["line"] = lines.get("start", 1)
    return out, []


def running(book: Book) -> dict | None:
    """The running timer's values, or None; DataError when timer.yaml cannot be read."""
    timer, problems = read_timer(book)
    if problems:
        raise DataError(f"{TIMER_FILE}: {problems[0].message}; fix or remove the file "
                        "(`freelance time cancel` removes it)")
    return timer


def now(book) -> dt.datetime:
    """The time of day now in the book's timezone, to the minute, on the book's today
    (`--today` moves the day, not the clock)."""
    t = dt.datetime.now(book.settings.zone()).replace(tzinfo=None, second=0, microsecond=0)
    return dt.datetime.combine(book.today, t.time())


def timer_age(timer: dict, when: dt.datetime) -> dt.timedelta:
    return when - timer["start"]


_GENERATED_TIME = re.compile(r"t-\d{8}-[0-9a-f]+\Z")


def timer_entry(book, timer: dict, everywhere: bool = False) -> Record | None:
    """The time entry that has the timer's id, or None: looked up in the year shard a
    generated id names (a stop does not load the whole time log), or everywhere for an id of
    another form (a timer.yaml edited by hand) or when `everywhere`."""
    rid = timer["id"]
    if _GENERATED_TIME.match(rid) and not everywhere:
        return book.find_generated(KINDS["time"], rid)
    return book.get("time", rid)


def booked_by(entry: Record, timer: dict) -> bool:
    """Whether `entry` is what stopping `timer` books (its day, project and service): a stop
    that was interrupted after the entry was written. An entry of other work that only has
    the same id (a timer.yaml edited or merged by hand) is not."""
    d = entry.data
    return (d.get("date") == timer["start"].date() and d.get("project") == timer["project"]
            and d.get("service") == timer.get("service"))


def timer_problems(book, when: dt.datetime | None = None, graph: "Graph | None" = None) -> list[Problem]:
    """What `validate` says about the running timer: unreadable, a project or service that
    is gone (or not the project's), an id that is another time entry's, or running for more
    than a day (forgotten?). The service is checked against the project's with `graph`."""
    timer, problems = read_timer(book)
    if timer is None:
        return problems
    out = []
    project = book.get("project", timer["project"])
    if project is None:
        out.append(Problem(TIMER_FILE, 1, "error", "timer", timer["id"], f"no project '{timer['project']}'"))
    service = timer.get("service")
    if service is not None and book.get("service", service) is None:
        out.append(Problem(TIMER_FILE, 1, "error", "timer", timer["id"], f"no service '{service}'"))
    elif service is not None and project is not None and graph is not None:
        listed = [s.id for s in services_of(graph, project)]
        if service not in listed:
            out.append(Problem(TIMER_FILE, 1, "error", "timer", timer["id"],
                               f"service '{service}' is not one of project {project.id}'s services"
                               + (f" ({', '.join(listed)})" if listed else " (it has none)")))
    entry = timer_entry(book, timer, everywhere=True)
    if entry is not None and not booked_by(entry, timer):
        out.append(Problem(TIMER_FILE, 1, "error", "timer", timer["id"],
                           f"id '{timer['id']}' is time entry {entry.id}'s ({entry.file}:{entry.line}), other work: "
                           "`freelance time stop` books the timer under a new id"))
    if timer_age(timer, when or now(book)) > dt.timedelta(days=1):
        out.append(Problem(TIMER_FILE, timer["line"], "warning", "timer", timer["id"],
                           f"the timer on '{timer['project']}' has run since {timer['start']:%Y-%m-%d %H:%M}, more "
                           "than a day: `freelance time stop --at ...` at the time the work ended, or `time cancel`"))
    return out
