"""The book's settings (`freelance.yaml`): defaults, reading, the lists."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

SETTINGS_FILE = "freelance.yaml"

# The defaults of SPEC section 1, in the order `init` writes them.
DEFAULTS: dict = {
    "name": "Example Studio",
    "owner": {"name": "Alex Example", "email": "alex@example.com", "address": ""},
    "currency": "USD",
    "timezone": "UTC",
    "week_start": "monday",
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
    "invoice_number": "INV-{year}-{seq:03d}",
    "payment_terms_days": 30,
    "default_rate": None,
    "tax_rounding": "per-invoice",
    "time_rounding": "none",
}

# Settings that are lists of allowed values (`settings add/rm` work on these).
LISTS = ("stages", "income_classifications", "expense_categories", "accounts",
         "contact_categories", "resource_types", "resource_categories",
         "goal_categories", "meeting_media")

# Scalar settings `settings set` accepts, with a check of the value.
SCALARS = ("name", "currency", "timezone", "week_start", "invoice_number",
           "payment_terms_days", "default_rate", "tax_rounding", "time_rounding")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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
        for v in self.raw.get("accounts") or []:
            if isinstance(v, dict) and v.get("id") is not None:
                opening = v.get("opening_balance") or 0
                out.append({"id": str(v["id"]), "name": str(v.get("name") or v["id"]),
                            "opening_balance": Decimal(str(opening))})
            elif isinstance(v, str):
                out.append({"id": v, "name": v, "opening_balance": Decimal(0)})
        return out

    @property
    def payment_terms_days(self) -> int:
        try:
            return int(self.raw.get("payment_terms_days") or 30)
        except (TypeError, ValueError):
            return 30

    @property
    def time_rounding(self):
        """(step in minutes, mode) of `time_rounding`, or None (none, or unreadable: validate says so)."""
        from .durations import rounding_rule
        try:
            return rounding_rule(self.raw.get("time_rounding"))
        except ValueError:
            return None

    @property
    def week_start(self) -> int:
        ws = str(self.raw.get("week_start") or "monday").lower()
        return WEEKDAYS.index(ws) if ws in WEEKDAYS else 0


def merged(raw: dict | None) -> dict:
    out = dict(DEFAULTS)
    if raw:
        out.update(raw)
    return out
