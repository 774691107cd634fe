"""The merge driver: git calls `freelance merge-file` on book files (docs/merge.md).

Every test merges with real git in real clones (`git merge`, `git pull --rebase`); the
driver runs because git calls it."""
from __future__ import annotations

import pytest
import yaml

from conftest import run_cli
from gitbooks import commit, fl, git, origin_and_clone


def clients(book):
    return {c["id"]: c for c in yaml.safe_load((book / "clients.yaml").read_text()) or []}


def pull(book, rebase=False):
    return git(book, "pull", "-q", "--rebase" if rebase else "--no-rebase", "origin", "HEAD", check=False)


@pytest.mark.parametrize("rebase", [False, True], ids=["merge", "rebase"])
def test_records_added_and_fields_changed_on_both_sides_merge(tmp_path, rebase):
    a, b = origin_and_clone(tmp_path)
    fl(a, "client", "add", "Gamma")
    fl(a, "client", "move", "acme", "negotiation")
    commit(a, "a")
    fl(b, "client", "add", "Delta")
    fl(b, "client", "edit", "acme", "--phone", "555 0100")
    fl(b, "client", "edit", "beta", "--email", "hi@beta.test")
    commit(b, "b")
    p = pull(b, rebase)
    assert p.returncode == 0, p.stderr
    got = clients(b)
    assert list(got) == ["acme", "beta", "delta", "gamma"]        # both added; date, then id
    assert got["acme"]["stage"] == "negotiation" and got["acme"]["phone"] == "555 0100"
    assert got["beta"]["email"] == "hi@beta.test"
    assert "<<<<<<<" not in (b / "clients.yaml").read_text()
    assert run_cli("validate", books=b).exit_code == 0


def test_text_merge_alone_would_conflict_on_the_append(tmp_path):
    """Without the driver (a plain clone, no `git setup`), two appends conflict: what the
    driver is for."""
    a, b = origin_and_clone(tmp_path, setup=False)
    (b / ".gitattributes").write_text("*.yaml text eol=lf\n")
    commit(b, "no driver")
    fl(a, "client", "add", "Gamma")
    commit(a, "a")
    fl(b, "client", "add", "Delta")
    commit(b, "b")
    assert pull(b).returncode != 0


def test_the_same_field_changed_differently_is_a_conflict_around_that_record_only(tmp_path):
    a, b = origin_and_clone(tmp_path)
    fl(a, "client", "edit", "beta", "--email", "a@beta.test")
    fl(a, "client", "add", "Gamma")
    commit(a, "a")
    fl(b, "client", "edit", "beta", "--email", "b@beta.test")
    fl(b, "client", "edit", "acme", "--phone", "1")
    commit(b, "b")
    p = pull(b)
    assert p.returncode != 0
    assert "beta" in p.stderr and "email" in p.stderr
    unmerged = git(b, "diff", "--name-only", "--diff-filter=U").stdout.split()
    assert unmerged == ["clients.yaml"]
    text = (b / "clients.yaml").read_text()
    assert text.count("<<<<<<<") == 1 and text.count(">>>>>>>") == 1
    inside = text.split("<<<<<<<", 1)[1].split(">>>>>>>", 1)[0]
    assert "id: beta" in inside and "a@beta.test" in inside and "b@beta.test" in inside
    assert "id: acme" not in inside and "id: gamma" not in inside
    outside = text.replace(inside, "")
    assert "id: gamma" in outside and "phone: '1'" in outside   # the rest merged


@pytest.mark.parametrize("remover", ["a", "b"])
def test_removed_on_one_side_and_edited_on_the_other_is_a_conflict(tmp_path, remover):
    a, b = origin_and_clone(tmp_path)
    rm, edit = (a, b) if remover == "a" else (b, a)
    fl(rm, "client", "rm", "beta")
    commit(rm, "rm")
    fl(edit, "client", "edit", "beta", "--phone", "2")
    commit(edit, "edit")
    p = pull(b)
    assert p.returncode != 0
    text = (b / "clients.yaml").read_text()
    assert text.count("<<<<<<<") == 1 and "phone: '2'" in text


def test_removed_on_one_side_untouched_on_the_other_is_removed(tmp_path):
    a, b = origin_and_clone(tmp_path)
    fl(a, "client", "rm", "beta")
    commit(a, "rm")
    fl(b, "client", "add", "Delta")
    commit(b, "add")
    assert pull(b).returncode == 0
    assert list(clients(b)) == ["acme", "delta"]


def test_comments_and_quoting_survive(tmp_path):
    a, b = origin_and_clone(tmp_path)
    path = a / "clients.yaml"
    path.write_text(path.read_text().replace("  name: Acme\n", "  name: 'Acme'   # the big one\n")
                    .replace("- id: beta\n", "# met at the fair\n- id: beta\n"))
    fl(a, "client", "add", "Gamma")
    commit(a, "comments")
    fl(b, "client", "edit", "acme", "--stage", "client")
    fl(b, "client", "add", "Delta")
    commit(b, "b")
    assert pull(b).returncode == 0
    text = (b / "clients.yaml").read_text()
    assert "  name: 'Acme'   # the big one\n" in text and "# met at the fair\n- id: beta\n" in text
    assert clients(b)["acme"]["stage"] == "client"


