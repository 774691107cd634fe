"""`freelance sync`: two devices' books kept as one through a git remote (docs/sync.md)."""
from __future__ import annotations

import yaml

from conftest import run_cli
from drafts import added
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
    assert "merged 1 commit from origin/" in r.stdout         # the laptop's
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
    # the history keeps both devices' edits, the one the settling replaced too
    import json
    for book in (laptop, desktop):
        data = json.loads(run_cli("history", "beta", "--format", "json", books=book).stdout)
        news = sorted(c["fields"]["email"]["new"] for c in data if c["change"] == "edit")
        assert news == ["a@beta.test", "b@beta.test"], data


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


def invoices(book):
    return {r["id"]: r for r in yaml.safe_load((book / "invoices.yaml").read_text()) or []}


def test_drafts_made_on_two_devices_never_clash_and_take_their_numbers_when_issued(tmp_path):
    origin, laptop, desktop = shared(tmp_path)
    mine = added(fl(laptop, "invoice", "add", "--client", "acme", "--amount", "100"))
    assert sync(laptop).returncode == 0
    fl(desktop, "project", "add", "Site", "--client", "beta", "--rate", "50")
    fl(desktop, "time", "log", "site", "2h", "--date", "2026-11-20")
    theirs = added(fl(desktop, "invoice", "add", "--client", "beta", "--project", "site", "--from-time"))
    fl(desktop, "income", "add", "10", "--invoice", theirs, "--date", "2026-11-21")
    r = sync(desktop)
    assert r.returncode == 0, r.stderr
    assert "renumbered" not in r.stdout
    assert sorted(invoices(desktop)) == sorted([mine, theirs])
    # issued on the desktop: the next number, its hours and income with it, in one write
    r = fl(desktop, "invoice", "move", theirs, "sent")
    assert f"invoice '{theirs}' is numbered INV-2026-001, and 2 records linking to it" in r.output, r.output
    assert sync(desktop).returncode == 0 and sync(laptop).returncode == 0
    for book in (laptop, desktop):
        inv = invoices(book)
        assert sorted(inv) == sorted(["INV-2026-001", mine])
        assert [e["invoice"] for e in yaml.safe_load((book / "timelog/2026.yaml").read_text())] == ["INV-2026-001"]
        assert [t["invoice"] for t in yaml.safe_load((book / "transactions/2026.yaml").read_text())] == ["INV-2026-001"]
        v = run_cli("validate", books=book)
        assert v.exit_code == 0 and "duplicate" not in v.output, v.output


def test_numbered_drafts_of_an_older_book_made_on_two_devices_end_as_two_numbers(tmp_path):
    origin, laptop, desktop = shared(tmp_path)
    fl(laptop, "invoice", "add", "--client", "acme", "--amount", "100", "--number", "INV-2026-001")
    assert sync(laptop).returncode == 0
    # the desktop has not seen it: its invoice gets the same number, with hours and income linked
    fl(desktop, "project", "add", "Site", "--client", "beta", "--rate", "50")
    fl(desktop, "time", "log", "site", "2h", "--date", "2026-11-20")
    r = fl(desktop, "invoice", "add", "--client", "beta", "--project", "site", "--from-time", "--number", "INV-2026-001")
    assert "INV-2026-001" in r.output
    fl(desktop, "income", "add", "10", "--invoice", "INV-2026-001", "--date", "2026-11-21")
    r = sync(desktop)
    assert r.returncode == 0, r.stderr
    assert "renumbered the draft invoice INV-2026-001 made here to INV-2026-002" in r.stdout
    assert sync(laptop).returncode == 0
    for book in (laptop, desktop):
        inv = invoices(book)
        assert sorted(inv) == ["INV-2026-001", "INV-2026-002"]
        assert inv["INV-2026-001"]["client"] == "acme" and inv["INV-2026-002"]["client"] == "beta"
        entries = yaml.safe_load((book / "timelog/2026.yaml").read_text())
        assert [e["invoice"] for e in entries] == ["INV-2026-002"]
        income = yaml.safe_load((book / "transactions/2026.yaml").read_text())
        assert [t["invoice"] for t in income] == ["INV-2026-002"]
        v = run_cli("validate", books=book)
        assert v.exit_code == 0 and "duplicate" not in v.output, v.output
    assert (laptop / "invoices.yaml").read_bytes() == (desktop / "invoices.yaml").read_bytes()
    assert "invoice renumber INV-2026-001 INV-2026-002" in git(desktop, "log", "--format=%s").stdout


def test_invoices_issued_under_one_number_on_two_devices_are_a_conflict(tmp_path):
    origin, laptop, desktop = shared(tmp_path)
    fl(laptop, "invoice", "move", added(fl(laptop, "invoice", "add", "--client", "acme", "--amount", "100")), "sent")
    assert sync(laptop).returncode == 0
    fl(desktop, "invoice", "move", added(fl(desktop, "invoice", "add", "--client", "beta", "--amount", "70")), "sent")
    r = sync(desktop)
    assert r.returncode == 1
    assert "conflict: invoices.yaml: invoice 'INV-2026-001'" in r.stderr
    assert "renumbered" not in r.stdout


def test_a_draft_from_the_other_device_gives_way_to_an_invoice_issued_here(tmp_path):
    origin, laptop, desktop = shared(tmp_path)
    fl(laptop, "project", "add", "Site", "--client", "acme", "--rate", "50")
    fl(laptop, "time", "log", "site", "2h", "--date", "2026-11-20")
    fl(laptop, "invoice", "add", "--client", "acme", "--project", "site", "--from-time", "--number", "INV-2026-001")
    assert sync(laptop).returncode == 0                       # a numbered draft (an older book's), pushed
    fl(desktop, "invoice", "add", "--client", "beta", "--amount", "70", "--status", "sent")   # issued here: its number stays
    r = sync(desktop)
    assert r.returncode == 0, r.stderr
    assert "renumbered the draft invoice INV-2026-001 from origin to INV-2026-002" in r.stdout
    assert sync(laptop).returncode == 0
    for book in (laptop, desktop):
        inv = invoices(book)
        assert inv["INV-2026-001"]["client"] == "beta" and inv["INV-2026-001"]["status"] == "sent"
        assert inv["INV-2026-002"]["client"] == "acme" and inv["INV-2026-002"]["status"] == "draft"
        entries = yaml.safe_load((book / "timelog/2026.yaml").read_text())
        assert [e["invoice"] for e in entries] == ["INV-2026-002"]
        assert run_cli("validate", books=book).exit_code == 0
    assert git(desktop, "worktree", "list").stdout.count("\n") == 1     # the temporary one is gone
