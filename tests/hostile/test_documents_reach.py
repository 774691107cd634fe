"""Issue 23: nothing a book holds reaches outside it through its documents.

A hostile collaborator shares a book through git; its `templates/`, its logo and links
planted in its folder must not make `invoice pdf`/`invoice send` read a file outside the
book, embed one in the PDF, reach the network, or write anywhere but the file asked for.
The network cases run against a local HTTP listener on 127.0.0.1 that records every hit;
PDFs are real, searched with pypdf and pdftotext for embedded files and leaked text.
"""
from __future__ import annotations

import base64
import email
import http.server
import os
import shutil
import subprocess
import threading
from email import policy
from io import BytesIO

import pytest
from conftest import TODAY, run_cli

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
SECRET = "TOP-SECRET-c4f1e"
NUMBER = "INV-2026-019"


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that answers every GET with a small PNG and records the path."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):                                    # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png" if self.path.endswith(".png") else "text/css")
            self.end_headers()
            self.wfile.write(PNG if self.path.endswith(".png") else b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for serve_forever's next look at its flag: every 0.5 s by default, half a
    # second at the end of each of the ~20 tests that use it, for nothing they check
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    server.hits = hits
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def outside(tmp_path):
    """Files outside the book: a secret text and a picture, as ~/.ssh or /etc would be."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "secret.txt").write_text(SECRET + "\n")
    (out / "picture.png").write_bytes(PNG)
    return out


def attachments(pdf_bytes: bytes) -> list[str]:
    """Names of every file embedded in the PDF: the catalog's EmbeddedFiles and each page's
    file attachment annotations."""
    from pypdf import PdfReader
    reader = PdfReader(BytesIO(pdf_bytes))
    names = list(reader.attachments)
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/FileAttachment":
                names.append(str(annot["/FS"].get_object().get("/F")))
    return names


def images(path) -> int:
    out = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return len(out.splitlines()[2:])


def pdftotext(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


HOSTILE = """<!DOCTYPE html>
<html><head>
<link rel="attachment" href="file://{outside}/secret.txt" title="passwd">
<link rel="attachment" href="inside.txt">
<link rel="stylesheet" href="{url}/link.css">
<link rel="stylesheet" href="file://{outside}/style.css">
<style>
@import url("{url}/import.css");
@font-face {{ font-family: X; src: url("{url}/font.ttf"); }}
body {{ background: url("{url}/background.png"); }}
h1 {{ background-image: url("file://{outside}/picture.png"); }}
</style></head>
<body>
<h1>{{{{ doc.number }}}}</h1>
<img src="{url}/img.png"><img src="file://{outside}/picture.png"><img src="../outside/picture.png">
<img src="linked.png">
<object data="{url}/object.png" type="image/png"></object>
<embed src="{url}/embed.png" type="image/png">
<object data="file://{outside}/secret.txt" type="text/plain"></object>
<a rel="attachment" href="file://{outside}/secret.txt">see also</a>
<iframe src="file://{outside}/secret.txt"></iframe>
</body></html>
"""


def plant(book, listener, outside):
    (book / "templates").mkdir()
    (book / "templates" / "invoice.html").write_text(HOSTILE.format(url=listener.url, outside=outside))
    (book / "inside.txt").write_text("inside the book, still no attachment\n")
    (book / "linked.png").symlink_to(outside / "picture.png")          # a link out of the book


def test_a_template_embeds_nothing_and_reaches_no_network(demo, tmp_path, listener, outside):
    plant(demo, listener, outside)
    out = tmp_path / "out.pdf"
    r = run_cli("invoice", "pdf", NUMBER, "--out", out, books=demo, today=TODAY)
    assert r.exit_code == 0, r.output
    assert listener.hits == []                                            # no request at all
    data = out.read_bytes()
    assert attachments(data) == ["factur-x.xml"]                          # only the e-invoice
    assert SECRET not in pdftotext(out) and SECRET.encode() not in data
    assert images(out) == 0                                               # no picture from outside
    assert NUMBER in pdftotext(out)                                       # the document itself is made
    assert "not loaded" in r.stderr and "not embedded" in r.stderr and "Traceback" not in r.output


def test_invoice_send_mails_no_file_from_outside(demo, tmp_path, listener, outside):
    plant(demo, listener, outside)
    eml = tmp_path / "mail.eml"
    r = run_cli("invoice", "send", NUMBER, "--eml", eml, books=demo, today=TODAY)
    assert r.exit_code == 0, r.output
    assert listener.hits == []
    msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    parts = list(msg.iter_attachments())
    assert [p.get_filename() for p in parts] == [f"{NUMBER}.pdf"]
    assert attachments(parts[0].get_content()) == ["factur-x.xml"]
    assert SECRET.encode() not in eml.read_bytes()


def test_the_html_of_a_template_names_no_file_that_is_then_read(demo, listener, outside):
    """`invoice html` prints the HTML only (nothing is fetched to print it)."""
    plant(demo, listener, outside)
    r = run_cli("invoice", "html", NUMBER, books=demo, today=TODAY)
    assert r.exit_code == 0 and listener.hits == [] and SECRET not in r.output


# -- templates load through the book-file rule ----------------------------------------------------------

def test_a_template_cannot_include_through_a_link_out_of_the_book(demo, outside):
    (demo / "templates").mkdir()
    (demo / "templates" / "etcdir").symlink_to(outside)
    (demo / "templates" / "invoice.html").write_text('<p>{% include "etcdir/secret.txt" %}</p>')
    r = run_cli("invoice", "html", NUMBER, books=demo, today=TODAY)
    assert r.exit_code == 1 and SECRET not in r.output, r.output
    assert "templates/etcdir/secret.txt" in r.stderr and "out of the book" in r.stderr
    assert "Traceback" not in r.output


@pytest.mark.parametrize("how", ["file is a link", "folder is a link", "include ..", "extends absolute"])
def test_a_template_itself_cannot_lead_out_of_the_book(demo, outside, how):
    (outside / "invoice.html").write_text(f"<p>{SECRET}</p>")
    if how == "folder is a link":
        (demo / "templates").symlink_to(outside)
    else:
        (demo / "templates").mkdir()
    if how == "file is a link":
        (demo / "templates" / "invoice.html").symlink_to(outside / "invoice.html")
    elif how == "include ..":
        (demo / "templates" / "invoice.html").write_text('{% include "../../outside/secret.txt" %}')
    elif how == "extends absolute":
        (demo / "templates" / "invoice.html").write_text(f'{{% extends "{outside}/invoice.html" %}}')
    r = run_cli("invoice", "html", NUMBER, books=demo, today=TODAY)
    assert r.exit_code == 1 and SECRET not in r.output, (how, r.output)
    assert "templates/" in r.stderr and "Traceback" not in r.output


def test_a_huge_template_is_refused_before_it_is_read(demo):
    (demo / "templates").mkdir()
    (demo / "templates" / "invoice.html").write_bytes(b"<p>x</p>" * (200 * 1024))     # 1.6 MB
    r = run_cli("invoice", "html", NUMBER, books=demo, today=TODAY)
    assert r.exit_code == 1 and "templates/invoice.html" in r.stderr and "MB" in r.stderr, r.output


def test_a_fifo_as_a_template_does_not_hang(demo):
    from conftest import run_proc
    (demo / "templates").mkdir()
    os.mkfifo(demo / "templates" / "invoice.html")
    p = run_proc("--books", demo, "--today", TODAY, "invoice", "html", NUMBER, timeout=30)
    assert p.returncode == 1 and "not a regular file" in p.stderr and "Traceback" not in p.stderr


# -- templates are bounded ------------------------------------------------------------------------------

BOUNDS = {
    "range of a billion": "{{ range(10**9)|list|length }}",
    "nested loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "string times": '{{ "x" * 10**8 }}',
    "percent width": '{{ "%999999999s" % 1 }}',
    "format width": '{{ "{:>999999999}".format(1) }}',
    "filter width": '{{ "x"|center(10**9) }}',
    "method width": '{{ "x".ljust(10**9) }}',
    "doubling": '{% set ns = namespace(s="xx") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
                '{% endfor %}{{ ns.s|length }}',
    "recursive doubling": '{% macro f(s) %}{{ f(s ~ s) }}{% endmacro %}{{ f("ab") }}',
    "power": "{{ 2 ** 100000000 }}",
    "output": '{% for i in range(100000) %}{{ "y" * 999999 }}{% endfor %}',
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "join of many": "{{ " + " ~ ".join(["doc.number"] * 200) + " }}",
}


@pytest.mark.parametrize("name", list(BOUNDS))
def test_a_template_that_would_exhaust_the_renderer_is_stopped_cleanly(demo, name):
    from conftest import run_proc
    (demo / "templates").mkdir()
    (demo / "templates" / "invoice.html").write_text("<p>start</p>\n" + BOUNDS[name])
    p = run_proc("--books", demo, "--today", TODAY, "invoice", "html", NUMBER, timeout=40)
    assert p.returncode == 1, (name, p.returncode, p.stderr[-500:])
    assert "templates/invoice.html:" in p.stderr and "Traceback" not in p.stderr, p.stderr[-800:]
    assert len(p.stdout) < 1024                                 # nothing half-made on the output


def test_a_template_error_names_the_template_and_line(demo):
    (demo / "templates").mkdir()
    (demo / "templates" / "invoice.html").write_text("<p>one</p>\n<p>two</p>\n{{ 1 / 0 }}\n")
    r = run_cli("invoice", "html", NUMBER, books=demo, today=TODAY)
    assert r.exit_code == 1 and "templates/invoice.html:3:" in r.stderr and "Traceback" not in r.output
    (demo / "templates" / "part.html").write_text("ok\n{% for %}\n")
    (demo / "templates" / "invoice.html").write_text('{% include "part.html" %}')
    r = run_cli("invoice", "html", NUMBER, books=demo, today=TODAY)
    assert r.exit_code == 1 and "templates/part.html:2:" in r.stderr, r.output


def test_a_fair_template_still_renders_with_big_amounts(demo):
    (demo / "templates").mkdir()
    (demo / "templates" / "invoice.html").write_text(
        '{% set ns = namespace(n=0) %}{% for line in doc.lines %}{% set ns.n = ns.n + 1 %}{% endfor %}'
        '{{ doc.number }} {{ ns.n }} {{ "{:,}".format(2000000) }} {{ (doc.total * 1000)|int }} '
        '{{ "%.2f"|format(doc.total) }} {{ money(doc.total) }}')
    r = run_cli("invoice", "html", NUMBER, books=demo, today=TODAY)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"{NUMBER} 1 2,000,000 4200000 4200.00")


# -- the logo --------------------------------------------------------------------------------------------

def set_logo_by_hand(book, value: str) -> None:
    path = book / "freelance.yaml"
    text = path.read_text()
    assert "\nbusiness:\n" in text
    path.write_text(text.replace("\nbusiness:\n", f"\nbusiness:\n  logo: {value!r}\n", 1))


SVG_BAD = {
    "image href": '<image href="{url}/logo.png" width="1" height="1"/>',
    "xlink file": '<image xlink:href="file://{outside}/picture.png" width="1" height="1"/>',
    "style url": '<style>rect {{ fill: url("{url}/fill.svg#p") }}</style><rect width="1" height="1"/>',
    "style import": '<style>@import "{url}/import.css";</style>',
    "attribute url": '<rect width="1" height="1" fill="url({url}/fill.svg#p)"/>',
    "use": '<use href="file://{outside}/secret.svg#x"/>',
    "foreignObject": '<foreignObject><img xmlns="http://www.w3.org/1999/xhtml" src="{url}/f.png"/></foreignObject>',
    "entity": '<!DOCTYPE svg [<!ENTITY e SYSTEM "file://{outside}/secret.txt">]>'
              '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&e;</text></svg>',
    "stylesheet": '<?xml-stylesheet href="{url}/sheet.css"?>'
                  '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>',
}


@pytest.mark.parametrize("how", ["absolute", "dotdot", "link out", "not a picture"] + list(SVG_BAD))
def test_the_logo_is_a_self_contained_picture_inside_the_book(demo, tmp_path, listener, outside, how):
    name = "logo.svg" if how in SVG_BAD else "logo.png"
    if how == "absolute":
        name = str(outside / "picture.png")
    elif how == "dotdot":
        name = "../outside/picture.png"
    elif how == "link out":
        (demo / name).symlink_to(outside / "picture.png")
    elif how == "not a picture":
        (demo / name).write_text(SECRET)
    elif SVG_BAD[how].startswith("<?") or SVG_BAD[how].startswith("<!"):      # a whole file
        (demo / name).write_text(SVG_BAD[how].format(url=listener.url, outside=outside))
    else:
        (demo / name).write_text('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
                                 'width="10" height="10">' + SVG_BAD[how].format(url=listener.url, outside=outside)
                                 + "</svg>")
    r = run_cli("settings", "set", "business.logo", name, books=demo, today=TODAY)
    assert r.exit_code == 2 and "business.logo" in r.stderr and "Traceback" not in r.output, (how, r.output)
    set_logo_by_hand(demo, name)                                 # as a shared book would have it
    r = run_cli("validate", books=demo, today=TODAY)
    assert r.exit_code == 1 and "business.logo" in r.output, (how, r.output)
    out = tmp_path / "logo.pdf"
    r = run_cli("invoice", "pdf", NUMBER, "--out", out, books=demo, today=TODAY)
    assert r.exit_code == 1 and "business.logo" in r.stderr and not out.exists(), (how, r.output)
    assert listener.hits == []


def test_a_self_contained_svg_logo_is_drawn(demo, tmp_path, listener):
    (demo / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
                                   '<defs><linearGradient id="g"><stop offset="0" stop-color="#036"/></linearGradient>'
                                   '</defs><rect width="40" height="10" fill="url(#g)"/></svg>')
    assert run_cli("settings", "set", "business.logo", "logo.svg", books=demo, today=TODAY).exit_code == 0
    out = tmp_path / "svg.pdf"
    r = run_cli("invoice", "pdf", NUMBER, "--out", out, books=demo, today=TODAY)
    assert r.exit_code == 0 and r.stderr == "", r.output
    assert listener.hits == [] and attachments(out.read_bytes()) == ["factur-x.xml"]
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(out), str(png)], check=True)
    from PIL import Image
    colours = Image.open(f"{png}.png").convert("RGB").getcolors(1 << 20)
    assert any(abs(r - 0) < 12 and abs(g - 0x33) < 12 and abs(b - 0x66) < 12 for _, (r, g, b) in colours)  # drawn


# -- outputs never follow a link that was already there ---------------------------------------------------

def test_a_link_at_the_default_pdf_name_is_not_written_through(demo, tmp_path):
    victim = tmp_path / "victim.pth"
    victim.write_text("untouched\n")
    (demo / f"{NUMBER}.pdf").symlink_to(victim)
    r = run_cli("invoice", "pdf", NUMBER, books=demo, today=TODAY, cwd=demo)
    assert r.exit_code == 2 and "link" in r.stderr and "Traceback" not in r.output, r.output
    assert victim.read_text() == "untouched\n" and os.readlink(demo / f"{NUMBER}.pdf") == str(victim)


def test_a_link_at_the_default_eml_name_is_not_written_through_and_nothing_is_sent(demo, tmp_path):
    site = tmp_path / "site-packages"
    site.mkdir()
    victim = site / "x.pth"
    (demo / f"{NUMBER}.eml").symlink_to(victim)                    # a link to nothing yet
    before = (demo / "invoices.yaml").read_bytes()
    r = run_cli("invoice", "send", NUMBER, books=demo, today=TODAY, cwd=demo)
    assert r.exit_code == 2 and "link" in r.stderr, r.output
    assert not victim.exists() and os.path.islink(demo / f"{NUMBER}.eml")
    assert (demo / "invoices.yaml").read_bytes() == before        # not sent, not sealed
    victim.write_text("import os\n")                               # and a link to a file that exists
    r = run_cli("invoice", "send", NUMBER, books=demo, today=TODAY, cwd=demo)
    assert r.exit_code == 2 and victim.read_text() == "import os\n"
    assert (demo / "invoices.yaml").read_bytes() == before


@pytest.mark.parametrize("how", ["out-dir is a link", "a folder on the way is a link", "the file in it is a link"])
def test_out_dir_writes_nothing_outside_the_folder_named(demo, tmp_path, how):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if how == "out-dir is a link":
        (demo / "pdfs").symlink_to(elsewhere)
        out_dir = "pdfs"
    elif how == "a folder on the way is a link":
        (demo / "pdfs").symlink_to(elsewhere)
        out_dir = "pdfs/2026"
    else:
        (demo / "pdfs").mkdir()
        (elsewhere / "x.pth").write_text("untouched\n")
        (demo / "pdfs" / f"{NUMBER}.pdf").symlink_to(elsewhere / "x.pth")
        out_dir = "pdfs"
    r = run_cli("invoice", "pdf", NUMBER, "--out-dir", out_dir, books=demo, today=TODAY, cwd=demo)
    assert r.exit_code == 2 and "link" in r.stderr and "Traceback" not in r.output, (how, r.output)
    assert [(p.name, p.read_text()) for p in elsewhere.iterdir()] == ([("x.pth", "untouched\n")]
                                                                      if how == "the file in it is a link" else [])


def test_a_link_the_user_names_with_out_is_still_written_through(demo, tmp_path):
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "latest.pdf"
    link.symlink_to(real)
    r = run_cli("invoice", "pdf", NUMBER, "--out", link, books=demo, today=TODAY)
    assert r.exit_code == 0 and os.path.islink(link) and real.read_bytes().startswith(b"%PDF")
    eml_real, eml_link = tmp_path / "real.eml", tmp_path / "latest.eml"
    eml_real.write_bytes(b"old")
    eml_link.symlink_to(eml_real)
    r = run_cli("invoice", "send", NUMBER, "--eml", eml_link, books=demo, today=TODAY)
    assert r.exit_code == 0 and os.path.islink(eml_link) and b"Subject:" in eml_real.read_bytes()


def test_default_names_still_write_plain_files(demo, tmp_path):
    (demo / f"{NUMBER}.pdf").write_bytes(b"old")                    # a file there is replaced, as before
    r = run_cli("invoice", "pdf", NUMBER, books=demo, today=TODAY, cwd=demo)
    assert r.exit_code == 0 and (demo / f"{NUMBER}.pdf").read_bytes().startswith(b"%PDF")
    r = run_cli("invoice", "pdf", NUMBER, "--out-dir", tmp_path / "new" / "folder", books=demo, today=TODAY)
    assert r.exit_code == 0 and (tmp_path / "new" / "folder" / f"{NUMBER}.pdf").is_file()
