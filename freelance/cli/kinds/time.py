"""The `time` noun: entries are records (show, edit, rm are the shared verbs); this module
adds `log` (instead of `add`), a `list` with the time filters, the timer (`start`, `stop`,
`status`, `cancel`) and `sheet`. Each verb is one call to the door or one query."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ...core.text import clean
from .. import entity
from ..common import FORMAT_HELP, emit, kept_text, say, state, writing

_FORMAT = Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)]
_OUT = Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically).")]


def _entry_text(data: dict) -> str:
    return (f"{data['hours']} h on {data['date']} to project '{data['project']}'"
            + (f" ({data['service']})" if data.get("service") else "") + f" as '{data['id']}'")


def _register(app: typer.Typer, noun: str) -> None:
    app.registered_commands[:] = [c for c in app.registered_commands if c.name not in ("add", "list")]

    @app.command("log")
    def log(ctx: typer.Context,
            project: Annotated[str, typer.Argument(metavar="PROJECT", help="The project's id.")],
            hours: Annotated[str, typer.Argument(metavar="HOURS", help=(
                "Hours worked, more than 0 and at most 24: 1.5, 1,5, 1.5h, 1h30m, 90m or 1:30."))],
            date: Annotated[Optional[str], typer.Option("--date", metavar="DATE",
                                                        help="Day worked (default today; not after today).")] = None,
            service: Annotated[Optional[str], typer.Option("--service", metavar="ID", help=(
                "One of the project's services; needed when it lists several, taken when it lists one."))] = None,
            note: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="What was done.")] = None):
        """Book hours against a project, in timelog/<year>.yaml (the same as `project log`).

        Example: freelance time log acme-website 1h30m --date yesterday --service acme-build --note "checkout flow"
        """
        from ...changes import door
        with writing(ctx) as book:
            data, notes = door.log_time(book, project, hours, date, service, note)
        for n in notes:
            say(n)
        say("booked " + _entry_text(data))

    @app.command("list")
    def list_(ctx: typer.Context,
              project: Annotated[Optional[str], typer.Option("--project", metavar="ID", help="Only this project's entries.")] = None,
              client: Annotated[Optional[str], typer.Option("--client", metavar="ID", help="Only entries of this client's projects.")] = None,
              service: Annotated[Optional[str], typer.Option("--service", metavar="ID", help="Only entries of this service.")] = None,
              date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="From this date.")] = None,
              date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Up to this date.")] = None,
              period: Annotated[Optional[str], typer.Option("--period", metavar="PERIOD", help="2026, 2026-Q4 or 2026-11.")] = None,
              unbilled: Annotated[bool, typer.Option("--unbilled", help="Only entries no invoice names yet.")] = False,
              billed: Annotated[bool, typer.Option("--billed", help="Only entries an invoice names.")] = False,
              search: Annotated[Optional[str], typer.Option("--search", metavar="TEXT", help=(
                  "Only entries holding every word of TEXT in their note, project, service... (any case)."))] = None,
              sort: Annotated[Optional[list[str]], typer.Option("--sort", metavar="FIELD", help=(
                  "Order by FIELD (-FIELD: descending); repeat for ties. Default: newest first."))] = None,
              fmt: _FORMAT = "table", out: _OUT = None):
        """List time entries, newest first.

        Example: freelance time list --client acme --unbilled --sort project --format json
        """
        from ...core.errors import UsageError
        from ...core.schema import KINDS
        fmt = entity.list_format(fmt)
        if billed and unbilled:
            raise UsageError("--billed and --unbilled exclude each other: give one")
        book = state(ctx).book()
        kind = KINDS["time"]

        def drawn():            # the list as text, kept between runs (read/kept.py)
            from ...read import search as find
            from ...read import views
            from ...changes.door import check_filter
            from ...core.dates import window
            from ...read.graph import Graph
            from ...formats.render import render_rows
            for f, v in (("project", project), ("service", service)):
                if v:
                    check_filter(book, kind.field(f), v, f"--{f}")
            if client:
                check_filter(book, KINDS["project"].field("client"), client, "--client")
            start, end = window(book.today, date_from, date_to, period)
            g = Graph(book)
            recs = [r for r in book.records("time") if views.in_range(r, kind, start, end)
                    and (not project or r.data.get("project") == project)
                    and (not service or r.data.get("service") == service)
                    and (not billed or r.data.get("invoice")) and (not unbilled or not r.data.get("invoice"))]
            if client:
                owner = {p.id: p.data.get("client") for p in book.records("project")}
                recs = [r for r in recs if owner.get(r.data.get("project")) == client]
            if search:
                recs = [r for r in recs if find.matches(r, search)]
            rows = views.rows(g, find.newest_first(kind, recs))
            if sort:
                rows = find.sort_rows(rows, find.sort_keys(kind, rows, sort))
            return render_rows(rows, views.columns(kind), fmt, json_rows=rows if fmt == "json" else None,
                               table_keys=views.TABLE_COLUMNS.get("time", ()))
        key = (project, client, service, date_from, date_to, period, unbilled, billed, search, tuple(sort or ()), fmt)
        emit(kept_text(book, "list-time", key, drawn), out)

    @app.command("start")
    def start(ctx: typer.Context,
              project: Annotated[str, typer.Argument(metavar="PROJECT", help="The project's id.")],
              service: Annotated[Optional[str], typer.Option("--service", metavar="ID", help=(
                  "One of the project's services; needed when it lists several."))] = None,
              note: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help="What you are doing.")] = None,
              at: Annotated[Optional[str], typer.Option("--at", metavar="TIME", help=(
                  "When the work started: 09:15 (today) or '2026-11-30 09:15' (default now)."))] = None):
        """Start the timer on a project (one at a time: a running timer is stopped and booked first).

        The timer is timer.yaml in the book: it survives a reboot, and a second machine sees it after a pull.

        Example: freelance time start acme-website --service acme-build --at 09:15 --note "checkout flow"
        """
        from ...changes import door
        with writing(ctx) as book:
            timer, entry, notes = door.start_timer(book, project, service, note, at)
        for n in notes:
            say(n)
        say(f"timer started on '{timer['project']}'" + (f" ({timer['service']})" if timer.get("service") else "")
            + f" at {timer['start']:%Y-%m-%d %H:%M}")

    @app.command("status")
    def status(ctx: typer.Context, fmt: _FORMAT = "table"):
        """What the timer runs on, since when and for how long.

        Example: freelance time status
        """
        from ...core.durations import hours_text, parse_hours
        from ...formats.render import to_json
        from ...read.work import now, running
        fmt = entity.list_format(fmt, ("table", "json"))
        book = state(ctx).book()
        timer = running(book)
        if timer is None:
            emit(to_json({"running": False}) if fmt == "json" else "no timer running\n")
            return
        minutes = max(int((now(book) - timer["start"]).total_seconds()) // 60, 0)
        hours = parse_hours(f"{minutes}m")              # as `time stop` would book it now
        if fmt == "json":
            emit(to_json({"running": True, "id": timer["id"], "project": timer["project"],
                          "service": timer.get("service"), "note": timer.get("note"), "start": timer["start"],
                          "minutes": minutes, "hours": hours}))
            return
        line = (f"timer on '{timer['project']}'" + (f" ({timer['service']})" if timer.get("service") else "")
                + f" since {timer['start']:%Y-%m-%d %H:%M}: {hours_text(hours)}"
                + (f" - {timer['note']}" if timer.get("note") else ""))
        emit(clean(" ".join(line.splitlines())) + "\n")      # timer.yaml is someone's text: no escapes, one line

    @app.command("stop")
    def stop(ctx: typer.Context,
             at: Annotated[Optional[str], typer.Option("--at", metavar="TIME", help=(
                 "When the work ended: 17:40 (today) or '2026-11-30 17:40' (default now)."))] = None,
             note: Annotated[Optional[str], typer.Option("--note", metavar="TEXT", help=(
                 "What was done (instead of the note given at start)."))] = None):
        """Stop the timer and book its time as an ordinary entry (whole minutes).

        Example: freelance time stop --at 17:40 --note "checkout flow, tests"
        """
        from ...changes import door
        with writing(ctx) as book:
            timer, entry, notes = door.stop_timer(book, at, note)
        for n in notes:
            say(n)
        if entry is not None:
            say("timer stopped: booked " + _entry_text(entry))
        else:
            say("timer stopped")

    @app.command("cancel")
    def cancel(ctx: typer.Context):
        """Drop the running timer without booking anything.

        Example: freelance time cancel
        """
        from ...changes import door
        with writing(ctx) as book:
            timer = door.cancel_timer(book)
        if timer is None:
            say("no timer running: nothing to cancel")
            return
        since = f" since {timer['start']:%Y-%m-%d %H:%M}" if timer.get("start") else ""
        say(f"timer on '{timer['project']}'{since} cancelled; nothing was booked")

    @app.command("sheet")
    def sheet(ctx: typer.Context,
              week: Annotated[Optional[str], typer.Option("--week", metavar="DATE", help=(
                  "The week holding DATE, day by day (default: this week)."))] = None,
              month: Annotated[Optional[str], typer.Option("--month", metavar="MONTH", help=(
                  "A month such as 2026-11, week by week."))] = None,
              client: Annotated[Optional[str], typer.Option("--client", metavar="ID", help=(
                  "Only this client's projects (hours rounded by time_rounding)."))] = None,
              invoice: Annotated[Optional[str], typer.Option("--invoice", metavar="NUMBER", help=(
                  "Exactly the entries billed on this invoice."))] = None,
              fmt: Annotated[str, typer.Option("--format", "-f", help=(
                  "Output format: table, markdown, csv, json or html."))] = "table",
              out: _OUT = None):
        """Hours by project and service, day by day, with totals, hours and value.

        Example: freelance time sheet --week 2026-11-02 --client acme
        """
        from ...changes.door import check_filter, find
        from ...core.dates import parse_date, parse_period
        from ...core.errors import UsageError
        from ...read.graph import Graph
        from ...read.reports import timesheet
        from ...formats.render import html_page, html_table, render_rows, to_json
        from ...core.schema import KINDS
        fmt = entity.list_format(fmt, ("table", "markdown", "csv", "json", "html"))
        if sum(x is not None for x in (week, month, invoice)) > 1:
            raise UsageError("give one of --week, --month and --invoice")
        book = state(ctx).book()
        if client:
            check_filter(book, KINDS["project"].field("client"), client, "--client")
        if invoice:
            find(book, "invoice", invoice)
        g = Graph(book)
        m = parse_period(month, "--month") if month else None
        if month and (m[1] - m[0]).days > 31:
            raise UsageError(f"--month: expected a month like 2026-11, got {month!r}")
        first, last, by = timesheet.window_of(g, parse_date(week, book.today, "--week") if week else None, m)
        data = timesheet.build(g, first, last, by, client, invoice)
        if fmt == "json":
            emit(to_json(data), out)
        elif fmt == "table":
            emit(timesheet.render_table(data), out)
        else:
            rows = data["rows"] + [timesheet.total_row(data)]
            cols = timesheet.columns(data)
            if fmt == "html":
                emit(html_page(timesheet.title(data), html_table(rows, cols)), out)
            elif fmt == "markdown":
                emit(f"**{timesheet.title(data)}**\n\n" + render_rows(rows, cols, fmt), out)
            else:
                from ...core.text import Column
                emit(render_rows(rows, cols + [Column("currency")], fmt), out)


entity.EXTRA.setdefault("time", []).append(_register)
