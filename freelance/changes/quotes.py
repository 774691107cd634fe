"""Quotes and projects billed in parts (docs/quotes.md): planners, never applied here.

- `plan_quote`: a new quote from `--item` lines, numbered by the book's `quote_number`
  (`Q-{year}-{seq:03d}`), valid for 30 days unless `--valid-until` says otherwise;
- `plan_quote_edit`, `plan_send`: a draft's lines; sending seals what its document shows;
- `plan_accept`: the client moves to the last stage of the pipeline (client), the project and
  its services are made from the quote's lines (a line of one unit is a fixed fee, others are
  hours at a rate), the quote's dates and terms go with them, and a deposit invoice may be made;
- `part_lines`: the lines of a deposit or progress invoice (a share of the quoted work per tax
  rate, or chosen lines), and of the final invoice (the whole work, deducting every deposit
  and progress invoice).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, ROUND_HALF_UP

from ..core.errors import UsageError, did_you_mean
from ..core.money import HUNDRED, ZERO, line_total, money, tax_groups
from ..core.rules import BILLED, ON_ACCOUNT, QUOTE_OPEN, seal_of, seal_problem, sealed_changes
from ..core.schema import KINDS, PROJECT, QUOTE, SERVICE
from ..core.text import fmt_money
from ..read.graph import Graph
from ..read.quotes import expired, parts_of, quoted_lines
from ..store.book import Book
from ..store.records import Record
from ..store.writer import Write, plan_append
from .invoicing import item_lines, plan_invoice
from .numbers import next_number
from .records import check_size, new_id, number_text, ordered, plan_add

VALID_DAYS = 30     # a quote holds this many days unless --valid-until says otherwise


# -- a quote -------------------------------------------------------------------------------

def plan_quote(book: Book, values: dict, items: list[str], number: str | None) -> tuple[dict, list[Write], list[str]]:
    """A new quote from typed option values and `--item` texts; writes not applied."""
    if not items:
        raise UsageError('a quote needs --item "description:quantity:unit_price[:RATE%]" (repeat it)')
    values = dict(values)
    values["items"] = item_lines(book, items)
    issued = values.setdefault("issued", book.today)
    until = values.get("valid_until")
    if until is None:
        values["valid_until"] = issued + dt.timedelta(days=VALID_DAYS)
    elif until < issued:
        raise UsageError(f"--valid-until {until} is before --issued {issued}: a quote is valid from the day "
                         "it is issued")
    if values.get("status") not in (None, "draft", "sent"):
        raise UsageError(f"--status {values['status']}: a new quote is a draft (or sent); "
                         "accept it with `freelance quote accept`")
    for a, b in (("start", "due"),):
        if values.get(a) and values.get(b) and values[b] < values[a]:
            raise UsageError(f"--{b} {values[b]} is before --{a} {values[a]}")
    rid = number or next_number(book, issued.year, kind="quote")
    return plan_add(book, QUOTE, values, rid=rid)


def plan_quote_edit(book: Book, q: Record, changes: dict, items: list[str] | None) -> dict:
    """`quote edit`: `--item` texts replace a draft's lines."""
    changes = dict(changes)
    if items:
        if q.data.get("status") != "draft":
            raise UsageError(f"quote '{q.id}' is {q.data.get('status')}: only a draft's lines can be replaced "
                             "(make a new quote for a new offer)")
        changes["items"] = item_lines(book, items)
    return changes


def check_quote(book: Book, old: Record | None, new: dict | None) -> tuple[list[Write], list[str]]:
    """What every write of a quote keeps (door.FOLLOW_UPS): a sent quote's document is sealed;
    accepted is reached by `quote accept` only (it makes the project) and left never; valid_until
    is not before issued."""
    if new is None:
        if old is not None and old.data.get("status") == "accepted":
            raise UsageError(f"quote '{old.id}' is accepted (project {old.data.get('project')}): it stays on record")
        return [], []
    if old is not None:
        changed = sealed_changes(old.data, new)
        if changed:
            raise UsageError(f"quote '{old.id}' was sent{' on ' + str(old.data['sent_on']) if old.data.get('sent_on') else ''} "
                             f"and is sealed: {', '.join(changed)} cannot change (status and notes can); make a new "
                             "quote for a new offer")
        was, now = old.data.get("status"), new.get("status")
        if was == "accepted" and now != "accepted":
            raise UsageError(f"quote '{old.id}' is accepted (project {old.data.get('project')}): it stays accepted")
    if new.get("status") == "accepted" and not new.get("project"):
        raise UsageError(f"a quote is accepted with `freelance quote accept {new.get('id')}`: it makes the project, "
                         "its services and (with --deposit) the deposit invoice")
    issued, until = new.get("issued"), new.get("valid_until")
    if isinstance(issued, dt.date) and isinstance(until, dt.date) and until < issued:
        raise UsageError(f"--valid-until {until} is before the issue date {issued}")
    return [], []


