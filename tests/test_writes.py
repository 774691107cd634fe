"""Writes keep the user's file: comments, key order, quoting, blank lines; only the lines
they must change; atomically, under a lock, never over a hand edit."""
import datetime as dt
import difflib
import json
import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import DEMO, ROOT, run_cli, run_proc
from freelance.store import yamlio
from freelance.core.schema import KINDS
from freelance.store import emitter
from freelance.store.splice import rewrite

TODAY = dt.date(2026, 11, 25)

HAND_WRITTEN = """\
# My clients. Kept by hand and by freelance.
# Second header line.

- id: acme
  name: 'Acme Corp'   # single-quoted on purpose
  stage: client
  email: "ann@acme.test"
  contract_value: 24000.50
  company: Acme
  x_referral: "met at a fair"   # an unknown key, kept

# --- leads below ---
- id: hooli
  stage: lead   # keep an eye on them
  name: Hooli
  # a comment inside a record
  contract_value: 30000

- id: wayne
  name: "Wayne Foods"
  stage: lead
# trailing comment at the end of the file
"""


@pytest.fixture
def hand(empty_book):
    path = empty_book / "clients.yaml"
    path.write_text(HAND_WRITTEN)
    return empty_book


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_a_move_touches_one_line_and_keeps_everything_else(hand):
    r = run_cli("client", "move", "hooli", "negotiation", books=hand)
    assert r.exit_code == 0, r.output
    after = (hand / "clients.yaml").read_text()
    # the comment stays on its line, at its column when the new value leaves room
    assert changed_lines(HAND_WRITTEN, after) == ["-  stage: lead   # keep an eye on them",
                                                   "+  stage: negotiation # keep an eye on them"]


def test_an_edit_keeps_quoting_comments_and_key_order_of_the_record(hand):
    r = run_cli("client", "edit", "acme", "--name", "Acme Corporation", "--email", "ann@acme.example",
                "--contract-value", "25000", books=hand)
    assert r.exit_code == 0, r.output
    after = (hand / "clients.yaml").read_text()
    assert changed_lines(HAND_WRITTEN, after) == [
        "-  name: 'Acme Corp'   # single-quoted on purpose",
        "+  name: 'Acme Corporation' # single-quoted on purpose",
        "-  email: \"ann@acme.test\"",
        "-  contract_value: 24000.50",
        "+  email: \"ann@acme.example\"",
        "+  contract_value: 25000",
    ]


def test_an_edit_adding_a_key_appends_it_to_the_record_only(hand):
    r = run_cli("client", "edit", "wayne", "--phone", "+1 555 0100", books=hand)
    assert r.exit_code == 0, r.output
    after = (hand / "clients.yaml").read_text()
    assert changed_lines(HAND_WRITTEN, after) == ["+  phone: +1 555 0100"]
    assert after.endswith("  stage: lead\n  phone: +1 555 0100\n# trailing comment at the end of the file\n")


def test_a_key_cleared_and_set_again_comes_back_to_its_place(hand):
    """A new key goes where a new record would have it (schema order after the keys before
    it), so clearing a field and setting it again leaves the file as it was."""
    r = run_cli("client", "edit", "acme", "--unset", "email", books=hand)
    assert r.exit_code == 0, r.output
    assert changed_lines(HAND_WRITTEN, (hand / "clients.yaml").read_text()) == ['-  email: "ann@acme.test"']
    r = run_cli("client", "edit", "acme", "--email", "ann@acme.test", books=hand)
    assert r.exit_code == 0, r.output
    assert changed_lines(HAND_WRITTEN, (hand / "clients.yaml").read_text()) == [
        '-  email: "ann@acme.test"', "+  email: ann@acme.test"]
    r = run_cli("client", "edit", "hooli", "--email", "hi@hooli.test", books=hand)
    assert r.exit_code == 0, r.output
    assert "  name: Hooli\n  # a comment inside a record\n  email: hi@hooli.test\n  contract_value: 30000\n" \
        in (hand / "clients.yaml").read_text()


