"""The linked graph: records by id, links followed, rollups derived.

Derived values (SPEC section 2) are computed here from the records, never
stored. `Graph.derived(record)` returns a dict of them for any kind; every
report, `show` and JSON output reads them from here.
"""
from __future__ import annotations

import datetime as dt
import pickle
import threading
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from ..core.money import HUNDRED, ZERO, dec, pct, tax_groups, totals_of
from ..core.rules import BILLED, CURRENCY_FROM, bill_status, expense_taxes, is_bill, is_client_income, settles_invoice
from ..core.schedule import next_day
from ..store.book import Book
from ..store.parallel import ahead as parallel_ahead
from ..store.records import Record
from ..store.scalars import parse_duration
from .owed import client_outstanding, due_date, overdue_days, prepaid, settlement
from ..core.dates import parse_period
from ..core.errors import UsageError
from .work import project_work, service_work
from . import quotes
from .search import Newest


_NONE = object()     # no value kept yet (a memo may keep None)


class Graph:
    def __init__(self, book: Book, track: bool = False):
        self.book = book
        self.today = book.today
        self.settings = book.settings
        self._by: dict = {}
        self._cache: dict = {}
        self._currencies: dict = {}     # id(record) -> its currency (an untracked graph's)
        # `track` (serve): what each kept value read, so a graph of the book after a change keeps
        # every value that read none of the records that changed (`adopt`, docs/serve.md)
        self.track = track
        self._users: dict = {}      # what was read -> the keys of the kept values that read it: ("id", kind, id),
                                    # ("by", kind, field, value), ("kind", kind), ("key", a kept value's key)...
        self._kinds: set = set()    # the kinds any kept value read
        self._bare: set = set()     # the keys of kept values that read nothing
        self._tallies: dict = {}    # name -> Tally (`tally`): mended, not dropped, by `adopt`
        self._constants: dict = {}  # what the settings alone say (`constant`)
        self._orders: dict = {}     # name -> Order (`ordered`): mended, not dropped, by `adopt`
        self.dropped: list = []     # the values `adopt` dropped, to free when it suits the caller
        self._local = threading.local()     # this thread's stack of the reads of the values being derived
        self._lock = threading.Lock()       # a value kept, and the hand-over to the next graph (`adopt`)
        self._tallying = threading.RLock()  # one tally made or mended at a time
        self._ahead: dict = {}      # ("tally", name) -> the batch a forked worker sums it in (`ahead`)

    # -- plumbing -------------------------------------------------------------
    def records(self, kind: str) -> list[Record]:
        if self.track:
            self._read(("kind", kind))
        return self.book.records(kind)

    def get(self, kind: str, rid) -> Record | None:
        if rid is None:
            return None
        if self.track:
            self._read(("id", kind, str(rid)))
        return self.book.get(kind, rid)

    def by(self, kind: str, field: str) -> dict:
        """value of `field` -> records of `kind` (list fields index every element; `items.service`:
        each service a record's items name)."""
        key = (kind, field)
        if key not in self._by:
            groups = defaultdict(list)
            for r in self.book.records(kind):
                for x in field_keys(r.data, field):
                    groups[x].append(r)
            self._by[key] = groups
        if self.track:
            stack = getattr(self._local, "stack", None)
            if stack:
                return Reading(self._by[key], stack[-1], kind, field)
        return self._by[key]

    # -- what each kept value read (`track`) ----------------------------------------------
    def _read(self, what) -> None:
        stack = getattr(self._local, "stack", None)
        if stack:
            stack[-1].add(what)

    def _keep(self, key, make, own: Record | None = None):
        """`make()`, kept under `key` with what it read (with `own`'s id: a value about a record
        is about that record). A kept value it used is noted as `("key", that key)`, not by
        copying what that one read: adopt drops it with that one (a board of 1,000 projects
        that each use a whole-book memo does not copy the memo's reads 1,000 times)."""
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        reads = {("id", own.kind, own.id)} if own is not None else set()
        stack.append(reads)
        try:
            value = make()
        finally:
            stack.pop()
        bare = not reads        # read nothing of the book: a constant, or a dict others fill in (journal's
        if bare:                # fx_missing): never handed over, nor what used it
            reads = {("bare", key)}
        else:
            whole = {what[1] for what in reads if what[0] == "kind"}
            if whole:           # all of a kind read: each of its records read is said by that
                reads = {what for what in reads if what[0] == "kind" or what[0] == "key" or what[1] not in whole}
        with self._lock:        # (the graph's own dicts now: `adopt` may have handed them over meanwhile)
            users, kinds = self._users, self._kinds
            for what in reads:
                got = users.get(what)
                if got is None:
                    got = users[what] = set()
                    if what[0] != "key":
                        kinds.add(what[1])
                got.add(key)
            self._cache[key] = value
            if bare:
                self._bare.add(key)
        if stack:
            stack[-1].add(("key", key))
        return value

    def _reuse(self, key) -> None:
        """A kept value used while another is derived: that one goes when this one goes."""
        stack = getattr(self._local, "stack", None)
        if stack:
            stack[-1].add(("key", key))

    def memo(self, key, make, of: Record | None = None):
        """What `make()` builds from this graph, built once (a read-side module's index over
        many records, keyed by a tuple naming it; `of`: the record it is about, when the key
        names it by identity)."""
        key = ("memo", key)
        value = self._cache.get(key, _NONE)
        if value is _NONE:
            if self.track:
                return self._keep(key, make, of)
            value = self._cache[key] = make()
        elif self.track:
            self._reuse(key)
        return value

    def constant(self, key, make):
        """What `make(graph)` works out of the settings alone (an account's name), kept untracked: a
        graph adopts another's values only when their settings are the same object."""
        got = self._constants.get(key, _NONE)
        if got is _NONE:
            got = self._constants[key] = make(self)
        return got

    def currency(self, record: Record) -> str:
        """The record's `currency:`, else what it links to (invoice <- project <- client,
        service <- project <- client, income <- its invoice...), else its account's, else the book's."""
        if not self.track:
            cur = self._currencies.get(id(record))     # asked 400,000 times by `export json`: one lookup
            if cur is None:
                cur = self._currencies[id(record)] = self._currency(record.kind, record.data)
            return cur
        key = ("currency", id(record))
        got = self._cache.get(key)
        if got is not None and got[0] is record:     # kept with its record (a record gone keeps no answer)
            self._reuse(key)
            return got[1]
        # it reads only the fields the currency comes from (a drag leaves it)
        return self._keep(key, lambda: (record, self._currency(record.kind, record.data, record.id)))[1]

    def _currency(self, kind: str, data: dict, rid: str | None = None) -> str:
        """`currency_of`, each linked record's currency asked of the graph (kept per record) and
        each account's once: a book of 100,000 transactions does not walk income -> invoice ->
        project -> client, nor the accounts' list, for every one of them. The links go one
        way (CURRENCY_FROM is a tree of kinds, three deep), so this is `currency_of`'s answer.
        Tracked (`rid`: the record's id) as what it reads: those fields of the record, and
        whether each record it links to is there."""
        if self.track and rid is not None:
            for f in currency_fields(kind):
                self._read(("field", kind, rid, f))
        cur = data.get("currency")
        if cur:
            return str(cur)
        for link in CURRENCY_FROM.get(kind, ()):
            rid = data.get(link)
            if not (isinstance(rid, str) and rid):
                continue
            if self.track:
                self._read(("there", link, rid))
            rec = self.book.get(link, rid)
            if rec is not None:
                return self.currency(rec)
        account = data.get(ACCOUNT_FIELD.get(kind, ""))
        if account:
            key = ("account currency", str(account))
            held = self._cache.get(key, self)
            if held is self:
                held = self._cache[key] = self.settings.account_currency(account)
            if held:
                return held
        return self.settings.currency

    def tally(self, name, kinds: tuple[str, ...], part) -> "Tally":
        """Sums over every record of `kinds`, each record adding `part(record)` (pairs of a key
        and a number: Decimal, or an int count). In a tracking graph (serve) each record's part
        is kept (it reads what it reads, as any kept value), and after a change the next graph
        mends the sums (`adopt`): it takes out the parts of the records that went and of those
        whose part read what changed, and adds their parts again: an income added costs one
        part, not 100,000. A value that reads the sums is dropped when they change. `name`
        says what the parts are (with whatever they depend on, a period's days)."""
        with self._tallying:
            t = self._made(name, kinds, part)
        if self.track:
            self._read(("tally", name))
        return t

    def ahead(self, tallies) -> None:
        """Start summing `tallies` ((name, kinds, part), as `tally` takes them) on another core,
        in a forked worker, while this process goes on: a report that will ask for them late
        says so first (`report finance` sums its transactions while it posts the journal).
        `tally` then takes the worker's sums, the same as its own (the same parts of the same
        records): only in a graph that keeps nothing per record, with AHEAD_MIN transactions
        and invoices or more and two cores (`store/parallel.ahead`); else, or if the worker
        fails, they are summed here when asked. The first `tally` asked of them waits for all
        of them (docs/ahead.md)."""
        if self.track:
            return
        todo = [(("tally", name), tuple(kinds), part) for name, kinds, part in tallies
                if name not in self._tallies and ("tally", name) not in self._ahead]
        if not todo:
            return
        size = len(self.book.records("transaction")) + len(self.book.records("invoice"))

        def make() -> bytes:
            for what, _, _ in todo:         # (here, when the worker failed: summed as if never sent)
                self._ahead.pop(what, None)
            return pickle.dumps({what: self._made(what[1], kinds, part).sums for what, kinds, part in todo},
                                pickle.HIGHEST_PROTOCOL)
        got = parallel_ahead(make, size)
        if got is make:
            return
        batch = _Batch(got)
        for what, _, _ in todo:
            self._ahead[what] = batch

    def _made(self, name, kinds, part) -> "Tally":
        t = self._tallies.get(name)
        if t is None and ("tally", name) in self._ahead:       # summed by a worker (`ahead`)
            sums = self._ahead.pop(("tally", name)).sums().get(("tally", name))
            t = self._tallies.get(name)     # (the worker failed: `make` summed it here)
            if t is None and sums is not None:
                t = self._tallies[name] = Tally(name, tuple(kinds))
                t.sums = sums
        if t is None:
            t = Tally(name, tuple(kinds))
            outer = getattr(self._local, "stack", None)
            self._local.stack = []         # the parts are not what the caller read: the sums are
            try:
                for kind in kinds:
                    if self.track:
                        for r in self.book.records(kind):
                            t.add(self._part(t, part, r))
                    else:           # nothing kept per record: the parts summed as they come
                        for r in self.book.records(kind):
                            t.add_pairs(part(r))
            finally:
                self._local.stack = outer
            t.sums = dict(t.work)
            with self._lock:
                self._tallies[name] = t
                if self.track:
                    self._kinds.update(kinds)
        elif t.pending or t.came:
            outer = getattr(self._local, "stack", None)
            self._local.stack = []
            try:
                t.mend(lambda r: self._part(t, part, r))
            finally:
                self._local.stack = outer
        return t

    def ordered(self, name, kind: str, key) -> "Newest":
        """The records of `kind` sorted by `key(record)` (a function of the record's data alone),
        then by file and line (`search.Newest`): kept, and in a tracking graph mended with the
        records that went and came since (`adopt`) rather than sorted again. A value that reads
        it is dropped when it changes."""
        with self._tallying:
            o = self._orders.get(name)
            if o is None:
                o = self._orders[name] = Order(Newest(self.book.records(kind), key, lambda r: True), kind)
                if self.track:
                    self._kinds.add(kind)
            elif o.steps:
                for gone, came in o.steps:
                    o.order = o.order.changed(gone, came)
                o.steps = []
        if self.track:
            self._read(("order", name))
        return o.order

    def _part(self, t: "Tally", part, r: Record):
        got = self._keep(("part", t.name, id(r)), lambda: (r, t.compact(part(r))), r)
        t.parts[id(r)] = got
        return got[1]

    def adopt(self, prev: "Graph") -> bool:
        """Take over from `prev` (a tracking graph of the book this one's was reloaded from,
        `Book.reload`) every kept value that read none of the records that came or went since
        (`Book.changes`), and the indexes, mended where those records were. A drag on a big
        book's client board then derives one client again, an income added its client, its
        invoice and what they feed, not 500 clients and 25,000 invoices. Only when the
        settings and today are the same, and every kind whose files changed was either read
        again whole (so its changes are known) or never read by `prev`'s values. Returns
        whether anything was taken."""
        old, new = prev.book, self.book
        if not (self.track and prev.track) or old is new or new.base is None or new.base() is not old \
                or old.settings is not new.settings or prev.today != self.today:
            return False
        changes = new.changes
        with prev._tallying, prev._lock:    # handed over, not copied (a graph of 100,000 records keeps ~10^6 values)
            if any(kind not in changes and kind in prev._kinds for kind in new.reread):
                return False     # changed, but not read again: not known how
            cache, users, kinds, tallies = prev._cache, prev._users, prev._kinds, prev._tallies
            stale = {k for key in prev._bare for k in users.get(("bare", key), ())}
            prev._cache, prev._users, prev._kinds, prev._bare = {}, {}, set(), set()
            prev._tallies = {}
            orders, prev._orders = prev._orders, {}
            # (a page still drawn on `prev` derives afresh)
        for kind, (gone, came) in changes.items():
            reads = {("kind", kind)}
            nested = [f for k, f in prev._by if k == kind and "." in f]    # `items.service`...
            for r in gone + came:
                reads.add(("id", kind, r.id))
                for field, v in r.data.items():
                    for x in index_keys(v):
                        reads.add(("by", kind, field, x))
                for field in nested:
                    reads.update(("by", kind, field, x) for x in field_keys(r.data, field))
            was, now = defaultdict(list), defaultdict(list)
            for r in gone:
                was[r.id].append(r.data)
            for r in came:
                now[r.id].append(r.data)
            for rid in was.keys() | now.keys():
                a, b = was.get(rid, ()), now.get(rid, ())
                if len(a) == len(b) == 1:        # the same record, edited (or moved): the fields that differ
                    fields = {f for f in a[0].keys() | b[0].keys() if a[0].get(f) != b[0].get(f)}
                else:                            # one came or went: whether it is there, and all it says
                    reads.add(("there", kind, rid))
                    fields = currency_fields(kind)
                reads.update(("field", kind, rid, f) for f in fields)
            for what in reads:
                got = users.get(what)
                if got:
                    stale.update(got)
        def spread(todo):           # and every value that used one of them, and what used that...
            while todo:
                got = users.get(("key", todo.pop()))
                if got:
                    for k in got:
                        if k not in stale:
                            stale.add(k)
                            todo.append(k)
        spread(list(stale))
        for t in tallies.values():  # sums: the parts that went or must be made again, the records that came
            for kind in t.kinds:
                if kind in changes:
                    gone, came = changes[kind]
                    t.came += came
                    t.gone.update(id(r) for r in gone)
        for key in stale:
            if key[0] == "part":
                t, got = tallies.get(key[1]), cache.get(key)
                if t is not None and got is not None:
                    t.pending.append(got)
        for name, o in orders.items():      # an order: the records that went and came, in turn
            if o.kind in changes:
                o.steps.append(changes[o.kind])
                more = [k for k in users.get(("order", name), ()) if k not in stale]
                stale.update(more)
                spread(more)
        for name, t in tallies.items():
            if t.pending or t.came:
                more = [k for k in users.get(("tally", name), ()) if k not in stale]
                stale.update(more)
                spread(more)
        dropped = self.dropped      # freed when the caller says (a big book's journal takes a while)
        for key in stale:           # (`users` may still name them: a key there is only a candidate)
            dropped.append(cache.pop(key, None))
        with self._lock:
            self._cache, self._users, self._kinds, self._tallies = cache, users, kinds, tallies
            self._constants = prev._constants      # the same settings
            self._orders = orders
        for key, groups in prev._by.items():
            kind, field = key
            if kind not in changes:
                self._by[key] = groups
                continue
            gone, came = changes[kind]
            out = dict(groups)
            left = {id(r) for r in gone}
            mend = {x for r in gone + came for x in field_keys(r.data, field)}
            for x in mend:
                keep = [r for r in groups.get(x, ()) if id(r) not in left]
                keep += [r for r in came if x in field_keys(r.data, field)]
                keep.sort(key=lambda r: (r.file, r.line))      # the records' order: shards by name, then line
                if keep:
                    out[x] = keep
                else:
                    out.pop(x, None)
            self._by[key] = defaultdict(list, out)
        return True

    def derived(self, record: Record) -> dict:
        key = (record.kind, id(record))
        value = self._cache.get(key)
        if value is None:
            fn = DERIVE.get(record.kind)
            if fn and self.track:
                return self._keep(key, lambda: fn(self, record), record)
            value = self._cache[key] = fn(self, record) if fn else {}
        elif self.track:
            self._reuse(key)
        return value

    # -- money in -------------------------------------------------------------
    def client_income(self) -> list[Record]:
        return [t for t in self.records("transaction")
                if t.data.get("kind") == "income" and t.data.get("classification") == "client"]

    def received_income(self, kind: str, rid: str, currency: str | None = None) -> Decimal:
        """Received income linked to a record (only income in `currency`, when given). A client's,
        project's or service's counts client income only: a grant linked to a client was not paid by it."""
        field = {"client": "client", "invoice": "invoice", "project": "project", "service": "service"}[kind]
        if self.track:        # per record, as read (serve): an income added re-derives its client's alone
            total = ZERO
            for t in self.by("transaction", field).get(rid, ()):
                got = settles_invoice(t.data)        # with the fee the bank kept: the client paid it
                if got is not None and (kind == "invoice" or is_client_income(t.data)) \
                        and (currency is None or self.currency(t) == currency):
                    total += got[0] + got[1]
            return total
        got = self.income_sums("client" if field == "client" else "work")[("received", field)].get(rid)
        if not got:
            return ZERO
        return sum(got.values(), ZERO) if currency is None else got.get(currency, ZERO)

    def income_sums(self, part: str = "work") -> dict:
        """The income's links summed in one pass over the transactions (an untracked graph's:
        `export json` asks it of 1,500 clients, projects and services at 100,000 transactions),
        in two parts, so a report of clients pays for theirs alone. `part` "client":
        - ("received", "client") -> id -> currency -> received client income naming the client,
          with the fee the bank kept;
        - ("income", "client") -> id -> the ids of the income naming the client, in book order.
        "work":
        - ("received", field) -> id -> currency -> as above, by project and service (client
          income only) and by invoice (any income);
        - ("unaccounted", field) -> id -> currency -> income linked by `field` (project, service)
          that no sent or paid invoice accounts for (work.py's `_unaccounted_income`);
        - ("unattributed", "project") -> id -> that income of a project naming no service, in any
          currency (work.py's `_billed_to_no_service`)."""
        return self.memo(("income sums", part), self._client_income_sums if part == "client" else self._work_income_sums)

    @staticmethod
    def _add(sums: dict, rid: str, cur: str, amount: Decimal) -> None:
        got = sums.get(rid)
        if got is None:
            got = sums[rid] = {}
        got[cur] = got.get(cur, ZERO) + amount

    def _client_income_sums(self) -> dict:
        received, incomes = {}, {}
        add, currency = self._add, self.currency
        for t in self.records("transaction"):
            data = t.data
            if data.get("kind") != "income":
                continue
            clients = index_keys(data.get("client"))
            for rid in clients:
                incomes.setdefault(rid, []).append(t.id)
            got = settles_invoice(data) if clients else None
            if got is not None and is_client_income(data):
                cur = currency(t)
                for rid in clients:
                    add(received, rid, cur, got[0] + got[1])
        return {("received", "client"): received, ("income", "client"): incomes}

    def _work_income_sums(self) -> dict:
        out: dict = {("received", f): {} for f in ("project", "service", "invoice")}
        out.update({("unaccounted", "project"): {}, ("unaccounted", "service"): {}, ("unattributed", "project"): {}})
        received = [(f, out[("received", f)]) for f in ("project", "service", "invoice")]
        unaccounted = [(f, out[("unaccounted", f)]) for f in ("project", "service")]
        unattributed = out[("unattributed", "project")]
        add, currency, get = self._add, self.currency, self.get
        for t in self.records("transaction"):
            data = t.data
            if data.get("kind") != "income":
                continue
            cur = None
            got = settles_invoice(data)
            if got is not None:
                amount = got[0] + got[1]
                any_only = not is_client_income(data)
                for field, sums in received:
                    if any_only and field != "invoice":
                        continue
                    for rid in index_keys(data.get(field)):
                        cur = cur or currency(t)
                        add(sums, rid, cur, amount)
            inv = data.get("invoice")
            inv = get("invoice", inv) if isinstance(inv, str) else None
            if inv is not None and inv.data.get("status") in BILLED:
                continue
            for field, sums in unaccounted:
                for rid in index_keys(data.get(field)):
                    cur = cur or currency(t)
                    add(sums, rid, cur, dec(data.get("amount")))
            if not data.get("service"):
                for rid in index_keys(data.get("project")):
                    unattributed[rid] = unattributed.get(rid, ZERO) + dec(data.get("amount"))
        return out

    def totals(self, inv: Record) -> tuple[Decimal, Decimal, Decimal]:
        """(subtotal, tax, total) of invoice `inv`, rounded as the book's tax_rounding says."""
        data = inv.data
        key = ("totals", id(data))
        got = self._cache.get(key)
        if got is None or got[0] is not data:     # kept with its data: a record made for a check is not another's
            got = self._cache[key] = (data, totals_of(self.tax_groups(inv)))
        return got[1]

    def tax_groups(self, inv: Record) -> tuple:
        """`money.tax_groups` of invoice `inv`, as the book's `tax_per_line` says, kept with its
        data (the totals, the journal's tax postings and the VAT report all ask)."""
        data = inv.data
        key = ("tax groups", id(data))
        got = self._cache.get(key)
        if got is None or got[0] is not data:
            got = self._cache[key] = (data, tuple(tax_groups(data, per_line=self.settings.tax_per_line)))
        return got[1]

    # -- time -----------------------------------------------------------------
    def hours(self, field: str, rid: str) -> Decimal:
        return sum((dec(e.data.get("hours")) for e in self.by("time", field).get(rid, ())), Decimal(0))

    def rate_for(self, service: Record | None, project: Record | None) -> tuple[Decimal | None, str]:
        """Hourly rate by service, then project, then client, then the book: (rate, where from)."""
        if service is not None and service.data.get("pricing", "hourly") == "hourly" and isinstance(service.data.get("rate"), Decimal):
            return service.data["rate"], f"service {service.id}"
        if project is not None and isinstance(project.data.get("rate"), Decimal):
            return project.data["rate"], f"project {project.id}"
        client = None
        for rec in (service, project):
            if rec is not None and rec.data.get("client") and client is None:
                client = self.get("client", rec.data["client"])
        if client is not None and isinstance(client.data.get("default_rate"), Decimal):
            return client.data["default_rate"], f"client {client.id}"
        book_rate = self.settings.get("default_rate")
        if isinstance(book_rate, (int, Decimal)) and not isinstance(book_rate, bool) and book_rate > 0:
            return Decimal(book_rate), "book"
        return None, ""

    def account_balances(self, upto: dt.date | None = None) -> list[dict]:
        """Per account and currency: opening balance, money in, money out, balance (moved
        money only). An account that names its currency has one row in it; one that does not
        has a row in the book's currency and one per other currency that moved through it.
        Summed from one part per transaction and transfer (`tally`)."""
        out = []
        accounts = self.settings.accounts()
        book = self.settings.currency
        sums = self.tally(*self.balances_tally(upto)).sums
        rows = {(a["id"], a["currency"] or book) for a in accounts}
        rows.update(key[1:] for key in sums if key[0] == "acc")
        names = {a["id"]: a for a in accounts}
        order = {a["id"]: i for i, a in enumerate(accounts)}

        def home(acc: str) -> str:        # the account's own currency (the book's when it names none)
            return (names[acc]["currency"] if acc in names else None) or book
        for acc, cur in sorted(rows, key=lambda k: (order.get(k[0], len(order)), k[0], k[1] != home(k[0]), k[1])):
            a = names.get(acc)
            inflow, outflow = sums.get(("in", acc, cur), ZERO) + ZERO, sums.get(("out", acc, cur), ZERO) + ZERO
            moved = sums.get(("moved", acc, cur), ZERO) + ZERO
            opening = a["opening_balance"] + ZERO if a is not None and cur == home(acc) else ZERO
            out.append({"account": acc, "name": a["name"] if a is not None else acc,
                        "opening_balance": opening, "money_in": inflow, "money_out": outflow,
                        "transfers": moved, "balance": opening + inflow - outflow + moved, "currency": cur})
        return out

    def balances_tally(self, upto: dt.date | None) -> tuple:
        """The tally `account_balances(upto)` sums, as `tally` and `ahead` take it."""
        accounts = self.settings.accounts()
        first = accounts[0]["id"] if accounts else ""
        return ("balances", upto), ("transaction", "transfer"), lambda r: self._balance_part(r, upto, first)

    def _balance_part(self, r: Record, upto: dt.date | None, first: str) -> list:
        """What transaction or transfer `r` adds to `account_balances(upto)`."""
        if r.kind == "transfer":        # between own accounts, net
            out = []
            for acc, cur, amount, d in transfer_legs(self, r):
                if upto is None or d <= upto:
                    out += [(("acc", acc, cur), 1), (("moved", acc, cur), amount)]
            return out
        if r.data.get("received") is not True:
            return []
        d = r.data.get("date")
        if upto is not None and isinstance(d, dt.date) and d > upto:
            return []
        acc = str(r.data.get("account") or first)
        cur = self.currency(r)
        return [(("acc", acc, cur), 1),
                (("in" if r.data.get("kind") == "income" else "out", acc, cur), dec(r.data.get("amount")))]


