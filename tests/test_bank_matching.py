"""Matching statement lines to invoices, classification rules, `bank review` and `bank match`
(issue 18, docs/bank-matching.md, docs/bank-classify.md).

The Matcher is driven as the import drives it (one per import, one line after another) on a
copy of the demo book, whose sent invoices are: INV-2026-009 (initech, balance 1,100), -013
(globex 2,464), -015 (acme 2,850), -016 (northwind 3,450), -017 (acme 600), -018 (globex
1,848); -019 is a draft, -001 is paid."""
from __future__ import annotations

import datetime as dt
import fnmatch
import json
import subprocess
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from freelance.read.classify import matches
from freelance.core.statement import StatementLine

from conftest import TODAY, git_commit_all

DAY = dt.date(2026, 11, 20)
ACME_IBAN = "DE89 3704 0044 0532 0130 00"


def matcher(book_dir, account="bank"):
    from freelance.changes.matching import Matcher
    from freelance.store.book import Book
    return Matcher(Book(book_dir, dt.date.fromisoformat(TODAY)), account)


def line(amount, n=1, **kw):
    return StatementLine(date=DAY, amount=Decimal(amount), line=n, **kw)


def append_tx(book, text):
    path = book / "transactions" / "2026.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


UNDER_REVIEW = """\
- id: tx-20261103-aaaaaa
  date: 2026-11-03
  kind: expense
  amount: 12.50
  account: bank
  received: true
  description: Card payment
  payee: GITHUB INC
  bank_ref: h:aaaa
  review: no rule classifies it
- id: tx-20261104-bbbbbb
  date: 2026-11-04
  kind: income
  amount: 600
  account: bank
  received: true
  payee: ACME Holdings Ltd
  reference: thanks for the support
  bank_ref: h:bbbb
  review: its amount is the balance of INV-2026-017 (acme), but the payer is not known for that client
- id: tx-20261105-cccccc
  date: 2026-11-05
  kind: income
  amount: 3.10
  account: bank
  received: true
  payee: Example Bank
  description: Interest November
  bank_ref: h:cccc
  review: no invoice or rule matches it
"""


# -- matching by reference --------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["INV-2026-017", "INV 2026 017", "inv-2026-017", "Rechnung INV2026017",
                                 "Invoice: inv_2026_017, thanks!"])
def test_a_reference_naming_an_open_invoice_links_it(demo, ref):
    got = matcher(demo).values(line("600", payee="Someone new", reference=ref))
    assert got == {"classification": "client", "client": "acme", "invoice": "INV-2026-017",
                   "service": "retainer-support"}


def test_the_description_is_searched_too_and_project_and_service_come_with_the_invoice(demo):
    got = matcher(demo).values(line("2464.00", description="SEPA CREDIT INV-2026-013 GLOBEX"))
    assert got == {"classification": "client", "client": "globex", "invoice": "INV-2026-013",
                   "project": "globex-dashboard", "service": "globex-dashboard-dev"}


@pytest.mark.parametrize("ref", ["INV20260170", "XINV2026017", "INV-2026-0171", "2026-017"])
def test_a_number_inside_a_longer_one_is_not_taken_for_it(demo, ref):
    got = matcher(demo).values(line("600", reference=ref))
    assert "invoice" not in got and "review" in got


@pytest.mark.parametrize("ref, amount, why", [
    ("INV-2026-001", "4000", "its reference names invoice INV-2026-001, which is paid"),
    ("INV-2026-019", "4200", "its reference names invoice INV-2026-019, which is draft (not sent)"),
    ("INV-2026-009", "2100", "its reference names invoice INV-2026-009, but 2,100.00 USD is not its balance "
                             "1,100.00 USD"),
    ("INV-2026-009", "100", "its reference names invoice INV-2026-009, but 100.00 USD is not its balance "
                            "1,100.00 USD"),
    ("INV-2026-013 and INV-2026-018", "4312", "its reference names 2 invoices: INV-2026-013, INV-2026-018"),
])
def test_unsure_references_are_left_for_review_with_the_reason(demo, ref, amount, why):
    assert matcher(demo).values(line(amount, reference=ref)) == {"review": why}


def test_a_void_invoice_named_is_not_paid(demo, cli):
    assert cli("invoice", "move", "INV-2026-016", "void").exit_code == 0
    got = matcher(demo).values(line("3450", reference="INV-2026-016"))
    assert got == {"review": "its reference names invoice INV-2026-016, which is void"}


