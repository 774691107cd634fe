"""One ledger under every figure (docs/ledger.md): what an invoice still owes is one answer,
the journal posts each record once, and every face reads them (issue 22, its "Why" cases)."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal

import pytest

from conftest import run_cli
from drafts import added, numbered

TODAY = "2026-12-01"
needs_hledger = pytest.mark.skipif(shutil.which("hledger") is None, reason="hledger not installed (.ci/run installs it)")


def ok(r):
    assert r.exit_code == 0, r.output
    return r


def fl(book, *args, today=TODAY):
    return run_cli(*args, books=book, today=today)


def js(book, *args):
    return json.loads(ok(fl(book, *args, "--format", "json")).stdout)


@pytest.fixture
def book(empty_book):
    ok(fl(empty_book, "settings", "set", "currency", "EUR"))
    ok(fl(empty_book, "client", "add", "Acme"))
    return empty_book


def _invoice(book, *items, issued="2026-10-01", tax="19"):
    rid = added(ok(fl(book, "invoice", "add", "--client", "acme", *[x for i in items for x in ("--item", i)],
                      "--tax-rate", tax, "--issued", issued)))
    return numbered(ok(fl(book, "invoice", "move", rid, "sent")))


def _credit(book, inv, *items):
    return added(ok(fl(book, "invoice", "credit", inv, *[x for i in items for x in ("--item", i)], "--issue")))


def _nothing_owed_everywhere(book, inv):
    """client show, invoice show, the board, aging and the digest agree: nothing is owed."""
    assert js(book, "client", "show", "acme")["outstanding"] == "0.00"
    shown = js(book, "invoice", "show", inv)
    assert (shown["balance"], shown["overdue"]) == ("0.00", False)
    board = ok(fl(book, "invoice", "board")).stdout
    assert "OVERDUE" not in board.upper()
    report = js(book, "report", "invoices")
    assert report["aging"] == [] and report["alerts"]["overdue"] == []
    assert [r["owed"] for r in report["statuses"] if r["status"] == "overdue"] == ["0.00"]
    assert ok(fl(book, "report", "digest", "--fail-on", "overdue")).exit_code == 0


def test_a_payment_net_of_a_credit_note_settles_the_invoice_on_every_face(book):
    inv = _invoice(book, "Work:1:1000")                  # 1,190.00 with 19% tax
    note = _credit(book, inv, "Discount:1:100")          # -119.00
    r = ok(fl(book, "income", "add", "1071", "--invoice", inv, "--received", "--date", "2026-11-01"))
    assert f"invoice '{inv}' is paid" in r.stdout
    assert js(book, "invoice", "show", inv)["status"] == "paid"
    _nothing_owed_everywhere(book, inv)
    assert js(book, "invoice", "show", note)["balance"] == "0.00"     # set against its invoice: settled
    ok(fl(book, "invoice", "move", note, "paid"))       # as the README said to: still nothing owed
    _nothing_owed_everywhere(book, inv)
    assert ok(fl(book, "validate")).output.startswith("ok")


def test_a_credit_note_sent_after_the_payment_settles_it_and_invoice_settle_marks_it_paid(book):
    inv = _invoice(book, "Work:1:1000")
    ok(fl(book, "income", "add", "1071", "--invoice", inv, "--received", "--date", "2026-11-01"))
    assert js(book, "invoice", "show", inv)["balance"] == "119.00"
    assert fl(book, "report", "digest", "--fail-on", "overdue").exit_code == 1
    _credit(book, inv, "Discount:1:100")
    _nothing_owed_everywhere(book, inv)
    ok(fl(book, "invoice", "settle", inv))
    assert js(book, "invoice", "show", inv)["status"] == "paid"


def test_a_payment_net_of_a_bank_fee_pays_the_invoice(book):
    inv = _invoice(book, "Work:1:1000", tax="0")
    r = ok(fl(book, "income", "add", "995", "--invoice", inv, "--received", "--fee", "5.00", "--date", "2026-11-01"))
    assert f"invoice '{inv}' is paid" in r.stdout
    _nothing_owed_everywhere(book, inv)
    journal = ok(fl(book, "export", "hledger")).stdout
    assert "expenses:write-offs  5.00 EUR" in journal
    finance = js(book, "report", "finance")
    assert [a["money_in"] for a in finance["accounts"] if a["account"] == "bank"] == ["995.00"]


def test_what_never_comes_is_written_off_with_a_reason(book):
    ok(fl(book, "settings", "set", "write_off_category", "bank-fees"))
    inv = _invoice(book, "Work:1:100", tax="0")
    ok(fl(book, "income", "add", "97", "--invoice", inv, "--received", "--date", "2026-11-01"))
    r = fl(book, "invoice", "move", inv, "paid")
    assert r.exit_code == 2 and "still owes 3.00 EUR" in r.stderr and "invoice settle" in r.stderr
    r = fl(book, "invoice", "settle", inv)
    assert r.exit_code == 2 and "--write-off" in r.stderr
    r = ok(fl(book, "invoice", "settle", inv, "--write-off", "--reason", "bank-fee"))
    assert "wrote off 3.00 EUR" in r.stdout
    shown = js(book, "invoice", "show", inv)
    assert (shown["status"], shown["written_off"], shown["write_off_reason"]) == ("paid", "3.00", "bank-fee")
    _nothing_owed_everywhere(book, inv)
    for basis in ([], ["--accrual"]):
        journal = ok(fl(book, "export", "hledger", *basis)).stdout
        assert "expenses:bank-fees  3.00 EUR" in journal
    assert ok(fl(book, "validate")).output.startswith("ok")


def _two_rate_net_of_credit(book):
    # 2,000 at 19% (380.00) + 1,000 at 7% (70.00) = 3,450.00; the credit note takes 500 at 7% back
    # (535.00, of it 35.00 tax): the client pays 2,915.00, of which 415.00 is tax
    inv = _invoice(book, "Design:1:2000", "Print:1:1000:7%")
    _credit(book, inv, "Print, returned:1:500:7%")
    ok(fl(book, "income", "add", "2915", "--invoice", inv, "--received", "--date", "2026-11-02"))
    return inv


def test_tax_collected_is_the_invoices_tax_less_the_credit_notes_not_the_paid_share(book):
    inv = _two_rate_net_of_credit(book)
    assert js(book, "invoice", "show", inv)["status"] == "paid"
    tax = js(book, "report", "finance")["tax"]
    assert [(t["collected"], t["currency"]) for t in tax] == [("415.00", "EUR")]
    for basis in ([], ["--accrual"]):
        text = ok(fl(book, "export", "hledger", *basis)).stdout
        assert _hledger_like_sum(text, "liabilities:tax:tax") == Decimal("-415.00")
    bean = ok(fl(book, "export", "beancount")).stdout
    assert sum(Decimal(line.split()[1]) for line in bean.splitlines()
               if line.strip().startswith("Liabilities:Tax:Tax")) == Decimal("-415.00")


def _hledger_like_sum(text: str, account: str) -> Decimal:
    total = Decimal(0)
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == account:
            total += Decimal(parts[1])
    return total


@needs_hledger
def test_hledger_bal_of_the_export_equals_the_journal_and_report_finance(book, tmp_path):
    _two_rate_net_of_credit(book)
    inv = _invoice(book, "Work:1:100", tax="0")
    ok(fl(book, "income", "add", "95", "--invoice", inv, "--received", "--fee", "5", "--date", "2026-11-03"))
    for basis in ([], ["--accrual"]):
        path = tmp_path / f"book{len(basis)}.journal"
        ok(fl(book, "export", "hledger", *basis, "--out", str(path)))
        p = subprocess.run(["hledger", "bal", "-f", str(path), "--flat", "-N", "-O", "csv"],
                           capture_output=True, text=True, check=True)
        got = {row[0]: row[1] for row in list(csv.reader(io.StringIO(p.stdout)))[1:]}
        assert got["liabilities:tax:tax"] == "-415.00 EUR"
        assert got["assets:bank"] == "3010.00 EUR"
        assert got["expenses:write-offs"] == "5.00 EUR"
        assert "assets:receivable:acme" not in got or got["assets:receivable:acme"] in ("0", "0.00 EUR")


def test_void_is_final_and_hours_are_billed_once(book):
    ok(fl(book, "project", "add", "Site", "--client", "acme"))
    ok(fl(book, "time", "log", "site", "3h", "--date", "2026-11-02"))
    ok(fl(book, "settings", "set", "default_rate", "100"))
    inv = added(ok(fl(book, "invoice", "add", "--from-time", "--client", "acme")))
    inv = numbered(ok(fl(book, "invoice", "move", inv, "sent")))
    ok(fl(book, "invoice", "move", inv, "void"))        # releases its hours
    for status in ("draft", "sent", "paid"):
        r = fl(book, "invoice", "move", inv, status)
        assert r.exit_code == 2 and "void is final" in r.stderr
    ok(fl(book, "invoice", "add", "--from-time", "--client", "acme"))   # bills them again, on a new number
    assert ok(fl(book, "validate")).output.startswith("ok")


def test_validate_reports_hours_billed_on_two_live_invoices(book):
    """The issue's way to bill hours twice (void, back to draft, bill again), done by hand as a
    merge of two devices could: validate names the entry, both invoices and the way out."""
    ok(fl(book, "project", "add", "Site", "--client", "acme"))
    ok(fl(book, "time", "log", "site", "3h", "--date", "2026-11-02"))
    ok(fl(book, "settings", "set", "default_rate", "100"))
    first = added(ok(fl(book, "invoice", "add", "--from-time", "--client", "acme")))
    first = numbered(ok(fl(book, "invoice", "move", first, "sent")))
    ok(fl(book, "invoice", "move", first, "void"))
    path = book / "invoices.yaml"
    path.write_text(path.read_text().replace("  status: void\n", "  status: draft\n", 1))   # back, by hand
    second = added(ok(fl(book, "invoice", "add", "--from-time", "--client", "acme")))
    entry = js(book, "time", "list")[0]
    assert entry["invoice"] == second
    r = fl(book, "validate")
    assert r.exit_code == 1
    line = next(x for x in r.output.splitlines() if entry["id"] in x)
    assert line.startswith("timelog/") and ": error: " in line
    assert f"{first} (draft, invoices.yaml:" in line and f"{second} (draft, invoices.yaml:" in line
    assert f"freelance invoice rm {first}" in line
    ok(fl(book, "invoice", "rm", first))
    assert ok(fl(book, "validate")).output.startswith("ok")


@pytest.mark.parametrize("status", ["sent", "paid", "void"])
def test_a_sealed_invoice_does_not_go_back_to_draft(book, status):
    inv = _invoice(book, "Work:1:100")
    path = book / "invoices.yaml"
    text = path.read_text()
    path.write_text(text.replace("  status: sent\n", f"  status: {status}\n  seal: sha256:x\n", 1))
    r = fl(book, "invoice", "move", inv, "draft")
    assert r.exit_code == 2 and ("void is final" if status == "void" else "does not go back to draft") in r.stderr
    assert f"status: {status}\n" in path.read_text()


def test_expense_show_says_paid_and_money_in_exponent_form_is_refused(book):
    ok(fl(book, "expense", "add", "12", "--category", "software", "--received", "--date", "2026-11-01"))
    tx = js(book, "expense", "list")[0]["id"]
    shown = ok(fl(book, "expense", "show", tx)).stdout
    assert "paid      yes" in shown and "True" not in shown
    r = fl(book, "income", "add", "1e3", "--client", "acme")
    assert r.exit_code == 2 and "1e3" in r.stderr
    assert js(book, "income", "list") == []


def test_the_accounts_tables_add_up_opening_in_out_transfers(book):
    ok(fl(book, "settings", "set", "default_rate", "100"))
    path = book / "freelance.yaml"
    path.write_text(path.read_text().replace("{id: bank, name: Bank, opening_balance: 0}",
                                             "{id: bank, name: Bank, opening_balance: 500}"))
    ok(fl(book, "income", "add", "300", "--client", "acme", "--received", "--date", "2026-11-01"))
    ok(fl(book, "expense", "add", "50", "--category", "software", "--received", "--date", "2026-11-02"))
    ok(fl(book, "transfer", "add", "100", "--from", "bank", "--to", "cash", "--date", "2026-11-03"))
    for report in ("finance", "summary"):
        table = ok(fl(book, "report", report)).stdout
        head = next(line for line in table.splitlines() if line.startswith("account"))
        assert ("opening" in head or "start" in head) and ("transfers" in head or "moved" in head), (report, head)
        bank = next(line for line in table.splitlines() if line.startswith("bank"))
        assert "500.00" in bank and "-100.00" in bank and "650.00" in bank, (report, bank)
    for r in js(book, "report", "finance")["accounts"]:
        assert Decimal(r["opening_balance"]) + Decimal(r["money_in"]) - Decimal(r["money_out"]) \
            + Decimal(r["transfers"]) == Decimal(r["balance"])
    from servehelp import Live                             # the web finance page: the same table
    server = Live(book, today=TODAY, read_only=True)
    try:
        page = server.client().get("/finance?period=2026").text
    finally:
        server.stop()
    row = page.split('<tr data-account="bank"', 1)[1].split("</tr>", 1)[0]
    assert "500.00" in row and "-100.00" in row and "650.00" in row, row


def test_reports_of_the_whole_book_refuse_client_rather_than_ignore_it(book):
    for report in ("finance", "goals"):
        r = fl(book, "report", report, "--client", "acme")
        assert r.exit_code == 2 and "--client" in r.stderr, r.output
    assert fl(book, "report", "invoices", "--client", "acme").exit_code == 0


def test_usd_is_labelled_usd_and_drawn_on_its_own_scale(book):
    ok(fl(book, "client", "add", "Yankee", "--currency", "USD"))
    ok(fl(book, "income", "add", "9000", "--client", "yankee", "--received", "--date", "2026-11-05"))
    ok(fl(book, "income", "add", "10", "--client", "acme", "--received", "--date", "2026-11-05"))
    html = ok(fl(book, "report", "dashboard", "--format", "html")).stdout
    assert 'data-currency="USD"' in html and 'data-currency="EUR"' in html
    usd = html.split('data-currency="USD"', 1)[1].split("</svg>", 1)[0]
    assert "USD" in usd and "EUR" not in usd
    assert "9,000.00 EUR" not in html and "9000.00 EUR" not in html


def test_project_show_has_one_unbilled_figure_with_time_rounding(book):
    ok(fl(book, "settings", "set", "default_rate", "100"))
    ok(fl(book, "settings", "set", "time_rounding", "15m up"))
    ok(fl(book, "project", "add", "Site", "--client", "acme"))
    ok(fl(book, "time", "log", "site", "10m", "--date", "2026-11-02"))
    ok(fl(book, "time", "log", "site", "20m", "--date", "2026-11-03"))
    shown = js(book, "project", "show", "site")
    ok(fl(book, "invoice", "add", "--from-time", "--client", "acme"))
    billed = js(book, "invoice", "list")[-1]
    assert shown["unbilled_value"] == shown["booked_value"] == billed["total"] == "75.00"


def test_client_statement_opens_lists_and_closes_at_what_the_client_owes(book):
    inv = _invoice(book, "Work:1:1000")
    _credit(book, inv, "Discount:1:100")
    second = _invoice(book, "More:1:100", tax="0", issued="2026-11-10")
    ok(fl(book, "income", "add", "1066", "--invoice", inv, "--received", "--fee", "5", "--date", "2026-11-01"))
    st = js(book, "client", "statement", "acme")
    assert [(r["what"], r["amount"]) for r in st["lines"]][1:-1] == [
        ("invoice", "1190.00"), ("payment", "-1066.00"), ("bank fee", "-5.00"), ("invoice", "100.00"),
        ("credit note", "-119.00")]
    assert st["summary"] == [{"currency": "EUR", "opening": "0.00", "invoiced": "1290.00", "credited": "119.00",
                              "paid": "1071.00", "written_off": "0.00", "closing": "100.00"}]
    assert js(book, "client", "show", "acme")["outstanding"] == "100.00"
    later = js(book, "client", "statement", "acme", "--from", "2026-11-05")
    assert later["summary"][0]["opening"] == "119.00" and later["summary"][0]["closing"] == "100.00"
    ok(fl(book, "invoice", "settle", second, "--write-off", "--reason", "goodwill"))
    assert js(book, "client", "statement", "acme")["summary"][0]["closing"] == "0.00"
    for fmt in ("table", "markdown", "csv", "html"):
        assert "closing balance" in ok(fl(book, "client", "statement", "acme", "--format", fmt)).stdout
    r = fl(book, "client", "statement", "nobody")
    assert r.exit_code == 2


def test_basis_cash_or_accrual_for_revenue_and_tax(book):
    _two_rate_net_of_credit(book)                                   # paid: 415.00 of tax either way
    _invoice(book, "Open:1:100", issued="2026-11-20")               # sent, not paid: 19.00 of tax when issued
    cash = js(book, "report", "finance")["revenue"]
    accrual = js(book, "report", "finance", "--basis", "accrual")["revenue"]
    assert [(r["basis"], r["collected"], r["revenue"]) for r in cash] == [("cash", "415.00", "2500.00")]
    assert [(r["basis"], r["collected"], r["revenue"]) for r in accrual] == [("accrual", "434.00", "2600.00")]
    assert js(book, "report", "finance", "--basis", "cash") == js(book, "report", "finance")   # the default
    r = fl(book, "report", "finance", "--basis", "weekly")
    assert r.exit_code == 2 and "cash or accrual" in r.stderr


def test_the_bank_matcher_reads_the_same_balance_net_of_credit_notes(cli):
    """INV-2026-017 (acme, 600.00 sent): a credit note of 100.00 sent, the client pays 500.00
    naming it; the matcher links it (the balance is 500.00) and the import would pay it."""
    import datetime as dt

    from freelance.changes.matching import Matcher
    from freelance.core.statement import StatementLine
    from freelance.store.book import Book
    ok(cli("invoice", "credit", "INV-2026-017", "--item", "Less support:1:100", "--issue"))
    m = Matcher(Book(cli.book, dt.date(2026, 11, 25)), "bank")
    got = m.values(StatementLine(date=dt.date(2026, 11, 20), amount=Decimal("500"), line=1, reference="INV-2026-017"))
    assert got.get("invoice") == "INV-2026-017", got
    r = ok(cli("income", "add", "500", "--invoice", "INV-2026-017", "--received", "--date", "2026-11-20"))
    assert "invoice 'INV-2026-017' is paid" in r.stdout


def test_a_bank_import_paying_net_of_a_credit_note_leaves_nothing_owed(book, tmp_path):
    """Several bank lines settle invoices together (`settle_all`): the credit note counts as it
    does for one payment typed by hand (read/owed.py), so the invoice moves to paid."""
    from statement_files import ofx, stmtrs, stmttrn
    inv = _invoice(book, "Work:1:1000")                   # 1,190.00
    _credit(book, inv, "Discount:1:100")                  # -119.00: 1,071.00 is owed
    other = _invoice(book, "Other:1:10", tax="0")         # a second line of the statement pays it
    trns = [stmttrn(f"F{i}", "20261105", amount, name="Acme GmbH", memo=f"Payment {inv}")
            for i, amount in enumerate(["1071.00"])] + [stmttrn("F9", "20261106", "10.00", name="Acme GmbH",
                                                          memo=f"Payment {other}")]
    path = tmp_path / "statement.ofx"
    path.write_bytes(ofx([stmtrs("123456", "EUR", trns)]))
    r = ok(fl(book, "bank", "import", path, "--account", "bank"))
    assert f"invoice '{inv}' is paid" in r.output, r.output
    assert js(book, "invoice", "show", inv)["status"] == "paid"
    assert js(book, "invoice", "show", other)["status"] == "paid"
    _nothing_owed_everywhere(book, inv)
    assert ok(fl(book, "validate")).output.startswith("ok")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed (.ci/run installs it)")
def test_the_statement_as_a_document_shows_the_figures_of_its_json(book, tmp_path):
    """`client statement --format html|pdf` goes through the document pipeline (your business,
    the client's address, their language) and shows the report's own figures: the PDF's text
    (pdftotext) has every amount and running balance of `--format json`, in order."""
    import re
    ok(fl(book, "settings", "set", "business.legal_name", "Alex Example"))
    inv = _invoice(book, "Work:1:1000")
    _credit(book, inv, "Discount:1:100")
    _invoice(book, "More:1:100", tax="0", issued="2026-11-10")
    ok(fl(book, "income", "add", "1066", "--invoice", inv, "--received", "--fee", "5", "--date", "2026-11-01"))
    st = js(book, "client", "statement", "acme")
    want = [Decimal(v) for r in st["lines"] for v in (r["amount"], r["balance"]) if v is not None]
    want.append(Decimal(st["summary"][0]["closing"]))                 # "Balance due: ..."
    html = ok(fl(book, "client", "statement", "acme", "--format", "html")).stdout
    assert "Statement of account" in html and "Alex Example" in html and "closing balance" in html
    out = tmp_path / "st.pdf"
    ok(fl(book, "client", "statement", "acme", "--format", "pdf", "--out", out))
    assert out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    got = [Decimal(sign + digits.replace(",", ""))
           for sign, digits in re.findall(r"([-−]?)[€$£]?\s?(\d[\d,]*\.\d\d)", text.replace("−", "-"))]
    assert got == want, text


def test_a_payment_naming_two_invoices_posts_the_same_tax_in_a_server_as_in_the_cli(cli):
    """A payment whose `invoice:` lists two invoices (validate reports it) carries the cash tax
    of one of them: the last of the book's order that it settles, whichever graph asks (the
    CLI's works out every invoice's at once, a server's asks the payment's invoices one by
    one). Here the list's order is not the book's, and the two invoices' shares differ."""
    import datetime as dt
    from freelance.read.graph import Graph
    from freelance.read.journal import journal
    from freelance.store.book import Book
    (cli.book / "transactions" / "listed.yaml").write_text(
        "- id: tx-first-part\n  date: 2026-11-25\n  kind: income\n  amount: 2000.00\n  client: globex\n"
        "  invoice: INV-2026-013\n  classification: client\n  received: true\n"
        "- id: tx-two-invoices\n  date: 2026-11-26\n  kind: income\n  amount: 1000.00\n  client: globex\n"
        "  invoice: [INV-2026-018, INV-2026-013]\n  classification: client\n  received: true\n", encoding="utf-8")

    def posted(track):
        g = Graph(Book(cli.book, dt.date(2026, 12, 7)), track=track)
        return [(x.date, x.source, [tuple(p) for p in x.postings]) for x in journal(g, "cash")]
    cli_side, served = posted(False), posted(True)
    mine = [p for x in cli_side if x[1] == "transaction:tx-two-invoices" for p in x[2] if p[0][:2] == ("liabilities", "tax")]
    assert [p[1] for p in mine] == [Decimal("-90.91")]       # INV-2026-018's share (the later in invoices.yaml)
    assert served == cli_side
