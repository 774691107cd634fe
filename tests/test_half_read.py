"""A half-read book says so: what could not be read is located on stderr and the command exits 1,
after printing what it could; a broken freelance.yaml stops every command."""
import json

import pytest

def break_clients(book) -> int:
    """An unclosed `[` in Northwind's record of the demo book's clients.yaml; the line after it
    (where the YAML parser gives up) is returned."""
    path = book / "clients.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = lines.index("  position: Head of Marketing\n")
    lines[n] = "  position: [Head of Marketing\n"
    path.write_text("".join(lines), encoding="utf-8")
    return n + 2


def test_a_board_with_a_syntax_error_in_its_file_shows_what_it_read_and_exits_1(cli):
    line = break_clients(cli.book)
    r = cli("client", "board")
    assert r.exit_code == 1
    assert "Acme Corp" in r.stdout and "Northwind" not in r.stdout      # what could be read, printed
    err = r.stderr.splitlines()
    assert err[0].startswith(f"clients.yaml:{line - 1}: error: ")
    assert any(x.startswith(f"clients.yaml:{line}: error: YAML syntax error, column ") for x in err)
    assert err[-1] == ("freelance: error: the book has errors (above): what was printed leaves out what could "
                       "not be read; `freelance validate` checks the whole book")


@pytest.mark.parametrize("args", [
    ("client", "list"), ("client", "list", "--format", "json"), ("client", "show", "acme"),
    ("report", "summary"), ("report", "pipeline", "--format", "json"), ("report", "digest"),
    ("client", "list", "--stage", "client"), ("export", "json")])
def test_every_list_board_show_and_report_that_reads_the_broken_file_exits_1(cli, args):
    line = break_clients(cli.book)
    r = cli(*args)
    assert r.exit_code == 1, r.output
    assert r.stdout
    if "json" in args:
        json.loads(r.stdout)                    # stdout stays what it promises; problems go to stderr
    assert f"clients.yaml:{line}: error: YAML syntax error" in r.stderr
    assert "Traceback" not in r.output


def test_a_command_that_does_not_read_the_broken_file_is_not_disturbed(cli):
    break_clients(cli.book)
    r = cli("resource", "list")
    assert r.exit_code == 0 and r.stderr == ""


def test_a_bad_value_is_located_too_and_the_exit_status_says_the_list_is_not_whole(cli):
    with open(cli.book / "invoices.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: INV-2026-099\n  client: acme\n  status: sent\n  issued: 2026-13-05\n  amount: 100\n")
    r = cli("invoice", "list")
    assert r.exit_code == 1
    line = len((cli.book / "invoices.yaml").read_text().splitlines()) - 1
    assert r.stderr.splitlines()[0] == (f"invoices.yaml:{line}: error: invoice 'INV-2026-099': '2026-13-05' "
                                        "is not a date in the calendar")


def test_a_write_that_succeeds_still_shows_the_problems_but_keeps_its_status(cli):
    line = break_clients(cli.book)
    r = cli("project", "add", "Side job", "--client", "acme")
    assert r.exit_code == 0, r.output
    assert r.stdout == "added project 'side-job'\n"
    assert f"clients.yaml:{line}: error: YAML syntax error" in r.stderr


def test_a_refused_command_says_what_could_not_be_read(cli):
    line = break_clients(cli.book)
    r = cli("project", "add", "Shop", "--client", "northwind")     # northwind is in the unreadable part
    assert r.exit_code == 2
    assert r.stderr.startswith("freelance: error: --client: no client 'northwind'")
    assert f"clients.yaml:{line}: error: YAML syntax error" in r.stderr


BROKEN_SETTINGS = "currency: [EUR\n"


@pytest.mark.parametrize("args", [
    ("client", "list"), ("client", "board"), ("invoice", "show", "INV-2026-019"), ("report", "summary"),
    ("report", "finance"), ("income", "add", "10", "--received"), ("settings", "show"), ("export", "hledger"),
    ("calendar",), ("workflow",)])
def test_a_broken_freelance_yaml_stops_every_command(cli, args):
    path = cli.book / "freelance.yaml"
    path.write_text(path.read_text(encoding="utf-8") + BROKEN_SETTINGS, encoding="utf-8")
    before = {p: p.read_bytes() for p in cli.book.rglob("*.yaml")}
    last = len(path.read_text().splitlines())
    r = cli(*args)
    assert r.exit_code == 1, r.output
    assert r.stdout == ""                      # no amounts in a currency that may not be the book's
    assert r.stderr.startswith(f"freelance: error: freelance.yaml:{last + 1}: error: YAML syntax error")
    assert r.stderr.rstrip().endswith("(every command reads freelance.yaml: fix it first)")
    assert {p: p.read_bytes() for p in cli.book.rglob("*.yaml")} == before


def test_validate_still_lists_a_broken_freelance_yaml_with_the_rest(cli):
    path = cli.book / "freelance.yaml"
    path.write_text(path.read_text(encoding="utf-8") + BROKEN_SETTINGS, encoding="utf-8")
    r = cli("validate")
    assert r.exit_code == 1
    assert r.stdout.startswith("freelance.yaml:")
    assert "YAML syntax error" in r.stdout


def test_a_whole_book_prints_nothing_on_stderr(cli):
    for args in (("client", "board"), ("invoice", "list"), ("report", "summary"), ("client", "show", "acme")):
        r = cli(*args)
        assert r.exit_code == 0 and r.stderr == "", (args, r.output)