def test_two_lines_do_not_both_pay_one_invoice(demo):
    m = matcher(demo)
    assert m.values(line("600", 7, reference="INV-2026-017"))["invoice"] == "INV-2026-017"
    assert m.values(line("600", 9, reference="INV-2026-017")) == {
        "review": "its reference names invoice INV-2026-017, which an earlier line of this statement "
                  "(line 7) paid already"}


def test_an_invoice_in_another_currency_is_not_paid_by_this_account(demo, cli):
    assert cli("settings", "add", "accounts", "eur", "--currency", "EUR").exit_code == 0
    got = matcher(demo, "eur").values(line("600", reference="INV-2026-017"))
    assert got == {"review": "its reference names invoice INV-2026-017, which is in USD, and the payment in EUR"}


# -- matching by amount and a known payer -------------------------------------------------------

def test_the_clients_iban_makes_an_amount_match_sure(demo, cli):
    unknown = matcher(demo).values(line("600", iban=ACME_IBAN.replace(" ", ""), payee="A. C. M. E. Holdings"))
    assert unknown == {"review": "its amount is the balance of INV-2026-017 (acme), but the payer is not "
                                 "known for that client"}
    assert cli("client", "edit", "acme", "--iban", ACME_IBAN).exit_code == 0
    got = matcher(demo).values(line("600", iban=ACME_IBAN.replace(" ", "").lower(), reference="thank you"))
    assert got["invoice"] == "INV-2026-017" and got["client"] == "acme"


def test_a_payer_name_seen_on_the_clients_income_makes_it_sure(demo, cli):
    r = cli("income", "add", "10", "--date", "2026-10-01", "--client", "globex", "--received",
            "--payee", "Globex  Corporation", "--account", "bank")
    assert r.exit_code == 0, r.output
    got = matcher(demo).values(line("1848", payee="GLOBEX CORPORATION"))
    assert got["invoice"] == "INV-2026-018"
    # a name seen on another client's income is not this one's payer
    assert "invoice" not in matcher(demo).values(line("600", payee="GLOBEX CORPORATION"))


def test_two_open_invoices_of_the_known_payer_with_that_balance_are_not_guessed(demo, cli):
    r = cli("invoice", "add", "--client", "acme", "--amount", "600", "--status", "sent", "--issued", "2026-11-01")
    assert r.exit_code == 0, r.output
    assert cli("client", "edit", "acme", "--iban", ACME_IBAN).exit_code == 0
    got = matcher(demo).values(line("600", iban=ACME_IBAN))
    assert got["review"].startswith("2 invoices of acme could be paid by it: INV-2026-017, INV-2026-0")


# -- classification rules ----------------------------------------------------------------------

RULES = """\
# mine
- match: github
  category: software
- match: "*interest*"
  field: text
  classification: interest
  description: Bank interest
- match: savings
  category: other
  account: cash
"""


def test_rules_classify_money_out_and_money_in_and_the_rest_waits_for_review(demo):
    (demo / "bank-rules").mkdir(exist_ok=True)
    (demo / "bank-rules" / "classify.yaml").write_text(RULES, encoding="utf-8")
    m = matcher(demo)
    assert m.values(line("-12.5", payee="GitHub, Inc.")) == {"category": "software"}
    assert m.values(line("3.10", payee="Example Bank", description="Credit INTEREST Nov")) == {
        "classification": "interest", "description": "Bank interest"}
    assert m.values(line("-5", payee="Coffee")) == {"review": "no rule classifies it"}
    assert m.values(line("-50", payee="Savings")) == {"review": "no rule classifies it"}   # another account's rule
    assert m.values(line("7", payee="GitHub")) == {"review": "no invoice or rule matches it"}   # money in


def test_a_rule_naming_the_payer_wins_over_an_amount_from_an_unknown_payer(demo):
    (demo / "bank-rules").mkdir(exist_ok=True)
    (demo / "bank-rules" / "classify.yaml").write_text("- match: tax office\n  classification: refund\n")
    assert matcher(demo).values(line("600", payee="Tax Office")) == {"classification": "refund"}


@given(st.text(alphabet="ab*Xé ", max_size=8), st.text(alphabet="abxXÉé ", max_size=12))
@settings(max_examples=400, deadline=None)
def test_a_pattern_is_a_substring_or_a_glob_with_star_only(pattern, value):
    expect = fnmatch.fnmatchcase(value.casefold(), pattern.casefold()) if "*" in pattern \
        else pattern.casefold() in value.casefold()
    assert matches(pattern, value) == expect


def test_regex_and_glob_syntax_other_than_star_is_plain_text():
    assert matches("a.c", "xa.cx") and not matches("a.c", "abc")
    assert matches("[x]", "a [X] b") and not matches("[x]", "x")
    assert matches("(a+)+$", "(A+)+$") and not matches("?", "a")


