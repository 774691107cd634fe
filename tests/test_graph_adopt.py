"""`serve` keeps the derivations a change cannot touch (`Graph.adopt`, issue #30): after any
edit, a graph that adopted the last one's values derives what a fresh graph derives, for every
record of every kind; and it keeps what the edit did not touch (the case it is for)."""
from __future__ import annotations

import re

import pytest

from adoptcheck import SERVE_PAGES, TODAY, everything, page, site as server
from conftest import run_cli

from freelance.read.graph import Graph
from freelance.read.reports.parts import every_invoice_status, invoice_row, status_rows
from freelance.store.book import Book


def _edit(path, pattern, repl):
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1, pattern
    path.write_text(new, encoding="utf-8")


def _cli(*args):
    def run(book):
        r = run_cli(*args, books=book, today=TODAY.isoformat())
        assert r.exit_code == 0, r.output
    return run


def _regex(rel, pattern, repl):
    return lambda book: _edit(book / rel, pattern, repl)


EDITS = {   # name: what changes the book, as the browser or an editor does
    "a client dragged": _regex("clients.yaml", r"stage: lead", "stage: negotiation"),
    "a client's email": _cli("client", "edit", "acme", "--email", "billing@acme.test"),
    "a client's currency": _regex("clients.yaml", r"^(- id: acme\n(?:  .*\n)*?)", r"\1  currency: EUR\n"),
    "a project's client": _regex("projects.yaml", r"client: acme", "client: globex"),
    "a project renamed": _regex("projects.yaml", r"^(  name: )(.*)$", r"\1\2 (renamed)"),
    "an invoice's due day": _regex("invoices.yaml", r"due: 2026-12-20", "due: 2026-12-01"),
    "an invoice written off": _cli("invoice", "settle", "INV-2026-015", "--write-off", "--reason", "bank-fee"),
    "an invoice paid in full": _cli("income", "add", "2850", "--client", "acme", "--invoice", "INV-2026-015",
                                    "--received", "--date", "2026-11-22"),
    "an hour booked": _regex("timelog/2026.yaml", r"hours: 5$", "hours: 6"),
    "a time entry added": _cli("time", "log", "harbor-menu", "3", "--date", "2026-11-20"),
    "income added": _cli("income", "add", "500", "--client", "acme", "--received", "--date", "2026-11-20"),
    "income paying an invoice": _cli("income", "add", "100", "--client", "globex", "--invoice", "INV-2026-013",
                                     "--received", "--date", "2026-11-21"),
    "an income's amount": _regex("transactions/2026.yaml", r"^(- id: tx-\S+\n(?:  .*\n)*?  kind: income\n  amount: )",
                                 r"\g<1>1"),
    "a draft invoice sent": _regex("invoices.yaml", r"status: draft", "status: sent"),
    "an invoice line's service": _regex("invoices.yaml", r"service: acme-audit-review", "service: acme-design"),
    "a line added above others": _regex("transactions/2026.yaml", r"^(  description: Co-working desk)$",
                                        r"\1\n  note: a line more"),
}


def each_edit(book):
    """Make EDITS on `book` one after another, yielding the name of each made (an edit the ones
    before it made impossible, its line gone, is left out)."""
    for name, edit in EDITS.items():
        try:
            edit(book)
        except AssertionError:
            continue
        yield name


@pytest.mark.parametrize("name", list(EDITS))
def test_an_adopting_graph_derives_what_a_fresh_graph_derives(demo, name):
    before = Book(demo, TODAY).reload()
    old = Graph(before, track=True)
    everything(old)                        # everything derived once, as pages leave it
    EDITS[name](demo)
    after = before.reload(TODAY)
    assert after is not before
    adopted = Graph(after, track=True)
    adopted.adopt(old)
    fresh = Graph(Book(demo, TODAY))
    assert everything(adopted) == everything(fresh), name