def plan_send(book: Book, q: Record) -> tuple[dict, list[str]]:
    """What sending quote `q` changes: draft -> sent, `sent_on` today, the seal of what its
    document shows. Declined or accepted quotes are not sent."""
    status = q.data.get("status")
    if status in ("accepted", "declined"):
        raise UsageError(f"quote '{q.id}' is {status}: it is not sent again")
    broken = seal_problem(q.data)
    if broken and q.data.get("seal"):
        raise UsageError(f"quote '{q.id}': {broken[1]}; not sent again (see `freelance validate`)")
    changes = {"sent_on": book.today, "seal": seal_of(q.data, "q1")}
    if status != "sent":
        changes = {"status": "sent", **changes}
    return changes, [f"quote '{q.id}' sealed: what it shows can no longer be edited"
                     if not q.data.get("seal") else f"quote '{q.id}' sent again"]


# -- accepting ---------------------------------------------------------------------------------

def client_stage(book: Book) -> str:
    """The stage of a client who accepted a quote: `client`, else the pipeline's last stage."""
    stages = book.settings.allowed("stages")
    return "client" if "client" in stages or not stages else stages[-1]


def plan_accept(book: Book, q: Record, project_id: str | None, deposit: str | None):
    """Accept quote `q`: (writes, notes, touched records as (kind, old, new, changes), the
    deposit invoice's data or None). Refused for a quote accepted or declined already."""
    status = q.data.get("status")
    if status == "accepted":
        raise UsageError(f"quote '{q.id}' is accepted already (project {q.data.get('project')})")
    if status in ("declined", "expired"):
        raise UsageError(f"quote '{q.id}' is {status}: move it back to sent first if the client accepts it "
                         f"after all (`freelance quote move {q.id} sent`)")
    g = Graph(book)
    notes: list[str] = []
    if expired(g, q):
        notes.append(f"quote '{q.id}' was valid until {q.data.get('valid_until')}: accepted after that")
    client = book.get("client", q.data.get("client"))
    if client is None:
        raise UsageError(f"quote '{q.id}' names no client the book has ({q.data.get('client')})")
    touched: list = []
    stage = client_stage(book)
    if client.data.get("stage") != stage:
        touched.append((KINDS["client"], client, {**client.data, "stage": stage}, {"stage": stage}))
        notes.append(f"moved client '{client.id}': {client.data.get('stage')} -> {stage}")
    # the project
    title = str(q.data.get("title") or f"{client.data.get('name') or client.id} ({q.id})")
    pdata = {"name": title, "client": client.id, "status": "not-started", "basis": "invoicing",
             "value": g.derived(q)["subtotal"], "quote": q.id}
    for k_from, k_to in (("start", "start"), ("due", "due"), ("payment_terms_days", "payment_terms_days"),
                         ("currency", "currency")):
        if q.data.get(k_from) is not None:
            pdata[k_to] = q.data[k_from]
    if project_id is not None:
        if book.get("project", project_id) is not None:
            raise UsageError(f"--project: there is a project '{project_id}' already; name a new one")
        pid = project_id
    else:
        pid = new_id(book, PROJECT, pdata)
    pdata = {"id": pid, **pdata}
    pdata, pwrites, pnotes = plan_add(book, PROJECT, pdata, rid=pid)
    writes = list(pwrites)
    book.index("project")[pid] = Record("project", pdata, "", 0, {})   # what the next plans link to
    touched.append((PROJECT, None, pdata, None))
    notes.append(f"added project '{pid}' ({title})")
    # its services, one per line of the quote
    services, planned = [], set()
    for it in q.data.get("items") or []:
        if not isinstance(it, dict) or it.get("service"):
            continue
        qty = it.get("quantity") if isinstance(it.get("quantity"), Decimal) else Decimal(1)
        s = {"name": str(it.get("description") or "Work"), "client": client.id, "project": pid}
        if qty == 1:
            s.update(pricing="fixed", rate=it.get("unit_price"))
        else:
            s.update(pricing="hourly", rate=it.get("unit_price"), hours=qty)
        for k_from, k_to in (("start", "start"), ("due", "end"), ("currency", "currency")):
            if q.data.get(k_from) is not None:
                s[k_to] = q.data[k_from]
        s["status"] = "not-started"
        sid = new_id(book, SERVICE, s, planned)
        planned.add(sid)
        s = ordered(SERVICE, {"id": sid, **s})
        services.append(s)
        touched.append((SERVICE, None, s, None))
    if services:
        writes.append(plan_append(book, "service", services))
        notes.append(f"added services {', '.join(s['id'] for s in services)} "
                     f"({', '.join(s['pricing'] for s in services)})")
    qchanges = {"status": "accepted", "accepted_on": book.today, "project": pid}
    touched.append((QUOTE, q, {**q.data, **qchanges}, qchanges))
    notes.append(f"quote '{q.id}' accepted ({status} -> accepted)")
    invoice = None
    if deposit is not None:
        lines = share_lines(book, quoted_of(q), deposit, "--deposit", f"Deposit on quote {q.id}")
        values = {"client": client.id, "project": pid, "issued": book.today, "part": "deposit"}
        if q.data.get("currency"):
            values["currency"] = q.data["currency"]
        invoice, iwrites, inotes = plan_invoice(book, values, [], None, lines=lines,
                                                terms=q.data.get("payment_terms_days"))
        writes += iwrites
        notes += inotes
    return writes, notes, touched, invoice


