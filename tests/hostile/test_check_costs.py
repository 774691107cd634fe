"""Issue 23: `validate` costs what the book holds, not what a number in it says. One invoice
numbered INV-2026-9000000000 beside INV-2026-001 made the gap check walk nine billion numbers;
a long list, many entries on one invoice of many lines, or many links to ids that do not
exist made other checks quadratic. Each case here is a small book that the old checks took
minutes (or all the memory) over; they now answer in about the time the book takes to read."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

from conftest import ROOT, run_cli

from freelance.read.validate import gaps


def append(path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(text)


def invoice(number: str, issued: str = "2026-06-01") -> str:
    return (f"- id: {number}\n  client: acme\n  project: acme-website\n  issued: {issued}\n  due: 2026-07-01\n"
            "  status: draft\n  amount: 100\n")


def at_most_2_gb():
    """The old check's set of every number would take the machine's memory: not more than 2 GB."""
    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))


def test_one_far_invoice_number_is_one_gap_not_billions_of_numbers(demo):
    """Ten digits is what docs/limits.md allows a sequence; the old check made a set of every
    number in between (28 s for eight digits, all the memory for ten)."""
    append(demo / "invoices.yaml", invoice("INV-2026-9000000000") + invoice("DRAFT-1") + invoice("DRAFT-30000000"))
    p = subprocess.run([sys.executable, "-m", "freelance", "--books", str(demo), "--today", "2026-11-25", "validate",
                        "--format", "json"], capture_output=True, text=True, timeout=60, preexec_fn=at_most_2_gb,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in p.stderr and "MemoryError" not in p.stderr
    found = [x["message"] for x in json.loads(p.stdout) if "have gaps" in x["message"]]
    assert any("gaps: 23 to 8999999999 missing" in m for m in found), found
    assert any("gaps: 2 to 29999999 missing" in m for m in found), found


def test_gaps_are_found_from_the_numbers_present():
    assert gaps([1, 2, 3]) == ""
    assert gaps([22, 25]) == "23, 24"
    assert gaps([5, 1, 3, 3]) == "2, 4"
    assert gaps([1, 9_000_000_000]) == "2 to 8999999999"
    assert gaps(range(1, 100, 2)) == "2, 4, 6, 8, 10, 12, 14, 16, 18, 20 and 39 more gaps"
    assert gaps([1, 3, 6, 10, 30]) == "2, 4, 5, 7 to 9, 11 to 29"


def timed_validate(book) -> tuple[float, list]:
    started = time.monotonic()
    r = run_cli("validate", "--format", "json", books=book)
    return time.monotonic() - started, json.loads(r.stdout)


def test_a_long_settings_list_with_a_repeat_is_checked_in_one_pass(demo):
    """`vals.count(x)` for each of 40,000 categories: 1.6 billion comparisons."""
    text = (demo / "freelance.yaml").read_text(encoding="utf-8")
    many = "".join(f"- category-{i}\n" for i in range(40_000))
    assert "\nexpense_categories: [software, " in text
    text = text.replace("\nexpense_categories: [software, hardware, travel, taxes, office, other]\n",
                        "\nexpense_categories:\n- software\n- other\n- category-7\n" + many, 1)
    (demo / "freelance.yaml").write_text(text, encoding="utf-8")
    took, problems = timed_validate(demo)
    assert [p["message"] for p in problems if "twice" in p["message"]] == ["expense_categories lists category-7 twice"]
    assert took < 15, took


def test_many_entries_on_one_invoice_of_many_lines_are_checked_once_per_invoice(demo):
    """Each entry billed on an invoice looked through all its lines: 8,000 x 8,000."""
    n = 8_000
    lines = "".join(f"  - description: Line {i}\n    project: acme-website\n    quantity: 1\n    unit_price: 1\n"
                    for i in range(n))
    append(demo / "invoices.yaml", "- id: INV-2026-900\n  client: acme\n  issued: 2026-11-01\n  due: 2026-12-01\n"
                                   "  status: draft\n  items:\n" + lines)
    entries = "".join(f"- id: t-20261102-{i:06x}\n  date: 2026-10-{1 + i % 28:02d}\n  project: acme-website\n"
                      f"  service: acme-build\n  hours: 0.001\n  invoice: INV-2026-900\n" for i in range(n))
    append(demo / "timelog" / "2026.yaml", entries)
    took, problems = timed_validate(demo)
    assert not [p for p in problems if p["file"].startswith("timelog/") and p["severity"] == "error"], problems[:3]
    assert took < 10, took


def test_many_links_to_missing_ids_cost_one_suggestion_each_at_most_a_few(demo):
    """A did-you-mean is a pass over every id it could be: once per distinct missing id, and
    for the first ones only, not once per record (3,000 x 3,000 invoices)."""
    n = 3_000
    append(demo / "invoices.yaml", "".join(invoice(f"INV-2025-{i:04d}", "2025-06-01") for i in range(1, n)))
    append(demo / "transactions" / "2026.yaml",
           "".join(f"- id: tx-20261101-{i:06x}\n  date: 2026-11-01\n  kind: income\n  amount: 10\n"
                   f"  classification: client\n  client: acme\n  invoice: INV-2024-{i:04d}\n  received: true\n"
                   for i in range(n)))
    took, problems = timed_validate(demo)
    missing = [p["message"] for p in problems if "no such invoice" in p["message"]]
    assert len(missing) == n
    assert "did you mean 'INV-2025-0001'" in missing[0] or "did you mean" in missing[0], missing[0]
    assert took < 20, took
