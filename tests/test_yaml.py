"""Reading and writing agree on YAML 1.2; hostile files give located messages, never a crash,
and no command writes into them."""
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import run_cli

# -- YAML 1.2: what the tool writes reads back as the same string -----------------

TRICKY = ["NO", "yes", "on", "off", "Y", "010", "12:30", "1e3", "0o10", "0x1F", "2026-02-30", "2026-11-25",
          "null", "~", "true", "False", "- x", "a: b", "#x", "x #y", " leading", "trailing ", "  both  ",
          "Ünïcödé", "😀 emoji 🎉", "'single'", '"double"', "[1, 2]", "{a: 1}", "&anchor", "*alias",
          "!tag", "%", "@", "`", "|", ">", "---", "...", ".inf", ".nan", "1_000", "+1", ".5", "<<",
          "tab\there", "two\nlines", "nel\x85line", "ls\u2028ps\u2029", "back\\slash"]


@pytest.fixture
def book(empty_book):
    return empty_book


def show(book, rid):
    r = run_cli("client", "show", rid, "--format", "json", books=book)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.mark.parametrize("text", TRICKY)
def test_strings_survive_add_and_edit(book, text):
    r = run_cli("client", "add", "Tricky", "--company", text, "--notes", text, "--contact", text, books=book)
    assert r.exit_code == 0, r.output
    data = show(book, "tricky")
    assert (data["company"], data["notes"], data["contact"]) == (text, text, text)
    r = run_cli("client", "edit", "tricky", "--position", text, "--notes", text + "!", books=book)
    assert r.exit_code == 0, r.output
    data = show(book, "tricky")
    assert (data["position"], data["notes"], data["company"]) == (text, text + "!", text)
    assert run_cli("validate", books=book).exit_code == 0


def test_yaml_11_words_are_written_readably(book):
    """Plain where YAML 1.1 and 1.2 both read them as strings, quoted where either would not:
    other tools read the book too, and PyYAML's safe_load reads `NO` as false, `12:30` as 750."""
    import yaml
    words = ("NO", "12:30", "010", "1e3", "0o10", "2026-02-30", "null", "on", "1_000", "Acme 12:30")
    for text in words:
        assert run_cli("client", "add", "c " + text, "--notes", text, books=book).exit_code == 0
    raw = (book / "clients.yaml").read_text()
    lines = [line for line in raw.splitlines() if line.startswith("  notes:")]
    assert lines == ["  notes: 'NO'", "  notes: '12:30'", "  notes: '010'", "  notes: '1e3'", "  notes: '0o10'",
                     "  notes: '2026-02-30'", "  notes: 'null'", "  notes: 'on'", "  notes: '1_000'",
                     "  notes: Acme 12:30"]
    assert [c["notes"] for c in yaml.safe_load(raw)] == list(words)       # YAML 1.1 reads them as written


def test_hand_written_yaml_11_values_keep_their_text(book):
    (book / "clients.yaml").write_text(
        "- id: norway\n  name: NO\n  company: yes\n  phone: 010\n  notes: 12:30\n  position: on\n"
        "  website: 1e3\n  contact: 0o10\n  x_custom: 12:30\n")
    data = show(book, "norway")
    assert (data["name"], data["company"], data["phone"], data["notes"], data["position"], data["website"],
            data["contact"]) == ("NO", "yes", "010", "12:30", "on", "1e3", "0o10")
    # an unknown key resolves by YAML 1.2 core too: 12:30 is a string, not 750
    assert data["x_custom"] == "12:30"


# A property: any text (every code point but surrogates) written into a string field
# through the same ops the CLI uses reads back the same, after add and after edit.
_state = {"n": 0}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_any_text_round_trips_through_add_and_edit(empty_book, text):
    from freelance.changes import door as ops
    from freelance.store.book import Book
    from freelance.core.schema import KINDS
    today = dt.date(2026, 11, 25)
    _state["n"] += 1
    rid = f"c{_state['n']}"
    ops.add(Book(empty_book, today), KINDS["client"], {"name": "x", "notes": text}, rid=rid)
    b = Book(empty_book, today)
    assert b.get("client", rid).data["notes"] == text
    ops.edit(b, b.get("client", rid), {"company": text, "notes": text + "."})
    b = Book(empty_book, today)
    rec = b.get("client", rid)
    assert (rec.data["company"], rec.data["notes"]) == (text, text + ".")
    assert b.problems == []


# -- hostile files ----------------------------------------------------------------

