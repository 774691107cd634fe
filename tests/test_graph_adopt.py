"""`serve` keeps the derivations a change cannot touch (`Graph.adopt`, issue #30): after any
edit, a graph that adopted the last one's values derives what a fresh graph derives, for every
record of every kind; and it adopts on a client's drag (the case it is for)."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from freelance.core.schema import KINDS
from freelance.read.graph import Graph
from freelance.store.book import Book

TODAY = dt.date(2026, 11, 25)


def _edit(path, pattern, repl):
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1, pattern
    path.write_text(new, encoding="utf-8")


EDITS = {   # name: (file, pattern, replacement, adopts)
    "a client dragged": ("clients.yaml", r"stage: lead", "stage: negotiation", True),
    "a client's currency": ("clients.yaml", r"^(- id: acme\n(?:  .*\n)*?)", r"\1  currency: EUR\n", False),
    "a project's client": ("projects.yaml", r"client: acme", "client: globex", False),
    "a project renamed": ("projects.yaml", r"^(  name: )(.*)$", r"\1\2 (renamed)", True),
    "an invoice's due day": ("invoices.yaml", r"due: 2026-12-20", "due: 2026-12-01", False),
    "an hour booked": ("timelog/2026.yaml", r"hours: 5$", "hours: 6", True),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_an_adopting_graph_derives_what_a_fresh_graph_derives(demo, name):
    rel, pattern, repl, adopts = EDITS[name]
    before = Book(demo, TODAY).reload()
    old = Graph(before)
    for k in KINDS:                             # everything derived once, as pages leave it
        for r in old.records(k):
            old.derived(r)
    _edit(demo / rel, pattern, repl)
    after = before.reload(TODAY)
    assert after is not before
    adopted = Graph(after)
    assert adopted.adopt(old) is adopts
    fresh = Graph(Book(demo, TODAY))
    for k in KINDS:
        got = {r.id: adopted.derived(r) for r in adopted.records(k)}
        want = {r.id: fresh.derived(r) for r in fresh.records(k)}
        assert got == want, (name, k)
