"""Dates are never guessed: the accepted forms are read, everything else is refused (exit 2)
with the forms listed, and money that has moved is not dated after today without --future."""
import datetime as dt
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import run_cli

TODAY = dt.date(2026, 11, 25)


def tx_file(book, year=2026):
    return book / "transactions" / f"{year}.yaml"


def snapshot(book):
    return {p: p.read_bytes() for p in book.rglob("*.yaml")}


# -- what a user typed, and what the book holds afterwards -------------------------------------

@pytest.mark.parametrize("typed", ["26-11-10", "01/02/2026", "31/12/2026", "friday", "3", "Dec", "20261125",
                                   "2026-W48-3", "next week", "2026/11/25", "25.11.2026", "Nov 25 2026"])
def test_a_date_that_would_be_a_guess_is_refused_with_the_accepted_forms(cli, typed):
    before = snapshot(cli.book)
    r = cli("expense", "add", "5", "--category", "software", "--date", typed)
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"freelance: error: --date: cannot read {typed!r} as a date; accepted: 2026-11-25 "
                               "(YYYY-MM-DD), today, yesterday, tomorrow, or an offset from today like +30d")
    assert snapshot(cli.book) == before
    assert not (cli.book / "transactions" / "2010.yaml").exists()


def test_slashed_dates_point_to_the_date_order_setting(cli):
    r = cli("income", "add", "10", "--date", "01/02/2026")
    assert r.exit_code == 2
    assert "`freelance settings set date_order dmy` (25/11/2026) or `mdy` (11/25/2026)" in r.stderr


@pytest.mark.parametrize("order, typed, stored", [
    ("dmy", "01/02/2026", "2026-02-01"), ("dmy", "31/12/2026", "2026-12-31"),
    ("mdy", "01/02/2026", "2026-01-02"), ("mdy", "12/31/2026", "2026-12-31")])
def test_the_books_date_order_reads_slashed_dates_one_way_only(cli, order, typed, stored):
    assert cli("settings", "set", "date_order", order).exit_code == 0
    r = cli("expense", "add", "5", "--category", "software", "--date", typed, "--description", "typed")
    assert r.exit_code == 0, r.output
    assert f"  date: {stored}\n  kind: expense\n  amount: 5\n" in tx_file(cli.book).read_text()


@pytest.mark.parametrize("order, typed", [("dmy", "12/31/2026"), ("mdy", "31/12/2026"), ("dmy", "30/02/2026")])
def test_a_slashed_date_that_does_not_exist_in_the_books_order_is_refused(cli, order, typed):
    cli("settings", "set", "date_order", order)
    r = cli("expense", "add", "5", "--category", "software", "--date", typed)
    assert r.exit_code == 2 and f"--date: {typed!r} is not a day of the calendar" in r.stderr


def test_date_order_is_a_checked_setting(cli):
    r = cli("settings", "set", "date_order", "ymd")
    assert r.exit_code == 2 and "date_order: expected iso" in r.stderr
    (cli.book / "freelance.yaml").write_text((cli.book / "freelance.yaml").read_text() + "date_order: dym\n")
    r = cli("validate")
    assert "error: date_order 'dym': expected iso (2026-11-25 only), dmy (also 25/11/2026) or mdy" in r.stdout


@pytest.mark.parametrize("typed, stored", [
    ("2026-11-20", "2026-11-20"), ("today", "2026-11-25"), ("yesterday", "2026-11-24"), ("Tomorrow", "2026-11-26"),
    ("+30d", "2026-12-25"), ("-2w", "2026-11-11"), ("+1m", "2026-12-25"), ("-1m", "2026-10-25"), ("-1y", "2025-11-25")])
def test_the_accepted_forms(cli, typed, stored):
    r = cli("expense", "add", "5", "--category", "software", "--date", typed)
    assert r.exit_code == 0, r.output
    rid = r.stdout.split("'")[1]
    assert cli("expense", "show", rid, "--format", "json").stdout.count(f'"date": "{stored}"') == 1


