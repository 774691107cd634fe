"""The books' one canonical YAML style (SPEC section 1): ruamel.yaml set up so that what
`init`, `add` and the demo book write, and every record an edit re-writes, looks the same:
two-space mapping indent, top-level items at column 0, `null` as `null`, decimals exact,
strings YAML 1.1 would misread quoted."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from .yamlio import yaml11_reads_otherwise

_YAML = None


def rt_yaml():
    """ruamel.yaml set to the book's canonical style (see SPEC section 1)."""
    global _YAML
    if _YAML is None:
        from ruamel.yaml import YAML
        y = YAML()  # round-trip, YAML 1.2
        y.indent(mapping=2, sequence=2, offset=0)
        y.width = 4096
        y.preserve_quotes = True
        rep = y.representer
        rep.add_representer(type(None), lambda r, d: r.represent_scalar("tag:yaml.org,2002:null", "null"))

        def decimal(r, d: Decimal):
            text = format(d, "f")
            tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
            return r.represent_scalar(tag, text)
        rep.add_representer(Decimal, decimal)

        def text(r, d: str):
            if needs_escapes(d):
                return r.represent_scalar("tag:yaml.org,2002:str", d, style='"')
            if yaml11_reads_otherwise(d):
                return r.represent_scalar("tag:yaml.org,2002:str", d, style="'")
            return r.represent_str(d)
        rep.add_representer(str, text)
        rep.add_representer(dt.datetime, lambda r, d: r.represent_str(
            d.strftime("%Y-%m-%d %H:%M") if not d.second else d.strftime("%Y-%m-%d %H:%M:%S")))
        _YAML = y
    return _YAML


# Characters YAML reads as line breaks, which ruamel.yaml's emitter leaves raw in
# plain and single-quoted scalars (so they would read back as a space): only a
# double-quoted scalar (`"\N"`, `"\L"`) keeps them.
_BREAKS = ("\x85", "\u2028", "\u2029", "\r")     # and CR, which a block scalar cannot hold


def needs_escapes(text: str) -> bool:
    return any(c in text for c in _BREAKS)


def dump(value) -> str:
    out = io.StringIO()
    rt_yaml().dump(value, out)
    return out.getvalue()


def record_text(data: dict) -> str:
    """A new record as it is appended: `- id: ...` at column 0, keys at two spaces."""
    return dump([_clean(data)])


def _clean(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None and v != [] and v != ""}
