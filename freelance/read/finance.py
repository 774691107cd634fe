"""The money side as plain numbers: account balances, income and expenses by
month and by classification or category, moved and expected.

"Payment mode": a transaction counts as money in or out of its account only
once it has moved (`received: true`); until then it is *expected*. Amounts
in different currencies are never added: every row is per currency, the
book's first (see docs/finance.md). Tax collected on invoices and paid on
expenses is counted apart (`tax_part`). `report finance` and the ledger exports both read this.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .graph import Graph, transfer_legs
from .journal import revenue, tax_name, tax_part
from ..core.money import ZERO, dec


@dataclass
class Finance:
    currency: str                     # the book's: its rows come first
    start: dt.date | None
    end: dt.date | None
    accounts: list[dict] = field(default_factory=list)         # per account and currency
    months: list[dict] = field(default_factory=list)           # per month and currency
    classifications: list[dict] = field(default_factory=list)  # per classification and currency
    categories: list[dict] = field(default_factory=list)       # per category and currency
    totals: dict = field(default_factory=dict)                 # the book's currency (as before)
    totals_by_currency: list[dict] = field(default_factory=list)  # one total per currency, the book's first
    tax: list[dict] = field(default_factory=list)               # per currency: collected, paid, net owed
    other_currencies: dict = field(default_factory=dict)   # currency -> count of transactions in it (summed apart)


def _account_of(g: Graph, t) -> str:
    acc = t.data.get("account")
    if acc:
        return str(acc)
    accounts = g.settings.accounts()
    return accounts[0]["id"] if accounts else "bank"


def _order(book: str):
    """Sort key putting the book's currency first, then the others alphabetically."""
    return lambda cur: (cur != book, cur)


