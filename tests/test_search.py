"""Finding and ordering: `freelance search` over the whole book, `list --search` in every text
field, `list --sort`, dated lists newest first, and tables that fit 100 columns."""
import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freelance.read.search import matches, search, sort_rows
from freelance.store.records import Record


def _expense(cli, *args):
    r = cli("expense", "add", *args)
    assert r.exit_code == 0, r.output
    return r


def test_a_bank_paid_expense_is_found_by_who_was_paid_and_by_its_reference(cli):
    with open(cli.book / "transactions" / "2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: tx-20261127-bank01\n  date: 2026-11-27\n  kind: expense\n  amount: 21.00\n"
                 "  category: software\n  account: bank\n  received: true\n  description: Card payment\n"
                 "  payee: Zebrafish Hosting GmbH\n  reference: RF18 5390 0754 7034\n")
    hits = json.loads(cli("search", "zebrafish", "--format", "json").stdout)
    assert [(h["kind"], h["id"]) for h in hits] == [("expense", "tx-20261127-bank01")]
    assert hits[0]["found_in"] == ["payee"]
    hits = json.loads(cli("search", "RF18 5390", "--format", "json").stdout)
    assert [h["id"] for h in hits] == ["tx-20261127-bank01"]
    rows = json.loads(cli("expense", "list", "--search", "zebrafish", "--format", "json").stdout)
    assert [r["id"] for r in rows] == ["tx-20261127-bank01"]
    table = cli("expense", "list", "--search", "zebrafish").stdout
    assert "Zebrafish" in table and "payee" in table


def test_search_ranks_a_name_above_a_mention_and_every_word_must_be_there(cli):
    hits = json.loads(cli("search", "northwind", "--format", "json").stdout)
    assert hits[0]["id"] == "northwind" and hits[0]["kind"] == "client"
    kinds = {h["kind"] for h in hits}
    assert {"client", "project", "invoice"} <= kinds
    both = json.loads(cli("search", "northwind", "shop", "--format", "json").stdout)
    assert both and all(h["id"] in {x["id"] for x in hits} for h in both) and len(both) < len(hits)
    only = json.loads(cli("search", "northwind", "--kind", "invoice", "--format", "json").stdout)
    assert only and {h["kind"] for h in only} == {"invoice"}


def test_search_says_what_is_wrong(cli):
    r = cli("search", "acme", "--kind", "invoce")
    assert r.exit_code == 2 and "--kind: no kind 'invoce'" in r.stderr and "invoice" in r.stderr
    r = cli("search", "nothing-holds-this-word")
    assert r.exit_code == 0 and "(none)" in r.stdout


def test_list_sort_by_a_field_descending_and_ties_by_another(cli):
    rows = json.loads(cli("invoice", "list", "--sort", "-total", "--sort", "id", "--format", "json").stdout)
    totals = [(Decimal(r["total"]), r["id"]) for r in rows]
    assert [t for t, _ in totals] == sorted((t for t, _ in totals), reverse=True)
    for (t1, i1), (t2, i2) in zip(totals, totals[1:]):
        assert t1 > t2 or (t1 == t2 and i1 < i2)
    up = json.loads(cli("invoice", "list", "--sort=client", "--format", "json").stdout)
    assert [r["client"] for r in up] == sorted(r["client"] for r in up)


def test_sort_by_a_field_that_does_not_exist_is_a_usage_error_with_a_suggestion(cli):
    r = cli("invoice", "list", "--sort", "totl")
    assert r.exit_code == 2 and "'totl'" in r.stderr and "total" in r.stderr


@pytest.mark.parametrize("noun, field", [("income", "date"), ("expense", "date"), ("meeting", "start"),
                                         ("time", "date")])
def test_dated_lists_come_newest_first(cli, noun, field):
    rows = json.loads(cli(noun, "list", "--format", "json").stdout)
    dates = [str(r[field]) for r in rows]
    assert len(dates) > 2 and dates == sorted(dates, reverse=True)


def test_lists_show_what_a_person_needs_and_fit_100_columns(cli):
    long = "A very long description of a payment that goes on and on " * 3
    _expense(cli, "19.99", "--category", "software", "--description", long, "--payee", "Figma Inc")
    table = cli("expense", "list").stdout
    assert "category" in table and "payee" in table and "Figma Inc" in table
    assert max(len(line) for line in table.splitlines()) <= 100
    time = cli("time", "list").stdout
    assert "service" in time.splitlines()[0] and "note" in time.splitlines()[0]
    assert max(len(line) for line in time.splitlines()) <= 100


# -- the rules, for any text --------------------------------------------------------------------

WORD = st.text(alphabet="abcdeXYZ é-", min_size=1, max_size=6).filter(lambda s: s.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(st.sampled_from(["name", "notes", "payee", "reference"]), WORD, min_size=1),
                min_size=1, max_size=8),
       st.lists(WORD, min_size=1, max_size=2))
def test_search_finds_exactly_the_records_holding_every_word(datas, words):
    records = [Record("client", {"id": f"r{i}", **d}, "clients.yaml", i + 1, {})
               for i, d in enumerate(datas)]
    text = " ".join(words)
    found = {h["id"] for h in search(records, text)} if text.split() else set()
    expected = {r.id for r in records
                if all(w in " ".join([r.id, *map(str, r.data.values())]).casefold()
                       for w in text.casefold().split())}
    assert found == expected
    assert all(matches(r, text) == (r.id in expected) for r in records)