def test_an_edit_of_a_record_with_an_inner_comment(hand):
    r = run_cli("client", "edit", "hooli", "--contract-value", "31000", "--unset", "stage", books=hand)
    assert r.exit_code == 0, r.output
    after = (hand / "clients.yaml").read_text()
    assert changed_lines(HAND_WRITTEN, after) == ["-  stage: lead   # keep an eye on them",
                                                   "-  contract_value: 30000", "+  contract_value: 31000"]
    assert "  # a comment inside a record\n" in after


def test_list_edits_change_one_entry_and_keep_comments_inside_the_list(demo):
    """A to-do ticked off or added, an attendee added or taken off: the list's other
    entries, and the comments between and beside them, stay as the user wrote them."""
    res, meet = demo / "resources.yaml", demo / "meetings" / "2026.yaml"
    res.write_text(res.read_text().replace(
        "  - text: File VAT return\n", "  # the big one\n  - text: File VAT return  # due in January\n", 1))
    meet.write_text(meet.read_text().replace("  attendees:\n  - acme\n", "  attendees:\n  - acme  # Wile E.\n", 1))
    before = {p: p.read_text() for p in (res, meet)}
    r = run_cli("resource", "done", "quarterly-tax-checklist", "2", books=demo)
    assert r.exit_code == 0, r.output
    assert changed_lines(before[res], res.read_text()) == ["-    done: false", "+    done: true"]
    assert "  # the big one\n  - text: File VAT return  # due in January\n    done: true\n" in res.read_text()
    r = run_cli("resource", "todo", "quarterly-tax-checklist", "Send receipts", books=demo)
    assert r.exit_code == 0, r.output
    assert res.read_text() == before[res].replace(
        "  - text: File VAT return  # due in January\n    done: false\n  - text: Pay estimated tax\n    done: false\n",
        "  - text: File VAT return  # due in January\n    done: true\n  - text: Pay estimated tax\n    done: false\n"
        "  - text: Send receipts\n    done: false\n", 1)
    r = run_cli("meeting", "edit", "m-20260902-a268aa", "--with", "acme", "--with", "globex", books=demo)
    assert r.exit_code == 0, r.output
    assert changed_lines(before[meet], meet.read_text()) == ["+  - globex"]
    r = run_cli("meeting", "edit", "m-20260902-a268aa", "--with", "acme", books=demo)
    assert r.exit_code == 0, r.output
    assert meet.read_text() == before[meet]
    # still what they say: the reader agrees, and nothing is left to validate
    assert run_cli("validate", books=demo).exit_code == 0


def test_an_edit_keeps_a_list_indented_under_its_key_as_it_was(demo):
    """A list written `    - ` under its key (the other common style) is not re-indented by an
    edit of the record, of the list or of another key: only the changed lines change."""
    res = demo / "resources.yaml"
    text = res.read_text()
    start = text.index("  todos:\n") + len("  todos:\n")
    end = text.index("- id:", start)
    text = text[:start] + "".join("  " + line for line in text[start:end].splitlines(True)) + text[end:]
    res.write_text(text)
    for args, changed in [
        (["resource", "done", "quarterly-tax-checklist", "2"], ["-      done: false", "+      done: true"]),
        (["resource", "edit", "quarterly-tax-checklist", "--name", "Tax checklist"],
         ["-  name: Quarterly tax checklist", "+  name: Tax checklist"]),
    ]:
        before = res.read_text()
        r = run_cli(*args, books=demo)
        assert r.exit_code == 0, r.output
        assert changed_lines(before, res.read_text()) == changed, args
    before = res.read_text()
    assert run_cli("resource", "todo", "quarterly-tax-checklist", "Send receipts", books=demo).exit_code == 0
    assert "    - text: Pay estimated tax\n      done: false\n    - text: Send receipts\n      done: false\n" \
        in res.read_text()
    assert run_cli("validate", books=demo).exit_code == 0


