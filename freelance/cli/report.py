"""`freelance report NAME`: build a report from the graph and render it."""
from typing import Annotated, List, Optional

import typer

from ..read.report_options import REPORTS
from .common import emit, kept_text, state
import html
import importlib
import textwrap

FORMATS = ("table", "markdown", "csv", "json", "html")

# A better example than `--format markdown` where a report has one.
EXAMPLES = {
    "digest": "freelance report digest --format markdown --fail-on overdue",
    "invoices": "freelance --today 2026-06-30 report invoices",
    "agenda": "freelance report agenda --period 2026-12",
    "summary": "freelance report summary --format html --out summary.html",
    "finance": "freelance report finance --period 2026-Q3 --basis accrual --value home",
    "dashboard": "freelance report dashboard --format html --out dash.html",
    "vat": "freelance report vat --period 2026-Q4 --basis accrual --format json",
}


def render_report(report, fmt: str, today) -> str:
    """A report as text. table: 80 columns (a section's `table_columns`); csv: one header row
    for the whole file, a `section` column first; json: every row with every key (docs/json.md)."""
    from ..formats.render import html_page, html_table, render_rows, to_json
    from ..core.text import Column, clean
    if fmt == "json":
        head = {"report": report.name, "title": report.title, "today": today, **report.meta}
        if report.alerts:
            head["alerts"] = report.alerts
        return to_json({**head, **{s.name: s.rows for s in report.sections}})
    if fmt == "html":
        body = "".join((html_table(s.rows, s.columns, s.title) if s.rows
                        else f"<h2>{clean_html(s.title)}</h2>\n<p>none</p>\n")
                       + (f"<p>{clean_html(s.note)}</p>\n" if s.note else "") for s in report.sections)
        return html_page(report.title, body)
    if fmt == "csv":
        columns, seen, rows = [Column("section")], {"section"}, []
        for s in report.sections:
            keys = [c.key for c in s.columns]
            if any(c.money for c in s.columns) and "currency" not in keys:
                keys.append("currency")     # money is plain decimals: say in which currency
            for key in keys:
                if key not in seen:
                    seen.add(key)
                    columns.append(Column(key))
            rows += [{"section": s.name, **{k: r.get(k) for k in keys}} for r in s.rows]
        return render_rows(rows, columns, "csv")
    md = fmt == "markdown"
    from ..formats.render import md_text
    title = clean(report.title)
    parts = [f"# {md_text(title)}\n\n" if md else f"{title}\n{'=' * len(title)}\n\n"]
    for s in report.sections:
        heading = md_text(clean(s.title)) if md else clean(s.title)
        parts.append(f"## {heading}\n\n" if md else f"{heading}\n{'-' * len(heading)}\n")
        columns = s.columns
        if fmt == "table" and s.table_columns:
            columns = [c for c in s.columns if c.key in s.table_columns]
        if not s.rows:
            parts.append("_none_\n" if md else "(none)\n")
        else:
            parts.append(render_rows(s.rows, columns, fmt))
        if s.note:
            parts.append(f"\n_{md_text(clean(s.note))}_\n" if md else wrap(f"({clean(s.note)})"))
        parts.append("\n")
    return "".join(parts).rstrip("\n") + "\n"


def wrap(text: str, width: int = 80) -> str:
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) + "\n"


def clean_html(text: str) -> str:
    return html.escape(text)