def test_filters_and_today_take_the_same_forms(cli):
    r = cli("income", "list", "--from", "Dec")
    assert r.exit_code == 2 and "--from: cannot read 'Dec' as a date" in r.stderr
    r = cli("report", "finance", "--to", "friday")
    assert r.exit_code == 2 and "--to: cannot read 'friday' as a date" in r.stderr
    r = cli("client", "list", today="3")
    assert r.exit_code == 2 and "--today: cannot read '3' as a date" in r.stderr
    r = cli("calendar", "--week", "monday")
    assert r.exit_code == 2 and "--week: cannot read 'monday'" in r.stderr


@pytest.mark.parametrize("typed, stored", [("2026-12-01 10:00", "2026-12-01 10:00"),
                                           ("2026-12-01T09:30", "2026-12-01 09:30"),
                                           ("tomorrow 14:30", "2026-11-26 14:30"), ("+1w 8:05", "2026-12-02 08:05")])
def test_meeting_times(cli, typed, stored):
    r = cli("meeting", "add", "Call", "--at", typed, "--duration", "30m")
    assert r.exit_code == 0, r.output
    assert f"  start: {stored}\n" in (cli.book / "meetings" / f"{stored[:4]}.yaml").read_text()


@pytest.mark.parametrize("typed", ["Dec 3 10am", "friday 10:00", "2026-12-01", "10:00", "2026-12-01 25:00",
                                   "2026-12-01 10:60", "01/12/2026 10:00", "2026-12-01 10am"])
def test_meeting_times_that_would_be_guesses_are_refused(cli, typed):
    before = snapshot(cli.book)
    r = cli("meeting", "add", "Call", "--at", typed)
    assert r.exit_code == 2, r.output
    assert "--start: " in r.stderr and "Traceback" not in r.output
    assert snapshot(cli.book) == before


# -- money that moved is not dated after today ------------------------------------------------

def test_received_income_and_paid_expenses_after_today_need_future(cli):
    before = snapshot(cli.book)
    r = cli("income", "add", "100", "--date", "2026-12-01", "--received")
    assert r.exit_code == 2
    assert r.stderr == ("freelance: error: --date: income marked received on 2026-12-01, after today (2026-11-25); "
                        "leave out --received until it has moved, or give --future if it is meant\n")
    r = cli("expense", "add", "9", "--category", "software", "--paid", "--date", "tomorrow")
    assert r.exit_code == 2 and "expense marked paid on 2026-11-26, after today" in r.stderr
    assert "leave out --paid" in r.stderr
    assert snapshot(cli.book) == before
    # expected money may be dated later; moved money today or before is fine
    assert cli("income", "add", "100", "--date", "2026-12-01").exit_code == 0
    assert cli("income", "add", "100", "--date", "today", "--received").exit_code == 0
    r = cli("income", "add", "100", "--date", "2026-12-01", "--received", "--future")
    assert r.exit_code == 0, r.output


def test_an_edit_that_moves_money_into_the_future_needs_future(cli):
    rid = cli("income", "add", "100", "--date", "2026-12-01").stdout.splitlines()[0].split("'")[1]
    before = snapshot(cli.book)
    r = cli("income", "edit", rid, "--received")
    assert r.exit_code == 2 and "give --future" in r.stderr
    assert snapshot(cli.book) == before
    assert cli("income", "edit", rid, "--received", "--future").exit_code == 0
    paid = cli("expense", "add", "9", "--category", "software", "--paid").stdout.split("'")[1]
    r = cli("expense", "edit", paid, "--date", "+3d")
    assert r.exit_code == 2 and "expense marked paid on 2026-11-28" in r.stderr


