"""`--help` stays cheap: it must not import the YAML libraries, tabulate or dateutil (SPEC section 7)."""
import os
import subprocess
import sys

from conftest import ROOT

HEAVY = ("yaml", "ruamel", "tabulate", "dateutil", "freelance.book", "freelance.cache")


def test_help_imports_nothing_heavy():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "freelance", "--help"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0 and "--no-cache" in p.stdout and "demo" in p.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in p.stderr.splitlines() if "|" in line}
    assert "typer" in imported                       # the measurement saw the imports
    assert [m for m in imported if m.split(".")[0] in HEAVY or m in HEAVY] == []
