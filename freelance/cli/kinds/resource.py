"""Resources: `resource todo ID TEXT` appends a to-do, `resource done ID N` ticks one off."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..entity import EXTRA


def _todos(rec) -> list[dict]:
    todos = rec.data.get("todos")
    return [dict(t) for t in todos] if isinstance(todos, list) else []


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
        from ...core.errors import UsageError
        from ..common import emit, say, state, writing
        if text is None:
            emit(todo_lines(door.find(state(ctx).book(), "resource", rid, noun)))
            return
        if not text.strip():
            raise UsageError("TEXT: a to-do needs some text")
        with writing(ctx) as book:
            rec = door.find(book, "resource", rid, noun)
            todos = _todos(rec) + [{"text": text, "done": False}]
            door.edit(book, rec, {"todos": todos})
        say(f"added to-do {len(todos)} to resource '{rec.id}': {text}")

    @app.command("done")
    def done(ctx: typer.Context,
             rid: Annotated[str, typer.Argument(metavar="ID", help="The resource's id.")],
             number: Annotated[int, typer.Argument(metavar="N", help="The to-do's number (1 is the first).")],
             undo: Annotated[bool, typer.Option("--undo", help="Mark it open again.")] = False):
        """Mark a resource's N-th to-do done; only that record's lines are rewritten.

        Example: freelance resource done quarterly-tax-checklist 2
        """
        from ...changes import door
        from ...core.errors import UsageError
        from ..common import say, writing
        with writing(ctx) as book:
            rec = door.find(book, "resource", rid, noun)
            todos = _todos(rec)
            if not 1 <= number <= len(todos):
                have = f"it has {len(todos)} (1 to {len(todos)})" if todos else "it has none"
                raise UsageError(f"N: resource '{rec.id}' has no to-do {number}; {have}")
            item = todos[number - 1]
            if bool(item.get("done")) != undo:
                say(f"to-do {number} of resource '{rec.id}' is already {'open' if undo else 'done'}")
                return
            item["done"] = not undo
            door.edit(book, rec, {"todos": todos})
        say(f"{'reopened' if undo else 'done'}: to-do {number} of resource '{rec.id}': {item.get('text', '')}")


EXTRA.setdefault("resource", []).append(register)
