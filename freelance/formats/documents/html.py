"""An invoice document as HTML: a Jinja2 template with autoescape, numbers, dates and
money formatted by Babel in the document's language.

The template is `templates/invoice.html` of this package, or the book's own
`templates/invoice.html` when it has one. A book's template is someone else's file
(docs/documents.md, "A book's templates"):
- it is read through the book-file rule (`store.files`): no link out of the book, a plain
  file, at most MAX_TEMPLATE_BYTES; so is everything it includes or extends;
- it is rendered in Jinja2's SandboxedEnvironment (no attribute tricks, no imports), bounded:
  numbers and strings a template makes stay small (MAX_SIZE), the whole output at most
  MAX_OUTPUT characters, the render at most MAX_SECONDS;
- any error in it is one clean message naming the template and line.
"""
from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from ...core.errors import DataError
from ...store.files import read_book_file, read_logo
from .labels import labels
from .payment import epc_image, swiss_bill
import base64
import functools
import traceback

TEMPLATES = Path(__file__).parent / "templates"
MAX_TEMPLATE_BYTES = 1024 * 1024      # a template file (the built-in one: 7 KB)
MAX_OUTPUT = 8 * 1024 * 1024          # characters a book's template may produce (an invoice of 2,000 lines: 1 MB)
MAX_SIZE = 1_000_000                  # a number, string or list a book's template makes (`range`: 100,000)
MAX_SECONDS = 3.0                     # of rendering one book template


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

    def money(v, currency=None):
        return format_currency(v, currency or cur, locale=loc)

    def number(v):
        return format_decimal(v, locale=loc, decimal_quantization=False)

    def date(d):
        return format_date(d, format="long", locale=loc) if d else ""

    def day(d):         # in a table's column
        return format_date(d, format="medium", locale=loc) if d else ""

    def percent(rate):
        return format_decimal(rate, locale=loc, decimal_quantization=False) + "\u00a0%"
    def country(code):
        return loc.territories.get(code, code) if code else ""
    return {"money": money, "number": number, "date": date, "day": day, "percent": percent, "css": css_string,
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
    """The environment for template `name`: the book's own (sandboxed, bounded) when there is
    anything at templates/NAME (a link or a folder there is refused with a message, never
    silently replaced by the built-in one), else the built-in one; kept per folder, since
    compiling a template costs more than rendering it."""
    own = book_root is not None and os.path.lexists(book_root / "templates" / name)
    key = str(book_root) if own else ""
    if key not in _ENVS:
        _ENVS[key] = _make_env(book_root, own)
    return _ENVS[key], own


class TemplateLimit(Exception):
    """A book's template went past one of the bounds (size, output, time)."""


def _make_env(book_root: Path | None, own: bool):
    import jinja2

    if not own:
        return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                  autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined,
                                  trim_blocks=True, lstrip_blocks=True)

    class BookLoader(jinja2.BaseLoader):
        """templates/NAME of the book, read like every book file (store.files)."""

        def get_source(self, environment, template):
            from jinja2.loaders import split_template_path
            rel = "/".join(["templates", *split_template_path(template)])     # '..' refused by Jinja
            found = read_book_file(book_root, rel, limit=MAX_TEMPLATE_BYTES)
            if found is None:
                raise jinja2.TemplateNotFound(template)
            data, st = found
            try:
                source = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataError(f"{rel}: not UTF-8 text (byte {exc.start}); a template is a text file") from None
            _check_joins(environment, source, rel)

            def uptodate():
                try:
                    now = os.stat(os.path.join(book_root, rel))
                except OSError:
                    return False
                return (now.st_mtime_ns, now.st_size) == (st.st_mtime_ns, st.st_size)
            return source, rel, uptodate

    return _sandbox()(loader=BookLoader(), autoescape=jinja2.select_autoescape(["html"]),
                          undefined=jinja2.Undefined, trim_blocks=True, lstrip_blocks=True, auto_reload=True)


MAX_JOINED = 64      # parts one `~` expression joins (each may be MAX_SIZE long)


