"""`freelance serve` over HTTP: the gate (token, Host, CSRF, read-only), the door (same
checks and one-line diffs as the CLI), versions (a stale write is refused), escaping.
The browser tests are in test_serve_browser.py."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from conftest import ROOT, git_commit_all, run_cli
from servehelp import TOKEN, Live, git_diff, git_diff_numstat

pytest.importorskip("httpx")
pytest.importorskip("starlette")


@pytest.fixture
def live(demo):
    git_commit_all(demo)
    server = Live(demo)
    yield server
    server.stop()


def form_of(html: str, action: str, card_id: str | None = None) -> dict:
    """The hidden fields of the first form posting to `action` (for card `card_id`)."""
    forms = re.findall(r'<form method="post" action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', html, re.S)
    for f in forms:
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', f))
        if card_id is None or fields.get("id") == card_id:
            return fields
    raise AssertionError(f"no form to {action} for {card_id}")


def test_requests_without_the_token_are_refused(live):
    import httpx
    c = httpx.Client(base_url=live.base)
    for path in ("/", "/board/client", "/r/client/acme", "/static/app.js"):
        r = c.get(path)
        assert r.status_code == 403 and "access token" in r.text
    assert c.get("/?token=wrong-token").status_code == 403
    assert c.post("/move", data={"kind": "client", "id": "hooli", "to": "client"}).status_code == 403
    assert git_diff_numstat(live.book) == []


def test_the_token_in_the_url_becomes_an_httponly_strict_cookie_and_leaves_the_url(live):
    import httpx
    c = httpx.Client(base_url=live.base)
    r = c.get(f"/board/client?token={TOKEN}")
    assert r.status_code == 303 and r.headers["location"] == "/board/client"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and TOKEN.lower() in cookie
    assert c.get("/board/client").status_code == 200          # the cookie is enough from now on


def test_a_foreign_host_header_is_refused(live):
    c = live.client()
    r = c.get("/board/client", headers={"Host": f"evil.example:{live.port}"})
    assert r.status_code == 421 and "Host" in r.text
    r = c.get("/board/client", headers={"Host": "127.0.0.1"})          # another port is another site
    assert r.status_code == 421
    assert c.get("/board/client", headers={"Host": f"localhost:{live.port}"}).status_code == 200


def test_a_post_without_the_csrf_token_or_from_another_site_is_refused(live):
    c = live.client()
    page = c.get("/board/client").text
    form = form_of(page, "/move", "hooli")
    no_csrf = {k: v for k, v in form.items() if k != "csrf"}
    r = c.post("/move", data={**no_csrf, "to": "negotiation"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = c.post("/move", data={**form, "csrf": "0" * 64, "to": "negotiation"})
    assert r.status_code == 403
    r = c.post("/move", data={**form, "to": "negotiation"}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert git_diff_numstat(live.book) == []
    r = c.post("/move", data={**form, "to": "negotiation"})         # the same form, as the page sends it
    assert r.status_code == 303
    assert git_diff_numstat(live.book) == ["1\t1\tclients.yaml"]


def test_every_page_has_a_strict_csp_and_no_inline_script(live):
    c = live.client()
    for path in ("/", "/board/client", "/board/project?by=priority", "/board/service", "/board/invoice",
                 "/r/client/acme", "/r/invoice/INV-2026-019", "/new/project", "/edit/client/acme", "/workflow",
                 "/finance", "/calendar", "/calendar?week=2026-11-25", "/goals", "/resources", "/list/contact",
                 "/list/income", "/list/expense", "/list/meeting", "/list/quote", "/r/resource/pricing-guide"):
        r = c.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert re.findall(r"<script(?![^>]*\bsrc=\"/static/)", r.text) == [], path
        assert " style=" not in r.text and "<style" not in r.text, path     # styles only from /static
        assert "javascript:" not in r.text


def test_a_drop_is_the_same_one_line_diff_as_client_move_and_says_so(live):
    c = live.client()
    form = form_of(c.get("/board/client").text, "/move", "hooli")
    r = c.post("/move", data={**form, "to": "negotiation"})
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    assert "moved client &#39;hooli&#39;: lead -&gt; negotiation" in page
    diff = git_diff(live.book)
    assert re.findall(r"^[-+] .*", diff, re.M) == ["-  stage: lead", "+  stage: negotiation"]
    # the board shows the new rollups: hooli's 30,000 is in the negotiation column's total now
    col = re.search(r'data-column="negotiation">.*?<p class="total">([^<]*)</p>', page, re.S).group(1)
    assert col.strip().startswith("37,500.00")


def test_a_move_the_cli_would_refuse_is_refused_with_the_same_message(live):
    c = live.client()
    form = form_of(c.get("/board/client").text, "/move", "hooli")
    r = c.post("/move", data={**form, "to": "negotation"}, follow_redirects=True)
    cli = run_cli("client", "move", "hooli", "negotation", books=live.book)
    assert cli.exit_code == 2
    message = cli.stderr.split("error: ", 1)[1].strip()
    from markupsafe import escape
    assert str(escape(message)) in r.text
    assert git_diff_numstat(live.book) == []


def test_a_stale_write_is_refused_and_the_other_change_kept(live):
    c = live.client()
    form = form_of(c.get("/board/client").text, "/move", "hooli")       # drawn now
    assert run_cli("client", "edit", "hooli", "--email", "ceo@hooli.test", books=live.book).exit_code == 0
    r = c.post("/move", data={**form, "to": "negotiation"}, follow_redirects=True)
    assert "was changed since this page was drawn" in r.text and "nothing was written" in r.text
    diff = git_diff(live.book)
    assert "stage: negotiation" not in diff and "ceo@hooli.test" in diff
    # the same through an edit form: refused with 409, the form's values not written
    edit = c.get("/edit/client/acme").text
    version = re.search(r'name="version" value="([^"]+)"', edit).group(1)
    assert run_cli("client", "edit", "acme", "--phone", "+1 555 0199", books=live.book).exit_code == 0
    r = c.post("/edit/client/acme", data={"csrf": form["csrf"], "version": version, "name": "Acme Corp",
                                          "stage": "client", "email": "x@acme.test"})
    assert r.status_code == 409 and "was changed since this page was drawn" in r.text
    assert "x@acme.test" not in git_diff(live.book)


def test_the_form_shows_the_clis_check_next_to_the_field_and_writes_nothing(live):
    c = live.client()
    csrf = form_of(c.get("/board/client").text, "/move")["csrf"]
    r = c.post("/new/project", data={"csrf": csrf, "name": "Web shop", "client": "acmee", "due": "2026-13-45",
                                     "value": "1,5"})
    assert r.status_code == 400
    block = lambda name: re.search(r'data-field="' + name + r'">(.*?)</div>', r.text, re.S).group(1)  # noqa: E731
    assert "--due" in block("due") and 'class="error"' in block("due")
    assert "--value" in block("value") and "not a number" in block("value")
    assert git_diff_numstat(live.book) == []
    r = c.post("/new/project", data={"csrf": csrf, "name": "Web shop", "client": "acmee", "due": "2026-12-31"})
    assert r.status_code == 400
    assert "did you mean &#39;acme&#39;" in block("client")            # a dangling link, with did-you-mean
    assert git_diff_numstat(live.book) == []


def test_an_edit_through_the_form_changes_only_the_changed_line(live):
    c = live.client()
    edit = c.get("/edit/client/acme").text
    values = dict(re.findall(r'<input id="f-(\w+)" type="text" name="\w+" value="([^"]*)"', edit))
    values.update(re.findall(r'<select id="f-(\w+)" name="\w+">.*?<option selected>([^<]*)</option>', edit, re.S))
    version = re.search(r'name="version" value="([^"]+)"', edit).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', edit).group(1)
    import html
    values = {k: html.unescape(v) for k, v in values.items()}
    values["email"] = "ann@acme.example"
    r = c.post("/edit/client/acme", data={**values, "csrf": csrf, "version": version})
    assert r.status_code == 303, r.text[:2000]
    assert git_diff_numstat(live.book) == ["1\t1\tclients.yaml"]
    assert "+  email: ann@acme.example" in git_diff(live.book)


def test_user_text_is_escaped(live):
    assert run_cli("client", "add", "<script>alert(1)</script>", "--id", "xss", "--stage", "lead",
                   books=live.book).exit_code == 0
    c = live.client()
    for path in ("/board/client", "/r/client/xss", "/edit/client/xss", "/"):
        page = c.get(path).text
        assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in c.get("/board/client").text


def test_a_todo_ticked_on_the_resources_page_changes_one_line(live):
    c = live.client()
    page = c.get("/resources").text
    form = form_of(page, "/todo", "quarterly-tax-checklist") if "quarterly-tax-checklist" in page else form_of(page, "/todo")
    r = c.post("/todo", data=form)
    assert r.status_code == 303
    assert len(git_diff_numstat(live.book)) == 1
    assert re.findall(r"^[-+] .*", git_diff(live.book), re.M)[0].strip().startswith("-")
    assert len(re.findall(r"^[-+] .*", git_diff(live.book), re.M)) == 2


def test_read_only_refuses_every_change(demo):
    git_commit_all(demo)
    server = Live(demo, read_only=True)
    try:
        c = server.client()
        page = c.get("/board/client").text
        assert "read-only" in page and 'action="/move"' not in page and 'draggable="true"' not in page
        csrf = re.search(r'<input type="hidden" name="csrf" value="([^"]+)"', c.get("/workflow").text)
        csrf = csrf.group(1) if csrf else server.server.config.app.app.state.site.csrf
        r = c.post("/move", data={"csrf": csrf, "kind": "client", "id": "hooli", "to": "client"})
        assert r.status_code == 403 and "read-only" in r.text
        r = c.post("/new/client", data={"csrf": csrf, "name": "Nope"})
        assert r.status_code == 403
        assert git_diff_numstat(demo) == []
    finally:
        server.stop()


def test_serve_prints_the_url_with_its_token_and_serves_the_book(demo):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}
    env["PYTHONPATH"] = str(ROOT)
    p = subprocess.Popen([sys.executable, "-m", "freelance", "--books", str(demo), "serve", "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = None
        deadline = time.time() + 30
        while url is None and time.time() < deadline:
            line = p.stdout.readline()
            m = re.search(r"(http://127\.0\.0\.1:\d+/\?token=[\w-]+)", line)
            url = m.group(1) if m else None
        assert url, p.stderr.read() if p.poll() is not None else "no URL printed"
        assert len(url.split("token=")[1]) >= 24
        import httpx
        for _ in range(50):
            try:
                r = httpx.get(url, follow_redirects=True)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert r.status_code == 200 and "Pipeline" in r.text
        assert httpx.get(url.split("?")[0]).status_code == 403
        # pages asked again on one kept-alive connection come at once: with Nagle on (a listening
        # socket made without IPPROTO_TCP), each answer's body waited for the client's delayed
        # ACK of its head, 40 ms or more every time, whatever the page cost to draw
        with httpx.Client(base_url=url.split("/?")[0]) as c:
            assert c.get("/?" + url.split("?")[1]).status_code == 303
            waits = []
            for _ in range(15):
                started = time.perf_counter()
                assert c.get("/static/nothing-here").status_code == 404
                waits.append(time.perf_counter() - started)
        assert sorted(waits)[len(waits) // 2] < 0.03, waits
    finally:
        p.terminate()
        p.wait(10)


def test_serve_beyond_loopback_needs_a_token():
    r = run_cli("serve", "--host", "0.0.0.0", books=ROOT / "data")
    assert r.exit_code == 2 and "--token" in r.stderr


def test_report_dashboard_html_is_one_self_contained_page_with_every_name_escaped(cli, tmp_path):
    from test_reports import Page, add_client_with_overdue_invoice
    evil = "<script>alert(1)</script>"
    add_client_with_overdue_invoice(cli, evil)
    assert cli("goal", "add", evil, "--id", "evil-goal", "--target", "10", "--actual", "4",
               "--by", "2026-12-31").exit_code == 0
    out = tmp_path / "dash.html"
    r = cli("report", "dashboard", "--format", "html", "--out", out)
    assert r.exit_code == 0, r.output
    text = out.read_text()
    page = Page()
    page.feed(text)
    page.close()
    assert "script" not in page.tags and "link" not in page.tags and "form" not in page.tags
    assert "svg" in page.tags and "style" in page.tags
    assert not [v for k, v in page.attrs if k in ("src", "href", "action")]     # nothing external, no link
    assert evil in page.texts and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "INV-H" in text and "OVERDUE" in text                                  # the overdue invoice, marked
    for column in ("lead", "negotiation", "client", "draft", "sent", "paid"):
        assert f'data-column="{column}"' in text
    assert cli("report", "dashboard", "--format", "json").exit_code == 0


def csrf_of(live) -> str:
    c = live.client()
    return c, re.search(r'name="csrf" value="([^"]+)"', c.get("/new/client").text).group(1)


def test_an_invoice_added_through_the_form_is_a_draft_numbered_when_the_board_moves_it(live):
    c, csrf = csrf_of(live)
    r = c.post("/new/invoice", data={"csrf": csrf, "client": "acme", "tax_rate": "19",
                                     "items": "Design sprint:1:2500\nDevelopment:40:95"})
    assert r.status_code == 303 and r.headers["location"].startswith("/r/invoice/draft-20261125-")
    rid = r.headers["location"].split("/")[3].split("?")[0]
    shown = run_cli("invoice", "show", rid, "--format", "json", books=live.book)
    import json
    inv = json.loads(shown.stdout)
    assert inv["total"] == "7497.00" and inv["status"] == "draft" and len(inv["items"]) == 2
    assert git_diff_numstat(live.book) == ["13\t0\tinvoices.yaml"]
    form = form_of(c.get("/board/invoice").text, "/move", rid)
    r = c.post("/move", data={**form, "to": "sent"})                    # the board's drag
    assert r.status_code == 303
    assert json.loads(run_cli("invoice", "show", "INV-2026-023", "--format", "json", books=live.book).stdout)[
        "status"] == "sent"


def test_a_refused_payment_says_why_and_writes_nothing(live):
    c, csrf = csrf_of(live)
    r = c.post("/new/income", data={"csrf": csrf, "amount": "99999", "client": "acme", "invoice": "INV-2026-015",
                                    "received": "yes", "date": "2026-11-20"})
    assert r.status_code == 400
    assert "would overpay invoice &#39;INV-2026-015&#39;" in r.text and "it is owed 2,850.00 USD" in r.text
    assert git_diff_numstat(live.book) == []


def test_removing_a_linked_record_is_refused_as_the_cli_refuses_it(live):
    c = live.client()
    page = c.get("/r/client/acme").text
    form = form_of(page, "/remove")
    r = c.post("/remove", data=form, follow_redirects=True)
    assert "note error" in r.text and "link" in r.text
    assert git_diff_numstat(live.book) == []
    form = form_of(c.get("/r/client/pied-piper").text, "/remove")
    r = c.post("/remove", data=form)
    assert r.status_code == 303 and r.headers["location"].startswith("/board/client")
    assert run_cli("client", "show", "pied-piper", books=live.book).exit_code == 2


def test_pages_see_a_change_made_by_the_command_line(live):
    c = live.client()
    assert 'data-id="hooli"\n               data-column="lead"' in c.get("/board/client").text
    assert run_cli("client", "move", "hooli", "client", books=live.book).exit_code == 0
    assert 'data-id="hooli"\n               data-column="client"' in c.get("/board/client").text


def test_bound_to_every_address_it_answers_to_addresses_not_to_names(demo):
    """--host 0.0.0.0 (with --token): a Host that is an IP address on the port is let in, a
    name is not (DNS rebinding needs a name); the token is still needed."""
    import datetime as dt

    import httpx

    from freelance.serve.app import make_app
    app = make_app(demo, today=dt.date(2026, 11, 25), host="0.0.0.0", port=8765, token=TOKEN)
    transport = httpx.ASGITransport(app=app)

    async def get(host, cookie=True):
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
            return await c.get("/board/client", headers={"Host": host, **(
                {"Cookie": f"freelance_token_8765={TOKEN}"} if cookie else {})})
    import asyncio
    assert asyncio.run(get("192.168.1.5:8765")).status_code == 200
    assert asyncio.run(get("[fe80::1]:8765")).status_code == 200
    assert asyncio.run(get("192.168.1.5:8765", cookie=False)).status_code == 403
    assert asyncio.run(get("rebind.example:8765")).status_code == 421
    assert asyncio.run(get("192.168.1.5:9999")).status_code == 421


def test_a_book_with_errors_says_so_on_every_page(live):
    path = live.book / "clients.yaml"
    path.write_text(path.read_text() + "- id: broken\n  name: Broken\n  contract_value: lots\n")
    c = live.client()
    page = c.get("/board/client").text
    assert "the book has 1 error" in page and "freelance validate" in page


def test_a_report_page_shows_the_figures_of_freelance_report_with_the_same_options(live, monkeypatch):
    """`/report/NAME?period=&client=` is `freelance report NAME --period --client`: its sections,
    every amount as `--format json` has it (with its currency); an unknown report is a 404, a
    bad period or client a 400 with the CLI's message."""
    import json
    from decimal import Decimal
    c = live.client()
    assert "/report/invoices" in c.get("/reports").text
    r = c.get("/report/invoices?client=globex")
    assert r.status_code == 200
    cli = json.loads(run_cli("report", "invoices", "--client", "globex", "--format", "json", books=live.book).stdout)
    owed = [row for row in cli["aging"] if row["client"] == "globex"]
    assert owed and all(f"{Decimal(row['total']):,.2f}" in r.text for row in owed)
    assert "acme" not in re.sub(r"<header.*?</header>", "", r.text, flags=re.S)      # --client honoured
    r = c.get("/report/finance?period=2026-Q4&basis=accrual")
    cli = json.loads(run_cli("report", "finance", "--period", "2026-Q4", "--basis", "accrual", "--format", "json",
                             books=live.book).stdout)
    revenue = cli["revenue"][0]
    assert f"{Decimal(revenue['revenue']):,.2f} {revenue['currency']}" in r.text and "accrual basis" in r.text
    assert c.get("/report/nope").status_code == 404
    bad = c.get("/report/vat?period=2026-13")
    assert bad.status_code == 400 and "2026-13" in bad.text
    assert c.get("/report/invoices?client=nobody").status_code == 400
    from freelance.serve import pages
    monkeypatch.setattr(pages, "REPORT_ROWS", 3)         # a big book's 25,000 invoices: the first rows, and a word
    r = c.get("/report/invoices?period=2026")
    assert "the first 3 of 22 rows" in r.text and r.text.count("INV-2026-0") < 22


