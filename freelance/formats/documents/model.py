"""What an invoice document shows, as plain values: one dict that the HTML template, the
Factur-X XML and the mail all read, so they cannot disagree (docs/documents.md).

Amounts come from `money.tax_groups`/`invoice_totals` (the book's one computation);
nothing here adds money up by itself.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ...core.money import ZERO, invoice_lines, tax_groups
from ...core.rules import ON_ACCOUNT, is_draft_id, reverse_charge, tax_category, vat_country
from ...core.text import clean, fmt_money
from ...read.journal import round_to
from ...read.owed import prepaid
from ...read.rates import rates
from .address import postal_lines
from .labels import labels

TYPE_INVOICE, TYPE_CREDIT_NOTE = "380", "381"     # UNTDID 1001 document type codes
TYPE_PREPAYMENT = "386"     # a deposit or progress invoice: paid on account, deducted by the final one

# A field a complete invoice needs (EU VAT Directive art. 226) -> how to fill it in.
SELLER_NEEDS = {"legal_name": "freelance settings set business.legal_name \"Your Name Ltd\"",
                "address": "freelance settings set business.address \"12 Example Road\"",
                "postcode": "freelance settings set business.postcode \"N1 7GU\"",
                "city": "freelance settings set business.city London",
                "country": "freelance settings set business.country GB"}
BUYER_NEEDS = {"address": "--address \"500 Market Street\"", "postcode": "--postcode 94105",
               "city": "--city \"San Francisco\"", "country": "--country US"}


def _party_client(c: dict, fallback_name: str) -> dict:
    addr = c.get("address")
    lines = [str(a) for a in addr] if isinstance(addr, list) else ([str(addr)] if addr else [])
    return {"name": str(c.get("billing_name") or c.get("company") or c.get("name") or fallback_name),
            "address": lines, "postcode": _s(c.get("postcode")), "city": _s(c.get("city")), "region": _s(c.get("region")),
            "country": _s(c.get("country")), "vat_id": _s(c.get("vat_id")),
            "email": _s(c.get("billing_email") or c.get("email")), "contact": _s(c.get("contact"))}


def _s(v) -> str | None:
    return None if v is None or v == "" else str(v)


def _seller(settings, currency: str) -> dict:
    """Your business as a document shows it (settings' `business`), with the account of the
    document's currency (docs/payment-qr.md), the IBAN in groups of four."""
    seller = {k: (_s(v) if k != "address" else v) for k, v in settings.business().items()}
    payee = settings.payee(currency)
    seller["iban"], seller["bic"] = _s(payee["iban"]), _s(payee["bic"])
    if seller.get("iban"):      # as people read it: groups of four
        compact = seller["iban"].replace(" ", "").upper()
        seller["iban_compact"] = compact
        seller["iban"] = " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return seller


def build(book, graph, inv) -> dict:
    """The document of invoice record `inv`: parties, lines, tax per rate, totals, payment."""
    data = inv.data
    settings = book.settings
    per_line = settings.tax_per_line
    currency = graph.currency(inv)
    seller = _seller(settings, currency)
    client_rec = graph.get("client", data.get("client")) if data.get("client") else None
    client = client_rec.data if client_rec is not None else {}
    buyer = _party_client(client, str(data.get("client") or ""))
    language = str(client.get("language") or settings.get("language") or "en")
    seller_country = seller.get("country")
    buyer_country = buyer["country"] or vat_country(buyer["vat_id"])
    rc = reverse_charge(seller_country, buyer_country, buyer["vat_id"])
    lines = []
    for i, (item, net, rate) in enumerate(invoice_lines(data), 1):
        q = item.get("quantity") if item else None
        quantity = q if isinstance(q, Decimal) else Decimal(1)
        price = item.get("unit_price") if item else None
        unit_price = price if isinstance(price, Decimal) else net
        if item:
            description = str(item.get("description") or "")
        else:   # an invoice of one amount: its project's name, else its notes' first line
            project = graph.get("project", data.get("project")) if data.get("project") else None
            description = str(project.data.get("name") if project is not None else
                              (str(data.get("notes") or "").strip().splitlines() or [""])[0])
        lines.append({"n": i, "description": description,
                      "quantity": quantity, "unit_price": unit_price, "net": net, "tax_rate": rate})
    groups = []
    for rate, net, tax in tax_groups(data, per_line):
        category, reason = tax_category(rate, seller_country, buyer_country, buyer["vat_id"])
        groups.append({"rate": rate, "net": net, "tax": tax, "category": category, "reason": reason})
    subtotal = sum((g["net"] for g in groups), ZERO)
    tax = sum((g["tax"] for g in groups), ZERO)
    total = subtotal + tax
    issued = data.get("issued") if isinstance(data.get("issued"), dt.date) else book.today
    due = data.get("due") if isinstance(data.get("due"), dt.date) else None
    supply_start = data.get("supply_start") if isinstance(data.get("supply_start"), dt.date) else None
    supply_end = data.get("supply_end") if isinstance(data.get("supply_end"), dt.date) else None
    credit_for = _s(data.get("credit_for"))
    part = data.get("part") if isinstance(data.get("part"), str) else None
    before = prepaid(graph, inv) if inv.kind == "invoice" else None
    deducted = []
    for rid in (before.invoices if before is not None else ()):
        got = graph.get("invoice", rid)
        net_, tax_, total_ = graph.totals(got)
        deducted.append({"number": rid, "issued": got.data.get("issued") if isinstance(got.data.get("issued"), dt.date)
                         else None, "part": got.data.get("part"), "net": net_, "tax": tax_, "total": total_})
    paid_before = before.total if before is not None else ZERO
    doc = {
        # a draft under its draft id has no number yet: its document says it is a draft (docs/ids.md)
        "number": labels(language)["draft"].upper() if is_draft_id(inv.id) else inv.id, "draft": is_draft_id(inv.id),
        "id": inv.id,           # its record (a draft's file is named by it: two drafts are two files)
        "kind": inv.kind, "part": part,
        "type_code": TYPE_CREDIT_NOTE if credit_for else TYPE_PREPAYMENT if part in ON_ACCOUNT else TYPE_INVOICE,
        "prepaid": deducted, "prepaid_total": paid_before, "due_payable": None,
        "credit_for": credit_for, "status": data.get("status"),
        "issued": issued, "due": due, "terms_days": (due - issued).days if due else None,
        "supply_start": supply_start or issued, "supply_end": supply_end,
        "currency": currency, "language": language,
        "seller": seller, "buyer": buyer, "lines": lines, "groups": groups,
        "subtotal": subtotal, "tax": tax, "total": total,
        "reverse_charge": rc and any(g["category"] == "AE" for g in groups),
        "notes": _s(data.get("notes")), "project": _s(data.get("project")),
        "logo": seller.get("logo"),
    }
    doc["due_payable"] = total - paid_before
    if inv.kind == "quote":     # a quote: valid until a day; its `due` is when the work is delivered
        until = data.get("valid_until")
        doc.update(valid_until=until if isinstance(until, dt.date) else None, due=None, terms_days=None,
                   title=_s(data.get("title")), delivery=due, start=data.get("start")
                   if isinstance(data.get("start"), dt.date) else None)
    doc.update(_tax_home(settings.currency, graph, currency, issued, tax))
    for party in (doc["seller"], doc["buyer"]):      # the address block in its country's format
        party["postal"] = postal_lines(party)
    doc["missing"] = missing(doc, client_rec.id if client_rec is not None else None)
    if doc.get("tax_home_missing"):
        doc["missing"].append(doc.pop("tax_home_missing"))
    return _cleaned(doc)


def build_statement(book, graph, report) -> dict:
    """The document of a client's statement of account (`client statement C --format html|pdf`):
    the parties, and the report's own rows and summary (`read/reports/statement.py`), so the
    document shows the figures every other format shows; nothing is added up here."""
    client_id = report.meta["client"]
    client_rec = graph.get("client", client_id)
    client = client_rec.data if client_rec is not None else {}
    summary = {row["currency"]: row for row in report.sections[0].rows}
    currencies = []
    for section in report.sections[1:]:
        cur = section.rows[0]["currency"]
        currencies.append({"currency": cur, "summary": summary[cur],
                           "rows": [{k: row.get(k) for k in ("date", "what", "invoice", "reference", "description",
                                                             "amount", "balance")} for row in section.rows]})
    currency = currencies[0]["currency"] if currencies else book.settings.currency
    seller = _seller(book.settings, currency)           # the account of the client's (first) currency
    doc = {"kind": "statement", "number": f"{client_id} {report.meta['to']}", "title": report.title,
           "client": client_id, "from": report.meta.get("from"), "to": report.meta["to"], "currency": currency,
           "language": str(client.get("language") or book.settings.get("language") or "en"),
           "seller": seller, "buyer": _party_client(client, client_id), "logo": seller.get("logo"),
           "currencies": currencies}
    for party in (doc["seller"], doc["buyer"]):      # the address block as the invoice and the reminder print it
        party["postal"] = postal_lines(party)
    return _cleaned(doc)


def _tax_home(home: str, graph, currency: str, issued: dt.date, tax: Decimal) -> dict:
    """An invoice in another currency than the book's states its VAT in the book's (the
    accounting currency: EN 16931 BT-6 and BT-111, rule BR-53; VAT Directive art. 230), at the
    rate of its issue day (docs/rates.md). Without VAT and without a rate it says nothing;
    with VAT and no rate, the rate is what the document lacks."""
    none = {"tax_currency": None, "tax_home": None, "tax_rate_home": None, "tax_rate_day": None}
    if currency == home:
        return none
    found = rates(graph).find(currency, issued)
    if found is None:
        if not tax:
            return none
        return {**none, "tax_home_missing": f"the exchange rate of {currency} on {issued} (its VAT is stated in "
                f"{home} too): `freelance rates set {issued} {currency} RATE`"}
    amount = round_to(tax * found.rate, home)
    return {"tax_currency": home, "tax_home": amount, "tax_rate_home": found.rate, "tax_rate_day": found.day,
            "tax_home_text": fmt_money(amount, home)}


def _cleaned(value):
    """Every text of the document without control, escape or bidirectional characters (a book's
    text reaches a terminal through `invoice html`, a mail, a PDF and XML): line breaks and tabs stay."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def missing(doc: dict, client: str | None) -> list[str]:
    """What a complete invoice still lacks, each with the command that fills it in."""
    out = []
    s, b = doc["seller"], doc["buyer"]
    for key, how in SELLER_NEEDS.items():
        if not s.get(key):
            out.append(f"your business {key.replace('_', ' ')}: `{how}`")
    if any(g["rate"] > 0 for g in doc["groups"]) and not (s.get("vat_id") or s.get("tax_number")):
        out.append("your VAT id or tax number (the invoice charges tax): "
                   "`freelance settings set business.vat_id DE123456789`")
    if not s.get("iban") and doc.get("kind") != "quote":
        out.append("your bank account: `freelance settings set business.iban \"DE89 3704 0044 0532 0130 00\"`")
    if client is None:
        out.append("the client: the invoice names none, or one the book does not have")
        return out
    for key, how in BUYER_NEEDS.items():
        if not b.get(key):
            out.append(f"the client's {key}: `freelance client edit {client} {how}`")
    return out