def test_adoption_keeps_what_the_change_did_not_touch_and_follows_changes_in_a_row(demo):
    book = Book(demo, TODAY).reload()
    g = Graph(book, track=True)
    old = {c.id: g.derived(c) for c in g.records("client")}
    for name in ("a client dragged", "income paying an invoice", "an invoice paid in full", "a time entry added"):
        EDITS[name](demo)
        book = book.reload(TODAY)
        last, g = g, Graph(book, track=True)
        assert g.adopt(last), name
        assert {c.id: g.derived(c) for c in g.records("client")} == \
               {c.id: Graph(Book(demo, TODAY)).derived(c) for c in Graph(Book(demo, TODAY)).records("client")}, name
    # a client none of these touched keeps the very values derived before them
    assert g.derived(g.get("client", "northwind")) is old["northwind"]
    assert g.derived(g.get("client", "acme")) is not old["acme"]           # its invoice was paid
    assert g.derived(g.get("client", "globex")) is not old["globex"]       # it paid one


def test_a_value_that_read_nothing_of_the_book_is_never_handed_over(demo):
    """A memo that reads no record (a dict the journal fills in as it posts: fx_missing) is not
    adopted, nor is what used it: it could hold what an older book gave."""
    book = Book(demo, TODAY).reload()
    g = Graph(book, track=True)
    filled = g.memo(("filled",), dict)
    filled["x"] = 1
    used = g.memo(("uses filled",), lambda: dict(g.memo(("filled",), dict)))
    kept = g.derived(g.get("client", "northwind"))
    EDITS["a client dragged"](demo)
    last, g = g, Graph(book.reload(TODAY), track=True)
    assert g.adopt(last)
    assert g.memo(("filled",), dict) == {} and g.memo(("uses filled",), dict) == {} and used == {"x": 1}
    assert g.derived(g.get("client", "northwind")) is kept


def test_the_invoices_summed_per_invoice_are_the_invoices_counted_at_once(demo):
    """`every_invoice_status` (summed per invoice, mended by a server) says what `status_rows`
    and the overdue alert say of every invoice, after edits that pay, write off and move
    invoices."""
    for name in ("an invoice written off", "income paying an invoice", "an invoice's due day"):
        EDITS[name](demo)
        g = Graph(Book(demo, TODAY))
        invoices = g.records("invoice")
        assert every_invoice_status(g, TODAY) == (
            status_rows(g, invoices, TODAY), [i.id for i in invoices if invoice_row(g, i, TODAY)["overdue"]]), name


def test_every_page_a_server_draws_after_each_edit_is_a_fresh_servers(demo):
    """`serve` keeps its pages and their parts by what they read and mends its sums (issue
    #30): after each edit in a row, every page it draws is byte for byte the page a server
    started afresh on the book draws."""
    site = server(demo)
    for path in SERVE_PAGES:
        page(site, path)
    applied = 0
    for name in each_edit(demo):
        applied += 1
        fresh = server(demo, like=site)
        for path in SERVE_PAGES:
            assert page(site, path) == page(fresh, path), (name, path)
        site.retire()
    assert applied >= 10


def test_pages_not_drawn_for_several_edits_are_a_fresh_servers(demo):
    """A server mends its lists' order and its search index at each reload (`Site._follow`),
    so pages not drawn while several edits came in a row are still the pages a fresh server
    draws."""
    site = server(demo)
    watched = ("/workflow", "/list/income", "/list/expense", "/list/time", "/search", "/")
    for path in watched:
        page(site, path)
    for names in (("income added", "a time entry added", "an income's amount"),
                  ("income paying an invoice", "a line added above others")):
        for name in names:
            EDITS[name](demo)
            page(site, "/r/client/acme")       # the page a write lands on: the book reloaded
        records = site.graph().book.records("transaction")
        assert site._newest[("workflow", False)][1] is records, "mended at each reload, not made again"
        assert site._search["transaction"][1] is records
        fresh = server(demo, like=site)
        for path in watched:
            assert page(site, path) == page(fresh, path), (names, path)
