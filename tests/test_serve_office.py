"""The whole back office over HTTP (issue #30): what is not there is a 404 for every kind the
CLI has; every kind's list, record page, add and edit forms and remove, each change the
CLI's door call with the CLI's messages, so a record added in the browser is the record the
CLI adds; accounts; an invoice's PDF downloaded and the invoice sent. The bank page and the
timer are driven in a browser in test_serve_browser.py."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import git_commit_all, run_cli
from servehelp import Live, git_diff_numstat

pytest.importorskip("httpx")

from freelance.core.schema import NOUNS  # noqa: E402

GENERATED = re.compile(r"\b(t|tr|b|tx|m)-(\d{8})-[0-9a-f]{6}\b")
TODAY = "2026-11-25"


@pytest.fixture
def live(demo):
    git_commit_all(demo)
    server = Live(demo, today=TODAY)
    yield server
    server.stop()


def csrf_of(client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/settings").text).group(1)


def book_text(root: Path) -> dict[str, str]:
    """Every file of a book, generated ids made alike (the same record added twice has two)."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and not rel.startswith((".git/", ".freelance/", "outbox/")):
            out[rel] = GENERATED.sub(r"\1-\2-X", p.read_text(encoding="utf-8"))
    return out


def test_what_is_not_there_is_a_404_for_every_kind_the_cli_has(live):
    c = live.client()
    for noun in NOUNS:
        for path in (f"/list/{noun}", f"/new/{noun}"):
            assert c.get(path).status_code == 200, path
        for path in (f"/r/{noun}/nobody", f"/edit/{noun}/nobody"):
            r = c.get(path)
            assert r.status_code == 404 and "Not found" in r.text and "no " in r.text, path
    for path in ("/list/nokind", "/r/nokind/x", "/new/nokind", "/edit/nokind/x", "/board/contact", "/account/nope",
                 "/edit/account/nope", "/pdf/invoice/INV-1999-001", "/r/client/nobody"):
        assert c.get(path).status_code == 404, path
    for path in ("/accounts", "/account/bank", "/bank", "/list/time", "/list/transfer", "/new/account"):
        assert c.get(path).status_code == 200, path
    assert c.get("/calendar?month=2026-13").status_code == 400         # asked wrongly: not "not found"


# a new record of each kind the dashboard had no form for, as the web's form and the CLI's options give it
ADDS = {
    "time": ({"project": "acme-website", "service": "acme-build", "hours": "1h30m", "date": "2026-11-24",
              "note": "Checkout"},
             ["time", "log", "acme-website", "1h30m", "--service", "acme-build", "--date", "2026-11-24",
              "--note", "Checkout"]),
    "transfer": ({"date": "2026-11-20", "amount": "150", "from_account": "bank", "to_account": "cash",
                  "description": "Petty cash"},
                 ["transfer", "add", "150", "--date", "2026-11-20", "--from", "bank", "--to", "cash",
                  "--description", "Petty cash"]),
    "balance": ({"account": "cash", "date": "2026-11-24", "amount": "150", "source": "wallet"},
                ["balance", "add", "cash", "--date", "2026-11-24", "--amount", "150",
                 "--source", "wallet"]),
    "recurring": ({"client": "acme", "rrule": "FREQ=MONTHLY;BYMONTHDAY=1", "start": "2026-12-01",
                   "items": "Support retainer:1:600"},
                  ["recurring", "add", "--client", "acme", "--rrule", "FREQ=MONTHLY;BYMONTHDAY=1", "--start",
                   "2026-12-01", "--item", "Support retainer:1:600"]),
    "contact": ({"name": "Dana Fox", "email": "dana@example.com", "category": "legal"},
                ["contact", "add", "Dana Fox", "--email", "dana@example.com", "--category", "legal"]),
}


