"""Creating a new book on disk."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..core.errors import UsageError
from ..core.rules import is_currency
from ..core.schema import KINDS
from ..core.settings import DEFAULTS, SETTINGS_FILE
import zoneinfo
from ..store.style import dump

GITATTRIBUTES = """# freelance books are plain text: keep line endings stable across machines
*.yaml text eol=lf
# merge book files by record id and field (`freelance merge-file`, docs/merge.md)
*.yaml merge=freelance
"""
GITIGNORE = """# freelance's lock and parse cache: safe to delete at any time
.freelance/
"""


def settings_text(name: str | None, currency: str, timezone: str, owner: str | None, email: str | None) -> str:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    doc = CommentedMap()
    for key, value in DEFAULTS.items():
        if key == "name" and name:
            value = name
        elif key == "currency":
            value = currency
        elif key == "timezone":
            value = timezone
        elif key == "owner":
            value = CommentedMap(value)       # unset unless given: no made-up owner
            if owner:
                value["name"] = owner
            if email:
                value["email"] = email
            value.fa.set_flow_style()
        if isinstance(value, list):
            items = []
            for v in value:
                if isinstance(v, dict):
                    v = CommentedMap(v)
                    v.fa.set_flow_style()
                items.append(v)
            value = CommentedSeq(items)
            value.fa.set_flow_style()
        doc[key] = value
    header = "# freelance book settings: every list can be extended (`freelance settings add LIST VALUE`)\n"
    return header + dump(doc)


def _help_command(kind) -> str:
    """The command whose help describes a kind's records (time entries are booked by
    `project log`: there is no `time` command yet)."""
    if kind.name == "time":
        return "project log"
    return kind.nouns[0] if kind.nouns else kind.name


def enclosing_book(root: Path) -> Path | None:
    """The nearest folder above `root` that is a book (holds freelance.yaml), or None."""
    for folder in root.expanduser().resolve().parents:
        if (folder / SETTINGS_FILE).is_file():
            return folder
    return None


def create_book(root: Path, *, name=None, currency="USD", timezone="UTC", owner=None, email=None,
                today: dt.date | None = None, force: bool = False) -> list[str]:
    """Write a new book; returns the files written (relative to `root`). A folder inside
    another book is refused unless `force`: the parent's `validate` would read the new
    book's files as strays, and its git repository would hold another (docs/init.md)."""
    if not is_currency(currency):
        raise UsageError(f"--currency: expected a three-letter code like EUR, got {currency!r}")
    try:
        zoneinfo.ZoneInfo(timezone)
    except Exception:
        raise UsageError(f"--timezone: {timezone!r} is not a known time zone (like UTC or Europe/Berlin)") from None
    if (root / SETTINGS_FILE).exists():
        raise UsageError(f"{root}: already a book ({SETTINGS_FILE} exists)")
    parent = None if force else enclosing_book(root)
    if parent is not None:
        raise UsageError(f"{root}: inside the book in {parent}; a book inside a book breaks the outer "
                         "one's `validate` and git: choose a folder outside it, or use --force")
    root.mkdir(parents=True, exist_ok=True)
    (root / SETTINGS_FILE).write_text(settings_text(name, currency, timezone, owner, email), encoding="utf-8")
    written = [SETTINGS_FILE]
    year = (today or dt.date.today()).year
    for kind in KINDS.values():
        rel = f"{kind.path}/{year}.yaml" if kind.sharded else kind.path
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(f"# {kind.plural}: {kind.help} One record per item; "
                            f"see `freelance {_help_command(kind)} --help`.\n",
                            encoding="utf-8")
            written.append(rel)
    for rel, text in ((".gitattributes", GITATTRIBUTES), (".gitignore", GITIGNORE)):
        if not (root / rel).exists():
            (root / rel).write_text(text, encoding="utf-8")
            written.append(rel)
    return written
