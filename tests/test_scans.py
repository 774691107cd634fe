"""What a command reads costs what the book holds, not its square (docs/performance.md, issue 22).

Nothing here is timed (timed tests flake on a shared machine): the work is counted instead. A
big file is peeked at (`Book.peek`) to read a write's few records without loading it; each
record read that way searches the file's bytes. A command that asks for many records of such a
file (every income's invoice, for its currency) must load it once instead, so the number of
records read one by one stays bounded whatever the size of the book."""
import pytest
from conftest import TODAY, run_cli

from freelance.store import book as book_module


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated book of 400 transactions (about 100 invoices, most paid by linked income),
    its parse cache warm, as the benchmark's book is after its first command."""
    root = tmp_path_factory.mktemp("scans") / "book"
    r = run_cli("demo", root, "--transactions", 400, today=TODAY)
    assert r.exit_code == 0, r.output
    assert run_cli("validate", "--quiet", books=root).exit_code in (0, 1)
    return root


@pytest.fixture
def scans(monkeypatch):
    """Every file big enough to peek at; counts the records read alone from a peeked file's bytes."""
    monkeypatch.setattr(book_module, "PEEK_BYTES", 0)
    seen = []
    real = book_module.read_records

    def counting(data, rel, kind, *a, **kw):
        if kw.get("fast") is False:          # `Book._peek_record`: one record cut out of the file's bytes
            seen.append(rel)
        return real(data, rel, kind, *a, **kw)
    monkeypatch.setattr(book_module, "read_records", counting)
    return seen


# The six commands that became quadratic when currencies were inherited along links (issue 22):
# at 100,000 tx each read 76,000 invoices one by one from the peeked invoices.yaml (53-64 s)
QUADRATIC_ONCE = {"income list", "report finance", "account list", "export hledger", "report workflow", "workflow"}


def test_a_write_still_reads_its_one_record_alone(generated, scans, tmp_path):
    """The bound is for reading many: `invoice show` of one invoice peeks at it and loads nothing."""
    invoice = next(line[6:] for line in (generated / "invoices.yaml").read_text().splitlines()
                   if line.startswith("- id: "))
    b = book_module.Book(generated, book_module.dt.date.fromisoformat(TODAY))
    assert b.get("invoice", invoice).id == invoice
    assert scans == ["invoices.yaml"] and "invoices.yaml" not in b.files


def test_no_command_that_reads_the_book_reads_a_big_file_record_by_record(generated, scans, tmp_path):
    """The benchmark's sweep (tools/bench.py: every list, show, board, report and export, walked
    from the CLI itself), run on the small book with every file peekable: whatever a command
    reads, it reads at most PEEK_RECORDS records of a file one by one. A new command is in it."""
    import json

    from freelance.tools import bench
    reads, _ = bench.read_commands()
    ids = {}
    for noun in {bench.ID_NOUN.get(path[0], path[0]) for path, args in reads if set(args) & bench.ID_ARGS}:
        rows = json.loads(run_cli(noun, "list", "--format", "json", books=generated).stdout)
        if rows:
            ids[noun] = rows[-1]["id"]
    swept = [(name, argv) for name, argv, _ in bench.sweep_argvs(reads, ids, tmp_path) if argv is not None]
    assert len(swept) > 40 and QUADRATIC_ONCE <= {name for name, _ in swept}
    assert not {"undo", "sync", "serve", "init", "demo"} & {name for name, _ in swept}     # they write
    over = {}
    for name, argv in swept:
        scans.clear()
        r = run_cli(*argv, books=generated)
        assert r.exit_code in (0, 1) or (name == "history" and "git" in r.stderr), (name, r.output[-500:])
        worst = max((scans.count(rel) for rel in set(scans)), default=0)
        if worst > book_module.PEEK_RECORDS:
            over[name] = worst
    assert over == {}


def test_the_caches_are_keyed_on_the_code_they_depend_on():
    """A stored answer (validate's, a report's) is keyed on every module of the package, and a
    parsed file on its reader's modules: each one a file that exists, wherever the floors put it."""
    from freelance.store import cache
    root = cache.PACKAGE
    assert (root / "__main__.py").is_file()
    assert all((root / rel).is_file() for rel in cache.READER_SOURCES)
    assert {root / "read" / "validate.py", root / "read" / "graph.py", root / "cli" / "report.py",
            root / "store" / "book.py"} <= set(cache.code_sources())
