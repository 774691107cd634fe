"""Read-back checks: the text a write is about to put in a file must read back as the
values meant, and must not change the records around it. A failed check refuses the write."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.errors import DataError
from ..core.schema import KINDS
from .records import FileResult, Record
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


def reads_back_all(texts: list[str], rel: str, kind, expect: list[dict]) -> list:
    """`reads_back` for many new records of one file (a bank import appends 10,000): their
    texts read in one pass, each record checked against what it should be; any doubt (a
    problem, a count or a value that differs) and each is read alone, as `reads_back` does,
    which names the record that does not read back."""
    if len(texts) < 2:
        return [reads_back(t, rel, kind, d) for t, d in zip(texts, expect)]
    res = read_records("".join(texts).encode("utf-8"), rel, kind)
    ok = res.parsed and not res.problems and len(res.records) == len(texts)
    out = []
    shift = 0
    for i, (t, d) in enumerate(zip(texts, expect)):
        if not ok:
            break
        got = res.records[i]
        if got.line != shift + 1 or any(k in got.data and _norm(got.data[k]) != _norm(v) for k, v in d.items()):
            ok = False
            break
        out.append(FileResult([got.moved(-shift)], [], True, t))
        shift += t.count("\n")
    if ok:
        return out
    return [reads_back(t, rel, kind, d) for t, d in zip(texts, expect)]


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
