"""Money as exact decimals: the sums' zero, rounding to cents, percentages, invoice totals.

Ground floor: standard library only. Every amount is a `Decimal` read from the
file's text; nothing here ever passes through float.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .limits import MAX_DIGITS, line_problem, number_problem

ZERO = Decimal("0.00")   # money sums start here, so they print with cents
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def money(v) -> Decimal:
    """Round half up to cents."""
    return (v if isinstance(v, Decimal) else Decimal(str(v or 0))).quantize(CENT, rounding=ROUND_HALF_UP)


def dec(v) -> Decimal:
    """A stored number as Decimal; what is not a finite number (validate reports it) counts as 0."""
    if isinstance(v, Decimal):
        return v if v.is_finite() and (not v or v.adjusted() < MAX_DIGITS) else ZERO
    if isinstance(v, (int, str)) and not isinstance(v, bool) and str(v).strip():
        try:
            d = Decimal(str(v).strip())
        except ArithmeticError:
            return ZERO
        # the reader refused it as money (not a number, or too large): validate reports it
        return d if number_problem(d) is None else ZERO
    return ZERO


def pct(part: Decimal, whole) -> Decimal | None:
    """part / whole as a percentage with one decimal, or None when whole is 0 or absent."""
    if not isinstance(whole, Decimal) or whole <= 0:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def line_total(item: dict) -> Decimal:
    """An invoice line's quantity (default 1) x unit price, rounded to cents; 0 for a line past
    the limits (`limits.line_problem`: validate reports it), as `dec` counts a bad number."""
    q = item.get("quantity")
    q = dec(q) if isinstance(q, Decimal) else Decimal(1)
    price = dec(item.get("unit_price"))
    if line_problem(q, price):
        return ZERO
    return money(q * price)


def invoice_lines(invoice: dict) -> list[tuple[dict, Decimal, Decimal]]:
    """Each line of an invoice as (item, net amount rounded to cents, tax rate): an item's own
    `tax_rate` wins over the invoice's; an invoice of one `amount` is one line."""
    rate = dec(invoice.get("tax_rate"))
    items = invoice.get("items")
    if isinstance(items, list) and items:
        out = []
        for it in items:
            if not isinstance(it, dict):
                continue
            own = it.get("tax_rate")
            out.append((it, line_total(it), dec(own) if own is not None else rate))
        return out
    return [({}, money(dec(invoice.get("amount"))), rate)]


def tax_groups(invoice: dict, per_line: bool = False) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(rate, net, tax) per tax rate of an invoice, lowest rate first, each rounded to cents:
    tax per line then summed (`per_line`), or on each rate's net. What a document shows
    per rate (EU VAT Directive art. 226(8)-(10)) and what `invoice_totals` adds up."""
    groups: dict = {}
    for _, line, rate in invoice_lines(invoice):
        net, tax = groups.get(rate, (ZERO, ZERO))
        groups[rate] = (net + line, tax + (money(line * rate / HUNDRED) if per_line else ZERO))
    if not per_line:
        groups = {rate: (net, money(net * rate / HUNDRED)) for rate, (net, _) in groups.items()}
    return [(rate, net, tax) for rate, (net, tax) in sorted(groups.items())]


def invoice_totals(invoice: dict, per_line: bool = False) -> tuple[Decimal, Decimal, Decimal]:
    """An invoice's (subtotal, tax, total) rounded to cents; tax per line or on each rate's net."""
    return totals_of(tax_groups(invoice, per_line))


def totals_of(groups) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax, total) of an invoice's `tax_groups`."""
    subtotal = tax = ZERO
    for _, net, t in groups:
        subtotal += net
        tax += t
    return subtotal, tax, subtotal + tax