def quoted_of(q: Record) -> list[dict]:
    """A quote's lines, each with its tax rate (the quote's where a line has none)."""
    rate = q.data.get("tax_rate")
    out = []
    for it in q.data.get("items") or []:
        if isinstance(it, dict):
            line = dict(it)
            if "tax_rate" not in line and isinstance(rate, Decimal):
                line["tax_rate"] = rate
            out.append(line)
    return out


# -- deposit, progress and final invoices ------------------------------------------------------

_SHARE = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*%\s*\Z")


def parse_share(text: str, option: str) -> tuple[str, Decimal]:
    """`30%` -> ("pct", 30); `1500` -> ("amount", 1500): a share of the quoted work's net."""
    m = _SHARE.match(str(text))
    if m:
        pct = Decimal(m.group(1).replace(",", "."))
        if not 0 < pct <= 100:
            raise UsageError(f"{option} {text}: a percentage above 0 and up to 100, like 30%")
        return "pct", pct
    try:
        amount = Decimal(number_text(str(text), option))
    except (ArithmeticError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        raise UsageError(f"{option} {text!r}: expected a percentage like 30% or an amount without tax like 1500")
    return "amount", check_size(amount, str(text), option)


def share_lines(book: Book, lines: list[dict], share: str, option: str, label: str,
                default_rate=None) -> list[dict]:
    """The lines of an invoice for a share (`30%` or a net amount) of the quoted `lines`: one line
    per tax rate, each that rate's share of the net, so the tax of each rate is the share's."""
    kind, value = parse_share(share, option)
    per_line = book.settings.tax_per_line
    groups = [(rate, net) for rate, net, _ in tax_groups({"items": lines, "tax_rate": default_rate}, per_line)
              if net > 0]
    whole = sum((net for _, net in groups), ZERO)
    if whole <= 0:
        raise UsageError(f"{option}: there is no quoted work to take a share of")
    if kind == "amount" and value > whole:
        raise UsageError(f"{option} {value}: more than the quoted work ({whole}, without tax)")
    out, done = [], ZERO
    for i, (rate, net) in enumerate(groups):
        if kind == "pct":
            part = money(net * value / HUNDRED)
        elif i == len(groups) - 1:
            part = value - done                 # the last rate takes what rounding left
        else:
            part = money(value * net / whole)
        done += part
        if part <= 0:
            continue
        what = f"{value.normalize():f}% of the quoted work" if kind == "pct" else "of the quoted work"
        text = f"{label}: {what}" + (f" at {rate.normalize():f}% VAT" if len(groups) > 1 else "")
        out.append({"description": text, "quantity": Decimal(1), "unit_price": part, "tax_rate": rate})
    if not out:
        raise UsageError(f"{option} {share}: that rounds to nothing")
    return out


def plan_part(book: Book, values: dict, part: str, share: str | None = None, picked: list[int] | None = None,
              number: str | None = None) -> tuple[dict, list[Write], list[str]]:
    """A deposit or progress invoice (a share, or chosen lines of the quoted work) or the final
    invoice (the whole work, deducting every deposit and progress invoice) of `values["project"]`."""
    pid = values.get("project")
    if not pid:
        raise UsageError(f"--{part} needs --project: the project whose quoted work it bills")
    project = book.get("project", pid)
    if project is None:
        raise UsageError(f"--project: no project '{pid}'{did_you_mean(pid, book.index('project'))}")
    g = Graph(book)
    work = quoted_lines(g, project)
    rate = values.get("tax_rate")
    if not work:
        raise UsageError(f"project '{pid}' has no quoted work: accept a quote into it (`freelance quote accept`) "
                         "or give it priced services (fixed, or hourly with --hours)")
    values = {**values, "client": values.get("client") or project.data.get("client"), "part": part}
    before = parts_of(g, project)
    finals = [i for i in g.by("invoice", "project").get(pid, ()) if i.data.get("part") == "final"
              and i.data.get("status") != "void"]
    if finals:
        raise UsageError(f"project '{pid}' has its final invoice already ({finals[0].id}); "
                         f"void it first to make another (`freelance invoice move {finals[0].id} void`)")
    per_line = book.settings.tax_per_line
    whole = sum((n for _, n, _ in tax_groups({"items": work, "tax_rate": rate}, per_line)), ZERO)
    so_far = sum((g.totals(i)[0] for i in before), ZERO)
    if part == "final":
        open_ = [i for i in before if i.data.get("status") != "paid" or g.derived(i)["balance"] != 0]
        if open_:
            i = open_[0]
            st = i.data.get("status")
            how = (f"send it, record its payment, or void it (`freelance invoice move {i.id} void`)" if st == "draft"
                   else f"record its payment (`freelance income add {g.derived(i)['balance']} --invoice {i.id} "
                        f"--received`) or void it")
            raise UsageError(f"{i.data.get('part')} invoice '{i.id}' of project '{pid}' is {st} and not paid: the "
                             f"final invoice deducts what was paid on account; {how}")
        lines = [dict(x) for x in work]
        for x in lines:
            if "tax_rate" not in x and rate is not None:
                x["tax_rate"] = rate
        values["deducts"] = [i.id for i in before]
        if so_far > whole:
            raise UsageError(f"project '{pid}': its deposit and progress invoices ({so_far}) are more than the "
                             f"quoted work ({whole}); correct them with a credit note first")
    else:
        label = {"deposit": "Deposit", "progress": "Progress invoice"}[part]
        quote = project.data.get("quote")
        label += f" on quote {quote}" if quote else f" for {project.data.get('name') or pid}"
        if picked:
            lines = []
            for n in picked:
                if not 1 <= n <= len(work):
                    raise UsageError(f"--progress-line {n}: the quoted work has lines 1 to {len(work)}")
                x = dict(work[n - 1])
                if "tax_rate" not in x and rate is not None:
                    x["tax_rate"] = rate
                lines.append(x)
        else:
            lines = share_lines(book, work, share, f"--{part}", label, default_rate=rate)
        new = sum((line_total(x) for x in lines), ZERO)
        if so_far + new > whole:
            cur = g.currency(project)
            raise UsageError(f"--{part}: {fmt_money(new, cur)} more would bill {fmt_money(so_far + new, cur)} on "
                             f"account, more than the quoted work ({fmt_money(whole, cur)} without tax); "
                             f"bill the rest with the final invoice (`freelance invoice add --final --project {pid}`)")
    return plan_invoice(book, values, [], number, lines=lines, terms=project.data.get("payment_terms_days"))
