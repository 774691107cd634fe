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


# -- --create-missing makes records that pass validate -----------------------------------

@pytest.fixture
def fresh(empty_book):
    assert run_cli("client", "add", "Acme", books=empty_book).exit_code == 0
    return empty_book


def test_create_missing_service_without_any_rate_is_refused_naming_the_options(fresh):
    before = snapshot(fresh)
    r = run_cli("income", "add", "500", "--client", "acme", "--service", "photo", "--create-missing",
                "--received", books=fresh)
    assert r.exit_code == 2, r.output
    assert r.stderr == (
        "freelance: error: --service: cannot create service 'photo': it would have no rate (none on its project, "
        "client or book); add it with `freelance service add \"Photo\" --id photo --client acme --rate RATE` first, "
        "or give client acme a rate (`freelance client edit acme --default-rate RATE`), "
        "or give the book one (`freelance settings set default_rate RATE`)\n")
    assert snapshot(fresh) == before


@pytest.mark.parametrize("rate_from", ["client", "book", "project"])
def test_create_missing_service_takes_the_rate_chain_and_validates(fresh, rate_from):
    if rate_from == "client":
        assert run_cli("client", "edit", "acme", "--default-rate", "80", books=fresh).exit_code == 0
    elif rate_from == "book":
        assert run_cli("settings", "set", "default_rate", "80", books=fresh).exit_code == 0
    else:
        assert run_cli("project", "add", "Shoot", "--client", "acme", "--rate", "80", books=fresh).exit_code == 0
    r = run_cli("income", "add", "500", "--client", "acme", "--project", "shoot", "--service", "photo",
                "--create-missing", "--received", books=fresh)
    assert r.exit_code == 0, r.output
    assert "created service 'photo' (not-started)" in r.stdout
    assert errors_of(fresh) == []
    s = j(run_cli("service", "show", "photo", "--format", "json", books=fresh))
    assert (s["client"], s["project"], s["effective_rate"]) == ("acme", "shoot", "80")


def test_project_add_creating_its_services_uses_the_projects_rate(fresh):
    r = run_cli("project", "add", "Site", "--client", "acme", "--service", "copy", "--create-missing", books=fresh)
    assert r.exit_code == 2 and "give the project one (--rate RATE)" in r.stderr
    r = run_cli("project", "add", "Site", "--client", "acme", "--rate", "90", "--service", "copy",
                "--create-missing", books=fresh)
    assert r.exit_code == 0, r.output
    assert errors_of(fresh) == []


def test_invoice_new_makes_the_next_number_for_the_incomes_client(fresh):
    assert run_cli("client", "edit", "acme", "--default-rate", "80", books=fresh).exit_code == 0
    assert run_cli("project", "add", "Shoot", "--client", "acme", books=fresh).exit_code == 0
    r = run_cli("income", "add", "500", "--date", "2026-11-20", "--client", "acme", "--invoice", "new",
                "--received", books=fresh)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "created invoice 'INV-2026-001' (draft)"
    # the client is taken from the project; the invoice is dated as the income
    r = run_cli("income", "add", "300", "--project", "shoot", "--invoice", "new", "--create-missing", books=fresh)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "created invoice 'INV-2026-002' (draft)"
    text = (fresh / "invoices.yaml").read_text()
    assert "- id: INV-2026-001\n  client: acme\n  issued: 2026-11-20\n  status: draft\n  amount: 500\n" in text
    assert "- id: INV-2026-002\n  client: acme\n  project: shoot\n  issued: 2026-11-25\n  status: draft\n  amount: 300\n" in text
    assert "invoice: new" not in (fresh / "transactions" / "2026.yaml").read_text()
    income = j(run_cli("income", "list", "--format", "json", books=fresh))
    assert [(t["client"], t["invoice"], t["classification"]) for t in income] == [
        ("acme", "INV-2026-001", "client"), ("acme", "INV-2026-002", "client")]
    assert errors_of(fresh) == []


def test_invoice_new_needs_a_client_and_links_on_income_link(cli):
    before = snapshot(cli.book)
    r = cli("income", "add", "200", "--invoice", "new")
    assert r.exit_code == 2 and "--invoice: cannot create invoice 'INV-2026-023' without a client: give --client" in r.stderr
    assert snapshot(cli.book) == before
    r = cli("income", "add", "200", "--classification", "client", "--received")
    tx = r.stdout.split("'")[1]
    r = cli("income", "link", tx, "--client", "globex", "--invoice", "new")
    assert r.exit_code == 0, r.output
    assert "created invoice 'INV-2026-023' (draft)" in r.stdout
    assert j(cli("income", "show", tx, "--format", "json"))["invoice"] == "INV-2026-023"
    assert j(cli("invoice", "show", "INV-2026-023", "--format", "json"))["client"] == "globex"
    assert errors_of(cli.book) == []
