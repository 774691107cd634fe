"""Changing the book's settings with the same careful writes as records."""
from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from ..core.errors import DataError, UsageError, did_you_mean
from ..core.rules import business_problem, fits, is_currency, is_id, places_message, TEXT_CHECKS, text_problem
from ..core.schema import KINDS
from ..core.settings import BUSINESS, DEFAULTS, LISTS, SCALARS, setting_value, SETTINGS_FILE
from ..store.book import Book
from ..store.files import read_book_file, read_logo
from ..store.writer import Write, settings_update
import io
from ..read.graph import Graph
from ..store.style import rt_yaml
from .records import check_size, label, number_text


def _flow(values):
    from ruamel.yaml.comments import CommentedSeq
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def plan_list_add(book: Book, list_name: str, value: str, *, name: str | None = None, opening_balance=None,
                  currency: str | None = None) -> list[Write]:
    """The write that adds `value` to one of the book's lists (`settings add`)."""
    display, name = name, list_name
    _utf8(list_name, value, display, currency, opening_balance)
    if not is_id(value):
        raise UsageError(f"{value!r}: a list value is letters, digits, '.', '_' and '-' (like 'lost' or 'grants')")
    if value in book.settings.allowed(name):
        raise UsageError(f"{name} already has {value!r}")
    if name != "accounts" and currency is not None:
        raise UsageError("--currency is for accounts only")
    if name == "accounts":
        item = _account_item(book, value, display, currency, opening_balance, None)
    else:
        item = value

    def change(doc):
        if name in doc and isinstance(doc[name], list):
            doc[name].append(item)
        else:
            current = [x for x in (book.settings.raw.get(name) or DEFAULTS[name])]
            doc[name] = _flow(current + [item]) if name != "accounts" else current + [item]
    return [settings_update(book, change)]


def users_of(book: Book, list_name: str, value: str) -> list:
    out = []
    for kind in KINDS.values():
        for f in kind.fields:
            if f.setting == list_name:
                out.extend(r for r in book.records(kind.name) if r.data.get(f.name) == value)
    return out


def plan_list_rm(book: Book, name: str, value: str) -> list[Write]:
    """The write that removes `value` from one of the book's lists, refused while records use it."""
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
    return [settings_update(book, change)]


def _number(opt: str, value) -> Decimal:
    """A number typed for a setting: finite and within the limits (limits.py)."""
    try:
        d = Decimal(number_text(str(value), opt, plain=False))
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        raise UsageError(f"{opt}: expected a number, got {str(value)[:40]!r}")
    return check_size(d, str(value), opt)


def _check(key: str, value: str):
    """The value to store for scalar setting `key`, by its rule in `core.settings.SETTINGS`
    (the one `validate` and the web's form ask too)."""
    try:
        return setting_value(key, value)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _utf8(option: str, *values) -> None:
    """Refuse text that is not valid UTF-8 (or holds a NUL) before anything is written: the
    file would not be readable afterwards (a shell's `$'N\\xe9'`)."""
    for value in values:
        why = text_problem(value) if isinstance(value, str) else None
        if why:
            raise UsageError(f"{option}: {why}, got {value[:40]!r}")


def _business_value(key: str, values: list[str]):
    """A business identity value checked by its rule; the address is a list of lines, an
    empty value clears the key (None)."""
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


def plan_set(book: Book, key: str, value) -> tuple[list[Write], object]:
    """(the write that sets one setting, the value as stored: `Sunday` is stored as `sunday`).
    `value` is one text, or several for business.address (its lines)."""
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    _utf8(key, key, *values)
    parts = key.split(".")
    if parts[0] == "business" and len(parts) == 2:
        typed = _business_value(parts[1], values)
        if parts[1] == "logo" and typed:
            if not os.path.lexists(book.root / typed):
                raise UsageError(f"business.logo: no file {typed!r} in the book (a path relative to {book.root})")
            try:
                read_logo(book.root, typed)          # a picture inside the book (docs/documents.md)
            except DataError as exc:
                raise UsageError(str(exc)) from None

        def change_business(doc):
            from ruamel.yaml.comments import CommentedMap
            if not isinstance(doc.get("business"), dict):
                doc["business"] = CommentedMap()
            if typed is None:
                doc["business"].pop(parts[1], None)
            else:
                doc["business"][parts[1]] = typed
        return [settings_update(book, change_business)], list(typed) if parts[1] == "address" and typed else typed
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
        return [settings_update(book, change)], value
    if key not in SCALARS:
        hint = f"; {key} is a list: use `settings add {key} VALUE`" if key in LISTS else ""
        raise UsageError(f"cannot set {key!r}{hint}; one of {', '.join(SCALARS)}, owner.name, owner.email, "
                         f"owner.address, business.legal_name, business.iban, ...{did_you_mean(key, SCALARS)}")
    typed = _check(key, value)
    return [settings_update(book, lambda doc: doc.__setitem__(key, typed))], typed


