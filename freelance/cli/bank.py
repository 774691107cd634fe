"""`freelance bank ...`: bank statements into the book (docs/bank.md).

`bank import` reads a statement file (its format and reader come from the registry in
`formats/statements/`: a CSV by the book's rules, OFX/QFX, CAMT.053, MT940...) and makes one door call (`door.import_statement`). More verbs (review, match, rules) are
added to `app` below, one function each.
"""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ..formats.statements import registry as statements_registry

app = typer.Typer(name="bank", no_args_is_help=True, add_completion=False,
                  help=f"Bank statements: import a {statements_registry.TITLES} file into an account; review "
                       "and match what it left open; classification rules.\n\n"
                       "Example: freelance bank import ~/Downloads/2026-11.csv --account bank")



@app.callback()
def bank_root():
    """Bank statements (the help shown is the Typer's above: it names the registry's formats)."""


def read_statement_file(path: str) -> bytes:
    """The bytes of FILE ('-': stdin), at most limits.MAX_STATEMENT_BYTES, the size checked before
    reading (statements/guard.py); UsageError when it cannot be read or is not a plain file."""

    from ..core.limits import MAX_STATEMENT_BYTES
    from ..formats.statements import guard
    if path == "-":
        data = sys.stdin.buffer.read(MAX_STATEMENT_BYTES + 1)
        if len(data) > MAX_STATEMENT_BYTES:
            raise guard.too_big("stdin")
        return data
    return guard.read_file(path, path)


def read_statements(book, data: bytes, name: str, fmt: str | None, rules: str | None):
    """(format name, statements) of a file's bytes: the registry (formats/statements) knows
    the formats, which one a file is, and how to read it."""
    f, statements = statements_registry.read(book, data, name, fmt, rules)
    return f.name, statements


def _money(amount, cur: str) -> str:
    from ..core.text import fmt_money
    return fmt_money(amount, cur)


@app.command("import")
def import_(ctx: typer.Context,
            path: Annotated[str, typer.Argument(metavar="FILE", help="The statement file ('-': stdin).")],
            account: Annotated[Optional[str], typer.Option(
                "--account", "-a", metavar="ACCOUNT",
                help="The book's account it is a statement of (default: the only one).")] = None,
            fmt: Annotated[Optional[str], typer.Option(
                "--format", metavar="|".join(statements_registry.NAMES),
                help="The FILE's format (default: detected from its first bytes).")] = None,
            rules: Annotated[Optional[str], typer.Option(
                "--rules", metavar="NAME",
                help="CSV: how to read it, bank-rules/NAME.yaml in the book (default: the only one there).")] = None,
            dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be added, updated and "
                                                                    "skipped; write nothing.")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="Print what was done as JSON (added, updated, "
                                                                 "skipped with why, balance, notes).")] = False):
    """Import a bank statement: each new line an income or expense on ACCOUNT.

    Lines the book has already (same bank id, or the same date, amount, text and
    position among equal lines) are skipped, saying which record they match; a
    pending line that comes back booked updates its record. The closing balance
    becomes a balance assertion. One atomic write; nothing on any error.
    A CSV is read by the book's rules (bank-rules/NAME.yaml, docs/bank-csv.md);
    OFX/QFX, CAMT.053 (.052, .054) and MT940/MT942 files need none
    (docs/statement-readers.md).

    Example: freelance bank import ~/Downloads/2026-11.csv --account bank --rules mybank --dry-run
    """

    from ..changes import door
    from ..core.errors import UsageError
    from .common import say, state, writing
    data = read_statement_file(path)
    name = "stdin" if path == "-" else os.path.basename(path)

    def run(book):
        acc = account
        if acc is None:
            ids = [a["id"] for a in book.settings.accounts()]
            if len(ids) != 1:
                raise UsageError(f"--account is required: the book has {len(ids)} accounts "
                                 f"({', '.join(ids) or 'none: add one to freelance.yaml'})")
            acc = ids[0]
        book.settings.account(acc, "--account")        # (before the file is read: misuse first)
        kind, statements = read_statements(book, data, name, fmt, rules)
        bar = _Progress(as_json)
        try:
            plan = door.import_statement(book, statements, acc, dry_run, bar.update, name=name)
        finally:
            bar.close()
        return kind, plan

    if dry_run:
        kind, plan = run(state(ctx).book())
    else:
        with writing(ctx) as book:
            kind, plan = run(book)
    if as_json:
        from ..formats.render import to_json
        sys.stdout.write(to_json(_as_json(plan, name, kind, dry_run)))
        return
    _say_plan(plan, name, dry_run, say)


