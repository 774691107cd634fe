"""Issue 23: the timer and the time log, as a shared book may have them. A timer whose id is
another entry's lost its hours on `time stop` ("booked already"); a timer naming a service that
does not exist passed `validate`; more than 24 hours on one day, and hours with more than 10
decimals (read by the fast reader of big files), were not flagged."""
from __future__ import annotations

import json

from conftest import run_cli

TIMER = """# The running timer (`freelance time status`); `freelance time stop` books it.
id: {id}
project: {project}
{service}start: 2026-11-25 09:00
"""


def timer(book, id="t-20261125-aa11bb", project="acme-website", service="acme-build"):
    (book / "timer.yaml").write_text(TIMER.format(id=id, project=project,
                                                  service=f"service: {service}\n" if service else ""),
                                     encoding="utf-8")


def problems(book, today="2026-11-25"):
    r = run_cli("validate", "--format", "json", books=book, today=today)
    return json.loads(r.stdout)


def entries(book):
    r = run_cli("time", "list", "--format", "json", books=book)
    assert r.exit_code == 0, r.output
    return {e["id"]: e for e in json.loads(r.stdout)}


def test_a_timer_with_another_entrys_id_books_its_hours_under_a_new_id(demo):
    before = entries(demo)
    old = "t-20260315-9d33a0"                       # Blue Harbor's menu, March: other work
    assert before[old]["project"] == "harbor-menu"
    timer(demo, id=old)
    found = [p for p in problems(demo) if p["file"] == "timer.yaml"]
    assert [p["severity"] for p in found] == ["error"] and old in found[0]["message"], found
    r = run_cli("time", "stop", "--at", "2026-11-25 11:30", books=demo)
    assert r.exit_code == 0, r.output
    assert "booked already" not in r.output and "new id" in r.output
    after = entries(demo)
    assert after[old] == before[old]                # the other entry is as it was
    new = [e for i, e in after.items() if i not in before]
    assert len(new) == 1 and new[0]["project"] == "acme-website" and new[0]["service"] == "acme-build"
    assert float(new[0]["hours"]) == 2.5 and new[0]["date"] == "2026-11-25"
    assert not (demo / "timer.yaml").exists()
    assert [p for p in problems(demo) if p["severity"] == "error"] == []


def test_an_interrupted_stop_is_still_booked_once(demo):
    r = run_cli("time", "start", "acme-website", "--service", "acme-build", "--at", "09:00", books=demo)
    assert r.exit_code == 0, r.output
    saved = (demo / "timer.yaml").read_text(encoding="utf-8")
    assert run_cli("time", "stop", "--at", "10:00", books=demo).exit_code == 0
    (demo / "timer.yaml").write_text(saved, encoding="utf-8")       # as if the removal had not happened
    assert [p for p in problems(demo) if p["file"] == "timer.yaml" and p["severity"] == "error"] == []
    r = run_cli("time", "stop", "--at", "11:00", books=demo)
    assert r.exit_code == 0 and "booked already" in r.output, r.output


def test_a_timer_naming_a_missing_or_foreign_service_is_an_error_and_is_not_booked(demo):
    timer(demo, service="no-such-service")
    found = [p["message"] for p in problems(demo) if p["file"] == "timer.yaml"]
    assert found == ["no service 'no-such-service'"], found
    r = run_cli("time", "stop", "--at", "10:00", books=demo)
    assert r.exit_code == 2 and "time cancel" in r.stderr and "Traceback" not in r.output
    assert (demo / "timer.yaml").exists()
    timer(demo, service="harbor-menu-build")                        # a service, of another project
    found = [p["message"] for p in problems(demo) if p["file"] == "timer.yaml"]
    assert len(found) == 1 and "not one of project acme-website's services" in found[0], found
    assert run_cli("time", "stop", "--at", "10:00", books=demo).exit_code == 2
    timer(demo, project="no-such-project", service=None)
    assert [p["message"] for p in problems(demo) if p["file"] == "timer.yaml"] == ["no project 'no-such-project'"]


ENTRY = "- id: {id}\n  date: {date}\n  project: acme-website\n  service: acme-build\n  hours: {hours}\n"


def test_more_than_24_hours_on_one_day_is_an_error(demo):
    with open(demo / "timelog" / "2026.yaml", "a", encoding="utf-8") as f:
        f.write(ENTRY.format(id="t-20261102-00000a", date="2026-11-02", hours=16))
        f.write(ENTRY.format(id="t-20261102-00000b", date="2026-11-02", hours=8.5))
        f.write(ENTRY.format(id="t-20261104-00000c", date="2026-11-04", hours=24))   # a full day: fine
    found = [p for p in problems(demo) if "a day has" in p["message"]]
    assert len(found) == 1 and found[0]["severity"] == "error" and found[0]["id"] == "t-20261102-00000b"
    assert "2026-11-02" in found[0]["message"] and "24.5" in found[0]["message"]


def test_hours_finer_than_a_clock_are_flagged_in_big_files_too(demo):
    """A time log of more than 2 KB is read by the fast reader, which took any number of
    decimals (and of digits before the point) as they were."""
    log = demo / "timelog" / "2026.yaml"
    assert log.stat().st_size > 4096
    with open(log, "a", encoding="utf-8") as f:
        f.write(ENTRY.format(id="t-20261104-00000d", date="2026-11-04", hours="1.12345678901"))
        f.write(ENTRY.format(id="t-20261105-00000e", date="2026-11-05", hours="1.1234567"))
        f.write(ENTRY.format(id="t-20261106-00000f", date="2026-11-06", hours="1.123456"))
    found = {p["id"]: p for p in problems(demo) if p["file"] == "timelog/2026.yaml"}
    assert found["t-20261104-00000d"]["severity"] == "error"
    assert "decimal places" in found["t-20261104-00000d"]["message"]
    assert found["t-20261105-00000e"]["severity"] == "warning"
    assert "t-20261106-00000f" not in found                       # six places: what `time log` keeps
    inv = demo / "invoices.yaml"
    assert inv.stat().st_size > 4096
    with open(inv, "a", encoding="utf-8") as f:
        f.write("- id: INV-2026-023\n  client: acme\n  issued: 2026-11-20\n  due: 2026-12-20\n  status: draft\n"
                "  amount: 1234567890123\n")
    found = [p for p in problems(demo) if p["id"] == "INV-2026-023" and p["severity"] == "error"]
    assert any("too large" in p["message"] for p in found), found
