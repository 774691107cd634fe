"""The book's settings (`freelance.yaml`): defaults, reading, the lists."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from .errors import did_you_mean, NotFound, UsageError
from .limits import number_problem, terms_problem, whole
from .rules import DEFAULT_INVOICE_NUMBER, invoice_number_problem, is_currency, is_id, is_tax_name, text_problem
from .durations import rounding_rule

SETTINGS_FILE = "freelance.yaml"

# The defaults of SPEC section 1, in the order `init` writes them.
DEFAULTS: dict = {
    "name": "Example Studio",
    # Unset until the user says who they are: a made-up owner would become the ORGANIZER
    # of every exported event (`init --owner NAME --email EMAIL`, `settings set owner.email`).
    "owner": {"name": None, "email": None, "address": None},
    "currency": "USD",
    "timezone": "UTC",
    "week_start": "monday",
    "date_order": "iso",   # iso: only 2026-11-25 on the command line; dmy: also 25/11/2026; mdy: 11/25/2026
    "stages": ["lead", "negotiation", "client"],
    "income_classifications": ["client", "salary", "interest", "refund", "other"],
    "expense_categories": ["software", "hardware", "travel", "taxes", "office", "other"],
    "accounts": [{"id": "bank", "name": "Bank", "opening_balance": 0},
                 {"id": "cash", "name": "Cash", "opening_balance": 0}],
    "contact_categories": ["finance", "services", "legal"],
    "resource_types": ["checklist", "guide", "strategy", "tip"],
    "resource_categories": ["taxes", "budgeting", "investments", "savings"],
    "goal_categories": ["health", "wealth", "relationship"],
    "meeting_media": ["google-meet", "zoom", "skype", "phone", "in-person"],
    "invoice_number": DEFAULT_INVOICE_NUMBER,
    "payment_terms_days": 30,
    "default_rate": None,
    "tax_rounding": "per-invoice",
    "time_rounding": "none",
}

# Settings a book may set that `init` does not write (their default applies when absent).
OPTIONAL: dict = {
    "tax_name": "tax",          # in exported account names: liabilities:tax:<name>, assets:tax:<name>
    "write_off_category": "write-offs",   # fees and write-offs: expenses:<category> (docs/ledger.md)
    "business": None,           # who you are on invoices: the keys of BUSINESS below
    "reminders": None,          # payment reminder levels (docs/reminders.md); absent: REMINDERS
    "outbox": "ignored",        # outbox/ (the mails `freelance run` writes): ignored by git, or kept
    "auto_commit": False,       # every change the CLI makes is its own git commit (docs/sync.md)
    "require_receipts": False,  # GoBD mode: validate lists every expense without a receipt (docs/suppliers.md)
    "tax_reserve": None,        # the part of this year's profit to set aside for income tax, like 30% (docs/tax-reserve.md)
    "tax_reserve_account": "tax-reserve",   # the account that holds it
}

# Payment reminders when the book sets none: 7 and 21 days after the due date (docs/reminders.md).
REMINDERS = ({"days": 7}, {"days": 21})
REMINDER_KEYS = ("days", "fee", "interest", "template")
OUTBOX = ("ignored", "kept")

# Settings that are lists of allowed values (`settings add/rm` work on these).
LISTS = ("stages", "income_classifications", "expense_categories", "accounts",
         "contact_categories", "resource_types", "resource_categories",
         "goal_categories", "meeting_media")

# Scalar settings `settings set` accepts, with a check of the value.
SCALARS = ("name", "currency", "timezone", "week_start", "date_order", "invoice_number",
           "payment_terms_days", "default_rate", "tax_rounding", "tax_name", "write_off_category",
           "time_rounding", "auto_commit", "tax_reserve", "tax_reserve_account", "require_receipts")

TAX_ROUNDING = ("per-invoice", "per-line")
ACCOUNT_KEYS = ("id", "name", "currency", "opening_balance", "iban", "bic", "number")   # what an entry of `accounts` holds

DATE_ORDERS = ("iso", "dmy", "mdy")

# The freelancer's business identity (`business:` in freelance.yaml), what invoices show of
# the seller: key -> the rule that checks it (rules.TEXT_CHECKS, "email", "url"), or "".
# `address` is a list of lines; `logo` a file in the book. Optional: a book without it
# validates, and `invoice pdf` says which of them a complete invoice still needs.
BUSINESS = {"legal_name": "", "address": "", "postcode": "", "city": "", "region": "", "country": "country",
            "vat_id": "vat_id", "tax_number": "", "email": "email", "phone": "", "website": "url",
            "iban": "iban", "bic": "bic", "logo": ""}

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# -- the scalar settings' schema -------------------------------------------------------------
# What each scalar setting holds, as `schema.py` says what each kind's fields hold: `settings
# set` reads the text typed with `read` and refuses what `problem` finds; `validate` asks
# `problem` of the value in freelance.yaml; the web's settings form shows `help` and `choices`
# and submits through `settings set`'s door function. One rule, three faces.

@dataclass(frozen=True)
class Setting:
    name: str
    help: str
    problem: Callable[[object], str | None]     # the value as stored -> what is wrong ("expected ..."), or None
    read: Callable[[str], object] = str          # the text typed -> the value to store (ValueError: "expected ...")
    choices: tuple = ()                          # the allowed values, when a list says them all
    optional: bool = False                       # None (absent) is fine


def _text_problem(value) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "expected text (like Example Studio)"
    return text_problem(value)


def _choice(choices: tuple, what: str, fold: bool = False):
    """One of `choices` (`fold`: in any case, as `Sunday` is read as `sunday`)."""
    def problem(value):
        value = value.lower() if fold and isinstance(value, str) else value
        return None if value in choices else f"expected {what}"
    return problem


def _lower(text: str) -> str:
    return text.strip().lower()


def _zone_problem(value) -> str | None:
    try:
        zoneinfo.ZoneInfo(str(value))
        return None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "expected a known time zone (like UTC or Europe/Berlin)"


def _days(text: str):
    text = text.strip()
    if not text.isdigit() or whole(text) is None:
        raise ValueError(terms_problem(None))
    return whole(text)


def _rate(text: str):
    try:
        return Decimal(text.strip())
    except ArithmeticError:
        raise ValueError("expected a number (an hourly rate like 95)") from None


def _rate_problem(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return "expected a number (an hourly rate like 95)"
    bad = number_problem(Decimal(value))
    return bad or (None if value > 0 else "must be more than zero")


def _rounding_read(text: str):
    try:
        rule = rounding_rule(text)
    except ValueError as exc:
        raise ValueError(str(exc).split(": ", 1)[-1].split(", got ")[0]) from None
    return "none" if rule is None else " ".join(text.lower().split())


def _rounding_problem(value) -> str | None:
    try:
        rounding_rule(value)
        return None
    except ValueError as exc:
        return str(exc).split(": ", 1)[-1].split(", got ")[0]


def _bool(text: str):
    t = text.strip().lower()
    if t not in ("true", "false"):
        raise ValueError("expected true or false")
    return t == "true"


def reserve_percent(value) -> Decimal | None:
    """`tax_reserve` as a percentage (30% -> 30), or None when it is not one from 0 to 100."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        if not text or not all(c.isdigit() or c == "." for c in text) or text.count(".") > 1 or text == ".":
            return None
        value = Decimal(text)
    if not isinstance(value, (int, Decimal)) or number_problem(Decimal(value)) or not 0 <= value <= 100:
        return None
    return Decimal(value)


