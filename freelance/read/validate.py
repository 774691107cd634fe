"""Every check of SPEC section 5, as small functions in a list.

Each check takes the graph and yields `Problem`s; `validate` runs them all
and returns every problem sorted, never stopping at the first.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Callable, Iterable

from ..core.durations import HOURS_PLACES, MAX_DAY_HOURS, MAX_ENTRY_HOURS
from ..core.errors import DataError, did_you_mean, FreelanceError, Problem, UsageError
from .graph import Graph, to_currency_of
from .owed import written_off
from ..store.git import GITATTRIBUTES, registration_problem
from ..core.limits import line_problem, number_problem, whole
from ..core.rules import (BILLED, ON_ACCOUNT, is_draft_id, DATE_PAIRS, TEXT_CHECKS, business_problem, date_problems, invoice_number_problem, is_currency,
                    is_email, is_id, is_url, moved_after, number_regex, seal_problem)
from ..core.schema import COMMON_FIELDS, KINDS, Field, Kind
from ..core.settings import ACCOUNT_KEYS, BUSINESS, DEFAULTS, LISTS, OPTIONAL, OUTBOX, SETTINGS, SETTINGS_FILE, opening_balance
from ..store.documents import receipt_present
from ..store.files import read_logo
from ..store.records import Record
from .work import TIMER_FILE, project_id_of, project_of, services_of, timer_problems
import os
from ..core import csvformat
from ..core.dates import parse_period
from ..core.rules import CURRENCY_FROM, WHOLE_AMOUNTS, fits, may_lack, places_message, transfer_problems
from ..core.text import fmt_money
from ..store.book import STATE_DIR, tracked_state_files
from ..store.yamlio import read_mapping
from .classify import RULES_FILE, read_rules
from .finance import reconcile


def _p(r: Record, key: str, message: str, severity: str = "error") -> Problem:
    return Problem(r.file, r.line_of(key), severity, r.kind if r.kind != "transaction" else str(r.data.get("kind") or "transaction"), r.id, message)




def check_ids(g: Graph) -> Iterable[Problem]:
    out: list[Problem] = []
    valid = is_id
    for name in KINDS:
        seen: dict[str, Record] = {}
        for r in g.records(name):
            rid = r.data.get("id")
            if rid in (None, ""):
                out.append(Problem(r.file, r.line, "error", name, "", "record has no id"))
                continue
            rid = str(rid)
            if not valid(rid):
                out.append(_p(r, "id", "an id is letters, digits, '.', '_' and '-' only"))
            first = seen.get(rid)
            if first is not None and name == "invoice":
                out.append(_p(r, "id", f"duplicate invoice number (first at {first.file}:{first.line}): two "
                                       "invoices under one number (made on two devices?); renumber the one not "
                                       "sent yet; a sent invoice is never renumbered: if both were sent, void "
                                       "this one with a credit note and issue it again under the next number"))
            elif first is not None:
                out.append(_p(r, "id", f"duplicate id (first at {first.file}:{first.line})"))
            else:
                seen[rid] = r
    return out


def check_fields(g: Graph) -> Iterable[Problem]:
    """Required fields, unknown keys, allowed values, simple value checks.

    The hot loop of `validate` (every value of every record): what each field
    needs checking (allowed values, link indexes) is worked out once per kind
    by `_mapping_checker`, and fields with nothing to check are skipped."""
    out: list[Problem] = []
    for name, kind in KINDS.items():
        check = _mapping_checker(g, kind, kind.fields, kind.field_map)
        for r in g.records(name):
            check(r, r.data, "", out)
    return out


def _mapping_checker(g: Graph, kind: Kind, fields, field_map):
    """A function (record, mapping, where, out) appending the problems of one mapping."""
    known = frozenset(field_map) | COMMON_FIELDS
    required = [f for f in fields if f.required]
    checkers = [(name, fn) for name, f in field_map.items()
                if (fn := _value_checker(g, kind, f)) is not None]
    is_tx = kind.name == "transaction"

    def check(r: Record, data: dict, where: str, out: list) -> None:
        for f in required:
            v = data.get(f.name)
            if v is None or (not v and isinstance(v, (str, list))):   # `in (None, "", [])`, without
                # comparing a Decimal to "" (which asks numbers.Rational, an ABC: slow)
                if is_tx and not where and may_lack(kind.name, f.name, data):
                    continue
                if f.name == "kind" and is_tx:
                    out.append(_p(r, "id", "kind is missing: expected income or expense"))
                else:
                    out.append(_p(r, f.name if f.name in r.lines else "id", f"{where}{f.name} is missing"))
        if not known.issuperset(data):
            for key in data:
                if key not in known:
                    out.append(_p(r, key, f"unknown key '{where}{key}'{did_you_mean(key, field_map)}", "warning"))
        for key, fn in checkers:
            value = data.get(key)
            if value is not None:
                fn(r, value, where, out)
    return check


SUGGESTED = 20_000  # words compared for the did-you-mean hints of one field, in all (see _Hints)


class _Hints:
    """The did-you-mean of a value a field does not take, among `words()` (its allowed
    values, or the ids it may link to). Each costs a pass over the words (difflib: tens of
    microseconds a word), so: one per distinct value, and only while they cost SUGGESTED
    comparisons in all; a book of 100,000 wrong values stays linear, the first ones get a hint."""

    def __init__(self, words: Callable[[], list]):
        self.words, self.known, self.spent = words, {}, 0

    def __call__(self, value) -> str:
        hint = self.known.get(value)
        if hint is None:
            words = self.words()
            if self.spent and self.spent + len(words) > SUGGESTED:
                hint = ""
            else:
                hint = did_you_mean(value, words)
                self.spent += len(words) or 1
            self.known[value] = hint
        return hint


def _value_checker(g: Graph, kind: Kind, f: Field):
    """A function (record, value, where, out) for field `f`, or None when no value of it
    can have a problem here (the reader already checked its type)."""
    if f.type == "records":
        sub = _mapping_checker(g, kind, f.sub, {s.name: s for s in f.sub})

        def records(r, value, where, out):
            if not isinstance(value, list):
                return
            name = where + f.name
            for i, item in enumerate(value, 1):
                if not isinstance(item, dict):
                    out.append(_p(r, f.name, f"{name}[{i}]: expected a mapping"))
                else:
                    sub(r, item, f"{name}[{i}].", out)
        return records
    money = f.type in ("money", "decimal")
    allowed: list[str] = list(f.choices) or (g.settings.allowed(f.setting) if f.setting else [])
    allowed_set = frozenset(allowed) if (f.choices or f.setting) else None
    indexes = [g.book.index(k) for k in f.link] if f.type in ("link", "links") else None
    c = f.check
    if allowed_set is None and indexes is None and not c:
        return None
    src = f" (the book's {f.setting})" if f.setting else ""

    allowed_hint = _Hints(lambda: allowed)
    shown = ", ".join(allowed) if len(allowed) <= 30 else ", ".join(allowed[:30]) + f" and {len(allowed) - 30} more"

    def not_allowed(r, value, where, out):
        out.append(_p(r, f.name, f"{where}{f.name} '{value}' is not one of {shown}{src}{allowed_hint(value)}"))

    link_hint = _Hints(lambda: [i for idx in indexes for i in idx])

    def no_target(r, target, where, out):
        out.append(_p(r, f.name, f"{where}{f.name} '{target}': no such {' or '.join(f.link)}{link_hint(target)}"))

    # the common shapes first: one plain test per value
    if allowed_set is not None and indexes is None and not c:
        def choice(r, value, where, out):
            if isinstance(value, str) and value not in allowed_set:
                not_allowed(r, value, where, out)
        return choice
    if indexes is not None and len(indexes) == 1 and allowed_set is None and not c and f.type == "link":
        idx = indexes[0]

        def link(r, value, where, out):
            if value.__class__ is str:
                if value not in idx:
                    no_target(r, value, where, out)
            else:
                for target in (value if isinstance(value, list) else (value,)):
                    if isinstance(target, str) and target not in idx:
                        no_target(r, target, where, out)
        return link
    if money and allowed_set is None and indexes is None:
        def rule(r, value, where, out):
            if isinstance(value, Decimal):
                _check_rule(r, f, c, value, where + f.name, out)
        return rule

    def value_check(r, value, where, out):
        if money and not isinstance(value, Decimal):
            return  # the reader reported it
        if allowed_set is not None and isinstance(value, str) and value not in allowed_set:
            not_allowed(r, value, where, out)
        if indexes is not None:
            for target in (value if isinstance(value, list) else (value,)):
                if isinstance(target, str) and not any(target in idx for idx in indexes):
                    no_target(r, target, where, out)
        if c and isinstance(value, (Decimal, str)):
            _check_rule(r, f, c, value, where + f.name, out)
        elif c and isinstance(value, list):      # a list of strings with a rule (other_emails)
            for v in value:
                if isinstance(v, str):
                    _check_rule(r, f, c, v, where + f.name, out)
    return value_check


def _check_rule(r: Record, f: Field, c: str, value, name: str, out: list) -> None:
    if c == "email" and isinstance(value, str) and not is_email(value):
        out.append(_p(r, f.name, f"{name} {value!r} does not look like an email address"))
    elif c == "url" and isinstance(value, str) and not is_url(value):
        out.append(_p(r, f.name, f"{name} {value!r} is not a URL (expected https://...)"))
    elif c == "currency" and isinstance(value, str) and not is_currency(value):
        out.append(_p(r, f.name, f"{name} {value!r} is not a three-letter code like USD or EUR"))
    elif c in TEXT_CHECKS and isinstance(value, str):
        problem = TEXT_CHECKS[c](value)
        if problem:
            out.append(_p(r, f.name, f"{name} {value!r}: {problem}"))
    elif isinstance(value, Decimal):
        if c == "positive" and value <= 0:
            out.append(_p(r, f.name, f"{name} must be more than zero, got {value}"))
        elif c == "nonnegative" and value < 0:
            out.append(_p(r, f.name, f"{name} must not be negative, got {value}"))
        elif c == "percent" and not (0 <= value <= 100):
            out.append(_p(r, f.name, f"{name} must be a percentage from 0 to 100, got {value}"))
        elif c == "hours" and not (0 < value <= MAX_ENTRY_HOURS):
            out.append(_p(r, f.name, f"{name} must be more than 0 and at most 24 in one entry, got {value}"))
        elif c == "hours" and value.as_tuple().exponent < -HOURS_PLACES:
            out.append(_p(r, f.name, f"{name} {value} is finer than any clock: `time log` keeps at most "
                                     f"{HOURS_PLACES} decimal places of an hour (a few milliseconds)", "warning"))


def check_future_money(g: Graph) -> Iterable[Problem]:
    for t in g.records("transaction"):
        msg = moved_after(t.data, g.today)
        if msg:
            yield _p(t, "date", msg + "; if it has not moved yet, make it expected (received: false)", "warning")


def check_dates(g: Graph) -> Iterable[Problem]:
    for kind_name in DATE_PAIRS:
        for r in g.records(kind_name):
            for bad in date_problems(kind_name, r.data):
                yield _p(r, *bad)


def check_shards(g: Graph) -> Iterable[Problem]:
    for kind in KINDS.values():
        if not kind.sharded:
            continue
        for r in g.records(kind.name):
            d = r.data.get(kind.shard_by)
            year = r.file.rsplit("/", 1)[-1][:-5]
            if isinstance(d, dt.date) and year.isdigit() and str(d.year) != year:
                yield _p(r, kind.shard_by, f"dated {d.year} but kept in {r.file}", "warning")


def check_invoices(g: Graph) -> Iterable[Problem]:
    by_year = defaultdict(list)
    for inv in g.records("invoice"):
        d = g.derived(inv)
        status = inv.data.get("status")
        items, amount = inv.data.get("items"), inv.data.get("amount")
        if not items and amount is None and status != "void":
            yield _p(inv, "id", "invoice has neither items nor amount")
        for i, it in enumerate(items if isinstance(items, list) else (), 1):
            q, price = it.get("quantity", Decimal(1)) if isinstance(it, dict) else None, \
                it.get("unit_price") if isinstance(it, dict) else None
            bad = isinstance(q, Decimal) and isinstance(price, Decimal) and q.is_finite() and price.is_finite() \
                and line_problem(q, price)
            if bad:
                yield _p(inv, "items", f"items[{i}]: {bad}")
        if isinstance(items, list) and items and isinstance(amount, Decimal) and amount != d["subtotal"]:
            yield _p(inv, "amount", f"amount {amount} disagrees with its items, which add up to {d['subtotal']}")
        if status == "paid" and d["received"] <= 0 and inv.data.get("credit_for"):
            pass                        # a credit note is settled by a refund or set off, not by income
        elif status == "paid" and d["received"] <= 0 and not d["credited"] and not written_off(inv):
            yield _p(inv, "status", "paid, but no received income is linked to it")
        elif status == "paid" and d["balance"] > 0:
            yield _p(inv, "status", f"paid, but it still owes {d['balance']} of its total {d['total']} "
                                    f"(received {d['received']})", "warning")
        if d["balance"] < 0 and status != "void" and not inv.data.get("credit_for"):
            yield _p(inv, "id", f"overpaid: received {d['received']}"
                                + (f" and settled {d['credited'] + written_off(inv)} otherwise" if d['credited'] or written_off(inv) else "")
                                + f" against a total of {d['total']}")
        if status == "draft" and d["received"] > 0:
            yield _p(inv, "status", "still a draft, but income is linked to it", "warning")
        start, end = inv.data.get("supply_start"), inv.data.get("supply_end")   # (their order: check_dates)
        if isinstance(end, dt.date) and not isinstance(start, dt.date):
            yield _p(inv, "supply_end", "supply_end without supply_start: a period of supply needs its first day "
                                        "(`--supplied DATE`)")
        sealed = seal_problem(inv.data)
        if sealed:
            yield _p(inv, "seal", sealed[1], sealed[0])
        issued = inv.data.get("issued")
        m = _NUMBERED(inv.id) if not is_draft_id(inv.id) else None     # a draft has no number yet
        if isinstance(issued, dt.date) and m and whole(m.group(2)) is not None:
            by_year[(issued.year, m.group(1))].append((whole(m.group(2)), inv))
    for (year, prefix), seq in by_year.items():
        missing = gaps(n for n, _ in seq)
        if not missing:
            continue
        nums = sorted({n for n, _ in seq})
        first = next(a + 1 for a, b in zip(nums, nums[1:]) if b - a > 1)
        issued_nums = [n for n, inv in seq if inv.data.get("status") != "draft"]
        last = max(seq, key=lambda x: x[0])[1]
        if issued_nums and first < max(issued_nums):
            # an issued number after a hole: the sequence the law asks for is broken
            yield _p(last, "id", f"invoice numbers of {year} have gaps: {missing} missing; issued numbers are "
                                 "gapless: restore the invoices that had them (from git: `git log -- "
                                 "invoices.yaml`), or record them as void; never renumber a sent invoice "
                                 "(correct it with a credit note)")
        else:
            yield _p(last, "id", f"invoice numbers of {year} have gaps: {missing} missing", "warning")


def gaps(numbers: Iterable[int], shown: int = 10) -> str:
    """The gaps between `numbers`, found from the numbers present (sorted), never by walking
    the range between them (INV-2026-001 beside INV-2026-9000000000 is one gap, not nine
    billion numbers): '23, 24', or '2 to 8999999999' for a run of more than two, at most
    `shown` of them and how many more; '' when there is none."""
    nums = sorted(set(numbers))
    runs = [(a + 1, b - 1) for a, b in zip(nums, nums[1:]) if b - a > 1]
    parts: list[str] = []
    used = 0
    for lo, hi in runs:
        piece = [str(lo)] if lo == hi else [str(lo), str(hi)] if hi == lo + 1 else [f"{lo} to {hi}"]
        if parts and len(parts) + len(piece) > shown:
            break
        parts += piece
        used += 1
    more = len(runs) - used
    return ", ".join(parts) + (f" and {more} more gap{'s' * (more != 1)}" if more else "")


_NUMBERED = re.compile(r"(.*?)(\d+)\D*\Z").match


def _review(t) -> str:
    why = t.data.get("review")
    return f" yet (left for review: {why})" if why else ""


def check_transactions(g: Graph) -> Iterable[Problem]:
    for t in g.records("transaction"):
        kind = t.data.get("kind")
        if kind == "income":
            if not t.data.get("classification"):      # a line `bank import` left for review is valid (docs/bank.md)
                yield _p(t, "id", "income has no classification" + _review(t), "warning" if t.data.get("review") else "error")
            if t.data.get("category") is not None:
                yield _p(t, "category", "income takes a classification, not a category", "warning")
            if t.data.get("classification") == "client" and not t.data.get("client"):
                yield _p(t, "classification", "client income is not linked to a client yet (`freelance income link`)", "warning")
        elif kind == "expense":
            if not t.data.get("category"):
                yield _p(t, "id", "expense has no category" + _review(t), "warning" if t.data.get("review") else "error")
            for link in ("invoice", "client"):
                if t.data.get(link) and link == "invoice":
                    yield _p(t, link, "an expense cannot pay an invoice of yours", "warning")
        inv = g.get("invoice", t.data.get("invoice"))
        if inv is not None:
            cur_t, cur_i = g.currency(t), g.currency(inv)
            if cur_t != cur_i:
                yield _p(t, "currency" if "currency" in t.data else "invoice",
                         f"income in {cur_t} linked to invoice {inv.id} in {cur_i}")
            c = t.data.get("client")
            if c and inv.data.get("client") and c != inv.data.get("client"):
                yield _p(t, "invoice", f"invoice {inv.id} belongs to client '{inv.data.get('client')}', not '{c}'")
        for link in ("project", "service"):
            rec = g.get(link, t.data.get(link))
            c = t.data.get("client")
            if rec is not None and c and rec.data.get("client") and rec.data.get("client") != c:
                yield _p(t, link, f"{link} {rec.id} belongs to client '{rec.data.get('client')}', not '{c}'")


def check_expenses(g: Graph) -> Iterable[Problem]:
    """Receipts that are in the book; a bill whose tax per rate adds up to its amount; drafts to
    complete; with `require_receipts: true` (GoBD mode), every expense without its receipt
    (docs/suppliers.md)."""
    required = g.settings.require_receipts
    for t in g.records("transaction"):
        if t.data.get("kind") != "expense":
            continue
        receipt = t.data.get("receipt")
        if receipt:
            try:
                missing = not receipt_present(g.book.root, receipt)
            except DataError as exc:
                yield _p(t, "receipt", exc.message)
            else:
                if missing:
                    yield _p(t, "receipt", f"receipt {receipt} is not in the book (moved or deleted?); "
                                           f"attach it again: `freelance expense attach {t.id} FILE`")
        elif required:
            yield _p(t, "id", f"expense has no receipt (require_receipts: true): `freelance expense attach {t.id} FILE`")
        if t.data.get("draft") is True:
            yield _p(t, "draft", f"a draft to complete: `freelance expense edit {t.id} --amount ... --not-draft`",
                     "warning")
        taxes, amount = t.data.get("taxes"), t.data.get("amount")
        if isinstance(taxes, list) and taxes and isinstance(amount, Decimal) and amount.is_finite():
            parts = [x.get(k) for x in taxes if isinstance(x, dict) for k in ("net", "tax")]
            if all(isinstance(v, Decimal) and v.is_finite() for v in parts) and sum(parts, Decimal(0)) != amount:
                yield _p(t, "taxes", f"the bill's net and tax per rate add up to {sum(parts, Decimal(0))}, "
                                     f"not its amount {amount}", "warning")


def check_time(g: Graph) -> Iterable[Problem]:
    services: dict[str, dict[str, None]] = {}    # project id -> its services' ids, in order (work.services_of)
    billed: dict[str, tuple] = {}                # invoice id -> what its lines name (_lines_of)
    days: dict[dt.date, tuple] = {}              # day -> (hours booked, entries, the last of them)
    for e in g.records("time"):
        p = g.get("project", e.data.get("project"))
        s = e.data.get("service")
        if p is not None and isinstance(s, str):
            listed = services.get(p.id)
            if listed is None:
                listed = services[p.id] = dict.fromkeys(x.id for x in services_of(g, p))
            if s not in listed:
                yield _p(e, "service", f"service '{s}' is not one of project {p.id}'s services"
                         + (f" ({', '.join(listed)})" if listed else " (it has none)"))
        d = e.data.get("date")
        if isinstance(d, dt.date) and d > g.today:
            yield _p(e, "date", f"hours booked in the future ({d}, today is {g.today})")
        h = e.data.get("hours")
        if isinstance(d, dt.date) and isinstance(h, Decimal) and h.is_finite() and h > 0:
            total, n, _ = days.get(d, (Decimal(0), 0, e))
            days[d] = (total + h, n + 1, e)
        inv = g.get("invoice", e.data.get("invoice")) if isinstance(e.data.get("invoice"), str) else None
        if inv is not None:
            lines = billed.get(inv.id)
            if lines is None:
                lines = billed[inv.id] = _lines_of(inv)
            yield from _billed_on(e, p, inv, lines)
    for d, (total, n, last) in days.items():
        if total > MAX_DAY_HOURS:
            yield _p(last, "hours", f"{n} entries book {total.normalize():f} hours on {d}, more than the "
                                    f"{MAX_DAY_HOURS} a day has")


def check_billed_once(g: Graph) -> Iterable[Problem]:
    """Hours are billed once, for ever (docs/ledger.md): a time entry is on one live (not void)
    invoice at most, whether an invoice's lines list it (`entries`, written by `invoice add
    --from-time`) or the entry names the invoice (`invoice`). Two happen when a voided invoice
    was brought back (by hand, or a merge of two devices) after its hours were billed again."""
    on: dict[str, dict[str, Record]] = {}       # entry id -> live invoices that bill it, in file order
    for inv in g.records("invoice"):
        if inv.data.get("status") == "void" or inv.data.get("credit_for"):
            continue
        items = inv.data.get("items")
        for it in items if isinstance(items, list) else ():
            listed = it.get("entries") if isinstance(it, dict) else None
            for eid in listed if isinstance(listed, list) else ():
                if isinstance(eid, str):
                    on.setdefault(eid, {})[inv.id] = inv
    for e in g.records("time"):
        inv = g.get("invoice", e.data.get("invoice")) if isinstance(e.data.get("invoice"), str) else None
        if inv is not None and inv.data.get("status") != "void" and e.id in on:
            on[e.id].setdefault(inv.id, inv)
    for eid, invoices in on.items():
        if len(invoices) < 2:
            continue
        e = g.get("time", eid)
        named = e.data.get("invoice") if e is not None else None
        where = ", ".join(f"{i.id} ({i.data.get('status')}, {i.file}:{i.line})" for i in invoices.values())
        extra = [i for i in invoices.values() if i.id != named][-1]      # the one the entry does not name
        way = (f"`freelance invoice rm {extra.id}` (a draft)" if extra.data.get("status") == "draft"
               else f"`freelance invoice credit {extra.id}` for its hours, or `freelance invoice move {extra.id} void`")
        message = (f"billed on {len(invoices)} live invoices: {where}; hours are billed once: {way}")
        yield _p(e, "invoice", message) if e is not None else \
            _p(extra, "items", f"time entry '{eid}' (not in the time log) is {message}")


def _lines_of(inv: Record) -> tuple[set, set, bool, bool]:
    """(services its lines name, projects its lines name, whether it has lines, whether a
    line names a service): read once per invoice, not once per entry billed on it."""
    items = [it for it in inv.data.get("items") or [] if isinstance(it, dict)]
    services = {it.get("service") for it in items if isinstance(it.get("service"), str)}
    projects = {it.get("project") for it in items if isinstance(it.get("project"), str)}
    return services, projects, bool(items), any(it.get("service") for it in items)


def _billed_on(e: Record, p: Record | None, inv: Record, lines: tuple) -> Iterable[Problem]:
    """An entry's invoice is of the entry's client and lists its service or its project."""
    client = p.data.get("client") if p is not None else None
    if client and inv.data.get("client") and inv.data["client"] != client:
        yield _p(e, "invoice", f"invoice {inv.id} is client '{inv.data['client']}'s, but project "
                 f"{p.id} is client '{client}'s")
        return
    s, pid = e.data.get("service"), e.data.get("project")
    services, projects, has_items, names_service = lines
    if (isinstance(s, str) and s in services) or (isinstance(pid, str) and pid in projects) \
            or (inv.data.get("project") == pid and (not isinstance(s, str) or not has_items or not names_service)):
        return
    what = f"service '{s}' nor project '{pid}'" if isinstance(s, str) else f"project '{pid}'"
    yield _p(e, "invoice", f"invoice {inv.id} lists neither {what}" if isinstance(s, str)
             else f"invoice {inv.id} does not list {what}")


def check_services(g: Graph) -> Iterable[Problem]:
    for s in g.records("service"):
        p = project_of(g, s)
        c = s.data.get("client")
        if p is not None and c and p.data.get("client") and p.data.get("client") != c:
            yield _p(s, "project", f"project {p.id} belongs to client '{p.data.get('client')}', not '{c}'")
        if s.data.get("pricing", "hourly") == "hourly" and s.data.get("rate") is None:
            rate, _ = g.rate_for(s, p)
            if rate is None:
                yield _p(s, "id", "hourly service without a rate (none on its project, client or book either)")
        elif s.data.get("pricing") == "fixed" and s.data.get("rate") is None:
            yield _p(s, "id", "fixed-price service without a rate (the flat fee)")
    for p in g.records("project"):
        for sid in p.data.get("services") or []:
            s = g.get("service", sid) if isinstance(sid, str) else None
            if s is None:
                continue
            if p.data.get("client") and s.data.get("client") and s.data["client"] != p.data["client"]:
                yield _p(p, "services", f"service {sid} belongs to client '{s.data['client']}', not '{p.data['client']}'")
            # one link (docs/project-services.md): a listing that disagrees with the service's own
            owner = project_id_of(g, s)
            if owner != p.id:
                how = (f"its project is {owner}" if s.data.get("project") else f"project {owner} lists it first")
                yield _p(p, "services", f"lists service {sid}, but {how}: a service belongs to one project "
                         f"(`freelance project edit {p.id} --rm-service {sid}`, or `freelance service edit {sid} "
                         f"--project {p.id}`)")


