"""The invoice as PDF/A-3 with its Factur-X XML embedded: WeasyPrint typesets the HTML,
`factur-x` checks the XML against its schema and attaches it (docs/documents.md)."""
from __future__ import annotations

from pathlib import Path

from ..errors import DataError

_FONTS = None


def render_pdf(doc: dict, html: str, xml: bytes, book_root: Path | None = None) -> bytes:
    """PDF/A-3b bytes of `html`, with `xml` embedded as factur-x.xml (EN 16931)."""
    import logging

    import weasyprint
    from facturx import generate_from_binary
    for name in ("weasyprint", "fontTools", "factur-x", "facturx"):
        logging.getLogger(name).setLevel(logging.ERROR)
    global _FONTS
    if _FONTS is None:              # one font configuration per process: a batch pays for it once
        from weasyprint.text.fonts import FontConfiguration
        _FONTS = FontConfiguration()
    base = str(book_root) if book_root is not None else None
    pdf = weasyprint.HTML(string=html, base_url=base).write_pdf(pdf_variant="pdf/a-3b", font_config=_FONTS)
    meta = {"author": doc["seller"].get("legal_name") or "", "keywords": "Factur-X, invoice",
            "title": f"{doc['number']}", "subject": f"{doc['number']} {doc['buyer']['name']}"}
    try:
        return generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=True,
                                    pdf_metadata=meta, lang=doc["language"].replace("_", "-"))
    except Exception as exc:     # the XML does not meet the schema: a bug, said plainly
        raise DataError(f"invoice {doc['number']}: the Factur-X XML was refused: {exc}") from None


def check_xml(xml: bytes) -> None:
    """Raise DataError when `xml` does not validate against the Factur-X EN 16931 schema."""
    import logging

    from facturx import xml_check_xsd
    logging.getLogger("factur-x").setLevel(logging.ERROR)
    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:
        raise DataError(f"the Factur-X XML does not meet the EN 16931 schema: {exc}") from None
