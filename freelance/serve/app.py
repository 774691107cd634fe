"""The web application: security at the gate, then pages (read side) and changes (the door).

Every request must come with the bound address as its Host header (DNS rebinding) and
the access token: in the URL once (`?token=`), then in an HttpOnly SameSite=Strict
cookie. Every change is a POST carrying the CSRF token and the version of each record it
changes as the page drew it; a record changed since then is refused, never overwritten.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
import weakref
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote

import jinja2
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..core.errors import FreelanceError, NotFound
from ..core.schema import KINDS
from ..read import search as find
from ..read.graph import Graph
from ..store import git
from ..store.book import Book, lock
from .forms import Stale
from .pages import (board, calendar, edit_form, edit_submit, finance, goals, install_filters, invoice_pdf, link, listing,
                    move, new_form, new_submit, overview, receipt, record, remove, report_page, reports_page, resources,
                    statement_page, statement_pdf_page,
                    search, settings_page,
                    settings_submit, timer_bar, timer_start, timer_stop, todo, workflow)
from .office import (account_edit_form, account_edit_submit, account_new_form, account_new_submit, account_page,
                     accounts_page, bank_import, bank_match, bank_page, bank_rule, bank_upload, bill_hours, send_invoice,
                     Uploads)
from ..core.limits import MAX_STATEMENT_BYTES
import ipaddress

HERE = Path(__file__).parent
STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'self'; frame-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "x-frame-options": "DENY",
           "referrer-policy": "same-origin", "cache-control": "no-store"}
# an invoice's PDF is shown inside its own page (an <object>): only this site may frame it
PDF_HEADERS = {**HEADERS, "content-security-policy": "default-src 'none'; frame-ancestors 'self'",
               "x-frame-options": "SAMEORIGIN"}
UPLOAD = "/bank/upload"     # the one path that takes a file (a statement): its own size bound
MAX_BODY = 1_000_000     # bytes of a form: refused by its Content-Length, or as it streams in
MAX_FIELDS = 2_000       # fields of a form (a 1 MB body of `a&a&a...` is 500,000)
GUESSES = 5              # wrong tokens a client may send before it is slowed down
MAX_WAIT = 60.0          # seconds: the longest a client waits between wrong tokens after that
CLIENTS = 4_096          # clients whose wrong tokens are remembered (the oldest forgotten)


def same_site(where: str) -> str:
    r"""`where` if it is a path of this site, else "/": never another site (`//evil.example`,
    `/\evil.example`), never a script (`javascript:`), and no character a browser drops or
    reads as a separator (a tab in `/\t/evil.example` makes `//evil.example`)."""
    if not isinstance(where, str) or not where.startswith("/") or where[1:2] in ("/", "\\") or len(where) > 2_000 \
            or "\\" in where or any(ord(c) <= 0x20 or ord(c) == 0x7f for c in where):
        return "/"
    return where


class Guesses:
    """Wrong tokens per client (its address), bounded: after GUESSES, each wrong one makes
    the client wait twice as long as the last time (1 s, 2 s, 4 s... at most MAX_WAIT)
    before any token of it is looked at again; the right one forgets its count."""

    def __init__(self):
        self._seen: OrderedDict[str, tuple[int, float]] = OrderedDict()   # client -> (wrong, not before)
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds `client` must still wait before a token of it is checked (0: none)."""
        with self._lock:
            wrong, until = self._seen.get(client, (0, 0.0))
        return max(until - time.monotonic(), 0.0)

    def wrong(self, client: str) -> None:
        with self._lock:
            n = self._seen.pop(client, (0, 0.0))[0] + 1
            delay = 0.0 if n <= GUESSES else min(2.0 ** (n - GUESSES - 1), MAX_WAIT)
            self._seen[client] = (n, time.monotonic() + delay)
            while len(self._seen) > CLIENTS:
                self._seen.popitem(last=False)

    def right(self, client: str) -> None:
        with self._lock:
            self._seen.pop(client, None)


def _mended(book: Book, have: tuple):
    """A kept (kind, records, value)'s value mended with the changes of `book`'s reload
    (`value.changed(gone, came)`) when it was made of the records that reload replaced; else None."""
    kind, recs, value = have
    base = book.base() if book.base is not None else None
    if base is not None and kind in book.changes and base.loaded(kind) and recs is base.records(kind):
        return value.changed(*book.changes[kind])
    return None


