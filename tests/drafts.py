"""A draft invoice's id as the command that made it printed it (docs/ids.md): a draft has
`draft-YYYYMMDD-xxxxxx` until it is issued, so a test takes the id `invoice add` (or
`invoice credit`, `--invoice new`) says rather than a number."""
from __future__ import annotations

import re

DRAFT = re.compile(r"draft-\d{8}-[0-9a-f]{6}")
_ADDED = re.compile(r"added (?:\w+ )?(?:invoice|credit note) '([^']+)'")
_NUMBERED = re.compile(r"invoice '[^']+' is numbered ([^\s,]+)")


def _said(pattern: re.Pattern, result, group: int = 1) -> str:
    """What `pattern` finds in a command's output (a result, or its text); the test fails,
    showing the output, when it is not there."""
    text = result if isinstance(result, str) else result.output
    m = pattern.search(text)
    assert m, text
    return m.group(group)


def added(result) -> str:
    """The id an `invoice add` / `invoice credit` result printed."""
    return _said(_ADDED, result)


def draft(text: str) -> str:
    """The (one) draft id `text` names."""
    return _said(DRAFT, text, 0)


def numbered(result) -> str:
    """The number a command that issued a draft said it gave it."""
    return _said(_NUMBERED, result)
