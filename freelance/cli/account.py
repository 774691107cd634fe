"""`freelance account`: the book's accounts (the `accounts:` list of freelance.yaml) with
their balances, and balance assertions typed from a statement (docs/accounts.md)."""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from .common import FORMAT_HELP, emit, say, state, writing

app = typer.Typer(name="account", no_args_is_help=True, add_completion=False,
                  help="Accounts: where money is, in which currency, with which IBAN; balances per currency, "
                       "transfers between them, and the statement balances they are reconciled with.\n\n"
                       "Example: freelance account show bank")

_OUT = Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                             help="Write to FILE (atomically; '-' for stdout).")]
_FMT = Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)]


@app.command("add")
def add(ctx: typer.Context,
        rid: Annotated[str, typer.Argument(metavar="ID", help="The account's id, like bank or wise-eur.")],
        name: Annotated[Optional[str], typer.Option("--name", help="Display name (default: from the id).")] = None,
        currency: Annotated[Optional[str], typer.Option(
            "--currency", metavar="CODE", help="The one currency it holds (default: any, balanced per currency).")] = None,
        opening_balance: Annotated[Optional[str], typer.Option(
            "--opening-balance", metavar="AMOUNT", help="Its balance before the book's first record (default 0).")] = None,
        iban: Annotated[Optional[str], typer.Option("--iban", help="Its IBAN (checked; spaces are dropped).")] = None,
        bic: Annotated[Optional[str], typer.Option(
            "--bic", help="Its bank's BIC, shown with its IBAN on invoices in its currency.")] = None,
        number: Annotated[Optional[str], typer.Option(
            "--number", help="Its bank account number, when it has no IBAN (what the bank's OFX files name it by).")] = None):
    """Add an account to the book's `accounts:` list.

    `bank import` finds an account's statement in a file of several by its IBAN or number.

    Example: freelance account add wise-eur --name "Wise EUR" --currency EUR --opening-balance 1200

    Example: freelance account add wise-usd --currency USD --iban "BE71 0961 2345 6769" --bic TRWIBEB1XXX

    Example: freelance account add checking --currency USD --number 1452687~7
    """
    from ..changes import door
    with writing(ctx) as book:
        door.add_account(book, rid, name=name, currency=currency, opening_balance=opening_balance, iban=iban,
                         number=number, bic=bic)
    say(f"added account '{rid}'")


def _columns():
    from ..core.text import Column
    m = dict(align="right", money=True)
    return [Column("id"), Column("name"), Column("currency"), Column("iban"), Column("opening_balance", "opening", **m),
            Column("money_in", "in", **m), Column("money_out", "out", **m), Column("transfers", **m),
            Column("balance", **m), Column("expected_balance", "expected", **m),
            Column("reconciled_through", "reconciled")]


@app.command("list")
def list_(ctx: typer.Context, fmt: _FMT = "table", out: _OUT = None):
    """List the accounts with their balances, one row per currency an account holds.

    balance = opening + received income - paid expenses +/- transfers.

    Example: freelance account list --format json
    """
    from ..read.finance import accounts
    from ..read.graph import Graph
    from ..formats.render import render_rows
    from .common import check_format
    fmt = check_format(fmt)
    rows = accounts(Graph(state(ctx).book()))
    emit(render_rows(rows, _columns(), fmt, json_rows=rows if fmt == "json" else None,
                     table_keys=("id", "currency", "iban", "balance", "reconciled_through")), out)


@app.command("show")
def show(ctx: typer.Context,
         rid: Annotated[str, typer.Argument(metavar="ID", help="The account's id.")],
         fmt: _FMT = "table", out: _OUT = None):
    """Show one account: its settings, balance per currency, balance assertions (with what the
    book says on each day), and the day it is reconciled through.

    Example: freelance account show bank
    """
    from ..read.finance import account_detail
    from ..read.graph import Graph
    from ..formats.render import render_rows, to_json
    from ..core.text import Column, clean, fmt_money
    from .common import check_format
    fmt = check_format(fmt)
    book = state(ctx).book()
    book.settings.account(rid)
    d = account_detail(Graph(book), rid)
    if fmt == "json":
        emit(to_json(d), out)
        return
    m = dict(align="right", money=True)
    bal_cols = [Column("currency"), Column("opening_balance", "opening", **m), Column("money_in", "in", **m),
                Column("money_out", "out", **m), Column("transfers", **m), Column("balance", **m),
                Column("reconciled_through", "reconciled")]
    as_cols = [Column("id"), Column("date"), Column("amount", "statement", **m), Column("book", **m),
               Column("difference", **m), Column("source")]
    if fmt == "table":
        fields = [("name", d["name"]), ("currency", d["holds"] or f"any ({d['currency']} first)"),
                  ("iban", d["iban"] or ""), *[(k, d[k]) for k in ("bic", "number") if d.get(k)],
                  ("opening", fmt_money(d["opening_balance"], d["currency"])),
                  ("balance", fmt_money(d["balance"], d["currency"])),
                  ("reconciled", str(d["reconciled_through"] or "never"))]
        width = max(len(k) for k, _ in fields)
        text = f"account {rid}  (freelance.yaml)\n" + "".join(f"  {k.ljust(width)}  {clean(str(v))}\n" for k, v in fields)
        for title, cols, rows in (("balances", bal_cols, d["balances"]), ("balance assertions", as_cols, d["assertions"])):
            if rows:
                text += f"{title}:\n" + "".join("  " + x + "\n" for x in render_rows(rows, cols, fmt).splitlines())
        emit(text, out)
        return
    if fmt == "csv":
        emit(render_rows(d["balances"], bal_cols, fmt), out)
        return
    emit(render_rows(d["balances"], bal_cols, fmt) + "\n**balance assertions**\n\n"
         + render_rows(d["assertions"], as_cols, fmt), out)


