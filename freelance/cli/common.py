"""What every command shares: the book, today, output options, writing output."""
from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import typer

from ..errors import UsageError


@dataclass
class State:
    books: str | None = None
    today: str | None = None
    cache: bool = True            # --no-cache: parse every file, read and write no cache
    _book: object = field(default=None, repr=False)

    def today_date(self) -> dt.date:
        if not self.today:
            return dt.date.today()
        try:
            day = dt.date.fromisoformat(self.today)
        except ValueError:
            from ..dates import parse_date
            return parse_date(self.today, dt.date.today(), "--today")
        from ..dates import in_range
        return in_range(day, "--today")

    def book(self):
        if self._book is None:
            from ..store.book import Book, find_book
            self._book = Book(find_book(self.books), self.today_date(), cache=self.cache)
        return self._book


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if obj is None:
        obj = ctx.find_root().obj = State(today=os.environ.get("FREELANCE_TODAY"))
    return obj


@contextmanager
def writing(ctx: typer.Context):
    """The book, locked for a read-modify-write: nothing is read before the lock is held."""
    st = state(ctx)
    from ..store.book import Book, find_book
    root = find_book(st.books)
    book = Book.__new__(Book)  # read nothing yet
    book.root = root
    with Book.locked(book):
        st._book = Book(root, st.today_date(), cache=st.cache)
        yield st._book


FORMAT_HELP = "Output format: table, markdown, csv or json."
FormatOpt = typer.Option("table", "--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
OutOpt = typer.Option(None, "--out", "-o", help="Write the output to FILE (atomically) instead of stdout.",
                      metavar="FILE")


def check_format(fmt: str, allowed=("table", "markdown", "csv", "json")) -> str:
    if fmt not in allowed:
        from ..errors import did_you_mean
        raise UsageError(f"--format: expected one of {', '.join(allowed)}, got {fmt!r}{did_you_mean(fmt, allowed)}")
    return fmt


def emit(text: str, out: str | None = None, option: str = "--out") -> None:
    """Print, or write to `out` atomically (temporary file, fsync, rename)."""
    if out:
        path = Path(out).expanduser()
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"{option}: folder {folder} does not exist")
        if path.is_dir():
            raise UsageError(f"{option}: {path} is a folder; give a file name in it")
        from ..store.atomic import replacing
        try:
            with replacing(str(path), mode=0o644) as fh:
                fh.write(text.encode("utf-8"))
        except OSError as exc:
            raise UsageError(f"{option}: cannot write in {folder} ({exc.strerror})") from None
        return
    sys.stdout.write(text)


def say(message: str) -> None:
    """A short confirmation of what a command did."""
    from ..text import clean
    typer.echo(clean(message))