def summary(g: Graph, start: dt.date | None = None, end: dt.date | None = None, taxed: bool = True) -> Finance:
    """Balances, months, classifications, categories and tax of the window. `taxed=False`: no
    tax worked out (every tax figure zero, no `tax` rows), for what reads only the balances and
    sums (`accounts`): the tax of 100,000 transactions is most of the cost. The sums are
    made of one part per transaction and transfer (`Graph.tally`): a server mends them by
    the records that changed (docs/serve.md)."""
    book = g.settings.currency
    out = Finance(book, start, end)
    first = _order(book)
    settings_accounts = g.settings.accounts()
    spec = summary_tally(g, start, end)
    if taxed:       # the tax is the journal's: the sums are made meanwhile on another core (`Graph.ahead`)
        g.ahead([spec])
        sums = dict(g.tally(("finance tax", start, end), ("transaction",), lambda r: _tax_part(g, r, start, end)).sums)
        sums.update(g.tally(*spec).sums)
    else:
        sums = g.tally(*spec).sums

    def blank(acc_id, name, cur, opening=ZERO):
        return {"account": acc_id, "name": name, "opening_balance": opening, "money_in": ZERO, "money_out": ZERO,
                "transfers_in": ZERO, "transfers_out": ZERO, "expected_in": ZERO, "expected_out": ZERO,
                "currency": cur}
    acc = {(a["id"], a["currency"] or book): blank(a["id"], a["name"], a["currency"] or book, a["opening_balance"])
           for a in settings_accounts}
    names = {a["id"]: a["name"] for a in settings_accounts}
    months: dict = {}
    classes: dict = {(c, book): None for c in g.settings.allowed("income_classifications")}
    cats: dict = {(c, book): None for c in g.settings.allowed("expense_categories")}
    others: dict[str, int] = {}
    taxes: dict = {}
    for key in sums:            # which rows there are: the ones some part adds to
        what = key[0]
        if what == "acc" and len(key) == 3 and key[1:] not in acc:
            acc[key[1:]] = blank(key[1], names.get(key[1], key[1]), key[2])
        elif what == "month" and len(key) == 3:
            months[key[1:]] = None
        elif what == "class" and len(key) == 3:
            classes.setdefault(key[1:], None)
        elif what == "cat" and len(key) == 3:
            cats.setdefault(key[1:], None)
        elif what == "other":
            others[key[1]] = sums[key]
        elif what == "tax":
            taxes.setdefault(key[1], {"collected": ZERO, "paid": ZERO})[key[2]] = sums[key] + ZERO
    order = {a["id"]: i for i, a in enumerate(settings_accounts)}
    through = reconciled_through(g)
    for key in sorted(acc, key=lambda k: (order.get(k[0], len(order)), k[0], first(k[1]))):
        a = acc[key]
        for f in ("opening_balance", "money_in", "money_out", "transfers_in", "transfers_out", "expected_in",
                  "expected_out"):
            a[f] = a[f] + sums.get(("acc", *key, f), ZERO)
        a["reconciled_through"] = through.get(key)
        a["opening_balance"] = dec(a["opening_balance"]) + ZERO
        a["transfers"] = a["transfers_in"] - a["transfers_out"]
        a["balance"] = a["opening_balance"] + a["money_in"] - a["money_out"] + a["transfers"]
        a["expected_balance"] = a["balance"] + a["expected_in"] - a["expected_out"]
        out.accounts.append(a)
    for m, cur in sorted(months, key=lambda k: (k[0], first(k[1]))):
        v = {f: sums.get(("month", m, cur, f), ZERO) + ZERO
             for f in ("income", "expenses", "expected_income", "expected_expenses")}
        out.months.append({"month": m, **v, "net": v["income"] - v["expenses"], "currency": cur})

    def group(what, k, cur, fields):
        v = {f: sums.get((what, k, cur, f), ZERO) + ZERO for f in fields}
        return {**v, "count": sums.get((what, k, cur), 0), "tax": sums.get((what, k, cur, "tax"), ZERO) + ZERO}

    def listed(groups: dict, allowed: int):      # the allowed ones as the settings list them, then the others by name
        keys = list(groups)
        return keys[:allowed] + sorted(keys[allowed:])
    n_classes = len(g.settings.allowed("income_classifications"))
    n_cats = len(g.settings.allowed("expense_categories"))
    rows = [{"classification": k, **group("class", k, cur, ("received", "expected"))} | {"currency": cur}
            for k, cur in listed(classes, n_classes)]
    out.classifications = sorted(({**r, "net": r["received"] - r["tax"]} for r in rows), key=lambda r: first(r["currency"]))
    out.classifications = [{k: r[k] for k in ("classification", "received", "expected", "count", "tax", "net", "currency")}
                           for r in out.classifications]
    rows = [{"category": k, **group("cat", k, cur, ("paid", "expected"))} | {"currency": cur}
            for k, cur in listed(cats, n_cats)]
    out.categories = [{k: r[k] for k in ("category", "paid", "expected", "count", "tax", "net", "currency")}
                      for r in sorted(({**r, "net": r["paid"] - r["tax"]} for r in rows), key=lambda r: first(r["currency"]))]
    keys = ("opening_balance", "money_in", "money_out", "transfers_in", "transfers_out", "transfers", "balance", "expected_in", "expected_out", "expected_balance")
    for cur in sorted({a["currency"] for a in out.accounts} | {book}, key=first):
        rows = [a for a in out.accounts if a["currency"] == cur]
        out.totals_by_currency.append({**{k: sum((r[k] for r in rows), ZERO) for k in keys}, "currency": cur})
    out.totals = out.totals_by_currency[0]
    for r in revenue(g, "cash", start, end) if taxed else ():  # the journal's: payments, fees and write-offs (docs/ledger.md)
        if r["collected"] or r["paid"] or r["currency"] in taxes:
            taxes[r["currency"]] = {"collected": r["collected"], "paid": r["paid"]}
    for cur in sorted(taxes, key=first):
        v = taxes[cur]
        out.tax.append({"tax": tax_name(g), **v, "owed": v["collected"] - v["paid"], "currency": cur})
    out.other_currencies = dict(sorted(others.items()))
    return out


