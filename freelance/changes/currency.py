"""Money rules a write must keep (what `validate` reports as errors, a write does not make):

- linked records are in one currency: an invoice in its project's and client's, a service in
  its project's and client's, a project in its client's, income in its invoice's (and its
  project's, service's and client's), a transaction in its account's when the account names one;
- an amount has no more decimals than its currency has (0.001 USD, 1.5 JPY);
- income linked to a client is client income (a grant is not what a client paid);
- tax on an expense is an amount or a rate, not both, and not more than the amount.

Called for every add, edit and link by `door.commit`, before the follow-ups. Only what the write changes
is judged, so a record wrong by hand is left to `validate` and does not block other edits.
"""
from __future__ import annotations

from decimal import Decimal

from ..core.rules import CURRENCY_FROM, WHOLE_AMOUNTS, fits, places_message, transfer_problems
from ..core.errors import UsageError
from ..read.graph import currency_of, to_currency_of

# kind -> the kinds whose records name it in CURRENCY_FROM (and by which field)
_CHILDREN = {}
for _kind, _links in CURRENCY_FROM.items():
    for _link in _links:
        _CHILDREN.setdefault(_link, []).append(_kind)

_WATCHED = ("currency", "account", "from_account", "to_account", "to_amount", "kind", "classification", "tax_rate", *WHOLE_AMOUNTS) + tuple(
    sorted({x for links in CURRENCY_FROM.values() for x in links}))


def _noun(kind: str, data: dict) -> str:
    return str(data.get("kind") or "transaction") if kind == "transaction" else kind


def check_write(book, kind: str, new: dict, old=None) -> None:
    """UsageError when `new` (replacing record `old`, or a new record) breaks a rule above."""
    was = old.data if old is not None else {}
    changed = {k for k in _WATCHED if new.get(k) != was.get(k)}
    if old is not None and not changed:
        return
    cur = currency_of(book.get, book.settings, kind, new)
    noun = _noun(kind, new)
    # amounts that must fit the currency's minor unit
    for name in WHOLE_AMOUNTS:
        v = new.get(name)
        if isinstance(v, Decimal) and (name in changed or "currency" in changed or old is None) and not fits(v, cur):
            raise UsageError(places_message(f"--{name.replace('_', '-')}", v, cur))
    # tax on an expense: an amount or a rate, within the amount; income's comes from its invoice
    if kind == "transaction" and {"tax", "tax_rate", "amount", "kind"} & changed:
        tax, rate, amount = new.get("tax"), new.get("tax_rate"), new.get("amount")
        if (tax is not None or rate is not None) and new.get("kind") != "expense":
            raise UsageError("--tax and --tax-rate are for expenses: income's tax is its invoice's (`--tax-rate` there)")
        if tax is not None and rate is not None:
            raise UsageError("give --tax (an amount) or --tax-rate (a percentage), not both")
        if isinstance(tax, Decimal) and isinstance(amount, Decimal) and tax > amount:
            raise UsageError(f"--tax: {tax} is more than the amount {amount} it is part of")
    # income that is not a client's
    if kind == "transaction" and new.get("kind") == "income" and new.get("client") \
            and new.get("classification") not in (None, "client") \
            and ({"client", "classification", "kind"} & changed or old is None):
        raise UsageError(f"--client: income classified {new.get('classification')!r} is not client income, so it "
                         f"is not linked to client '{new['client']}' (it would count as received from them); leave "
                         "out --client, or classify it as client (`--classification client`)")
    # linked records in one currency
    if old is None or {"currency", "account", *CURRENCY_FROM.get(kind, ())} & changed:
        for link in CURRENCY_FROM.get(kind, ()):
            rid = new.get(link)
            rec = book.get(link, rid) if isinstance(rid, str) and rid else None
            if rec is None or (old is not None and link not in changed and "currency" not in changed):
                continue
            theirs = currency_of(book.get, book.settings, link, rec.data)
            if theirs != cur:
                if kind == "transaction" and link == "invoice":
                    raise UsageError(f"income in {cur} cannot pay invoice '{rid}', which is in {theirs}: record the "
                                     f"payment in {theirs} (its currency and amount), or keep it apart from the invoice")
                raise UsageError(f"{noun} in {cur} cannot be linked to {link} '{rid}', which is in {theirs}: "
                                 f"leave out --currency to take the {link}'s, or link a {link} in {cur}")
        if kind == "transaction" and new.get("account"):
            held = book.settings.account_currency(new["account"])
            if held and held != cur:
                raise UsageError(f"--account: account '{new['account']}' holds {held}, and this {noun} is in {cur}; "
                                 f"use an account in {cur} (or one that names no currency)")
    if kind == "transfer":
        held = book.settings.account_currency(new.get("from_account")) if new.get("from_account") else None
        for name, msg in transfer_problems(new, cur, to_currency_of(book.settings, new, cur), held):
            opt = {"to_account": "--to", "currency": "--currency", "to_amount": "--to-amount"}.get(name, "--amount")
            raise UsageError(f"{opt}: {msg}".replace("(to_amount)", "(--to-amount)"))
    if kind == "balance" and new.get("account") and new.get("currency"):
        held = book.settings.account_currency(new["account"])
        if held and held != cur:
            raise UsageError(f"--currency: account '{new['account']}' holds {held}, and this balance is in {cur}")
    # a new currency on a record others take theirs from: those that name another are refused
    if old is not None and "currency" in changed and kind in _CHILDREN:
        for child_kind in _CHILDREN[kind]:
            for r in book.records(child_kind):
                if r.data.get(kind) != old.id:
                    continue
                theirs = currency_of(book.get, book.settings, child_kind, r.data)
                if r.data.get("currency") and theirs != cur:
                    raise UsageError(f"{_noun(child_kind, r.data)} '{r.id}' is linked to {kind} '{old.id}' and is in "
                                     f"{theirs}: change or unlink it first, so linked records stay in one currency")
