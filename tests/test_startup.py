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
    """The same, end to end: every noun's --help with `click` made unimportable."""
    from freelance.cli import NOUNS
    blocker = tmp_path / "click.py"
    blocker.write_text("raise ImportError('click is not installed here')\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "TYPER_USE_RICH": "0"}
    for noun in NOUNS:
        p = subprocess.run([sys.executable, "-m", "freelance", noun, "--help"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, (noun, p.stderr[-1500:])