def test_each_kind_added_edited_and_removed_in_the_browser_is_what_the_cli_writes(live, tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(live.book, twin, ignore=shutil.ignore_patterns(".git", ".freelance"))
    c = live.client()
    csrf = csrf_of(c)
    made = {}
    for noun, (form, argv) in ADDS.items():
        r = c.post(f"/new/{noun}", data={"csrf": csrf, **form})
        assert r.status_code == 303, (noun, r.text[-800:])
        made[noun] = r.headers["location"].split("?")[0].rsplit("/", 1)[1]
        page = c.get(r.headers["location"])
        assert page.status_code == 200 and f"added {noun}" in page.text
        cli = run_cli(*argv, books=twin, today=TODAY)
        assert cli.exit_code == 0, cli.output
    r = c.post("/new/account", data={"csrf": csrf, "id": "wise-eur", "name": "Wise EUR", "currency": "EUR",
                                     "opening_balance": "1200"})
    assert r.status_code == 303 and r.headers["location"].startswith("/account/wise-eur")
    assert run_cli("account", "add", "wise-eur", "--name", "Wise EUR", "--currency", "EUR", "--opening-balance",
                   "1200", books=twin, today=TODAY).exit_code == 0
    assert book_text(live.book) == book_text(twin)

    # an edit changes the line it must, as `NOUN edit` does; the record page and lists show it
    page = c.get(f"/edit/transfer/{made['transfer']}").text
    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    r = c.post(f"/edit/transfer/{made['transfer']}", data={"csrf": csrf, "version": version, "amount": "175",
                                                          "date": "2026-11-20", "from_account": "bank",
                                                          "to_account": "cash", "description": "Petty cash"})
    assert r.status_code == 303, r.text[-500:]
    tid = [t["id"] for t in __import__("json").loads(run_cli("transfer", "list", "--format", "json", books=twin,
                                                             today=TODAY).stdout) if t.get("description") == "Petty cash"]
    assert run_cli("transfer", "edit", tid[0], "--amount", "175", books=twin, today=TODAY).exit_code == 0
    r = c.post("/edit/account/wise-eur", data={"csrf": csrf, "name": "Wise", "currency": "EUR", "opening_balance": "1200",
                                               "iban": "", "number": ""})
    assert r.status_code == 303
    assert run_cli("account", "edit", "wise-eur", "--name", "Wise", books=twin, today=TODAY).exit_code == 0
    assert book_text(live.book) == book_text(twin)
    assert "175.00" in c.get("/list/transfer").text and "Wise" in c.get("/accounts").text

    # remove: each record gone, as `NOUN rm` leaves the book
    for noun, rid in made.items():
        page = c.get(f"/r/{noun}/{rid}").text
        version = re.search(r'name="version" value="([^"]+)"', page).group(1)
        r = c.post("/remove", data={"csrf": csrf, "kind": noun, "id": rid, "version": version})
        assert r.status_code == 303 and c.get(f"/r/{noun}/{rid}").status_code == 404, noun
    assert [x.split("\t")[2] for x in git_diff_numstat(live.book)] == ["freelance.yaml"]


def test_a_refused_change_says_what_the_cli_says_and_writes_nothing(live):
    c = live.client()
    csrf = csrf_of(c)
    cases = [("transfer", {"amount": "0", "from_account": "bank", "to_account": "cash"},
              ["transfer", "add", "0", "--from", "bank", "--to", "cash"]),
             ("balance", {"account": "nowhere", "date": "2026-11-24", "amount": "1"},
              ["balance", "add", "nowhere", "--date", "2026-11-24", "--amount", "1"]),
             ("time", {"project": "acme-website", "hours": "30"},
              ["time", "log", "acme-website", "30"])]
    import html
    for noun, form, argv in cases:
        r = c.post(f"/new/{noun}", data={"csrf": csrf, **form})
        assert r.status_code == 400, noun
        cli = run_cli(*argv, books=live.book, today=TODAY)
        assert cli.exit_code == 2
        message = cli.output.strip().splitlines()[-1].removeprefix("freelance: error: ")
        shown = html.unescape(r.text)
        assert message.split(": ", 1)[-1] in shown, (noun, message)
    assert git_diff_numstat(live.book) == []


def test_an_invoice_is_downloaded_previewed_and_sent_from_its_page(live, monkeypatch):
    for name in ("FREELANCE_SMTP_HOST", "FREELANCE_SMTP_USER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(live.book.parent / "no-config"))
    c = live.client()
    page = c.get("/r/invoice/INV-2026-019").text
    assert '<object class="pdf-preview" data="/pdf/invoice/INV-2026-019"' in page
    pdf = c.get("/pdf/invoice/INV-2026-019")
    assert pdf.content.startswith(b"%PDF") and "frame-ancestors 'self'" in pdf.headers["content-security-policy"]
    down = c.get("/pdf/invoice/INV-2026-019?download=1")
    assert down.headers["content-disposition"] == 'attachment; filename="INV-2026-019.pdf"'
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"',
                             re.search(r'action="/send/invoice".*?</form>', page, re.S).group(0)))
    r = c.post("/send/invoice", data=fields)
    assert r.status_code == 303
    note = c.get(r.headers["location"]).text
    assert "sent invoice INV-2026-019" in note and "outbox/INV-2026-019.eml" in note
    mail = (live.book / "outbox" / "INV-2026-019.eml").read_bytes()
    assert b"X-Freelance-Invoice: INV-2026-019" in mail and b"application/pdf" in mail
    shown = __import__("json").loads(run_cli("invoice", "show", "INV-2026-019", "--format", "json",
                                             books=live.book, today=TODAY).stdout)
    assert shown["status"] == "sent"
    assert 'action="/send/invoice"' not in c.get("/r/invoice/INV-2026-019").text     # sent: no second send


