"""Issue 23: `freelance serve` against a hostile client, over a real server on loopback. A POST
is refused by its length before it is read, and cut off while it streams; every URL parameter
is a page or a 400/404, never a 500 or a traceback in the log; the "changed meanwhile" page
links back only to this site; `--read-only` draws no form; beyond loopback the server wants
a long token and TLS (or `--insecure`), and wrong tokens are slowed down per client."""
from __future__ import annotations

import logging
import os
import re
import socket
import ssl
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, git_commit_all, run_proc
from servehelp import TOKEN, Live, git_diff_numstat

pytest.importorskip("httpx")
pytest.importorskip("starlette")


class Errors(logging.Handler):
    """What the server logs at error level (a traceback is logged as "Exception in ASGI application")."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def live(demo):
    git_commit_all(demo)
    server = Live(demo)
    errors = Errors()
    logging.getLogger("uvicorn.error").addHandler(errors)
    server.errors = errors
    yield server
    logging.getLogger("uvicorn.error").removeHandler(errors)
    server.stop()


def raw_request(live, head: str, body: bytes = b"", wait: float = 10) -> bytes:
    """Send `head` (and `body`) on a fresh connection and return what the server answers
    within `wait` seconds, without ever finishing a body the head promised."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=wait) as s:
        s.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        try:
            return s.recv(4096)
        except socket.timeout:
            return b""


def head(live, first: str, *extra: str) -> str:
    lines = [first, f"Host: 127.0.0.1:{live.port}", f"Cookie: freelance_token_{live.port}={TOKEN}",
             "Content-Type: application/x-www-form-urlencoded", *extra]
    return "\n".join(lines) + "\n"


def status_of(answer: bytes) -> int | None:
    m = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return int(m.group(1)) if m else None


# -- the body limit ------------------------------------------------------------------------

def test_a_post_that_says_it_is_400_mb_is_refused_before_a_byte_is_read(live):
    """It used to be read whole (840 MB of memory) before the 1 MB cap was looked at: here
    the server would wait for the 400 MB, and answers 413 at once instead."""
    started = time.monotonic()
    answer = raw_request(live, head(live, "POST /move HTTP/1.1", "Content-Length: 400000000"), b"kind=client&")
    assert status_of(answer) == 413, answer[:200]
    assert time.monotonic() - started < 5
    assert live.errors.records == []
    assert git_diff_numstat(live.book) == []


def test_a_post_without_a_length_is_cut_off_once_it_grows_past_the_cap(live):
    """Chunked: no length is said; the server stops reading at the cap and answers 413
    while the client is still sending (it never sends the last chunk)."""
    chunk = b"a" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(24))     # 1.5 MB, unfinished
    answer = raw_request(live, head(live, "POST /move HTTP/1.1", "Transfer-Encoding: chunked"), body)
    assert status_of(answer) == 413, answer[:200]
    assert live.errors.records == []


def test_a_form_of_a_million_fields_is_refused(live):
    c = live.client()
    r = c.post("/move", content=b"a&" * 400_000, headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert live.errors.records == []


# -- URL parameters ------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["month=9999-12", "month=0001-01", "month=0000-01", "month=2026-13",
                                   "month=10000-01", "month=1899-12", "month=3000-01", "month=" + "9" * 5000,
                                   "week=9999-12-31", "week=0001-01-01", "week=2026-02-30", "week=x",
                                   "week=3000-01-01", "week=" + "1" * 5000, "month=٢٠٢٦-١١"])
def test_a_calendar_out_of_the_years_a_book_has_is_a_400_not_a_500(live, query):
    r = live.client().get("/calendar?" + query)
    assert r.status_code == 400, (query, r.status_code, r.text[:300])
    assert "Traceback" not in r.text
    assert live.errors.records == []


def test_the_calendar_at_the_edges_of_its_years_links_no_further(live):
    c = live.client()
    first = c.get("/calendar?month=1900-01")
    last = c.get("/calendar?month=2999-12")
    assert first.status_code == last.status_code == 200
    assert "month=1899-12" not in first.text and 'href="/calendar?month=1900-02"' in first.text
    assert "month=3000-01" not in last.text and 'href="/calendar?month=2999-11"' in last.text
    week = c.get("/calendar?week=2999-12-31")
    assert week.status_code == 200 and "week=3000" not in week.text
    # every link a calendar page draws leads to a page
    for page in (first, last, week):
        for link in set(re.findall(r'href="(/calendar\?[^"]*)"', page.text)):
            assert c.get(link.replace("&amp;", "&")).status_code == 200, link
    assert live.errors.records == []


PATHS = ["/", "/board/{a}", "/list/{a}", "/r/{a}/{b}", "/new/{a}", "/edit/{a}/{b}", "/workflow", "/finance",
         "/calendar", "/goals", "/resources", "/static/{a}", "/board/client", "/board/project", "/r/client/{b}",
         "/edit/invoice/{b}", "/new/invoice", "/list/income", "/search", "/report/{a}", "/report/invoices", "/statement/{a}",
         "/report/finance"]
