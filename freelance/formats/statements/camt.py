"""ISO 20022 CAMT.053 statements (and .052 reports, .054 notifications) -> `Statement`s.

docs/statement-readers.md says why each choice below was made. In short:

- lxml with a hardened parser (no entities resolved, no DTD loaded, no network, no huge
  trees), and a DOCTYPE or ENTITY declaration refused before parsing: an XML bomb or
  an external entity never reaches the parser;
- element names are matched by their local name, so every version's namespace
  (camt.053.001.02 to .13, .052, .054) and a file without one read alike;
- one `Statement` per Stmt (Rpt, Ntfctn); balances OPBD (opening, at the start of its
  day), PRCD (previous closing: the end of its day, so the start of the next), CLBD
  (closing, at the end of its day);
- an entry's sign is its CdtDbtInd; its day BookgDt, else ValDt; status BOOK, PDNG
  (pending) or INFO (information only: not read), in the old text form or the v8+
  <Sts><Cd>; its id AcctSvcrRef (else the transaction's), unless a placeholder such as
  NONREF (then the line has no id: de-duplication uses its hash); the other party is the Dbtr
  of a credit and the Cdtr of a debit;
- a batch entry whose transactions carry their own amounts, adding up to the entry's,
  becomes one line per transaction;
- an amount in another currency than the account's is refused.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from ...core.errors import DataError
from ...core.statement import Statement, StatementLine, bank_id
from . import guard

# the message's container and its statements, by message
_KINDS = {"BkToCstmrStmt": "Stmt", "BkToCstmrAcctRpt": "Rpt", "BkToCstmrDbtCdtNtfctn": "Ntfctn"}
_MESSAGE = {"BkToCstmrStmt": "CAMT.053 statement", "BkToCstmrAcctRpt": "CAMT.052 report",
            "BkToCstmrDbtCdtNtfctn": "CAMT.054 notification"}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_CAMT = re.compile(rb"<(\w+:)?(BkToCstmrStmt|BkToCstmrAcctRpt|BkToCstmrDbtCdtNtfctn)(V\d\d)?[\s>]")
_DOCUMENT = re.compile(rb"<(\w+:)?Document[\s>/]")


def claims(head: bytes) -> bool:
    """An XML file whose namespace says camt.05x, or with a CAMT message or a <Document>."""
    if head[:5].lower() != b"<?xml" and head[:9].lower() != b"<document" and head[:4] != b"<!--":
        return False
    return b"camt.05" in head[:4096].lower() or bool(_CAMT.search(head) or _DOCUMENT.search(head))


def read(data: bytes, name: str) -> list[Statement]:
    """Every statement (report, notification) in a CAMT file, or DataError saying what is wrong."""
    guard.check_size(data, name)
    if not data.strip():
        raise DataError(f"{name}: the file is empty, expected a CAMT.053 statement (XML)")
    guard.refuse_declarations(data, name)
    root = _parse(data, name)
    if _local(root) != "Document":
        raise DataError(f"{name}: the XML's root is <{_local(root)}>, expected <Document> of a CAMT.053 "
                        "statement (camt.052 and camt.054 are read too); not a bank statement")
    message = next((c for c in _children(root) if _kind(c) in _KINDS), None)
    if message is None:
        inside = next((_local(c) for c in _children(root)), "nothing")
        raise DataError(f"{name}: the document holds <{inside}>, expected <BkToCstmrStmt> (CAMT.053), "
                        "<BkToCstmrAcctRpt> (.052) or <BkToCstmrDbtCdtNtfctn> (.054); not a bank statement")
    tag = _KINDS[_kind(message)]
    found = [c for c in _children(message) if _local(c) == tag]
    if not found:
        raise DataError(f"{name}: the {_MESSAGE[_kind(message)]} holds no <{tag}>: "
                        "the file is empty or cut short")
    return [_statement(s, tag, name) for s in found]


# --- XML ---------------------------------------------------------------------------------

def _parse(data: bytes, name: str):
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise DataError(f"{name}: {_syntax(e, data, name)}") from None
    if root is None:
        raise DataError(f"{name}: the file holds no XML element; expected a CAMT.053 statement")
    info = root.getroottree().docinfo
    if info.internalDTD is not None or info.externalDTD is not None:   # (UTF-16 hides it from the byte check)
        raise DataError(f"{name}: declares a DOCTYPE; bank statements never do, and such a declaration is "
                        "how an XML bomb or an external entity gets in: not read")
    return root


def _syntax(e, data: bytes, name: str) -> str:
    msg = re.sub(r",? line \d+, column \d+$", "", " ".join((e.msg or str(e)).split()))[:200]
    line = e.lineno or 0
    low = msg.lower()
    if "utf-8" in low or "encoding" in low or "bytes:" in low or "invalid char" in low:
        said = re.search(rb'encoding=["\']([A-Za-z0-9._-]+)', data[:200])
        enc = said.group(1).decode() if said else "UTF-8"
        try:
            guard.decode(data, enc, name)       # names the first bad byte and its line, as for OFX
        except DataError as bad:
            return bad.message.split(": ", 1)[1]
        return f"line {line}: the XML does not parse ({msg})"
    if "premature end" in low or "end of data" in low or "extra content" not in low and \
            ("eof" in low or "not finished" in low or "chunk is not well balanced" in low):
        return f"line {line}: the XML ends too soon ({msg}): the file is cut short (download it again)"
    if "document is empty" in low or "start tag expected" in low:
        return "not an XML file (no element found); expected a CAMT.053 statement"
    return f"line {line}: the XML does not parse ({msg})"


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _kind(el) -> str:
    """The message's name without the version suffix the first versions had (BkToCstmrAcctRptV01)."""
    return re.sub(r"V\d\d$", "", _local(el))