def check_projects(g: Graph) -> Iterable[Problem]:
    """A completion basis needs its measure (docs/completion.md)."""
    for p in g.records("project"):
        basis = p.data.get("basis")
        if basis == "hours" and p.data.get("estimated_hours") is None:
            yield _p(p, "basis", "basis is hours, but there are no estimated_hours to measure booked hours against", "warning")
        elif basis == "invoicing" and p.data.get("value") is None:
            yield _p(p, "basis", "basis is invoicing, but there is no value to measure the invoiced amount against", "warning")


def check_meetings(g: Graph) -> Iterable[Problem]:
    spans = []
    for m in g.records("meeting"):
        start = m.data.get("start")
        if isinstance(start, dt.datetime):
            spans.append((start, g.derived(m)["end_time"], m))
    spans.sort(key=lambda x: (x[0], x[2].id))
    latest = None
    for start, end, m in spans:
        if latest is not None and start < latest[1] and end > start:
            yield _p(m, "start", f"overlaps meeting {latest[2].id} ({latest[0]:%Y-%m-%d %H:%M})", "warning")
        if latest is None or end > latest[1]:
            latest = (start, end, m)


def check_contacts(g: Graph) -> Iterable[Problem]:
    for c in g.records("contact"):
        if not c.data.get("email") and not c.data.get("phone"):
            yield _p(c, "id", "contact has neither email nor phone", "warning")


