"""Invoices from the command line: items, numbering, due dates, tax rounding, moves, the board."""
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from drafts import DRAFT, added
from freelance.core.errors import UsageError


def show(cli, kind, rid, **kw):
    r = cli(kind, "show", rid, "--format", "json", **kw)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_invoice_add_makes_a_draft_numbered_when_issued_items_tax_and_due_date(cli):
    r = cli("invoice", "add", "--client", "acme", "--project", "acme-website", "--item", "Design sprint:1:2500",
            "--item", "Development:40:95", "--tax-rate", "19", "--issued", "today")
    assert r.exit_code == 0, r.output
    rid = added(r)
    assert DRAFT.fullmatch(rid) and rid.startswith("draft-20261125-")       # its issue date, then random
    assert r.stdout == f"added invoice '{rid}' (draft): total 7,497.00 USD, due 2026-12-25\n"
    text = (cli.book / "invoices.yaml").read_text()
    assert text.endswith(
        f"- id: {rid}\n  client: acme\n  project: acme-website\n  issued: 2026-11-25\n  due: 2026-12-25\n"
        "  status: draft\n  items:\n  - description: Design sprint\n    quantity: 1\n    unit_price: 2500\n"
        "  - description: Development\n    quantity: 40\n    unit_price: 95\n  tax_rate: 19\n")
    d = show(cli, "invoice", rid)
    assert (d["subtotal"], d["tax"], d["total"], d["balance"]) == ("6300.00", "1197.00", "7497.00", "7497.00")
    # leaving draft gives it the next number of the book's pattern, and the command says it
    r = cli("invoice", "move", rid, "sent")
    assert r.exit_code == 0, r.output
    assert f"invoice '{rid}' is numbered INV-2026-023" in r.stdout
    assert show(cli, "invoice", "INV-2026-023")["total"] == "7497.00"
    assert f"- id: {rid}\n" not in (cli.book / "invoices.yaml").read_text()
    assert show(cli, "invoice", rid)["id"] == "INV-2026-023"            # its draft id still names it


def test_invoice_add_amount_explicit_number_and_due(cli):
    r = cli("invoice", "add", "--client", "globex", "--amount", "1200", "--number", "INV-2026-100",
            "--issued", "2026-11-01", "--due", "2026-11-15")
    assert r.exit_code == 0, r.output
    d = show(cli, "invoice", "INV-2026-100")
    assert (d["amount"], d["total"], d["due"], d["status"]) == ("1200", "1200.00", "2026-11-15", "draft")
    # the next number follows the highest of the year
    r = cli("invoice", "add", "--client", "globex", "--amount", "50", "--status", "sent")
    assert "'INV-2026-101'" in r.stdout
    # a number already taken is refused, the file untouched
    before = (cli.book / "invoices.yaml").read_text()
    r = cli("invoice", "add", "--client", "globex", "--amount", "50", "--number", "INV-2026-100")
    assert r.exit_code == 2 and "invoice 'INV-2026-100' already exists (invoices.yaml:" in r.stderr
    assert (cli.book / "invoices.yaml").read_text() == before


def test_numbering_is_per_issue_year_and_follows_the_book_pattern(cli):
    r = cli("invoice", "add", "--client", "acme", "--amount", "10", "--issued", "2027-01-04")
    assert cli("invoice", "move", added(r), "sent").exit_code == 0
    assert show(cli, "invoice", "INV-2027-001")["status"] == "sent"
    assert cli("settings", "set", "invoice_number", "F{year}-{seq:04d}").exit_code == 0
    r = cli("invoice", "add", "--client", "acme", "--amount", "10", "--issued", "2027-02-01", "--status", "sent")
    assert "'F2027-0001'" in r.stdout
    r = cli("invoice", "add", "--client", "acme", "--amount", "10", "--issued", "2027-02-02")
    assert "is numbered F2027-0002" in cli("invoice", "move", added(r), "sent").stdout


