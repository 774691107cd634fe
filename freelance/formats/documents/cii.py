"""The invoice document as Factur-X / ZUGFeRD XML: UN/CEFACT Cross Industry Invoice,
EN 16931 profile, built with lxml from the same document dict the PDF shows.

`factur-x` (the library) checks it against the schema it ships and embeds it in
the PDF/A-3; it reads it back out too (tests).
"""
from __future__ import annotations

from decimal import Decimal

from ...core.text import clean

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"

# VATEX codes for a tax category without tax (EN 16931 BT-121)
VATEX = {"AE": "VATEX-EU-AE", "G": "VATEX-EU-G"}
REASON_TEXT = {"AE": "Reverse charge", "G": "Export outside the EU", "E": "Exempt from VAT"}


def _amount(v: Decimal) -> str:
    return str(Decimal(v).quantize(Decimal("0.01")))


def _number(v: Decimal) -> str:
    """A quantity, price or rate as plain digits (no exponent, no trailing zeros past the point)."""
    d = Decimal(v)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _date(d) -> tuple[str, dict]:
    return d.strftime("%Y%m%d"), {"format": "102"}


def build_xml(doc: dict) -> bytes:
    """The CII XML (UTF-8 bytes) of a document from `model.build`."""
    from lxml import etree

    def el(parent, tag, text=None, **attrs):
        prefix, name = tag.split(":")
        e = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", attrs)
        if text is not None:       # a book's text: no control characters (XML 1.0 refuses them)
            e.text = clean(str(text))
        return e

    def date_el(parent, tag, d, inner="udt:DateTimeString"):
        wrap = el(parent, tag)
        text, attrs = _date(d)
        el(wrap, inner, text, **attrs)
        return wrap

    # A credit note (381) states its amounts as positive numbers: the type says they are owed back.
    sign = Decimal(-1) if doc["type_code"] == "381" and doc["total"] < 0 else Decimal(1)
    doc = {**doc, "subtotal": sign * doc["subtotal"], "tax": sign * doc["tax"], "total": sign * doc["total"],
           "tax_home": sign * doc["tax_home"] if doc.get("tax_home") is not None else None,
           "lines": [{**line, "unit_price": sign * line["unit_price"], "net": sign * line["net"]}
                     for line in doc["lines"]],
           "groups": [{**g, "net": sign * g["net"], "tax": sign * g["tax"]} for g in doc["groups"]]}
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NS)
    ctx = el(root, "rsm:ExchangedDocumentContext")
    el(el(ctx, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)

    head = el(root, "rsm:ExchangedDocument")
    el(head, "ram:ID", doc["number"])
    el(head, "ram:TypeCode", doc["type_code"])
    date_el(head, "ram:IssueDateTime", doc["issued"])
    if doc.get("notes"):
        el(el(head, "ram:IncludedNote"), "ram:Content", doc["notes"])

    trade = el(root, "rsm:SupplyChainTradeTransaction")
    cur = doc["currency"]
    categories = {g["rate"]: g["category"] for g in doc["groups"]}
    for line in doc["lines"]:
        item = el(trade, "ram:IncludedSupplyChainTradeLineItem")
        el(el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", line["n"])
        el(el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line["description"] or "Services")
        agreement = el(item, "ram:SpecifiedLineTradeAgreement")
        el(el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", _number(line["unit_price"]))
        el(el(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", _number(line["quantity"]),
           unitCode="C62")
        settle = el(item, "ram:SpecifiedLineTradeSettlement")
        tax = el(settle, "ram:ApplicableTradeTax")
        el(tax, "ram:TypeCode", "VAT")
        el(tax, "ram:CategoryCode", categories[line["tax_rate"]])
        el(tax, "ram:RateApplicablePercent", _number(line["tax_rate"]))
        el(el(settle, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
           _amount(line["net"]))

    agreement = el(trade, "ram:ApplicableHeaderTradeAgreement")
    _party(el, agreement, "ram:SellerTradeParty", doc["seller"], seller=True)
    _party(el, agreement, "ram:BuyerTradeParty", doc["buyer"], seller=False)

    delivery = el(trade, "ram:ApplicableHeaderTradeDelivery")
    event = el(delivery, "ram:ActualDeliverySupplyChainEvent")
    date_el(event, "ram:OccurrenceDateTime", doc["supply_start"])

    settlement = el(trade, "ram:ApplicableHeaderTradeSettlement")
    el(settlement, "ram:PaymentReference", doc["number"])
    if doc.get("tax_home") is not None:        # BT-6: the VAT accounting currency (the book's)
        el(settlement, "ram:TaxCurrencyCode", doc["tax_currency"])
    el(settlement, "ram:InvoiceCurrencyCode", cur)
    seller = doc["seller"]
    if seller.get("iban"):
        means = el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        el(means, "ram:TypeCode", "58" if seller["iban_compact"][:2] in _SEPA else "30")
        el(el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", seller["iban_compact"])
        if seller.get("bic"):
            el(el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", seller["bic"])
    for g in doc["groups"]:
        tax = el(settlement, "ram:ApplicableTradeTax")
        el(tax, "ram:CalculatedAmount", _amount(g["tax"]))
        el(tax, "ram:TypeCode", "VAT")
        if g["category"] in REASON_TEXT:
            el(tax, "ram:ExemptionReason", REASON_TEXT[g["category"]])
        el(tax, "ram:BasisAmount", _amount(g["net"]))
        el(tax, "ram:CategoryCode", g["category"])
        if g["category"] in VATEX:
            el(tax, "ram:ExemptionReasonCode", VATEX[g["category"]])
        el(tax, "ram:RateApplicablePercent", _number(g["rate"]))
    if doc.get("supply_end"):
        period = el(settlement, "ram:BillingSpecifiedPeriod")
        date_el(period, "ram:StartDateTime", doc["supply_start"])
        date_el(period, "ram:EndDateTime", doc["supply_end"])
    if doc.get("due") and doc["type_code"] == "380":
        terms = el(settlement, "ram:SpecifiedTradePaymentTerms")
        el(terms, "ram:Description", f"Payable within {doc['terms_days']} days")
        date_el(terms, "ram:DueDateDateTime", doc["due"])
    sums = el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    el(sums, "ram:LineTotalAmount", _amount(doc["subtotal"]))
    el(sums, "ram:TaxBasisTotalAmount", _amount(doc["subtotal"]))
    el(sums, "ram:TaxTotalAmount", _amount(doc["tax"]), currencyID=cur)
    if doc.get("tax_home") is not None:        # BT-111: the VAT total in the accounting currency (BR-53)
        el(sums, "ram:TaxTotalAmount", _amount(doc["tax_home"]), currencyID=doc["tax_currency"])
    el(sums, "ram:GrandTotalAmount", _amount(doc["total"]))
    el(sums, "ram:DuePayableAmount", _amount(doc["total"]))
    if doc.get("credit_for"):
        ref = el(settlement, "ram:InvoiceReferencedDocument")
        el(ref, "ram:IssuerAssignedID", doc["credit_for"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# IBAN countries of the SEPA scheme (payment means 58: SEPA credit transfer)
_SEPA = frozenset("AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO PL PT "
                  "RO SE SI SK SM VA AD".split())


def _party(el, parent, tag, p: dict, seller: bool):
    party = el(parent, tag)
    el(party, "ram:Name", p.get("legal_name") if seller else p.get("name"))
    addr = el(party, "ram:PostalTradeAddress")
    if p.get("postcode"):
        el(addr, "ram:PostcodeCode", p["postcode"])
    lines = list(p.get("address") or [])
    for tag_, text in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), lines[:2] + [", ".join(lines[2:])]):
        if text:
            el(addr, tag_, text)
    if p.get("city"):
        el(addr, "ram:CityName", p["city"])
    el(addr, "ram:CountryID", p.get("country") or "")
    if p.get("region"):
        el(addr, "ram:CountrySubDivisionName", p["region"])
    if p.get("email"):
        el(el(party, "ram:URIUniversalCommunication"), "ram:URIID", p["email"], schemeID="EM")
    if p.get("vat_id"):
        el(el(party, "ram:SpecifiedTaxRegistration"), "ram:ID", p["vat_id"].replace(" ", ""), schemeID="VA")
    if seller and p.get("tax_number"):
        el(el(party, "ram:SpecifiedTaxRegistration"), "ram:ID", p["tax_number"], schemeID="FC")


def totals(xml: bytes) -> dict:
    """The header totals of a CII XML, as Decimals (for tests and checks)."""
    from lxml import etree
    root = etree.fromstring(xml)
    sums = root.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    out: dict = {}
    for e in sums:      # a second TaxTotalAmount is the VAT in the accounting currency (BT-111): "TaxTotalAmount EUR"
        name = etree.QName(e).localname
        out[name if name not in out else f"{name} {e.get('currencyID')}"] = Decimal(e.text)
    return out
