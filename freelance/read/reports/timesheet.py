"""`time sheet`: hours by project and service, day by day (a week) or week by week (a month),
with row and column totals and what the hours are worth. Plain data; `render_sheet` makes
the 80-column table, and markdown, csv and html go through `render.render_rows`.

When the sheet is for a client (`--client` or `--invoice`), each entry's hours are rounded
by the book's `time_rounding`, as `invoice add --from-time` bills them (docs/time.md).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from ...core.durations import rounded, tidy
from ..graph import Graph
from ...core.money import money
from ...core.text import clean, Column, fmt_money
from ..work import week_of

WEEKDAY = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def window_of(g: Graph, week: dt.date | None, month: tuple[dt.date, dt.date] | None) -> tuple[dt.date, dt.date, str]:
    """(first, last, "day" or "week") of `--week DATE` (default this week) or `--month`."""
    if month is not None:
        return month[0], month[1], "week"
    _, first = week_of(week or g.today, g.settings.week_start)
    return first, first + dt.timedelta(days=6), "day"


def build(g: Graph, first: dt.date | None, last: dt.date | None, by: str, client: str | None = None,
          invoice: str | None = None) -> dict:
    """The sheet: columns (days or weeks), one row per project and service, totals."""
    projects = {p.id: p for p in g.records("project")}
    entries = []
    for e in g.records("time"):
        d = e.data.get("date")
        if not isinstance(d, dt.date) or not isinstance(e.data.get("hours"), (Decimal, int)):
            continue
        if invoice is not None:
            if e.data.get("invoice") != invoice:
                continue
        elif not (first <= d <= last):
            continue
        p = projects.get(e.data.get("project"))
        if client and (p is None or p.data.get("client") != client):
            continue
        entries.append(e)
    if invoice is not None:
        days = [e.data["date"] for e in entries] or [g.today]
        first, last = min(days), max(days)
        by = "day" if (last - first).days < 7 and week_of(first, g.settings.week_start)[1] == \
            week_of(last, g.settings.week_start)[1] else "week"
        if by == "day":
            _, first = week_of(first, g.settings.week_start)
            last = first + dt.timedelta(days=6)
    rule = g.settings.time_rounding if (client or invoice) else None
    if by == "day":
        cols = [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
        col_of = lambda d: d.isoformat()                             # noqa: E731
        labels = [f"{WEEKDAY[dt.date.fromisoformat(c).weekday()]} {c[8:]}" for c in cols]
    else:
        starts = sorted({week_of(first + dt.timedelta(days=i), g.settings.week_start)[1]
                         for i in range((last - first).days + 1)})
        cols = [s.isoformat() for s in starts]
        col_of = lambda d: week_of(d, g.settings.week_start)[1].isoformat()   # noqa: E731
        labels = [week_of(s, g.settings.week_start)[0].replace("week of ", "") for s in starts]
    cells: dict[tuple, dict] = defaultdict(lambda: defaultdict(Decimal))
    count: dict[tuple, int] = defaultdict(int)
    for e in entries:
        sid = e.data.get("service") if isinstance(e.data.get("service"), str) else None
        key = (str(e.data.get("project")), sid)
        cells[key][col_of(e.data["date"])] += rounded(Decimal(e.data["hours"]), rule)
        count[key] += 1
    rows = []
    for (pid, sid) in sorted(cells, key=lambda k: (k[0], k[1] or "")):
        p = projects.get(pid)
        s = g.get("service", sid) if sid else None
        hours = tidy(sum(cells[(pid, sid)].values(), Decimal(0)))
        fixed = s is not None and s.data.get("pricing") == "fixed"
        rate = None if fixed else g.rate_for(s, p)[0]
        cur = _currency(g, p, s)
        row = {"project": pid, "service": sid, "client": p.data.get("client") if p is not None else None,
               **{c: tidy(cells[(pid, sid)][c]) if cells[(pid, sid)].get(c) else None for c in cols},
               "hours": hours, "entries": count[(pid, sid)], "rate": money(rate) if rate is not None else None,
               "value": money(hours * rate) if rate is not None else None, "currency": cur,
               "pricing": "fixed" if fixed else "hourly"}
        rows.append(row)
    totals = {c: tidy(sum((r[c] or Decimal(0) for r in rows), Decimal(0))) for c in cols}
    value: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r["value"] is not None:
            value[r["currency"]] += r["value"]
    return {"from": first, "to": last, "by": by, "client": client, "invoice": invoice,
            "rounding": g.settings.get("time_rounding") if rule else None,
            "columns": cols, "labels": labels, "rows": rows,
            "totals": {**totals, "hours": tidy(sum((r["hours"] for r in rows), Decimal(0))),
                       "value": dict(sorted(value.items()))},
            "currency": g.settings.currency}


def _currency(g: Graph, p, s) -> str:
    rec = s if s is not None else p
    return g.currency(rec) if rec is not None else g.settings.currency


def title(sheet: dict) -> str:
    who = f" for client {sheet['client']}" if sheet["client"] else ""
    if sheet["invoice"]:
        head = f"Time sheet of invoice {sheet['invoice']}"
    else:
        head = f"Time sheet{who}"
    span = f"{sheet['from']} to {sheet['to']}"
    rounding = f"; hours rounded {sheet['rounding']}" if sheet["rounding"] else ""
    return f"{head}, {span}{rounding}"


def columns(sheet: dict) -> list[Column]:
    """Columns for markdown, csv and html: every row's project, service, each day or week."""
    return ([Column("project"), Column("service")]
            + [Column(c, label, align="right") for c, label in zip(sheet["columns"], sheet["labels"])]
            + [Column("hours", align="right"), Column("rate", money=True, align="right"),
               Column("value", money=True, align="right")])