# -- commands ------------------------------------------------------------------------------------

def test_rule_add_writes_the_rule_and_classifies_what_waits_for_review_in_one_write(cli):
    append_tx(cli.book, UNDER_REVIEW)
    git_commit_all(cli.book)
    r = cli("bank", "rule", "add", "GitHub", "--category", "software")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == ["added to bank-rules/classify.yaml: 'GitHub' (payee) -> category software",
                                     "classified 1 record under review"]
    text = (cli.book / "bank-rules" / "classify.yaml").read_text()
    assert text.endswith("- match: GitHub\n  category: software\n")
    diff = subprocess.run(["git", "diff", "-U0", "transactions/2026.yaml"], cwd=cli.book, capture_output=True,
                          text=True).stdout
    changed = [x for x in diff.splitlines() if x[:1] in "+-" and not x.startswith(("+++", "---"))]
    assert changed == ["-  review: no rule classifies it", "+  category: software"] or \
        sorted(changed) == sorted(["-  review: no rule classifies it", "+  category: software"])
    r = cli("bank", "rule", "add", "*interest*", "--classification", "interest", "--field", "text")
    assert r.exit_code == 0, r.output
    assert "classified 1 record under review" in r.stdout
    r = cli("bank", "rules", "--format", "json")
    assert [(x["match"], x["field"], x.get("category") or x.get("classification")) for x in json.loads(r.stdout)] \
        == [("GitHub", "payee", "software"), ("*interest*", "text", "interest")]
    r = cli("bank", "review", "--format", "json")
    assert [x["id"] for x in json.loads(r.stdout)] == ["tx-20261104-bbbbbb"]
    assert cli("validate").exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["github", "--category", "softwear"], "--category: 'softwear' is not an expense category (one of software, "
     "hardware, travel, taxes, office, other) (did you mean 'software' or 'other'?); add it with "
     "`freelance settings add expense_categories softwear`"),
    (["github"], "give --category (money out) or --classification (money in), one of them"),
    (["github", "--category", "software", "--classification", "other"],
     "give --category (money out) or --classification (money in), one of them"),
    (["github", "--category", "software", "--field", "memo"], "--field: 'memo' is not one of payee, text"),
    (["github", "--category", "software", "--account", "bnak"],
     "--account: 'bnak' is not one of the book's accounts (bank, cash) (did you mean 'bank'?)"),
    (["  ", "--category", "software"], "a rule needs match: the payee or text to look for, like match: github"),
])
def test_rule_add_refuses_a_bad_rule_and_writes_nothing(cli, args, message):
    r = cli("bank", "rule", "add", *args)
    assert r.exit_code == 2
    assert r.stderr.strip() == f"freelance: error: {message}"
    assert not (cli.book / "bank-rules" / "classify.yaml").exists()


def test_rule_add_refuses_the_same_rule_twice(cli):
    assert cli("bank", "rule", "add", "github", "--category", "software").exit_code == 0
    r = cli("bank", "rule", "add", "github", "--category", "software")
    assert r.exit_code == 2 and "has this rule already" in r.stderr


def test_validate_names_each_bad_rule_with_its_line(cli):
    (cli.book / "bank-rules").mkdir(exist_ok=True)
    (cli.book / "bank-rules" / "classify.yaml").write_text(
        "- match: github\n  category: softwear\n"
        "- match: bank\n  classification: interest\n  category: other\n"
        "- category: travel\n"
        "- match: x\n  categroy: travel\n"
        "- match: ok\n  category: travel\n  field: memo\n", encoding="utf-8")
    r = cli("validate")
    assert r.exit_code == 1
    lines = [x for x in r.stdout.splitlines() if x.startswith("bank-rules/")]
    assert lines == [
        "bank-rules/classify.yaml:2: error: category: 'softwear' is not an expense category (one of software, "
        "hardware, travel, taxes, office, other) (did you mean 'software' or 'other'?); add it with "
        "`freelance settings add expense_categories softwear`",
        "bank-rules/classify.yaml:4: error: a rule gives a category (money out) or a classification (money in), "
        "not both",
        "bank-rules/classify.yaml:6: error: a rule needs match: the payee or text to look for, like match: github",
        "bank-rules/classify.yaml:7: error: a rule needs category: (money out) or classification: (money in)",
        "bank-rules/classify.yaml:8: error: unknown key 'categroy' in a rule (one of match, field, category, "
        "classification, account, description) (did you mean 'category'?)",
        "bank-rules/classify.yaml:11: error: field: 'memo' is not one of payee, text",
    ], r.stdout
    r = cli("bank", "rule", "add", "z", "--category", "travel")
    assert r.exit_code == 1 and "fix it first (nothing was written)" in r.stderr


