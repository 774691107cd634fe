"""Income, expenses, the workflow view, `income link`, rollups, auto-paid and the finance report."""
import json
import re

import pytest

from conftest import git_commit_all

PICK = {"client": ("invoiced", "received", "outstanding"),
        "project": ("invoiced", "received", "completion_pct"),
        "service": ("invoiced", "received"),
        "invoice": ("status", "received", "balance", "partially_paid")}


def rollup(cli, kind, rid):
    r = cli(kind, "show", rid, "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    return {k: d[k] for k in PICK[kind]}


def added_id(result) -> str:
    m = re.search(r"added (?:income|expense) '([^']+)'", result.stdout)
    assert m, result.output
    return m.group(1)


def finance(cli, *args):
    r = cli("report", "finance", "--format", "json", *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_income_add_with_every_link_and_expense_add(cli):
    cli("invoice", "add", "--client", "acme", "--project", "acme-website", "--amount", "2500", "--status", "sent")
    r = cli("income", "add", "2500", "--date", "2026-11-20", "--classification", "client", "--client", "acme",
            "--invoice", "INV-2026-023", "--project", "acme-website", "--service", "acme-design",
            "--account", "bank", "--received")
    assert r.exit_code == 0, r.output
    tx = added_id(r)
    assert r.stdout.splitlines() == [
        "invoice 'INV-2026-023' is paid: received 2,500.00 USD covers its total 2,500.00 USD (sent -> paid)",
        f"added income '{tx}'"]
    text = (cli.book / "transactions" / "2026.yaml").read_text()
    assert text.endswith(f"- id: {tx}\n  date: 2026-11-20\n  kind: income\n  amount: 2500\n  classification: client\n"
                         "  account: bank\n  received: true\n  client: acme\n  invoice: INV-2026-023\n"
                         "  project: acme-website\n  service: acme-design\n")
    assert "  status: paid\n" in (cli.book / "invoices.yaml").read_text().split("INV-2026-023")[1]
    r = cli("expense", "add", "49", "--category", "software", "--account", "bank", "--paid", "--description", "Figma")
    assert r.exit_code == 0, r.output
    ex = added_id(r)
    assert (cli.book / "transactions" / "2026.yaml").read_text().endswith(
        f"- id: {ex}\n  date: 2026-11-25\n  kind: expense\n  amount: 49\n  category: software\n  account: bank\n"
        "  received: true\n  description: Figma\n")
    assert cli("validate").exit_code == 0


def test_custom_classification_and_category(cli):
    r = cli("income", "add", "900", "--classification", "grants")
    assert r.exit_code == 2 and "add it with `freelance settings add income_classifications grants`" in r.stderr
    assert cli("settings", "add", "income_classifications", "grants").exit_code == 0
    assert cli("settings", "add", "expense_categories", "training").exit_code == 0
    assert cli("income", "add", "900", "--classification", "grants", "--received").exit_code == 0
    assert cli("expense", "add", "120", "--category", "training", "--paid").exit_code == 0
    f = finance(cli)
    assert {"classification": "grants", "received": "900.00", "expected": "0.00", "count": 1, "currency": "USD",
            "tax": "0.00", "net": "900.00"} in f["income"]
    assert {"category": "training", "paid": "120.00", "expected": "0.00", "count": 1, "currency": "USD",
            "tax": "0.00", "net": "120.00"} in f["expenses"]


def test_expense_needs_a_category_and_amounts_must_be_positive(cli):
    r = cli("expense", "add", "49")
    assert r.exit_code == 2 and "--category is required for an expense" in r.stderr
    r = cli("income", "add", "-5", "--classification", "other")
    assert r.exit_code == 2
    r = cli("income", "add", "0", "--classification", "other")
    assert r.exit_code == 2 and "must be more than zero" in r.stderr


def test_one_link_updates_client_project_service_and_invoice(cli):
    # a draft invoice for Initech's report tool, and client income that is not linked yet
    r = cli("invoice", "add", "--client", "initech", "--project", "initech-reports",
            "--item", "Report tool, second half:1:2100:initech-dev")
    inv = r.stdout.split("'")[1]
    assert inv.startswith("draft-")
    tx = added_id(cli("income", "add", "2100", "--classification", "client", "--received", "--date", "2026-11-24"))
    before = {k: rollup(cli, k, rid) for k, rid in
              (("client", "initech"), ("project", "initech-reports"), ("service", "initech-dev"), ("invoice", inv))}
    assert before == {
        "client": {"invoiced": "2100.00", "received": "1000.00", "outstanding": "1100.00"},
        "project": {"invoiced": "2100.00", "received": "1000.00", "completion_pct": "50.0"},
        "service": {"invoiced": "0.00", "received": "0.00"},
        "invoice": {"status": "draft", "received": "0.00", "balance": "2100.00", "partially_paid": False}}
    r = cli("income", "link", tx, "--invoice", inv, "--project", "initech-reports", "--service", "initech-dev")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"client 'initech' taken from invoice {inv}",
        f"linked income '{tx}': invoice {inv}, project initech-reports, service initech-dev, client initech",
        f"invoice '{inv}' is paid: received 2,100.00 USD covers its total 2,100.00 USD; it is still a draft: "
        f"`freelance invoice move {inv} paid` issues it with its number"]
    r = cli("invoice", "move", inv, "paid")             # issued: its number, its income with it
    assert r.exit_code == 0 and f"invoice '{inv}' is numbered INV-2026-023, and 1 record linking to it" in r.stdout
    after = {k: rollup(cli, k, rid) for k, rid in (("client", "initech"), ("project", "initech-reports"),
                                                   ("service", "initech-dev"), ("invoice", "INV-2026-023"))}
    assert after == {
        "client": {"invoiced": "4200.00", "received": "3100.00", "outstanding": "1100.00"},
        "project": {"invoiced": "4200.00", "received": "3100.00", "completion_pct": "100.0"},
        "service": {"invoiced": "2100.00", "received": "2100.00"},
        "invoice": {"status": "paid", "received": "2100.00", "balance": "0.00", "partially_paid": False}}
    assert cli("validate").exit_code == 0


def test_partial_payments_then_paid(cli):
    # INV-2026-017: acme retainer, 600 sent
    first = added_id(cli("income", "add", "250", "--client", "acme", "--received"))
    r = cli("income", "link", first, "--invoice", "INV-2026-017")
    assert "is paid" not in r.stdout
    assert rollup(cli, "invoice", "INV-2026-017") == {"status": "sent", "received": "250.00", "balance": "350.00",
                                                     "partially_paid": True}
    assert rollup(cli, "client", "acme")["outstanding"] == "3200.00"     # 2850 left of INV-015 + 350
    r = cli("invoice", "board", "--format", "json")
    card = next(c for col in json.loads(r.stdout) for c in col["cards"] if c["id"] == "INV-2026-017")
    assert card["lines"][-2:] == ["part paid", "350.00 USD due"]
    # the rest arrives later: expected first, then `income edit --received`
    rest = added_id(cli("income", "add", "350", "--client", "acme", "--invoice", "INV-2026-017"))
    assert rollup(cli, "invoice", "INV-2026-017")["status"] == "sent"
    r = cli("income", "edit", rest, "--received")
    assert r.stdout.splitlines() == [
        f"changed income '{rest}': received",
        "invoice 'INV-2026-017' is paid: received 600.00 USD covers its total 600.00 USD (sent -> paid)"]
    assert rollup(cli, "invoice", "INV-2026-017") == {"status": "paid", "received": "600.00", "balance": "0.00",
                                                     "partially_paid": False}
    assert rollup(cli, "client", "acme")["outstanding"] == "2850.00"


def test_link_existing_demo_income_to_an_overdue_invoice_with_today(cli):
    # the Northwind transfer (3450, expected) matches INV-2026-016 (3450, sent, due 2026-11-19)
    d = json.loads(cli("invoice", "show", "INV-2026-016", "-f", "json").stdout)
    assert (d["overdue"], d["days_overdue"]) == (True, 6)
    r = cli("income", "link", "tx-20261124-81e74e", "--invoice", "INV-2026-016")
    assert "is paid" not in r.stdout                         # not received yet: still expected
    d = json.loads(cli("invoice", "show", "INV-2026-016", "-f", "json").stdout)
    assert (d["overdue"], d["balance"]) == (True, "3450.00")
    bank = finance(cli)["accounts"][0]
    assert (bank["balance"], bank["expected_in"]) == ("21419.61", "3450.00")   # 300.00 moved to cash
    r = cli("income", "edit", "tx-20261124-81e74e", "--received")
    assert "invoice 'INV-2026-016' is paid" in r.stdout
    d = json.loads(cli("invoice", "show", "INV-2026-016", "-f", "json").stdout)
    assert (d["status"], d["overdue"], d["days_overdue"]) == ("paid", False, 0)
    bank = finance(cli)["accounts"][0]
    assert (bank["balance"], bank["expected_in"]) == ("24869.61", "0.00")


def test_create_missing_makes_draft_invoice_lead_and_not_started_records(cli):
    tx = added_id(cli("income", "add", "800", "--classification", "client", "--received"))
    link = ("income", "link", tx, "--client", "wonka", "--project", "wonka-site", "--service", "wonka-design",
            "--invoice", "INV-2026-023", "--create-missing")
    # a service made on the spot must have a rate to pass validate: none anywhere, so refused
    before = (cli.book / "services.yaml").read_bytes()
    r = cli(*link)
    assert r.exit_code == 2 and "cannot create service 'wonka-design': it would have no rate" in r.stderr
    assert "settings set default_rate RATE" in r.stderr and "client edit wonka" not in r.stderr
    assert (cli.book / "services.yaml").read_bytes() == before
    assert cli("settings", "set", "default_rate", "95").exit_code == 0
    r = cli(*link)
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[:4] == [
        "created client 'wonka' (lead)", "created project 'wonka-site' (not-started)",
        "created service 'wonka-design' (not-started)", "created invoice 'INV-2026-023' (draft)"]
    assert (cli.book / "clients.yaml").read_text().endswith("- id: wonka\n  name: Wonka\n  stage: lead\n")
    assert (cli.book / "invoices.yaml").read_text().endswith(
        "- id: INV-2026-023\n  client: wonka\n  project: wonka-site\n  issued: 2026-11-25\n  status: draft\n  amount: 800\n")
    assert "  client: wonka\n  status: not-started\n" in (cli.book / "projects.yaml").read_text()
    # what is left to fill in is named: the draft's items (the service takes the book's rate)
    v = cli("validate")
    assert v.exit_code == 0
    assert v.stdout.splitlines() == [
        "invoices.yaml:230: warning: invoice 'INV-2026-023': still a draft, but income is linked to it"]


@pytest.mark.parametrize("args, message", [
    (["--invoice", "INV-2026-017"], "--invoice: invoice INV-2026-017 belongs to client 'acme', not 'globex'"),
    (["--invoice", "INV-2026-99"], "--invoice: no invoice 'INV-2026-99' (did you mean"),
    (["--project", "globex-dashbord"], "--project: no project 'globex-dashbord' (did you mean 'globex-dashboard'?) (or use --create-missing)"),
    ([], "nothing to link"),
])
def test_link_refuses_with_a_clear_message_and_writes_nothing(cli, args, message):
    before = (cli.book / "transactions" / "2026.yaml").read_text()
    r = cli("income", "link", "tx-20261118-36f675", *args)
    assert r.exit_code == 2 and message in r.stderr, r.output
    assert (cli.book / "transactions" / "2026.yaml").read_text() == before


def test_link_refuses_expenses_and_non_client_income(cli):
    r = cli("income", "link", "tx-20261128-d3ac94", "--client", "acme")
    assert r.exit_code == 2 and "classified 'interest', not client" in r.stderr
    r = cli("income", "link", "tx-20261130-9e7769", "--client", "acme")
    assert r.exit_code == 2 and "no income 'tx-20261130-9e7769'" in r.stderr


def test_link_changes_only_the_link_lines(cli):
    import subprocess
    book = cli.book
    git_commit_all(book)
    r = cli("income", "link", "tx-20261118-36f675", "--invoice", "INV-2026-018", "--project", "globex-dashboard")
    assert r.exit_code == 0, r.output
    diff = subprocess.run(["git", "diff", "-U0"], cwd=book, capture_output=True, text=True).stdout
    changed = [l for l in diff.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    assert changed == ["+  invoice: INV-2026-018", "+  project: globex-dashboard"]


def test_workflow_view_filters_and_formats(cli):
    r = cli("workflow")
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) == 2 + 16
    r = cli("workflow", "--unlinked")
    assert [l.split()[0] for l in r.stdout.splitlines()[2:]] == ["tx-20261118-36f675", "tx-20261124-81e74e"]
    rows = json.loads(cli("workflow", "--pending", "--format", "json").stdout)
    assert [(x["id"], x["amount"], x["state"], x["invoice"], x["client"]) for x in rows] == [
        ("tx-20261124-81e74e", "3450", "expected", None, "northwind")]
    csv = cli("workflow", "--client", "blue-harbor", "--format", "csv").stdout
    assert csv.splitlines()[0] == "id,date,amount,state,invoice,client,project,service,currency"
    assert "tx-20260930-953198,2026-09-30,400,received,INV-2026-012,blue-harbor,,hosting-setup" in csv
    md = cli("workflow", "--period", "2026-Q4", "--format", "markdown").stdout
    assert md.startswith("| id ") and md.count("\n") == 2 + 4
    r = cli("workflow", "--client", "acmee")
    assert r.exit_code == 2 and "did you mean 'acme'" in r.stderr
    # linking removes a row from --unlinked
    cli("income", "link", "tx-20261118-36f675", "--invoice", "INV-2026-018")
    assert "tx-20261118-36f675" not in cli("workflow", "--unlinked").stdout


def test_report_workflow_fails_on_unlinked(cli):
    r = cli("report", "workflow", "--format", "json", "--fail-on", "unlinked")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["summary"][1] == {"what": "unlinked (no invoice or client)", "count": 2, "currency": "USD",
                                  "amount": "3700.00"}
    assert len(data["income"]) == 16


def test_finance_report_balances_to_the_cent(cli):
    f = finance(cli)
    assert [(a["account"], a["opening_balance"], a["money_in"], a["money_out"], a["transfers"], a["balance"])
            for a in f["accounts"]] == [
        ("bank", "0.00", "36588.30", "14868.69", "-300.00", "21419.61"),     # two transfers to cash
        ("cash", "0.00", "400.00", "86.40", "300.00", "613.60"),
        ("total", "0.00", "36988.30", "14955.09", "0.00", "22033.21")]
    assert f["expected"][0]["expected_out"] == "3300.00"
    nov = next(m for m in f["months"] if m["month"] == "2026-11")
    assert (nov["income"], nov["expenses"], nov["expected_income"]) == ("3104.26", "377.99", "3450.00")
    # a period: the opening balance carries what moved before it
    q4 = finance(cli, "--period", "2026-Q4")
    bank = q4["accounts"][0]
    assert (bank["opening_balance"], bank["balance"]) == ("18667.08", "21419.61")   # hledger bal assets:bank -e 2026-10-01
    assert [m["month"] for m in q4["months"]] == ["2026-10", "2026-11"]
    upto = finance(cli, "--from", "2026-01-01", "--to", "2026-06-30")
    assert upto["accounts"][0]["balance"] == "11436.36"   # hledger bal assets:bank -e 2026-07-01
    # an opening balance in the settings counts
    cli("settings", "add", "accounts", "savings", "--opening-balance", "1000.10")
    cli("income", "add", "0.20", "--classification", "interest", "--account", "savings", "--received")
    savings = next(a for a in finance(cli)["accounts"] if a["account"] == "savings")
    assert (savings["opening_balance"], savings["money_in"], savings["balance"]) == ("1000.10", "0.20", "1000.30")


def test_finance_report_renders_in_every_format(cli):
    for fmt in ("table", "markdown", "csv", "html"):
        r = cli("report", "finance", "--format", fmt)
        assert r.exit_code == 0 and "21,419.61" in r.stdout or "21419.61" in r.stdout, fmt


def test_income_add_with_only_an_invoice_takes_its_client_and_is_client_income(cli):
    r = cli("income", "add", "600", "--invoice", "INV-2026-017", "--received")
    assert r.exit_code == 0, r.output
    assert "invoice 'INV-2026-017' is paid" in r.stdout
    tail = (cli.book / "transactions" / "2026.yaml").read_text().rsplit("- id: ", 1)[1]
    assert "  classification: client\n" in tail and "  client: acme\n" in tail
    assert cli("validate").exit_code == 0


def test_linking_again_changes_nothing(cli):
    before = (cli.book / "transactions" / "2026.yaml").read_text()
    r = cli("income", "link", "tx-20261110-e8e25d", "--invoice", "INV-2026-015")
    assert r.exit_code == 0 and r.stdout == "income 'tx-20261110-e8e25d' already has these links; nothing changed\n"
    assert (cli.book / "transactions" / "2026.yaml").read_text() == before


def book_files(book):
    return {p.relative_to(book): p.read_bytes() for p in book.rglob("*.yaml") if ".freelance" not in p.parts}


@pytest.mark.parametrize("args, message", [
    (["income", "add", "3000", "--client", "initech", "--invoice", "INV-2026-009", "--received"],
     "income of 3,000.00 USD would overpay invoice 'INV-2026-009' (total 2,100.00 USD, received 1,000.00 USD "
     "so far); it is owed 1,100.00 USD: record that much against it and the rest as income without --invoice"),
    (["income", "add", "10", "--client", "globex", "--invoice", "INV-2026-007", "--received"],
     "income of 10.00 USD would overpay invoice 'INV-2026-007' (total 2,772.00 USD, received 2,772.00 USD "
     "so far); it is paid in full already"),
    (["income", "link", "tx-20261118-36f675", "--invoice", "INV-2026-010"], "would overpay invoice 'INV-2026-010'"),
    (["income", "add", "100", "--client", "acme", "--invoice", "INV-2026-017", "--currency", "EUR"],
     "income in EUR cannot pay invoice 'INV-2026-017', which is in USD"),
    (["income", "add", "100", "--client", "globex", "--invoice", "INV-2026-017"],
     "invoice 'INV-2026-017' belongs to client 'acme', not 'globex'"),
    (["invoice", "edit", "INV-2026-009", "--amount", "500"],
     "invoice 'INV-2026-009' has received 1,000.00 USD; with a total of 500.00 USD it would be overpaid"),
    (["invoice", "edit", "INV-2026-009", "--currency", "EUR"],      # its project and client are in USD
     "invoice in EUR cannot be linked to project 'initech-reports', which is in USD"),
    (["invoice", "edit", "INV-2026-009", "--client", "acme"],
     "invoice 'INV-2026-009' has income of another client than 'acme' linked to it (tx-20260918-892f90)"),
    (["income", "edit", "tx-20260918-892f90", "--client", "acme"],            # only the client changes
     "invoice 'INV-2026-009' belongs to client 'initech', not 'acme'"),
    (["income", "link", "tx-20260918-892f90", "--client", "acme"],
     "belongs to client 'initech', not 'acme'"),
    (["income", "add", "100", "--currency", "EUR", "--invoice", "INV-2026-021", "--client", "initech"],  # void
     "income in EUR cannot pay invoice 'INV-2026-021', which is in USD"),
])
def test_a_write_that_would_overpay_or_cross_currencies_is_refused(cli, args, message):
    """What validate calls an error (overpaid, income in another currency or of another client
    than its invoice), a command does not write: it says why and what to do, and writes nothing."""
    assert cli("validate").exit_code == 0
    before = book_files(cli.book)
    r = cli(*args)
    assert r.exit_code == 2 and message in r.stderr, r.output
    assert book_files(cli.book) == before


def test_what_the_invoice_is_owed_pays_it_and_income_not_yet_received_is_not_counted(cli):
    r = cli("income", "add", "5000", "--client", "initech", "--invoice", "INV-2026-009")   # expected, not received
    assert r.exit_code == 0, r.output
    expected = added_id(r)
    r = cli("income", "edit", expected, "--received")                  # now it would count: refused
    assert r.exit_code == 2 and "would overpay invoice 'INV-2026-009'" in r.stderr
    r = cli("income", "edit", expected, "--amount", "1100", "--received")
    assert r.exit_code == 0 and "invoice 'INV-2026-009' is paid" in r.stdout, r.output
    assert rollup(cli, "invoice", "INV-2026-009")["balance"] == "0.00"
    v = cli("validate")
    assert v.exit_code == 0, v.output
    r = cli("invoice", "edit", "INV-2026-009", "--amount", "2500")      # a higher total is fine (and it is owed again)
    assert r.exit_code == 0, r.output


def test_income_already_overpaying_by_hand_can_still_be_edited(cli):
    """Only what a write changes is judged: a book overpaid by hand keeps working, and validate says it."""
    path = cli.book / "transactions" / "2026.yaml"
    text = path.read_text()
    path.write_text(text.replace("  amount: 3080\n", "  amount: 3090\n", 1))
    assert "overpaid" in cli("validate").stdout
    r = cli("income", "edit", "tx-20260928-1818e8", "--description", "Globex: paid, a little too much")
    assert r.exit_code == 0, r.output
    r = cli("income", "edit", "tx-20260928-1818e8", "--amount", "3100")
    assert r.exit_code == 2 and "would overpay invoice 'INV-2026-010'" in r.stderr


def test_a_void_invoice_overpaid_cannot_come_back_and_a_made_up_invoice_takes_the_income_currency(cli):
    r = cli("income", "add", "5000", "--client", "initech", "--invoice", "INV-2026-021", "--received")
    assert r.exit_code == 0, r.output                                   # void: not owed, not weighed
    r = cli("invoice", "move", "INV-2026-021", "sent")
    assert r.exit_code == 2 and "void is final" in r.stderr           # docs/ledger.md: hours are billed once
    r = cli("income", "add", "100", "--currency", "EUR", "--client", "umbrella-labs", "--invoice", "INV-2026-099",
            "--create-missing", "--received")
    assert r.exit_code == 0, r.output
    inv = json.loads(cli("invoice", "show", "INV-2026-099", "--format", "json").stdout)
    assert inv["currency"] == "EUR" and inv["status"] == "draft"
    v = cli("validate", "--format", "json")
    assert not [p for p in json.loads(v.stdout) if p["severity"] == "error"], v.stdout
