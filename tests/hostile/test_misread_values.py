"""Issue 14, section 6: hand-written values that were read as something else, silently.
`validate` names each one, with its line."""
import pytest

from conftest import DEMO


def set_line(path, start, line):
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert any(x.startswith(start) for x in lines)
    path.write_text("".join(line + "\n" if x.startswith(start) else x for x in lines), encoding="utf-8")


def test_a_thousands_comma_in_a_flow_mapping_is_flagged(cli):
    # the comma ends the value: {id: bank, opening_balance: 1, 000: null} -- the bank opened with 1.00
    set_line(cli.book / "freelance.yaml", "accounts:",
             "accounts: [{id: bank, name: Bank, opening_balance: 1,000}, {id: cash, name: Cash, opening_balance: 0}]")
    r = cli("validate")
    assert r.exit_code == 1
    assert ("freelance.yaml:10: error: accounts[1] (bank): opening_balance reads as 1 and '000' as a key of its "
            "own: in a {...} entry a comma separates keys; write the number without commas (1000)") in r.stdout


def test_unknown_keys_in_account_entries_are_warned_about(cli):
    set_line(cli.book / "freelance.yaml", "accounts:",
             "accounts: [{id: bank, name: Bank, opening_balence: 500}, {id: cash, name: Cash, colour: red}]")
    r = cli("validate")
    assert ("freelance.yaml:10: warning: accounts[1] (bank): unknown key 'opening_balence' (did you mean "
            "'opening_balance'?) (an account has id, name, currency, opening_balance, iban, bic, number)") in r.stdout
    assert "freelance.yaml:10: warning: accounts[2] (cash): unknown key 'colour'" in r.stdout


def test_an_unknown_tax_rounding_is_reported(cli):
    set_line(cli.book / "freelance.yaml", "tax_rounding:", "tax_rounding: bogus")
    r = cli("validate")
    assert r.exit_code == 1
    assert "freelance.yaml:19: error: tax_rounding 'bogus': expected per-invoice or per-line" in r.stdout


@pytest.mark.parametrize("file", ["clients.yaml", "goals.yaml", "freelance.yaml"])
def test_an_invalid_yaml_directive_is_reported_not_read_as_empty(cli, file):
    # yaml-test-suite MUS6/00: a comment needs a space before '#'; libyaml takes it, and the
    # file was read as empty (every client gone) with no problem named
    path = cli.book / file
    path.write_text("%YAML 1.1#...\n---\n" + (DEMO / file).read_text(encoding="utf-8"), encoding="utf-8")
    for args in (("validate",), ("--no-cache", "validate")):
        r = cli(*args)
        assert r.exit_code == 1
        assert (f"{file}:1: error: YAML syntax error: '%YAML 1.1#...' is not a valid %YAML directive "
                "(like '%YAML 1.2'; a comment needs a space before '#')") in r.stdout, r.stdout

    # a valid directive (a space before the comment) reads as before
    path.write_text("%YAML 1.2 # a comment\n---\n" + (DEMO / file).read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("validate").exit_code == 0


def test_an_account_iban_is_checked(cli):
    set_line(cli.book / "freelance.yaml", "accounts:",
             "accounts: [{id: bank, name: Bank, iban: DE89370400440532013001}, {id: cash, name: Cash}]")
    r = cli("validate")
    assert r.exit_code == 1
    assert "freelance.yaml:10: error: accounts[1] (bank): iban 'DE89370400440532013001': " in r.stdout
    set_line(cli.book / "freelance.yaml", "accounts:",
             "accounts: [{id: bank, name: Bank, iban: DE89370400440532013000}, {id: cash, name: Cash}]")
    assert cli("validate").exit_code == 0