PARAMS = ["month", "week", "period", "by", "unlinked", "note", "from", "to", "client", "id", "status", "issued", "q",
          "sort", "basis"]
text = st.one_of(st.text(max_size=30), st.sampled_from(["9999-12", "0001-01", "9999-12-31", "0001-01-01", "-1",
                                                         "10000", "2026-Q9", "..", "../..", "%00", "nan", "1e999",
                                                         "\x00", "\u202e", "client", "status", "acme",
                                                         "INV-2026-019", "9" * 400]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), a=text, b=text, params=st.dictionaries(st.sampled_from(PARAMS), text, max_size=3))
def test_no_url_makes_a_500_or_a_traceback(live, path, a, b, params):
    """Any path segment and any query parameter of any page: a page, a redirect, or a 400/404
    with a message; never a 500, and the server logs no exception."""
    import httpx
    if not hasattr(live, "_client"):
        live._client = live.client()
    c = live._client
    from urllib.parse import quote
    url = path.format(a=quote(a, safe=""), b=quote(b, safe=""))
    try:
        r = c.get(url, params=params)
    except httpx.InvalidURL:
        return
    assert r.status_code in (200, 303, 307, 400, 404), (url, params, r.status_code, r.text[:300])
    if r.status_code == 307:          # "/board/0/" -> "/board/0": the router's slash, on this site only
        assert httpx.URL(r.headers["location"]).host in ("", "127.0.0.1"), r.headers["location"]
    assert live.errors.records == [], (url, params)


# -- the "changed meanwhile" page -------------------------------------------------------------

def edit_form_fields(c, path: str) -> dict:
    page = c.get(path).text
    form = re.search(r'<form method="post" action="[^"]*"[^>]*>(.*?)</form>', page, re.S).group(1)
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


@pytest.mark.parametrize("back", ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "//evil.example/x",
                                  "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example/",
                                  "data:text/html,<script>alert(1)</script>", " /x", "\x00/x"])
def test_the_changed_meanwhile_page_links_back_only_to_this_site(live, back):
    c = live.client()
    hidden = edit_form_fields(c, "/edit/client/acme")
    (live.book / "clients.yaml").write_text((live.book / "clients.yaml").read_text(encoding="utf-8")
                                            .replace("name: Acme Corp", "name: Acme Corporation", 1), encoding="utf-8")
    r = c.post("/edit/client/acme", data={**hidden, "name": "Acme Inc", "back": back})
    assert r.status_code == 409, r.text[:300]
    links = re.findall(r'<a href="([^"]*)">Back</a>', r.text)
    assert links == ["/"], links
    assert "javascript:" not in r.text.lower() and "evil.example" not in r.text


def test_a_same_site_back_is_kept(live):
    c = live.client()
    hidden = edit_form_fields(c, "/edit/client/acme")
    (live.book / "clients.yaml").write_text((live.book / "clients.yaml").read_text(encoding="utf-8")
                                            .replace("name: Acme Corp", "name: Acme Corporation", 1), encoding="utf-8")
    r = c.post("/edit/client/acme", data={**hidden, "name": "Acme Inc", "back": "/board/client?by=stage"})
    assert r.status_code == 409
    assert re.findall(r'<a href="([^"]*)">Back</a>', r.text) == ["/board/client?by=stage"]


# -- read-only ----------------------------------------------------------------------------

def test_read_only_draws_no_form_and_refuses_the_form_pages(demo):
    git_commit_all(demo)
    server = Live(demo, read_only=True)
    try:
        c = server.client()
        for path in ("/", "/board/client", "/board/project", "/board/service", "/board/invoice", "/r/client/acme",
                     "/r/invoice/INV-2026-019", "/r/resource/pricing-guide", "/workflow", "/finance", "/calendar",
                     "/goals", "/resources", "/list/contact", "/list/income", "/list/expense", "/list/meeting",
                     "/r/project/acme-website", "/reports", "/report/invoices"):
            r = c.get(path)
            assert r.status_code == 200, path
            assert not re.search(r'<form[^>]*method="post"', r.text, re.I), path
            assert not re.search(r'href="/(new|edit)/', r.text), path
        for path in ("/new/client", "/new/invoice", "/edit/client/acme", "/edit/invoice/INV-2026-019"):
            r = c.get(path)
            assert r.status_code == 403, path
            assert not re.search(r'<form[^>]*method="post"', r.text, re.I) and "read-only" in r.text
            assert 'name="csrf"' not in r.text
    finally:
        server.stop()


# -- wrong tokens --------------------------------------------------------------------------

