"""`freelance serve` in a real browser: Playwright driving Debian's chromium (.ci/run installs
it; Playwright cannot download its own browser here). Each test saves screenshots in
tests/artifacts/screens/ (ignored by git) for a person to look at."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, git_commit_all, run_cli
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
    yield from _served(demo, browser, "2026-11-25")


@pytest.fixture
def site_in_december(demo, browser):
    """The same on 2026-12-01, when November's statement (examples/bank/2026-11.csv) is in."""
    yield from _served(demo, browser, "2026-12-01")


def _served(demo, browser, today):
    git_commit_all(demo)
    server = Live(demo, today=today)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems = []
    refused = ("status of 400", "status of 409")      # a form sent back with the CLI's messages
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not any(x in m.text for x in refused) else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url(f"/?token={TOKEN}"))
    page.server = server
    page.book = demo
    page.today = today
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
        site.click("main button[type=submit]")
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
        site.click("main button[type=submit]")
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
             "resources": "/resources", "contacts": "/list/contact", "income": "/list/income",
             "time": "/list/time", "new-time": "/new/time", "transfers": "/list/transfer", "balances": "/list/balance",
             "recurring": "/list/recurring", "new-recurring": "/new/recurring", "accounts": "/accounts",
             "account": "/account/bank", "new-account": "/new/account", "bank": "/bank", "reports": "/reports",
             "report-invoices": "/report/invoices", "report-vat": "/report/vat?period=2026-Q4",
             "statement": "/statement/globex?period=2026-Q4"}
    for name, path in pages.items():
        response = site.goto(site.server.url(path))
        assert response.status == 200, path
        spilled = site.evaluate("() => [...document.querySelectorAll('.panel, .record-form, main > table')]"
                                ".filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right"
                                " > document.documentElement.clientWidth).map(e => e.querySelector('h2, h3')"
                                "?.textContent || e.className || e.tagName)")
        assert spilled == [], (path, spilled)       # nothing wider than its card or the window at 1400 px
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


def test_a_timer_started_on_one_page_and_stopped_on_another_books_what_the_cli_books(site, tmp_path):
    import json
    import shutil
    twin = tmp_path / "twin"
    shutil.copytree(site.book, twin, ignore=shutil.ignore_patterns(".git", ".freelance"))
    site.goto(site.server.url("/board/client"))
    form = site.locator("header form.timer")
    assert form.get_attribute("data-running") == "no"
    form.locator("select").select_option("acme-website|acme-build")
    form.locator('input[name="note"]').fill("checkout flow")
    form.locator('input[name="at"]').fill("yesterday 09:00")       # started before the page was opened
    with site.expect_navigation():
        form.get_by_role("button", name="Start timer").click()
    assert "/board/client" in site.url and "timer started on 'acme-website' (acme-build)" in site.content()
    site.goto(site.server.url("/finance"))
    form = site.locator("header form.timer")
    assert form.get_attribute("data-running") == "yes" and "Acme website" in form.inner_text()
    shot(site, "timer-running")
    form.locator('input[name="at"]').fill("yesterday 10:30")
    with site.expect_navigation():
        form.get_by_role("button", name="Stop").click()
    assert "/finance" in site.url and "timer stopped: booked 1.5 h" in site.content()
    assert not (site.book / "timer.yaml").exists()
    for argv in (["time", "start", "acme-website", "--service", "acme-build", "--note", "checkout flow",
                  "--at", "yesterday 09:00"], ["time", "stop", "--at", "yesterday 10:30"]):
        r = run_cli(*argv, books=twin, today=site.today)
        assert r.exit_code == 0, r.output
    web, cli = (json.loads(run_cli("time", "list", "--format", "json", books=b).stdout)[0] for b in (site.book, twin))
    assert (web["project"], web["service"], web["note"], web["date"], web["hours"]) == \
        ("acme-website", "acme-build", "checkout flow", "2026-11-24", "1.5")
    assert {k: v for k, v in web.items() if k != "id"} == {k: v for k, v in cli.items() if k != "id"}


