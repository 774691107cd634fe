"""`freelance serve`: a face over the same book and the same door as the CLI.

    browser -> security (host, token cookie, CSRF on every POST) -> a page (read side)
            -> or a change: version check, then one door call (changes.door)

`app.make_app` builds the Starlette application; `run` starts uvicorn on it. Pages
are Jinja2 templates (autoescaped) with one static script for drag and drop and no
inline script (strict Content-Security-Policy). See docs/serve.md.
"""
from __future__ import annotations

import datetime as dt
import math
import secrets
import string
import sys
from pathlib import Path
from urllib.parse import quote

from ..core.errors import UsageError
import socket
import ssl
import webbrowser

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MIN_TOKEN_BITS = 128        # beyond this machine (docs/serve.md): what a token must be worth at least
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


def url_of(host: str, port: int, token: str, scheme: str = "http") -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}/?token={quote(token, safe='')}"


def token_bits(token: str) -> float:
    """What a token is worth at most, in bits: its length times the bits of a character
    drawn from the classes it uses (hexadecimal digits: 16; else lower case, upper case,
    digits, anything else: 32); a token of fewer than 8 different characters (`aaaa...`)
    is worth only its distinct ones."""
    if all(ch in string.hexdigits for ch in token) and (token == token.lower() or token == token.upper()):
        pool = 16
    else:
        pool = sum(len(c) for c in _CLASSES if any(ch in c for ch in token))
        pool += 32 if any(not any(ch in c for c in _CLASSES) for ch in token) else 0
    if not token or pool < 2:
        return 0.0
    distinct = len(set(token))
    return len(token) * math.log2(pool) if distinct >= 8 else distinct * math.log2(pool)


def exposure_problem(host: str, token: str | None, insecure: bool, tls: bool) -> str | None:
    """Why the server must not start with these options, or None. On loopback any token of
    8 characters will do (only this machine reaches it); beyond it, the token is worth at
    least MIN_TOKEN_BITS and travels over TLS unless the user says `--insecure`."""
    if token is not None and len(token) < 8:
        return "--token: use at least 8 characters"
    if host in LOOPBACK:
        return None
    example = secrets.token_urlsafe(24)
    if not token:
        return (f"--host {host}: serving beyond this machine needs an explicit --token, long and random "
                f"(anyone on the network who has it can change the book), e.g. --token {example}")
    if token_bits(token) < MIN_TOKEN_BITS:
        return (f"--token: beyond this machine a token must be worth at least {MIN_TOKEN_BITS} bits (this one: "
                f"{token_bits(token):.0f}; 22 random letters, digits, '-' and '_' are 132), e.g. --token {example}")
    if not tls and not insecure:
        return (f"--host {host}: the token and the book would cross the network in plain HTTP; give a certificate "
                "(--tls-cert FILE --tls-key FILE), or --insecure on a network you trust")
    return None


def run(root: Path, *, today: dt.date | None = None, host: str = "127.0.0.1", port: int = 8765,
        token: str | None = None, read_only: bool = False, open_browser: bool = False, cache: bool = True,
        insecure: bool = False, tls_cert: Path | None = None, tls_key: Path | None = None) -> None:
    """Serve the book at `root` until interrupted; prints the URL with its token."""

    import uvicorn

    from .app import make_app
    if (tls_cert is None) != (tls_key is None):
        raise UsageError("--tls-cert and --tls-key go together: the certificate and its private key")
    tls = tls_cert is not None
    problem = exposure_problem(host, token, insecure, tls)
    if problem:
        raise UsageError(problem)
    if tls:
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(str(tls_cert), str(tls_key))
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"--tls-cert {tls_cert} --tls-key {tls_key}: cannot use them "
                             f"({getattr(exc, 'strerror', None) or exc})") from None
    token = token or secrets.token_urlsafe(24)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP by name: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say TCP, and
    # uvicorn writes a response's head and body apart, so with Nagle on each answer on a kept-alive
    # connection waited for the browser's delayed ACK (40 ms a page, a request, a stylesheet).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror}); "
                         "try another --port, or --port 0 for any free one") from None
    port = sock.getsockname()[1]
    sock.listen(128)                        # the URL printed below answers at once (uvicorn accepts)
    app = make_app(root, today=today, host=host, port=port, token=token, read_only=read_only, cache=cache, tls=tls)
    url = url_of(host, port, token, "https" if tls else "http")
    if host not in LOOPBACK:
        print(f"freelance: warning: serving on {host}, beyond this machine: anyone who can reach it "
              f"and has the token can {'read' if read_only else 'read and change'} the book"
              + ("" if tls else "; in plain HTTP (--insecure): anyone on the way can read the token too"),
              file=sys.stderr)
    print(f"freelance: serving {root}{' (read-only)' if read_only else ''} at\n  {url}\n"
          "(the token is kept in a cookie after the first visit; Ctrl-C stops)", flush=True)
    if open_browser:
        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            ssl_certfile=str(tls_cert) if tls else None, ssl_keyfile=str(tls_key) if tls else None)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
