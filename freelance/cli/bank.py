"""`freelance bank`: money in from the bank (docs/bank.md). Each part of the import adds its
verbs here: `review`, `match`, `rule add` and `rules` live in `bank_match.py`."""
from __future__ import annotations

import typer

from . import bank_match

app = typer.Typer(name="bank", add_completion=False, no_args_is_help=True,
                  help="Bank statements: import them, review what they left open, match payments, "
                       "classification rules.\n\nExample: freelance bank review")
bank_match.add_verbs(app)


def command(name: str):
    return typer.main.get_command(app)
