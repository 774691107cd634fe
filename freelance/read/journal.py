"""The journal: each record's postings, once, and what every invoice still owes.

Every figure of money a face shows is a query on what this module derives (docs/ledger.md):

- `settlement(g, inv)`: what an invoice (or a credit note) still owes, the ONE answer to
  "what is still owed": its total less the payments linked to it (with what the bank kept
  of them, `fee`), the credit notes set against it and what was written off. It is paid
  when that is zero, whichever of them settled it. Status, aging, overdue, a client's
  outstanding, the boards, the digest, the bank matcher and the bank import read it.
- `journal(g, basis)`: every record as dated, balanced postings (Decimal and currency, each
  naming the record it came from): invoices and credit notes (accrual), payments, income,
  expenses with their input tax, transfers, write-offs, opening balances and the bank's
  balance assertions. The hledger and beancount exports print it; `report finance` reads
  its tax from it.

Read side: the graph's records in, plain values out; nothing here writes or prints.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from ..core.money import ZERO, dec
from ..core.rules import BILLED, ON_ACCOUNT, expense_taxes, is_bill, minor_units, settles_invoice
from .graph import Graph, index_keys, transfer_legs
from .owed import credit_notes, day, payments, prepaid, written_off
from .rates import rates
import re

FX_GAINS = ("income", "fx-gains")        # realised exchange gains and losses (docs/rates.md)
FX_LOSSES = ("expenses", "fx-losses")
BASES = ("cash", "accrual")
DEFAULT_BASIS = "cash"        # revenue and tax when the money moved (docs/ledger.md)


# -- postings ----------------------------------------------------------------------------------

class Posting(NamedTuple):           # a tuple: a 100,000-record book makes hundreds of thousands
    account: tuple[str, ...]
    amount: Decimal
    currency: str
    source: str                          # the record it came from: "kind:id"
    price: tuple | None = None           # (total price, currency): hledger's and beancount's `@@`
    rate: Decimal | None = None          # a tax posting's rate


@dataclass(slots=True)
class Txn:
    date: dt.date
    description: str
    source: str                          # "kind:id" of the record (or "settings:opening")
    postings: list[Posting] = field(default_factory=list)
    assertion: tuple | None = None       # a balance assertion: (account, amount, currency) at the end of the day
    link: str | None = None              # the invoice a credit note, payment or write-off settles

    @property
    def rid(self) -> str:
        return self.source.split(":", 1)[1]


def tax_name(g: Graph) -> str:
    """The name of the tax in account names (`liabilities:tax:<name>`): the `tax_name` setting."""
    name = re.sub(r"[^a-z0-9-]+", "-", str(g.settings.get("tax_name") or "tax").lower()).strip("-")
    return name or "tax"


def write_off_category(g: Graph) -> str:
    """The expense category of fees and write-offs (`expenses:<category>`): the setting."""
    return str(g.settings.get("write_off_category") or "write-offs")


def round_to(amount: Decimal, currency: str) -> Decimal:
    """Rounded half up to the currency's minor unit (cents, or none for JPY)."""
    unit = _UNITS.get(currency)
    if unit is None:
        unit = _UNITS[currency] = Decimal(1).scaleb(-minor_units(currency))
    return amount.quantize(unit, rounding=ROUND_HALF_UP) + ZERO


_UNITS: dict = {}       # currency -> its minor unit (0.01), as `round_to` quantizes to it


