"""The book as a plain-text accounting journal (hledger, beancount), or as csv/json.

The journal (read/journal.py) is written in either syntax:

- client income -> income:clients:<client>, other income -> income:<classification>,
  expenses -> expenses:<category>, accounts -> assets:<account>, opening
  balances from equity:opening-balances on the first day;
- tax collected on an invoice -> liabilities:tax:<tax_name>, tax paid on an
  expense -> assets:tax:<tax_name> (neither is earned or spent);
- only moved money (`received: true`), as `report finance` counts it;
- transfers between own accounts: one transaction, two asset postings (priced with `@@`
  when the accounts' currencies differ); balance assertions: hledger's `= AMOUNT` on a
  zero posting at the end of the day, beancount's `balance` on the next day (it checks at
  the start of a day);
- `accrual`: sent and paid invoices are income on their issue date, into
  assets:receivable:<client>; received income linked to them settles the
  receivable instead of being income again.

User text (descriptions) is made single-line and escaped for each syntax, so a
record cannot inject postings. See docs/export.md.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

from ..read.graph import Graph
from ..read.journal import fx_missing, journal
from ..read.rates import rates
import csv
import io
import json
from ..core.schema import KINDS
from ..core.text import clean, jsonable
from ..core.text import text as as_text
from ..read.views import rows
from ..store.parallel import ahead
from .render import Written, csv_safe, item_bytes, json_bytes, utf8_stdout


_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")


def prices(g: Graph, accrual: bool = False) -> list[tuple[dt.date, str, Decimal]]:
    """The exchange rates behind the journal's figures in the book's currency, as (day,
    currency, rate): the rate of each day a posting in another currency has (the rule of
    read/rates.py, so `hledger bal --value=then` finds the same one), the rates a realised gain
    used, the rates of each month's last day and of today, and every rate the book holds of a
    currency the journal uses (balances valued on a chosen day: `--value=2026-09-30,EUR`). A day
    without a rate is left out (`export_warnings` says so)."""
    home = g.settings.currency
    r = rates(g)
    got: dict = {}
    days: set = set()
    for x in journal(g, "accrual" if accrual else "cash"):
        for p in x.postings:
            if p.currency != home:
                days.add((p.currency, x.date))
    for cur, d in days:
        f = r.find(cur, d)
        if f is not None:
            got[(f.day, cur)] = f.rate
    for (cur, _), f in list(r.used.items()):
        got[(f.day, cur)] = f.rate
    used = {cur for cur, _ in days}
    if days:            # balances valued on a month's last day or today (`--value=2026-09-30,EUR`)
        first, last = min(d for _, d in days), max(max(d for _, d in days), g.today)
        ends, y, m = [g.today], first.year, first.month
        while (y, m) <= (last.year, last.month):
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            ends.append(dt.date(y, m, 1) - dt.timedelta(days=1))
        for cur in used:
            for d in ends:
                f = r.find(cur, d)
                if f is not None:
                    got[(f.day, cur)] = f.rate
    for cur, d, rate in r.book_rates():
        if cur in used:
            got[(d, cur)] = rate
    return [(d, cur, rate) for (d, cur), rate in sorted(got.items())]


def export_warnings(g: Graph, accrual: bool = False) -> list[str]:
    """What the export could not say for want of a rate: each (currency, day) a foreign
    invoice's realised gain or loss needed (docs/rates.md)."""
    missing = fx_missing(g, "accrual" if accrual else "cash")
    return [f"no exchange rate of {cur} on {d}: the realised gain or loss of the invoices settled then is left out; "
            f"type it with `freelance rates set {d} {cur} RATE`" for cur, d in missing]


def _one_line(text: str) -> str:
    # bidi and C1 controls out too: a journal is read in a terminal
    if text.isascii() and text.isprintable():       # nothing to clean (most descriptions): as fast as it gets
        return text.strip()
    return clean(_CONTROLS.sub(" ", text)).strip()


