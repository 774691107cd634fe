"""The pages: each GET builds plain data from the read side and draws a template; each POST
checks the versions its form carries and makes ONE door call, as a CLI verb does."""
from __future__ import annotations

import datetime as dt
import importlib
import re
from bisect import bisect_left, bisect_right

from markupsafe import Markup

from ..read import calendar as cal, finance as fin, search as find
from ..read import views
from ..read.workflow import row as workflow_row
from ..core.money import ZERO
from ..core.errors import did_you_mean, FreelanceError, NotFound, UsageError
from ..core.limits import MAX_YEAR, MIN_YEAR, year_problem
from ..read.graph import Graph
from ..core.schema import KINDS, NOUNS
from ..core.text import fmt_money, fmt_pct, text
from ..store import git
from ..store.documents import read_receipt
from .charts import hbar_chart, months_chart
from .forms import (as_text, check_version, field_of_message, fields, inputs, kind_of, noun_of,
                    typed, version)
from pathlib import Path
from urllib.parse import quote, urlencode
from ..changes import door
from ..core.dates import window
from ..core.rules import BILLED, invoice_statuses, is_currency, sealed_fields
from ..core.settings import SETTINGS
from ..formats.documents import invoice_document, invoice_pdf as make_pdf, statement_document, statement_pdf
from ..read.journal import BASES
from ..read.reports import REPORTS, Options, options_key, summary
from ..read.reports.parts import goal_row, goals as goal_list
from ..read.reports.statement import build as build_statement
from ..read.work import now, read_timer
from ..read.workflow import LINKS

BOARDS = ("client", "project", "service", "invoice")
NAV = [("Overview", "/"), ("Clients", "/board/client"), ("Projects", "/board/project"),
       ("Services", "/board/service"), ("Invoices", "/board/invoice"), ("Finance", "/finance"),
       ("Workflow", "/workflow")]
NAV += [("Time", "/list/time"), ("Income", "/list/income"), ("Expenses", "/list/expense"), ("Bank", "/bank"),
        ("Accounts", "/accounts")]
TOOLS = [("Reports", "/reports"), ("Resources", "/resources"), ("Goals", "/goals"), ("Settings", "/settings"),
         ("Calendar", "/calendar")]


def title_of(noun: str) -> str:
    """What a list of `noun` is called: its kind's plural (income and expenses by their noun)."""
    if noun == "income":
        return "Income"
    if noun == "expense":
        return "Expenses"
    return kind_of(noun).plural.capitalize()


def one_of(noun: str) -> str:
    """What one record of `noun` is called: its kind's plural made singular ("time entry",
    "recurring invoice", "exchange rate"); income and expenses by their noun."""
    if noun in ("income", "expense"):
        return noun
    plural = kind_of(noun).plural
    return plural[:-3] + "y" if plural.endswith("ies") else plural[:-1] if plural.endswith("s") else plural


def other_lists() -> list[tuple[str, str]]:
    """The lists of every other noun of the schema (contacts, meetings, transfers, balances,
    recurring invoices, and whatever kind is added there), for the header's "Lists"."""
    shown = {url for _, url in NAV + TOOLS} | {"/list/resource", "/list/goal"}     # /resources and /goals show them
    return [(title_of(n), f"/list/{n}") for n in NOUNS if f"/list/{n}" not in shown and f"/board/{n}" not in shown]
RECENT = 200        # rows a list or the workflow shows at most (newest first)
CARDS = 150         # cards a board column shows at most (the newest)
OVERDUE = 8         # overdue cards the overview names
IDS = 1000          # ids a link field offers to pick from (the newest; any id can be typed)


# -- drawing helpers (Jinja filters) ------------------------------------------------------

def cell(row: dict, col) -> str:
    return col.cell(row)


def href(noun: str, rid) -> str:
    return f"/r/{noun}/{quote(str(rid), safe='')}"


def install_filters(env) -> None:
    env.filters["cell"] = cell
    env.filters["money"] = lambda v, cur="": fmt_money(v, cur)
    env.filters["pct"] = fmt_pct
    env.filters["text"] = text
    env.filters["one"] = one_of
    env.filters["many"] = lambda noun: title_of(noun).lower()
    env.filters["is_web"] = lambda u: str(u).lower().startswith(("http://", "https://", "mailto:"))
    env.globals.update(nav=NAV, tools=TOOLS, lists=other_lists(), href=href, min=min, max=max)


def _notes(note) -> dict:
    return {"note": note[1], "note_kind": note[0]} if note else {}


def _range(book, q) -> tuple:
    return window(book.today, q.get("from"), q.get("to"), q.get("period"))


# -- boards --------------------------------------------------------------------------------

def board_data(g: Graph, noun: str, by: str | None = None, limit: int = CARDS) -> dict:
    """A board's columns with their counts and totals over every record, and at most `limit`
    cards each (the newest: a big book's paid invoices are thousands); overdue cards apart.
    A tracking graph (serve) keeps the sums per column and the records' order by column,
    mended by the records that changed (`kept_board`)."""
    if g.track:
        return kept_board(g, noun, by, limit)
    kind = kind_of(noun)
    field = by or kind.status
    recs = g.records(kind.name)
    cols = views.board(g, kind, recs, by)
    index = {r.id: r for r in recs}
    overdue = []
    for col in cols:
        for card in col["cards"]:
            card["overdue"] = any(str(x).startswith("OVERDUE") for x in card["lines"])
            if card["overdue"]:
                overdue.append(card)
        col["more"] = max(len(col["cards"]) - limit, 0)
        col["cards"] = col["cards"][len(col["cards"]) - limit:] if col["more"] else col["cards"]
        for card in col["cards"]:
            card["version"] = version(index[card["id"]])
            card["href"] = href(noun, card["id"])
    for card in overdue[:OVERDUE]:
        card["href"] = href(noun, card["id"])
    f = kind.field(field)
    values = list(f.choices) or (g.settings.allowed(f.setting) if f.setting else [])
    return {"noun": noun, "field": field, "columns": cols, "choices": values, "overdue": overdue[:OVERDUE],
            "overdue_more": max(len(overdue) - OVERDUE, 0)}


