"""Planning a bank statement's import (docs/bank.md, docs/bank-import.md): which lines are
new, which are lines the book has already (and which record, matched on what), which
pending lines came back booked; the records, the closing balance, the invoices paid.

Nothing here applies a write: `door.import_statement` commits the plan in one atomic write.

De-duplication, for each statement line in the file's order, against the transactions of
the import's account only, each record taken by at most one line:
1. the bank's own id (OFX FITID, CAMT AcctSvcrRef, a CSV's id column) equals a record's `bank_ref`;
2. else the line's hash (`h:` + date, amount, text and its position among equal lines of
   the statement) equals a record's `bank_ref`;
3. else, for a booked line, a pending record (received false) of the same amount and text
   dated within PENDING_DAYS of it: that record is updated (received, date, bank_ref);
4. else a record typed by hand (no bank_ref) of the same signed amount dated within
   PENDING_DAYS of the line, the closest: the payment the book has already (or expected,
   received false); it takes the line's bank_ref (and is received, on the line's date),
   its missing payee, IBAN and reference, and, income without an invoice, the invoice the
   matcher is sure the line pays;
5. else the line is new.
Only the year shards the statement's dates reach (and the pending window) are read.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from ..core.errors import DataError, UsageError
from ..core.rules import bill_status, fits, iban_problem, is_bill, places_message
from ..core.schema import KINDS
from ..core.statement import Statement, StatementLine, bank_id
from ..store.book import Book
from ..store.records import Record
from ..store.writer import Write, plan_append, plan_update, plan_updates
from . import records
from .matching import Matcher

PENDING_DAYS = 10        # a pending line comes back booked within this many days
TX = KINDS["transaction"]
BALANCE = KINDS["balance"]


@dataclass
class Plan:
    """What an import adds, updates and skips (for the output), and the writes that do it."""
    account: str
    currency: str
    source: str
    added: list[dict] = field(default_factory=list)      # {"line", "record"}
    updated: list[dict] = field(default_factory=list)    # {"line", "id", "kind", "changes", "matched_on"}
    skipped: list[dict] = field(default_factory=list)    # {"line", "date", "amount", "text", "duplicate_of", "matched_on"}
    balance: dict | None = None                          # the last of `balances`
    balances: list[dict] = field(default_factory=list)   # {"action": added|updated|exists, "record"}, by day
    notes: list[str] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    touched: list[tuple] = field(default_factory=list)   # (kind, old record or None, new data): for the door


# -- which statement, which account ----------------------------------------------------------

def account_of(book: Book, account: str) -> dict:
    """The book's account `account` (settings `accounts:`); UsageError with the close ones."""
    return book.settings.account(account, "--account")


def _compact(text) -> str:
    return "".join(str(text or "").split()).upper()


def choose(book: Book, statements: list[Statement], account: str, name: str) -> list[Statement]:
    """The statements of `account` among those a file holds, in date order: a file may hold
    several accounts (one is chosen: the only one, else the one whose IBAN or account id is
    the book account's `iban` or `number` (or its id), else the one in its currency), and several
    statements of one account (days or months one after another: all of them, each with
    its closing balance). UsageError naming what the file holds when that does not decide."""
    acc = account_of(book, account)
    if not statements:
        raise DataError(f"{name}: holds no statement")
    groups: dict[tuple, list[Statement]] = {}
    for s in statements:
        groups.setdefault((_compact(s.iban) or _compact(s.account_id), s.currency), []).append(s)
    keys = list(groups)
    if len(keys) > 1:
        want = {_compact(acc.get("iban")), _compact(acc.get("number")), _compact(acc["id"])} - {""}
        mine = [k for k in keys if {x for s in groups[k] for x in (_compact(s.iban), _compact(s.account_id))} & want]
        if len(mine) != 1:
            cur = book.settings.account_currency(account) or book.settings.currency
            same = [k for k in (mine or keys) if k[1] == cur]
            if len(same) != 1:
                held = ", ".join(describe(groups[k][0]) for k in keys)
                raise UsageError(f"{name} holds {len(keys)} accounts ({held}) and none is account '{account}' "
                                 f"alone: give the account the IBAN or number of one (`freelance account edit "
                                 f"{account} --iban ...` or `--number ...`)")
            mine = same
        keys = mine
    return sorted(groups[keys[0]], key=_first_day)


def _first_day(s: Statement) -> dt.date:
    """When a statement starts: its opening balance's day, else its first line's, else its closing's."""
    days = [d for d in (s.opening[0] if s.opening else None, min((x.date for x in s.lines), default=None),
                        s.closing[0] if s.closing else None) if d is not None]
    return days[0] if days else dt.date.min


