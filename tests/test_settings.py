"""`freelance settings`: show, add/rm on the book's lists, set; careful writes of freelance.yaml."""
import json

import pytest

from conftest import run_cli

COMMENTED = """\
# My studio's settings.
name: Example Studio   # shown on invoices
currency: USD

# pipeline stages, in board order
stages: [lead, negotiation, client]   # add more with `settings add`
accounts: [{id: bank, name: Bank, opening_balance: 0}, {id: cash, name: Cash, opening_balance: 0}]
week_start: monday
# the end
"""


def test_show_text_and_json(cli):
    r = cli("settings")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["name", "Example", "Studio"]
    assert "stages                  lead, negotiation, client" in lines
    assert "accounts                bank (Bank, opening 0), cash (Cash, opening 0)" in lines
    assert cli("settings", "show").stdout == r.stdout
    data = json.loads(cli("settings", "show", "--format", "json").stdout)
    assert data["currency"] == "USD" and data["timezone"] == "Europe/London"
    assert data["stages"] == ["lead", "negotiation", "client"]
    assert data["payment_terms_days"] == 30
    assert data["accounts"][0] == {"id": "bank", "name": "Bank", "opening_balance": 0, "iban": "GB33BUKB20201555555555"}
    r = cli("settings", "show", "--format", "yaml")
    assert r.exit_code == 2 and "expected one of text, json" in r.stderr


def test_add_a_stage_changes_one_line(cli):
    path = cli.book / "freelance.yaml"
    before = path.read_text()
    r = cli("settings", "add", "stages", "lost")
    assert (r.exit_code, r.stdout) == (0, "added 'lost' to stages\n")
    after = path.read_text()
    assert after == before.replace("stages: [lead, negotiation, client]\n",
                                   "stages: [lead, negotiation, client, lost]\n")
    assert cli("validate").exit_code == 0


def test_add_an_account_with_an_opening_balance(cli):
    r = cli("settings", "add", "accounts", "savings", "--opening-balance", "100")
    assert r.exit_code == 0, r.output
    data = json.loads(cli("settings", "show", "--format", "json").stdout)
    assert data["accounts"][-1] == {"id": "savings", "name": "Savings", "opening_balance": 100}
    assert ", {id: savings, name: Savings, opening_balance: 100}]" in (cli.book / "freelance.yaml").read_text()
    r = cli("income", "add", "50", "--account", "savings", "--classification", "interest", "--received")
    assert r.exit_code == 0, r.output
    assert cli("validate").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["add", "stages", "lead"], "stages already has 'lead'"),
    (["add", "stages", "two words"], "'two words': a list value is letters, digits, '.', '_' and '-' "
                                     "(like 'lost' or 'grants')"),
    (["add", "stagez", "lost"], "'stagez' is not a list setting; one of stages, income_classifications, "
                                "expense_categories, accounts, contact_categories, resource_types, "
                                "resource_categories, goal_categories, meeting_media (did you mean 'stages'?)"),
    (["add", "accounts", "savings", "--opening-balance", "lots"], "--opening-balance: expected a number, got 'lots'"),
    (["rm", "stages", "leed"], "stages has no 'leed' (did you mean 'lead'?)"),
    (["rm", "stages", "lead"], "'lead' is still used by 3 records (client wayne-foods, client hooli, "
                               "client pied-piper); move them first"),
    (["set", "currency", "euro"], "currency: expected a three-letter code like USD or EUR, got 'euro'"),
    (["set", "timezone", "Mars/Base"], "timezone: expected a known time zone (like UTC or Europe/Berlin), got 'Mars/Base'"),
    (["set", "week_start", "mon"], "week_start: expected a day of the week like monday, got 'mon' (did you mean 'monday'?)"),
    (["set", "payment_terms_days", "thirty"], "payment_terms_days: expected a whole number of days from 0 to 3650, got 'thirty'"),
    (["set", "stages", "lead"], "cannot set 'stages'; stages is a list: use `settings add stages VALUE`; one of "
                                "name, currency, timezone, week_start, date_order, invoice_number, payment_terms_days, "
                                "default_rate, tax_rounding, tax_name, write_off_category, time_rounding, auto_commit, tax_reserve, tax_reserve_account, require_receipts, owner.name, owner.email, owner.address, "
                                "business.legal_name, business.iban, ..."),
])
def test_bad_settings_changes_exit_2_and_leave_the_file(cli, args, message):
    path = cli.book / "freelance.yaml"
    before = path.read_bytes()
    r = cli("settings", *args)
    assert r.exit_code == 2, r.output
    assert r.stderr == f"freelance: error: {message}\n"
    assert path.read_bytes() == before


