"""`freelance serve`: the book's boards, records, forms and charts in a browser.

Nothing of the server (starlette, uvicorn, jinja2) is imported until the command
runs, so `freelance --help` stays as fast as before (tests/test_startup.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import state


def serve(ctx: typer.Context,
          port: Annotated[int, typer.Option("--port", metavar="PORT", help="The port to listen on (0: any free port).")] = 8765,
          host: Annotated[str, typer.Option("--host", metavar="HOST", help="The address to bind; other than loopback it needs "
                                                           "a --token of at least 128 bits and TLS (or --insecure), "
                                                           "and is visible to your network.")] = "127.0.0.1",
          token: Annotated[Optional[str], typer.Option("--token", metavar="TOKEN",
                                                       help="The access token (default: a new random one).")] = None,
          tls_cert: Annotated[Optional[Path], typer.Option("--tls-cert", metavar="FILE",
                                                           help="Serve HTTPS with this certificate (PEM; with --tls-key).")] = None,
          tls_key: Annotated[Optional[Path], typer.Option("--tls-key", metavar="FILE",
                                                          help="The certificate's private key (PEM).")] = None,
          insecure: Annotated[bool, typer.Option("--insecure", help="Beyond this machine, serve plain HTTP anyway "
                                                                    "(a network you trust: anyone on it can read the token).")] = False,
          open_: Annotated[bool, typer.Option("--open", help="Open the URL in the web browser.")] = False,
          read_only: Annotated[bool, typer.Option("--read-only", help="Refuse every change and draw no forms (to show "
                                                                      "the books, e.g. to an accountant).")] = False):
    """Serve the book in a browser: boards to drag, records, forms, finance, calendar.

    Every kind has its list, page and forms (time, transfers, balances included);
    /accounts and /bank import a statement (dry run first), match payments to
    invoices and reconcile each account; an invoice's page previews, downloads
    and sends its PDF; a timer and a search box are on every page.

    Binds 127.0.0.1 and prints the URL with its access token; every change goes
    through the same checks as the command line and is the same one-line diff.
    Beyond this machine (--host) it needs a long --token and a certificate (or
    --insecure); wrong tokens from one address are slowed down. Stop it with Ctrl-C.

    Example: freelance serve --port 8765 --open

    Example: freelance serve --host 192.168.1.5 --token "$(openssl rand -hex 20)" --tls-cert cert.pem --tls-key key.pem --read-only
    """
    from ..core.errors import UsageError
    st = state(ctx)
    if not 0 <= port <= 65535:
        raise UsageError(f"--port: expected 0 to 65535, got {port}")
    from ..serve import exposure_problem
    problem = exposure_problem(host, token, insecure, tls_cert is not None)
    if problem:
        raise UsageError(problem)
    from ..store.book import find_book
    root = find_book(st.books)
    from ..serve import run
    run(root, today=st.today_date() if st.today else None, host=host, port=port, token=token,
        read_only=read_only, open_browser=open_, cache=st.cache, insecure=insecure, tls_cert=tls_cert,
        tls_key=tls_key)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(serve)
    return typer.main.get_command(app)
