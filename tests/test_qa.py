"""Found by a new user's QA pass: each test drives the real CLI and failed before its fix."""
from __future__ import annotations

import pytest

from conftest import run_cli  # noqa: F401


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


@pytest.mark.parametrize("items", [["a:1:-5"], ["a:1:0"], ["Design:1:100", "Discount:1:-100"]])
def test_invoice_add_refuses_lines_that_add_up_to_nothing(cli, items):
    before = _bytes(cli.book)
    r = cli("invoice", "add", "--client", "acme", *[x for i in items for x in ("--item", i)])
    assert r.exit_code == 2, r.output
    assert "an invoice must be for more than zero" in r.stderr
    assert _bytes(cli.book) == before
    assert cli("validate").exit_code == 0


def test_invoice_add_keeps_a_discount_line(cli):
    r = cli("invoice", "add", "--client", "acme", "--item", "Design:1:100", "--item", "Discount:1:-10")
    assert r.exit_code == 0, r.output
    assert "total 90.00 USD" in r.stdout
    assert cli("validate").exit_code == 0


HOSTILE = "\x1b[31mEvil\x1b[0m \x07<script>"


def test_ics_and_vcf_carry_no_control_characters_from_user_data(cli, tmp_path):
    import re
    assert cli("contact", "add", HOSTILE, "--category", "legal", "--email", "evil@x.test", "--id", "evil",
               "--company", "Bad\x1b]0;title\x07 Co").exit_code == 0
    assert cli("meeting", "add", "Meet \x1b[1mnow\x1b[0m; a,b", "--at", "2026-12-01 10:00", "--with", "evil",
               "--agenda", "line one\nline\x07two").exit_code == 0
    ics, vcf = tmp_path / "m.ics", tmp_path / "c.vcf"
    assert cli("calendar", "export", "--ics", ics).exit_code == 0
    assert cli("contact", "export", "--vcf", "--out", vcf).exit_code == 0
    control = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")   # CR LF line ends are allowed
    for path in (ics, vcf):
        text = path.read_bytes().decode()
        assert not control.search(text), (path.name, control.findall(text))
    ics_text = ics.read_bytes().decode().replace("\r\n ", "")
    assert "SUMMARY:Meet now\\; a\\,b" in ics_text
    assert "Agenda: line one\\nlinetwo" in ics_text
    assert "FN:Evil <script>" in vcf.read_bytes().decode()


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


def test_an_id_made_from_a_name_leaves_escape_sequences_out(cli):
    r = cli("client", "add", "\x1b[31mRed\x1b[0m Rocket", "--stage", "lead")
    assert (r.exit_code, r.stdout) == (0, "added client 'red-rocket'\n"), r.output


def test_a_table_clips_long_text_and_keeps_each_row_on_one_line(cli):
    long = "Very long name " * 20
    assert cli("client", "add", long, "--stage", "lead", "--id", "longname").exit_code == 0
    assert cli("client", "add", "two\nlines", "--stage", "lead", "--id", "twolines").exit_code == 0
    r = cli("client", "list", "--stage", "lead")
    assert r.exit_code == 0, r.output
    row = next(line for line in r.stdout.splitlines() if line.startswith("longname "))
    assert "Very long name Very long name Very long…" in row and long.strip() not in row
    assert max(len(line) for line in r.stdout.splitlines()) < 130
    assert any(line.startswith("twolines ") and "two lines" in line for line in r.stdout.splitlines())
    csv = cli("client", "list", "--stage", "lead", "--format", "csv").stdout   # csv keeps it all
    assert long in csv and '"two\nlines"' in csv


@pytest.mark.parametrize("args, message", [
    (("project", "add", "P", "--client", "acme", "--start", "2026-12-01", "--end", "2026-11-01"),
     "--end: end 2026-11-01 is before start 2026-12-01"),
    (("service", "add", "S", "--client", "acme", "--pricing", "fixed", "--rate", "5", "--start", "2026-12-01",
      "--end", "2026-11-01"), "--end: end 2026-11-01 is before start 2026-12-01"),
    (("project", "edit", "acme-website", "--end", "2026-01-01"), "--end: end 2026-01-01 is before start 2026-09-01"),
    (("invoice", "edit", "INV-2026-019", "--due", "2020-01-01"), "--due: due 2020-01-01 is before issued 2026-11-20"),
    (("meeting", "add", "M", "--at", "2026-12-01 10:00", "--end", "2026-12-01 09:00"),
     "--end: end 2026-12-01 09:00 is before start 2026-12-01 10:00"),
    (("goal", "add", "G", "--category", "health", "--target", "5", "--start", "2027-01-01", "--by", "2026-01-01"),
     "--by: target_date 2026-01-01 is before start 2027-01-01"),
    (("client", "edit", "acme", "--currency", "dollars"), "--currency: expected a three-letter code like USD or EUR, got 'dollars'"),
    (("invoice", "add", "--client", "acme", "--amount", "100", "--currency", "usd"),
     "--currency: expected a three-letter code like USD or EUR, got 'usd'"),
])
def test_add_and_edit_refuse_what_validate_reports(cli, args, message):
    before = _bytes(cli.book)
    r = cli(*args)
    assert (r.exit_code, r.stderr) == (2, f"freelance: error: {message}\n"), r.output
    assert _bytes(cli.book) == before


