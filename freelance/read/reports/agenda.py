"""`report agenda`: meetings and deadlines in a window, by default the next 14 days."""
from __future__ import annotations

import datetime as dt

from ..graph import Graph
from . import Options, Report, Section
from .parts import AGENDA_COLUMNS, AGENDA_TABLE, agenda_rows

DAYS = 14


def build(g: Graph, opts: Options) -> Report:
    start = opts.start or opts.today
    end = opts.end or start + dt.timedelta(days=DAYS - 1)
    return Report("agenda", f"Agenda {start.isoformat()} to {end.isoformat()}", [
        Section("agenda", "Meetings and deadlines", agenda_rows(g, opts, start, end), AGENDA_COLUMNS,
                table_columns=AGENDA_TABLE,
                note="deadlines: unpaid invoices due, project due and end dates (not done), goal target dates"),
    ], meta={"from": start, "to": end})