def test_rm_allowed_once_unused(cli):
    assert cli("settings", "add", "stages", "lost").exit_code == 0
    assert cli("client", "move", "hooli", "lost").exit_code == 0
    r = cli("settings", "rm", "stages", "lost")
    assert r.exit_code == 2 and "'lost' is still used by 1 record (client hooli)" in r.stderr
    assert cli("client", "move", "hooli", "lead").exit_code == 0
    r = cli("settings", "rm", "stages", "lost")
    assert (r.exit_code, r.stdout) == (0, "removed 'lost' from stages\n")
    assert "stages: [lead, negotiation, client]\n" in (cli.book / "freelance.yaml").read_text()


def test_rm_an_account_in_use_is_refused(cli):
    r = cli("settings", "rm", "accounts", "bank")
    assert r.exit_code == 2 and "'bank' is still used by" in r.stderr


def test_set_values(cli):
    path = cli.book / "freelance.yaml"
    before = path.read_text()
    assert cli("settings", "set", "currency", "EUR").stdout == "set currency to 'EUR'\n"
    assert cli("settings", "set", "timezone", "Europe/Berlin").exit_code == 0
    assert cli("settings", "set", "week_start", "Sunday").stdout == "set week_start to 'sunday'\n"
    assert cli("settings", "set", "owner.name", "Sam Sample").exit_code == 0
    after = path.read_text()
    assert after == (before.replace("currency: USD", "currency: EUR")
                     .replace("timezone: Europe/London", "timezone: Europe/Berlin")
                     .replace("week_start: monday", "week_start: sunday")
                     .replace("{name: Alex Example,", "{name: Sam Sample,"))
    data = json.loads(cli("settings", "show", "--format", "json").stdout)
    assert (data["currency"], data["week_start"], data["owner"]["name"]) == ("EUR", "sunday", "Sam Sample")


def test_comments_in_freelance_yaml_survive(empty_book):
    path = empty_book / "freelance.yaml"
    path.write_text(COMMENTED)
    assert run_cli("settings", "add", "stages", "lost", books=empty_book).exit_code == 0
    assert run_cli("settings", "set", "currency", "EUR", books=empty_book).exit_code == 0
    assert run_cli("settings", "add", "expense_categories", "books", books=empty_book).exit_code == 0
    assert run_cli("settings", "rm", "accounts", "cash", books=empty_book).exit_code == 0
    text = path.read_text()
    assert text.startswith("# My studio's settings.\nname: Example Studio   # shown on invoices\ncurrency: EUR\n\n"
                           "# pipeline stages, in board order\n")
    # the comment stays on its line (ruamel.yaml keeps its column while the value leaves room)
    assert "stages: [lead, negotiation, client, lost] # add more with `settings add`\n" in text
    assert "accounts: [{id: bank, name: Bank, opening_balance: 0}]\n" in text
    # a list not in the file yet is added at the end, with every default value
    assert text.endswith("week_start: monday\n# the end\n"
                         "expense_categories: [software, hardware, travel, taxes, office, other, books]\n")
    data = json.loads(run_cli("settings", "show", "--format", "json", books=empty_book).stdout)
    assert data["expense_categories"][-1] == "books"
    assert run_cli("validate", books=empty_book).exit_code == 0
