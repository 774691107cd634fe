"""`report services`: services per status with amount, hours booked and what was invoiced."""
from __future__ import annotations

from ..graph import Graph
from ...core.text import Column
from . import Options, Report, Section
from .parts import MONEY, RIGHT, SERVICE_STATUSES, count_rows, day, for_client, in_window, service_row


def build(g: Graph, opts: Options) -> Report:
    order = {s: i for i, s in enumerate(SERVICE_STATUSES)}
    chosen = sorted((s for s in g.records("service") if for_client(s, opts) and in_window(day(s.data.get("start")), opts)),
                    key=lambda s: (order.get(s.data.get("status"), 9), str(s.data.get("client") or ""), s.id))
    rows = [service_row(g, s) for s in chosen]
    return Report("services", "Services", [
        Section("statuses", "Per status", count_rows(g, chosen, "status", SERVICE_STATUSES,
                                                     lambda s: g.derived(s)["amount"]),
                [Column("status"), Column("count", **RIGHT), Column("amount", **MONEY)]),
        Section("services", "Services", rows, [
            Column("service"), Column("name"), Column("client"), Column("project"), Column("pricing"),
            Column("rate", **MONEY), Column("hours", "est. h", **RIGHT), Column("amount", **MONEY),
            Column("hours_booked", "booked h", **RIGHT), Column("hours_billed", "billed h", **RIGHT),
            Column("invoiced", **MONEY), Column("received", **MONEY),
            Column("start"), Column("end"), Column("status")],
            table_columns=("service", "amount", "hours_booked", "invoiced", "status"),
            note="amount: rate x estimated hours (hourly) or the flat fee (fixed)"),
    ])
