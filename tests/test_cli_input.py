"""Bad command-line input never gives a traceback: a clear message, exit 2, the book untouched."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st


WEIRD = ["", " ", "-", "--", "--x", "\x00", "\x1b[31mred", "é", "😀", "a" * 5000, "1e999999", "-0", "NaN",
         "Infinity", "0x10", "1,2,3", "12:30", "2026-02-30", "../../etc/passwd", "acme\nnext", "'", '"', "{", "[",
         "null", "~", "&a", "*a", "!!python/object:os.system"]

VERBS = [
    lambda w: ["client", "add", w],
    lambda w: ["client", "add", "Name", "--contract-value", w],
    lambda w: ["client", "add", "Name", "--stage", w],
    lambda w: ["client", "add", "Name", "--email", w],
    lambda w: ["client", "add", "Name", "--id", w],
    lambda w: ["client", "add", "Name", "--default-rate", w],
    lambda w: ["client", "edit", w, "--notes", "x"],
    lambda w: ["client", "edit", "acme", "--contract-value", w],
    lambda w: ["client", "edit", "acme", "--unset", w],
    lambda w: ["client", "move", "acme", w],
    lambda w: ["client", "move", w, "lead"],
    lambda w: ["client", "show", w],
    lambda w: ["client", "rm", w],
    lambda w: ["client", "list", "--format", w],
    lambda w: ["client", "list", "--stage", w],
    lambda w: ["client", w],
    lambda w: [w],
]


def snapshot(book):
    return {p: p.read_bytes() for p in book.rglob("*.yaml")}


def check(cli, args):
    before = snapshot(cli.book)
    r = cli(*args)           # run_cli does not catch exceptions: a traceback fails the test
    assert r.exit_code in (0, 1, 2), (args, r.output)
    assert "Traceback" not in r.output
    if r.exit_code != 0:
        assert r.stderr.startswith(("freelance: error: ", "Usage: ")), (args, r.output)
        assert len(r.stderr.strip().splitlines()) <= 4, r.stderr
        assert snapshot(cli.book) == before, args
    return r


@pytest.mark.parametrize("verb", range(len(VERBS)))
def test_weird_arguments_table(cli, verb):
    for w in WEIRD:
        check(cli, VERBS[verb](w))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(verb=st.sampled_from(VERBS[1:11]), word=st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_weird_arguments_property(cli, verb, word):
    check(cli, verb(word))


def test_an_accepted_weird_value_reads_back(cli):
    r = check(cli, ["client", "add", "😀 \x1b[31mred", "--notes", "'", "--id", "weird"])
    assert r.exit_code == 0
    shown = cli("client", "show", "weird").stdout
    assert "\x1b" not in shown          # terminal output strips control sequences


def _bytes(book):
    return {p.relative_to(book): p.read_bytes() for p in sorted(book.rglob("*.yaml"))}


@pytest.mark.parametrize("typed", ["1,5", "1.200,50", "1,2345", ",5", "12,00"])
def test_a_decimal_comma_is_refused_not_read_as_a_bigger_number(cli, typed):
    before = _bytes(cli.book)
    r = cli("income", "add", typed, "--classification", "salary")
    assert r.exit_code == 2, r.output
    assert "not a number" in r.stderr and "1,200.50" in r.stderr
    assert _bytes(cli.book) == before


def test_thousands_separators_still_read(cli):
    r = cli("income", "add", "1,200.50", "--classification", "salary", "--id", "tx-qa-1")
    assert r.exit_code == 0, r.output
    assert "  amount: 1200.50\n" in (cli.book / "transactions" / "2026.yaml").read_text()


def test_an_invoice_item_quantity_with_a_decimal_comma_is_refused(cli):
    before = _bytes(cli.book)
    r = cli("invoice", "add", "--client", "acme", "--item", "Design:1,5:100")
    assert r.exit_code == 2, r.output
    assert "quantity: '1,5' is not a number" in r.stderr
    assert _bytes(cli.book) == before


@pytest.mark.parametrize("args, message", [
    (("client", "list", "--stage", "leed"), "--stage: 'leed' is not one of lead, negotiation, client (did you mean 'lead'?)"),
    (("project", "list", "--client", "acm"), "--client: no client 'acm' (did you mean 'acme'?)"),
    (("meeting", "list", "--with", "sam-sampl"), "--with: no client or contact 'sam-sampl' (did you mean 'sam-sample'?)"),
    (("resource", "list", "--type", "guid"), "--type: 'guid' is not one of checklist, guide, strategy, tip (did you mean 'guide'?)"),
    (("invoice", "board", "--client", "acmee"), "--client: no client 'acmee' (did you mean 'acme'?)"),
])
def test_a_misspelt_list_filter_is_a_usage_error_not_an_empty_list(cli, args, message):
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    assert r.stderr == f"freelance: error: {message}\n"


def test_list_filters_that_exist_still_filter(cli):
    r = cli("client", "list", "--stage", "lead", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert [line.split(",")[0] for line in r.stdout.splitlines()[1:]] == ["wayne-foods", "hooli", "pied-piper"]
    r = cli("resource", "list", "--type", "guide", "--category", "savings")   # allowed, matches nothing
    assert (r.exit_code, r.stdout) == (0, "(none)\n")


@pytest.mark.parametrize("args", [("income", "add", "-5"), ("expense", "add", "-49.90"),
                                  ("project", "log", "acme-website", "-2.5")])
def test_a_negative_amount_says_so_instead_of_no_such_option(cli, args):
    before = _bytes(cli.book)
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert "Error: a negative number is not accepted here" in r.stderr
    assert "No such option" not in r.stderr
    assert _bytes(cli.book) == before


@pytest.mark.parametrize("args", [("client", "add", "   ", "--stage", "lead"), ("client", "edit", "acme", "--name", " "),
                                  ("meeting", "add", "\t", "--at", "2026-12-01 10:00")])
def test_a_blank_name_is_refused(cli, args):
    before = _bytes(cli.book)
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert "must not be blank" in r.stderr
    assert _bytes(cli.book) == before


@pytest.mark.parametrize("option", [("--today", "2026-11-25"), ("--books", "."), ("--no-cache",)])
def test_a_global_option_after_the_command_says_where_it_goes(cli, option):
    r = cli("validate", *option)
    assert r.exit_code == 2, r.output
    assert f"Error: {option[0]} is an option of freelance itself: put it before the command" in r.stderr


@pytest.mark.parametrize("args, message", [
    (("invoice", "add", "--client", "acme", "--item", "x:1:1e30"), "1e30 is too large"),
    (("invoice", "add", "--client", "acme", "--item", "x:1e-40:5"), "1e-40 has too many decimal places"),
    (("meeting", "add", "X", "--at", "2026-12-01 10:00", "--duration", "99999999h"), "--duration: '99999999h' is longer than a week"),
    (("invoice", "add", "--client", "acme", "--amount", "100", "--issued", "9999-12-31"), "not a year a book needs"),
    (("income", "add", "12", "--date", "+99999999d"), "is outside the calendar"),
    (("invoice", "add", "--client", "acme", "--amount", "500", "--status", "paid"), "a new invoice cannot start as paid"),
])
def test_out_of_range_input_is_refused_and_nothing_is_written(cli, args, message):
    before = {p: p.read_bytes() for p in cli.book.rglob("*.yaml")}
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.output
    assert {p: p.read_bytes() for p in cli.book.rglob("*.yaml")} == before
