"""Quotes and the work they price (docs/quotes.md).

- a quote's totals come from the one computation of invoice totals (`money.invoice_totals`):
  its lines are invoice lines;
- a quote is *expired* when it is still open (draft or sent) and its `valid_until` has passed:
  derived, never stored (`quote move Q expired` says it by hand);
- a project's *quoted work* is the lines of the quote it was made from (`project.quote`), else
  its services priced (a fixed fee, or rate x estimated hours): what deposit, progress and
  final invoices take a share of.

Read side: records in, plain values out.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.money import ZERO, dec, invoice_totals, tax_groups
from ..core.rules import BILLED, ON_ACCOUNT, QUOTE_OPEN


def valid_until(g, q) -> dt.date | None:
    d = q.data.get("valid_until")
    return d if isinstance(d, dt.date) else None


def expired(g, q, asof: dt.date | None = None) -> bool:
    """An open quote (draft or sent) past its valid_until, or one moved to expired."""
    asof = g.today if asof is None else asof
    if q.data.get("status") == "expired":
        return True
    until = valid_until(g, q)
    return q.data.get("status") in QUOTE_OPEN and until is not None and until < asof


def derive(g, q) -> dict:
    subtotal, tax, total = invoice_totals(q.data, per_line=g.settings.tax_per_line)
    until = valid_until(g, q)
    return {"subtotal": subtotal, "tax": tax, "total": total, "expired": expired(g, q),
            "days_left": (until - g.today).days if until is not None and q.data.get("status") in QUOTE_OPEN
            and until >= g.today else None,
            "currency": g.currency(q)}


def quote_of(g, project):
    """The quote a project was made from, or None."""
    qid = project.data.get("quote")
    return g.get("quote", qid) if isinstance(qid, str) else None


def quoted_lines(g, project) -> list[dict]:
    """The project's quoted work as invoice lines (description, quantity, unit_price, tax_rate
    when the line has its own): the quote's lines, else its services priced."""
    q = quote_of(g, project)
    if q is not None:
        rate = q.data.get("tax_rate")
        out = []
        for it in q.data.get("items") or []:
            if isinstance(it, dict):
                line = {k: it[k] for k in ("description", "service", "quantity", "unit_price", "tax_rate")
                        if it.get(k) is not None}
                if "tax_rate" not in line and isinstance(rate, Decimal):
                    line["tax_rate"] = rate
                out.append(line)
        return out
    out = []
    services = [s for s in g.records("service") if s.data.get("project") == project.id
                or s.id in (project.data.get("services") or [])]
    for s in services:
        rate = s.data.get("rate")
        if not isinstance(rate, Decimal):
            continue
        if s.data.get("pricing") == "fixed":
            out.append({"description": str(s.data.get("name") or s.id), "service": s.id,
                        "quantity": Decimal(1), "unit_price": rate})
        elif isinstance(s.data.get("hours"), Decimal):
            out.append({"description": str(s.data.get("name") or s.id), "service": s.id,
                        "quantity": s.data["hours"], "unit_price": rate})
    return out


def parts_of(g, project) -> list:
    """The project's deposit and progress invoices that are not void, in number order."""
    return sorted((i for i in g.by("invoice", "project").get(project.id, ())
                   if i.data.get("part") in ON_ACCOUNT and i.data.get("status") != "void"), key=lambda i: i.id)


def quoted(g, project) -> Decimal | None:
    """The net of the quote a project was made from (None: it has none)."""
    q = quote_of(g, project)
    return invoice_totals(q.data, g.settings.tax_per_line)[0] if q is not None else None


def side_by_side(g, project) -> dict:
    """Quoted, invoiced and booked for `project show` (net of tax, in the project's currency)."""
    lines = quoted_lines(g, project)
    quoted = sum((n for _, n, _ in tax_groups({"items": lines}, g.settings.tax_per_line)), ZERO) if lines else None
    d = g.derived(project)
    finals = [i for i in g.by("invoice", "project").get(project.id, ())
              if i.data.get("part") == "final" and i.data.get("status") in BILLED]
    return {"quoted": quoted, "invoiced": d.get("invoiced"), "booked": d.get("booked_value"),
            "on_account": sum((invoice_totals(i.data, g.settings.tax_per_line)[0] for i in parts_of(g, project)
                               if i.data.get("status") in BILLED), ZERO),
            "final": finals[0].id if finals else None}


def total_of(lines: list[dict], rate=None, per_line: bool = False) -> Decimal:
    """The total with tax of invoice lines (the invoice's rate where a line has none)."""
    return invoice_totals({"items": lines, "tax_rate": dec(rate) if rate is not None else None}, per_line)[2]
