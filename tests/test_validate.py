"""Each check of SPEC section 5, tripped by a small broken book; file, line, severity,
kind, id and message asserted; all problems, sorted; exit 0 with warnings only, 1 with errors."""
import json

import pytest

from conftest import run_cli

BROKEN = {
    "clients.yaml": """\
- id: acme
  name: Acme
  stage: lead
  email: ann@acme.test
  contract_value: -5
- id: globex
  name: Globex
  stage: leed
  emial: x@y.test
  created: soon
- name: No Id
  stage: lead
""",
    "projects.yaml": """\
- id: site
  name: Site
  client: acme
  services: [design]
  start: 2026-05-01
  end: 2026-04-01
  status: doing
""",
    "services.yaml": """\
- id: design
  name: Design
  client: acme
  pricing: hourly
  rate: 100
- id: build
  name: Build
  client: acme
  pricing: fixed
  rate: 0
""",
    "invoices.yaml": """\
- id: INV-2026-001
  client: acme
  issued: 2026-03-10
  due: 2026-03-01
  status: paid
  amount: 1000
- id: INV-2026-002
  client: acmee
  issued: 2026-03-10
  status: sent
  amount: 500
- id: INV-2026-003
  client: acme
  issued: 2026-03-10
  status: sent
  amount: 100
  currency: EUR
""",
    "transactions/2026.yaml": """\
- id: tx-1
  date: 2026-04-01
  kind: income
  amount: 800
  classification: client
  client: acme
  invoice: INV-2026-002
  received: true
- id: tx-2
  date: 2026-04-02
  kind: income
  amount: 100
  classification: client
  client: acme
  invoice: INV-2026-003
  received: true
  currency: USD
""",
    "transactions/2025.yaml": """\
- id: tx-1
  date: 2025-04-01
  kind: expense
  amount: 10
  category: software
  received: true
""",
    "timelog/2026.yaml": """\
- id: t-1
  date: 2026-04-01
  project: site
  service: build
  hours: 3
""",
    "meetings/2026.yaml": """\
- id: m-1
  title: Kick-off
  start: 2026-12-01 10:00
  end: 2026-12-01 09:00
""",
    "goals.yaml": """\
- id: fund
  name: Fund
  target: 0
  start: 2026-01-01
  target_date: 2025-01-01
""",
}

EXPECTED = [
    ("clients.yaml", 5, "error", "client", "acme", "contract_value must not be negative, got -5"),
    ("clients.yaml", 8, "error", "client", "globex",
     "stage 'leed' is not one of lead, negotiation, client (the book's stages) (did you mean 'lead'?)"),
    ("clients.yaml", 9, "warning", "client", "globex", "unknown key 'emial' (did you mean 'email'?)"),
    ("clients.yaml", 10, "error", "client", "globex", "expected a date like 2026-11-25, got 'soon'"),
    ("clients.yaml", 11, "error", "client", "", "record has no id"),
    ("goals.yaml", 3, "error", "goal", "fund", "target must be more than zero, got 0"),
    ("goals.yaml", 5, "error", "goal", "fund", "target_date 2025-01-01 is before start 2026-01-01"),
    ("invoices.yaml", 4, "error", "invoice", "INV-2026-001", "due 2026-03-01 is before issued 2026-03-10"),
    ("invoices.yaml", 5, "error", "invoice", "INV-2026-001", "paid, but no received income is linked to it"),
    ("invoices.yaml", 7, "error", "invoice", "INV-2026-002", "overpaid: received 800.00 against a total of 500.00"),
    ("invoices.yaml", 8, "error", "invoice", "INV-2026-002", "client 'acmee': no such client (did you mean 'acme'?)"),
    ("invoices.yaml", 10, "warning", "invoice", "INV-2026-002",
     "sent, but received income 800.00 covers its total: `freelance invoice move INV-2026-002 paid`"),
    ("invoices.yaml", 17, "error", "invoice", "INV-2026-003",
     "in EUR, linked to client acme in USD: linked records are in one currency"),
    ("meetings/2026.yaml", 4, "error", "meeting", "m-1", "end 2026-12-01 09:00 is before start 2026-12-01 10:00"),
    ("projects.yaml", 6, "error", "project", "site", "end 2026-04-01 is before start 2026-05-01"),
    ("projects.yaml", 7, "error", "project", "site",
     "status 'doing' is not one of not-started, in-progress, on-hold, done (did you mean 'done'?)"),
    ("services.yaml", 10, "error", "service", "build", "rate must be more than zero, got 0"),
    ("timelog/2026.yaml", 4, "error", "time", "t-1", "service 'build' is not one of project site's services (design)"),
    ("transactions/2026.yaml", 1, "error", "income", "tx-1", "duplicate id (first at transactions/2025.yaml:1)"),
    ("transactions/2026.yaml", 7, "error", "income", "tx-1", "invoice INV-2026-002 belongs to client 'acmee', not 'acme'"),
    ("transactions/2026.yaml", 17, "error", "income", "tx-2", "income in USD linked to invoice INV-2026-003 in EUR"),
]


