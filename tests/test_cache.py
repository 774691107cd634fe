"""The parse cache changes nothing but speed: same records, same problems, same
output; stale, truncated or corrupt entries are ignored and rebuilt."""
import datetime as dt
import json
import os
import time
from decimal import Decimal

import pytest
from conftest import TODAY, run_cli

from freelance.store import writer
from freelance.store.book import Book
from freelance.store.cache import ParseCache
from freelance.core.errors import DataError

DAY = dt.date.fromisoformat(TODAY)
BROKEN = """- id: broken-one
  name: Broken One
  stage: lead
  stage: client
  contract_value: -5
  created: not-a-date
  emial: x@y.test
- id: acme
  name: Duplicate Acme
"""


def snapshot(book: Book):
    book.load_all()
    recs = {k: [(r.kind, r.data, r.file, r.line, r.lines) for r in book.records(k)] for k in book._records}
    return recs, sorted(book.problems)


@pytest.fixture
def messy(demo):
    """The demo book with a record full of problems, so problems go through the cache too."""
    with open(demo / "clients.yaml", "a", encoding="utf-8") as fh:
        fh.write(BROKEN)
    return demo


def test_cached_load_equals_a_fresh_parse(messy):
    fresh = snapshot(Book(messy, DAY, cache=False))
    assert not ParseCache(messy).folder.exists()                   # --no-cache writes nothing
    cold = Book(messy, DAY)
    assert snapshot(cold) == fresh and cold.parsed                 # parsed and stored
    warm = Book(messy, DAY)
    assert snapshot(warm) == fresh and warm.parsed == []           # nothing parsed
    assert any("duplicate key 'stage'" in p.message for p in fresh[1])


@pytest.mark.parametrize("args", [
    ("validate", "--format", "json"),
    ("client", "list", "--format", "json"),
    ("invoice", "list", "--format", "json"),
    ("income", "list", "--format", "csv"),
    ("project", "board"),
    ("client", "show", "acme", "--format", "json"),
    ("report", "pipeline", "--format", "json"),
])
def test_commands_say_the_same_with_and_without_the_cache(messy, args):
    plain = run_cli("--no-cache", *args, books=messy)
    cold = run_cli(*args, books=messy)
    warm = run_cli(*args, books=messy)
    assert plain.exit_code == cold.exit_code == warm.exit_code
    assert plain.stdout == cold.stdout == warm.stdout
    assert plain.stdout.strip()


def test_generated_book_validates_the_same_warm(tmp_path):
    root = tmp_path / "gen"
    assert run_cli("demo", root, "--transactions", 3000).exit_code == 0
    plain = run_cli("--no-cache", "validate", "--format", "json", books=root)
    cold = run_cli("validate", "--format", "json", books=root)
    warm = run_cli("validate", "--format", "json", books=root)
    assert json.loads(plain.stdout) == json.loads(cold.stdout) == json.loads(warm.stdout)
    book = Book(root, DAY)
    book.load_all()
    assert book.parsed == []


def test_a_write_reparses_only_the_file_it_changed(demo):
    Book(demo, DAY).load_all()
    r = run_cli("client", "move", "hooli", "negotiation", books=demo)
    assert r.exit_code == 0, r.output
    r = run_cli("expense", "add", "49", "--category", "software", "--date", "2026-11-20", books=demo)
    assert r.exit_code == 0, r.output
    book = Book(demo, DAY)
    book.load_all()
    # the edit and the append wrote their file's entry themselves (what a fresh parse gives)
    assert sorted(book.parsed) == []
    assert book.get("client", "hooli")["stage"] == "negotiation"
    assert any(t["amount"] == Decimal("49") and t["category"] == "software" for t in book.records("transaction"))


def test_a_hand_edit_of_one_shard_reparses_only_that_shard(demo):
    Book(demo, DAY).load_all()
    path = demo / "timelog" / "2026.yaml"
    path.write_text(path.read_text().replace("Menu site, month total", "Menu site, month TOTAL", 1))
    book = Book(demo, DAY)
    book.load_all()
    assert book.parsed == ["timelog/2026.yaml"]
    assert any(e["note"] == "Menu site, month TOTAL" for e in book.records("time"))