def test_add_appends_after_the_trailing_comment_and_keeps_it(hand):
    r = run_cli("client", "add", "New One", books=hand)
    assert r.exit_code == 0, r.output
    after = (hand / "clients.yaml").read_text()
    assert after == HAND_WRITTEN + "- id: new-one\n  name: New One\n  stage: lead\n  created: 2026-11-25\n"


def test_rm_removes_the_record_and_keeps_the_comments_around_it(hand):
    r = run_cli("client", "rm", "hooli", books=hand)
    assert r.exit_code == 0, r.output
    after = (hand / "clients.yaml").read_text()
    assert changed_lines(HAND_WRITTEN, after) == [
        "-- id: hooli", "-  stage: lead   # keep an eye on them", "-  name: Hooli",
        "-  # a comment inside a record", "-  contract_value: 30000"]
    assert "# --- leads below ---\n" in after


def test_a_hand_written_file_validates_with_an_unknown_key_warning(hand):
    r = run_cli("validate", books=hand)
    assert r.exit_code == 0
    assert r.stdout == "clients.yaml:10: warning: client 'acme': unknown key 'x_referral'\n"


def _has_records(path) -> bool:
    return any(not x.startswith("#") for x in path.read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("rel", sorted(str(p.relative_to(DEMO)) for p in DEMO.rglob("*.yaml") if _has_records(p)))
def test_every_demo_file_round_trips_byte_for_byte(rel):
    from freelance.store.style import dump, rt_yaml
    text = (DEMO / rel).read_text(encoding="utf-8")
    assert dump(rt_yaml().load(text)) == text


def big_file(n: int) -> str:
    parts = ["# a big client list\n"]
    for i in range(n):
        parts.append(f"- id: c{i:04d}\n  name: 'Client {i}'\n  stage: {('lead', 'client')[i % 2]}\n"
                     f"  contract_value: {i}.50   # value {i}\n")
        if i % 100 == 0:
            parts.append(f"\n# --- block {i // 100} ---\n")
    return "".join(parts)


def test_editing_one_record_of_2000_rewrites_only_its_lines(empty_book):
    path = empty_book / "clients.yaml"
    text = big_file(2000)
    path.write_text(text)
    r = run_cli("client", "edit", "c1234", "--stage", "negotiation", "--contract-value", "99", books=empty_book)
    assert r.exit_code == 0, r.output
    after = path.read_text()
    assert changed_lines(text, after) == ["-  stage: lead", "-  contract_value: 1234.50   # value 1234",
                                          "+  stage: negotiation", "+  contract_value: 99        # value 1234"]
    r = run_cli("client", "move", "c0000", "client", books=empty_book)
    assert r.exit_code == 0
    assert changed_lines(after, path.read_text()) == ["-  stage: lead", "+  stage: client"]


def test_plan_update_round_trips_only_the_record(empty_book, monkeypatch):
    """The edit's cost does not grow with the file: ruamel.yaml sees one record's text."""
    from freelance.changes import door as ops
    from freelance.store import splice
    from freelance.store.book import Book
    (empty_book / "clients.yaml").write_text(big_file(2000))
    seen = []
    real = splice.rt_yaml()

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def load(self, text):
            seen.append(text)
            return real.load(text)
    monkeypatch.setattr(splice, "rt_yaml", lambda: Spy())
    book = Book(empty_book, TODAY)
    ops.edit(book, book.get("client", "c1500"), {"stage": "client"})
    assert seen == ["- id: c1500\n  name: 'Client 1500'\n  stage: lead\n  contract_value: 1500.50   # value 1500\n"]


# -- atomic, locked, careful -----------------------------------------------------

def test_a_file_edited_by_hand_since_it_was_read_is_not_overwritten(empty_book):
    from freelance.changes import door as ops
    from freelance.store.book import Book
    from freelance.core.errors import DataError
    from freelance.core.schema import KINDS
    path = empty_book / "clients.yaml"
    assert run_cli("client", "add", "Acme", books=empty_book).exit_code == 0
    book = Book(empty_book, TODAY)
    rec = book.get("client", "acme")                      # read
    hand = path.read_text().replace("stage: lead", "stage: client  # by hand")
    path.write_text(hand)                                  # someone edits meanwhile
    with pytest.raises(DataError, match=r"clients.yaml: changed on disk since it was read"):
        ops.edit(book, rec, {"notes": "x"})
    with pytest.raises(DataError, match=r"changed on disk"):
        ops.add(book, KINDS["client"], {"name": "Other"})
    assert path.read_text() == hand
    assert not [p for p in empty_book.iterdir() if p.name.endswith(".tmp")]


def test_writes_keep_the_file_mode(empty_book):
    path = empty_book / "clients.yaml"
    path.chmod(0o600)
    assert run_cli("client", "add", "Private", books=empty_book).exit_code == 0
    assert run_cli("client", "move", "private", "client", books=empty_book).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o600


def test_writes_follow_a_symlinked_file(empty_book, tmp_path):
    elsewhere = empty_book / "elsewhere"       # inside the book (out of it: tests/hostile/test_book_paths.py)
    elsewhere.mkdir()
    target = elsewhere / "clients.yaml"
    os.replace(empty_book / "clients.yaml", target)
    (empty_book / "clients.yaml").symlink_to(target)
    assert run_cli("client", "add", "Linked", books=empty_book).exit_code == 0
    assert run_cli("client", "move", "linked", "client", books=empty_book).exit_code == 0
    assert (empty_book / "clients.yaml").is_symlink()
    assert "- id: linked\n  name: Linked\n  stage: client\n" in target.read_text()


def test_a_new_shard_file_is_made_for_a_new_year(empty_book):
    r = run_cli("income", "add", "100", "--date", "2031-01-02", "--classification", "other", books=empty_book)
    assert r.exit_code == 0, r.output
    assert (empty_book / "transactions" / "2031.yaml").read_text().startswith("- id: tx-20310102-")


def test_concurrent_writers_all_land(empty_book):
    """Several real processes adding clients at the same moment: every record is there."""
    names = [f"client {i}" for i in range(6)]
    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(lambda n: run_proc("--books", empty_book, "client", "add", n), names))
    for p in results:
        assert p.returncode == 0, p.stderr
    r = run_cli("client", "list", "--format", "json", books=empty_book)
    assert sorted(row["id"] for row in json.loads(r.stdout)) == sorted(n.replace(" ", "-") for n in names)
    assert run_cli("validate", books=empty_book).exit_code == 0


