"""Projects, services and booked hours (issue 3): every verb of both nouns,
completion both ways, the rate chain, unbilled work, boards, `project log`."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import DEMO, check_golden, run_cli, git_commit_all

CLIENTS = """\
- id: acme
  name: Acme
  stage: client
- id: beta
  name: Beta
  stage: client
  default_rate: 80
"""


def make_book(root: Path, files: dict[str, str], settings_text: str = "currency: USD\n") -> Path:
    """A small book written by hand: `files` maps book-relative paths to their text."""
    root.mkdir(parents=True)
    (root / "freelance.yaml").write_text(settings_text, encoding="utf-8")
    for rel, text in {"clients.yaml": CLIENTS, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def j(r) -> dict | list:
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def lines_of(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


# -- project: add, edit, move, list, rm ------------------------------------------

def test_project_add_writes_every_option_as_the_issue_shows(cli):
    r = cli("project", "add", "Acme shop", "--client", "acme", "--value", "8000", "--priority", "high",
            "--status", "not-started", "--due", "2026-12-15", "--estimated-hours", "120", "--basis", "hours",
            "--service", "retainer-support")      # a service of no project yet (a service is one project's)
    assert r.exit_code == 0, r.output
    assert r.stdout == "added project 'acme-shop'\n"
    text = (cli.book / "projects.yaml").read_text()
    assert text.endswith(
        "- id: acme-shop\n  name: Acme shop\n  client: acme\n  services:\n  - retainer-support\n"
        "  status: not-started\n  priority: high\n  value: 8000\n  due: 2026-12-15\n  estimated_hours: 120\n"
        "  basis: hours\n")
    assert cli("validate").exit_code == 0


def test_project_add_with_a_date_range_and_refusals(cli):
    r = cli("project", "add", "Range", "--start", "2026-11-01", "--end", "2026-12-15", "--client", "acme")
    assert r.exit_code == 0, r.output
    d = j(cli("project", "show", "range", "-f", "json"))
    assert (d["start"], d["end"], d["status"]) == ("2026-11-01", "2026-12-15", "not-started")
    before = (cli.book / "projects.yaml").read_bytes()
    r = cli("project", "add", "X", "--client", "acm")
    assert r.exit_code == 2
    assert r.stderr == "freelance: error: --client: no client 'acm' (did you mean 'acme'?) (or use --create-missing)\n"
    r = cli("project", "add", "X", "--priority", "urgent")
    assert r.exit_code == 2 and "--priority: 'urgent' is not one of low, medium, high" in r.stderr
    r = cli("project", "add", "X", "--status", "in-progres")
    assert r.exit_code == 2 and "(did you mean 'in-progress'?)" in r.stderr
    assert (cli.book / "projects.yaml").read_bytes() == before


def test_project_move_and_edit_touch_one_line_each(cli):
    book = cli.book
    git_commit_all(book)
    r = cli("project", "move", "acme-website", "on-hold")
    assert r.stdout == "moved project 'acme-website': in-progress -> on-hold\n"
    r = cli("project", "edit", "acme-website", "--priority", "medium")
    assert r.stdout == "changed project 'acme-website': priority\n"
    diff = subprocess.run(["git", "diff", "-U0"], cwd=book, capture_output=True, text=True).stdout
    changed = [l for l in diff.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    assert changed == ["-  status: in-progress", "-  priority: high", "+  status: on-hold", "+  priority: medium"]
    r = cli("project", "move", "acme-website", "finished")
    assert r.exit_code == 2 and "not one of not-started, in-progress, on-hold, done" in r.stderr


def test_project_list_filters_by_client_and_status(cli):
    rows = j(cli("project", "list", "--client", "acme", "--status", "in-progress", "-f", "json"))
    assert [p["id"] for p in rows] == ["acme-website"]
    assert rows[0]["completion_pct"] == "114.4" and rows[0]["overrun"] is True
    r = cli("project", "list", "--client", "northwind")
    assert r.exit_code == 0
    assert [l.split()[0] for l in r.stdout.splitlines()[2:]] == ["northwind-campaign", "northwind-shop"]


def test_project_list_every_format(cli):
    for fmt, probe in (("table", "114.4% over"), ("markdown", "| acme-website"),
                       ("csv", "acme-website,Acme website,acme,in-progress,high,16000,,114.4"),
                       ("json", '"completion_pct": "114.4"')):
        r = cli("project", "list", "-f", fmt)
        assert r.exit_code == 0 and probe in r.stdout, (fmt, r.stdout)


def test_project_rm_is_refused_while_hours_are_booked_to_it(cli):
    assert cli("project", "log", "studio-site", "1").exit_code == 0
    before = (cli.book / "projects.yaml").read_bytes()
    r = cli("project", "rm", "studio-site")
    assert r.exit_code == 2
    assert re.match(r"freelance: error: project studio-site is linked from time t-20261125-[0-9a-f]{6} \(project\); "
                    "remove those links first", r.stderr)
    assert (cli.book / "projects.yaml").read_bytes() == before
    assert cli("project", "rm", "umbrella-pitch").exit_code == 2
    assert cli("project", "add", "Spare").exit_code == 0
    assert cli("project", "rm", "spare").stdout == "removed project 'spare'\n"
    assert (cli.book / "projects.yaml").read_bytes() == before


# -- project show: hours by service and week, value, unbilled -------------------

def test_project_show_lists_hours_by_service_and_week_with_value_and_unbilled(cli):
    r = cli("project", "show", "acme-website")
    assert r.exit_code == 0, r.output
    out = lines_of(r.stdout)
    assert "  actual_hours     183" in out
    assert "  booked_value     18,080.00 USD" in out       # 113.5 h x 95 + 69.5 h x 105
    assert "  invoiced         5,700.00 USD" in out        # INV-2026-015 (sent); INV-2026-019 is a draft
    assert "  unbilled_value   12,380.00 USD" in out
    assert "  completion_pct   114.4% over" in out
    i = out.index("hours by service:")
    assert out[i + 3] == "  acme-design    113.5   95.00 USD  service  10,782.50 USD  5,082.50 USD"
    assert out[i + 4] == "  acme-build      69.5  105.00 USD  service   7,297.50 USD  7,297.50 USD"
    w = out.index("hours by week:")
    assert out[w + 3] == "  2026-W36  2026-08-31       10          2"
    assert out[-1] == "  2026-W48  2026-11-23        5          1"
    weeks = [Decimal(l.split()[2]) for l in out[w + 3:]]
    assert sum(weeks) == Decimal("183")


def test_project_show_json_has_the_breakdowns(cli):
    d = j(cli("project", "show", "acme-website", "-f", "json"))
    assert d["booked_value"] == "18080.00" and d["unbilled_value"] == "12380.00" and d["actual_hours"] == "183"
    assert d["hours_by_service"][0] == {
        "service": "acme-design", "name": "Acme UX design", "hours": "113.5", "pricing": "hourly",
        "rate": "95", "rate_source": "service acme-design", "value": "10782.50", "status": "completed"}
    assert d["hours_by_week"][-1] == {"week": "2026-W48", "start": "2026-11-23", "hours": "5", "entries": 1}


def test_project_show_markdown_and_csv(cli):
    md = cli("project", "show", "acme-website", "-f", "markdown").stdout
    assert "| booked_value" in md and "**hours by service**" in md and "| acme-design" in md
    csv = cli("project", "show", "acme-website", "-f", "csv").stdout
    assert csv.splitlines()[0] == "field,value" and "unbilled_value,\"12,380.00 USD\"" in csv


def test_weeks_follow_the_books_week_start(tmp_path):
    book = make_book(tmp_path / "b", {
        "projects.yaml": "- id: p\n  name: P\n  client: acme\n  rate: 100\n",
        "timelog/2026.yaml": "- id: t1\n  date: 2026-11-21\n  project: p\n  hours: 1\n"   # a Saturday
                             "- id: t2\n  date: 2026-11-22\n  project: p\n  hours: 2\n"   # Sunday
                             "- id: t3\n  date: 2026-11-23\n  project: p\n  hours: 4\n",  # Monday
    }, "currency: USD\nweek_start: sunday\n")
    d = j(run_cli("project", "show", "p", "-f", "json", books=book))
    assert [(w["week"], w["hours"]) for w in d["hours_by_week"]] == [
        ("week of 2026-11-15", "1"), ("week of 2026-11-22", "6")]
    (book / "freelance.yaml").write_text("currency: USD\nweek_start: monday\n")
    d = j(run_cli("project", "show", "p", "-f", "json", books=book))
    assert [(w["week"], w["start"], w["hours"]) for w in d["hours_by_week"]] == [
        ("2026-W47", "2026-11-16", "3"), ("2026-W48", "2026-11-23", "4")]


# -- completion, both ways -----------------------------------------------------------

COMPLETION = {
    "projects.yaml": """\