def check_goals(g: Graph) -> Iterable[Problem]:
    """A measured goal needs a readable period; its typed actual is not used."""
    for goal in g.records("goal"):
        period = goal.data.get("period")
        if period is not None:
            try:
                parse_period(str(period), "period")
            except UsageError:
                yield _p(goal, "period", f"period {period!r} is not a period like 2026, 2026-Q4 or 2026-11")
            if not goal.data.get("measure"):
                yield _p(goal, "period", "period has no effect without measure: income or savings", "warning")
        if goal.data.get("measure") and goal.data.get("actual") is not None:
            yield _p(goal, "actual", f"actual is computed from the books (measure: {goal.data['measure']}); "
                     "the typed value is ignored", "warning")


def check_settings(g: Graph) -> Iterable[Problem]:
    s, lines = g.settings, g.settings.lines

    def p(key, msg, sev="error"):
        return Problem(SETTINGS_FILE, lines.get(key, 1), sev, "", "", msg)
    known = {**DEFAULTS, **OPTIONAL}
    for key in lines:
        if key not in known:
            yield p(key, f"unknown setting '{key}'{did_you_mean(key, known)}", "warning")
    for key, msg in s.reminder_levels()[1]:
        yield p("reminders", f"{key}: {msg}")
    if "outbox" in lines and s.get("outbox") not in OUTBOX:
        yield p("outbox", f"outbox: one of {', '.join(OUTBOX)} (git ignores outbox/, or keeps it)")
    for key, setting in SETTINGS.items():     # each scalar by its one rule (core/settings.py)
        value = s.get(key)
        if (value is None and setting.optional) or (key in ("name", "tax_name") and key not in lines):
            continue
        why = setting.problem(value)
        if why:
            hint = did_you_mean(str(value).lower(), setting.choices) if setting.choices else ""
            yield p(key, f"{key} {_short(value)}: {why}{hint}")
    owner = s.get("owner")
    if "owner" in lines and not (isinstance(owner, dict) and all(v is None or isinstance(v, str) for v in owner.values())):
        yield p("owner", "owner must be a mapping of text, like {name: Alex Example, email: alex@example.com}")
    for name in LISTS:
        v = s.get(name)
        if not isinstance(v, list):
            yield p(name, f"{name} must be a list")
            continue
        vals = s.allowed(name)
        dup = sorted(x for x, n in Counter(vals).items() if n > 1)
        if dup:
            yield p(name, f"{name} lists {', '.join(dup)} twice")
    accounts = s.get("accounts")
    for i, acc in enumerate(accounts if isinstance(accounts, list) else (), 1):
        if not isinstance(acc, dict):
            continue
        where = f"accounts[{i}]" + (f" ({acc['id']})" if acc.get("id") is not None else "")
        for key, value in acc.items():
            if key in ACCOUNT_KEYS:
                continue
            if re.fullmatch(r"\d+", str(key)) and value is None and "opening_balance" in acc:
                # {id: bank, opening_balance: 1,000}: the comma ends the entry's value
                yield p("accounts", f"{where}: opening_balance reads as {acc.get('opening_balance')} and '{key}' "
                                    "as a key of its own: in a {...} entry a comma separates keys; "
                                    f"write the number without commas ({acc.get('opening_balance')}{key})")
            else:
                yield p("accounts", f"{where}: unknown key '{key}'{did_you_mean(key, ACCOUNT_KEYS)} "
                                    f"(an account has {', '.join(ACCOUNT_KEYS)})", "warning")
        opening = acc.get("opening_balance")
        if opening is not None and opening_balance(opening) is None:
            why = (number_problem(Decimal(opening)) if isinstance(opening, (int, Decimal)) and not isinstance(opening, bool)
                   else "is not a number")
            yield p("accounts", f"{where}: opening_balance {_short(opening)} {why}")
        if acc.get("iban") is not None and (why := TEXT_CHECKS["iban"](str(acc["iban"]))):
            yield p("accounts", f"{where}: iban {_short(acc['iban'])}: {why}")
        if acc.get("bic") is not None and (why := TEXT_CHECKS["bic"](str(acc["bic"]))):
            yield p("accounts", f"{where}: bic {_short(acc['bic'])}: {why}")
    yield from _check_business(s.get("business"), lambda msg: p("business", msg))
    biz = s.get("business")
    logo = biz.get("logo") if isinstance(biz, dict) else None
    if logo:
        try:
            read_logo(g.book.root, str(logo))
        except FreelanceError as exc:
            yield p("business", str(exc))


