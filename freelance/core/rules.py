"""Each value rule once: the predicates every room of the house asks.

Ground floor: imports only the standard library. Messages stay with their
callers (a CLI refusal and a `validate` line word the same rule
differently); the rule itself lives here, so they cannot disagree.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from decimal import ROUND_HALF_UP, Decimal

from .money import dec
from .schedule import check_rule
from .limits import MAX_INT_DIGITS, MAX_NUMBER_LENGTH, pattern_width_problem
import hashlib
import hmac
import json

# -- invoice numbers ------------------------------------------------------------------

DEFAULT_INVOICE_NUMBER = "INV-{year}-{seq:03d}"
DEFAULT_QUOTE_NUMBER = "Q-{year}-{seq:03d}"
# A draft invoice's id until it is issued: `draft-YYYYMMDD-3fa9c2` (its issue date, 24 random
# bits), so drafts made on two devices never clash; its number comes when it leaves draft
# (docs/ids.md)
DRAFT_PREFIX = "draft-"
_DRAFT_ID = re.compile(r"draft-\d{8}-[0-9a-f]{6}\Z")


def is_draft_id(rid) -> bool:
    """`rid` is a draft invoice's id (`draft-20261207-3fa9c2`), not a number."""
    return isinstance(rid, str) and _DRAFT_ID.match(rid) is not None


def invoice_number_problem(pattern) -> str | None:
    """Why `pattern` cannot number invoices, or None when it can.

    A usable pattern formats with `year` and `seq`, uses `{seq}` (the
    gapless sequence) and no field but `{year}` and `{seq}`."""
    pattern = str(pattern)
    too_wide = pattern_width_problem(pattern)       # before formatting it (limits.py)
    if too_wide:
        return too_wide
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
        made = pattern.format(year=2026, seq=1)
    except (KeyError, IndexError, ValueError) as exc:
        return str(exc)
    if "seq" not in fields or not set(fields) <= {"year", "seq"}:
        return "it needs {seq} (and may use {year})"
    if made.lower().startswith(DRAFT_PREFIX):
        return f"numbers starting with '{DRAFT_PREFIX}' are drafts' ids"
    if len(made) > MAX_NUMBER_LENGTH:
        return f"it makes numbers longer than {MAX_NUMBER_LENGTH} characters"
    return None


def number_regex(pattern: str, year: int) -> re.Pattern:
    """A regex matching the numbers `pattern` gives in `year`, with the sequence as group 1."""
    out = []
    for literal, name, _, _ in string.Formatter().parse(pattern):
        out.append(re.escape(literal))
        if name == "year":
            out.append(str(year))
        elif name == "seq":
            out.append(r"(\d{1,%d})" % MAX_INT_DIGITS)   # longer is no number of ours (limits.py)
    return re.compile("".join(out) + r"\Z")


# -- ids and codes ----------------------------------------------------------------------

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_CURRENCY = re.compile(r"[A-Z]{3}\Z")


def is_id(text) -> bool:
    """A record id (and a list value such as a stage): a letter or digit, then letters,
    digits, '.', '_' or '-'."""
    return isinstance(text, str) and _ID.match(text) is not None


def is_currency(text) -> bool:
    """An ISO 4217-shaped currency code: three capital letters."""
    return isinstance(text, str) and _CURRENCY.match(text) is not None


# -- date pairs ---------------------------------------------------------------------------

# kind -> its (first, second) pairs: the second may not be before the first (`add`/`edit` refuse it too)
DATE_PAIRS = {"project": (("start", "end"),), "service": (("start", "end"),), "goal": (("start", "target_date"),),
              "meeting": (("start", "end"),), "recurring": (("start", "end"),),
              "invoice": (("issued", "due"), ("supply_start", "supply_end")), "transaction": (("issued", "due"),)}


