"""The `freelance` command: a thin typer front over the core.

Start-up matters (SPEC section 7): this module imports only typer. Each noun
lives in its own module and is imported when it is invoked; `--help` lists
the nouns from the table below without importing any of them.
"""
from __future__ import annotations

import gc
import os
import sys

os.environ.setdefault("TYPER_USE_RICH", "0")  # plain help: fast, no colour codes in pipes

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

# noun -> (module, help). The module has `command(name)` returning a click command.
# (typer 0.29 vendors click and does not install it: never `import click`; only typer's public names.)
NOUNS: dict[str, tuple[str, str]] = {
    "init": ("freelance.cli.init", "Create a new book: settings, empty files, git."),
    "client": ("freelance.cli.entity", "The client pipeline: lead, negotiation, client."),
    "project": ("freelance.cli.entity", "Projects, their status, priority and completion."),
    "service": ("freelance.cli.entity", "Services: hourly or fixed-price offerings."),
    "invoice": ("freelance.cli.entity", "Invoices: draft, sent, paid, void."),
    "quote": ("freelance.cli.entity", "Quotes: draft, sent, accepted into a project, declined, expired."),
    "income": ("freelance.cli.entity", "Money in: client income, salary, interest..."),
    "expense": ("freelance.cli.entity", "Money out, by category: bills, receipts, supplier e-invoices read in."),
    "supplier": ("freelance.cli.entity", "Suppliers: VAT id, IBAN, default category; what you spent, open bills."),
    "contact": ("freelance.cli.entity", "Contacts: finance, services, legal."),
    "resource": ("freelance.cli.entity", "Resources: checklists, guides, strategies, tips."),
    "goal": ("freelance.cli.entity", "Goals with targets and progress."),
    "meeting": ("freelance.cli.entity", "Meetings with clients and contacts."),
    "time": ("freelance.cli.entity", "Hours worked: a timer, the time log, a week's time sheet."),
    "account": ("freelance.cli.account", "Accounts: balances, currency, IBAN; assert a statement's balance."),
    "transfer": ("freelance.cli.entity", "Money moved between your own accounts (not income or expense)."),
    "balance": ("freelance.cli.entity", "Balance assertions: an account's balance on a day, as the bank states it."),
    "recurring": ("freelance.cli.entity", "Recurring invoices: one per period, made exactly once by `run`."),
    "rates": ("freelance.cli.rates", "Exchange rates: ECB history offline, typed or imported; what a day's rate is."),
    "run": ("freelance.cli.run", "Do what is due, for cron: recurring invoices, payment reminders, mail."),
    "report": ("freelance.cli.report", "Reports: pipeline, ... in table, markdown, csv, json, html."),
    "validate": ("freelance.cli.validate", "Check the whole book; exit 1 when it has errors."),
    "search": ("freelance.cli.search", "Find any record by any words it holds, best match first."),
    "settings": ("freelance.cli.settings", "Show or change the book's settings and lists."),
    "calendar": ("freelance.cli.calendar", "The month or week in the terminal; export --ics for calendar apps."),
    "workflow": ("freelance.cli.workflow", "Client income with its invoice, client, project, service."),
    "export": ("freelance.cli.export", "Export to hledger, beancount, csv or json."),
    "bank": ("freelance.cli.bank", "Bank statements: import a statement file, review, match, rules."),
    "serve": ("freelance.cli.serve", "The book in a browser: boards, forms, bank, accounts, finance, calendar."),
    "sync": ("freelance.cli.sync", "Commit, pull (merging by record), validate and push: one command for every device."),
    "history": ("freelance.cli.history", "A record's changes from git: date, commit, author, field: old -> new."),
    "undo": ("freelance.cli.history", "Take back the last change the tool committed (if not pushed)."),
    "git": ("freelance.cli.git", "The book's git repository: register the merge driver (git setup)."),
    "merge-file": ("freelance.cli.merge", "git's merge driver: merge a book file by record id and field."),
    "demo": ("freelance.cli.demo", "Write a realistic generated book of any size (--transactions N)."),
}


_BUILT: dict = {}       # noun -> its click command, as `LazyGroup.get_command` built it


