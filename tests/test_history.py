"""`freelance history ID`, `freelance undo` and `auto_commit: true` (docs/sync.md)."""
from __future__ import annotations

import json

from conftest import run_cli
from gitbooks import GIT_ENV, fl, git, shared, sync


def auto(book):
    fl(book, "settings", "set", "auto_commit", "true")
    git(book, "commit", "-qam", "auto_commit")


def cli_env(book, *args):
    """The CLI with the test identity in the environment (auto_commit's commits name it)."""
    import os
    old = {k: os.environ.get(k) for k in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                                           "GIT_COMMITTER_EMAIL")}
    os.environ.update({k: GIT_ENV[k] for k in old})
    try:
        return run_cli(*args, books=book)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_auto_commit_makes_each_change_a_commit_naming_it(tmp_path):
    _, laptop, _ = shared(tmp_path)
    auto(laptop)
    assert cli_env(laptop, "client", "move", "acme", "negotiation").exit_code == 0
    assert git(laptop, "log", "-1", "--format=%s").stdout.strip() == "client move acme negotiation"
    assert cli_env(laptop, "client", "edit", "acme", "--email", "new@acme.test", "--phone", "1").exit_code == 0
    assert git(laptop, "log", "-1", "--format=%s").stdout.strip() == "client edit acme (email, phone)"
    assert git(laptop, "status", "--porcelain").stdout == ""
    assert "Made-by: freelance" in git(laptop, "log", "-1", "--format=%B").stdout


def test_history_lists_a_records_changes_in_every_format(tmp_path):
    _, laptop, _ = shared(tmp_path)
    auto(laptop)
    cli_env(laptop, "client", "move", "acme", "negotiation")
    cli_env(laptop, "client", "edit", "acme", "--email", "new@acme.test")
    cli_env(laptop, "client", "edit", "beta", "--phone", "2")          # another record: not in acme's history
    r = run_cli("history", "acme", books=laptop)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    body = [x for x in lines if "->" in x or "added" in x]
    assert "email: ap@acme.test -> new@acme.test" in body[0]
    assert "stage: lead -> negotiation" in body[1]
    assert "added" in body[2] and "Alex" in body[0]
    assert not any("phone" in x for x in lines)
    data = json.loads(run_cli("history", "acme", "--format", "json", books=laptop).stdout)
    assert [c["change"] for c in data] == ["edit", "edit", "add"]
    assert data[0]["fields"] == {"email": {"old": "ap@acme.test", "new": "new@acme.test"}}
    assert data[0]["author"] == "Alex" and len(data[0]["commit"]) == 40
    csv = run_cli("history", "acme", "--format", "csv", books=laptop).stdout
    assert csv.splitlines()[0] == "date,commit,author,change" and "stage: lead -> negotiation" in csv
    md = run_cli("history", "acme", "--format", "markdown", books=laptop).stdout
    assert "| date" in md and "email: ap@acme.test -> new@acme.test" in md


def test_history_of_a_removed_record_and_of_changes_merged_from_another_device(tmp_path):
    _, laptop, desktop = shared(tmp_path)
    fl(desktop, "client", "edit", "beta", "--email", "hi@beta.test")
    assert sync(desktop).returncode == 0
    assert sync(laptop).returncode == 0
    fl(laptop, "client", "rm", "beta")
    assert sync(laptop).returncode == 0
    data = json.loads(run_cli("history", "beta", "--format", "json", books=laptop).stdout)
    assert [c["change"] for c in data] == ["rm", "edit", "add"]
    assert data[1]["fields"]["email"] == {"old": None, "new": "hi@beta.test"}


def test_history_of_an_unknown_record(tmp_path):
    _, laptop, _ = shared(tmp_path)
    r = run_cli("history", "nobody", books=laptop)
    assert r.exit_code == 1 and "nobody" in r.output


def test_undo_takes_back_the_last_change_the_tool_committed(tmp_path):
    _, laptop, _ = shared(tmp_path)
    auto(laptop)
    before = (laptop / "clients.yaml").read_bytes()
    cli_env(laptop, "client", "move", "acme", "negotiation")
    r = run_cli("undo", books=laptop)
    assert r.exit_code == 0 and "client move acme negotiation" in r.stdout
    assert (laptop / "clients.yaml").read_bytes() == before
    r = run_cli("undo", books=laptop)                       # the last commit now is not the tool's
    assert r.exit_code == 2 and "not made by freelance" in r.output


def test_undo_refuses_a_pushed_change(tmp_path):
    _, laptop, _ = shared(tmp_path)
    fl(laptop, "client", "add", "Gamma")
    assert sync(laptop).returncode == 0
    r = run_cli("undo", books=laptop)
    assert r.exit_code == 2 and "pushed" in r.output
    assert "gamma" in (laptop / "clients.yaml").read_text()


def test_history_outside_git_is_misuse(empty_book):
    r = run_cli("history", "acme", books=empty_book)
    assert r.exit_code == 2 and "git" in r.output


def test_the_webs_record_page_shows_the_history_and_its_changes_are_commits(tmp_path):
    """With `auto_commit: true` a move on the web board is its own commit, and the record's
    page lists its changes from git."""
    import os
    from servehelp import Live
    from test_serve import form_of
    _, laptop, _ = shared(tmp_path)
    auto(laptop)
    cli_env(laptop, "client", "edit", "acme", "--phone", "555")
    old = {k: os.environ.get(k) for k in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                                           "GIT_COMMITTER_EMAIL")}
    os.environ.update({k: GIT_ENV[k] for k in old})
    server = Live(laptop)
    try:
        c = server.client()
        form = form_of(c.get("/board/client").text, "/move", "acme")
        r = c.post("/move", data={**form, "to": "client"})
        assert r.status_code in (200, 303), r.text
        assert git(laptop, "log", "-1", "--format=%s").stdout.strip() == "client move acme client"
        page = c.get("/r/client/acme").text
        assert "<h2>History</h2>" in page
        assert "stage: lead -&gt; client" in page and "phone: (none) -&gt; 555" in page
    finally:
        server.stop()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
