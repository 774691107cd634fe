"""`report pipeline`: the client board as numbers, one row per stage and per client."""
from __future__ import annotations

from ..graph import Graph
from ..money import ZERO, dec, pct
from ..text import Column
from . import Options, Report, Section


WINDOW = False     # clients as they stand: --period/--from/--to are refused, not ignored


def build(g: Graph, opts: Options) -> Report:
    stages = g.settings.allowed("stages")
    clients = [c for c in g.records("client") if not opts.client or c.id == opts.client]
    stages += sorted({str(c.data.get("stage")) for c in clients if c.data.get("stage") not in stages})
    cur = g.settings.currency
    per_stage, per_client = [], []
    for stage in stages:
        members = [c for c in clients if c.data.get("stage") == stage]
        value = invoiced = ZERO
        for c in members:
            d = g.derived(c)
            if g.currency(c) == cur:
                value += dec(c.data.get("contract_value"))
                invoiced += d["invoiced"]
            per_client.append({"stage": stage, "client": c.id, "name": c.data.get("name"),
                               "contract_value": c.data.get("contract_value"), "invoiced": d["invoiced"],
                               "invoiced_pct": d["invoiced_pct"], "received": d["received"],
                               "outstanding": d["outstanding"], "currency": g.currency(c)})
        per_stage.append({"stage": stage, "count": len(members), "contract_value": value,
                          "invoiced": invoiced, "invoiced_pct": pct(invoiced, value), "currency": cur})
    money = dict(align="right", money=True)
    return Report("pipeline", "Client pipeline", [
        Section("stages", "Stages", per_stage, [
            Column("stage"), Column("count", align="right"), Column("contract_value", "contract value", **money),
            Column("invoiced", **money), Column("invoiced_pct", "invoiced %", align="right", pct=True)],
            note=f"totals in {cur}; clients in other currencies are listed below but not summed"),
        Section("clients", "Clients", per_client, [
            Column("stage"), Column("client"), Column("contract_value", "contract value", **money),
            Column("invoiced", **money), Column("invoiced_pct", "invoiced %", align="right", pct=True),
            Column("received", **money), Column("outstanding", **money)],
            table_columns=("client", "contract_value", "invoiced", "invoiced_pct", "outstanding")),
    ])
