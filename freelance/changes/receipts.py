"""Receipts in the book (docs/suppliers.md): a file copied into `documents/YYYY/`, named by
its date, its supplier and a hash of its content, so the same file twice is stored once.

The copy is one more file of the change's atomic write (the door commits it with the record
that links it); it is a plain file inside the book, never a link: what is at its path is
checked before it is reused (`store.files`), and a new one is written by the atomic replace.
Nothing here writes: the planner returns the write.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..core.errors import DataError, UsageError, did_you_mean
from ..core.rules import country_problem, iban_problem, is_email, vat_id_problem
from ..core.schema import KINDS
from ..store.book import Book
from ..store.documents import MAX_RECEIPT_BYTES, digest, extension, stored
from ..store.files import read_book_file
from ..store.records import Record
from ..store.writer import Write, plan_append
from .records import new_id, ordered, plan_add, slug

SUPPLIER = KINDS["supplier"]
TX = KINDS["transaction"]

def plan(book: Book, data: bytes, name: str, day, supplier: str | None) -> tuple[str, Write | None]:
    """(the receipt's path in the book, the write that stores it, or None when the same file is
    there already). `name` is the file's own name (for its extension), `day` the expense's
    date, `supplier` its supplier's id (or None)."""
    if not data:
        raise UsageError(f"{name}: the file is empty; a receipt is a PDF, a picture or an e-invoice")
    if len(data) > MAX_RECEIPT_BYTES:
        raise UsageError(f"{name}: {len(data) / 2**20:,.0f} MB, more than the "
                         f"{MAX_RECEIPT_BYTES // 2**20} MB a receipt may have")
    h = digest(data)
    have = stored(book, h)
    if have is not None:
        got = read_book_file(book.root, have, MAX_RECEIPT_BYTES)   # a link out of the book is refused here
        if got is not None and digest(got[0]) == h:
            return have, None
        if got is not None:
            raise DataError(f"{have}: its content is not the file its name says (hash {h}); "
                            "it was changed by hand: restore it, or remove it and attach the receipt again")
    day = day if isinstance(day, dt.date) else book.today
    who = slug(str(supplier))[:40] if supplier else "receipt"
    rel = f"documents/{day:%Y}/{day:%Y-%m-%d}-{who or 'receipt'}-{h}{extension(name, data)}"
    return rel, Write(rel, None, f"receipt {rel}", data=data)


# -- a supplier's e-invoice read in (`expense import`) ------------------------------------------

@dataclass
class BillPlan:
    expense: dict | None = None          # the new expense (or the one made before: `existing`)
    supplier: dict | None = None         # a supplier added with it
    writes: list[Write] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    existing: dict | None = None         # the expense this file (or this supplier's bill number) made before


def _compact(text) -> str:
    return "".join(str(text or "").split()).upper()


def find_supplier(book: Book, seller: dict) -> Record | None:
    """The book's supplier of an e-invoice's seller: the same VAT id, else the same IBAN."""
    vat, iban = _compact(seller.get("vat_id")), _compact(seller.get("iban"))
    sups = book.records("supplier")
    for key, value in (("vat_id", vat), ("iban", iban)):
        if value:
            hit = next((s for s in sups if _compact(s.data.get(key)) == value), None)
            if hit is not None:
                return hit
    return None


def _new_supplier(book: Book, seller: dict, category: str | None, notes: list[str], where: str) -> dict:
    name = str(seller.get("name") or "").strip() or "Unknown supplier"
    data: dict = {"name": name}
    for key, problem in (("vat_id", vat_id_problem), ("iban", iban_problem), ("country", country_problem)):
        value = seller.get(key)
        if value and problem(value) is None:
            data[key] = value
        elif value:
            notes.append(f"{where}: the seller's {key.replace('_', ' ')} {value!r} is not valid ({problem(value)}); "
                         "left out of the new supplier")
    for key in ("address", "postcode", "city", "email"):
        if seller.get(key):
            data[key] = seller[key]
    if data.get("email") and not is_email(data["email"]):
        del data["email"]
    if category:
        data["category"] = category
    data["id"] = new_id(book, SUPPLIER, data)
    return ordered(SUPPLIER, data)


def _category(book: Book, given: str | None, supplier) -> str:
    allowed = book.settings.allowed("expense_categories")
    if given:
        if given not in allowed:
            raise UsageError(f"--category: {given!r} is not one of the book's expense_categories "
                             f"({', '.join(allowed)}){did_you_mean(given, allowed)}")
        return given
    own = supplier.get("category") if supplier is not None else None
    if own:
        return str(own)
    return "other" if "other" in allowed else (allowed[-1] if allowed else "other")


def plan_bill(book: Book, bill: dict, name: str, data: bytes, account: str | None,
              category: str | None) -> BillPlan:
    """The writes that make `bill` (typed values read from e-invoice file `name`) an open bill:
    the file kept as its receipt, its supplier found by VAT id or IBAN or added. A file
    imported before, or a bill number its supplier has in the book already, adds nothing."""
    p = BillPlan()
    h = digest(data)
    have = stored(book, h)
    seller = bill.get("seller") or {}
    known = find_supplier(book, seller) if seller else None
    number = bill.get("number")
    for t in book.records("transaction"):
        if t.data.get("kind") != "expense":
            continue
        if (have is not None and t.data.get("receipt") == have) or (
                known is not None and number and t.data.get("supplier") == known.id and t.data.get("number") == number):
            p.existing = {**t.data}
            p.notes.append(f"{name}: imported before as expense '{t.id}'"
                           + (f" (bill {number} of {known.id})" if known is not None and number else "")
                           + "; nothing added")
            return p
    if account is not None:
        book.settings.account(account, "--account")
    where = name
    if seller and known is None:
        p.supplier = _new_supplier(book, seller, category, p.notes, where)
        p.writes.append(plan_append(book, "supplier", p.supplier))
        book.index("supplier")[p.supplier["id"]] = Record("supplier", p.supplier, "", 0, {})
        p.notes.append(f"added supplier '{p.supplier['id']}' ({p.supplier['name']})")
    sup = known.data if known is not None else p.supplier
    sid = sup["id"] if sup is not None else None
    issued = bill.get("issued") if isinstance(bill.get("issued"), dt.date) else None
    # a copy of the day: one object twice in a record would be written as a YAML alias
    values: dict = {"date": dt.date.fromordinal((issued or book.today).toordinal()), "kind": "expense"}
    draft = bill.get("amount") is None
    if draft:
        values["draft"] = True
    else:
        values["amount"] = bill["amount"]
    cur = bill.get("currency")
    if cur and cur != book.settings.currency:
        values["currency"] = cur
    values["category"] = _category(book, category, sup)
    if account:
        values["account"] = account
    values["received"] = False
    who = sup.get("name") if sup is not None else None
    values["description"] = " ".join(str(x) for x in (who, number) if x) if not draft else \
        f"{name}: a receipt without e-invoice data; complete it (amount, supplier, category)"
    if number:
        values["number"] = number
    if sid:
        values["supplier"] = sid
    for key in ("issued", "due", "tax", "taxes", "lines", "iban", "reference"):
        if bill.get(key) not in (None, [], ""):
            values[key] = bill[key]
    if values.get("iban") and iban_problem(values["iban"]) is not None:
        p.notes.append(f"{where}: the payment IBAN {values['iban']!r} is not valid; left out")
        del values["iban"]
    values["receipt"], write = plan(book, data, name, values["date"], sid)
    expense, writes, notes = plan_add(book, TX, values)
    p.expense = expense
    p.writes += writes + ([write] if write is not None else [])
    p.notes += notes
    return p
