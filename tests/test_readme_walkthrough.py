"""The README's walk-through runs as written, in order, on a new book (issue 13).

Every ```sh block from "Getting started" on is run, in order, by one bash
(so `cd ~/books` carries over) in a temporary HOME, with `freelance` on
PATH running this checkout; each command must exit 0 (`set -e`, and a
trap names the one that did not). Then the book must validate.

Each `freelance` there is `python -m freelance` forked from one process that imported the
package once (tests/forkserver.py; the worker's, conftest.FORKED's): the same entry point, arguments, folder, environment,
streams and exit code, without ~190 start-ups (0.3 s each); start-up itself is tested by
tests/test_startup.py and the hostile tests, which start real processes."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal

from conftest import ROOT, TODAY, _forkserver, run_cli

README = ROOT / "README.md"
FORKSERVER = ROOT / "tests" / "forkserver.py"


def walkthrough_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Getting started")
    return re.findall(r"^```sh\n(.*?)^```", text[start:], flags=re.S | re.M)


def test_the_walkthrough_has_the_sections_a_new_user_follows():
    blocks = walkthrough_blocks()
    joined = "\n".join(blocks)
    assert blocks[0].startswith("freelance init ~/books")
    for needle in ("freelance project add", "freelance contact add", "freelance invoice add", "freelance income add"):
        assert needle in joined


def test_readme_walkthrough_runs_in_order_on_a_new_book(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "freelance"   # each command a fork of one process that imported the package once
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -S -I {FORKSERVER} "$@"\n')
    shim.chmod(0o755)
    prelude = ["set -eE -o pipefail",
               'trap \'echo "README command failed (exit $?): $BASH_COMMAND" >&2\' ERR']
    for tool in ("hledger", "bean-check"):     # the peers the README pipes into, when not installed here
        if shutil.which(tool) is None:
            prelude.append(f'{tool}() {{ echo "({tool} not installed: skipped)"; }}')
    script = "\n".join(prelude) + "\n" + "\n".join(walkthrough_blocks()) + "\nfreelance validate\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FREELANCE_", "GIT_"))}
    env.update(HOME=str(home), PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(ROOT),
               FREELANCE_TODAY=TODAY, TYPER_USE_RICH="0")
    # this worker's fork server (conftest.FORKED's): each command brings its own folder,
    # environment (this HOME, FREELANCE_TODAY) and streams, so one warmed process serves all
    env["FL_FORKSERVER"] = _forkserver()
    r = subprocess.run(["bash", "-c", script], cwd=home, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"stdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}"
    assert "Traceback" not in r.stderr
    assert (home / "books" / "freelance.yaml").is_file()
    assert r.stderr.rstrip().endswith("ok: no problems"), r.stderr[-3000:]
    _nothing_owed_everywhere(home / "books")


def _nothing_owed_everywhere(book):
    """The README's "What is still owed": the invoice paid net of a bank fee, the one paid net
    of its credit note (and that credit note) and the one written off owe nothing on any face."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## What is still owed"):]
    block = re.search(r"^```sh\n(.*?)^```", section, flags=re.S | re.M).group(1)
    paid = list(dict.fromkeys(re.findall(r"--invoice (INV-\S+)", block) + re.findall(r"settle (INV-\S+)", block)))
    notes = re.findall(r"credit (INV-\S+)", block)
    assert len(paid) == 3 and notes, block

    def js(*args):
        r = run_cli(*args, "--format", "json", books=book, today=TODAY)
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)
    listed = {row["id"]: row for row in js("invoice", "list")}
    note = next(row for row in listed.values() if row.get("credit_for") in notes)
    for number in paid + [note["id"]]:
        shown = js("invoice", "show", number)
        assert (shown["balance"], shown["overdue"], shown["settled"]) == ("0.00", False, True), shown
        assert listed[number]["balance"] == "0.00"
    assert all(js("invoice", "show", n)["status"] == "paid" for n in paid)
    report = js("report", "invoices")
    named = json.dumps(report["aging"]) + json.dumps(report["alerts"])
    assert not any(n in named for n in paid + [note["id"]]), named
    lines = js("client", "statement", listed[paid[0]]["client"])["lines"]
    for number in paid:       # each invoice's lines (its credit notes') on the client's statement add up to nothing
        mine = {number} | {n for n, row in listed.items() if row.get("credit_for") == number}
        assert sum(Decimal(x["amount"]) for x in lines if x["invoice"] in mine and x["amount"]) == 0, number