def _column(r, field: str, values: list):
    """The column of a board that record `r` is in (`views.board`'s rule)."""
    v = r.data.get(field)
    return "(none)" if v is None else v if v in values else str(v)


def kept_board(g: Graph, noun: str, by: str | None, limit: int) -> dict:
    """`board_data` from sums kept per record (`Graph.tally`: each column's count and totals,
    and its overdue cards) and the records kept in column order (`Graph.ordered`): after a
    change, the board costs the records that changed and the cards it shows."""
    kind = kind_of(noun)
    field = by or kind.status
    f = kind.field(field)
    values = list(f.choices) or (g.settings.allowed(f.setting) if f.setting else [])

    def part(r):
        col = _column(r, field, values)
        lines, amount = views.card(g, r)
        out = [(("n", col), 1)]
        if amount is not None:
            out.append((("total", col, g.currency(r)), amount))
        if any(str(x).startswith("OVERDUE") for x in lines):
            out.append((("late", col, r.file, r.line), 1))
        return out
    sums = g.tally(("board", kind.name, field), (kind.name,), part).sums
    order = g.ordered(("board", kind.name, field), kind.name, lambda r: str(_column(r, field, values)))
    entries = order.entries
    present = {k[1] for k in sums if k[0] == "n"}
    extra = sorted(v for v in present if v not in values and v != "(none)")
    book_currency = g.settings.currency
    has_money = kind.name in ("client", "project", "invoice", "service")
    cols, shown = [], {}
    for value in values + extra + (["(none)"] if "(none)" in present else []):
        count = sums.get(("n", value), 0)
        totals = {k[2]: v for k, v in sums.items() if k[0] == "total" and k[1] == value}
        top = bisect_right(entries, (str(value), "\uffff"))
        first = max(top - (min(count, limit)), 0)
        cards = []
        for _, file, line, r in entries[first:top]:
            lines, _ = views.card(g, r)
            card = {"id": r.id, "lines": lines, "overdue": any(str(x).startswith("OVERDUE") for x in lines),
                    "version": version(r), "href": href(noun, r.id)}
            cards.append(card)
            shown[(value, file, line)] = card
        cols.append({"name": value, "count": count,
                     "total": (totals.pop(book_currency, ZERO) + ZERO) if has_money else None,
                     "currency": book_currency,
                     "other_totals": {c: totals[c] + ZERO for c in sorted(totals)},
                     "cards": cards, "more": max(count - limit, 0)})
    rank = {c["name"]: i for i, c in enumerate(cols)}
    late = sorted((k for k in sums if k[0] == "late"), key=lambda k: (rank.get(k[1], len(rank)), k[2], k[3]))
    overdue = []
    for _, value, file, line in late[:OVERDUE]:
        card = shown.get((value, file, line))
        if card is None:
            at = bisect_left(entries, (str(value), file, line))
            r = entries[at][3]
            lines, _ = views.card(g, r)
            card = {"id": r.id, "lines": lines, "overdue": True, "href": href(noun, r.id)}
        overdue.append(card)
    return {"noun": noun, "field": field, "columns": cols, "choices": values, "overdue": overdue,
            "overdue_more": max(len(late) - OVERDUE, 0)}


def board(site, request, note):
    noun = request.path_params["noun"]
    if noun not in BOARDS:
        raise NotFound(f"no board of {noun!r}; boards: {', '.join(BOARDS)}{did_you_mean(noun, BOARDS)}")
    kind = kind_of(noun)
    by = request.query_params.get("by") or None
    if by is not None:
        bf = kind.field(by)
        if bf is None or not (bf.choices or bf.setting) or by == kind.status:
            by = None
    g = site.graph()
    data = site.memo(g, ("board", noun, by), lambda: board_data(g, noun, by))
    groupings = [x.name for x in kind.fields if (x.choices or x.setting) and x.name != "currency"]
    return site.page("board.html", title=f"{kind.plural.capitalize()} by {data['field']}", here=request.url.path,
                     back=str(request.url.path) + (f"?by={by}" if by else ""), groupings=groupings,
                     currency=g.settings.currency, **data, **_notes(note))


def move(site, request, form):
    """A drop on a board: the same as `freelance NOUN move ID VALUE` (or an edit of the
    board's grouping field, e.g. priority)."""
    noun = form.get("kind", "")
    kind = kind_of(noun)
    field = form.get("field") or kind.status
    f = kind.field(field)
    if f is None or not (f.choices or f.setting):
        raise UsageError(f"cannot move by {field!r}")
    back = form.get("back") or f"/board/{noun}"
    with site.writing() as book:
        rec = door.find(book, kind.name, form.get("id", ""), noun)
        check_version(rec, form.get("version"), noun)
        new = door.parse_value(book, f, form.get("to", ""), option=field)
        old = rec.data.get(field)
        if old == new:
            return site.back(back, "ok", [f"{noun} '{rec.id}' is already {new}"])
        notes = door.edit(book, rec, {field: new})
    return site.back(back, "ok", [f"moved {noun} '{rec.id}': {old} -> {new}", *notes])


# -- lists and records ---------------------------------------------------------------------------

def _records_of(g, noun):
    """The records a list of `noun` shows (income and expenses: the transactions of that kind),
    read through graph `g`."""
    kind = kind_of(noun)
    recs = g.records(kind.name)
    if kind.name == "transaction":
        recs = [r for r in recs if r.data.get("kind") == noun]
    return kind, recs