def _children(el):
    return [c for c in el if isinstance(c.tag, str)]


def _find(el, path: str):
    """The first element at `path` (local names joined by /), namespace-agnostic; or None."""
    if el is None:
        return None
    for part in path.split("/"):
        el = next((c for c in _children(el) if _local(c) == part), None)
        if el is None:
            return None
    return el


def _all(el, path: str) -> list:
    """Every element at `path`."""
    if el is None:
        return []
    level = [el]
    for part in path.split("/"):
        level = [c for p in level for c in _children(p) if _local(c) == part]
    return level


def _text(el, path: str) -> str:
    found = _find(el, path)
    return (found.text or "").strip() if found is not None else ""


# --- values ------------------------------------------------------------------------------

def _day(el, name: str, where: str, what: str) -> date | None:
    """The day of a Dt/DtTm choice (`<BookgDt><Dt>` or `<BookgDt><DtTm>`), as the bank wrote it."""
    if el is None:
        return None
    raw = _text(el, "Dt") or _text(el, "DtTm")
    if not raw:
        return None
    m = _DATE.match(raw)
    if not m:
        raise DataError(f"{name}: {where}: {what} is {raw[:40]!r}, expected a date like 2026-11-30")
    return guard.day(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw, name, where, what)


def _money(el, name: str, where: str, what: str, sign_el=None) -> tuple[Decimal, str]:
    """(signed amount, currency) of an <Amt Ccy=".."> and the CdtDbtInd beside it."""
    amt = _find(el, "Amt")
    if amt is None:
        raise DataError(f"{name}: {where}: no <Amt>, expected the {what}'s amount")
    value = guard.amount(amt.text, name, where, f"{what} amount")
    if value < 0:
        raise DataError(f"{name}: {where}: {what} amount is {amt.text.strip()}, expected a positive amount "
                        "with CdtDbtInd CRDT or DBIT giving its sign")
    ind = _text(sign_el if sign_el is not None else el, "CdtDbtInd").upper()
    if ind not in ("CRDT", "DBIT"):
        raise DataError(f"{name}: {where}: CdtDbtInd is {ind[:20] or 'missing'!r}, expected CRDT or DBIT")
    return (-value if ind == "DBIT" else value), (amt.get("Ccy") or "").strip().upper()