def test_a_field_changed_on_one_side_keeps_the_other_sides_comment(tmp_path):
    a, b = origin_and_clone(tmp_path)
    path = a / "clients.yaml"
    path.write_text(path.read_text().replace("  company: Beta Ltd\n", "  company: Beta Ltd  # since 2020\n"))
    commit(a, "a comment")
    fl(b, "client", "edit", "beta", "--phone", "9")
    commit(b, "b")
    assert pull(b).returncode == 0
    text = (b / "clients.yaml").read_text()
    assert "  company: Beta Ltd  # since 2020\n" in text and clients(b)["beta"]["phone"] == "9"


def test_records_added_on_both_sides_are_in_date_order_whichever_way_merged(tmp_path):
    a, b = origin_and_clone(tmp_path)
    fl(a, "income", "add", "100", "--date", "2026-11-20", "--classification", "other", "--account", "bank")
    commit(a, "a")
    fl(b, "income", "add", "200", "--date", "2026-11-10", "--classification", "other", "--account", "bank")
    fl(b, "income", "add", "300", "--date", "2026-11-22", "--classification", "other", "--account", "bank")
    commit(b, "b")
    git(a, "fetch", "-q", b, "HEAD")
    assert pull(b).returncode == 0
    git(a, "merge", "-q", "--no-edit", "FETCH_HEAD")
    seen = []
    for book in (a, b):
        recs = yaml.safe_load((book / "transactions/2026.yaml").read_text())
        seen.append([str(r["date"]) for r in recs])
    assert seen[0] == seen[1] == ["2026-11-10", "2026-11-20", "2026-11-22"]


def test_settings_merge_by_key(tmp_path):
    a, b = origin_and_clone(tmp_path)
    fl(a, "settings", "add", "stages", "lost")
    commit(a, "a")
    fl(b, "settings", "set", "payment_terms_days", "14")
    commit(b, "b")
    assert pull(b).returncode == 0
    s = yaml.safe_load((b / "freelance.yaml").read_text())
    assert "lost" in s["stages"] and s["payment_terms_days"] == 14
    assert (b / "freelance.yaml").read_text().startswith("# freelance book settings")


def test_a_file_that_does_not_parse_is_merged_as_text(tmp_path):
    a, b = origin_and_clone(tmp_path)
    path = a / "clients.yaml"
    path.write_text(path.read_text() + "- id: [broken\n")
    commit(a, "broken")
    fl(b, "client", "edit", "acme", "--phone", "3")
    commit(b, "b")
    assert pull(b).returncode == 0                  # git's text merge: different lines
    text = (b / "clients.yaml").read_text()
    assert "- id: [broken" in text and "phone: '3'" in text


def test_merge_file_outside_git_names_its_misuse(tmp_path):
    r = run_cli("merge-file", tmp_path / "nope", tmp_path / "nope2", tmp_path / "nope3", "clients.yaml")
    assert r.exit_code == 2 and "BASE" in r.output


def test_validate_warns_when_the_driver_is_not_registered_and_git_setup_fixes_it(tmp_path):
    a, b = origin_and_clone(tmp_path, setup=False)
    r = run_cli("validate", books=b)
    assert r.exit_code == 0 and "warning" in r.output and "freelance git setup" in r.output
    fl(b, "git", "setup")
    assert git(b, "config", "--get", "merge.freelance.driver").stdout.strip().endswith("merge-file %O %A %B %P")
    r = run_cli("validate", books=b)
    assert r.exit_code == 0 and "warning" not in r.output, r.output
    assert run_cli("validate", books=a).output.count("warning") == 0     # `init` registered it


def test_git_setup_adds_the_attribute_to_an_older_books_gitattributes(tmp_path):
    a, b = origin_and_clone(tmp_path, setup=False)
    (b / ".gitattributes").write_text("*.yaml text eol=lf\n")
    commit(b, "an older book")
    r = fl(b, "git", "setup")
    assert ".gitattributes" in r.output
    assert (b / ".gitattributes").read_text().splitlines()[0] == "*.yaml text eol=lf"
    assert "*.yaml merge=freelance" in (b / ".gitattributes").read_text().splitlines()
    assert "warning" not in run_cli("validate", books=b).output
    fl(b, "git", "setup")                                           # again: nothing doubled
    assert (b / ".gitattributes").read_text().count("merge=freelance") == 1


def test_git_setup_outside_a_repository_is_misuse(empty_book):
    r = run_cli("git", "setup", books=empty_book)
    assert r.exit_code == 2 and "git" in r.output
