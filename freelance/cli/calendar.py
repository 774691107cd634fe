"""`freelance calendar`: the month or week in the terminal; `calendar export --ics FILE`.

Plain click (not typer) because `--month` and `--week` take an optional value.
"""
from __future__ import annotations

import click

from .common import emit, say, state

MONTH_HELP = "Draw a month grid (default: this month), e.g. --month 2026-12."
WEEK_HELP = "List a week day by day with times (default: this week), e.g. --week 2026-12-01."


def _month(book, text: str) -> tuple[int, int]:
    import re

    from ..dates import parse_date
    m = re.match(r"(\d{4})-(\d{1,2})\Z", text.strip())
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2))
    d = parse_date(text, book.today, "--month")
    return d.year, d.month


def command(name: str) -> click.Command:
    @click.group(name=name, invoke_without_command=True,
                 help="Meetings, invoice due dates and project deadlines by day.\n\n"
                      "Example: freelance calendar --month 2026-12")
    @click.option("--month", "month", is_flag=False, flag_value="", default=None, metavar="[YYYY-MM]", help=MONTH_HELP)
    @click.option("--week", "week", is_flag=False, flag_value="", default=None, metavar="[DATE]", help=WEEK_HELP)
    @click.option("--out", "-o", metavar="FILE", default=None, help="Write to FILE (atomically).")
    @click.pass_context
    def calendar(ctx, month, week, out):
        if ctx.invoked_subcommand is not None:
            if month is not None or week is not None:
                raise click.UsageError("--month and --week do not go with a subcommand")
            return
        from .. import calendar as core
        from ..dates import parse_date
        from ..errors import UsageError
        from ..graph import Graph
        if month is not None and week is not None:
            raise UsageError("give --month or --week, not both")
        book = state(ctx).book()
        g = Graph(book)
        if week is not None:
            day = parse_date(week, book.today, "--week") if week else book.today
            emit(core.week_text(g, day), out)
        else:
            year, mon = _month(book, month) if month else (book.today.year, book.today.month)
            emit(core.month_grid(g, year, mon), out)

    @calendar.command("export", help="Write meetings as an RFC 5545 calendar (.ics) that calendar apps import; "
                                     "importing again updates the events (stable UIDs).\n\n"
                                     "Example: freelance calendar export --ics meetings.ics --deadlines")
    @click.option("--ics", "ics", required=True, metavar="FILE", help="The .ics file to write ('-' for stdout).")
    @click.option("--deadlines", is_flag=True, help="Add invoice and project due dates as all-day events.")
    @click.pass_context
    def export(ctx, ics, deadlines):
        from .. import calendar as core
        from ..graph import Graph
        g = Graph(state(ctx).book())
        data = core.to_ics(g, with_deadlines=deadlines).decode("utf-8")
        if ics == "-":
            click.echo(data, nl=False)
            return
        emit(data, ics)
        n = data.count("BEGIN:VEVENT")
        say(f"wrote {n} event{'s' if n != 1 else ''} to {ics}")

    return calendar