class Carried:
    """A value carried in a tally's key (a row, which is not hashable), equal only to itself:
    the part that added it is the part that takes it out."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class Order:
    """A kept `Newest` of a kind (`Graph.ordered`) and the changes (gone, came) to apply to it."""
    __slots__ = ("order", "kind", "steps")

    def __init__(self, order, kind: str):
        self.order, self.kind, self.steps = order, kind, []


class _Batch:
    """What a worker made (`Graph.ahead`): ("tally", name) -> sums, unpickled once."""
    def __init__(self, result):
        self._result = result
        self._sums = None

    def sums(self) -> dict:
        if self._sums is None:
            self._sums = pickle.loads(self._result())
        return self._sums


class Tally:
    """Sums made of one part per record (`Graph.tally`): `sums[key]`, and how many parts add
    to each key (a key no part adds to any more is gone, as it would be from sums made
    afresh). Decimal sums are exact, so taking a part out and adding another gives the
    sums made afresh, to the cent."""

    def __init__(self, name, kinds: tuple[str, ...]):
        self.name, self.kinds = name, kinds
        self.sums: dict = {}        # as last made or mended: never changed after (a page may still read it)
        self.work: dict = {}        # the sums being mended
        self.n: dict = {}
        self.keys: dict = {}        # every key a part has named, once
        self.parts: dict = {}       # id(record) -> (record, its part): a tracking graph's
        self.pending: list = []     # (record, part) dropped by `adopt`: to take out, and make again unless gone
        self.came: list = []        # records that came since the sums were mended
        self.gone: set = set()      # ids of records that went since

    def compact(self, pairs) -> tuple:
        """A part as kept: one flat tuple (key, amount, key, amount...), each key the tally's own
        object (a server keeps a part per record and tally: 100,000s of them)."""
        keys = self.keys
        out = []
        for k, v in pairs:
            out.append(keys.setdefault(k, k))
            out.append(v)
        return tuple(out)

    def add(self, part: tuple) -> None:
        sums, n = self.work, self.n
        it = iter(part)
        for k, v in zip(it, it):
            got = sums.get(k)
            if got is None:
                sums[k], n[k] = v, 1
            else:
                sums[k], n[k] = got + v, n[k] + 1

    def add_pairs(self, pairs) -> None:
        """`add` of a part as `part` made it, (key, amount) pairs, by a graph that never mends
        (no count kept of the parts that add to each key)."""
        sums = self.work
        get = sums.get
        for k, v in pairs:
            got = get(k)
            sums[k] = v if got is None else got + v

    def take(self, part: tuple) -> None:
        sums, n = self.work, self.n
        it = iter(part)
        for k, v in zip(it, it):
            left = n[k] - 1
            if left:
                sums[k], n[k] = sums[k] - v, left
            else:
                del sums[k], n[k]

    def mend(self, make) -> None:
        """Take out the pending parts, and add the parts (`make(record)`) of the records still
        there whose part was dropped, and of those that came."""
        redo: dict = {}
        for rec, part in self.pending:
            have = self.parts.get(id(rec))
            if have is not None and have[0] is rec and have[1] is part:
                self.take(part)
                del self.parts[id(rec)]
            if id(rec) not in self.gone:
                redo[id(rec)] = rec
        for rec in self.came:
            if id(rec) not in self.gone:
                redo[id(rec)] = rec
        self.pending, self.came, self.gone = [], [], set()
        for rec in redo.values():
            if id(rec) not in self.parts:
                self.add(make(rec))
        self.sums = dict(self.work)


def currency_fields(kind: str) -> tuple[str, ...]:
    """The fields a record's currency is taken from (`Graph._currency`)."""
    return ("currency", *CURRENCY_FROM.get(kind, ()), *((ACCOUNT_FIELD[kind],) if kind in ACCOUNT_FIELD else ()))


