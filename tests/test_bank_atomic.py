"""A bank import is all-or-nothing under a kill (issue 23): its records, the invoice it pays
and the closing balance land together or not at all, and the next command leaves no `.tmp`.

A real `freelance bank import` runs in a subprocess whose `os.replace` (the stdlib's, not
ours) sends the process SIGKILL at a chosen point: after the first of the book's file
renames, or while the group is still being staged."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

TODAY = "2026-11-25"
RULES = 'date_format: "%Y-%m-%d"\ncolumns: {date: 1, payee: 2, reference: 3, amount: 4, balance: 5}\n'
CSV = ("Date,Payee,Reference,Amount,Balance\n"
       "2026-11-03,ACME GmbH,INV-2026-001,1200.00,1200.00\n"
       "2026-11-04,Cafe,,-3.50,1196.50\n")

# after the n-th rename of a book file (or the journal's switch to "renaming", n=0): SIGKILL
KILLER = """
import os, signal, sys
real, n, book, at = os.replace, [0], os.path.realpath(sys.argv[1]), int(sys.argv[2])
def replace(src, dst, *a, **k):
    dst_ = os.path.realpath(str(dst))
    if at == 0 and dst_.endswith(os.sep + "commit") and "renaming" in open(src).read():
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst, *a, **k)
    if dst_.startswith(book + os.sep) and dst_.endswith(".yaml"):
        n[0] += 1
        if n[0] == at:
            os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
sys.argv = ["freelance"] + sys.argv[3:]
from freelance.cli import main
main()
"""


@pytest.fixture
def book(empty_book) -> Path:
    s = (empty_book / "freelance.yaml").read_text(encoding="utf-8").replace("currency: USD", "currency: EUR")
    (empty_book / "freelance.yaml").write_text(s, encoding="utf-8")
    for args in (("client", "add", "ACME GmbH", "--stage", "client"),
                 ("invoice", "add", "--client", "acme-gmbh", "--amount", "1200", "--issued", "2026-10-01",
                  "--status", "sent")):
        assert run_cli(*args, books=empty_book, today=TODAY).exit_code == 0
    (empty_book / "bank-rules").mkdir()
    (empty_book / "bank-rules" / "giro.yaml").write_text(RULES, encoding="utf-8")
    return empty_book


def killed_import(book: Path, statement: Path, at: int) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-c", KILLER, str(book), str(at), "--books", str(book), "--today",
                           TODAY, "bank", "import", str(statement), "--account", "bank"],
                          env=env, capture_output=True, text=True, timeout=60)


def state(book: Path) -> tuple:
    inv = json.loads(run_cli("invoice", "list", "--format", "json", books=book, today=TODAY).stdout)
    txs = json.loads(run_cli("income", "list", "--format", "json", books=book, today=TODAY).stdout)
    bal = (book / "balances.yaml").read_text(encoding="utf-8") if (book / "balances.yaml").exists() else ""
    return [i["status"] for i in inv], len(txs), "1196.50" in bal


def leftovers(book: Path) -> list[str]:
    return sorted(str(p.relative_to(book)) for p in book.rglob("*")
                  if p.name.endswith(".tmp") or p.name == "commit")


def test_killed_between_renames_the_next_command_finishes_the_import(book, tmp_path):
    statement = tmp_path / "nov.csv"
    statement.write_text(CSV, encoding="utf-8")
    p = killed_import(book, statement, 1)
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert leftovers(book), "the kill came mid-group: its journal and temporary files are there"
    # the next command, whatever it is, completes the group before it reads anything
    assert state(book) == (["paid"], 1, True)
    assert leftovers(book) == []
    r = run_cli("validate", books=book, today=TODAY)
    assert r.exit_code == 0, r.output
    again = run_cli("bank", "import", statement, "--account", "bank", books=book, today=TODAY)
    assert "0 added, 0 updated, 2 skipped as duplicates" in again.stdout, again.output


def test_killed_while_staging_the_next_command_finds_the_book_as_it_was(book, tmp_path):
    statement = tmp_path / "nov.csv"
    statement.write_text(CSV, encoding="utf-8")
    before = {p: p.read_bytes() for p in book.rglob("*.yaml")}
    p = killed_import(book, statement, 0)
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert state(book) == (["sent"], 0, False)
    assert leftovers(book) == []
    assert {p: p.read_bytes() for p in book.rglob("*.yaml")} == before
    r = run_cli("bank", "import", statement, "--account", "bank", books=book, today=TODAY)
    assert r.exit_code == 0 and "2 added" in r.stdout, r.output
    assert state(book) == (["paid"], 1, True)


def test_a_planted_journal_cannot_move_files_outside_the_book(book, tmp_path):
    outside = tmp_path / "victim.txt"
    outside.write_text("mine", encoding="utf-8")
    planted = tmp_path / ".victim.txt.0123456789abcdef.tmp"
    planted.write_text("theirs", encoding="utf-8")
    (book / ".freelance").mkdir(exist_ok=True)
    (book / ".freelance" / "commit").write_text(json.dumps(
        {"state": "renaming", "files": [["../.victim.txt.0123456789abcdef.tmp", "../victim.txt"]]}), encoding="utf-8")
    assert run_cli("invoice", "list", books=book, today=TODAY).exit_code == 0
    assert outside.read_text(encoding="utf-8") == "mine" and planted.exists()
    assert not (book / ".freelance" / "commit").exists()
