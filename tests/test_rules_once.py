"""Each rule once (docs/architecture.md, the ground floor): the invoice status sets, the default
invoice-number pattern, the book's time zone and tax rounding, the VAT category are defined in
`core/` and asked for there; no other module spells them out again."""
import ast
import datetime as dt

from conftest import ROOT

from freelance.core import rules
from freelance.core.settings import Settings, merged

STATUSES = set(rules.INVOICE_STATUSES)
# a generator's random picks are not rules
EXEMPT = {"freelance/core/rules.py", "freelance/tools/demo.py"}


def modules():
    for path in sorted((ROOT / "freelance").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        yield rel, ast.parse(path.read_text())


def test_invoice_status_sets_are_defined_once():
    found = []
    for rel, tree in modules():
        if rel in EXEMPT:
            continue
        for n in ast.walk(tree):
            if isinstance(n, (ast.Tuple, ast.List, ast.Set)) and len(n.elts) >= 2 \
                    and all(isinstance(e, ast.Constant) and e.value in STATUSES for e in n.elts):
                found.append(f"{rel}:{n.lineno}: {ast.unparse(n)}")
    assert found == [], "use core.rules' BILLED, NOT_OWED, SETTLED, UNPAID, NOT_VOID or INVOICE_STATUSES"


def test_the_default_invoice_number_pattern_is_written_once():
    found = [f"{rel}:{n.lineno}" for rel, tree in modules() if rel != "freelance/core/rules.py"
             for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and rules.DEFAULT_INVOICE_NUMBER in n.value]
    assert found == []


def test_time_zone_and_tax_rounding_are_read_through_settings():
    """`settings.get("timezone")` / `get("tax_rounding")` with a fallback beside it was written
    three times each; `Settings.timezone`, `zone()` and `tax_per_line` say it once."""
    found = []
    for rel, tree in modules():
        if rel.startswith("freelance/core/"):
            continue
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get" \
                    and n.args and isinstance(n.args[0], ast.Constant) and n.args[0].value in ("timezone", "tax_rounding") \
                    and "settings" in ast.unparse(n.func.value):
                found.append(f"{rel}:{n.lineno}: {ast.unparse(n)}")
    assert found == []


def test_the_settings_answer_with_their_fallbacks():
    s = Settings(merged({"timezone": "Europe/Berlin", "tax_rounding": "per-line"}), {})
    assert s.timezone == "Europe/Berlin" and s.zone().utcoffset(dt.datetime(2026, 1, 1)) == dt.timedelta(hours=1)
    assert s.tax_per_line
    unset = Settings(merged({}), {})
    assert unset.timezone == "UTC" and not unset.tax_per_line
    assert Settings(merged({"timezone": "Mars/Olympus"}), {}).zone() == dt.timezone.utc


def test_tax_categories_live_on_the_ground_floor():
    assert rules.tax_category(rules.Decimal("19"), "DE", "FR", "FR123") == ("S", None)
    assert rules.tax_category(0, "DE", "FR", "FR40303265045") == ("AE", "reverse_charge")
    assert rules.tax_category(0, "DE", "US", None) == ("G", "export")
    assert rules.tax_category(0, "DE", "DE", None) == ("E", "exempt")
    assert rules.tax_category(0, "DE", "FR", None) == ("E", "exempt")      # no VAT id: not reverse charge
