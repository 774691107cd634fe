"""Property: two and three clones of a small book, random concurrent changes through the CLI,
merged by git (the driver runs because git calls it), with `git merge` and `git pull --rebase`.
Whatever the changes:

- nothing is lost: every record is what the three-way merge of its values says;
- git reports a conflict exactly when the same field changed differently on both sides, an
  edited record was removed on the other, or one id was added on both with other values
  (drafts have draft ids and never clash; two invoices issued on two devices before they
  met take one number, which is that);
- when git reports no conflict, the merged book validates, with no id or invoice number twice.

The changes: clients added, edited, moved, removed; income; draft invoices, and drafts
issued (numbered); payments of the seed's
invoice; hours booked; bank statements imported (the same statement imported on two devices
is one set of records: an imported line's id comes from the line).

(A change that is fine on each side but not together across files, a client removed here
that an invoice made there links to, merges cleanly and is `validate`'s to report: `sync`
does not push it, tests/test_sync.py. The changes here keep links within what both sides
have: invoices and hours go to acme, which the seed's invoice keeps from being removed;
payments stay below what the seed's invoice asks.)

Three clones: the first pushes, the second pulls (merge or rebase) and pushes, the third
pulls that: each step is checked as above, the third against the first two's merge.

Bounded for CI (a few examples, each real clones); `HYPOTHESIS_PROFILE=merge-long` runs
a hundred each (`python -m pytest -p no:cacheprovider tests/test_merge_property.py`)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from conftest import run_cli
from gitbooks import commit, fl, git

settings.register_profile("merge", max_examples=2, deadline=None, derandomize=True,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=list(HealthCheck))
# the long profile does not shrink: each step of shrinking is real clones and merges (minutes);
# a failing example has at most four changes a side and is printed as it is
settings.register_profile("merge-long", max_examples=100, deadline=None, suppress_health_check=list(HealthCheck),
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "merge")
if not PROFILE.startswith("merge"):
    PROFILE = "merge"

TODAY = "2026-11-25"
CLIENTS = ["acme", "beta", "gamma"]
FIELDS = {"email": ["a@x.test", "b@x.test"], "phone": ["1", "2"], "company": ["Co A", "Co B"]}
STAGES = ["lead", "negotiation", "client"]
RULES = "date_format: \"%Y-%m-%d\"\ncolumns:\n  date: date\n  amount: amount\n  payee: payee\n"
STATEMENTS = [
    "date,amount,payee\n2026-11-03,-12.50,Hosting AG\n2026-11-04,-3.50,Cafe\n",
    "date,amount,payee\n2026-11-04,-3.50,Cafe\n2026-11-10,-40.00,Train\n",
    "date,amount,payee\n2026-11-12,99.00,Refund Shop\n",
]

op = st.one_of(
    st.tuples(st.just("edit"), st.sampled_from(CLIENTS), st.sampled_from(sorted(FIELDS)), st.integers(0, 1)),
    st.tuples(st.just("move"), st.sampled_from(CLIENTS), st.sampled_from(STAGES)),
    st.tuples(st.just("rm"), st.sampled_from(CLIENTS)),
    st.tuples(st.just("add"), st.integers(0, 3)),
    st.tuples(st.just("income"), st.integers(1, 9), st.integers(1, 20)),
    st.tuples(st.just("invoice"), st.integers(1, 3)),
    st.tuples(st.just("issue"), st.integers(0, 3)),
    st.tuples(st.just("pay"), st.integers(1, 9), st.integers(1, 20)),
    st.tuples(st.just("time"), st.integers(1, 4), st.integers(1, 20)),
    st.tuples(st.just("bank"), st.integers(0, len(STATEMENTS) - 1)),
)


@pytest.fixture(scope="module")
def template():
    """A book with three clients, a project, a sent invoice, an income and bank rules, in a
    bare repository."""
    work = Path(tempfile.mkdtemp(prefix="freelance-prop-"))
    book = work / "seed"
    assert run_cli("init", book, today=TODAY).exit_code == 0
    for name in ("Acme", "Beta", "Gamma"):
        fl(book, "client", "add", name, today=TODAY)
    fl(book, "project", "add", "Site", "--client", "acme", today=TODAY)
    fl(book, "invoice", "add", "--client", "acme", "--amount", "1000", "--issued", "2026-11-01", "--status", "sent",
       today=TODAY)
    fl(book, "income", "add", "50", "--date", "2026-11-02", "--classification", "other", "--account", "bank",
       today=TODAY)
    (book / "bank-rules").mkdir()
    (book / "bank-rules" / "plain.yaml").write_text(RULES, encoding="utf-8")
    for n, text in enumerate(STATEMENTS):
        (work / f"statement-{n}.csv").write_text(text, encoding="utf-8")
    commit(book, "seed")
    git(work, "init", "-q", "--bare", work / "origin.git")
    git(book, "push", "-q", work / "origin.git", "HEAD:refs/heads/main")
    yield work / "origin.git"
    shutil.rmtree(work, ignore_errors=True)


def apply(book: Path, ops, side: str, statements: Path) -> None:
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
        elif o[0] == "invoice":          # a draft: its draft id never clashes with the other side's
            args = ["invoice", "add", "--client", "acme", "--amount", str(100 * o[1]), "--issued", "2026-11-20"]
        elif o[0] == "issue":            # a draft of this side issued: the next number, which may clash
            drafts = sorted(r["id"] for r in yaml.safe_load((book / "invoices.yaml").read_text())
                            if r.get("status") == "draft")
            if not drafts:
                continue
            args = ["invoice", "move", drafts[o[1] % len(drafts)], "sent"]
        elif o[0] == "pay":
            args = ["income", "add", str(o[1]), "--invoice", "INV-2026-001", "--date", f"2026-11-{o[2]:02d}",
                    "--account", "bank"]
        elif o[0] == "time":
            args = ["time", "log", "site", f"{o[1]}h", "--date", f"2026-11-{o[2]:02d}"]
        else:
            args = ["bank", "import", statements / f"statement-{o[1]}.csv", "--account", "bank"]
        run_cli(*args, books=book, today=TODAY)     # refused changes (an id gone already...) change nothing


def values(book: Path, rel: str) -> dict:
    """id -> values of a book file as a YAML reader sees them (empty values dropped)."""
    path = book / rel
    recs = (yaml.safe_load(path.read_text()) or []) if path.exists() else []
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


FILES = ["clients.yaml", "projects.yaml", "invoices.yaml", "transactions/2026.yaml", "timelog/2026.yaml",
         "balances.yaml"]


def book_values(book: Path) -> dict:
    return {rel: values(book, rel) for rel in FILES}


def origin(template: Path, work: Path) -> Path:
    """This example's own copy of the seed's repository (examples never see each other's pushes)."""
    git(work, "clone", "-q", "--bare", template, work / "origin.git")
    return work / "origin.git"


def clone(template: Path, work: Path, name: str) -> Path:
    book = work / name
    git(work, "clone", "-q", "-b", "main", template, book)
    fl(book, "git", "setup")
    return book


def changed(book: Path, ops, side: str, statements: Path) -> dict:
    apply(book, ops, side, statements)
    if git(book, "status", "--porcelain").stdout:
        commit(book, side)
    return book_values(book)


def pull_and_check(book: Path, base: dict, mine: dict, incoming: dict, rebase: bool, what) -> bool:
    """Pull origin into `book` (whose values are `mine`; origin's are `incoming`) and check the
    outcome against the three-way merge of the values. True when it merged without conflict."""
    p = git(book, "pull", "-q", "--rebase" if rebase else "--no-rebase", "origin", "main", check=False)
    want, want_conflicts = {}, {}
    for rel in FILES:
        # a rebase replays ours onto theirs: git's "ours" is the incoming side
        o, t = (incoming[rel], mine[rel]) if rebase else (mine[rel], incoming[rel])
        want[rel], want_conflicts[rel] = expected(base[rel], o, t)
    if any(want_conflicts.values()):
        assert p.returncode != 0, (what, want_conflicts)
        for rel in FILES:
            text = (book / rel).read_text() if (book / rel).exists() else ""
            marked = set()
            for chunk in text.split("<<<<<<<")[1:]:
                inside = chunk.split(">>>>>>>", 1)[0]
                marked |= {line.split("id:", 1)[1].strip() for line in inside.splitlines()
                           if line.startswith("- id:")}
            assert marked == want_conflicts[rel], (rel, marked, want_conflicts[rel], what, text)
        return False
    assert p.returncode == 0, (what, p.stdout, p.stderr)
    for rel in FILES:
        assert values(book, rel) == want[rel], (rel, what)
    r = run_cli("validate", books=book, today=TODAY)
    assert r.exit_code == 0, (what, r.output)
    assert "duplicate" not in r.output
    refs = [t["bank_ref"] for t in values(book, "transactions/2026.yaml").values() if "bank_ref" in t]
    assert len(refs) == len(set(refs)), ("a bank line twice", what)
    return True


changes = st.lists(op, min_size=1, max_size=4)


@settings(settings.get_profile(PROFILE))
@given(mine=changes, theirs=changes, rebase=st.booleans())
def test_two_clones_merge_as_their_values_say(template, tmp_path_factory, mine, theirs, rebase):
    work = tmp_path_factory.mktemp("pair")
    statements, template = template.parent, origin(template, work)
    a, b = clone(template, work, "a"), clone(template, work, "b")
    base = book_values(a)
    theirs_v = changed(a, mine, "a", statements)
    ours_v = changed(b, theirs, "b", statements)          # the clone that pulls: ours
    git(a, "push", "-q", "origin", "HEAD:main")
    pull_and_check(b, base, ours_v, theirs_v, rebase, (mine, theirs, rebase))


@settings(settings.get_profile(PROFILE))
@given(first=changes, second=changes, third=changes, rebase=st.lists(st.booleans(), min_size=2, max_size=2))
def test_three_clones_merge_as_their_values_say(template, tmp_path_factory, first, second, third, rebase):
    work = tmp_path_factory.mktemp("three")
    statements, template = template.parent, origin(template, work)
    a, b, c = (clone(template, work, n) for n in "abc")
    base = book_values(a)
    va = changed(a, first, "a", statements)
    vb = changed(b, second, "b", statements)
    vc = changed(c, third, "c", statements)
    what = (first, second, third, rebase)
    git(a, "push", "-q", "origin", "HEAD:main")
    if not pull_and_check(b, base, vb, va, rebase[0], what):
        return
    git(b, "push", "-q", "origin", "HEAD:main")
    pull_and_check(c, base, vc, book_values(b), rebase[1], what)