- id: by-hours
  name: By hours
  client: acme
  status: in-progress
  estimated_hours: 40
  basis: hours
  rate: 100
- id: overrun
  name: Overrun
  client: acme
  status: in-progress
  estimated_hours: 8
  basis: hours
  rate: 100
- id: by-invoicing
  name: By invoicing
  client: acme
  status: done
  value: 1000
  basis: invoicing
- id: no-basis
  name: No basis
  client: acme
  status: not-started
- id: hours-no-estimate
  name: Hours without estimate
  client: acme
  status: on-hold
  basis: hours
  rate: 100
""",
    "timelog/2026.yaml": """\
- id: t1
  date: 2026-11-02
  project: by-hours
  hours: 10
- id: t2
  date: 2026-11-03
  project: by-hours
  hours: 5
- id: t3
  date: 2026-11-03
  project: overrun
  hours: 9
- id: t4
  date: 2026-11-04
  project: no-basis
  hours: 2
""",
    "invoices.yaml": """\
- id: INV-2026-001
  client: acme
  project: by-invoicing
  issued: 2026-10-01
  status: sent
  amount: 300
  tax_rate: 10
- id: INV-2026-002
  client: acme
  project: by-invoicing
  issued: 2026-10-02
  status: paid
  amount: 200
- id: INV-2026-003
  client: acme
  project: by-invoicing
  issued: 2026-10-03
  status: draft
  amount: 500
