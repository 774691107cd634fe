"""Recurring invoices: `add` and `edit` take `--item` and `--every`/`--on` besides the
schema's options; `pause` and `resume`. The invoices themselves are made by `freelance run`
(docs/recurring.md)."""
from __future__ import annotations

import inspect
from typing import Annotated, List, Optional

import typer

from ...core.errors import UsageError
from .. import entity
from ..common import say, writing

EXAMPLE = ('freelance recurring add --client acme --item "Retainer:1:2000" --every month --on 1 '
           '--start 2026-01-01 --send')
RULE_EXAMPLE = ('freelance recurring add --client acme --item "Hosting:1:120" --rrule "FREQ=MONTHLY;INTERVAL=3;'
                'BYMONTHDAY=1" --start 2026-01-01 --count 8')

P = inspect.Parameter


def _schedule_params() -> list[inspect.Parameter]:
    return [
        entity.item_param('A line of each invoice, as `invoice add --item` takes it (repeat); the period is added '
                          'to its text ("Retainer, January 2026"), or put where the text says {period}.'),
        P("every", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--every", metavar="[N] week|month|quarter|year",
            help='How often: "month", "quarter", "year", "week", "2 weeks" (instead of --rrule).')]),
        P("on", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
            "--on", metavar="DAY", help="With --every: the day of the month (1-31, last) or, weekly, the weekday "
                                        "(mon..sun); default the start day's.")]),
    ]


def register(app: typer.Typer, noun: str) -> None:
    def add(ctx: typer.Context, **kw):
        from ...changes import door     # a write: the door only when one is made
        with writing(ctx) as book:
            values = entity.typed_values(book, noun, kw)
            data, notes = door.add_recurring(book, values, kw.get("item"), kw.get("every"), kw.get("on"),
                                             kw.get("id"))
        for n in notes:
            say(n)
        say(f"added recurring '{data['id']}': {data['rrule']} from {data['start']}"
            + (", sent on its day" if data.get("send") else ", as drafts") + "; `freelance run` makes them")

    add.__signature__ = inspect.Signature(
        [entity.ctx_param(), *_schedule_params(), *entity.option_params(noun, for_edit=False),
         P("id", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
             "--id", help="Choose the id (default: a slug of the name, made unique).")])])
    add.__doc__ = ("Add a recurring invoice: a schedule that `freelance run` turns into one invoice per "
                   "period, exactly once.\n\n"
                   "The schedule is --every (with --on) or an RRULE; it starts on --start and stops after "
                   "--end or --count. Invoices made on their day are sent with --send (else drafts); "
                   "missed ones (the machine was off) are made as drafts and listed.\n\n"
                   f"Example: {EXAMPLE}\n\nExample: {RULE_EXAMPLE}")

    def edit(ctx: typer.Context, **kw):
        from ...changes import door     # a write: the door only when one is made
        with writing(ctx) as book:
            rec = door.find(book, "recurring", kw.pop("_rid"), noun)
            changes = entity.typed_values(book, noun, kw)
            for name in kw.get("unset") or []:
                f = entity.KINDS["recurring"].field(name.replace("-", "_"))
                if f is None or not f.option or f.required:
                    raise UsageError(f"--unset: cannot remove {name!r}")
                changes[f.name] = None
            if not changes and not (kw.get("item") or kw.get("every") or kw.get("on")):
                raise UsageError("nothing to change: give the fields to set as options (see --help)")
            notes = door.edit_recurring(book, rec, changes, kw.get("item"), kw.get("every"), kw.get("on"))
        say(f"changed recurring '{rec.id}'")
        for n in notes:
            say(n)

    edit.__signature__ = inspect.Signature(
        [entity.ctx_param(), P("_rid", P.POSITIONAL_OR_KEYWORD, annotation=Annotated[
            str, typer.Argument(metavar="ID", help="The schedule's id.")]),
         *_schedule_params(), *entity.option_params(noun, for_edit=True),
         P("unset", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[List[str]], typer.Option(
             "--unset", metavar="FIELD", help="Remove a field (repeat), e.g. --unset end.")])])
    edit.__doc__ = ("Change a recurring invoice: its lines (--item replaces them all), schedule, end, "
                    "sending. Invoices made already stay as they are.\n\n"
                    "Example: freelance recurring edit acme-retainer --item \"Retainer:1:2200\" --end 2027-12-31")

    entity.replace_verbs(app, add=add, edit=edit)

    for verb, status, doc in (("pause", "paused", "Pause a recurring invoice: `run` makes none of it until "
                                                  "`resume`."),
                              ("resume", "active", "Resume a paused recurring invoice: the periods that fell "
                                                   "in the pause are skipped, never billed later.")):
        def change(ctx: typer.Context, rid: Annotated[str, typer.Argument(metavar="ID", help="The schedule's id.")],
                   status=status, verb=verb):
            from ...changes import door     # a write: the door only when one is made
            with writing(ctx) as book:
                rec = door.find(book, "recurring", rid, noun)
                if rec.data.get("status", "active") == status:
                    say(f"recurring '{rec.id}' is {status} already")
                    return
                door.edit(book, rec, {"status": status, **({"resumed": book.today} if status == "active" else {})})
            say(f"recurring '{rec.id}': {status}")
        change.__doc__ = f"{doc}\n\nExample: freelance recurring {verb} acme-retainer"
        app.command(verb)(change)


entity.EXTRA.setdefault("recurring", []).append(register)