def test_an_edit_opened_from_the_bank_review_comes_back_to_it(live):
    """The review queue's "edit it" (`/edit/KIND/ID?back=/bank`): saved or cancelled, the bank
    page again, where the next line waits; a "back" to another site is dropped."""
    c = live.client()
    edit = c.get("/edit/expense/tx-20260103-f28c10?back=/bank").text
    assert '<input type="hidden" name="back" value="/bank">' in edit and '<a href="/bank">cancel</a>' in edit
    other = c.get("/edit/expense/tx-20260103-f28c10?back=//evil.example").text
    assert "evil.example" not in other and '<a href="/r/expense/tx-20260103-f28c10">cancel</a>' in other
    version = re.search(r'name="version" value="([^"]+)"', edit).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', edit).group(1)
    r = c.post("/edit/expense/tx-20260103-f28c10", data={"csrf": csrf, "version": version, "back": "/bank",
                                                         "description": "Figma, annual"})
    assert r.status_code == 303 and r.headers["location"].startswith("/bank?note=")
    assert "changed expense" in c.get(r.headers["location"]).text
    assert git_diff_numstat(live.book) == ["1\t1\ttransactions/2026.yaml"]


def test_a_clients_statement_of_account_from_its_page(live):
    """The client page links `/statement/C`: `client statement C` with its period, every line and
    balance as `--format json` has them; `/pdf/statement/C` is the PDF to send."""
    import json
    from decimal import Decimal
    c = live.client()
    assert 'href="/statement/globex"' in c.get("/r/client/globex").text
    r = c.get("/statement/globex?period=2026-Q4")
    assert r.status_code == 200
    cli = json.loads(run_cli("client", "statement", "globex", "--period", "2026-Q4", "--format", "json",
                             books=live.book).stdout)
    for line in cli["lines"]:
        assert f"{Decimal(line['balance']):,.2f} {line['currency']}" in r.text
    pdf = c.get(re.search(r'href="(/pdf/statement/globex[^"]*)"', r.text).group(1).replace("&amp;", "&"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "frame-ancestors 'self'" in pdf.headers["content-security-policy"]
    assert c.get("/statement/nobody").status_code == 404
    assert c.get("/statement/globex?period=2026-13").status_code == 400


def test_a_goal_in_money_reads_as_money(live):
    """A goal whose unit is a currency shows its figures as every amount is shown (34,252.00 of
    60,000.00 USD, not 34252 of 60000 USD); other units as they are written."""
    c = live.client()
    for page in (c.get("/goals").text, c.get("/").text):
        assert "34,252.00 of 60,000.00 USD" in page and "15 of 21.1 km" in page