# -- accounts (`freelance account`, docs/accounts.md) ------------------------------------
# An account is an entry of the `accounts:` list of freelance.yaml (SPEC section 1), written
# as a one-line mapping; an edit changes only that entry, comments and other entries stay.

def _account_item(book: Book, rid: str, name, currency, opening_balance, iban, number=None, bic=None):
    """The new entry of `accounts`, its values checked."""
    opening = _number("--opening-balance", opening_balance) if opening_balance is not None else Decimal(0)
    if currency is not None:
        currency = _currency(currency)
    if iban is not None:
        iban = _iban(iban)
    if number is not None:
        number = _account_number(number)
    if bic is not None:
        bic = _bic(bic)
    if not fits(opening, currency or book.settings.currency):
        raise UsageError(places_message("--opening-balance", opening, currency or book.settings.currency))
    from ruamel.yaml.comments import CommentedMap
    item = CommentedMap([("id", rid), ("name", name or rid.replace("-", " ").title()),
                         *([("currency", currency)] if currency else []), ("opening_balance", opening),
                         *([("iban", iban)] if iban else []), *([("bic", bic)] if bic else []),
                         *([("number", number)] if number else [])])
    item.fa.set_flow_style()
    return item


def _currency(text: str) -> str:
    if not is_currency(text):
        raise UsageError(f"--currency: expected a three-letter code like USD or EUR, got {text!r}")
    return text


def _iban(text: str) -> str:
    value = "".join(str(text).split()).upper()       # as banks print it: GB29 NWBK 6016 ...
    problem = TEXT_CHECKS["iban"](value)
    if problem:
        raise UsageError(f"--iban: {text!r}: {problem}; a bank account number that is not an IBAN "
                         "(as US and Canadian banks have) goes in --number")
    return value


def _bic(text: str) -> str:
    value = "".join(str(text).split()).upper()
    problem = TEXT_CHECKS["bic"](value)
    if problem:
        raise UsageError(f"--bic: {text!r}: {problem}")
    return value


def _account_number(text: str) -> str:
    """The bank's number of an account that has no IBAN (what an OFX file's ACCTID says):
    one line of printable text, as the bank writes it."""
    value = str(text).strip()
    if not value or len(value) > 64 or not value.isprintable():
        raise UsageError(f"--number: {text!r}: expected the account's number as the bank writes it "
                         "(one line, at most 64 characters)")
    return value


def plan_account_add(book: Book, rid: str, name: str | None = None, currency: str | None = None,
                     opening_balance=None, iban: str | None = None,
                     number: str | None = None, bic: str | None = None) -> tuple[list[Write], dict]:
    """(the write that adds an account to `accounts:`, the account as `Settings.accounts()` gives it)."""
    _utf8("account", rid, name, currency, opening_balance, iban, number, bic)
    if not is_id(rid):
        raise UsageError(f"{rid!r}: an account id is letters, digits, '.', '_' and '-' (like 'bank' or 'wise-eur')")
    if rid in book.settings.allowed("accounts"):
        raise UsageError(f"account '{rid}' already exists; change it with `freelance account edit {rid} ...`")
    item = _account_item(book, rid, name, currency, opening_balance, iban, number, bic)

    def change(doc):
        if "accounts" in doc and isinstance(doc["accounts"], list):
            doc["accounts"].append(item)
        else:
            doc["accounts"] = [x for x in (book.settings.raw.get("accounts") or DEFAULTS["accounts"])] + [item]
    return [settings_update(book, change)], {"id": rid, "name": str(item["name"]), "currency": currency,
                                             "opening_balance": item["opening_balance"], "iban": item.get("iban"),
                                             "bic": item.get("bic"), "number": item.get("number")}


ACCOUNT_EDITS = ("name", "currency", "opening_balance", "iban", "bic", "number")


