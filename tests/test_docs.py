"""Docs come from the code: every command has help with an example, and the
README's command reference is the one the commands generate."""
import re

import pytest

from conftest import ROOT, run_cli
from freelance.tools import docgen

COMMANDS = [path for path, _ in docgen.walk()]


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) for p in COMMANDS])
def test_every_command_has_help_with_an_example(path):
    r = run_cli(*path, "--help", today=None)
    assert r.exit_code == 0, r.output
    assert "Example:" in r.stdout, f"`freelance {' '.join(path)} --help` has no example"


def test_readme_command_reference_is_up_to_date():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docgen.readme_section(readme) == docgen.reference(), (
        "README.md's command reference is stale: run `python -m freelance.tools.docgen --write` and review the diff")


def test_ci_runs_the_readmes_test_command_in_a_new_venv():
    """A green CI is a new user's green: .ci/run ends with the README's second command, run
    in a virtual environment it made itself (not a Python that already has the dependencies)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first, second = re.findall(r"```sh\n(.*?)\n```", readme, re.S)[:2]
    assert first.startswith("pip install . && freelance ")
    assert "pip install '.[test]'" in second and "python -m pytest" in second
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == second
    assert "python3 -m venv" in script and "/bin/activate" in script


def test_expense_project_help_does_not_say_client_income():
    r = run_cli("expense", "add", "--help", today=None)
    line = next(x for x in r.stdout.splitlines() if "--project" in x)
    assert "client income" not in line and "cost of this project" in line
    assert "(client income)" in next(x for x in run_cli("income", "add", "--help", today=None).stdout.splitlines()
                                     if "--project" in x)
