"""A bank statement as the import sees it, whatever file it came from (docs/bank.md).

The readers in `freelance.formats.statements` (CSV with a book's rules, OFX/QFX, CAMT.053, MT940;
the list is `formats/statements/registry.py`)
turn a file into these; the door's import planner (`changes/bank.py`) turns them into
records. Amounts are `Decimal` with their sign: money in is positive, money out negative.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class StatementLine:
    date: date                      # booking date (value date when the bank gives no other)
    amount: Decimal                 # signed: + money in, - money out
    payee: str = ""                 # the other party's name
    iban: str = ""                  # the other party's account, when the statement names it
    reference: str = ""             # remittance text / reference (an invoice number lives here)
    description: str = ""           # the bank's description of the line (booking text, memo)
    bank_id: str = ""               # the bank's own id: OFX FITID, CAMT AcctSvcrRef; "" when none
    pending: bool = False           # not booked yet (CAMT Sts PDNG, a CSV rule's pending column)
    line: int = 0                   # where it is in the file (1-based line, or entry number), for messages


@dataclass
class Statement:
    lines: list[StatementLine] = field(default_factory=list)
    currency: str | None = None           # ISO code the statement states, when it does
    account_id: str | None = None         # the bank's account number / id, when the file names it
    iban: str | None = None               # the statement's account IBAN, when the file names it
    opening: tuple[date, Decimal] | None = None   # (day, balance at the start of that day)
    closing: tuple[date, Decimal] | None = None   # (day, balance at the end of that day)
    source: str = ""                      # file name, and the statement's own id when it has one


# What banks write where a reference would be when they have none: never an id (two lines
# carrying NONREF are not one line, docs/bank.md). Compared without case, spaces and dashes.
PLACEHOLDER_IDS = frozenset({"NONREF", "NOTPROVIDED", "NOREF", "NONE", "NA", "NULL", "0", ""})


def bank_id(text: str) -> str:
    """The bank's reference `text` as a line's id: "" when it is a placeholder (NONREF...)."""
    text = (text or "").strip()
    key = "".join(ch for ch in text.upper() if ch.isalnum())
    return "" if key in PLACEHOLDER_IDS or not key.strip("0") else text
