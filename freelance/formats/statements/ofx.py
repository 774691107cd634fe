"""OFX 1.x (SGML), OFX 2.x (XML) and QFX statements -> `Statement`s (docs/statement-readers.md).

No OFX library: the header is a few `KEY:VALUE` lines (OFX 1) or one processing
instruction (OFX 2), read here; an OFX 2 body is XML, read by lxml with the parser
hardened as for CAMT; an OFX 1 body is SGML, read by `statements/sgml.py`. Both give a
tree whose elements know their line, and the values are read from it here:

- amounts from their text as `Decimal`; a missing optional element does not make a
  whole statement unreadable;
- dates as the bank wrote them: `20261130200000[-5:EST]` is 30 November, the bank's day
  (converting to UTC would move an evening payment to the next day);
- LEDGERBAL's DTASOF is the end of that day (a bare date, or a time of day), except an
  explicit midnight (`20261201000000`) when no transaction of the statement is on that
  day or later: that is the instant the day starts, so the end of the day before. (Some
  banks write every date with 000000, meaning only the date: a transaction on the
  DTASOF day shows that, and the balance is then the end of that day.)

Each STMTRS (bank account) or CCSTMTRS (credit card) is one `Statement`.
"""
from __future__ import annotations

import codecs
import re
from datetime import date, timedelta

from ...core.errors import DataError
from ...core.statement import Statement, StatementLine, bank_id
from . import guard, sgml

_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.\d+)?)?)?\s*(?:\[[^\]]*\])?")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_HEADER_LINE = re.compile(r"\s*([A-Za-z]+)\s*:\s*(.*?)\s*")
_PI = re.compile(rb"<\?OFX\b[^>]*\?>", re.IGNORECASE)
_FIELDS = "OFXHEADER, DATA, VERSION, SECURITY, ENCODING, CHARSET, COMPRESSION, OLDFILEUID and NEWFILEUID"
# an OFX 1 header's CHARSET (with ENCODING:USASCII) -> Python's codec; others are asked of Python
_CHARSETS = {"1252": "cp1252", "CP1252": "cp1252", "WINDOWS-1252": "cp1252", "8859-1": "latin_1",
             "ISO-8859-1": "latin_1", "ISO8859-1": "latin_1", "LATIN1": "latin_1", "LATIN-1": "latin_1",
             "8859-15": "iso8859_15", "ISO-8859-15": "iso8859_15", "NONE": "utf_8", "UTF-8": "utf_8"}


def claims(head: bytes) -> bool:
    """An OFX 1 header, an OFX 2 processing instruction, or a bare <OFX> body."""
    low = head[:4096].lower()
    if low.startswith(b"ofxheader") or low.startswith(b"<ofx>") or b"<?ofx" in low:
        return True
    return low.startswith(b"<?xml") and b"<ofx" in head[:65536].lower()


def read(data: bytes, name: str) -> list[Statement]:
    """Every bank and credit-card statement in an OFX/QFX file, or DataError saying what is wrong."""
    guard.check_size(data, name)
    body = data.lstrip(b"\xef\xbb\xbf")
    if not body.strip():
        raise DataError(f"{name}: the file is empty, expected an OFX statement")
    guard.refuse_declarations(body, name)
    xml, start, message = _header(body, name)
    if not re.search(r"</OFX>\s*$", message, re.IGNORECASE):
        if not re.search(r"<OFX>", message, re.IGNORECASE):
            raise DataError(f"{name}: has an OFX header but no <OFX> body; not a statement")
        raise DataError(f"{name}: ends before </OFX>: the file is cut short (download it again)")
    first_line = guard.line_at(body, start)
    root = _xml(message, name, first_line) if xml else None
    if root is None:
        root = _sgml(message, name, first_line)
    if root.tag != "OFX":
        raise DataError(f"{name}: the body starts with <{root.tag}>, expected <OFX>")
    found = [el for el in root.iter() if el.tag in ("STMTRS", "CCSTMTRS")]     # (document order)
    if not found:
        raise DataError(f"{name}: {_no_statement(root)}")
    return [_statement(rs, name) for rs in found]


# --- the header and the tree -------------------------------------------------------------

