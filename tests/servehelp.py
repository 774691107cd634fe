"""A live `freelance serve` app on a free loopback port, in a thread of the test process,
over a copy of a book (the browser tests and the HTTP tests share it)."""
from __future__ import annotations

import datetime as dt
import socket
import subprocess
import threading
import time
from pathlib import Path

TOKEN = "test-token-0123456789"


class Live:
    def __init__(self, book: Path, today: str = "2026-11-25", read_only: bool = False):
        import uvicorn

        from freelance.serve.app import make_app
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)   # as `freelance serve`: no Nagle
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self.book = book
        self.base = f"http://127.0.0.1:{self.port}"
        app = make_app(book, today=dt.date.fromisoformat(today), port=self.port, token=TOKEN, read_only=read_only)
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        deadline = time.time() + 10
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.02)

    def url(self, path: str = "/") -> str:
        return self.base + path

    def client(self):
        """An httpx client that has visited the token URL (so it holds the cookie)."""
        import httpx
        c = httpx.Client(base_url=self.base, follow_redirects=False, timeout=10)
        r = c.get(f"/?token={TOKEN}")
        assert r.status_code == 303, r.text
        return c

    def stop(self):
        """Ask the server to stop and go on: uvicorn notices within its 0.1 s tick and then
        sleeps 0.1 s more while connections close; a test waited ~0.15 s for that, ~85 times a
        run, for nothing it checks (the book is written by requests, all answered by now). The
        thread is a daemon: whatever is still stopping at the end is gone with the process."""
        self.server.should_exit = True


def git_diff_numstat(book: Path) -> list[str]:
    p = subprocess.run(["git", "diff", "--numstat"], cwd=book, capture_output=True, text=True, check=True)
    return p.stdout.splitlines()


def git_diff(book: Path) -> str:
    return subprocess.run(["git", "diff", "-U0"], cwd=book, capture_output=True, text=True, check=True).stdout
