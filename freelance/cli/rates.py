"""`freelance rates`: exchange rates into the book's currency (docs/rates.md): typed, read from
the ECB's files or hledger price directives, listed, and the one a day gets by the rule."""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from .common import FORMAT_HELP, emit, say, state, writing

app = typer.Typer(name="rates", no_args_is_help=True, add_completion=False,
                  help="Exchange rates: what one unit of a foreign currency is worth in the book's currency on a "
                       "day. The book's own rates (rates.yaml) win; else the ECB's reference rates since 1999, "
                       "shipped with the program (offline). A missing rate is an error, never 1:1.\n\n"
                       "Example: freelance rates set 2026-11-20 EUR 1.0856")

_OUT = Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                             help="Write to FILE (atomically; '-' for stdout).")]
_FMT = Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)]


def _currency(text: str, option: str) -> str:
    from ..core.errors import UsageError
    from ..core.rules import is_currency
    cur = text.strip().upper()
    if not is_currency(cur):
        raise UsageError(f"{option}: expected a three-letter currency code like USD, got {text!r}")
    return cur


def _columns():
    from ..core.text import Column
    return [Column("date"), Column("currency"), Column("rate", align="right"), Column("home", "in"),
            Column("source")]


@app.command("set")
def set_(ctx: typer.Context,
         day: Annotated[str, typer.Argument(metavar="DATE", help="The day the rate is of (ISO, today, -1d...).")],
         currency: Annotated[str, typer.Argument(metavar="CUR", help="The foreign currency, like USD.")],
         rate: Annotated[str, typer.Argument(metavar="RATE",
                                             help="What one unit of CUR is worth in the book's currency.")],
         source: Annotated[Optional[str], typer.Option("--source", help="Where it comes from (default: typed).")] = None):
    """Set the rate of a currency on a day: one unit of CUR is worth RATE of the book's currency.

    It is written to rates.yaml (a second rate of the same day replaces the first) and wins over
    the ECB's rate of that day.

    In a EUR book: freelance rates set 2026-11-20 USD 0.9132 (one dollar is 0.9132 euro).

    Example: freelance rates set 2026-11-20 EUR 1.0856
    """
    from ..changes import door
    from ..core.dates import parse_date
    from ..core.errors import UsageError
    from ..read.rates import parse_rate
    cur = _currency(currency, "CUR")
    value = parse_rate(rate)
    if value is None:
        raise UsageError(f"RATE: expected a positive number like 0.9132, got {rate!r}")
    with writing(ctx) as book:
        d = parse_date(day, book.today, "DATE", book.settings.date_order)
        counts = door.set_rates(book, [(d, cur, value, source or "typed")])
        home = book.settings.currency
    done = "unchanged" if counts["same"] else "changed" if counts["changed"] else "set"
    say(f"{done}: 1 {cur} = {value} {home} on {d} (rates.yaml)")


@app.command("import")
def import_(ctx: typer.Context,
            path: Annotated[str, typer.Argument(metavar="FILE", help="The ECB's CSV/XML (or .zip), or hledger "
                                                                     "P directives ('-': stdin).")],
            currency: Annotated[Optional[List[str]], typer.Option(
                "--currency", metavar="CUR", help="Only this currency (repeat). Default: every currency of a "
                "one-day file; of a longer file, the currencies the book's records use.")] = None,
            date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="Only rates from this day.")] = None,
            date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Only rates up to this day.")] = None,
            dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")] = False):
    """Read rates from a file into rates.yaml: the ECB's reference rates (eurofxref.csv,
    eurofxref-hist.csv, eurofxref-daily.xml, eurofxref-hist.xml, or the .zip they come in),
    turned into the book's currency; or hledger price directives (P 2026-11-20 USD 0.9132 EUR).
    Importing the same file again changes nothing; a rate typed with `rates set` is kept.

    The ECB's files: https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip (and eurofxref.zip,
    eurofxref-daily.xml).

    Example: freelance rates import ~/Downloads/eurofxref-hist.zip --currency EUR --from 2026-10-01
    """
    from ..changes import door
    from ..core.dates import parse_date
    from ..core.errors import UsageError
    from ..formats.rates import read_rates
    from ..read.graph import Graph
    from ..read.rates import foreign_currencies
    from .bank import read_statement_file
    data = read_statement_file(path)
    name = "stdin" if path == "-" else path
    wanted = {_currency(c, "--currency") for c in currency or []}
    with writing(ctx) as book:
        home = book.settings.currency
        start = parse_date(date_from, book.today, "--from", book.settings.date_order) if date_from else None
        end = parse_date(date_to, book.today, "--to", book.settings.date_order) if date_to else None
        got = read_rates(data, name, home)
        if home in wanted:
            raise UsageError(f"--currency {home}: the book's own currency has no rate")
        if not wanted and got.days > 1 and got.kind == "ecb":
            wanted = foreign_currencies(Graph(book))
            if not wanted:
                raise UsageError(f"{name} holds {got.days} days of every currency the ECB quotes, and the book's "
                                 "records use no other currency than its own: name the ones to keep with --currency")
        items = [(d, cur, rate, got.kind) for d, cur, rate in got.rates(
            lambda d, cur: (not wanted or cur in wanted) and (start is None or d >= start) and (end is None or d <= end))]
        skipped = got.skipped
        counts = door.set_rates(book, items, dry_run=dry_run, keep_typed=True)
    curs = sorted({cur for _, cur, _, _ in items})
    say(f"{'would import' if dry_run else 'imported'} {len(items)} rates of {', '.join(curs) or 'no currency'} "
        f"from {name}: {counts['added']} added, {counts['changed']} changed, {counts['same']} already there"
        + (f", {counts['kept']} typed by hand kept" if counts["kept"] else "")
        + (f"; {skipped} prices between other currencies skipped" if skipped else ""))


