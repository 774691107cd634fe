"""Rows that several reports share: invoices, aging, projects, services, goals, agenda, cash.

Plain data from the graph, as of `opts.today`; the report modules put them
into sections. Nothing here prints or knows about formats.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..graph import Carried, Graph
from ...core.money import ZERO, dec
from ...store.records import Record
from ...core.text import Column
from ..owed import credit_notes, overdue_days, settlement
from ..reserve import reserve_note, tax_reserve
from . import Options, Section
from ...core.schema import INVOICE

MONEY = dict(align="right", money=True)
RIGHT = dict(align="right")
PCT = dict(align="right", pct=True)


def day(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None


def in_window(d: dt.date | None, opts: Options) -> bool:
    """`d` within --from/--to (a record without a date is only in an open window)."""
    if opts.start is None and opts.end is None:
        return True
    if d is None:
        return False
    return (opts.start is None or d >= opts.start) and (opts.end is None or d <= opts.end)


def for_client(r: Record, opts: Options, field: str = "client") -> bool:
    return not opts.client or r.data.get(field) == opts.client


def client_name(g: Graph, cid) -> str | None:
    c = g.get("client", cid) if cid else None
    return str(c.data.get("name")) if c is not None and c.data.get("name") is not None else None


# -- invoices ---------------------------------------------------------------------

def owed(g: Graph, inv: Record, today: dt.date) -> Decimal | None:
    """What `inv` still owed on `today` (read/owed.py), or None when nothing (a credit note
    itself is owed by nobody: see `still_open`)."""
    if inv.data.get("credit_for"):
        return None
    left = settlement(g, inv, today).owed
    return left if left > 0 else None


def still_open(g: Graph, inv: Record, today: dt.date) -> Decimal | None:
    """What an invoice still owed on `today`, or (below zero) what a credit note still owes the
    client; None when nothing is open either way."""
    left = settlement(g, inv, today).owed
    return left if left else None


def invoice_row(g: Graph, inv: Record, today: dt.date) -> dict:
    d = g.derived(inv)
    s = settlement(g, inv, today)
    late = overdue_days(g, inv, today)
    return {"invoice": inv.id, "client": inv.data.get("client"), "client_name": client_name(g, inv.data.get("client")),
            "project": inv.data.get("project"), "issued": inv.data.get("issued"), "due": d["due_date"],
            "status": inv.data.get("status"), "total": d["total"], "received": s.received,
            "balance": s.balance, "owed": s.owed, "overdue": late > 0, "days_overdue": late,
            "currency": d["currency"]}


def invoices(g: Graph, opts: Options) -> list[Record]:
    return [i for i in g.records("invoice") if for_client(i, opts) and in_window(day(i.data.get("issued")), opts)]


INVOICE_COLUMNS = [Column("invoice"), Column("client"), Column("client_name", "name"), Column("project"),
                   Column("issued"), Column("due"), Column("status"), Column("total", **MONEY),
                   Column("received", **MONEY), Column("balance", **MONEY), Column("days_overdue", "late", **RIGHT)]
INVOICE_TABLE = ("invoice", "client", "due", "status", "total", "balance")


def status_rows(g: Graph, records: list[Record], today: dt.date) -> list[dict]:
    """Per invoice status (and currency): count, total, balance; then an `overdue` row
    (a subset of sent: what is owed past its due date)."""
    book = g.settings.currency
    statuses = list(INVOICE.field("status").choices)
    statuses += sorted({str(i.data.get("status")) for i in records if i.data.get("status") not in statuses})
    rows = []

    def add(label, members):
        per_cur: dict[str, list] = {book: [0, ZERO, ZERO]}
        for inv, amount in members:
            slot = per_cur.setdefault(g.currency(inv), [0, ZERO, ZERO])
            slot[0] += 1
            slot[1] += g.derived(inv)["total"]
            slot[2] += amount
        for cur in [book] + sorted(c for c in per_cur if c != book):
            count, total, balance = per_cur[cur]
            rows.append({"status": label, "count": count, "total": total, "owed": balance, "currency": cur})

    for status in statuses:
        add(status, [(i, still_open(g, i, today) or ZERO) for i in records if str(i.data.get("status")) == status])
    late = []
    for i in records:
        r = invoice_row(g, i, today)
        if r["overdue"]:
            late.append((i, r["owed"]))
    add("overdue", late)
    return rows


def every_invoice_status(g: Graph, today: dt.date) -> tuple[list[dict], list[str]]:
    """`status_rows` of every invoice, and the ids of the overdue ones in the book's order:
    summed from one part per invoice (`Graph.tally`), so a server mends them by the invoices
    that changed."""
    book = g.settings.currency
    sums = g.tally(("invoice status", today), ("invoice",), lambda inv: _status_part(g, inv, today)).sums
    statuses = list(INVOICE.field("status").choices)
    statuses += sorted({k[1] for k in sums if k[0] == "n" and k[1] is not None and k[1] not in statuses})
    rows = []
    for label in statuses + [None]:     # None: the overdue row
        curs = {k[2] for k in sums if k[0] == "n" and k[1] == label} - {book}
        for cur in [book] + sorted(curs):
            rows.append({"status": label if label is not None else "overdue", "count": sums.get(("n", label, cur), 0),
                         "total": sums.get(("total", label, cur), ZERO) + ZERO,
                         "owed": sums.get(("owed", label, cur), ZERO) + ZERO, "currency": cur})
    late = sorted(k[1:] for k in sums if k[0] == "late")
    return rows, [rid for _, _, rid in late]


def _status_part(g: Graph, inv: Record, today: dt.date) -> list:
    """What invoice `inv` adds to `every_invoice_status`: its count, total and what it still
    owes under its status (and under None, the overdue row, when it is overdue)."""
    cur, total = g.currency(inv), g.derived(inv)["total"]
    status = str(inv.data.get("status"))
    out = [(("n", status, cur), 1), (("total", status, cur), total), (("owed", status, cur), still_open(g, inv, today) or ZERO)]
    r = invoice_row(g, inv, today)
    if r["overdue"]:
        out += [(("n", None, cur), 1), (("total", None, cur), total), (("owed", None, cur), r["owed"]),
                (("late", inv.file, inv.line, inv.id), 1)]
    return out


STATUS_COLUMNS = [Column("status"), Column("count", **RIGHT), Column("total", **MONEY), Column("owed", **MONEY)]

BUCKETS = (("current", None, 0), ("days_0_30", 1, 30), ("days_31_60", 31, 60),
           ("days_61_90", 61, 90), ("days_90_plus", 91, None))


def aging_rows(g: Graph, opts: Options) -> list[dict]:
    """What each client owed on `opts.today`, by days past due: current (not yet due),
    0-30, 31-60, 61-90, 90+; one row per client and currency, largest total first. A credit
    note lowers what its invoice owes; what is left of it (below zero: owed to the client) is
    current."""
    today = opts.today
    table: dict[tuple, dict] = {}
    for inv in g.records("invoice"):
        if not for_client(inv, opts):
            continue
        balance = still_open(g, inv, today)
        if balance is None:
            continue
        late = overdue_days(g, inv, today) if balance > 0 else 0
        key = (str(inv.data.get("client")), g.currency(inv))
        row = table.get(key)
        if row is None:
            row = table[key] = {"client": inv.data.get("client"), "name": client_name(g, inv.data.get("client")),
                                **{b[0]: ZERO for b in BUCKETS}, "total": ZERO, "invoices": [], "currency": key[1]}
        for name, lo, hi in BUCKETS:
            if (lo is None and late < 1) or (lo is not None and late >= lo and (hi is None or late <= hi)):
                row[name] += balance
                break
        row["total"] += balance
        row["invoices"].append(inv.id)
        if balance > 0:       # the credit notes that lowered it, so the row says why
            row["invoices"] += [c.id for c in credit_notes(g, inv, today)]
    return sorted(table.values(), key=lambda r: (-r["total"], str(r["client"]), r["currency"]))


AGING_COLUMNS = [Column("client"), Column("name"), Column("current", unit=False, **MONEY),
                 Column("days_0_30", "0-30", unit=False, **MONEY), Column("days_31_60", "31-60", unit=False, **MONEY),
                 Column("days_61_90", "61-90", unit=False, **MONEY), Column("days_90_plus", "90+", unit=False, **MONEY),
                 Column("total", unit=False, **MONEY), Column("currency", "cur"), Column("invoices")]
AGING_TABLE = ("client", "current", "days_0_30", "days_31_60", "days_61_90", "days_90_plus", "total", "currency")


# -- projects and services ----------------------------------------------------------

PROJECT_STATUSES = ("not-started", "in-progress", "on-hold", "done")
PRIORITY = {"high": 0, "medium": 1, "low": 2}


def project_due(p: Record) -> dt.date | None:
    return day(p.data.get("due")) or day(p.data.get("end"))


def project_row(g: Graph, p: Record) -> dict:
    d = g.derived(p)
    return {"project": p.id, "name": p.data.get("name"), "client": p.data.get("client"),
            "status": p.data.get("status"), "priority": p.data.get("priority"), "value": p.data.get("value"),
            "start": p.data.get("start"), "due": project_due(p), "estimated_hours": p.data.get("estimated_hours"),
            "actual_hours": d["actual_hours"], "basis": d["basis"], "completion_pct": d["completion_pct"],
            "overrun": d["overrun"], "invoiced": d["invoiced"], "received": d["received"], "currency": d["currency"]}


def projects(g: Graph, opts: Options) -> list[Record]:
    chosen = [p for p in g.records("project") if for_client(p, opts) and in_window(project_due(p), opts)]
    order = {s: i for i, s in enumerate(PROJECT_STATUSES)}
    return sorted(chosen, key=lambda p: (order.get(p.data.get("status"), 9), PRIORITY.get(p.data.get("priority"), 3),
                                         project_due(p) or dt.date.max, p.id))


PROJECT_COLUMNS = [Column("project"), Column("name"), Column("client"), Column("status"), Column("priority"),
                   Column("value", **MONEY), Column("start"), Column("due"),
                   Column("estimated_hours", "est. h", **RIGHT), Column("actual_hours", "hours", **RIGHT),
                   Column("basis"), Column("completion_pct", "done", **PCT), Column("invoiced", **MONEY),
                   Column("received", **MONEY)]
PROJECT_TABLE = ("project", "status", "value", "due", "completion_pct")


def count_rows(g: Graph, records: list[Record], field: str, values, amount) -> list[dict]:
    """Per value of `field`: count and the sum of `amount(record)` in the book's currency
    (records in other currencies are counted, and summed in a row of their own)."""
    book = g.settings.currency
    values = list(values) + sorted({str(r.data.get(field)) for r in records if r.data.get(field) not in values})
    rows = []
    for v in values:
        members = [r for r in records if str(r.data.get(field)) == v]
        sums: dict[str, list] = {book: [0, ZERO]}
        for r in members:
            slot = sums.setdefault(g.currency(r), [0, ZERO])
            slot[0] += 1
            slot[1] += dec(amount(r))
        for cur in [book] + sorted(c for c in sums if c != book):
            rows.append({field: v, "count": sums[cur][0], "amount": sums[cur][1], "currency": cur})
    return rows


SERVICE_STATUSES = ("not-started", "in-progress", "completed")


def service_row(g: Graph, s: Record) -> dict:
    d = g.derived(s)
    return {"service": s.id, "name": s.data.get("name"), "client": s.data.get("client"),
            "project": s.data.get("project"), "pricing": s.data.get("pricing") or "hourly",
            "rate": s.data.get("rate"), "hours": s.data.get("hours"), "amount": d["amount"],
            "hours_booked": d["hours_booked"], "hours_billed": d["hours_billed"], "invoiced": d["invoiced"],
            "received": d["received"], "start": s.data.get("start"), "end": s.data.get("end"), "status": s.data.get("status"),
            "currency": d["currency"]}


# -- goals --------------------------------------------------------------------------

def goal_row(g: Graph, goal: Record) -> dict:
    d = g.derived(goal)
    track = {True: "on track", False: "behind", None: "n/a"}[d["on_track"]]
    return {"goal": goal.id, "name": goal.data.get("name"), "category": goal.data.get("category"),
            "target": goal.data.get("target"), "actual": d["actual"], "unit": goal.data.get("unit"),
            "start": goal.data.get("start"), "target_date": goal.data.get("target_date"),
            "completion_pct": d["completion_pct"], "expected_pct": d["expected_pct"],
            "on_track": d["on_track"], "track": track}


def goals(g: Graph, opts: Options) -> list[Record]:
    """Goals whose target date is in the window, by category, target date and id."""
    return sorted((x for x in g.records("goal") if in_window(day(x.data.get("target_date")), opts)),
                  key=lambda x: (str(x.data.get("category") or ""), str(x.data.get("target_date") or ""), x.id))


GOAL_COLUMNS = [Column("goal"), Column("name"), Column("category"), Column("target", **RIGHT),
                Column("actual", **RIGHT), Column("unit"), Column("start"), Column("target_date", "by"),
                Column("completion_pct", "done", **PCT), Column("expected_pct", "expected", **PCT),
                Column("track")]
GOAL_TABLE = ("goal", "target", "actual", "unit", "target_date", "completion_pct", "track")


# -- agenda -------------------------------------------------------------------------

def agenda_rows(g: Graph, opts: Options, start: dt.date, end: dt.date) -> list[dict]:
    """Meetings and deadlines from `start` to `end` (inclusive), in time order."""
    rows = []
    for m in g.records("meeting"):
        s = m.data.get("start")
        if not isinstance(s, dt.datetime) or not start <= s.date() <= end:
            continue
        attendees = m.data.get("attendees") if isinstance(m.data.get("attendees"), list) else []
        if opts.client and opts.client not in attendees:
            continue
        e = g.derived(m)["end_time"]
        rows.append({"date": s.date(), "time": s.strftime("%H:%M"), "end": e.strftime("%H:%M") if e else None,
                     "what": "meeting", "id": m.id, "title": m.data.get("title"), "with": attendees,
                     "amount": None, "currency": g.currency(m)})
    if g.track and not opts.client:     # a server: kept per invoice (`Graph.tally`), in the book's order
        sums = g.tally(("agenda", start, end, opts.today), ("invoice",),
                       lambda inv: _agenda_part(g, inv, start, end, opts.today)).sums
        rows += [dict(k[3].value) for k in sorted(sums, key=lambda k: (k[1], k[2]))]
    else:
        for inv in g.records("invoice"):
            row = _agenda_invoice(g, inv, start, end, opts.today)
            if row is not None and for_client(inv, opts):
                rows.append(row)
    for p in g.records("project"):
        if p.data.get("status") == "done" or not for_client(p, opts):
            continue
        for field, what in (("due", "project due"), ("end", "project end")):
            d = day(p.data.get(field))
            if d is not None and start <= d <= end:
                rows.append({"date": d, "time": None, "end": None, "what": what, "id": p.id,
                             "title": p.data.get("name"), "with": [p.data["client"]] if p.data.get("client") else [],
                             "amount": None, "currency": g.currency(p)})
    if not opts.client:
        for goal in g.records("goal"):
            d = day(goal.data.get("target_date"))
            if d is not None and start <= d <= end:
                rows.append({"date": d, "time": None, "end": None, "what": "goal target", "id": goal.id,
                             "title": goal.data.get("name"), "with": [], "amount": None, "currency": g.settings.currency})
    return sorted(rows, key=lambda r: (r["date"], r["time"] or "", r["what"], str(r["id"])))


def _agenda_invoice(g: Graph, inv: Record, start: dt.date, end: dt.date, today: dt.date) -> dict | None:
    """An invoice's row of the agenda (due from `start` to `end`, still owed on `today`), or None."""
    due = g.derived(inv)["due_date"]
    balance = owed(g, inv, today)
    if due is None or balance is None or not start <= due <= end:
        return None
    return {"date": due, "time": None, "end": None, "what": "invoice due", "id": inv.id,
            "title": f"{inv.id} due", "with": [inv.data.get("client")] if inv.data.get("client") else [],
            "amount": balance, "currency": g.currency(inv)}


