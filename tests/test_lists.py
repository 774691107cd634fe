"""Lists: their order and what `--search` looks in."""

import json

import pytest


def test_income_expense_and_meeting_lists_come_by_date(cli):
    with open(cli.book / "transactions" / "2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: tx-early\n  date: 2026-01-02\n  kind: income\n  amount: 1\n  classification: other\n"
                 "  account: bank\n  received: true\n"
                 "- id: tx-early-x\n  date: 2026-01-03\n  kind: expense\n  amount: 1\n  category: other\n"
                 "  account: bank\n  received: true\n")
    with open(cli.book / "meetings" / "2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: m-early\n  title: Early\n  start: 2026-01-05 09:00\n  duration: 30m\n")
    for noun, early in (("income", "tx-early"), ("expense", "tx-early-x"), ("meeting", "m-early")):
        rows = json.loads(cli(noun, "list", "--format", "json").stdout)
        field = "start" if noun == "meeting" else "date"
        dates = [r[field] for r in rows]
        assert dates == sorted(dates, reverse=True), noun             # newest first
        assert [r["id"] for r in rows].index(early) >= len(rows) - 3, noun   # written last, listed in its place


@pytest.mark.parametrize("noun, text, expected", [
    ("client", "HARBOR", ["blue-harbor"]),
    ("income", "reference nw-4471", ["tx-20261124-81e74e"]),
    ("expense", "figma", None),
    ("meeting", "kick-off", None),
    ("project", "dashboard", ["globex-dashboard"]),
    ("contact", "nomatch-at-all", []),
])
def test_list_search_looks_in_name_description_and_notes(cli, noun, text, expected):
    r = cli(noun, "list", "--search", text, "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    if expected is not None:
        assert [x["id"] for x in rows] == expected
    else:
        assert rows
    for x in rows:
        hay = " ".join(str(x.get(k) or "") for k in ("name", "title", "description", "notes", "note")).casefold()
        assert text.casefold() in hay


def test_search_finds_notes_too(cli):
    assert cli("client", "edit", "globex", "--notes", "Prefers invoices in PDF/A").exit_code == 0
    rows = json.loads(cli("client", "list", "--search", "pdf/a", "--format", "json").stdout)
    assert [x["id"] for x in rows] == ["globex"]