@app.command("list")
def list_(ctx: typer.Context,
          currency: Annotated[Optional[str], typer.Option("--currency", metavar="CUR", help="Only this currency.")] = None,
          date_from: Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="From this day.")] = None,
          date_to: Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Up to this day.")] = None,
          fmt: _FMT = "table", out: _OUT = None):
    """List the book's own rates (rates.yaml), oldest first: what they win over the ECB's with.

    Example: freelance rates list --currency EUR --format json
    """
    from ..core.dates import parse_date
    from ..formats.render import render_rows
    from ..read.graph import Graph
    from ..read.rates import rates
    from .common import check_format
    fmt = check_format(fmt)
    book = state(ctx).book()
    cur = _currency(currency, "--currency") if currency else None
    start = parse_date(date_from, book.today, "--from", book.settings.date_order) if date_from else None
    end = parse_date(date_to, book.today, "--to", book.settings.date_order) if date_to else None
    g = Graph(book)
    sources = {(r.data.get("currency"), r.data.get("date")): r.data.get("source") for r in g.records("rate")}
    rows = [{"date": d, "currency": c, "rate": r, "home": book.settings.currency, "source": sources.get((c, d))}
            for c, d, r in rates(g).book_rates()
            if (cur is None or c == cur) and (start is None or d >= start) and (end is None or d <= end)]
    rows.sort(key=lambda r: (r["date"], r["currency"]))
    emit(render_rows(rows, _columns(), fmt, json_rows=rows if fmt == "json" else None), out)


@app.command("show")
def show(ctx: typer.Context,
         currency: Annotated[str, typer.Argument(metavar="CUR", help="The foreign currency, like USD.")],
         day: Annotated[Optional[str], typer.Argument(metavar="[DATE]", help="The day (default: today).")] = None,
         fmt: _FMT = "table", out: _OUT = None):
    """Show the rate a day gets by the rule: the day's own, the book's before the ECB's; else
    the latest earlier day's within 7 days. An error (exit 1) names the day and currency when
    there is none.

    Example: freelance rates show EUR 2026-07-03
    """
    from ..core.dates import parse_date
    from ..formats.render import render_rows
    from ..read.graph import Graph
    from ..read.rates import MissingRate, rates
    from .common import check_format
    fmt = check_format(fmt)
    book = state(ctx).book()
    cur = _currency(currency, "CUR")
    d = parse_date(day, book.today, "DATE", book.settings.date_order) if day else book.today
    home = book.settings.currency
    found = rates(Graph(book)).find(cur, d)
    if found is None:
        raise MissingRate(cur, d, home)
    row = {"date": d, "currency": cur, "rate": found.rate, "home": home, "of": found.day,
           "source": found.source}
    if fmt == "table":
        emit(f"1 {cur} = {found.rate} {home} on {d}"
             + (f" (the rate of {found.day})" if found.day != d else "")
             + f"; from {'the book (rates.yaml)' if found.source == 'book' else 'the ECB (shipped history)'}\n", out)
        return
    if fmt == "json":
        from ..formats.render import to_json
        emit(to_json(row), out)
        return
    from ..core.text import Column
    emit(render_rows([row], _columns() + [Column("of")], fmt), out)


def command(name: str):
    return typer.main.get_command(app)
