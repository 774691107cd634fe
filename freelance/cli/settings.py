"""`freelance settings`: show the book's settings; add to or remove from its lists; set a value."""
from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from .common import emit, say, state, writing

app = typer.Typer(name="settings", add_completion=False, invoke_without_command=True,
                  help="Show or change the book's settings (freelance.yaml).\n\n"
                       "Example: freelance settings add stages lost")


@app.callback()
def settings_root(ctx: typer.Context):
    """Show or change the book's settings (freelance.yaml).

    Example: freelance settings add stages lost
    """
    if ctx.invoked_subcommand is None:
        show(ctx)


@app.command("show")
def show(ctx: typer.Context,
         fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
         out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically; '-' for stdout).")] = None):
    """Show every setting, defaults filled in.

    Example: freelance settings show --format json
    """
    from ..formats.render import to_json
    from ..core.text import clean, text
    from .common import check_format
    check_format(fmt, ("text", "json"))
    book = state(ctx).book()
    raw = book.settings.raw
    if fmt == "json":
        emit(to_json(raw), out)
        return
    width = max(len(k) for k in raw)
    lines = []
    for k, v in raw.items():
        if k == "accounts":
            v = ", ".join(f"{a['id']} ({a['name']}, {a['currency'] + ', ' if a['currency'] else ''}"
                          f"opening {a['opening_balance']})" for a in book.settings.accounts())
        lines.append(f"{k.ljust(width)}  {clean(text(v))}")
    emit("\n".join(lines) + "\n", out)


def _list_name(name: str) -> str:
    from ..core.errors import UsageError, did_you_mean
    from ..core.settings import LISTS
    if name not in LISTS:
        raise UsageError(f"{name!r} is not a list setting; one of {', '.join(LISTS)}{did_you_mean(name, LISTS)}")
    return name


@app.command("add")
def add(ctx: typer.Context,
        list_name: Annotated[str, typer.Argument(metavar="LIST", help="stages, expense_categories, accounts, ...")],
        value: Annotated[str, typer.Argument(metavar="VALUE", help="The value to add.")],
        name: Annotated[Optional[str], typer.Option("--name", help="Display name (accounts).")] = None,
        opening_balance: Annotated[Optional[str], typer.Option("--opening-balance", help="Opening balance (accounts).")] = None,
        currency: Annotated[Optional[str], typer.Option(
            "--currency", help="The currency an account holds (accounts; default: any, balanced per currency).")] = None):
    """Add a value to one of the book's lists.

    Example: freelance settings add income_classifications grants

    An account may hold one currency: settings add accounts wise-usd --name Wise --currency USD
    """
    from ..changes import door
    _list_name(list_name)
    with writing(ctx) as book:
        door.add_to_list(book, list_name, value, name=name, opening_balance=opening_balance, currency=currency)
    say(f"added {value!r} to {list_name}")


@app.command("rm")
def rm(ctx: typer.Context,
       list_name: Annotated[str, typer.Argument(metavar="LIST", help="The list.")],
       value: Annotated[str, typer.Argument(metavar="VALUE", help="The value to remove.")]):
    """Remove a value from one of the book's lists (refused while records use it).

    Example: freelance settings rm stages lost
    """
    from ..changes import door
    _list_name(list_name)
    with writing(ctx) as book:
        door.remove_from_list(book, list_name, value)
    say(f"removed {value!r} from {list_name}")


@app.command("set")
def set_(ctx: typer.Context,
         key: Annotated[str, typer.Argument(metavar="KEY", help="currency, timezone, week_start, name, "
                                                               "business.iban, business.vat_id, ...")],
         value: Annotated[List[str], typer.Argument(metavar="VALUE...", help="The new value (business.address: "
                                                    "one argument per line; \"\" clears a business value).")]):
    """Set one of the book's settings, or a part of your business identity (business.KEY).

    business.KEY is one of legal_name, address, postcode, city, country (ISO 3166 code),
    vat_id, tax_number, email, phone, website, iban, bic, logo (a file in the book):
    what invoices show of you. IBAN, BIC and VAT id are checked.

    Example: freelance settings set business.address "12 Example Road" "Unit 4"
    """
    from ..changes import door
    with writing(ctx) as book:
        stored = door.set_setting(book, key, value)
    if stored is None:
        say(f"cleared {key}")
    else:
        shown = ", ".join(stored) if isinstance(stored, list) else str(stored).lower() if isinstance(stored, bool) \
            else str(stored)
        say(f"set {key} to {shown!r}")


def command(name: str):
    return typer.main.get_command(app)
