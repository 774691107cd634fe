"""`report vat`: the VAT return of a period and the EC sales list (read/vat.py, docs/vat.md)."""
from __future__ import annotations

import datetime as dt

from ..graph import Graph
from ..journal import DEFAULT_BASIS
from ..vat import vat_return
from ...core.text import Column
from . import Options, Report, Section

CLIENT = False     # a return is the whole business's
BASIS = True       # --basis cash|accrual: tax when the money moved, or when invoiced
CLIENT_INSTEAD = "for one client's invoices see `freelance report invoices --client ID`"


def quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter `today` is in: the period when none is given."""
    q = (today.month - 1) // 3
    start = dt.date(today.year, 3 * q + 1, 1)
    end = dt.date(today.year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def build(g: Graph, opts: Options) -> Report:
    start, end = opts.start, opts.end
    if start is None and end is None:
        start, end = quarter(opts.today)
    basis = opts.basis or DEFAULT_BASIS
    r = vat_return(g, basis, start, end)
    m = dict(align="right", money=True)
    when = ("when the money moved (payments, their fees, write-offs)" if basis == "cash"
            else "when invoices and credit notes were issued")
    span = f"from {start or 'the start'} to {end or 'the end'}"
    sections = [
        Section("outputs", "Supplies and output tax", r["outputs"], [
            Column("supply"), Column("category", "cat"), Column("rate", align="right"),
            Column("net", **m), Column("tax", **m)],
            note=f"{basis} basis, {span}: tax {when}; cat: the EN 16931 VAT category (S taxed, AE reverse "
                 "charge, G export, E untaxed)"),
        Section("inputs", "Input tax (expenses)", r["inputs"], [
            Column("rate", align="right"), Column("net", **m), Column("tax", **m)],
            note="expenses with `tax:` or `tax_rate:`, paid in the period; a blank rate: the tax was given, not its rate"),
        Section("totals", "Net payable", r["totals"], [
            Column("output_tax", "output tax", **m), Column("input_tax", "input tax", **m),
            Column("payable", **m)],
            note="payable = output tax - input tax, per currency (below zero: a refund); equal to the tax accounts "
                 "of `freelance export hledger" + (" --accrual" if basis == "accrual" else "") + "` in the period"),
        Section("ec_sales", "EC sales list", r["ec_sales"], [
            Column("country"), Column("vat_id", "VAT id"), Column("client"), Column("invoices", align="right"),
            Column("amount", **m)],
            note="reverse-charge supplies to businesses in other EU countries, by the day the invoice or credit "
                 "note was issued (whatever the basis)"),
    ]
    rows = [{**w, "warning": (f"{w['invoice']} ({w['client']}): " if w["invoice"] else "") + w["problem"]}
            for w in r["warnings"]]
    sections.append(Section("warnings", "Check these", rows, [
        Column("warning"), Column("invoice"), Column("client")], table_columns=("warning",)))
    # TODO(fx): a home-currency column (the book's currency at the rate of each posting's day)
    # once the journal records rates (`--value home`); until then each row is in its currency.
    return Report("vat", f"VAT return {start} to {end}" if start and end else "VAT return", sections,
                  alerts={"warnings": [w["invoice"] or w["problem"] for w in r["warnings"]]},
                  meta={"from": start, "to": end, "basis": basis})