def _check_business(biz, p) -> Iterable[Problem]:
    """The business identity's values, each by its rule, where given."""
    if biz is None:
        return
    if not isinstance(biz, dict):
        yield p("business must be a mapping of legal_name, address, postcode, city, country, vat_id, ...")
        return
    for key, value in biz.items():
        if key not in BUSINESS:
            yield p(f"business.{key}: unknown{did_you_mean(str(key), BUSINESS)}")
            continue
        rule = BUSINESS[key]
        if value is None or value == "":
            continue
        if key == "address":
            if not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(x, str) for x in value))):
                yield p("business.address must be a list of lines")
            continue
        if not isinstance(value, str):
            value = str(value)
        problem = business_problem(rule, value)
        if problem:
            yield p(f"business.{key} {value!r}: {problem}")


def _short(value, n: int = 40) -> str:
    """A value as a message quotes it: `repr`, cut short (a 5,000-digit number is not repeated)."""
    text = repr(str(value)) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= n else text[: n - 5] + "...'"


def check_invoice_money(g: Graph) -> Iterable[Problem]:
    """Totals that make no sense, numbers off the book's pattern, settled but not marked,
    and income pointing at invoices it should not."""
    pattern = str(g.settings.get("invoice_number") or "")
    usable = invoice_number_problem(pattern) is None   # an unusable one is reported once, by check_settings
    regexes: dict = {}        # year -> the pattern's regex (or the error it raised)
    for inv in g.records("invoice"):
        d = g.derived(inv)
        status = inv.data.get("status")
        has_money = inv.data.get("items") or inv.data.get("amount") is not None
        credit = inv.data.get("credit_for")
        if status != "void" and has_money and not credit and d["total"] <= 0:
            yield _p(inv, "items" if inv.data.get("items") else "amount", f"total is {d['total']}: an invoice must be for more than zero")
        elif status != "void" and has_money and credit and d["total"] >= 0:
            yield _p(inv, "items" if inv.data.get("items") else "amount",
                     f"total is {d['total']}: a credit note (credit_for {credit}) must be for less than zero")
        if status == "sent" and d["total"] > 0 and d["received"] >= d["total"]:
            yield _p(inv, "status", f"sent, but received income {d['received']} covers its total: "
                                    f"`freelance invoice move {inv.id} paid`", "warning")
        issued = inv.data.get("issued")
        if usable and isinstance(issued, dt.date):
            if issued.year not in regexes:
                try:
                    regexes[issued.year] = number_regex(pattern, issued.year)
                except Exception:
                    regexes[issued.year] = None
            rx = regexes[issued.year]
            if rx is None:
                continue
            if is_draft_id(inv.id):
                if status in BILLED:     # issued by hand or by a merge: it never got its number
                    yield _p(inv, "id", f"{status}, but still under its draft id: give it its number with "
                                        f"`freelance invoice renumber {inv.id}` (docs/ids.md)")
                continue
            if not rx.match(inv.id):
                example = pattern.format(year=issued.year, seq=1)
                yield _p(inv, "id", f"number does not follow the book's invoice_number for {issued.year} "
                                    f"(like {example})", "warning")
    for t in g.records("transaction"):
        inv = g.get("invoice", t.data.get("invoice"))
        if inv is None or t.data.get("kind") != "income":
            continue
        if t.data.get("classification") not in (None, "client"):
            yield _p(t, "invoice", f"linked to invoice {inv.id} but classified "
                                   f"'{t.data.get('classification')}', not client", "warning")
        if inv.data.get("status") == "void":
            yield _p(t, "invoice", f"linked to invoice {inv.id}, which is void", "warning")