def listing(site, request, note):
    noun = request.path_params["noun"]
    g = site.graph()
    book = g.book
    kind = kind_of(noun)
    cols = [c for c in views.columns(kind) if c.key in views.TABLE_COLUMNS.get(noun, ()) or not
            views.TABLE_COLUMNS.get(noun)]
    key = find.date_key(kind)
    if key is None:         # a kind in the book's order
        recs = _records_of(g, noun)[1]
        shown, total = recs[:RECENT], len(recs)
    else:                   # newest first, the order kept and mended (`Site.newest`)
        order = site.newest(g, ("list", noun), kind.name, key,
                            (lambda r: r.data.get("kind") == noun) if kind.name == "transaction" else (lambda r: True))
        shown, total = order.first(RECENT), len(order)
    rows = [{**views.row(g, r), "_href": href(noun, r.id)} for r in shown]
    return site.page("list.html", title=title_of(noun), noun=noun, board=noun in BOARDS, columns=cols, rows=rows, more=total - len(shown), **_notes(note))


# -- the timer, on every page ------------------------------------------------------------------

def timer_bar(book) -> dict:
    """What the header's timer shows: the running timer (project, service, since, hours so far)
    or the projects it can start on (those not done)."""
    timer, _ = read_timer(book)
    if timer is not None:
        minutes = max(0, int((now(book) - timer["start"]).total_seconds()) // 60)
        service = timer.get("service") or ""
        return {"running": True, "project": _name(book, "project", timer["project"]),
                "service": _name(book, "service", service) if service else "",
                "since": timer["start"].strftime("%H:%M") if timer["start"].date() == book.today
                else timer["start"].strftime("%Y-%m-%d %H:%M"), "elapsed": f"{minutes // 60}:{minutes % 60:02d}"}
    names = {s.id: _named(s) for s in book.records("service")}
    choices = []          # (value, label): a project, or one of its services when it lists several
    for p in book.records("project"):
        if p.data.get("status") == "done":
            continue
        services = p.data.get("services") or []
        services = services if isinstance(services, list) else [services]
        if len(services) > 1:
            choices += [(f"{p.id}|{s}", f"{_named(p)} · {names.get(s, s)}") for s in services]
        else:
            choices.append((p.id, _named(p)))
    return {"running": False, "projects": choices}


def _named(rec) -> str:
    """How a project or service is named to people: its name, else its id."""
    name = rec.data.get("name")
    return str(name) if isinstance(name, str) and name.strip() else rec.id


def _name(book, kind: str, rid) -> str:
    rec = book.get(kind, rid) if isinstance(rid, str) else None
    return _named(rec) if rec is not None else str(rid)


def timer_start(site, request, form):
    """The header's start button: `freelance time start PROJECT [--service S] [--note N] [--at T]`."""
    back = form.get("back") or "/"
    project, _, service = form.get("project", "").strip().partition("|")
    with site.writing() as book:
        timer, entry, notes = door.start_timer(book, project, service or form.get("service", "").strip() or None,
                                               form.get("note", "").strip() or None, form.get("at", "").strip() or None)
    lines = [*notes, f"timer started on '{timer['project']}'"
             + (f" ({timer['service']})" if timer.get("service") else "")]
    return site.back(back, "ok", lines)


def timer_stop(site, request, form):
    """The header's stop button: `freelance time stop [--at T]`, the hours booked as one entry."""
    back = form.get("back") or "/"
    with site.writing() as book:
        timer, entry, notes = door.stop_timer(book, form.get("at", "").strip() or None,
                                              form.get("note", "").strip() or None)
    if entry is None:
        return site.back(back, "ok", [*notes, "timer stopped"])
    return site.back(back, "ok", [*notes, f"timer stopped: booked {entry['hours']} h on '{entry['project']}' "
                                          f"({entry['id']})"])


SEARCH_TEXT = 200    # the longest search a URL may carry (a longer one is a 400)


def search(site, request, note):
    """`/search?q=WORDS`: the whole book, ranked as `freelance search` ranks it."""
    q = request.query_params.get("q", "").strip()
    if len(q) > SEARCH_TEXT:
        raise UsageError(f"a search is at most {SEARCH_TEXT} characters")
    hits = []
    if q:
        g = site.graph()
        hits = [{**h, "_href": href(h["kind"], h["id"])}
                for h in find.search((), q, limit=100, index=site.search_index(g))]
    return site.page("search.html", title="Search", q=q, hits=hits, **_notes(note))


def _links(g: Graph, rec) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(label, [(text, href, extra)]) for what a record links to and what links to it."""
    out = []
    kind = KINDS[rec.kind]
    for f in kind.link_fields:
        ids = rec.data.get(f.name)
        ids = ids if isinstance(ids, list) else ([ids] if ids else [])
        items = []
        for i in ids:
            target = None
            for k in f.link:
                target = g.get(k, i)
                if target is not None:
                    break
            items.append((str(i), href(noun_of(target), target.id) if target is not None else "", ""))
        if items:
            out.append((f.name.replace("_", " "), items))
    d = g.derived(rec)
    for key, k in (("invoices", "invoice"), ("projects", "project"), ("services", "service"),
                   ("income", "transaction"), ("meetings", "meeting")):
        ids = d.get(key)
        if not isinstance(ids, list) or not ids or rec.kind == k:
            continue
        items = []
        for i in ids:
            t = g.get(k, i)
            if t is None:
                continue
            extra = t.data.get("status") or (("received" if t.data.get("received") else "expected")
                                              if k == "transaction" else "")
            items.append((f"{i} {t.data.get('name') or t.data.get('title') or ''}".strip(), href(noun_of(t), i),
                          str(extra or "")))
        if items:
            out.append((key, items))
    return out


def _sealed(noun: str, rec) -> tuple[tuple[str, ...], str]:
    """(the fields a sent invoice's or quote's seal fixes, what the page says of it); ((), "")."""
    if noun not in ("invoice", "quote") or not rec.data.get("seal"):
        return (), ""
    sent = rec.data.get("sent_on")
    return sealed_fields(rec.data), (f"sent{f' on {sent}' if sent else ''} and sealed: what its document shows "
                                     "cannot change" + (f"; a credit note corrects it (freelance invoice credit "
                                                        f"{rec.id})" if noun == "invoice" else ""))


def held(g: Graph, noun: str, rec) -> dict:
    """What a record's page must not offer, as the door would refuse it (the CLI's messages say
    the same): `fixed`, the fields a sealed invoice's (or quote's) form leaves out; `edit` and
    `remove`, why a change or removal is refused ("" when it is not)."""
    fixed, sealed = _sealed(noun, rec)
    out = {"fixed": fixed, "edit": "", "remove": "", "sealed": sealed}
    status = rec.data.get("status")
    if noun == "invoice" and (status in BILLED or status == "void"):
        out["remove"] = (f"an issued invoice keeps its number (numbering stays gapless): "
                         + ("it stays on record as void" if status == "void" else
                            f"void it, or correct it with a credit note (freelance invoice credit {rec.id})"))
    if noun == "time" and isinstance(rec.data.get("invoice"), str):
        inv = g.get("invoice", rec.data["invoice"])
        status = inv.data.get("status") if inv is not None else None
        if status in BILLED:
            out["edit"] = out["remove"] = (f"billed on invoice {inv.id} ({status}): it is what the client was billed; "
                                           "voiding the invoice releases it")
    return out


def record(site, request, note):
    noun, rid = request.path_params["noun"], request.path_params["rid"]
    kind = kind_of(noun)
    g = site.graph()
    book = g.book
    rec = door.find(book, kind.name, rid, noun)
    todos = rec.data.get("todos") if rec.kind == "resource" and isinstance(rec.data.get("todos"), list) else []
    listed = {"invoices", "projects", "services", "income", "meetings"}     # shown as links below
    derived = g.derived(rec)
    lines = [(k, v) for k, v in views.detail(g, rec) if not (k in listed and isinstance(derived.get(k), list))]
    name = rec.data.get(kind.title)
    return site.page("record.html", title=f"{name} ({one_of(noun)} {rec.id})" if name and str(name) != rec.id
                     else f"{one_of(noun)} {rec.id}", noun=noun, rec=rec, version=version(rec), lines=lines, links=_links(g, rec), sections=views.detail_sections(g, rec),
                     todos=todos, where=f"{rec.file}:{rec.line}", here=href(noun, rec.id), history=_history(book, rec),
                     has_status=bool(kind.status), status_field=kind.status, held=_held_open(g, noun, rec),
                     choices=list(kind.field(kind.status).choices or book.settings.allowed(kind.field(kind.status).setting))
                     if kind.status else [], **_notes(note))


def _held_open(g: Graph, noun: str, rec) -> dict:
    """`held`, and the fields its edit form still offers (`open`) when some are fixed."""
    out = held(g, noun, rec)
    out["open"] = [f.name for f in fields(noun) if f.name not in out["fixed"]] if out["fixed"] else []
    return out


def invoice_pdf(site, request, note):
    """`/pdf/invoice/NUMBER`: the invoice as the client receives it (what `invoice pdf` writes).
    The server keeps WeasyPrint, its fonts and the template loaded: a PDF costs its layout only."""
    from starlette.responses import Response

    book = site.graph().book
    doc = invoice_document(book, request.path_params["rid"])
    pdf = make_pdf(book, doc)
    name = re.sub(r"[^\w.@+-]", "-", doc["id"] if doc.get("draft") else doc["number"]) + ".pdf"
    how = "attachment" if request.query_params.get("download") else "inline"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'{how}; filename="{name}"'})


def _statement(site, request):
    """The client and `client statement C --period/--from/--to`'s report (and its graph)."""
    g = site.graph()
    book = g.book
    rec = door.find(book, "client", request.path_params["rid"], "client")
    start, end = _range(book, request.query_params)
    opts = Options(book.today, start, end)
    return g, rec, site.snapshot_memo(g, ("statement", rec.id, start, end), lambda: build_statement(g, rec.id, opts))


