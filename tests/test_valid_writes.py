"""Writes that leave the book valid (issue 13): what `--create-missing` makes passes
`validate`, `contact import` keeps what it knows, a project's services are one link,
and `init` does not nest a book inside another."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import run_cli
from drafts import draft


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


def test_invoice_new_makes_a_draft_for_the_incomes_client(fresh):
    assert run_cli("client", "edit", "acme", "--default-rate", "80", books=fresh).exit_code == 0
    assert run_cli("project", "add", "Shoot", "--client", "acme", books=fresh).exit_code == 0
    r = run_cli("income", "add", "500", "--date", "2026-11-20", "--client", "acme", "--invoice", "new",
                "--received", books=fresh)
    assert r.exit_code == 0, r.output
    one = draft(r.stdout)
    assert r.stdout.splitlines()[0] == f"created invoice '{one}' (draft)" and one.startswith("draft-20261120-")
    # the client is taken from the project; the invoice is dated as the income
    r = run_cli("income", "add", "300", "--project", "shoot", "--invoice", "new", "--create-missing", books=fresh)
    assert r.exit_code == 0, r.output
    two = draft(r.stdout)
    assert r.stdout.splitlines()[0] == f"created invoice '{two}' (draft)"
    text = (fresh / "invoices.yaml").read_text()
    assert f"- id: {one}\n  client: acme\n  issued: 2026-11-20\n  status: draft\n  amount: 500\n" in text
    assert f"- id: {two}\n  client: acme\n  project: shoot\n  issued: 2026-11-25\n  status: draft\n  amount: 300\n" in text
    assert "invoice: new" not in (fresh / "transactions" / "2026.yaml").read_text()
    income = j(run_cli("income", "list", "--format", "json", books=fresh))
    assert [(t["client"], t["invoice"], t["classification"]) for t in income] == [
        ("acme", two, "client"), ("acme", one, "client")]      # newest first
    assert errors_of(fresh) == []


def test_invoice_new_needs_a_client_and_links_on_income_link(cli):
    before = snapshot(cli.book)
    r = cli("income", "add", "200", "--invoice", "new")
    assert r.exit_code == 2 and "--invoice: cannot create invoice 'draft-20261125-" in r.stderr
    assert "without a client: give --client" in r.stderr
    assert snapshot(cli.book) == before
    r = cli("income", "add", "200", "--classification", "client", "--received")
    tx = r.stdout.split("'")[1]
    r = cli("income", "link", tx, "--client", "globex", "--invoice", "new")
    assert r.exit_code == 0, r.output
    rid = draft(r.stdout)
    assert f"created invoice '{rid}' (draft)" in r.stdout
    assert j(cli("income", "show", tx, "--format", "json"))["invoice"] == rid
    assert j(cli("invoice", "show", rid, "--format", "json"))["client"] == "globex"
    assert errors_of(cli.book) == []


# -- a project's services are one link ------------------------------------------------------

SITE = {
    "projects.yaml": "- id: site\n  name: Site\n  client: acme\n  services: [design]\n"
                     "- id: shop\n  name: Shop\n  client: acme\n",
    "services.yaml": "- id: design\n  name: Design\n  client: acme\n  rate: 90\n"
                     "- id: copy\n  name: Copy\n  client: acme\n  project: site\n  rate: 80\n"
                     "- id: spare\n  name: Spare\n  client: acme\n  rate: 70\n",
}


@pytest.fixture
def site(empty_book):
    assert run_cli("client", "add", "Acme", books=empty_book).exit_code == 0
    for rel, text in SITE.items():
        with open(empty_book / rel, "a") as fh:
            fh.write(text)
    subprocess.run(["git", "init", "-q"], cwd=empty_book, check=True)
    subprocess.run(["git", "add", "-A"], cwd=empty_book, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"], cwd=empty_book, check=True)
    return empty_book


def diff(book) -> list[str]:
    out = subprocess.run(["git", "diff", "-U0"], cwd=book, capture_output=True, text=True).stdout
    return [x for x in out.splitlines() if x[:1] in "+-" and x[:3] not in ("+++", "---")]


def test_a_service_naming_the_project_is_one_that_show_log_and_validate_agree_on(site):
    shown = j(run_cli("project", "show", "site", "--format", "json", books=site))
    assert [r["service"] for r in shown["hours_by_service"]] == ["design", "copy"]
    r = run_cli("project", "log", "site", "2", "--service", "copy", "--date", "2026-11-20", books=site)
    assert r.exit_code == 0, r.output
    r = run_cli("project", "log", "site", "2", "--service", "spare", "--date", "2026-11-20", books=site)
    assert r.exit_code == 2
    assert "--service: 'spare' is not one of project site's services (design, copy)" in r.stderr
    assert errors_of(site) == []
    assert j(run_cli("service", "show", "design", "--format", "json", books=site))["rate_source"] == "service design"


def test_project_edit_service_does_not_replace_the_list(site):
    r = run_cli("project", "edit", "site", "--service", "spare", books=site)
    assert r.exit_code == 2
    assert r.stderr == ("freelance: error: --service: on edit it would replace the project's services (design); "
                        "use --add-service ID or --rm-service ID (repeat them)\n")
    assert diff(site) == []


def test_add_and_rm_service_change_one_link_and_say_so(site):
    r = run_cli("project", "edit", "site", "--add-service", "spare", books=site)
    assert r.exit_code == 0, r.output
    assert r.stdout == "changed project 'site': services\nadded service 'spare' to project 'site'\n"
    assert diff(site) == ["-  services: [design]", "+  services: [design, spare]"]
    # a service naming the project is removed from both sides
    r = run_cli("project", "edit", "site", "--rm-service", "copy", "--rm-service", "design", books=site)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "changed project 'site': services", "removed service 'copy' from project 'site' (and its project link)",
        "removed service 'design' from project 'site'"]
    assert diff(site) == ["-  services: [design]", "+  services: [spare]", "-  project: site"]
    assert errors_of(site) == []


@pytest.mark.parametrize("args, message", [
    (("project", "edit", "shop", "--add-service", "copy"),
     "--add-service: service copy belongs to project site; a service belongs to one project: "
     "move it with `freelance service edit copy --project shop`"),
    (("project", "edit", "shop", "--add-service", "desing"), "--add-service: no service 'desing' (did you mean 'design'?)"),
    (("project", "edit", "shop", "--rm-service", "design"), "--rm-service: 'design' is not one of project shop's services "
     "(it has none)"),
    (("project", "add", "Other", "--client", "acme", "--service", "design"),
     "--service: service design belongs to project site; a service belongs to one project: "
     "move it with `freelance service edit design --project other`"),
])
def test_a_link_is_never_dropped_silently(site, args, message):
    r = run_cli(*args, books=site)
    assert r.exit_code == 2 and message in r.stderr, r.output
    assert diff(site) == []


def test_rm_service_with_booked_hours_is_refused(site):
    assert run_cli("project", "log", "site", "1", "--service", "design", "--date", "2026-11-20", books=site).exit_code == 0
    subprocess.run(["git", "add", "-A"], cwd=site, check=True)
    r = run_cli("project", "edit", "site", "--rm-service", "design", books=site)
    assert r.exit_code == 2 and "1 time entry is booked to service design on project site" in r.stderr
    r = run_cli("service", "edit", "design", "--project", "shop", books=site)
    assert r.exit_code == 2 and "1 time entry is booked to service design on project site" in r.stderr
    assert diff(site) == []


def test_moving_a_service_takes_it_off_the_old_projects_list(site):
    r = run_cli("service", "edit", "design", "--project", "shop", books=site)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["changed service 'design': project",
                                     "removed service 'design' from project 'site' (its services: none left)"]
    assert diff(site) == ["-  services: [design]", "+  project: shop"]
    assert errors_of(site) == []


def test_validate_names_a_listing_that_disagrees_with_the_service(site):
    with open(site / "projects.yaml", "a") as fh:
        fh.write("- id: third\n  name: Third\n  client: acme\n  services: [copy, design]\n")
    assert errors_of(site) == [
        "projects.yaml:12: error: project 'third': lists service copy, but its project is site: a service belongs "
        "to one project (`freelance project edit third --rm-service copy`, or `freelance service edit copy --project third`)",
        "projects.yaml:12: error: project 'third': lists service design, but project site lists it first: a service "
        "belongs to one project (`freelance project edit third --rm-service design`, or `freelance service edit design "
        "--project third`)"]


# -- contact import keeps what it knows --------------------------------------------------

def card(*lines: str) -> str:
    return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + "".join(x + "\r\n" for x in lines) + "END:VCARD\r\n"


def contacts(cli) -> dict:
    return {c["id"]: c for c in j(cli("contact", "list", "--format", "json"))}


def test_import_category_never_changes_a_known_contact(cli, tmp_path):
    f = tmp_path / "people.vcf"
    f.write_text(card("FN:Tara Tax", "EMAIL:tara@taxsons.test", "TITLE:Tax partner")
                 + card("FN:Lena Law", "EMAIL:lena@law.test")
                 + card("FN:Bob Books", "EMAIL:bob@books.test", "CATEGORIES:services"))
    r = cli("contact", "import", f, "--category", "legal")
    assert r.exit_code == 0, r.output
    c = contacts(cli)
    assert (c["tara-tax"]["category"], c["tara-tax"]["designation"]) == ("finance", "Tax partner")
    assert c["lena-law"]["category"] == "legal"            # a new person takes --category
    assert c["bob-books"]["category"] == "services"        # a card that names a category is the news


def test_import_keeps_a_second_email_and_phone_and_says_what_it_drops(cli, tmp_path):
    f = tmp_path / "people.vcf"
    f.write_text(card("FN:Priya Patel", "EMAIL;TYPE=HOME:priya.home@example.test",
                      "EMAIL;TYPE=WORK:priya@designco.test", "TEL;TYPE=CELL:+1 415 555 0123",
                      "TEL;TYPE=WORK:+1 415 555 0999", "URL:https://priya.test", "BDAY:1990-01-02",
                      "ADR;TYPE=WORK:;;1 Main St;Town;;;", "ADR;TYPE=HOME:;;2 Side St;Town;;;",
                      "CATEGORIES:myContacts"))
    r = cli("contact", "import", f)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        "card 1 (Priya Patel): not imported: ADR; BDAY; URL; CATEGORIES myContacts "
        "(not one of the book's contact_categories)",
        "added contact 'priya-patel'", "1 added, 0 updated, 0 unchanged"]
    p = contacts(cli)["priya-patel"]
    assert (p["email"], p["other_emails"]) == ("priya.home@example.test", ["priya@designco.test"])
    assert (p["phone"], p["other_phones"]) == ("+1 415 555 0123", ["+1 415 555 0999"])
    assert p["address"] == "1 Main St, Town"
    assert errors_of(cli.book) == []
    # a known contact gains the card's other numbers; the ones it had are kept
    f.write_text(card("FN:Sam Sample", "EMAIL:sam@sample.test", "EMAIL:sam@home.test",
                      "TEL;TYPE=pref:+44 20 7946 0000", "TEL:+44 7700 900000"))
    r = cli("contact", "import", f)
    assert r.exit_code == 0 and r.stdout.splitlines()[-1] == "0 added, 1 updated, 0 unchanged", r.output
    s = contacts(cli)["sam-sample"]
    assert (s["email"], s["other_emails"], s["phone"], s["other_phones"]) == (
        "sam@sample.test", ["sam@home.test"], "+44 20 7946 0000", ["+44 7700 900000"])
    f.write_text(card("FN:Sam Sample", "EMAIL:sam@sample.test", "EMAIL:sam@third.test"))
    assert cli("contact", "import", f).exit_code == 0
    assert contacts(cli)["sam-sample"]["other_emails"] == ["sam@home.test", "sam@third.test"]
    # and they go out again: export and import into a new book gives the same
    out = tmp_path / "out.vcf"
    assert cli("contact", "export", "--vcf", "--out", out).exit_code == 0
    book = tmp_path / "again"
    assert run_cli("init", book, "--no-git").exit_code == 0
    assert run_cli("contact", "import", out, books=book).exit_code == 0
    again = {c["id"]: c for c in j(run_cli("contact", "list", "--format", "json", books=book))}
    for cid in ("sam-sample", "priya-patel"):
        for k in ("email", "other_emails", "phone", "other_phones"):
            assert again[cid][k] == contacts(cli)[cid][k], (cid, k)


def test_other_emails_are_checked_like_email(cli):
    r = cli("contact", "add", "Zoe", "--email", "zoe@z.test", "--other-email", "zoe-at-home")
    assert r.exit_code == 2 and "--other-emails: 'zoe-at-home' does not look like an email address" in r.stderr
    with open(cli.book / "contacts.yaml", "a") as fh:
        fh.write("- id: zed\n  name: Zed\n  email: zed@z.test\n  other_emails: [zed-home]\n")
    assert any("other_emails 'zed-home' does not look like an email address" in x for x in errors_of(cli.book))


def test_income_edit_invoice_new_takes_the_incomes_client_and_amount(cli):
    r = cli("income", "add", "300", "--classification", "client", "--client", "globex")
    tx = r.stdout.split("'")[1]
    r = cli("income", "edit", tx, "--invoice", "new")
    assert r.exit_code == 0, r.output
    rid = draft(r.stdout)
    assert r.stdout.splitlines() == [f"changed income '{tx}': invoice", f"created invoice '{rid}' (draft)"]
    inv = j(cli("invoice", "show", rid, "--format", "json"))
    assert (inv["client"], inv["amount"], inv["status"]) == ("globex", "300", "draft")
    assert errors_of(cli.book) == []


def test_records_made_for_a_client_in_another_currency_are_in_its_currency(empty_book):
    assert run_cli("client", "add", "Bolt", "--currency", "USD", "--default-rate", "100", books=empty_book).exit_code == 0
    r = run_cli("income", "add", "500", "--client", "bolt", "--project", "app", "--service", "dev",
                "--invoice", "new", "--create-missing", "--received", books=empty_book)
    assert r.exit_code == 0, r.output
    for kind, rid in (("project", "app"), ("service", "dev"), ("invoice", draft(r.stdout))):
        assert j(run_cli(kind, "show", rid, "--format", "json", books=empty_book))["currency"] == "USD", kind
    assert [t["currency"] for t in j(run_cli("income", "list", "--format", "json", books=empty_book))] == ["USD"]
    assert errors_of(empty_book) == []


def _bytes(book):
    return {p.relative_to(book): p.read_bytes() for p in sorted(book.rglob("*.yaml"))}


@pytest.mark.parametrize("args, message", [
    (("project", "add", "P", "--client", "acme", "--start", "2026-12-01", "--end", "2026-11-01"),
     "--end: end 2026-11-01 is before start 2026-12-01"),
    (("service", "add", "S", "--client", "acme", "--pricing", "fixed", "--rate", "5", "--start", "2026-12-01",
      "--end", "2026-11-01"), "--end: end 2026-11-01 is before start 2026-12-01"),
    (("project", "edit", "acme-website", "--end", "2026-01-01"), "--end: end 2026-01-01 is before start 2026-09-01"),
    (("invoice", "edit", "INV-2026-019", "--due", "2020-01-01"), "--due: due 2020-01-01 is before issued 2026-11-20"),
    (("meeting", "add", "M", "--at", "2026-12-01 10:00", "--end", "2026-12-01 09:00"),
     "--end: end 2026-12-01 09:00 is before start 2026-12-01 10:00"),
    (("goal", "add", "G", "--category", "health", "--target", "5", "--start", "2027-01-01", "--by", "2026-01-01"),
     "--by: target_date 2026-01-01 is before start 2027-01-01"),
    (("client", "edit", "acme", "--currency", "dollars"), "--currency: expected a three-letter code like USD or EUR, got 'dollars'"),
    (("invoice", "add", "--client", "acme", "--amount", "100", "--currency", "usd"),
     "--currency: expected a three-letter code like USD or EUR, got 'usd'"),
])
def test_add_and_edit_refuse_what_validate_reports(cli, args, message):
    before = _bytes(cli.book)
    r = cli(*args)
    assert (r.exit_code, r.stderr) == (2, f"freelance: error: {message}\n"), r.output
    assert _bytes(cli.book) == before