def test_wrong_tokens_are_slowed_down_per_client(live):
    import httpx
    c = httpx.Client(base_url=live.base, follow_redirects=False, timeout=10)
    for i in range(6):                                     # five free guesses, the sixth starts the wait
        assert c.get(f"/?token=guess-{i:04d}-0123456789").status_code == 403
    r = c.get(f"/?token={TOKEN}")                          # even the right one waits now: guesses in
    assert r.status_code == 429                            # parallel are no faster than one by one
    assert 1 <= int(r.headers["retry-after"]) <= 61
    guesser = httpx.Client(base_url=live.base, follow_redirects=False, timeout=10,
                           cookies={f"freelance_token_{live.port}": "guessed-cookie-0123"})
    assert guesser.get("/").status_code == 429             # a guessed cookie is a guess too
    assert c.get("/").status_code == 403                   # no token at all is not a guess: no wait to say
    # another client (another loopback address) is not held up
    other = httpx.Client(base_url=live.base, follow_redirects=False, timeout=10,
                         transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    r = other.get(f"/?token={TOKEN}", headers={"Host": f"127.0.0.1:{live.port}"})
    assert r.status_code == 303
    # the wait ends: after it, the right token is let in and the count starts again
    time.sleep(1.1)
    assert c.get(f"/?token={TOKEN}").status_code == 303
    assert c.get(f"/?token=guess-again-0123456789").status_code == 403
    assert c.get(f"/?token={TOKEN}").status_code == 303


# -- beyond loopback ------------------------------------------------------------------------

STRONG = "4f1c9a7be2d05e83c6a1f0b9d47e2a5c9b3d8e1f"       # 40 hex digits: 160 bits


@pytest.mark.parametrize("token", ["12345678", "short-token", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                   "0123456789abcdef0123456789abcde"])
def test_beyond_loopback_a_weak_token_is_refused(demo, token):
    p = run_proc("--books", demo, "serve", "--host", "0.0.0.0", "--port", "0", "--token", token, "--insecure",
                 timeout=30)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "128 bits" in p.stderr and "serving" not in p.stdout


def test_beyond_loopback_plain_http_needs_insecure(demo):
    p = run_proc("--books", demo, "serve", "--host", "0.0.0.0", "--port", "0", "--token", STRONG, timeout=30)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "--insecure" in p.stderr and "--tls-cert" in p.stderr and "serving" not in p.stdout
    p = run_proc("--books", demo, "serve", "--host", "0.0.0.0", "--port", "0", "--token", STRONG,
                 "--tls-cert", demo / "freelance.yaml", timeout=30)
    assert p.returncode == 2 and "--tls-key" in p.stderr


class Served:
    """`freelance serve ARGS` in a process of its own; the URL it printed."""

    def __init__(self, book, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}
        env["PYTHONPATH"] = str(ROOT)
        self.proc = subprocess.Popen([sys.executable, "-m", "freelance", "--books", str(book), "--today",
                                      "2026-11-25", "serve", "--port", "0", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.out = ""
        deadline = time.monotonic() + 30
        while "://" not in self.out and time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.out += line
        m = re.search(r"(https?)://[^:]+:(\d+)/\?token=(\S+)", self.out)
        assert m, (self.out, self.stop())
        self.scheme, self.port, self.token = m.group(1), int(m.group(2)), m.group(3)

    def stop(self) -> str:
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err


def test_beyond_loopback_with_insecure_serves_plain_http_and_warns(demo):
    import httpx
    s = Served(demo, "--host", "0.0.0.0", "--token", STRONG, "--insecure")
    try:
        assert s.scheme == "http" and s.token == STRONG
        c = httpx.Client(base_url=f"http://127.0.0.1:{s.port}", follow_redirects=False, timeout=10)
        assert c.get(f"/?token={STRONG}").status_code == 303
        assert c.get("/board/client").status_code == 200
        c.close()
    finally:
        err = s.stop()
    assert "plain HTTP" in err


def test_beyond_loopback_with_a_certificate_serves_https_with_a_secure_cookie(demo, tmp_path):
    import httpx
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    s = Served(demo, "--host", "0.0.0.0", "--token", STRONG, "--tls-cert", cert, "--tls-key", key)
    try:
        assert s.scheme == "https"
        c = httpx.Client(base_url=f"https://127.0.0.1:{s.port}", follow_redirects=False, timeout=10, verify=ssl.create_default_context(cafile=str(cert)))
        r = c.get(f"/?token={STRONG}")
        assert r.status_code == 303 and "secure" in r.headers["set-cookie"].lower()
        page = c.get("/board/client")
        assert page.status_code == 200
        # a change posted from this very page (Origin https://...) is let through the gate
        form = re.search(r'<form method="post" action="/move"[^>]*>(.*?)</form>', page.text, re.S).group(1)
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
        r = c.post("/move", data={**fields, "to": fields.get("to", "lead")},
                   headers={"Origin": f"https://127.0.0.1:{s.port}"})
        assert r.status_code == 303, r.text
        plain = httpx.Client(base_url=f"http://127.0.0.1:{s.port}", timeout=2)
        with pytest.raises(httpx.HTTPError):
            plain.get(f"/?token={STRONG}")                   # no plain HTTP on that port
        c.close()
    finally:
        s.stop()
