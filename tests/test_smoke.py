"""The README's first promise: the demo book loads, validates and shows its pipeline."""
import subprocess

from conftest import run_proc, git_commit_all
from conftest import run_cli


def test_demo_book_validates_with_no_errors(cli):
    r = cli("validate")
    assert r.exit_code == 0, r.output
    assert "error" not in r.stdout


def test_client_board_shows_three_stage_columns_with_totals(cli):
    r = cli("client", "board")
    assert r.exit_code == 0, r.output
    header = r.stdout.splitlines()[1]
    assert "lead (3)" in header and "negotiation (2)" in header and "client (5)" in header
    assert "contract 24,000.00 USD" in r.stdout and "67.1% invoiced" in r.stdout
    assert "invoiced 16,100.00 USD" in r.stdout and "invoiced 0.00 USD" in r.stdout   # every amount with its currency
    assert "total 62,500.00 USD" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80


def test_move_changes_exactly_one_line(cli):
    book = cli.book
    git_commit_all(book)
    r = cli("client", "move", "hooli", "negotiation")
    assert r.exit_code == 0, r.output
    diff = subprocess.run(["git", "diff", "--numstat"], cwd=book, capture_output=True, text=True).stdout
    assert diff.split() == ["1", "1", "clients.yaml"]


def test_help_runs_as_a_real_process_without_a_traceback():
    p = run_proc("--help")
    assert p.returncode == 0
    assert "client" in p.stdout and "Traceback" not in p.stderr


def test_every_list_and_the_workflow_fit_100_columns_as_tables(cli):
    nouns = ["client", "project", "service", "invoice", "income", "expense", "contact", "resource", "goal", "meeting"]
    for args in [(n, "list") for n in nouns] + [("workflow",)]:
        r = cli(*args)
        assert r.exit_code == 0, r.output
        assert len(r.stdout.splitlines()) > 2, args       # a header, a rule and rows
        assert max(len(line) for line in r.stdout.splitlines()) <= 100, (args, r.stdout[:400])


def test_csv_and_json_lists_keep_the_columns_the_table_leaves_out(cli):
    csv_header = cli("client", "list", "--format", "csv").stdout.splitlines()[0]
    assert csv_header.split(",")[:3] == ["id", "name", "stage"]
    assert '"company": "Acme Corporation"' in cli("client", "list", "--format", "json").stdout


def test_version():
    from freelance import __version__
    r = run_cli("--version", today=None)
    assert (r.exit_code, r.stdout) == (0, f"freelance {__version__}\n")
