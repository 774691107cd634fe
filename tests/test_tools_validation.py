"""The checks issue 5 adds to `freelance validate`, one bad record each, with its exact message."""
from __future__ import annotations

import pytest

BAD = {
    "meetings/2026.yaml": """- id: m-bad-end
  title: Backwards
  start: 2026-12-02 10:00
  end: 2026-12-02 09:00
- id: m-bad-people
  title: Ghosts
  start: 2026-12-22 10:00
  attendees:
  - acme
  - nobody-here
  - sam-sampel
  medium: telepathy
- id: m-overlap
  title: Double booked
  start: 2026-12-03 13:30
  duration: 30m
""",
    "goals.yaml": """- id: g-zero
  name: Nothing
  category: wealth
  target: 0
- id: g-backwards
  name: Backwards
  category: fitness
  target: 10
  start: 2026-06-01
  target_date: 2026-01-01
- id: g-measured
  name: Measured
  target: 100
  actual: 5
  measure: income
  period: 2026-Q5
""",
    "resources.yaml": """- id: r-bad-link
  name: Bad link
  type: guide
  category: taxes
  link: example.test/no-scheme
""",
    "contacts.yaml": """- id: c-unreachable
  name: Nobody Reachable
  category: lawyers
""",
}

EXPECTED = [
    "contacts.yaml:{c}: warning: contact 'c-unreachable': contact has neither email nor phone",
    "contacts.yaml:{c3}: error: contact 'c-unreachable': category 'lawyers' is not one of finance, services, legal "
    "(the book's contact_categories)",
    "goals.yaml:{g4}: error: goal 'g-zero': target must be more than zero, got 0",
    "goals.yaml:{g7}: error: goal 'g-backwards': category 'fitness' is not one of health, wealth, relationship "
    "(the book's goal_categories)",
    "goals.yaml:{g10}: error: goal 'g-backwards': target_date 2026-01-01 is before start 2026-06-01",
    "goals.yaml:{g14}: warning: goal 'g-measured': actual is computed from the books (measure: income); "
    "the typed value is ignored",
    "goals.yaml:{g16}: error: goal 'g-measured': period '2026-Q5' is not a period like 2026, 2026-Q4 or 2026-11",
    "meetings/2026.yaml:{m4}: error: meeting 'm-bad-end': end 2026-12-02 09:00 is before start 2026-12-02 10:00",
    "meetings/2026.yaml:{m8}: error: meeting 'm-bad-people': attendees 'nobody-here': no such client or contact",
    "meetings/2026.yaml:{m8}: error: meeting 'm-bad-people': attendees 'sam-sampel': no such client or contact "
    "(did you mean 'sam-sample'?)",
    "meetings/2026.yaml:{m12}: error: meeting 'm-bad-people': medium 'telepathy' is not one of google-meet, zoom, "
    "skype, phone, in-person (the book's meeting_media)",
    "meetings/2026.yaml:{m15}: warning: meeting 'm-overlap': overlaps meeting m-20261203-d953ee (2026-12-03 13:00)",
    "resources.yaml:{r5}: error: resource 'r-bad-link': link 'example.test/no-scheme' is not a URL (expected https://...)",
]


@pytest.fixture
def bad_book(demo):
    starts = {}
    for rel, text in BAD.items():
        path = demo / rel
        old = path.read_text()
        starts[rel] = len(old.splitlines())
        path.write_text(old + text)
    return demo, starts


def test_each_problem_is_reported_once_with_file_and_line(bad_book):
    from conftest import run_cli
    book, starts = bad_book
    r = run_cli("validate", books=book)
    assert r.exit_code == 1, r.output
    c, g, m, res = (starts[k] for k in ("contacts.yaml", "goals.yaml", "meetings/2026.yaml", "resources.yaml"))
    want = [line.format(c=c + 1, c3=c + 3, g4=g + 4, g7=g + 7, g10=g + 10, g14=g + 14, g16=g + 16,
                        m4=m + 4, m8=m + 8, m12=m + 12, m15=m + 15, r5=res + 5) for line in EXPECTED]
    got = [line for line in r.stdout.splitlines() if "-bad" in line or "g-" in line or "c-unreachable" in line
           or "m-overlap" in line]
    assert sorted(got) == sorted(want)


def test_the_demo_book_has_none_of_them(cli):
    r = cli("validate")
    assert r.exit_code == 0 and "warning" not in r.stdout
