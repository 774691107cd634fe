"""Contacts to and from vCard (3.0 and 4.0), with the `vobject` library.

Import reads what address books write (Apple and Google style TYPE
parameters, grouped `item1.` lines, folded lines, escaped commas, 4.0
`tel:` URIs), matches each card to a contact by its freelance id (UID
`<id>@freelance`), then email, then name, and plans one write per file:
new contacts appended, changed ones rewritten in place. See docs/vcard.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import UsageError
from .rules import is_id
from .schema import KINDS
from .store.book import Book
from .store.writer import Write, plan_append, plan_update
from .store.yamlio import read_records

UID_SUFFIX = "@freelance"
FIELDS = ("name", "category", "designation", "company", "phone", "email", "address", "notes")


# -- export ---------------------------------------------------------------------------

def export(book: Book, records, version: str = "3.0") -> str:
    """The contacts as one .vcf text (CRLF line ends, folded at 75 octets by vobject)."""
    import vobject
    if version not in ("3.0", "4.0"):
        raise UsageError(f"--version: expected 3.0 or 4.0, got {version!r}")
    from .text import clean  # RFC 6350 text has no control characters (ESC, BEL...)
    out = []
    for r in records:
        d = {k: clean(v) if isinstance(v, str) else v for k, v in r.data.items()}
        card = vobject.vCard()
        card.add("version").value = version
        card.add("uid").value = f"{r.id}{UID_SUFFIX}"
        name = str(d.get("name") or r.id)
        card.add("fn").value = name
        given, _, family = name.rpartition(" ")
        card.add("n").value = vobject.vcard.Name(family=family or name, given=given)
        if d.get("company"):
            card.add("org").value = [str(d["company"])]
        if d.get("designation"):
            card.add("title").value = str(d["designation"])
        if d.get("phone"):
            tel = card.add("tel")
            if version == "4.0":
                tel.value = "tel:" + str(d["phone"]).replace(" ", "-")
                tel.params["VALUE"] = ["uri"]
                tel.params["TYPE"] = ["work"]
            else:
                tel.value = str(d["phone"])
                tel.params["TYPE"] = ["WORK", "VOICE"]
        if d.get("email"):
            em = card.add("email")
            em.value = str(d["email"])
            em.params["TYPE"] = ["work"] if version == "4.0" else ["INTERNET", "WORK"]
        if d.get("address"):
            card.add("adr").value = vobject.vcard.Address(street=str(d["address"]))
        if d.get("notes"):
            card.add("note").value = str(d["notes"])
        if d.get("category"):
            card.add("categories").value = [str(d["category"])]
        out.append(card.serialize())
    return "".join(out)


# -- import ---------------------------------------------------------------------------

def _first(card, name: str):
    """The preferred (TYPE=pref or PREF=1) or else the first line called `name`."""
    lines = card.contents.get(name) or []
    for ln in lines:
        types = [t.lower() for v in ln.params.get("TYPE", []) for t in str(v).split(",")]
        if "pref" in types or ln.params.get("PREF"):
            return ln
    return lines[0] if lines else None


def _text(v) -> str:
    if isinstance(v, list):
        v = next((x for x in v if str(x).strip()), "")
    return " ".join(str(v or "").split()) if "\n" not in str(v or "") else str(v).strip()


def card_values(card, categories: list[str]) -> dict:
    """A contact's fields from one vCard (only those the card has)."""
    out: dict = {}
    fn = card.contents.get("fn")
    name = _text(fn[0].value) if fn else ""
    if not name and card.contents.get("n"):
        n = card.n.value
        name = " ".join(x for x in (_text(n.prefix), _text(n.given), _text(n.additional), _text(n.family)) if x)
    if not name and card.contents.get("org"):
        name = _text(card.org.value)
    out["name"] = name
    if card.contents.get("org"):
        out["company"] = _text(card.org.value)
    title = _first(card, "title") or _first(card, "role")
    if title is not None:
        out["designation"] = _text(title.value)
    tel = _first(card, "tel")
    if tel is not None:
        out["phone"] = _text(tel.value).removeprefix("tel:")
    email = _first(card, "email")
    if email is not None:
        out["email"] = _text(email.value).removeprefix("mailto:")
    adr = _first(card, "adr")
    if adr is not None:
        a = adr.value
        parts = [a.box, a.extended, a.street, a.city, a.region, a.code, a.country] if hasattr(a, "street") else [a]
        out["address"] = ", ".join(p for p in (_text(x) for x in parts) if p)
    note = _first(card, "note")
    if note is not None:
        out["notes"] = str(note.value).strip()
    lower = {c.lower(): c for c in categories}
    for ln in card.contents.get("categories") or []:
        for c in (ln.value if isinstance(ln.value, list) else [ln.value]):
            if str(c).strip().lower() in lower:
                out["category"] = lower[str(c).strip().lower()]
                break
        if "category" in out:
            break
    uid = card.contents.get("uid")
    xid = card.contents.get("x-freelance-id")
    if xid:
        out["_id"] = _text(xid[0].value)
    elif uid and str(uid[0].value).endswith(UID_SUFFIX):
        out["_id"] = str(uid[0].value)[: -len(UID_SUFFIX)]
    return {k: v for k, v in out.items() if v not in ("", None)}


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)


