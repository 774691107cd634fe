"""Issue 14, section 7: what user text can do to the output. Markdown shows link and image
syntax as text (a mailed digest must not load a remote image); bidirectional and C1 control
characters never reach a terminal, a CSV cell or a journal (JSON keeps them, escaped)."""
import json
import re

import pytest
from hypothesis import given, settings, strategies as st
from markdown_it import MarkdownIt

from freelance.read.reports import REPORTS
from conftest import run_cli

LINKY = "![x](http://evil.test/p.png) [click](http://evil.test/) <http://evil.test/a> [ref]: http://evil.test/r"
HIDDEN = "Acme \u202egnp.exe\u202c \u2066x\u2069 \u200fy\u200e \u061cz \u0085w\u009b31m"
BAD_CHARS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\x80-\x9f]")


def hostile_book(cli, name):
    """A client named `name`, with an overdue invoice, a meeting, a project and income of it."""
    for args in (("client", "add", name, "--id", "evil", "--stage", "client", "--company", name),
                 ("invoice", "add", "--client", "evil", "--item", f"{name}:1:100", "--issued", "2026-09-01",
                  "--status", "sent", "--notes", name),
                 ("meeting", "add", name, "--at", "2026-11-26 10:00", "--with", "evil"),
                 ("project", "add", name, "--client", "evil", "--due", "2026-11-30", "--status", "in-progress"),
                 ("income", "add", "50", "--client", "evil", "--received", "--description", name)):
        r = cli(*args)
        assert r.exit_code == 0, (args, r.output)


def outputs(cli, fmt):
    yield "client list", cli("client", "list", "-f", fmt).stdout
    yield "client show", cli("client", "show", "evil", "-f", fmt).stdout
    yield "client board", cli("client", "board", "-f", fmt).stdout
    yield "project list", cli("project", "list", "-f", fmt).stdout
    yield "income list", cli("income", "list", "-f", fmt).stdout
    for name in REPORTS:
        yield f"report {name}", cli("report", name, "--format", fmt).stdout


def test_markdown_output_shows_link_and_image_syntax_as_text(cli):
    hostile_book(cli, LINKY)
    md = MarkdownIt()
    seen = 0
    for what, text in outputs(cli, "markdown"):
        html = md.render(text)
        assert "<img" not in html and "<a " not in html, (what, text)
        seen += "![x](http://evil.test/p.png)" in html     # shown, as the text it is
    assert seen >= 8


def test_bidi_and_c1_controls_never_reach_text_outputs_and_csv(cli):
    hostile_book(cli, HIDDEN)
    texts = [(f"{what} ({fmt})", text) for fmt in ("table", "csv", "markdown") for what, text in outputs(cli, fmt)]
    texts += [(" ".join(args), cli(*args).stdout) for args in (
        ("invoice", "show", "INV-2026-023"), ("report", "digest", "--format", "html"),
        ("export", "csv", "invoice"), ("export", "csv", "client"), ("export", "csv", "transaction"),
        ("export", "hledger"), ("export", "beancount"), ("calendar", "export", "--ics", "-"),
        ("calendar", "--week", "2026-11-26"), ("contact", "list"))]
    shown = 0
    for what, text in texts:
        assert not BAD_CHARS.search(text), (what, [hex(ord(c)) for c in BAD_CHARS.findall(text)])
        shown += "gnp.exe" in text
    assert shown >= 15


@pytest.mark.parametrize("args", [("client", "show", "evil", "-f", "json"), ("client", "list", "-f", "json"),
                                  ("export", "json")])
def test_json_keeps_the_text_with_the_controls_escaped(cli, args):
    hostile_book(cli, HIDDEN)
    r = cli(*args)
    assert not BAD_CHARS.search(r.stdout)
    assert "\\u202e" in r.stdout
    assert HIDDEN in json.dumps(json.loads(r.stdout), ensure_ascii=False)   # the same string, read back


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


def test_an_id_made_from_a_name_leaves_escape_sequences_out(cli):
    r = cli("client", "add", "\x1b[31mRed\x1b[0m Rocket", "--stage", "lead")
    assert (r.exit_code, r.stdout) == (0, "added client 'red-rocket'\n"), r.output


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


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=40)
       | st.lists(st.sampled_from(["a", "\x1b[31m", "\x1b]8;;x\x07", "\t", "\n", "\x85", "\u202e", "\u061c",
                                   "\u2066", "é", "\x00", "\x7f", " "]), max_size=12).map("".join))
def test_clean_takes_out_exactly_what_its_pattern_names(s):
    """`clean` returns printable text untouched without running its pattern (the CSV export
    cleans three million cells): the answer must be the pattern's, for any text."""
    from freelance.core.text import _CONTROL, clean
    assert clean(s) == _CONTROL.sub("", s)
