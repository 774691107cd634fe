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
