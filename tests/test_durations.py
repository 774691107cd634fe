"""Durations typed and stored: a unit is needed, zero is refused, one written form."""

import pytest


def snapshot(book):
    return {p: p.read_bytes() for p in book.rglob("*.yaml")}


@pytest.mark.parametrize("typed, message", [
    ("1", "expected a duration with its unit like 45m, 1h30m, 1.5h or 1:30, got '1'"),
    ("90", "expected a duration with its unit like 45m, 1h30m, 1.5h or 1:30, got '90'"),
    ("0m", "a duration of zero ('0m') is not a meeting"), ("0h", "a duration of zero ('0h') is not a meeting"),
    ("0:00", "a duration of zero ('0:00') is not a meeting"), ("1.01h", "expected a duration with its unit like 45m, 1h30m, 1.5h or 1:30, got '1.01h'")])
def test_a_meeting_duration_needs_a_unit_and_is_not_zero(cli, typed, message):
    before = snapshot(cli.book)
    r = cli("meeting", "add", "Call", "--at", "2026-12-01 10:00", "--duration", typed)
    assert r.exit_code == 2
    assert r.stderr == f"freelance: error: --duration: {message}\n"
    assert snapshot(cli.book) == before


@pytest.mark.parametrize("typed, stored", [("45m", "45m"), ("1h30m", "1h30m"), ("1.5h", "1h30m"), ("1:30", "1h30m"),
                                           ("0.25h", "15m"), ("2h", "2h"), ("120m", "2h")])
def test_a_duration_is_written_in_one_form(cli, typed, stored):
    r = cli("meeting", "add", "Call", "--at", "2026-12-01 10:00", "--duration", typed)
    assert r.exit_code == 0, r.output
    assert f"  start: 2026-12-01 10:00\n  duration: {stored}\n" in (cli.book / "meetings" / "2026.yaml").read_text()


def test_a_bare_or_zero_duration_in_a_file_is_a_validate_error(cli):
    with open(cli.book / "meetings" / "2026.yaml", "a", encoding="utf-8") as fh:
        fh.write("- id: m-hand-1\n  title: A\n  start: 2026-12-02 10:00\n  duration: 90\n"
                 "- id: m-hand-2\n  title: B\n  start: 2026-12-03 10:00\n  duration: 0m\n")
    out = cli("validate").stdout
    assert "meeting 'm-hand-1': expected a duration with its unit like 45m" in out
    assert "meeting 'm-hand-2': a duration of zero ('0m') is not a meeting" in out
