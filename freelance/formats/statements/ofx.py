"""OFX 1.x (SGML), OFX 2.x (XML) and QFX statements -> `Statement`s (docs/statement-readers.md).

ofxtools reads the header (version, encoding, charset) and turns the tag soup of either
version into an element tree; this module reads the values from that tree itself:

- amounts from their text as `Decimal` (ofxtools would too, but its models are strict
  about parts of the spec banks ignore, and a missing optional element should not make
  a whole statement unreadable);
- dates as the bank wrote them: `20261130200000[-5:EST]` is 30 November, the bank's day.
  ofxtools' models convert to UTC, which would move an evening payment to the next day;
- LEDGERBAL's DTASOF is the end of that day (a bare date, or a time of day), except an
  explicit midnight (`20261201000000`) when no transaction of the statement is on that
  day or later: that is the instant the day starts, so the end of the day before. (Some
  banks write every date with 000000, meaning only the date: a transaction on the
  DTASOF day shows that, and the balance is then the end of that day.)

Each STMTRS (bank account) or CCSTMTRS (credit card) is one `Statement`.
"""
from __future__ import annotations

import io
import re
from datetime import date, timedelta
from xml.etree import ElementTree as ET

from ...core.errors import DataError
from ...core.statement import Statement, StatementLine
from . import guard

_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(?:(\d{2})(?:\.\d+)?)?)?\s*(?:\[[^\]]*\])?")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos|nbsp);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": " "}


def read(data: bytes, name: str) -> list[Statement]:
    """Every bank and credit-card statement in an OFX/QFX file, or DataError saying what is wrong."""
    guard.check_size(data, name)
    body = data.lstrip(b"\xef\xbb\xbf")
    if not body.strip():
        raise DataError(f"{name}: the file is empty, expected an OFX statement")
    guard.refuse_declarations(body, name)
    header_end, message = _header(body, name)
    message = _cdata(message, name, guard.line_at(body, header_end))
    if not re.search(r"</OFX>\s*$", message, re.IGNORECASE):
        if not re.search(r"<OFX>", message, re.IGNORECASE):
            raise DataError(f"{name}: has an OFX header but no <OFX> body; not a statement")
        raise DataError(f"{name}: ends before </OFX>: the file is cut short (download it again)")
    root = _tree(message, name)
    if root.tag != "OFX":
        raise DataError(f"{name}: the body starts with <{root.tag}>, expected <OFX>")
    lines = _lines_of(body, b"<STMTTRN>")
    found = list(root.iter("STMTRS")) + list(root.iter("CCSTMTRS"))
    if not found:
        raise DataError(f"{name}: {_no_statement(root)}")
    statements = []
    order = {id(el): i for i, el in enumerate(root.iter("STMTTRN"))}
    for rs in sorted(found, key=lambda el: _position(root, el)):
        statements.append(_statement(rs, name, lambda el: lines[order[id(el)]]
                                     if order.get(id(el), len(lines)) < len(lines) else 0))
    return statements


# --- the header and the tree -------------------------------------------------------------

