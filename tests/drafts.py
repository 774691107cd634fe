"""A draft invoice's id as the command that made it printed it (docs/ids.md): a draft has
`draft-YYYYMMDD-xxxxxx` until it is issued, so a test takes the id `invoice add` (or
`invoice credit`, `--invoice new`) says rather than a number."""
from __future__ import annotations

import re

DRAFT = re.compile(r"draft-\d{8}-[0-9a-f]{6}")
_ADDED = re.compile(r"added (?:\w+ )?(?:invoice|credit note) '([^']+)'")


def added(result) -> str:
    """The id an `invoice add` / `invoice credit` result printed."""
    text = result if isinstance(result, str) else result.output
    m = _ADDED.search(text)
    assert m, text
    return m.group(1)


def draft(text: str) -> str:
    """The (one) draft id `text` names."""
    m = DRAFT.search(text)
    assert m, text
    return m.group(0)


_NUMBERED = re.compile(r"invoice '[^']+' is numbered ([^\s,]+)")


def numbered(result) -> str:
    """The number a command that issued a draft said it gave it."""
    text = result if isinstance(result, str) else result.output
    m = _NUMBERED.search(text)
    assert m, text
    return m.group(1)
