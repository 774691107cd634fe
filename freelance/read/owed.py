"""What an invoice still owes: the one answer (docs/ledger.md).

An invoice's balance is its total less the payments linked to it (with what the bank kept
of them, `fee`), the credit notes set against it, what was written off and, for a final
invoice, what its deposit and progress invoices were (`prepaid`, docs/quotes.md). It is paid when
that is zero, whichever of them settled it; a credit note set against its invoice is settled
by that. Status, aging, overdue, a client's outstanding, the boards, the digest, the bank
matcher and the bank import all read `settlement`.

Read side; `g` is a `read.graph.Graph` (not imported: the graph's rollups read this module).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from ..core.money import ZERO, tax_groups
from ..core.rules import BILLED, settles_invoice


# -- what an invoice still owes ----------------------------------------------------------------

class Settlement(NamedTuple):
    """What settles an invoice (or a credit note), as of a day. Amounts in its currency.
    (A named tuple: made for each of 25,000 invoices, a frozen dataclass took a fifth of it.)"""
    invoice: str
    currency: str
    total: Decimal          # below zero for a credit note
    paid: Decimal           # received money linked to it (what reached the account)
    fees: Decimal           # what the bank kept of those payments (`fee`): written off with them
    credited: Decimal       # what its credit notes took back of it (above zero; a credit note: what its invoice took of it)
    written_off: Decimal    # written off by `invoice settle --write-off`
    balance: Decimal        # total - paid - fees - credited - written_off (a credit note: what the client is still owed, below zero)
    owed: Decimal           # the balance when it was billed (sent or paid, issued) by then, else 0
    settled: bool           # billed and nothing left either way
    prepaid: Decimal = ZERO  # a final invoice: the deposit and progress invoices it deducts (BT-113)

    @property
    def received(self) -> Decimal:
        """Money and fees: what the client paid toward it."""
        return self.paid + self.fees


def day(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None


def payments(g, inv, asof: dt.date | None = None) -> list:
    """The received income in the invoice's currency linked to `inv`, dated by `asof`, oldest first."""
    linked = g.by("transaction", "invoice").get(inv.id)
    if not linked:
        return []
    cur = g.currency(inv)
    out = []
    for t in linked:
        if settles_invoice(t.data) is None or g.currency(t) != cur:
            continue
        d = day(t.data.get("date"))
        if asof is not None and d is not None and d > asof:
            continue
        out.append(t)
    if len(out) > 1:
        out.sort(key=lambda t: (day(t.data.get("date")) or dt.date.min, t.id))
    return out


def credit_notes(g, inv, asof: dt.date | None = None) -> list:
    """The billed (sent or paid) credit notes of `inv` issued by `asof`, in the order they were issued."""
    notes = g.by("invoice", "credit_for").get(inv.id)
    if not notes:
        return []
    notes = [c for c in notes
             if c.data.get("status") in BILLED and g.totals(c)[2] < 0
             and (asof is None or day(c.data.get("issued")) is None or day(c.data.get("issued")) <= asof)]
    notes.sort(key=lambda c: (day(c.data.get("issued")) or dt.date.min, c.id))
    return notes


def written_off(inv, asof: dt.date | None = None) -> Decimal:
    """What `invoice settle --write-off` wrote off of `inv` by `asof`."""
    amount = inv.data.get("written_off")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        return ZERO
    d = day(inv.data.get("written_off_on"))
    if asof is not None and d is not None and d > asof:
        return ZERO
    return amount + ZERO


@dataclass(frozen=True)
class Prepaid:
    """What a final invoice deducts (docs/quotes.md): the deposit and progress invoices it names
    (`deducts:`, void ones left out), their net and tax per rate and their total."""
    invoices: tuple[str, ...]
    net: dict               # rate -> net
    tax: dict               # rate -> tax
    total: Decimal          # what was paid on account: the invoices' totals with tax

    @property
    def net_total(self) -> Decimal:
        return sum(self.net.values(), ZERO)


NOTHING_PREPAID = Prepaid((), {}, {}, ZERO)


def prepaid(g, inv) -> Prepaid:
    """What invoice `inv` deducts as paid on account: the totals of the invoices of its `deducts:`
    (a final invoice's deposits and progress invoices), per tax rate. Nothing for other invoices."""
    ids = inv.data.get("deducts")
    if not isinstance(ids, list) or not ids:
        return NOTHING_PREPAID
    return g.memo(("prepaid", inv.id, id(inv)), lambda: _prepaid(g, inv, ids), of=inv)


def _prepaid(g, inv, ids: list) -> Prepaid:
    net: dict = {}
    tax: dict = {}
    total = ZERO
    found = []
    for rid in ids:
        part = g.get("invoice", rid) if isinstance(rid, str) else None
        if part is None or part.data.get("status") == "void" or part.id == inv.id:
            continue                    # validate reports a missing or void one
        found.append(part.id)
        total += g.totals(part)[2]
        for rate, n, t in tax_groups(part.data, g.settings.tax_per_line):
            net[rate] = net.get(rate, ZERO) + n
            tax[rate] = tax.get(rate, ZERO) + t
    return Prepaid(tuple(found), net, tax, total)


