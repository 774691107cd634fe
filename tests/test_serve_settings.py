"""The web's settings form: the settings' schema drawn as a form, each value set through the
door function `settings set` calls, refused with the same message."""
import re

import pytest
from markupsafe import escape

from conftest import git_commit_all, run_cli
from servehelp import Live, git_diff_numstat

from freelance.core.settings import SETTINGS

pytest.importorskip("httpx")


@pytest.fixture
def live(demo):
    git_commit_all(demo)
    server = Live(demo)
    yield server
    server.stop()


def _form(html: str, key: str) -> dict:
    for f in re.findall(r'<form method="post" action="/settings"[^>]*>(.*?)</form>', html, re.S):
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', f))
        if fields.get("key") == key:
            return fields
    raise AssertionError(f"no form for {key}")


def test_the_settings_page_is_the_schema_and_sets_as_the_cli_does(live):
    c = live.client()
    page = c.get("/settings").text
    for s in SETTINGS.values():
        assert f'name="key" value="{s.name}"' in page and str(escape(s.help)) in page
    r = c.post("/settings", data={**_form(page, "week_start"), "value": "Sunday"}, follow_redirects=True)
    assert "set week_start to &#39;sunday&#39;" in r.text
    assert "week_start: sunday\n" in (live.book / "freelance.yaml").read_text()
    before = (live.book / "freelance.yaml").read_bytes()
    r = c.post("/settings", data={**_form(page, "currency"), "value": "euro"}, follow_redirects=True)
    cli = run_cli("settings", "set", "currency", "euro", books=live.book)
    assert cli.exit_code == 2
    assert str(escape(cli.stderr.split("error: ", 1)[1].strip())) in r.text
    assert (live.book / "freelance.yaml").read_bytes() == before
    assert git_diff_numstat(live.book) != []          # the week_start change, and only that file
