"""Views of records as plain data: list rows, `show` details, board columns, JSON.

Built from the graph, rendered by `render`. Reports reuse these.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .graph import Graph
from ..core.money import ZERO, line_total
from ..core.rules import QUOTE_OPEN
from ..core.schema import KINDS, Kind
from ..store.records import Record
from ..core.text import clean, Column, fmt_money, fmt_pct, fmt_price, text
from .calendar import meeting_lines
from .work import breakdown
from .quotes import side_by_side

MONEY = {"contract_value", "invoiced", "received", "outstanding", "value", "amount", "rate", "total",
         "subtotal", "tax", "balance", "unit_price", "default_rate", "unbilled_value", "drafted_value", "booked_value",
         "effective_rate", "invoiced_gross", "fees", "credited", "written_off", "fee", "spent", "open_amount", "net",
         "prepaid", "prepaid_net", "quoted"}
PCT = {"invoiced_pct", "completion_pct", "expected_pct"}
RIGHT = MONEY | PCT | {"hours", "estimated_hours", "actual_hours", "hours_booked", "target", "actual",
                        "quantity", "days_overdue", "open_todos", "count", "unpriced_hours", "hours_invoiced",
                        "hours_billed", "open_bills", "overdue_bills"}

# The date field `--from`, `--to` and `--period` filter on.
DATE_FIELD = {"transaction": "date", "time": "date", "meeting": "start", "invoice": "issued",
              "project": "due", "service": "start", "goal": "target_date", "transfer": "date", "balance": "date"}


def noun_of(record: Record) -> str:
    if record.kind == "transaction":
        return str(record.data.get("kind") or "transaction")
    return record.kind


_FIELDS: dict[str, dict] = {}    # kind -> its empty row (`_blank`)


def _blank(kind: str) -> dict:
    """A row of `kind` with nothing in it: id, kind, then each declared field (None), in order."""
    got = _FIELDS.get(kind)
    if got is None:
        names = tuple(f.name for f in KINDS[kind].fields if f.name not in ("id", "kind"))
        got = _FIELDS[kind] = {"id": None, "kind": None, **dict.fromkeys(names)}
    return got


def _stored(r: Record, blank: dict) -> dict:
    """The row of `r`'s stored fields: id, kind, each declared field in the kind's order (None when
    not written), then the fields the kind does not declare, in the file's order. Copied and
    updated, not looked up field by field: a key updated keeps its place, a new one comes last
    (150,000 rows of ~30 fields at C speed)."""
    out = blank.copy()
    out.update(r.data)
    out["id"] = r.id
    out["kind"] = str(r.data.get("kind") or "transaction") if r.kind == "transaction" else r.kind
    return out


def record_json(g: Graph, r: Record) -> dict:
    """Every stored and derived field under the files' names, plus id and kind (SPEC 3)."""
    out = _stored(r, _blank(r.kind))
    derived = g.derived(r)
    if derived:
        for k, v in derived.items():
            if k not in out or out[k] is None:
                out[k] = v
    return out


def row(g: Graph, r: Record) -> dict:
    d = record_json(g, r)
    if not d.get("currency"):       # (a key added here comes last)
        d["currency"] = g.currency(r)
    return d


def rows(g: Graph, records) -> list[dict]:
    """`[row(g, r) for r in records]`, the same dicts: what every record of a kind shares is
    looked up once (`export json` makes 150,000 of them)."""
    out = []
    add = out.append
    derived, currency = g.derived, g.currency
    blanks: dict = {}
    for r in records:
        blank = blanks.get(r.kind)
        if blank is None:
            blank = blanks[r.kind] = _blank(r.kind)
        d = _stored(r, blank)
        more = derived(r)
        if more:
            for k, v in more.items():
                if k not in d or d[k] is None:
                    d[k] = v
        if not d.get("currency"):
            d["currency"] = currency(r)
        add(d)
    return out


