"""Three years of cron: `freelance run` on random days (0 to 50 runs a day, days and weeks
skipped) against a book with monthly, quarterly and weekly schedules, a paused one and an
ended one, and clients who pay early, late, partly or never. What the book holds at the end
is what a careful person would have made by hand (docs/recurring.md, docs/reminders.md).

Bounded for CI: about 500 in-process runs, most with nothing to do."""
from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from collections import Counter
from decimal import Decimal

import yaml

from conftest import DEMO, run_cli

START, END = dt.date(2026, 1, 1), dt.date(2028, 12, 31)
FEE = Decimal(5)
AMOUNT = {"retainer": Decimal(2000), "hosting": Decimal(300)}


def _cli(book, today, *args):
    r = run_cli(*args, books=book, today=today.isoformat())
    assert r.exit_code == 0, (today, args, r.output)
    return r


def _months(first: dt.date, step: int, upto: dt.date, last: dt.date | None = None) -> list[dt.date]:
    out, d = [], first
    while d <= upto and (last is None or d <= last):
        out.append(d)
        m = d.month - 1 + step
        d = dt.date(d.year + m // 12, m % 12 + 1, 1)
    return out


def test_three_years_of_cron_make_each_invoice_and_reminder_once(tmp_path):
    rng = random.Random(26)
    book = tmp_path / "sim"
    book.mkdir()
    for name in ("freelance.yaml", "clients.yaml"):         # your details and clients, no history
        shutil.copy(DEMO / name, book / name)
    with open(book / "freelance.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"reminders:\n- days: 7\n- days: 21\n  fee: {FEE}\n")
    add = ("recurring", "add", "--start", START.isoformat())
    _cli(book, START, *add, "--client", "acme", "--item", "Retainer:1:2000", "--every", "month", "--on", "1",
         "--send", "--id", "retainer")
    _cli(book, START, *add, "--client", "globex", "--item", "Hosting:1:300", "--every", "quarter", "--send",
         "--id", "hosting")
    _cli(book, START, *add, "--client", "initech", "--item", "Support:2:90", "--every", "week", "--on", "mon",
         "--id", "support")
    _cli(book, START, *add, "--client", "northwind", "--item", "Paused:1:100", "--every", "month", "--id", "paused")
    _cli(book, START, "recurring", "pause", "paused")
    _cli(book, START, *add, "--client", "hooli", "--item", "Ended:1:100", "--every", "month", "--end", "2026-06-30",
         "--id", "ended")

    run_days, payments, behaviour, runs = [], {}, {}, 0
    day, off_until = START, None
    while day <= END:
        for number, amount in payments.pop(day, []):          # clients pay whether or not the machine is on
            _cli(book, day, "income", "add", str(amount), "--invoice", number, "--received", "--date", day.isoformat())
        if off_until is None and rng.random() < 0.02:
            off_until = day + dt.timedelta(days=rng.randint(7, 21))   # the machine is off for a week or more
        if off_until is not None and day < off_until:
            day += dt.timedelta(days=1)
            continue
        off_until = None
        n = 0 if rng.random() < 0.75 else rng.randint(20, 50) if rng.random() < 0.02 else rng.randint(1, 2)
        for _ in range(n):
            done = json.loads(_cli(book, day, "run", "--format", "json").stdout)
            runs += 1
            for d in done:
                assert d["action"] != "failed", d
                if d["action"] == "invoice":                  # sent today: how will its client pay?
                    number, sched = d["invoice"], d["message"].split(" for ")[1].split(",")[0]
                    how = behaviour[number] = rng.choice(["early", "late", "partly", "never"])
                    due = day + dt.timedelta(days=30)
                    amount = AMOUNT[sched]
                    if how == "early":
                        payments.setdefault(day + dt.timedelta(days=3), []).append((number, amount))
                    elif how == "late":
                        payments.setdefault(due + dt.timedelta(days=rng.randint(2, 40)), []).append((number, amount))
                    elif how == "partly":
                        payments.setdefault(due + dt.timedelta(days=5), []).append((number, amount / 2))
        if n:
            run_days.append(day)
        day += dt.timedelta(days=1)
    assert 250 < runs < 800 and len(run_days) > 150

    invoices = yaml.safe_load((book / "invoices.yaml").read_text(encoding="utf-8"))
    income = [t for f in sorted((book / "transactions").glob("*.yaml"))
              for t in yaml.safe_load(f.read_text(encoding="utf-8")) or []]
    last = run_days[-1]
    ran = set(run_days)

    # zero duplicates, zero misses: every period due by the last run, once
    keys = [(i["recurring"], i["period"]) for i in invoices]
    assert len(keys) == len(set(keys))
    made = {s: sorted(p for r, p in keys if r == s) for s in ("retainer", "hosting", "support", "paused", "ended")}
    mondays = [START + dt.timedelta(days=(7 - START.weekday()) % 7 + 7 * k) for k in range(200)]
    assert made["retainer"] == _months(START, 1, last)
    assert made["hosting"] == _months(START, 3, last)
    assert made["support"] == [m for m in mondays if m <= last]
    assert made["paused"] == []
    assert made["ended"] == _months(START, 1, last, dt.date(2026, 6, 30))

    # made on its day: sent when the schedule says so; made after a gap: a draft
    for inv in invoices:
        on_time = inv["issued"] == inv["period"]
        assert on_time == (inv["period"] in ran)
        if on_time and inv["recurring"] in ("retainer", "hosting"):
            assert inv["status"] in ("sent", "paid") and inv["id"] in behaviour
        else:
            assert inv["status"] == "draft" and not inv.get("reminders"), inv

    # reminders: each level at most once, in order, on or after its day, never once paid; the fee once
    paid_on = {}
    received = Counter()
    for t in sorted(income, key=lambda t: t["date"]):
        received[t["invoice"]] += Decimal(str(t["amount"]))
        paid_on.setdefault(t["invoice"], t["date"])
    fees = 0
    for inv in invoices:
        sent = inv.get("reminders") or []
        levels = [r["level"] for r in sent]
        assert levels == sorted(set(levels)) and levels in ([], [1], [1, 2]), inv
        for r in sent:
            assert r["date"] in ran and r["date"] >= inv["due"] + dt.timedelta(days=7 if r["level"] == 1 else 21)
            assert (r.get("fee") == FEE) == (r["level"] == 2)
            fully = inv["status"] == "paid" and paid_on.get(inv["id"]) is not None
            if behaviour.get(inv["id"]) == "early":
                raise AssertionError(f"{inv['id']} was paid early but got reminder {r['level']}")
            if fully and behaviour[inv["id"]] == "late":
                assert r["date"] < paid_on[inv["id"]]
            assert (book / r["document"]).is_file()
        fees += sum(1 for r in sent if r.get("fee"))
        # a reminder not sent although it was due is a miss: an invoice owing money since its
        # level's day, with a run on or after that day, has that level
        if behaviour.get(inv["id"]) in ("never", "partly"):
            if any(d >= inv["due"] + dt.timedelta(days=7) for d in run_days):
                assert 1 in levels, inv
                second = max(inv["due"] + dt.timedelta(days=21), sent[0]["date"] + dt.timedelta(days=14))
                assert (2 in levels) == any(d >= second for d in run_days), inv
    assert fees == sum(1 for inv in invoices for r in inv.get("reminders") or [] if r["level"] == 2) > 0
    # the book as it stands at the simulation's end (on an earlier day, later payments are not in yet)
    r = run_cli("validate", books=book, today=END.isoformat())
    assert r.exit_code == 0, r.output