def total_row(sheet: dict) -> dict:
    t = sheet["totals"]
    value = t["value"]
    one = len(value) == 1
    return {"project": "total", "service": None, **{c: t[c] or None for c in sheet["columns"]},
            "hours": t["hours"], "value": next(iter(value.values())) if one else None,
            "currency": next(iter(value)) if one else ""}


def render_table(sheet: dict, width: int = 80) -> str:
    """The sheet for a terminal: projects with their services indented under them, a column
    per day (or week), the row's hours and value; at most `width` columns for a week."""
    cols = sheet["columns"]

    def h(v) -> str:
        return "" if not v else format(v, "f")
    cw = max([5] + [len(lb) for lb in sheet["labels"]] + [len(h(r.get(c))) for r in sheet["rows"] for c in cols])
    value_w = max([9] + [len(fmt_money(r["value"])) for r in sheet["rows"]]
                  + [len(fmt_money(v)) for v in sheet["totals"]["value"].values()])
    label_w = max(8, min(24, width - len(cols) * (cw + 1) - 7 - value_w - 1))

    def line(label, values, hours, value) -> str:
        label = clean(str(label))
        label = label if len(label) <= label_w else label[:label_w - 1] + "~"
        return (label.ljust(label_w) + "".join(" " + h(v).rjust(cw) for v in values)
                + " " + h(hours).rjust(6) + " " + value.rjust(value_w)).rstrip() + "\n"
    out = [title(sheet) + "\n\n"]
    cur = "/".join(sheet["totals"]["value"]) or sheet["currency"]
    out.append(("".ljust(label_w) + "".join(" " + lb.rjust(cw) for lb in sheet["labels"])
                + " " + "hours".rjust(6) + " " + f"value {cur}".rjust(value_w)).rstrip() + "\n")
    by_project: dict[str, list] = defaultdict(list)
    for r in sheet["rows"]:
        by_project[r["project"]].append(r)
    for pid, rs in by_project.items():
        if len(rs) == 1 and rs[0]["service"] is None:
            r = rs[0]
            out.append(line(pid, [r[c] for c in cols], r["hours"], _value(r)))
            continue
        sums = {c: sum((r[c] or Decimal(0) for r in rs), Decimal(0)) for c in cols}
        vals = [r["value"] for r in rs]
        total_value = fmt_money(sum(vals, Decimal(0))) if all(v is not None for v in vals) \
            and len({r["currency"] for r in rs}) == 1 else ""
        out.append(line(pid, [tidy(sums[c]) for c in cols], tidy(sum(sums.values(), Decimal(0))), total_value))
        for r in rs:
            out.append(line("  " + (r["service"] or "(no service)"), [r[c] for c in cols], r["hours"], _value(r)))
    if not sheet["rows"]:
        out.append("(no hours booked)\n")
    t = sheet["totals"]
    value = t["value"]
    out.append(line("total", [t[c] for c in cols], t["hours"],
                    fmt_money(next(iter(value.values()))) if len(value) == 1 else ""))
    if len(value) > 1:
        out.append("value: " + ", ".join(fmt_money(v, c) for c, v in value.items()) + "\n")
    return "".join(out)


def _value(r: dict) -> str:
    if r["pricing"] == "fixed":
        return "fixed fee"
    return fmt_money(r["value"]) if r["value"] is not None else "no rate"
