"""What a bank statement line is: the values of its record beyond the ones the import sets
(docs/bank.md, docs/bank-matching.md). The import (`changes/bank.py`) makes one `Matcher` per
import and asks it about each line in the statement's order, so it remembers what it
already settled: two lines do not both pay one invoice's whole balance.

- Money in whose reference (or description) names one open invoice and equals its balance, or
  that equals the balance of exactly one open invoice of a client who is known to pay from
  that account or under that name, is linked to that invoice, its client, project and service.
- Anything unsure (two candidates, a payer not known, a paid, void or draft invoice named,
  an amount other than the balance, another currency) is left for review with the reason and
  the candidates: never guessed.
- The rest is classified by the book's rules (`bank-rules/classify.yaml`, freelance/read/classify.py),
  or left for review when none covers it.

Indexes are built once per import, on the first line that needs them: a statement of
expenses never loads the invoices, and the payers (a pass over the transactions) are
read only when an amount equals an open invoice's balance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..read.classify import first_rule, read_rule, read_rules, Rule, RULES_FILE
from ..core.money import ZERO, dec, invoice_totals
from ..core.rules import NOT_OWED, SETTLED, settles_invoice
from ..read.owed import left_to_pay, settled_otherwise
from ..core.statement import StatementLine
from ..store.book import Book
from ..store.records import Record, Record as Rec
import shlex
from ..core.errors import DataError, UsageError
from ..core.schema import KINDS
from ..core.text import fmt_money
from ..read.graph import currency_of, Graph
from ..store.cache import payers_of
from ..store.emitter import record_text
from ..store.writer import Write, plan_updates_in_files

SHOWN = 3            # candidates named in a review reason


_NOT_ALNUM = re.compile(r"[\W_]+")     # our own pattern: a book's text is never a regular expression


def norm_ref(text: str) -> str:
    """An invoice number or a reference as compared: letters and digits only, upper case
    ("inv-2026-019", "INV 2026 019" and "INV2026019" are one)."""
    return _NOT_ALNUM.sub("", str(text).upper())


def norm_iban(text: str) -> str:
    return "".join(str(text).split()).upper()


def norm_name(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _runs(text: str) -> tuple[str, set[int], set[int]]:
    """`text` as `norm_ref` gives it, with where its runs of letters or digits start and end
    (in the normalised text): a number is found only between such edges, so INV2026019 is
    not found in INV20260190 nor in XINV2026019."""
    out: list[str] = []
    starts, ends = set(), set()
    prev = ""            # "a" letter, "d" digit, "" separator
    for ch in str(text).upper():
        cls = "d" if ch.isdigit() else "a" if ch.isalnum() else ""
        if cls and cls != prev:
            starts.add(len(out))
            if prev:
                ends.add(len(out))
        if not cls and prev:
            ends.add(len(out))
        if cls:
            out.append(ch)
        prev = cls
    ends.add(len(out))
    return "".join(out), starts, ends


@dataclass
class Open:
    """An invoice as matching sees it."""
    id: str
    status: str
    client: str | None
    project: str | None
    service: str | None
    currency: str
    total: Decimal
    received: Decimal
    otherwise: Decimal = ZERO       # settled by credit notes and a write-off

    @property
    def balance(self) -> Decimal:
        return left_to_pay(self.total, self.received, self.otherwise)     # read/owed.py: the one rule


class Matcher:
    def __init__(self, book: Book, account: str, currency: str | None = None):
        self.book = book
        self.account = account
        self.currency = currency or book.settings.account_currency(account) or book.settings.currency
        self.rules, _ = read_rules(book)      # a rule with an error is left out (validate names it)
        self._invoices: dict[str, Open] | None = None
        self._by_ref: dict[str, list[str]] = {}
        self._ref_lengths: list[int] = []
        self._by_amount: dict[Decimal, list[str]] = {}
        self._payers: tuple[dict, dict] | None = None
        self.paid: dict[str, int] = {}         # invoice -> the statement line (its `line`) that paid it here

    # -- indexes, once -------------------------------------------------------------------
    def invoices(self) -> dict[str, Open]:
        if self._invoices is None:
            self._load_invoices()
        return self._invoices

    def _load_invoices(self) -> None:
        book = self.book
        per_line = book.settings.tax_per_line
        received: dict[str, Decimal] = {}
        kind = KINDS["transaction"]
        for rel in book.files_of(kind):
            loaded = book.files.get(rel)
            if loaded is None:                 # the shard's cached summary: its transactions stay unread
                for inv, amount in book.summary(rel, kind)["received"].items():
                    received[inv] = received.get(inv, ZERO) + Decimal(amount)
                continue
            for t in loaded.records:           # read already (by the import): add up what pays an invoice
                d = t.data
                inv = d.get("invoice")
                got = settles_invoice(d) if inv.__class__ is str else None
                if got is not None:
                    received[inv] = received.get(inv, ZERO) + got[0] + got[1]
        projects, clients = book.index("project"), book.index("client")   # one read, not a peek per invoice
        homes: dict = {}

        def get(k, rid):
            return projects.get(rid) if k == "project" else clients.get(rid) if k == "client" else book.get(k, rid)

        out: dict[str, Open] = {}
        by_ref = self._by_ref
        g = Graph(book)                        # credit notes and write-offs: read/owed.py, as every face
        for r in book.records("invoice"):
            d = r.data
            rid = d.get("id")
            if rid.__class__ is not str or not rid or rid in out:
                continue
            status = str(d.get("status") or "")
            by_ref.setdefault(norm_ref(rid), []).append(rid)
            if status != "sent":               # named in a reference: only its status is said
                out[rid] = Open(rid, status, d.get("client"), d.get("project"), None, "", ZERO, ZERO)
                continue
            services = {it.get("service") for it in d.get("items") or () if isinstance(it, dict)}
            try:
                total = invoice_totals(d, per_line)[2]
            except Exception:                 # a broken invoice (validate says so) is no candidate
                continue
            key = (d.get("currency"), d.get("project"), d.get("client"))
            if key not in homes:
                homes[key] = currency_of(get, book.settings, "invoice", d)
            out[rid] = Open(rid, status, d.get("client"), d.get("project"),
                            next(iter(services)) if len(services) == 1 and None not in services else None,
                            homes[key], total, received.get(rid, ZERO), settled_otherwise(g, r))
        self._invoices = out
        self._ref_lengths = sorted({len(k) for k in by_ref if k}, reverse=True)
        for inv in out.values():
            if inv.status == "sent" and inv.balance > 0:
                self._by_amount.setdefault(inv.balance, []).append(inv.id)

    def payers(self) -> tuple[dict[str, set], dict[str, set]]:
        """(IBAN -> clients, name -> clients): the clients' own `iban`, and the IBAN and payee
        of the client income recorded so far, from each shard's cached summary (`payers`, kept
        beside `received`) or its records when it is read already or has no such summary."""
        if self._payers is None:
            book = self.book
            ibans: dict[str, set] = {}
            names: dict[str, set] = {}
            for c in book.records("client"):
                if c.data.get("iban"):
                    ibans.setdefault(norm_iban(c.data["iban"]), set()).add(c.id)
            kind = KINDS["transaction"]
            for rel in book.files_of(kind):
                loaded = book.files.get(rel)
                found = None if loaded is not None else book.summary(rel, kind).get("payers")
                if found is None:
                    found = payers_of(book.read_file(rel, kind).records)
                for key in found:
                    value, client = key[1:].rsplit("\t", 1)
                    if key[0] == "i":
                        ibans.setdefault(norm_iban(value), set()).add(client)
                    else:
                        names.setdefault(norm_name(value), set()).add(client)
            self._payers = (ibans, names)
        return self._payers

    def payer_clients(self, iban: str, payee: str) -> set:
        ibans, names = self.payers()
        if iban and norm_iban(iban) in ibans:
            return set(ibans[norm_iban(iban)])
        return set(names.get(norm_name(payee), ())) if payee else set()

    # -- one line --------------------------------------------------------------------------
    def named(self, *texts: str) -> list[str]:
        """The invoices whose numbers the texts name, in the order found."""
        self.invoices()
        found: list[str] = []
        for text in texts:
            if not text:
                continue
            flat, starts, ends = _runs(text)
            for n in self._ref_lengths:
                for i in starts:
                    j = i + n
                    if j in ends and flat[i:j] in self._by_ref:
                        for inv in self._by_ref[flat[i:j]]:
                            if inv not in found:
                                found.append(inv)
        return found

    def values(self, line: StatementLine) -> dict:
        """Fields for the record of `line`: classification or category, client, invoice,
        project, service, and `review` (why it is left for a person) when unsure."""
        if line.amount > 0:
            return self._money_in(line)
        rule = self._rule(line, False)
        if rule is None:
            return {"review": "no rule classifies it"}
        return self._classified(rule)

    def _rule(self, line: StatementLine, money_in: bool) -> Rule | None:
        return first_rule(self.rules, money_in, self.account, line.payee, (line.reference, line.description))

    @staticmethod
    def _classified(rule: Rule) -> dict:
        out = {"category": rule.category} if rule.category else {"classification": rule.classification}
        if rule.description:
            out["description"] = rule.description
        return out

    def _link(self, inv: Open, line: StatementLine) -> dict:
        self.paid[inv.id] = line.line
        inv.received += line.amount             # what is left of it for the lines after this one
        out = {"classification": "client", "client": inv.client, "invoice": inv.id,
               "project": inv.project, "service": inv.service}
        return {k: v for k, v in out.items() if v}

    def _money_in(self, line: StatementLine) -> dict:
        amount = line.amount
        invoices = self.invoices()
        named = self.named(line.reference, line.description)
        if len(named) > 1:
            return {"review": f"its reference names {len(named)} invoices: {_list(named)}"}
        if named:
            inv = invoices[named[0]]
            why = self._why_not(inv, amount)
            if why is None:
                return self._link(inv, line)
            return {"review": f"its reference names invoice {inv.id}, {why}"}
        same = [invoices[i] for i in self._by_amount.get(amount, ())
                if invoices[i].balance == amount and invoices[i].currency == self.currency]
        if same:
            clients = self.payer_clients(line.iban, line.payee)
            known = [inv for inv in same if inv.client in clients]
            if len(known) == 1:
                return self._link(known[0], line)
            if len(known) > 1:
                return {"review": f"{len(known)} invoices of {_list(sorted({i.client for i in known}))} "
                                  f"could be paid by it: {_list([i.id for i in known])}"}
            rule = self._rule(line, True)
            if rule is not None:                 # a rule names this payer: not a client's invoice
                return self._classified(rule)
            return {"review": f"its amount is the balance of {_list([f'{i.id} ({i.client})' for i in same])}, "
                              f"but the payer is not known for {'that client' if len(same) == 1 else 'them'}"}
        rule = self._rule(line, True)
        if rule is not None:
            return self._classified(rule)
        return {"review": "no invoice or rule matches it"}

    def _why_not(self, inv: Open, amount: Decimal) -> str | None:
        """Why a payment of `amount` does not surely pay `inv` (None: it does)."""
        if inv.id in self.paid:
            return f"which an earlier line of this statement (line {self.paid[inv.id]}) paid already"
        if inv.status in SETTLED + NOT_OWED:
            return f"which is {inv.status}" + (" (not sent)" if inv.status == "draft" else "")
        if inv.currency != self.currency:
            return f"which is in {inv.currency}, and the payment in {self.currency}"
        if amount != inv.balance:
            return (f"but {fmt_money(amount, self.currency)} is not its balance "
                    f"{fmt_money(inv.balance, inv.currency)}")
        return None

    # -- for `bank review` -------------------------------------------------------------------
    def candidates(self, tx: Record) -> list[dict]:
        """The best invoices for income `tx` (under review): named by its reference, with its
        amount as their balance, or of a client known to pay this way; best first."""
        d = tx.data
        if d.get("kind") != "income":
            return []
        amount = dec(d.get("amount"))
        invoices = self.invoices()
        clients = self.payer_clients(str(d.get("iban") or ""), str(d.get("payee") or ""))
        scored: dict[str, tuple[int, list[str]]] = {}

        def note(inv_id: str, score: int, why: str):
            s, whys = scored.get(inv_id, (0, []))
            scored[inv_id] = (s + score, whys + [why])

        for inv_id in self.named(str(d.get("reference") or ""), str(d.get("description") or "")):
            inv = invoices[inv_id]
            note(inv_id, 4 if inv.status == "sent" else 1, "named in the reference")
        for inv in invoices.values():
            if inv.status != "sent" or inv.balance <= 0 or inv.currency != self.currency:
                continue
            if inv.balance == amount:
                note(inv.id, 2, "amount equals its balance")
            if inv.client in clients:
                note(inv.id, 1, f"payer known for {inv.client}")
        best = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))[:SHOWN]
        return [{"invoice": i, "client": invoices[i].client, "status": invoices[i].status,
                 "balance": invoices[i].balance, "currency": invoices[i].currency, "why": ", ".join(whys)}
                for i, (score, whys) in best if invoices[i].status == "sent" or "named in the reference" in whys]


def _list(items: list[str]) -> str:
    items = list(items)
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


# -- what settles a record under review --------------------------------------------------------

def settled(data: dict) -> bool:
    """Whether a transaction no longer needs review: an expense with a category; income linked
    to an invoice, classified other than client, or client income with its client."""
    if data.get("kind") == "expense":
        return bool(data.get("category"))
    if data.get("invoice"):
        return True
    cls = data.get("classification")
    return bool(cls) and (cls != "client" or bool(data.get("client")))


def clear_review(record: Record, changes: dict, after: dict) -> None:
    """A change (`income link`, `bank match`, `income/expense edit`) that gives a record under
    review what it lacked clears its `review`, in the same write."""
    if record.kind == "transaction" and record.data.get("review") and "review" not in changes \
            and set(changes) & {"category", "classification", "invoice", "client"} and settled(after):
        changes["review"] = None
        after.pop("review", None)


# -- rules --------------------------------------------------------------------------------------

def covered(book: Book, rule: Rule) -> list[tuple[Record, dict]]:
    """The records under review that `rule` classifies, with the change it makes to each."""
    out = []
    for t in book.records("transaction"):
        d = t.data
        if not d.get("review") or d.get("client") or d.get("invoice"):
            continue
        money_in = d.get("kind") == "income"
        if (money_in and d.get("classification")) or (not money_in and d.get("category")):
            continue
        account = d.get("account")
        if rule.covers(money_in, str(account) if account else None, str(d.get("payee") or ""),
                       (str(d.get("reference") or ""), str(d.get("description") or ""))):
            change = {"category": rule.category} if rule.category else {"classification": rule.classification}
            if rule.description:
                change["description"] = rule.description
            change["review"] = None
            out.append((t, change))
    return out


def plan_rule(book: Book, values: dict) -> tuple[Rule, list, list[str]]:
    """(the rule, the writes that append it to the rules file and classify the records under
    review it covers, notes), after checking it as `validate` would."""
    values = {k: v for k, v in values.items() if v is not None}
    rule, problems = read_rule(book.settings, Rec("rule", values, RULES_FILE, 0, {}))
    if rule is None:
        first = next(p for p in problems if p.is_error).message
        for key, opt in (("match:", "PATTERN:"), ("field:", "--field:"), ("category:", "--category:"),
                         ("classification:", "--classification:"), ("account:", "--account:")):
            if first.startswith(key):
                first = opt + first[len(key):]
        raise UsageError(first)
    current, found = read_rules(book)
    bad = next((p for p in found if p.is_error), None)
    if bad is not None:
        raise DataError(f"{bad}; fix it first (nothing was written)")
    if any(r.as_dict() | {"line": 0} == rule.as_dict() | {"line": 0} for r in current):
        raise UsageError(f"{RULES_FILE} has this rule already; nothing was written")
    data = book.raw(RULES_FILE)
    text = data.decode("utf-8") if data is not None else (
        "# Classification rules for `freelance bank import` (docs/bank-classify.md): the first rule\n"
        "# whose match: is found in a line's payee (or, with field: text, its reference or description)\n"
        "# gives it a category (money out) or classification (money in). `*` stands for any text.\n")
    if text and not text.endswith("\n"):
        text += "\n"
    if text.rstrip().endswith("[]"):
        text = text.rstrip()[:-2].rstrip() + "\n"
    stored = {k: values[k] for k in ("match", "field", "category", "classification", "account", "description")
              if k in values}
    write = Write(RULES_FILE, text + record_text(stored))
    changes = covered(book, rule)
    writes = [write] + (plan_updates_in_files(book, changes) if changes else [])
    n = len(changes)
    notes = [f"added to {RULES_FILE}: {stored['match']!r} ({rule.field}) -> {rule.target}",
             f"classified {n} record{'s' if n != 1 else ''} under review" if n else "no record under review is covered by it"]
    return rule, writes, notes


# -- `bank review` ------------------------------------------------------------------------------

def review_items(book: Book, account: str | None = None) -> list[dict]:
    """The records under review (of `account`), oldest first, each with why, its best candidate
    invoices and the commands that settle it."""
    todo = [t for t in book.records("transaction") if t.data.get("review")
            and (account is None or t.data.get("account") == account)]
    todo.sort(key=lambda t: (str(t.data.get("date")), t.id))
    matchers: dict[str, Matcher] = {}
    out = []
    for t in todo:
        d = t.data
        acc = str(d.get("account") or "")
        cur = currency_of(book.get, book.settings, "transaction", d)
        key = f"{acc}\0{cur}"
        if key not in matchers:
            matchers[key] = Matcher(book, acc, cur)
        m = matchers[key]
        cands = m.candidates(t)
        money_in = d.get("kind") == "income"
        who = str(d.get("payee") or "") or str(d.get("reference") or d.get("description") or "")
        commands = [f"freelance bank match {t.id} {c['invoice']}" for c in cands if c["status"] == "sent"][:1]
        if money_in:
            commands.append(f"freelance income edit {t.id} --classification CLASSIFICATION")
            what = "--classification CLASSIFICATION"
        else:
            commands.append(f"freelance expense edit {t.id} --category CATEGORY")
            what = "--category CATEGORY"
        if who:
            field = "" if d.get("payee") else " --field text"
            commands.append(f"freelance bank rule add {shlex.quote(who)} {what}{field}")
        out.append({"id": t.id, "date": d.get("date"), "kind": d.get("kind"), "amount": dec(d.get("amount")),
                    "currency": cur, "account": d.get("account"), "payee": d.get("payee"), "iban": d.get("iban"),
                    "reference": d.get("reference"), "description": d.get("description"),
                    "review": d.get("review"), "candidates": cands, "commands": commands})
    return out
