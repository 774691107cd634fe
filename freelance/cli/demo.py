"""`freelance demo DIR --transactions N`: write a realistic generated book."""
from __future__ import annotations

from typing import Annotated

import typer

from .common import say, state
from pathlib import Path
import time


def demo(
    ctx: typer.Context,
    directory: Annotated[str, typer.Argument(metavar="DIR", help="A new (or empty) folder for the book.")],
    transactions: Annotated[int, typer.Option("--transactions", "-n", metavar="N",
                                              help="How many transactions; the other kinds follow in proportion.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Random seed: the same seed writes the same book.")] = 1,
):
    """Write a realistic generated book of any size: ten years of dates ending at
    --today, about 500 clients (fewer for small books), N/4 invoices, projects,
    services, time entries and meetings in proportion. It validates with no
    errors; use it to try the tool or to measure it (python -m freelance.tools.bench).

    Example: freelance demo /tmp/bigbook --transactions 100000 --seed 7
    """

    from ..tools.demo import write_book
    t0 = time.perf_counter()
    root = Path(directory).expanduser()
    counts = write_book(root, transactions, seed, state(ctx).today_date())
    total = sum(counts.values())
    parts = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    say(f"wrote a demo book to {root}: {total} records ({parts}) in {time.perf_counter() - t0:.1f} s")


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(demo)
    return typer.main.get_command(app)