def statement_page(site, request, note):
    """`/statement/CLIENT?period=`: `freelance client statement CLIENT`, its figures as tables and
    the document to send (`/pdf/statement/CLIENT`, as `--format pdf` writes it)."""
    g, rec, report = _statement(site, request)
    q = request.query_params
    opt = {k: q.get(k, "") for k in ("period", "from", "to")}
    pdf = f"/pdf/statement/{quote(rec.id, safe='')}" + (f"?{urlencode({k: v for k, v in opt.items() if v})}"
                                                       if any(opt.values()) else "")
    return site.page("report.html", title=report.title, report=report, name="statement", window=True,
                     most=REPORT_ROWS, takes_client=False, takes_basis=False, opt=opt,
                     action=f"/statement/{quote(rec.id, safe='')}", command=f"client statement {rec.id}",
                     pdf=pdf, back_to=(href("client", rec.id), f"client {rec.id}"), **_notes(note))


def statement_pdf_page(site, request, note):
    """`/pdf/statement/CLIENT?period=`: the statement as the client receives it (the PDF of
    `client statement CLIENT --format pdf`)."""
    from starlette.responses import Response
    g, rec, report = _statement(site, request)
    book = g.book
    doc = statement_document(book, g, report)
    pdf = statement_pdf(book, doc, [])
    name = re.sub(r"[^\w.@+-]", "-", f"statement-{rec.id}-{doc['to']}") + ".pdf"
    how = "attachment" if request.query_params.get("download") else "inline"
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": f'{how}; filename="{name}"'})