def _check_joins(environment, source: str, rel: str) -> None:
    """Refuse an expression that joins more than MAX_JOINED parts with `~` (the one way to make
    a big text that no call or operator sees). Syntax errors are left to the compiler's message."""
    import jinja2
    from jinja2 import nodes
    try:
        tree = environment.parse(source, filename=rel)
    except jinja2.TemplateSyntaxError:
        return
    for node in tree.find_all(nodes.Concat):
        if len(node.nodes) > MAX_JOINED:
            raise DataError(f"{rel}:{node.lineno}: an expression joins {len(node.nodes)} parts with '~' "
                            f"(at most {MAX_JOINED}); a template's values stay small")


# a width or precision of a million or more, or one taken from the arguments
_WIDE_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d{7,}|\d*\.(?:\*|\d{7,}))")
_WIDE_FORMAT = re.compile(r"\{[^{}]*:[^{}]*(?:\d{7,}|\{)")


def _size(v) -> int:
    """How big a value a template made is: a text's or a list's length; a number counts only
    when it has thousands of digits (an amount of two million is fine)."""
    if isinstance(v, (str, bytes, list, tuple, dict, set)):
        return len(v)
    if isinstance(v, int) and v.bit_length() > 4096:
        return MAX_SIZE + 1
    return 0


def _count(v) -> bool:
    """`v` is a count (a width, a repeat) of more than MAX_SIZE."""
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_SIZE


def _bounded(value, what: str):
    if _size(value) > MAX_SIZE:
        raise TemplateLimit(f"{what} makes a value of more than {MAX_SIZE:,} (a text, a list or a number); "
                            "a template's values stay small")
    return value


_SANDBOX: list = []


def _sandbox():
    """The bounded sandbox class (made once, when Jinja2 is first needed)."""
    if not _SANDBOX:
        _SANDBOX.append(_make_sandbox())
    return _SANDBOX[0]


def _make_sandbox():
    from jinja2.sandbox import SandboxedEnvironment
    from jinja2.utils import Namespace

    class _BoundedSandbox(SandboxedEnvironment):
        """Jinja2's sandbox, with every value a book's template makes kept small: the
        arithmetic that can make big things (* ** + %), every call and every filter."""
        intercepted_binops = frozenset(["*", "**", "+", "%"])

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
            self.globals["namespace"] = BoundedNamespace

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, int) and right > 4096:
                raise TemplateLimit(f"'** {right}' makes too big a number for a template")
            if operator == "*":
                seq, n = (left, right) if isinstance(right, int) else (right, left)
                if isinstance(n, int) and isinstance(seq, (str, bytes, list, tuple)) and len(seq) * n > MAX_SIZE:
                    raise TemplateLimit(f"'*' makes a value of more than {MAX_SIZE:,}; a template's values stay small")
            if operator == "%" and isinstance(left, str) and _WIDE_PERCENT.search(left):
                raise TemplateLimit("a format width of a million or more; a template's values stay small")
            return _bounded(super().call_binop(context, operator, left, right), f"'{operator}'")

        def call(__self, __context, __obj, *args, **kwargs):      # noqa: N805 (Jinja's own signature)
            method_of = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)  # str.format: wrapped
            formats = getattr(__obj, "__name__", "") in ("format", "format_map")
            counts = isinstance(method_of, (str, bytes, list)) and not formats   # "x".ljust(10**9), .zfill(...)
            for a in (*args, *kwargs.values()):
                if _size(a) > MAX_SIZE or counts and _count(a):
                    raise TemplateLimit(f"a call with a value of more than {MAX_SIZE:,}; a template's values stay small")
            if isinstance(method_of, str) and formats and _WIDE_FORMAT.search(method_of):
                raise TemplateLimit("a format width of a million or more; a template's values stay small")
            return _bounded(super().call(__context, __obj, *args, **kwargs), "a call")

    class BoundedNamespace(Namespace):
        """`namespace()`, whose attributes stay small (`{% set ns.s = ns.s ~ ns.s %}` in a loop)."""

        def __setitem__(self, name, value):
            super().__setitem__(name, _bounded(value, f"namespace attribute {name}"))

    return _BoundedSandbox