def test_validate_says_when_the_rules_file_is_not_a_list(cli):
    (cli.book / "bank-rules").mkdir(exist_ok=True)
    (cli.book / "bank-rules" / "classify.yaml").write_text("match: github\ncategory: software\n")
    r = cli("validate")
    assert r.exit_code == 1
    assert "bank-rules/classify.yaml:1: error: expected a list of rules (items starting with '- ')" in r.stdout


def test_review_lists_why_the_candidates_and_the_commands(cli):
    append_tx(cli.book, UNDER_REVIEW)
    r = cli("bank", "review")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[:10] == [
        "tx-20261103-aaaaaa  2026-11-03  -12.50 USD  bank  GITHUB INC",
        "  why: no rule classifies it",
        "  settle: freelance expense edit tx-20261103-aaaaaa --category CATEGORY",
        "  settle: freelance bank rule add 'GITHUB INC' --category CATEGORY",
        "tx-20261104-bbbbbb  2026-11-04  +600.00 USD  bank  ACME Holdings Ltd \"thanks for the support\"",
        "  why: its amount is the balance of INV-2026-017 (acme), but the payer is not known for that client",
        "  candidate: INV-2026-017 (acme, balance 600.00 USD; amount equals its balance)",
        "  settle: freelance bank match tx-20261104-bbbbbb INV-2026-017",
        "  settle: freelance income edit tx-20261104-bbbbbb --classification CLASSIFICATION",
        "  settle: freelance bank rule add 'ACME Holdings Ltd' --classification CLASSIFICATION",
    ]
    assert r.stdout.splitlines()[-1] == "3 records to review"
    data = json.loads(cli("bank", "review", "--format", "json", "--account", "bank").stdout)
    assert data[1]["candidates"] == [{"invoice": "INV-2026-017", "client": "acme", "status": "sent",
                                      "balance": "600.00", "currency": "USD", "why": "amount equals its balance"}]
    assert cli("bank", "review", "--account", "cash").stdout == "nothing to review\n"
    r = cli("bank", "review", "--account", "bnak")
    assert r.exit_code == 2 and "(did you mean 'bank'?)" in r.stderr


def test_bank_match_pays_the_invoice_and_clears_review(cli):
    append_tx(cli.book, UNDER_REVIEW)
    r = cli("bank", "match", "tx-20261104-bbbbbb", "INV-2026-017")
    assert r.exit_code == 0, r.output
    assert "(no longer under review)" in r.stdout
    assert "invoice 'INV-2026-017' is paid" in r.stdout
    tx = json.loads(cli("income", "show", "tx-20261104-bbbbbb", "--format", "json").stdout)
    assert tx["invoice"] == "INV-2026-017" and tx["client"] == "acme" and tx.get("review") is None
    assert json.loads(cli("invoice", "show", "INV-2026-017", "--format", "json").stdout)["status"] == "paid"
    r = cli("bank", "match", "tx-20261103-aaaaaa", "INV-2026-017")
    assert r.exit_code == 2 and "no income 'tx-20261103-aaaaaa'" in r.stderr
    r = cli("bank", "match", "tx-20261105-cccccc", "INV-2026-099")
    assert r.exit_code == 2 and "no invoice 'INV-2026-099' (did you mean" in r.stderr


@pytest.mark.parametrize("args, tx", [
    (["income", "link", "tx-20261104-bbbbbb", "--invoice", "INV-2026-017"], "tx-20261104-bbbbbb"),
    (["expense", "edit", "tx-20261103-aaaaaa", "--category", "software"], "tx-20261103-aaaaaa"),
    (["income", "edit", "tx-20261105-cccccc", "--classification", "interest"], "tx-20261105-cccccc"),
])
def test_giving_what_was_missing_clears_review(cli, args, tx):
    append_tx(cli.book, UNDER_REVIEW)
    r = cli(*args)
    assert r.exit_code == 0, r.output
    assert tx not in cli("bank", "review").stdout
    assert "review:" not in cli("income" if "income" in args else "expense", "show", tx).stdout


def test_an_edit_that_settles_nothing_keeps_the_review(cli):
    append_tx(cli.book, UNDER_REVIEW)
    assert cli("expense", "edit", "tx-20261103-aaaaaa", "--description", "GitHub").exit_code == 0
    assert "tx-20261103-aaaaaa" in cli("bank", "review").stdout