def write_book(root, files):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def broken(empty_book):
    return write_book(empty_book, BROKEN)


def line(file, ln, sev, kind, rid, msg):
    who = f"{kind} '{rid}': " if rid else f"{kind}: "
    return f"{file}:{ln}: {sev}: {who}{msg}"


def test_every_check_trips_with_file_line_kind_and_id(broken):
    r = run_cli("validate", books=broken)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [line(*p) for p in EXPECTED]
    assert r.stderr == "19 errors, 2 warnings\n"


def test_json_is_the_same_problems_as_objects(broken):
    r = run_cli("validate", "--format", "json", books=broken)
    assert r.exit_code == 1
    got = json.loads(r.stdout)
    keys = ("file", "line", "severity", "kind", "id", "message")
    assert got == [dict(zip(keys, p)) for p in EXPECTED]


def test_quiet_prints_nothing_and_still_fails(broken):
    r = run_cli("validate", "--quiet", books=broken)
    assert (r.exit_code, r.output) == (1, "")


def test_warnings_alone_exit_0(empty_book):
    write_book(empty_book, {"clients.yaml": "- id: a\n  name: A\n  stage: lead\n  emial: a@b.test\n",
                            "contacts.yaml": "- id: sam\n  name: Sam\n"})
    r = run_cli("validate", books=empty_book)
    assert r.exit_code == 0
    assert r.stdout.splitlines() == [
        "clients.yaml:4: warning: client 'a': unknown key 'emial' (did you mean 'email'?)",
        "contacts.yaml:1: warning: contact 'sam': contact has neither email nor phone"]
    assert r.stderr == "0 errors, 2 warnings\n"


def test_a_clean_book_says_ok(empty_book):
    r = run_cli("validate", books=empty_book)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "", "ok: no problems\n")


@pytest.mark.parametrize("record, expected", [
    ("  contract_value: 12,000\n", "expected a number, got '12,000'"),
    ("  contract_value: [1, 2]\n", "expected a single value (money), got a list"),
    ("  created: 2026-13-01\n", "'2026-13-01' is not a date in the calendar"),
    ("  created: 25/11/2026\n", "expected a date like 2026-11-25, got '25/11/2026'"),
    ("  email: nobody\n", "email 'nobody' does not look like an email address"),
    ("  name: {first: A}\n", "expected a str, got a mapping"),
])
def test_wrong_types_are_located(empty_book, record, expected):
    write_book(empty_book, {"clients.yaml": "- id: a\n  stage: lead\n" + record.replace("  name: {", "  name: {")
                            + ("  name: A\n" if "name:" not in record else "")})
    r = run_cli("validate", books=empty_book)
    assert r.exit_code == 1
    assert f"clients.yaml:3: error: client 'a': {expected}" in r.stdout.splitlines()


