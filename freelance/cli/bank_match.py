"""`bank review`, `bank match`, `bank rule add`, `bank rules`: what an import left open, and
the rules that classify (docs/bank-classify.md, docs/bank-matching.md)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import emit, say, state, writing


def add_verbs(app: typer.Typer) -> None:
    app.command("review")(review)
    app.command("match")(match)
    rule = typer.Typer(name="rule", add_completion=False, no_args_is_help=True,
                       help="Classification rules (bank-rules/classify.yaml).\n\n"
                            "Example: freelance bank rule add github --category software")
    rule.command("add")(rule_add)
    app.add_typer(rule, name="rule")
    app.command("rules")(rules)


def review(ctx: typer.Context,
           account: Annotated[Optional[str], typer.Option("--account", metavar="ACCOUNT",
                                                          help="Only this account's records.")] = None,
           fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
           out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                                      help="Write to FILE (atomically; '-' for stdout).")] = None):
    """What bank imports left for you: payments not matched to an invoice, lines no rule
    classifies; each with why, the best candidate invoices and the command that settles it.

    Example: freelance bank review --account bank
    """
    from ..changes.door import review_items
    from .common import check_format
    check_format(fmt, ("table", "json"))
    book = state(ctx).book()
    if account is not None:
        ids = [a["id"] for a in book.settings.accounts()]
        if account not in ids:
            from ..core.errors import UsageError, did_you_mean
            raise UsageError(f"--account: {account!r} is not one of the book's accounts ({', '.join(ids)})"
                             f"{did_you_mean(account, ids)}")
    items = review_items(book, account)
    if fmt == "json":
        from ..formats.render import to_json
        emit(to_json(items), out)
        return
    emit(_review_text(items), out)


def _review_text(items: list[dict]) -> str:
    from ..core.text import clean, fmt_money
    if not items:
        return "nothing to review\n"
    lines = []
    for it in items:
        sign = "+" if it["kind"] == "income" else "-"
        who = " ".join(x for x in (it.get("payee"), f"\"{it['reference']}\"" if it.get("reference") else None) if x)
        lines.append(clean(f"{it['id']}  {it['date']}  {sign}{fmt_money(it['amount'], it['currency'])}  "
                           f"{it.get('account') or ''}  {who}".rstrip()))
        lines.append(clean(f"  why: {it['review']}"))
        for c in it["candidates"]:
            lines.append(clean(f"  candidate: {c['invoice']} ({c['client']}, balance "
                               f"{fmt_money(c['balance'], c['currency'])}; {c['why']})"))
        for cmd in it["commands"]:
            lines.append(clean(f"  settle: {cmd}"))
    n = len(items)
    lines.append(f"{n} record{'s' if n != 1 else ''} to review")
    return "\n".join(lines) + "\n"


def match(ctx: typer.Context,
          tx: Annotated[str, typer.Argument(metavar="TX", help="The income's id (from `bank review`).")],
          invoice: Annotated[str, typer.Argument(metavar="INV", help="The invoice it pays.")]):
    """Settle a payment `bank review` lists: link income TX to invoice INV (and its client,
    project and service), as `income link` does; it is no longer under review, and an
    invoice its received income now covers moves to paid.

    Example: freelance bank match tx-20261118-36f675 INV-2026-013
    """
    from ..changes import door
    with writing(ctx) as book:
        rec = door.find(book, "transaction", tx, "income")
        door.find(book, "invoice", invoice)
        notes = door.link_income(book, rec, {"invoice": invoice})
    for n in notes:
        say(n)


def rule_add(ctx: typer.Context,
             pattern: Annotated[str, typer.Argument(metavar="PATTERN", help=(
                 "Text found in the payee (any case), or a glob with * matching the whole of it."))],
             category: Annotated[Optional[str], typer.Option("--category", metavar="C",
                                                             help="Expense category for money out.")] = None,
             classification: Annotated[Optional[str], typer.Option("--classification", metavar="C",
                                                                   help="Income classification for money in.")] = None,
             field: Annotated[str, typer.Option("--field", metavar="FIELD", help=(
                 "payee (default), or text: the line's reference and description."))] = "payee",
             account: Annotated[Optional[str], typer.Option("--account", metavar="ACCOUNT",
                                                            help="Only lines of this account.")] = None,
             description: Annotated[Optional[str], typer.Option("--description", metavar="TEXT", help=(
                 "The description the records get, instead of the bank's."))] = None):
    """Add a classification rule to bank-rules/classify.yaml. The records still under review
    that it covers are classified in the same write, and this says how many. Patterns are
    plain text or globs with *, never regular expressions.

    Example: freelance bank rule add github --category software
    """
    from ..changes import door
    from ..core.errors import UsageError
    if (category is None) == (classification is None):
        raise UsageError("give --category (money out) or --classification (money in), one of them")
    values = {"match": pattern, "field": field if field != "payee" else None, "category": category,
              "classification": classification, "account": account, "description": description}
    with writing(ctx) as book:
        notes = door.add_bank_rule(book, values)
    for n in notes:
        say(n)


def rules(ctx: typer.Context,
          fmt: Annotated[str, typer.Option("--format", "-f", help="table, markdown, csv or json.")] = "table",
          out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                                     help="Write to FILE (atomically; '-' for stdout).")] = None):
    """List the classification rules (bank-rules/classify.yaml), first match wins.

    Example: freelance bank rules --format json
    """
    from ..read.classify import read_rules
    from ..formats.render import render_rows
    from ..core.text import Column
    from .common import check_format
    check_format(fmt)
    book = state(ctx).book()
    found, problems = read_rules(book)
    for p in problems:
        if p.is_error:
            book.problems.append(p)         # said on stderr after the list, and exit 1
    rows = [r.as_dict() for r in found]
    cols = [Column("line"), Column("match"), Column("field"), Column("category"), Column("classification"),
            Column("account"), Column("description")]
    emit(render_rows(rows, cols, fmt), out)
