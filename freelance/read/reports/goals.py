"""`report goals`: goals with completion, the progress expected by now, on track or behind."""
from __future__ import annotations

from ..graph import Graph
from . import Options, Report, Section
from .parts import GOAL_COLUMNS, GOAL_TABLE, goal_row, goals

CLIENT = False     # goals are the business's, not a client's: --client is refused, not ignored
CLIENT_INSTEAD = "goals belong to no client"


def build(g: Graph, opts: Options) -> Report:
    rows = [goal_row(g, x) for x in goals(g, opts)]
    return Report("goals", "Goals", [
        Section("goals", "Goals", rows, GOAL_COLUMNS, table_columns=GOAL_TABLE,
                note="expected: the share of the time from start to target date that has passed"),
    ], alerts={"behind": [r["goal"] for r in rows if r["on_track"] is False]})