def test_item_descriptions_may_hold_colons_and_name_a_service(cli):
    r = cli("invoice", "add", "--client", "acme", "--item", "Meeting: kick-off 10:00:2:150:acme-build",
            "--item", "Note: a:b:1:0.5")
    assert r.exit_code == 0, r.output
    items = show(cli, "invoice", added(r))["items"]
    assert items == [
        {"description": "Meeting: kick-off 10:00", "service": "acme-build", "quantity": "2", "unit_price": "150"},
        {"description": "Note: a:b", "quantity": "1", "unit_price": "0.5"}]


@pytest.mark.parametrize("args, message", [
    (["--item", "Design:x:10"], "--item 'Design:x:10': quantity 'x' is not a number"),
    (["--item", "Design"], "expected \"description:quantity:unit_price\""),
    (["--item", "Design:0:10"], "quantity must be more than zero"),
    (["--item", "Design:1:10:acme-bild"], "--item: no service 'acme-bild' (did you mean 'acme-build'"),
    (["--item", "Design:1:10", "--amount", "5"], "either --item (one or more lines) or --amount"),
    ([], "an invoice needs --item"),
    (["--amount", "0"], "--amount: must be more than zero"),
    (["--amount", "5", "--issued", "2026-11-10", "--due", "2026-11-01"], "--due 2026-11-01 is before --issued"),
    (["--amount", "5", "--number", "INV 7"], "is not a valid id"),
])
def test_invoice_add_refuses_bad_input_with_one_line(cli, args, message):
    before = (cli.book / "invoices.yaml").read_text()
    r = cli("invoice", "add", "--client", "acme", *args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr and r.stderr.startswith("freelance: error: ") and "Traceback" not in r.output
    assert (cli.book / "invoices.yaml").read_text() == before


def test_unknown_client_is_refused_unless_create_missing(cli):
    r = cli("invoice", "add", "--client", "acmee", "--amount", "5")
    assert r.exit_code == 2 and "no client 'acmee' (did you mean 'acme'?)" in r.stderr
    r = cli("invoice", "add", "--client", "newco", "--amount", "5", "--create-missing")
    assert r.exit_code == 0 and "created client 'newco' (lead)" in r.stdout


def _tax_book(cli, rounding):
    assert cli("settings", "set", "tax_rounding", rounding).exit_code == 0
    r = cli("invoice", "add", "--client", "acme", "--item", "a:1:0.10", "--item", "b:1:0.20")
    assert r.exit_code == 0, r.output
    r2 = cli("invoice", "add", "--client", "acme", "--tax-rate", "19",
             "--item", "x:1:0.50", "--item", "y:1:0.50", "--item", "z:1:0.50")
    assert r2.exit_code == 0, r2.output
    return show(cli, "invoice", added(r)), show(cli, "invoice", added(r2))


def test_tax_rounding_per_invoice(cli):
    cents, taxed = _tax_book(cli, "per-invoice")
    assert (cents["subtotal"], cents["total"]) == ("0.30", "0.30")
    assert (taxed["subtotal"], taxed["tax"], taxed["total"]) == ("1.50", "0.29", "1.79")   # 0.285 half up


def test_tax_rounding_per_line(cli):
    cents, taxed = _tax_book(cli, "per-line")
    assert (cents["subtotal"], cents["total"]) == ("0.30", "0.30")
    assert (taxed["subtotal"], taxed["tax"], taxed["total"]) == ("1.50", "0.30", "1.80")   # 3 x 0.095 -> 0.10


def test_a_line_may_carry_its_own_tax_rate(cli):
    """`--item "...:7%"`: the line's rate wins over the invoice's; tax is per rate, each rounded."""
    r = cli("invoice", "add", "--client", "acme", "--tax-rate", "19", "--item", "Dev:10:95.55",
            "--item", "Book: a guide:1:39.90:7%", "--item", "Postage:1:4.80:0%")
    assert r.exit_code == 0, r.output
    text = (cli.book / "invoices.yaml").read_text()
    assert "  - description: 'Book: a guide'\n    quantity: 1\n    unit_price: 39.90\n    tax_rate: 7\n" in text
    shown = json.loads(cli("invoice", "show", added(r), "--format", "json").stdout)
    # 955.50 x 19 % = 181.545 -> 181.55; 39.90 x 7 % = 2.793 -> 2.79; 4.80 x 0 %
    assert (shown["subtotal"], shown["tax"], shown["total"]) == ("1000.20", "184.34", "1184.54")
    r = cli("invoice", "add", "--client", "acme", "--item", "Dev:1:10:120%")
    assert r.exit_code == 2 and "tax rate must be a percentage" in r.output


def test_a_drafts_lines_are_replaced_and_a_derived_due_date_follows_the_issue_date(cli):
    r = cli("invoice", "add", "--client", "acme", "--amount", "100", "--issued", "2026-11-20")
    assert r.exit_code == 0 and "due 2026-12-20" in r.output
    rid = added(r)
    r = cli("invoice", "edit", rid, "--item", "Design:2:150", "--item", "Book:1:30:7%",
            "--issued", "2026-11-25")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"changed invoice '{rid}': issued, items, amount, due\n"
    shown = json.loads(cli("invoice", "show", rid, "--format", "json").stdout)
    assert shown["issued"] == "2026-11-25" and shown["due"] == "2026-12-25"      # moved with it
    assert shown["amount"] is None and [i["description"] for i in shown["items"]] == ["Design", "Book"]
    assert shown["subtotal"] == "330.00"
    # a due date typed by hand stays where it was put
    assert cli("invoice", "edit", rid, "--due", "2027-01-15").exit_code == 0
    assert cli("invoice", "edit", rid, "--issued", "2026-11-26").exit_code == 0
    assert json.loads(cli("invoice", "show", rid, "--format", "json").stdout)["due"] == "2027-01-15"
    # only a draft's lines
    r = cli("invoice", "edit", "INV-2026-018", "--item", "x:1:1")
    assert r.exit_code == 2 and "only a draft's lines can be replaced" in r.output
    assert cli("validate").exit_code == 0


def test_move_sent_paid_void(cli):
    rid = added(cli("invoice", "add", "--client", "acme", "--amount", "100"))
    r = cli("invoice", "move", rid, "sent")
    assert r.stdout == f"moved invoice '{rid}': draft -> sent\ninvoice '{rid}' is numbered INV-2026-023\n"
    r = cli("invoice", "move", "INV-2026-023", "void")
    assert r.stdout == "moved invoice 'INV-2026-023': sent -> void\n"
    r = cli("invoice", "move", "INV-2026-023", "paied")
    assert r.exit_code == 2 and "(did you mean 'paid'?)" in r.stderr


def test_overdue_depends_on_today(cli):
    d = show(cli, "invoice", "INV-2026-017")          # sent, due 2026-11-30
    assert (d["overdue"], d["days_overdue"]) == (False, 0)
    d = show(cli, "invoice", "INV-2026-017", today="2026-12-05")
    assert (d["overdue"], d["days_overdue"], d["balance"]) == (True, 5, "600.00")


def test_board_has_status_columns_counts_totals_and_marks(cli):
    r = cli("invoice", "board")
    assert r.exit_code == 0, r.output
    header = r.stdout.splitlines()[1]
    for col in ("draft (3)", "sent (6)", "paid (12)", "void (1)"):
        assert col in header
    lines = r.stdout.splitlines()
    totals = lines.index(next(l for l in lines if l.split("│")[1:3] and l.split("│")[1].strip() == "total"))
    assert [c.strip() for c in lines[totals + 1].split("│")[1:-1]] == [
        "4,800.00 USD", "16,162.00 USD", "31,552.00 USD", "4,200.00 USD"]   # sent: 2100 + 2464 + 5700 + 3450 + 600 + 1848
    assert "OVERDUE 72 days" in r.stdout and "part paid" in r.stdout and "1,100.00 USD due" in r.stdout
    cols = json.loads(cli("invoice", "board", "--format", "json").stdout)
    sent = next(c for c in cols if c["name"] == "sent")
    assert (sent["count"], sent["total"]) == (6, "16162.00")
    initech = next(c for c in sent["cards"] if c["id"] == "INV-2026-009")
    assert initech["lines"][-3:] == ["OVERDUE 72 days", "part paid", "1,100.00 USD due"]
    assert max(len(line) for line in r.stdout.splitlines()) <= 80


@settings(max_examples=60, deadline=None)
@given(desc=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
       .filter(lambda s: s.strip() == s and s.strip()),
       qty=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
       price=st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000"), places=2),
       service=st.one_of(st.none(), st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)))
