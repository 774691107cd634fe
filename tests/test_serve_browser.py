"""`freelance serve` in a real browser: Playwright driving Debian's chromium (.ci/run installs
it; Playwright cannot download its own browser here). Each test saves screenshots in
tests/artifacts/screens/ (ignored by git) for a person to look at."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import git_commit_all, run_cli
from servehelp import TOKEN, Live, git_diff, git_diff_numstat

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).parent / "artifacts" / "screens"
sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def site(demo, browser):
    """A served copy of the demo book (a git repository, to read diffs) and a page that has
    the access token; CSP violations and script errors fail the test."""
    git_commit_all(demo)
    server = Live(demo)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    problems = []
    refused = ("status of 400", "status of 409")      # a form sent back with the CLI's messages
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not any(x in m.text for x in refused) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url(f"/?token={TOKEN}"))
    page.server = server
    page.book = demo
    yield page
    context.close()
    server.stop()
    assert problems == []


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def card(page, kind: str, rid: str):
    return page.locator(f'.card[data-kind="{kind}"][data-id="{rid}"]')


def test_the_client_board_renders_the_demo_books_clients(site):
    site.goto(site.server.url("/board/client"))
    listed = run_cli("client", "list", "--format", "json", books=site.book).stdout
    import json
    clients = json.loads(listed)
    assert len(clients) >= 10
    for c in clients:
        assert card(site, "client", c["id"]).get_attribute("data-column") == c["stage"]
        column = site.locator(f'.column[data-kind="client"][data-column="{c["stage"]}"]')
        assert column.locator(f'[data-id="{c["id"]}"]').count() == 1
    columns = site.locator(".column")
    assert [(columns.nth(i).get_attribute("data-column"), columns.nth(i).locator(".count").inner_text())
            for i in range(columns.count())] == [("lead", "3"), ("negotiation", "2"), ("client", "5")]
    shot(site, "board-client")


def test_dragging_a_card_from_lead_to_negotiation_changes_one_line_of_clients_yaml(site):
    site.goto(site.server.url("/board/client"))
    before = site.locator('.column[data-column="negotiation"] .total').inner_text()
    with site.expect_navigation():
        card(site, "client", "hooli").drag_to(site.locator('.column[data-column="negotiation"]'))
    assert git_diff_numstat(site.book) == ["1\t1\tclients.yaml"]
    assert re.findall(r"^[-+] .*", git_diff(site.book), re.M) == ["-  stage: lead", "+  stage: negotiation"]
    assert card(site, "client", "hooli").get_attribute("data-column") == "negotiation"
    assert "moved client 'hooli': lead -> negotiation" in site.locator(".note").inner_text()
    after = site.locator('.column[data-column="negotiation"] .total').inner_text()
    assert before.startswith("7,500.00") and after.startswith("37,500.00")      # the new rollup
    shot(site, "board-client-after-drag")


def test_a_project_added_through_the_form_appears_on_its_board_and_in_project_list(site):
    site.goto(site.server.url("/new/project"))
    site.fill("#f-name", "Shop relaunch")
    site.fill("#f-client", "acme")
    site.select_option("#f-status", "in-progress")
    site.fill("#f-value", "5,400")
    site.fill("#f-due", "2027-01-31")
    shot(site, "form-new-project")
    with site.expect_navigation():
        site.click("button[type=submit]")
    assert "added project 'shop-relaunch'" in site.locator(".note").inner_text()
    shot(site, "record-project")
    site.goto(site.server.url("/board/project"))
    assert card(site, "project", "shop-relaunch").get_attribute("data-column") == "in-progress"
    listed = run_cli("project", "list", "--format", "json", books=site.book).stdout
    import json
    mine = [p for p in json.loads(listed) if p["id"] == "shop-relaunch"]
    assert mine and mine[0]["value"] == "5400" and mine[0]["client"] == "acme" and mine[0]["due"] == "2027-01-31"
    shot(site, "board-project")


def test_a_bad_date_is_shown_next_to_its_field(site):
    site.goto(site.server.url("/new/project"))
    site.fill("#f-name", "Shop relaunch")
    site.fill("#f-due", "2026-02-30")
    with site.expect_navigation():
        site.click("button[type=submit]")
    err = site.locator('.field[data-field="due"] p.error').inner_text()
    assert err.startswith("--due:")
    assert git_diff_numstat(site.book) == []
    shot(site, "form-error")


def test_linking_income_to_a_client_created_inline_updates_the_clients_received_total(site):
    r = run_cli("income", "add", "640", "--classification", "client", "--received", "--date", "2026-11-20",
                "--description", "Transfer from Fresh Co", "--id", "tx-fresh", books=site.book)
    assert r.exit_code == 0, r.output
    site.goto(site.server.url("/workflow"))
    row = site.locator('tr[data-id="tx-fresh"]')
    row.locator('input[name="client"]').fill("fresh-co")
    row.locator('input[name="create_missing"]').check()
    shot(site, "workflow")
    with site.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "linked income 'tx-fresh': client fresh-co" in site.locator(".note").inner_text()
    site.goto(site.server.url("/r/client/fresh-co"))
    received = site.locator('tr[data-field="received"] td').inner_text()
    assert received.startswith("640.00")
    shot(site, "record-client-created-inline")


def test_a_stale_write_is_refused(site):
    site.goto(site.server.url("/board/client"))
    assert run_cli("client", "edit", "pied-piper", "--email", "richard@piedpiper.test", books=site.book).exit_code == 0
    with site.expect_navigation():
        card(site, "client", "pied-piper").drag_to(site.locator('.column[data-column="negotiation"]'))
    assert "was changed since this page was drawn" in site.locator(".note.error").inner_text()
    assert card(site, "client", "pied-piper").get_attribute("data-column") == "lead"    # the page redrawn
    assert "stage: negotiation" not in git_diff(site.book)
    shot(site, "board-stale-refused")


def test_every_page_for_a_person_to_look_at(site):
    pages = {"overview": "/", "board-project-priority": "/board/project?by=priority", "board-service": "/board/service",
             "board-invoice": "/board/invoice", "record-client": "/r/client/acme", "record-invoice": "/r/invoice/INV-2026-019",
             "edit-client": "/edit/client/acme", "new-invoice": "/new/invoice", "finance": "/finance",
             "calendar": "/calendar", "calendar-week": "/calendar?week=2026-11-25", "goals": "/goals",
             "resources": "/resources", "contacts": "/list/contact", "income": "/list/income"}
    for name, path in pages.items():
        response = site.goto(site.server.url(path))
        assert response.status == 200, path
        shot(site, name)
    # a to-do ticked with the mouse: one record's line
    site.goto(site.server.url("/resources"))
    with site.expect_navigation():
        site.locator("ul.todos li.open button.box").first.click()
    assert "done: to-do" in site.locator(".note").inner_text()
    assert len(git_diff_numstat(site.book)) == 1


def test_the_search_box_finds_a_bank_paid_expense_by_its_payee(site):
    with open(site.book / "transactions" / "2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: tx-20261127-bank01\n  date: 2026-11-27\n  kind: expense\n  amount: 21.00\n"
                 "  category: software\n  account: bank\n  received: true\n  description: Card payment\n"
                 "  payee: Zebrafish Hosting GmbH\n")
    site.goto(site.server.url("/board/client"))
    box = site.get_by_role("searchbox", name="Search the book")
    box.fill("zebrafish hosting")
    with site.expect_navigation():
        box.press("Enter")
    rows = site.locator('table[data-kind="search"] tbody tr')
    assert rows.count() == 1 and rows.first.get_attribute("data-id") == "tx-20261127-bank01"
    cli_hits = run_cli("search", "zebrafish hosting", "--format", "json", books=site.book).stdout
    assert '"tx-20261127-bank01"' in cli_hits
    shot(site, "search")
    with site.expect_navigation():
        rows.first.locator("a").click()
    assert "/r/expense/tx-20261127-bank01" in site.url and "Zebrafish Hosting GmbH" in site.content()