def test_validate_reports_a_currency_that_is_not_a_code(cli):
    path = cli.book / "clients.yaml"
    path.write_text(path.read_text().replace("  stage: lead\n", "  stage: lead\n  currency: usd\n", 1))
    r = cli("validate")
    assert r.exit_code == 1
    assert "currency 'usd' is not a three-letter code like USD or EUR" in r.stdout


@pytest.mark.parametrize("option", [("--today", "2026-11-25"), ("--books", "."), ("--no-cache",)])
def test_a_global_option_after_the_command_says_where_it_goes(cli, option):
    r = cli("validate", *option)
    assert r.exit_code == 2, r.output
    assert f"Error: {option[0]} is an option of freelance itself: put it before the command" in r.stderr


@pytest.mark.parametrize("args", [("client", "list", "--out", "{tmp}"), ("calendar", "export", "--ics", "{tmp}"),
                                  ("report", "summary", "--out", "{tmp}")])
def test_out_to_a_folder_is_refused_without_a_traceback(cli, tmp_path, args):
    r = cli(*[a.format(tmp=tmp_path) for a in args])
    assert r.exit_code == 2, r.output
    assert r.stderr == f"freelance: error: {args[2]}: {tmp_path} is a folder; give a file name in it\n"


def test_a_folder_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path):
    from conftest import run_proc
    r = run_proc("init", "/proc/no-book-here", "--no-git")     # even root cannot mkdir in /proc
    assert r.returncode == 1, r
    assert r.stderr == "freelance: error: No such file or directory: /proc/no-book-here\n"
    r = run_proc("--books", str(tmp_path), "demo", "/proc/no-demo", "--transactions", "10")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r


@pytest.mark.parametrize("bom, eol", [(b"", b"\r\n"), (b"\xef\xbb\xbf", b"\n"), (b"\xef\xbb\xbf", b"\r\n")])
def test_writes_keep_a_files_crlf_line_ends_and_byte_order_mark(cli, bom, eol):
    path = cli.book / "clients.yaml"
    path.write_bytes(bom + path.read_bytes().replace(b"\n", eol))
    assert cli("client", "add", "New One", "--stage", "lead").exit_code == 0
    assert cli("client", "move", "hooli", "client").exit_code == 0
    assert cli("client", "edit", "acme", "--notes", "two\nlines").exit_code == 0
    data = path.read_bytes()
    assert data.startswith(bom + b"#")
    lines = data.split(b"\n")[:-1]
    assert all(line.endswith(b"\r") == (eol == b"\r\n") for line in lines)
    assert b"  stage: client" + eol in data and b"- id: new-one" + eol in data
    assert cli("validate").exit_code == 0
    r = cli("client", "show", "acme", "--format", "json")
    assert '"notes": "two\\nlines"' in r.stdout


def test_version():
    from freelance import __version__
    r = run_cli("--version", today=None)
    assert (r.exit_code, r.stdout) == (0, f"freelance {__version__}\n")


def test_any_name_round_trips_and_no_output_format_carries_control_characters(tmp_path_factory):
    import json
    import re
    import shutil

    from hypothesis import HealthCheck, given, settings, strategies as st

    from conftest import DEMO
    book = tmp_path_factory.mktemp("hyp") / "book"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns(".freelance"))
    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    counter = iter(range(10**6))

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80)
           .filter(lambda s: s.strip() and not s.startswith("-")))
    def check(name):
        rid = f"hyp-{next(counter)}"
        r = run_cli("client", "add", name, "--stage", "lead", "--id", rid, books=book)
        assert r.exit_code == 0, r.output
        shown = run_cli("client", "show", rid, "--format", "json", books=book)
        assert json.loads(shown.stdout)["name"] == name
        for fmt in ("table", "markdown", "csv"):
            out = run_cli("client", "list", "--stage", "lead", "--format", fmt, books=book)
            assert out.exit_code == 0, out.output
            assert not control.search(out.stdout.replace("\r\n", "\n")), (fmt, name)
        assert run_cli("validate", books=book).exit_code == 0
    check()


@pytest.mark.parametrize("args, message", [
    (("report", "summary", "--from", "2026-12-01", "--to", "2026-01-01"), "--to 2026-01-01 is before --from 2026-12-01"),
    (("client", "list", "--from", "2026-12-01", "--to", "2026-01-01"), "--to 2026-01-01 is before --from 2026-12-01"),
    (("workflow", "--from", "2026-12-01", "--to", "2026-11-01"), "--to 2026-11-01 is before --from 2026-12-01"),
    (("report", "finance", "--period", "2026-Q4", "--to", "2026-09-01"),
     "the window ends (2026-09-01) before it starts (2026-10-01): check --period, --from and --to"),
])
def test_a_window_that_ends_before_it_starts_is_refused(cli, args, message):
    r = cli(*args)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"freelance: error: {message}\n")