def test_validate_warns_about_moved_money_dated_after_today_written_by_hand(cli):
    with open(tx_file(cli.book), "a", encoding="utf-8") as fh:
        fh.write("- id: tx-hand\n  date: 2026-12-24\n  kind: expense\n  amount: 10\n  category: software\n"
                 "  account: bank\n  received: true\n")
    r = cli("validate")
    assert r.exit_code == 0
    line = len(tx_file(cli.book).read_text().splitlines()) - 5
    assert r.stdout == (f"transactions/2026.yaml:{line}: warning: expense 'tx-hand': expense marked paid on "
                        "2026-12-24, after today (2026-11-25); if it has not moved yet, make it expected "
                        "(received: false)\n")
    assert cli("validate", today="2026-12-24").stdout == ""


# -- the parser itself: accepted means documented, garbage is refused ---------------------------

DOCUMENTED = re.compile(r"\s*(\d{4}-\d{2}-\d{2}|today|yesterday|tomorrow|[+-]\d+[dwmy]|\d{1,2}/\d{1,2}/\d{4})\s*",
                        re.IGNORECASE | re.ASCII)


def _parse(text, order):
    from freelance.core.dates import parse_date
    from freelance.core.errors import UsageError
    try:
        return parse_date(text, TODAY, "--date", order)
    except UsageError as exc:
        assert exc.exit_code == 2 and exc.message.startswith("--date: ")
        return None


date_like = st.one_of(
    st.text(max_size=14),
    st.text(alphabet="0123456789-/+.: dwmyTtoday", max_size=14),
    st.from_regex(r"[+-]?\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", fullmatch=True),
    st.from_regex(r"[+-]\d{1,12}[dwmyDWMYh]", fullmatch=True),
    st.tuples(st.dates(), st.sampled_from(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%y", "%b %d", "%Y%m%d",
                                           "%A", "%d.%m.%Y", "%Y-%m-%dT00:00"])).map(lambda t: t[0].strftime(t[1])),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=date_like, order=st.sampled_from([None, "dmy", "mdy"]))
def test_any_string_the_parser_accepts_is_a_documented_form(text, order):
    got = _parse(text, order)         # never anything but a date or a UsageError
    if got is not None:
        assert isinstance(got, dt.date)
        assert DOCUMENTED.fullmatch(text), text
        if "/" in text:
            assert order is not None, text
        assert 1900 <= got.year <= 2999


@settings(max_examples=200, deadline=None)
@given(d=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_every_iso_date_and_slashed_date_reads_back_as_itself(d):
    assert _parse(d.isoformat(), None) == d
    assert _parse(f"{d.day:02d}/{d.month:02d}/{d.year}", "dmy") == d
    assert _parse(f"{d.month}/{d.day}/{d.year}", "mdy") == d
    assert _parse(f"{d.day:02d}/{d.month:02d}/{d.year}", None) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=30))
def test_garbage_on_the_command_line_never_gives_a_traceback(tmp_path_factory, text):
    if text.startswith("-") or "\x00" in text:
        return          # an option to the CLI parser, or a byte argv cannot carry
    book = tmp_path_factory.getbasetemp() / "garbage-book"
    if not (book / "freelance.yaml").exists():
        assert run_cli("init", book, "--no-git", today=None).exit_code == 0
    r = run_cli("report", "finance", "--from", text, books=book, today="2026-11-25")
    assert r.exit_code in (0, 2), r.output
    assert "Traceback" not in r.output
    if r.exit_code == 0 and text:       # (an empty --from is no --from)
        assert DOCUMENTED.fullmatch(text)


@pytest.mark.parametrize("args, message", [
    (("report", "summary", "--from", "2026-12-01", "--to", "2026-01-01"), "--to 2026-01-01 is before --from 2026-12-01"),
    (("client", "list", "--from", "2026-12-01", "--to", "2026-01-01"), "--to 2026-01-01 is before --from 2026-12-01"),
    (("workflow", "--from", "2026-12-01", "--to", "2026-11-01"), "--to 2026-11-01 is before --from 2026-12-01"),
    (("report", "finance", "--period", "2026-Q4", "--to", "2026-09-01"),
     "the window ends (2026-09-01) before it starts (2026-10-01): check --period, --from and --to"),
])
def test_a_window_that_ends_before_it_starts_is_refused(cli, args, message):
    r = cli(*args)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"freelance: error: {message}\n")