HOSTILE = [
    ("anchor", b"- id: a\n  name: A\n  notes: &x hi\n- id: b\n  name: B\n  notes: *x\n",
     ["clients.yaml:3: error: client 'a': anchors (&x) are not allowed in book files",
      "clients.yaml:6: error: client 'b': aliases (*x) are not allowed in book files"]),
    ("merge key", b"- id: a\n  name: A\n  <<: {stage: lead}\n",
     ["clients.yaml:3: error: client 'a': merge keys (<<) are not allowed in book files"]),
    ("duplicate key", b"- id: a\n  name: A\n  stage: lead\n  name: B\n",
     ["clients.yaml:4: error: client 'a': duplicate key 'name' (first on line 2)"]),
    ("python tag", b"- id: a\n  name: !!python/object:os.system A\n",
     ["clients.yaml:2: error: client 'a': explicit tags (!!python/object:os.system) are not allowed in book files"]),
    ("impossible date", b"- id: a\n  name: A\n  created: 2026-02-30\n",
     ["clients.yaml:3: error: client 'a': '2026-02-30' is not a date in the calendar"]),
    ("money abc", b"- id: a\n  name: A\n  contract_value: abc\n",
     ["clients.yaml:3: error: client 'a': expected a number, got 'abc'"]),
    ("torn", b"- id: a\n  name: A\n- id: b\n  name: \"B\n",
     ["clients.yaml:5: error: YAML syntax error, column 1: found unexpected end of stream "
      "(while scanning a quoted scalar)"]),
    ("torn key", b"- id: a\n  name: A\n- id: b\n  na",
     ["clients.yaml:5: error: YAML syntax error, column 1: could not find expected ':' "
      "(while scanning a simple key)"]),
    ("invalid utf-8", b"- id: a\n  name: A\n- id: b\n  name: \xff\xfe\n",
     ["clients.yaml:4: error: not valid UTF-8 (byte 0xff at offset 34)"]),
    ("tab indent", b"- id: a\n\tname: A\n",
     ["clients.yaml:2: error: YAML syntax error, column 1: found a tab character that violates indentation "
      "(while scanning a plain scalar)"]),
    ("root not a list", b"id: a\nname: A\n",
     ["clients.yaml:1: error: expected a list of clients (items starting with '- ')"]),
    ("item not a mapping", b"- just a string\n- id: b\n  name: B\n",
     ["clients.yaml:1: error: client: expected a client record (a mapping with an id), got str"]),
    ("second document", b"- id: a\n  name: A\n---\n- id: b\n  name: B\n",
     ["clients.yaml:3: error: a book file holds one YAML document; found a second '---'"]),
]


@pytest.mark.parametrize("name, content, expected", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_gives_located_errors_and_is_never_written(book, name, content, expected):
    path = book / "clients.yaml"
    path.write_bytes(content)
    r = run_cli("validate", books=book)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == expected
    assert "Traceback" not in r.output
    j = json.loads(run_cli("validate", "--format", "json", books=book).stdout)
    assert [f"{p['file']}:{p['line']}" for p in j] == [e.split(": ")[0] for e in expected]
    for args in (["client", "add", "Fresh"], ["client", "add", "Fresh", "--id", "a"],
                 ["client", "edit", "a", "--notes", "x"], ["client", "move", "a", "client"],
                 ["client", "rm", "a", "--force"]):
        w = run_cli(*args, books=book)
        assert w.exit_code in (1, 2), (args, w.output)
        assert w.stderr.startswith("freelance: error: "), (args, w.output)
        assert "Traceback" not in w.output
        assert path.read_bytes() == content, args
    # reading commands print what could be read, and say (exit 1) that it is not everything
    r = run_cli("client", "list", "--format", "json", books=book)
    assert r.exit_code == 1
    json.loads(r.stdout)
    assert r.stderr.splitlines()[:len(expected)] == expected


def test_a_write_refusal_names_the_problem(book):
    (book / "clients.yaml").write_bytes(b"- id: a\n  name: A\n  name: B\n")
    r = run_cli("client", "add", "Fresh", books=book)
    assert r.exit_code == 1
    assert r.stderr == ("freelance: error: clients.yaml: refusing to write to a file with a problem "
                        "(clients.yaml:3: error: client 'a': duplicate key 'name' (first on line 2)); "
                        "fix it first (see `freelance validate`)\n")


def test_a_problem_in_another_file_does_not_block_writes(book):
    (book / "contacts.yaml").write_bytes(b"- id: x\n  name: X\n  name: Y\n")
    assert run_cli("client", "add", "Fine", books=book).exit_code == 0
    assert show(book, "fine")["name"] == "Fine"


@pytest.mark.parametrize("content", [b"", b"# only a comment\n", b"[]\n", b"null\n", b"\xef\xbb\xbf"])
def test_empty_files_are_fine_and_take_a_first_record(book, content):
    path = book / "clients.yaml"
    path.write_bytes(content)
    r = run_cli("validate", books=book)
    assert r.exit_code == 0 and r.stdout == ""
    assert run_cli("client", "list", "--format", "json", books=book).stdout.strip() == "[]"
    assert run_cli("client", "add", "First", books=book).exit_code == 0
    assert show(book, "first")["stage"] == "lead"
    text = path.read_text(encoding="utf-8-sig")
    assert text.endswith("- id: first\n  name: First\n  stage: lead\n  created: 2026-11-25\n")
    if content.startswith(b"#"):
        assert text.startswith("# only a comment\n")


def test_a_hostile_settings_file_is_located_and_not_written(book):
    path = book / "freelance.yaml"
    text = path.read_text() + "currency: EUR\n"
    path.write_text(text)
    r = run_cli("validate", books=book)
    assert r.exit_code == 1
    last = len(text.splitlines())
    assert r.stdout.startswith(f"freelance.yaml:{last}: error: duplicate key 'currency' (first on line 4)")
    w = run_cli("settings", "set", "currency", "GBP", books=book)
    assert w.exit_code == 1 and f"freelance.yaml:{last}: error: duplicate key" in w.stderr and "fix it first" in w.stderr
    assert path.read_text() == text