# A writer killed at random moments: the file is always either the old or the new one.
KILLED = r"""
import sys, datetime as dt
from pathlib import Path
from freelance.changes import door as ops
from freelance.store.book import Book
from freelance.core.schema import KINDS
root = Path(sys.argv[1])
for i in range(10**6):
    book = Book(root, dt.date(2026, 11, 25))
    with book.locked():
        book = Book(root, dt.date(2026, 11, 25))
        ops.add(book, KINDS["client"], {"name": f"k {i}", "notes": "x" * 20000})
    print(i, flush=True)
"""


def test_a_writer_killed_mid_write_leaves_a_valid_file(empty_book):
    path = empty_book / "clients.yaml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}
    env["PYTHONPATH"] = str(ROOT)
    rng = random.Random(7)
    for round_ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", KILLED, str(empty_book)], env=env,
                                stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()                 # it has written at least once
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        r = run_cli("validate", books=empty_book)
        assert r.exit_code == 0, r.output
        rows = json.loads(run_cli("client", "list", "--format", "json", books=empty_book).stdout)
        assert rows, "at least the first add landed"
        assert all(row["name"].startswith("k ") for row in rows)
        text = path.read_text()
        assert text.endswith("x" * 20000 + "\n")     # the last record is whole
    # leftover temporary files are hidden and never read as book files
    assert run_cli("client", "add", "After", books=empty_book).exit_code == 0


