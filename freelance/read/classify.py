"""Classification rules kept in the book: `bank-rules/classify.yaml` (docs/bank-classify.md).

A list of rules, each a pattern on a statement line's payee or text (its reference and
description) and what a line it covers is: a `category` (money out) or a `classification`
(money in), optionally only on one `account`, optionally with a `description`:

    - match: github            # case-insensitive; no `*`: anywhere in the payee
      category: software
    - match: "interest*"       # with `*`: the whole value, `*` standing for any text
      field: text
      classification: interest

A pattern is plain text or a glob with `*`, never a regular expression: nothing in a book
runs code or can make the tool hang (README, Safety). The first rule that covers a line wins.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import Problem, did_you_mean
from ..core.schema import Field, Kind
from ..store.yamlio import read_records

RULES_FILE = "bank-rules/classify.yaml"
RESERVED = "classify"                 # `--rules classify` is not a CSV rules file
FIELDS = ("payee", "text")
KEYS = ("match", "field", "category", "classification", "account", "description")
MAX_PATTERN = 200                     # characters: a pattern is a name or a phrase, not a document

RULE_KIND = Kind(
    "rule", "rules", RULES_FILE,
    fields=(
        Field("match"), Field("field"), Field("category"), Field("classification"),
        Field("account"), Field("description"),
    ),
    title="match", id_from="",
)


@dataclass(frozen=True)
class Rule:
    match: str
    field: str = "payee"              # payee, or text (the reference and the description)
    category: str | None = None       # money out
    classification: str | None = None  # money in
    account: str | None = None        # only lines of this account
    description: str | None = None    # the record's description, instead of the bank's
    line: int = 0                     # in RULES_FILE, for messages

    @property
    def target(self) -> str:
        return f"category {self.category}" if self.category else f"classification {self.classification}"

    def covers(self, money_in: bool, account: str | None, payee: str, texts: tuple[str, ...]) -> bool:
        """Whether this rule classifies a line: money in or out, on `account`, with this payee
        and texts (reference, description)."""
        if money_in != (self.classification is not None):
            return False
        if self.account and account != self.account:
            return False
        values = (payee,) if self.field == "payee" else texts
        return any(v and matches(self.match, v) for v in values)

    def as_dict(self) -> dict:
        out = {"match": self.match, "field": self.field}
        for k in ("category", "classification", "account", "description"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        out["line"] = self.line
        return out


def matches(pattern: str, value: str) -> bool:
    """Case-insensitive: a pattern without `*` anywhere in `value`; with `*`, the whole of
    `value`, each `*` any text (none included). Plain string searches, no regular expression:
    the cost is at most the length of `value` times the number of pieces."""
    p, v = pattern.casefold(), value.casefold()
    if "*" not in p:
        return p in v
    pieces = p.split("*")
    first, last, middle = pieces[0], pieces[-1], pieces[1:-1]
    if not v.startswith(first):
        return False
    pos = len(first)
    end = len(v) - len(last)
    if end < pos or not v.endswith(last):
        return False
    for piece in middle:          # leftmost first: a later piece only needs room after it
        if not piece:
            continue
        at = v.find(piece, pos, end)
        if at < 0:
            return False
        pos = at + len(piece)
    return True


def first_rule(rules: list[Rule], money_in: bool, account: str | None, payee: str,
               texts: tuple[str, ...]) -> Rule | None:
    for rule in rules:
        if rule.covers(money_in, account, payee, texts):
            return rule
    return None


def read_rules(book) -> tuple[list[Rule], list[Problem]]:
    """The book's rules (those without an error) and the problems of the file, each with its
    line; ([], []) when there is no rules file."""
    data = book.raw(RULES_FILE)
    if data is None:
        return [], []
    res = read_records(data, RULES_FILE, RULE_KIND, fast=False)
    problems = [Problem(p.file, p.line, p.severity, "", "", p.message.replace("rule record (a mapping with an id)",
                                                                              "rule (a mapping with match:)"))
                for p in res.problems]
    rules = []
    for rec in res.records:
        rule, found = read_rule(book.settings, rec)
        problems += found
        if rule is not None:
            rules.append(rule)
    return rules, problems


def read_rule(settings, rec) -> tuple[Rule | None, list[Problem]]:
    d = rec.data
    out: list[Problem] = []

    def bad(key: str | None, message: str, severity: str = "error"):
        line = rec.lines.get(key, rec.line) if key else rec.line
        out.append(Problem(RULES_FILE, line or rec.line, severity, "", "", message))

    for key in d:
        if key not in KEYS:
            bad(key, f"unknown key {key!r} in a rule (one of {', '.join(KEYS)}){did_you_mean(key, KEYS)}")
    match = d.get("match")
    if not isinstance(match, str) or not match.strip():
        bad("match" if "match" in d else None, "a rule needs match: the payee or text to look for, like match: github")
    elif len(match) > MAX_PATTERN:
        bad("match", f"match: a pattern of {len(match)} characters; at most {MAX_PATTERN}")
    field = d.get("field", "payee")
    if field not in FIELDS:
        bad("field", f"field: {field!r} is not one of payee, text{did_you_mean(str(field), FIELDS)}")
    cat, cls = d.get("category"), d.get("classification")
    if cat is not None and cls is not None:
        bad("classification", "a rule gives a category (money out) or a classification (money in), not both")
    elif cat is None and cls is None:
        bad(None, "a rule needs category: (money out) or classification: (money in)")
    for key, value, setting, word in (("category", cat, "expense_categories", "an expense category"),
                                      ("classification", cls, "income_classifications", "an income classification")):
        if value is None:
            continue
        allowed = settings.allowed(setting)
        if str(value) not in allowed:
            bad(key, f"{key}: {value!r} is not {word} (one of {', '.join(allowed)})"
                     f"{did_you_mean(str(value), allowed)}; add it with `freelance settings add {setting} {value}`")
    acc = d.get("account")
    if acc is not None:
        ids = [a["id"] for a in settings.accounts()]
        if str(acc) not in ids:
            bad("account", f"account: {acc!r} is not one of the book's accounts ({', '.join(ids)})"
                           f"{did_you_mean(str(acc), ids)}")
    desc = d.get("description")
    if desc is not None and not isinstance(desc, str):
        bad("description", "description: expected text")
    if any(p.is_error for p in out):
        return None, out
    return Rule(match=match, field=field, category=None if cat is None else str(cat),
                classification=None if cls is None else str(cls), account=None if acc is None else str(acc),
                description=desc, line=rec.line), out
