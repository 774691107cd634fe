"""The calendar: meetings, invoice due dates and project deadlines by day.

`entries(g, first, last)` collects what happens on each day as plain data;
`month_grid` and `week_text` draw it for a terminal; `to_ics` writes it as an
RFC 5545 calendar (with the `icalendar` library, imported only there).
Meeting times are naive in the book's `timezone` (see docs/calendar.md).
"""
from __future__ import annotations

import calendar as _cal
import datetime as dt
from dataclasses import dataclass

from .graph import Graph
from ..core.money import ZERO
from ..core.rules import UNPAID
from ..core.text import clean, fmt_money
import zoneinfo
from ..core.errors import DataError

MARK = {"meeting": "", "invoice": "$", "project": "!"}
LEGEND = "10:00 meeting   $ invoice due   ! project due   [25] today"
WIDTH = 80           # terminal lines are clipped to this
CELL = 10            # inner width of a month-grid cell: 7 * (10 + 1) + 1 = 78 columns


@dataclass
class Entry:
    day: dt.date
    kind: str                      # meeting, invoice or project
    id: str
    title: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    detail: str = ""
    label: str = ""                # a shorter title for a month-grid cell

    @property
    def when(self) -> str:
        if self.start is None:
            return f"{MARK[self.kind]} due"
        return f"{self.start:%H:%M}-{self.end:%H:%M}" if self.end else f"{self.start:%H:%M}"

    def short(self) -> str:
        """What fits a month-grid cell: '10:00 Hooli' or '$ INV-2026'."""
        head = f"{self.start:%H:%M}" if self.start is not None else MARK[self.kind]
        return head + " " + (self.label or self.title)


def _names(g: Graph, ids) -> list[str]:
    out = []
    for i in ids or []:
        rec = g.get("client", i) or g.get("contact", i)
        out.append(str(rec.data.get("name") or i) if rec is not None else str(i))
    return out


def meetings(g: Graph, first: dt.date | None = None, last: dt.date | None = None) -> list[Entry]:
    out = []
    for m in g.records("meeting"):
        start = m.data.get("start")
        if not isinstance(start, dt.datetime):
            continue
        if (first and start.date() < first) or (last and start.date() > last):
            continue
        bits = [", ".join(m.data.get("attendees") or [])] + [str(m.data.get("medium") or "")]
        out.append(Entry(start.date(), "meeting", m.id, str(m.data.get("title") or m.id), start,
                         g.derived(m)["end_time"], " · ".join(b for b in bits if b)))
    return sorted(out, key=lambda e: (e.start, e.id))


def deadlines(g: Graph, first: dt.date | None = None, last: dt.date | None = None) -> list[Entry]:
    """Unpaid invoices on their due date, unfinished projects on their due (or end) date. A
    tracking graph (serve) keeps the invoices' per invoice (`Graph.tally`): a payment changes
    one entry, not 25,000."""
    out = []
    if g.track:
        sums = g.tally(("deadlines", first, last), ("invoice",), lambda inv: _due_part(g, inv, first, last)).sums
        out += [Entry(*k[3:]) for k in sorted(sums, key=lambda k: (k[3], k[4], k[5], k[1], k[2]))]
    else:
        out += [e for e in map(lambda inv: _invoice_due(g, inv), g.records("invoice")) if e is not None]
    for p in g.records("project"):
        day = p.data.get("due") or p.data.get("end")
        if p.data.get("status") == "done" or not isinstance(day, dt.date):
            continue
        out.append(Entry(day, "project", p.id, str(p.data.get("name") or p.id),
                         detail=f"{p.data.get('client') or ''} · {p.data.get('status') or ''}".strip(" ·")))
    out = [e for e in out if (first is None or e.day >= first) and (last is None or e.day <= last)]
    return sorted(out, key=lambda e: (e.day, e.kind, e.id))


def _invoice_due(g: Graph, inv) -> Entry | None:
    """An unpaid invoice's entry on its due day, or None."""
    d = g.derived(inv)
    day = d["due_date"]
    if inv.data.get("status") not in UNPAID or d["balance"] <= ZERO or not isinstance(day, dt.date):
        return None
    client = g.get("client", inv.data.get("client"))
    who = str(client.data.get("name")) if client is not None else str(inv.data.get("client") or "")
    return Entry(day, "invoice", inv.id, inv.id, label=who,
                 detail=f"{who} · {fmt_money(d['balance'], d['currency'])} · {inv.data.get('status')}")


