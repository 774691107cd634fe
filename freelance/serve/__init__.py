"""`freelance serve`: a face over the same book and the same door as the CLI.

    browser -> security (host, token cookie, CSRF on every POST) -> a page (read side)
            -> or a change: version check, then one door call (changes.door)

`app.make_app` builds the Starlette application; `run` starts uvicorn on it. Pages
are Jinja2 templates (autoescaped) with one static script for drag and drop and no
inline script (strict Content-Security-Policy). See docs/serve.md.
"""
from __future__ import annotations

import datetime as dt
import secrets
import sys
from pathlib import Path


def url_of(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def run(root: Path, *, today: dt.date | None = None, host: str = "127.0.0.1", port: int = 8765,
        token: str | None = None, read_only: bool = False, open_browser: bool = False, cache: bool = True) -> None:
    """Serve the book at `root` until interrupted; prints the URL with its token."""
    import socket

    import uvicorn

    from .app import make_app
    from ..core.errors import UsageError
    loopback = host in ("127.0.0.1", "localhost", "::1")
    token = token or secrets.token_urlsafe(24)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror}); "
                         "try another --port, or --port 0 for any free one") from None
    port = sock.getsockname()[1]
    app = make_app(root, today=today, host=host, port=port, token=token, read_only=read_only, cache=cache)
    url = url_of(host, port, token)
    if not loopback:
        print(f"freelance: warning: serving on {host}, beyond this machine: anyone who can reach it "
              "and has the token can read and change the book", file=sys.stderr)
    print(f"freelance: serving {root}{' (read-only)' if read_only else ''} at\n  {url}\n"
          "(the token is kept in a cookie after the first visit; Ctrl-C stops)", flush=True)
    if open_browser:
        import webbrowser
        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