def test_parse_item_round_trips_any_description(desc, qty, price, service):
    from freelance.changes.invoicing import _NUMBER, parse_item
    text = f"{desc}:{qty}:{price}" + (f":{service}" if service else "")
    *_, tail = desc.rpartition(":")
    if not service and ":" in desc and _NUMBER.fullmatch(tail.strip().replace(",", "")):
        with pytest.raises(UsageError, match="four numbers after the description"):
            parse_item(text)          # "Book:1:100:7": a rate without '%'? never guessed
        return
    item = parse_item(text)
    assert item["description"] == desc and item["quantity"] == qty and item["unit_price"] == price
    assert item.get("service") == service


def test_a_tax_rate_without_its_percent_sign_is_refused_not_read_as_a_price(cli):
    """"Book:1:100:7" was billed as 100 x 7 = 700 with "Book:1" as its description."""
    before = _bytes(cli.book)
    r = cli("invoice", "add", "--client", "acme", "--item", "Book:1:100:7")
    assert r.exit_code == 2 and "':7%'" in r.stderr, r.output
    assert _bytes(cli.book) == before
    r = cli("invoice", "add", "--client", "acme", "--item", "Book:1:100:7%")
    assert r.exit_code == 0 and "total 107.00" in r.stdout, r.output
    r = cli("invoice", "add", "--client", "acme", "--item", "Meeting: kick-off:1:250")
    assert r.exit_code == 0 and "total 250.00" in r.stdout, r.output