def read_cards(text: str, source: str):
    import vobject
    from vobject.base import ParseError
    try:
        cards = list(vobject.readComponents(text, validate=False, ignoreUnreadable=False))
    except ParseError as exc:
        msg = str(exc.args[0]) if exc.args else str(exc)
        line = getattr(exc, "lineNumber", None)
        bad = msg.split("Failed to parse line: ", 1)[1] if "Failed to parse line: " in msg else None
        if bad is not None:  # vobject counts lines its own way; find the line in the file
            line = next((i for i, ln in enumerate(text.splitlines(), 1) if ln.strip() == bad.strip()), line)
        where = f"{source}:{line}" if line else source
        raise UsageError(f"{where}: not a readable vCard file: {msg}") from None
    cards = [c for c in cards if c.name.upper() == "VCARD"]
    if not cards:
        raise UsageError(f"{source}: no vCards in it (expected BEGIN:VCARD ... END:VCARD)")
    return cards


def plan_import(book: Book, text: str, source: str, category: str | None = None) -> ImportResult:
    """What importing the cards in `text` would change; `result.writes` applies it."""
    from .changes import records
    kind = KINDS["contact"]
    res = ImportResult()
    categories = book.settings.allowed("contact_categories")
    if category is not None and category not in categories:
        from .errors import did_you_mean
        raise UsageError(f"--category: {category!r} is not one of {', '.join(categories)}{did_you_mean(category, categories)}")
    pending: dict[str, Write] = {}
    for n, card in enumerate(read_cards(text, source), 1):
        values = card_values(card, categories)
        rid = values.pop("_id", None)
        if not values.get("name"):
            res.notes.append(f"card {n}: no name (FN or N); skipped")
            continue
        label = values["name"]
        for key in list(values):
            try:
                values[key] = records.parse_value(book, kind.field(key), values[key], option=key)
            except UsageError as exc:
                res.notes.append(f"card {n} ({label}): {exc.message}; left out")
                del values[key]
        if category and "category" not in values:
            values["category"] = category
        rec = _match(book, rid, values)
        if rec is None:
            data = dict(values)
            data["id"] = records.new_id(book, kind, data) if not (rid and _free_id(book, rid)) else rid
            _stage(book, plan_append(book, "contact", records.ordered(kind, data)), pending)
            res.added.append(data["id"])
            continue
        changes = {k: v for k, v in values.items() if rec.data.get(k) != v}
        if not changes:
            res.unchanged.append(rec.id)
            continue
        _stage(book, plan_update(book, rec, changes), pending)
        res.updated.append(rec.id)
    res.writes = list(pending.values())
    return res


def _free_id(book: Book, rid: str) -> bool:
    return is_id(rid) and book.get("contact", rid) is None


def _match(book: Book, rid: str | None, values: dict):
    if rid and book.get("contact", rid) is not None:
        return book.get("contact", rid)
    email = str(values.get("email") or "").lower()
    if email:
        for r in book.records("contact"):
            if str(r.data.get("email") or "").lower() == email:
                return r
    name = values["name"].casefold()
    for r in book.records("contact"):
        if str(r.data.get("name") or "").casefold() == name:
            return r
    return None


def _stage(book: Book, w: Write, pending: dict[str, Write]) -> None:
    """Let the next plan see this write's text (several cards change one file), without
    touching the disk: `apply` later writes the last text, checked against the file as read."""
    kind = KINDS["contact"]
    book.files[w.rel] = read_records(w.text.encode("utf-8"), w.rel, kind)
    book._records.pop(kind.name, None)
    book._index.pop(kind.name, None)
    pending[w.rel] = w
