"""Issue 18's "Done when", as a new user lives it: last month's statement from the bank
(examples/bank/2026-11.csv, read by the demo book's bank-rules/mybank.yaml) is imported,
the invoices it paid are seen paid, the rest is classified with two rules, and the bank
balance equals the statement's closing balance."""
from __future__ import annotations

import json
from decimal import Decimal

from conftest import ROOT

STATEMENT = ROOT / "examples" / "bank" / "2026-11.csv"
DAY = "2026-12-01"          # the first of December: November's statement is in


def test_a_statement_is_imported_matched_classified_and_reconciled(cli):
    def run(*args):
        r = cli(*args, today=DAY)
        assert r.exit_code == 0, (args, r.output)
        return r

    closing = Decimal(STATEMENT.read_text().strip().splitlines()[-1].rsplit(",", 1)[1])
    first = STATEMENT.read_text().splitlines()[1].split(",")
    before = next(a for a in json.loads(run("report", "finance", "--format", "json").stdout)["accounts"]
                  if a["account"] == "bank")["balance"]
    assert Decimal(first[-1]) - Decimal(first[-2]) == Decimal(before), (
        "the statement starts from the demo book's bank balance on 2026-11-25; the demo changed: "
        "shift the Balance column of examples/bank/2026-11.csv by the difference")
    run("bank", "import", STATEMENT, "--account", "bank", "--rules", "mybank")

    # the invoices it paid: one by its reference, one by its amount from a payer known for the client
    for number, paid_by in (("INV-2026-013", "Globex Corporation"), ("INV-2026-017", "Acme Corporation")):
        inv = json.loads(run("invoice", "show", number, "--format", "json").stdout)
        assert inv["status"] == "paid", number
        tx = [t for t in json.loads(run("income", "list", "--format", "json").stdout) if t.get("invoice") == number
              and t.get("payee") == paid_by]
        assert len(tx) == 1 and tx[0]["client"] == inv["client"] and not tx[0].get("review")

    # the rest waits for review, and two rules classify it
    review = json.loads(run("bank", "review", "--format", "json").stdout)
    assert sorted(x["payee"] for x in review) == ["Example Bank", "GitHub", "GitHub Copilot"]
    assert "classified 2 records under review" in run("bank", "rule", "add", "github", "--category", "software").stdout
    assert "classified 1 record under review" in run("bank", "rule", "add", "*interest*", "--field", "text",
                                                     "--classification", "interest").stdout
    assert run("bank", "review").stdout == "nothing to review\n"

    # the bank balance is the statement's closing balance, and the book is valid
    finance = json.loads(run("report", "finance", "--format", "json").stdout)
    bank = next(a for a in finance["accounts"] if a["account"] == "bank")
    assert Decimal(bank["balance"]) == closing
    run("validate")
