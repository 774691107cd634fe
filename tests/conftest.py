"""Shared fixtures: a copy of the demo book in a temporary folder, and the real CLI.

Tests drive the real `freelance` command (typer's CliRunner on the same
app the console script runs) on real files, and check the output
and the files on disk.
"""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

os.environ["TYPER_USE_RICH"] = "0"  # as the console script runs: plain help and errors


def _in_memory_temp() -> None:
    """The tests' books (tmp_path, and every temporary file of the processes they start) go to
    the machine's tmpfs when it has a roomy one and TMPDIR does not say otherwise. Every write
    of the book is fsynced (store/atomic.py): on a disk that is 20-70 ms of waiting per write,
    thousands of times in the suite, with the cores idle; on tmpfs fsync returns at once. What
    the tests check (the bytes, the renames, the locks) is the same on either."""
    shm = "/dev/shm"
    if os.environ.get("TMPDIR") or not os.path.isdir(shm) or not os.access(shm, os.W_OK | os.X_OK):
        return
    st = os.statvfs(shm)
    if st.f_bavail * st.f_frsize < 2 << 30:      # a full run writes ~250 MB; pytest keeps the last three
        return
    os.environ["TMPDIR"] = shm
    tempfile.tempdir = None                      # gettempdir() reads TMPDIR again


_in_memory_temp()


def _keep_bytecode() -> None:
    """The processes the suite starts (xdist's workers, the fork servers, every `python -m
    freelance`) keep Python's bytecode even where PYTHONDONTWRITEBYTECODE is set, as on our
    machines: without it each worker compiles the package and re-does pytest's assertion
    rewrite of hypothesis's ~90 modules (5 s of CPU a worker to collect instead of 1.7 s), and
    each new `python -m freelance` compiles what it imports. The files go to __pycache__
    beside the sources (ignored by git); no book is touched."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


_keep_bytecode()
# The parse cache and the user's config live in the user's folders (docs/cache-trust.md): the
# suite (and every process it starts, which inherits this environment) uses its own, never ~/.cache.
_HOME = tempfile.mkdtemp(prefix="freelance-tests-")
os.environ["XDG_CACHE_HOME"] = os.path.join(_HOME, "cache")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
atexit.register(shutil.rmtree, _HOME, True)
from typer.testing import CliRunner  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"
TODAY = "2026-11-25"   # the demo book's "today" in every golden file


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="Rewrite tests/golden/* from the current output (review the diff!).")


# The longest modules start first: pytest-xdist hands tests out in collection order, so a
# module of a minute collected last would run alone at the end while the other worker idles.
RUN_FIRST = ("tests/test_readme_walkthrough.py", "tests/test_serve_browser.py", "tests/hostile/test_cache_trust.py",
             "tests/test_run_simulation.py", "tests/test_documents.py")


# Modules whose run_proc needs a process of its own (its files, locks, exit code, streams,
# environment, folder) but does not test start-up: their commands are forked from one warmed
# process (tests/forkserver.py). Tests of start-up, terminals, encodings and signals start Python.
FORKED = ("tests/hostile/test_cache_trust.py", "tests/hostile/test_book_paths.py", "tests/hostile/test_out_paths.py",
          "tests/test_locate.py", "tests/test_init.py", "tests/test_writes.py", "tests/hostile/test_ownership.py",
          "tests/test_recurring.py", "tests/test_perf_levers.py", "tests/hostile/test_documents_reach.py",
          "tests/hostile/test_output_controls.py", "tests/test_sync.py", "tests/test_history.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.split("::")[0] in FORKED:
            item.add_marker(pytest.mark.forkserver)

    def rank(item):
        path = item.nodeid.split("::")[0]
        return RUN_FIRST.index(path) if path in RUN_FIRST else len(RUN_FIRST)
    items.sort(key=rank)    # stable: each module keeps its own order


@pytest.fixture
def update_goldens(request):
    return request.config.getoption("--update-goldens")


class Result:
    def __init__(self, exit_code, stdout, stderr):
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr
        self.output = stdout + stderr

    def __repr__(self):
        return f"<Result {self.exit_code} stdout={self.stdout!r} stderr={self.stderr!r}>"


def run_cli(*args, books=None, today=TODAY, env=None, cwd=None) -> Result:
    """Run `freelance [--books B] [--today T] ARGS...` in-process, as a user would."""
    from freelance.cli import app
    argv = []
    if books is not None:
        argv += ["--books", str(books)]
    if today is not None:
        argv += ["--today", today]
    argv += [str(a) for a in args]
    runner = CliRunner()
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        r = runner.invoke(app, argv, env={"FREELANCE_BOOKS": None, "FREELANCE_TODAY": None, **(env or {})},
                          catch_exceptions=False)
    finally:
        os.chdir(old)
    return Result(r.exit_code, r.stdout, r.stderr)


FORKSERVER = ROOT / "tests" / "forkserver.py"
_fork = {"marked": False, "socket": None}


_fork_lock = threading.Lock()


def _forkserver() -> str:
    """This worker's fork server (tests/forkserver.py), started on first use (by one thread: a
    test's threads may all ask at once)."""
    with _fork_lock:
        return _fork["socket"] or _start_forkserver()