def field_keys(data: dict, field: str) -> list[str]:
    """What `Graph.by` files a record's `data` under for `field`: `index_keys` of its value, or
    for `list.sub` (`items.service`) each text that a mapping of the list names under `sub`,
    once."""
    if "." not in field:
        return index_keys(data.get(field))
    top, sub = field.split(".", 1)
    v = data.get(top)
    if not isinstance(v, list):
        return []
    return list(dict.fromkeys(x.get(sub) for x in v if isinstance(x, dict) and isinstance(x.get(sub), str)))


def index_keys(v) -> list[str]:
    """What `Graph.by` files a field's value under: a text as it is, each text of a list, any
    other value as text (none for None)."""
    if v is None:
        return []
    if v.__class__ is str:
        return [v]
    if isinstance(v, list):
        return [x for x in v if isinstance(x, str)]
    return [str(v)]


class Reading:
    """A `Graph.by` index seen by a value being derived (`Graph.track`): each value looked
    up is noted as read; going through all of them reads the whole kind."""
    __slots__ = ("groups", "reads", "kind", "field")

    def __init__(self, groups, reads, kind, field):
        self.groups, self.reads, self.kind, self.field = groups, reads, kind, field

    def get(self, value, default=None):
        self.reads.add(("by", self.kind, self.field, value))
        return self.groups.get(value, default)

    def __getitem__(self, value):
        self.reads.add(("by", self.kind, self.field, value))
        return self.groups[value]

    def __contains__(self, value):
        self.reads.add(("by", self.kind, self.field, value))
        return value in self.groups

    def _all(self):
        self.reads.add(("kind", self.kind))
        return self.groups

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())

    def keys(self):
        return self._all().keys()

    def values(self):
        return self._all().values()

    def items(self):
        return self._all().items()