- id: INV-2026-004
  client: acme
  project: by-invoicing
  issued: 2026-10-04
  status: void
  amount: 400
""",
    "transactions/2026.yaml": """\
- id: tx1
  date: 2026-10-20
  kind: income
  amount: 330
  classification: client
  received: true
  client: acme
  invoice: INV-2026-001
  project: by-invoicing
- id: tx2
  date: 2026-10-21
  kind: income
  amount: 200
  classification: client
  received: true
  client: acme
  invoice: INV-2026-002
  project: by-invoicing
""",
}


@pytest.fixture
def completion(tmp_path):
    return make_book(tmp_path / "c", COMPLETION)


def show(book, pid):
    return j(run_cli("project", "show", pid, "-f", "json", books=book))


def test_completion_on_hours_is_booked_over_estimated(completion):
    d = show(completion, "by-hours")
    assert (d["actual_hours"], d["completion_pct"], d["overrun"]) == ("15", "37.5", False)
    out = run_cli("project", "show", "by-hours", books=completion).stdout
    assert "  completion_pct   37.5%\n" in out


def test_completion_over_100_is_an_overrun_never_capped(completion):
    d = show(completion, "overrun")
    assert (d["completion_pct"], d["overrun"]) == ("112.5", True)
    assert "  completion_pct   112.5% over\n" in run_cli("project", "show", "overrun", books=completion).stdout
    board = run_cli("project", "board", books=completion).stdout
    assert "done 112.5% over" in board


def test_completion_on_invoicing_counts_sent_and_paid_invoices_net_of_tax(completion):
    d = show(completion, "by-invoicing")
    # 300 (sent; its 10% tax is not work) + 200 (paid); the draft and the void one do not count,
    # and the income paying those invoices is not counted twice.
    assert (d["invoiced"], d["completion_pct"]) == ("500.00", "50.0")


def test_client_income_linked_to_a_project_counts_once_it_exists(completion):
    tx = completion / "transactions/2026.yaml"
    tx.write_text(tx.read_text() + "- id: tx3\n  date: 2026-11-01\n  kind: income\n  amount: 100\n"
                  "  classification: client\n  received: false\n  client: acme\n  project: by-invoicing\n"
                  "- id: tx4\n  date: 2026-11-02\n  kind: income\n  amount: 50\n  classification: client\n"
                  "  received: true\n  client: acme\n  invoice: INV-2026-003\n  project: by-invoicing\n")
    d = show(completion, "by-invoicing")
    # + 100 with no invoice, + 50 paying the draft INV-2026-003, which no sent/paid invoice covers
    assert (d["invoiced"], d["completion_pct"]) == ("650.00", "65.0")


def test_no_basis_gives_a_reason_not_zero(completion):
    d = show(completion, "no-basis")
    assert d["completion_pct"] is None and d["basis"] is None
    assert d["completion_note"] == "no estimated_hours or value: set one to track completion"
    out = run_cli("project", "show", "no-basis", books=completion).stdout
    assert "completion_pct" not in out and "0.0%" not in out
    assert "  completion_note  no estimated_hours or value: set one to track completion\n" in out
    d = show(completion, "hours-no-estimate")
    assert d["completion_pct"] is None
    assert d["completion_note"] == "no estimated_hours to measure booked hours against"
    cards = {c["id"]: c["lines"] for col in j(run_cli("project", "board", "-f", "json", books=completion))
             for c in col["cards"]}
    assert cards["no-basis"][-1] == "done: no basis" and cards["hours-no-estimate"][-1] == "done: no estimate"
    board = run_cli("project", "board", books=completion).stdout
    assert max(len(line) for line in board.splitlines()) <= 80 and "done 0.0%" not in board
    r = run_cli("validate", books=completion)
    assert ("projects.yaml:29: warning: project 'hours-no-estimate': basis is hours, but there are no "
            "estimated_hours to measure booked hours against") in r.stdout


# -- rates and unbilled time ---------------------------------------------------------

RATES = {
    "projects.yaml": """\
