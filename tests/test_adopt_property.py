"""The property of `serve`'s adoption (issue #30, docs/serve.md): after any short run of the
edits a book sees through the door (changes/door.py, here by the CLI that calls it as the web
does), a graph that reloaded the book and adopted the last graph's values (`Book.reload`,
`Graph.adopt`, as `Site.graph` does) derives what a fresh graph derives: every record's derived
values and every whole-book value a server mends (tests/adoptcheck.py), and one long-lived
server draws the overview, /finance, /accounts, /board/invoice and a search for a payee as a
fresh server does. The edits: income linked to an invoice or not (a fee sometimes), expenses,
income linked afterwards (the workflow, the bank review), balance assertions, money, hours and
drafts edited in place, in three currencies, dated after today too and into 2027 (a new
file), clients and projects moved on their boards or a field edited, hours booked, a draft
invoice from the hours, a draft sent (numbered), an invoice marked paid or void, credited,
written off, a transfer, a record removed (refused, and so nothing, when something links
to it).

A bounded profile runs in CI (`adopt`: EVERY_EDIT and 12 runs of 3-8 edits on the demo book);
`HYPOTHESIS_PROFILE=adopt-long` (ADOPT_EXAMPLES=N) or `python -m freelance.tools.bench
--adopt-property` runs hundreds."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote_plus

from hypothesis import HealthCheck, example, given, settings, strategies as st

from adoptcheck import TODAY, everything, page, site as server
from conftest import DEMO, run_cli

from freelance.read.graph import Graph
from freelance.store.book import Book

settings.register_profile("adopt", max_examples=int(os.environ.get("ADOPT_EXAMPLES") or 12), deadline=None,
                          derandomize=True, suppress_health_check=list(HealthCheck))
settings.register_profile("adopt-long", max_examples=int(os.environ.get("ADOPT_EXAMPLES") or 300), deadline=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "adopt")
if not PROFILE.startswith("adopt"):         # another test's profile (ledger-long) is not this one's
    PROFILE = "adopt"

PAYEES = ("Acme Corp", "Globex Ltd", "Northwind Traders", "Corner Cafe")
PAGES = ("/", "/finance", "/accounts", "/board/invoice", "/search")
_TEMPLATES: list = []       # the last example's server: the next takes its compiled templates

pick = st.integers(0, 1000)                 # which of the records that fit, modulo how many there are
day = st.integers(0, 100)                   # 2026-10-01 to 2027-01-09 (after TODAY: --future; 2027 is a new file)
worked = st.integers(31, 55)                # a day worked: November 2026, up to TODAY
cents = st.integers(1, 3000_00)
currency = st.sampled_from([None, None, "EUR", "GBP"])
step = st.one_of(
    # the amount: cents, or what the invoice still owes (less the fee): paid in full
    st.tuples(st.just("income"), st.one_of(cents, st.just("owed")), st.one_of(st.none(), pick),
              st.sampled_from([None, "2.50", "15"]), day, st.sampled_from(PAYEES), st.booleans(), currency),
    st.tuples(st.just("expense"), cents, st.sampled_from(["software", "travel", "office"]), day,
              st.sampled_from(PAYEES), st.booleans(), currency),
    st.tuples(st.just("edit money"), st.sampled_from(["income", "expense"]), pick,
              st.sampled_from(["--amount", "--date", "--account", "--received", "--not-received", "--currency"]),
              day),
    st.tuples(st.just("link income"), pick, pick, st.booleans()),        # the workflow's, the bank review's
    st.tuples(st.just("balance"), st.sampled_from(["bank", "cash"]), worked, st.integers(-500_00, 30000_00)),
    st.tuples(st.just("move client"), pick, st.sampled_from(["lead", "negotiation", "client"])),
    st.tuples(st.just("move project"), pick, st.sampled_from(["not-started", "in-progress", "on-hold", "done"])),
    st.tuples(st.just("edit client"), pick, st.sampled_from(["--email", "--name", "--default-rate", "--currency"]),
              st.integers(0, 3)),
    st.tuples(st.just("edit project"), pick, st.sampled_from(["--name", "--client", "--rate", "--priority"]), pick),
    st.tuples(st.just("hours"), pick, st.integers(1, 32), worked),
    st.tuples(st.just("edit hours"), pick, st.integers(1, 32)),
    st.tuples(st.just("invoice from hours"), pick),
    st.tuples(st.just("edit draft"), pick, st.sampled_from(["--due", "--tax-rate", "--item", "--issued"]), day),
    st.tuples(st.just("send"), pick),
    st.tuples(st.just("mark"), pick, st.sampled_from(["paid", "void"])),
    st.tuples(st.just("credit"), pick, st.booleans()),
    st.tuples(st.just("write off"), pick),
    st.tuples(st.just("transfer"), cents, worked, st.booleans()),
    st.tuples(st.just("remove"), st.sampled_from(["income", "expense", "time", "transfer", "client", "invoice"]), pick),
)


def _nth(records, n):
    return records[n % len(records)].id if records else None


def _money(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


def _command(root: Path, s) -> list | None:
    """The CLI command step `s` names on the book as it is now (None: no record fits)."""
    book = Book(root, TODAY)
    recs = {k: book.records(k) for k in ("client", "project", "invoice", "transaction", "time", "transfer")}
    invoices = recs["invoice"]
    status = lambda *ss: [i for i in invoices if i.data.get("status") in ss]    # noqa: E731
    d = lambda n: (dt.date(2026, 10, 1) + dt.timedelta(days=n)).isoformat()    # noqa: E731
    future = lambda n: ["--future"] if d(n) > TODAY.isoformat() else []       # noqa: E731
    what = s[0]
    if what == "income":
        _, c, inv, fee, n, payee, received, cur = s
        args = ["--date", d(n), "--payee", payee, "--received" if received else "--not-received", *future(n)]
        if cur:         # money in another currency than the book's: no client of the book's currency
            return ["income", "add", _money(c if c != "owed" else 100_00), *args, "--currency", cur,
                    "--classification", "other"]
        sent = status("sent")
        if inv is None or not sent:
            return ["income", "add", _money(c if c != "owed" else 100_00), *args,
                    "--client", _nth(recs["client"], inv or 0)]
        i = sent[inv % len(sent)]
        if c == "owed":
            owed = Graph(book).derived(i)["balance"] - Decimal(fee or 0)
            c = max(int(owed * 100), 1)
        return ["income", "add", _money(c), *args, "--client", i.data["client"], "--invoice", i.id,
                *(["--fee", fee] if fee else [])]
    if what == "expense":
        _, c, category, n, payee, paid, cur = s
        return ["expense", "add", _money(c), "--category", category, "--date", d(n), "--payee", payee,
                "--paid" if paid else "--unpaid", *future(n), *(["--currency", cur] if cur else [])]
    if what == "edit money":
        _, noun, n, option, v = s
        rs = [r for r in recs["transaction"] if r.data.get("kind") == noun]
        value = {"--amount": [_money(v * 1234 + 1)], "--date": [d(v), *future(v)],
                 "--account": [("bank", "cash")[v % 2]], "--currency": [("USD", "EUR", "GBP")[v % 3]]}.get(option, [])
        return ([noun, "edit", _nth(rs, n), option, *value]) if rs else None
    if what == "link income":
        _, n, inv, to_invoice = s
        loose = [r for r in recs["transaction"] if r.data.get("kind") == "income" and not r.data.get("invoice")
                 and r.data.get("classification", "client") == "client"]
        if not loose:
            return None
        tx = loose[n % len(loose)]
        own = lambda rs: [r for r in rs if r.data.get("client") in (None, tx.data.get("client"))]    # noqa: E731
        if to_invoice:
            return own(status("sent")) and ["income", "link", tx.id, "--invoice", _nth(own(status("sent")), inv)]
        return own(recs["project"]) and ["income", "link", tx.id, "--project", _nth(own(recs["project"]), inv)]
    if what == "balance":
        _, account, n, c = s
        return ["balance", "add", account, "--date", d(n), "--amount", ("-" if c < 0 else "") + _money(abs(c))]
    if what == "move client":
        return ["client", "move", _nth(recs["client"], s[1]), s[2]]
    if what == "move project":
        return ["project", "move", _nth(recs["project"], s[1]), s[2]]
    if what == "edit client":
        _, n, option, v = s
        value = {"--email": f"who{v}@example.test", "--name": f"Renamed {v}", "--default-rate": str(50 + 10 * v),
                 "--currency": ("USD", "EUR", "GBP", "USD")[v]}[option]
        return ["client", "edit", _nth(recs["client"], n), option, value]
    if what == "edit project":
        _, n, option, v = s
        value = {"--name": f"Project {v}", "--client": _nth(recs["client"], v), "--rate": str(60 + v % 90),
                 "--priority": ("low", "medium", "high")[v % 3]}[option]
        return ["project", "edit", _nth(recs["project"], n), option, value]
    if what == "hours":
        _, n, quarters, when = s
        project = recs["project"][n % len(recs["project"])]
        services = project.data.get("services") or []
        return ["time", "log", project.id, str(quarters / 4), "--date", d(when),
                *(["--service", services[n % len(services)]] if services else [])]
    if what == "edit hours":
        return ["time", "edit", _nth(recs["time"], s[1]), "--hours", str(s[2] / 4)]
    if what == "edit draft":
        _, n, option, v = s
        value = {"--due": d(v), "--issued": d(v), "--tax-rate": str((0, 7, 19, 20)[v % 4]),
                 "--item": f"Extra work:{1 + v % 5}:{40 + v}"}[option]
        return status("draft") and ["invoice", "edit", _nth(status("draft"), n), option, value]
    if what == "invoice from hours":
        return ["invoice", "add", "--from-time", "--client", _nth(recs["client"], s[1]), "--issued", TODAY.isoformat()]
    if what == "send":
        drafts = status("draft")
        return drafts and ["invoice", "move", _nth(drafts, s[1]), "sent"]
    if what == "mark":        # paid: one that owes nothing more (else it is refused)
        fit = status("sent") if s[2] == "void" else [i for i in status("sent") if Graph(book).derived(i)["balance"] <= 0]
        return fit and ["invoice", "move", _nth(fit, s[1]), s[2]]
    if what == "credit":
        return status("sent", "paid") and ["invoice", "credit", _nth(status("sent", "paid"), s[1]),
                                            *(["--issue"] if s[2] else [])]
    if what == "write off":
        return status("sent") and ["invoice", "settle", _nth(status("sent"), s[1]), "--write-off",
                                   "--reason", "small-difference"]
    if what == "transfer":
        _, c, n, out = s
        ends = ["--from", "bank", "--to", "cash"] if out else ["--from", "cash", "--to", "bank"]
        return ["transfer", "add", _money(c), *ends, "--date", d(n)]
    if what == "remove":
        _, noun, n = s
        kind = {"income": "transaction", "expense": "transaction"}.get(noun, noun)
        rs = [r for r in recs[kind] if kind != "transaction" or r.data.get("kind") == noun]
        return rs and [noun, "rm", _nth(rs, n)]
    raise AssertionError(what)


# every kind of edit once, in a row, each followed by two pages (a run the random ones reach
# in some tens of examples: CI tries it every time)
EVERY_EDIT = [(e, {PAGES[i % 5], PAGES[(i + 2) % 5]}) for i, e in enumerate([
    ("edit project", 134, "--client", 435), ("edit project", 368, "--rate", 49), ("edit project", 435, "--client", 435),
    ("income", "owed", 0, "15", 50, "Acme Corp", True, None),
    ("credit", 862, True), ("edit money", "income", 354, "--amount", 27),
    ("hours", 0, 8, 50), ("edit hours", 3, 6), ("invoice from hours", 0), ("edit draft", 0, "--item", 5),
    ("edit draft", 1, "--tax-rate", 2), ("send", 0), ("mark", 0, "void"), ("write off", 1),
    ("income", 1234_56, None, None, 60, "Globex Ltd", True, "EUR"), ("link income", 2, 1, True),
    ("expense", 99_90, "travel", 70, "Corner Cafe", True, "GBP"), ("edit money", "expense", 3, "--date", 44),
    ("transfer", 500_00, 40, True), ("balance", "bank", 50, 20000_00), ("move client", 7, "client"),
    ("move project", 2, "in-progress"), ("edit client", 0, "--name", 1), ("remove", "time", 3),
    ("mark", 0, "paid")])]


@settings(settings.get_profile(PROFILE))
@example(steps=EVERY_EDIT)
# each edit with the pages drawn after it (a page not drawn for a few edits mends them at once)
@given(steps=st.lists(st.tuples(step, st.sets(st.sampled_from(PAGES), max_size=2)), min_size=3, max_size=8))
def test_after_any_edits_an_adopting_graph_and_server_are_fresh_ones(steps):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "book"
        shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".freelance"))
        book = Book(root, TODAY).reload()
        g = Graph(book, track=True)
        everything(g)                               # everything derived once, as pages leave it
        site = server(root, like=_TEMPLATES[0] if _TEMPLATES else None)
        _TEMPLATES[:] = [site]
        for path in PAGES:
            page(site, path)
        done = []
        for n, (s, drawn) in enumerate(steps):
            args = _command(root, s)
            if args:
                r = run_cli(*args, books=root, today=TODAY.isoformat())
                done.append((s, args, r.exit_code))
            book = book.reload(TODAY)
            last, g = g, Graph(book, track=True)
            g.adopt(last)
            fresh = Graph(Book(root, TODAY))
            assert everything(g) == everything(fresh), done
            again = server(root, like=site)
            for path in PAGES if n == len(steps) - 1 else sorted(drawn):
                q = b"q=" + quote_plus(PAYEES[n % len(PAYEES)]).encode() if path == "/search" else None
                assert page(site, path, q) == page(again, path, q), (path, done)
            site.retire()