def plan_account_edit(book: Book, rid: str, changes: dict) -> tuple[list[Write], list[str]]:
    """(the write that changes fields of account `rid`, the fields it changes): `changes` maps
    name, currency, opening_balance, iban, number to the text typed (None removes the field; the id and
    the name stay). A currency is refused while the account's records are in another."""
    account = book.settings.account(rid)
    _utf8("account", *changes.values())
    for key in changes:
        if key not in ACCOUNT_EDITS:
            raise UsageError(f"cannot change an account's {key!r}; one of {', '.join(ACCOUNT_EDITS)}"
                             f"{did_you_mean(key, ACCOUNT_EDITS)}")
    if changes.get("name", "") is None or changes.get("opening_balance", "") is None:
        raise UsageError("--unset: an account keeps its name and opening balance (set them instead)")
    typed: dict = {}
    if "name" in changes:
        if not str(changes["name"]).strip():
            raise UsageError("--name: must not be blank")
        typed["name"] = str(changes["name"])
    if "currency" in changes:
        typed["currency"] = _currency(changes["currency"]) if changes["currency"] is not None else None
    if "iban" in changes:
        typed["iban"] = _iban(changes["iban"]) if changes["iban"] is not None else None
    if "bic" in changes:
        typed["bic"] = _bic(changes["bic"]) if changes["bic"] is not None else None
    if "number" in changes:
        typed["number"] = _account_number(changes["number"]) if changes["number"] is not None else None
    if "opening_balance" in changes:
        typed["opening_balance"] = _number("--opening-balance", changes["opening_balance"])
    cur = typed["currency"] if "currency" in typed else account["currency"]
    opening = typed.get("opening_balance", account["opening_balance"])
    if not fits(opening, cur or book.settings.currency):
        raise UsageError(places_message("--opening-balance", opening, cur or book.settings.currency))
    if typed.get("currency") and typed["currency"] != account["currency"]:
        _check_held(book, rid, typed["currency"])
    now = {k: account.get(k) for k in ACCOUNT_EDITS}
    typed = {k: v for k, v in typed.items() if now.get(k) != v or (v is not None and type(now.get(k)) is not type(v))}
    if not typed:
        return [], []

    def change(doc):
        from ruamel.yaml.comments import CommentedMap
        if not (isinstance(doc.get("accounts"), list)):
            doc["accounts"] = [x for x in (book.settings.raw.get("accounts") or DEFAULTS["accounts"])]
        seq = doc["accounts"]
        for i, v in enumerate(seq):
            if isinstance(v, dict) and str(v.get("id")) == rid:
                entry = v
                break
            if not isinstance(v, dict) and str(v) == rid:      # a bare id becomes a mapping
                entry = CommentedMap([("id", rid), ("name", rid.replace("-", " ").title()), ("opening_balance", 0)])
                entry.fa.set_flow_style()
                seq[i] = entry
                break
        for k, v in typed.items():
            if v is None:
                entry.pop(k, None)
            else:
                entry[k] = v
    write = settings_update(book, change)
    return [_spliced_entry(book, rid, write) or write], list(typed)


def _spliced_entry(book: Book, rid: str, write):
    """The write of an account edit as a change of that entry's text only, when the entry is
    a one-line mapping (`- {id: bank, ...}` or an item of `[...]`): the round trip of the whole
    file (`write`) would re-indent a list written by hand. None when the entry is written
    otherwise, or the splice would not read back as the round trip does (then `write` is used)."""
    from ruamel.yaml.comments import CommentedMap

    got = read_book_file(book.root, SETTINGS_FILE)
    if got is None:
        return None
    text = got[0].decode("utf-8")
    try:
        seq = rt_yaml().load(text).get("accounts")
        new_seq = rt_yaml().load(write.text).get("accounts")
        old = next(x for x in seq if isinstance(x, CommentedMap) and str(x.get("id")) == rid)
        new = next(x for x in new_seq if isinstance(x, CommentedMap) and str(x.get("id")) == rid)
        if not (old.fa.flow_style() and new.fa.flow_style()):
            return None
        start = _offset(text, old.lc.line, old.lc.col)
        end = _flow_end(text, start)
        item = _flow_text(new)
        spliced = text[:start] + item + text[end:]
        if _plain(rt_yaml().load(spliced)) != _plain(rt_yaml().load(write.text)):
            return None
    except Exception:       # anything unexpected: the whole-file round trip, as every settings write
        return None
    return Write(SETTINGS_FILE, spliced)


def _offset(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[:line]) + col


def _flow_end(text: str, start: int) -> int:
    """Where the flow mapping starting at `start` (`{`) ends, after its `}`."""
    if text[start] != "{":
        raise ValueError("not a flow mapping")
    depth, i, quote = 0, start, None
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated flow mapping")


def _flow_text(item) -> str:

    y = rt_yaml()
    y.width = 10 ** 6
    buf = io.StringIO()
    y.dump(item, buf)
    out = buf.getvalue().strip()
    if "\n" in out:
        raise ValueError("not one line")
    return out


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _check_held(book: Book, rid: str, currency: str) -> None:
    """Refuse a currency for account `rid` while records in it are in another one."""
    g = Graph(book)
    other = []
    for kind, field in (("transaction", "account"), ("transfer", "from_account"), ("balance", "account")):
        for r in g.records(kind):
            if r.data.get(field) == rid and g.currency(r) != currency:
                other.append((r, g.currency(r)))
    for r in g.records("transfer"):
        if r.data.get("to_account") == rid and r.data.get("to_amount") is None and g.currency(r) != currency:
            other.append((r, g.currency(r)))
    if other:
        shown = ", ".join(f"{label(r)} ({cur})" for r, cur in other[:3])
        more = f" and {len(other) - 3} more" if len(other) > 3 else ""
        raise UsageError(f"--currency: account '{rid}' has records in another currency than {currency}: {shown}{more}; "
                         "an account holds one currency (or names none and holds any)")