@pytest.mark.parametrize("pattern", ["INV-{year}", "INV-{seq}-{client}", "INV-{yr}-{seq}"])
def test_one_invoice_number_rule_for_settings_validate_and_add(cli, pattern):
    """settings set, validate and invoice add agree on which patterns can number invoices."""
    r = cli("settings", "set", "invoice_number", pattern)
    assert r.exit_code == 2 and "invoice_number: not a usable pattern" in r.stderr
    settings = cli.book / "freelance.yaml"
    text = settings.read_text()
    settings.write_text(text.replace('invoice_number: INV-{year}-{seq:03d}', f'invoice_number: "{pattern}"'))
    assert pattern in settings.read_text()
    r = cli("validate")
    assert r.exit_code == 1 and f"invoice_number '{pattern}': not a usable pattern" in r.stdout
    r = cli("invoice", "add", "--client", "acme", "--amount", "10", "--status", "sent")
    assert r.exit_code == 2 and "invoice_number pattern" in r.stderr and "not usable" in r.stderr
    # a draft needs no number yet; issuing it does
    r = cli("invoice", "add", "--client", "acme", "--amount", "10")
    assert r.exit_code == 0, r.output
    r = cli("invoice", "move", added(r), "sent")
    assert r.exit_code == 2 and "invoice_number pattern" in r.stderr and "not usable" in r.stderr


def _bytes(book):
    return {p.relative_to(book): p.read_bytes() for p in sorted(book.rglob("*.yaml"))}


@pytest.mark.parametrize("items", [["a:1:-5"], ["a:1:0"], ["Design:1:100", "Discount:1:-100"]])
def test_invoice_add_refuses_lines_that_add_up_to_nothing(cli, items):
    before = _bytes(cli.book)
    r = cli("invoice", "add", "--client", "acme", *[x for i in items for x in ("--item", i)])
    assert r.exit_code == 2, r.output
    assert "an invoice must be for more than zero" in r.stderr
    assert _bytes(cli.book) == before
    assert cli("validate").exit_code == 0


