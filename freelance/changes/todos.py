"""A resource's to-dos (`resource todo`/`resource done`, the web's checkboxes): one rule for
numbering, appending and ticking, so the faces cannot drift apart. Only the resource's
`todos:` changes; an item written some other way (a plain line of text) is kept as written
until it is ticked."""
from __future__ import annotations

from ..core.errors import UsageError
from ..store.records import Record


def _items(rec: Record) -> list:
    todos = rec.data.get("todos")
    return [dict(t) if isinstance(t, dict) else t for t in todos] if isinstance(todos, list) else []


def plan_add(rec: Record, text: str) -> tuple[dict, str]:
    """(changes to the resource, what was done) for appending to-do `text`."""
    if not isinstance(text, str) or not text.strip():
        raise UsageError("a to-do needs some text")
    todos = _items(rec) + [{"text": text, "done": False}]
    return {"todos": todos}, f"added to-do {len(todos)} to resource '{rec.id}': {text}"


def is_done(rec: Record, n: int) -> bool:
    """Whether to-do `n` (1 is the first) is done; UsageError naming the ones it has."""
    todos = _items(rec)
    if not 1 <= n <= len(todos):
        have = f"it has {len(todos)} (1 to {len(todos)})" if todos else "it has none"
        raise UsageError(f"resource '{rec.id}' has no to-do {n}; {have}")
    item = todos[n - 1]
    return bool(item.get("done")) if isinstance(item, dict) else False


def plan_mark(rec: Record, n: int, done: bool) -> tuple[dict | None, str]:
    """(changes, or None when it is so already; what was done) for marking to-do `n` done or open."""
    if is_done(rec, n) == done:
        return None, f"to-do {n} of resource '{rec.id}' is already {'done' if done else 'open'}"
    todos = _items(rec)
    item = todos[n - 1] if isinstance(todos[n - 1], dict) else {"text": str(todos[n - 1])}
    item["done"] = done
    todos[n - 1] = item
    return {"todos": todos}, f"{'done' if done else 'reopened'}: to-do {n} of resource '{rec.id}': {item.get('text', '')}"
