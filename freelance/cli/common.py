"""What every command shares: the book, today, output options, writing output."""
from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import typer

from ..core.errors import UsageError
import stat as st_


@dataclass
class State:
    books: str | None = None
    today: str | None = None
    cache: bool = True            # --no-cache: parse every file, read and write no cache
    _book: object = field(default=None, repr=False)
    wrote: bool = False           # the command changed the book (a read command reports half-read files)
    reports_problems: bool = False     # validate: it reports every problem (a broken freelance.yaml too) itself

    def today_date(self) -> dt.date:
        if not self.today:
            return dt.date.today()
        from ..core.dates import parse_date    # the same forms as every date (no book yet: no date_order)
        return parse_date(self.today, dt.date.today(), "--today")

    def book(self):
        if self._book is None:
            from ..store.book import Book, find_book
            self._book = Book(find_book(self.books), self.today_date(), cache=self.cache)
            if not self.reports_problems:
                settings_readable(self._book)
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
    from ..store.book import Book, find_book, lock
    root = find_book(st.books)
    with lock(root):           # before anything is read
        st._book = Book(root, st.today_date(), cache=st.cache)
        settings_readable(st._book)
        yield st._book
        st.wrote = True


def settings_readable(book) -> None:
    """Stop (exit 1) when freelance.yaml could not be read: every number depends on it
    (a missing currency would print every amount in the default one)."""
    from ..core.errors import DataError
    from ..core.settings import SETTINGS_FILE
    bad = [p for p in book.settings_problems if p.is_error]
    if bad:
        shown = "; ".join(str(p) for p in bad[:3]) + (f"; and {len(bad) - 3} more" if len(bad) > 3 else "")
        raise DataError(f"{shown} (every command reads {SETTINGS_FILE}: fix it first)")


