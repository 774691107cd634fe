"""Goals: a measured goal's period, and the dates given kept."""

import json


def test_a_measured_goal_with_a_period_starts_at_the_periods_start(cli):
    r = cli("goal", "add", "Q4 income", "--measure", "income", "--period", "2026-Q4", "--target", "30000")
    assert r.exit_code == 0, r.output
    g = json.loads(cli("goal", "show", "q4-income", "--format", "json").stdout)
    assert (g["start"], g["target_date"]) == ("2026-10-01", "2026-12-31")
    assert g["expected_pct"] == "60.4"     # 55 of the quarter's 91 days have passed on 25 November


def test_a_goal_period_keeps_dates_given_and_must_read(cli):
    r = cli("goal", "add", "Year", "--measure", "savings", "--period", "2026", "--start", "2026-03-01",
            "--by", "2026-11-30")
    assert r.exit_code == 0
    g = json.loads(cli("goal", "show", "year", "--format", "json").stdout)
    assert (g["start"], g["target_date"]) == ("2026-03-01", "2026-11-30")
    r = cli("goal", "add", "Bad", "--measure", "income", "--period", "Q4")
    assert r.exit_code == 2 and "--period: expected a period like 2026, 2026-Q4 or 2026-11" in r.stderr