def _reserve_read(text: str) -> str:
    pct = reserve_percent(text)
    if pct is None:
        raise ValueError("expected a percentage of the year's profit from 0 to 100, like 30%")
    return f"{pct.normalize():f}%"


def _pattern_problem(value) -> str | None:
    why = invoice_number_problem(value)
    return f"not a usable pattern ({why}); e.g. {DEFAULT_INVOICE_NUMBER}" if why else None


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("name", "Your business's name, as reports and the web show it.", _text_problem),
    Setting("currency", "The book's currency: amounts without one are in it (ISO 4217 code).",
            lambda v: None if is_currency(v) else "expected a three-letter code like USD or EUR", str.strip),
    Setting("timezone", "Where you work: meeting times, the timer and `now` are in it.", _zone_problem, str.strip),
    Setting("week_start", "The first day of a week in the calendar and time sheets.",
            _choice(WEEKDAYS, "a day of the week like monday", True), _lower, WEEKDAYS),
    Setting("date_order", "How dates may be typed: iso (2026-11-25 only), dmy (also 25/11/2026) or mdy "
                          "(also 11/25/2026).",
            _choice(DATE_ORDERS, "iso (2026-11-25 only), dmy (also 25/11/2026) or mdy (also 11/25/2026)", True),
            _lower, DATE_ORDERS, optional=True),
    Setting("invoice_number", "How new invoices are numbered: {year} and {seq} (like {seq:03d}).", _pattern_problem),
    Setting("payment_terms_days", "Days until an invoice is due, from its issue date.",
            lambda v: terms_problem(v), _days),
    Setting("default_rate", "The hourly rate when no service, project or client names one.",
            _rate_problem, _rate, optional=True),
    Setting("tax_rounding", "per-invoice: tax on each rate's total; per-line: each line's tax rounded, then added.",
            _choice(TAX_ROUNDING, "per-invoice or per-line"), str.strip, TAX_ROUNDING),
    Setting("tax_name", "The tax's name in exported account names (liabilities:tax:NAME).",
            lambda v: None if is_tax_name(v) else "expected a short lowercase name like vat or gst "
                                                  "(letters, digits, '-')", str.strip, optional=True),
    Setting("write_off_category", "The expense category of bank fees and write-offs (expenses:NAME).",
            lambda v: None if is_tax_name(v) else "expected a short lowercase name like write-offs or bank-fees "
                                                  "(letters, digits, '-')", str.strip, optional=True),
    Setting("time_rounding", "How booked hours are rounded: none, or a step and a direction like 15m up.",
            _rounding_problem, _rounding_read),
    Setting("auto_commit", "true: every change the CLI makes is its own git commit (docs/sync.md).",
            lambda v: None if isinstance(v, bool) else "expected true or false", _bool, ("true", "false"), optional=True),
    Setting("tax_reserve", "The part of this year's profit to set aside for income tax, like 30% (report summary, "
                           "the digest and the dashboard compare it with the tax_reserve_account).",
            lambda v: None if reserve_percent(v) is not None else "expected a percentage from 0 to 100, like 30%",
            _reserve_read, optional=True),
    Setting("tax_reserve_account", "The account that holds the tax reserve (default tax-reserve; one of `accounts`).",
            lambda v: None if is_id(v) else "expected an account id like tax-reserve", str.strip, optional=True),
    Setting("require_receipts", "true: every expense needs its receipt; `validate` lists those without one "
                                "(GoBD mode, docs/suppliers.md).",
            lambda v: None if isinstance(v, bool) else "expected true or false", _bool, ("true", "false"), optional=True),
)}
assert tuple(SETTINGS) == SCALARS, "SCALARS and SETTINGS name the same settings"


