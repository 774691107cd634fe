"""Goals: `goal progress ID VALUE` sets the actual, `--add N` adds to it."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..entity import EXTRA
from decimal import Decimal


def register(app: typer.Typer, noun: str) -> None:
    @app.command("progress")
    def progress(ctx: typer.Context,
                 rid: Annotated[str, typer.Argument(metavar="ID", help="The goal's id.")],
                 value: Annotated[Optional[str], typer.Argument(metavar="VALUE", help="The new actual value.")] = None,
                 add: Annotated[Optional[str], typer.Option("--add", metavar="NUMBER",
                                                            help="Add NUMBER to the actual instead.")] = None):
        """Record progress on a goal: set its actual value, or --add to it; prints completion and whether it is on track.

        Example: freelance goal progress emergency-fund --add 500
        """
        from ...changes import door
        from ...core.errors import UsageError
        from ...read.graph import Graph
        from ...core.schema import KINDS
        from ..common import say, state, writing
        if (value is None) == (add is None):
            raise UsageError("give the new VALUE or --add NUMBER (one of them)")
        f = KINDS["goal"].field("actual")
        with writing(ctx) as book:
            rec = door.find(book, "goal", rid, noun)
            if rec.data.get("measure"):
                raise UsageError(f"goal '{rec.id}' is measured from the books (measure: {rec.data['measure']}); "
                                 "its actual is computed, not typed")
            if value is not None:
                new = door.parse_value(book, f, value, option="VALUE")
            else:
                old = rec.data.get("actual")
                new = (old if isinstance(old, Decimal) else Decimal(0)) + door.parse_value(book, f, add, option="--add")
            door.edit(book, rec, {"actual": new})
        book = state(ctx).book()
        g = Graph(book)
        d = g.derived(book.get("goal", rec.id))
        say(f"goal '{rec.id}': actual {new}" + (f" {rec.data['unit']}" if rec.data.get("unit") else "") + status(d))


def status(d: dict) -> str:
    from ...core.text import fmt_pct
    out = ""
    if d.get("completion_pct") is not None:
        out += f", {fmt_pct(d['completion_pct'])} done"
    if d.get("expected_pct") is not None:
        out += f" ({'on track' if d['on_track'] else 'behind'}: {d['expected_pct']}% of the time has passed)"
    return out


EXTRA.setdefault("goal", []).append(register)
