"""Reports: plain data built from the graph, rendered by `render`.

Each report is a module here with `build(graph, opts) -> Report`, listed in
`REPORTS`; a module with `WINDOW = False` shows one day (`--today`) and the
CLI refuses `--period`, `--from` and `--to` for it rather than ignore them. `freelance report NAME` builds it and renders it in any format;
nothing in a report module prints or knows about formats.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from ...core.text import Column
from ..graph import Graph
from ..kept import kept
from ..report_options import KEPT, REPORTS, Options, options_key  # noqa: F401 (their home for the faces)


def build(name: str, book, opts: "Options") -> "Report":
    """Report `name` of `book` for `opts`: its module's `build`, or its answer kept from the
    last run when nothing it read changed (`KEPT`, read/kept.py)."""
    module = importlib.import_module(REPORTS[name][0])
    if name not in KEPT:
        return module.build(Graph(book), opts)
    return kept(book, f"report-{name}", options_key(opts), lambda: module.build(Graph(book), opts))


@dataclass
class Section:
    name: str                          # a stable key, used in json and csv
    title: str                         # what people read
    rows: list[dict]
    columns: list[Column]
    note: str = ""
    table_columns: tuple[str, ...] = ()  # keys the 80-column table format shows (empty: all)


@dataclass
class Report:
    name: str
    title: str
    sections: list[Section] = field(default_factory=list)
    # condition name -> items that hold (for `--fail-on`): e.g. {"overdue": [...]}
    alerts: dict[str, list] = field(default_factory=dict)
    # what the report covered, for json (e.g. {"from": date, "to": date})
    meta: dict = field(default_factory=dict)