def test_invoice_add_keeps_a_discount_line(cli):
    r = cli("invoice", "add", "--client", "acme", "--item", "Design:1:100", "--item", "Discount:1:-10")
    assert r.exit_code == 0, r.output
    assert "total 90.00 USD" in r.stdout
    assert cli("validate").exit_code == 0


def test_invoice_lines_that_round_to_nothing_are_refused(cli):
    r = cli("invoice", "add", "--client", "acme", "--item", "x:0.0000000001:5")
    assert r.exit_code == 2
    assert "the lines add up to 0.00" in r.stderr


def test_invoice_show_lines_add_up_to_the_subtotal(cli):
    """Unit prices are shown as written (0.125 is not 0.13) and each line with its total, the
    cents the subtotal adds: 1000 x 0.125 = 125.00, 3 x 0.333 = 1.00, subtotal 126.00."""
    r = cli("invoice", "add", "--client", "acme", "--item", "Words:1000:0.125", "--item", "Checks:3:0.333")
    assert r.exit_code == 0, r.output
    show = cli("invoice", "show", added(r)).stdout
    assert "  item 1          Words — 1000 x 0.125 USD = 125.00 USD\n" in show
    assert "  item 2          Checks — 3 x 0.333 USD = 1.00 USD\n" in show
    assert "  subtotal        126.00 USD\n" in show


def test_renumber_gives_a_draft_the_next_number_and_moves_its_links_in_one_write(cli):
    import subprocess
    from conftest import git_commit_all
    assert cli("project", "add", "Audit", "--client", "acme", "--rate", "95").exit_code == 0
    assert cli("time", "log", "audit", "2h", "--date", "2026-11-20").exit_code == 0
    r = cli("invoice", "add", "--client", "acme", "--project", "audit", "--from-time")
    assert r.exit_code == 0, r.output
    old = r.stdout.split("'")[1]
    assert cli("income", "add", "10", "--invoice", old, "--date", "2026-11-21").exit_code == 0
    git_commit_all(cli.book)
    r = cli("invoice", "renumber", old)
    assert r.exit_code == 0, r.output
    new = r.stdout.split("'")[3]
    assert new != old and "2 records linking to it" in r.stdout
    diff = subprocess.run(["git", "diff", "-U0"], cwd=cli.book, capture_output=True, text=True).stdout
    changed = [l for l in diff.splitlines() if l[:1] in "+-" and l[:3] not in ("+++", "---")]
    assert sorted(changed) == sorted([f"-- id: {old}", f"+- id: {new}", f"-  invoice: {old}", f"+  invoice: {new}",
                                      f"-  invoice: {old}", f"+  invoice: {new}", f"+  draft_id: {old}"])
    assert cli("validate").exit_code == 0
    assert cli("invoice", "renumber", new, "--to", "INV-2026-001").exit_code == 2    # taken
    cli("invoice", "move", new, "sent")
    r = cli("invoice", "renumber", new)
    assert r.exit_code == 2 and "credit note" in r.output                          # issued: never


def test_an_invoice_sent_under_its_draft_id_is_an_error_that_renumber_settles(cli):
    """Sent by hand (or a merge) without its number: `validate` says so with the way out, and
    `invoice renumber` gives it the next number (an issued draft id never had one)."""
    rid = added(cli("invoice", "add", "--client", "acme", "--amount", "100"))
    path = cli.book / "invoices.yaml"
    head, tail = path.read_text().split(f"- id: {rid}\n")
    path.write_text(head + f"- id: {rid}\n" + tail.replace("status: draft", "status: sent", 1))
    r = cli("validate")
    assert r.exit_code == 1
    assert f"'{rid}': sent, but still under its draft id" in r.stdout and f"freelance invoice renumber {rid}" in r.stdout
    r = cli("invoice", "renumber", rid)
    assert r.exit_code == 0 and f"invoice '{rid}' is now 'INV-2026-023'" in r.output, r.output
    assert cli("validate").exit_code == 0
    assert show(cli, "invoice", rid)["id"] == "INV-2026-023"