def test_a_statement_upload_needs_the_csrf_token_and_a_file_and_a_bad_file_is_said_so(live):
    c = live.client()
    csrf = csrf_of(c)
    files = {"file": ("s.csv", b"Date,Payee,Amount\n2026-11-20,X,1.00\n", "text/csv")}
    assert c.post("/bank/upload", data={"account": "bank"}, files=files).status_code == 403
    assert c.post("/bank/upload", data={"csrf": csrf, "account": "bank"}).status_code in (400, 411)
    r = c.post("/bank/upload", data={"csrf": csrf, "account": "bank"},
               files={"file": ("s.txt", b"\x00\x01 not a statement", "application/octet-stream")})
    assert r.status_code == 400 and "Cannot import that" in r.text
    r = c.post("/bank/upload", data={"csrf": csrf, "account": "nowhere"}, files=files)
    assert r.status_code == 404 and "no account" in r.text
    assert c.post("/bank/import", data={"csrf": csrf, "key": "gone", "account": "bank"}).status_code == 303
    assert git_diff_numstat(live.book) == []


def test_a_new_records_day_is_today_as_the_cli_takes_it(live):
    c = live.client()
    for noun, field in (("time", "date"), ("transfer", "date"), ("recurring", "start"), ("expense", "date")):
        page = c.get(f"/new/{noun}").text
        assert re.search(rf'id="f-{field}" type="text" name="{field}" value="{TODAY}"', page), noun
    assert 'name="start" value=""' in c.get("/new/goal").text        # a goal's start follows its --period


def test_an_account_that_does_not_reconcile_shows_the_difference_and_the_lines_behind_it(live):
    r = run_cli("account", "assert", "bank", "20000", "--on", "2026-11-24", books=live.book, today=TODAY)
    assert r.exit_code == 0 and "too much" in r.output, r.output
    page = live.client().get("/account/bank").text
    block = re.search(r'<div class="reconcile" data-account="bank" data-currency="USD" data-holds="no">(.*?)</div>',
                      page, re.S).group(1)
    import html
    text = html.unescape(block)
    assert "20,000.00 USD" in text and "more in the book than the bank" in text and "The lines since 2026-10-31" in text
    rows = re.findall(r'<tr data-id="([^"]+)" data-moved="(yes|no)">', block)
    assert rows and all(i.startswith(("tx-", "tr-")) for i, _ in rows)