def summary_tally(g: Graph, start: dt.date | None, end: dt.date | None) -> tuple:
    """The tally of `summary`'s sums of the window but its tax, as `Graph.tally` and
    `Graph.ahead` take it: (name, kinds, part)."""
    return ("finance", start, end), ("transaction", "transfer"), lambda r: _part(g, r, start, end)


def _group(data: dict, cur: str, income: bool) -> tuple:
    """The row of `summary`'s classifications (income) or categories (expenses) a transaction is in."""
    if income:
        return "class", str(data.get("classification") or "(none)"), cur
    return "cat", str(data.get("category") or "(none)"), cur


def _tax_part(g: Graph, r, start: dt.date | None, end: dt.date | None) -> list:
    """What moved transaction `r` adds to `summary`'s tax of the window: its tax (`tax_part`, read
    off the cash journal) to its classification's or category's, and to the tax collected or paid."""
    data = r.data
    kind, d, amount = data.get("kind"), data.get("date"), data.get("amount")
    if (kind != "income" and kind != "expense") or not isinstance(d, dt.date) or not isinstance(amount, Decimal) \
            or data.get("received") is not True or (start is not None and d < start) or (end is not None and d > end):
        return []
    tax = tax_part(g, r)
    if not tax:
        return []
    cur = g.currency(r)
    income = kind == "income"
    return [((*_group(data, cur, income), "tax"), tax), (("tax", cur, "collected" if income else "paid"), tax)]


def _part(g: Graph, r, start: dt.date | None, end: dt.date | None) -> list:
    """What transaction or transfer `r` adds to `summary`'s sums of the window, but the tax
    (`_tax_part`): (key, amount) pairs; a key of three parts counts the records of its row (an
    account's, a month's, a classification's)."""
    if r.kind == "transfer":     # between own accounts: in balances, never income or expense
        out: list = []
        for account, cur, amount, d in transfer_legs(g, r):
            out.append((("acc", account, cur), 1))
            if start is not None and d < start:
                out.append((("acc", account, cur, "opening_balance"), amount))
            elif end is None or d <= end:
                out.append((("acc", account, cur, "transfers_in" if amount > 0 else "transfers_out"), abs(amount)))
        return out
    data = r.data
    kind, d, amount = data.get("kind"), data.get("date"), data.get("amount")
    if (kind != "income" and kind != "expense") or not isinstance(d, dt.date) or not isinstance(amount, Decimal):
        return []  # validate reports these
    cur = g.currency(r)
    account = data.get("account")
    account = str(account) if account else _account_of(g, r)
    out = [(("acc", account, cur), 1)]
    if cur != g.settings.currency:
        out.append((("other", cur), 1))
    moved = data.get("received") is True
    income = kind == "income"
    if start is not None and d < start:
        if moved:  # before the period: part of the opening balance
            out.append((("acc", account, cur, "opening_balance"), amount if income else -amount))
        return out
    if end is not None and d > end:
        return out
    month = f"{d.year:04d}-{d.month:02d}"
    group = _group(data, cur, income)
    in_group, in_account, in_month = _FIELDS[income, moved]
    out += [((*group, in_group), amount), (("acc", account, cur, in_account), amount),
            (("month", month, cur), 1), (("month", month, cur, in_month), amount), (group, 1)]
    return out


# (income, moved) -> the fields a transaction's amount adds to: its classification's or category's,
# its account's and its month's
_FIELDS = {(True, True): ("received", "money_in", "income"),
           (True, False): ("expected", "expected_in", "expected_income"),
           (False, True): ("paid", "money_out", "expenses"),
           (False, False): ("expected", "expected_out", "expected_expenses")}


class _NoAccount:
    data: dict = {}


_NO_ACCOUNT = _NoAccount()


@dataclass
class Assertion:
    """A balance assertion (`balance` record) against the book: the book's balance of its
    account and currency at the end of its day."""
    record: object
    account: str
    currency: str
    date: dt.date
    stated: Decimal
    book: Decimal

    @property
    def holds(self) -> bool:
        return self.stated == self.book

    @property
    def difference(self) -> Decimal:
        """What the statement has more than the book (negative: the book has more)."""
        return self.stated - self.book


