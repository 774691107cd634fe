"""An invoice document as HTML: a Jinja2 template with autoescape, numbers, dates and
money formatted by Babel in the document's language.

The template is `templates/invoice.html` of this package, or the book's own
`templates/invoice.html` when it has one: a book's template is someone's file, so it
is rendered in Jinja2's SandboxedEnvironment (no attribute tricks, no imports).
"""
from __future__ import annotations

from pathlib import Path

from ...core.errors import DataError
from .labels import labels

TEMPLATES = Path(__file__).parent / "templates"


def _locale(language: str):
    from babel import Locale, UnknownLocaleError
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def formatters(doc: dict) -> dict:
    """money(x), number(x), date(d), percent(rate) for the document's language and currency."""
    from babel.dates import format_date
    from babel.numbers import format_currency, format_decimal
    loc = _locale(doc["language"])
    cur = doc["currency"]

    def money(v):
        return format_currency(v, cur, locale=loc)

    def number(v):
        return format_decimal(v, locale=loc, decimal_quantization=False)

    def date(d):
        return format_date(d, format="long", locale=loc) if d else ""

    def percent(rate):
        return format_decimal(rate, locale=loc, decimal_quantization=False) + "\u00a0%"
    def country(code):
        return loc.territories.get(code, code) if code else ""
    return {"money": money, "number": number, "date": date, "percent": percent, "css": css_string,
            "country": country}


def css_string(text) -> str:
    """`text` as the inside of a CSS string ("..."), safe in a <style> element."""
    from markupsafe import Markup
    out = []
    for ch in str(text or ""):
        out.append(ch if ch.isalnum() or ch in " .,-_·/()&@+'" else f"\\{ord(ch):x} ")
    return Markup("".join(out).replace("&", "\\26 "))


_ENVS: dict = {}


def _env(book_root: Path | None, name: str):
    """The environment for template `name`: the book's own (sandboxed) when it has
    templates/NAME, else the built-in one; kept per folder, since compiling a template costs
    more than rendering it."""
    own = book_root is not None and (book_root / "templates" / name).is_file()
    key = str(book_root) if own else ""
    if key not in _ENVS:
        _ENVS[key] = _make_env(book_root, own)
    return _ENVS[key], own


def _make_env(book_root: Path | None, own: bool):
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment
    loader = jinja2.FileSystemLoader(str(book_root / "templates") if own else str(TEMPLATES))
    cls = SandboxedEnvironment if own else jinja2.Environment
    return cls(loader=loader, autoescape=jinja2.select_autoescape(["html"]),
               undefined=jinja2.StrictUndefined if not own else jinja2.Undefined,
               trim_blocks=True, lstrip_blocks=True, auto_reload=own)


def render(name: str, doc: dict, book_root: Path | None = None) -> str:
    """Template `name` (invoice.html, invoice-mail.txt) filled in with the document."""
    import jinja2
    env, own = _env(book_root, name)
    words = labels(doc["language"])
    fmt = formatters(doc)
    logo = None
    if doc.get("logo") and book_root is not None:
        path = (book_root / doc["logo"]).resolve()
        if path.is_file():
            logo = path.as_uri()
    try:
        return env.get_template(name).render(doc=doc, t=words, logo=logo, **fmt)
    except jinja2.TemplateError as exc:
        where = f"templates/{name}" if own else f"the built-in template {name}"
        line = getattr(exc, "lineno", None)
        raise DataError(f"{where}{':' + str(line) if line else ''}: {exc}") from None


def render_html(doc: dict, book_root: Path | None = None) -> str:
    """The document as one HTML page (styles inline, the logo as a file URL under the book)."""
    return render("invoice.html", doc, book_root)
