"""Bank statement files -> `freelance.core.statement.Statement`s (docs/bank.md).

A face: it reads a file the user names and gives the door plain values. Each format
has its own module, imported only when used:

    csv   statements/csvrules.py  a book's rules (bank-rules/NAME.yaml) say how to read it
    ofx   statements/ofx.py       OFX 1.x (SGML) and 2.x (XML), QFX, with ofxtools
    camt  statements/camt.py      ISO 20022 CAMT.053 (.052/.054), with lxml, hardened

Every reader takes the file's bytes and returns a list of statements (one file may hold
several accounts), or raises `DataError` naming the file, the line or entry, and what was
expected; a broken or hostile file never gets further than here. `read_file` reads a
statement file with the size cap checked before reading (statements/guard.py,
docs/statement-readers.md).
"""
from __future__ import annotations

import re

from .guard import read_file  # noqa: F401  (the one way to read a statement file: capped)

FORMATS = ("csv", "ofx", "camt")

_CAMT = re.compile(rb"<(\w+:)?(BkToCstmrStmt|BkToCstmrAcctRpt|BkToCstmrDbtCdtNtfctn)(V\d\d)?[\s>]")


def detect(data: bytes, name: str = "") -> str:
    """The format of a statement file, from its first bytes (the name only breaks a tie)."""
    from ...core.errors import UsageError
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"ofxheader") or head.startswith(b"<ofx>") or b"<?ofx" in head:
        return "ofx"
    if head.startswith(b"<?xml") or head.startswith(b"<document") or head.startswith(b"<!--"):
        start = data[:65536]
        if b"camt.05" in head or _CAMT.search(start) or re.search(rb"<(\w+:)?Document[\s>/]", start):
            return "camt"
        if b"<ofx" in start.lower():
            return "ofx"
        raise UsageError(f"{name or 'the file'}: an XML file that is neither CAMT.05x nor OFX; "
                         "give --format")
    low = name.lower()
    if low.endswith((".ofx", ".qfx")):
        return "ofx"
    if low.endswith(".xml"):
        return "camt"
    return "csv"

