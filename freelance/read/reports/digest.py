"""`report digest`: what needs attention this week, for a cron mail.

Each section is one kind of attention; `Report.alerts` has the same lists
by condition name for `--fail-on` (docs/reports.md defines them).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..automation import due_occurrences, due_reminders, sent_reminders, upcoming
from ..graph import Graph
from ...core.money import ZERO, dec, money
from ...core.rules import NOT_VOID   # invoice items in these count as billed hours
from ...core.text import Column
from . import Options, Report, Section
from .parts import MONEY, PCT, RIGHT, day, for_client, goal_row, invoice_row, project_due, project_row, reserve_section
from ..work import now, read_timer

WINDOW = False         # what needs attention on --today: --period/--from/--to are refused, not ignored
SOON_DAYS = 7          # invoices due within this many days
DRAFT_DAYS = 7         # drafts older than this
STALE_DAYS = 30        # leads not touched for this many days


def stale_leads(g: Graph, opts: Options) -> list[dict]:
    """Clients at the first stage whose last touch (created, a meeting held, income) is
    STALE_DAYS or more ago."""
    stages = g.settings.allowed("stages")
    first = stages[0] if stages else "lead"
    rows = []
    for c in g.records("client"):
        if c.data.get("stage") != first or not for_client(c, opts, "id"):
            continue
        touches = []
        if day(c.data.get("created")):
            touches.append((day(c.data["created"]), "created"))
        for m in g.by("meeting", "attendees").get(c.id, ()):
            d = day(m.data.get("start"))
            if d is not None and d <= opts.today:
                touches.append((d, f"meeting {m.id}"))
        for t in g.by("transaction", "client").get(c.id, ()):
            d = day(t.data.get("date"))
            if t.data.get("kind") == "income" and d is not None and d <= opts.today:
                touches.append((d, f"income {t.id}"))
        last, how = max(touches) if touches else (None, "never")
        since = (opts.today - last).days if last else None
        if since is None or since >= STALE_DAYS:
            rows.append({"client": c.id, "name": c.data.get("name"), "stage": first, "last_touched": last,
                         "touched_by": how, "days": since})
    return sorted(rows, key=lambda r: (r["last_touched"] or dt.date.min, r["client"]))


def unbilled(g: Graph, opts: Options) -> list[dict]:
    """Hours booked on hourly work beyond the hours on its invoices (draft, sent or paid),
    valued at graph.rate_for. Per service; hours booked with no service, per project."""
    groups: dict[tuple, dict] = {}
    linked = set()                      # invoices made from time entries (`invoice: INV-...`)
    for e in g.records("time"):
        if isinstance(e.data.get("invoice"), str):
            linked.add(e.data["invoice"])   # billed: on an invoice by its link, whatever its lines say
            continue
        p = g.get("project", e.data.get("project"))
        s = g.get("service", e.data.get("service"))
        if s is not None and s.data.get("pricing") == "fixed":
            continue
        if p is None and s is None:
            continue
        client = (s or p).data.get("client") or (p.data.get("client") if p is not None else None)
        if opts.client and client != opts.client:
            continue
        key = ("service", s.id) if s is not None else ("project", p.id)
        slot = groups.setdefault(key, {"project": (p.id if p is not None else s.data.get("project")),
                                       "service": s.id if s is not None else None, "client": client,
                                       "hours_booked": Decimal(0), "_s": s, "_p": p})
        slot["hours_booked"] += dec(e.data.get("hours"))
    billed: dict[str, Decimal] = {}
    for inv in g.records("invoice"):
        if inv.data.get("status") not in NOT_VOID or not isinstance(inv.data.get("items"), list) or inv.id in linked:
            continue
        for it in inv.data["items"]:
            if isinstance(it, dict) and it.get("service"):
                q = it.get("quantity")
                billed[it["service"]] = billed.get(it["service"], Decimal(0)) + (q if isinstance(q, Decimal) else Decimal(1))
    rows = []
    for key in sorted(groups, key=lambda k: (str(groups[k]["project"]), str(groups[k]["service"]))):
        slot = groups[key]
        s, p = slot.pop("_s"), slot.pop("_p")
        if p is None and s is not None:
            p = g.get("project", s.data.get("project"))
        rate, _ = g.rate_for(s, p)
        if s is None and rate is None:
            continue                      # no service and no rate: not known to be hourly work
        invoiced = billed.get(s.id, Decimal(0)) if s is not None else Decimal(0)
        left = slot["hours_booked"] - invoiced
        if left <= 0:
            continue
        rows.append({**slot, "hours_invoiced": invoiced, "unbilled_hours": left, "rate": rate,
                     "unbilled_value": money(left * rate) if rate is not None else None,
                     "currency": g.currency(s or p)})
    return rows


def forgotten_timer(g: Graph, opts: Options) -> list[dict]:
    """The running timer (timer.yaml), when it has run for more than a day."""
    timer, _ = read_timer(g.book)
    if timer is None:
        return []
    when = now(g.book)
    if when - timer["start"] <= dt.timedelta(days=1):
        return []
    p = g.get("project", timer["project"])
    if opts.client and (p is None or p.data.get("client") != opts.client):
        return []
    minutes = int((when - timer["start"]).total_seconds()) // 60
    return [{"timer": timer["id"], "project": timer["project"], "service": timer.get("service"),
             "start": timer["start"], "hours": (Decimal(minutes) / 60).quantize(Decimal("0.01")),
             "note": timer.get("note")}]


def run_made(g: Graph, opts: Options, start: dt.date, end: dt.date) -> list[dict]:
    """What `freelance run` made from `start` to `end`: recurring invoices and reminders sent."""
    rows = []
    for inv in g.records("invoice"):
        if not for_client(inv, opts):
            continue
        issued = day(inv.data.get("issued"))
        if inv.data.get("recurring") and issued is not None and start <= issued <= end:
            rows.append({"date": issued, "invoice": inv.id, "client": inv.data.get("client"),
                         "made": f"recurring {inv.data['recurring']}", "status": inv.data.get("status")})
        for r in sent_reminders(inv):
            if start <= r["date"] <= end:
                rows.append({"date": r["date"], "invoice": inv.id, "client": inv.data.get("client"),
                             "made": f"reminder {r['level']}", "status": inv.data.get("status")})
    return sorted(rows, key=lambda r: (r["date"], r["invoice"], r["made"]))


def run_waits(g: Graph, opts: Options) -> list[dict]:
    """What the next `freelance run` will do, and the recurring invoices due in the next days."""
    rows = []
    for o in due_occurrences(g, opts.today):
        if for_client(o.schedule, opts):
            rows.append({"on": o.period.issue, "what": f"recurring {o.schedule.id}", "client": o.schedule.data.get("client"),
                         "invoice": None, "note": "missed: made as a draft" if o.late else "due now"})
    for r in due_reminders(g, opts.today):
        if for_client(r.invoice, opts):
            rows.append({"on": opts.today, "what": f"reminder {r.level['level']}", "client": r.invoice.data.get("client"),
                         "invoice": r.invoice.id, "note": f"{r.days_late} days late"})
    for u in upcoming(g, opts.today, SOON_DAYS):
        if not opts.client or u["client"] == opts.client:
            rows.append({"on": u["on"], "what": f"recurring {u['recurring']}", "client": u["client"],
                         "invoice": None, "note": "next"})
    return sorted(rows, key=lambda r: (r["on"], r["what"], str(r["invoice"])))


def build(g: Graph, opts: Options) -> Report:
    today = opts.today
    invoices = [invoice_row(g, i, today) for i in g.records("invoice") if for_client(i, opts)]
    overdue = sorted((r for r in invoices if r["overdue"]), key=lambda r: (-r["days_overdue"], r["invoice"]))
    soon_end = today + dt.timedelta(days=SOON_DAYS)
    due_soon = [{**r, "days_left": (r["due"] - today).days} for r in invoices
                if r["owed"] > 0 and r["due"] is not None and today <= r["due"] <= soon_end]
    due_soon.sort(key=lambda r: (r["due"], r["invoice"]))
    drafts = []
    for r in invoices:
        issued = day(r["issued"])
        if r["status"] == "draft" and issued is not None and (today - issued).days > DRAFT_DAYS:
            drafts.append({**r, "age_days": (today - issued).days})
    drafts.sort(key=lambda r: (r["issued"], r["invoice"]))
    late = []
    for p in g.records("project"):
        due = project_due(p)
        if p.data.get("status") != "done" and due is not None and due < today and for_client(p, opts):
            late.append({**project_row(g, p), "days_late": (today - due).days})
    late.sort(key=lambda r: (r["due"], r["project"]))
    ws = g.settings.week_start
    week_start = today - dt.timedelta(days=(today.weekday() - ws) % 7)
    week_end = week_start + dt.timedelta(days=6)
    meetings = []
    for m in sorted(g.records("meeting"), key=lambda m: (str(m.data.get("start")), m.id)):
        s = m.data.get("start")
        attendees = m.data.get("attendees") if isinstance(m.data.get("attendees"), list) else []
        if isinstance(s, dt.datetime) and week_start <= s.date() <= week_end and (not opts.client or opts.client in attendees):
            meetings.append({"meeting": m.id, "date": s.date(), "time": s.strftime("%H:%M"),
                             "title": m.data.get("title"), "with": attendees, "medium": m.data.get("medium")})
    behind = [goal_row(g, x) for x in g.records("goal") if g.derived(x)["on_track"] is False] if not opts.client else []
    leads = stale_leads(g, opts)
    hours = unbilled(g, opts)
    timers = forgotten_timer(g, opts)
    made = run_made(g, opts, week_start, week_end)
    waits = run_waits(g, opts)
    inv_cols = [Column("invoice"), Column("client"), Column("client_name", "name"), Column("due")]
    sections = [
        Section("overdue", "Overdue invoices", overdue,
                inv_cols + [Column("days_overdue", "days late", **RIGHT), Column("owed", **MONEY)],
                table_columns=("invoice", "client", "due", "days_overdue", "owed")),
        Section("due_soon", f"Invoices due in the next {SOON_DAYS} days", due_soon,
                inv_cols + [Column("days_left", "in days", **RIGHT), Column("owed", **MONEY)],
                table_columns=("invoice", "client", "due", "days_left", "owed")),
        Section("old_drafts", f"Drafts older than {DRAFT_DAYS} days", drafts,
                [Column("invoice"), Column("client"), Column("client_name", "name"), Column("issued"),
                 Column("age_days", "days old", **RIGHT), Column("total", **MONEY)],
                table_columns=("invoice", "client", "issued", "age_days", "total")),
        Section("stale_leads", f"Leads not touched for {STALE_DAYS} days", leads,
                [Column("client"), Column("name"), Column("last_touched", "last touched"), Column("touched_by", "by"),
                 Column("days", "days ago", **RIGHT)],
                table_columns=("client", "name", "last_touched", "days")),
        Section("past_due", "Projects past due", late,
                [Column("project"), Column("client"), Column("status"), Column("due"),
                 Column("days_late", "days late", **RIGHT), Column("completion_pct", "done", **PCT)]),
        Section("unbilled", "Unbilled hours", hours,
                [Column("project"), Column("service"), Column("client"), Column("hours_booked", "booked", **RIGHT),
                 Column("hours_invoiced", "invoiced", **RIGHT), Column("unbilled_hours", "unbilled", **RIGHT),
                 Column("rate", **MONEY), Column("unbilled_value", "value", **MONEY)],
                table_columns=("project", "service", "unbilled_hours", "rate", "unbilled_value"),
                note="hours booked on hourly work beyond the hours on its draft, sent or paid invoices"),
        Section("timer", "Timer running for more than a day", timers,
                [Column("project"), Column("service"), Column("start"), Column("hours", **RIGHT), Column("note")],
                note="stop it at the time the work ended: `freelance time stop --at ...`, or `time cancel`"),
        Section("run_made", "Made by `freelance run` this week", made,
                [Column("date"), Column("invoice"), Column("client"), Column("made"), Column("status")]),
        Section("run_waits", "Waiting for `freelance run`", waits,
                [Column("on"), Column("what"), Column("client"), Column("invoice"), Column("note")],
                note="recurring invoices and payment reminders due, and the next recurring invoices"),
        Section("meetings", f"Meetings this week ({week_start.isoformat()} to {week_end.isoformat()})", meetings,
                [Column("date"), Column("time"), Column("title"), Column("with"), Column("medium"), Column("meeting")],
                table_columns=("date", "time", "title", "with", "medium")),
        Section("goals_behind", "Goals behind", behind,
                [Column("goal"), Column("name"), Column("target_date", "by"), Column("completion_pct", "done", **PCT),
                 Column("expected_pct", "expected", **PCT)]),
    ]
    alerts = {"overdue": [r["invoice"] for r in overdue], "due-soon": [r["invoice"] for r in due_soon],
              "drafts": [r["invoice"] for r in drafts], "stale-leads": [r["client"] for r in leads],
              "past-due": [r["project"] for r in late], "unbilled": [r["service"] or r["project"] for r in hours],
              "behind": [r["goal"] for r in behind], "timer": [r["timer"] for r in timers],
              "reminders": [r["invoice"] for r in waits if r["what"].startswith("reminder")]}
    reserve = reserve_section(g, opts.today) if not opts.client else None     # with a `tax_reserve` setting
    if reserve is not None:
        sections.append(reserve)
        alerts["tax-reserve"] = [f"{r['difference']} {r['currency']}" for r in reserve.rows if r["difference"] < 0]
    alerts["problems"] = [x for v in list(alerts.values()) for x in v]
    book = g.settings.currency
    by_cur: dict[str, Decimal] = {book: ZERO}       # never added across currencies
    for r in hours:
        by_cur[r["currency"]] = by_cur.get(r["currency"], ZERO) + (r["unbilled_value"] or ZERO)
    return Report("digest", f"Digest for the week of {week_start.isoformat()}", sections, alerts=alerts,
                  meta={"week_from": week_start, "week_to": week_end, "unbilled_value": by_cur.pop(book),
                        "currency": book, "unbilled_other_currencies": {c: by_cur[c] for c in sorted(by_cur)}})