def _header(data: bytes, name: str) -> tuple[bool, int, str]:
    """(whether the body is XML, its byte offset, the body as text). OFX 2 is UTF-8; an OFX 1
    body is decoded by its header's CHARSET (1252, 8859-1...), strictly: an undecodable byte is
    an error naming its line, not a replacement character in a payee's name. A file with no
    header at all, only an <OFX> body (some banks write that), is read as UTF-8 SGML."""
    lead = data.lstrip()
    if lead[:5].lower() == b"<?xml":
        m = _PI.search(data, 0, 4096)
        if not m:
            raise DataError(f"{name}: an XML file without an OFX declaration (<?OFX OFXHEADER=\"200\" ...?>); "
                            "not an OFX statement")
        text = guard.decode(data[m.end():], "utf_8", name, offset=guard.line_at(data, m.end()) - 1)
        guard.decode(data[:m.end()], "utf_8", name)
        return True, m.end(), text
    start = data.find(b"<")
    if lead[:5].upper() == b"<OFX>":
        return False, start, guard.decode(data[start:], "utf_8", name, offset=guard.line_at(data, start) - 1)
    head = data[:start] if start >= 0 else data
    fields = _fields(head, lead, name)
    if start < 0:
        raise DataError(f"{name}: has an OFX header but no <OFX> body; not a statement")
    codec = _codec(fields, name)
    body = data[start:]
    if codec != "utf_8" and not body.isascii():
        try:                           # a file saying CHARSET:1252 but written in UTF-8 (Chase's QFX
            return False, start, body.decode("utf_8")   # do): 1252 or Latin-1 text is almost never valid UTF-8
        except UnicodeDecodeError:
            pass
    return False, start, guard.decode(body, codec, name, offset=guard.line_at(data, start) - 1)


def _fields(head: bytes, lead: bytes, name: str) -> dict[str, str]:
    """An OFX 1 header's `KEY:VALUE` lines; DataError when it is not one."""
    first = "".join(chr(b) if 32 <= b < 127 else "?" for b in lead[:120].split(b"\n")[0].strip())
    if not first.upper().startswith("OFXHEADER"):
        raise DataError(f"{name}: not an OFX file: it starts with {first[:40]!r}, expected an OFX "
                        "header (OFXHEADER:100 or <?OFX OFXHEADER=\"200\" ...?>)")
    fields: dict[str, str] = {}
    for n, raw in enumerate(head.split(b"\n"), 1):
        if not raw.strip():
            continue
        m = _HEADER_LINE.fullmatch(raw.decode("latin_1"))
        if m is None or not raw.isascii():
            shown = guard.clean(raw.decode("latin_1"))[:40]
            raise DataError(f"{name}: line {n}: {shown!r} is not a header line KEY:VALUE; an OFX 1 header "
                            f"has {_FIELDS}")
        fields[m.group(1).upper()] = m.group(2)
    if fields.get("OFXHEADER") != "100":
        raise DataError(f"{name}: OFXHEADER is {fields.get('OFXHEADER')!r}, expected 100 (an OFX 1 file) "
                        "or an XML file with <?OFX OFXHEADER=\"200\" ...?>")
    return fields


def _codec(fields: dict[str, str], name: str) -> str:
    """The codec an OFX 1 body is in: ENCODING:UTF-8, else the CHARSET (USASCII files say which
    8-bit set their accents are in)."""
    if fields.get("ENCODING", "").upper().replace("_", "-") in ("UTF-8", "UTF8", "UNICODE"):
        return "utf_8"
    charset = fields.get("CHARSET", "NONE").upper()
    codec = _CHARSETS.get(charset)
    if codec is None:
        try:
            codec = codecs.lookup(charset).name
        except (LookupError, ValueError):       # ValueError: a NUL in the name (codecs.lookup says so)
            raise DataError(f"{name}: the header says CHARSET:{charset[:20]}, a character set freelance does not "
                            "know; expected 1252, ISO-8859-1 or NONE") from None
    return codec


def _xml(message: str, name: str, first_line: int):
    """An OFX 2 body's tree, by lxml (nothing expanded or fetched); None when it is not
    well-formed XML (banks that write OFX 2's header over an SGML body): the SGML reader
    reads those."""
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring("\n" * (first_line - 1) + message.strip(), parser)
    except etree.XMLSyntaxError:
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    return root


def _sgml(message: str, name: str, first_line: int):
    try:
        root = sgml.parse(_cdata(message, name, first_line), first_line)
    except sgml.SGMLError as e:
        raise DataError(f"{name}: line {e.line}: the OFX body does not parse ({e}); "
                        "the file is broken or cut short") from None
    if not root.children:
        raise DataError(f"{name}: the OFX body holds no elements")
    if len(root.children) > 1:
        extra = root.children[1]
        raise DataError(f"{name}: line {extra.sourceline}: <{extra.tag}> after </{root.children[0].tag}>; "
                        "the file is broken")
    return root.children[0]


def _cdata(message: str, name: str, first_line: int) -> str:
    """CDATA sections as escaped text, found by plain searching (a pattern that backtracks
    over the rest of a line could be made quadratic by a hostile file)."""
    if "<![CDATA[" not in message:
        return message
    out, pos = [], 0
    while True:
        start = message.find("<![CDATA[", pos)
        if start < 0:
            out.append(message[pos:])
            return "".join(out)
        end = message.find("]]>", start + 9)
        if end < 0:
            raise DataError(f"{name}: line {guard.line_at(message, start) + first_line - 1}: "
                            "a CDATA section (<![CDATA[) that never ends (]]>): the file is cut short or broken")
        inner = message[start + 9:end]
        out.append(message[pos:start])
        out.append(inner.replace("&", "&amp;").replace("<", "&lt;"))
        pos = end + 3