def check_currencies(g: Graph) -> Iterable[Problem]:
    """Linked records in one currency, amounts that fit their currency's minor unit, tax on
    expenses that makes sense, and income that is not a client's kept off clients (docs/finance.md)."""
    for kind, links in CURRENCY_FROM.items():
        for r in g.records(kind):
            cur = g.currency(r)
            for link in links:
                if kind == "transaction" and link == "invoice":
                    continue        # check_transactions says it (income in another currency than its invoice)
                rec = g.get(link, r.data.get(link)) if isinstance(r.data.get(link), str) else None
                if rec is not None and g.currency(rec) != cur:
                    yield _p(r, "currency" if "currency" in r.data else link,
                             f"in {cur}, linked to {link} {rec.id} in {g.currency(rec)}: linked records are in one currency")
            if kind == "transaction" and r.data.get("account"):
                held = g.settings.account_currency(r.data["account"])
                if held and held != cur:
                    yield _p(r, "account", f"in {cur}, in account '{r.data['account']}', which holds {held}")
    for kind in ("client", "project", "service", "invoice", "transaction"):
        for r in g.records(kind):
            for name in WHOLE_AMOUNTS:
                v = r.data.get(name)
                if isinstance(v, Decimal) and not fits(v, g.currency(r)):
                    yield _p(r, name, places_message(name, v, g.currency(r)))
    for t in g.records("transaction"):
        tax, rate, amount = t.data.get("tax"), t.data.get("tax_rate"), t.data.get("amount")
        if tax is None and rate is None:
            pass
        elif t.data.get("kind") != "expense":
            yield _p(t, "tax" if tax is not None else "tax_rate",
                     "tax on income is taken from its invoice (tax_rate there); this is ignored", "warning")
        elif tax is not None and rate is not None:
            yield _p(t, "tax", "give tax (an amount) or tax_rate (a percentage), not both")
        elif isinstance(tax, Decimal) and isinstance(amount, Decimal) and tax > amount:
            yield _p(t, "tax", f"tax {tax} is more than the amount {amount} it is part of")
        if t.data.get("kind") == "income" and t.data.get("client") and t.data.get("classification") not in (None, "client"):
            yield _p(t, "client", f"classified '{t.data.get('classification')}', not client, but linked to client "
                                  f"'{t.data['client']}': it is not counted as received from them", "warning")
    book = g.settings.currency
    for a in g.settings.accounts():
        line = g.settings.lines.get("accounts", 1)
        if a["currency"] is not None and not is_currency(a["currency"]):
            yield Problem(SETTINGS_FILE, line, "error", "", "",
                          f"account '{a['id']}': currency {a['currency']!r} is not a three-letter code like USD or EUR")
        elif not fits(a["opening_balance"], a["currency"] or book):
            yield Problem(SETTINGS_FILE, line, "error", "", "",
                          f"account '{a['id']}': " + places_message("opening_balance", a["opening_balance"], a["currency"] or book))


