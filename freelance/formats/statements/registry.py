"""The bank statement formats, and which one a file is (docs/statement-readers.md).

This module owns the list of formats (`FORMATS`: name, title, reader module, file names
that say it) and the two questions the CLI asks of it: which format a file is (`detect`)
and what statements it holds (`read`). Each format is one module with

    claims(head: bytes) -> bool        whether a file's first bytes are this format's
    read(data: bytes, name: str)       -> list[Statement], or DataError naming the file,
                                          the line or entry, and what was expected

(CSV's `read` takes the book's rules too: `rules=True` below). Adding a format is its
module and one line in `FORMATS`. A broken or hostile file never gets further than here.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from ...core.errors import UsageError, did_you_mean
from . import camt, csvrules, mt940, ofx


@dataclass(frozen=True)
class Format:
    name: str                       # --format NAME, and `format` in `bank import --json`
    title: str                      # how help and messages name it
    reader: ModuleType              # claims(head) and read(data, name) (rules: read(data, rules, name))
    suffixes: tuple[str, ...] = ()  # file names that say it when the bytes do not
    rules: bool = False             # read by the book's rules (bank-rules/NAME.yaml, docs/bank-csv.md)


# The formats, in the order their `claims` are asked; the last is the default (a file
# no reader claims, with no name that says otherwise, is read as CSV).
FORMATS: tuple[Format, ...] = (
    Format("ofx", "OFX/QFX", ofx, (".ofx", ".qfx")),
    Format("camt", "CAMT.053 (.052, .054)", camt, (".xml",)),
    Format("mt940", "MT940/MT942", mt940, (".sta", ".940", ".942", ".mt940", ".mt942", ".swi")),
    Format("csv", "CSV", csvrules, (".csv",), rules=True),
)
NAMES = tuple(f.name for f in FORMATS)
TITLES = ", ".join(f.title for f in FORMATS[:-1]) + f" or {FORMATS[-1].title}"


def by_name(name: str) -> Format:
    for f in FORMATS:
        if f.name == name:
            return f
    raise UsageError(f"--format: expected one of {', '.join(NAMES)}, got {name!r}{did_you_mean(name, NAMES)}")


def detect(data: bytes, name: str = "") -> str:
    """The name of a statement file's format, from its first bytes (the file's name only
    when no reader claims them)."""
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    for f in FORMATS:
        if f.reader.claims(head):
            return f.name
    if head[:5].lower() == b"<?xml" or head[:1] == b"<":
        raise UsageError(f"{name or 'the file'}: an XML file that no statement reader claims "
                         f"(formats: {', '.join(NAMES)}); give --format")
    low = name.lower()
    for f in FORMATS:
        if low.endswith(f.suffixes):
            return f.name
    return FORMATS[-1].name


def rule_names(book) -> list[str]:
    """What `--rules` may name: the book's rules files for the formats read by rules (a bank's
    CSV: `bank-rules/NAME.yaml`), sorted; the web's bank page offers them."""
    return sorted({n for f in FORMATS if f.rules for n in f.reader.rule_names(book.root)})


def read(book, data: bytes, name: str, fmt: str | None = None, rules: str | None = None):
    """(format, statements) of a file's bytes: the format given (`--format`) or detected, read
    by its reader; a format read by rules takes the book's `bank-rules/RULES.yaml`."""
    f = by_name(fmt) if fmt is not None else by_name(detect(data, name))
    if f.rules:
        _, parsed = f.reader.load_rules(book, rules)
        return f, f.reader.read(data, parsed, name)
    if rules is not None:
        raise UsageError(f"--rules is for CSV files; {name} is {f.title}")
    return f, f.reader.read(data, name)