def reconcile(g: Graph) -> list[Assertion]:
    """Every readable balance assertion with the book's balance at the end of its day, in
    date order. One pass over the transactions and transfers of the asserted accounts,
    sorted by date, swept once per account and currency (docs/reconciliation.md); a book
    without assertions costs nothing. Worked out once per graph."""
    return g.memo("reconcile", lambda: _reconcile(g))


def _reconcile(g: Graph) -> list[Assertion]:
    wanted: dict[tuple[str, str], list] = defaultdict(list)
    for b in g.records("balance"):
        d, amount, account = b.data.get("date"), b.data.get("amount"), b.data.get("account")
        if isinstance(d, dt.date) and isinstance(amount, Decimal) and amount.is_finite() and account:
            wanted[(str(account), g.currency(b))].append(b)
    out: list[Assertion] = []
    if wanted:
        asserted = {a for a, _ in wanted}
        moves: dict[tuple[str, str], list] = defaultdict(list)
        first = _account_of(g, _NO_ACCOUNT)          # where a transaction naming none is
        for t in g.records("transaction"):
            if t.data.get("received") is not True:
                continue
            account = str(t.data.get("account") or first)
            if account not in asserted:
                continue
            d, amount, kind = t.data.get("date"), t.data.get("amount"), t.data.get("kind")
            if not isinstance(d, dt.date) or not isinstance(amount, Decimal) or kind not in ("income", "expense"):
                continue
            moves[(account, g.currency(t))].append((d, amount if kind == "income" else -amount))
        for t in g.records("transfer"):
            for account, cur, amount, d in transfer_legs(g, t):
                if account in asserted:
                    moves[(account, cur)].append((d, amount))
        book_cur = g.settings.currency
        opening = {(a["id"], a["currency"] or book_cur): a["opening_balance"] for a in g.settings.accounts()}
        for key, checks in wanted.items():
            checks.sort(key=lambda b: b.data["date"])
            ms = sorted(moves.get(key, ()), key=lambda m: m[0])
            balance, i = opening.get(key, ZERO), 0
            for b in checks:
                day = b.data["date"]
                while i < len(ms) and ms[i][0] <= day:
                    balance += ms[i][1]
                    i += 1
                out.append(Assertion(b, key[0], key[1], day, b.data["amount"], balance + ZERO))
        out.sort(key=lambda a: (a.date, a.account, a.currency))
    return out


def reconciled_through(g: Graph) -> dict[tuple[str, str], dt.date]:
    """(account, currency) -> the day of its latest assertion that holds."""
    out: dict[tuple[str, str], dt.date] = {}
    for a in reconcile(g):
        if a.holds:
            out[(a.account, a.currency)] = a.date
    return out


def balance_on(g: Graph, account: str, currency: str, day: dt.date) -> Decimal:
    """The book's balance of `account` in `currency` at the end of `day` (moved money only)."""
    total = ZERO
    for a in g.settings.accounts():
        if a["id"] == account and (a["currency"] or g.settings.currency) == currency:
            total += a["opening_balance"]
    for t in g.records("transaction"):
        d, amount, kind = t.data.get("date"), t.data.get("amount"), t.data.get("kind")
        if t.data.get("received") is not True or not isinstance(d, dt.date) or d > day \
                or not isinstance(amount, Decimal) or kind not in ("income", "expense"):
            continue
        if _account_of(g, t) == account and g.currency(t) == currency:
            total += amount if kind == "income" else -amount
    for t in g.records("transfer"):
        for acc, cur, amount, d in transfer_legs(g, t):
            if acc == account and cur == currency and d <= day:
                total += amount
    return total + ZERO