LAYOUTS = {
    "flow list": "[{id: a, name: A, stage: lead}, {id: b, name: B, stage: lead}]\n",
    "indented list": "  - id: a\n    name: A\n    stage: lead\n  - id: b\n    name: B\n    stage: lead\n",
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_file_not_in_one_item_per_record_layout_is_never_guessed_at(empty_book, layout):
    """rm in a flow list used to cut the whole line, both records; add appended a block item
    after the flow list, making the file unreadable."""
    path = empty_book / "clients.yaml"
    path.write_text(LAYOUTS[layout])
    for args in (["client", "rm", "b"], ["client", "move", "a", "client"], ["client", "add", "Z"],
                 ["client", "edit", "b", "--notes", "x"]):
        r = run_cli(*args, books=empty_book)
        assert r.exit_code == 1, (args, r.output)
        assert r.stderr.startswith("freelance: error: clients.yaml:1: refusing to edit this file: its records "
                                   "are not one '- ' item per record"), r.stderr
        assert path.read_text() == LAYOUTS[layout]
    assert run_cli("validate", books=empty_book).exit_code == 0


def test_flow_mapping_items_are_fine(empty_book):
    path = empty_book / "clients.yaml"
    path.write_text("- {id: a, name: A, stage: lead}\n- {id: b, name: B, stage: lead}\n")
    assert run_cli("client", "move", "b", "client", books=empty_book).exit_code == 0
    assert run_cli("client", "rm", "a", books=empty_book).exit_code == 0
    assert path.read_text() == "- {id: b, name: B, stage: client}\n"


TODO = st.fixed_dictionaries({"text": st.sampled_from(["Call Ann", "File VAT", "x: y # z", "Pay", "true"]),
                              "done": st.booleans()})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=st.lists(TODO, min_size=1, max_size=4), new=st.lists(TODO, min_size=1, max_size=4),
       comments=st.lists(st.booleans(), min_size=4, max_size=4), pad=st.sampled_from(["", "  "]))
def test_any_list_edit_reads_back_as_asked_and_keeps_the_comments_of_entries_that_stay(empty_book, old, new,
                                                                                       comments, pad):
    """... and the list keeps the indentation it was written with (`pad`: under its key or not)."""
    from freelance.changes import door as ops
    from freelance.store.book import Book
    lines = ["- id: r", "  name: R", "  type: guide", "  todos:"]
    for i, t in enumerate(old):
        if comments[i]:
            lines.append(f"{pad}  # before {i}")
        lines += [f"{pad}  - text: '{t['text']}'", f"{pad}    done: {str(t['done']).lower()}"]
    lines.append("  category: tools")
    path = empty_book / "resources.yaml"
    path.write_text("\n".join(lines) + "\n")
    book = Book(empty_book, TODAY)
    ops.edit(book, ops.find(book, "resource", "r"), {"todos": [dict(t) for t in new]})
    again = Book(empty_book, TODAY, cache=False)
    assert again.records("resource")[0].data["todos"] == new and not again.problems
    text = path.read_text()
    kept = min(len(old), len(new))
    for i in range(kept):
        assert (f"{pad}  # before {i}\n" in text) == comments[i]
    assert text.endswith("  category: tools\n")
    entries = [line for line in text.splitlines() if line.lstrip().startswith(("- text:", "done:"))]
    assert all(line.startswith(pad + ("  - " if "text:" in line else "    d")) for line in entries), text


BLOCKS = """\
- id: r0
  name: Zero
  notes: |
    hello
- id: r1
  name: One
  notes: |
    bye
    # signature, the last line of the notes
  # a comment about r1, kept with it
# a comment about r2
- id: r2
  name: Two
  notes: |+
    keep

"""


