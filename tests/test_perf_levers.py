"""The levers of docs/performance.md change no answer: validate's whole-result cache, parsing
a cold book on every core, and the per-file summaries writes read instead of records.
Each test compares with the plain path (--no-cache, or one file after another)."""
import datetime as dt
import multiprocessing
import os
import pickle
import re
import shutil
import time

import pytest
from conftest import TODAY, run_cli, run_proc

from freelance.store import parallel
from freelance.store.cache import ParseCache
from freelance.store.book import Book
from freelance.read.graph import Graph
from freelance.core.schema import KINDS
from freelance.read.validate import validate

DAY = dt.date.fromisoformat(TODAY)
PLANTED = """- id: broken-one
  name: Broken One
  stage: lead
  stage: client
  contract_value: -5
  emial: x@y.test
- id: acme
  name: Duplicate Acme
"""
SHARD = """- id: tx-20190302-aaaaaa
  date: 2019-03-02
  kind: expense
  amount: -4
  category: softwear
"""


@pytest.fixture
def messy(demo):
    with open(demo / "clients.yaml", "a", encoding="utf-8") as fh:
        fh.write(PLANTED)
    return demo


def answers(book, *extra, today=TODAY):
    """validate's JSON with the caches, then without: (cached, plain)."""
    got = run_cli(*extra, "validate", "--format", "json", books=book, today=today)
    plain = run_cli(*extra, "--no-cache", "validate", "--format", "json", books=book, today=today)
    assert got.exit_code == plain.exit_code
    return got.stdout, plain.stdout


def from_result_cache(root, today=DAY) -> bool:
    """validate answered without loading a single record."""
    book = Book(root, today)
    validate(book)
    return book._records == {} and book.files == {}


# -- 1. validate's whole-result cache ------------------------------------------------------

def test_validate_answers_from_its_cache_only_when_nothing_changed(messy):
    first, plain = answers(messy)
    assert first == plain and '"duplicate key' in first
    assert ParseCache(messy)._result("validate").is_file()
    assert from_result_cache(messy)
    again, _ = answers(messy)
    assert again == plain

    # an edit by the tool: a paid invoice back to sent is a warning (its income covers it)
    assert run_cli("invoice", "move", "INV-2026-001", "sent", books=messy).exit_code == 0
    assert not from_result_cache(messy)          # (stored again by that run)
    after_move, plain = answers(messy)
    assert after_move == plain != first and "received income" in after_move


