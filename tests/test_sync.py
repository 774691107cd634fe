"""`freelance sync`: two devices' books kept as one through a git remote (docs/sync.md)."""
from __future__ import annotations

import yaml

from conftest import run_cli
from gitbooks import fl, git, shared, sync


def ids(book, rel="clients.yaml"):
    return [r["id"] for r in yaml.safe_load((book / rel).read_text()) or []]


def test_two_devices_merge_with_sync(tmp_path):
    origin, laptop, desktop = shared(tmp_path)
    fl(laptop, "client", "add", "Gamma")
    fl(laptop, "client", "move", "acme", "negotiation")
    r = sync(laptop)
    assert r.returncode == 0, r.stderr
    assert "committed: client move acme negotiation; client add gamma" in r.stdout
    assert "pushed 1 commit" in r.stdout
    fl(desktop, "client", "add", "Delta")
    fl(desktop, "client", "edit", "beta", "--email", "hi@beta.test")
    fl(desktop, "income", "add", "250", "--date", "2026-11-20", "--classification", "other", "--account", "bank")
    r = sync(desktop)
    assert r.returncode == 0, r.stderr
    assert "registered the merge driver" in r.stdout        # a plain clone: sync registers it
    r = sync(laptop)
    assert r.returncode == 0, r.stderr
    for book in (laptop, desktop):
        assert ids(book) == ["acme", "beta", "delta", "gamma"]
        assert run_cli("validate", books=book).exit_code == 0
    assert (laptop / "clients.yaml").read_bytes() == (desktop / "clients.yaml").read_bytes()
    assert len(yaml.safe_load((laptop / "transactions/2026.yaml").read_text())) == 1
    assert git(laptop, "status", "--porcelain").stdout == ""
    log = git(desktop, "log", "--format=%B", "-n", "3").stdout
    assert "client edit beta (email)" in log and "income add tx-20261120-" in log and "client add delta" in log


def test_a_conflict_stops_sync_with_the_records_to_settle(tmp_path):
    origin, laptop, desktop = shared(tmp_path)
    fl(laptop, "client", "edit", "beta", "--email", "a@beta.test")
    assert sync(laptop).returncode == 0
    fl(desktop, "client", "edit", "beta", "--email", "b@beta.test")
    fl(desktop, "client", "add", "Delta")
    r = sync(desktop)
    assert r.returncode == 1
    assert "conflict: clients.yaml: client 'beta'" in r.stderr
    assert "delta" not in r.stderr
    again = sync(desktop)                                  # nothing settled yet: still stops
    assert again.returncode == 1 and "client 'beta'" in again.stderr
    # settle: keep our side
    text = (desktop / "clients.yaml").read_text()
    head, rest = text.split("<<<<<<< ours\n", 1)
    ours, rest = rest.split("=======\n", 1)
    _, tail = rest.split(">>>>>>> theirs\n", 1)
    (desktop / "clients.yaml").write_text(head + ours + tail)
    r = sync(desktop)
    assert r.returncode == 0, r.stderr
    assert sync(laptop).returncode == 0
    assert yaml.safe_load((laptop / "clients.yaml").read_text())[1]["email"] == "b@beta.test"
    assert ids(laptop) == ["acme", "beta", "delta"]


def test_a_merged_book_with_errors_is_not_pushed(tmp_path):
    origin, laptop, desktop = shared(tmp_path)
    fl(laptop, "project", "add", "Beta site", "--client", "beta")
    assert sync(laptop).returncode == 0
    fl(desktop, "client", "rm", "beta")                  # nothing links to it here
    before = git(origin, "rev-parse", "HEAD").stdout
    r = sync(desktop)
    assert r.returncode == 1
    assert "not pushed" in r.stderr and "beta" in r.stderr
    assert git(origin, "rev-parse", "HEAD").stdout == before


def test_quiet_sync_prints_nothing_and_is_idempotent(tmp_path):
    origin, laptop, desktop = shared(tmp_path)
    fl(laptop, "client", "add", "Gamma")
    r = sync(laptop, "--quiet")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    head = git(laptop, "rev-parse", "HEAD").stdout
    r = sync(laptop, "--quiet")
    assert r.returncode == 0 and r.stdout == "" and git(laptop, "rev-parse", "HEAD").stdout == head


def test_sync_without_a_remote_commits_only(tmp_path):
    book = tmp_path / "solo"
    assert run_cli("init", book).exit_code == 0
    fl(book, "client", "add", "Solo")
    r = sync(book)
    assert r.returncode == 0 and "no remote" in r.stdout
    assert git(book, "log", "-1", "--format=%s").stdout.strip() == "client add solo"


def test_sync_outside_git_is_misuse(empty_book):
    r = sync(empty_book)
    assert r.returncode == 2 and "git" in r.stderr
