"""Settings have a schema like kinds (core/settings.py `SETTINGS`): `settings set`, `validate`
and the web's settings form ask the same rule, and only valid UTF-8 text is ever written."""
import os
import subprocess
import sys

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ROOT, TODAY, run_cli

from freelance.core.settings import SCALARS, SETTINGS, setting_value


def test_every_scalar_setting_has_a_rule_and_help():
    assert tuple(SETTINGS) == SCALARS
    for s in SETTINGS.values():
        assert s.help.strip().endswith((".", ")")), s.name
        for choice in s.choices:
            assert s.problem(s.read(choice)) is None


def _set_bytes(book, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FREELANCE_")}
    env.update(PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8", LANG="C.UTF-8")
    return subprocess.run([sys.executable, "-m", "freelance", "--books", str(book), "--today", TODAY, *args],
                          capture_output=True, env=env, timeout=60)


def test_invalid_utf8_from_the_shell_is_refused_before_anything_is_written(empty_book):
    """`settings set name $'N\\xe9'` exited 0 and left freelance.yaml unreadable (issue 23)."""
    before = (empty_book / "freelance.yaml").read_bytes()
    for args in ([b"settings", b"set", b"name", b"N\xe9"], [b"settings", b"set", b"owner.name", b"N\xe9"],
                 [b"settings", b"set", b"business.city", b"K\xf6ln"], [b"account", b"add", b"wise", b"--name", b"W\xe9"],
                 [b"settings", b"add", b"stages", b"lost", b"--name", b"\xff"]):
        p = _set_bytes(empty_book, *args)
        assert p.returncode == 2, (args, p.stderr)
        assert b"expected UTF-8 text" in p.stderr and b"Traceback" not in p.stderr
        assert (empty_book / "freelance.yaml").read_bytes() == before
    assert run_cli("validate", books=empty_book).exit_code == 0
    ok = _set_bytes(empty_book, b"settings", b"set", b"name", "Né Studio".encode())
    assert ok.returncode == 0, ok.stderr
    assert "name: Né Studio" in (empty_book / "freelance.yaml").read_text(encoding="utf-8")


TEXTS = st.one_of(st.sampled_from(["EUR", "eur", "Europe/Berlin", "Mars/Base", "Sunday", "mon", "dmy", "30", "-1",
                                   "95", "0", "abc", "per-line", "per-lin", "vat", "VAT", "15m up", "7x", "none",
                                   "INV-{year}-{seq:03d}", "X-{seq}", "INV-{yr}", ""]),
                  st.text(max_size=12))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(SCALARS), text=TEXTS)
def test_what_settings_set_takes_validate_accepts(empty_book, key, text):
    """One rule: a value `settings set` stores is one `validate` finds nothing wrong with, and
    a value it refuses is refused with the rule's own words."""
    try:
        expected = setting_value(key, text)
    except ValueError as exc:
        expected, refused = None, str(exc)
    else:
        refused = None
    r = run_cli("settings", "set", key, "--", text, books=empty_book)
    if refused is not None:
        assert r.exit_code == 2 and r.stderr.strip() == f"freelance: error: {refused}", r.output
        return
    assert r.exit_code == 0, r.output
    v = run_cli("validate", "--format", "json", books=empty_book)
    assert f'"{key} ' not in v.stdout, v.stdout
    assert SETTINGS[key].problem(expected) is None
