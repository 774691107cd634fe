"""Changing the book's settings with the same careful writes as records."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..errors import UsageError, did_you_mean
from ..limits import terms_problem, whole
from ..rules import business_problem, invoice_number_problem, is_currency, is_id, is_tax_name
from ..schema import KINDS
from ..settings import DEFAULTS, SCALARS, TAX_ROUNDING, WEEKDAYS
from ..store.book import Book
from ..store.writer import settings_update
from . import door


def _flow(values):
    from ruamel.yaml.comments import CommentedSeq
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def list_add(book: Book, list_name: str, value: str, *, name: str | None = None, opening_balance=None,
             currency: str | None = None) -> None:
    display, name = name, list_name
    if not is_id(value):
        raise UsageError(f"{value!r}: a list value is letters, digits, '.', '_' and '-' (like 'lost' or 'grants')")
    if value in book.settings.allowed(name):
        raise UsageError(f"{name} already has {value!r}")
    if name != "accounts" and currency is not None:
        raise UsageError("--currency is for accounts only")
    if name == "accounts":
        opening = _number("--opening-balance", opening_balance) if opening_balance is not None else Decimal(0)
        if currency is not None and not is_currency(currency):
            raise UsageError(f"--currency: expected a three-letter code like USD or EUR, got {currency!r}")
        from ..rules import fits, places_message
        if not fits(opening, currency or book.settings.currency):
            raise UsageError(places_message("--opening-balance", opening, currency or book.settings.currency))
        from ruamel.yaml.comments import CommentedMap
        item = CommentedMap([("id", value), ("name", display or value.replace("-", " ").title()),
                             *([("currency", currency)] if currency else []), ("opening_balance", opening)])
        item.fa.set_flow_style()
    else:
        item = value

    def change(doc):
        if name in doc and isinstance(doc[name], list):
            doc[name].append(item)
        else:
            current = [x for x in (book.settings.raw.get(name) or DEFAULTS[name])]
            doc[name] = _flow(current + [item]) if name != "accounts" else current + [item]
    door.commit(book, [settings_update(book, change)])


def users_of(book: Book, list_name: str, value: str) -> list:
    out = []
    for kind in KINDS.values():
        for f in kind.fields:
            if f.setting == list_name:
                out.extend(r for r in book.records(kind.name) if r.data.get(f.name) == value)
    return out


def list_rm(book: Book, name: str, value: str) -> None:
    allowed = book.settings.allowed(name)
    if value not in allowed:
        raise UsageError(f"{name} has no {value!r}{did_you_mean(value, allowed)}")
    users = users_of(book, name, value)
    if users:
        shown = ", ".join(f"{r.kind} {r.id}" for r in users[:5])
        raise UsageError(f"{value!r} is still used by {len(users)} record{'s' * (len(users) != 1)} ({shown}); "
                         "move them first")

    def change(doc):
        if name in doc and isinstance(doc[name], list):
            seq = doc[name]
            for i, v in enumerate(list(seq)):
                if (isinstance(v, dict) and str(v.get("id")) == value) or str(v) == value:
                    del seq[i]
                    break
        else:
            kept = [x for x in DEFAULTS[name] if (x.get("id") if isinstance(x, dict) else x) != value]
            doc[name] = _flow(kept) if name != "accounts" else kept
    door.commit(book, [settings_update(book, change)])


def _number(opt: str, value) -> Decimal:
    """A number typed for a setting: finite and within the limits (limits.py)."""
    from .records import check_size, number_text
    try:
        d = Decimal(number_text(str(value), opt))
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise UsageError(f"{opt}: expected a number, got {str(value)[:40]!r}")
    return check_size(d, str(value), opt)


def _check(key: str, value: str):
    if key == "currency":
        if not is_currency(value):
            raise UsageError(f"currency: expected a three-letter code like EUR, got {value!r}")
        return value
    if key == "timezone":
        import zoneinfo
        try:
            zoneinfo.ZoneInfo(value)
        except Exception:
            raise UsageError(f"timezone: {value!r} is not a known time zone (like UTC or Europe/Berlin)") from None
        return value
    if key == "week_start":
        if value.lower() not in WEEKDAYS:
            raise UsageError(f"week_start: expected a day like monday{did_you_mean(value.lower(), WEEKDAYS)}")
        return value.lower()
    if key == "date_order":
        from ..settings import DATE_ORDERS
        if value.lower() not in DATE_ORDERS:
            raise UsageError(f"date_order: expected iso (2026-11-25 only), dmy (also 25/11/2026) or mdy "
                             f"(also 11/25/2026), got {value!r}{did_you_mean(value.lower(), DATE_ORDERS)}")
        return value.lower()
    if key == "payment_terms_days":
        days = whole(value) if value.isdigit() else None
        if days is None or terms_problem(days):
            raise UsageError(f"payment_terms_days: {terms_problem(None)}, got {value[:20]!r}")
        return days
    if key == "default_rate":
        d = _number("default_rate", value)
        if d <= 0:
            raise UsageError("default_rate: must be more than zero")
        return d
    if key == "tax_rounding":
        if value not in TAX_ROUNDING:
            raise UsageError(f"tax_rounding: expected {' or '.join(TAX_ROUNDING)}{did_you_mean(value, TAX_ROUNDING)}")
        return value
    if key == "tax_name":
        if not is_tax_name(value):
            raise UsageError(f"tax_name: expected a short lowercase name like vat or gst (letters, digits, '-'), got {value!r}")
        return value
    if key == "time_rounding":
        from ..durations import rounding_rule
        try:
            rule = rounding_rule(value)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return "none" if rule is None else " ".join(value.lower().split())
    if key == "invoice_number":
        problem = invoice_number_problem(value)
        if problem:
            raise UsageError(f"invoice_number: not a usable pattern ({problem}); e.g. INV-{{year}}-{{seq:03d}}")
        return value
    return value


def _business_value(key: str, values: list[str]):
    """A business identity value checked by its rule; the address is a list of lines, an
    empty value clears the key (None)."""
    from ..settings import BUSINESS
    if key not in BUSINESS:
        raise UsageError(f"cannot set business.{key}; one of {', '.join('business.' + k for k in BUSINESS)}"
                         f"{did_you_mean(key, BUSINESS)}")
    if key == "address":
        lines = [v.strip() for v in values if v.strip()]
        return _flow(lines) if lines else None
    if len(values) != 1:
        raise UsageError(f"business.{key} takes one value (only business.address takes several lines)")
    value = values[0].strip()
    if not value:
        return None
    rule = BUSINESS[key]
    problem = business_problem(rule, value)
    if problem:
        raise UsageError(f"business.{key}: {value!r}: {problem}")
    return value


def set_value(book: Book, key: str, value):
    """Set one setting; returns the value as stored (`Sunday` is stored as `sunday`). `value`
    is one text, or several for business.address (its lines)."""
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    parts = key.split(".")
    if parts[0] == "business" and len(parts) == 2:
        typed = _business_value(parts[1], values)
        if parts[1] == "logo" and typed and not (book.root / typed).is_file():
            raise UsageError(f"business.logo: no file {typed!r} in the book (a path relative to {book.root})")

        def change_business(doc):
            from ruamel.yaml.comments import CommentedMap
            if not isinstance(doc.get("business"), dict):
                doc["business"] = CommentedMap()
            if typed is None:
                doc["business"].pop(parts[1], None)
            else:
                doc["business"][parts[1]] = typed
        door.commit(book, [settings_update(book, change_business)])
        return list(typed) if parts[1] == "address" and typed else typed
    if len(values) != 1:
        raise UsageError(f"{key} takes one value")
    value = values[0]
    if parts[0] == "owner" and len(parts) == 2 and parts[1] in ("name", "email", "address"):
        def change(doc):
            from ruamel.yaml.comments import CommentedMap
            if not isinstance(doc.get("owner"), dict):
                owner = CommentedMap(DEFAULTS["owner"])
                owner.fa.set_flow_style()
                doc["owner"] = owner
            doc["owner"][parts[1]] = value
        door.commit(book, [settings_update(book, change)])
        return value
    if key not in SCALARS:
        from ..settings import LISTS
        hint = f"; {key} is a list: use `settings add {key} VALUE`" if key in LISTS else ""
        raise UsageError(f"cannot set {key!r}{hint}; one of {', '.join(SCALARS)}, owner.name, owner.email, "
                         f"owner.address, business.legal_name, business.iban, ...{did_you_mean(key, SCALARS)}")
    typed = _check(key, value)
    door.commit(book, [settings_update(book, lambda doc: doc.__setitem__(key, typed))])
    return typed
