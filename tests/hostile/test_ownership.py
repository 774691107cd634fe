"""Issue 14, section 2: a book found by looking upward that belongs to another user is not
opened (as git's safe.directory), unless it is named with --books or listed under
safe_books: in the user's config file."""
import os
import shutil

import pytest
from conftest import DEMO, TODAY, run_proc

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                                reason="needs root, to give files to another user")
OTHER = 54321


def fl(*args, cwd):
    return run_proc("--today", TODAY, *args, cwd=cwd)


def refused(r, book):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert str(book) in r.stderr and "another user" in r.stderr
    assert f"--books {book}" in r.stderr and "safe_books" in r.stderr
    assert r.stdout == ""


def test_a_book_of_another_user_above_the_current_folder_is_refused(tmp_path):
    book = tmp_path / "theirs"
    shutil.copytree(DEMO, book, ignore=shutil.ignore_patterns(".freelance"))
    sub = book / "notes" / "deep"
    sub.mkdir(parents=True)
    assert fl("client", "list", cwd=sub).returncode == 0           # the user's own: found
    os.chown(book, OTHER, OTHER)
    refused(fl("client", "list", cwd=sub), book)
    refused(fl("validate", cwd=book), book)
    # named: the user chose it
    r = run_proc("--books", book, "--today", TODAY, "client", "list", cwd=sub)
    assert r.returncode == 0 and "acme" in r.stdout.lower(), r.stderr
    # listed in the user's config (read with the book's own safe reader)
    config = tmp_path / "config"
    (config / "freelance").mkdir(parents=True)
    (config / "freelance" / "config.yaml").write_text(f"safe_books:\n  - {tmp_path}/./theirs\n")
    r = run_proc("--today", TODAY, "client", "list", cwd=sub, env={"XDG_CONFIG_HOME": str(config)})
    assert r.returncode == 0, r.stderr
    # a config that does not read: said, no traceback
    (config / "freelance" / "config.yaml").write_text("safe_books: [unclosed\n")
    r = run_proc("--today", TODAY, "client", "list", cwd=sub, env={"XDG_CONFIG_HOME": str(config)})
    assert r.returncode == 2 and "config.yaml" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_freelance_yaml_planted_in_a_shared_parent_folder_is_refused(tmp_path):
    shared = tmp_path / "shared"                 # like /tmp: anyone may write, the folder is root's
    shutil.copytree(DEMO, shared, ignore=shutil.ignore_patterns(".freelance"))
    os.chmod(shared, 0o1777)
    os.chown(shared / "freelance.yaml", OTHER, OTHER)
    mine = shared / "mine"
    mine.mkdir()
    refused(fl("validate", cwd=mine), shared)
    # the same as data/freelance.yaml, one level up
    outer = tmp_path / "outer"
    (outer / "work").mkdir(parents=True)
    shutil.copytree(DEMO, outer / "data", ignore=shutil.ignore_patterns(".freelance"))
    os.chown(outer / "data" / "freelance.yaml", OTHER, OTHER)
    refused(fl("client", "list", cwd=outer / "work"), outer / "data")
