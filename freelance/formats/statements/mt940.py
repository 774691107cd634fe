"""SWIFT MT940 statements and MT942 interim reports -> `Statement`s (docs/statement-readers.md).

The tags are read by the `mt-940` library (BSD-3-Clause; `mt940.parse_statements`, its
public API, with every fix of `mt940.Options.all()` on); the values are taken here:

- one `Statement` per `:20:` ... `:62F:` block (a file may hold several days, or several
  accounts); the account is `:25:`, an IBAN when it is one;
- `:60F:`/`:60M:` is the opening balance at the start of its day, `:62F:`/`:62M:` the
  closing at the end of its day; an MT942 has neither (only its lines);
- a line (`:61:`) is signed by its mark (D and RC are money out), dated by its entry
  (booking) date when it has one, else its value date; the bank's reference (after
  `//`) is its id unless it is a placeholder (NONREF...); the customer reference before
  it is not read (banks fill it with NONREF, EREF or a time of day); the structured
  `:86:` gives the other party's name and IBAN and the purpose (the reference), else the
  whole `:86:` text is the description;
- the text is UTF-8 when it decodes as such, else Windows-1252 (German and Dutch banks
  write Latin-1 umlauts); an amount in a currency other than the statement's is refused.
"""
from __future__ import annotations

import re

from ...core.errors import DataError
from ...core.statement import Statement, StatementLine, bank_id
from . import guard

_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_TAG = re.compile(rb"^:(20|25|28C?|60[FM]|61|62[FM]|34F|86):", re.M)


def claims(head: bytes) -> bool:
    """An MT940/MT942: `:20:` and `:25:` tags at the start of lines, and a balance, a floor
    limit or a statement line (a SWIFT block header `{1:...` may come first)."""
    found = {m.group(1) for m in _TAG.finditer(head[:16384])}
    return b"20" in found and b"25" in found and bool(found & {b"60F", b"60M", b"34F", b"61"})


def read(data: bytes, name: str) -> list[Statement]:
    """Every statement (report) in an MT940/MT942 file, or DataError saying what is wrong."""
    import mt940 as swift                       # the mt-940 library (imported when a file is read)
    guard.check_size(data, name)
    body = data.lstrip(b"\xef\xbb\xbf")
    if not body.strip():
        raise DataError(f"{name}: the file is empty, expected an MT940 statement")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = guard.decode(body, "cp1252", name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not claims(text.encode("utf-8", "replace")):
        first = guard.clean(text.strip().split("\n", 1)[0])[:40]
        raise DataError(f"{name}: not an MT940 file: it starts with {first!r}, expected the tags :20:, :25: "
                        "and :60F: (or an MT942's :34F:)")
    try:
        found = swift.parse_statements(text, options=swift.Options.all())
    except Exception as e:          # the library's own errors have no common type; say where it gave up
        raise DataError(f"{name}: does not read as MT940 ({guard.clean(str(e))[:200] or type(e).__name__}); "
                        "the file is broken or cut short") from None
    lines_at = _line_numbers(text)
    n = 0
    out = []
    for i, st in enumerate(found, 1):
        got, n = _statement(st, i, name, lines_at, n)
        if got is not None:
            out.append(got)
    if not out:
        raise DataError(f"{name}: holds no MT940 statement with lines or balances; nothing to import")
    return out


def _line_numbers(text: str) -> list[int]:
    """The line of each `:61:` tag, in order (the library keeps no positions)."""
    return [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"^:61:", text, re.M)]


def _balance(st, keys: tuple[str, ...]):
    for key in keys:
        bal = st.data.get(key)
        if bal is not None:
            return bal
    return None


def _statement(st, i: int, name: str, lines_at: list[int], n: int):
    account = "".join(str(st.data.get("account_identification") or "").split()).upper()
    sid = guard.clean(str(st.data.get("transaction_reference") or ""))
    label = f"statement {i} ({sid or account or 'no :20:'})"
    opening = _balance(st, ("final_opening_balance", "intermediate_opening_balance"))
    closing = _balance(st, ("final_closing_balance", "intermediate_closing_balance"))
    currency = ""
    for bal in (opening, closing):
        if bal is not None:
            currency = _same(currency, bal.amount.currency, name, label)
    lines = []
    for t in st:
        n += 1
        where = f"line {lines_at[n - 1]}" if n <= len(lines_at) else f"{label}, line {n}"
        lines.append(_line(t.data, name, where, lines_at[n - 1] if n <= len(lines_at) else 0))
        currency = _same(currency, t.data["amount"].currency, name, where)
    if not lines and opening is None and closing is None:
        return None, n
    return Statement(
        lines=lines, currency=currency or None, account_id=account or None,
        iban=account if _IBAN.fullmatch(account) else None,
        opening=_when(opening, name, label, ":60F:"), closing=_when(closing, name, label, ":62F:"),
        source=f"{name} {sid}".strip()), n


def _same(have: str, ccy, name: str, where: str) -> str:
    ccy = str(ccy or "").strip().upper()
    if not ccy:
        return have
    if have and ccy != have:
        raise DataError(f"{name}: {where}: an amount in {ccy} on a statement in {have}; freelance imports a "
                        "statement in its own currency only")
    return ccy


def _when(bal, name: str, where: str, tag: str):
    if bal is None:
        return None
    d = bal.date
    day = guard.day(d.year, d.month, d.day, str(d), name, where, f"{tag} date")
    return day, guard.amount(str(bal.amount.amount), name, where, f"{tag} balance")


def _line(d: dict, name: str, where: str, line: int) -> StatementLine:
    when = d.get("entry_date") or d.get("date")
    if when is None:
        raise DataError(f"{name}: {where}: the :61: line has no date")
    day = guard.day(when.year, when.month, when.day, str(when), name, where, ":61: date")
    amount = guard.amount(str(d["amount"].amount), name, where, ":61: amount")
    iban = "".join(str(d.get("applicant_iban") or "").split()).upper()
    details = str(d.get("transaction_details") or "")
    purpose = " ".join(str(d.get(k) or "") for k in ("purpose", "additional_purpose")).strip()
    return StatementLine(
        date=day, amount=amount,
        payee=guard.clean(d.get("applicant_name") or d.get("recipient_name") or ""),
        iban=iban if _IBAN.fullmatch(iban) else "",
        reference=guard.clean(purpose or d.get("end_to_end_reference") or ""),
        description=guard.clean(d.get("posting_text") if purpose else details) or guard.clean(d.get("extra_details")),
        bank_id=guard.clean(bank_id(str(d.get("bank_reference") or "")), 255),
        pending=False, line=line)