def currency_of(get, settings, kind: str, data: dict, _depth: int = 0) -> str:
    """The currency of a record's `data` (of `kind`), following `rules.CURRENCY_FROM`;
    `get(kind, id)` finds linked records (a Graph's or a Book's `get`). Used for records on
    disk and for the data a write is about to store."""
    cur = data.get("currency")
    if cur:
        return str(cur)
    if _depth < 4:
        for link in CURRENCY_FROM.get(kind, ()):
            rid = data.get(link)
            rec = get(link, rid) if isinstance(rid, str) and rid else None
            if rec is not None:
                return currency_of(get, settings, link, rec.data, _depth + 1)
    account = data.get(ACCOUNT_FIELD.get(kind, ""))
    if account:
        held = settings.account_currency(account)
        if held:
            return held
    return settings.currency


def transfer_legs(g: "Graph", t) -> list[tuple[str, str, Decimal, dt.date]]:
    """A transfer's two movements as (account, currency, signed amount, date): out of
    `from_account` in the transfer's currency, into `to_account` in that account's (the
    `to_amount` when they differ). None for a transfer validate reports as unreadable."""
    d, amount = t.data.get("date"), t.data.get("amount")
    src, dst = t.data.get("from_account"), t.data.get("to_account")
    if not isinstance(d, dt.date) or not isinstance(amount, Decimal) or not amount.is_finite() or not src or not dst:
        return []
    cur = g.currency(t)
    to_cur = to_currency_of(g.settings, t.data, cur)
    to_amount = t.data.get("to_amount")
    if to_cur == cur:
        got = amount
    elif isinstance(to_amount, Decimal) and to_amount.is_finite():
        got = to_amount
    else:
        return [(str(src), cur, -amount, d)]     # validate: no to_amount for the other currency
    return [(str(src), cur, -amount, d), (str(dst), to_cur, got, d)]