def test_a_hand_edit_of_the_same_size_in_the_same_second_is_seen(messy):
    path = messy / "clients.yaml"
    second = -(-time.time_ns() // 10**9) * 10**9        # a whole-second mtime: in doubt for 2 s
    os.utime(path, ns=(second, second))
    answers(messy)
    st = os.stat(path)
    text = path.read_text()
    assert "stage: client\n" in text
    with open(path, "r+", encoding="utf-8") as fh:        # same inode, same size, same mtime
        fh.write(text.replace("stage: client\n", "stage: clienX\n", 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (os.stat(path).st_size, os.stat(path).st_ino) == (st.st_size, st.st_ino)
    got, plain = answers(messy)
    assert got == plain and "'clienX' is not one of" in got


def test_a_file_added_or_removed_or_another_today_is_seen(messy):
    before, _ = answers(messy)
    (messy / "transactions" / "2019.yaml").write_text(SHARD)
    added, plain = answers(messy)
    assert added == plain != before and "softwear" in added
    (messy / "transactions" / "2019.yaml").unlink()
    removed, plain = answers(messy)
    assert removed == plain == before
    early, plain = answers(messy, today="2026-01-05")
    assert early == plain != before and "in the future" in early
    assert from_result_cache(messy, dt.date(2026, 1, 5)) and not from_result_cache(messy)


def test_a_corrupt_or_foreign_result_is_ignored_and_no_cache_bypasses_it(messy):
    answers(messy)
    entry = ParseCache(messy)._result("validate")
    good = entry.read_bytes()
    for junk in (b"", b"garbage", good[: len(good) // 2], pickle.dumps(("x",) * 5)):
        entry.write_bytes(junk)
        got, plain = answers(messy)
        assert got == plain and '"duplicate key' in got
    # a stored answer that lies is still answered when nothing changed (it is trusted) ...
    entry.write_bytes(good)
    book = Book(messy, DAY)
    assert validate(book) == validate(Book(messy, DAY, cache=False))
    # ... and --no-cache never reads it
    ParseCache(messy)._write(entry, ParseCache(messy)._read(entry)[0], [])
    assert run_cli("validate", books=messy).exit_code == 0          # the lie, from the cache
    r = run_cli("--no-cache", "validate", books=messy)
    assert r.exit_code == 1 and "duplicate key" in r.output


def test_validate_in_a_subprocess_twice(messy):
    runs = [run_proc("--books", messy, "--today", TODAY, "validate") for _ in range(2)]
    plain = run_proc("--books", messy, "--today", TODAY, "--no-cache", "validate")
    assert runs[0].stdout == runs[1].stdout == plain.stdout != ""
    assert runs[0].returncode == runs[1].returncode == plain.returncode == 1


# -- 2. parsing a cold book on every core -------------------------------------------------

def snapshot(book: Book):
    book.load_all()
    return ({k: [(r.kind, r.data, r.file, r.line, r.lines) for r in book.records(k)] for k in book._records},
            list(book.problems), sorted(book.parsed))


@pytest.fixture
def big(tmp_path_factory):
    """A generated book with problems planted in several files."""
    root = tmp_path_factory.mktemp("gen") / "book"
    p = run_proc("--today", TODAY, "demo", root, "--transactions", "1500")
    assert p.returncode == 0, p.stderr
    with open(root / "clients.yaml", "a", encoding="utf-8") as fh:
        fh.write(PLANTED)
    (root / "transactions" / "2019.yaml").write_text(
        (root / "transactions" / "2019.yaml").read_text() + SHARD + "- id: x\n  date: [unclosed\n")
    return root


@pytest.fixture
def pooled(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)      # a worker even on one core


@pytest.mark.parametrize("which", ["demo", "big"])
def test_the_pool_reads_what_one_file_after_another_reads(which, request, tmp_path, monkeypatch):
    src = request.getfixturevalue(which)
    root = tmp_path / "copy"
    shutil.copytree(src, root, ignore=shutil.ignore_patterns(".freelance"))
    monkeypatch.setattr(parallel, "MIN_BYTES", 10 ** 15)
    one_by_one = snapshot(Book(root, DAY, cache=False))
    request.getfixturevalue("pooled")
    assert snapshot(Book(root, DAY, cache=False)) == one_by_one
    assert not (root / ".freelance").exists()
    cold = Book(root, DAY)                                           # the workers write the cache
    assert snapshot(cold) == one_by_one and cold.parsed
    warm = Book(root, DAY)
    assert snapshot(warm)[:2] == one_by_one[:2] and warm.parsed == []
    assert multiprocessing.active_children() == []


def test_the_pool_is_really_used(demo, pooled):
    book = Book(demo, DAY, cache=False)
    todo = {rel: k for k in ("client", "invoice", "project") for rel in [f"{k}s.yaml"]}
    got = parallel.parse_many(book.root, todo, False)
    assert sorted(got) == sorted(todo)
    assert [(r.data, r.line, r.lines) for r in got["clients.yaml"][0]] == \
        [(r.data, r.line, r.lines) for r in book.read_file("clients.yaml", book_kind("client")).records]


def book_kind(name):
    from freelance.core.schema import KINDS
    return KINDS[name]


def test_a_worker_that_dies_or_fails_falls_back_to_one_by_one(big, pooled, monkeypatch):
    one_by_one = snapshot(Book(big, DAY, cache=False))
    parent = os.getpid()
    real = parallel._parse

    def dying(root, rel, kind, cache):
        if os.getpid() != parent and rel.startswith("transactions/"):
            os._exit(3)                      # the worker process dies
        return real(root, rel, kind, cache)

    def failing(root, rel, kind, cache):
        if rel == "invoices.yaml":
            raise MemoryError
        return real(root, rel, kind, cache)

    fds = set(os.listdir("/proc/self/fd"))
    for broken in (dying, failing):
        monkeypatch.setattr(parallel, "_parse", broken)
        assert snapshot(Book(big, DAY, cache=False)) == one_by_one
        assert multiprocessing.active_children() == []
    assert set(os.listdir("/proc/self/fd")) == fds             # no pipe or file left open


def test_validate_through_the_pool_is_validate(big, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_BYTES", 10 ** 15)
    plain = run_cli("--no-cache", "validate", "--format", "json", books=big)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    for extra in (["--no-cache"], [], []):             # no cache; workers write it; from the cache
        got = run_cli(*extra, "validate", "--format", "json", books=big)
        assert got.stdout == plain.stdout and got.exit_code == plain.exit_code == 1
    assert "softwear" in plain.stdout and "duplicate key" in plain.stdout


# -- 3. writes read summaries, and keep every entry current -----------------------------

def fresh_summaries(root):
    from freelance.store.cache import summarize
    from freelance.core.schema import KINDS
    book = Book(root, DAY, cache=False)
    return {rel: summarize(k.name, book.read_file(rel, k).records) for k in KINDS.values() for rel in book.files_of(k)}


def cached_summaries(root):
    from freelance.store.cache import ParseCache
    from freelance.core.schema import KINDS
    book, pc = Book(root, DAY, cache=False), ParseCache(root)
    return {rel: pc.summary(rel, root / rel) for k in KINDS.values() for rel in book.files_of(k)}


def test_settling_reads_summaries_not_records(cli):
    from freelance.changes import door as ops
    from freelance.read.graph import Graph
    Book(cli.book, DAY).load_all()                              # warm every entry
    book = Book(cli.book, DAY)
    g = Graph(Book(cli.book, DAY, cache=False))
    for inv in g.records("invoice"):
        assert book.received_for_invoice(inv.id) == g.derived(inv)["received"]
        assert book.invoice_status(inv.id) == inv.data["status"]
    assert book.invoice_status("INV-1999-001", "none") == "none"
    assert book._records == {} and book.parsed == []           # from the headers alone
    # an edit of income whose invoice is paid: neither the invoices nor the other shards load
    book = Book(cli.book, DAY)
    tx = next(t for t in Book(cli.book, DAY).records("transaction")
              if t.data.get("invoice") and t.data.get("received") is True)
    assert book.invoice_status(tx.data["invoice"]) == "paid"
    assert ops.edit(book, ops.find(book, "transaction", tx.id, "income"), {"description": "Paid, edited"}) == []
    assert book._records == {} and set(book.files) <= {tx.file}


def test_auto_paid_is_the_same_with_summaries_and_without(demo, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(demo, plain)
    Book(demo, DAY).load_all()
    steps = [("income", "add", "1464", "--client", "globex", "--received", "--date", "2026-11-20"),
             ("income", "add", "1000", "--client", "globex", "--received", "--invoice", "INV-2026-013"),
             ("income", "add", "350", "--client", "acme", "--invoice", "INV-2026-017", "--date", "2025-06-01")]
    outs = []
    for root, extra in ((demo, []), (plain, ["--no-cache"])):
        out = [run_cli(*extra, *s, books=root).output for s in steps]
        first = next(t.id for t in Book(root, DAY, cache=False).records("transaction")
                     if t.data.get("amount") == 1464 and t.data.get("date") == dt.date(2026, 11, 20))
        out.append(run_cli(*extra, "income", "link", first, "--invoice", "INV-2026-013", books=root).output)
        out.append(run_cli(*extra, "income", "link", first, "--invoice", "INV-2026-017", books=root).output)
        outs.append([re.sub(r"tx-\d{8}-[0-9a-f]{6}", "ID", o) for o in out])
    assert outs[0] == outs[1]
    assert sum("is paid" in o for o in outs[0]) == 1 and "belongs to client 'acme'" in outs[0][-1]
    for rel in ("invoices.yaml", "transactions/2026.yaml"):
        a, b = (demo / rel).read_text().splitlines(), (plain / rel).read_text().splitlines()
        assert [x for x in a if "id: tx-" not in x] == [x for x in b if "id: tx-" not in x]
    assert cached_summaries(demo) == fresh_summaries(demo)


@pytest.fixture(params=["loaded", "peeked"])
def peeking(request, monkeypatch):
    """Writes on files loaded whole, and on files only peeked at (Book.peek: one record read
    alone, the change added to the cache tail from the header's summary): the same answers."""
    from freelance.store import book as book_module
    if request.param == "peeked":
        monkeypatch.setattr(book_module, "PEEK_BYTES", 0)
    return request.param


def test_edits_and_removals_cache_exactly_what_a_fresh_parse_gives(cli, peeking):
    from test_perf import _snapshot
    Book(cli.book, DAY).load_all()
    txs = Book(cli.book, DAY).records("transaction")
    inc = next(t for t in txs if t.data.get("kind") == "income" and t.data.get("invoice"))
    exp = next(t for t in txs if t.data.get("kind") == "expense")
    for args in (["income", "edit", inc.id, "--description", "two\nlines: and # a hash"],
                 ["income", "edit", inc.id, "--received"],
                 ["expense", "edit", exp.id, "--description", ""],
                 ["invoice", "move", "INV-2026-017", "void"],    # bills no hours: one file written
                 ["client", "edit", "acme", "--notes", "one\ntwo\nthree"],
                 ["expense", "rm", exp.id],
                 ["project", "move", "acme-website", "done"]):
        r = cli(*args)
        assert r.exit_code == 0, (args, r.output)
    cached = Book(cli.book, DAY)
    for kind in ("transaction", "invoice", "client", "project"):
        assert _snapshot(cached, kind) == _snapshot(Book(cli.book, DAY, cache=False), kind)
    assert cached.parsed == []                  # every write left its file's entry current
    assert cached_summaries(cli.book) == fresh_summaries(cli.book)


def test_writes_go_to_a_tail_that_reads_as_a_fresh_parse(cli, monkeypatch, peeking):
    from test_perf import _snapshot

    from freelance.store import book as book_module
    from freelance.store.cache import ParseCache
    Book(cli.book, DAY).load_all()
    tail = ParseCache(cli.book).tail_entry("transactions/2026.yaml")
    entry = ParseCache(cli.book).entry("transactions/2026.yaml")
    written = entry.read_bytes()

    def same():
        cached = Book(cli.book, DAY)
        assert _snapshot(cached, "transaction") == _snapshot(Book(cli.book, DAY, cache=False), "transaction")
        assert cached.parsed == []
        assert cached_summaries(cli.book) == fresh_summaries(cli.book)

    for args in (["income", "add", "120", "--client", "acme", "--received", "--description", "One"],
                 ["income", "add", "600", "--client", "acme", "--received", "--invoice", "INV-2026-017"],
                 ["expense", "add", "9.99", "--category", "software", "--description", "a: b # c"]):
        r = cli(*args)
        assert r.exit_code == 0, r.output
        assert tail.is_file() and entry.read_bytes() == written      # the entry is not written again
        same()
    assert "INV-2026-017" in fresh_summaries(cli.book)["transactions/2026.yaml"]["received"]
    # an edit (two lines more: the records after it move) and a removal go to the tail too
    tx = next(t for t in Book(cli.book, DAY).records("transaction") if t.data.get("description") == "One")
    first = Book(cli.book, DAY).records("transaction")[0]
    for args in (["income", "edit", tx.id, "--amount", "121", "--project", "acme-website"],
                 ["expense" if first.data["kind"] == "expense" else "income", "edit", first.id,
                  "--description", "line one\nline two\nline three"],
                 ["income", "rm", tx.id]):
        r = cli(*args)
        assert r.exit_code == 0, (args, r.output)
        assert entry.read_bytes() == written
        same()
    # past TAIL_MAX records, the entry is written whole again (and the old tail no longer fits it)
    monkeypatch.setattr(book_module, "TAIL_MAX", 1)
    assert cli("expense", "add", "5", "--category", "software").exit_code == 0
    assert entry.read_bytes() != written
    same()
    written = entry.read_bytes()
    assert cli("expense", "add", "6", "--category", "software").exit_code == 0
    assert entry.read_bytes() == written
    same()
    # a hand edit after a tail: parsed again
    path = cli.book / "transactions" / "2026.yaml"
    path.write_text(path.read_text() + "- id: tx-20261125-abcdef\n  date: 2026-11-25\n  kind: expense\n"
                                       "  amount: 1\n  category: software\n")
    book = Book(cli.book, DAY)
    assert len(book.records("transaction")) == len(Book(cli.book, DAY, cache=False).records("transaction"))
    assert book.parsed == ["transactions/2026.yaml"]


def test_a_write_whose_entry_went_away_writes_it_whole(cli):
    from freelance.changes import door as ops
    from freelance.store.cache import ParseCache
    from freelance.core.schema import TRANSACTION
    Book(cli.book, DAY).load_all()
    book = Book(cli.book, DAY)
    amount = ops.parse_value(book, TRANSACTION.field("amount"), "5")
    book.read_file("transactions/2026.yaml", TRANSACTION)        # from its entry
    entry = ParseCache(cli.book).entry("transactions/2026.yaml")
    entry.unlink()                                                # gone before the write: no tail to add
    ops.add(book, TRANSACTION, {"kind": "expense", "amount": amount, "category": "software", "date": DAY})
    assert entry.is_file()
    again = Book(cli.book, DAY)
    assert len(again.records("transaction")) == len(Book(cli.book, DAY, cache=False).records("transaction"))
    assert again.parsed == []


def test_a_peeked_write_reads_one_record_and_writes_the_same_bytes(demo, tmp_path, monkeypatch):
    """With every file big enough to peek at, an income link that pays an invoice reads neither
    the invoices nor its own shard whole, and leaves the same files as loading them does."""
    from freelance.store import book as book_module
    from freelance.changes import door as ops
    plain = tmp_path / "plain"
    shutil.copytree(demo, plain)
    Book(demo, DAY).load_all()                                  # warm every entry
    monkeypatch.setattr(book_module, "PEEK_BYTES", 0)
    g = Graph(Book(demo, DAY, cache=False))
    inv = next(i for i in g.records("invoice") if i.data.get("status") == "sent")
    owed = g.derived(inv)["balance"]
    for root in (demo, plain):
        book = Book(root, DAY, cache=root == demo)
        tx_id = ops.add(book, KINDS["transaction"], {"kind": "income", "amount": owed, "date": DAY,
                                                     "classification": "client", "account": "bank",
                                                     "received": True, "id": "tx-20261125-0a0b0c"},
                        rid="tx-20261125-0a0b0c")[0]["id"]
        book = Book(root, DAY, cache=root == demo)
        notes = ops.link_income(book, ops.find(book, "transaction", tx_id, "income"), {"invoice": inv.id})
        assert any("is paid" in n for n in notes), notes
        if root == demo:
            assert book._records == {} and book.files == {}     # peeked only
    for rel in Book(plain, DAY).listing():
        assert (demo / rel).read_bytes() == (plain / rel).read_bytes(), rel
    cached = Book(demo, DAY)
    from test_perf import _snapshot
    for kind in ("transaction", "invoice"):
        assert _snapshot(cached, kind) == _snapshot(Book(demo, DAY, cache=False), kind)
    assert cached.parsed == []
    assert cached_summaries(demo) == fresh_summaries(demo)


@pytest.mark.parametrize("shape", ["crlf", "empty list", "null"])
def test_peeked_writes_on_odd_files_write_what_loading_writes(demo, tmp_path, monkeypatch, shape):
    """A big file with CRLF line ends keeps them, and one that holds no record yet (`[]`, `~`)
    gets a real list: peeking declines both, so the bytes are those the plain path writes."""
    from test_perf import _snapshot

    from freelance.store import book as book_module
    rel = "transactions/2027.yaml"
    seed = "- id: tx-20270102-00aa11\n  date: 2027-01-02\n  kind: expense\n  amount: 7\n  category: software\n"
    text = {"crlf": "# 2027\r\n" + seed.replace("\n", "\r\n"),
            "empty list": "# 2027, nothing yet\n[]\n", "null": "# 2027, nothing yet\n~\n"}[shape]
    (demo / rel).write_bytes(text.encode())
    plain = tmp_path / "plain"
    shutil.copytree(demo, plain)
    Book(demo, DAY).load_all()                                  # warm every entry
    monkeypatch.setattr(book_module, "PEEK_BYTES", 0)
    steps = [("expense", "add", "5", "--category", "software", "--date", "2027-01-05", "--description", "Added")]
    if shape == "crlf":
        steps += [("expense", "edit", "tx-20270102-00aa11", "--description", "Edited"),
                  ("expense", "rm", "tx-20270102-00aa11")]
    ids = re.compile(rb"tx-20270105-[0-9a-f]{6}")
    for step in steps:                                          # each step's bytes, not only the last
        for root, extra in ((demo, []), (plain, ["--no-cache"])):
            r = run_cli(*extra, *step, books=root, today=TODAY)
            assert r.exit_code == 0, (step, r.output)
        written = ids.sub(b"ID", (demo / rel).read_bytes())
        assert written == ids.sub(b"ID", (plain / rel).read_bytes()), step
        assert b"Added" in written and (written.count(b"\n") == written.count(b"\r\n")) == (shape == "crlf")
    cached = Book(demo, DAY)
    assert _snapshot(cached, "transaction") == _snapshot(Book(demo, DAY, cache=False), "transaction")
    assert cached_summaries(demo) == fresh_summaries(demo)


def test_a_summary_changed_in_place_is_the_summary_made_afresh_around_status_max():
    """Whether an invoices summary keeps every status depends on how many records the file
    has (summarize); appends, edits and removals applied to a summary follow the same rule."""
    from freelance.store.cache import STATUS_MAX, amend, summarize
    from freelance.store.records import Record

    def inv(rid, n, status="sent"):
        return Record("invoice", {"id": rid, "status": status}, "invoices.yaml", 1 + 2 * n, None)

    def records(count, dup=False):
        out = [inv(f"INV-{n:05d}", n) for n in range(count)]
        if dup:
            out[-1] = inv(out[0].id, count - 1, "paid")
        return out

    for count, dup in ((STATUS_MAX - 2, True), (STATUS_MAX - 1, False), (STATUS_MAX, False)):
        before = records(count, dup)
        new = inv("INV-NEW", count)
        assert amend("invoice", summarize("invoice", before), ("append", [new])) == summarize("invoice", before + [new])
    for count in (STATUS_MAX - 1, STATUS_MAX, STATUS_MAX + 1):
        before = records(count)
        gone = before[5]
        after = [r if i < 5 else r.moved(-2) for i, r in enumerate(before) if i != 5]
        got = amend("invoice", summarize("invoice", before), ("edit", 5, None, -2), old=gone)
        assert got is None or got == summarize("invoice", after), count
        edited = inv(gone.id, 5, "paid")
        got = amend("invoice", summarize("invoice", before), ("edit", 5, edited, 0), old=gone)
        assert got == summarize("invoice", before[:5] + [edited] + before[6:])