def test_same_size_same_mtime_same_inode_edit_is_caught_by_the_content_hash(demo):
    """A file edited just now, then edited again in place within the same clock tick (same size,
    inode and mtime): its mtime is recent, so the content hash decides."""
    path = demo / "clients.yaml"
    second = -(-time.time_ns() // 10**9) * 10**9        # just edited, on a whole-second file system:
    os.utime(path, ns=(second, second))               # in doubt for 2 s (cache.in_doubt)
    Book(demo, DAY).load_all()
    st = os.stat(path)
    data = path.read_bytes()
    with open(path, "r+b") as fh:                     # same inode, same size
        fh.write(data.replace(b"stage: lead", b"stage: LEAD", 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(path).st_ino == st.st_ino and os.stat(path).st_size == st.st_size
    book = Book(demo, DAY)
    assert "LEAD" in [c["stage"] for c in book.records("client")]
    assert book.parsed == ["clients.yaml"]


@pytest.mark.parametrize("garbage", [b"", b"not a pickle at all", "truncate", "other-format", "wrong-shape"])
def test_corrupt_or_stale_entries_are_ignored_and_rebuilt(demo, garbage):
    fresh = snapshot(Book(demo, DAY, cache=False))
    Book(demo, DAY).load_all()
    entry = ParseCache(demo).entry("invoices.yaml")
    good = entry.read_bytes()
    if garbage == "truncate":
        entry.write_bytes(good[: len(good) // 2])
    elif garbage == "other-format":
        pc = ParseCache(demo)                           # sealed with the user's key, another reader's
        head, body = pc._read(entry)
        pc._write(entry, head._replace(fingerprint="0" * 40), body())
    elif garbage == "wrong-shape":
        ParseCache(demo)._write(entry, {"records": 1}, None)
    else:
        entry.write_bytes(garbage)
    book = Book(demo, DAY)
    assert snapshot(book) == fresh
    assert book.parsed == ["invoices.yaml"]
    assert entry.read_bytes() != garbage              # rebuilt
    again = Book(demo, DAY)
    again.load_all()
    assert again.parsed == []


def test_the_cache_folder_can_be_deleted_any_time(demo):
    import shutil
    import stat
    Book(demo, DAY).load_all()
    folder = ParseCache(demo).folder
    shutil.rmtree(folder)
    r = run_cli("validate", books=demo)
    assert r.exit_code == 0, r.output
    assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) == 0o700   # the user's own, rebuilt
    assert not (demo / ".freelance" / "cache").exists()                      # nothing in the book


def test_a_write_from_cached_records_still_refuses_a_file_changed_meanwhile(demo):
    Book(demo, DAY).load_all()
    book = Book(demo, DAY)
    rec = book.get("client", "acme")
    assert book.parsed == []                          # records came from the cache, text not read
    path = demo / "clients.yaml"
    path.write_text(path.read_text() + "# a comment added by hand\n")
    with pytest.raises(DataError, match="changed on disk"):
        writer.apply(book, [writer.plan_update(book, rec, {"stage": "lead"})])
    assert path.read_text().endswith("# a comment added by hand\n")


def test_a_write_from_cached_records_touches_only_its_line(demo):
    Book(demo, DAY).load_all()
    before = (demo / "clients.yaml").read_text().splitlines()
    r = run_cli("client", "move", "acme", "lead", books=demo)
    assert r.exit_code == 0, r.output
    after = (demo / "clients.yaml").read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and changed == [("  stage: client", "  stage: lead")]


def test_in_doubt_within_one_clock_tick_of_the_entry_or_of_now():
    from freelance.store.cache import in_doubt
    s = 10**9
    now = 1_000 * s
    written = 900 * s
    assert in_doubt(written - 50_000_000 + 1, written, now)          # 50 ms before the entry: same tick
    assert not in_doubt(written - 150_000_000 + 1, written, now)     # 150 ms before: a later edit shows
    assert in_doubt(written - s, written, now)                       # whole seconds: a 2 s tick
    assert not in_doubt(written - 3 * s, written, now)
    assert in_doubt(now - 10_000_000 + 1, now + s, now)              # edited just now