# what a receipt is served as: a picture or a PDF shows in the browser, anything else is a download
RECEIPT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
                 ".webp": "image/webp", ".xml": "text/plain; charset=utf-8", ".txt": "text/plain; charset=utf-8"}


def receipt(site, request, note):
    """`/receipt/TX-ID`: an expense's receipt, read from the book's documents/ only (a path that
    leaves it, or a link out of the book, is refused), under the site's content policy (no script
    runs); what the browser cannot show is a download (docs/suppliers.md)."""
    from starlette.responses import Response

    book = site.graph().book
    rec = door.find(book, "transaction", request.path_params["rid"], "expense")
    rel = rec.data.get("receipt")
    if not rel:
        raise UsageError(f"expense '{rec.id}' has no receipt (`freelance expense attach {rec.id} FILE`)")
    data = read_receipt(book.root, rel)
    if data is None:
        raise UsageError(f"{rel}: the receipt is not in the book (moved or deleted?)")
    ext = Path(rel).suffix.lower()
    kind = RECEIPT_TYPES.get(ext)
    name = re.sub(r"[^\w.@+-]", "-", Path(rel).name)
    return Response(data, media_type=kind or "application/octet-stream", headers={
        "Content-Disposition": f'{"inline" if kind else "attachment"}; filename="{name}"',
        "X-Content-Type-Options": "nosniff"})


def _history(book, rec, shown: int = 20) -> list[tuple[str, str, str, str]]:
    """The record's latest changes from git, as `freelance history` lists them (docs/sync.md):
    (date, commit, author, change); none when the book is not in a git repository."""
    if not git.in_repository(book.root):
        return []
    rows = []
    for c in git.history(book.root, rec.id, [rec.file], limit=200)[:shown]:
        if c["change"] == "edit":
            what = "; ".join(f"{k}: {'(none)' if o is None else text(o)} -> {'(none)' if n is None else text(n)}"
                             for k, (o, n) in c["fields"].items())
        else:
            what = "added" if c["change"] == "add" else "removed"
        rows.append((c["date"][:16].replace("T", " "), c["commit"][:8], c["author"], what))
    return rows


def remove(site, request, form):
    noun = form.get("kind", "")
    kind = kind_of(noun)
    with site.writing() as book:
        rec = door.find(book, kind.name, form.get("id", ""), noun)
        check_version(rec, form.get("version"), noun)
        notes = door.remove(book, rec)
    target = f"/board/{noun}" if noun in BOARDS else f"/list/{noun}"
    return site.back(target, "ok", [f"removed {noun} '{rec.id}'", *notes])


# -- forms -----------------------------------------------------------------------------------

def _form_page(site, book, noun, *, values, errors, general=(), rec=None, status=200, items="", back=""):
    datalists = {}
    for f in fields(noun):
        for k in f.link:
            datalists.setdefault(f"ids-{f.link[0]}", [])
            datalists[f"ids-{f.link[0]}"] += list(book.index(k))[-IDS:]
    title = f"Edit {one_of(noun)} {rec.id}" if rec is not None else f"New {one_of(noun)}"
    shown = inputs(book, noun, values, errors)
    fixed, sealed = _sealed(noun, rec) if rec is not None else ((), "")
    if fixed:       # a sealed one: only what may still change is offered (`invoicing.refuse_sealed`)
        shown = [i for i in shown if i.name not in fixed]
    if rec is not None and noun == "invoice":      # and only the statuses it may take (`invoicing.refuse_back`)
        for i in shown:
            allowed = tuple(invoice_statuses(rec.data, i.choices)) if i.name == "status" else i.choices
            if allowed != i.choices:
                i.choices = allowed
                i.help = ("Void is final." if allowed == ("void",) else
                          f"{', '.join(allowed)}: a sealed invoice does not go back to draft.")
    return site.page("form.html", status, title=title, noun=noun, rec=rec, sealed=sealed,
                     version=version(rec) if rec is not None else "",
                     inputs=shown, errors=list(general), datalists=datalists,
                     action=(f"/edit/{noun}/{rec.id}" if rec is not None else f"/new/{noun}"),
                     items=items, has_items=noun in ("invoice", "recurring", "quote") and rec is None,
                     is_invoice=noun == "invoice" and rec is None, back=_here_path(back))


def _here_path(where) -> str:
    """`where` when it is a path of this site (a form's "back"), else "" (never another site)."""
    where = str(where or "")
    return where if where.startswith("/") and where[1:2] not in ("/", "\\") and len(where) <= 2_000 else ""


def new_form(site, request, note):
    noun = request.path_params["noun"]
    kind_of(noun)
    values = {k: v for k, v in request.query_params.items() if k in {f.name for f in fields(noun)}}
    for f in fields(noun):              # a day the CLI takes as today when it is not given is shown so
        if f.default == "@today" and f.required:
            values.setdefault(f.name, site.today().isoformat())
    return _form_page(site, site.book(), noun, values=values, errors={})


def _place_errors(noun, message, errors, general):
    name = field_of_message(noun, message)
    if name:
        errors[name] = message
    else:
        general.append(message)


def _add(book, noun: str, values: dict, form: dict, items: list[str], create: bool) -> tuple[dict, list[str]]:
    """The door call the CLI's add of `noun` makes: hours as `time log` books them (the service
    taken from the project), a recurring invoice with its lines, any other as `NOUN add`."""
    if noun == "time":
        raw = {k: form.get(k, "").strip() or None for k in ("project", "hours", "date", "service", "note")}
        if not raw["project"] or not raw["hours"]:
            raise UsageError(f"--{'project' if not raw['project'] else 'hours'}: must not be blank")
        return door.log_time(book, raw["project"], raw["hours"], raw["date"], raw["service"], raw["note"])
    if noun == "recurring":
        return door.add_recurring(book, values, items or None, create_missing=create)
    return door.add_by_noun(book, noun, values, create_missing=create, items=items, number=form.get("number") or None)