def test_the_payers_kept_in_the_cache_are_what_the_records_say(cli):
    """The payers' index comes from each shard's cached summary, kept up to date by appends,
    edits and removals; it must be what reading the records gives."""
    from freelance.changes.matching import Matcher
    from freelance.store.book import Book
    today = dt.date.fromisoformat(TODAY)
    # (on cash: the demo's bank is reconciled with its October statement, which 3,000 made-up
    # expenses would contradict)
    filler = "".join(f"- id: tx-20260105-f{i:05x}\n  date: 2026-01-05\n  kind: expense\n  amount: 1\n"
                     f"  category: office\n  account: cash\n  received: true\n  description: Filler {i}\n"
                     for i in range(3000))
    append_tx(cli.book, filler)                        # a shard big enough to be peeked, not loaded, by a write
    assert cli("validate").exit_code == 0              # every shard in the cache
    for payee, client, day in (("Globex Corp", "globex", "2026-10-01"), ("ACME", "acme", "2026-10-02"),
                               ("Old Name", "acme", "2025-06-01")):
        r = cli("income", "add", "10", "--date", day, "--client", client, "--received", "--payee", payee,
                "--iban", ACME_IBAN if client == "acme" else "GB82 WEST 1234 5698 7654 32")
        assert r.exit_code == 0, r.output
    tx = next(x["id"] for x in json.loads(cli("income", "list", "--format", "json").stdout) if x.get("payee") == "ACME")
    assert cli("income", "edit", tx, "--payee", "Acme Corporation").exit_code == 0
    old = next(x["id"] for x in json.loads(cli("income", "list", "--format", "json").stdout)
               if x.get("payee") == "Old Name")
    assert cli("income", "rm", old).exit_code == 0
    cached = Matcher(Book(cli.book, today), "bank").payers()
    fresh = Matcher(Book(cli.book, today, cache=False), "bank").payers()
    assert cached == fresh
    assert fresh[1] == {"globex corp": {"globex"}, "acme corporation": {"acme"}}
    assert fresh[0] == {"GB82WEST12345698765432": {"globex"}, ACME_IBAN.replace(" ", ""): {"acme"}}


def test_the_classification_rules_are_not_a_csv_rules_file(cli, tmp_path):
    """bank-rules/classify.yaml is reserved: `--rules classify` is refused with what it is, and
    beside one bank's rules file, that file is still "the only one" (--rules may be left out)."""
    assert cli("bank", "rule", "add", "github", "--category", "software").exit_code == 0
    csv = tmp_path / "s.csv"
    csv.write_text("Date,Payee,Reference,Details,Amount,Balance\n2026-11-20,GitHub,,Card,-21.00,100.00\n")
    r = cli("bank", "import", csv, "--account", "bank", "--rules", "classify")
    assert r.exit_code == 2
    assert r.stderr.strip() == ("freelance: error: --rules: bank-rules/classify.yaml holds the classification rules "
                                "(`freelance bank rules`), not how to read a CSV; give your bank's rules file with "
                                "--rules NAME")
    r = cli("bank", "import", csv, "--account", "bank")
    assert r.exit_code == 0, r.output
    tx = [t for t in json.loads(cli("expense", "list", "--format", "json").stdout) if t.get("payee") == "GitHub"]
    assert [(t["category"], t.get("review")) for t in tx] == [("software", None)]


def test_an_import_summarizes_each_loaded_shard_once_not_once_per_payment(cli, tmp_path, monkeypatch):
    """Each payment the import links asks what its invoice has received (`Book.received_for_invoice`);
    a shard the import has loaded is summarized once for all of them: before, every question
    summarized the whole shard again (80 s for 10,000 lines against the 100,000 book)."""
    from freelance.store import cache
    calls = []
    real = cache.summarize
    monkeypatch.setattr(cache, "summarize", lambda kind, records, *a, **kw: calls.append(kind) or real(kind, records, *a, **kw))
    csv = tmp_path / "s.csv"
    csv.write_text("Date,Payee,Reference,Details,Amount,Balance\n"
                   "2026-11-20,Globex,INV-2026-013,,2464.00,\n2026-11-20,Globex,INV-2026-018,,1848.00,\n"
                   "2026-11-21,Acme,INV-2026-017,,600.00,\n2026-11-21,Northwind,INV-2026-016,,3450.00,\n")
    r = cli("--no-cache", "bank", "import", csv, "--account", "bank", "--rules", "mybank")
    assert r.exit_code == 0, r.output
    assert r.stdout.count("is paid") == 4
    assert calls.count("transaction") <= 2
