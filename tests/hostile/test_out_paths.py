"""Issue 14, section 3: what `--out` (and `calendar export --ics`) does with what is at the path.
`-` is stdout everywhere; a folder, device, FIFO or socket is refused (exit 2) and left as it
was; a link is written through (the file it points to is replaced, the link stays); an
existing file keeps its mode; a new file honours the umask."""
import os
import stat

import pytest
from conftest import TODAY, run_cli, run_proc

# every command that writes its output to a file the user names, with what it prints
COMMANDS = [
    (["client", "list", "--out"], "acme"),
    (["invoice", "show", "INV-2026-001", "--out"], "INV-2026-001"),
    (["report", "summary", "--out"], "Summary"),
    (["validate", "--out"], ""),
    (["export", "hledger", "--out"], "income"),
    (["export", "csv", "invoice", "--out"], "INV-2026-001"),
    (["contact", "export", "--vcf", "--out"], "BEGIN:VCARD"),
    (["calendar", "export", "--ics"], "BEGIN:VCALENDAR"),
    (["settings", "show", "--out"], "currency"),
]
IDS = [" ".join(a[:-1]) for a, _ in COMMANDS]


@pytest.mark.parametrize("args,expect", COMMANDS, ids=IDS)
def test_a_dash_is_stdout(cli, tmp_path, args, expect):
    r = run_cli(*args, "-", books=cli.book, today=TODAY, cwd=tmp_path)
    plain = run_cli(*args[:-1], books=cli.book, today=TODAY) if args[-1] == "--out" else None
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "-").exists()
    assert expect.lower() in r.stdout.lower()
    if plain is not None:
        assert r.stdout == plain.stdout
    assert "wrote" not in r.stdout                       # no confirmation mixed into the output


@pytest.mark.parametrize("args,expect", COMMANDS, ids=IDS)
def test_a_fifo_is_refused_not_replaced(cli, tmp_path, args, expect):
    (tmp_path / "out").mkdir()
    fifo = tmp_path / "out" / "pipe"
    os.mkfifo(fifo)
    r = run_proc("--books", cli.book, "--today", TODAY, *args, fifo, timeout=30)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "not a regular file" in r.stderr and str(fifo) in r.stderr and "Traceback" not in r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in fifo.parent.iterdir()) == ["pipe"]      # no temporary file left


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_refused_not_replaced(cli, tmp_path):
    dev = tmp_path / "null"
    os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    for args, _ in COMMANDS[:1] + COMMANDS[-2:-1]:
        r = run_cli(*args, dev, books=cli.book)
        assert r.exit_code == 2 and "not a regular file" in r.stderr, r.output
        assert stat.S_ISCHR(os.lstat(dev).st_mode)
    link = tmp_path / "stdout"                  # as /dev/stdout: a link to the process's own output
    link.symlink_to(dev)
    r = run_cli("client", "list", "--out", link, books=cli.book)
    assert r.exit_code == 2 and os.path.islink(link) and stat.S_ISCHR(os.lstat(dev).st_mode)


def test_a_link_is_written_through_and_stays_a_link(cli, tmp_path):
    real = tmp_path / "real" / "clients.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    os.chmod(real, 0o640)
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    for args, expect in (COMMANDS[0], COMMANDS[-2]):
        r = cli(*args, link)
        assert r.exit_code == 0, r.output
        assert os.path.islink(link) and os.readlink(link) == str(real)
        assert expect.lower() in real.read_text().lower()
        assert stat.S_IMODE(real.stat().st_mode) == 0o640
    # a link to nothing is not followed (and nothing is made where it points)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere" / "x.csv")
    r = cli("client", "list", "--out", dangling)
    assert r.exit_code == 2 and "does not exist" in r.stderr
    assert os.path.islink(dangling) and not (tmp_path / "nowhere").exists()
    # nor is a folder, or a link to one
    (tmp_path / "dir").symlink_to(real.parent)
    for target in (real.parent, tmp_path / "dir"):
        r = cli("client", "list", "--out", target)
        assert r.exit_code == 2 and "is a folder" in r.stderr


def test_an_existing_file_keeps_its_mode_and_a_new_one_honours_the_umask(cli, tmp_path):
    private = tmp_path / "private.csv"
    private.write_text("secret\n")
    os.chmod(private, 0o600)
    for args, expect in COMMANDS:
        r = cli(*args, private)
        assert r.exit_code == 0, r.output
        assert stat.S_IMODE(private.stat().st_mode) == 0o600, args
    for mask, mode in ((0o077, 0o600), (0o022, 0o644), (0o027, 0o640)):
        old = os.umask(mask)
        try:
            new = tmp_path / f"new-{mask:o}.journal"
            assert cli("export", "hledger", "--out", new).exit_code == 0
            ics = tmp_path / f"new-{mask:o}.ics"
            assert cli("calendar", "export", "--ics", ics).exit_code == 0
        finally:
            os.umask(old)
        assert stat.S_IMODE(new.stat().st_mode) == mode
        assert stat.S_IMODE(ics.stat().st_mode) == mode


@pytest.mark.parametrize("args", [("client", "list", "--out", "{tmp}"), ("calendar", "export", "--ics", "{tmp}"),
                                  ("report", "summary", "--out", "{tmp}")])
def test_out_to_a_folder_is_refused_without_a_traceback(cli, tmp_path, args):
    r = cli(*[a.format(tmp=tmp_path) for a in args])
    assert r.exit_code == 2, r.output
    assert r.stderr == f"freelance: error: {args[2]}: {tmp_path} is a folder; give a file name in it\n"