def _edit(book, noun: str, rec, values: dict) -> list[str]:
    """The door call the CLI's `NOUN edit` makes (an invoice's sealed fields and a schedule's
    rule are checked by theirs)."""
    if noun == "invoice":
        return door.edit_invoice(book, rec, values)
    if noun == "recurring":
        return door.edit_recurring(book, rec, values)
    return door.edit(book, rec, values)


def new_submit(site, request, form):
    noun = request.path_params["noun"]
    kind_of(noun)                                   # an unknown noun is refused before anything is read
    with site.writing() as book:
        values, errors = typed(book, noun, form)
        general = []
        items = [x.strip() for x in form.get("items", "").splitlines() if x.strip()]
        create = form.get("create_missing") == "yes"
        if not errors:
            try:
                data, notes = _add(book, noun, values, form, items, create)
            except FreelanceError as exc:
                _place_errors(noun, exc.message, errors, general)
        if errors or general:
            return _form_page(site, book, noun, values=form, errors=errors, general=general, status=400,
                              items=form.get("items", ""))
    return site.back(href(noun, data["id"]), "ok", [*notes, f"added {noun} '{data['id']}'"])


def edit_form(site, request, note):
    noun, rid = request.path_params["noun"], request.path_params["rid"]
    kind = kind_of(noun)
    book = site.book()
    rec = door.find(book, kind.name, rid, noun)
    return _form_page(site, book, noun, values={f.name: as_text(rec.data.get(f.name)) for f in fields(noun)},
                      errors={}, rec=rec, back=request.query_params.get("back", ""))


def edit_submit(site, request, form):
    """Only the fields whose text differs from the record's are changed (one line each)."""
    noun, rid = request.path_params["noun"], request.path_params["rid"]
    kind = kind_of(noun)
    form["via"] = "form"
    with site.writing() as book:
        rec = door.find(book, kind.name, rid, noun)
        check_version(rec, form.get("version"), noun)
        changed = {f.name for f in fields(noun) if f.name in form
                   and form[f.name].strip() != as_text(rec.data.get(f.name)).strip()}
        values, errors = typed(book, noun, form, only=changed)
        general = []
        if not changed:
            return site.back(href(noun, rec.id), "ok", [f"nothing changed in {noun} '{rec.id}'"])
        if not errors:
            try:
                notes = _edit(book, noun, rec, values)
            except FreelanceError as exc:
                _place_errors(noun, exc.message, errors, general)
        if errors or general:
            return _form_page(site, book, noun, values=form, errors=errors, general=general, rec=rec, status=400,
                              back=form.get("back", ""))
    return site.back(_here_path(form.get("back")) or href(noun, rec.id), "ok",
                     [f"changed {noun} '{rec.id}': {', '.join(sorted(changed))}", *notes])


# -- the workflow ----------------------------------------------------------------------------------

def workflow(site, request, note):
    g = site.graph()
    book = g.book
    unlinked = request.query_params.get("unlinked") == "1"
    order = site.newest(g, ("workflow", unlinked), "transaction", _workflow_key,
                        lambda t: _in_workflow(t, unlinked))
    shown = []
    for t in order.first(RECENT):
        r = workflow_row(g, t)
        r["version"] = version(t)
        r["href"] = href("income", t.id)
        shown.append(r)
    datalists = {k: list(book.index(k))[-IDS:] for k in LINKS}
    return site.page("workflow.html", title="Workflow: client income and its links", rows=shown, links=LINKS,
                     datalists=datalists, unlinked=unlinked, more=len(order) - len(shown), **_notes(note))


def _workflow_key(t) -> tuple:
    """The workflow's order (`report workflow`: by day, then id; the newest shown first)."""
    return (str(t.data.get("date")), t.id)


def _in_workflow(t, unlinked: bool) -> bool:
    """Whether the workflow shows transaction `t`: client income (`Graph.client_income`), only
    the unlinked ones (no invoice or no client) when asked."""
    if t.data.get("kind") != "income" or t.data.get("classification") != "client":
        return False
    return not (unlinked and t.data.get("invoice") and t.data.get("client"))


def link(site, request, form):
    links, create = {}, False
    for k in LINKS:
        new = form.get(f"new_{k}", "").strip()
        if new:
            links[k], create = new, True
        elif form.get(k, "").strip():
            links[k] = form[k].strip()
    with site.writing() as book:
        tx = door.find(book, "transaction", form.get("id", ""), "income")
        check_version(tx, form.get("version"), "income")
        links = {k: v for k, v in links.items() if v != tx.data.get(k)}
        if not links:
            return site.back(form.get("back") or "/workflow", "ok", [f"income '{tx.id}': nothing to change"])
        notes = door.link_income(book, tx, links, create or form.get("create_missing") == "yes")
    return site.back(form.get("back") or "/workflow", "ok", notes)


# -- finance, calendar, goals, resources ---------------------------------------------------------------

def finance(site, request, note):
    g = site.graph()
    book = g.book
    period = request.query_params.get("period") or str(book.today.year)
    try:
        start, end = _range(book, {"period": period})
    except UsageError:
        period, (start, end) = str(book.today.year), _range(book, {"period": str(book.today.year)})
    f = g.memo(("page", "finance", start, end), lambda: fin.summary(g, start, end))     # kept by what it read
    cur = f.currency
    months = per_currency(f.months, cur, lambda rows, c: months_chart(
        [(m["month"], m["income"], m["expenses"]) for m in rows], c))
    classes = per_currency(f.classifications, cur, lambda rows, c: hbar_chart(
        [(x["classification"], x["received"]) for x in rows], c, "income"))
    cats = per_currency(f.categories, cur, lambda rows, c: hbar_chart(
        [(x["category"], x["paid"]) for x in rows], c, "expense"))
    years = sorted(str(y) for y in g.tally(("years",), ("transaction",), _year).sums)
    return site.page("finance.html", title=f"Finance {period}", f=f, months_svg=Markup(months),
                     classes_svg=Markup(classes), cats_svg=Markup(cats), period=period, years=years,
                     **_notes(note))


