"""Resources: `resource todo ID TEXT` appends a to-do, `resource done ID N` ticks one off."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..entity import EXTRA


def _todos(rec) -> list[dict]:
    todos = rec.data.get("todos")
    return [t if isinstance(t, dict) else {"text": str(t)} for t in todos] if isinstance(todos, list) else []


def todo_lines(rec) -> str:
    from ...core.text import clean
    todos = _todos(rec)
    if not todos:
        return f"resource '{rec.id}' has no to-dos\n"
    return "".join(clean(f"{i:>3}. [{'x' if t.get('done') else ' '}] {t.get('text', '')}\n")
                   for i, t in enumerate(todos, 1))


def register(app: typer.Typer, noun: str) -> None:
    @app.command("todo")
    def todo(ctx: typer.Context,
             rid: Annotated[str, typer.Argument(metavar="ID", help="The resource's id.")],
             text: Annotated[Optional[str], typer.Argument(metavar="TEXT", help="The to-do to append; "
                                                           "without it, list the to-dos.")] = None):
        """Append a to-do to a resource, or list its to-dos (numbered, for `done`).

        Example: freelance resource todo quarterly-tax-checklist "File VAT return"
        """
        from ...changes import door
        from ..common import emit, say, state, writing
        if text is None:
            emit(todo_lines(door.find(state(ctx).book(), "resource", rid, noun)))
            return
        with writing(ctx) as book:
            notes = door.add_todo(book, door.find(book, "resource", rid, noun), text)
        for n in notes:
            say(n)

    @app.command("done")
    def done(ctx: typer.Context,
             rid: Annotated[str, typer.Argument(metavar="ID", help="The resource's id.")],
             number: Annotated[int, typer.Argument(metavar="N", help="The to-do's number (1 is the first).")],
             undo: Annotated[bool, typer.Option("--undo", help="Mark it open again.")] = False):
        """Mark a resource's N-th to-do done; only that record's lines are rewritten.

        Example: freelance resource done quarterly-tax-checklist 2
        """
        from ...changes import door
        from ..common import say, writing
        with writing(ctx) as book:
            notes = door.mark_todo(book, door.find(book, "resource", rid, noun), number, done=not undo)
        for n in notes:
            say(n)


EXTRA.setdefault("resource", []).append(register)