@pytest.mark.parametrize("peek", [False, True])
def test_a_block_scalar_ending_in_a_hash_line_stays_whole(empty_book, monkeypatch, peek):
    """A `notes: |` whose last line starts with `#` is text, not a comment after the record: an
    edit, a to-do or a removal keeps it with its record and gives nothing to the next one."""
    from freelance.store import book as book_module
    from freelance.store.book import Book
    path = empty_book / "resources.yaml"
    path.write_text(BLOCKS)
    if peek:
        Book(empty_book, TODAY).load_all()                        # warm entries, then peek at every file
        monkeypatch.setattr(book_module, "PEEK_BYTES", 0)

    def notes():
        for cache in ([], ["--no-cache"]):                        # the cache agrees with the file
            r = run_cli(*cache, "resource", "list", "--format", "json", books=empty_book)
            yield {x["id"]: x.get("notes") for x in json.loads(r.stdout)}

    for args in (["resource", "todo", "r1", "Pay"], ["resource", "edit", "r2", "--name", "Deux"],
                 ["resource", "edit", "r0", "--name", "Null"]):
        r = run_cli(*args, books=empty_book)
        assert r.exit_code == 0, r.output
        for got in notes():
            assert got == {"r0": "hello\n", "r1": "bye\n# signature, the last line of the notes\n",
                           "r2": "keep\n\n"}, args
    text = path.read_text()
    assert "...\n" not in text and "  # a comment about r1, kept with it\n" in text
    r = run_cli("resource", "rm", "r1", books=empty_book)
    assert r.exit_code == 0, r.output
    for got in notes():
        assert got == {"r0": "hello\n", "r2": "keep\n\n"}
    assert run_cli("validate", books=empty_book).exit_code == 0


def test_a_removal_that_would_change_the_record_before_it_is_refused(empty_book):
    """The blank line left after a removed record would join the previous record's `|+` notes:
    refused, with the file as it was, rather than a silent change to another record."""
    path = empty_book / "resources.yaml"
    path.write_text("- id: r0\n  name: Zero\n  notes: |+\n    a\n- id: r1\n  name: One\n\n# end\n")
    before = path.read_bytes()
    r = run_cli("resource", "rm", "r1", books=empty_book)
    assert r.exit_code == 1 and "would change the record before it" in r.stderr and "Traceback" not in r.output
    assert path.read_bytes() == before


def test_taking_an_entry_out_of_a_list_takes_only_its_own_comment(demo):
    """Entries line up by value, not position: the attendee taken out takes its comment with it,
    the others keep theirs, and the comment about the next key stays; entries the edit does not
    touch keep their spelling (`2026`, `~`), though ruamel.yaml would write them otherwise."""
    meet, res = demo / "meetings" / "2026.yaml", demo / "resources.yaml"
    text = meet.read_text()
    old = "  attendees:\n  - acme\n  medium: google-meet\n"
    assert old in text
    meet.write_text(text.replace(old, "  attendees:\n    - acme       # the client\n    - sam-sample # their PM\n"
                                      "    - tara-tax   # my accountant\n  # next: the medium\n"
                                      "  medium: google-meet\n", 1))
    r = run_cli("meeting", "edit", "m-20260902-a268aa", "--with", "acme", "--with", "tara-tax", books=demo)
    assert r.exit_code == 0, r.output
    assert ("  attendees:\n    - acme       # the client\n    - tara-tax   # my accountant\n"
            "  # next: the medium\n  medium: google-meet\n") in meet.read_text()
    text = res.read_text()
    old = "  todos:\n  - text: Export income and expenses\n    done: true\n"
    assert old in text
    res.write_text(text.replace(old, "  todos:\n  - text: 2026\n    done: true\n    owner: ~\n", 1))
    before = res.read_text()
    r = run_cli("resource", "done", "quarterly-tax-checklist", "2", books=demo)
    assert r.exit_code == 0, r.output
    assert changed_lines(before, res.read_text()) == ["-    done: false", "+    done: true"]


def test_a_value_a_block_scalar_cannot_hold_is_written_double_quoted(empty_book):
    """A CR (or NEL, U+2028) in new notes where the user wrote `notes: |`: the block style would
    lose it, so the value is written double-quoted instead, and reads back exactly."""
    path = empty_book / "resources.yaml"
    path.write_text("- id: r1\n  name: R\n  notes: |  # block\n    a\n    b\n  type: guide\n")
    for value in ("x\r\ny", "x\u2028y"):
        r = run_cli("resource", "edit", "r1", "--notes", value, books=empty_book)
        assert r.exit_code == 0, r.output
        shown = json.loads(run_cli("resource", "show", "r1", "--format", "json", books=empty_book).stdout)
        assert shown["notes"] == value
    assert path.read_text().endswith("  type: guide\n")


