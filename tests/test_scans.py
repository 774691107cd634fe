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


# The six commands that became quadratic when currencies were inherited along links (issue 22)
QUADRATIC_ONCE = [["income", "list"], ["report", "finance"], ["account", "list"], ["export", "hledger"],
                  ["report", "workflow"], ["workflow"]]


@pytest.mark.parametrize("argv", QUADRATIC_ONCE, ids=" ".join)
def test_a_command_reading_every_record_loads_a_big_file_once(generated, scans, argv):
    r = run_cli(*argv, books=generated)
    assert r.exit_code == 0, r.output
    per_file = {rel: scans.count(rel) for rel in set(scans)}
    assert all(n <= book_module.PEEK_RECORDS for n in per_file.values()), per_file


def test_a_write_still_reads_its_one_record_alone(generated, scans, tmp_path):
    """The bound is for reading many: `invoice show` of one invoice peeks at it and loads nothing."""
    invoice = next(line[6:] for line in (generated / "invoices.yaml").read_text().splitlines()
                   if line.startswith("- id: "))
    b = book_module.Book(generated, book_module.dt.date.fromisoformat(TODAY))
    assert b.get("invoice", invoice).id == invoice
    assert scans == ["invoices.yaml"] and "invoices.yaml" not in b.files
