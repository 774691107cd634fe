"""Forms for every kind, made from the schema as the CLI's options are, and read back into
typed values by the same `parse_value` the CLI uses: same checks, same messages.

A record's version is a hash of its data: a form carries the version it was drawn from,
and a change is refused when the record no longer has it (khal's etags).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from ..core.errors import did_you_mean, FreelanceError, NotFound, UsageError
from ..core.schema import NOUNS, Field, Kind, noun_fields, noun_kind
from ..core.schema import noun_of as schema_noun_of
from ..store.book import Book
from ..store.records import Record
from ..changes.door import parse_value

# the nouns the web has pages for: every noun of core.schema (a kind added there has its list,
# record page, forms and remove here at once); what each names and offers is the schema's, as for the CLI
WEB_NOUNS = NOUNS
LONG = {"notes", "agenda", "description"}


class Stale(FreelanceError):
    """A change from a page drawn before the record changed."""
    exit_code = 1


def version(record: Record) -> str:
    """The record's version: a short hash of its data (any change to it changes this)."""
    text = json.dumps(record.data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_version(record: Record, given: str | None, noun: str) -> None:
    if given != version(record):
        raise Stale(f"{noun} '{record.id}' was changed since this page was drawn (in another window, by the "
                    "command line or in an editor); nothing was written. Reload the page to see it, then try again.")


def kind_of(noun: str) -> Kind:
    if noun not in WEB_NOUNS:
        raise NotFound(f"no such kind {noun!r}{did_you_mean(noun, WEB_NOUNS)}")
    return noun_kind(noun)


def noun_of(record: Record) -> str:
    return schema_noun_of(record.kind, record.data)


def fields(noun: str) -> list[Field]:
    kind_of(noun)
    return noun_fields(noun)


def as_text(value) -> str:
    """A stored value as a form shows it (and as `parse_value` reads it back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(as_text(v) for v in value)
    return str(value)


@dataclass
class Input:
    """One field of a form as a template draws it."""
    name: str
    label: str
    widget: str            # text, textarea, select, link
    value: str
    help: str = ""
    choices: tuple = ()
    required: bool = False
    error: str = ""
    datalist: str = ""     # the id of the datalist of ids (links)


def inputs(book: Book, noun: str, values: dict[str, str], errors: dict[str, str]) -> list[Input]:
    out = []
    for f in fields(noun):
        choices = tuple(f.choices) or (tuple(book.settings.allowed(f.setting)) if f.setting else ())
        widget = "text"
        if f.type == "bool":
            widget, choices = "select", ("yes", "no")
        elif choices:
            widget = "select"
        elif f.name in LONG:
            widget = "textarea"
        elif f.type in ("link", "links"):
            widget = "link"
        help_ = f.help
        if f.type in ("links", "strs"):
            help_ += " Separate several with commas."
        out.append(Input(f.name, f.name.replace("_", " "), widget, values.get(f.name, ""), help_, choices,
                         f.required, errors.get(f.name, ""), f"ids-{f.link[0]}" if f.link else ""))
    return out


_OPT = re.compile(r"^(--[a-z][a-z-]*)(?:/[^:]*)?:")


def field_of_message(noun: str, message: str) -> str | None:
    """The field a CLI message is about (it starts with the option: "--due: ...")."""
    m = _OPT.match(message)
    if not m:
        return None
    opt = m.group(1)
    for f in fields(noun):
        if opt == f.option_name or opt in f.aliases:
            return f.name
    return None


def typed(book: Book, noun: str, form: dict[str, str], only: set[str] | None = None) -> tuple[dict, dict]:
    """The form's filled fields as typed values (blank: left out, or None for `only` fields:
    cleared); and field -> message for those the CLI's checks refuse."""
    values, errors = {}, {}
    for f in fields(noun):
        if only is not None and f.name not in only:
            continue
        raw = form.get(f.name, "")
        raw = raw if f.name in LONG else raw.strip()
        if raw == "":
            if only is not None:
                if f.required:
                    errors[f.name] = f"{f.option_name}: must not be blank"
                else:
                    values[f.name] = None
            continue
        if f.type in ("links", "strs"):
            raw = [x.strip() for x in raw.split(",") if x.strip()]
        try:
            values[f.name] = parse_value(book, f, raw, option=f.option_name)
        except UsageError as exc:
            errors[f.name] = exc.message
    return values, errors
