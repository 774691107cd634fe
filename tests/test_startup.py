"""`freelance --help` imports only what it uses (SPEC section 7; timing is the benchmark's job)."""
import re

from conftest import run_proc

HEAVY = {"ruamel", "tabulate", "dateutil", "yaml", "_yaml", "pydantic", "filelock"}


def imported(*args):
    p = run_proc(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})   # same as python -X importtime
    assert p.returncode == 0, p.stderr[-2000:]
    return {m.group(1).strip() for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|(.*)$", p.stderr, re.M)}


def test_help_imports_nothing_heavy():
    mods = imported("--help")
    assert "freelance.cli" in mods
    assert sorted(m for m in mods if m.split(".")[0] in HEAVY) == []
    # nor the book machinery: --help lists the nouns without importing them
    assert sorted(m for m in mods if m.startswith("freelance.") and m != "freelance.cli") == []


import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

from conftest import ROOT  # noqa: E402

HEAVY_TOO = ("yaml", "ruamel", "tabulate", "dateutil", "freelance.store", "freelance.store.book",
             "freelance.store.cache", "freelance.changes", "freelance.read.graph")


def test_help_shows_global_options_and_imports_no_book_machinery():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "freelance", "--help"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0 and "--no-cache" in p.stdout and "demo" in p.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in p.stderr.splitlines() if "|" in line}
    assert "typer" in imported                       # the measurement saw the imports
    assert [m for m in imported if m.split(".")[0] in HEAVY_TOO or m in HEAVY_TOO] == []


def test_no_module_imports_click():
    """typer 0.29 vendors click (typer._click) and does not install it: `pip install .` has no
    `click`, so importing it breaks the command on a fresh machine. The test extras bring click
    in (khal needs it), which is why only this check can see it."""
    offenders = []
    for path in sorted((ROOT / "freelance").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"^\s*(?:import click\b|from click\b)", text, re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_noun_runs_without_click_installed(tmp_path):
    """The same, end to end: every noun's --help with `click` made unimportable.

    One process runs every noun in turn, as `freelance NOUN --help` would (each noun's module is
    loaded on first use), so a noun that needs click fails here; one process instead of one per
    noun keeps the suite fast."""
    from freelance.cli import NOUNS
    blocker = tmp_path / "click.py"
    blocker.write_text("raise ImportError('click is not installed here')\n")
    script = (
        "import sys\n"
        "from freelance.cli import command\n"
        "failed = []\n"
        "for noun in sys.argv[1:]:\n"
        "    try:\n"
        "        command().main(args=[noun, '--help'], prog_name='freelance')\n"
        "    except SystemExit as e:\n"
        "        if e.code not in (0, None):\n"
        "            failed.append((noun, e.code))\n"
        "    except Exception as e:\n"
        "        failed.append((noun, repr(e)))\n"
        "print('FAILED', failed, file=sys.stderr)\n"
        "sys.exit(1 if failed else 0)\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "TYPER_USE_RICH": "0"}
    p = subprocess.run([sys.executable, "-c", script, *NOUNS], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "click is not installed" not in p.stderr
    for noun in NOUNS:                       # each noun's help was really drawn
        assert f"freelance {noun}" in p.stdout, noun