def test_a_statement_uploaded_reviewed_matched_and_reconciled_leaves_the_book_the_cli_leaves(site_in_december,
                                                                                            tmp_path):
    """The bank page, as the bank walkthrough's commands: `bank import --dry-run`, `bank import`,
    `bank match` of the payment it could not place, the account reconciled with the statement."""
    import json
    import shutil
    site = site_in_december
    twin = tmp_path / "twin"
    shutil.copytree(site.book, twin, ignore=shutil.ignore_patterns(".git", ".freelance"))
    statement = tmp_path / "2026-11.csv"
    lines = (ROOT / "examples" / "bank" / "2026-11.csv").read_text(encoding="utf-8").splitlines()
    closing = float(lines[-1].rsplit(",", 1)[1])      # + a payment of INV-2026-018 by a payer the book does not know
    statement.write_text("\n".join(lines + [f"2026-11-30,G. Holdings,payment,SEPA credit transfer,1848.00,"
                                            f"{closing + 1848:.2f}"]) + "\n", encoding="utf-8")
    site.goto(site.server.url("/bank"))
    site.set_input_files('form.upload input[type="file"]', str(statement))
    site.select_option('form.upload select[name="account"]', "bank")
    site.select_option('form.upload select[name="rules"]', label="mybank (the only one)")
    with site.expect_navigation():
        site.get_by_role("button", name="Dry run").click()
    assert "6 to add, 0 to update, 0 skipped" in site.locator(".counts").inner_text()
    assert git_diff_numstat(site.book) == []                    # a dry run writes nothing
    shot(site, "bank-dry-run")
    with site.expect_navigation():
        site.get_by_role("button", name="Import").click()
    assert "2026-11.csv: 6 added" in site.locator(".note").inner_text()
    review = site.locator(".review")
    assert review.count() == 4
    shot(site, "bank-review")
    with site.expect_navigation():
        site.get_by_role("button", name="match INV-2026-018").click()
    assert "INV-2026-018" in site.locator(".note").inner_text() and site.locator(".review").count() == 3
    site.goto(site.server.url("/account/bank"))
    rec = site.locator('.reconcile[data-currency="USD"]')
    assert rec.get_attribute("data-holds") == "yes" and "reconciled" in rec.inner_text()
    shot(site, "account-reconciled")

    def cli(*argv):
        r = run_cli(*argv, books=twin, today=site.today)
        assert r.exit_code == 0, r.output
        return r.stdout
    cli("bank", "import", statement, "--account", "bank", "--rules", "mybank")
    tx = [x for x in json.loads(cli("bank", "review", "--format", "json")) if x["payee"] == "G. Holdings"][0]["id"]
    cli("bank", "match", tx, "INV-2026-018")
    assert _book(site.book) == _book(twin)


def _book(root):
    """A book's files, its generated ids (random per run) made alike."""
    gen = re.compile(r"\b(t|tr|b|tx|m)-(\d{8})-[0-9a-f]{6}\b")
    return {p.relative_to(root).as_posix(): gen.sub(r"\1-\2-X", p.read_text(encoding="utf-8"))
            for p in sorted(root.rglob("*.yaml")) if ".git" not in p.parts and ".freelance" not in p.parts}


def test_the_invoice_page_previews_the_pdf_downloads_it_and_sends_it(site, monkeypatch):
    monkeypatch.delenv("FREELANCE_SMTP_HOST", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(site.book.parent / "no-config"))
    site.goto(site.server.url("/r/invoice/INV-2026-019"))
    preview = site.locator("object.pdf-preview")
    got = site.request.get(site.server.url(preview.get_attribute("data")))
    assert got.headers["content-type"] == "application/pdf" and got.body().startswith(b"%PDF")
    shot(site, "invoice-preview")
    with site.expect_download() as dl:
        site.get_by_role("link", name="download the PDF").click()
    assert dl.value.suggested_filename == "INV-2026-019.pdf"
    with site.expect_navigation():
        site.get_by_role("button", name="send it").click()
    assert "sent invoice INV-2026-019" in site.locator(".note").inner_text()
    assert (site.book / "outbox" / "INV-2026-019.eml").is_file()
    assert site.locator('tr[data-field="status"] td').inner_text() == "sent"


def test_the_hours_of_a_project_billed_from_its_page_leave_the_book_invoice_add_from_time_leaves(site, tmp_path):
    """The project page's "make a draft invoice": `invoice add --from-time --project P --through D
    --tax-rate R`, the same draft and the same entries marked billed; its page is shown."""
    import json
    import shutil
    twin = tmp_path / "twin"
    shutil.copytree(site.book, twin, ignore=shutil.ignore_patterns(".git", ".freelance"))
    site.goto(site.server.url("/r/project/northwind-shop"))
    form = site.locator("form.bill")
    assert form.locator('input[name="through"]').input_value() == site.today
    form.locator('input[name="through"]').fill("2026-10-31")
    form.locator('input[name="tax_rate"]').fill("19")
    with site.expect_navigation():
        form.get_by_role("button", name="make a draft invoice").click()
    assert "/r/invoice/draft-" in site.url and "from the unbilled hours of project northwind-shop" in \
        site.locator(".note").inner_text()
    shot(site, "invoice-from-hours")
    r = run_cli("invoice", "add", "--from-time", "--project", "northwind-shop", "--through", "2026-10-31",
                "--tax-rate", "19", books=twin, today=site.today)
    assert r.exit_code == 0, r.output
    draft = re.compile(r"draft-\d{8}-[0-9a-f]{6}")
    assert {k: draft.sub("draft-X", v) for k, v in _book(site.book).items()} == \
        {k: draft.sub("draft-X", v) for k, v in _book(twin).items()}
    web = json.loads(run_cli("invoice", "show", site.url.split("/r/invoice/")[1].split("?")[0], "--format", "json",
                             books=site.book, today=site.today).stdout)
    assert (web["status"], web["total"], web["currency"]) == ("draft", site.locator(
        'tr[data-field="total"] td').inner_text().split()[0].replace(",", ""), "USD")
    site.goto(site.server.url("/r/project/northwind-shop"))          # billed once: nothing left to bill
    site.locator('form.bill input[name="through"]').fill("2026-10-31")
    with site.expect_navigation():
        site.get_by_role("button", name="make a draft invoice").click()
    assert "/r/project/northwind-shop" in site.url and "nothing to bill" in site.locator(".note").inner_text()
    shot(site, "record-project-bill")
