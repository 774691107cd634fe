"""Docs come from the code: every command has help with an example, and the
README's command reference is the one the commands generate."""
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