def check_transfers(g: Graph) -> Iterable[Problem]:
    """Transfers between two own accounts, in the currency their first account holds, with the
    amount that reached the second when its currency differs (rules.transfer_problems)."""
    for t in g.records("transfer"):
        cur = g.currency(t)
        src = t.data.get("from_account")
        held = g.settings.account_currency(src) if src else None
        for key, msg in transfer_problems(t.data, cur, to_currency_of(g.settings, t.data, cur), held):
            yield _p(t, key if key in t.data else "id", msg)


def check_balances(g: Graph) -> Iterable[Problem]:
    """Balance assertions the book disagrees with: the account's balance at the end of the
    day differs from what the statement says (finance.reconcile: one sweep per account)."""
    for b in g.records("balance"):
        account, cur = b.data.get("account"), g.currency(b)
        held = g.settings.account_currency(account) if account else None
        if held and held != cur:
            yield _p(b, "currency", f"in {cur}, for account '{account}', which holds {held}")
    for a in reconcile(g):
        if a.holds:
            continue
        diff = a.difference
        yield _p(a.record, "amount",
                 f"{a.account} on {a.date}: the book says {fmt_money(a.book, a.currency)}, the statement "
                 f"{fmt_money(a.stated, a.currency)}: {fmt_money(abs(diff), a.currency)} {'missing' if diff > 0 else 'too much'}")


