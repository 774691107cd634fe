"""Durations, once: how long a meeting lasts, how many hours were worked, and how
hours are rounded for a client (`time_rounding`). Ground floor: standard library only.

- A duration with its unit: `45m`, `90m`, `2h`, `1h30m`, `1.5h`, `1,5h`, `1:30`
  (`parse_minutes`). Meetings take these (a bare `90` is 90 minutes or 90 hours?).
- Hours worked take the same, and also a bare number of hours: `1.5`, `1,5`
  (`parse_hours`, as amounts accept a decimal comma).
- `time_rounding` (`none`, or `15m` with `up`, `down` or `nearest`) is applied to
  each entry when hours are billed or summed for a client, never to the stored entry
  (`rounded`).
See docs/time.md.
"""
from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

_HM = re.compile(r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\Z", re.ASCII | re.IGNORECASE)
_CLOCK = re.compile(r"(\d+):([0-5]\d)\Z", re.ASCII)
_DECIMAL_HOURS = re.compile(r"(\d+(?:[.,]\d{1,6})?|[.,]\d{1,6})\s*h\Z", re.ASCII | re.IGNORECASE)
_BARE = re.compile(r"-?(\d{1,12}(?:[.,]\d{1,6})?|[.,]\d{1,6})\Z", re.ASCII)   # a sign: "more than 0" says why

UNITS_HINT = "45m, 90m, 1h30m, 1.5h or 1:30"
HOURS_HINT = "1.5, 1,5, 1.5h, 1h30m, 90m or 1:30"
MAX_ENTRY_HOURS = Decimal(24)
MAX_DAY_HOURS = Decimal(24)     # every entry of one day together: a day has no more
HOURS_PLACES = 6                # what `time log` keeps (0.000001 h is 3.6 ms): a finer value is no clock's
_SIX = Decimal("0.000001")
PLACES = Decimal("0.01")        # hours stored for a duration that is not a whole number of hundredths


def _dec(text: str) -> Decimal:
    sign = "-" if text.startswith("-") else ""
    t = text.lstrip("-").replace(",", ".")
    return Decimal(sign + ("0" + t if t.startswith(".") else t))


def parse_minutes(text) -> Decimal | None:
    """Minutes in a duration written with its unit (`45m`, `1h30m`, `1.5h`, `1:30`), as a
    Decimal (`1.25h` is 75); None when it is not such a duration."""
    t = str(text).strip()
    if not t or len(t) > 20:
        return None
    m = _HM.match(t)
    if m and (m.group(1) or m.group(2)):
        return Decimal(int(m.group(1) or 0) * 60 + int(m.group(2) or 0))
    m = _CLOCK.match(t)
    if m:
        return Decimal(int(m.group(1)) * 60 + int(m.group(2)))
    m = _DECIMAL_HOURS.match(t)
    if m:
        return _dec(m.group(1)) * 60
    return None


def parse_hours(text) -> Decimal | None:
    """Hours in `1.5`, `1,5`, or any duration with its unit; None when unreadable. Minutes
    that are not a whole number of hundredths of an hour (`1h20m`) are rounded to 0.01 h."""
    t = str(text).strip()
    if _BARE.match(t):
        try:
            h = _dec(t)
        except InvalidOperation:
            return None
    else:
        minutes = parse_minutes(t)
        if minutes is None:
            return None
        h = minutes / 60
    return _short(h)


def _short(h: Decimal) -> Decimal:
    """`h` as it is when it has at most six places, else rounded to 0.01 (80 min: 1.33 h)."""
    return tidy(h if h == h.quantize(_SIX) else h.quantize(PLACES, rounding=ROUND_HALF_UP))


def tidy(h: Decimal) -> Decimal:
    """Hours without trailing zeros: 8, 1.5 (never 8.00 or 8E+0)."""
    return h.quantize(Decimal(1)) if h == h.to_integral_value() else h.normalize()


def hours_text(h: Decimal) -> str:
    """Hours as people read them next to clock time: 1.5 -> '1h30m', 0.25 -> '15m'."""
    minutes = int((h * 60).to_integral_value(rounding=ROUND_HALF_UP))
    hh, mm = divmod(minutes, 60)
    return (f"{hh}h" if hh else "") + (f"{mm:02d}m" if hh and mm else f"{mm}m" if mm or not hh else "")


# -- rounding for a client ----------------------------------------------------------

MODES = ("up", "down", "nearest")
ROUNDING_HINT = "none, or a step like 15m, 6m or 1h with up, down or nearest (e.g. '15m up')"


def rounding_rule(value) -> tuple[Decimal, str] | None:
    """(step in minutes, mode) of the book's `time_rounding`, or None for none.
    Raises ValueError (with what is accepted) for a value it cannot read."""
    if value is None:
        return None
    t = str(value).strip().lower()
    if t in ("", "none", "no", "off", "false"):
        return None
    parts = t.split()
    mode = "nearest"
    if len(parts) == 2 and parts[1] in MODES:
        mode = parts[1]
    elif len(parts) != 1:
        raise ValueError(f"time_rounding: expected {ROUNDING_HINT}, got {value!r}")
    step = parse_minutes(parts[0])
    if step is None or step <= 0 or step > 24 * 60 or step != step.to_integral_value():
        raise ValueError(f"time_rounding: expected {ROUNDING_HINT}, got {value!r}")
    return step, mode


def rounded(hours: Decimal, rule: tuple[Decimal, str] | None) -> Decimal:
    """`hours` rounded by `rule` (from `rounding_rule`); as they are when None."""
    if rule is None:
        return hours
    step, mode = rule
    how = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "nearest": ROUND_HALF_UP}[mode]
    steps = (hours * 60 / step).to_integral_value(rounding=how)
    return _short(steps * step / 60)