def _account(stmt) -> tuple[str, str, str]:
    """(IBAN, other id, currency) of the statement's account."""
    acct = _find(stmt, "Acct")
    iban = _text(acct, "Id/IBAN").replace(" ", "").upper()
    other = _text(acct, "Id/Othr/Id")
    return iban, other, _text(acct, "Ccy").upper()


def _statement(stmt, tag: str, name: str) -> Statement:
    iban, other, currency = _account(stmt)
    sid = _text(stmt, "Id")
    if not iban and _IBAN.fullmatch(other.replace(" ", "").upper()):
        iban = other.replace(" ", "").upper()
    label = f"<{tag}> {sid or iban or other or '(no id)'} (line {stmt.sourceline})"
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        raise DataError(f"{name}: {label}: the account's Ccy is {currency[:20]!r}, expected a currency code like EUR")

    opening = closing = None
    for bal in _all(stmt, "Bal"):
        code = (_text(bal, "Tp/CdOrPrtry/Cd") or _text(bal, "Tp/CdOrPrtry/Prtry")).upper()
        if code not in ("OPBD", "PRCD", "CLBD"):
            continue
        where = f"line {bal.sourceline}: balance {code}"
        amount, ccy = _money(bal, name, where, "balance")
        currency = _same_currency(currency, ccy, name, where, label)
        day = _day(_find(bal, "Dt"), name, where, "its date")
        if day is None:
            raise DataError(f"{name}: {where}: no <Dt>, expected the balance's date")
        if code == "CLBD":
            closing = (day, amount)
        elif code == "OPBD":
            opening = (day, amount)
        elif opening is None:                       # PRCD: at the end of its day
            opening = (day + timedelta(days=1), amount)

    lines: list[StatementLine] = []
    entries = _all(stmt, "Ntry")
    for n, ntry in enumerate(entries, 1):
        for line in _entry(ntry, n, name, label):
            currency = _same_currency(currency, line[1], name, f"line {line[0].line}: entry {n}", label)
            lines.append(line[0])
    if not lines and opening is None and closing is None:
        raise DataError(f"{name}: {label}: the statement is empty (no entries, no balances); nothing to import")
    return Statement(lines=lines, currency=currency or None, account_id=other or iban or None,
                     iban=iban or None, opening=opening, closing=closing,
                     source=f"{name} {sid}".strip())


def _same_currency(have: str, ccy: str, name: str, where: str, label: str) -> str:
    if not ccy:
        return have
    if have and ccy != have:
        raise DataError(f"{name}: {where}: the amount is in {ccy}, the account ({label}) in {have}; "
                        "freelance imports a statement in its account's currency only")
    return have or ccy


def _status(ntry) -> str:
    """BOOK, PDNG, INFO, FUTR... in either form: `<Sts>BOOK</Sts>` (up to v7) or `<Sts><Cd>BOOK</Cd></Sts>`."""
    sts = _find(ntry, "Sts")
    if sts is None:
        return "BOOK"
    return (_text(sts, "Cd") or _text(sts, "Prtry") or (sts.text or "").strip() or "BOOK").upper()