def check_recurring(g: Graph) -> Iterable[Problem]:
    """One invoice per schedule and period (docs/recurring.md), `period` with `recurring`; each
    reminder level recorded once on an invoice (docs/reminders.md)."""
    seen: dict[tuple, str] = {}
    for inv in g.records("invoice"):
        levels = [r.get("level") for r in inv.data.get("reminders") or [] if isinstance(r, dict)]
        for level in sorted({x for x in levels if levels.count(x) > 1}, key=str):
            yield _p(inv, "reminders", f"reminder level {level} is recorded twice")
        rid, first = inv.data.get("recurring"), inv.data.get("period")
        if rid is None and first is None:
            continue
        if rid is None or first is None:
            yield _p(inv, "recurring" if rid is None else "period",
                     "recurring and period go together: the schedule that made it and the first day of its period")
            continue
        key = (rid, first)
        if key in seen:
            yield _p(inv, "period", f"bills period {first} of recurring '{rid}' again: invoice '{seen[key]}' "
                                    "bills it already (void one of them)")
        else:
            seen[key] = inv.id


def check_quotes(g: Graph) -> Iterable[Problem]:
    """Quotes (docs/quotes.md): lines that add up to more than zero, valid_until not before the
    issue date, an accepted one names its project, a sent one's seal holds; a final invoice's
    `deducts` are deposit or progress invoices of its project."""
    for q in g.records("quote"):
        items = q.data.get("items")
        if not isinstance(items, list) or not items:
            yield _p(q, "items", "a quote needs lines (`freelance quote edit ID --item \"Design:1:2500\"`)")
        elif g.derived(q)["total"] <= 0:
            yield _p(q, "items", f"total is {g.derived(q)['total']}: a quote must be for more than zero")
        issued, until = q.data.get("issued"), q.data.get("valid_until")
        if isinstance(issued, dt.date) and isinstance(until, dt.date) and until < issued:
            yield _p(q, "valid_until", f"valid_until {until} is before issued {issued}")
        if q.data.get("status") == "accepted" and not q.data.get("project"):
            yield _p(q, "status", "accepted, but it names no project (`freelance quote accept` makes one)")
        sealed = seal_problem(q.data)
        if sealed:
            yield _p(q, "seal", sealed[1], sealed[0])
    for inv in g.records("invoice"):
        deducts = inv.data.get("deducts")
        if not isinstance(deducts, list):
            continue
        for rid in deducts:
            part = g.get("invoice", rid) if isinstance(rid, str) else None
            if part is None:
                continue                    # check_fields reports the dangling link
            if part.data.get("part") not in ON_ACCOUNT or part.data.get("project") != inv.data.get("project"):
                yield _p(inv, "deducts", f"deducts {rid}, which is not a deposit or progress invoice of project "
                                         f"{inv.data.get('project')}")


