"""Validation of invoices and transactions: one bad record per problem, each with its exact message."""
import re

import pytest

INV = "- id: {id}\n  client: {client}\n  issued: 2026-11-10\n  status: {status}\n{body}"
TX = ("- id: tx-20261120-{n}\n  date: 2026-11-20\n  kind: income\n  amount: {amount}\n  classification: {cls}\n"
      "  account: bank\n  received: true\n{links}")


def inv(id="INV-2026-023", client="acme", status="sent", body="  amount: 100\n"):
    return INV.format(id=id, client=client, status=status, body=body)


def tx(amount="100", cls="client", links="  client: acme\n  invoice: INV-2026-023\n", n="aaaaaa"):
    return TX.format(amount=amount, cls=cls, links=links, n=n)


CASES = {
    "amount disagrees with items": (
        inv(body="  items:\n  - description: Work\n    quantity: 2\n    unit_price: 50\n  amount: 90\n"), "",
        "invoices.yaml:+9: error: invoice 'INV-2026-023': amount 90 disagrees with its items, which add up to 100.00"),
    "item without a price": (
        inv(body="  items:\n  - description: Work\n    quantity: 2\n"), "",
        "invoices.yaml:+1: error: invoice 'INV-2026-023': items[1].unit_price is missing"),
    "zero total": (
        inv(body="  items:\n  - description: Work\n    quantity: 2\n    unit_price: 0\n"), "",
        "invoices.yaml:+5: error: invoice 'INV-2026-023': total is 0.00: an invoice must be for more than zero"),
    "gap in numbers": (
        inv(id="INV-2026-025"), "",
        "invoices.yaml:+1: error: invoice 'INV-2026-025': invoice numbers of 2026 have gaps: 23, 24 missing; issued "
        "numbers are gapless: restore the invoices that had them (from git: `git log -- invoices.yaml`), or record "
        "them as void; never renumber a sent invoice (correct it with a credit note)"),
    "gap among drafts only": (
        inv(id="INV-2026-025", status="draft"), "",
        "invoices.yaml:+1: warning: invoice 'INV-2026-025': invoice numbers of 2026 have gaps: 23, 24 missing"),
    "duplicate number": (
        inv(id="INV-2026-001"), "",
        "invoices.yaml:+1: error: invoice 'INV-2026-001': duplicate invoice number (first at invoices.yaml:2): two "
        "invoices under one number (made on two devices?); renumber the one not sent yet; a sent invoice is never "
        "renumbered: if both were sent, void this one with a credit note and issue it again under the next number"),
    "number off the pattern": (
        inv(id="INV-2025-023"), "",
        "invoices.yaml:+1: warning: invoice 'INV-2025-023': number does not follow the book's invoice_number "
        "for 2026 (like INV-2026-001)"),
    "due before issued": (
        inv(body="  amount: 100\n  due: 2026-11-01\n"), "",
        "invoices.yaml:+6: error: invoice 'INV-2026-023': due 2026-11-01 is before issued 2026-11-10"),
    "paid without income": (
        inv(status="paid"), "",
        "invoices.yaml:+4: error: invoice 'INV-2026-023': paid, but no received income is linked to it"),
    "overpaid": (
        inv(), tx(amount="150"),
        "invoices.yaml:+1: error: invoice 'INV-2026-023': overpaid: received 150.00 against a total of 100.00"),
    "sent but covered": (
        inv(), tx(),
        "invoices.yaml:+4: warning: invoice 'INV-2026-023': sent, but received income 100.00 covers its total: "
        "`freelance invoice move INV-2026-023 paid`"),
    "currency differs": (
        inv(body="  amount: 100\n  currency: EUR\n"),
        tx(amount="50", links="  client: acme\n  invoice: INV-2026-023\n  currency: USD\n"),
        "transactions/2026.yaml:+10: error: income 'tx-20261120-aaaaaa': income in USD linked to invoice "
        "INV-2026-023 in EUR"),
    "invoice in another currency than its client": (
        inv(body="  amount: 100\n  currency: EUR\n"), "",
        "invoices.yaml:+6: error: invoice 'INV-2026-023': in EUR, linked to client acme in USD: "
        "linked records are in one currency"),
    "amount finer than its currency": (
        inv(body="  amount: 100.005\n"), "",
        "invoices.yaml:+5: error: invoice 'INV-2026-023': amount: 100.005 has more decimals than USD has"),
    "client income without client": (
        "", tx(links=""),
        "transactions/2026.yaml:+5: warning: income 'tx-20261120-aaaaaa': client income is not linked to a client yet (`freelance income link`)"),
    "missing invoice": (
        "", tx(links="  client: acme\n  invoice: INV-2026-O17\n"),
        "transactions/2026.yaml:+9: error: income 'tx-20261120-aaaaaa': invoice 'INV-2026-O17': no such invoice "
        "(did you mean 'INV-2026-017'"),
    "another client's invoice": (
        "", tx(links="  client: globex\n  invoice: INV-2026-017\n"),
        "transactions/2026.yaml:+9: error: income 'tx-20261120-aaaaaa': invoice INV-2026-017 belongs to client "
        "'acme', not 'globex'"),
    "classification not in the list": (
        "", tx(cls="grant", links=""),
        "transactions/2026.yaml:+5: error: income 'tx-20261120-aaaaaa': classification 'grant' is not one of "
        "client, salary, interest, refund, other (the book's income_classifications)"),
    "category not in the list": (
        "", tx(links="").replace("kind: income", "kind: expense").replace("classification: client", "category: softwre"),
        "transactions/2026.yaml:+5: error: expense 'tx-20261120-aaaaaa': category 'softwre' is not one of software, "
        "hardware, travel, taxes, office, other (the book's expense_categories) (did you mean 'software'?)"),
    "zero amount": (
        "", tx(amount="0", cls="other", links=""),
        "transactions/2026.yaml:+4: error: income 'tx-20261120-aaaaaa': amount must be more than zero, got 0"),
    "negative amount": (
        "", tx(amount="-12.50", cls="other", links=""),
        "transactions/2026.yaml:+4: error: income 'tx-20261120-aaaaaa': amount must be more than zero, got -12.50"),
    "income on a void invoice": (
        "", tx(links="  client: initech\n  invoice: INV-2026-021\n", amount="1"),
        "transactions/2026.yaml:+9: warning: income 'tx-20261120-aaaaaa': linked to invoice INV-2026-021, which is void"),
    "invoice on non-client income": (
        "", tx(cls="refund", links="  invoice: INV-2026-017\n", amount="1"),
        "transactions/2026.yaml:+8: warning: income 'tx-20261120-aaaaaa': linked to invoice INV-2026-017 but "
        "classified 'refund', not client"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_money_problem_is_one_located_line(cli, case):
    invoices, transactions, expected = CASES[case]
    for rel, text in (("invoices.yaml", invoices), ("transactions/2026.yaml", transactions)):
        path = cli.book / rel
        base = len(path.read_text(encoding="utf-8").splitlines())
        # "file:+N:" is the N-th line of the record appended to that file
        expected = re.sub(re.escape(rel) + r":\+(\d+):", lambda m: f"{rel}:{base + int(m.group(1))}:", expected)
        if text:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(text)
    r = cli("validate")
    lines = r.stdout.splitlines()
    assert any(line.startswith(expected) for line in lines), "\n".join(lines)
    assert r.exit_code == (1 if ": error: " in expected else 0), r.output


def test_a_huge_amount_written_by_hand_is_a_located_problem_not_a_crash(cli):
    with open(cli.book / "invoices.yaml", "a") as fh:
        fh.write("- id: INV-HUGE\n  client: acme\n  status: sent\n  issued: 2026-01-05\n"
                 "  amount: 99999999999999999999999999999\n")
    r = cli("invoice", "list")           # listed, with the problem located on stderr: exit 1
    assert r.exit_code == 1 and "INV-HUGE" not in r.stdout.split("INV-HUGE", 1)[0][-1:]
    assert "invoices.yaml:" in r.stderr and "is too large" in r.stderr
    r = cli("validate")
    assert r.exit_code == 1
    assert "invoice 'INV-HUGE': '99999999999999999999999999999' is too large" in r.stdout
