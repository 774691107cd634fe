"""Read-back checks: the text a write is about to put in a file must read back as the
values meant, and must not change the records around it. A failed check refuses the write."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..errors import DataError
from ..schema import KINDS
from .records import Record
from .yamlio import read_records


def keeps_its_meaning(lines: str, tail: str, record: Record, removed: bool = False) -> None:
    """A record's lines (its new ones, or the previous record's when `record` is removed) must
    read the same with the lines left behind after them (blank lines and comments, kept in
    place): else the write would change a record it did not mean to, and is refused."""
    if not tail:
        return
    kind = KINDS[record.kind]
    alone = read_records(lines.encode("utf-8"), record.file, kind, fast=False)
    joined = read_records((lines + tail).encode("utf-8"), record.file, kind, fast=False)
    if [r.data for r in alone.records] != [r.data for r in joined.records] or alone.parsed != joined.parsed:
        whose = "the record before it" if removed else "it"
        raise DataError(f"{record.file}: internal error: the lines after {record.kind} '{record.id}' would "
                        f"change {whose} (a block scalar next to a comment?); nothing was written")


def reads_back(text: str, rel: str, kind, expect: dict):
    """The text we are about to write must read back as the values we meant."""
    res = read_records(text.encode("utf-8"), rel, kind)
    errors = [p for p in res.problems if p.is_error and "not allowed" in p.message]
    if not res.parsed or len(res.records) != 1 or errors:
        raise DataError(f"{rel}: internal error: the new record text does not read back:\n{text}")
    got = res.records[0].data
    for key, value in expect.items():
        if key in got and _norm(got[key]) != _norm(value):
            raise DataError(f"{rel}: internal error: {key} would read back as {got[key]!r}, not {value!r}")
    return res


def _norm(v):
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items() if x is not None}
    if isinstance(v, Decimal):
        return v.normalize()
    if isinstance(v, dt.datetime):
        return v.replace(microsecond=0)
    return v
