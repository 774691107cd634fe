"""`report pipeline`: the client board as numbers, one row per stage and per client."""
from __future__ import annotations

from ..graph import Graph
from ...core.money import ZERO, dec, pct
from ...core.text import Column
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
        sums: dict[str, list] = {cur: [0, ZERO, ZERO]}      # currency -> count, value, invoiced
        for c in members:
            d = g.derived(c)
            slot = sums.setdefault(d["currency"], [0, ZERO, ZERO])
            slot[0] += 1
            slot[1] += dec(c.data.get("contract_value"))
            slot[2] += d["invoiced"]
            per_client.append({"stage": stage, "client": c.id, "name": c.data.get("name"),
                               "contract_value": c.data.get("contract_value"), "invoiced": d["invoiced"],
                               "invoiced_pct": d["invoiced_pct"], "invoiced_gross": d["invoiced_gross"],
                               "received": d["received"],
                               "outstanding": d["outstanding"], "currency": d["currency"]})
        for c in [cur] + sorted(k for k in sums if k != cur):     # the book's currency first, never summed
            count, value, invoiced = sums[c]
            per_stage.append({"stage": stage, "count": count, "contract_value": value,
                              "invoiced": invoiced, "invoiced_pct": pct(invoiced, value), "currency": c})
    money = dict(align="right", money=True)
    return Report("pipeline", "Client pipeline", [
        Section("stages", "Stages", per_stage, [
            Column("stage"), Column("count", align="right"), Column("contract_value", "contract value", **money),
            Column("invoiced", **money), Column("invoiced_pct", "invoiced %", align="right", pct=True)],
            note=f"a row per currency ({cur} first), never added together; invoiced is net of tax"),
        Section("clients", "Clients", per_client, [
            Column("stage"), Column("client"), Column("contract_value", "contract value", **money),
            Column("invoiced", **money), Column("invoiced_pct", "invoiced %", align="right", pct=True),
            Column("received", **money), Column("outstanding", **money)],
            table_columns=("client", "contract_value", "invoiced", "invoiced_pct", "outstanding")),
    ])