def date_problems(kind_name: str, data: dict, only=None) -> list[tuple[str, str]]:
    """(field, message) for each of a record's date pairs whose second date is before its
    first; with `only` (field names), just the pairs that have one of them."""
    out = []
    for a, b in DATE_PAIRS.get(kind_name, ()):
        if only is not None and a not in only and b not in only:
            continue
        x, y = data.get(a), data.get(b)
        if isinstance(x, dt.date) and isinstance(y, dt.date) and type(x) is type(y) and y < x:
            out.append((b, f"{b} {_when(y)} is before {a} {_when(x)}"))
    return out


def date_order(kind_name: str, data: dict, only=None) -> tuple[str, str] | None:
    """The first of `date_problems`, or None."""
    bad = date_problems(kind_name, data, only)
    return bad[0] if bad else None


def moved_after(data: dict, today: dt.date) -> str | None:
    """A message when income or an expense is marked as moved (received, paid) on a day
    after `today`: money does not move in the future (`--future` says it is meant)."""
    d = data.get("date")
    if data.get("received") is True and isinstance(d, dt.date) and d > today:
        verb = "paid" if data.get("kind") == "expense" else "received"
        return f"{data.get('kind') or 'transaction'} marked {verb} on {d.isoformat()}, after today ({today.isoformat()})"
    return None


def _when(d: dt.date) -> str:
    """A date or time as the files write it: 2026-12-01, 2026-12-01 10:00."""
    if isinstance(d, dt.datetime):
        return d.strftime("%Y-%m-%d %H:%M" if not d.second else "%Y-%m-%d %H:%M:%S")
    return d.isoformat()


# -- invoices and the income that pays them -------------------------------------------------

# An invoice's statuses (schema.py's `status` field), and the sets the rules ask about: each once.
INVOICE_STATUSES = ("draft", "sent", "paid", "void")
QUOTE_STATUSES = ("draft", "sent", "accepted", "declined", "expired")
QUOTE_OPEN = ("draft", "sent")     # may still be accepted; a sent one past its valid_until is shown expired
# a project billed in parts (docs/quotes.md): deposit and progress invoices are paid on account
# (UNTDID 1001 type 386) and deducted, as prepaid, by the final invoice (380)
INVOICE_PARTS = ("deposit", "progress", "final")
ON_ACCOUNT = ("deposit", "progress")
BILLED = ("sent", "paid")          # counted as invoiced (reports, billed hours, a service's lines)
NOT_OWED = ("draft", "void")       # nothing is owed on it: no payment is for it
SETTLED = ("paid", "void")         # closed: income no longer moves it to paid
UNPAID = ("draft", "sent")         # may still be paid: its due day is in the calendar
NOT_VOID = ("draft", "sent", "paid")   # its lines count (a voided invoice's do not)


def pays_invoice(data: dict | None) -> bool:
    """Income that counts toward its invoice's total: income whose money has moved."""
    return data is not None and data.get("kind") == "income" and data.get("received") is True


def settles_invoice(data: dict | None) -> tuple[Decimal, Decimal] | None:
    """What income `data` settles of its invoice, as (amount received, fee the bank kept), or
    None when it settles nothing (not income, or its money has not moved). The one rule for
    "pays an invoice": the graph, the journal, the parse cache's sums, the matcher and the
    follow-ups that move an invoice to paid all ask it. A number that is not one counts as 0."""
    if not pays_invoice(data):
        return None
    return dec(data.get("amount")), dec(data.get("fee"))


def is_client_income(data: dict | None) -> bool:
    """Income a client paid (classification `client`, or none yet): only this counts in a
    client's, project's or service's received; a grant linked to a client is refused."""
    return data is not None and data.get("kind") == "income" and data.get("classification") in (None, "client")


def foreign_owner(owner: str | None, client: str | None) -> bool:
    """A linked record owned by another client than the one an income (or a record) names."""
    return bool(owner and client and owner != client)


# -- who bills whom: countries, VAT ids, bank accounts, languages --------------------------
# Checked by well-kept libraries (pycountry, python-stdnum, schwifty, babel), imported only
# when a value is checked, so start-up and books without these fields never load them.

# EU member states by their ISO 3166 code (VAT ids of Greece start EL).
EU_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())


