"""Paying by phone: the QR code an invoice carries (docs/payment-qr.md).

- a EUR invoice to be paid to an IBAN: the EPC QR code (GiroCode, EPC069-12 version 002:
  service tag BCD, SEPA credit transfer, the payee's BIC, name and IBAN, the amount in EUR and
  the invoice number as the unstructured remittance), made by segno's `make_epc_qr`;
- a CHF invoice of a Swiss or Liechtenstein business: the Swiss QR-bill's payment
  part, made by qrbill, with the invoice number as the additional information (and, to a
  QR-IBAN, as the QR reference its digits make).

Each comes back as a data: URL (a PNG, or the QR-bill's SVG) for the document's <img>: the
PDF's fetcher serves nothing but data: URLs and the book's own files. segno and qrbill are
heavy: imported when a document is drawn (docs/architecture.md, "Imports").
"""
from __future__ import annotations

import base64
import io
from decimal import Decimal

EPC_MAX = Decimal("999999999.99")     # the most a GiroCode may ask for
EPC_NAME = 70                          # characters of the payee's name
EPC_TEXT = 140                         # characters of the remittance text
SWISS = ("CH", "LI")                   # where QR-IBANs and the QR-bill belong


def _name(seller: dict) -> str:
    return " ".join(str(seller.get("legal_name") or "").split())[:EPC_NAME]


def _epc(doc: dict):
    seller = doc["seller"]
    if doc.get("currency") != "EUR" or not seller.get("iban_compact") or doc.get("type_code") != "380" \
            or not _name(seller) or not (Decimal("0.01") <= doc["total"] <= EPC_MAX):
        return None
    import segno.helpers
    return segno.helpers.make_epc_qr(name=_name(seller), iban=seller["iban_compact"], amount=doc["total"],
                                     text=doc["number"][:EPC_TEXT], bic=seller.get("bic") or None,
                                     encoding="utf-8")


def epc_image(doc: dict) -> str | None:
    """The GiroCode as a data: URL of a PNG, or None (see `epc_payload`)."""
    try:
        qr = _epc(doc)
    except ValueError:           # a field segno refuses (a length): no code rather than a wrong one
        return None
    return None if qr is None else qr.png_data_uri(scale=8, border=4)


def swiss_bill(doc: dict) -> str | None:
    """The Swiss QR-bill's payment part as a data: URL of an SVG, or None: for a CHF
    invoice of a business in Switzerland or Liechtenstein with an IBAN (a QR-IBAN or a plain
    one) and a complete address."""
    seller, buyer = doc["seller"], doc["buyer"]
    if doc.get("currency") != "CHF" or doc.get("type_code") != "380" or not seller.get("iban_compact") \
            or seller["iban_compact"][:2] not in SWISS or not seller.get("city") or not seller.get("postcode") \
            or (seller.get("country") or "").upper() not in SWISS:
        return None
    import qrbill
    creditor = {"name": _name(seller), "pcode": seller["postcode"], "city": seller["city"],
                "country": seller["country"].upper()}
    if seller.get("address"):
        creditor["street"] = str(seller["address"][0])[:70]
    debtor = None
    if buyer.get("name") and buyer.get("postcode") and buyer.get("city") and buyer.get("country"):
        debtor = {"name": str(buyer["name"])[:70], "pcode": buyer["postcode"], "city": buyer["city"],
                  "country": buyer["country"].upper()}
        if buyer.get("address"):
            debtor["street"] = str(buyer["address"][0])[:70]
    reference = qr_reference(doc["number"]) if _qr_iban(seller["iban_compact"]) else None
    try:
        bill = qrbill.QRBill(account=seller["iban_compact"], creditor=creditor, debtor=debtor,
                             amount=f"{doc['total']:.2f}", currency=doc["currency"], reference_number=reference,
                             additional_information=doc["number"], language=_bill_language(doc["language"]))
    except ValueError:
        return None
    out = io.StringIO()
    bill.as_svg(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue().encode("utf-8")).decode("ascii")


def _qr_iban(iban: str) -> bool:
    """A QR-IBAN: its bank (institution) id is 30000 to 31999; payments to it need a QR reference."""
    return iban[4:9].isdigit() and 30000 <= int(iban[4:9]) <= 31999


def qr_reference(number: str) -> str:
    """The QR reference (QRR: 26 digits and a check digit, modulo 10 recursive) of an invoice
    number: its digits, right-aligned (INV-2026-001 -> 000...02026001 and its check digit)."""
    from stdnum.ch import esr
    digits = "".join(c for c in number if c.isdigit())[-26:].rjust(26, "0")
    return digits + esr.calc_check_digit(digits)


def _bill_language(language: str) -> str:
    lang = language.split("_")[0].split("-")[0].lower()
    return lang if lang in ("de", "fr", "it", "en") else "en"