- id: p-service
  name: Service rate
  client: acme
  services: [s-rated]
  rate: 90
- id: p-project
  name: Project rate
  client: beta
  services: [s-unrated]
  rate: 90
- id: p-client
  name: Client rate
  client: beta
- id: p-book
  name: Book rate
  client: acme
""",
    "services.yaml": """\
- id: s-rated
  name: Rated
  client: acme
  project: p-service
  pricing: hourly
  rate: 100
  hours: 10
- id: s-unrated
  name: Unrated
  client: beta
  project: p-project
  pricing: hourly
  hours: 4
""",
    "timelog/2026.yaml": """\
- id: t1
  date: 2026-11-02
  project: p-service
  service: s-rated
  hours: 3
- id: t2
  date: 2026-11-02
  project: p-project
  service: s-unrated
  hours: 2
- id: t3
  date: 2026-11-02
  project: p-client
  hours: 1.5
- id: t4
  date: 2026-11-02
  project: p-book
  hours: 2
""",
}


def test_rates_are_looked_up_service_project_client_book(tmp_path):
    book = make_book(tmp_path / "r", RATES, "currency: USD\ndefault_rate: 50\n")
    got = {}
    for pid in ("p-service", "p-project", "p-client", "p-book"):
        d = show(book, pid)
        row = d["hours_by_service"][0]
        got[pid] = (row["rate"], row["rate_source"], d["booked_value"])
    assert got == {
        "p-service": ("100", "service s-rated", "300.00"),
        "p-project": ("90", "project p-project", "180.00"),
        "p-client": ("80", "client beta", "120.00"),
        "p-book": ("50", "book", "100.00"),
    }
    s = j(run_cli("service", "show", "s-unrated", "-f", "json", books=book))
    assert (s["effective_rate"], s["rate_source"], s["amount"], s["booked_value"]) == (
        "90", "project p-project", "360.00", "180.00")
    assert run_cli("validate", books=book).exit_code == 0


def test_hours_without_any_rate_are_unpriced_and_an_hourly_service_without_one_is_an_error(tmp_path):
    no_rates = {rel: text.replace("  rate: 90\n", "").replace("  client: beta\n", "  client: acme\n")
                for rel, text in RATES.items()}
    book = make_book(tmp_path / "r", no_rates, "currency: USD\n")
    d = show(book, "p-book")
    assert (d["booked_value"], d["unpriced_hours"], d["unbilled_value"]) == ("0.00", "2", "0.00")
    assert d["hours_by_service"][0]["rate"] is None
    out = run_cli("project", "show", "p-book", books=book).stdout
    assert ["(none)", "2", "no", "rate"] in [line.split() for line in out.splitlines()]
    r = run_cli("validate", books=book)
    assert r.exit_code == 1
    assert ("services.yaml:8: error: service 's-unrated': hourly service without a rate "
            "(none on its project, client or book either)") in r.stdout


def test_unbilled_is_work_value_less_sent_and_paid_invoice_lines(tmp_path):
    book = make_book(tmp_path / "u", {**RATES, "invoices.yaml": """\
- id: INV-2026-001
  client: acme
  issued: 2026-11-10
  status: sent
  items:
  - description: Two hours
    service: s-rated
    quantity: 2
    unit_price: 100
- id: INV-2026-002
  client: acme
  issued: 2026-11-11
  status: draft
  items:
  - description: The last hour
    service: s-rated
    quantity: 1
    unit_price: 100