def country_problem(code) -> str | None:
    """Why `code` is not an ISO 3166 alpha-2 country code (DE, FR, GB), or None."""
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
        return "expected a two-letter ISO 3166 code in capitals like DE, FR or GB"
    import pycountry
    if pycountry.countries.get(alpha_2=code) is None:
        return "not an ISO 3166 country code"
    return None


def _vat_module(vat_id: str):
    from stdnum import get_cc_module
    cc = vat_id[:2].lower()
    cc = {"el": "gr", "xi": "gb"}.get(cc, cc)
    if not re.fullmatch(r"[a-z]{2}", cc):
        return None
    try:
        return get_cc_module(cc, "vat")
    except Exception:       # no VAT module for that country
        return None


def vat_id_problem(vat_id) -> str | None:
    """Why `vat_id` is not a valid VAT id (country prefix, then the number, its check digits
    checked where python-stdnum knows the country's rules), or None."""
    if not isinstance(vat_id, str) or not re.fullmatch(r"[A-Za-z]{2}[0-9A-Za-z +.-]{2,14}", vat_id.strip()):
        return "expected the country prefix and the number, like DE123456789"
    mod = _vat_module(vat_id.strip())
    if mod is None:
        return None         # a country whose rules the library does not know: taken as given
    if not mod.is_valid(vat_id.strip()):
        return "not a valid VAT id (wrong length or check digits)"
    return None


def vat_country(vat_id) -> str | None:
    """The ISO 3166 country of a VAT id (EL -> GR, XI -> GB)."""
    if not isinstance(vat_id, str) or len(vat_id.strip()) < 2:
        return None
    cc = vat_id.strip()[:2].upper()
    return {"EL": "GR", "XI": "GB"}.get(cc, cc)


def compact_vat_id(vat_id: str) -> str:
    """A VAT id without spaces, dots and dashes, in capitals."""
    return re.sub(r"[\s.-]", "", str(vat_id)).upper()


def iban_problem(iban) -> str | None:
    """Why `iban` is not a valid IBAN (length and check digits, by schwifty), or None."""
    from schwifty import IBAN
    try:
        IBAN(str(iban))
    except ValueError as exc:
        return f"not a valid IBAN ({str(exc).rstrip('.').lower()})"
    return None


def bic_problem(bic) -> str | None:
    """Why `bic` is not a valid BIC (by schwifty), or None."""
    from schwifty import BIC
    try:
        BIC(str(bic))
    except ValueError as exc:
        return f"not a valid BIC ({str(exc).rstrip('.').lower()})"
    return None


def language_problem(lang) -> str | None:
    """Why `lang` is not a language documents can be written in (en, de, fr_CH), or None."""
    if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}([_-][A-Za-z0-9]{2,4})?", lang):
        return "expected a language code like en, de or fr_CH"
    from babel import Locale, UnknownLocaleError
    try:
        Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return "not a language Babel knows"
    return None


def reverse_charge(seller_country, buyer_country, buyer_vat_id) -> bool:
    """Intra-EU business supply: both parties in the EU, in different countries, and the buyer
    has a VAT id; the buyer accounts for the VAT (EU VAT Directive art. 196, 226(11a))."""
    return bool(seller_country in EU_COUNTRIES and buyer_country in EU_COUNTRIES
                and seller_country != buyer_country and buyer_vat_id)


def tax_category(rate, seller_country, buyer_country, buyer_vat_id) -> tuple[str, str | None]:
    """(VAT category code of EN 16931 / UNTDID 5305, the reason it is untaxed) of an invoice's
    lines at `rate`: S standard (taxed), AE reverse charge (intra-EU business supply), G export
    outside the EU, E exempt (anything else at rate 0)."""
    if rate > 0:
        return "S", None
    if reverse_charge(seller_country, buyer_country, buyer_vat_id):
        return "AE", "reverse_charge"
    if buyer_country and seller_country and buyer_country != seller_country \
            and not (buyer_country in EU_COUNTRIES and seller_country in EU_COUNTRIES):
        return "G", "export"
    return "E", "exempt"


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\Z")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+\Z")


