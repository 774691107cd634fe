"""What every statement reader checks before it trusts a byte (docs/statement-readers.md).

A statement comes from outside the book: a download, a mail attachment, something a
stranger sent. Before a reader looks inside it:

- the file is a plain file of at most `limits.MAX_STATEMENT_BYTES`, read without reading
  more than that (a 1 GB file, a link to /dev/zero, a FIFO never get further);
- text is decoded strictly: an undecodable byte is an error naming its line and byte,
  never a silent replacement character in a payee's name;
- an XML file may not declare a DOCTYPE or an ENTITY (the "billion laughs" bomb and
  external entities both need one): no bank statement has one;
- amounts are read from their text as Decimal and checked against `limits`, dates
  against the years a book can have.

Every failure is a `DataError` (exit 1) whose message starts with the file's name.
"""
from __future__ import annotations

import os
import re
import stat
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ...core.errors import DataError, UsageError
from ...core.limits import MAX_STATEMENT_BYTES, number_problem, year_problem

_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def too_big(name: str, size: int | None = None, limit: int = MAX_STATEMENT_BYTES) -> DataError:
    said = f"{_mb(size)}, " if size is not None else ""
    return DataError(f"{name}: {said}more than the {_mb(limit)} a statement file may have; not read "
                     "(export a shorter period from the bank)")


def read_file(path: str | Path, name: str | None = None, limit: int = MAX_STATEMENT_BYTES) -> bytes:
    """The bytes of the statement file at `path`, at most `limit` of them. UsageError (exit 2,
    with the file's name) when it cannot be read or is not a plain file (a folder, a FIFO: opened
    without blocking), DataError when it is bigger than the limit: the size is checked before
    reading, and the read stops at the limit whatever stat said."""
    name = name or str(path)
    try:
        st = os.stat(path)
        _plain(name, st, limit)
        fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError as e:               # a path that is not there, or not the user's to read: misuse
        raise UsageError(f"{name}: cannot read it ({e.strerror})") from None
    try:
        _plain(name, os.fstat(fd), limit)
        chunks, n = [], 0
        while n <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - n))
            if not chunk:
                break
            chunks.append(chunk)
            n += len(chunk)
    finally:
        os.close(fd)
    if n > limit:
        raise too_big(name, None, limit)
    return b"".join(chunks)


def _plain(name: str, st: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{name}: a folder; give the statement file")
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{name}: not a regular file (a pipe, a device or a socket); give the statement file")
    if st.st_size > limit:
        raise too_big(name, st.st_size, limit)


def check_size(data: bytes, name: str, limit: int = MAX_STATEMENT_BYTES) -> None:
    """Readers called with bytes from elsewhere (a test, the web) check the cap themselves."""
    if len(data) > limit:
        raise too_big(name, len(data), limit)


def line_at(data: bytes | str, offset: int) -> int:
    """The 1-based line holding `offset`."""
    return data.count(b"\n" if isinstance(data, bytes) else "\n", 0, offset) + 1


def decode(data: bytes, encoding: str, name: str, offset: int = 0) -> str:
    """`data` as text, strictly: an undecodable byte is a DataError naming its line (counted
    from `offset` in the whole file) and the byte, and what to do."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise DataError(f"{name}: line {line_at(data, e.start) + offset}: byte 0x{data[e.start]:02X} is not "
                        f"{encoding_name(encoding)} text; the file says it is {encoding_name(encoding)}: "
                        "save it again in that encoding, or download it again") from None
    except LookupError:
        raise DataError(f"{name}: declares the encoding {encoding!r}, which is not one Python knows") from None


def encoding_name(codec: str) -> str:
    return {"utf_8": "UTF-8", "utf-8": "UTF-8", "latin_1": "ISO-8859-1", "cp1252": "Windows-1252",
            "ascii": "ASCII"}.get(codec.lower(), codec)


_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_declarations(data: bytes, name: str) -> None:
    """No DOCTYPE or ENTITY declaration: that is how an XML bomb (billion laughs) and an
    external entity (a local file, a URL) get into a file, and no bank writes one."""
    m = _DECLARATION.search(data)
    if m:
        what = m.group(1).decode().upper()
        article = "an" if what == "ENTITY" else "a"
        raise DataError(f"{name}: line {line_at(data, m.start())}: declares {article} {what} "
                        f"(<!{what} ...>); bank statements never do, and such a declaration is how an XML "
                        "bomb or an external entity gets in: not read")


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def amount(text: str | None, name: str, where: str, what: str = "amount") -> Decimal:
    """A signed amount from a statement's text: digits with a point (or a lone decimal comma,
    as some banks write it), never a float; within `limits`."""
    raw = (text or "").strip()
    if not _NUMBER.fullmatch(raw):
        shown = f"{raw[:40]!r}" if raw else "nothing"
        raise DataError(f"{name}: {where}: {what} is {shown}, expected a number like -12.50")
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:                 # (the pattern lets nothing else through)
        raise DataError(f"{name}: {where}: {what} is {raw!r}, expected a number like -12.50") from None
    problem = number_problem(value)
    if problem:
        raise DataError(f"{name}: {where}: {what} {raw[:40]} {problem}")
    return value


def day(y: int, m: int, d: int, raw: str, name: str, where: str, what: str = "date") -> date:
    """A calendar date a book can hold, or a DataError saying what was found."""
    problem = year_problem(y)
    if problem:
        raise DataError(f"{name}: {where}: {what} {raw!r}: {problem}")
    try:
        return date(y, m, d)
    except ValueError:
        raise DataError(f"{name}: {where}: {what} {raw!r} is not a calendar date") from None


def clean(text: str | None, limit: int = 500) -> str:
    """A text value as a record can hold it: one line, spaces collapsed, bounded."""
    if not text:
        return ""
    text = " ".join(text.split())
    text = "".join(ch for ch in text if ch.isprintable())
    return text[:limit]
