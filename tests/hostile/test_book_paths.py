"""Issue 14, section 4: a book's files stay in its folder and are plain files of a size a book
can have. A link out of the book (or to nothing) is refused for reads and writes, and no
folder is made outside; a FIFO or a device never hangs or floods a command; a read-only
file is refused on write, not silently replaced."""
import os
import stat

from conftest import TODAY, run_proc

from freelance.store.files import MAX_FILE_BYTES


def fl(book, *args, timeout=60):
    return run_proc("--books", book, "--today", TODAY, *args, timeout=timeout)


def refused(r, *words, code=1):
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)


def snapshot(folder):
    return {p.relative_to(folder): (p.read_bytes() if p.is_file() and not p.is_symlink() else None)
            for p in folder.rglob("*")}


def test_a_book_file_linked_out_of_the_book_is_neither_read_nor_written(demo, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "clients.yaml").write_bytes((demo / "clients.yaml").read_bytes())
    assert fl(demo, "client", "list").returncode == 0           # cached as it was, then linked out
    (demo / "clients.yaml").unlink()
    (demo / "clients.yaml").symlink_to(outside / "clients.yaml")
    before = snapshot(outside)
    refused(fl(demo, "client", "list"), "clients.yaml", "out of the book")
    refused(fl(demo, "validate"), "clients.yaml", "out of the book")
    refused(fl(demo, "client", "add", "Outsider"), "clients.yaml", "out of the book")
    assert snapshot(outside) == before


def test_a_dangling_link_is_not_followed_and_no_folder_is_made_outside(demo, tmp_path):
    (demo / "clients.yaml").unlink()
    (demo / "clients.yaml").symlink_to(tmp_path / "elsewhere" / "deep" / "x.yaml")
    refused(fl(demo, "client", "add", "Deep"), "clients.yaml")
    assert not (tmp_path / "elsewhere").exists()
    refused(fl(demo, "client", "list"), "clients.yaml")
    # a link to nothing inside the book: not followed either
    (demo / "clients.yaml").unlink()
    (demo / "clients.yaml").symlink_to(demo / "gone" / "clients.yaml")
    refused(fl(demo, "client", "add", "Gone"), "clients.yaml", "does not exist")
    assert not (demo / "gone").exists()


def test_a_shard_folder_linked_out_of_the_book_gets_no_new_shard(demo, tmp_path):
    outside = tmp_path / "tx"
    outside.mkdir()
    for p in (demo / "transactions").iterdir():
        os.replace(p, outside / p.name)
    (demo / "transactions").rmdir()
    (demo / "transactions").symlink_to(outside)
    before = snapshot(outside)
    r = fl(demo, "income", "add", "100", "--date", "2031-01-02", "--classification", "other")
    refused(r, "out of the book")
    assert snapshot(outside) == before and not (outside / "2031.yaml").exists()


def test_a_state_folder_linked_out_of_the_book_gets_no_lock(demo, tmp_path):
    outside = tmp_path / "state"
    outside.mkdir()
    (demo / ".freelance").symlink_to(outside)
    refused(fl(demo, "client", "add", "Locked"), ".freelance", "out of the book")
    assert list(outside.iterdir()) == []


def test_a_fifo_or_a_device_as_a_book_file_is_refused_at_once(demo):
    for rel in ("clients.yaml", "transactions/2026.yaml"):
        saved = (demo / rel).read_bytes()
        (demo / rel).unlink()
        os.mkfifo(demo / rel)
        for args in (["validate"], ["client", "list"], ["report", "summary"], ["income", "add", "5", "--date",
                                                                               "2026-03-01", "--client", "acme"]):
            if rel.startswith("transactions") and args == ["client", "list"]:
                continue
            refused(fl(demo, *args, timeout=20), rel, "not a regular file")
        assert stat.S_ISFIFO(os.lstat(demo / rel).st_mode)
        (demo / rel).unlink()
        (demo / rel).write_bytes(saved)
    (demo / "invoices.yaml").unlink()
    (demo / "invoices.yaml").symlink_to("/dev/zero")                 # never read to the end of memory
    refused(fl(demo, "validate", timeout=20), "invoices.yaml")


def test_a_book_file_bigger_than_the_limit_is_refused_with_its_size(demo):
    path = demo / "transactions" / "2024.yaml"
    with open(path, "ab") as fh:                                       # sparse: no disk used
        fh.truncate(MAX_FILE_BYTES + 1)
    r = fl(demo, "validate")
    refused(r, "transactions/2024.yaml", "256 MB")


def test_a_read_only_book_file_is_refused_on_write_not_replaced(demo):
    path = demo / "clients.yaml"
    before = path.read_bytes()
    os.chmod(path, 0o444)
    ino = path.stat().st_ino
    refused(fl(demo, "client", "add", "Readonly"), "clients.yaml", "read-only")
    refused(fl(demo, "client", "move", "acme", "lead"), "clients.yaml", "read-only")
    assert path.read_bytes() == before and path.stat().st_ino == ino
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert fl(demo, "client", "list").returncode == 0                 # reading it is fine
    os.chmod(path, 0o644)
    assert fl(demo, "client", "add", "Writable").returncode == 0
