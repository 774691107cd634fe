"""`freelance demo`: a generated book that validates, is deterministic, and is
written in exactly the bytes the writer would write."""
import datetime as dt
import io
import json

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freelance.store import emitter, style
from freelance.core.schema import KINDS
from freelance.store.yamlio import read_records


def make(tmp_path, n, seed=1, name="book"):
    root = tmp_path / name
    r = run_cli("demo", root, "--transactions", n, "--seed", seed)
    assert r.exit_code == 0, r.output
    return root, r


def files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("n", [1000, 10000])
def test_generated_book_validates_with_no_errors(tmp_path, n):
    root, r = make(tmp_path, n)
    assert f"{n} transaction" in r.stdout
    v = run_cli("validate", "--format", "json", books=root)
    problems = json.loads(v.stdout)
    assert [p for p in problems if p["severity"] == "error"] == []
    assert v.exit_code == 0
    assert len(problems) <= n // 1000, problems      # a few warnings at most
    if n == 1000:   # the hours its invoices billed name them (validate checked each link above)
        billed = json.loads(run_cli("time", "list", "--billed", "--format", "json", books=root).stdout)
        assert billed and all(e["invoice"] for e in billed)


def test_sizes_follow_the_transactions(tmp_path):
    root, r = make(tmp_path, 10000)
    listed = json.loads(run_cli("income", "list", "--format", "json", books=root).stdout)
    spent = json.loads(run_cli("expense", "list", "--format", "json", books=root).stdout)
    assert len(listed) + len(spent) == 10000
    invoices = json.loads(run_cli("invoice", "list", "--format", "json", books=root).stdout)
    assert len(invoices) == 2500
    clients = json.loads(run_cli("client", "list", "--format", "json", books=root).stdout)
    assert len(clients) == 50
    years = sorted(p.name for p in (root / "transactions").iterdir())
    assert years[0] == "2016.yaml" and years[-1] == "2026.yaml" and len(years) == 11
    # paid invoices are paid by linked income, to the cent
    paid = [i for i in invoices if i["status"] == "paid"]
    assert paid and all(i["balance"] == "0.00" and i["received"] == i["total"] for i in paid)


def test_same_seed_same_bytes_other_seed_other_book(tmp_path):
    a, _ = make(tmp_path, 2000, seed=3, name="a")
    b, _ = make(tmp_path, 2000, seed=3, name="b")
    c, _ = make(tmp_path, 2000, seed=4, name="c")
    assert files(a) == files(b)
    assert files(a) != files(c)


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    r = run_cli("demo", tmp_path / "mine", "--transactions", 10)
    assert r.exit_code == 2
    assert "not an empty folder" in r.stderr and "Traceback" not in r.output
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_help_has_an_example():
    r = run_cli("demo", "--help", today=None)
    assert r.exit_code == 0 and "Example: freelance demo" in r.stdout


def test_files_round_trip_through_the_writer_byte_for_byte(tmp_path):
    """Every generated file, loaded and dumped by style.rt_yaml(), is the same bytes."""
    root, _ = make(tmp_path, 600)
    checked = 0
    for rel, data in files(root).items():
        if not rel.endswith(".yaml") or all(x.startswith(b"#") for x in data.splitlines()):
            continue                  # a kind the demo makes no records of: its header only
        y = style.rt_yaml()
        out = io.StringIO()
        y.dump(y.load(data.decode("utf-8")), out)
        assert out.getvalue().encode("utf-8") == data, rel
        checked += 1
    assert checked >= 14


def test_every_record_is_what_writer_record_text_writes(tmp_path):
    from freelance.tools.demo import generate
    data = generate(400, 9, dt.date(2026, 11, 25))
    n = 0
    for kind, records in data.items():
        for r in records[:60]:
            assert emitter.fast_text(r) == style.record_text(r), r   # the fast path, not the fallback
            n += 1
    assert n > 200


# -- the emitter on open-ended input -------------------------------------------------

TRICKY = ["NO", "yes", "on", "010", "12:30", "1e3", "0o10", "0x1F", "null", "~", "true", "False", ".5", "-x",
          "a: b", "x #y", "'quoted'", '"dq"', "2026-01-01", "+1 555 0100", "45m", "1h30m", "- item", "[a]",
          "{a}", "&anchor", "*alias", "!tag", "%dir", "@at", "`tick", "|", ">", "a\nb", " lead", "trail ",
          "tab\there", "Café", "", "#", "?", ":", "a  b", "é", "\u2028", "\x85", "ünïcödé x"]
text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=20),
                 st.text(alphabet="aZ09 :#-'\"+.,&()/@_?!%=hm\n\t", max_size=12))
scalar = st.one_of(text, st.booleans(), st.integers(-10**6, 10**6),
                   st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6),
                   st.dates(), st.datetimes(min_value=dt.datetime(1900, 1, 1)).map(lambda d: d.replace(microsecond=0)),
                   st.none())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["name", "notes", "x-extra", "k"]), scalar, max_size=4),
       st.lists(text, max_size=3), st.lists(st.dictionaries(st.sampled_from(["description", "quantity"]), scalar,
                                                             min_size=1, max_size=2), max_size=2))
def test_emitter_matches_the_writer_and_reads_back(fields, strs, items):
    data = {"id": "r1", **fields, "documents": strs, "items": items}
    got = emitter.record_text(data)
    assert got == style.record_text(data)
    try:
        emitter.fast_text(data)
    except emitter.NotFast:
        return   # written by the writer itself (ruamel.yaml); its read-back check guards `add`
    res = read_records(got.encode("utf-8"), "x.yaml", KINDS["resource"])
    assert res.parsed and len(res.records) == 1
    back = res.records[0].data
    for key in ("name", "notes"):                      # str fields read back as the same string
        if isinstance(fields.get(key), str) and fields[key] != "":
            assert back[key] == fields[key]


@settings(max_examples=300, deadline=None)
@given(text)
def test_every_plain_string_reads_back_the_same(s):
    """Whatever the fast path writes plain, YAML 1.2 (and our reader) reads as the same string."""
    try:
        out = emitter._str(s)
    except emitter.NotFast:
        return
    res = read_records(f"- id: a\n  extra: {out}\n".encode("utf-8"), "x.yaml", KINDS["contact"])
    assert res.records[0].data["extra"] == s
    assert style.record_text({"extra": s}) == f"- extra: {s}\n"
