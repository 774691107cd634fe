"""What a new user noticed on the web's pages, fetched from the real server over HTTP (one
server over one copy of the demo book for the module): forms named as the other forms are,
one due date on an invoice, no edit or remove offered that the door would refuse (a sealed
invoice, an issued one, hours on a sent invoice), the records behind the account page's
"expected, not moved", the bank page's CSV rules as the choices the import takes, and the
timer naming projects and services by their names."""
from __future__ import annotations

import html
import json
import re
import shutil
from decimal import Decimal

import pytest

from conftest import DEMO, TODAY, run_cli
from servehelp import Live

pytest.importorskip("httpx")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    book = tmp_path_factory.mktemp("pages") / "book"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns(".freelance"))
    server = Live(book, today=TODAY)
    server.http = server.client()
    yield server
    server.stop()


def cli(live, *args):
    r = run_cli(*args, books=live.book, today=TODAY)
    assert r.exit_code == 0, r.output
    return r


def page(live, path: str) -> str:
    r = live.http.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return r.text


def title(text: str) -> str:
    return html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)).strip()


def test_the_time_form_is_named_like_the_others(live):
    assert title(page(live, "/new/client")) == "New client"        # what the other forms say
    assert title(page(live, "/new/time")) == "New time entry"
    assert title(page(live, "/new/recurring")) == "New recurring invoice"
    assert ">new time entry</a>" in page(live, "/list/time")
    entry = json.loads(cli(live, "time", "list", "--format", "json").stdout)[0]["id"]
    assert title(page(live, f"/edit/time/{entry}")) == f"Edit time entry {entry}"
    assert ">all time entries</a>" in page(live, f"/r/time/{entry}")


def fields_of(text: str) -> list[str]:
    return re.findall(r'<tr data-field="([^"]+)">', text)


def test_an_invoice_shows_one_due_date_the_stored_one_or_the_terms(live):
    shown = fields_of(page(live, "/r/invoice/INV-2026-015"))
    assert shown.count("due") == 1 and "due_date" not in shown
    due = json.loads(cli(live, "invoice", "show", "INV-2026-015", "--format", "json").stdout)["due_date"]
    assert re.search(rf'<tr data-field="due"><th>due</th><td>{due}</td>', page(live, "/r/invoice/INV-2026-015"))
    # an invoice with no `due:` written: the one its terms give, once, as "due"
    inv = live.book / "invoices.yaml"
    text = inv.read_text(encoding="utf-8")
    block = text[text.index("- id: INV-2026-020"):]
    inv.write_text(text.replace(block, block.replace("  due: 2026-12-21\n", "", 1), 1), encoding="utf-8")
    derived = json.loads(cli(live, "invoice", "show", "INV-2026-020", "--format", "json").stdout)
    assert derived["due"] is None and derived["due_date"]
    text = page(live, "/r/invoice/INV-2026-020")
    assert fields_of(text).count("due") == 1 and f"<td>{derived['due_date']}</td>" in text


def test_no_edit_or_removal_is_offered_that_would_be_refused(live, tmp_path):
    # a draft: edited and removed as any record
    text = page(live, "/r/invoice/INV-2026-019")
    assert '>edit</a>' in text and 'action="/remove"' in text
    # issued (sent, unsealed: edited by hand before `invoice send` existed): not removable, as `invoice rm` says
    text = page(live, "/r/invoice/INV-2026-015")
    assert 'action="/remove"' not in text and "Not removable" in text
    refused = run_cli("invoice", "rm", "INV-2026-015", books=live.book, today=TODAY)
    assert refused.exit_code == 2
    # sent by `invoice send`, so sealed: the form offers only what may still change
    cli(live, "invoice", "send", "INV-2026-022", "--eml", str(tmp_path / "mail.eml"))
    text = page(live, "/r/invoice/INV-2026-022")
    assert 'action="/remove"' not in text and ">edit</a>" not in text
    link = re.search(r'<a href="/edit/invoice/INV-2026-022">([^<]*)</a>', text).group(1)
    form = page(live, "/edit/invoice/INV-2026-022")
    offered = re.findall(r'name="([a-z_]+)"', form.split('class="record-form"', 1)[1])
    offered = [n for n in offered if n not in ("csrf", "version", "back")]
    assert link == "edit " + ", ".join(offered) and offered == ["status", "notes"]
    statuses = re.findall(r"<option(?: selected)?>([a-z]+)</option>", form)
    assert "draft" not in statuses and {"sent", "paid", "void"} <= set(statuses)
    for field in ("issued", "due", "client"):      # each one the CLI refuses on this invoice
        r = run_cli("invoice", "edit", "INV-2026-022", f"--{field}", "2026-12-01" if field != "client" else "globex",
                    books=live.book, today=TODAY)
        assert r.exit_code == 2 and "sealed" in r.stderr
    ok = run_cli("invoice", "edit", "INV-2026-022", "--notes", "Thanks!", books=live.book, today=TODAY)
    assert ok.exit_code == 0
    # hours on a sent invoice: what the client was billed
    billed = [e for e in json.loads(cli(live, "time", "list", "--billed", "--format", "json").stdout)
              if json.loads(cli(live, "invoice", "show", e["invoice"], "--format", "json").stdout)["status"] == "sent"]
    entry = billed[0]["id"]
    text = page(live, f"/r/time/{entry}")
    assert f'href="/edit/time/{entry}"' not in text and 'action="/remove"' not in text
    assert run_cli("time", "edit", entry, "--hours", "1", books=live.book, today=TODAY).exit_code == 2


