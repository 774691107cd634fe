"""The book's settings (`freelance.yaml`): defaults, reading, the lists."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

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
    "invoice_number": "INV-{year}-{seq:03d}",
    "payment_terms_days": 30,
    "default_rate": None,
    "tax_rounding": "per-invoice",
}

# Settings that are lists of allowed values (`settings add/rm` work on these).
LISTS = ("stages", "income_classifications", "expense_categories", "accounts",
         "contact_categories", "resource_types", "resource_categories",
         "goal_categories", "meeting_media")

# Scalar settings `settings set` accepts, with a check of the value.
SCALARS = ("name", "currency", "timezone", "week_start", "date_order", "invoice_number",
           "payment_terms_days", "default_rate", "tax_rounding")

DATE_ORDERS = ("iso", "dmy", "mdy")

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
    def date_order(self) -> str | None:
        """dmy or mdy when the book reads 25/11/2026 or 11/25/2026 typed on the command line."""
        v = str(self.raw.get("date_order") or "iso").lower()
        return v if v in ("dmy", "mdy") else None

    @property
    def payment_terms_days(self) -> int:
        try:
            return int(self.raw.get("payment_terms_days") or 30)
        except (TypeError, ValueError):
            return 30

    @property
    def week_start(self) -> int:
        ws = str(self.raw.get("week_start") or "monday").lower()
        return WEEKDAYS.index(ws) if ws in WEEKDAYS else 0


def merged(raw: dict | None) -> dict:
    out = dict(DEFAULTS)
    if raw:
        out.update(raw)
    return out
