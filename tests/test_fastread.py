"""The fast reader (rapidyaml + JSON) answers exactly as the PyYAML reader does, or not at all.

`fastread.read_fast` may decline any file; when it answers, the records (values
with their exact types and Decimal exponents, item lines, key lines) and the
problems must be the reader's. Checked on the demo book, on generated books,
and on hypothesis-made files full of what YAML makes hard.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import DEMO, run_cli
from freelance.store import fastread
from freelance.core.schema import KINDS
from freelance.store.yamlio import _decode, read_records


def canon(value):
    """A value with its type spelled out: Decimal('1.0') and Decimal('1') differ here."""
    if isinstance(value, dict):
        return ("dict", [(k, canon(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [canon(v) for v in value])
    return (type(value).__name__, repr(value))


def answer(res):
    return ([(r.kind, canon(r.data), r.file, r.line, dict(r.lines)) for r in res.records],
            [p.to_json() if hasattr(p, "to_json") else str(p) for p in res.problems], res.parsed)


def fast_and_slow(data: bytes, rel: str, kind):
    """(what the fast path says or None, what the reader says)."""
    text, problems = _decode(data, rel)
    fast = fastread.read_fast(data, text, rel, kind) if text is not None else None
    return fast, read_records(data, rel, kind, fast=False)


def book_files(root: Path):
    for kind in KINDS.values():
        base = root / kind.path
        paths = sorted(base.glob("*.yaml")) if kind.sharded else [base]
        for p in paths:
            if p.exists():
                yield p.relative_to(root).as_posix(), kind


@pytest.fixture
def no_minimum(monkeypatch):
    monkeypatch.setattr(fastread, "MIN_BYTES", 0)


def test_rapidyaml_is_installed():
    assert fastread.ryml is not None, "rapidyaml is a dependency: without it every read takes the slow path"


def test_demo_book_reads_the_same_and_fast(no_minimum):
    taken = 0
    for rel, kind in book_files(DEMO):
        fast, slow = fast_and_slow((DEMO / rel).read_bytes(), rel, kind)
        if fast is not None:
            taken += 1
            assert answer(fast) == answer(slow), rel
    assert taken >= 8          # the demo book is what people start from: most of it takes the fast path


def test_generated_book_reads_the_same_and_every_big_file_is_taken(tmp_path):
    book = tmp_path / "big"
    r = run_cli("demo", str(book), "--transactions", "3000")
    assert r.exit_code == 0, r.output
    for rel, kind in book_files(book):
        data = (book / rel).read_bytes()
        fast, slow = fast_and_slow(data, rel, kind)
        if len(data) > 20_000:
            assert fast is not None, f"{rel} ({len(data)} bytes) was declined: the fast path no longer pays"
        if fast is not None:
            assert answer(fast) == answer(slow), rel


def test_lines_after_comments_blank_lines_and_nested_lists(no_minimum):
    text = ("# header\n\n- id: INV-1\n  client: acme\n  # a comment inside\n  issued: 2026-01-02\n"
            "  items:\n  - description: Design\n    quantity: 2\n    unit_price: 50.0\n"
            "  - description: Build\n    unit_price: 75\n\n  amount: 175.00\n# between\n\n"
            "- id: INV-2\n  client: acme\n  status: sent\n  tax_rate: 20\n")
    fast, slow = fast_and_slow(text.encode(), "invoices.yaml", KINDS["invoice"])
    assert fast is not None
    assert answer(fast) == answer(slow)
    assert fast.records[0].lines == {"id": 3, "client": 4, "issued": 6, "items": 7, "amount": 14}
    assert fast.records[1].line == 17


@pytest.mark.parametrize("text", [
    "- id: a\n  date: 2026-01-01\n  id: b\n",                  # duplicate key: JSON keeps the last
    "- id: a\n  amount: &x 5\n",                               # anchor
    "- id: a\n  note: !!str 5\n",                              # tag
    "- id: a\n  amount: 1e3\n",                                # not a number the reader takes
    "- id: a\n  amount: 1.\n",                                 # rapidyaml writes 1.0
    "- id: a\n  description: inf\n",                           # rapidyaml writes .inf
    "- id: a\n  description: 'quoted'\n",
    "- id: a\n  description: |\n    block\n",
    "- id: a\n  description: two\n    lines\n",
    "- id: a\n\tdate: 2026-01-01\n",
    "- id: a\n  items: [1, 2]\n",
    "---\n- id: a\n",
    "- id: a\n  date: 2026-02-30\n",                            # a problem: the reader says it, with its line
    "- id: a\n  date 2026-02-30\n",
    "- id: a\n  <<: {b: 1}\n",
    "-\n  id: a\n",
    "  - id: a\n",
    "- id: a\n  amount: 5\n- [x]\n",
    "- id: a\n  description: a: b\n",
    "- id: a\n  : x\n",                                        # an empty key: libyaml refuses it
    "- :\n- id: a\n",
    "- : x\n",
    "- id: a\n  inf: 1\n",                                     # rapidyaml renames the key .inf
    "- id: a\n  nan: x\n",
    "- id: a\n  -.INF: x\n",
    "- id: a\n  items:\n  - description: x\n    infinity: 1\n",
])
def test_what_it_declines_or_reads_the_same(no_minimum, text):
    fast, slow = fast_and_slow(text.encode(), "transactions/2026.yaml", KINDS["transaction"])
    if fast is not None:
        assert answer(fast) == answer(slow)
    if slow.problems:
        assert fast is None


def test_it_prints_nothing_on_a_syntax_error(no_minimum, capfd):
    fast, slow = fast_and_slow(b"- id: a\n  b: c: d\n", "transactions/2026.yaml", KINDS["transaction"])
    assert fast is None and slow.problems
    assert capfd.readouterr().err == ""


# -- hypothesis: files made of what YAML makes hard ------------------------------------

# Plain scalars that the fast path takes, many of them where YAML 1.2, JSON and the
# field types disagree; then what it must decline or get right when quoted.
PLAIN = ["~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "yes", "no", "NO", "on",
         "0", "00", "010", "0o17", "0x1F", "1_000", ".5", "-.5", "1.", "1.0", "5.0", "0.50", "-0",
         "1e5", "1E5", "1.5e+3", ".inf", "inf", "-inf", "infinity", "Infinity", "nan", ".nan", "NaN",
         "12:30", "2024-01-05", "2024-13-45", "2024-01-05 10:00", "2024-01-05T10:00:00", "45m", "1h30m",
         "-a", "a:b", "a#b", "x,y", "R&D", "O'Neil", 'say "hi"', "é", "a\\b", "a  b",
         "123456789012345678", "3501.47", "-20.00", "0.", "acme", "INV-2026-001", "Payment of INV-1",
         "income", "expense", "bank", "client"]
HOSTILE = ["-", "?x", ":x", "a #b", "+1", "+.5", "...", "x:", "%x", "@x", "&a", "*a", "!x", "|", "> x",
           "[1, 2]", "{a: 1}", "`x`", "a: b", "#x"]
PLAIN_TEXT = st.text(alphabet="abcXYZ019 .-_é&,'", min_size=1, max_size=12).filter(
    lambda t: t[0].isalpha() and t == t.strip())
ANY_TEXT = st.text(alphabet="abcXYZ019 .-_:#'\"&*!,é", min_size=1, max_size=12)


# what a field of each type mostly holds in a file with no problem (the fast path
# answers only for those; text fields and unknown keys get the tricky ones)
TYPED = {"date": ["2024-01-05", "2026-11-25", "2024-02-29"], "money": ["3501.47", "0.50", "-20.00", "20", "1_000",
         "5.0", ".5", "0", "-0", "123456789012.5"], "decimal": ["20", "7.25", "0.5", "1.0"],
         "bool": ["true", "false"], "datetime": ["2024-01-05 10:00", "2024-01-05T10:00:00", "2024-01-05"],
         "duration": ["45m", "1h30m", "90"], "int": ["3", "010"]}


@st.composite
def scalar(draw, hostile=False, ftype="str"):
    if not hostile:
        if ftype in TYPED and draw(st.integers(0, 9)):
            return draw(st.sampled_from(TYPED[ftype]))
        return draw(st.one_of(st.sampled_from(PLAIN), PLAIN_TEXT))
    text = draw(st.one_of(st.sampled_from(PLAIN + HOSTILE), ANY_TEXT))
    style = draw(st.sampled_from(["plain"] * 4 + ["single", "double"]))
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


FIELDS = {
    "transaction": ["id", "date", "kind", "amount", "received", "description", "invoice", "client", "account"],
    "invoice": ["id", "client", "issued", "due", "status", "amount", "tax_rate", "items"],
    "meeting": ["id", "title", "start", "duration", "attendees", "documents", "priority"],
}


@st.composite
def record(draw, kind, hostile):
    odd = ["", "inf", "Nan", "-.inf", "~", "1.", "true"] if hostile else []     # keys a reader could rename
    keys = draw(st.lists(st.sampled_from(FIELDS[kind] + ["extra", "x_note"] + odd), min_size=1, max_size=7))
    if not hostile:                       # no duplicate keys: a file with problems is always declined
        keys = list(dict.fromkeys(keys))
    if draw(st.booleans()):
        keys = ["id"] + [k for k in keys if k != "id"]
    lines = []
    for i, key in enumerate(keys):
        lead = "- " if i == 0 else "  "
        field = KINDS[kind].field(key)
        shapes = {"records": ["items", "items", "empty"], "links": ["list", "list", "empty"],
                  "strs": ["list", "list", "empty"]}.get(field.type if field else "", ["scalar"] * 8 + ["empty", "list"])
        shape = draw(st.sampled_from(shapes + (["scalar", "items", "list", "comment"] if hostile else [])))
        if shape == "empty":
            lines.append(f"{lead}{key}:")
        elif shape == "list":
            lines.append(f"{lead}{key}:")
            indent = draw(st.sampled_from(["  ", "    "]))
            lines += [f"{indent}- {draw(scalar(hostile))}" for _ in range(draw(st.integers(0, 3)))]
        elif shape == "items":
            lines.append(f"{lead}{key}:")
            for _ in range(draw(st.integers(1, 2))):
                sub = draw(st.lists(st.sampled_from(["description", "quantity", "unit_price", "service", "done"]),
                                    min_size=1, max_size=3))
                types = {"quantity": "decimal", "unit_price": "money", "done": "bool"}
                lines += [("  - " if j == 0 else "    ") + f"{k}: {draw(scalar(hostile, types.get(k, 'str')))}"
                          for j, k in enumerate(sub)]
        else:
            field = KINDS[kind].field(key)
            value = draw(scalar(hostile, field.type if field else "str"))
            tail = draw(st.sampled_from(["", "", "", " # note", "  "])) if hostile else ""
            lines.append(f"{lead}{key}: {value}{tail}")
        if hostile and (shape == "comment" or draw(st.integers(0, 12)) == 0):
            lines.append(draw(st.sampled_from(["", "  # inside", "# at the margin"])))
    return lines


@st.composite
def book_file(draw):
    kind = draw(st.sampled_from(sorted(FIELDS)))
    hostile = draw(st.integers(0, 3)) == 0
    lines = [draw(st.sampled_from(["", "# header", "# `freelance` & co"]))]
    for _ in range(draw(st.integers(1, 5))):
        lines += draw(record(kind, hostile))
    return kind, "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(book_file())
def test_hostile_files_read_the_same_or_are_declined(case):
    kind, text = case
    saved, fastread.MIN_BYTES = fastread.MIN_BYTES, 0
    try:
        rel = {"transaction": "transactions/2026.yaml", "meeting": "meetings/2026.yaml"}.get(kind, "invoices.yaml")
        fast, slow = fast_and_slow(text.encode(), rel, KINDS[kind])
    finally:
        fastread.MIN_BYTES = saved
    if fast is not None:
        assert answer(fast) == answer(slow), text


def test_the_hostile_files_are_not_all_declined():
    """The property above must be tested on files the fast path takes, not only on ones it declines."""
    taken = []

    @settings(max_examples=150, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(book_file())
    def count(case):
        kind, text = case
        saved, fastread.MIN_BYTES = fastread.MIN_BYTES, 0
        try:
            taken.append(fastread.read_fast(text.encode(), text, "x.yaml", KINDS[kind]) is not None)
        finally:
            fastread.MIN_BYTES = saved

    count()
    assert sum(taken) >= len(taken) // 5, f"only {sum(taken)} of {len(taken)} taken"


def test_a_cached_book_validates_the_same_with_and_without_the_fast_path(tmp_path, monkeypatch):
    """The whole command: same problems, same report, fast path or not (planted problems included)."""
    book = tmp_path / "b"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns(".freelance"))
    tx = book / "transactions" / "2026.yaml"
    tx.write_text(tx.read_text() + "- id: tx-bad\n  date: 2026-02-30\n  kind: income\n  amount: 5\n"
                  "  account: bank\n  received: true\n  invoice: INV-NOPE\n")
    outs = []
    for minimum in (0, 10**9):
        monkeypatch.setattr(fastread, "MIN_BYTES", minimum)
        shutil.rmtree(book / ".freelance", ignore_errors=True)
        v = run_cli("validate", "--format", "json", books=book)
        s = run_cli("report", "summary", "--format", "json", books=book)
        outs.append((v.exit_code, v.stdout, s.exit_code, s.stdout))
    assert outs[0] == outs[1]
    assert outs[0][0] == 1 and "2026-02-30" in outs[0][1]
