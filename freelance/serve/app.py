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
import weakref
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..core.errors import FreelanceError
from ..read.graph import Graph
from ..store import git
from ..store.book import Book, lock
from .forms import Stale
from .pages import (board, calendar, edit_form, edit_submit, finance, goals, install_filters, link, listing, move, search,
                    new_form, new_submit, overview, record, remove, resources, todo, workflow)

HERE = Path(__file__).parent
STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "x-frame-options": "DENY",
           "referrer-policy": "same-origin", "cache-control": "no-store"}
MAX_BODY = 1_000_000


class Site:
    """What every request needs: the book's place, today, the secrets, the templates."""

    def __init__(self, root: Path, *, today: dt.date | None, host: str, port: int, token: str,
                 read_only: bool = False, cache: bool = True):
        self.root, self._today, self.host, self.port = Path(root), today, host, port
        self.token, self.read_only, self.cache = token, read_only, cache
        self.csrf = hmac.new(token.encode(), b"csrf", hashlib.sha256).hexdigest()
        self.cookie = f"freelance_token_{port}"      # cookies are per host, not per port
        shown = f"[{host}]" if ":" in host else host
        names = {shown} | ({"127.0.0.1", "localhost"} if host in ("127.0.0.1", "localhost") else set())
        self.hosts = {f"{n}:{port}" for n in names} | (names if port == 80 else set())
        self.any_address = host in ("0.0.0.0", "::")     # bound to every address: any IP literal will do
        self.notes: dict[str, tuple[str, list[str]]] = {}
        self._snapshot: Graph | None = None     # the last page's graph
        self._lock = threading.Lock()
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
        (`Book.reload`: only the kinds whose files changed are read again). Changes never use
        it: they read the book afresh under the lock (`writing`)."""
        with self._lock:
            last = self._snapshot
        book = last.book.reload(self.today()) if last is not None else self.book().reload()
        if last is not None and book is last.book:
            return last
        g = Graph(book)
        with self._lock:
            self._snapshot = g
        return g

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
        """What `make()` builds from graph `g` (a board, the overview), built once per snapshot."""
        with self._lock:
            memo = self._memos.setdefault(g, {})
            if key in memo:
                return memo[key]
        value = make()
        with self._lock:
            memo[key] = value
        return value

    def page(self, template: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("read_only", self.read_only)
        ctx.setdefault("static", False)
        ctx.setdefault("today", self.today())
        ctx["csrf"] = self.csrf
        with self._lock:
            last = self._snapshot
        ctx.setdefault("errors_in_book", sum(p.is_error for p in last.book.problems) if last else 0)
        return HTMLResponse(self.env.get_template(template).render(**ctx), status_code=status)

    def note(self, kind: str, lines: list[str]) -> str:
        if len(self.notes) > 200:
            self.notes.clear()
        key = secrets.token_hex(6)
        self.notes[key] = (kind, lines)
        return key

    def back(self, where: str, kind: str = "ok", lines: list[str] = ()) -> RedirectResponse:
        """Go back to a page of this site (only a path here: never another site) with a note."""
        if not where.startswith("/") or where.startswith("//") or "\\" in where:
            where = "/"
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
        if given is not None:
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return self.denied()
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            where = request.url.path + ("?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in rest) if rest else "")
            resp = RedirectResponse(where, status_code=303)
            resp.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
            return resp
        have = request.cookies.get(self.cookie, "")
        if not hmac.compare_digest(have.encode(), self.token.encode()):
            return self.denied()
        if request.method == "POST":
            origin = request.headers.get("origin")
            if origin is not None and origin != f"http://{host}":
                return PlainTextResponse(f"refused: a change sent from another site ({origin})\n", status_code=403)
        return None

    def ip_literal(self, host: str) -> bool:
        """`192.168.1.5:8765` or `[fe80::1]:8765` on our port: an address, not a name (DNS
        rebinding needs a name that the attacker's DNS turns into this machine's address)."""
        import ipaddress
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


class Security:
    """ASGI middleware: the security headers on every response, and the body size bound."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)
        await self.app(scope, receive, send_with_headers)


def make_app(root: Path, *, today: dt.date | None = None, host: str = "127.0.0.1", port: int = 8765,
             token: str | None = None, read_only: bool = False, cache: bool = True):
    site = Site(root, today=today, host=host, port=port, token=token or secrets.token_urlsafe(24),
                read_only=read_only, cache=cache)

    def get(fn):
        async def endpoint(request: Request):
            refused = site.refusal(request)
            if refused is not None:
                return refused
            note = site.notes.pop(request.query_params.get("note", ""), None)
            try:
                return await run_in_threadpool(fn, site, request, note)
            except FreelanceError as exc:
                return site.page("message.html", 400 if exc.exit_code == 2 else 500, title="Not found",
                                 lines=[exc.message])
        return endpoint

    def post(fn):
        async def endpoint(request: Request):
            refused = site.refusal(request)
            if refused is not None:
                return refused
            body = await request.body()
            if len(body) > MAX_BODY:
                return PlainTextResponse("refused: the form is too large\n", status_code=413)
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
            if not hmac.compare_digest(form.get("csrf", "").encode(), site.csrf.encode()):
                return PlainTextResponse("refused: the form carries no valid CSRF token; reload the page\n",
                                         status_code=403)
            if site.read_only:
                return site.page("message.html", 403, title="Read-only",
                                 lines=["this server is read-only (freelance serve --read-only): nothing was changed"])
            back = form.get("back") or "/"
            try:
                return await run_in_threadpool(fn, site, request, form)
            except Stale as exc:
                return site.back(back, "error", [exc.message]) if form.get("via") != "form" else \
                    site.page("message.html", 409, title="Changed meanwhile", lines=[exc.message], back=back)
            except FreelanceError as exc:
                return site.back(back, "error", [exc.message])
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
        Route("/r/{noun}/{rid:path}", get(record)),
        Route("/new/{noun}", get(new_form)),
        Route("/new/{noun}", post(new_submit), methods=["POST"]),
        Route("/edit/{noun}/{rid:path}", get(edit_form)),
        Route("/edit/{noun}/{rid:path}", post(edit_submit), methods=["POST"]),
        Route("/move", post(move), methods=["POST"]),
        Route("/remove", post(remove), methods=["POST"]),
        Route("/workflow", get(workflow)),
        Route("/link", post(link), methods=["POST"]),
        Route("/finance", get(finance)),
        Route("/calendar", get(calendar)),
        Route("/goals", get(goals)),
        Route("/resources", get(resources)),
        Route("/todo", post(todo), methods=["POST"]),
        Route("/static/{name}", static),
    ]
    app = Starlette(routes=routes)
    app.state.site = site
    return Security(app)