def _entry(ntry, n: int, name: str, label: str) -> list[tuple[StatementLine, str]]:
    line = ntry.sourceline or 0
    where = f"line {line}: entry {n}"
    status = _status(ntry)
    if status == "INFO":                          # information only: never booked
        return []
    if status not in ("BOOK", "PDNG", "FUTR"):
        raise DataError(f"{name}: {where}: status {status[:20]!r}, expected BOOK, PDNG or INFO")
    amount, ccy = _money(ntry, name, where, "entry")
    day = _day(_find(ntry, "BookgDt"), name, where, "BookgDt") or _day(_find(ntry, "ValDt"), name, where, "ValDt")
    if day is None:
        raise DataError(f"{name}: {where}: no BookgDt or ValDt, expected the entry's date")
    entry_ref = bank_id(_text(ntry, "AcctSvcrRef"))       # NONREF and its kind are no id
    description = _text(ntry, "AddtlNtryInf")
    txs = _all(ntry, "NtryDtls/TxDtls")
    pending = status != "BOOK"

    split = _split(txs, amount, ntry, name, where) if len(txs) > 1 else None
    if split is None:
        tx = txs[0] if txs else None
        party, iban = _party(tx, amount)
        ref = entry_ref or bank_id(_text(tx, "Refs/AcctSvcrRef"))
        return [(StatementLine(date=day, amount=amount, payee=guard.clean(party), iban=iban,
                               reference=guard.clean(_reference(tx)),
                               description=guard.clean(description or _text(tx, "AddtlTxInf")),
                               bank_id=guard.clean(ref, 255), pending=pending, line=line), ccy)]
    out = []
    for i, (tx, tx_amount, tx_ccy) in enumerate(split, 1):
        party, iban = _party(tx, tx_amount)
        own = bank_id(_text(tx, "Refs/AcctSvcrRef"))
        ref = own if own and own != entry_ref else (f"{entry_ref}/{i}" if entry_ref else "")
        out.append((StatementLine(date=day, amount=tx_amount, payee=guard.clean(party), iban=iban,
                                  reference=guard.clean(_reference(tx)),
                                  description=guard.clean(_text(tx, "AddtlTxInf") or description),
                                  bank_id=guard.clean(ref, 255), pending=pending,
                                  line=tx.sourceline or line), tx_ccy or ccy))
    return out


def _split(txs, amount: Decimal, ntry, name: str, where: str):
    """A batch's transactions with their own signed amounts, when each has one and they add
    up to the entry's; else None (the entry stays one line)."""
    out = []
    for tx in txs:
        amt = _find(tx, "Amt")
        if amt is None:
            amt = _find(tx, "AmtDtls/TxAmt/Amt")
        if amt is None:
            return None
        value = guard.amount(amt.text, name, f"line {tx.sourceline}", "transaction amount")
        ind = (_text(tx, "CdtDbtInd") or _text(ntry, "CdtDbtInd")).upper()
        out.append((tx, -abs(value) if ind == "DBIT" else abs(value), (amt.get("Ccy") or "").strip().upper()))
    if sum(v for _, v, _ in out) != amount:
        return None
    return out


def _party(tx, amount: Decimal) -> tuple[str, str]:
    """(name, IBAN) of the other party: who paid a credit, who was paid by a debit."""
    if tx is None:
        return "", ""
    side = "Dbtr" if amount >= 0 else "Cdtr"
    parties = _find(tx, "RltdPties")
    name = (_text(parties, f"{side}/Nm") or _text(parties, f"{side}/Pty/Nm")
            or _text(parties, f"Ultmt{side}/Nm") or _text(parties, f"Ultmt{side}/Pty/Nm"))
    iban = _text(parties, f"{side}Acct/Id/IBAN").replace(" ", "").upper()
    return name, iban if _IBAN.fullmatch(iban) else ""


def _reference(tx) -> str:
    """The remittance information: structured creditor references, then the free text."""
    if tx is None:
        return ""
    rmt = _find(tx, "RmtInf")
    parts = [e.text.strip() for e in _all(rmt, "Strd/CdtrRefInf/Ref") if e.text and e.text.strip()]
    parts += [e.text.strip() for e in _all(rmt, "Ustrd") if e.text and e.text.strip()]
    seen: list[str] = []
    for p in parts:
        if p not in seen:
            seen.append(p)
    return " ".join(seen)