def snapshot(book):
    return {p: p.read_bytes() for p in book.rglob("*.yaml")}


WORDS = st.one_of(st.sampled_from(["Acme", "NO", "yes", "010", "12:30", "a: b", "x #y", "+1 555 0100", "Café",
                                   "", "null", "1e3", "2026-01-01", "two  spaces", "ünï x", "- item", "a\nb"]),
                  st.text(alphabet="aZ09 :#-'+.,&()/@_?!%=", max_size=12))


CONTACT = ["name", "category", "designation", "company", "phone", "email", "address", "notes", "x-extra"]


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


def test_create_missing_two_records_of_one_file_keeps_both(cli):
    r = cli("project", "add", "Test P", "--client", "acme", "--rate", "100", "--service", "new-one",
            "--service", "new-two", "--create-missing")     # (services made on the spot need a rate: issue 13)
    assert r.exit_code == 0, r.output
    text = (cli.book / "services.yaml").read_text()
    assert "- id: new-one\n" in text and "- id: new-two\n" in text
    for args in (("--no-cache",), ()):   # from the files themselves, and through the cache
        ids = [s["id"] for s in json.loads(run_cli(*args, "service", "list", "-f", "json", books=cli.book).stdout)]
        assert "new-one" in ids and "new-two" in ids


def test_append_refuses_a_file_ended_by_a_document_end_marker(cli):
    path = cli.book / "contacts.yaml"
    with open(path, "a") as fh:
        fh.write("...\n")
    before = path.read_bytes()
    r = cli("contact", "add", "Zed Z", "--category", "legal")
    assert r.exit_code == 1
    assert "contacts.yaml: its YAML document ends with '...'" in r.stderr
    assert path.read_bytes() == before


def test_changed_is_printed_only_for_what_changed(cli):
    before = snapshot(cli.book)
    r = cli("client", "edit", "acme", "--stage", "client", "--contract-value", "24000.00")
    assert r.exit_code == 0
    assert r.stdout == "client 'acme' unchanged: it has those values already\n"
    assert snapshot(cli.book) == before
    r = cli("client", "edit", "acme", "--stage", "client", "--email", "ann@acme.example")
    assert r.stdout == "changed client 'acme': email\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(CONTACT), WORDS, max_size=5),
       st.dictionaries(st.sampled_from(CONTACT), st.one_of(st.none(), WORDS), min_size=1, max_size=3))
def test_the_canonical_rewrite_is_the_round_trip(fields, changes):
    """A record written as a new one is written (the emitter's fast path) is rewritten without
    ruamel.yaml; the text is byte for byte what the ruamel.yaml round-trip makes."""
    data = {"id": "c1", **fields}
    chunk = emitter.record_text(data)
    res = yamlio.read_records(chunk.encode("utf-8"), "contacts.yaml", KINDS["contact"])
    if not res.parsed or len(res.records) != 1:
        return
    record = res.records[0]
    outcomes = []
    for fast in (True, False):
        try:
            outcomes.append(rewrite(record, chunk, changes, fast=fast)[0])
        except Exception as exc:      # both refuse alike (a value that would not read back)
            outcomes.append(type(exc))
    assert outcomes[0] == outcomes[1]


def test_the_canonical_rewrite_keeps_types_and_places(tmp_path):
    data = {"id": "tx-1", "date": __import__("datetime").date(2026, 1, 2), "kind": "income",
            "amount": __import__("decimal").Decimal("12.50"), "account": "bank", "received": False,
            "description": "Fee"}
    chunk = emitter.record_text(data)
    record = yamlio.read_records(chunk.encode("utf-8"), "transactions/2026.yaml", KINDS["transaction"]).records[0]
    for changes in ({"received": True}, {"amount": __import__("decimal").Decimal("99.99"), "description": None},
                    {"currency": "EUR", "client": "acme"}, {"x-extra": "kept"}):
        assert rewrite(record, chunk, changes)[0] == rewrite(record, chunk, changes, fast=False)[0], changes