def _due_part(g: Graph, inv, first: dt.date | None, last: dt.date | None) -> list:
    """Invoice `inv`'s part of `deadlines` between `first` and `last`: its entry as a key (the
    book's order, file and line, after it: `deadlines` sorts by the entry, then by that)."""
    e = _invoice_due(g, inv)
    if e is None or (first is not None and e.day < first) or (last is not None and e.day > last):
        return []
    return [(("due", inv.file, inv.line, e.day, e.kind, e.id, e.title, e.start, e.end, e.detail, e.label), 1)]


def entries(g: Graph, first: dt.date, last: dt.date) -> dict[dt.date, list[Entry]]:
    """Day -> what happens that day: deadlines first, then meetings by time."""
    days: dict[dt.date, list[Entry]] = {}
    for e in deadlines(g, first, last) + meetings(g, first, last):
        days.setdefault(e.day, []).append(e)
    return days


def line(e: Entry) -> str:
    return clean(f"{e.when:<11}  {e.title}" + (f"  ({e.detail})" if e.detail else ""))


def _weekdays(g: Graph) -> list[int]:
    ws = g.settings.week_start
    return [(ws + i) % 7 for i in range(7)]


# -- the grid every face draws (the terminal's month and week, the web's calendar) ----------------

def month_weeks(g: Graph, year: int, month: int) -> list[list[dt.date]]:
    """The weeks that hold a month's days, whole weeks starting on the book's week_start."""
    return _cal.Calendar(firstweekday=g.settings.week_start).monthdatescalendar(year, month)


def week_days(g: Graph, day: dt.date) -> list[dt.date]:
    """The seven days of the week holding `day` (the book's week_start first)."""
    first = day - dt.timedelta(days=(day.weekday() - g.settings.week_start) % 7)
    return [first + dt.timedelta(days=i) for i in range(7)]


def weekday_names(g: Graph) -> list[str]:
    """The days' short names in the book's week order (Mon ... Sun, or Sun ... Sat)."""
    return [_cal.day_abbr[d] for d in _weekdays(g)]


def _clip(s: str, w: int) -> str:
    s = clean(s)
    return s if len(s) <= w else s[: w - 1] + "…"


def month_grid(g: Graph, year: int, month: int) -> str:
    """The month as a grid of days, each cell listing its meetings and deadlines."""
    weeks = month_weeks(g, year, month)
    days = entries(g, weeks[0][0], weeks[-1][-1])
    rule = "+" + "+".join("-" * CELL for _ in range(7)) + "+"
    title = dt.date(year, month, 1).strftime("%B %Y")
    out = [title.center(len(rule)).rstrip(), rule,
           "|" + "|".join(name.ljust(CELL) for name in weekday_names(g)) + "|", rule]
    for week in weeks:
        cells = []
        for day in week:
            if day.month != month:
                cells.append([])
                continue
            num = f"[{day.day}]" if day == g.today else f" {day.day}"
            cells.append([num] + [_clip(e.short(), CELL) for e in days.get(day, [])])
        height = max(1, *(len(c) for c in cells))
        for i in range(height):
            out.append("|" + "|".join((c[i] if i < len(c) else "").ljust(CELL) for c in cells) + "|")
        out.append(rule)
    out.append(LEGEND)
    listed = [(d, e) for d in sorted(days) if d.month == month for e in days[d]]
    if listed:
        out.append("")
        out += [_clip(f"{d:%a} {d.day:>2} {d:%b}  {line(e)}", WIDTH) for d, e in listed]
    return "\n".join(out) + "\n"


def week_text(g: Graph, day: dt.date) -> str:
    """The week holding `day`, day by day with times (the book's week_start)."""
    first, last = week_days(g, day)[0], week_days(g, day)[-1]
    days = entries(g, first, last)
    tz = g.settings.timezone
    out = [f"Week of {first:%a} {first.day} {first:%b %Y} to {last:%a} {last.day} {last:%b %Y} ({tz})", ""]
    for i in range(7):
        d = first + dt.timedelta(days=i)
        out.append(f"{d:%a} {d.day:>2} {d:%b}" + ("  today" if d == g.today else ""))
        out += [_clip(f"  {line(e)}", WIDTH) for e in days.get(d, [])] or ["  -"]
    return "\n".join(out) + "\n"


def meeting_lines(g: Graph, ids) -> list[str]:
    """`show` lines for a client's or contact's meetings: past, then upcoming."""
    now = dt.datetime.combine(g.today, dt.time())
    recs = [g.get("meeting", i) for i in ids]
    recs = sorted((m for m in recs if m is not None and isinstance(m.data.get("start"), dt.datetime)),
                  key=lambda m: m.data["start"])
    out = []
    for m in recs:
        start = m.data["start"]
        when = "upcoming" if start >= now else "past"
        out.append(clean(f"  meeting  {when:<8}  {start:%Y-%m-%d %H:%M}  {m.data.get('title') or ''}"
                         f"  ({m.id})"))
    return out


