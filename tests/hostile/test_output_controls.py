"""Issue 23: every output cleans control characters, `time status` and mail headers included.

A shared book's `timer.yaml` may hold escape sequences (clear the screen, write the clipboard
through OSC 52, set the window title) and bidirectional overrides; a seller's name, a client's
name or a mail template's subject may hold line separators (U+0085, U+2028, vertical tab)
that a mail header cannot carry. None of it reaches the terminal raw, none of it crashes.
"""
from __future__ import annotations

import email
from email import policy

import pytest
from conftest import TODAY, run_proc

NUMBER = "INV-2026-019"
ESCAPES = ["\x1b[2J", "\x1b]52;c;ZWNobyBwd25lZA==\x07", "\x1b]0;owned\x07", "\u202e", "\x1b[31m", "\x07", "\x9b"]


@pytest.fixture
def timer(cli):
    r = cli("time", "start", "acme-website", "--service", "acme-build", "--at", "09:00", "--note", "hello")
    assert r.exit_code == 0, r.output
    return cli.book / "timer.yaml"


def test_time_status_prints_no_escape_sequence_from_timer_yaml(cli, timer):
    text = timer.read_text()
    escaped = "".join(e.encode("unicode_escape").decode() for e in ESCAPES)      # YAML's \x1b, \u202e
    timer.write_text(text.replace("note: hello", f'note: "a{escaped}b\\nsecond line"'))
    p = run_proc("--books", cli.book, "--today", TODAY, "time", "status", env={"TZ": "UTC"})
    assert p.returncode == 0, p.stderr
    for e in ESCAPES:
        assert e not in p.stdout, repr(e)
    assert "\x1b" not in p.stdout and "timer on 'acme-website'" in p.stdout
    assert p.stdout.count("\n") == 1 and "second line" in p.stdout      # one line, as the command promises


def set_by_hand(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("sep", ["\u0085", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c"])
def test_line_separators_in_names_and_subject_do_not_break_the_mail(cli, tmp_path, sep):
    book = cli.book
    escaped = sep.encode("unicode_escape").decode()
    set_by_hand(book / "freelance.yaml", "legal_name: Example Studio Ltd",
                f'legal_name: "Example{escaped}Studio Ltd"')
    (book / "templates").mkdir()
    (book / "templates" / "invoice-mail.txt").write_text(
        f"Invoice {{{{ doc.number }}}}{sep}Bcc: victim@example.test\n\nHello{sep}there,\nthe invoice.\n",
        encoding="utf-8")
    eml = tmp_path / "mail.eml"
    p = run_proc("--books", book, "--today", TODAY, "invoice", "send", NUMBER, "--eml", eml)
    assert p.returncode == 0, p.stderr[-1500:]
    assert "Traceback" not in p.stderr
    raw = eml.read_bytes()
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Bcc"] is None                                           # no header smuggled in
    assert "\n" not in str(msg["Subject"]) and NUMBER in str(msg["Subject"])
    assert "Example" in str(msg["From"]) and "Studio" in str(msg["From"])
    for header in (b"Subject:", b"From:"):
        line = raw.split(header, 1)[1].split(b"\r\n", 1)[0]
        assert sep.encode() not in line


def test_invoice_html_prints_no_escape_sequence_from_the_book(cli):
    """`invoice html` prints to the terminal when no --out is given: a client's name or an
    item's description with escape sequences reaches it cleaned (and the PDF, XML and mail
    are made from the same cleaned document)."""
    set_by_hand(cli.book / "invoices.yaml", "  - description: Front-end build, November\n",
                '  - description: "Front-end\\e]0;owned\\a build\\e[2J, \\u202eNovember"\n')
    r = cli("invoice", "html", NUMBER)
    assert r.exit_code == 0, r.output
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout and "\x07" not in r.stdout
    assert "Front-end" in r.stdout and "November" in r.stdout