# The field naming the account a record's money is in: a transfer's currency is the one the
# money left in (its `to_amount` is in the account it reached, `to_currency_of`).
ACCOUNT_FIELD = {"transaction": "account", "transfer": "from_account", "balance": "account"}


def to_currency_of(settings, data: dict, currency: str) -> str:
    """The currency a transfer (in `currency`) reached its `to_account` in: the account's own
    when it names one, else the transfer's."""
    to = data.get("to_account")
    return (settings.account_currency(to) if to else None) or currency


# -- derivations per kind ------------------------------------------------------

def _invoice(g: Graph, inv: Record) -> dict:
    subtotal, tax, total = g.totals(inv)
    s = settlement(g, inv)              # the one answer to what it still owes (read/owed.py)
    late = overdue_days(g, inv)
    return {
        "subtotal": subtotal, "tax": tax, "total": total, "received": s.received, "balance": s.balance,
        "credited": s.credited, "fees": s.fees, "settled": s.settled,
        "due_date": due_date(g, inv), "overdue": late > 0,
        "days_overdue": late,
        "partially_paid": ZERO < s.received < total and s.balance > 0,
        "prepaid": s.prepaid, "prepaid_net": prepaid(g, inv).net_total,
        "currency": s.currency,
    }


def _client(g: Graph, c: Record) -> dict:
    invoices = g.by("invoice", "client").get(c.id, [])
    cur = g.currency(c)
    invoiced = gross = ZERO
    other: dict[str, Decimal] = {}   # invoiced in other currencies: shown, never added in
    for inv in invoices:
        if inv.data.get("status") in BILLED:
            d = g.derived(inv)
            if d["currency"] != cur:
                other[d["currency"]] = other.get(d["currency"], ZERO) + d["subtotal"]
                continue
            invoiced += d["subtotal"] - d["prepaid_net"]    # net of tax: tax is collected, not earned
            gross += d["total"] - d["prepaid"]               # (docs/completion.md); a final invoice's deposits once
    outstanding = client_outstanding(g, c.id, cur)     # read/owed.py: as aging and the boards say
    cv = c.data.get("contract_value")
    income = g.income_sums("client")[("income", "client")].get(c.id, []) if not g.track else \
        [t.id for t in g.by("transaction", "client").get(c.id, []) if t.data.get("kind") == "income"]
    return {
        "invoiced": invoiced,
        "invoiced_pct": pct(invoiced, cv),
        "invoiced_gross": gross,
        "received": g.received_income("client", c.id, cur),
        "outstanding": outstanding,
        "currency": cur,
        "invoiced_other_currencies": {k: other[k] for k in sorted(other)},
        "invoices": [i.id for i in invoices],
        "projects": [p.id for p in g.by("project", "client").get(c.id, [])],
        "services": [s.id for s in g.by("service", "client").get(c.id, [])],
        "income": list(income),
        "meetings": [m.id for m in g.by("meeting", "attendees").get(c.id, [])],
    }


