"""`report projects`: projects per status with value, due date and completion."""
from __future__ import annotations

from ..graph import Graph
from ...core.text import Column
from . import Options, Report, Section
from .parts import MONEY, PROJECT_COLUMNS, PROJECT_STATUSES, PROJECT_TABLE, count_rows, project_row, projects


def build(g: Graph, opts: Options) -> Report:
    chosen = projects(g, opts)
    rows = [project_row(g, p) for p in chosen]
    late = [r["project"] for r in rows if r["status"] != "done" and r["due"] is not None and r["due"] < opts.today]
    return Report("projects", "Projects", [
        Section("statuses", "Per status", count_rows(g, chosen, "status", PROJECT_STATUSES, lambda p: p.data.get("value")),
                [Column("status"), Column("count", align="right"), Column("amount", "value", **MONEY)]),
        Section("projects", "Projects", rows, PROJECT_COLUMNS, table_columns=PROJECT_TABLE,
                note="due: the due date, or the end of the date range; done: hours booked / estimated, "
                     "or invoiced / value (by basis)"),
    ], alerts={"past-due": late})
