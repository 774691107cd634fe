"""Which book and which day: --books, $FREELANCE_BOOKS, the upward search, --today, $FREELANCE_TODAY."""
import json
import shutil

import pytest

from conftest import DEMO, run_cli, run_proc


def created(book, rid, **kw):
    r = run_cli("client", "show", rid, "--format", "json", books=book, today=None)
    return json.loads(r.stdout)["created"]


@pytest.fixture
def two_books(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        assert run_cli("init", root, "--no-git").exit_code == 0
    return a, b


def ids(stdout):
    return [row["id"] for row in json.loads(stdout)]


def test_books_option_beats_the_environment(two_books):
    a, b = two_books
    r = run_cli("client", "add", "In A", books=a, env={"FREELANCE_BOOKS": str(b)})
    assert r.exit_code == 0
    assert "In A" in (a / "clients.yaml").read_text() and "In A" not in (b / "clients.yaml").read_text()


def test_the_environment_names_the_book(two_books, tmp_path):
    a, b = two_books
    p = run_proc("client", "add", "In B", cwd=tmp_path, env={"FREELANCE_BOOKS": str(b)})
    assert p.returncode == 0, p.stderr
    assert "In B" in (b / "clients.yaml").read_text()


def test_upward_search_from_a_subfolder(two_books):
    a, _ = two_books
    deep = a / "notes" / "2026"
    deep.mkdir(parents=True)
    p = run_proc("client", "add", "Found Upward", cwd=deep)
    assert p.returncode == 0, p.stderr
    assert "Found Upward" in (a / "clients.yaml").read_text()


def test_data_folder_of_a_repository_root(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(DEMO, repo / "data")
    (repo / "src").mkdir()
    for cwd in (repo, repo / "src"):
        p = run_proc("client", "list", "--format", "json", cwd=cwd)
        assert p.returncode == 0, p.stderr
        assert "acme" in ids(p.stdout)


def test_no_book_is_a_clear_usage_error(tmp_path):
    p = run_proc("client", "list", cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr == ("freelance: error: no book found: no freelance.yaml here or above; use --books DIR, "
                        "set FREELANCE_BOOKS, or create one with `freelance init DIR`\n")
    assert p.stdout == ""


@pytest.mark.parametrize("how", ["option", "env"])
def test_a_folder_that_is_not_a_book(tmp_path, how):
    args = ["--books", tmp_path] if how == "option" else []
    p = run_proc(*args, "client", "list", cwd=tmp_path, env={"FREELANCE_BOOKS": str(tmp_path)} if how == "env" else {})
    assert p.returncode == 2
    assert p.stderr == (f"freelance: error: {tmp_path}: not a book (no freelance.yaml); "
                        f"create one with `freelance init {tmp_path}`\n")


def test_today_option_and_environment(two_books):
    a, _ = two_books
    assert run_cli("client", "add", "One", books=a, today="2027-03-04").exit_code == 0
    assert created(a, "one") == "2027-03-04"
    assert run_cli("client", "add", "Two", books=a, today=None, env={"FREELANCE_TODAY": "2028-01-31"}).exit_code == 0
    assert created(a, "two") == "2028-01-31"
    # the option wins over the environment
    assert run_cli("client", "add", "Three", books=a, today="2029-06-01",
                   env={"FREELANCE_TODAY": "2028-01-31"}).exit_code == 0
    assert created(a, "three") == "2029-06-01"


def test_today_changes_derived_values(cli):
    def days(today):
        r = cli("invoice", "show", "INV-2026-015", "--format", "json", today=today)
        return json.loads(r.stdout)["days_overdue"]
    assert days("2026-11-25") == 11
    assert days("2026-12-25") == 41


@pytest.mark.parametrize("value", ["bogus", "2026-02-30", "2026-13-01"])
def test_a_bad_today_is_misuse(cli, value):
    r = cli("client", "list", today=value)
    assert r.exit_code == 2
    assert r.stderr.startswith(("freelance: error: --today: cannot read ",
                                f"freelance: error: --today: '{value}' is not a day of the calendar"))
    assert "Traceback" not in r.output
    p = run_proc("--books", cli.book, "client", "list", env={"FREELANCE_TODAY": value})
    assert p.returncode == 2 and p.stderr.startswith("freelance: error: --today: ")