def _project(g: Graph, p: Record) -> dict:
    # hours, work value, invoiced (net) and unbilled: docs/completion.md
    w = project_work(g, p)
    basis = p.data.get("basis") or ("hours" if p.data.get("estimated_hours") else ("invoicing" if p.data.get("value") else None))
    completion, note = None, None
    if basis == "hours":
        completion = pct(w["actual_hours"], p.data.get("estimated_hours"))
        if completion is None:
            note = "no estimated_hours to measure booked hours against"
    elif basis == "invoicing":
        completion = pct(w["invoiced"], p.data.get("value"))
        if completion is None:
            note = "no value to measure the invoiced amount against"
    else:
        note = "no estimated_hours or value: set one to track completion"
    return {
        **w, "received": g.received_income("project", p.id, g.currency(p)),
        "quoted": quotes.quoted(g, p), "quote": p.data.get("quote"),
        "basis": basis, "completion_pct": completion, "completion_note": note,
        "overrun": completion is not None and completion > HUNDRED,
        "currency": g.currency(p),
    }


def _service(g: Graph, s: Record) -> dict:
    # amount, hours, work value, invoiced, unbilled: docs/completion.md
    return {**service_work(g, s), "received": g.received_income("service", s.id, g.currency(s)),
            "currency": g.currency(s)}