def describe(s: Statement) -> str:
    who = s.iban or s.account_id or "no account named"
    return f"{who} {s.currency}" if s.currency else who


# -- keys ------------------------------------------------------------------------------------

def _text(payee, reference, description) -> str:
    return "|".join(" ".join(str(x or "").casefold().split()) for x in (payee, reference, description))


def line_text(line: StatementLine) -> str:
    return _text(line.payee, line.reference, line.description)


def record_text(data: dict) -> str:
    return _text(data.get("payee"), data.get("reference"), data.get("description"))


def _num(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def line_hash(day: dt.date, amount: Decimal, text: str, n: int) -> str:
    """`h:` and a hash of the date, the signed amount, the text and the line's position among
    equal lines of its statement (1 for the first): two equal coffees on one day stay two."""
    key = f"{day.isoformat()}|{_num(amount)}|{text}|{n}"
    return "h:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def hashes(lines: list[StatementLine]) -> list[str]:
    seen: dict[tuple, int] = {}
    out = []
    for line in lines:
        text = line_text(line)
        k = (line.date, line.amount, text)
        seen[k] = n = seen.get(k, 0) + 1
        out.append(line_hash(line.date, line.amount, text, n))
    return out


def signed(data: dict) -> Decimal | None:
    amount = data.get("amount")
    if not isinstance(amount, Decimal):
        return None
    return -amount if data.get("kind") == "expense" else amount


# -- the book's side -------------------------------------------------------------------------

class _Known:
    """The account's transactions in the shards the statement reaches: by bank_ref, the
    pending ones (received false, from an import) by signed amount and text, and those typed
    by hand (no bank_ref) by signed amount."""

    def __init__(self, book: Book, account: str, first: dt.date, last: dt.date):
        self.by_ref: dict[str, list[Record]] = {}
        self.pending: dict[tuple, list[Record]] = {}
        self.typed: dict[Decimal, list[Record]] = {}
        self.bills: dict[Decimal, list[Record]] = {}     # open bills by amount, in any account
        self.taken_ids: set[str] = set()
        self.shards: list[str] = []
        years = range((first - dt.timedelta(days=PENDING_DAYS)).year, (last + dt.timedelta(days=PENDING_DAYS)).year + 1)
        for rel in book.files_of(TX):
            stem = rel.rsplit("/", 1)[-1][:-5]
            # a bill of last year may be paid this year: its shard is read for its open bills
            if not (stem.isdigit() and (int(stem) in years or int(stem) == first.year - 1)):
                continue
            self.shards.append(rel)
            for r in book.read_file(rel, TX).records:
                self.taken_ids.add(r.id)
                if is_bill(r.data) and bill_status(r.data) == "open" and not r.data.get("bank_ref") \
                        and isinstance(r.data.get("amount"), Decimal):
                    self.bills.setdefault(r.data["amount"], []).append(r)
                if r.data.get("account") != account or int(stem) not in years:
                    continue
                ref = r.data.get("bank_ref")
                if not ref:      # typed by hand: the payment may be on the statement too
                    amount = signed(r.data)
                    if amount is not None:
                        self.typed.setdefault(amount, []).append(r)
                if ref:
                    self.by_ref.setdefault(str(ref), []).append(r)
                    if r.data.get("received") is not True:
                        key = (signed(r.data), record_text(r.data))
                        self.pending.setdefault(key, []).append(r)


def _label(data: dict, rid: str) -> str:
    return f"{data.get('kind') or 'transaction'} {rid}"


def plan(book: Book, statements: Statement | list[Statement], account: str, progress=None) -> Plan:
    """The plan of importing `statements` (one account's, in date order) into `account`: the
    writes and the records they touch, for the door to check, follow up and apply."""
    sts = [statements] if isinstance(statements, Statement) else list(statements)
    account_of(book, account)
    acc_cur = book.settings.account_currency(account) or book.settings.currency
    for st in sts:
        if st.currency and st.currency != acc_cur:
            raise UsageError(f"{st.source}: the statement is in {st.currency}, account '{account}' in {acc_cur}: "
                             "import it into an account in its currency (`--account`)")
    cur = next((st.currency for st in sts if st.currency), None) or acc_cur
    p = Plan(account=account, currency=cur, source=sts[0].source if sts else "")
    items: list[tuple[Statement, StatementLine, str]] = []
    for st in sts:                  # a line's hash counts equal lines within its own statement
        for line in st.lines:
            _check_line(book, st, line, cur)
        items += [(st, line, h) for line, h in zip(st.lines, hashes(st.lines))]
    lines = [line for _, line, _ in items]
    known = _Known(book, account, min((x.date for x in lines), default=book.today),
                   max((x.date for x in lines), default=book.today)) if lines else None
    claimed: set[int] = set()
    new_refs: dict[str, int] = {}
    matcher = Matcher(book, account, cur)      # the statement's currency: invoices in it only
    new_data: list[dict] = []
    updates: list[tuple[Record, dict]] = []
    ibans: dict[str, bool] = {}
    total = len(items)
    for i, (st, line, h) in enumerate(items):
        if progress is not None and i % 250 == 0:
            progress(i, total)
        show = {"line": line.line, "date": line.date, "amount": line.amount,
                "text": line.payee or line.description or line.reference}
        if line.amount == 0:
            p.notes.append(f"{st.source}:{line.line}: an amount of 0; not imported")
            continue
        own_id = bank_id(line.bank_id)          # NONREF and its kind are no id (docs/bank.md)
        ref = own_id or h
        if ref in new_refs:
            p.skipped.append({**show, "duplicate_of": f"line {new_refs[ref]} of this statement",
                              "matched_on": "bank id" if own_id else "hash"})
            continue
        hit, on = None, ""
        if own_id:
            hit, on = _unclaimed(known.by_ref.get(own_id), claimed), f"bank id {own_id}"
        if hit is None:
            hit, on = _unclaimed(known.by_ref.get(h), claimed), "hash of date, amount and text"
        if hit is not None:
            claimed.add(id(hit))
            if hit.data.get("received") is not True and not line.pending:
                changes = _booked(hit, line, ref)
                updates.append((hit, changes))
                p.updated.append({"line": line.line, "id": hit.id, "kind": hit.data.get("kind"),
                                  "changes": changes, "matched_on": on})
            else:
                p.skipped.append({**show, "duplicate_of": _label(hit.data, hit.id), "matched_on": on})
            continue
        if not line.pending:
            hit = _pending(known, line, claimed)
            if hit is not None:
                claimed.add(id(hit))
                changes = _booked(hit, line, ref)
                updates.append((hit, changes))
                p.updated.append({"line": line.line, "id": hit.id, "kind": hit.data.get("kind"), "changes": changes,
                                  "matched_on": f"pending line of the same amount and text, dated {hit.data.get('date')}"})
                continue
        hit = _bill(book, known, line, claimed) if line.amount < 0 and not line.pending else None
        if hit is not None:
            claimed.add(id(hit))
            changes = _adopted(hit, line, ref, ibans)
            if hit.data.get("account") != account:
                changes["account"] = account
            updates.append((hit, changes))
            p.updated.append({"line": line.line, "id": hit.id, "kind": "expense", "changes": changes,
                              "matched_on": f"open bill {hit.data.get('number')} of the same amount, "
                                            f"by the supplier's IBAN or the reference"})
            p.notes.append(f"{st.source}:{line.line}: pays bill {hit.data.get('number')} "
                           f"of {hit.data.get('supplier') or hit.data.get('payee') or 'its supplier'} (expense {hit.id})")
            continue
        hit = _typed(known, line, claimed)
        if hit is not None:
            claimed.add(id(hit))
            changes = _adopted(hit, line, ref, ibans)
            changes.update(_linked(matcher, hit, line))
            updates.append((hit, changes))
            p.updated.append({"line": line.line, "id": hit.id, "kind": hit.data.get("kind"), "changes": changes,
                              "matched_on": f"typed by hand: the same amount, dated {hit.data.get('date')}"})
            continue
        new_refs[ref] = line.line
        data = _record(book, line, account, cur, ref, ibans, p, st.source)
        data.update({k: v for k, v in matcher.values(line).items() if v is not None})
        data["id"] = _new_id(known.taken_ids, line.date, f"{account}|{ref}")
        data = records.ordered(TX, data)
        new_data.append(data)
        p.added.append({"line": line.line, "record": data})
    if progress is not None:
        progress(total, total)
    for d in new_data:          # what the matcher linked: to records that are there (as `add` checks)
        if any(d.get(f.name) for f in TX.link_fields):
            records.check_links(book, TX, d, False)
    p.writes = _writes(book, "transaction", updates, new_data)
    p.touched = [(TX, rec, {**rec.data, **changes}) for rec, changes in updates] + [(TX, None, d) for d in new_data]
    _balances(book, sts, account, cur, p)
    return p


def _writes(book: Book, kind: str, updates: list[tuple[Record, dict]], new: list[dict]) -> list[Write]:
    """One Write per file: its records' changes, then the new records appended (a kind's
    year shards for dated kinds)."""
    k = KINDS[kind]
    out: dict[str, Write] = {}
    for rel, items in _by_file(updates).items():
        out[rel] = plan_updates(book, items) if len(items) > 1 else plan_update(book, *items[0])
    by_file: dict[str, list[dict]] = {}
    for d in new:
        by_file.setdefault(book.shard_for(k, d.get(k.shard_by)) if k.sharded else k.path, []).append(d)
    for rel, items in sorted(by_file.items()):
        out[rel] = plan_append(book, kind, items, after=out.get(rel))
    return list(out.values())


def _unclaimed(found: list[Record] | None, claimed: set[int]) -> Record | None:
    for r in found or ():
        if id(r) not in claimed:
            return r
    return None


def _pending(known: _Known, line: StatementLine, claimed: set[int]) -> Record | None:
    best = None
    for r in known.pending.get((line.amount, line_text(line)), ()):
        d = r.data.get("date")
        if id(r) in claimed or not isinstance(d, dt.date) or d.year != line.date.year:
            continue             # a record stays in its year's shard: a booking in another year is new
        gap = abs((line.date - d).days)
        if gap <= PENDING_DAYS and (best is None or gap < best[0]):
            best = (gap, r)
    return best[1] if best else None


def _bill(book: Book, known: _Known, line: StatementLine, claimed: set[int]) -> Record | None:
    """The open bill this outgoing line pays: the same amount, and the line's IBAN is the bill's
    or its supplier's, or the line's text names the bill's number (the oldest due first), as a
    client's payment pays its invoice (docs/suppliers.md)."""
    iban = _compact(line.iban)
    text = _compact(" ".join(x for x in (line.reference, line.description, line.payee) if x))
    best = None
    for r in known.bills.get(-line.amount, ()):
        d = r.data.get("date")
        if id(r) in claimed or not isinstance(d, dt.date) or d > line.date:
            continue
        sup = book.get("supplier", r.data.get("supplier")) if r.data.get("supplier") else None
        theirs = {_compact(r.data.get("iban")), _compact(sup.data.get("iban") if sup is not None else None)} - {""}
        number = _compact(r.data.get("number"))
        if not ((iban and iban in theirs) or (number and number in text)):
            continue
        key = (r.data.get("due") if isinstance(r.data.get("due"), dt.date) else d, d, r.id)
        if best is None or key < best[0]:
            best = (key, r)
    return best[1] if best else None


def _typed(known: _Known, line: StatementLine, claimed: set[int]) -> Record | None:
    """The record typed by hand that is this line's payment: the same signed amount, dated
    within PENDING_DAYS, the closest (the earlier one on a tie)."""
    best = None
    for r in known.typed.get(line.amount, ()):
        d = r.data.get("date")
        if id(r) in claimed or not isinstance(d, dt.date):
            continue
        gap = abs((line.date - d).days)
        if gap <= PENDING_DAYS and (best is None or (gap, d) < best[:2]):
            best = (gap, d, r)
    return best[2] if best else None


def _adopted(rec: Record, line: StatementLine, ref: str, ibans: dict) -> dict:
    """A record typed by hand takes the statement line's id, and what it did not say: who
    paid, their IBAN, the reference. Money it expected (received false) is received now, on
    the line's date (in the record's year: a record stays in its year's shard)."""
    changes: dict = {"bank_ref": ref}
    if rec.data.get("received") is not True and not line.pending:
        changes["received"] = True
        d = rec.data.get("date")
        if d != line.date and isinstance(d, dt.date) and d.year == line.date.year:
            changes["date"] = line.date
    for key, value in (("payee", line.payee), ("reference", line.reference)):
        if value and not rec.data.get(key):
            changes[key] = value
    if line.iban and not rec.data.get("iban"):
        ok = ibans.get(line.iban)
        if ok is None:
            ok = ibans[line.iban] = iban_problem(line.iban) is None
        if ok:
            changes["iban"] = line.iban
    return changes


def _linked(matcher: Matcher, rec: Record, line: StatementLine) -> dict:
    """Income typed by hand without its invoice: the invoice the matcher is sure this line pays
    (and its project and service), when the record names no other client; nothing else of
    the matcher's (a record typed by hand is not put under review)."""
    if rec.data.get("kind") != "income" or rec.data.get("invoice") or line.amount <= 0:
        return {}
    got = matcher.values(line)
    if not got.get("invoice") or (rec.data.get("client") and got.get("client") not in (None, rec.data["client"])):
        return {}
    return {k: got[k] for k in ("invoice", "client", "project", "service", "classification")
            if got.get(k) is not None and not rec.data.get(k)}


def _booked(rec: Record, line: StatementLine, ref: str) -> dict:
    changes = {"received": True}
    if rec.data.get("date") != line.date:
        changes["date"] = line.date
    if rec.data.get("bank_ref") != ref:
        changes["bank_ref"] = ref
    return changes


def _check_line(book: Book, st: Statement, line: StatementLine, cur: str) -> None:
    where = f"{st.source}:{line.line}" if line.line else st.source
    if not fits(abs(line.amount), cur):
        raise DataError(f"{where}: " + places_message("amount", abs(line.amount), cur))
    if not line.pending and line.date > book.today:
        raise DataError(f"{where}: booked on {line.date}, after today ({book.today}); "
                        "a statement from the future? (--today sets today)")


def _record(book: Book, line: StatementLine, account: str, cur: str, ref: str, ibans: dict,
            p: Plan, source: str) -> dict:
    data: dict = {"date": line.date, "kind": "income" if line.amount > 0 else "expense",
                  "amount": abs(line.amount)}
    if cur != book.settings.currency:
        data["currency"] = cur
    data.update(account=account, received=not line.pending)
    if line.description:
        data["description"] = line.description
    if line.payee:
        data["payee"] = line.payee
    if line.iban:
        ok = ibans.get(line.iban)
        if ok is None:
            ok = ibans[line.iban] = iban_problem(line.iban) is None
        if ok:
            data["iban"] = line.iban
        else:
            p.notes.append(f"{source}:{line.line}: IBAN {line.iban!r} is not a valid IBAN; left out")
    if line.reference:
        data["reference"] = line.reference
    data["bank_ref"] = ref
    return data


def _new_id(taken: set[str], day: dt.date, line: str) -> str:
    """A new record's id: its date and 24 bits of the hash of its account and bank line, so
    that one statement imported on two devices gives the same records, which a git merge
    keeps once (docs/ids.md); random when that id is taken."""
    rid = f"{TX.id_prefix}-{day:%Y%m%d}-{hashlib.sha256(line.encode('utf-8')).hexdigest()[:6]}"
    if rid not in taken:
        taken.add(rid)
        return rid
    while True:
        rid = f"{TX.id_prefix}-{day:%Y%m%d}-{secrets.token_hex(3)}"
        if rid not in taken:
            taken.add(rid)
            return rid


def _by_file(pairs: list[tuple[Record, dict]]) -> dict[str, list[tuple[Record, dict]]]:
    out: dict[str, list] = {}
    for rec, change in pairs:
        out.setdefault(rec.file, []).append((rec, change))
    return out


def _balances(book: Book, sts: list[Statement], account: str, cur: str, p: Plan) -> None:
    """Each statement's closing balance as a `balance` record, unless the book has it already;
    a different amount for the same account and day replaces the old one's (of two
    statements closing on one day, the later's)."""
    closing: dict[dt.date, tuple[Decimal, str]] = {}
    for st in sts:
        if st.closing is not None:
            day, amount = st.closing
            if not fits(amount, cur):
                raise DataError(f"{st.source}: closing balance: " + places_message("balance", amount, cur))
            closing[day] = (amount, st.source)
    if not closing:
        return
    have = {r.data.get("date"): r for r in book.records(BALANCE) if r.data.get("account") == account}
    updates, new, planned = [], [], set()
    for day, (amount, source) in sorted(closing.items()):
        r = have.get(day)
        if r is not None and r.data.get("amount") == amount:
            p.balances.append({"action": "exists", "record": dict(r.data)})
        elif r is not None:
            changes = {"amount": amount, "source": source}
            updates.append((r, changes))
            p.balances.append({"action": "updated", "record": {**r.data, **changes}, "was": r.data.get("amount")})
            p.touched.append((BALANCE, r, {**r.data, **changes}))
        else:
            data = {"account": account, "date": day, "amount": amount}
            if cur != book.settings.currency:
                data["currency"] = cur
            if source:
                data["source"] = source
            data["id"] = records.new_id(book, BALANCE, data, planned)
            planned.add(data["id"])
            data = records.ordered(BALANCE, data)
            new.append(data)
            p.balances.append({"action": "added", "record": data})
            p.touched.append((BALANCE, None, data))
    p.balance = p.balances[-1]
    p.writes += _writes(book, "balance", updates, new)