def hledger(g: Graph, accrual: bool = False) -> str:
    """The journal (read/journal.py) in hledger's syntax: read once, each account's name
    made once (a 100,000-transaction book has a few hundred accounts and 200,000 postings)."""
    txns = journal(g, "accrual" if accrual else "cash")
    names: dict = {}

    def name(parts):
        got = names.get(parts)
        if got is None:
            got = names[parts] = ":".join(_one_line(p).replace("  ", " ") for p in parts)
        return got
    lines = [f"; {_one_line(str(g.settings.get('name') or 'freelance book'))}: exported by `freelance export hledger"
             f"{' --accrual' if accrual else ''}`", ""]
    accounts = {p.account for x in txns for p in x.postings} | {x.assertion[0] for x in txns if x.assertion}
    for cur in sorted({p.currency for x in txns for p in x.postings} | {x.assertion[2] for x in txns if x.assertion}
                      | {g.settings.currency}):
        lines.append(f"commodity 1000.00 {cur}")
    lines += [f"account {name(a)}" for a in sorted(accounts)] + [""]
    ps = prices(g, accrual)
    if ps:      # market prices: `hledger bal --value=then,<book currency>` values each posting on its day
        home = g.settings.currency
        lines += [f"P {d} {cur} {format(rate, 'f')} {home}" for d, cur, rate in ps] + [""]
    add = lines.append
    for x in txns:
        desc = _one_line(x.description).replace(";", ",")
        add(f"{x.date} {desc}  ; id:{x.rid}")
        if x.assertion:     # a zero posting asserting the balance after it (`hledger check` checks it)
            parts, amount, cur = x.assertion
            add(f"    {name(parts)}  0 {cur} = {format(amount, 'f')} {cur}")
        for p in x.postings:
            price = f" @@ {format(p.price[0], 'f')} {p.price[1]}" if p.price else ""
            add(f"    {name(p.account)}  {format(p.amount, 'f')} {p.currency}{price}")
        add("")
    return "\n".join(lines)


def _bean_part(part: str) -> str:
    p = re.sub(r"[^A-Za-z0-9-]", "-", part)
    p = p[:1].upper() + p[1:]
    return p if p[:1].isalnum() else "X" + p


def beancount(g: Graph, accrual: bool = False) -> str:
    """The journal in beancount's syntax, read once as `hledger` reads it."""
    txns = journal(g, "accrual" if accrual else "cash")
    names: dict = {}

    def name(parts):
        got = names.get(parts)
        if got is None:
            got = names[parts] = ":".join(_bean_part(p) for p in parts)
        return got
    esc = lambda s: _one_line(s).replace("\\", "\\\\").replace('"', '\\"')  # noqa: E731
    first = txns[0].date if txns else g.today
    lines = [f'; {esc(str(g.settings.get("name") or "freelance book"))}: exported by `freelance export beancount'
             f'{" --accrual" if accrual else ""}`',
             f'option "title" "{esc(str(g.settings.get("name") or "freelance book"))}"',
             f'option "operating_currency" "{g.settings.currency}"', ""]
    accounts = {p.account for x in txns for p in x.postings} | {x.assertion[0] for x in txns if x.assertion}
    lines += [f"{first} open {name(a)}" for a in sorted(accounts)] + [""]
    ps = prices(g, accrual)
    if ps:
        home = g.settings.currency
        lines += [f"{d} price {cur} {format(rate, 'f')} {home}" for d, cur, rate in ps] + [""]
    add = lines.append
    for x in txns:
        if x.assertion:     # beancount checks a balance at the start of its day: the end of D is D+1
            parts, amount, cur = x.assertion
            lines += [f"{x.date + dt.timedelta(days=1)} balance {name(parts)}  {format(amount, 'f')} {cur}", ""]
            continue
        add(f'{x.date} * "{esc(x.description)}"')
        add(f'  id: "{esc(x.rid)}"')
        for p in x.postings:
            price = f" @@ {format(p.price[0], 'f')} {p.price[1]}" if p.price else ""
            add(f"  {name(p.account)}  {format(p.amount, 'f')} {p.currency}{price}")
        add("")
    lines += _documents(g, {name(a) for a in accounts}, name, esc)
    return "\n".join(lines)


