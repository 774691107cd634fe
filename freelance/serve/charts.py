"""Charts as inline SVG made on the server: no script, no library, nothing from the internet.
Every text is escaped; sizes are attributes (the Content-Security-Policy forbids inline styles)."""
from __future__ import annotations

from decimal import Decimal
from html import escape

from ..core.money import ZERO
from ..core.text import fmt_money


def _scale(values) -> Decimal:
    top = max([v for v in values if isinstance(v, Decimal)] + [ZERO])
    return top if top > 0 else Decimal(1)


def months_chart(rows: list[tuple[str, Decimal, Decimal]], currency: str, width: int = 720,
                 height: int = 220) -> str:
    """Income and expenses per month as pairs of bars, with the amounts in each bar's title."""
    if not rows:
        return '<p class="empty">no money moved in this period</p>'
    top = _scale([v for _, a, b in rows for v in (a, b)])
    pad_l, pad_b, pad_t = 8, 34, 18
    inner_h = height - pad_b - pad_t
    slot = (width - pad_l - 8) / max(len(rows), 1)
    bar = max(min(slot / 2 - 3, 28), 2)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="income and expenses by month">',
           f'<text x="{pad_l}" y="12" class="axis">top {escape(fmt_money(top, currency))}</text>',
           f'<line x1="{pad_l}" y1="{pad_t + inner_h}" x2="{width}" y2="{pad_t + inner_h}" class="base"/>']
    for i, (month, income, expenses) in enumerate(rows):
        x = pad_l + i * slot + (slot - 2 * bar - 2) / 2
        for j, (value, cls) in enumerate(((income, "in"), (expenses, "out"))):
            h = float(value / top) * inner_h if value > 0 else 0
            y = pad_t + inner_h - h
            label = f"{month} {'income' if cls == 'in' else 'expenses'} {fmt_money(value, currency)}"
            out.append(f'<rect class="{cls}" x="{x + j * (bar + 2):.1f}" y="{y:.1f}" width="{bar:.1f}" '
                       f'height="{h:.1f}"><title>{escape(label)}</title></rect>')
        out.append(f'<text x="{x + bar:.1f}" y="{height - 18}" class="axis" text-anchor="middle">'
                   f'{escape(month[5:] if len(rows) > 1 else month)}</text>')
    out.append(f'<g class="legend"><rect class="in" x="{width - 170}" y="2" width="10" height="10"/>'
               f'<text x="{width - 156}" y="11">income</text>'
               f'<rect class="out" x="{width - 90}" y="2" width="10" height="10"/>'
               f'<text x="{width - 76}" y="11">expenses</text></g>')
    out.append("</svg>")
    return "".join(out)


def hbar_chart(rows: list[tuple[str, Decimal]], currency: str, cls: str, width: int = 420) -> str:
    """One horizontal bar per label (a classification, a category), with its amount."""
    rows = [(k, v) for k, v in rows if isinstance(v, Decimal)]
    if not rows:
        return '<p class="empty">nothing</p>'
    top = _scale([v for _, v in rows])
    line, label_w, amount_w = 22, 110, 100
    bar_w = width - label_w - amount_w
    height = line * len(rows) + 4
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img">']
    for i, (label, value) in enumerate(rows):
        y = i * line + 2
        w = float(value / top) * bar_w if value > 0 else 0
        out.append(f'<text x="0" y="{y + 14}" class="label">{escape(str(label))}</text>'
                   f'<rect class="{cls}" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{line - 8}">'
                   f'<title>{escape(str(label))} {escape(fmt_money(value, currency))}</title></rect>'
                   f'<text x="{width}" y="{y + 14}" class="amount" text-anchor="end">'
                   f'{escape(fmt_money(value, currency))}</text>')
    out.append("</svg>")
    return "".join(out)
