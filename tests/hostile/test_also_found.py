"""Issue 14, section 8: also found. `contact import` was quadratic; `invoice show` rounded
sub-cent unit prices so its lines did not add up; `init --hook` inside an existing repository
put the hook in a nested repository git never ran it from."""
import json
import os
import subprocess

from conftest import ROOT, run_cli, run_proc

from freelance.store import yamlio
from freelance.tools.bench import vcards


def test_contact_import_parses_the_file_a_bounded_number_of_times(cli, tmp_path, monkeypatch):
    """The import planned card by card re-read the whole contacts file after each card: the
    bytes parsed grew with the square of the cards (2,000 took 13 s, 10,000 minutes). Now they
    are a few times the file: the cards are planned against indexes and written in one go.
    (The wall time of 10,000 cards is a row of `python -m freelance.tools.bench`.)"""
    parsed = []
    decode = yamlio._decode
    monkeypatch.setattr(yamlio, "_decode", lambda data, rel: (parsed.append(len(data)), decode(data, rel))[1])
    cards = tmp_path / "cards.vcf"
    cards.write_text(vcards(300), encoding="utf-8")
    r = cli("contact", "import", cards, "--category", "services")
    assert r.exit_code == 0, r.output
    assert r.stdout.endswith("300 added, 0 updated, 0 unchanged\n")
    size = (cli.book / "contacts.yaml").stat().st_size
    assert sum(parsed) < 10 * size, (sum(parsed), size)
    # the same cards again, each with a new phone number: 300 updates, still bounded
    cards.write_text(vcards(300).replace("+44 20 7946", "+44 20 7000"), encoding="utf-8")
    parsed.clear()
    r = cli("contact", "import", cards)
    assert r.exit_code == 0 and r.stdout.endswith("0 added, 300 updated, 0 unchanged\n"), r.output
    assert sum(parsed) < 10 * size, (sum(parsed), size)
    # and they are what the cards say, in card order after the book's own contacts
    listed = json.loads(cli("contact", "list", "-f", "json").stdout)
    mine = [c for c in listed if c["name"].startswith("Person ")]
    assert [c["name"] for c in mine] == [f"Person {i:05d} Example" for i in range(300)]
    assert all(c["phone"].startswith("+44 20 7000") and c["category"] == "services" for c in mine)
    assert cli("validate").exit_code == 0

    # two cards of one person (same email) in one file: one contact, added then updated, as when
    # the cards were planned one by one; a third, same name, new email, updates it again
    cards = tmp_path / "dup.vcf"
    cards.write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana Dup\r\nEMAIL:dana@example.com\r\nEND:VCARD\r\n"
                     "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana Dup\r\nEMAIL:dana@example.com\r\nTEL:+1 555 0100\r\n"
                     "END:VCARD\r\n"
                     "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dana Dup\r\nEMAIL:other@example.com\r\nEND:VCARD\r\n",
                     encoding="utf-8")
    r = cli("contact", "import", cards)
    assert r.exit_code == 0, r.output
    assert r.stdout == ("added contact 'dana-dup'\nupdated contact 'dana-dup'\nupdated contact 'dana-dup'\n"
                        "1 added, 2 updated, 0 unchanged\n")
    d = json.loads(cli("contact", "show", "dana-dup", "-f", "json").stdout)
    assert (d["email"], d["phone"]) == ("other@example.com", "+1 555 0100")
    text = (cli.book / "contacts.yaml").read_text(encoding="utf-8")
    assert text.count("- id: dana-dup\n") == 1


def test_invoice_show_lines_add_up_to_the_subtotal(cli):
    """Unit prices are shown as written (0.125 is not 0.13) and each line with its total, the
    cents the subtotal adds: 1000 x 0.125 = 125.00, 3 x 0.333 = 1.00, subtotal 126.00."""
    r = cli("invoice", "add", "--client", "acme", "--item", "Words:1000:0.125", "--item", "Checks:3:0.333")
    assert r.exit_code == 0, r.output
    show = cli("invoice", "show", "INV-2026-023").stdout
    assert "  item 1          Words — 1000 x 0.125 USD = 125.00 USD\n" in show
    assert "  item 2          Checks — 3 x 0.333 USD = 1.00 USD\n" in show
    assert "  subtotal        126.00 USD\n" in show


def git(cwd, *args, check=True):
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd,
                          capture_output=True, text=True, check=check)