def _year(t) -> list:
    """A transaction's year, as the finance page's choice of years counts it."""
    d = t.data.get("date")
    return [(str(d)[:4], 1)] if d else []


# the reports the web shows as their own pages (the overview is the dashboard and the summary)
WEB_REPORTS = ("invoices", "vat", "finance", "pipeline", "projects", "services", "goals", "agenda", "digest",
               "workflow")
REPORT_ROWS = 500     # rows a report's section shows on a page (a ten-year book lists 25,000 invoices)


def reports_page(site, request, note):
    """`/reports`: every report of `freelance report` the web shows, with its one-line help."""
    rows = [(name, REPORTS[name][1].split(". ")[0].rstrip(".") + ".") for name in WEB_REPORTS]
    return site.page("reports.html", title="Reports", reports=rows, **_notes(note))


def report_page(site, request, note):
    """`/report/NAME?period=&from=&to=&client=&basis=`: `freelance report NAME` with the same
    options, its sections as tables (every figure with its currency, as the CLI's html)."""
    name = request.path_params["name"]
    if name not in WEB_REPORTS:
        raise NotFound(f"no report {name!r}{did_you_mean(name, WEB_REPORTS)}")
    g = site.graph()
    book = g.book
    q = request.query_params
    module = importlib.import_module(REPORTS[name][0])
    opts = Options(today=book.today)
    window_ = getattr(module, "WINDOW", True)
    if window_:
        opts.start, opts.end = _range(book, q)
    client = q.get("client", "").strip()
    if client and getattr(module, "CLIENT", True):
        if book.get("client", client) is None:
            raise UsageError(f"client: no client '{client}'{did_you_mean(client, book.index('client'))}")
        opts.client = client
    basis = q.get("basis", "").strip()
    if basis and getattr(module, "BASIS", False):
        if basis not in BASES:
            raise UsageError(f"basis: expected cash or accrual, got {basis!r}")
        opts.basis = basis
    # a report may read the book beside the graph (the outbox, its files): built once per snapshot
    report = site.snapshot_memo(g, ("report", name, options_key(opts)), lambda: module.build(g, opts))
    return site.page("report.html", title=report.title, report=report, name=name, window=window_, most=REPORT_ROWS,
                     action=f"/report/{name}", command=f"report {name}", back_to=("/reports", "all reports"),
                     takes_client=getattr(module, "CLIENT", True), takes_basis=getattr(module, "BASIS", False),
                     opt={k: q.get(k, "") for k in ("period", "from", "to", "client", "basis")},
                     help=REPORTS[name][1], **_notes(note))


def per_currency(rows: list[dict], book: str, chart) -> str:
    """One chart per currency (its own scale and label: amounts in two currencies are never
    drawn on one axis), the book's first; a heading names each when there are several."""
    curs = sorted({r["currency"] for r in rows}, key=lambda c: (c != book, c)) or [book]
    out = []
    for c in curs:
        svg = chart([r for r in rows if r["currency"] == c], c)
        out.append(svg if len(curs) == 1 else f'<h3 class="currency" data-currency="{c}">{c}</h3>{svg}')
    return "".join(out)


def calendar(site, request, note):
    g = site.graph()
    book = g.book
    today = book.today
    q = request.query_params
    first = _month_param(q.get("month")) if q.get("month") else today.replace(day=1)
    grid = cal.month_weeks(g, first.year, first.month)
    if q.get("week"):
        grid = [cal.week_days(g, _day_param(q["week"], "week"))]
    days = site.memo(g, ("calendar", grid[0][0], grid[-1][-1]), lambda: cal.entries(g, grid[0][0], grid[-1][-1]))
    noun = {"meeting": "meeting", "invoice": "invoice", "project": "project"}
    weeks = [[{"day": d, "in_month": d.month == first.month or len(grid) == 1, "today": d == today,
               "entries": [{"when": e.when if e.start else {"invoice": "invoice due", "project": "project due"}[e.kind],
                            "title": e.title, "kind": e.kind, "href": href(noun[e.kind], e.id), "detail": e.detail}
                           for e in days.get(d, [])]} for d in week] for week in grid]
    prev = (first - dt.timedelta(days=1)).replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    heads = cal.weekday_names(g)
    title = f"Week of {grid[0][0]}" if len(grid) == 1 else first.strftime("%B %Y")
    weekly = len(grid) == 1
    prev_week, next_week = grid[0][0] - dt.timedelta(days=7), grid[0][0] + dt.timedelta(days=7)
    return site.page("calendar.html", title=title, weeks=weeks, heads=heads,
                     prev=f"{prev:%Y-%m}" if prev.year >= MIN_YEAR else None,
                     next=f"{nxt:%Y-%m}" if nxt.year <= MAX_YEAR else None, weekly=weekly,
                     prev_week=prev_week if prev_week.year >= MIN_YEAR else None,
                     next_week=next_week if next_week.year <= MAX_YEAR else None,
                     month=f"{(grid[0][0] if weekly else first):%Y-%m}",
                     week_of=(today if not q.get("week") else grid[0][0]),
                     **_notes(note))


_MONTH = re.compile(r"(\d{4})-(\d{2})\Z", re.ASCII)