# -- ICS ---------------------------------------------------------------------------

PRIORITY = {"high": 1, "medium": 5, "low": 9}


def _attendee(g: Graph, rid: str):
    """(name, email, address) of a client or contact."""
    rec = g.get("contact", rid) or g.get("client", rid)
    if rec is None:
        return rid, None, None
    name = rec.data.get("name") or rid
    if rec.kind == "client" and rec.data.get("contact"):
        name = f"{rec.data['contact']} ({name})"
    return str(name), rec.data.get("email"), rec.data.get("address")


def to_ics(g: Graph, with_deadlines: bool = False) -> bytes:
    """Every meeting (and with `with_deadlines`, invoice and project due dates as all-day
    events) as an RFC 5545 calendar. UIDs come from record ids, so importing the file
    again updates events instead of duplicating them."""

    from icalendar import Calendar, Event, vCalAddress, vText

    tzname = g.settings.timezone
    try:
        tz = zoneinfo.ZoneInfo(tzname)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DataError(f"freelance.yaml: timezone {tzname!r} is not a known time zone") from None
    stamp = dt.datetime.combine(g.today, dt.time(), tzinfo=dt.timezone.utc)  # deterministic per --today
    cal = Calendar()
    cal.add("prodid", "-//freelance//calendar export//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", clean(str(g.settings.get("name") or "freelance")))
    cal.add("x-wr-timezone", tzname)
    owner = g.settings.get("owner") if isinstance(g.settings.get("owner"), dict) else {}
    for e in meetings(g):
        m = g.get("meeting", e.id)
        ev = Event()
        ev.add("uid", f"meeting-{m.id}@freelance")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", e.start.replace(tzinfo=tz))
        ev.add("dtend", e.end.replace(tzinfo=tz))
        ev.add("summary", clean(e.title))
        people = [_attendee(g, a) for a in m.data.get("attendees") or []]
        desc = []
        if m.data.get("agenda"):
            desc.append(f"Agenda: {m.data['agenda']}")
        if people:
            desc.append("With: " + "; ".join(n for n, _, _ in people))
        if m.data.get("documents"):
            desc.append("Documents: " + "; ".join(map(str, m.data["documents"])))
        if m.data.get("notes"):
            desc.append(str(m.data["notes"]))
        if desc:
            ev.add("description", clean("\n".join(desc)))
        place = m.data.get("link")
        if not place and m.data.get("medium") == "in-person":
            place = next((a for _, _, a in people if a), None)
        if place or m.data.get("medium"):
            ev.add("location", clean(str(place or m.data.get("medium"))))
        if m.data.get("link"):
            ev.add("url", str(m.data["link"]))
        if m.data.get("medium"):
            ev.add("categories", [str(m.data["medium"])])
        if m.data.get("priority") in PRIORITY:
            ev.add("priority", PRIORITY[m.data["priority"]])
        if owner.get("email"):
            org = vCalAddress(f"mailto:{owner['email']}")
            org.params["cn"] = vText(clean(str(owner.get("name") or owner["email"])))
            ev.add("organizer", org)
        for name, email, _ in people:
            if email:
                att = vCalAddress(f"mailto:{email}")
                att.params["cn"] = vText(clean(name))
                att.params["role"] = vText("REQ-PARTICIPANT")
                ev.add("attendee", att)
        cal.add_component(ev)
    if with_deadlines:
        for e in deadlines(g):
            ev = Event()
            ev.add("uid", f"{e.kind}-{e.id}-due@freelance")
            ev.add("dtstamp", stamp)
            ev.add("dtstart", e.day)
            ev.add("dtend", e.day + dt.timedelta(days=1))
            what = "Invoice" if e.kind == "invoice" else "Project"
            ev.add("summary", clean(f"{what} {e.title} due"))
            ev.add("description", clean(e.detail))
            ev.add("transp", "TRANSPARENT")
            ev.add("categories", ["deadline"])
            cal.add_component(ev)
    if tzname != "UTC":
        # a VTIMEZONE covering the years of the events (the default, 1970-2038, is 60 lines long)
        years = [e.start.year for e in meetings(g)] or [g.today.year]
        cal.add_missing_timezones(first_date=dt.date(min(years) - 1, 1, 1), last_date=dt.date(max(years) + 2, 1, 1))
    return cal.to_ical()
