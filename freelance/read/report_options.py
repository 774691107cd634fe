"""What a report is asked (its options) and which reports are kept between runs: read without
the graph, so that a report asked again of a book that did not change is found before the
report's modules are imported (`freelance report`, read/kept.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields


# name -> (module, one-line help). Modules are imported only when run.
REPORTS: dict[str, tuple[str, str]] = {
    "pipeline": ("freelance.read.reports.pipeline", "Clients per stage with contract value and invoiced %."),
    "summary": ("freelance.read.reports.summary", "The whole dashboard on one screen (the tax reserve with a `tax_reserve` setting). "
                "--fail-on overdue, behind or tax-reserve. --value home: money in the book's currency too."),
    "dashboard": ("freelance.read.reports.dashboard", "The overview of `freelance serve`; --format html is one self-contained "
                  "page (boards, charts, goals; no script). --fail-on overdue or behind."),
    "invoices": ("freelance.read.reports.invoices", "Invoices per status, the list, and an aging table of what is owed on --today. "
                 "--fail-on overdue."),
    "projects": ("freelance.read.reports.projects", "Projects per status with value, due date and completion. --fail-on past-due."),
    "services": ("freelance.read.reports.services", "Services per status with amount, hours booked and invoiced."),
    "goals": ("freelance.read.reports.goals", "Goals with completion, expected progress and on track or behind. --fail-on behind."),
    "agenda": ("freelance.read.reports.agenda", "Meetings and deadlines in a window (default: the next 14 days)."),
    "digest": ("freelance.read.reports.digest", "What needs attention, for a weekly cron mail; what `run` made and what waits. "
               "--fail-on overdue, due-soon, drafts, reminders, "
               "stale-leads, expired-quotes, past-due, unbilled, behind, tax-reserve (less in the reserve than set aside), "
               "or problems (any of those)."),
    "finance": ("freelance.read.reports.finance", "Account balances; income and expenses by month, classification, category; "
                "revenue and tax (--basis cash|accrual); --value home: in the book's currency too, at each day's rate."),
    "workflow": ("freelance.read.reports.workflow", "Client income with its invoice, client, project, service; unlinked, expected."),
    "vat": ("freelance.read.reports.vat", "The VAT return of a period (default: this quarter): output tax per rate, "
            "reverse-charge and intra-EU supplies, exports, input tax, the net payable; the EC sales list. "
            "--basis cash|accrual; --fail-on warnings."),
}

# The reports whose answer depends on the book's files, --today and their options only (not on
# git, the bank rules, the clock or the environment): kept between runs (read/kept.py). A report
# that reads anything else must not be listed; a new one is computed every time until it is.
KEPT = frozenset({"pipeline", "summary", "dashboard", "invoices", "projects", "services", "goals", "agenda",
                  "digest", "finance", "workflow", "vat"})


def options_key(opts: "Options") -> tuple:
    """The options as a kept answer's key (read/kept.py): every one of them (today is in the key
    already), so that an option added later cannot be forgotten, as --basis was."""
    return tuple((f.name, getattr(opts, f.name)) for f in fields(opts) if f.name != "today")


@dataclass
class Options:
    today: dt.date
    start: dt.date | None = None      # --from / --period
    end: dt.date | None = None        # --to / --period
    client: str | None = None
    basis: str | None = None          # --basis cash|accrual (reports with BASIS = True; default read/journal.py)
    value: str | None = None          # --value home: figures in the book's currency too (reports with VALUE = True)
    value_date: dt.date | None = None  # --value-date: the day balances are valued on (read/value.py)
