"""Contacts to and from vCard (3.0 and 4.0), with the `vobject` library.

Import reads what address books write (Apple and Google style TYPE
parameters, grouped `item1.` lines, folded lines, escaped commas, 4.0
`tel:` URIs), matches each card to a contact by its freelance id (UID
`<id>@freelance`), then email, then name, and plans one write per file:
new contacts appended, changed ones rewritten in place. See docs/vcard.md.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..core.errors import did_you_mean, UsageError
from ..core.rules import is_id
from ..core.schema import KINDS
from ..store.book import Book
from ..changes import door
from ..core.text import clean

UID_SUFFIX = "@freelance"
FIELDS = ("name", "category", "designation", "company", "phone", "email", "other_phones", "other_emails",
          "address", "notes")
# Card lines that say how the card is made, not about the person: never "dropped".
_FRAME = {"version", "prodid", "rev", "uid", "kind", "x-freelance-id", "x-abadr", "x-ablabel", "x-abuid"}
# Card lines read into a field (the first of each; more of TEL and EMAIL go to other_*).
_READ = {"fn", "n", "org", "title", "role", "tel", "email", "adr", "note", "categories"}


# -- export ---------------------------------------------------------------------------

def export(book: Book, records, version: str = "3.0") -> str:
    """The contacts as one .vcf text (CRLF line ends, folded at 75 octets by vobject)."""
    import vobject
    if version not in ("3.0", "4.0"):
        raise UsageError(f"--version: expected 3.0 or 4.0, got {version!r}")
    # RFC 6350 text has no control characters (ESC, BEL...)
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
        phones = ([d["phone"]] if d.get("phone") else []) + _strs(d.get("other_phones"))
        for i, phone in enumerate(phones):       # the first is the contact's phone: TYPE=pref
            tel = card.add("tel")
            if version == "4.0":
                tel.value = "tel:" + str(phone).replace(" ", "-")
                tel.params["VALUE"] = ["uri"]
                tel.params["TYPE"] = ["work"]
            else:
                tel.value = str(phone)
                tel.params["TYPE"] = ["WORK", "VOICE"]
            if i == 0 and len(phones) > 1 and d.get("phone"):
                _prefer(tel, version)
        emails = ([d["email"]] if d.get("email") else []) + _strs(d.get("other_emails"))
        for i, email in enumerate(emails):
            em = card.add("email")
            em.value = str(email)
            em.params["TYPE"] = ["work"] if version == "4.0" else ["INTERNET", "WORK"]
            if i == 0 and len(emails) > 1 and d.get("email"):
                _prefer(em, version)
        if d.get("address"):
            card.add("adr").value = vobject.vcard.Address(street=str(d["address"]))
        if d.get("notes"):
            card.add("note").value = str(d["notes"])
        if d.get("category"):
            card.add("categories").value = [str(d["category"])]
        out.append(card.serialize())
    return "".join(out)


def _strs(v) -> list[str]:
    return [clean(str(x)) for x in v if str(x).strip()] if isinstance(v, list) else []


def _prefer(line, version: str) -> None:
    if version == "4.0":
        line.params["PREF"] = ["1"]
    else:
        line.params["TYPE"] = [*line.params["TYPE"], "pref"]


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
    for name, target, scheme in (("tel", "phone", "tel:"), ("email", "email", "mailto:")):
        first = _first(card, name)
        if first is None:
            continue
        value = lambda ln: _text(ln.value).removeprefix(scheme)   # noqa: E731
        out[target] = value(first)
        more = []
        for ln in card.contents.get(name) or []:   # a second email or phone is kept, not dropped
            v = value(ln)
            if ln is not first and v and v != out[target] and v not in more:
                more.append(v)
        if more:
            out["other_" + target + "s"] = more
    adr = _first(card, "adr")
    if adr is not None:
        a = adr.value
        parts = [a.box, a.extended, a.street, a.city, a.region, a.code, a.country] if hasattr(a, "street") else [a]
        out["address"] = ", ".join(p for p in (_text(x) for x in parts) if p)
    note = _first(card, "note")
    if note is not None:
        out["notes"] = str(note.value).strip()
    lower = {c.lower(): c for c in categories}
    named = [str(c).strip() for ln in card.contents.get("categories") or []
             for c in (ln.value if isinstance(ln.value, list) else [ln.value]) if str(c).strip()]
    for c in named:
        if c.lower() in lower:
            out["category"] = lower[c.lower()]
            break
    dropped = [f"{name.upper()} ({len(lines) - 1} more)" if len(lines) > 2 else name.upper()
               for name, lines in sorted(card.contents.items())
               if name in ("adr", "note", "title", "role", "fn", "org") and len(lines) > 1
               for lines in [lines]]
    if card.contents.get("title") and card.contents.get("role"):
        dropped.append("ROLE")
    dropped += sorted(name.upper() for name in card.contents if name not in _FRAME | _READ)
    others = [c for c in named if c.lower() not in lower and c != out.get("category")]
    if others:
        dropped.append(f"CATEGORIES {', '.join(others)} (not one of the book's contact_categories)")
    if dropped:
        out["_dropped"] = dropped
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
    new: list[dict] = field(default_factory=list)           # the new contacts' data, in card order
    changes: dict[str, dict] = field(default_factory=dict)  # id -> changes to a contact of the book


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
    """What importing the cards in `text` would change, as typed values (`result.new`,
    `result.changes`); `door.import_contacts` writes it.

    Linear in the cards and the book: each card is matched through indexes (id, email, other
    emails, name) of the contacts as they will be after the cards before it; the door plans
    the file once at the end (changes/contacts.py)."""
    kind = KINDS["contact"]
    res = ImportResult()
    categories = book.settings.allowed("contact_categories")
    if category is not None and category not in categories:
        raise UsageError(f"--category: {category!r} is not one of {', '.join(categories)}{did_you_mean(category, categories)}")
    cards = read_cards(text, source)
    now = _Contacts(book.records(kind.name))
    added: dict[str, dict] = {}        # id -> data of a new contact, in card order
    changed: dict[str, dict] = {}      # id -> changes to a contact of the book
    for n, card in enumerate(cards, 1):
        values = card_values(card, categories)
        rid = values.pop("_id", None)
        dropped = values.pop("_dropped", [])
        if not values.get("name"):
            res.notes.append(f"card {n}: no name (FN or N); skipped")
            continue
        label = values["name"]
        if dropped:      # what a contact has no field for is said, not lost without a word
            res.notes.append(f"card {n} ({label}): not imported: {'; '.join(dropped)}")
        for key in list(values):
            try:
                values[key] = door.parse_value(book, kind.field(key), values[key], option=key)
            except UsageError as exc:
                res.notes.append(f"card {n} ({label}): {exc.message}; left out")
                del values[key]
        match = now.match(rid, values)
        if category and "category" not in values and match is None:
            values["category"] = category      # only for new people: a known contact keeps its own
        if match is None:
            data = dict(values)
            data["id"] = rid if (rid and _free_id(book, rid) and rid not in added) else \
                door.new_id(book, kind, data, planned=added)
            added[data["id"]] = data
            now.put(data["id"], data)
            res.added.append(data["id"])
            continue
        current = now.data[match]
        for key in ("other_phones", "other_emails"):   # more numbers are added, never replaced
            have = [str(x) for x in current.get(key) or []]
            main = values.get(key[6:-1], current.get(key[6:-1]))
            known = set(have) | {str(main)}
            new = [x for x in values.get(key, []) if x not in known]
            if new or key in values:
                merged = [x for x in have if x != main] + new
                values[key] = merged
                if merged == have:
                    del values[key]
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
    res.new = list(added.values())
    res.changes = changed
    return res


class _Contacts:
    """The contacts as they will be after the cards read so far: data by id, and the id each
    email, other email and name leads to (the first in the file, as a search from the top
    finds; a contact added by a card comes after the book's)."""

    def __init__(self, records):
        self.data: dict[str, dict] = {}
        self.order: dict[str, int] = {}
        self.email: dict[str, str] = {}
        self.other: dict[str, str] = {}
        self.name: dict[str, str] = {}
        for r in records:
            if r.id and r.id not in self.data:
                self.put(r.id, r.data)

    def put(self, rid: str, data: dict) -> None:
        self.data[rid] = data
        self.order.setdefault(rid, len(self.order))
        email = str(data.get("email") or "").lower()
        if email:
            self.email.setdefault(email, rid)
        for e in data.get("other_emails") or []:
            if isinstance(e, str):
                self.other.setdefault(e.lower(), rid)
        self.name.setdefault(str(data.get("name") or "").casefold(), rid)

    def match(self, rid: str | None, values: dict) -> str | None:
        """The contact a card is: by its freelance id, then any of its emails (a contact's own
        email first, then its other emails), then its name."""
        if rid and rid in self.data:
            return rid
        emails = {str(e).lower() for e in [values.get("email"), *values.get("other_emails", [])] if e}
        for index in (self.email, self.other):
            found = [index[e] for e in emails if e in index]
            if found:
                return min(found, key=self.order.__getitem__)
        return self.name.get(values["name"].casefold())


def _free_id(book: Book, rid: str) -> bool:
    return is_id(rid) and book.get("contact", rid) is None