VALUE = st.one_of(st.none(), st.integers(-5, 5), st.dates(), st.text(alphabet="ab", max_size=2))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.fixed_dictionaries({"a": st.one_of(st.none(), st.integers(-5, 5)),
                                       "b": st.one_of(st.none(), st.text(alphabet="abC", max_size=2))}),
                max_size=12), st.booleans())
def test_sort_orders_by_each_key_and_leaves_missing_values_last(rows, desc):
    out = sort_rows([dict(r, n=i) for i, r in enumerate(rows)], [("a", desc), ("b", False)])
    assert sorted(r["n"] for r in out) == list(range(len(rows)))      # nothing lost or doubled
    present = [r for r in out if r["a"] is not None]
    assert out[:len(present)] == present                              # missing last
    keys = [r["a"] for r in present]
    assert keys == sorted(keys, reverse=desc)
    for x, y in zip(present, present[1:]):                            # ties: by b, missing b last
        if x["a"] == y["a"] and x["b"] and y["b"]:
            assert x["b"].casefold() <= y["b"].casefold()


def test_the_servers_index_finds_what_a_scan_finds_in_the_same_order(demo):
    """`serve` searches through an Index kept per kind (read/search.py); the hits, their order,
    snippets and scores are those of the scan `freelance search` makes."""
    import datetime as dt
    from freelance.core.schema import KINDS
    from freelance.read.search import Index
    from freelance.store.book import Book
    book = Book(demo, dt.date(2026, 11, 25))
    records = [r for k in KINDS for r in book.records(k)]
    index = Index(parts=[Index(book.records(k)) for k in KINDS])
    for q in ("acme", "ACME website", "inv-2026", "design sprint", "nothing-like-this", "a"):
        assert search((), q, limit=50, index=index) == search(records, q, limit=50), q


@pytest.mark.parametrize("how", ["changed", "mended"])
def test_an_index_mended_after_each_kind_of_edit_finds_what_a_fresh_scan_finds(demo, monkeypatch, how):
    """`serve` mends its index after a write (`Index.changed` with the reload's changes, or
    `Index.mended` by the records kept): after every edit of tests/test_graph_adopt.py the hits,
    their order, snippets and scores are a fresh scan's. Blocks of 3 records, so that a change
    lands in one block of many."""
    import datetime as dt
    from freelance.core.schema import KINDS
    from freelance.read import search as find
    from freelance.store.book import Book
    from test_graph_adopt import each_edit
    monkeypatch.setattr(find, "BLOCK", 3)
    today = dt.date(2026, 11, 25)
    book = Book(demo, today).reload()
    index = {k: (book.records(k), find.Index(book.records(k))) for k in KINDS}
    applied = 0
    for name in each_edit(demo):
        applied += 1
        new = book.reload(today)
        for k in KINDS:
            recs, idx = index[k]
            if new.records(k) is not recs:
                if how == "changed" and k in new.changes:
                    idx = idx.changed(*new.changes[k])
                else:
                    idx = idx.mended(new.records(k))
            index[k] = (new.records(k), idx)
        book = new
        whole = find.Index(parts=[idx for _, idx in index.values()])
        fresh = Book(demo, today)
        records = [r for k in KINDS for r in fresh.records(k)]
        for q in ("acme", "inv-2026", "desk", "payment", "2026-11"):
            assert search((), q, limit=50, index=whole) == search(records, q, limit=50), (name, q)
    assert applied >= 10


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 5)), st.just("not a date")),
                max_size=30), st.integers(0, 35))
def test_the_newest_n_are_the_first_n_of_the_newest_first(dates, n):
    """The web's lists pick their newest rows without sorting the kind (`newest_first(..., n)`):
    the same records, in the same order, as the first n of the whole order (same days included)."""
    from freelance.core.schema import KINDS
    from freelance.read.search import newest_first
    records = [Record("time", {"id": f"t{i}", "date": d}, "timelog/2025.yaml", i + 1, {}) for i, d in enumerate(dates)]
    assert newest_first(KINDS["time"], records, n) == newest_first(KINDS["time"], records)[:n]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 4))), max_size=25),
       st.lists(st.integers(0, 30), max_size=6), st.lists(st.dates(dt.date(2025, 1, 1), dt.date(2025, 1, 4)), max_size=4),
       st.integers(0, 30))
def test_an_order_mended_by_what_went_and_came_is_the_order_made_afresh(dates, gone, came, n):
    """A server keeps its lists and the workflow in order and mends them with a reload's changes
    (`Newest.changed`): the newest n are those `newest_first` gives of the records as they are."""
    from freelance.core.schema import KINDS
    from freelance.read.search import Newest, date_key, newest_first
    kind = KINDS["time"]
    records = [Record("time", {"id": f"t{i}", "date": d}, "timelog/2025.yaml", i + 1, {}) for i, d in enumerate(dates)]
    order = Newest(records, date_key(kind), lambda r: True)
    went = [records[i] for i in sorted(set(gone)) if i < len(records)]
    new = [Record("time", {"id": f"n{i}", "date": d}, "timelog/2026.yaml", i + 1, {}) for i, d in enumerate(came)]
    now = [r for r in records if r not in went] + new
    mended = order.changed(went, new)
    assert mended.first(n) == newest_first(kind, now, n) and len(mended) == len(now)