def _agenda_part(g: Graph, inv: Record, start: dt.date, end: dt.date, today: dt.date) -> list:
    """Invoice `inv`'s row of the agenda as a key (after the book's order: file, line)."""
    row = _agenda_invoice(g, inv, start, end, today)
    if row is None:
        return []
    return [(("due", inv.file, inv.line, Carried(row)), 1)]


AGENDA_COLUMNS = [Column("date"), Column("time"), Column("end"), Column("what"), Column("id"), Column("title"),
                  Column("with"), Column("amount", **MONEY)]
AGENDA_TABLE = ("date", "time", "what", "title", "with")


# -- money moved --------------------------------------------------------------------

def cash_rows(g: Graph, today: dt.date) -> list[dict]:
    """Income and expenses that moved (received: true), this month and this year up to today:
    a row in the book's currency, and one per other currency that moved (never added together).
    Summed from one part per transaction (`Graph.tally`)."""
    book = g.settings.currency
    rows = []
    for (name, first), spec in zip(_cash_periods(today), cash_tallies(g, today)):
        got = g.tally(*spec).sums
        sums: dict[str, list] = {book: [ZERO, ZERO]}
        for (cur, slot), v in got.items():
            sums.setdefault(cur, [ZERO, ZERO])[slot] += v
        for cur in per_currency(sums, book):
            income, expenses = sums[cur]
            rows.append({"period": name, "from": first, "to": today, "income": income, "expenses": expenses,
                         "net": income - expenses, "currency": cur})
    return rows