def is_email(text) -> bool:
    """Something@somewhere, no spaces: what a mail program takes as an address."""
    return isinstance(text, str) and _EMAIL.match(text) is not None


def is_url(text) -> bool:
    """A scheme, `://` and no spaces (https://example.test/x)."""
    return isinstance(text, str) and _URL.match(text) is not None


def business_problem(rule: str, value: str) -> str | None:
    """Why a business identity value (`settings set business.KEY`) is not one, or None."""
    if rule in TEXT_CHECKS:
        return TEXT_CHECKS[rule](value)
    if rule == "email" and not is_email(value):
        return "does not look like an email address"
    if rule == "url" and not is_url(value):
        return "is not a URL (expected https://...)"
    return None


def rrule_problem(text: str) -> str | None:
    """Why a recurring invoice's `rrule` is not a schedule `freelance run` reads, or None."""
    try:
        check_rule(text)
    except ValueError as exc:
        return str(exc)
    return None


# a field's `check` (schema) -> the rule for its text, for `add`/`edit` and `validate` alike
TEXT_CHECKS = {"country": country_problem, "vat_id": vat_id_problem, "language": language_problem,
               "iban": iban_problem, "bic": bic_problem, "rrule": rrule_problem}


# -- sealing a sent invoice (docs/documents.md, "What the seal proves") -----------------------
# What the document shows of an invoice record: sending seals these (a hash stored with the
# invoice); afterwards they may not change (status, payments and notes may). A seal names its
# version and the fields it covers: `v2:id,client,...:hmac-sha256:HEX`. A version's fields are
# fixed (SEAL_VERSIONS): a seal that lists others is not one the tool made.
SEALED = ("id", "client", "project", "issued", "due", "items", "amount", "tax_rate", "currency",
          "supply_start", "supply_end", "credit_for")
SEAL_VERSION = "v2"
# a part of a project billed in parts also seals what it is and what it deducts (docs/quotes.md);
# a quote seals what its document shows (its own version: a quote is no invoice)
QUOTE_SEALED = ("id", "client", "title", "issued", "valid_until", "items", "tax_rate", "currency", "start", "due",
                "payment_terms_days")
SEAL_VERSIONS = {"v2": SEALED, "p1": SEALED + ("part", "deducts"), "q1": QUOTE_SEALED}


def seal_version(data: dict, kind: str = "invoice") -> str:
    """The seal version a record gets when sent: q1 for a quote, p1 for a part of a project billed
    in parts, else v2 (what every invoice got before)."""
    if kind == "quote":
        return "q1"
    return "p1" if data.get("part") or data.get("deducts") else SEAL_VERSION
_SEAL_KEY = b"freelance invoice seal v2"     # public: it separates the seal from a plain SHA-256, it is no secret


def _canonical(value):
    """A value as the seal sees it: 39.90 and 39.9 are one number, dates ISO, mappings sorted."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, (int, float)):
        return _canonical(Decimal(str(value)))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return str(value)


def _fields_json(data: dict, fields) -> str:
    shown = {k: _canonical(data.get(k)) for k in fields if data.get(k) is not None}
    return json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _seal_v1(data: dict) -> str:
    """The first seal (before issue 23): a plain SHA-256 of the fields' canonical JSON."""
    return "sha256:" + hashlib.sha256(_fields_json(data, SEALED).encode("utf-8")).hexdigest()


def seal_of(data: dict, version: str | None = None) -> str:
    """The seal of an invoice's document fields: `VERSION:FIELD,...:hmac-sha256:HEX`, an HMAC
    (a public key naming the version) over the version, the field list and their canonical JSON."""
    version = version or seal_version(data)
    fields = SEAL_VERSIONS[version]
    message = f"{version}\n{','.join(fields)}\n{_fields_json(data, fields)}".encode("utf-8")
    return f"{version}:{','.join(fields)}:hmac-sha256:" + hmac.new(_SEAL_KEY, message, hashlib.sha256).hexdigest()