# What `list` shows in the table format, per noun: the columns a person needs, fitted to 100
# characters by `render` (long text clipped); --format csv, markdown or json carry every
# column of `Kind.columns`.
TABLE_COLUMNS = {
    "client": ("id", "name", "stage", "contract_value", "invoiced_pct"),
    "project": ("id", "client", "status", "due", "completion_pct"),
    "service": ("id", "client", "pricing", "amount", "status"),
    "invoice": ("id", "client", "due", "status", "total", "balance"),
    "income": ("id", "date", "amount", "client", "payee", "description", "received"),
    "expense": ("id", "date", "amount", "category", "supplier", "payee", "description", "received"),
    "supplier": ("id", "name", "category", "spent", "open_bills", "open_amount"),
    "contact": ("id", "name", "category", "email", "phone"),
    "resource": ("id", "type", "category", "open_todos"),
    "goal": ("id", "target", "actual", "completion_pct", "on_track"),
    "meeting": ("id", "start", "title", "medium"),
    "time": ("id", "date", "project", "service", "hours", "note", "invoice"),
    "transfer": ("id", "date", "amount", "from_account", "to_account"),
    "balance": ("id", "account", "date", "amount"),
}
HEADERS = {"contract_value": "contract", "invoiced_pct": "invoiced %", "completion_pct": "done %",
           "open_todos": "open to-dos", "on_track": "on track"}


def columns(kind: Kind) -> list[Column]:
    cols = []
    for key in kind.columns:
        f = kind.field(key)
        money = key in MONEY and not (f is not None and f.type == "bool")  # a transaction's `received` is yes/no
        cols.append(Column(key, HEADERS.get(key, ""), align="right" if key in RIGHT and (money or key not in MONEY) else "left",
                           money=money, pct=key in PCT))
    return cols


def in_range(r: Record, kind: Kind, start: dt.date | None, end: dt.date | None) -> bool:
    if start is None and end is None:
        return True
    field = DATE_FIELD.get(kind.name)
    v = r.data.get(field) if field else None
    if isinstance(v, dt.datetime):
        v = v.date()
    if not isinstance(v, dt.date):
        return False
    return (start is None or v >= start) and (end is None or v <= end)


def detail(g: Graph, r: Record) -> list[tuple[str, str]]:
    """(label, text) lines for `show`: stored fields, then derived ones, then links back."""
    data = row(g, r)
    cur = data.get("currency", "")
    lines = []
    for k, v in data.items():
        if v is None or v == [] or v == {} or k == "currency":
            continue
        if k == "due_date" and r.kind == "invoice":       # one due date: the stored one, else the terms' (as due)
            if data.get("due") is None:
                lines.append(("due", text(v)))
            continue
        if k == "received" and isinstance(v, bool):     # a transaction's: the money moved (an expense's: paid)
            lines.append(("paid" if r.data.get("kind") == "expense" else "received", "yes" if v else "no"))
        elif k in MONEY:
            lines.append((k, fmt_money(v, cur)))
        elif k in PCT:
            lines.append((k, fmt_pct(v)))
        elif k == "items" and isinstance(v, list):
            for i, it in enumerate(v, 1):
                if isinstance(it, dict):
                    # the price as written (0.125 is not 0.13) and the line as the subtotal adds it
                    q = it.get("quantity") or Decimal(1)
                    price = it.get("unit_price")
                    lines.append((f"item {i}", f"{it.get('description', '')} — {q} x {fmt_price(price, cur)}"
                                  + f" = {fmt_money(line_total(it), cur)}"
                                  + (f" [{it['service']}]" if it.get("service") else "")))
        elif k == "taxes" and isinstance(v, list):      # a bill's net and tax per rate
            for t in v:
                if isinstance(t, dict):
                    lines.append((f"tax {fmt_pct(t.get('rate'))}", f"net {fmt_money(t.get('net'), cur)}, "
                                                                  f"tax {fmt_money(t.get('tax'), cur)}"))
        elif k == "lines" and isinstance(v, list):      # a bill's lines, as its e-invoice gives them
            for i, it in enumerate(v, 1):
                if isinstance(it, dict):
                    lines.append((f"line {i}", f"{it.get('description') or ''} — {it.get('quantity') or 1} = "
                                               f"{fmt_money(it.get('net'), cur)}"
                                               + (f" ({fmt_pct(it['tax_rate'])})" if it.get("tax_rate") is not None else "")))
        elif k in ("spent_by_currency", "open_by_currency") and isinstance(v, dict):
            lines.append((k, ", ".join(fmt_money(x, c) for c, x in v.items())))
        elif k == "todos" and isinstance(v, list):
            for i, t in enumerate(v, 1):
                if isinstance(t, dict):
                    lines.append((f"todo {i}", f"[{'x' if t.get('done') else ' '}] {t.get('text', '')}"))
        else:
            lines.append((k, text(v)))
    return lines


# -- boards -------------------------------------------------------------------

