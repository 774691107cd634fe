"""Property: two clones of a small book, random concurrent changes through the CLI, merged by
git (the driver runs because git calls it). Whatever the changes:

- nothing is lost: every record is what the three-way merge of its values says;
- git reports a conflict exactly when the same field changed differently on both sides, an
  edited record was removed on the other, or one id was added on both with other values;
- when git reports no conflict, the merged book validates, with no id or invoice number twice.

(A change that is fine on each side but not together across files, a client removed here
that an invoice made there links to, merges cleanly and is `validate`'s to report: `sync`
does not push it, tests/test_sync.py. The changes here keep links within what both sides
have: invoices go to acme, which the seed's invoice keeps from being removed.)

Bounded for CI (a few examples, each a real pair of clones)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from conftest import run_cli
from gitbooks import commit, fl, git

CLIENTS = ["acme", "beta", "gamma"]
FIELDS = {"email": ["a@x.test", "b@x.test"], "phone": ["1", "2"], "company": ["Co A", "Co B"]}
STAGES = ["lead", "negotiation", "client"]

op = st.one_of(
    st.tuples(st.just("edit"), st.sampled_from(CLIENTS), st.sampled_from(sorted(FIELDS)), st.integers(0, 1)),
    st.tuples(st.just("move"), st.sampled_from(CLIENTS), st.sampled_from(STAGES)),
    st.tuples(st.just("rm"), st.sampled_from(CLIENTS)),
    st.tuples(st.just("add"), st.integers(0, 3)),
    st.tuples(st.just("income"), st.integers(1, 9), st.integers(1, 20)),
    st.tuples(st.just("invoice"), st.integers(1, 3)),
)


@pytest.fixture(scope="module")
def template():
    """A book with three clients, an invoice and an income, in a bare repository."""
    work = Path(tempfile.mkdtemp(prefix="freelance-prop-"))
    book = work / "seed"
    assert run_cli("init", book).exit_code == 0
    for name in ("Acme", "Beta", "Gamma"):
        fl(book, "client", "add", name)
    fl(book, "invoice", "add", "--client", "acme", "--amount", "100", "--issued", "2026-11-01")
    fl(book, "income", "add", "50", "--date", "2026-11-02", "--classification", "other", "--account", "bank")
    commit(book, "seed")
    git(work, "init", "-q", "--bare", work / "origin.git")
    git(book, "push", "-q", work / "origin.git", "HEAD:refs/heads/main")
    yield work / "origin.git"
    shutil.rmtree(work, ignore_errors=True)


def apply(book: Path, ops, side: str) -> None:
    for o in ops:
        if o[0] == "edit":
            args = ["client", "edit", o[1], f"--{o[2]}", FIELDS[o[2]][o[3]]]
        elif o[0] == "move":
            args = ["client", "move", o[1], o[2]]
        elif o[0] == "rm":
            args = ["client", "rm", o[1]]            # refused while records link to it
        elif o[0] == "add":
            args = ["client", "add", f"New {o[1]}", "--company", f"from {side}"]
        elif o[0] == "income":
            args = ["income", "add", str(o[1]), "--date", f"2026-11-{o[2]:02d}", "--classification", "other",
                    "--account", "bank"]
        else:
            args = ["invoice", "add", "--client", "acme", "--amount", str(100 * o[1]), "--issued", "2026-11-20"]
        run_cli(*args, books=book)           # refused changes (an id gone already...) change nothing


def values(book: Path, rel: str) -> dict:
    """id -> values of a book file as a YAML reader sees them (empty values dropped)."""
    recs = yaml.safe_load((book / rel).read_text()) or []
    ids = [r["id"] for r in recs]
    assert len(ids) == len(set(ids)), f"an id twice in {rel}: {ids}"
    return {r["id"]: {k: v for k, v in r.items() if v not in (None, "", [])} for r in recs}


def expected(b: dict, o: dict, t: dict) -> tuple[dict, set]:
    """The three-way merge of record values, and the ids that must conflict."""
    out, conflicts = {}, set()
    for rid in list(o) + [k for k in t if k not in o] + [k for k in b if k not in o and k not in t]:
        bv, ov, tv = b.get(rid), o.get(rid), t.get(rid)
        if ov == tv:
            merged = ov
        elif tv == bv:
            merged = ov
        elif ov == bv:
            merged = tv
        elif bv is None or ov is None or tv is None:
            conflicts.add(rid)
            continue
        else:
            merged = dict(ov)
            for k in set(bv) | set(ov) | set(tv):
                x, y, z = bv.get(k), ov.get(k), tv.get(k)
                if y == z or z == x:
                    continue
                if y == x:
                    if z is None:
                        merged.pop(k, None)
                    else:
                        merged[k] = z
                else:
                    conflicts.add(rid)
        if merged is not None and rid not in conflicts:
            out[rid] = merged
    return out, conflicts


FILES = ["clients.yaml", "invoices.yaml", "transactions/2026.yaml"]


@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mine=st.lists(op, min_size=1, max_size=4), theirs=st.lists(op, min_size=1, max_size=4),
       rebase=st.booleans())
def test_concurrent_changes_merge_as_their_values_say(template, tmp_path_factory, mine, theirs, rebase):
    work = tmp_path_factory.mktemp("pair")
    a, b = work / "a", work / "b"
    for clone in (a, b):
        git(work, "clone", "-q", "-b", "main", template, clone)
        fl(clone, "git", "setup")
    base = {rel: values(a, rel) for rel in FILES}
    apply(a, mine, "a")
    commit(a, "a") if git(a, "status", "--porcelain").stdout else None
    apply(b, theirs, "b")
    commit(b, "b") if git(b, "status", "--porcelain").stdout else None
    ours_v = {rel: values(b, rel) for rel in FILES}          # the clone that pulls: ours
    theirs_v = {rel: values(a, rel) for rel in FILES}
    git(a, "push", "-q", "origin", "HEAD:main")
    p = git(b, "pull", "-q", "--rebase" if rebase else "--no-rebase", "origin", "main", check=False)
    want_conflicts = {}
    want = {}
    for rel in FILES:
        o, t = (theirs_v[rel], ours_v[rel]) if rebase else (ours_v[rel], theirs_v[rel])
        want[rel], want_conflicts[rel] = expected(base[rel], o, t)
    if any(want_conflicts.values()):
        assert p.returncode != 0, (mine, theirs, want_conflicts)
        for rel in FILES:
            text = (b / rel).read_text()
            marked = set()
            for chunk in text.split("<<<<<<<")[1:]:
                inside = chunk.split(">>>>>>>", 1)[0]
                marked |= {line.split("id:", 1)[1].strip() for line in inside.splitlines()
                           if line.startswith("- id:")}
            assert marked == want_conflicts[rel], (rel, marked, want_conflicts[rel], text)
        return
    assert p.returncode == 0, (mine, theirs, p.stdout, p.stderr)
    for rel in FILES:
        assert values(b, rel) == want[rel], (rel, mine, theirs)
    r = run_cli("validate", books=b)
    assert r.exit_code == 0, r.output
    assert "duplicate" not in r.output
