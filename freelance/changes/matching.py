"""What a bank statement line is: the values of its record beyond the ones the import sets
(docs/bank.md). The import (`changes/bank.py`) makes one `Matcher` per import and asks it
about each line in the statement's order, so it can remember what it already settled.

This first version settles nothing: every line is left for review. Matching payments to
invoices and classifying by the book's rules replace it.
"""
from __future__ import annotations

from ..statement import StatementLine
from ..store.book import Book


class Matcher:
    def __init__(self, book: Book, account: str):
        self.book = book
        self.account = account

    def values(self, line: StatementLine) -> dict:
        """Fields for the record of `line`: classification or category, client, invoice,
        project, service, and `review` (why it is left for a person) when unsure."""
        return {"review": "no rule classifies it"}
