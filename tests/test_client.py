"""Every `client` verb, driven through the real CLI on a copy of the demo book."""
import json
import re
import subprocess
from decimal import Decimal

import pytest



def git(book, *args):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=book,
                          check=True, capture_output=True, text=True).stdout


def commit_all(book):
    git(book, "init", "-q")
    git(book, "add", "-A")
    git(book, "commit", "-qm", "start")


def show_json(cli, rid, noun="client"):
    r = cli(noun, "show", rid, "--format", "json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# -- add ----------------------------------------------------------------------

def test_add_stores_every_option_in_declaration_order(cli):
    before = (cli.book / "clients.yaml").read_text()
    r = cli("client", "add", "Zeta Works", "--stage", "lead", "--company", "Zeta", "--contact", "Zed Example",
            "--email", "zed@zeta.test", "--phone", "+1 555 0199", "--position", "CTO", "--website", "zeta.test",
            "--contract-value", "12000.50", "--currency", "EUR", "--default-rate", "95", "--notes", "met at a fair")
    assert r.exit_code == 0, r.output
    assert r.stdout == "added client 'zeta-works'\n"
    after = (cli.book / "clients.yaml").read_text()
    assert after.startswith(before)
    assert after[len(before):] == (
        "- id: zeta-works\n"
        "  name: Zeta Works\n"
        "  stage: lead\n"
        "  company: Zeta\n"
        "  contact: Zed Example\n"
        "  email: zed@zeta.test\n"
        "  phone: +1 555 0199\n"
        "  position: CTO\n"
        "  website: zeta.test\n"
        "  contract_value: 12000.50\n"
        "  currency: EUR\n"
        "  default_rate: 95\n"
        "  created: 2026-11-25\n"
        "  notes: met at a fair\n")
    data = show_json(cli, "zeta-works")
    assert data["contract_value"] == "12000.50"
    assert data["default_rate"] == "95"
    assert data["created"] == "2026-11-25"
    assert data["invoiced"] == "0.00" and data["invoices"] == []


def test_add_defaults_stage_to_the_first_of_the_books_stages(cli):
    assert cli("client", "add", "Quiet Lead").exit_code == 0
    assert show_json(cli, "quiet-lead")["stage"] == "lead"


def test_add_makes_the_slug_unique_and_takes_an_explicit_id(cli):
    assert cli("client", "add", "Acme Corp").stdout == "added client 'acme-corp'\n"
    assert cli("client", "add", "Acme Corp").stdout == "added client 'acme-corp-2'\n"
    assert cli("client", "add", "Ünïcode Straße & Co.").stdout == "added client 'unicode-strae-co'\n"
    assert cli("client", "add", "Acme Again", "--id", "acme-again").stdout == "added client 'acme-again'\n"


def test_add_refuses_an_id_that_exists(cli):
    before = (cli.book / "clients.yaml").read_bytes()
    r = cli("client", "add", "Another Acme", "--id", "acme")
    assert r.exit_code == 2
    assert r.stderr == "freelance: error: client 'acme' already exists (clients.yaml:2)\n"
    assert (cli.book / "clients.yaml").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["--contract-value", "abc"], "--contract-value: expected a number like 1200.50, got 'abc'"),
    (["--contract-value", "-5"], "--contract-value: must not be negative, got -5"),
    (["--contract-value", "NaN"], "--contract-value: expected a number like 1200.50, got 'NaN'"),
    (["--stage", "leed"], "--stage: 'leed' is not one of lead, negotiation, client (did you mean 'lead'?); "
                          "add it with `freelance settings add stages leed`"),
    (["--email", "not-an-email"], "--email: 'not-an-email' does not look like an email address"),
    (["--id", "no spaces"], "--id: 'no spaces' is not a valid id (letters, digits, '.', '_' and '-')"),
])
def test_add_with_a_bad_value_exits_2_and_leaves_the_file(cli, args, message):
    before = (cli.book / "clients.yaml").read_bytes()
    r = cli("client", "add", "Bad Input", *args)
    assert r.exit_code == 2, r.output
    assert r.stderr == f"freelance: error: {message}\n"
    assert r.stdout == ""
    assert (cli.book / "clients.yaml").read_bytes() == before


# -- list ---------------------------------------------------------------------