class _Progress:
    """A progress bar on stdout for long imports (1,000 lines or more), only on a terminal and
    never with --json; made at the first report, when the number of lines is known."""

    def __init__(self, as_json: bool):
        self.wanted = not as_json and sys.stdout.isatty()
        self.bar = None
        self.done = 0

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if not self.wanted or total < 1000:
                return
            self.bar = typer.progressbar(length=total, label="importing", file=None)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _say_plan(plan, name: str, dry_run: bool, say) -> None:
    """Every line's fate, then the counts; written at once (10,000 lines are 10,000 lines)."""
    out: list[str] = []
    _plan_lines(plan, name, dry_run, out.append)
    from ..core.text import clean
    sys.stdout.write(clean("\n".join(out)) + "\n")


def _plan_lines(plan, name: str, dry_run: bool, say) -> None:
    cur = plan.currency
    add = "would add" if dry_run else "added"
    upd = "would update" if dry_run else "updated"
    for a in plan.added:
        d = a["record"]
        amount = d["amount"] if d["kind"] == "income" else -d["amount"]
        text = d.get("payee") or d.get("description") or d.get("reference") or ""
        extra = "" if d.get("received") else " (pending)"
        review = f"; for review: {d['review']}" if d.get("review") else ""
        say(f"{add} {d['kind']} {d['id']}: line {a['line']}, {d['date']} {_money(amount, cur)} {text}{extra}{review}")
    for u in plan.updated:
        c = u["changes"]
        when = f", dated {c['date']}" if "date" in c else ""
        say(f"{upd} {u['kind']} {u['id']}: line {u['line']} booked{when} (was pending; matched on {u['matched_on']})")
    for s in plan.skipped:
        say(f"skipped line {s['line']} ({s['date']} {_money(s['amount'], cur)} {s['text']}): "
            f"duplicate of {s['duplicate_of']}, matched on {s['matched_on']}")
    for b in plan.balances:
        r = b["record"]
        what = f"balance of account {r['account']} at the end of {r['date']}: {_money(r['amount'], cur)}"
        if b["action"] == "exists":
            say(f"{what}: in the book already")
        elif b["action"] == "updated":
            say(f"{upd} balance {r['id']}: {what} (was {_money(b['was'], cur)})")
        else:
            say(f"{add} balance {r['id']}: {what}")
    for n in plan.notes:
        say(n)
    say(f"{name}: {len(plan.added)} added, {len(plan.updated)} updated, {len(plan.skipped)} skipped as duplicates"
        + (" (dry run: nothing written)" if dry_run else ""))


def _as_json(plan, name: str, kind: str, dry_run: bool) -> dict:
    return {
        "file": name, "format": kind, "account": plan.account, "currency": plan.currency, "dry_run": dry_run,
        "added": [{"line": a["line"], **a["record"]} for a in plan.added],
        "updated": [{"line": u["line"], "id": u["id"], "kind": u["kind"], "changes": u["changes"],
                     "matched_on": u["matched_on"]} for u in plan.updated],
        "skipped": [{"line": s["line"], "date": s["date"], "amount": s["amount"], "text": s["text"],
                     "duplicate_of": s["duplicate_of"], "matched_on": s["matched_on"]} for s in plan.skipped],
        "balance": ({"action": plan.balance["action"], **plan.balance["record"]} if plan.balance else None),
        "balances": [{"action": b["action"], **b["record"]} for b in plan.balances],
        "notes": plan.notes,
    }


from . import bank_match  # noqa: E402  (review, match, rule add, rules: docs/bank-matching.md)
import os

bank_match.add_verbs(app)


def command(name: str):
    return typer.main.get_command(app)