def _cash_periods(today: dt.date) -> list[tuple[str, dt.date]]:
    return [("month", today.replace(day=1)), ("year", today.replace(month=1, day=1))]


def cash_tallies(g: Graph, today: dt.date) -> list[tuple]:
    """The tallies `cash_rows(today)` sums (this month's, this year's), as `Graph.tally` and
    `Graph.ahead` take them."""
    def spec(first):
        return ("cash rows", first, today), ("transaction",), lambda t: _cash_part(g, t, first, today)
    return [spec(first) for _, first in _cash_periods(today)]


def _cash_part(g: Graph, t: Record, first: dt.date, today: dt.date) -> list:
    """What transaction `t` adds to `cash_rows` of `first`..`today`: ((currency, 0 for income or
    1 for expenses), amount)."""
    d = day(t.data.get("date"))
    if t.data.get("received") is not True or d is None or not first <= d <= today:
        return []
    kind = t.data.get("kind")
    if kind not in ("income", "expense"):
        return []
    return [((g.currency(t), 0 if kind == "income" else 1), dec(t.data.get("amount")))]


def per_currency(sums: dict, book: str) -> list[str]:
    """The currencies of `sums`, the book's first, then the others alphabetically."""
    return [book] * (book in sums) + sorted(c for c in sums if c != book)


CASH_COLUMNS = [Column("period"), Column("from"), Column("to"), Column("income", **MONEY),
                Column("expenses", **MONEY), Column("net", **MONEY)]



# -- the tax reserve (read/reserve.py) --

def reserve_section(g: Graph, today: dt.date):
    """The tax reserve's section for the summary, the dashboard and the digest, or None when
    the book sets no `tax_reserve`."""
    rows = tax_reserve(g, today)
    if not rows:
        return None
    return Section("tax_reserve", f"Tax reserve {today.year}", rows, [
        Column("percent", "%", align="right"), Column("profit", **MONEY), Column("set_aside", "set aside", **MONEY),
        Column("reserved", "in reserve", **MONEY), Column("difference", **MONEY)], note=reserve_note(g))