def test_init_hook_inside_a_repository_goes_where_git_runs_it(tmp_path):
    outer = tmp_path / "work"
    outer.mkdir()
    git(outer, "init", "-q")
    git(outer, "config", "core.hooksPath", ".githooks")       # as many teams set it
    git(outer, "commit", "-q", "--allow-empty", "-m", "start")
    book = outer / "admin" / "my books"
    p = run_proc("init", book, "--hook", cwd=outer)
    assert p.returncode == 0, p.stderr
    assert not (book / ".git").exists()                     # no nested repository
    hook = outer / ".githooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    assert 'book="$(git rev-parse --show-toplevel)"/\'admin/my books\'\n' in hook.read_text()
    assert "freelance.yaml" in git(outer, "ls-files", "admin").stdout     # committed in the repository
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    (book / "clients.yaml").write_text("- id: acme\n  name: Acme\n  stage: leed\n")
    git(outer, "add", "-A")
    c = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "broken"], cwd=outer,
                       env={**os.environ, **env}, capture_output=True, text=True)
    assert c.returncode != 0
    assert "clients.yaml:3: error: client 'acme': stage 'leed'" in c.stdout + c.stderr
    (book / "clients.yaml").write_text("- id: acme\n  name: Acme\n  stage: lead\n")
    git(outer, "add", "-A")
    c = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-m", "fixed"], cwd=outer,
                       env={**os.environ, **env}, capture_output=True, text=True)
    assert c.returncode == 0, c.stdout + c.stderr


def test_init_hook_does_not_replace_another_pre_commit_hook(tmp_path):
    outer = tmp_path / "work"
    outer.mkdir()
    git(outer, "init", "-q")
    theirs = outer / ".git" / "hooks" / "pre-commit"
    theirs.write_text("#!/bin/sh\nexec pre-commit run\n")
    r = run_cli("init", outer / "books", "--hook", today=None)
    assert r.exit_code == 2
    assert "is another pre-commit hook; refusing to replace it" in r.stderr
    assert theirs.read_text() == "#!/bin/sh\nexec pre-commit run\n" and not (outer / "books").exists()


# -- the rewrite without ruamel.yaml that makes 10,000 updates take seconds ----------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from freelance.core.schema import KINDS  # noqa: E402
from freelance.store import emitter  # noqa: E402
from freelance.store.splice import rewrite  # noqa: E402

WORDS = st.one_of(st.sampled_from(["Acme", "NO", "yes", "010", "12:30", "a: b", "x #y", "+1 555 0100", "Café",
                                   "", "null", "1e3", "2026-01-01", "two  spaces", "ünï x", "- item", "a\nb"]),
                  st.text(alphabet="aZ09 :#-'+.,&()/@_?!%=", max_size=12))
CONTACT = ["name", "category", "designation", "company", "phone", "email", "address", "notes", "x-extra"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(CONTACT), WORDS, max_size=5),
       st.dictionaries(st.sampled_from(CONTACT), st.one_of(st.none(), WORDS), min_size=1, max_size=3))
def test_the_canonical_rewrite_is_the_round_trip(fields, changes):
    """A record written as a new one is written (the emitter's fast path) is rewritten without
    ruamel.yaml; the text is byte for byte what the ruamel.yaml round-trip makes."""
    data = {"id": "c1", **fields}
    chunk = emitter.record_text(data)
    res = yamlio.read_records(chunk.encode("utf-8"), "contacts.yaml", KINDS["contact"])
    if not res.parsed or len(res.records) != 1:
        return
    record = res.records[0]
    outcomes = []
    for fast in (True, False):
        try:
            outcomes.append(rewrite(record, chunk, changes, fast=fast)[0])
        except Exception as exc:      # both refuse alike (a value that would not read back)
            outcomes.append(type(exc))
    assert outcomes[0] == outcomes[1]


def test_the_canonical_rewrite_keeps_types_and_places(tmp_path):
    data = {"id": "tx-1", "date": __import__("datetime").date(2026, 1, 2), "kind": "income",
            "amount": __import__("decimal").Decimal("12.50"), "account": "bank", "received": False,
            "description": "Fee"}
    chunk = emitter.record_text(data)
    record = yamlio.read_records(chunk.encode("utf-8"), "transactions/2026.yaml", KINDS["transaction"]).records[0]
    for changes in ({"received": True}, {"amount": __import__("decimal").Decimal("99.99"), "description": None},
                    {"currency": "EUR", "client": "acme"}, {"x-extra": "kept"}):
        assert rewrite(record, chunk, changes)[0] == rewrite(record, chunk, changes, fast=False)[0], changes