def setting_value(key: str, text: str):
    """The value to store for scalar setting `key` typed as `text`; ValueError (the message,
    naming the setting and the value) when it is not one."""
    setting = SETTINGS[key]
    why = text_problem(text)
    if why is None:
        try:
            value = setting.read(text)
        except ValueError as exc:
            why = str(exc)
        else:
            why = setting.problem(value)
    if why is None:
        return value
    hint = did_you_mean(text.strip().lower(), setting.choices) if setting.choices else ""
    raise ValueError(f"{key}: {why}, got {text[:40]!r}{hint}")


@dataclass
class Settings:
    raw: dict                       # as read, merged over DEFAULTS
    lines: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.raw[key]

    def get(self, key, default=None):
        return self.raw.get(key, default)

    @property
    def currency(self) -> str:
        return str(self.raw.get("currency") or "USD")

    def allowed(self, list_name: str) -> list[str]:
        """The allowed values of a settings list (account ids for `accounts`)."""
        values = self.raw.get(list_name) or []
        if not isinstance(values, list):
            return []
        out = []
        for v in values:
            if isinstance(v, dict):
                if v.get("id") is not None:
                    out.append(str(v["id"]))
            elif v is not None:
                out.append(str(v))
        return out

    def accounts(self) -> list[dict]:
        out = []
        for v in self._accounts():
            if isinstance(v, dict) and v.get("id") is not None:
                cur = v.get("currency")
                out.append({"id": str(v["id"]), "name": str(v.get("name") or v["id"]),
                            "opening_balance": opening_balance(v.get("opening_balance")) or Decimal(0),
                            "currency": str(cur) if cur else None,
                            "iban": str(v["iban"]) if v.get("iban") else None,
                            "bic": str(v["bic"]) if v.get("bic") else None,
                            "number": str(v["number"]) if v.get("number") not in (None, "") else None})
            elif isinstance(v, str):
                out.append({"id": v, "name": v, "opening_balance": Decimal(0), "currency": None, "iban": None,
                            "bic": None, "number": None})
        return out

    def account(self, rid: str, option: str = "") -> dict:
        """The account `rid` (as `accounts()` gives it), or a UsageError naming the close ones
        (after `option: ` when an option named it)."""
        accounts = self.accounts()
        for a in accounts:
            if a["id"] == rid:
                return a
        ids = [a["id"] for a in accounts]
        raise NotFound(f"{option + ': ' if option else ''}no account '{rid}'{did_you_mean(rid, ids)}; the book's "
                         f"accounts: {', '.join(ids) or 'none'} (add one with `freelance account add ID`)")

    def account_currency(self, account) -> str | None:
        """The currency an account holds, when it says (`accounts: [{id: wise-usd, currency: USD}]`)."""
        for v in self._accounts():
            if isinstance(v, dict) and str(v.get("id")) == str(account) and v.get("currency"):
                return str(v["currency"])
        return None

    @property
    def date_order(self) -> str | None:
        """dmy or mdy when the book reads 25/11/2026 or 11/25/2026 typed on the command line."""
        v = str(self.raw.get("date_order") or "iso").lower()
        return v if v in ("dmy", "mdy") else None

    def _accounts(self) -> list:
        """The `accounts` entries; none when it is not a list (validate reports it)."""
        value = self.raw.get("accounts")
        return value if isinstance(value, list) else []

    @property
    def payment_terms_days(self) -> int:
        """The book's terms; 30 when they are not a number of days (validate reports it)."""
        value = self.raw.get("payment_terms_days")
        return 30 if value is None or terms_problem(value) else int(value)

    def business(self) -> dict:
        """The business identity with its fallbacks: the legal name is the book's name, the
        email the owner's, when not given; the address is a list of lines."""
        raw = self.raw.get("business")
        raw = raw if isinstance(raw, dict) else {}
        owner = self.raw.get("owner") if isinstance(self.raw.get("owner"), dict) else {}
        out = {k: raw.get(k) for k in BUSINESS}
        out["legal_name"] = out["legal_name"] or self.raw.get("name") or owner.get("name")
        out["email"] = out["email"] or owner.get("email")
        addr = out["address"]
        out["address"] = [str(a) for a in addr] if isinstance(addr, list) else ([str(addr)] if addr else [])
        return {k: (v if v != "" else None) for k, v in out.items()}

    def payee(self, currency: str) -> dict:
        """The bank account an invoice in `currency` asks to be paid to: {iban, bic, account}.
        The first of `accounts` in that currency with an IBAN; else the business's `iban` and
        `bic` (account None); a BIC is the account's own, or the business's for the same IBAN."""
        biz = self.business()
        same = lambda a, b: str(a or "").replace(" ", "").upper() == str(b or "").replace(" ", "").upper()  # noqa: E731
        for a in self.accounts():
            if a["iban"] and (a["currency"] or self.currency) == currency:
                bic = a["bic"] or (biz.get("bic") if same(a["iban"], biz.get("iban")) else None)
                return {"iban": a["iban"], "bic": bic, "account": a["id"]}
        return {"iban": biz.get("iban"), "bic": biz.get("bic"), "account": None}

    def reminder_levels(self) -> tuple[list[dict], list[tuple[str, str]]]:
        """([{level, days, fee, interest, template}], problems as (key, message)) of `reminders:`;
        the levels by days after the due date, numbered from 1. A level that cannot be read is
        left out (and named in the problems): no reminder is sent on a guess."""
        raw = self.raw.get("reminders", REMINDERS) if "reminders" in self.raw else REMINDERS
        if raw is None or raw is False:
            return [], []
        if not isinstance(raw, (list, tuple)):
            return [], [("reminders", "expected a list of levels like [{days: 7}, {days: 21, fee: 5}] "
                                      "(or [] for none)")]
        levels, problems = [], []
        for i, item in enumerate(raw, 1):
            where = f"reminders[{i}]"
            if not isinstance(item, dict):
                problems.append((where, "expected a mapping like {days: 7, fee: 5}"))
                continue
            unknown = [k for k in item if k not in REMINDER_KEYS]
            if unknown:
                problems.append((where, f"unknown key '{unknown[0]}'{did_you_mean(str(unknown[0]), REMINDER_KEYS)}"))
                continue
            days = item.get("days")
            if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3650:
                problems.append((where, "days: expected the days after the due date, 0 to 3650"))
                continue
            level = {"days": days, "fee": None, "interest": None, "template": None}
            for key in ("fee", "interest"):
                v = item.get(key)
                if v is None:
                    continue
                if isinstance(v, bool) or not isinstance(v, (int, Decimal)) or v < 0 or number_problem(Decimal(v)):
                    problems.append((where, f"{key}: expected a number, 0 or more"))
                    level = None
                    break
                if key == "interest" and v > 100:
                    problems.append((where, "interest: a yearly rate in percent, 0 to 100"))
                    level = None
                    break
                level[key] = Decimal(v)
            if level is None:
                continue
            tpl = item.get("template")
            if tpl is not None:
                if not isinstance(tpl, str) or not tpl.replace("-", "").replace("_", "").isalnum():
                    problems.append((where, "template: a name of letters, digits, - and _ (templates/NAME.html "
                                            "and templates/NAME-mail.txt)"))
                    continue
                level["template"] = tpl
            levels.append(level)
        levels.sort(key=lambda x: x["days"])
        for n, level in enumerate(levels, 1):
            level["level"] = n
        days = [x["days"] for x in levels]
        if len(set(days)) != len(days):
            problems.append(("reminders", "two levels have the same days"))
        return levels, problems

    @property
    def outbox_kept(self) -> bool:
        """Whether the mails in outbox/ are kept in git (`outbox: kept`), or ignored (the default)."""
        return str(self.raw.get("outbox") or "ignored") == "kept"

    @property
    def tax_reserve(self) -> Decimal | None:
        """`tax_reserve` in percent (30% -> 30), or None when unset or unreadable (validate says so)."""
        value = self.raw.get("tax_reserve")
        return None if value is None else reserve_percent(value)

    @property
    def tax_reserve_account(self) -> str:
        """The account that holds the tax reserve (`tax_reserve_account`, default tax-reserve)."""
        return str(self.raw.get("tax_reserve_account") or OPTIONAL["tax_reserve_account"])

    @property
    def time_rounding(self):
        """(step in minutes, mode) of `time_rounding`, or None (none, or unreadable: validate says so)."""
        try:
            return rounding_rule(self.raw.get("time_rounding"))
        except ValueError:
            return None

    @property
    def require_receipts(self) -> bool:
        """`require_receipts: true` (GoBD mode): every expense needs its receipt."""
        return self.raw.get("require_receipts") is True

    @property
    def tax_per_line(self) -> bool:
        """`tax_rounding: per-line`: each line's tax rounded, then added (else per invoice)."""
        return str(self.raw.get("tax_rounding") or DEFAULTS["tax_rounding"]) == "per-line"

    @property
    def timezone(self) -> str:
        """The book's time zone's name (UTC when none is set)."""
        return str(self.raw.get("timezone") or DEFAULTS["timezone"])

    def zone(self) -> dt.tzinfo:
        """The book's time zone; UTC when its name is not one (`validate` reports that)."""
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return dt.timezone.utc

    @property
    def week_start(self) -> int:
        ws = str(self.raw.get("week_start") or "monday").lower()
        return WEEKDAYS.index(ws) if ws in WEEKDAYS else 0


def opening_balance(value) -> Decimal | None:
    """An account's opening balance as written; None when it is absent or not a number within
    the limits (`validate` reports it; it counts as 0)."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    value = Decimal(value)
    return value if number_problem(value) is None else None


def merged(raw: dict | None) -> dict:
    out = dict(DEFAULTS)
    if raw:
        out.update(raw)
    return out
