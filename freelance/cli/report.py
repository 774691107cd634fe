"""`freelance report NAME`: build a report from the graph and render it."""
from typing import Annotated, List, Optional

import typer

from ..reports import REPORTS
from .common import emit, state

FORMATS = ("table", "markdown", "csv", "json", "html")


def render_report(report, fmt: str, today) -> str:
    from ..render import clean, html_page, html_table, render_rows, to_json
    if fmt == "json":
        return to_json({"report": report.name, "title": report.title, "today": today,
                        **{s.name: s.rows for s in report.sections}})
    if fmt == "html":
        body = "".join((f"<p>{clean_html(s.note)}</p>\n" if s.note else "") + html_table(s.rows, s.columns, s.title)
                       for s in report.sections)
        return html_page(report.title, body)
    if fmt == "csv":
        if len(report.sections) == 1:
            s = report.sections[0]
            return render_rows(s.rows, s.columns, "csv")
        from ..render import Column
        out = []
        for s in report.sections:
            rows = [{"section": s.name, **r} for r in s.rows]
            out.append(render_rows(rows, [Column("section")] + s.columns, "csv"))
        return "\n".join(out)
    parts = []
    heading = f"# {report.title}\n\n" if fmt == "markdown" else f"{report.title}\n{'=' * len(report.title)}\n\n"
    parts.append(heading)
    for s in report.sections:
        parts.append(f"## {s.title}\n\n" if fmt == "markdown" else f"{s.title}\n{'-' * len(s.title)}\n")
        parts.append(render_rows(s.rows, s.columns, fmt))
        if s.note:
            parts.append(f"\n_{s.note}_\n" if fmt == "markdown" else f"({clean(s.note)})\n")
        parts.append("\n")
    return "".join(parts).rstrip("\n") + "\n"


def clean_html(text: str) -> str:
    import html
    return html.escape(text)


def make(name: str):
    module_name, help_ = REPORTS[name]

    def run(ctx: typer.Context,
            fmt: Annotated[str, typer.Option("--format", "-f", help="table, markdown, csv, json or html.")] = "table",
            out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically).")] = None,
            period: Annotated[Optional[str], typer.Option("--period", metavar="PERIOD", help="2026, 2026-Q4 or 2026-11.")] = None,
            date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="From this date.")] = None,
            date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Up to this date.")] = None,
            client: Annotated[Optional[str], typer.Option("--client", metavar="ID", help="Only this client.")] = None,
            fail_on: Annotated[Optional[List[str]], typer.Option("--fail-on", metavar="CONDITION",
                                                               help="Exit 1 when CONDITION holds (see the report's help).")] = None):
        import importlib

        from ..dates import parse_date, parse_period
        from ..errors import UsageError, did_you_mean
        from ..graph import Graph
        from ..reports import Options
        from .common import check_format
        check_format(fmt, FORMATS)
        st = state(ctx)
        book = st.book()
        opts = Options(today=book.today)
        if period:
            opts.start, opts.end = parse_period(period)
        if date_from:
            opts.start = parse_date(date_from, book.today, "--from")
        if date_to:
            opts.end = parse_date(date_to, book.today, "--to")
        if client:
            if book.get("client", client) is None:
                raise UsageError(f"--client: no client '{client}'{did_you_mean(client, book.index('client'))}")
            opts.client = client
        module = importlib.import_module(module_name)
        report = module.build(Graph(book), opts)
        for cond in fail_on or []:
            known = list(report.alerts) + ["problems"] if report.alerts else []
            if cond not in report.alerts:
                raise UsageError(f"--fail-on: report {name} has no condition {cond!r}"
                                 + (f"; one of {', '.join(report.alerts)}" if report.alerts else "")
                                 + did_you_mean(cond, known))
        emit(render_report(report, fmt, book.today), out)
        if any(report.alerts.get(c) for c in fail_on or []):
            raise typer.Exit(1)
    run.__doc__ = f"{help_}\n\nExample: freelance report {name} --format markdown"
    return run


def command(name: str):
    app = typer.Typer(name="report", no_args_is_help=True, add_completion=False,
                      help="Reports for people and for cron, in every format.\n\n"
                           "Example: freelance report pipeline --format json")
    @app.callback()
    def report_root():
        """Reports for people and for cron, in every format.

        Example: freelance report pipeline --format json
        """

    for rname in REPORTS:
        app.command(rname, help=REPORTS[rname][1] + f"\n\nExample: freelance report {rname} --format markdown")(make(rname))
    return typer.main.get_command(app)