def settled_otherwise(g, inv, asof: dt.date | None = None) -> Decimal:
    """What settles `inv` besides money by `asof` (any day: None): its billed credit notes, in
    full, its write-off and (a final invoice) the deposits it deducts. What a payment may still bring (`total - received - this`) is
    `left_to_pay`; the matcher and the door's payment checks read it here."""
    return written_off(inv, asof) + prepaid(g, inv).total + \
        sum((-g.totals(c)[2] for c in credit_notes(g, inv, asof)), ZERO)


def _billed_by(inv, asof: dt.date | None) -> bool:
    if inv.data.get("status") not in BILLED:
        return False
    issued = day(inv.data.get("issued"))
    return asof is None or issued is None or issued <= asof


def settlement(g, inv, asof: dt.date | None = None) -> Settlement:
    """What invoice `inv` still owes on `asof` (default: the book's today): its total less
    linked payments and their fees, its credit notes and its write-off. A credit note's own
    settlement says what of it its invoice did not absorb (owed to the client, below zero);
    a paid credit note (refunded, or set off elsewhere) owes nothing. A void invoice owes
    nothing; a paid one with nothing linked counts as settled (validate warns about it)."""
    asof = g.today if asof is None else asof
    return g.memo(("settlement", inv.id, id(inv), asof), lambda: _settle(g, inv, asof), of=inv)


def _settle(g, inv, asof: dt.date) -> Settlement:
    cur = g.currency(inv)
    total = g.totals(inv)[2]
    status = inv.data.get("status")
    if inv.data.get("credit_for"):
        got = _credit_settlement(g, inv, asof, cur, total)
    else:
        paid = fees = ZERO
        found = payments(g, inv, asof)
        for t in found:
            amount, fee = settles_invoice(t.data)
            paid += amount
            fees += fee
        off = written_off(inv, asof)
        before = prepaid(g, inv).total      # a final invoice: paid on account already
        left = total - before - paid - fees - off
        credited = ZERO
        for c in credit_notes(g, inv, asof):
            take = min(-g.totals(c)[2], max(left - credited, ZERO))
            credited += take
        balance = left_to_pay(total, paid + fees + off, credited + before)
        if status == "void" or (status == "paid" and not found and not _anything_linked(g, inv)):
            balance = ZERO
        billed = _billed_by(inv, asof)
        got = Settlement(inv.id, cur, total, paid, fees, credited, off, balance,
                         balance if billed else ZERO, billed and balance == 0, before)
    return got


def left_to_pay(total: Decimal, received: Decimal, otherwise: Decimal) -> Decimal:
    """The rule itself: an invoice's total less what was received for it (money and fees) and
    what settled it otherwise (credit notes, write-off). Zero: paid."""
    return total - received - otherwise


def _anything_linked(g, inv) -> bool:
    """Whether anything settles `inv` at all (on any day): a paid invoice without is taken as
    settled by hand."""
    return bool(payments(g, inv, None) or credit_notes(g, inv, None) or written_off(inv, None))


def _credit_settlement(g, note, asof, cur, total) -> Settlement:
    """A credit note: what its invoice absorbed of it (in the order its credit notes were issued)."""
    original = g.get("invoice", note.data.get("credit_for"))
    taken = ZERO
    if original is not None and note.data.get("status") in BILLED:
        s = settlement(g, original, asof)
        left = s.credited
        for c in credit_notes(g, original, asof):
            take = min(-g.totals(c)[2], left)
            left -= take
            if c.id == note.id:
                taken = take
                break
    paid = note.data.get("status") == "paid"
    balance = ZERO if paid or note.data.get("status") == "void" else total + taken
    billed = _billed_by(note, asof)
    return Settlement(note.id, cur, total, ZERO, ZERO, taken, ZERO, balance,
                      balance if billed else ZERO, billed and balance == 0)


def overdue_days(g, inv, asof: dt.date | None = None) -> int:
    """Days past due of an invoice that still owes money (0 when not overdue)."""
    asof = g.today if asof is None else asof
    s = settlement(g, inv, asof)
    due = due_date(g, inv)
    if inv.data.get("status") != "sent" or s.owed <= 0 or due is None or due >= asof:
        return 0
    return (asof - due).days


def due_date(g, inv) -> dt.date | None:
    due = inv.data.get("due")
    if isinstance(due, dt.date):
        return due
    issued = inv.data.get("issued")
    try:
        return issued + dt.timedelta(days=g.settings.payment_terms_days) if isinstance(issued, dt.date) else None
    except OverflowError:
        return None   # an issue date at the calendar's end: validate reports the invoice's dates


def client_outstanding(g, client_id: str, currency: str, asof: dt.date | None = None) -> Decimal:
    """What a client owes in `currency`: the invoices' `owed`, less what open credit notes owe them."""
    total = ZERO
    for inv in g.by("invoice", "client").get(client_id, ()):
        s = settlement(g, inv, asof)
        if s.currency == currency:
            total += s.owed
    return total
