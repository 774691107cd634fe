"""Exchange-rate files read in by `rates import` (docs/rates.md): the ECB's reference rates as
CSV (`eurofxref.csv`, `eurofxref-hist.csv`, or the `.zip` they come in) or XML
(`eurofxref-daily.xml`, `eurofxref-hist.xml`), and hledger's `P` directives (a journal or a
prices file). Each gives (day, currency, rate) with the rate in the book's currency: the ECB's
are euro-based (1 EUR = x USD) and are turned into the book's currency (crossed through the euro
when the book's is not the euro). Bad input: a `DataError` naming the file, line and what was
expected."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..core.errors import DataError
from ..core.rules import is_currency

PLACES = Decimal("1E-10")
EUR = "EUR"
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]


def _day(text: str, where: str) -> dt.date:
    t = text.strip()
    try:
        return dt.date.fromisoformat(t.replace("/", "-"))
    except ValueError:
        pass
    try:                    # the ECB's one-day CSV: "30 October 2026" (English month names)
        day, month, year = t.split()
        return dt.date(int(year), MONTHS.index(month.lower()) + 1, int(day))
    except ValueError:
        raise DataError(f"{where}: expected a date like 2026-11-20, got {t[:40]!r}") from None


def _number(text: str) -> Decimal | None:
    try:
        v = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return v if v.is_finite() and v > 0 else None


def _places(v: Decimal) -> Decimal:
    return v.quantize(PLACES, rounding=ROUND_HALF_UP).normalize() if v.as_tuple().exponent < -10 else v


def _from_euro(per_euro: dict[dt.date, dict[str, Decimal]], home: str, keep) -> list[tuple[dt.date, str, Decimal]]:
    """ECB quotes (1 EUR = x CUR) as rates in `home` (1 CUR = y home), of the days and
    currencies `keep(day, cur)` takes."""
    out = []
    for day, quotes in sorted(per_euro.items()):
        quotes = {**quotes, EUR: "1"}
        base = _number(quotes.get(home) or "")      # kept as text: only what is kept is read as a number
        if base is None:
            continue            # the book's currency is not quoted that day
        for cur, text in sorted(quotes.items()):
            if cur != home and keep(day, cur):
                v = _number(text)
                if v is not None:                   # "N/A": not quoted that day
                    out.append((day, cur, _places(base / v)))
    return out


class RateFile:
    """A file's rates: `kind` ("ecb" or "hledger"), how many `days` it covers, and `rates(keep)`
    in the book's currency (converted only for the days and currencies kept)."""

    def __init__(self, kind: str, home: str, per_euro: dict | None = None, direct: list | None = None,
                 skipped: int = 0):
        self.kind, self.home, self.skipped = kind, home, skipped
        self._per_euro, self._direct = per_euro, direct
        self.days = len(per_euro) if per_euro is not None else len({d for d, _, _ in direct or ()})

    def rates(self, keep=lambda day, cur: True) -> list[tuple[dt.date, str, Decimal]]:
        if self._per_euro is not None:
            return _from_euro(self._per_euro, self.home, keep)
        return [(d, c, r) for d, c, r in self._direct if keep(d, c)]


def _ecb_csv(text: str, name: str) -> dict:
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header or header[0].strip().lower() != "date":
        raise DataError(f"{name}:1: expected the ECB's CSV header 'Date, USD, JPY, ...'")
    curs = [h.strip() for h in header[1:]]
    out: dict = {}
    for n, row in enumerate(rows, start=2):
        if not row or not row[0].strip():
            continue
        day = _day(row[0], f"{name}:{n}")
        quotes = out.setdefault(day, {})
        for cur, cell in zip(curs, row[1:]):
            if cur and is_currency(cur):
                quotes[cur] = cell
    return out


def _ecb_xml(data: bytes, name: str) -> dict:
    from lxml import etree          # heavy: only for an XML file
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as e:
        raise DataError(f"{name}:{e.lineno or 1}: not well-formed XML ({e.msg})") from None
    out: dict = {}
    for cube in root.iter("{*}Cube"):
        when = cube.get("time")
        if when is None:
            continue
        day = _day(when, f"{name}:{cube.sourceline}")
        quotes = out.setdefault(day, {})
        for c in cube:
            cur = c.get("currency")
            if cur and is_currency(cur):
                quotes[cur] = c.get("rate") or ""
    if not out:
        raise DataError(f"{name}: expected the ECB's XML (<Cube time=\"2026-11-20\"><Cube currency=\"USD\" "
                        "rate=\"1.0856\"/>...), found no rates")
    return out


_P = re.compile(r"^P\s+(\d{4}[-/]\d{2}[-/]\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s+(\S+)\s+(.+?)\s*(?:;.*)?$")
_AMOUNT = re.compile(r"^(?:([A-Za-z]{3})\s*([0-9.,]+)|([0-9.,]+)\s*([A-Za-z]{3}))$")


def _hledger(text: str, name: str, home: str) -> tuple[list, int]:
    """hledger `P DATE COMMODITY AMOUNT` lines; the rest of a journal is skipped. A price
    between two currencies neither of which is the book's is skipped and counted."""
    out, skipped = [], 0
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("P"):
            continue
        m = _P.match(line.rstrip())
        if not m:
            raise DataError(f"{name}:{n}: expected a price directive like 'P 2026-11-20 USD 0.9132 EUR'")
        day = _day(m.group(1), f"{name}:{n}")
        cur = m.group(2).strip('"')
        a = _AMOUNT.match(m.group(3).strip())
        if not a or not is_currency(cur):
            raise DataError(f"{name}:{n}: expected a price directive like 'P 2026-11-20 USD 0.9132 EUR', "
                            f"with three-letter currency codes")
        unit, number = (a.group(1), a.group(2)) if a.group(1) else (a.group(4), a.group(3))
        v = _number(number.replace(",", ""))
        if v is None:
            raise DataError(f"{name}:{n}: expected a positive price, got {number!r}")
        if unit == home and cur != home:
            out.append((day, cur, v))
        elif cur == home and unit != home:
            out.append((day, unit, _places(Decimal(1) / v)))
        else:
            skipped += 1
    return out, skipped


def read_rates(data: bytes, name: str, home: str) -> RateFile:
    """The rates a file holds, to be had in `home`."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                inner = [n for n in z.namelist() if n.lower().endswith((".csv", ".xml"))]
                if len(inner) != 1:
                    raise DataError(f"{name}: expected a zip file holding one ECB .csv or .xml file")
                if z.getinfo(inner[0]).file_size > 64 * 2**20:
                    raise DataError(f"{name}: {inner[0]} is larger than 64 MB")
                return read_rates(z.read(inner[0]), f"{name}/{inner[0]}", home)
        except zipfile.BadZipFile:
            raise DataError(f"{name}: not a readable zip file") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{name}: not UTF-8 text") from None
    head = text.lstrip()[:200]
    if head.startswith("<"):
        return RateFile("ecb", home, per_euro=_ecb_xml(data, name))
    if head.lower().startswith("date"):
        return RateFile("ecb", home, per_euro=_ecb_csv(text, name))
    got, skipped = _hledger(text, name, home)
    if not got and not skipped:
        raise DataError(f"{name}: expected the ECB's CSV or XML rates, or hledger price directives "
                        "('P 2026-11-20 USD 0.9132 EUR'); found none")
    return RateFile("hledger", home, direct=got, skipped=skipped)
