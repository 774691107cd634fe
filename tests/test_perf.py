"""The speed work of docs/performance.md changes no result (timing is the benchmark's job):
typer checks what is not text; a write on a big book reads
only the shard it needs; an append's cache entry is what a fresh parse of the file gives."""
import datetime as dt
import re

from conftest import TODAY, run_cli, run_proc

from freelance.changes import records as ops
from freelance.store.book import Book
from freelance.core.schema import TRANSACTION

DAY = dt.date.fromisoformat(TODAY)


def imported(*args):
    p = run_proc(*args, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert p.returncode == 0, p.stderr[-2000:]
    return {m.group(1).strip() for m in re.finditer(r"^import time:\s+\d+ \|\s+\d+ \|(.*)$", p.stderr, re.M)}


def test_options_that_are_not_text_still_go_through_typer(tmp_path):
    p = run_proc("--today", TODAY, "demo", tmp_path / "b", "--transactions", "lots")
    assert p.returncode == 2
    assert "Invalid value for '--transactions'" in p.stderr and "valid integer" in p.stderr
    assert "Traceback" not in p.stderr


def test_repeated_text_options_arrive_as_lists(cli):
    r = cli("meeting", "add", "Kick-off", "--at", "2026-12-01 10:00", "--with", "acme", "--with", "globex")
    assert r.exit_code == 0, r.output
    text = (cli.book / "meetings" / "2026.yaml").read_text()
    assert "  attendees:\n  - acme\n  - globex\n" in text


def _snapshot(book: Book, kind: str):
    return [(r.file, r.line, r.lines, r.data) for r in book.records(kind)], sorted(map(str, book.problems))


def test_an_append_caches_exactly_what_a_fresh_parse_gives(cli):
    Book(cli.book, DAY).load_all()                       # warm every entry
    for args in (["income", "add", "120", "--client", "acme", "--received", "--description", "One: two # three"],
                 ["expense", "add", "49.90", "--category", "software", "--date", "2026-11-20"],
                 ["expense", "add", "12", "--category", "software", "--date", "2025-03-02"],   # a new shard
                 ["income", "add", "7", "--classification", "interest", "--date", "2026-01-02",
                  "--description", "'quoted' and \"double\""]):
        r = cli(*args)
        assert r.exit_code == 0, r.output
    cached = Book(cli.book, DAY)
    assert _snapshot(cached, "transaction") == _snapshot(Book(cli.book, DAY, cache=False), "transaction")
    assert cached.parsed == ["transactions/2025.yaml"]   # made by the write, not appended to: parsed once


def test_a_generated_id_is_minted_against_its_own_shard_only(demo):
    book = Book(demo, DAY)
    data, writes, _ = ops.plan_add(book, TRANSACTION, {"kind": "expense", "amount": ops.parse_value(
        book, TRANSACTION.field("amount"), "5"), "category": "software", "date": DAY})
    assert re.fullmatch(r"tx-20261125-[0-9a-f]{6}", data["id"])
    assert "transaction" not in book._records              # not every year's transactions
    assert [w.rel for w in writes] == ["transactions/2026.yaml"]


def test_edit_finds_a_generated_id_in_its_shard_and_falls_back_to_a_full_search(cli):
    book = Book(cli.book, DAY)
    tx = book.records("transaction")[0]
    fresh = Book(cli.book, DAY)
    assert ops.find(fresh, "transaction", tx.id, tx.data["kind"]).id == tx.id
    assert "transaction" not in fresh._records
    # an id whose date names another year (its record kept in 2026.yaml): found all the same
    path = cli.book / "transactions" / "2026.yaml"
    path.write_text(path.read_text() + "- id: tx-20240101-abcdef\n  date: 2026-03-01\n  kind: expense\n"
                                       "  amount: 3\n  category: software\n")
    r = cli("expense", "edit", "tx-20240101-abcdef", "--description", "Moved")
    assert r.exit_code == 0, r.output
    assert "  category: software\n  description: Moved\n" in path.read_text()
    r = cli("income", "edit", "tx-20261125-000000", "--description", "x")
    assert r.exit_code == 2 and "no income 'tx-20261125-000000'" in r.output


def test_the_demo_book_still_validates_with_and_without_cache(demo):
    for extra in ([], ["--no-cache"], []):
        r = run_cli(*extra, "validate", books=demo)
        assert r.exit_code == 0, r.output
        assert "ok: no problems" in r.output