def test_list_filters_by_stage(cli):
    r = cli("client", "list", "--stage", "lead", "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [row["stage"] for row in rows] == ["lead"] * 3
    assert {row["kind"] for row in rows} == {"client"}


def test_list_json_has_decimals_as_strings(cli):
    rows = json.loads(cli("client", "list", "--format", "json").stdout)
    acme = next(row for row in rows if row["id"] == "acme")
    assert acme["contract_value"] == "24000"
    assert acme["invoiced"] == "16100.00"
    assert acme["invoiced_pct"] == "67.1"
    assert acme["received"] == "12650.00" and acme["outstanding"] == "3450.00"
    assert acme["created"] == "2026-01-12"
    for row in rows:
        for key in ("contract_value", "invoiced", "received", "outstanding"):
            assert row[key] is None or isinstance(row[key], str)
            if row[key] is not None:
                Decimal(row[key])
    # the file's own text, summed independently of the reader
    in_file = re.findall(r"^  contract_value: (\S+)$", (cli.book / "clients.yaml").read_text(), re.M)
    total = sum(Decimal(row["contract_value"]) for row in rows if row["contract_value"])
    assert total == sum(map(Decimal, in_file))


def test_list_table_markdown_and_csv(cli):
    table = cli("client", "list").stdout
    assert "Acme Corp" in table and "24,000.00 USD" in table and "67.1%" in table
    md = cli("client", "list", "--format", "markdown").stdout.splitlines()
    assert md[0].startswith("| id ") and md[1].startswith("|---")
    assert any(line.startswith("| acme ") for line in md)
    csv = cli("client", "list", "--format", "csv").stdout.splitlines()
    assert csv[0] == "id,name,stage,company,contract_value,invoiced,invoiced_pct,currency"
    assert csv[1] == "acme,Acme Corp,client,Acme Corporation,24000,16100.00,67.1,USD"


def test_list_with_a_bad_format_is_misuse(cli):
    r = cli("client", "list", "--format", "jsn")
    assert r.exit_code == 2
    assert "expected one of table, markdown, csv, json, got 'jsn' (did you mean 'json'?)" in r.stderr


# -- show ---------------------------------------------------------------------

def test_show_has_rollups_and_linked_records(cli):
    r = cli("client", "show", "acme")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert out.startswith("client acme  (clients.yaml:2)\n")
    for line in ("  invoiced        16,100.00 USD", "  invoiced_pct    67.1%", "  received        12,650.00 USD",
                 "  outstanding     3,450.00 USD",
                 "  invoice  INV-2026-001  paid  4,000.00 USD  balance 0.00 USD",
                 "  invoice  INV-2026-015  sent  5,700.00 USD  balance 2,850.00 USD overdue 11 days",
                 "  invoice  INV-2026-019  draft  4,200.00 USD  balance 4,200.00 USD",
                 "  project  acme-website  in-progress  Acme website  done 114.4% over  unbilled 12,380.00 USD",
                 "  income   tx-20261110-e8e25d  2026-11-10  2,850.00 USD  received  INV-2026-015"):
        assert line + "\n" in out


def test_show_json_rollups_agree_with_the_invoices(cli):
    acme = show_json(cli, "acme")
    invoiced = Decimal(0)
    for inv_id in acme["invoices"]:
        inv = show_json(cli, inv_id, "invoice")
        assert inv["client"] == "acme"
        if inv["status"] in ("sent", "paid"):
            invoiced += Decimal(inv["total"])
    assert Decimal(acme["invoiced"]) == invoiced
    assert acme["projects"] == ["acme-website", "acme-audit"]


def test_show_an_unknown_id_suggests_close_ones(cli):
    r = cli("client", "show", "acm")
    assert r.exit_code == 2
    assert r.stderr == "freelance: error: no client 'acm' (did you mean 'acme'?)\n"


# -- edit ---------------------------------------------------------------------

def test_edit_changes_only_that_records_lines(cli):
    path = cli.book / "clients.yaml"
    before = path.read_text().splitlines()
    r = cli("client", "edit", "acme", "--email", "ann@acme.example", "--contract-value", "25000")
    assert r.exit_code == 0, r.output
    assert r.stdout == "changed client 'acme': email, contract_value\n"
    after = path.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after)
    assert changed == [("  email: ann@acme.test", "  email: ann@acme.example"),
                       ("  contract_value: 24000", "  contract_value: 25000")]


def test_edit_adds_a_new_key_and_unset_removes_one(cli):
    path = cli.book / "clients.yaml"
    assert cli("client", "edit", "acme", "--notes", "renewal in March").exit_code == 0
    assert show_json(cli, "acme")["notes"] == "renewal in March"
    before = path.read_text()
    r = cli("client", "edit", "acme", "--unset", "phone", "--unset", "notes")
    assert r.exit_code == 0, r.output
    data = show_json(cli, "acme")
    assert data["phone"] is None and data["notes"] is None
    removed = set(before.splitlines()) - set(path.read_text().splitlines())
    assert removed == {"  phone: +1 555 0100", "  notes: renewal in March"}


