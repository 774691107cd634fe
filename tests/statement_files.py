"""Statement files made by the tests: OFX 1 (SGML), OFX 2 (XML), QFX and CAMT.05x, built
from plain values so each test says what it is about (tests/test_statement_readers.py)."""
from __future__ import annotations

from pathlib import Path

REAL = Path(__file__).resolve().parent / "data" / "statements"

OFX1_HEADER = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:{charset}
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

"""
OFX2_HEADER = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
"""


def stmttrn(fitid, posted, amount, name="", memo="", checknum="", xml=False, extra=""):
    parts = [("TRNTYPE", "CREDIT" if not str(amount).startswith("-") else "DEBIT"),
             ("DTPOSTED", posted), ("TRNAMT", amount), ("FITID", fitid)]
    if checknum:
        parts.append(("CHECKNUM", checknum))
    if name:
        parts.append(("NAME", name))
    if memo:
        parts.append(("MEMO", memo))
    body = "".join(f"<{t}>{v}</{t}>\n" if xml else f"<{t}>{v}\n" for t, v in parts)
    return f"<STMTTRN>\n{body}{extra}</STMTTRN>\n"


def stmtrs(acctid, currency, transactions, balance=None, asof="20261130", card=False, xml=False):
    def el(t, v):
        return f"<{t}>{v}</{t}>" if xml else f"<{t}>{v}"
    acct = (f"<CCACCTFROM>{el('ACCTID', acctid)}</CCACCTFROM>" if card else
            f"<BANKACCTFROM>{el('BANKID', '121000248')}{el('ACCTID', acctid)}"
            f"{el('ACCTTYPE', 'CHECKING')}</BANKACCTFROM>")
    tag = "CCSTMTRS" if card else "STMTRS"
    bal = (f"<LEDGERBAL>{el('BALAMT', balance)}{el('DTASOF', asof)}</LEDGERBAL>\n"
           if balance is not None else "")
    return (f"<{tag}>\n{el('CURDEF', currency)}\n{acct}\n<BANKTRANLIST>\n"
            f"{el('DTSTART', '20261101')}{el('DTEND', '20261130')}\n" + "".join(transactions)
            + f"</BANKTRANLIST>\n{bal}</{tag}>\n")


def ofx(statements, version=1, charset="1252", qfx=False, card=False) -> bytes:
    """A whole OFX file around `statements` (STMTRS texts)."""
    xml = version == 2
    def el(t, v):
        return f"<{t}>{v}</{t}>" if xml else f"<{t}>{v}"
    status = f"<STATUS>{el('CODE', 0)}{el('SEVERITY', 'INFO')}</STATUS>"
    intu = el("INTU.BID", "3000") + el("INTU.USERID", "alex") if qfx else ""
    signon = (f"<SIGNONMSGSRSV1><SONRS>{status}{el('DTSERVER', '20261201120000')}{el('LANGUAGE', 'ENG')}"
              f"{intu}</SONRS></SIGNONMSGSRSV1>\n")
    msgs = "CREDITCARDMSGSRSV1" if card else "BANKMSGSRSV1"
    trnrs = "CCSTMTTRNRS" if card else "STMTTRNRS"
    body = "".join(f"<{trnrs}>{el('TRNUID', i + 1)}{status}\n{s}</{trnrs}>\n" for i, s in enumerate(statements))
    head = OFX2_HEADER if xml else OFX1_HEADER.format(charset=charset)
    text = f"{head}<OFX>\n{signon}<{msgs}>\n{body}</{msgs}>\n</OFX>\n"
    return text.encode("utf-8" if xml or charset == "NONE" else "cp1252")


# --- CAMT ---------------------------------------------------------------------------------

def ntry(amount, ind="CRDT", booked="2026-11-05", status="BOOK", ref="", tx="", info="", ccy="EUR",
         v8=False, value_date="", date_tag="Dt"):
    sts = f"<Sts><Cd>{status}</Cd></Sts>" if v8 else f"<Sts>{status}</Sts>"
    bookg = f"<BookgDt><{date_tag}>{booked}</{date_tag}></BookgDt>" if booked else ""
    val = f"<ValDt><Dt>{value_date}</Dt></ValDt>" if value_date else ""
    acct_ref = f"<AcctSvcrRef>{ref}</AcctSvcrRef>" if ref else ""
    details = f"<NtryDtls>{tx}</NtryDtls>" if tx else ""
    add = f"<AddtlNtryInf>{info}</AddtlNtryInf>" if info else ""
    return (f"<Ntry>\n<Amt Ccy=\"{ccy}\">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd>{sts}\n"
            f"{bookg}{val}{acct_ref}\n{details}{add}\n</Ntry>\n")


def txdtls(party="", iban="", side="Dbtr", ustrd="", strd="", amount=None, ind="", ccy="EUR", ref="",
           v8=False, v2_amount=False):
    name = f"<Pty><Nm>{party}</Nm></Pty>" if v8 else f"<Nm>{party}</Nm>"
    parties = ""
    if party or iban:
        acct = f"<{side}Acct><Id><IBAN>{iban}</IBAN></Id></{side}Acct>" if iban else ""
        parties = f"<RltdPties><{side}>{name}</{side}>{acct}</RltdPties>"
    rmt = ""
    if ustrd or strd:
        s = (f"<Strd><CdtrRefInf><Ref>{strd}</Ref></CdtrRefInf></Strd>" if strd else "")
        rmt = f"<RmtInf>{f'<Ustrd>{ustrd}</Ustrd>' if ustrd else ''}{s}</RmtInf>"
    amt = ""
    if amount is not None:
        amt = (f"<AmtDtls><TxAmt><Amt Ccy=\"{ccy}\">{amount}</Amt></TxAmt></AmtDtls>" if v2_amount
               else f"<Amt Ccy=\"{ccy}\">{amount}</Amt>")
        if ind:
            amt += f"<CdtDbtInd>{ind}</CdtDbtInd>"
    refs = f"<Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>" if ref else ""
    return f"<TxDtls>{refs}{amt}{parties}{rmt}</TxDtls>\n"


def bal(code, amount, day, ind="CRDT", ccy="EUR"):
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">{amount}</Amt>"
            f"<CdtDbtInd>{ind}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>\n")


def stmt(entries, iban="DE89370400440532013000", ccy="EUR", balances="", sid="STMT-2026-11", other="",
         tag="Stmt"):
    acct_id = f"<Othr><Id>{other}</Id></Othr>" if other else f"<IBAN>{iban}</IBAN>"
    ccy_el = f"<Ccy>{ccy}</Ccy>" if ccy else ""
    return (f"<{tag}>\n<Id>{sid}</Id><CreDtTm>2026-12-01T06:00:00</CreDtTm>\n"
            f"<Acct><Id>{acct_id}</Id>{ccy_el}</Acct>\n{balances}" + "".join(entries) + f"</{tag}>\n")


def camt(statements, version="053.001.02", namespace=True, message="BkToCstmrStmt") -> bytes:
    ns = f' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{version}"' if namespace else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document{ns}>\n<{message}>\n'
            f"<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2026-12-01T06:00:00</CreDtTm></GrpHdr>\n"
            + "".join(statements) + f"</{message}>\n</Document>\n").encode("utf-8")