def _header(data: bytes, name: str) -> tuple[int, str]:
    """(byte offset of the body, the body as text). ofxtools reads the header; OFX 2 files are
    decoded as UTF-8, OFX 1 bodies by the header's CHARSET, both strictly (an undecodable byte
    is an error naming its line, not a replacement character in a payee's name). A file
    with no header at all, only an <OFX> body (some banks write that), is read as UTF-8."""
    from ofxtools.header import OFXHeaderError, OFXHeaderV2, parse_header
    lead = data.lstrip()
    if lead[:5].lower() == b"<?xml":
        text = guard.decode(data, "utf_8", name)
        m = re.search(r"<\?OFX[^>]*\?>", text, re.IGNORECASE)
        if not m:
            raise DataError(f"{name}: an XML file without an OFX declaration (<?OFX OFXHEADER=\"200\" ...?>); "
                            "not an OFX statement")
        head = data[:len(text[:m.end()].encode("utf-8"))]
    elif lead[:5].upper() == b"<OFX>":
        start = data.find(b"<")
        return start, guard.decode(data[start:], "utf_8", name, offset=guard.line_at(data, start) - 1)
    else:
        start = data.find(b"<")
        head = data[:start] if start >= 0 else data
    try:
        header, _ = parse_header(io.BytesIO(head.lstrip()))   # (ofxtools looks at 8 lines for it)
    except (OFXHeaderError, ValueError) as e:
        first = "".join(chr(b) if 32 <= b < 127 else "?" for b in lead[:120].split(b"\n")[0].strip())
        if not first.upper().startswith(("OFXHEADER", "<?XML")):
            raise DataError(f"{name}: not an OFX file: it starts with {first[:40]!r}, expected an OFX "
                            "header (OFXHEADER:100 or <?OFX OFXHEADER=\"200\" ...?>)") from None
        why = str(e).splitlines()[0].strip().rstrip(":") if not isinstance(e, UnicodeError) \
            else "it is not plain ASCII"
        if "_io." in why or "malformed" in why:
            why = "some of its fields are missing or out of order"
        raise DataError(f"{name}: the OFX header is not one ofxtools can read ({why}); expected "
                        "OFXHEADER, DATA, VERSION, SECURITY, ENCODING, CHARSET, OLDFILEUID and NEWFILEUID") from None
    start = len(head)
    if start >= len(data):
        raise DataError(f"{name}: has an OFX header but no <OFX> body; not a statement")
    codec = "utf_8" if isinstance(header, OFXHeaderV2) else header.codec
    body = data[start:]
    if codec != "utf_8" and not body.isascii():
        try:                           # a file saying CHARSET:1252 but written in UTF-8 (Chase's QFX
            return start, body.decode("utf_8")   # do): Windows-1252 text is almost never valid UTF-8
        except UnicodeDecodeError:
            pass
    return start, guard.decode(body, codec, name, offset=guard.line_at(data, start) - 1)


def _cdata(message: str, name: str, first_line: int) -> str:
    """CDATA sections as escaped text, found by plain searching (ofxtools' pattern for them
    backtracks over the rest of the line, which a hostile file could make quadratic)."""
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


def _tree(message: str, name: str) -> ET.Element:
    from ofxtools.Parser import ParseError, TreeBuilder
    builder = TreeBuilder()
    try:
        builder.feed(message)
        root = builder.close()
    except (ParseError, ET.ParseError, AssertionError, IndexError) as e:
        why = str(e).split(" - position")[0].splitlines()[0][:200] or "unbalanced tags"
        raise DataError(f"{name}: the OFX body does not parse ({why}); the file is broken or cut short") from None
    if root is None:
        raise DataError(f"{name}: the OFX body holds no elements")
    return root


def _lines_of(data: bytes, tag: bytes) -> list[int]:
    """The line of each occurrence of `tag`, in order (the tree keeps no positions)."""
    out, pos, line = [], 0, 1
    while True:
        at = data.find(tag, pos)
        if at < 0:
            return out
        line += data.count(b"\n", pos, at)
        out.append(line)
        pos = at + len(tag)


def _position(root: ET.Element, target: ET.Element) -> int:
    for i, el in enumerate(root.iter()):
        if el is target:
            return i
    return 0


def _no_statement(root: ET.Element) -> str:
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

def _text(el: ET.Element, path: str) -> str:
    found = el.find(path)
    if found is None or found.text is None:
        return ""
    return _unescape(found.text.strip())


def _unescape(text: str) -> str:
    if "&" not in text:
        return text

    def one(m: re.Match) -> str:
        ref = m.group(1)
        if ref.startswith("#"):
            try:
                n = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
                return chr(n) if 0 < n < 0x110000 else m.group(0)
            except ValueError:
                return m.group(0)
        return _NAMED[ref]
    return _ENTITY.sub(one, text)


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


def _statement(rs: ET.Element, name: str, line_of) -> Statement:
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
        lines.append(_line(trn, name, line_of(trn), currency))
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


def _line(trn: ET.Element, name: str, line: int, currency: str) -> StatementLine:
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
        description=guard.clean(_text(trn, "MEMO")), bank_id=guard.clean(fitid, 255), pending=False,
        line=line)