def _start_forkserver() -> str:
    path = os.path.join(_HOME, f"fork-{os.getpid()}.sock")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen([sys.executable, str(FORKSERVER), "serve", path], env=env, cwd=_HOME,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready", "the fork server did not start"
    atexit.register(lambda: (proc.kill(), proc.wait()))
    _fork["socket"] = path
    return path


def pytest_configure(config):
    config.addinivalue_line("markers", "forkserver: run_proc forks each command from one warmed process "
                            "(tests/forkserver.py) instead of starting Python; not for tests of start-up")


@pytest.fixture(autouse=True)
def _run_proc_mode(request):
    _fork["marked"] = request.node.get_closest_marker("forkserver") is not None
    yield
    _fork["marked"] = False


def run_proc(*args, cwd=None, env=None, input=None, timeout=60) -> subprocess.CompletedProcess:
    """Run `python -m freelance ARGS` in a process of its own (no terminal): a real start-up, or,
    in a module marked `forkserver`, a fork of one process that already imported the package."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}
    e["PYTHONPATH"] = str(ROOT)  # this checkout's package, wherever the process runs
    e.update(env or {})
    if _fork["marked"]:
        e["FL_FORKSERVER"] = _forkserver()
        cmd = [sys.executable, "-S", "-I", str(FORKSERVER)]
    else:
        cmd = [sys.executable, "-m", "freelance"]
    return subprocess.run([*cmd, *map(str, args)], cwd=cwd, env=e,
                          capture_output=True, text=True, input=input, timeout=timeout)


def git_commit_all(book: Path) -> None:
    """Make `book` a git repository with everything committed (to check diffs after a command)."""
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"]):
        subprocess.run(["git", *args], cwd=book, check=True, capture_output=True)


@pytest.fixture
def demo(tmp_path) -> Path:
    """A fresh copy of the demo book."""
    dst = tmp_path / "book"
    shutil.copytree(DEMO, dst, ignore=shutil.ignore_patterns(".freelance"))
    return dst


@pytest.fixture
def cli(demo):
    """`cli("client", "list")` runs against the demo copy with --today fixed."""
    def _run(*args, today=TODAY, **kw):
        return run_cli(*args, books=demo, today=today, **kw)
    _run.book = demo
    return _run


_PREPARED: dict[str, Path] = {}


def prepared(name: str, build, dst: Path) -> Path:
    """A copy at `dst` of the book `build(root)` makes: built by the CLI once per worker, then
    copied (bytes, modes and times) for each test that asks, instead of each test running the
    same twenty commands again. A command that fails while building fails the first test that
    asks; the copy has no cache entries (they are kept by the book's path, outside it)."""
    src = _PREPARED.get(name)
    if src is None:
        src = Path(tempfile.mkdtemp(prefix=f"prepared-{name}-", dir=_HOME)) / "book"
        build(src)
        _PREPARED[name] = src
    shutil.copytree(src, dst, symlinks=True)
    return dst


@pytest.fixture
def empty_book(tmp_path) -> Path:
    """A new book made by `freelance init --no-git`."""
    root = tmp_path / "empty"
    r = run_cli("init", root, "--no-git", today=None)
    assert r.exit_code == 0, r.output
    return root


def check_golden(name: str, text: str, update: bool):
    path = GOLDEN / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run `pytest --update-goldens` and review the diff"
    assert text == path.read_text(encoding="utf-8"), (
        f"output differs from {path.relative_to(ROOT)}; if intended, run `pytest --update-goldens` and review the diff")


def forced_ahead(monkeypatch) -> list:
    """Make `store/parallel.ahead` fork its worker for any size (AHEAD_MIN 1), as it does from
    20,000 records: the list it returns gets a 1 per fork."""
    from freelance.store import parallel
    forks: list = []
    real_fork = os.fork

    def counted():
        forks.append(1)
        return real_fork()
    monkeypatch.setattr(parallel, "AHEAD_MIN", 1)
    monkeypatch.setattr(os, "fork", counted)
    return forks


ONE_FORK = [1] if (os.cpu_count() or 1) > 1 else []     # what `forced_ahead` counts for one worker (none on one core)