class LazyGroup(TyperGroup):
    """A group whose subcommands are imported only when invoked."""

    def list_commands(self, ctx):
        return list(NOUNS) + [n for n in super().list_commands(ctx) if n not in NOUNS]

    def get_command(self, ctx, name):
        if name in NOUNS:
            got = _BUILT.get(name)
            if got is None:     # a noun's commands built once per process (tests invoke thousands)
                import importlib
                got = _BUILT[name] = importlib.import_module(NOUNS[name][0]).command(name)
            return got
        return super().get_command(ctx, name)

    def format_commands(self, ctx, formatter):
        rows = [(name, help_) for name, (_, help_) in NOUNS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx, args):
        name = args[0] if args else None
        if name and not name.startswith("-") and name not in NOUNS:
            from ..core.errors import did_you_mean
            ctx.fail(f"no such command {name!r}{did_you_mean(name, NOUNS)}")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx):
        from ..core.errors import FreelanceError
        try:
            rv = super().invoke(ctx)
        except FreelanceError as exc:
            from ..core.text import clean  # one line, no control sequences from user data
            typer.echo(f"freelance: error: {clean(exc.message.replace(chr(10), chr(92) + 'n'))}", err=True)
            half_read(ctx, exc.message)
            ctx.exit(exc.exit_code)
        except typer.Exit as exc:     # e.g. a report's --fail-on held
            if half_read(ctx) and not exc.exit_code:
                ctx.exit(1)
            raise
        except BrokenPipeError:
            ctx.exit(0)
        except OSError as exc:   # the disk said no (permissions, a read-only or full file system)
            from ..core.text import clean
            where = f": {exc.filename}" if exc.filename else ""
            typer.echo(f"freelance: error: {clean(exc.strerror or str(exc))}{clean(str(where))}", err=True)
            ctx.exit(1)
        except typer.TyperException as exc:   # typer's usage errors; an unknown option names itself
            import re
            if not isinstance(getattr(exc, "option_name", None), str):
                raise
            if re.fullmatch(r"-[\d.,]+", exc.option_name):   # `income add -5`: not "No such option: -5"
                exc.message = ("a negative number is not accepted here: amounts and hours are written "
                               "without a sign (money going out is `freelance expense add`)")
            elif exc.option_name in ("--books", "--today", "--no-cache"):   # given after the command
                value = "" if exc.option_name == "--no-cache" else " ..."
                exc.message = (f"{exc.option_name} is an option of freelance itself: put it before the command, "
                               f"as in `freelance {exc.option_name}{value} COMMAND ...`")
            raise
        auto_commit(ctx)
        if half_read(ctx):
            ctx.exit(1)
        return rv


def auto_commit(ctx) -> None:
    """After a command that changed the book: its own git commit, naming the records, when the
    book says `auto_commit: true` (docs/sync.md). A commit that fails is said, not fatal: the
    change itself is written."""
    st = ctx.obj
    book = getattr(st, "_book", None)
    if book is None or not getattr(st, "wrote", False) or book.settings.get("auto_commit") is not True:
        return
    from ..core.errors import FreelanceError
    from ..store import git
    if not git.in_repository(book.root):
        return
    try:
        git.commit_book(book.root)
    except FreelanceError as exc:
        typer.echo(f"freelance: warning: auto_commit: {exc.message}", err=True)


def half_read(ctx, refused: str | None = None) -> bool:
    """After a command: the errors met while reading the book, on stderr, so what it printed
    is not taken for the whole book. True (exit 1) when a command that only read the book
    read any (a write keeps its exit status: it did what it said). `validate` says it itself.
    `refused`: the message of a command that stopped (problems it names are not repeated)."""
    st = ctx.obj
    book = getattr(st, "_book", None)
    if book is None or getattr(st, "reports_problems", False) or not getattr(book, "problems", None):
        return False
    from .common import load_problems
    lines = [x for x in load_problems(book) if refused is None or x not in refused]
    if not lines:
        return False
    for line in lines:
        typer.echo(line, err=True)
    if st.wrote or refused is not None:
        return False
    typer.echo("freelance: error: the book has errors (above): what was printed leaves out what could not be "
               "read; `freelance validate` checks the whole book", err=True)
    return True


app = typer.Typer(
    cls=LazyGroup,
    name="freelance",
    help="A freelancer's back office in plain-text YAML books kept in git.\n\n"
         "Example: freelance client board",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__
        typer.echo(f"freelance {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    books: str = typer.Option(None, "--books", metavar="DIR",
                              help="The book's folder (default: $FREELANCE_BOOKS, or the nearest "
                                   "folder upward holding freelance.yaml or data/freelance.yaml)."),
    today: str = typer.Option(None, "--today", metavar="DATE",
                              help="Take DATE as today, for reproducible reports (or $FREELANCE_TODAY)."),
    no_cache: bool = typer.Option(False, "--no-cache",
                                  help="Parse every file; neither read nor write the parse cache "
                                       "(yours, in ~/.cache/freelance/, safe to delete)."),

    version: bool = typer.Option(False, "--version", is_eager=True, callback=_version,
                                 help="Print the version and exit."),
):
    """A freelancer's back office in plain-text YAML books kept in git."""
    from .common import State
    ctx.obj = State(books=books, today=today or os.environ.get("FREELANCE_TODAY"), cache=not no_cache)


def command():
    """The click command behind `freelance` (typer's vendored click)."""
    return typer.main.get_command(app)


def standard_streams() -> None:
    """Output that cannot be written is not a crash.

    - A standard descriptor closed by the caller (`freelance client list >&-`) is opened on
      /dev/null first: else the next file opened (a book file, a temporary file of a write)
      would get its number, and output meant for the terminal would go into it. Output to a
      closed stdout is dropped, as when its reader has gone (`| head -0`, exit 0).
    - A terminal or a pipe that is not UTF-8 (`PYTHONIOENCODING=ascii`, `LANG=C` on an old
      system) gets what it cannot show as backslash escapes (`Zo\\xeb`); JSON output is
      ASCII with \\u escapes then (`render.to_json`), still the same JSON."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(fd, "w", encoding="utf-8", closefd=False))
            continue
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (OSError, ValueError):      # pragma: no cover - a stream that cannot change
                pass


# The cyclic collector's thresholds for a command: a young collection after 50,000 new containers,
# not 700. A command over a big book makes hundreds of thousands (rows, postings) and frees few
# in cycles; at the default, the collections walking them took a fifth of `export hledger` at
# 100,000 transactions, with the same peak memory either way (docs/performance.md).
GC_THRESHOLDS = (50_000, 20, 100)


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    standard_streams()
    cmd = command()
    try:
        cmd.main(args=sys.argv[1:], prog_name="freelance")
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
