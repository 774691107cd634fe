"""What a server keeps and mends after a write (`Graph.adopt`, `Graph.tally`, serve's tracked
pages; issue #30), as the tests that compare it with a fresh graph or a fresh server read it:
tests/test_graph_adopt.py (a fixed chain of edits) and tests/test_adopt_property.py (random ones)."""
from __future__ import annotations

import datetime as dt

from freelance.core.schema import KINDS
from freelance.read import calendar as cal, finance as fin
from freelance.read.journal import BASES, journal, revenue
from freelance.read.reports import Options, summary
from freelance.serve.pages import board_data

TODAY = dt.date(2026, 11, 25)


WINDOWS = ((None, None), (dt.date(2026, 1, 1), TODAY), (dt.date(2026, 11, 1), dt.date(2026, 11, 30)))


def whole(g):
    """Every whole-book value a server keeps and mends after a change (`Graph.tally`): the
    finance summary of each window, taxed or not, the accounts, revenue of each basis and
    window, and the journal itself."""
    out = {"accounts": fin.accounts(g)}
    for start, end in WINDOWS:
        for taxed in (True, False):
            out[("finance", start, end, taxed)] = fin.summary(g, start, end, taxed)     # a dataclass: compared field by field
        for basis in BASES:
            out[("revenue", basis, start, end)] = revenue(g, basis, start, end)
    for basis in BASES:
        out[("journal", basis)] = journal(g, basis)
    out["summary"] = summary.build(g, Options(TODAY))       # the overview's report
    out["balances"] = [g.account_balances(), g.account_balances(TODAY)]
    for noun in ("client", "project", "service", "invoice"):      # a server's boards (pages.kept_board)
        for limit in (0, 2, 150):
            out[("board", noun, limit)] = board_data(g, noun, limit=limit)
    out[("board", "project", "priority")] = board_data(g, "project", "priority", limit=1)
    out["calendar"] = [cal.entries(g, dt.date(2026, 11, 1), dt.date(2026, 12, 31)), cal.deadlines(g)]
    return out


def everything(g):
    return {**{k: {(r.id, r.file, r.line): g.derived(r) for r in g.records(k)} for k in KINDS}, "whole": whole(g)}


SERVE_PAGES = {     # path: (page function's name, path parameters, query)
    "/": ("overview", {}, b""), "/board/client": ("board", {"noun": "client"}, b""),
    "/board/project": ("board", {"noun": "project"}, b""), "/board/service": ("board", {"noun": "service"}, b""),
    "/board/invoice": ("board", {"noun": "invoice"}, b""), "/workflow": ("workflow", {}, b""),
    "/finance": ("finance", {}, b""), "/calendar": ("calendar", {}, b""), "/goals": ("goals", {}, b""),
    "/accounts": ("accounts_page", {}, b""), "/bank": ("bank_page", {}, b""), "/search": ("search", {}, b"q=acme"),
    "/list/income": ("listing", {"noun": "income"}, b""), "/list/expense": ("listing", {"noun": "expense"}, b""),
    "/list/time": ("listing", {"noun": "time"}, b""), "/r/client/acme": ("record", {"noun": "client", "rid": "acme"}, b""),
    "/account/bank": ("account_page", {"rid": "bank"}, b""),
}


def page(site, path, query: bytes | None = None) -> str:
    """The HTML `site` answers a GET of `path` (a key of SERVE_PAGES; `query` instead of its own)."""
    from starlette.requests import Request
    from freelance.serve import office, pages
    name, params, default = SERVE_PAGES[path]
    query = default if query is None else query
    fn = getattr(pages, name, None) or getattr(office, name)
    site.here.path = path
    request = Request({"type": "http", "method": "GET", "path": path, "query_string": query, "headers": [],
                       "path_params": params, "scheme": "http", "server": ("127.0.0.1", 8765), "root_path": ""})
    return fn(site, request, None).body.decode()


def site(root, like=None):
    """A server on book `root`, as `freelance serve` makes it (not listening: pages are drawn by
    `page`); with `like`, a server started afresh that takes `like`'s compiled templates (they
    read nothing of any book: a fresh server without compiling them again, 20 ms a page)."""
    from freelance.serve.app import Site
    made = Site(root, today=TODAY, host="127.0.0.1", port=8765, token="t" * 24)
    if like is not None:
        made.env = like.env
    return made
