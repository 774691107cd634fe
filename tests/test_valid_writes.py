"""Writes that leave the book valid (issue 13): what `--create-missing` makes passes
`validate`, `contact import` keeps what it knows, a project's services are one link,
and `init` does not nest a book inside another."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import run_cli


def j(r):
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def snapshot(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".freelance" not in p.parts and ".git" not in p.parts}


def errors_of(book) -> list[str]:
    r = run_cli("validate", books=book)
    return [x for x in r.stdout.splitlines() if ": error: " in x]


# -- init inside a book ------------------------------------------------------------------

def test_init_inside_a_book_is_refused_unless_force(tmp_path):
    outer = tmp_path / "books"
    assert run_cli("init", outer, "--currency", "EUR").exit_code == 0
    before = snapshot(outer)
    for inner in (outer / "clients", outer / "a" / "b"):
        r = run_cli("init", inner, "--currency", "EUR")
        assert r.exit_code == 2, r.output
        assert r.stderr == (f"freelance: error: {inner}: inside the book in {outer.resolve()}; a book inside a book "
                            "breaks the outer one's `validate` and git: choose a folder outside it, or use --force\n")
        assert not inner.exists() and snapshot(outer) == before
    r = run_cli("init", outer / "sub", "--no-git", "--force")
    assert r.exit_code == 0, r.output
    assert (outer / "sub" / "freelance.yaml").is_file()
    # a book next to another is fine without --force
    assert run_cli("init", tmp_path / "other", "--no-git").exit_code == 0


def test_init_in_a_subfolder_by_default_dir_is_refused_too(tmp_path):
    outer = tmp_path / "books"
    assert run_cli("init", outer, "--no-git").exit_code == 0
    (outer / "notes").mkdir()
    r = run_cli("init", cwd=outer / "notes")
    assert r.exit_code == 2 and "inside the book in" in r.stderr
    assert not (outer / "notes" / "freelance.yaml").exists()