@app.command("edit")
def edit(ctx: typer.Context,
         rid: Annotated[str, typer.Argument(metavar="ID", help="The account's id.")],
         name: Annotated[Optional[str], typer.Option("--name", help="Display name.")] = None,
         currency: Annotated[Optional[str], typer.Option(
             "--currency", metavar="CODE", help="The one currency it holds (refused while its records are in another).")] = None,
         opening_balance: Annotated[Optional[str], typer.Option("--opening-balance", metavar="AMOUNT",
                                                                help="Opening balance.")] = None,
         iban: Annotated[Optional[str], typer.Option("--iban", help="Its IBAN (checked; spaces are dropped).")] = None,
         bic: Annotated[Optional[str], typer.Option("--bic", help="Its bank's BIC, shown with its IBAN on invoices in its currency.")] = None,
         number: Annotated[Optional[str], typer.Option(
             "--number", help="Its bank account number, when it has no IBAN.")] = None,
         unset: Annotated[Optional[List[str]], typer.Option("--unset", metavar="FIELD",
                                                            help="Remove currency, iban, bic or number (repeat).")] = None):
    """Change an account; only its entry in freelance.yaml changes (comments and the rest stay).

    Example: freelance account edit bank --iban "GB29 NWBK 6016 1331 9268 19"

    Example: freelance account edit wise-usd --currency USD --iban "BE71 0961 2345 6769" --bic TRWIBEB1XXX
    (an invoice in USD then asks to be paid to it)
    """
    from ..changes import door
    from ..core.errors import UsageError, did_you_mean
    changes = {k: v for k, v in (("name", name), ("currency", currency), ("opening_balance", opening_balance),
                                 ("iban", iban), ("bic", bic), ("number", number)) if v is not None}
    for field in unset or []:
        key = field.replace("-", "_")
        if key not in ("currency", "iban", "bic", "number"):
            raise UsageError(f"--unset: cannot remove {field!r}; one of currency, iban, bic, number"
                             f"{did_you_mean(key, door.ACCOUNT_EDITS)}")
        if key in changes:
            raise UsageError(f"--unset {field} and --{field} together: give one of them")
        changes[key] = None
    if not changes:
        raise UsageError("nothing to change: give the fields to set as options (see --help)")
    with writing(ctx) as book:
        changed = door.edit_account(book, rid, changes)
    if changed:
        say(f"changed account '{rid}': {', '.join(changed)}")
    else:
        say(f"account '{rid}' unchanged: it has those values already")


@app.command("assert", context_settings={"ignore_unknown_options": True})
def assert_(ctx: typer.Context,
            account: Annotated[str, typer.Argument(metavar="ACCOUNT", help="The account's id.")],
            amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="The balance the statement shows "
                                                                         "(may be negative).")],
            on: Annotated[str, typer.Option("--on", metavar="DATE",
                                            help="The day it is the balance at the end of.")] = "today",
            currency: Annotated[Optional[str], typer.Option("--currency", metavar="CODE",
                                                            help="Its currency (default: the account's).")] = None,
            source: Annotated[Optional[str], typer.Option("--source", metavar="TEXT",
                                                          help="Where it comes from: a statement's name.")] = None):
    """Record a balance the bank states (a balance assertion): `validate` reports the
    difference when the book's balance at the end of that day is another, and `report
    finance` shows the account reconciled through the latest one that holds.

    Example: freelance account assert bank 4250.00 --on 2026-11-30 --source statement-2026-11.pdf
    """
    from ..changes import door
    from ..read.finance import balance_on
    from ..read.graph import Graph, currency_of
    from ..core.schema import KINDS
    from ..core.text import fmt_money
    kind = KINDS["balance"]
    with writing(ctx) as book:
        book.settings.account(account)
        values = {"account": account,
                  "date": door.parse_value(book, kind.field("date"), on, option="--on"),
                  "amount": door.parse_value(book, kind.field("amount"), amount, option="AMOUNT"),
                  "currency": door.parse_value(book, kind.field("currency"), currency) if currency else None,
                  "source": source}
        data, notes = door.add(book, kind, values)
        cur = currency_of(book.get, book.settings, "balance", data)
        got = balance_on(Graph(book), account, cur, data["date"])
    for n in notes:
        say(n)
    say(f"added balance '{data['id']}': {account} at the end of {data['date']}, {fmt_money(data['amount'], cur)}")
    diff = data["amount"] - got
    if diff == 0:
        say("the book agrees")
    else:
        say(f"the book says {fmt_money(got, cur)}: {fmt_money(abs(diff), '')} "
            f"{'missing' if diff > 0 else 'too much'} (`freelance validate` reports it until they agree)")


def command(name: str):
    return typer.main.get_command(app)
