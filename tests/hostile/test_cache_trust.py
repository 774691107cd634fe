"""Issue 14, section 1: nothing that comes with a book, or that another user could write, is
ever unpickled. The parse cache lives in the user's own cache folder (0700), every entry
carries an HMAC with the user's key (0600), checked before anything is loaded; a
`.freelance/cache/` inside a book is never read, and validate says when git tracks one."""
import os
import pickle
import shutil
import stat
import subprocess
from pathlib import Path

from conftest import TODAY, git_commit_all, run_proc

from freelance.store.cache import MAGIC, ParseCache, cache_home


class Payload:
    """A pickle that, when loaded, writes a marker file (what a hostile cache would do)."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('pwned')",))


def evil(marker: Path) -> bytes:
    return pickle.dumps(Payload(marker), protocol=2)


def fl(book: Path, *args):
    return run_proc("--books", book, "--today", TODAY, *args)


def answers(book: Path):
    """What validate and a view say, with the cache, next to what they say without it."""
    got = [fl(book, "validate"), fl(book, "client", "list", "-f", "csv"), fl(book, "report", "summary")]
    plain = [fl(book, "--no-cache", "validate"), fl(book, "--no-cache", "client", "list", "-f", "csv"),
             fl(book, "--no-cache", "report", "summary")]
    return [(p.returncode, p.stdout, p.stderr) for p in got], [(p.returncode, p.stdout, p.stderr) for p in plain]


PLANTED = ["%validate.pickle", "clients.yaml.pickle", "invoices.yaml.pickle", "transactions%2026.yaml.pickle",
           "transactions%2026.yaml.tail.pickle"]


def test_a_cache_shipped_inside_a_book_is_never_loaded(demo, tmp_path):
    marker = tmp_path / "marker"
    folder = demo / ".freelance" / "cache"
    folder.mkdir(parents=True)
    for name in PLANTED:
        (folder / name).write_bytes(evil(marker))
    got, plain = answers(demo)
    assert not marker.exists(), "a pickle shipped in the book ran"
    assert got == plain and got[0][0] == 0 and "ok: no problems" in got[0][2]
    for name in PLANTED:                                  # and the tool never wrote there either
        assert (folder / name).read_bytes() == evil(marker)


def test_a_book_in_a_cloned_repository_that_tracks_its_cache_is_warned_about(demo, tmp_path):
    marker = tmp_path / "marker"
    folder = demo / ".freelance" / "cache"
    folder.mkdir(parents=True)
    (folder / "clients.yaml.pickle").write_bytes(evil(marker))
    git_commit_all(demo)
    subprocess.run(["git", "add", "-f", ".freelance"], cwd=demo, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "cache"], cwd=demo)
    assert subprocess.run(["git", "ls-files", ".freelance"], cwd=demo, capture_output=True, text=True).stdout
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(demo), str(clone)], check=True)
    assert (clone / ".freelance" / "cache" / "clients.yaml.pickle").is_file()
    r = fl(clone, "validate")
    assert not marker.exists()
    assert r.returncode == 0, r.stderr                    # a warning, not an error
    assert ".freelance/: warning:" in r.stdout and ".freelance/cache/clients.yaml.pickle" in r.stdout
    assert "git rm -r --cached .freelance" in r.stdout and "Traceback" not in r.stderr
    # the same again from the whole-result cache, which does not keep the warning
    assert fl(clone, "validate").stdout == r.stdout
    # not a repository (any more): no warning
    shutil.rmtree(clone / ".git")
    r = fl(clone, "validate")
    assert r.returncode == 0 and r.stdout == "" and "ok: no problems" in r.stderr, r.stderr
    # no git on PATH: no warning, and no traceback either
    nogit = tmp_path / "bin"
    nogit.mkdir()
    r = run_proc("--books", clone, "--today", TODAY, "validate", env={"PATH": str(nogit)})
    assert r.returncode == 0 and "Traceback" not in r.stderr and "ok: no problems" in r.stderr, r.stderr


def entries(book: Path) -> list[Path]:
    folder = ParseCache(book).folder
    return sorted(p for p in folder.iterdir() if p.suffix == ".pickle")


TAMPERINGS = ["plain pickle", "sealed head swapped", "body swapped", "other user's key"]


def test_a_tampered_entry_in_the_users_cache_is_never_loaded(demo, tmp_path):
    for how in TAMPERINGS:
        tamper(demo, tmp_path / "marker", how)


def tamper(demo, marker, how):
    assert fl(demo, "validate").returncode == 0
    assert fl(demo, "income", "add", "10", "--client", "acme", "--received", "--description", "tail").returncode == 0
    assert fl(demo, "validate").returncode == 0             # every entry, a tail and the whole result
    found = entries(demo)
    names = {p.name for p in found}
    assert {"%validate.pickle", "clients.yaml.pickle", "transactions%2026.yaml.pickle"} <= names
    assert "transactions%2026.yaml.tail.pickle" in names
    for entry in found:
        good = entry.read_bytes()
        if how == "plain pickle":
            bad = evil(marker)
        elif how == "sealed head swapped":           # the MAC of the real head, a payload as head
            n = int.from_bytes(good[8:16], "little")
            payload = evil(marker)
            bad = good[:8] + len(payload).to_bytes(8, "little") + good[16:48] + payload + good[48 + n:]
        elif how == "body swapped":                  # a real head, a payload as body
            n = int.from_bytes(good[8:16], "little")
            bad = good[:48 + n + 32] + evil(marker)
        else:                                        # sealed right, but with a key that is not the user's
            other = ParseCache(demo)
            key = b"k" * 32
            import freelance.store.cache as cache_module
            saved = dict(cache_module._KEYS)
            cache_module._KEYS[str(cache_home())] = key
            try:
                other._write(entry, Payload(marker), Payload(marker))
            finally:
                cache_module._KEYS.clear()
                cache_module._KEYS.update(saved)
            bad = entry.read_bytes()
            assert not marker.exists()
        entry.write_bytes(bad)
    got, plain = answers(demo)
    assert not marker.exists(), f"a tampered cache entry ran ({how})"
    assert got == plain


def test_the_cache_is_the_users_own_and_private(demo):
    assert fl(demo, "--no-cache", "validate").returncode == 0       # --no-cache: none read or written
    assert not ParseCache(demo).folder.exists()
    assert fl(demo, "validate").returncode == 0
    home = cache_home()
    assert home == Path(os.environ["XDG_CACHE_HOME"]) / "freelance"
    folder = ParseCache(demo).folder
    assert folder.parent == home and folder.is_dir()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    key = home / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.stat().st_size == 32
    for entry in entries(demo):
        assert entry.read_bytes().startswith(MAGIC)
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert not (demo / ".freelance" / "cache").exists()
    # the same book under another name (a link to it) shares its entries: keyed by the real path
    link = demo.parent / "alias"
    link.symlink_to(demo)
    assert ParseCache(link).folder == folder


def test_a_key_anyone_could_read_is_replaced(demo):
    assert fl(demo, "validate").returncode == 0
    key = cache_home() / "key"
    old = key.read_bytes()
    os.chmod(key, 0o644)
    assert fl(demo, "client", "list").returncode == 0
    assert fl(demo, "client", "add", "Keyed", "--id", "keyed").returncode == 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and key.read_bytes() != old


def test_a_state_folder_linked_out_of_the_book_gets_no_cache(demo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (demo / ".freelance").mkdir(exist_ok=True)
    (demo / ".freelance" / "cache").symlink_to(outside)
    got, plain = answers(demo)
    assert got == plain
    assert list(outside.iterdir()) == []