@pytest.mark.parametrize("rel, text, expected", [
    ("transactions/2026.yaml",
     "- id: tx-a\n  date: 2026-01-02\n  kind: expense\n  amount: -10\n  category: software\n",
     "transactions/2026.yaml:4: error: expense 'tx-a': amount must be more than zero, got -10"),
    ("transactions/2026.yaml",
     "- id: tx-a\n  date: 2026-01-02\n  kind: expense\n  amount: 0\n  category: softwear\n",
     "transactions/2026.yaml:4: error: expense 'tx-a': amount must be more than zero, got 0"),
    ("transactions/2026.yaml",
     "- id: tx-a\n  date: 2026-01-02\n  kind: expense\n  amount: 5\n  category: softwear\n",
     "transactions/2026.yaml:5: error: expense 'tx-a': category 'softwear' is not one of software, hardware, "
     "travel, taxes, office, other (the book's expense_categories) (did you mean 'software' or 'other'?)"),
    ("timelog/2026.yaml", "- id: t-a\n  date: 2026-01-02\n  project: nowhere\n  hours: 25\n",
     "timelog/2026.yaml:3: error: time 't-a': project 'nowhere': no such project"),
    ("timelog/2026.yaml", "- id: t-a\n  date: 2026-01-02\n  project: nowhere\n  hours: 25\n",
     "timelog/2026.yaml:4: error: time 't-a': hours must be more than 0 and at most 24 in one entry, got 25"),
    ("invoices.yaml", "- id: INV-1\n  client: ghost\n  status: sent\n  amount: -3\n",
     "invoices.yaml:4: error: invoice 'INV-1': amount must be more than zero, got -3"),
    ("meetings/2026.yaml", "- id: m-a\n  title: T\n  start: 2026-02-30 10:00\n",
     "meetings/2026.yaml:3: error: meeting 'm-a': '2026-02-30 10:00' is not a time in the calendar"),
    ("projects.yaml", "- name: P\n  status: done\n", "projects.yaml:1: error: project: record has no id"),
])
def test_more_checks(empty_book, rel, text, expected):
    write_book(empty_book, {rel: text})
    r = run_cli("validate", books=empty_book)
    assert r.exit_code == 1
    assert expected in r.stdout.splitlines(), r.stdout


def test_settings_problems(empty_book):
    write_book(empty_book, {"freelance.yaml": """\
# settings with problems
name: Example
currency: usd
timezone: Mars/Base
week_start: mon
stages: lead
expense_categories: [software, travel, software]
invoice_number: "INV-{yr}-{seq}"
stges: [a]
"""})
    r = run_cli("validate", books=empty_book)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        "freelance.yaml:3: error: currency 'usd': expected a three-letter code like USD or EUR",
        "freelance.yaml:4: error: timezone 'Mars/Base': expected a known time zone (like UTC or Europe/Berlin)",
        "freelance.yaml:5: error: week_start 'mon': expected a day of the week like monday (did you mean 'monday'?)",
        "freelance.yaml:6: error: stages must be a list",
        "freelance.yaml:7: error: expense_categories lists software twice",
        "freelance.yaml:8: error: invoice_number 'INV-{yr}-{seq}': not a usable pattern ('yr'); e.g. INV-{year}-{seq:03d}",
        "freelance.yaml:9: warning: unknown setting 'stges' (did you mean 'stages'?)",
    ]


def test_a_yaml_syntax_error_has_line_and_column_and_other_files_are_still_checked(empty_book):
    write_book(empty_book, {"clients.yaml": "- id: a\n  name: A\n  stage: 'lead\n",
                            "contacts.yaml": "- id: sam\n  name: Sam\n  category: legl\n  email: s@s.test\n"})
    r = run_cli("validate", books=empty_book)
    assert r.exit_code == 1
    out = r.stdout.splitlines()
    assert out[0] == ("clients.yaml:4: error: YAML syntax error, column 1: found unexpected end of stream "
                      "(while scanning a quoted scalar)")
    assert out[1] == ("contacts.yaml:3: error: contact 'sam': category 'legl' is not one of finance, services, "
                      "legal (the book's contact_categories) (did you mean 'legal'?)")


def test_the_demo_book_has_no_errors(cli):
    r = cli("validate", "--format", "json")
    assert r.exit_code == 0
    assert [p for p in json.loads(r.stdout) if p["severity"] == "error"] == []


def test_validate_reports_a_currency_that_is_not_a_code(cli):
    path = cli.book / "clients.yaml"
    path.write_text(path.read_text().replace("  stage: lead\n", "  stage: lead\n  currency: usd\n", 1))
    r = cli("validate")
    assert r.exit_code == 1
    assert "currency 'usd' is not a three-letter code like USD or EUR" in r.stdout
