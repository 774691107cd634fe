"""The VAT return and the EC sales list, read from the journal (docs/vat.md).

The tax figures are the journal's tax postings in the period, so the return equals the
tax accounts of `export hledger` (`liabilities:tax:<name>`, `assets:tax:<name>`) to the cent,
by construction:

- **output tax** per supply and rate: each `liabilities:tax` posting of the period (an invoice
  or credit note on the accrual basis; a payment or write-off on the cash basis), with the net
  its transaction posted to income split over the rates of the invoice it belongs to;
- **supplies** without tax beside them: reverse charge (intra-EU business clients, EN 16931
  category AE), exports (clients outside the EU, G), other untaxed (E), and client income
  without an invoice;
- **input tax** per rate: each `assets:tax` posting (expenses with `tax:` or `tax_rate:`);
- **net payable** per currency: output tax less input tax;
- **the EC sales list**: the reverse-charge supplies per client VAT id, by the day the invoice
  or credit note was issued (the tax point of an intra-EU supply), whatever the basis;
- **warnings** where a user is about to get it wrong: VAT charged to a business client with a
  valid VAT id in another EU country (reverse charge), or an untaxed invoice to a client in
  another EU country who has no VAT id.

Every amount is in its currency; a book of several currencies gets a row per currency, never
a sum across them. Read side: the graph in, plain values out.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.money import ZERO
from ..core.rules import BILLED, EU_COUNTRIES, reverse_charge, tax_category, vat_country, vat_id_problem
from .graph import Graph
from .journal import DEFAULT_BASIS, Txn, invoice_tax, journal, round_to
from .owed import credit_notes, day

# EN 16931 VAT category (rules.tax_category) -> what the return calls the supply
SUPPLIES = {"S": "taxed", "AE": "reverse charge (intra-EU)", "G": "export (outside the EU)",
            "E": "untaxed (exempt)", None: "client income without an invoice"}
ORDER = ("S", "AE", "G", "E", None)


def _client_of(g: Graph, inv) -> tuple[str, str | None, str | None, str | None]:
    """(client id, its country, its VAT id, the seller's country) for the categories."""
    cid = str(inv.data.get("client") or "")
    rec = g.get("client", cid) if cid else None
    data = rec.data if rec is not None else {}
    vat_id = str(data["vat_id"]).strip() if data.get("vat_id") else None
    country = str(data.get("country") or "").upper() or vat_country(vat_id)
    seller = str(g.settings.business().get("country") or "").upper() or None
    return cid, country, vat_id, seller


def category(g: Graph, inv, rate: Decimal) -> str:
    """The EN 16931 category of `inv`'s lines at `rate`: S, AE, G or E (as the document says)."""
    _, country, vat_id, seller = _client_of(g, inv)
    return tax_category(rate, seller, country, vat_id)[0]


def pct(rate) -> Decimal:
    """A rate as people write it: 19, 7, 5.5, 0 (not 19.00 or 1.9E+1)."""
    rate = Decimal(rate or 0)
    return rate.quantize(Decimal(1)) if rate == rate.to_integral_value() else rate.normalize()


def _nets(g: Graph, inv, with_credits: bool) -> dict[Decimal, Decimal]:
    """rate -> net of `inv` (and of its billed credit notes, `with_credits`)."""
    out: dict = {}
    for rec in [inv, *(credit_notes(g, inv, None) if with_credits else [])]:
        for rate, net, _ in invoice_tax(g, rec):
            out[rate] = out.get(rate, ZERO) + net
    return out


def _split(amount: Decimal, weights: dict, currency: str) -> dict:
    """`amount` over the keys of `weights` in proportion, rounded on the running sum so the
    parts add up to `amount` exactly; all of it to the first key when the weights sum to zero."""
    keys = sorted(weights)
    if not keys:
        return {}
    total = sum(weights.values(), ZERO)
    if not total:
        return {k: (amount if i == 0 else ZERO) for i, k in enumerate(keys)}
    out, cum, before = {}, ZERO, ZERO
    for k in keys:
        cum += weights[k]
        upto = round_to(amount * cum / total, currency)
        out[k] = upto - before
        before = upto
    return out


def _invoice_of(g: Graph, x: Txn, basis: str):
    """The invoice (or credit note) a transaction of the journal belongs to, and whether its own
    lines (an accrual invoice or credit note) rather than the net of its credit notes weigh it."""
    kind, rid = x.source.split(":", 1)
    if kind == "invoice" and basis == "accrual" and not x.description.startswith("Written off"):
        return g.get("invoice", rid), False
    link = x.link if kind == "transaction" else rid
    return (g.get("invoice", link) if link else None), True


def vat_return(g: Graph, basis: str = DEFAULT_BASIS, start: dt.date | None = None,
               end: dt.date | None = None) -> dict:
    """{"outputs", "inputs", "totals", "ec_sales", "warnings"}: lists of rows (docs/vat.md)."""
    out: dict = {}       # (currency, category, rate) -> [net, tax]
    inputs: dict = {}    # (currency, rate) -> [net, tax]
    totals: dict = {}    # currency -> [output tax, input tax]
    seen: dict = {}      # invoices the period's postings belong to: id -> record
    for x in journal(g, basis):
        if (start is not None and x.date < start) or (end is not None and x.date > end) or x.source == "settings:opening":
            continue
        tax_by_rate: dict = {}
        income: dict = {}            # currency -> the net this transaction posted to income
        for p in x.postings:
            if p.account[:2] == ("liabilities", "tax"):
                tax_by_rate[(p.currency, p.rate)] = tax_by_rate.get((p.currency, p.rate), ZERO) - p.amount
                totals.setdefault(p.currency, [ZERO, ZERO])[0] -= p.amount
            elif p.account[:2] == ("assets", "tax"):
                totals.setdefault(p.currency, [ZERO, ZERO])[1] += p.amount
                rec = g.get("transaction", x.rid) if x.source.startswith("transaction:") else None
                rate = p.rate if p.rate is not None else (rec.data.get("tax_rate") if rec is not None else None)
                # a bill's net per rate, as it states it (docs/suppliers.md); else the expense's net
                taxes = rec.data.get("taxes") if rec is not None and p.rate is not None else None
                mine = [t for t in taxes if isinstance(t, dict) and t.get("rate") == rate
                        and isinstance(t.get("net"), Decimal)] if isinstance(taxes, list) else []
                net = sum((t["net"] for t in mine), ZERO) if mine else \
                    sum((q.amount for q in x.postings if q.account[0] == "expenses" and q.currency == p.currency), ZERO)
                row = inputs.setdefault((p.currency, rate if isinstance(rate, Decimal) else None), [ZERO, ZERO])
                row[0] += net
                row[1] += p.amount
            elif p.account[0] == "income":
                income[p.currency] = income.get(p.currency, ZERO) - p.amount
        if not income and not tax_by_rate:
            continue
        inv, with_credits = _invoice_of(g, x, basis)
        if inv is None:          # client income without an invoice: no VAT charged on it
            for p in x.postings:
                if p.account[:2] == ("income", "clients"):
                    out.setdefault((p.currency, None, ZERO), [ZERO, ZERO])[0] -= p.amount
            for (cur, rate), tax in tax_by_rate.items():      # not made by this journal; kept whole
                out.setdefault((cur, None, rate or ZERO), [ZERO, ZERO])[1] += tax
            continue
        seen[inv.data.get("credit_for") or inv.id] = None
        weights = _nets(g, inv, with_credits)
        for cur, net in income.items():
            parts = _split(net, weights, cur)
            for (tcur, rate) in tax_by_rate:
                if tcur == cur and rate not in parts:
                    parts[rate] = ZERO
            for rate, part in parts.items():
                row = out.setdefault((cur, category(g, inv, rate or ZERO), rate or ZERO), [ZERO, ZERO])
                row[0] += part
                row[1] += tax_by_rate.get((cur, rate), ZERO)
        for (cur, rate), tax in tax_by_rate.items():   # tax in another currency than the income (none today)
            if cur not in income:
                out.setdefault((cur, category(g, inv, rate or ZERO), rate or ZERO), [ZERO, ZERO])[1] += tax
    for cur, _, _ in out:        # a currency with supplies and no tax owes 0.00, said so
        totals.setdefault(cur, [ZERO, ZERO])
    book = g.settings.currency
    ccy = lambda c: (c != book, c)    # noqa: E731 - the book's currency first
    outputs = [{"supply": SUPPLIES[cat], "category": cat or "", "rate": pct(rate), "net": v[0], "tax": v[1], "currency": cur}
               for (cur, cat, rate), v in sorted(out.items(), key=lambda kv: (ccy(kv[0][0]), ORDER.index(kv[0][1]), -kv[0][2]))]
    input_rows = [{"rate": None if rate is None else pct(rate), "net": v[0], "tax": v[1], "currency": cur}
                  for (cur, rate), v in sorted(inputs.items(), key=lambda kv: (ccy(kv[0][0]), kv[0][1] is None, -(kv[0][1] or 0)))]
    total_rows = [{"output_tax": v[0], "input_tax": v[1], "payable": v[0] - v[1], "currency": cur}
                  for cur, v in sorted(totals.items(), key=lambda kv: ccy(kv[0]))]
    issued = _issued(g, start, end)
    for inv in issued:
        seen.setdefault(inv.data.get("credit_for") or inv.id, None)
    return {"outputs": outputs, "inputs": input_rows, "totals": total_rows,
            "ec_sales": ec_sales(g, issued), "warnings": warnings(g, [g.get("invoice", i) for i in seen])}


def _issued(g: Graph, start, end) -> list:
    """The invoices and credit notes billed (sent or paid) with an issue date in the window."""
    out = []
    for inv in g.records("invoice"):
        d = day(inv.data.get("issued"))
        if inv.data.get("status") in BILLED and d is not None and (start is None or d >= start) and (end is None or d <= end):
            out.append(inv)
    return out


def ec_sales(g: Graph, issued: list) -> list[dict]:
    """The EC sales list: per client VAT id and currency, the net of the reverse-charge lines
    of the invoices and credit notes issued in the window."""
    got: dict = {}
    for inv in issued:
        cid, _, vat_id, _ = _client_of(g, inv)
        for rate, net, _ in invoice_tax(g, inv):
            if category(g, inv, rate) == "AE":
                key = (vat_id, g.currency(inv))
                row = got.setdefault(key, {"country": vat_country(vat_id), "vat_id": vat_id, "client": cid,
                                           "amount": ZERO, "invoices": 0, "currency": key[1]})
                row["amount"] += net
                row["invoices"] += 0 if inv.data.get("credit_for") else 1
    return sorted(got.values(), key=lambda r: (r["country"] or "", r["vat_id"] or "", r["currency"]))


def warnings(g: Graph, invoices: list) -> list[dict]:
    """Where the categories look wrong, one row per invoice and problem."""
    out = []
    for inv in invoices:
        if inv is None or inv.data.get("status") not in BILLED:
            continue
        cid, country, vat_id, seller = _client_of(g, inv)
        rates = [rate for rate, _, _ in invoice_tax(g, inv)]
        if any(r > 0 for r in rates) and reverse_charge(seller, country, vat_id) and vat_id_problem(vat_id) is None:
            out.append({"invoice": inv.id, "client": cid, "problem":
                        f"charges VAT to a business in {country} with VAT id {vat_id}: an intra-EU supply to a business "
                        "is reverse charge (tax rate 0; the client accounts for the VAT)"})
        if any(r == 0 for r in rates) and seller in EU_COUNTRIES and country in EU_COUNTRIES \
                and country != seller and not vat_id:
            out.append({"invoice": inv.id, "client": cid, "problem":
                        f"charges no VAT to a client in {country} who has no VAT id: reverse charge needs the client's "
                        f"VAT id (`freelance client edit {cid} --vat-id ...`); without one, charge your VAT"})
    if invoices and not g.settings.business().get("country"):
        out.append({"invoice": "", "client": "", "problem":
                    "your business country is not set, so taxed, reverse-charge and export supplies cannot be told "
                    "apart: `freelance settings set business.country DE`"})
    return out