def _contact(g: Graph, c: Record) -> dict:
    meetings = sorted(g.by("meeting", "attendees").get(c.id, []), key=lambda m: str(m.data.get("start")))
    now = dt.datetime.combine(g.today, dt.time())
    upcoming = [m for m in meetings if isinstance(m.data.get("start"), dt.datetime) and m.data["start"] >= now]
    return {"meetings": [m.id for m in meetings], "next_meeting": upcoming[0].id if upcoming else None}


def _resource(g: Graph, r: Record) -> dict:
    todos = r.data.get("todos") if isinstance(r.data.get("todos"), list) else []
    return {"open_todos": sum(1 for t in todos if isinstance(t, dict) and not t.get("done"))}


def measured(g: Graph, goal: Record) -> Decimal | None:
    """A goal's actual computed from the books (`measure: income|savings` over its `period`,
    else from its start to its target date): received income, less paid expenses for savings,
    in the goal's unit when that is a currency code, else the book's currency."""
    measure = goal.data.get("measure")
    if measure not in ("income", "savings"):
        return None
    first, last = goal.data.get("start"), goal.data.get("target_date")
    if goal.data.get("period"):
        try:
            first, last = parse_period(str(goal.data["period"]), "period")
        except UsageError:
            return None  # validate reports it
    unit = str(goal.data.get("unit") or "")
    cur = unit if len(unit) == 3 and unit.isalpha() and unit.isupper() else g.settings.currency
    total = ZERO
    for t in g.records("transaction"):
        d = t.data.get("date")
        if t.data.get("received") is not True or not isinstance(d, dt.date) or g.currency(t) != cur:
            continue
        if (isinstance(first, dt.date) and d < first) or (isinstance(last, dt.date) and d > last):
            continue
        if t.data.get("kind") == "income":
            total += dec(t.data.get("amount"))
        elif t.data.get("kind") == "expense" and measure == "savings":
            total -= dec(t.data.get("amount"))
    return total


