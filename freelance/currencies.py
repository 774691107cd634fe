"""Currency rules, each once: minor units, where a record takes its currency from,
and which amounts must fit the currency's minor unit (docs/finance.md).

Standard library only (ground floor): the graph, validate and the write door use these.
"""
from __future__ import annotations

from decimal import Decimal

# ISO 4217 minor units that are not 2 (the usual case). Enough for a freelancer's
# books; a code not listed has 2 (cents).
MINOR_UNITS = {
    # no minor unit
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    # thousandths
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    # four places
    "CLF": 4, "UYW": 4,
}

# A record with no `currency:` takes it from the first of these links that names a record
# (which may take its own from its links), then from its account (transactions), then the book.
CURRENCY_FROM: dict[str, tuple[str, ...]] = {
    "invoice": ("project", "client"),
    "service": ("project", "client"),
    "project": ("client",),
    "transaction": ("invoice", "service", "project", "client"),
}

# Amounts that must fit the currency's minor unit (0.001 USD is refused). Prices per unit
# (rate, default_rate, an item's unit_price) may be finer: the lines are rounded to the unit.
WHOLE_AMOUNTS = ("amount", "contract_value", "value", "tax", "opening_balance")


def minor_units(code: str) -> int:
    return MINOR_UNITS.get(str(code), 2)


def fits(amount: Decimal, code: str) -> bool:
    """`amount` has no more decimals than `code` has (trailing zeros do not count: 10.500 USD fits)."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        return True
    exp = amount.as_tuple().exponent
    if isinstance(exp, int) and exp >= -minor_units(code):
        return True
    return amount == amount.quantize(Decimal(1).scaleb(-minor_units(code)))


def places_message(option: str, value: Decimal, cur: str) -> str:
    """What is wrong with `value` in `cur` (for a refusal on input and for validate)."""
    n = minor_units(cur)
    places = "no decimals" if n == 0 else f"{n} decimal place{'s' * (n != 1)}"
    return f"{option}: {value} has more decimals than {cur} has ({places})"
