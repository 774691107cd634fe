"""The README's crontab lines and pre-commit hook work as written.

They run through /bin/sh exactly as the README has them; `freelance` and
`mail` on PATH are small scripts (this checkout's package, and a mail that
keeps what it was given).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from conftest import DEMO, GOLDEN, ROOT, TODAY

README = (ROOT / "README.md").read_text(encoding="utf-8")


def block(lang: str, starts: str) -> str:
    for m in re.finditer(rf"```{lang}\n(.*?)```", README, re.S):
        if m.group(1).startswith(starts):
            return m.group(1)
    raise AssertionError(f"README has no ```{lang} block starting with {starts!r}")


@pytest.fixture
def home(tmp_path):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    (bin_ / "freelance").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m freelance "$@"\n')
    (bin_ / "mail").write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$HOME/mail.args"\ncat > "$HOME/mail.body"\n')
    for f in bin_.iterdir():
        f.chmod(0o755)
    shutil.copytree(DEMO, tmp_path / "books", ignore=shutil.ignore_patterns(".freelance"))
    return tmp_path


def env(home, **extra):
    return {"PATH": f"{home / 'bin'}:/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(ROOT), **extra}


def cron_commands() -> list[str]:
    lines = [x for x in block("crontab", "PATH=").splitlines() if re.match(r"[\d*]", x)]
    assert len(lines) == 2
    return [x.split(None, 5)[5] for x in lines]


def test_weekly_crontab_line_mails_the_digest(home):
    weekly, _ = cron_commands()
    p = subprocess.run(["/bin/sh", "-c", weekly], cwd=home, env=env(home, FREELANCE_TODAY=TODAY),
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert (home / "mail.body").read_bytes() == (GOLDEN / "reports" / "digest.md").read_bytes()
    assert (home / "mail.args").read_text().splitlines() == ["-s", "freelance: weekly digest", "you@example.com"]


def test_daily_crontab_line_mails_only_when_an_invoice_is_overdue(home):
    _, daily = cron_commands()
    subprocess.run(["/bin/sh", "-c", daily], cwd=home, env=env(home, FREELANCE_TODAY=TODAY), timeout=60)
    assert (home / "mail.body").read_bytes() == (GOLDEN / "reports" / "digest.md").read_bytes()
    (home / "mail.body").unlink()
    # On 1 March nothing had been invoiced yet: no mail.
    subprocess.run(["/bin/sh", "-c", daily], cwd=home, env=env(home, FREELANCE_TODAY="2026-03-01"), timeout=60)
    assert not (home / "mail.body").exists()
    assert "# Digest" in (home / ".digest.md").read_text()


def test_pre_commit_hook_refuses_a_book_with_errors(home):
    book = home / "books"
    e = env(home, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    git = lambda *a: subprocess.run(["git", *a], cwd=book, env=e, capture_output=True, text=True, timeout=60)
    assert git("init", "-q").returncode == 0
    subprocess.run(["/bin/sh", "-c", block("sh", "cat > .git/hooks/pre-commit")], cwd=book, env=e, check=True)
    git("add", "-A")
    ok = git("commit", "-qm", "books")
    assert ok.returncode == 0, ok.stderr
    with open(book / "clients.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: acme\n  name: Acme again\n")
    bad = git("commit", "-qam", "duplicate")
    assert bad.returncode == 1
    assert "duplicate" in bad.stdout + bad.stderr and "pre-commit: freelance validate found errors" in bad.stderr
    assert git("rev-list", "--count", "HEAD").stdout.strip() == "1"
