"""Issue 23: the seal of a sent invoice is checked, not trusted.

A collaborator who edits a sent invoice's quantities by hand and deletes the `seal:` line, or
recomputes a plain SHA-256 for it, is noticed by `validate` (an error, exit 1). What a seal can
prove is said in docs/documents.md: that nobody edited the record by hand without the tool
noticing; not who did it (git signatures say that).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DEMO, TODAY, prepared, run_cli

NUMBER = "INV-2026-019"


@pytest.fixture
def sent(cli):
    """The demo book with NUMBER sent (sent by the CLI once per worker, a copy for each test:
    conftest.prepared)."""
    shutil.rmtree(cli.book)
    prepared("seal-sent", _send, cli.book)
    return cli


def _send(root: Path) -> None:
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".freelance"))
    r = run_cli("invoice", "send", NUMBER, "--eml", root.parent / "mail.eml", books=root, today=TODAY)
    assert r.exit_code == 0, r.output
    assert run_cli("validate", books=root, today=TODAY).exit_code == 0


def seal_line(book: Path) -> str:
    text = (book / "invoices.yaml").read_text()
    block = text[text.index(f"- id: {NUMBER}\n"):]
    return re.search(r"^  seal: (.*)$", block, re.M).group(1)


def edit_by_hand(book: Path, seal: str | None) -> None:
    """The first line's quantity 40 -> 4, and the seal line replaced by `seal` (None: deleted)."""
    path = book / "invoices.yaml"
    text = path.read_text()
    start = text.index(f"- id: {NUMBER}\n")
    end = text.find("\n- id:", start + 1)
    block = text[start:end]
    block = block.replace("    quantity: 40\n", "    quantity: 4\n", 1)
    block = re.sub(r"^  seal: .*\n?", "" if seal is None else f"  seal: {seal}\n", block, flags=re.M)
    path.write_text(text[:start] + block + text[end:])


def canonical(value):
    """The seal's canonical values, written out again here (not imported): what someone who
    reads the code and recomputes a hash by hand would do."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (Decimal, int, float)):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return str(value)


def fields_json(book: Path, fields) -> str:
    from freelance.store.book import Book
    data = Book(book, dt.date(2026, 11, 25)).get("invoice", NUMBER).data
    shown = {k: canonical(data.get(k)) for k in fields if data.get(k) is not None}
    return json.dumps(shown, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


SEALED = ("id", "client", "project", "issued", "due", "items", "amount", "tax_rate", "currency",
          "supply_start", "supply_end", "credit_for")


def test_a_sent_invoice_records_what_its_seal_covers_and_its_version(sent):
    seal = seal_line(sent.book)
    version, fields, algo, digest = seal.split(":")
    assert version == "v2" and algo == "hmac-sha256" and re.fullmatch(r"[0-9a-f]{64}", digest)
    assert fields.split(",") == list(SEALED)


def test_deleting_the_seal_is_an_error(sent):
    edit_by_hand(sent.book, None)
    r = sent("validate")
    assert r.exit_code == 1 and NUMBER in r.output and "seal" in r.output, r.output


@pytest.mark.parametrize("how", ["plain sha256 (the old format)", "plain sha256 in the new format",
                                 "fewer fields", "another version"])
def test_a_recomputed_seal_does_not_pass(sent, how):
    edit_by_hand(sent.book, "placeholder")
    if how == "plain sha256 (the old format)":
        forged = "sha256:" + hashlib.sha256(fields_json(sent.book, SEALED).encode()).hexdigest()
    elif how == "plain sha256 in the new format":
        message = f"v2\n{','.join(SEALED)}\n{fields_json(sent.book, SEALED)}"
        forged = f"v2:{','.join(SEALED)}:hmac-sha256:" + hashlib.sha256(message.encode()).hexdigest()
    elif how == "fewer fields":
        message = f"v2\nid\n{fields_json(sent.book, ['id'])}"
        forged = "v2:id:hmac-sha256:" + hmac.new(b"freelance invoice seal v2", message.encode(),
                                                  hashlib.sha256).hexdigest()
    else:
        forged = "v9:id:hmac-sha256:" + "0" * 64
    edit_by_hand(sent.book, forged)
    r = sent("validate")
    assert r.exit_code == 1 and NUMBER in r.output and "seal" in r.output, (how, r.output)
    assert "Traceback" not in r.output


def test_a_hand_edit_under_an_intact_seal_is_an_error_and_is_not_sent_again(sent, tmp_path):
    seal = seal_line(sent.book)
    edit_by_hand(sent.book, seal)
    r = sent("validate")
    assert r.exit_code == 1 and "changed by hand" in r.output
    r = sent("invoice", "send", NUMBER, "--eml", tmp_path / "again.eml")
    assert r.exit_code == 1 and "not sent again" in r.stderr and not (tmp_path / "again.eml").exists()


def test_a_first_format_seal_proves_nothing_and_sending_again_reseals_it(sent, tmp_path):
    """A seal of the first format (a plain SHA-256) cannot be told from one recomputed after a
    hand edit: an error, whose way out is sending again (the user vouches for it)."""
    edit_by_hand(sent.book, "placeholder")        # quantity 4 now, sealed the old way by the tool then
    old = "sha256:" + hashlib.sha256(fields_json(sent.book, SEALED).encode()).hexdigest()
    edit_by_hand(sent.book, old)
    r = sent("validate")
    assert r.exit_code == 1 and "first format" in r.output and f"invoice send {NUMBER}" in r.output, r.output
    r = sent("invoice", "send", NUMBER, "--eml", tmp_path / "again.eml")
    assert r.exit_code == 0, r.output
    assert seal_line(sent.book).startswith("v2:") and sent("validate").exit_code == 0


def test_an_invoice_marked_sent_without_send_needs_no_seal(cli):
    """`invoice move X sent` (or a book's history typed in) has no seal and no sent_on: fine."""
    assert cli("invoice", "move", NUMBER, "sent").exit_code == 0
    assert cli("validate").exit_code == 0
