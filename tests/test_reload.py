"""`Book.reload`: how a long-running reader (`serve`) sees the book again after a change,
re-reading only the kinds whose files changed, through a public method of the store."""
import datetime as dt

from conftest import TODAY

from freelance.store.book import Book

DAY = dt.date.fromisoformat(TODAY)


def test_reload_rereads_only_what_changed(cli):
    first = Book(cli.book, DAY).reload()
    clients, txs = first.records("client"), first.records("transaction")
    assert first.reload() is first                       # nothing changed: the same book, nothing read

    r = cli("client", "move", "hooli", "negotiation")
    assert r.exit_code == 0, r.output
    again = first.reload()
    assert again is not first
    assert again.records("transaction") is txs           # untouched kind: not read again
    assert again.get("client", "hooli").data["stage"] == "negotiation"
    assert first.records("client") is clients            # the old book is as its reader saw it
    assert first.get("client", "hooli").data["stage"] == "lead"


def test_reload_starts_afresh_when_the_settings_or_today_change(cli):
    first = Book(cli.book, DAY).reload()
    txs = first.records("transaction")
    assert first.reload(DAY + dt.timedelta(days=1)).records("transaction") is not txs
    r = cli("settings", "add", "stages", "lost")
    assert r.exit_code == 0, r.output
    again = first.reload()
    assert "lost" in again.settings.allowed("stages") and again.records("transaction") is not txs
