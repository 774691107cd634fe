"""`freelance calendar`: the month or week in the terminal; `calendar export --ics FILE`."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from .common import emit, say, state


class CalendarGroup(TyperGroup):
    """`--month` and `--week` take an optional value: `calendar --month` is this month."""

    def parse_args(self, ctx, args):
        out = []
        for i, a in enumerate(args):
            out.append(a)
            if a in ("--month", "--week"):
                nxt = args[i + 1] if i + 1 < len(args) else None
                if nxt is None or nxt.startswith("--") or nxt in ("-o", "-h") or nxt in self.commands:
                    out.append("")
        return super().parse_args(ctx, out)


def _month(book, text: str) -> tuple[int, int]:
    from ..core.dates import parse_month
    return parse_month(text, book.today, "--month", book.settings.date_order)


def build(name: str) -> typer.Typer:
    app = typer.Typer(name=name, cls=CalendarGroup, add_completion=False, invoke_without_command=True,
                      help="Meetings, invoice due dates and project deadlines by day.\n\n"
                           "Example: freelance calendar --month 2026-12")

    @app.callback()
    def calendar(ctx: typer.Context,
                 month: Annotated[Optional[str], typer.Option("--month", metavar="[YYYY-MM]", show_default=False,
                                                              help="Draw a month grid (default: this month).")] = None,
                 week: Annotated[Optional[str], typer.Option("--week", metavar="[DATE]", show_default=False,
                                                             help="List a week day by day with times (default: this week).")] = None,
                 out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                                            help="Write to FILE (atomically; '-' for stdout).")] = None):
        """Meetings, invoice due dates and project deadlines by day ($ marks an invoice due, ! a project).

        Example: freelance calendar --month 2026-12
        """
        from ..core.errors import UsageError
        if ctx.invoked_subcommand is not None:
            if month is not None or week is not None:
                raise UsageError("--month and --week do not go with a subcommand")
            return
        from ..read import calendar as core
        from ..core.dates import parse_date
        from ..read.graph import Graph
        if month is not None and week is not None:
            raise UsageError("give --month or --week, not both")
        book = state(ctx).book()
        g = Graph(book)
        if week is not None:
            day = parse_date(week, book.today, "--week", book.settings.date_order) if week else book.today
            emit(core.week_text(g, day), out)
        else:
            year, mon = _month(book, month) if month else (book.today.year, book.today.month)
            emit(core.month_grid(g, year, mon), out)

    @app.command("export")
    def export(ctx: typer.Context,
               ics: Annotated[str, typer.Option("--ics", metavar="FILE", help="The .ics file to write ('-' for stdout).")],
               deadlines: Annotated[bool, typer.Option("--deadlines", help="Add invoice and project due dates "
                                                       "as all-day events.")] = False):
        """Write meetings as an RFC 5545 calendar (.ics) for calendar apps; importing it again updates the events.

        Example: freelance calendar export --ics meetings.ics --deadlines
        """
        from ..read import calendar as core
        from ..read.graph import Graph
        from .common import to_file
        g = Graph(state(ctx).book())
        data = core.to_ics(g, with_deadlines=deadlines)
        emit(data, ics, "--ics")
        if not to_file(ics):
            return
        n = data.count(b"BEGIN:VEVENT")
        say(f"wrote {n} event{'s' if n != 1 else ''} to {ics}")

    return app


def command(name: str):
    return typer.main.get_command(build(name))