def load_problems(book, limit: int = 20) -> list[str]:
    """The errors found while reading the files a command read (not every check of
    `validate`, only what made records or whole files unreadable), as `file:line:` lines."""
    from ..formats.render import clean
    errors = [p for p in dict.fromkeys(book.problems) if p.is_error]
    lines = [clean(str(p)) for p in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more (`freelance validate` lists them all)")
    return lines


def stored_text(book, name: str, key):
    """What `kept_text` kept for `name` and `key`, or `kept.MISSING` (nothing is drawn)."""
    from ..formats.render import utf8_stdout
    from ..read.kept import stored
    return stored(book, name, (key, utf8_stdout()))


def kept_text(book, name: str, key, draw) -> str:
    """The text `draw()` makes of the book, kept between runs (read/kept.py): asked again of a
    book that did not change, with the same `key` (the options, as plain values), it is one
    read and no record is loaded. JSON's text depends on stdout too (all ASCII when it cannot
    show UTF-8: `render.to_json`), so that is in the key."""
    from ..formats.render import utf8_stdout
    from ..read.kept import kept
    return kept(book, name, (key, utf8_stdout()), draw)


FORMAT_HELP = "Output format: table, markdown, csv or json."
FormatOpt = typer.Option("table", "--format", "-f", help=FORMAT_HELP, metavar="FORMAT")
OutOpt = typer.Option(None, "--out", "-o", help="Write the output to FILE (atomically) instead of stdout ('-': stdout).",
                      metavar="FILE")


def check_format(fmt: str, allowed=("table", "markdown", "csv", "json")) -> str:
    if fmt not in allowed:
        from ..core.errors import did_you_mean
        raise UsageError(f"--format: expected one of {', '.join(allowed)}, got {fmt!r}{did_you_mean(fmt, allowed)}")
    return fmt


def to_file(out: str | None) -> bool:
    """Whether `--out` names a file (not stdout: none given, or `-`)."""
    return bool(out) and out != "-"


def emit(content: str | bytes, out: str | None = None, option: str = "--out") -> None:
    """Print, or write to the file `out` (`-`: stdout) through `write_out`. A long text is
    encoded once, as stdout's own encoder would (its encoding and error rule), and written to
    its buffer: a board of 25,000 invoices is 11 MB, encoded twice before."""
    if to_file(out):
        write_out(out, content.encode("utf-8") if isinstance(content, str) else content, option)
        return
    if isinstance(content, str):
        if len(content) < 1 << 16 or os.linesep != "\n" or getattr(sys.stdout, "buffer", None) is None:
            sys.stdout.write(content)
            return
        data = content.encode(sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict")
    else:
        data = content
    sys.stdout.flush()
    raw = getattr(sys.stdout, "buffer", None)
    if raw is not None:
        raw.write(data)
        raw.flush()
    else:
        sys.stdout.write(data.decode("utf-8"))


def write_out(out: str, data: bytes, option: str = "--out", named: bool = True) -> None:
    """The one way a command writes its output to a file (every `--out`, `calendar export
    --ics`, the documents' default names): atomically (a temporary file renamed over it), so
    a reader never sees half of it. What is there now decides (README, "Safety"):
    - nothing: a new file, with the mode the umask leaves;
    - a regular file: replaced, keeping its mode;
    - a link: followed only when the user `named` this path (`--out LINK`): the file it
      points to is replaced (keeping its mode), the link stays a link; a name the command
      chose itself (NUMBER.pdf, a file in `--out-dir`) is never written through a link that
      was already there (refused, exit 2); a link to nothing is refused;
    - a folder, a device, a pipe, a socket: refused (exit 2), never replaced."""

    path = Path(out).expanduser()
    if not named and os.path.islink(path):
        raise UsageError(f"{option}: {path} is a link (to {os.readlink(path)}) that was already there; not "
                         "written through: a file name the command chooses never follows a link (remove the "
                         "link, or name the file with --out)")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
        if os.path.islink(path):
            raise UsageError(f"{option}: {path} is a link to {os.readlink(path)}, which does not exist; "
                             "not followed (give the file itself)") from None
    except OSError as exc:
        raise UsageError(f"{option}: cannot use {path} ({exc.strerror})") from None
    target = path
    if st is not None:
        if st_.S_ISDIR(st.st_mode):
            raise UsageError(f"{option}: {path} is a folder; give a file name in it")
        if not st_.S_ISREG(st.st_mode):
            raise UsageError(f"{option}: {path} is not a regular file (a device, a pipe or a socket); "
                             "not replaced: give a file, or '-' for stdout")
        if os.path.islink(path):
            target = Path(os.path.realpath(path))     # written through: the link stays a link
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{option}: folder {folder} does not exist")
    from ..store.atomic import replacing
    try:
        with replacing(str(target)) as fh:            # keeps an existing file's mode; a new one honours the umask
            fh.write(data)
    except OSError as exc:
        raise UsageError(f"{option}: cannot write in {folder} ({exc.strerror})") from None


def out_folder(out_dir: str | None, option: str = "--out-dir") -> Path:
    """The folder the documents a command names itself go to (`--out-dir`, else here), made if
    missing. A folder given relative to here is walked without following a link that is
    already there (a book's folder may hold links a clone planted: README, "Safety"); of an
    absolute one, the folder named itself must not be a link."""
    folder = Path(out_dir).expanduser() if out_dir else Path(".")
    parts = folder.parts
    checked = [Path(*parts[:i]) for i in range(1, len(parts) + 1)] if not folder.is_absolute() else [folder]
    for step in checked:
        if os.path.islink(step):
            raise UsageError(f"{option}: {step} is a link (to {os.readlink(step)}); not followed: the "
                             "documents go into the folder named, never through a link (give the folder itself)")
        if os.path.lexists(step) and not step.is_dir():
            raise UsageError(f"{option}: {step} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option}: cannot make folder {folder} ({exc.strerror})") from None
    return folder


def warn(message: str) -> None:
    """A line about something the command did not do, on stderr."""
    from ..core.text import clean
    typer.echo(f"freelance: warning: {clean(message)}", err=True)


def say(message: str, err: bool = False) -> None:
    """A short confirmation of what a command did (on stderr with `err`: beside what a script reads)."""
    from ..core.text import clean
    typer.echo(clean(message), err=err)


def read_user_file(path: str, option: str = "FILE", limit: int = 64 * 1024 * 1024) -> tuple[str, bytes]:
    """(its name, its bytes) of a file the user names on the command line (a receipt, an
    e-invoice): a plain file of at most `limit` bytes, else a usage error saying why."""
    from ..core.errors import DataError
    from ..store.files import read_regular
    try:
        data, _ = read_regular(path, path, limit)
    except FileNotFoundError:
        raise UsageError(f"{option}: no file {path!r}") from None
    except DataError as exc:
        raise UsageError(f"{option}: {exc.message}") from None
    except OSError as exc:
        raise UsageError(f"{option}: cannot read {path!r} ({exc.strerror})") from None
    return os.path.basename(path), data