class Site:
    """What every request needs: the book's place, today, the secrets, the templates."""

    def __init__(self, root: Path, *, today: dt.date | None, host: str, port: int, token: str,
                 read_only: bool = False, cache: bool = True, tls: bool = False):
        self.root, self._today, self.host, self.port = Path(root), today, host, port
        self.token, self.read_only, self.cache, self.tls = token, read_only, cache, tls
        self.scheme = "https" if tls else "http"
        self.guesses = Guesses()
        self.csrf = hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest()
        self.here = threading.local()     # the path of the page being drawn (the timer comes back to it)
        self.cookie = f"freelance_token_{port}"      # cookies are per host, not per port
        shown = f"[{host}]" if ":" in host else host
        names = {shown} | ({"127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost") else set())
        self.hosts = {f"{n}:{port}" for n in names} | (names if port == 80 else set())
        self.any_address = host in ("0.0.0.0", "::")     # bound to every address: any IP literal will do
        self.notes: dict[str, tuple[str, list[str]]] = {}
        self.uploads = Uploads()
        self._search: dict = {}         # kind -> (kind, its records, their index: `search_index`)
        self._newest: dict = {}         # a list's name -> (its kind, the kind's records, their order: `newest`)
        self._snapshot: Graph | None = None     # the last page's graph
        self._lock = threading.Lock()
        self._reloading = threading.Lock()
        self._retired: list = []                # what `retire` frees
        self._memos: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # Graph -> {key: value}
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
        install_filters(self.env)

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def book(self) -> Book:
        return Book(self.root, self.today(), cache=self.cache)

    def graph(self) -> Graph:
        """The book's graph for a page: the last page's while no file of the book changed (its
        derived values are computed already), else a graph over the book reloaded
        (`Book.reload`: only the files that changed are read again) that adopts from the last
        one what the change cannot have touched (`Graph.adopt`). Changes never use
        it: they read the book afresh under the lock (`writing`)."""
        with self._reloading:        # one reload at a time: the next page waits for it, and uses it
            with self._lock:
                last = self._snapshot
            book = last.book.reload(self.today()) if last is not None else self.book().reload()
            if last is not None and book is last.book:
                return last
            g = Graph(book, track=True)
            if last is not None:
                g.adopt(last)       # every value the change cannot have touched (read/graph.py)
                self._follow(book)
            with self._lock:
                self._snapshot = g
                self._retired += [last, g.dropped]      # freed after the page is sent (`retire`)
                g.dropped = []
            return g

    def retire(self) -> None:
        """After a page is sent rather than while it is drawn: free the last graph and the values
        its successor did not take (a big book's journal, millions of objects), and index by id
        the kinds read (the next reload mends the index where records changed, `Book.reload`)."""
        with self._lock:
            old, self._retired = self._retired, []
            g = self._snapshot
        old.clear()
        if g is not None:
            for kind in KINDS:
                if g.book.loaded(kind):
                    g.book.index(kind)

    @contextmanager
    def writing(self):
        """The book, locked for a read-modify-write: nothing is read before the lock is held."""
        with lock(self.root):
            book = self.book()
            yield book
            self.auto_commit(book)

    def auto_commit(self, book) -> None:
        """A change made here is its own git commit when the book says `auto_commit: true`, as
        the CLI's are (docs/sync.md); a commit that fails leaves the change written."""
        if book.settings.get("auto_commit") is not True or not git.in_repository(self.root):
            return
        try:
            git.commit_book(self.root)
        except FreelanceError:
            pass

    def memo(self, g: Graph, key, make):
        """What `make()` builds from graph `g` (a board, the overview): kept by the graph with
        what it read (`Graph.memo`), so the next graph keeps it unless a change touched what it
        read (`Graph.adopt`). `make` must read the book only through `g` (a value that read
        `g.book` itself would be kept when it must not be)."""
        if g.track:
            return g.memo(("page", *key), make)
        return self.snapshot_memo(g, key, make)

    def snapshot_memo(self, g: Graph, key, make):
        """What `make()` builds from graph `g`, built once per snapshot (whatever it read)."""
        with self._lock:
            memo = self._memos.setdefault(g, {})
            if key in memo:
                return memo[key]
        value = make()
        with self._lock:
            memo[key] = value
        return value

    def _follow(self, book: Book) -> None:
        """Mend every order and search index kept with the changes of this reload now (a few
        records each), so that a page not drawn since the last write still mends its own
        rather than starting again."""
        if book.base is None or book.base() is None:
            return
        with self._lock:
            stores = [(store, dict(store)) for store in (self._newest, self._search)]
        for _, copy in stores:
            for name, have in copy.items():
                got = _mended(book, have)
                if got is not None:
                    copy[name] = (have[0], book.records(have[0]), got)
        with self._lock:
            for store, copy in stores:
                store.update(copy)

    def _kept(self, store: dict, name, book: Book, kind: str, make):
        """What `store` keeps under `name` for `kind`'s records of `book`, as (kind, records,
        value): the value as kept while they are the same list, mended with the last reload's
        changes when it was made of the records that reload replaced (`_mended`), else
        `make(records, the value kept before or None)`."""
        recs = book.records(kind)
        with self._lock:
            have = store.get(name)
        if have is not None and have[1] is recs:
            return have[2]
        value = _mended(book, have) if have is not None else None
        if value is None:
            value = make(recs, None if have is None else have[2])
        with self._lock:
            store[name] = (kind, recs, value)
        return value

    def newest(self, g: Graph, name, kind: str, key, member) -> "find.Newest":
        """The records of `kind` that `member` takes, in `key`'s order (`find.Newest`), kept per
        name while the kind's records are, and mended with the last reload's changes: a list or
        the workflow after an income inserts one record, not sorting 100,000."""
        return self._kept(self._newest, name, g.book, kind, lambda recs, _: find.Newest(recs, key, member))

    def search_index(self, g: Graph) -> "find.Index":
        """The search index of the book of `g`, per kind: a kind whose records the last reload
        kept (the same list: none of its files changed) keeps its index, and a kind that
        changed is mended (`Index.mended`: only the records that came are folded), so a search
        after a drag on a client indexes one client again, and after an income one income,
        not 100,000 transactions."""
        def make():
            parts = [self._kept(self._search, k, g.book, k,
                                lambda recs, had: find.Index(recs) if had is None else had.mended(recs))
                     for k, kind in KINDS.items() if kind.searched]
            return find.Index(parts=parts)
        return self.snapshot_memo(g, ("search",), make)

    def page(self, template: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("read_only", self.read_only)
        ctx.setdefault("static", False)
        ctx.setdefault("here", getattr(self.here, "path", "/"))
        ctx.setdefault("today", self.today())
        ctx["csrf"] = self.csrf
        with self._lock:
            last = self._snapshot
        ctx.setdefault("errors_in_book", sum(p.is_error for p in last.book.problems) if last else 0)
        if not ctx["static"]:
            ctx.setdefault("timer", timer_bar(last.book if last is not None else self.book()))
        return HTMLResponse(self.env.get_template(template).render(**ctx), status_code=status)

    def note(self, kind: str, lines: list[str]) -> str:
        if len(self.notes) > 200:
            self.notes.clear()
        key = secrets.token_hex(6)
        self.notes[key] = (kind, lines)
        return key

    def back(self, where: str, kind: str = "ok", lines: list[str] = ()) -> RedirectResponse:
        """Go back to a page of this site (only a path here: never another site) with a note."""
        where = same_site(where)
        if lines:
            where += ("&" if "?" in where else "?") + "note=" + self.note(kind, list(lines))
        return RedirectResponse(where, status_code=303)

    # -- the gate ------------------------------------------------------------------------

    def refusal(self, request: Request) -> Response | None:
        host = request.headers.get("host", "")
        if host not in self.hosts and not (self.any_address and self.ip_literal(host)):
            return PlainTextResponse(f"refused: this server answers to {sorted(self.hosts)[0]} only, "
                                     f"not to the Host {host!r}\n", status_code=421)
        given = request.query_params.get("token")
        have = request.cookies.get(self.cookie)
        if given is None and have is None:
            return self.denied()
        client = request.client.host if request.client else ""
        wait = self.guesses.wait(client)
        if wait:
            return PlainTextResponse(f"refused: too many wrong tokens from {client}; try again in {wait:.0f} s\n",
                                     status_code=429, headers={"retry-after": str(int(wait) + 1)})
        if not hmac.compare_digest((given if given is not None else have).encode("utf-8", "replace"),
                                   self.token.encode()):
            self.guesses.wrong(client)
            return self.denied()
        self.guesses.right(client)
        if given is not None:
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            where = request.url.path + ("?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in rest) if rest else "")
            resp = RedirectResponse(where, status_code=303)
            resp.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/", secure=self.tls)
            return resp
        if request.method == "POST":
            origin = request.headers.get("origin")
            if origin is not None and origin != f"{self.scheme}://{host}":
                return PlainTextResponse(f"refused: a change sent from another site ({origin})\n", status_code=403)
        return None

    def ip_literal(self, host: str) -> bool:
        """`192.168.1.5:8765` or `[fe80::1]:8765` on our port: an address, not a name (DNS
        rebinding needs a name that the attacker's DNS turns into this machine's address)."""
        name, _, port = host.rpartition(":")
        if port != str(self.port):
            return False
        try:
            ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
        except ValueError:
            return False
        return True

    def denied(self) -> Response:
        return PlainTextResponse("refused: no access token. Open the URL that `freelance serve` printed "
                                 "(it ends in ?token=...).\n", status_code=403)


READ_ONLY = "this server is read-only (freelance serve --read-only): nothing can be changed here"


def error_page(site: Site, exc: FreelanceError) -> Response:
    """What a page that cannot be drawn answers: 404 for a kind, record or account that is not
    there; 400 for a question asked wrongly (a bad month, an unknown board field); 422 for a
    book that cannot answer it (an incomplete invoice has no PDF). Never a 500 for either."""
    if isinstance(exc, NotFound):
        return site.page("message.html", 404, title="Not found", lines=[exc.message])
    if exc.exit_code == 2:
        return site.page("message.html", 400, title="Cannot show that", lines=[exc.message])
    return site.page("message.html", 422, title="The book cannot answer that yet", lines=[exc.message])


def too_large() -> Response:
    return PlainTextResponse(f"refused: a form is at most {MAX_BODY:,} bytes\n", status_code=413,
                             headers={"connection": "close"})


class Security:
    """ASGI middleware: the security headers on every response, and the body size bound: a
    request that says it is larger than MAX_BODY is refused before a byte of it is read
    (the POST handlers stop reading one that grows past it without saying so)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        ours = PDF_HEADERS if scope["path"].startswith("/pdf/") else HEADERS

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in ours]
                headers += [(k.encode(), v.encode()) for k, v in ours.items()]
                message = {**message, "headers": headers}
            await send(message)
        length = [v for k, v in scope.get("headers", ()) if k == b"content-length"]
        limit = MAX_STATEMENT_BYTES + MAX_BODY if scope["path"] == UPLOAD else MAX_BODY
        if length and not (length[0].isdigit() and len(length[0]) < 10 and int(length[0]) <= limit):
            return await too_large()(scope, receive, send_with_headers)
        await self.app(scope, receive, send_with_headers)


def make_app(root: Path, *, today: dt.date | None = None, host: str = "127.0.0.1", port: int = 8765,
             token: str | None = None, read_only: bool = False, cache: bool = True, tls: bool = False):
    site = Site(root, today=today, host=host, port=port, token=token or secrets.token_urlsafe(24),
                read_only=read_only, cache=cache, tls=tls)

    def get(fn, draws_a_form: bool = False):
        async def endpoint(request: Request):
            refused = site.refusal(request)
            if refused is not None:
                return refused
            if draws_a_form and site.read_only:
                return site.page("message.html", 403, title="Read-only", lines=[READ_ONLY])
            note = site.notes.pop(request.query_params.get("note", ""), None)
            path = request.url.path

            def draw():
                site.here.path = path
                return fn(site, request, note)
            try:
                response = await run_in_threadpool(draw)
            except FreelanceError as exc:
                response = error_page(site, exc)
            if site._retired and response.background is None:     # a new graph drew it
                response.background = BackgroundTask(run_in_threadpool, site.retire)
            return response
        return endpoint

    def post(fn):
        async def endpoint(request: Request):
            refused = site.refusal(request)
            if refused is not None:
                return refused
            body = bytearray()
            async for chunk in request.stream():        # never more than MAX_BODY in memory
                body += chunk
                if len(body) > MAX_BODY:
                    return too_large()
            try:
                form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True,
                                                      max_num_fields=MAX_FIELDS).items()}
            except ValueError:
                return PlainTextResponse(f"refused: a form has at most {MAX_FIELDS} fields\n", status_code=413)
            if not hmac.compare_digest(form.get("csrf", "").encode(), site.csrf.encode()):
                return PlainTextResponse("refused: the form carries no valid CSRF token; reload the page\n",
                                         status_code=403)
            if site.read_only:
                return site.page("message.html", 403, title="Read-only", lines=[READ_ONLY])
            back = same_site(form.get("back") or "/")
            try:
                return await run_in_threadpool(fn, site, request, form)
            except Stale as exc:
                return site.back(back, "error", [exc.message]) if form.get("via") != "form" else \
                    site.page("message.html", 409, title="Changed meanwhile", lines=[exc.message], back=back)
            except FreelanceError as exc:
                return site.back(back, "error", [exc.message])
        return endpoint

    def upload(fn):
        """A form with a file (multipart): the gate, the size bound, the CSRF token, then `fn(site,
        request, fields, (file name, bytes))` in a thread; a FreelanceError is shown as a page."""
        async def endpoint(request: Request):
            refused = site.refusal(request)
            if refused is not None:
                return refused
            if site.read_only:
                return site.page("message.html", 403, title="Read-only", lines=[READ_ONLY])
            if not request.headers.get("content-length"):
                return PlainTextResponse("refused: a file upload must say its length\n", status_code=411)
            try:
                async with request.form(max_files=1, max_fields=50, max_part_size=MAX_BODY) as form:
                    fields = {k: v for k, v in form.items() if isinstance(v, str)}
                    file = form.get("file")
                    if file is None or isinstance(file, str):
                        return site.page("message.html", 400, title="No file", lines=["choose a statement file"],
                                         back="/bank")
                    got = (file.filename or "statement", await file.read(MAX_STATEMENT_BYTES + 1))
            except (HTTPException, MultiPartException) as exc:        # a malformed multipart body
                return PlainTextResponse(f"refused: not a form with a file ({getattr(exc, 'detail', None) or exc})\n",
                                         status_code=400)
            if not hmac.compare_digest(fields.get("csrf", "").encode(), site.csrf.encode()):
                return PlainTextResponse("refused: the form carries no valid CSRF token; reload the page\n",
                                         status_code=403)
            try:
                return await run_in_threadpool(fn, site, request, fields, got)
            except FreelanceError as exc:
                return site.page("message.html", 404 if isinstance(exc, NotFound) else 400,
                                 title="Cannot import that", lines=[exc.message], back="/bank")
        return endpoint

    async def static(request: Request):
        refused = site.refusal(request)
        if refused is not None:
            return refused
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("not found\n", status_code=404)
        return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name])

    routes = [
        Route("/", get(overview)),
        Route("/board/{noun}", get(board)),
        Route("/list/{noun}", get(listing)),
        Route("/search", get(search)),
        Route("/timer/start", post(timer_start), methods=["POST"]),
        Route("/timer/stop", post(timer_stop), methods=["POST"]),
        Route("/r/{noun}/{rid:path}", get(record)),
        Route("/pdf/invoice/{rid:path}", get(invoice_pdf)),
        Route("/pdf/statement/{rid:path}", get(statement_pdf_page)),
        Route("/statement/{rid:path}", get(statement_page)),
        Route("/accounts", get(accounts_page)),
        Route("/account/{rid:path}", get(account_page)),
        Route("/new/account", get(account_new_form, draws_a_form=True)),
        Route("/new/account", post(account_new_submit), methods=["POST"]),
        Route("/edit/account/{rid:path}", get(account_edit_form, draws_a_form=True)),
        Route("/edit/account/{rid:path}", post(account_edit_submit), methods=["POST"]),
        Route("/bank", get(bank_page)),
        Route(UPLOAD, upload(bank_upload), methods=["POST"]),
        Route("/bank/import", post(bank_import), methods=["POST"]),
        Route("/bank/match", post(bank_match), methods=["POST"]),
        Route("/bank/rule", post(bank_rule), methods=["POST"]),
        Route("/send/invoice", post(send_invoice), methods=["POST"]),
        Route("/bill", post(bill_hours), methods=["POST"]),
        Route("/receipt/{rid:path}", get(receipt)),
        Route("/new/{noun}", get(new_form, draws_a_form=True)),
        Route("/new/{noun}", post(new_submit), methods=["POST"]),
        Route("/edit/{noun}/{rid:path}", get(edit_form, draws_a_form=True)),
        Route("/edit/{noun}/{rid:path}", post(edit_submit), methods=["POST"]),
        Route("/move", post(move), methods=["POST"]),
        Route("/remove", post(remove), methods=["POST"]),
        Route("/workflow", get(workflow)),
        Route("/link", post(link), methods=["POST"]),
        Route("/finance", get(finance)),
        Route("/reports", get(reports_page)),
        Route("/report/{name}", get(report_page)),
        Route("/calendar", get(calendar)),
        Route("/goals", get(goals)),
        Route("/resources", get(resources)),
        Route("/todo", post(todo), methods=["POST"]),
        Route("/settings", get(settings_page)),
        Route("/settings", post(settings_submit), methods=["POST"]),
        Route("/static/{name}", static),
    ]
    app = Starlette(routes=routes)
    app.state.site = site
    return Security(app)