def test_edit_refuses_to_unset_a_required_field_and_bad_values(cli):
    before = (cli.book / "clients.yaml").read_bytes()
    r = cli("client", "edit", "acme", "--unset", "name")
    assert r.exit_code == 2 and "--unset: cannot remove 'name'" in r.stderr
    r = cli("client", "edit", "acme", "--stage", "clinet")
    assert r.exit_code == 2 and "(did you mean 'client'?)" in r.stderr
    r = cli("client", "edit", "acme")
    assert r.exit_code == 2 and "nothing to change" in r.stderr
    r = cli("client", "edit", "acme", "--stage", "client")     # what it is already
    assert r.exit_code == 0 and r.stdout == "client 'acme' unchanged: it has those values already\n"
    assert (cli.book / "clients.yaml").read_bytes() == before


# -- move ---------------------------------------------------------------------

def test_move_is_a_one_line_git_diff(cli):
    commit_all(cli.book)
    r = cli("client", "move", "acme", "negotiation")
    assert r.exit_code == 0, r.output
    assert r.stdout == "moved client 'acme': client -> negotiation\n"
    diff = git(cli.book, "diff", "-U0", "clients.yaml")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-  stage: client", "+  stage: negotiation"]
    assert git(cli.book, "diff", "--numstat").split() == ["1", "1", "clients.yaml"]


def test_move_to_a_stage_the_user_added(cli):
    assert cli("client", "move", "acme", "lost").exit_code == 2
    r = cli("settings", "add", "stages", "lost")
    assert r.exit_code == 0, r.output
    r = cli("client", "move", "acme", "lost")
    assert r.exit_code == 0, r.output
    assert show_json(cli, "acme")["stage"] == "lost"
    board = cli("client", "board").stdout
    assert "lost (1)" in board


def test_move_to_the_same_stage_writes_nothing(cli):
    before = (cli.book / "clients.yaml").read_bytes()
    r = cli("client", "move", "acme", "client")
    assert r.exit_code == 0 and r.stdout == "client 'acme' is already client\n"
    assert (cli.book / "clients.yaml").read_bytes() == before


def test_move_to_an_unknown_stage(cli):
    r = cli("client", "move", "acme", "negotation")
    assert r.exit_code == 2
    assert "(did you mean 'negotiation'?)" in r.stderr and "Traceback" not in r.output


# -- board --------------------------------------------------------------------

def test_board_formats(cli):
    table = cli("client", "board")
    assert table.exit_code == 0
    assert "lead (3)" in table.stdout and "client (5)" in table.stdout
    data = json.loads(cli("client", "board", "--format", "json").stdout)
    assert [col["name"] for col in data] == ["lead", "negotiation", "client"]
    assert [col["count"] for col in data] == [3, 2, 5]
    assert data[0]["total"] == "30000.00" and data[0]["cards"][1]["id"] == "hooli"
    assert cli("client", "board", "--format", "markdown").exit_code == 0
    assert cli("client", "board", "--format", "csv").exit_code == 0


# -- rm -----------------------------------------------------------------------

def test_rm_refused_while_linked_then_forced(cli):
    path = cli.book / "clients.yaml"
    before = path.read_bytes()
    r = cli("client", "rm", "acme")
    assert r.exit_code == 2
    assert r.stderr.startswith("freelance: error: client acme is linked from project acme-website (client)")
    assert "use --force" in r.stderr
    assert path.read_bytes() == before
    r = cli("client", "rm", "acme", "--force")
    assert r.exit_code == 0 and r.stdout == "removed client 'acme'\n"
    assert cli("client", "show", "acme").exit_code == 2
    v = cli("validate")
    assert v.exit_code == 1 and "client 'acme': no such client" in v.stdout


def test_rm_an_unlinked_client_removes_only_its_lines(cli):
    assert cli("client", "add", "Gone Soon").exit_code == 0
    path = cli.book / "clients.yaml"
    with_it = path.read_text()
    assert cli("client", "add", "Stays").exit_code == 0
    r = cli("client", "rm", "gone-soon")
    assert r.exit_code == 0, r.output
    text = path.read_text()
    assert "gone-soon" not in text
    assert text.endswith("- id: stays\n  name: Stays\n  stage: lead\n  created: 2026-11-25\n")
    assert with_it.split("- id: gone-soon")[0] in text