def _bounded_filter(name: str, f):

    @functools.wraps(f)                 # keeps Jinja's pass_context/pass_environment mark
    def bounded(*args, **kwargs):
        for i, a in enumerate((*args, *kwargs.values())):
            if _size(a) > MAX_SIZE or i and _count(a):         # the value filtered may be any number
                raise TemplateLimit(f"filter {name} with a value of more than {MAX_SIZE:,}; "
                                    "a template's values stay small")
        return _bounded(f(*args, **kwargs), f"filter {name}")
    return bounded


class _Clock:
    """A trace function on the frames of one environment's templates (sys.settrace, this thread
    only): every 4,096 lines run, the time is checked; a loop that outputs nothing is bounded too."""

    def __init__(self, env, seconds: float):
        self.env, self.deadline, self.n = env, time.monotonic() + seconds, 0

    def __call__(self, frame, event, arg):
        if frame.f_globals.get("environment") is self.env:
            return self.line
        return None

    def line(self, frame, event, arg):
        self.n += 1
        if not self.n & 4095 and time.monotonic() > self.deadline:
            raise TemplateLimit(f"took more than {MAX_SECONDS:g} s to render (a loop too long?)")
        return self.line


def _render_bounded(env, template, context: dict) -> str:
    """The template's output, within MAX_OUTPUT characters and MAX_SECONDS."""
    out, n = [], 0
    clock = _Clock(env, MAX_SECONDS)
    before = sys.gettrace()
    sys.settrace(clock)
    try:
        for chunk in template.generate(**context):
            n += len(chunk)
            if n > MAX_OUTPUT:
                raise TemplateLimit(f"makes more than {MAX_OUTPUT // 2**20} MB of output")
            out.append(chunk)
            if time.monotonic() > clock.deadline:
                raise TemplateLimit(f"took more than {MAX_SECONDS:g} s to render (a loop too long?)")
    finally:
        sys.settrace(before)
    return "".join(out)


def _template_line(exc: BaseException, env) -> tuple[str | None, int | None]:
    """(the book template file, its line) where `exc` was raised, from the traceback (Jinja2
    rewrites its frames to the template's file and line)."""
    where = (None, None)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.startswith("templates/"):
            where = (name, lineno)
    return where


def logo_url(doc: dict, book_root: Path | None) -> str | None:
    """The logo as a data: URL (the book-file rule and the logo's own: store.files.read_logo)."""

    if not doc.get("logo") or book_root is None:
        return None
    data, mime = read_logo(book_root, str(doc["logo"]))
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def render(name: str, doc: dict, book_root: Path | None = None) -> str:
    """Template `name` (invoice.html, invoice-mail.txt) filled in with the document."""
    import jinja2
    env, own = _env(book_root, name)
    words = labels(doc["language"])
    fmt = formatters(doc)
    logo = logo_url(doc, book_root) if name.endswith(".html") else None
    invoice = name == "invoice.html"       # the codes to pay by phone, as data: URLs (payment.py)
    context = dict(doc=doc, t=words, logo=logo, epc_qr=epc_image(doc) if invoice else None,
                   qr_bill=swiss_bill(doc) if invoice else None, **fmt)
    where = f"templates/{name}" if own else f"the built-in template {name}"
    try:
        template = env.get_template(name)
        if not own:
            return template.render(**context)
        return _render_bounded(env, template, context)
    except DataError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise DataError(f"{exc.filename or where}:{exc.lineno}: {exc.message}") from None
    except (jinja2.TemplateError, TemplateLimit, ArithmeticError, ValueError, TypeError, LookupError,
            AttributeError, RecursionError, MemoryError, UnicodeError) as exc:
        file, line = _template_line(exc, env) if own else (None, None)
        if not own:
            line = getattr(exc, "lineno", None)
        what = str(exc) if isinstance(exc, (jinja2.TemplateError, TemplateLimit)) else f"{type(exc).__name__}: {exc}"
        raise DataError(f"{file or where}{':' + str(line) if line else ''}: {what}") from None


def render_html(doc: dict, book_root: Path | None = None) -> str:
    """The document as one HTML page (styles inline, the logo as a data: URL)."""
    return render("invoice.html", doc, book_root)
