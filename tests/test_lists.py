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


def _list_json_row_by_row(root, noun: str, today: str) -> str:
    """`NOUN list --format json` as it was made before it took `views.rows`: one `views.row`
    a record (newest first), through the same renderer, with stdout as the CLI has it."""
    import datetime as dt
    from click.testing import CliRunner
    from freelance.cli.entity import _records
    from freelance.formats.render import render_rows
    from freelance.read import search as find
    from freelance.read import views
    from freelance.read.graph import Graph
    from freelance.store.book import Book
    book = Book(root, dt.date.fromisoformat(today))
    g = Graph(book)
    kind, recs = _records(book, noun)
    rows = [views.row(g, r) for r in find.newest_first(kind, recs)]
    with CliRunner().isolation():
        return render_rows(rows, views.columns(kind), "json", json_rows=rows)


def test_list_json_is_what_it_was_row_by_row_on_the_demo_book_and_a_generated_one(cli, tmp_path):
    """`list --format json` makes its rows as the exports do (`views.rows`): the same text, every
    noun, on the demo book and on a generated one of every kind."""
    from conftest import TODAY, run_cli
    from freelance.core.schema import NOUNS
    generated = tmp_path / "generated"
    assert run_cli("demo", generated, "--transactions", "300", today="2026-12-07").exit_code == 0
    for args in (("supplier", "add", "Hosting GmbH", "--category", "software"),
                 ("expense", "add", "49", "--supplier", "hosting-gmbh", "--date", "2026-11-02")):
        assert cli(*args).exit_code == 0
    shown = set()
    for root, today in ((cli.book, TODAY), (generated, "2026-12-07")):
        for noun in NOUNS:
            r = run_cli(noun, "list", "--format", "json", books=root, today=today)
            assert r.exit_code == 0, r.output
            assert r.stdout == _list_json_row_by_row(root, noun, today), (root.name, noun)
            if json.loads(r.stdout):
                shown.add(noun)
    assert set(NOUNS) - shown == set()      # every noun's list held rows in one of the books