def make(name: str):
    module_name, help_ = REPORTS[name]

    def run(ctx: typer.Context,
            fmt: Annotated[str, typer.Option("--format", "-f", help="table, markdown, csv, json or html.")] = "table",
            out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically; '-' for stdout).")] = None,
            period: Annotated[Optional[str], typer.Option("--period", metavar="PERIOD", help="2026, 2026-Q4 or 2026-11.")] = None,
            date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="From this date.")] = None,
            date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Up to this date.")] = None,
            client: Annotated[Optional[str], typer.Option("--client", metavar="ID", help="Only this client.")] = None,
            basis: Annotated[Optional[str], typer.Option("--basis", metavar="BASIS",
                                                         help="cash (default: revenue and tax when the money moved) or "
                                                              "accrual (when invoiced); report finance and vat.")] = None,
            value: Annotated[Optional[str], typer.Option("--value", metavar="home",
                                                         help="home: totals in the book's currency too, at each "
                                                              "day's exchange rate (report finance, summary).")] = None,
            value_day: Annotated[Optional[str], typer.Option("--value-date", metavar="DATE",
                                                             help="With --value home: the day balances are valued on "
                                                                  "(default: the end of the window, or today).")] = None,
            fail_on: Annotated[Optional[List[str]], typer.Option("--fail-on", metavar="CONDITION",
                                                               help="Exit 1 when CONDITION holds (see the report's help).")] = None):

        from ..core.dates import window
        from ..core.errors import UsageError, did_you_mean
        from ..read.kept import MISSING
        from ..read.report_options import KEPT, Options, options_key
        from .common import check_format, stored_text
        check_format(fmt, FORMATS)
        st = state(ctx)
        book = st.book()
        opts = Options(today=book.today)
        opts.start, opts.end = window(book.today, date_from, date_to, period, book.settings.date_order)
        if client:
            if book.get("client", client) is None:
                raise UsageError(f"--client: no client '{client}'{did_you_mean(client, book.index('client'))}")
            opts.client = client
        if name in KEPT and not (name == "dashboard" and fmt == "html") and value_day is None:
            # asked again of a book that did not change: the text drawn last time, found before the
            # report's modules are imported (options it would refuse were never drawn, so never kept)
            ask = Options(**{**vars(opts), "basis": basis, "value": value})
            got = stored_text(book, f"drawn-report-{name}", (options_key(ask), fmt))
            if got is not MISSING:
                text, alerts = got
                finish(name, text, alerts, fail_on, out)
                return
        from ..read import reports
        module = importlib.import_module(module_name)
        if basis is not None:
            from ..read.journal import BASES
            if not getattr(module, "BASIS", False):
                raise UsageError(f"--basis: report {name} does not count revenue or tax; see `freelance report finance --basis`")
            if basis not in BASES:
                raise UsageError(f"--basis: expected cash or accrual, got {basis!r}{did_you_mean(basis, BASES)}")
            opts.basis = basis
        if value is not None or value_day is not None:
            if not getattr(module, "VALUE", False):
                raise UsageError(f"--value: report {name} has no money totals to value; see `freelance report finance "
                                 "--value home` or `freelance report summary --value home`")
            if value is None:
                raise UsageError("--value-date: give --value home with it")
            if value != "home":
                raise UsageError(f"--value: expected home (the book's currency), got {value!r}")
            opts.value = value
            if value_day is not None:
                from ..core.dates import parse_date
                opts.value_date = parse_date(value_day, book.today, "--value-date", book.settings.date_order)
        if client and not getattr(module, "CLIENT", True):
            raise UsageError(f"--client: report {name} is of the whole book and takes no --client; "
                             + getattr(module, "CLIENT_INSTEAD", "see `freelance report invoices --client ID`"))
        if not getattr(module, "WINDOW", True) and (period or date_from or date_to):
            given = next(o for o, v in (("--period", period), ("--from", date_from), ("--to", date_to)) if v)
            raise UsageError(f"{given}: report {name} shows the book as it stands on one day and takes no "
                             f"--period, --from or --to; for another day use `freelance --today DATE report {name}`, "
                             "for money over a period `freelance report finance --period ...`")
        if name == "dashboard" and fmt == "html":
            from ..serve.pages import static_dashboard     # the web overview, drawn once, no script
            report = reports.build(name, book, opts)
            text, alerts = None, {c: bool(items) for c, items in report.alerts.items()}
        else:
            def drawn():        # (the text, which --fail-on conditions hold): 25,000 invoices take a second to draw
                report = reports.build(name, book, opts)
                return render_report(report, fmt, book.today), {c: bool(items) for c, items in report.alerts.items()}
            if name in KEPT:        # the drawn text kept too (read/kept.py), as a board's is
                text, alerts = kept_text(book, f"drawn-report-{name}", (options_key(opts), fmt), drawn)
            else:
                text, alerts = drawn()
        finish(name, static_dashboard(book) if text is None else text, alerts, fail_on, out)
    run.__doc__ = f"{help_}\n\nExample: freelance report {name} --format markdown"
    return run


def finish(name: str, text: str, alerts: dict, fail_on, out) -> None:
    """The report's text out, then exit 1 when a `--fail-on` condition holds."""
    from ..core.errors import UsageError, did_you_mean
    for cond in fail_on or []:
        if cond not in alerts:
            raise UsageError(f"--fail-on: report {name} has no condition {cond!r}"
                             + (f"; expected one of {', '.join(alerts)}" if alerts
                                else " (it has no --fail-on conditions)")
                             + did_you_mean(cond, alerts))
    emit(text, out)
    if any(alerts.get(c) for c in fail_on or []):
        raise typer.Exit(1)


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
        example = EXAMPLES.get(rname, f"freelance report {rname} --format markdown")
        app.command(rname, help=REPORTS[rname][1] + f"\n\nExample: {example}")(make(rname))
    return typer.main.get_command(app)
