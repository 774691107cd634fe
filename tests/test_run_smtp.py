"""`freelance run` with real SMTP: a local aiosmtpd server on 127.0.0.1 receives the mails;
it is killed in the middle of a run, and the next run sends what it did not take
(docs/reminders.md: sent is recorded only when sent)."""
from __future__ import annotations

import email
import json
import socket
import threading
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

from conftest import run_cli


class Inbox:
    """An SMTP server's handler that keeps every message, and stops the server at message `kill_at`."""

    def __init__(self, kill_at=None):
        self.messages, self.kill_at, self.count, self.controller = [], kill_at, 0, None

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.count == self.kill_at:
            threading.Thread(target=self.controller.stop).start()     # the server goes away mid-run
            return "421 closing down"
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def _serve(inbox: Inbox, port: int) -> Controller:
    c = Controller(inbox, hostname="127.0.0.1", port=port)
    inbox.controller = c
    c.start()
    return c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_smtp_takes_the_mails_and_a_run_after_it_died_sends_the_rest(cli):
    (cli.book / "recurring.yaml").unlink()             # the demo's retainer: this test's own instead
    cli("recurring", "add", "--client", "acme", "--item", "Retainer:1:2000", "--every", "month", "--on", "1",
        "--start", "2026-12-01", "--send", "--id", "retainer")
    port = _free_port()
    env = {"FREELANCE_SMTP_HOST": "127.0.0.1", "FREELANCE_SMTP_PORT": str(port), "FREELANCE_SMTP_TLS": "none"}
    first = Inbox(kill_at=2)
    _serve(first, port)
    try:
        r = cli("run", "--format", "json", today="2026-12-01", env=env)
    finally:
        if first.controller.loop.is_running():
            first.controller.stop()
    assert r.exit_code == 1, r.output
    done = json.loads(r.stdout)
    (made,) = [d for d in done if d["action"] == "invoice"]
    waiting = sorted(d["invoice"] for d in done if d["action"] == "failed")
    assert len(first.messages) == 1 and waiting                      # one taken, then the server was gone
    inv = json.loads(cli("invoice", "show", made["invoice"], "--format", "json").stdout)
    assert inv["status"] == "sent" and made["file"] == f"outbox/sent/{made['invoice']}.eml"
    for number in waiting:                                           # not recorded: the invoice as it was
        shown = json.loads(cli("invoice", "show", number, "--format", "json").stdout)
        assert not shown["reminders"]
        assert (cli.book / "outbox" / f"{number}-reminder-1.eml").is_file()

    second = Inbox()
    _serve(second, port)
    try:
        r = cli("run", "--format", "json", today="2026-12-02", env=env)
        assert r.exit_code == 0, r.output
        assert sorted(d["invoice"] for d in json.loads(r.stdout) if d["action"] == "retry") == waiting
        assert json.loads(cli("run", "--format", "json", today="2026-12-02", env=env).stdout) == []
    finally:
        second.controller.stop()
    got = first.messages + second.messages
    subjects = [m["Subject"] for m in got]
    assert len(subjects) == len(set(subjects)) == 1 + len(waiting)
    for m in second.messages:
        number = m["Subject"].split("invoice ")[1].split()[0]
        assert m["Subject"].startswith("Payment reminder") and number in waiting
        assert m["To"].addresses[0].addr_spec and not any(k.lower().startswith("x-freelance") for k in m.keys())
        (pdf,) = list(m.iter_attachments())
        assert pdf.get_filename() == f"{number}-reminder-1.pdf" and pdf.get_content().startswith(b"%PDF")
        shown = json.loads(cli("invoice", "show", number, "--format", "json").stdout)
        assert [(x["level"], x["date"], x["document"]) for x in shown["reminders"]] == \
            [(1, "2026-12-02", f"outbox/sent/{number}-reminder-1.eml")]
    assert first.messages[0]["Subject"].startswith(f"Invoice {made['invoice']}")
    assert not list((cli.book / "outbox").glob("*.eml"))             # every mail went out
    assert run_cli("validate", books=cli.book).exit_code == 0