def accounts(g: Graph) -> list[dict]:
    """Every account with its balance, one row per account and currency it holds (an account
    naming no currency may hold several), in the order of `accounts:`; for `account list`."""
    info = {a["id"]: a for a in g.settings.accounts()}
    rows = []
    for a in summary(g, taxed=False).accounts:      # the balances only: no tax worked out
        declared = info.get(a["account"], {})
        rows.append({"id": a["account"], "kind": "account", "name": a["name"], "currency": a["currency"],
                     "holds": declared.get("currency"), "iban": declared.get("iban"),
                     "opening_balance": a["opening_balance"], "money_in": a["money_in"],
                     "money_out": a["money_out"], "transfers": a["transfers"], "balance": a["balance"],
                     "expected_balance": a["expected_balance"], "reconciled_through": a["reconciled_through"]})
    return rows


def account_detail(g: Graph, account: str) -> dict:
    """One account for `account show`: its settings, its balance per currency (its own
    currency's, or the book's, first), and its balance assertions against the book."""
    info = next((a for a in g.settings.accounts() if a["id"] == account), None) or {}
    rows = [r for r in accounts(g) if r["id"] == account]
    cur = info.get("currency") or g.settings.currency
    main = next((r for r in rows if r["currency"] == cur), None)
    checks = [{"id": a.record.id, "date": a.date, "amount": a.stated, "currency": a.currency, "book": a.book,
               "difference": a.difference, "holds": a.holds, "source": a.record.data.get("source")}
              for a in reconcile(g) if a.account == account]
    return {"id": account, "kind": "account", "name": info.get("name") or account, "currency": cur,
            "holds": info.get("currency"), "iban": info.get("iban"), "bic": info.get("bic"),
            "number": info.get("number"), "opening_balance": info.get("opening_balance", ZERO),
            "balance": main["balance"] if main else info.get("opening_balance", ZERO),
            "reconciled_through": main["reconciled_through"] if main else None,
            "balances": [{k: v for k, v in r.items() if k not in ("id", "kind", "name", "holds", "iban")} for r in rows],
            "assertions": checks}


def reconciliation(g: Graph, account: str) -> list[dict]:
    """The reconciliation of `account`, per currency it has a balance assertion in: the latest
    statement balance, the book's balance at the end of its day, the difference, the day the
    two last agreed before it, and the lines that explain a difference: the account's records
    after that day up to the statement's (moved money, and money expected but not moved:
    a payment the bank booked that the book still expects is the usual cause). For the web's
    account page (docs/reconciliation.md)."""
    by_cur: dict[str, list[Assertion]] = defaultdict(list)
    for a in reconcile(g):
        if a.account == account:
            by_cur[a.currency].append(a)
    out = []
    for cur in sorted(by_cur, key=_order(g.settings.currency)):
        checks = by_cur[cur]
        last = checks[-1]
        agreed = [a.date for a in checks[:-1] if a.holds and a.date < last.date]
        since = agreed[-1] if agreed else None
        lines = []
        for t in g.records("transaction"):
            d, amount, kind = t.data.get("date"), t.data.get("amount"), t.data.get("kind")
            if not isinstance(d, dt.date) or not isinstance(amount, Decimal) or kind not in ("income", "expense") \
                    or _account_of(g, t) != account or g.currency(t) != cur or d > last.date \
                    or (since is not None and d <= since):
                continue
            moved = t.data.get("received") is True
            lines.append({"id": t.id, "noun": kind, "date": d, "amount": amount if kind == "income" else -amount,
                          "text": str(t.data.get("payee") or t.data.get("description") or t.data.get("reference") or ""),
                          "moved": moved, "review": t.data.get("review") or ""})
        for t in g.records("transfer"):
            for acc, c, amount, d in transfer_legs(g, t):
                if acc == account and c == cur and d <= last.date and (since is None or d > since):
                    lines.append({"id": t.id, "noun": "transfer", "date": d, "amount": amount,
                                  "text": str(t.data.get("description") or ""), "moved": True, "review": ""})
        lines.sort(key=lambda x: (x["date"], x["id"]))
        expected = sum((x["amount"] for x in lines if not x["moved"]), ZERO)
        out.append({"currency": cur, "statement": last.stated, "date": last.date, "book": last.book,
                    "difference": last.difference, "holds": last.holds, "since": since,
                    "source": last.record.data.get("source"), "assertion": last.record.id,
                    "expected": expected + ZERO, "lines": lines})
    return out
