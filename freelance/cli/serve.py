"""`freelance serve`: the book's boards, records, forms and charts in a browser.

Nothing of the server (starlette, uvicorn, jinja2) is imported until the command
runs, so `freelance --help` stays as fast as before (tests/test_startup.py).
"""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import state

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(ctx: typer.Context,
          port: Annotated[int, typer.Option("--port", metavar="PORT", help="The port to listen on (0: any free port).")] = 8765,
          host: Annotated[str, typer.Option("--host", metavar="HOST", help="The address to bind; other than loopback it needs "
                                                           "--token and is visible to your network.")] = "127.0.0.1",
          token: Annotated[Optional[str], typer.Option("--token", metavar="TOKEN",
                                                       help="The access token (default: a new random one).")] = None,
          open_: Annotated[bool, typer.Option("--open", help="Open the URL in the web browser.")] = False,
          read_only: Annotated[bool, typer.Option("--read-only", help="Refuse every change (to show the books, "
                                                                      "e.g. to an accountant).")] = False):
    """Serve the book in a browser: boards to drag, records, forms, finance, calendar.

    Binds 127.0.0.1 and prints the URL with its access token; every change goes
    through the same checks as the command line and is the same one-line diff.
    Stop it with Ctrl-C.

    Example: freelance serve --port 8765 --open
    """
    from ..core.errors import UsageError
    st = state(ctx)
    if host not in LOOPBACK and not token:
        raise UsageError(f"--host {host}: serving beyond this machine needs an explicit --token "
                         "(long and random; anyone on the network who has it can change the book)")
    if token is not None and len(token) < 8:
        raise UsageError("--token: use at least 8 characters")
    if not 0 <= port <= 65535:
        raise UsageError(f"--port: expected 0 to 65535, got {port}")
    from ..store.book import find_book
    root = find_book(st.books)
    from ..serve import run
    run(root, today=st.today_date() if st.today else None, host=host, port=port, token=token,
        read_only=read_only, open_browser=open_, cache=st.cache)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(serve)
    return typer.main.get_command(app)
