"""Golden output of the money views on the demo book (`--today 2026-11-25`), and help for every new verb."""
import pytest

from conftest import check_golden, run_cli

GOLDENS = {
    "report-finance.txt": ("report", "finance"),
    "report-finance-q4.md": ("report", "finance", "--period", "2026-Q4", "--format", "markdown"),
    "report-workflow.txt": ("report", "workflow"),
    "invoice-board.txt": ("invoice", "board"),
    "export.journal": ("export", "hledger"),
    "export.beancount": ("export", "beancount", "--accrual"),
}


@pytest.mark.parametrize("name", list(GOLDENS))
def test_golden(cli, update_goldens, name):
    r = cli(*GOLDENS[name])
    assert r.exit_code == 0, r.output
    check_golden(name, r.stdout, update_goldens)


@pytest.mark.parametrize("args", [
    ("invoice", "add"), ("income", "link"), ("workflow",), ("report", "finance"), ("report", "workflow"),
    ("export",), ("export", "hledger"), ("export", "beancount"), ("export", "csv"), ("export", "json"),
])
def test_every_new_command_has_help_with_an_example(args):
    r = run_cli(*args, "--help", today=None)
    assert r.exit_code == 0, r.output
    assert "Example: freelance " in r.stdout