"""}, "currency: USD\n")
    s = j(run_cli("service", "show", "s-rated", "-f", "json", books=book))
    assert (s["hours_booked"], s["hours_invoiced"], s["booked_value"], s["invoiced"], s["unbilled_value"]) == (
        "3", "2", "300.00", "200.00", "100.00")
    p = show(book, "p-service")   # the invoice names no project: its line for the project's service counts
    assert (p["invoiced"], p["unbilled_value"]) == ("200.00", "100.00")
    out = run_cli("service", "show", "s-rated", books=book).stdout
    assert "  unbilled_value  100.00 USD\n" in out and "  completion_pct  30.0%\n" in out
    (book / "invoices.yaml").write_text((book / "invoices.yaml").read_text().replace("status: draft", "status: sent"))
    s = j(run_cli("service", "show", "s-rated", "-f", "json", books=book))
    assert (s["invoiced"], s["unbilled_value"]) == ("300.00", "0.00")


def test_a_fixed_fee_is_work_value_once_the_service_is_completed(cli):
    # demo: acme-audit-review is fixed (8,000), completed, invoiced in two paid halves
    s = j(cli("service", "show", "acme-audit-review", "-f", "json"))
    assert (s["amount"], s["booked_value"], s["invoiced"], s["unbilled_value"], s["completion_pct"]) == (
        "8000.00", "8000.00", "8000.00", "0.00", "100.0")
    # initech-dev (fixed 4,200) is not started: a 2,100 deposit is invoiced, nothing is unbilled
    s = j(cli("service", "show", "initech-dev", "-f", "json"))
    assert (s["booked_value"], s["unbilled_value"], s["completion_pct"]) == ("0.00", "0.00", None)
    assert s["completion_note"] == "fixed fee: done when completed"
    # completing it makes its fee work done: the project's 2,100 deposit invoice (which names no
    # service) leaves 2,100 unbilled, on the project and so on its service
    assert cli("service", "move", "initech-dev", "completed").exit_code == 0
    s = j(cli("service", "show", "initech-dev", "-f", "json"))
    assert (s["booked_value"], s["invoiced"], s["unbilled_value"], s["completion_pct"]) == (
        "4200.00", "0.00", "2100.00", "100.0")
    p = j(cli("project", "show", "initech-reports", "-f", "json"))
    assert (p["booked_value"], p["invoiced"], p["unbilled_value"], p["completion_pct"]) == (
        "4200.00", "2100.00", "2100.00", "50.0")


# -- boards ------------------------------------------------------------------------------

def test_project_board_golden(cli, update_goldens):
    r = cli("project", "board")
    assert r.exit_code == 0, r.output
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    check_golden("project-board.txt", r.stdout, update_goldens)


def test_project_board_cards_and_columns(cli):
    cols = j(cli("project", "board", "-f", "json"))
    assert [(c["name"], c["count"], c["total"]) for c in cols] == [
        ("not-started", 2, "0.00"), ("in-progress", 3, "34800.00"), ("on-hold", 1, "4200.00"), ("done", 3, "23500.00")]
    assert cols[0]["other_totals"] == {"EUR": "3000.00"}
    card = cols[1]["cards"][0]
    assert card == {"id": "acme-website", "lines": ["Acme website", "acme", "16,000.00 USD", "due 2026-12-15",
                                                     "done 114.4% over"]}
    csv = cli("project", "board", "-f", "csv").stdout.splitlines()
    assert csv[0] == "column,id,card" and len(csv) == 10
    assert "in-progress,acme-website,\"Acme website / acme / 16,000.00 USD / due 2026-12-15 / done 114.4% over\"" in csv
    out = cli.book.parent / "board.md"
    assert cli("project", "board", "-f", "markdown", "--out", out).stdout == ""
    md = out.read_text()
    assert "### in-progress (3) 34,800.00 USD" in md
    assert "- **Acme website** · acme · 16,000.00 USD · due 2026-12-15 · done 114.4% over" in md


def test_project_board_by_priority_keeps_projects_without_one(cli):
    assert cli("project", "edit", "studio-site", "--unset", "priority").exit_code == 0
    r = cli("project", "board", "--by", "priority")
    assert r.exit_code == 0, r.output
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    header = r.stdout.splitlines()[1]
    assert "low (1)" in header and "medium (4)" in header and "high (3)" in header and "(none) (1)" in header
    r = cli("project", "board", "--by", "prio")
    assert r.exit_code == 2 and "(did you mean 'priority'?)" in r.stderr


def test_service_board_shows_amount_hours_booked_and_unbilled(cli):
    r = cli("service", "board")
    assert r.exit_code == 0 and max(len(line) for line in r.stdout.splitlines()) <= 80
    cols = j(cli("service", "board", "-f", "json"))
    assert [(c["name"], c["count"]) for c in cols] == [("not-started", 2), ("in-progress", 4), ("completed", 7)]
    cards = {c["id"]: c["lines"] for col in cols for c in col["cards"]}
    assert cards["acme-build"] == ["Acme front-end build", "10,500.00 USD", "69.5/100 h booked", "unbilled 7,297.50 USD"]
    assert cards["northwind-shop-ux"] == ["Shop UX research", "3,450.00 USD", "5.5/30 h booked"]
    assert cards["acme-audit-review"] == ["Accessibility review", "8,000.00 USD", "0 h booked"]


# -- project log -------------------------------------------------------------------------

def _new_id(stdout: str) -> str:
    m = re.search(r"as '(t-\d{8}-[0-9a-f]{6})'", stdout)
    assert m, stdout
    return m.group(1)


def test_project_log_appends_exactly_one_record(cli):
    shard = cli.book / "timelog/2026.yaml"
    before = shard.read_bytes()
    r = cli("project", "log", "acme-website", "3.5", "--date", "today", "--service", "acme-build",
            "--note", "checkout flow")
    assert r.exit_code == 0, r.output
    tid = _new_id(r.stdout)
    assert r.stdout == f"booked 3.5 h on 2026-11-25 to project 'acme-website' (acme-build) as '{tid}'\n"
    assert shard.read_bytes() == before + (
        f"- id: {tid}\n  date: 2026-11-25\n  project: acme-website\n  service: acme-build\n"
        "  hours: 3.5\n  note: checkout flow\n").encode()
    d = j(cli("project", "show", "acme-website", "-f", "json"))
    assert d["actual_hours"] == "186.5" and d["hours_by_week"][-1]["hours"] == "8.5"
    assert cli("validate").exit_code == 0


def test_project_log_creates_the_shard_of_a_new_year(cli):
    r = cli("project", "log", "harbor-menu", "2", "--date", "2027-01-04", today="2027-01-05")
    assert r.exit_code == 0, r.output
    tid = _new_id(r.stdout)
    assert r.stdout.splitlines()[0] == "service: harbor-menu-build (the project's only service)"
    assert (cli.book / "timelog/2027.yaml").read_text() == (
        f"- id: {tid}\n  date: 2027-01-04\n  project: harbor-menu\n  service: harbor-menu-build\n  hours: 2\n")
    assert (cli.book / "timelog/2026.yaml").read_bytes() == (DEMO / "timelog/2026.yaml").read_bytes()
    assert cli("validate", today="2027-01-05").exit_code == 0


def test_project_log_without_services_needs_none(cli):
    r = cli("project", "log", "studio-site", "1.25", "--date", "2026-11-20")
    assert r.exit_code == 0, r.output
    assert (cli.book / "timelog/2026.yaml").read_text().endswith(
        "  date: 2026-11-20\n  project: studio-site\n  hours: 1.25\n")


@pytest.mark.parametrize("args, message", [
    (("acme-websit", "3"), "no project 'acme-websit' (did you mean 'acme-website' or 'acme-audit'?)"),
    (("acme-website", "3"), "project acme-website has 2 services; choose one with --service (acme-design, acme-build)"),
    (("acme-website", "2", "--service", "acme-buld"),
     "--service: 'acme-buld' is not one of project acme-website's services (acme-design, acme-build) "
     "(did you mean 'acme-build' or 'acme-design'?)"),
    (("studio-site", "2", "--service", "acme-build"),
     "--service: project studio-site has no services; book without --service, "
     "or add it with `freelance project edit studio-site --add-service acme-build`"),
    (("harbor-menu", "0"), "HOURS: hours in one entry must be more than 0 and at most 24, got 0"),
    (("harbor-menu", "-1"), "HOURS: hours in one entry must be more than 0 and at most 24, got -1"),
    (("harbor-menu", "24.5"), "HOURS: hours in one entry must be more than 0 and at most 24, got 24.5"),
    (("harbor-menu", "three"), "HOURS: expected hours like 1.5, 1,5, 1.5h, 1h30m, 90m or 1:30, got 'three'"),
    (("harbor-menu", "2", "--date", "tomorrow"),
     "--date: 2026-11-26 is after today (2026-11-25); book hours once they are worked"),
    (("harbor-menu", "2", "--date", "someday"), "--date: cannot read 'someday' as a date"),
])
def test_project_log_refuses_bad_input_and_writes_nothing(cli, args, message):
    before = (cli.book / "timelog/2026.yaml").read_bytes()
    r = cli("project", "log", *args) if args[1] != "-1" else cli("project", "log", args[0], "--", args[1])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"freelance: error: {message}")
    assert "Traceback" not in r.output
    assert (cli.book / "timelog/2026.yaml").read_bytes() == before
    assert sorted(p.name for p in (cli.book / "timelog").iterdir()) == ["2026.yaml"]


@settings(max_examples=30, deadline=None)
@given(hours=st.decimals(min_value=Decimal("-3"), max_value=Decimal("30"), places=2, allow_nan=False))
def test_project_log_accepts_exactly_more_than_0_up_to_24_hours(hours):
    root = Path(tempfile.mkdtemp()) / "book"
    try:
        shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".freelance"))
        shard = root / "timelog/2026.yaml"
        before = shard.read_bytes()
        r = run_cli("project", "log", "harbor-menu", "--", format(hours, "f"), books=root)
        if 0 < hours <= 24:
            assert r.exit_code == 0, r.output
            d = j(run_cli("project", "show", "harbor-menu", "-f", "json", books=root))
            assert Decimal(d["actual_hours"]) == 60 + hours
            assert shard.read_bytes().startswith(before)
        else:
            assert r.exit_code == 2 and "at most 24" in r.stderr
            assert shard.read_bytes() == before
    finally:
        shutil.rmtree(root.parent)


def test_project_log_help_has_an_example():
    r = run_cli("project", "log", "--help", today=None)
    assert r.exit_code == 0 and "Example: freelance project log acme-website 3.5" in r.stdout


# -- service verbs -------------------------------------------------------------------------

def test_service_add_hourly_and_fixed_then_edit_move_list_rm(cli):
    r = cli("service", "add", "UX design", "--client", "acme", "--project", "acme-website", "--pricing", "hourly",
            "--rate", "95", "--hours", "40", "--status", "not-started", "--start", "2026-12-01", "--end", "2026-12-20")
    assert r.stdout == "added service 'ux-design'\n"
    assert (cli.book / "services.yaml").read_text().endswith(
        "- id: ux-design\n  name: UX design\n  client: acme\n  project: acme-website\n  pricing: hourly\n"
        "  rate: 95\n  hours: 40\n  start: 2026-12-01\n  end: 2026-12-20\n  status: not-started\n")
    assert cli("service", "add", "Flat", "--client", "acme", "--pricing", "fixed", "--rate", "2500").exit_code == 0
    rows = {s["id"]: s for s in j(cli("service", "list", "--client", "acme", "-f", "json"))}
    assert rows["ux-design"]["amount"] == "3800.00" and rows["flat"]["amount"] == "2500.00"
    assert cli("service", "move", "ux-design", "in-progress").stdout == "moved service 'ux-design': not-started -> in-progress\n"
    assert cli("service", "edit", "ux-design", "--hours", "50").exit_code == 0
    assert j(cli("service", "show", "ux-design", "-f", "json"))["amount"] == "4750.00"
    r = cli("service", "list", "--status", "in-progress")
    assert "ux-design" in r.stdout and "acme-design" not in r.stdout
    for fmt in ("table", "markdown", "csv", "json"):
        assert cli("service", "list", "-f", fmt).exit_code == 0
        assert cli("service", "show", "ux-design", "-f", fmt).exit_code == 0
        assert cli("service", "board", "-f", fmt).exit_code == 0
    assert cli("service", "rm", "acme-build").exit_code == 2     # hours and a project list it
    assert cli("service", "rm", "flat").stdout == "removed service 'flat'\n"
    assert cli("validate").exit_code == 0


def test_service_move_refuses_an_unknown_status(cli):
    r = cli("service", "move", "acme-build", "done")
    assert r.exit_code == 2
    assert "'done' is not one of not-started, in-progress, completed" in r.stderr


def test_project_invoices_naming_no_service_leave_its_services_billed(cli):
    # harbor-menu was billed with two amount-only invoices on the project, none naming the service
    s = j(cli("service", "show", "harbor-menu-build", "-f", "json"))
    assert (s["booked_value"], s["invoiced"], s["unbilled_value"]) == ("6500.00", "0.00", "0.00")
    assert j(cli("project", "show", "harbor-menu", "-f", "json"))["unbilled_value"] == "0.00"
    # northwind-shop's invoice names its UX service (billed 30 h, 5.5 booked): that does not hide
    # the 18.5 unbilled hours of its development service, though the project as a whole is billed
    assert j(cli("project", "show", "northwind-shop", "-f", "json"))["unbilled_value"] == "0.00"
    s = j(cli("service", "show", "northwind-shop-dev", "-f", "json"))
    assert (s["hours_booked"], s["booked_value"], s["unbilled_value"]) == ("18.5", "2220.00", "2220.00")


def test_service_show_gives_work_value_and_unbilled_and_weeks(cli):
    r = cli("service", "show", "acme-build")
    out = lines_of(r.stdout)
    for line in ("  hours_booked    69.5", "  effective_rate  105.00 USD", "  rate_source     service acme-build",
                 "  booked_value    7,297.50 USD", "  invoiced        0.00 USD", "  unbilled_value  7,297.50 USD",
                 "  completion_pct  69.5%", "hours by week:"):
        assert line in out, line


# -- client show --------------------------------------------------------------------------

def test_client_show_lists_projects_and_services_with_completion(cli):
    out = lines_of(cli("client", "show", "acme").stdout)
    assert "  project  acme-website  in-progress  Acme website  done 114.4% over  unbilled 12,380.00 USD" in out
    assert "  project  acme-audit  done  Acme accessibility audit  done 100.0%" in out
    assert "  service  acme-build  in-progress  10,500.00 USD  69.5 h  done 69.5%  unbilled 7,297.50 USD" in out
    assert "  service  retainer-support  in-progress  600.00 USD  0 h  done n/a (fixed fee: done when completed)" in out


# -- validation ----------------------------------------------------------------------------

BAD = {
    "projects.yaml": """\
