"""An invoice is paid when its received income says so, never just because it was dragged there."""


def test_moving_an_unpaid_invoice_to_paid_is_refused_with_the_command_that_pays_it(cli):
    before = (cli.book / "invoices.yaml").read_bytes()
    r = cli("invoice", "move", "INV-2026-017", "paid")
    assert r.exit_code == 2
    assert "received 0.00 USD of 600.00 USD" in r.stderr
    assert "freelance income add 600.00 --invoice INV-2026-017 --received" in r.stderr
    assert (cli.book / "invoices.yaml").read_bytes() == before
    # the command it suggests really pays it, and the invoice moves by itself
    paid = cli("income", "add", "600.00", "--invoice", "INV-2026-017", "--received")
    assert paid.exit_code == 0, paid.output
    assert "invoice 'INV-2026-017' is paid" in paid.stdout
    assert cli("validate").exit_code == 0


def test_a_partly_paid_invoice_cannot_be_edited_to_paid_either(cli):
    r = cli("invoice", "edit", "INV-2026-009", "--status", "paid")     # 1,000.00 of 2,100.00 received
    assert r.exit_code == 2
    assert "received 1,000.00 USD of 2,100.00 USD" in r.stderr


def test_other_moves_are_untouched(cli):
    assert cli("invoice", "move", "INV-2026-019", "sent").exit_code == 0
    assert cli("invoice", "move", "INV-2026-019", "void").exit_code == 0


def test_removing_the_income_that_paid_an_invoice_moves_it_back_to_sent(cli):
    r = cli("income", "rm", "tx-20261014-0ed904")          # the payment of INV-2026-014
    assert r.exit_code == 0, r.output
    assert "invoice 'INV-2026-014' now has received 0.00 USD of 600.00 USD (paid -> sent)" in r.stdout
    assert "  status: sent\n" in (cli.book / "invoices.yaml").read_text().split("- id: INV-2026-014\n")[1].split("- id:")[0]
    # the only problem left: the bank statement of October had that money (docs/accounts.md)
    r = cli("validate")
    assert r.stdout == ("balances.yaml:5: error: balance 'b-20261101-3e9d02': bank on 2026-10-31: the book says "
                        "18,293.34 USD, the statement 18,893.34 USD: 600.00 USD missing\n")


def test_marking_its_payment_not_received_and_back_moves_the_invoice_both_ways(cli):
    r = cli("income", "edit", "tx-20260912-5d9dc9", "--not-received")   # pays INV-2026-011
    assert "(paid -> sent)" in r.stdout
    r = cli("income", "edit", "tx-20260912-5d9dc9", "--received")
    assert "is paid: received 600.00 USD covers its total 600.00 USD (sent -> paid)" in r.stdout
    assert cli("validate").exit_code == 0


def test_income_added_without_received_says_it_is_expected_and_how_to_mark_it(cli):
    r = cli("income", "add", "500", "--client", "acme")
    assert r.exit_code == 0
    rid = r.stdout.splitlines()[0].split("'")[1]
    assert r.stdout.splitlines()[1] == (f"income '{rid}' is expected, not received: it is not in the bank "
                                        f"balance until `freelance income edit {rid} --received`")
    r = cli("income", "add", "500", "--client", "acme", "--received")
    assert len(r.stdout.splitlines()) == 1 and "expected" not in r.stdout