def _month_param(text: str) -> dt.date:
    """The first day of `?month=2026-11`, a month of the years a book has (limits.py): a
    UsageError (400) otherwise, never a date Python cannot step past (9999-12, 0001-01)."""
    m = _MONTH.match(text)
    if not m or not 1 <= int(m.group(2)) <= 12 or year_problem(int(m.group(1))):
        raise UsageError(f"month: expected a month like 2026-11, from {MIN_YEAR}-01 to {MAX_YEAR}-12, got {text[:40]!r}")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _day_param(text: str, name: str) -> dt.date:
    """`?week=2026-11-25`: a day of the years a book has, else a UsageError (400)."""
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or year_problem(day.year):
        raise UsageError(f"{name}: expected a day like 2026-11-25, from {MIN_YEAR}-01-01 to {MAX_YEAR}-12-31, "
                         f"got {text[:40]!r}")
    return day


def goal_rows(g: Graph, today: dt.date) -> list[dict]:
    out = []
    for x in goal_list(g, Options(today)):
        r = goal_row(g, x)
        r["href"] = href("goal", x.id)
        r["bar"] = min(int(r["completion_pct"] or 0), 100)
        r["expected_bar"] = min(int(r["expected_pct"] or 0), 100) if r["expected_pct"] is not None else None
        unit = r["unit"]            # a goal in money reads as money: 34,252.00 of 60,000.00 USD
        r["progress"] = (f"{fmt_money(r['actual'], '')} of {fmt_money(r['target'], unit)}" if is_currency(unit)
                         else f"{text(r['actual'])} of {text(r['target'])} {text(unit) if unit else ''}".rstrip())
        out.append(r)
    return out


def goals(site, request, note):
    g = site.graph()
    return site.page("goals.html", title="Goals", goals=goal_rows(g, site.today()), **_notes(note))


def resources(site, request, note):
    book = site.book()
    recs = sorted(book.records("resource"), key=lambda r: (str(r.data.get("category") or ""), r.id))
    items = [{"rec": r, "version": version(r), "href": href("resource", r.id),
              "todos": [t for t in r.data.get("todos") or [] if isinstance(t, dict)]} for r in recs]
    return site.page("resources.html", title="Resources", items=items, **_notes(note))


def todo(site, request, form):
    """Tick a to-do (or untick it), or append one: `resource done` / `resource todo`."""
    back = form.get("back") or "/resources"
    with site.writing() as book:
        rec = door.find(book, "resource", form.get("id", ""), "resource")
        check_version(rec, form.get("version"), "resource")
        if form.get("text") is not None and not form.get("n"):
            return site.back(back, "ok", door.add_todo(book, rec, form["text"].strip()))
        try:
            n = int(form.get("n", ""))
        except ValueError:
            raise UsageError("which to-do? (no number given)") from None
        notes = door.mark_todo(book, rec, n, done=not door.todo_done(rec, n))    # a checkbox: ticks or unticks
    return site.back(back, "ok", notes)


# -- the overview (also `report dashboard --format html`) ----------------------------------------------

def overview_data(g: Graph, today: dt.date) -> dict:
    """The overview's parts, each kept by a tracking graph with what it read (serve): after a
    change the overview is put together again from the parts the change did not touch."""
    def kept(key, make):
        return g.memo(("overview", key, today), make) if g.track else make()
    report = kept("summary", lambda: summary.build(g, Options(today)))
    f = kept("finance", lambda: fin.summary(g, dt.date(today.year, 1, 1), today))
    months = kept("months", lambda: per_currency(f.months, f.currency, lambda rows, c: months_chart(
        [(m["month"], m["income"], m["expenses"]) for m in rows], c)))
    boards = {noun: kept(("board", noun), lambda noun=noun: board_data(g, noun, limit=0)) for noun in BOARDS}
    return {"report": report, "sections": {s.name: s for s in report.sections}, "months_svg": Markup(months),
            "boards": boards, "goals": kept("goals", lambda: goal_rows(g, today)), "currency": g.settings.currency,
            "f": f}


def overview(site, request, note):
    g = site.graph()
    book = g.book
    data = site.memo(g, ("overview",), lambda: overview_data(g, book.today))
    return site.page("overview.html", title=f"{book.settings.get('name') or 'freelance'}: overview on {book.today}",
                     **data, **_notes(note))


def static_dashboard(book) -> str:
    """One self-contained page of the overview (CSS inline, no script, no forms): for a cron
    mail or an archive (`freelance report dashboard --format html`)."""

    import jinja2
    here = Path(__file__).parent
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(here / "templates")), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True)
    install_filters(env)
    g = Graph(book)
    css = (here / "static" / "app.css").read_text(encoding="utf-8")
    return env.get_template("overview.html").render(
        static=True, read_only=True, css=Markup(css.replace("</", "<\\/")), today=book.today,
        title=f"{book.settings.get('name') or 'freelance'}: overview on {book.today}", csrf="",
        **overview_data(g, book.today))


__all__ = ["overview", "board", "listing", "record", "new_form", "new_submit", "edit_form", "edit_submit",
           "move", "remove", "workflow", "link", "finance", "calendar", "goals", "resources", "todo",
           "static_dashboard"]


# -- settings: the schema's form (core/settings.SETTINGS), through `settings set`'s door ------------

def settings_page(site, request, note):
    book = site.book()
    rows = [{"name": s.name, "help": s.help, "choices": [str(c) for c in s.choices],
             "value": as_text(book.settings.get(s.name))} for s in SETTINGS.values()]
    for r in rows:          # a choice shows as typed (true/false, not yes/no)
        if r["choices"] and r["value"] in ("yes", "no"):
            r["value"] = "true" if r["value"] == "yes" else "false"
    return site.page("settings.html", title="Settings", rows=rows, **_notes(note))


def settings_submit(site, request, form):
    key = form.get("key", "")
    if key not in SETTINGS:
        raise UsageError(f"no setting {key!r}{did_you_mean(key, SETTINGS)}")
    with site.writing() as book:
        stored = door.set_setting(book, key, form.get("value", ""))
    return site.back("/settings", "ok", [f"set {key} to {as_text(stored)!r}"])