def invoice_tax(g: Graph, inv) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, net, tax) per tax rate of `inv` (below zero for a credit note)."""
    return g.tax_groups(inv)


def net_of_credits(g: Graph, inv) -> tuple[Decimal, dict]:
    """An invoice's total and tax per rate less its billed credit notes': what the client owes
    for it in the end, and the tax that is due on it (not the paid share of the tax)."""
    total = g.totals(inv)[2]
    tax: dict = {}
    for rate, _, t in invoice_tax(g, inv):
        tax[rate] = tax.get(rate, ZERO) + t
    for c in credit_notes(g, inv, None):
        total += g.totals(c)[2]
        for rate, _, t in invoice_tax(g, c):
            tax[rate] = tax.get(rate, ZERO) + t
    before = prepaid(g, inv)            # a final invoice: its deposits carried their own tax
    if before.invoices:
        total -= before.total
        for rate, t in before.tax.items():
            tax[rate] = tax.get(rate, ZERO) - t
    return total, tax


def advances(g: Graph, client: str) -> tuple[str, ...]:
    """Where deposit and progress invoices (paid on account) are booked until the final invoice
    (docs/quotes.md): a liability, money received in advance."""
    return ("liabilities", "advances", client)


def on_account(g: Graph, inv_id) -> bool:
    """Whether invoice `inv_id` is a deposit or progress invoice (paid on account)."""
    inv = g.get("invoice", inv_id) if isinstance(inv_id, str) else None
    return inv is not None and inv.data.get("part") in ON_ACCOUNT


def _cash_tax_of(g: Graph, inv) -> dict:
    """"kind:id" -> {rate: tax} for what settles invoice `inv` on the cash basis: each payment
    (with its fee) and its write-off carry the invoice's tax net of its credit notes in
    proportion, allocated on the running sum, so a settled invoice's settlements carry
    exactly its tax (not the paid share of the invoice's own tax). Kept per invoice: a
    payment added works out its invoice's again, not every invoice's."""
    return g.memo(("cash_tax", id(inv)), lambda: _allocate_tax(g, inv), of=inv)


def cash_tax(g: Graph, rec) -> dict:
    """{rate: tax} that record `rec` (a payment, or an invoice's write-off) carries on the cash
    basis (`_cash_tax_of` of the invoice it settles; of a payment naming several, or of an id
    two invoices share, which validate reports, the last of them in the book's order)."""
    src = f"{rec.kind}:{rec.id}"
    if not g.track:         # every invoice's in one dict (the CLI asks of every payment once)
        return g.memo(("cash_tax",), lambda: _every_cash_tax(g)).get(src, {})
    ids = [rec.id] if rec.kind == "invoice" else index_keys(rec.data.get("invoice"))
    got, at = None, None
    for rid in ids:         # the last in the book's order (file, line), as `_every_cash_tax` finds it
        for inv in g.by("invoice", "id").get(rid, ()):
            mine = _cash_tax_of(g, inv).get(src)
            if mine is not None and (at is None or (inv.file, inv.line) > at):
                got, at = mine, (inv.file, inv.line)
    return got if got is not None else {}


def _every_cash_tax(g: Graph) -> dict:
    """`_cash_tax_of` every invoice, in one dict (a later invoice of the same id wins, as
    `cash_tax` says)."""
    got: dict = {}
    for inv in g.records("invoice"):
        got.update(_cash_tax_of(g, inv))
    return got


def _allocate_tax(g: Graph, inv) -> dict:
    got: dict = {}
    data = inv.data
    if data.get("credit_for") or data.get("status") == "void":
        return got
    paid = payments(g, inv, None)
    off = written_off(inv, None)
    if not paid and not off:
        return got
    events = []
    for t in paid:
        rid = t.id
        events.append(((day(t.data.get("date")) or dt.date.min, rid), f"transaction:{rid}", sum(settles_invoice(t.data))))
    if off:
        events.append(((day(data.get("written_off_on")) or dt.date.max, inv.id), f"invoice:{inv.id}", off))
    total, taxes = net_of_credits(g, inv)
    if total <= 0 or not any(taxes.values()):
        return got
    cur = g.currency(inv)
    done = ZERO
    before = {rate: ZERO for rate in taxes}
    if len(events) > 1:
        events.sort()
    for _, src, amount in events:
        done += amount
        share = min(done, total)
        mine = {}
        for rate, tax in taxes.items():
            upto = round_to(share * tax / total, cur)
            mine[rate] = upto - before[rate]
            before[rate] = upto
        got[src] = mine
    return got


def _advanced(g: Graph, ids) -> Decimal:
    """Cash basis: the net (without tax) that the received payments of invoices `ids` booked
    to advances."""
    booked = ZERO
    for rid in ids:
        inv = g.get("invoice", rid)
        if inv is None:
            continue
        for t in payments(g, inv, None):
            if t.data.get("received") is not True:
                continue
            gross = sum(settles_invoice(t.data))
            booked += gross - sum(cash_tax(g, t).values(), ZERO)
    return booked


def tax_part(g: Graph, t) -> Decimal:
    """The part of moved transaction `t` that is tax, read from its postings in the cash
    journal: of income paying an invoice, its share of the invoice's tax net of credit notes
    (collected, not earned); of an expense, its input tax. The CLI's graph reads them off the
    journal it made once (an id two records share is posted again on its own); a tracking
    graph posts the record (kept per record)."""
    src = f"transaction:{t.id}"
    if not g.track:
        parts, twice = g.memo(("tax parts",), lambda: _tax_parts(journal(g, "cash")))
        if src not in twice:
            return parts.get(src, ZERO)
    return _tax_parts(txns(g, t, "cash"))[0].get(src, ZERO)


def _tax_parts(txns: list[Txn]) -> tuple[dict[str, Decimal], set]:
    """("kind:id" -> the tax its postings carry: collected (liabilities:tax, shown above zero)
    and input tax (assets:tax); the sources of more than one transaction of the cash journal,
    where a transaction posts one: records that share an id, each posted again on its own)."""
    out: dict = {}
    seen: set = set()
    twice: set = set()
    for x in txns:
        if x.source in seen:
            twice.add(x.source)
        seen.add(x.source)
        for p in x.postings:
            head = p.account[:2]
            if head == ("liabilities", "tax"):
                out[x.source] = out.get(x.source, ZERO) - p.amount
            elif head == ("assets", "tax"):
                out[x.source] = out.get(x.source, ZERO) + p.amount
    return out, twice


def _asset(g: Graph, t) -> tuple[str, ...]:
    acc = t.data.get("account")
    if not acc:
        accounts = g.settings.accounts()
        acc = accounts[0]["id"] if accounts else "bank"
    return ("assets", str(acc))


def _income_account(t) -> tuple[str, ...]:
    cls = str(t.data.get("classification") or "other")
    if cls == "client":
        return ("income", "clients", str(t.data.get("client") or "unknown"))
    return ("income", cls)


def journal(g: Graph, basis: str = DEFAULT_BASIS) -> list[Txn]:
    """Every record's postings, once, sorted by date (balance assertions after their day's
    entries), the opening balances first. `basis`: "cash" (revenue and tax when the money
    moved) or "accrual" (invoices and credit notes are revenue and tax when issued; payments,
    fees and write-offs settle the receivable). Only moved money (`received: true`) posts."""
    return g.memo(("journal", basis), lambda: _post(g, basis))


def _post(g: Graph, basis: str) -> list[Txn]:
    out: list[Txn] = []
    names = _accounts_named(g)
    for kind in POSTED:
        if g.track:
            for r in g.records(kind):
                out += txns(g, r, basis)
        else:
            post = _POST[kind]
            for r in g.records(kind):
                got = post(g, r, basis, names)
                if got:
                    out += got
    out.sort(key=lambda e: (e.date, e.assertion is not None, e.rid))
    first = out[0].date if out else g.today
    opening = [a for a in g.settings.accounts() if a["opening_balance"] != 0]
    if opening:
        book = g.settings.currency
        src = "settings:opening"
        currencies = sorted({a["currency"] or book for a in opening}, key=lambda c: (c != book, c))
        out.insert(0, Txn(first, "Opening balances", src, [
            *(Posting(("assets", a["id"]), dec(a["opening_balance"]) + ZERO, a["currency"] or book, src) for a in opening),
            *(Posting(("equity", "opening-balances"),
                      -sum((dec(a["opening_balance"]) for a in opening if (a["currency"] or book) == c), ZERO), c, src)
              for c in currencies)]))
    return out


POSTED = ("invoice", "transaction", "transfer", "balance")      # the kinds that post, in the journal's order


def txns(g: Graph, r, basis: str) -> list[Txn]:
    """Record `r`'s transactions in the journal of `basis` (none for most records of a kind
    that posts nothing that day: an expected payment, a draft). A tracking graph keeps them
    per record, so sums over the journal are mended by the records that changed (`revenue`)."""
    post = _POST[r.kind]
    if not g.track:
        return post(g, r, basis, _accounts_named(g))
    return g.memo(("txns", basis, id(r)), lambda: post(g, r, basis, _accounts_named(g)), of=r)


def _accounts_named(g: Graph) -> tuple:
    """(the tax liability account, the fees and write-offs account): from the settings."""
    return g.constant("journal accounts", _names_of)


def _names_of(g: Graph) -> tuple:
    return ("liabilities", "tax", tax_name(g)), ("expenses", write_off_category(g))


def _input_tax_of(g: Graph) -> tuple:
    return ("assets", "tax", tax_name(g))


def _billed(g: Graph, inv_id) -> str | None:
    """Accrual basis: the client whose receivable invoice `inv_id` is, when it is billed (sent
    or paid, with an issue day), else None."""
    client = None
    for inv in g.by("invoice", "id").get(inv_id, ()) if isinstance(inv_id, str) else ():
        if inv.data.get("status") in BILLED and day(inv.data.get("issued")) is not None:
            client = str(inv.data.get("client") or "unknown")
    return client


def _invoice_txns(g: Graph, inv, basis: str, names: tuple) -> list[Txn]:
    out: list[Txn] = []
    tax, fees_account = names
    issued = day(inv.data.get("issued"))
    if inv.data.get("status") not in BILLED or issued is None:
        return out
    cur = g.currency(inv)
    client = str(inv.data.get("client") or "unknown")
    src = f"invoice:{inv.id}"
    before = prepaid(g, inv)        # a final invoice: what its deposits and progress invoices were
    if basis == "accrual":
        total = g.totals(inv)[2]
        earned = advances(g, client) if inv.data.get("part") in ON_ACCOUNT else ("income", "clients", client)
        postings = [Posting(("assets", "receivable", client), total - before.total, cur, src)]
        if before.invoices:         # the advances become revenue; their tax was due with them
            postings.append(Posting(advances(g, client), before.net_total, cur, src))
        for rate, net, t in invoice_tax(g, inv):
            postings.append(Posting(earned, -net, cur, src))
            t -= before.tax.get(rate, ZERO)
            if t:
                postings.append(Posting(tax, -t, cur, src, rate=rate))
        credit = inv.data.get("credit_for")
        out.append(Txn(issued, f"{'Credit note' if credit else 'Invoice'} {inv.id}", src, postings,
                       link=str(credit) if credit else None))
    elif before.invoices:           # cash basis: what the deposits' payments booked in advance is earned now
        booked = _advanced(g, before.invoices)
        if booked:
            out.append(Txn(issued, f"Final invoice {inv.id}: advances earned", src,
                           [Posting(advances(g, client), booked, cur, src),
                            Posting(("income", "clients", client), -booked, cur, src)]))
    off = written_off(inv, None)
    if off:     # never to be paid: an expense, against the receivable (or, cash basis, the revenue)
        d = day(inv.data.get("written_off_on")) or issued
        why = inv.data.get("write_off_reason")
        postings = [Posting(fees_account, off, cur, src)]
        if basis == "accrual":
            postings.append(Posting(("assets", "receivable", client), -off, cur, src))
            postings = _realised(g, postings, issued, d, cur, src)
        else:
            mine = cash_tax(g, inv)
            part = sum(mine.values(), ZERO)
            postings.append(Posting(("income", "clients", client), -(off - part), cur, src))
            postings += [Posting(tax, -v, cur, src, rate=rate) for rate, v in sorted(mine.items()) if v]
        out.append(Txn(d, f"Written off of {inv.id}" + (f" ({why})" if why else ""), src, postings, link=inv.id))
    return out


def _transaction_txns(g: Graph, t, basis: str, names: tuple) -> list[Txn]:
    data = t.data
    get = data.get              # (100,000 transactions: each field read once)
    d, amount, kind = get("date"), get("amount"), get("kind")
    if basis == "accrual" and kind == "expense" and is_bill(data) and get("draft") is not True \
            and isinstance(d, dt.date) and isinstance(amount, Decimal) and amount.is_finite():
        return _bill(g, t, d, amount)      # owed to the supplier when issued, paid when the money moved
    if get("received") is not True or not isinstance(d, dt.date) or not isinstance(amount, Decimal) \
            or not amount.is_finite():
        return []
    tax, fees_account = names
    cur = g.currency(t)
    rid = get("id")
    rid = "" if rid is None else str(rid)
    src = f"transaction:{rid}"
    desc = str(get("description") or f"{kind} {rid}")
    acc = get("account")
    asset = ("assets", str(acc)) if acc else _asset(g, t)
    if kind == "income":
        fee = dec(get("fee"))       # (settles_invoice: income whose money moved, as this is)
        gross = amount + fee if fee else amount      # what the client paid: the fee is theirs too
        inv_id = get("invoice")
        if not isinstance(inv_id, str):
            inv_id = None
        postings = [Posting(asset, amount, cur, src)]
        if fee:
            postings.append(Posting(fees_account, fee, cur, src))
        client = _billed(g, inv_id) if basis == "accrual" else None
        if client is not None and g.currency(g.get("invoice", inv_id)) == cur:
            postings.append(Posting(("assets", "receivable", client), -gross, cur, src))
            postings = _realised(g, postings, day(g.get("invoice", inv_id).data.get("issued")), d, cur, src)
        else:
            mine = cash_tax(g, t)
            part = sum(mine.values(), ZERO) if mine else ZERO
            earned = advances(g, str(get("client") or "unknown")) if inv_id is not None and on_account(g, inv_id) \
                else _income_account(t)         # a deposit: received in advance until the final invoice
            postings.append(Posting(earned, -(gross - part) if part else -gross, cur, src))
            if mine:
                for rate, v in sorted(mine.items()):
                    if v:
                        postings.append(Posting(tax, -v, cur, src, None, rate))
        return [Txn(d, desc, src, postings, None, inv_id)]
    if kind == "expense":
        postings = _cost(g, t, amount, cur, src)
        postings.append(Posting(asset, -amount, cur, src))
        return [Txn(d, desc, src, postings)]
    return []


def _transfer_txns(g: Graph, t, basis: str, names: tuple) -> list[Txn]:
    """One transaction, two asset postings; priced across currencies."""
    legs = transfer_legs(g, t)
    if len(legs) != 2:
        return []                       # validate reports it
    (a, cur, out_amount, d), (b, to_cur, in_amount, _) = legs
    src = f"transfer:{t.id}"
    desc = str(t.data.get("description") or f"transfer {a} -> {b}")
    return [Txn(d, desc, src, [Posting(("assets", b), in_amount, to_cur, src),
                               Posting(("assets", a), out_amount, cur, src,
                                       price=(in_amount, to_cur) if to_cur != cur else None)])]


def _balance_txns(g: Graph, b, basis: str, names: tuple) -> list[Txn]:
    """A balance assertion: after every entry of its day (the journal's sort)."""
    d, amount, account = b.data.get("date"), b.data.get("amount"), b.data.get("account")
    if isinstance(d, dt.date) and isinstance(amount, Decimal) and amount.is_finite() and account:
        cur = g.currency(b)
        amount = amount.quantize(Decimal(1).scaleb(-minor_units(cur)))   # its precision is the check's
        return [Txn(d, f"Balance of {account}", f"balance:{b.id}", [],
                    assertion=(("assets", str(account)), amount, cur))]
    return []


_POST = {"invoice": _invoice_txns, "transaction": _transaction_txns, "transfer": _transfer_txns,
         "balance": _balance_txns}


def _realised(g: Graph, postings: list[Posting], issued: dt.date | None, d: dt.date, cur: str,
              src: str) -> list[Posting]:
    """Accrual basis, an invoice in a foreign currency settled (paid, or written off) on `d` at
    another rate than the one of its issue day: the receivable leaves at its value on the issue
    day, the money (and fee) comes at the day's, and the difference is a realised gain
    (`income:fx-gains`) or loss (`expenses:fx-losses`) in the book's currency. Each foreign
    posting is priced (`@@`, rounded to the cent) so the transaction balances in both
    currencies. Without both rates the postings stay as they are, and `fx_missing` names the
    day and currency (the exports warn; `--value home` refuses)."""
    home = g.settings.currency
    if cur == home or issued is None:
        return postings
    r = rates(g)
    at_issue, at_day = r.find(cur, issued), r.find(cur, d)
    if at_issue is None or at_day is None:
        _missing(g).update({(cur, x): None for x, got in ((issued, at_issue), (d, at_day)) if got is None})
        return postings
    r.rate(cur, issued), r.rate(cur, d)      # remembered: the exports print their prices
    if at_issue.rate == at_day.rate:
        return postings
    out, weight = [], ZERO
    for p in postings:
        rate = at_issue.rate if p.account[:2] == ("assets", "receivable") else at_day.rate
        total = round_to(abs(p.amount) * rate, home)
        weight += total if p.amount > 0 else -total
        out.append(Posting(p.account, p.amount, p.currency, p.source, (total, home), p.rate))
    if weight:
        out.append(Posting(FX_LOSSES if weight < 0 else FX_GAINS, -weight, home, src))
    return out


def _missing(g: Graph) -> dict:
    return g.memo(("fx_missing",), dict)


def fx_missing(g: Graph, basis: str = DEFAULT_BASIS) -> list[tuple[str, dt.date]]:
    """(currency, day) of the rates a foreign invoice's gain or loss needed and did not find."""
    journal(g, basis)
    return sorted(_missing(g))


def _cost(g: Graph, t, amount: Decimal, cur: str, src: str) -> list[Posting]:
    """An expense's cost: expenses:category +(amount - input tax); assets:tax +input tax per rate."""
    taxes = expense_taxes(t.data, cur)
    part = sum((tax for _, tax in taxes), ZERO)
    postings = [Posting(("expenses", str(t.data.get("category") or "other")), amount - part, cur, src)]
    if taxes:
        paid = g.constant("input tax account", _input_tax_of)
        postings += [Posting(paid, tax, cur, src, rate=rate) for rate, tax in taxes if tax]
    return postings


def _bill(g: Graph, t, d: dt.date, amount: Decimal) -> list[Txn]:
    """A bill on the accrual basis: its cost and input tax when issued, owed to the supplier
    (liabilities:payable:<supplier>); the payment, when the money moved, settles that."""
    cur = g.currency(t)
    src = f"transaction:{t.id}"
    payable = ("liabilities", "payable", str(t.data.get("supplier") or "unknown"))
    issued = t.data.get("issued") if isinstance(t.data.get("issued"), dt.date) else d
    number = t.data.get("number")
    out = [Txn(issued, f"Bill {number}" + (f" ({t.data['description']})" if t.data.get("description") else ""), src,
               _cost(g, t, amount, cur, src) + [Posting(payable, -amount, cur, src)])]
    if t.data.get("received") is True:
        out.append(Txn(d, f"Paid bill {number}", src,
                       [Posting(payable, amount, cur, src), Posting(_asset(g, t), -amount, cur, src)]))
    return out


def unbalanced(txns: list[Txn]) -> list[tuple[Txn, str, Decimal]]:
    """Transactions whose postings do not sum to zero per currency (a priced posting counts in
    its price's currency): (txn, currency, what is left). None in a journal this module made."""
    bad = []
    for x in txns:
        sums: dict = {}
        for p in x.postings:
            amount, cur = (p.price[0] if p.amount > 0 else -p.price[0], p.price[1]) if p.price else (p.amount, p.currency)
            sums[cur] = sums.get(cur, ZERO) + amount
        bad += [(x, cur, v) for cur, v in sums.items() if v]
    return bad


def balances(txns: list[Txn]) -> dict[tuple[tuple[str, ...], str], Decimal]:
    """(account, currency) -> the sum of its postings: what `hledger bal` says of the export."""
    out: dict = {}
    for x in txns:
        for p in x.postings:
            k = (p.account, p.currency)
            out[k] = out.get(k, ZERO) + p.amount
    return out


def _revenue_postings(g: Graph, basis: str, start: dt.date | None, end: dt.date | None):
    """(transaction, posting, key) for every posting `revenue` counts between `start` and `end`,
    the opening balances left out; key: revenue, expenses, collected (output tax) or paid
    (input tax)."""
    for x in _window(g, basis, start, end):
        for p in x.postings:
            key = _posting_key(p)
            if key is not None:
                yield x, p, key


def _window(g: Graph, basis: str, start: dt.date | None, end: dt.date | None):
    """The journal's transactions between `start` and `end`, the opening balances left out."""
    for x in journal(g, basis):
        if (start is not None and x.date < start) or (end is not None and x.date > end) or x.source == "settings:opening":
            continue
        yield x


def _posting_key(p: Posting) -> str | None:
    """What `revenue` counts posting `p` as: revenue, expenses, collected (output tax), paid
    (input tax), or None."""
    if p.account[:2] == ("liabilities", "tax"):
        return "collected"
    if p.account[:2] == ("assets", "tax"):
        return "paid"
    return {"income": "revenue", "expenses": "expenses"}.get(p.account[0])


def _revenue_part(g: Graph, r, basis: str, start, end) -> list:
    """Record `r`'s part of `revenue`: ((currency, key), amount) per posting it counts."""
    out = []
    for x in txns(g, r, basis):
        if (start is not None and x.date < start) or (end is not None and x.date > end):
            continue
        for p in x.postings:
            key = _posting_key(p)
            if key is not None:
                out.append(((p.currency, key), -p.amount if key in ("revenue", "collected") else p.amount))
    return out


def revenue(g: Graph, basis: str = DEFAULT_BASIS, start: dt.date | None = None,
            end: dt.date | None = None) -> list[dict]:
    """Per currency (the book's first), from the journal of `basis` between `start` and `end`:
    revenue (income earned, net of tax), expenses (net of input tax, fees and write-offs
    included), tax collected (owed to the tax office) and input tax (reclaimable). A tracking
    graph (serve) sums each record's postings once (`Graph.tally`): after a change, only the
    records that changed are posted again."""
    book = g.settings.currency
    out: dict = {}
    if g.track:
        t = g.tally(("revenue", basis, start, end), POSTED, lambda r: _revenue_part(g, r, basis, start, end))
        for (cur, key), v in t.sums.items():
            out.setdefault(cur, {k: ZERO for k in ("revenue", "expenses", "collected", "paid")})[key] = v + ZERO
    else:       # summed once per graph (`report finance` asks twice: its tax and its revenue)
        for cur, row in g.memo(("revenue", basis, start, end), lambda: _revenue_sums(g, basis, start, end)).items():
            out[cur] = dict(row)
    return [{"basis": basis, **out[c], "profit": out[c]["revenue"] - out[c]["expenses"],
             "owed": out[c]["collected"] - out[c]["paid"], "currency": c}
            for c in sorted(out, key=lambda c: (c != book, c))]


def _revenue_sums(g: Graph, basis: str, start, end) -> dict:
    """`revenue`'s sums per currency: `_revenue_postings`, each account's key found once."""
    out: dict = {}
    keys: dict = {}
    for x in _window(g, basis, start, end):
        for p in x.postings:
            key = keys.get(p.account, keys)
            if key is keys:
                key = keys[p.account] = _posting_key(p)
            if key is None:
                continue
            row = out.get(p.currency)
            if row is None:
                row = out[p.currency] = {k: ZERO for k in ("revenue", "expenses", "collected", "paid")}
            row[key] += -p.amount if key == "revenue" or key == "collected" else p.amount
    return out


def revenue_home(g: Graph, basis: str = DEFAULT_BASIS, start: dt.date | None = None,
                 end: dt.date | None = None) -> dict:
    """`revenue` in the book's currency (`--value home`): each posting in another currency
    valued at the rate of its transaction's day (income, expenses and tax: the rate date rule,
    docs/rates.md), summed exactly and rounded to the cent once, as `hledger bal --value=then`
    does with the export's prices. A missing rate raises `MissingRate` naming the day."""
    home = g.settings.currency
    r = rates(g)
    row = {k: ZERO for k in ("revenue", "expenses", "collected", "paid")}
    for x, p, key in _revenue_postings(g, basis, start, end):
        v = p.amount if p.currency == home else p.amount * r.rate(p.currency, x.date)
        row[key] += -v if key in ("revenue", "collected") else v
    exact = {**row, "profit": row["revenue"] - row["expenses"], "owed": row["collected"] - row["paid"]}
    return {"basis": basis, **{k: round_to(v, home) for k, v in exact.items()}, "currency": home}
