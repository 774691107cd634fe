"""What `freelance run` has to do on a day: recurring invoices not made yet, reminders due.

Plain questions on the graph, asked the same way by `run` (which then does it), by
`run --dry-run` and by `report digest` (which shows what waits). Nothing here writes.

- A recurring invoice's period is made once: an invoice that records (`recurring`, `period`)
  is it, whatever its status (a voided one too: void it to skip a period). docs/recurring.md
- A reminder level is due when the invoice still owes money that many days after its due
  date, on that day or any day after, and the level before it went out at least the days
  between the two levels ago; one level per invoice per run, each level once. docs/reminders.md
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from ..core.money import ZERO, money
from ..core.schedule import Period, due_periods, next_day
from ..store.records import Record
from .graph import Graph
from .reports.parts import owed


class Occurrence(NamedTuple):
    schedule: Record
    period: Period
    late: bool              # its day has passed: made as a draft, never sent in a burst


class Reminder(NamedTuple):
    invoice: Record
    level: dict             # {level, days, fee, interest, template} (settings.reminder_levels)
    open: Decimal           # what the invoice still owes
    days_late: int
    interest: Decimal | None


def made(g: Graph) -> dict[tuple[str, dt.date], Record]:
    """(schedule id, period's first day) -> the invoice that bills it."""
    out = {}
    for inv in g.records("invoice"):
        rid, first = inv.data.get("recurring"), inv.data.get("period")
        if isinstance(rid, str) and isinstance(first, dt.date):
            out.setdefault((rid, first), inv)
    return out


def due_occurrences(g: Graph, today: dt.date) -> list[Occurrence]:
    """Every period of every active schedule due by `today` that no invoice bills yet, oldest first."""
    have = made(g)
    out = []
    for sched in g.records("recurring"):
        for p in due_periods(sched.data, today):
            if (sched.id, p.first) not in have:
                out.append(Occurrence(sched, p, p.issue < today))
    out.sort(key=lambda o: (o.period.issue, o.schedule.id))
    return out


def upcoming(g: Graph, today: dt.date, days: int) -> list[dict]:
    """Each active schedule's next invoice within `days` after `today`."""
    rows = []
    for sched in g.records("recurring"):
        nxt = next_day(sched.data, today)
        if nxt is not None and nxt <= today + dt.timedelta(days=days):
            rows.append({"recurring": sched.id, "client": sched.data.get("client"), "on": nxt})
    return sorted(rows, key=lambda r: (r["on"], r["recurring"]))


def sent_reminders(inv: Record) -> list[dict]:
    """The reminders recorded on `inv` (well-formed entries only), by level."""
    out = [r for r in inv.data.get("reminders") or [] if isinstance(r, dict)
           and isinstance(r.get("level"), int) and isinstance(r.get("date"), dt.date)]
    return sorted(out, key=lambda r: r["level"])


def reminder_due(g: Graph, inv: Record, levels: list[dict], today: dt.date) -> Reminder | None:
    """The reminder invoice `inv` is due on `today`, or None: it is sent and still owes money
    (not paid, credited or written off), the next level's days after its due date have come,
    and the level before went out at least the days between the two levels ago."""
    if not levels or inv.data.get("status") != "sent" or inv.data.get("credit_for"):
        return None
    due = g.derived(inv)["due_date"]
    if not isinstance(due, dt.date) or due >= today:
        return None
    sent = sent_reminders(inv)
    done = max((r["level"] for r in sent), default=0)
    if done >= len(levels):
        return None
    level = levels[done]
    on = due + dt.timedelta(days=level["days"])
    if done:
        last = max(r["date"] for r in sent if r["level"] == done)
        on = max(on, last + dt.timedelta(days=level["days"] - levels[done - 1]["days"]))
    if today < on:
        return None
    left = owed(g, inv, today)
    if left is None or left <= 0:
        return None
    late = (today - due).days
    interest = money(left * level["interest"] / 100 * late / 365) if level.get("interest") else None
    return Reminder(inv, level, left, late, interest)


def due_reminders(g: Graph, today: dt.date) -> list[Reminder]:
    """Every reminder due on `today`, by invoice number."""
    levels, _ = g.settings.reminder_levels()
    if not levels:
        return []
    out = []
    for inv in g.records("invoice"):
        r = reminder_due(g, inv, levels, today)
        if r is not None:
            out.append(r)
    return sorted(out, key=lambda r: r.invoice.id)


def to_pay(r: Reminder) -> Decimal:
    """What the reminder asks for: the open balance, the level's fee and the interest."""
    return r.open + (r.level.get("fee") or ZERO) + (r.interest or ZERO)