def first_format_seal(data: dict) -> bool:
    """`data` carries a first-format seal (`sha256:HEX`) that matches its fields: what `invoice
    send` wrote before seals had versions, or a plain SHA-256 recomputed by hand (no telling)."""
    return hmac.compare_digest(str(data.get("seal") or ""), _seal_v1(data))


def seal_problem(data: dict) -> tuple[str, str] | None:
    """(severity, what) when invoice `data`'s seal does not hold, or is missing where `invoice
    send` put one (`sent_on`); None when it holds or the invoice was never sent by the tool."""
    seal = data.get("seal")
    sent = data.get("sent_on")
    when = f" on {sent}" if sent else ""
    if seal is None or seal == "":
        if sent is not None:
            return "error", (f"sent{when} by `invoice send`, but its seal is gone: the seal is what shows the "
                             "document was not changed by hand since (restore it from git, `git log -p`)")
        return None
    text = str(seal)
    parts = text.split(":")
    if len(parts) == 2 and parts[0] == "sha256":
        if first_format_seal(data):
            return "error", ("sealed in the first format, a plain SHA-256 that anyone can recompute after a hand "
                             "edit, so it proves nothing; if you sent it with freelance, re-seal it: "
                             f"`freelance invoice send {data.get('id')}` (it writes the mail again)")
    elif len(parts) == 4 and parts[0] in SEAL_VERSIONS and parts[2] == "hmac-sha256":
        if tuple(parts[1].split(",")) != SEAL_VERSIONS[parts[0]]:
            return "error", (f"the seal lists the fields {parts[1]!r}, which is not what a {parts[0]} seal covers: "
                             "the tool did not write it")
        if hmac.compare_digest(text, seal_of(data, parts[0])):
            return None
    else:
        return "error", f"the seal {text[:40]!r} is not one the tool writes (VERSION:FIELDS:hmac-sha256:HEX)"
    return "error", (f"sealed when sent{when}, but what its document shows was changed by hand since (the client "
                     "has the document as sent): undo the change, or correct it with a credit note "
                     f"(`freelance invoice credit {data.get('id')}`)")


def sealed_fields(data: dict) -> tuple[str, ...]:
    """The fields a sent invoice's (or quote's) seal fixes: what its document shows; () unsealed."""
    if not data.get("seal"):
        return ()
    return SEAL_VERSIONS.get(str(data["seal"]).split(":", 1)[0], SEALED)


def sealed_changes(old: dict, new: dict) -> list[str]:
    """The sealed fields an edit of a sealed invoice (`old`) would change in `new`."""
    return [k for k in sealed_fields(old) if _canonical(old.get(k)) != _canonical(new.get(k))]


def invoice_statuses(data: dict, statuses) -> list[str]:
    """The statuses an invoice may be given (`edit`, `move`, the board): void is final, and a
    sealed one never goes back to draft (`changes.invoicing.refuse_back` says why)."""
    was = data.get("status")
    if was == "void":
        return ["void"]
    return [s for s in statuses if not (s == "draft" and was != "draft" and data.get("seal"))]


# -- currencies (docs/finance.md) ----------------------------------------------------------

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
    "quote": ("client",),
    "recurring": ("project", "client"),
    "service": ("project", "client"),
    "project": ("client",),
    "transaction": ("invoice", "service", "project", "client"),
}

# Amounts that must fit the currency's minor unit (0.001 USD is refused). Prices per unit
# (rate, default_rate, an item's unit_price) may be finer: the lines are rounded to the unit.
WHOLE_AMOUNTS = ("amount", "contract_value", "value", "tax", "opening_balance")


_TAX_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