CHECKS: list[Callable[[Graph], Iterable[Problem]]] = [
    check_ids, check_fields, check_dates, check_shards, check_invoices, check_transactions,
    check_time, check_billed_once, check_services, check_meetings, check_contacts, check_settings,
    check_projects, check_goals, check_invoice_money, check_currencies, check_future_money,
    check_transfers, check_balances, check_recurring, check_expenses, check_quotes,
]


def check_bank_rules(book) -> list[Problem]:
    """Each `bank-rules/*.yaml` (how `bank import` reads a bank's CSV, docs/bank-csv.md) checked
    as `bank import` checks it (`csvformat.check`), every problem with its line and key."""
    try:
        names = sorted(n for n in os.listdir(os.path.join(book.root, "bank-rules"))
                       if n.endswith(".yaml") and not n.startswith("."))
    except OSError:
        return []
    out = []
    if RULES_FILE.split("/")[1] in names:    # the classification rules (docs/bank-classify.md), not a CSV's
        names.remove(RULES_FILE.split("/")[1])
        out += read_rules(book)[1]
    for n in names:
        rel = f"bank-rules/{n}"
        try:
            data = book.raw(rel)
        except FreelanceError as exc:
            out.append(Problem(rel, 0, "error", "", "", exc.message))
            continue
        if data is None:
            continue
        raw, lines, problems = read_mapping(data, rel)
        out += problems
        if raw is None or any(p.is_error for p in problems):
            continue
        for line, key, msg in csvformat.check(raw, lines, csvformat.nested_lines(data.decode("utf-8", "replace"))):
            out.append(Problem(rel, line, "error", "", "", f"{key + ': ' if key else ''}{msg}"))
    return out


def validate(book) -> list[Problem]:
    """Load the whole book and return every problem, sorted by file and line.

    The answer is kept in the book's cache, keyed on every file read, `today` and the
    package's code: when none of them changed, it is the answer, and nothing is loaded
    (docs/performance.md)."""
    cache = getattr(book, "cache", None)
    if cache is None:
        problems = _validate(book)
    else:
        key, listing = ("validate", book.today.isoformat()), book.listing()
        problems = cache.load_result("validate", key, listing)
        if problems is None:
            problems = _validate(book)
            cache.store_result("validate", key, listing, book.stamps, problems)
    extra = list(check_state(book))           # not kept in the cache: git's index is not a book file
    extra += check_merge_driver(book)         # nor git's config
    extra += check_bank_rules(book)           # nor bank-rules/*.yaml: not among the kinds' files it keys on
    if book.path(TIMER_FILE).is_file():       # nor the running timer: it ages by the hour
        extra += timer_problems(book, graph=Graph(book))
    return sorted(problems + extra, key=_order) if extra else problems


def _order(p: Problem):
    return (p.file, p.line, p.severity, p.kind, p.id, p.message)


def check_state(book) -> Iterable[Problem]:
    """Files under the book's `.freelance/` that git tracks: a parse cache shipped with a
    clone is never read (the cache is the user's own, docs/cache-trust.md), but it does not
    belong in the repository."""
    tracked = tracked_state_files(book.root)
    if tracked:
        shown = ", ".join(tracked[:3]) + (f" and {len(tracked) - 3} more" if len(tracked) > 3 else "")
        yield Problem(f"{STATE_DIR}/", 0, "warning", "", "",
                      f"{len(tracked)} file{'s' * (len(tracked) != 1)} tracked by git ({shown}); freelance never "
                      f"reads a cache from a book, but it does not belong in the repository: "
                      f"git rm -r --cached {STATE_DIR}")


def check_merge_driver(book) -> Iterable[Problem]:
    """A book in a git repository whose merge driver is not registered (docs/merge.md): two
    devices' changes would conflict on every added record."""
    problem = registration_problem(book.root)
    if problem:
        yield Problem(GITATTRIBUTES, 0, "warning", "", "", problem)


def _validate(book) -> list[Problem]:
    book.load_all()
    g = Graph(book)
    problems = set(book.problems)
    for check in CHECKS:
        problems.update(check(g))
    return sorted(problems, key=_order)
