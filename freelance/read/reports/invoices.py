"""`report invoices`: invoices per status, the list, and who owed what, by age, as of --today."""
from __future__ import annotations

from ..graph import Graph
from . import Options, Report, Section
from .parts import (AGING_COLUMNS, AGING_TABLE, INVOICE_COLUMNS, INVOICE_TABLE, STATUS_COLUMNS, aging_rows, invoice_row,
                    invoices, status_rows)


def build(g: Graph, opts: Options) -> Report:
    chosen = invoices(g, opts)
    rows = [invoice_row(g, i, opts.today) for i in chosen]
    aging = aging_rows(g, opts)
    return Report("invoices", "Invoices", [
        Section("statuses", "Per status", status_rows(g, chosen, opts.today), STATUS_COLUMNS,
                note="owed: what was unpaid on the day; overdue: the part of it past its due date"),
        Section("invoices", "Invoices", rows, INVOICE_COLUMNS, table_columns=INVOICE_TABLE),
        Section("aging", f"Owed by client on {opts.today.isoformat()}, by days past due", aging, AGING_COLUMNS,
                table_columns=AGING_TABLE,
                note="sent invoices issued by that day, less income received and credit notes sent by then; "
                     "current = not yet due; below zero: credit the client still has"),
    ], alerts={"overdue": [r["invoice"] for r in rows if r["overdue"]]})
