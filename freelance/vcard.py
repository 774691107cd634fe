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
    """What importing the cards in `text` would change; `result.writes` applies it.

    Linear in the cards and the book: each card is matched through indexes (id, email, name)
    of the contacts as they will be after the cards before it, and the file is planned once at
    the end: the changed records rewritten from the last one up (a rewrite moves only the
    lines below it), then every new contact appended in one go. (Planning card by card re-read
    the whole file after each one: 2,000 cards took 13 s, 10,000 more than two minutes.)"""
    from .changes import records
    kind = KINDS["contact"]
    res = ImportResult()
    categories = book.settings.allowed("contact_categories")
    if category is not None and category not in categories:
        from .errors import did_you_mean
        raise UsageError(f"--category: {category!r} is not one of {', '.join(categories)}{did_you_mean(category, categories)}")
    cards = read_cards(text, source)
    now = _Contacts(book.records(kind.name))
    added: dict[str, dict] = {}        # id -> data of a new contact, in card order
    changed: dict[str, dict] = {}      # id -> changes to a contact of the book
    for n, card in enumerate(cards, 1):
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
        match = now.match(rid, values)
        if match is None:
            data = dict(values)
            data["id"] = rid if (rid and _free_id(book, rid) and rid not in added) else \
                records.new_id(book, kind, data, planned=added)
            added[data["id"]] = data
            now.put(data["id"], data)
            res.added.append(data["id"])
            continue
        current = now.data[match]
        changes = {k: v for k, v in values.items() if current.get(k) != v}
        if not changes:
            res.unchanged.append(match)
            continue
        if match in added:
            added[match].update(changes)
        else:
            changed.setdefault(match, {}).update(changes)
        now.put(match, {**current, **changes})
        res.updated.append(match)
    pending: dict[str, Write] = {}
    index = book.index(kind.name)
    for rid in sorted(changed, key=lambda i: (index[i].file, index[i].line), reverse=True):
        _stage(book, plan_update(book, index[rid], changed[rid]), pending)   # the records above stay put
    if added:
        _stage(book, plan_append(book, "contact", [records.ordered(kind, d) for d in added.values()]), pending)
    res.writes = list(pending.values())
    return res


class _Contacts:
    """The contacts as they will be after the cards read so far: data by id, and the id each
    email and each name leads to (the first in the file, as a search from the top finds)."""

    def __init__(self, records):
        self.data: dict[str, dict] = {}
        self.email: dict[str, str] = {}
        self.name: dict[str, str] = {}
        for r in records:
            if r.id and r.id not in self.data:
                self.put(r.id, r.data)

    def put(self, rid: str, data: dict) -> None:
        self.data[rid] = data
        email = str(data.get("email") or "").lower()
        if email:
            self.email.setdefault(email, rid)
        self.name.setdefault(str(data.get("name") or "").casefold(), rid)

    def match(self, rid: str | None, values: dict) -> str | None:
        """The contact a card is: by its freelance id, then its email, then its name."""
        if rid and rid in self.data:
            return rid
        email = str(values.get("email") or "").lower()
        if email and email in self.email:
            return self.email[email]
        return self.name.get(values["name"].casefold())


def _free_id(book: Book, rid: str) -> bool:
    return is_id(rid) and book.get("contact", rid) is None


def _stage(book: Book, w: Write, pending: dict[str, Write]) -> None:
    """Let the next plan see this write's text (several changes to one file), without touching
    the disk: `apply` later writes the last text, checked against the file as read. The
    writer's own idea of the result (`w.parsed`) is taken when it has one: no parse."""
    kind = KINDS["contact"]
    book.files[w.rel] = w.parsed or read_records(w.text.encode("utf-8"), w.rel, kind)
    book._records.pop(kind.name, None)
    book._index.pop(kind.name, None)
    pending[w.rel] = w
