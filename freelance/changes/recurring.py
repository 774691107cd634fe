"""Recurring invoices (docs/recurring.md): a schedule's record, and the invoice of one period.

- `schedule_values` completes what `recurring add`/`edit` were given: `--item` texts as
  lines, `--every`/`--on` as the RRULE they mean, a default name.
- `plan_period` is the invoice of one period of a schedule: its lines (the period named in
  the client's language), or the unbilled hours of the period; it records `recurring` and
  `period` (the key: a second one is never made) and the supply period. Always a draft:
  sending it is a face's work (`freelance run`), recorded by `door.send_invoice`.
"""
from __future__ import annotations

import datetime as dt

from ..core.errors import UsageError
from ..core.schedule import Period, check_rule, occurs, period_label, rule_from_every
from ..core.schema import RECURRING
from ..store.book import Book
from ..store.records import Record
from ..store.writer import Write
from .invoicing import item_lines, plan_invoice

from .records import plan_add
from .time import plan_bill


def schedule_values(book: Book, values: dict, items: list[str] | None, every: str | None, on: str | None,
                    old: Record | None = None) -> dict:
    """The typed values of a schedule (new, or `old`'s changes), with `--item` lines, the RRULE
    of `--every`/`--on`, and what a schedule must say checked."""
    values = dict(values)
    if every is not None or on is not None:
        if values.get("rrule"):
            raise UsageError("give either --rrule or --every (with --on), not both")
        if every is None:
            raise UsageError("--on goes with --every: --every month --on 1")
        try:
            values["rrule"] = rule_from_every(every, on)
        except ValueError as exc:
            raise UsageError(f"--every: {exc}") from None
    elif values.get("rrule"):
        try:
            values["rrule"] = check_rule(values["rrule"])
        except ValueError as exc:
            raise UsageError(f"--rrule: {exc}") from None
    if items:
        values["items"] = item_lines(book, items)
    after = {**(old.data if old is not None else {}), **values}
    start = after.get("start") or book.today
    if ("rrule" in values or "start" in values) and isinstance(after.get("rrule"), str) \
            and not occurs(after["rrule"], start):
        raise UsageError(f"--rrule {after['rrule']}: no day of it comes within five years of {start}")
    timed = after.get("from_time") is True
    if timed and after.get("items") and (items or values.get("from_time")):
        raise UsageError("--from-time bills the period's hours: give no --item with it")
    if not timed and not after.get("items"):
        raise UsageError('a recurring invoice needs --item "description:quantity:unit_price" (repeat it), '
                         "or --from-time with --project to bill each period's hours")
    if timed and after.get("billing") == "advance":
        raise UsageError("--from-time bills hours once worked: --billing arrears (the default with it)")
    if old is None and not values.get("name"):
        first = (values.get("items") or [{}])[0].get("description") if not timed else "hours"
        values["name"] = f"{values.get('client')} {first or 'invoice'}"
    return values


def plan_schedule(book: Book, values: dict, rid: str | None) -> tuple[dict, list[Write], list[str]]:
    """A new schedule (values from `schedule_values`); its id a slug of its name unless `rid`;
    writes not applied."""
    return plan_add(book, RECURRING, values, rid)


def plan_period(book: Book, sched: Record, period: Period) -> tuple[dict, list[Write], list[str]] | None:
    """The draft invoice of `period` of schedule `sched`, issued today (the day it is made);
    None when it bills hours and the period has none unbilled."""
    d = sched.data
    client = book.get("client", d.get("client")) if d.get("client") else None
    language = str((client.data.get("language") if client is not None else None)
                   or book.settings.get("language") or "en")
    label = period_label(period.first, period.last, language)
    values = {k: d[k] for k in ("client", "project", "tax_rate", "currency") if d.get(k) is not None}
    # (a date object of its own: one object twice would be written as a YAML anchor and alias)
    values.update(issued=book.today, status="draft", supply_start=period.first, supply_end=period.last,
                  recurring=sched.id, period=dt.date.fromordinal(period.first.toordinal()))
    if d.get("from_time") is True:
        values.pop("client", None)
        values.pop("project", None)
        return plan_bill(book, values, d.get("client"), d.get("project"), period.last, None, False, None)
    lines = []
    for item in d.get("items") or []:
        if not isinstance(item, dict):
            continue
        line = {k: item[k] for k in ("description", "service", "project", "quantity", "unit_price", "tax_rate")
                if item.get(k) is not None}
        text = str(line.get("description") or "")
        line["description"] = text.replace("{period}", label) if "{period}" in text else f"{text}, {label}"
        lines.append(line)
    if not lines:
        raise UsageError(f"recurring '{sched.id}' has no lines to bill (`freelance recurring edit {sched.id} "
                         "--item ...`)")
    return plan_invoice(book, values, [], None, lines=lines)