def _no_statement(root) -> str:
    for trnrs in list(root.iter("STMTTRNRS")) + list(root.iter("CCSTMTTRNRS")):
        code = _text(trnrs, "STATUS/CODE")
        if code and code != "0":
            said = _text(trnrs, "STATUS/MESSAGE")
            return (f"the bank answered with error {code}" + (f" ({said})" if said else "")
                    + " instead of a statement")
    if next(root.iter("INVSTMTRS"), None) is not None:
        return "holds an investment statement (INVSTMTRS), not a bank or credit-card statement"
    return "holds no bank or credit-card statement (no STMTRS or CCSTMTRS)"


# --- values ------------------------------------------------------------------------------

def _text(el, path: str) -> str:
    found = el.find(path)
    if found is None or found.text is None:
        return ""
    return found.text.strip()


def _date(raw: str, name: str, where: str, what: str) -> tuple[date, bool]:
    """(the day as written, whether it was an explicit midnight)."""
    m = _DATE.fullmatch(raw)
    if not m:
        shown = repr(raw[:40]) if raw else "missing"
        raise DataError(f"{name}: {where}: {what} is {shown}, expected a date like 20261130 "
                        "or 20261130120000[-5:EST]")
    y, mo, d, hh, mm, ss = m.groups()
    day = guard.day(int(y), int(mo), int(d), raw, name, where, what)
    midnight = hh is not None and int(hh) == int(mm) == int(ss or 0) == 0
    return day, midnight


def _statement(rs, name: str) -> Statement:
    cc = rs.tag == "CCSTMTRS"
    acct = rs.find("CCACCTFROM" if cc else "BANKACCTFROM")
    account_id = _text(acct, "ACCTID") if acct is not None else ""
    currency = _text(rs, "CURDEF").upper()
    where0 = f"{rs.tag} {account_id or '(no ACCTID)'}"
    if not currency:                    # (some banks leave it empty; the lines may say it)
        said = {_text(t, "CURRENCY/CURSYM").upper() for t in rs.iter("STMTTRN")} - {""}
        currency = said.pop() if len(said) == 1 else ""
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        raise DataError(f"{name}: {where0}: CURDEF is {currency[:20]!r}, expected a currency code like USD")
    lines = []
    for trn in rs.iter("STMTTRN"):
        lines.append(_line(trn, name, trn.sourceline or 0, currency))
    closing = None
    bal = next(rs.iter("LEDGERBAL"), None)      # (some banks leave BANKTRANLIST open around it)
    if bal is not None and _text(bal, "BALAMT"):     # (an empty LEDGERBAL says nothing)
        where = f"{where0}: LEDGERBAL"
        amount = guard.amount(_text(bal, "BALAMT"), name, where, "BALAMT")
        asof, midnight = _date(_text(bal, "DTASOF"), name, where, "DTASOF")
        if midnight and not any(line.date >= asof for line in lines):
            asof -= timedelta(days=1)          # the instant 00:00 starts its day: the end of the day before
        closing = (asof, amount)
    if not lines and closing is None:
        raise DataError(f"{name}: {where0}: the statement is empty (no transactions, no LEDGERBAL); "
                        "nothing to import")
    iban = account_id.replace(" ", "").upper()
    return Statement(lines=lines, currency=currency or None, account_id=account_id or None,
                     iban=iban if _IBAN.fullmatch(iban) else None, opening=None, closing=closing,
                     source=f"{name} {account_id}".strip())


def _line(trn, name: str, line: int, currency: str) -> StatementLine:
    fitid = _text(trn, "FITID")
    where = f"line {line}" if line else f"transaction {fitid or '(no FITID)'}"
    action = _text(trn, "CORRECTACTION")
    if action:
        raise DataError(f"{name}: {where}: the bank corrects an earlier transaction "
                        f"({_text(trn, 'CORRECTFITID') or '?'}, CORRECTACTION {action}); freelance cannot "
                        "apply corrections: fix that transaction in the book by hand and remove this one")
    amount = guard.amount(_text(trn, "TRNAMT"), name, where, "TRNAMT")
    day, _ = _date(_text(trn, "DTPOSTED"), name, where, "DTPOSTED")
    other = _text(trn, "CURRENCY/CURSYM").upper()
    if other and currency and other != currency:
        raise DataError(f"{name}: {where}: the amount is in {other} (CURRENCY) on a statement in {currency}; "
                        "freelance imports a statement in its own currency only")
    payee = _text(trn, "NAME") or _text(trn, "PAYEE/NAME") or _text(trn, "EXTDNAME")
    to = (_text(trn, "BANKACCTTO/ACCTID") or _text(trn, "CCACCTTO/ACCTID")).replace(" ", "").upper()
    return StatementLine(
        date=day, amount=amount, payee=guard.clean(payee), iban=to if _IBAN.fullmatch(to) else "",
        reference=guard.clean(_text(trn, "CHECKNUM") or _text(trn, "REFNUM")),
        description=guard.clean(_text(trn, "MEMO")), bank_id=guard.clean(bank_id(fitid), 255), pending=False,
        line=line)