def text_problem(text: str) -> str | None:
    """Text a user typed that the book cannot hold: not valid UTF-8 (a shell passes bytes it
    cannot decode as lone surrogates, `$'N\\xe9'`), or a NUL. None when it is fine."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "expected UTF-8 text (it has bytes that are not: is the terminal set to another encoding?)"
    if "\x00" in text:
        return "expected text without NUL characters"
    return None


def is_tax_name(text) -> bool:
    """The `tax_name` setting: lowercase letters, digits and '-' (it names ledger accounts)."""
    return isinstance(text, str) and _TAX_NAME.match(text) is not None


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


def transfer_problems(data: dict, currency: str, to_currency: str, held: str | None) -> list[tuple[str, str]]:
    """What is wrong with a transfer between own accounts, as (field, message): the same
    account at both ends; a currency other than the one its `from_account` holds (`held`);
    accounts in two currencies without the amount that reached the second (`to_amount`), or
    a `to_amount` between accounts in one currency (a fee is an expense); amounts finer than
    their currency. Used by the write (changes/currency.py) and by validate."""
    out = []
    src, dst = data.get("from_account"), data.get("to_account")
    amount, to_amount = data.get("amount"), data.get("to_amount")
    if src is not None and src == dst:
        out.append(("to_account", f"a transfer moves money between two accounts, and both are '{src}'"))
    if held and held != currency:
        out.append(("currency", f"in {currency}, from account '{src}', which holds {held}"))
    if to_currency != currency and to_amount is None:
        out.append(("to_amount", f"account '{src}' is in {currency} and '{dst}' in {to_currency}: "
                                 f"give the amount in {to_currency} that reached '{dst}' (to_amount)"))
    if to_currency == currency and to_amount is not None and to_amount != amount:
        out.append(("to_amount", f"to_amount {to_amount} differs from the amount {amount}, and both ends are in "
                                 f"{currency}: to_amount is for transfers between currencies "
                                 "(a fee is an expense of its own)"))
    if isinstance(amount, Decimal) and not fits(amount, currency):
        out.append(("amount", places_message("amount", amount, currency)))
    if isinstance(to_amount, Decimal) and not fits(to_amount, to_currency):
        out.append(("to_amount", places_message("to_amount", to_amount, to_currency)))
    return out


# -- expenses, bills and suppliers (docs/suppliers.md) ------------------------------------------

def _finite(v) -> bool:
    return isinstance(v, Decimal) and v.is_finite()


def expense_taxes(data: dict, currency: str) -> list[tuple[Decimal | None, Decimal]]:
    """An expense's input tax per rate, (rate or None, tax): a bill's `taxes` (net and tax per
    rate, as its e-invoice states them), else its `tax` (at its `tax_rate`, when given), else the
    part of its amount (tax included) that `tax_rate` is, rounded half up to the currency's unit.
    Nothing for an amount that is not a number (a draft)."""
    amount = data.get("amount")
    if not _finite(amount):
        return []
    rate, tax, taxes = data.get("tax_rate"), data.get("tax"), data.get("taxes")
    rate = rate if _finite(rate) else None
    if isinstance(taxes, list) and taxes:
        out = [(t.get("rate") if _finite(t.get("rate")) else None, t["tax"]) for t in taxes
               if isinstance(t, dict) and _finite(t.get("tax"))]
        if out:
            return out
    if _finite(tax):
        return [(rate, min(max(tax, Decimal(0)), amount) + 0)]
    if rate is not None and rate > 0:
        unit = Decimal(1).scaleb(-minor_units(currency))
        return [(rate, (amount * rate / (100 + rate)).quantize(unit, rounding=ROUND_HALF_UP) + 0)]
    return []


def is_bill(data: dict | None) -> bool:
    """An expense that is a supplier's bill: it has a bill number (open until paid)."""
    return data is not None and data.get("kind") == "expense" and bool(data.get("number"))


def bill_status(data: dict) -> str:
    """A bill's status: draft (to complete), paid (the money moved) or open."""
    if data.get("draft") is True:
        return "draft"
    return "paid" if data.get("received") is True else "open"


def may_lack(kind_name: str, field: str, data: dict) -> bool:
    """A required field a record may lack for now: a draft expense's amount (a receipt read in
    without e-invoice data, to complete: docs/suppliers.md)."""
    return kind_name == "transaction" and field == "amount" and data.get("draft") is True