def test_the_expected_figure_lists_the_records_it_sums(live):
    added = cli(live, "income", "add", "450", "--classification", "other", "--date", "2026-11-20",
                "--account", "bank", "--description", "Workshop fee")
    rid = re.search(r"added income '([^']+)'", added.stdout).group(1)
    cli(live, "account", "assert", "bank", "20000", "--on", "2026-11-24")
    text = page(live, "/account/bank")
    block = re.search(r'<div class="reconcile" data-account="bank" data-currency="USD"[^>]*>(.*?)</div>', text, re.S).group(1)
    figure = re.search(r'<tr data-field="expected"><th>[^<]*</th><td class="num">([^<]*)<', block).group(1)
    listed = re.search(r'<tr data-field="expected-records">(.*?)</tr>', block, re.S).group(1)
    items = re.findall(r'<li data-id="([^"]+)"><a href="(/r/[a-z]+/[^"]+)">[^<]*</a>[^<]*· ([-\d,.]+) USD</li>', listed)
    assert rid in {i for i, _, _ in items} and all(url.endswith(i) for i, url, _ in items)
    total = sum(Decimal(x.replace(",", "")) for _, _, x in items)
    assert html.unescape(figure).strip() == f"{total:,.2f} USD"
    for _, url, _ in items:                 # each one is a record's page
        assert live.http.get(url).status_code == 200


def test_the_csv_rules_are_the_books_rules_files(live):
    def offered():
        form = re.search(r'<select name="rules">(.*?)</select>', page(live, "/bank"), re.S).group(1)
        return re.findall(r'<option(?: value="([^"]*)")?>([^<]*)</option>', form)
    names = sorted(p.stem for p in (live.book / "bank-rules").glob("*.yaml") if p.stem != "classify")
    assert offered() == [("", f"{names[0]} (the only one)")]
    rules = live.book / "bank-rules"
    shutil.copyfile(rules / f"{names[0]}.yaml", rules / "otherbank.yaml")
    try:
        choices = offered()
        assert choices[0][0] == "" and [label for _, label in choices[1:]] == sorted([*names, "otherbank"])
    finally:
        (rules / "otherbank.yaml").unlink()


def test_the_timer_names_projects_and_services_by_their_names(live):
    projects = {p["id"]: p for p in json.loads(cli(live, "project", "list", "--format", "json").stdout)}
    services = {s["id"]: s for s in json.loads(cli(live, "service", "list", "--format", "json").stdout)}
    header = page(live, "/")
    options = dict(re.findall(r'<option value="([^"]+)">([^<]*)</option>', header.split('form class="timer"', 1)[1]))
    one = [p for p in projects.values() if len(p["services"] or []) <= 1 and p["status"] != "done"]
    assert one
    for p in one:
        assert html.unescape(options[p["id"]]) == p["name"]
    for value, label in options.items():
        if "|" in value:
            pid, sid = value.split("|")
            assert html.unescape(label) == f"{projects[pid]['name']} · {services[sid]['name']}"
    pid = one[0]["id"]
    cli(live, "time", "start", pid, "--at", "09:00")
    try:
        running = re.search(r'<span class="running">(.*?)</span>', page(live, "/")).group(1)
        assert f"<strong>{html.escape(projects[pid]['name'])}</strong>" in running
    finally:
        cli(live, "time", "cancel")