def _goal(g: Graph, goal: Record) -> dict:
    target, actual = goal.data.get("target"), goal.data.get("actual")
    computed = measured(g, goal)
    actual = computed if computed is not None else (actual if isinstance(actual, Decimal) else ZERO)
    completion = pct(actual, target)
    start, end = goal.data.get("start"), goal.data.get("target_date")
    expected = None
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end > start:
        elapsed = min(max((g.today - start).days, 0), (end - start).days)
        expected = (Decimal(elapsed) * HUNDRED / Decimal((end - start).days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    on_track = None if completion is None or expected is None else completion >= expected
    return {"actual": actual, "completion_pct": completion, "expected_pct": expected, "on_track": on_track}


def _meeting(g: Graph, m: Record) -> dict:
    start, end = m.data.get("start"), m.data.get("end")
    if not isinstance(end, dt.datetime) and isinstance(start, dt.datetime):
        minutes = parse_duration(m.data.get("duration") or "") if m.data.get("duration") else None
        try:
            end = start + dt.timedelta(minutes=minutes if minutes is not None else 60)
        except OverflowError:
            end = start
    return {"end_time": end}


def _recurring(g: Graph, r: Record) -> dict:
    """A schedule's next invoice day (docs/recurring.md) and the invoices it made."""
    made = [i.id for i in g.by("invoice", "recurring").get(r.id, ())]
    return {"next": next_day(r.data, g.today), "invoices": sorted(made)}


def _supplier(g: Graph, s: Record) -> dict:
    """What was spent with a supplier this year (paid expenses, per currency; `spent` in its
    own), its open bills and what they still owe (docs/suppliers.md)."""
    cur = g.currency(s)
    year = g.today.year
    spent: dict[str, Decimal] = {}
    open_by: dict[str, Decimal] = {}
    bills, expenses, open_bills, overdue = [], [], [], 0
    for t in g.by("transaction", "supplier").get(s.id, ()):
        if t.data.get("kind") != "expense":
            continue
        expenses.append(t.id)
        amount, d, tcur = t.data.get("amount"), t.data.get("date"), g.currency(t)
        if not isinstance(amount, Decimal) or not amount.is_finite():
            continue
        if t.data.get("received") is True and isinstance(d, dt.date) and d.year == year:
            spent[tcur] = spent.get(tcur, ZERO) + amount
        if is_bill(t.data):
            bills.append(t.id)
            if bill_status(t.data) == "open":
                open_bills.append(t.id)
                open_by[tcur] = open_by.get(tcur, ZERO) + amount
                due = t.data.get("due")
                overdue += isinstance(due, dt.date) and due < g.today
    order = lambda d: {k: d[k] for k in sorted(d, key=lambda c: (c != cur, c))}  # noqa: E731
    return {"spent": spent.get(cur, ZERO), "spent_by_currency": order(spent), "spent_year": year,
            "open_bills": len(open_bills), "open_amount": open_by.get(cur, ZERO),
            "open_by_currency": order(open_by), "overdue_bills": overdue,
            "bills": bills, "expenses": expenses, "currency": cur}


def _transaction(g: Graph, t: Record) -> dict:
    """A bill's status (open, paid, draft) and whether it is overdue; an expense's input tax."""
    if t.data.get("kind") != "expense":
        return {}
    out: dict = {}
    taxes = expense_taxes(t.data, g.currency(t))
    if taxes:
        out["tax"] = sum((x for _, x in taxes), ZERO)
    if is_bill(t.data):
        status = bill_status(t.data)
        due = t.data.get("due")
        out.update(status=status, overdue=status == "open" and isinstance(due, dt.date) and due < g.today)
    return out


DERIVE = {"quote": quotes.derive, "supplier": _supplier, "transaction": _transaction, "recurring": _recurring, "invoice": _invoice, "client": _client, "project": _project, "service": _service,
          "contact": _contact, "resource": _resource, "goal": _goal, "meeting": _meeting}