def _documents(g: Graph, opened: set, name, esc) -> list[str]:
    """beancount `document` directives: each expense's receipt (docs/suppliers.md), on its
    expense account, by its absolute path (beancount reads a relative one from the folder of
    the file it loads, which the export does not know)."""
    root = os.path.realpath(g.book.root)
    out = []
    for t in g.records("transaction"):
        receipt, d = t.data.get("receipt"), t.data.get("date")
        if t.data.get("kind") != "expense" or not isinstance(receipt, str) or not isinstance(d, dt.date):
            continue
        account = name(("expenses", str(t.data.get("category") or "other")))
        if account in opened:
            out.append((d, t.id, f'{d} document {account} "{esc(os.path.join(root, receipt))}"'))
    return [line for _, _, line in sorted(out)] + ([""] if out else [])


# -- spreadsheets and scripts ------------------------------------------------------

def all_records(g: Graph) -> dict:
    """Every record of the book with its derived fields, by kind (plural), as in `list --format json`."""
    return {k.plural.replace(" ", "_"): rows(g, g.records(k.name)) for k in KINDS.values()}


# The kinds a forked worker writes while `export json` derives the rest (store/parallel.ahead):
# the transactions (two thirds of the text at 100,000) and the projects' and services' rollups,
# about half of the work each way (the clients' rollups derive every invoice: they stay here).
AHEAD_KINDS = ("project", "service", "transaction")


def _framed(parts: list[bytes]) -> bytes:
    return b"".join(len(p).to_bytes(8, "little") + p for p in parts)


def _unframed(data: bytes) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        n = int.from_bytes(data[at:at + 8], "little")
        out.append(data[at + 8:at + 8 + n])
        at += 8 + n
    return out


def book_json(book) -> bytes:
    """`export json`: `{"today", "currency", **all_records}` as `render.to_json` writes it, in
    UTF-8, one kind's rows made and written at a time (docs/performance.md)."""
    g = Graph(book)
    ascii_only = not utf8_stdout()
    worker = ahead(lambda: _framed([item_bytes(rows(g, g.records(k)), ascii_only) for k in AHEAD_KINDS]),
                   len(g.records("transaction")))
    # this process's kinds written first, then the worker's collected: neither waits on the other
    text = {k: item_bytes(rows(g, g.records(k)), ascii_only) for k in KINDS if k not in AHEAD_KINDS}
    text.update(zip(AHEAD_KINDS, _unframed(worker())))
    items = [("today", book.today), ("currency", book.settings.currency)]
    items += [(k.plural.replace(" ", "_"), Written(text[k.name])) for k in KINDS.values()]
    return json_bytes(items)


def csv_of(g: Graph, kind_name: str) -> str:
    """One kind's records as CSV: stored fields, then derived ones; formula-safe."""
    kind = KINDS[kind_name]
    found = rows(g, g.records(kind.name))
    keys: list[str] = []
    for r in found:
        keys += [k for k in r if k not in keys]
    keys = keys or ["id", *[f.name for f in kind.fields if f.name != "id"]]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(keys)
    for r in found:
        cells = []
        for k in keys:
            v = r.get(k)
            t = type(v)
            if v is None:                       # the common cases first: what as_text gives them
                cells.append("")
            elif t is str:
                cells.append(csv_safe(clean(v)))
            elif t is Decimal:
                cells.append(format(v, "f"))
            elif isinstance(v, (list, dict)) and any(isinstance(x, dict) for x in (v if isinstance(v, list) else [v])):
                cells.append(csv_safe(clean(json.dumps(jsonable(v), ensure_ascii=False))))
            else:
                cells.append(csv_safe(as_text(v)))
        w.writerow(cells)
    return out.getvalue()
