"""`freelance init`: the files, git, the pre-commit hook, and refusing to init over a book."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT, run_cli, run_proc

ENTITY_FILES = ["balances.yaml", "clients.yaml", "contacts.yaml", "goals.yaml", "invoices.yaml", "meetings/2026.yaml",
                "projects.yaml", "rates.yaml", "recurring.yaml", "resources.yaml", "services.yaml", "suppliers.yaml", "timelog/2026.yaml",
                "transactions/2026.yaml",
                "transfers/2026.yaml"]

SETTINGS = """\
# freelance book settings: every list can be extended (`freelance settings add LIST VALUE`)
name: Example Studio
owner: {name: null, email: null, address: null}
currency: EUR
timezone: UTC
week_start: monday
date_order: iso
stages: [lead, negotiation, client]
income_classifications: [client, salary, interest, refund, other]
expense_categories: [software, hardware, travel, taxes, office, other]
accounts: [{id: bank, name: Bank, opening_balance: 0}, {id: cash, name: Cash, opening_balance: 0}]
contact_categories: [finance, services, legal]
resource_types: [checklist, guide, strategy, tip]
resource_categories: [taxes, budgeting, investments, savings]
goal_categories: [health, wealth, relationship]
meeting_media: [google-meet, zoom, skype, phone, in-person]
invoice_number: INV-{year}-{seq:03d}
payment_terms_days: 30
default_rate: null
tax_rounding: per-invoice
time_rounding: none
"""


def git(cwd, *args, env=None, check=True):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=check)


def files_of(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)


def test_init_no_git_writes_settings_entity_files_and_git_files(tmp_path):
    root = tmp_path / "books"
    r = run_cli("init", root, "--no-git", "--currency", "EUR", "--name", "Example Studio")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == f"created a book in {root}"
    assert files_of(root) == sorted([".gitattributes", ".gitignore", "freelance.yaml", *ENTITY_FILES])
    assert (root / "freelance.yaml").read_text() == SETTINGS
    assert "*.yaml text eol=lf\n" in (root / ".gitattributes").read_text()
    assert (root / ".gitattributes").read_text().endswith("*.yaml merge=freelance\n")
    assert ".freelance/" in (root / ".gitignore").read_text().splitlines()
    for rel in ENTITY_FILES:
        assert (root / rel).read_text().startswith("# ")      # a comment, no records
    assert not (root / ".git").exists()
    assert run_cli("validate", books=root).exit_code == 0
    assert run_cli("client", "list", "--format", "json", books=root).stdout.strip() == "[]"
    assert run_cli("settings", "show", "--format", "json", books=root).exit_code == 0


def test_init_options_land_in_the_settings(tmp_path):
    root = tmp_path / "b"
    r = run_cli("init", root, "--no-git", "--name", "Studio Ü", "--currency", "GBP", "--timezone", "Europe/London",
                "--owner", "Sam Sample", "--email", "sam@sample.test")
    assert r.exit_code == 0, r.output
    text = (root / "freelance.yaml").read_text()
    assert "name: Studio Ü\n" in text and "currency: GBP\n" in text and "timezone: Europe/London\n" in text
    assert "owner: {name: Sam Sample, email: sam@sample.test, address: null}\n" in text


def test_init_shards_by_the_given_today(tmp_path):
    root = tmp_path / "b"
    assert run_cli("init", root, "--no-git", today="2031-03-04").exit_code == 0
    assert (root / "transactions" / "2031.yaml").exists() and not (root / "transactions" / "2026.yaml").exists()


def test_init_makes_a_git_repository_with_one_commit_of_the_book_only(tmp_path):
    root = tmp_path / "b"
    root.mkdir()
    (root / "private-notes.txt").write_text("not part of the book\n")
    r = run_cli("init", root)
    assert r.exit_code == 0, r.output
    assert "made it a git repository with a first commit" in r.stdout
    log = git(root, "log", "--oneline").stdout.splitlines()
    assert len(log) == 1 and log[0].endswith("New freelance book")
    committed = sorted(git(root, "ls-files").stdout.split())
    assert committed == sorted([".gitattributes", ".gitignore", "freelance.yaml", *ENTITY_FILES])
    assert git(root, "status", "--porcelain").stdout == "?? private-notes.txt\n"


def test_init_refuses_an_existing_book(tmp_path):
    root = tmp_path / "b"
    assert run_cli("init", root, "--no-git").exit_code == 0
    (root / "clients.yaml").write_text("- id: mine\n  name: Mine\n")
    before = {rel: (root / rel).read_bytes() for rel in files_of(root)}
    r = run_cli("init", root, "--no-git", "--currency", "EUR")
    assert r.exit_code == 2
    assert r.stderr == f"freelance: error: {root}: already a book (freelance.yaml exists)\n"
    assert {rel: (root / rel).read_bytes() for rel in files_of(root)} == before


@pytest.mark.parametrize("args, message", [
    (["--currency", "euro"], "--currency: expected a three-letter code like EUR, got 'euro'"),
    (["--timezone", "Mars/Base"], "--timezone: 'Mars/Base' is not a known time zone (like UTC or Europe/Berlin)"),
    (["--no-git", "--hook"], "--hook needs a git repository (drop --no-git)"),
])
def test_init_misuse_creates_nothing(tmp_path, args, message):
    root = tmp_path / "b"
    r = run_cli("init", root, *args)
    assert r.exit_code == 2
    assert r.stderr == f"freelance: error: {message}\n"
    assert not root.exists()


def test_the_hook_blocks_a_commit_of_a_broken_book(tmp_path):
    root = tmp_path / "b"
    p = run_proc("init", root, "--hook")
    assert p.returncode == 0, p.stderr
    hook = root / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    assert sys.executable in hook.read_text()
    # git runs the hook with a PATH that has no `freelance` on it: the hook still works
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    (root / "clients.yaml").write_text("- id: acme\n  name: Acme\n  stage: leed\n")
    git(root, "add", "clients.yaml", env=env)
    c = git(root, "commit", "-m", "broken", env=env, check=False)
    assert c.returncode != 0
    assert "clients.yaml:3: error: client 'acme': stage 'leed'" in c.stdout + c.stderr
    assert "freelance validate found errors" in c.stderr
    assert len(git(root, "log", "--oneline").stdout.splitlines()) == 1
    (root / "clients.yaml").write_text("- id: acme\n  name: Acme\n  stage: lead\n")
    git(root, "add", "clients.yaml", env=env)
    c = git(root, "commit", "-m", "fixed", env=env, check=False)
    assert c.returncode == 0, c.stdout + c.stderr
    assert len(git(root, "log", "--oneline").stdout.splitlines()) == 2
    # an edit in progress, not staged, does not block committing something else
    (root / "clients.yaml").write_text("- id: acme\n  name: Acme\n  stage: leed\n")
    (root / "notes.md").write_text("notes\n")
    git(root, "add", "notes.md", env=env)
    c = git(root, "commit", "-m", "notes", env=env, check=False)
    assert c.returncode == 0, c.stdout + c.stderr


def test_the_hook_checks_what_is_staged_not_the_working_tree(tmp_path):
    """A fix left unstaged does not let a broken file through; a broken edit left unstaged
    does not block a good commit; a book in a folder of a bigger repository works too."""
    repo = tmp_path / "repo"
    root = repo / "books"
    repo.mkdir()
    git(repo, "init", "-q")
    assert run_proc("init", root, "--no-git").returncode == 0
    (repo / "README").write_text("my repo\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    clients = root / "clients.yaml"
    broken, fixed = "- id: acme\n  name: Acme\n  stage: leed\n", "- id: acme\n  name: Acme\n  stage: lead\n"

    def staged(*extra):
        return run_cli("validate", "--staged", *extra, books=root)

    clients.write_text(broken)
    git(repo, "add", "books/clients.yaml")
    clients.write_text(fixed)                                     # fixed, but not staged
    assert run_cli("validate", books=root).exit_code == 0
    r = staged()
    assert r.exit_code == 1 and "clients.yaml:3: error: client 'acme': stage 'leed'" in r.stdout, r.output
    git(repo, "add", "books/clients.yaml")
    clients.write_text(broken)                                    # broken, but not staged
    assert run_cli("validate", books=root).exit_code == 1
    r = staged()
    assert r.exit_code == 0, r.output
    (root / "transactions" / "2031.yaml").write_text("- id: x\n  kind: expense\n")     # untracked: not committed
    assert staged().exit_code == 0
    git(repo, "add", "-A")                                        # now it is
    r = staged("--format", "json")
    assert r.exit_code == 1 and '"file": "clients.yaml"' in r.stdout and "transactions/2031.yaml" in r.stdout


def test_validate_staged_outside_git_says_so(tmp_path):
    root = tmp_path / "b"
    assert run_proc("init", root, "--no-git").returncode == 0
    r = run_cli("validate", "--staged", books=root)
    assert r.exit_code == 2 and "is not in a git repository" in r.stderr, r.output


def test_validate_staged_with_an_odd_folder_name_and_settings_deleted_but_not_staged(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    root, sibling = repo / "books[1]", repo / "books1"
    for folder in (root, sibling):
        assert run_proc("init", folder, "--no-git").returncode == 0
    (sibling / "clients.yaml").write_text("- id: x\n  name: X\n  stage: leed\n")    # broken, not ours
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    (root / "freelance.yaml").unlink()                            # deleted, not staged
    r = run_cli("validate", "--staged", books=root)
    assert r.exit_code == 0, r.output                            # the staged book, not the sibling
    git(repo, "add", "-A")
    r = run_cli("validate", "--staged", books=root)
    assert r.exit_code == 2 and "not a book" in r.stderr, r.output


def test_every_file_header_of_a_new_book_names_a_command_that_exists(empty_book):
    import re
    headers = {p.relative_to(empty_book): p.read_text().splitlines()[0] for p in empty_book.rglob("*.yaml")
               if p.name != "freelance.yaml"}
    assert any("`freelance project log --help`" in h for h in headers.values())
    for rel, header in headers.items():
        named = re.search(r"`freelance ([a-z ]+) --help`", header)
        assert named, (rel, header)
        r = run_cli(*named.group(1).split(), "--help", books=empty_book)
        assert r.exit_code == 0, (rel, header, r.output)


def test_init_hook_inside_a_repository_goes_where_git_runs_it(tmp_path):
    outer = tmp_path / "work"
    outer.mkdir()
    git(outer, "init", "-q")
    git(outer, "config", "core.hooksPath", ".githooks")       # as many teams set it
    git(outer, "commit", "-q", "--allow-empty", "-m", "start")
    book = outer / "admin" / "my books"
    p = run_proc("init", book, "--hook", cwd=outer)
    assert p.returncode == 0, p.stderr
    assert not (book / ".git").exists()                     # no nested repository
    hook = outer / ".githooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    assert 'book="$(git rev-parse --show-toplevel)"/\'admin/my books\'\n' in hook.read_text()
    assert "freelance.yaml" in git(outer, "ls-files", "admin").stdout     # committed in the repository
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    (book / "clients.yaml").write_text("- id: acme\n  name: Acme\n  stage: leed\n")
    git(outer, "add", "-A")
    c = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "broken"], cwd=outer,
                       env={**os.environ, **env}, capture_output=True, text=True)
    assert c.returncode != 0
    assert "clients.yaml:3: error: client 'acme': stage 'leed'" in c.stdout + c.stderr
    (book / "clients.yaml").write_text("- id: acme\n  name: Acme\n  stage: lead\n")
    git(outer, "add", "-A")
    c = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "fixed"], cwd=outer,
                       env={**os.environ, **env}, capture_output=True, text=True)
    assert c.returncode == 0, c.stdout + c.stderr


def test_init_hook_does_not_replace_another_pre_commit_hook(tmp_path):
    outer = tmp_path / "work"
    outer.mkdir()
    git(outer, "init", "-q")
    theirs = outer / ".git" / "hooks" / "pre-commit"
    theirs.write_text("#!/bin/sh\nexec pre-commit run\n")
    r = run_cli("init", outer / "books", "--hook", today=None)
    assert r.exit_code == 2
    assert "is another pre-commit hook; refusing to replace it" in r.stderr
    assert theirs.read_text() == "#!/bin/sh\nexec pre-commit run\n" and not (outer / "books").exists()