def _card(g: Graph, r: Record) -> tuple[list[str], Decimal | None]:
    d = g.derived(r)
    cur = g.currency(r)
    k = r.kind
    if k == "client":
        cv = r.data.get("contract_value")
        p = d["invoiced_pct"]
        lines = [str(r.data.get("name") or r.id),
                 f"contract {fmt_money(cv, cur)}" if cv is not None else "no contract value",
                 f"invoiced {fmt_money(d['invoiced'], d.get('currency') or cur)}",
                 fmt_pct(p) if p is not None and p > 100 else (f"{p}% invoiced" if p is not None else "")]
        lines = [x for x in lines if x]
        return lines, cv if isinstance(cv, Decimal) else ZERO
    if k == "project":
        v = r.data.get("value")
        lines = [str(r.data.get("name") or r.id), str(r.data.get("client") or "")]
        if isinstance(v, Decimal):
            lines.append(fmt_money(v, cur))
        due = r.data.get("due") or r.data.get("end")
        if due:
            lines.append(f"due {due}")
        if d["completion_pct"] is not None:
            lines.append(f"done {fmt_pct(d['completion_pct'])}")
        else:
            lines.append({"hours": "done: no estimate", "invoicing": "done: no value"}.get(d["basis"], "done: no basis"))
        return [x for x in lines if x], v if isinstance(v, Decimal) else ZERO
    if k == "service":
        est = r.data.get("hours")
        booked = f"{d['hours_booked']}" + (f"/{est}" if isinstance(est, Decimal) else "") + " h booked"
        lines = [str(r.data.get("name") or r.id), fmt_money(d["amount"], cur) or "no amount", booked]
        if d["unbilled_value"] > 0:
            lines.append(f"unbilled {fmt_money(d['unbilled_value'], cur)}")
        return lines, d["amount"] or ZERO
    if k == "invoice":
        lines = [r.id, str(r.data.get("client") or ""), fmt_money(d["total"], d["currency"])]
        if d["overdue"]:
            lines.append(f"OVERDUE {d['days_overdue']} days")
        if d["partially_paid"]:
            lines += ["part paid", f"{fmt_money(d['balance'], d['currency'])} due"]
        return lines, d["total"]
    if k == "quote":
        lines = [r.id, str(r.data.get("client") or ""), fmt_money(d["total"], d["currency"])]
        if r.data.get("title"):
            lines.insert(1, str(r.data["title"]))
        if d["expired"] and r.data.get("status") != "expired":
            lines.append(f"EXPIRED {r.data.get('valid_until')}")
        elif r.data.get("valid_until") and r.data.get("status") in QUOTE_OPEN:
            lines.append(f"valid until {r.data['valid_until']}")
        return lines, d["total"]
    title = KINDS[k].title
    return [str(r.data.get(title) or r.id)], None


def board(g: Graph, kind: Kind, records: list[Record], by: str | None = None) -> list[dict]:
    field = by or kind.status
    f = kind.field(field)
    values = list(f.choices) or (g.settings.allowed(f.setting) if f.setting else [])
    groups: dict = {}          # the column's value -> its records, in the records' order (one pass)
    for r in records:
        v = r.data.get(field)
        groups.setdefault("(none)" if v is None else v if v in values else str(v), []).append(r)
    extra = sorted(v for v in groups if v not in values and v != "(none)")
    cols = []
    book_currency = g.settings.currency
    for value in values + extra + (["(none)"] if "(none)" in groups else []):
        cards, totals = [], {}
        for r in groups.get(value, ()):
            lines, amount = card(g, r)
            cards.append({"id": r.id, "lines": lines})
            if amount is not None:
                cur = g.currency(r)
                totals[cur] = totals.get(cur, ZERO) + amount
        has_money = kind.name in ("client", "project", "invoice", "service")
        cols.append({"name": value, "count": len(cards),
                     "total": totals.pop(book_currency, ZERO) if has_money else None,
                     "currency": book_currency,
                     "other_totals": {c: totals[c] for c in sorted(totals)},
                     "cards": cards})
    return cols


def card(g: Graph, r: Record) -> tuple[list[str], Decimal | None]:
    """A record's card (its lines, the amount its column adds up), kept in a tracking graph
    (`serve`) until what it shows changes: a board drawn again after a change draws again only
    the cards of what changed."""
    if g.track:
        return g.memo(("card", id(r)), lambda: _card(g, r), of=r)
    return _card(g, r)


# -- show: sections under the fields ----------------------------------------------