- id: web
  name: Web
  client: acme
  services: [web-design]
  status: started
  priority: urgent
  start: 2026-05-01
  end: 2026-04-01
- id: lost
  name: Lost
  client: acmee
""",
    "services.yaml": """\
- id: web-design
  name: Web design
  client: acme
  project: web
  pricing: hourly
  rate: 90
- id: beta-work
  name: Beta work
  client: beta
  project: web
  pricing: hourly
  rate: 90
  start: 2026-06-01
  end: 2026-05-01
- id: orphan
  name: Orphan
  client: acme
  project: wbe
  pricing: hourly
""",
    "timelog/2026.yaml": """\
- id: t1
  date: 2026-11-02
  project: nope
  hours: 1
- id: t2
  date: 2026-11-02
  project: web
  service: beta-work
  hours: 1
- id: t3
  date: 2026-11-02
  project: web
  service: web-design
  hours: 0
- id: t4
  date: 2026-11-02
  project: web
  service: web-design
  hours: -2
- id: t5
  date: 2026-11-02
  project: web
  service: web-design
  hours: 25
- id: t6
  date: 2026-11-30
  project: web
  service: web-design
  hours: 1
""",
}


def test_validate_reports_every_project_service_and_time_problem(tmp_path):
    book = make_book(tmp_path / "bad", BAD)
    r = run_cli("validate", books=book)
    assert r.exit_code == 1
    out = r.stdout.splitlines()
    expected = [
        "projects.yaml:5: error: project 'web': status 'started' is not one of not-started, in-progress, on-hold, done (did you mean 'not-started'?)",
        "projects.yaml:6: error: project 'web': priority 'urgent' is not one of low, medium, high",
        "projects.yaml:8: error: project 'web': end 2026-04-01 is before start 2026-05-01",
        "projects.yaml:11: error: project 'lost': client 'acmee': no such client (did you mean 'acme'?)",
        "services.yaml:10: error: service 'beta-work': project web belongs to client 'acme', not 'beta'",
        "services.yaml:14: error: service 'beta-work': end 2026-05-01 is before start 2026-06-01",
        "services.yaml:18: error: service 'orphan': project 'wbe': no such project (did you mean 'web'?)",
        "services.yaml:15: error: service 'orphan': hourly service without a rate (none on its project, client or book either)",
        "timelog/2026.yaml:3: error: time 't1': project 'nope': no such project",
        "timelog/2026.yaml:14: error: time 't3': hours must be more than 0 and at most 24 in one entry, got 0",
        "timelog/2026.yaml:19: error: time 't4': hours must be more than 0 and at most 24 in one entry, got -2",
        "timelog/2026.yaml:24: error: time 't5': hours must be more than 0 and at most 24 in one entry, got 25",
        "timelog/2026.yaml:26: error: time 't6': hours booked in the future (2026-11-30, today is 2026-11-25)",
    ]
    for line in expected:
        assert line in out, (line, out)


def test_project_with_a_service_of_another_client_is_an_error(tmp_path):
    book = make_book(tmp_path / "x", {
        "projects.yaml": "- id: web\n  name: Web\n  client: acme\n  services: [b]\n",
        "services.yaml": "- id: b\n  name: B\n  client: beta\n  pricing: fixed\n  rate: 100\n",
    })
    r = run_cli("validate", books=book)
    assert r.exit_code == 1
    assert "projects.yaml:4: error: project 'web': service b belongs to client 'beta', not 'acme'" in r.stdout


def test_a_bad_book_default_rate_is_reported_not_a_traceback(tmp_path):
    book = make_book(tmp_path / "x", RATES, "currency: USD\ndefault_rate: lots\n")
    r = run_cli("validate", books=book)
    assert r.exit_code == 1
    assert "freelance.yaml:2: error: default_rate 'lots': expected a number (an hourly rate like 95)" in r.stdout
    assert j(run_cli("project", "show", "p-book", "-f", "json", books=book))["unpriced_hours"] == "2"
