"""Who bills whom: the business identity in settings and the clients' billing fields,
set from the command line and checked (IBAN and BIC by schwifty, VAT ids by python-stdnum,
countries by ISO 3166), by `settings set`, `client add/edit` and `validate` alike."""
import re

from conftest import run_cli


def test_settings_set_business_identity_is_checked_and_written(empty_book):
    def s(*args):
        return run_cli("settings", "set", *args, books=empty_book)
    r = s("business.iban", "DE89370400440532013001")
    assert r.exit_code == 2 and "not a valid IBAN" in r.output
    r = s("business.vat_id", "DE123456789")
    assert r.exit_code == 2 and "not a valid VAT id" in r.output
    r = s("business.country", "XX")
    assert r.exit_code == 2 and "ISO 3166" in r.output
    r = s("business.bic", "NOTABIC")
    assert r.exit_code == 2 and "BIC" in r.output
    r = s("business.ibn", "x")
    assert r.exit_code == 2 and "business.iban" in r.output      # what it could be
    before = (empty_book / "freelance.yaml").read_text()
    assert "business" not in before                               # nothing written by the refusals
    for args in (("business.iban", "DE89 3704 0044 0532 0130 00"), ("business.bic", "COBADEFFXXX"),
                 ("business.vat_id", "DE123456788"), ("business.country", "DE"),
                 ("business.address", "Hauptstraße 1", "Hinterhaus"), ("business.postcode", "01067")):
        r = s(*args)
        assert r.exit_code == 0, r.output
    text = (empty_book / "freelance.yaml").read_text()
    assert text.startswith(before.rstrip("\n"))                  # the rest of the file as it was
    assert "iban: DE89 3704 0044 0532 0130 00" in text
    assert "address: [Hauptstraße 1, Hinterhaus]" in text
    assert "postcode: '01067'" in text                           # a string, the leading 0 kept
    assert run_cli("validate", books=empty_book).exit_code == 0
    r = s("business.postcode", "")
    assert r.exit_code == 0 and "cleared" in r.output and "postcode" not in (empty_book / "freelance.yaml").read_text()
    r = run_cli("settings", "show", "--format", "json", books=empty_book)
    assert '"iban": "DE89 3704 0044 0532 0130 00"' in r.output


def test_validate_reports_identity_typed_by_hand(empty_book):
    path = empty_book / "freelance.yaml"
    path.write_text(path.read_text() + "business:\n  iban: DE00 1234\n  vat_id: FR123\n  colour: blue\n")
    r = run_cli("validate", books=empty_book)
    assert r.exit_code == 1
    assert re.search(r"freelance.yaml:\d+: error: .*business.iban 'DE00 1234': not a valid IBAN", r.output)
    assert "business.vat_id 'FR123': not a valid VAT id" in r.output
    assert "business.colour: unknown" in r.output


def test_client_billing_fields_are_options_and_checked(cli):
    r = cli("client", "edit", "globex", "--vat-id", "DE123456789")
    assert r.exit_code == 2 and "--vat-id" in r.output and "not a valid VAT id" in r.output
    r = cli("client", "edit", "globex", "--country", "Germany")
    assert r.exit_code == 2 and "ISO 3166" in r.output
    r = cli("client", "edit", "globex", "--language", "xx-nope")
    assert r.exit_code == 2 and "--language" in r.output
    r = cli("client", "edit", "globex", "--billing-name", "Globex Inc. (Accounts)", "--vat-id", "FR40303265045",
            "--country", "FR", "--language", "fr")
    assert r.exit_code == 0, r.output
    text = (cli.book / "clients.yaml").read_text()
    assert "billing_name: Globex Inc. (Accounts)" in text and "vat_id: FR40303265045" in text
    r = cli("client", "show", "globex", "--format", "json")
    assert '"vat_id": "FR40303265045"' in r.output and '"language": "fr"' in r.output
    assert cli("validate").exit_code == 0


def test_validate_reports_a_client_vat_id_typed_by_hand(cli):
    path = cli.book / "clients.yaml"
    path.write_text(path.read_text().replace("vat_id: DE123456788", "vat_id: DE123456789"))
    r = cli("validate")
    assert r.exit_code == 1
    assert re.search(r"clients.yaml:\d+: error: client 'umbrella-labs': vat_id 'DE123456789': not a valid VAT id", r.output), r.output


def test_demo_book_has_a_full_identity_and_billing_details(cli):
    r = cli("settings", "show", "--format", "json")
    for key in ("legal_name", "address", "postcode", "city", "country", "vat_id", "iban", "bic"):
        assert f'"{key}"' in r.output
    import json
    clients = json.loads(cli("client", "list", "--format", "json").output)
    for c in clients:
        shown = json.loads(cli("client", "show", c["id"], "--format", "json").output)
        assert shown.get("address") and shown.get("postcode") and shown.get("city") and shown.get("country"), c["id"]
    assert cli("validate").exit_code == 0