def _unbilled(g: Graph, sid):
    s = g.get("service", sid)
    return g.derived(s)["unbilled_value"] if s is not None else None


def detail_sections(g: Graph, r: Record) -> list[tuple[str, list[Column], list[dict]]]:
    """(title, columns, rows) tables that `show` prints under a record's fields:
    a project's hours by service and by week, a service's hours by week."""
    b = breakdown(g, r)
    cur = g.currency(r)
    out = []
    if b.get("hours_by_service"):
        rows = [{**x, "service": x["service"] or "(none)", "currency": cur,
                 "rate": x["rate"] if x["rate_source"] != "fixed fee" else None,
                 "from": x["rate_source"].split(" ")[0] if x["rate_source"] else ("no rate" if x["hours"] else ""),
                 "unbilled": _unbilled(g, x["service"])}
                for x in b["hours_by_service"]]
        out.append(("hours by service", [
            Column("service"), Column("hours", align="right"), Column("rate", align="right", money=True),
            Column("from"), Column("value", align="right", money=True),
            Column("unbilled", align="right", money=True)], rows))
    if b.get("hours_by_week"):
        out.append(("hours by week", [Column("week"), Column("start", "from"), Column("hours", align="right"),
                                      Column("entries", align="right")], b["hours_by_week"]))
    if r.kind == "project" and g.derived(r).get("quoted") is not None:    # docs/quotes.md
        d = g.derived(r)
        side = side_by_side(g, r)
        out.append(("quoted, invoiced and booked (net of tax)", [
            Column("quote"), Column("quoted", align="right", money=True),
            Column("on_account", "on account", align="right", money=True),
            Column("invoiced", align="right", money=True), Column("booked", align="right", money=True),
            Column("final")],
            [{"quote": d.get("quote"), "quoted": side["quoted"], "on_account": side["on_account"],
              "invoiced": side["invoiced"], "booked": side["booked"], "final": side["final"] or "not yet",
              "currency": cur}]))
    return out


def linked_lines(g, rec) -> str:
    """The client's linked invoices, projects, services, income and meetings under `show`."""
    d = g.derived(rec)
    out = []
    if rec.kind == "client":
        for inv_id in d.get("invoices", []):
            inv = g.get("invoice", inv_id)
            di = g.derived(inv)
            mark = f" overdue {di['days_overdue']} days" if di["overdue"] else ""
            gross = (f" (net {fmt_money(di['subtotal'], '')} + tax {fmt_money(di['tax'], '')})" if di["tax"] else "")
            out.append(f"  invoice  {inv.id}  {inv.data.get('status')}  {fmt_money(di['total'], di['currency'])}{gross}"
                       f"  balance {fmt_money(di['balance'], di['currency'])}{mark}")
        for pid in d.get("projects", []):
            p = g.get("project", pid)
            dp = g.derived(p)
            out.append(f"  project  {p.id}  {p.data.get('status')}  {clean(str(p.data.get('name', '')))}  {done_text(dp)}"
                       + (f"  unbilled {fmt_money(dp['unbilled_value'], g.currency(p))}" if dp["unbilled_value"] > 0 else ""))
        for sid in d.get("services", []):
            s = g.get("service", sid)
            ds = g.derived(s)
            out.append(f"  service  {s.id}  {s.data.get('status')}  {fmt_money(ds['amount'], g.currency(s)) or 'no amount'}"
                       f"  {ds['hours_booked']} h  {done_text(ds)}"
                       + (f"  unbilled {fmt_money(ds['unbilled_value'], g.currency(s))}" if ds["unbilled_value"] > 0 else ""))
        for tid in d.get("income", []):
            t = g.get("transaction", tid)
            out.append(f"  income   {t.id}  {t.data.get('date')}  {fmt_money(t.data.get('amount'), g.currency(t))}"
                       f"  {'received' if t.data.get('received') else 'expected'}"
                       + (f"  {t.data['invoice']}" if t.data.get("invoice") else ""))
    if rec.kind in ("client", "contact") and d.get("meetings"):
        out += meeting_lines(g, d["meetings"])
    return ("linked:\n" + "\n".join(out) + "\n") if out else ""


def done_text(d: dict) -> str:
    """Completion as `show` prints it: `done 37.5%`, `done 112.0% over`, or why there is none."""
    if d.get("completion_pct") is not None:
        return f"done {fmt_pct(d['completion_pct'])}"
    return f"done n/a ({d.get('completion_note') or 'no basis'})"
