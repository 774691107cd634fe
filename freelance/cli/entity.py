"""add, list, show, edit, move, board, rm: one implementation for every kind.

The options of `add` and `edit` are made from the kind's declaration in
`schema`, so a field declared there is an option here. Kind-specific verbs
(e.g. `project log`) are added by the kind's own module through `EXTRA`.
"""

import inspect
from typing import Annotated, List, Optional

import typer

from ..core.schema import KINDS, NOUNS, Field, Kind, noun_fields
from .common import FORMAT_HELP, emit, kept_text, read_user_file, say, state, writing
import importlib

# noun -> kind name, and the fields a noun does not offer: core.schema's, shared with the web
NOUN_KIND = NOUNS

# noun -> the field given as the first argument of `add`
POSITIONAL = {"client": "name", "project": "name", "service": "name", "contact": "name",
              "resource": "name", "goal": "name", "meeting": "title", "income": "amount", "expense": "amount",
              "transfer": "amount", "balance": "account", "supplier": "name"}


# A field's help where a noun means something else by it than the kind's declaration says
# (income and expenses share the transaction kind: an expense's project is not client income).
HELP = {("expense", "project"): "Project id (a cost of this project).",
        ("expense", "iban"): "The supplier's bank account the bill is paid to (from its e-invoice, or the statement)."}

EXAMPLES = {
    "client": 'freelance client add "Acme Corp" --stage lead --contract-value 12000',
    "project": 'freelance project add "Acme website" --client acme --value 8000 --due 2026-12-15',
    "service": 'freelance service add "UX design" --client acme --pricing hourly --rate 95 --hours 40',
    "invoice": "freelance invoice add --client acme --amount 1200 --issued today",
    "income": "freelance income add 2850 --client acme --invoice INV-2026-015 --received",
    "expense": 'freelance expense add 49 --category software --paid --description "Figma"',
    "contact": 'freelance contact add "Sam Sample" --category legal --email sam@sample.test',
    "resource": 'freelance resource add "Quarterly tax checklist" --type checklist --category taxes',
    "goal": 'freelance goal add "Emergency fund" --category wealth --target 10000 --by 2027-06-30',
    "meeting": 'freelance meeting add "Kick-off" --at "2026-12-01 10:00" --duration 45m --with acme',
    "time": 'freelance time start acme-website --service acme-build --at 09:15 --note "checkout flow"',
    "transfer": 'freelance transfer add 200 --from bank --to cash --description "Cash for travel"',
    "balance": "freelance balance add bank --date 2026-11-30 --amount 4250.00 --source statement-2026-11.csv",
    "recurring": 'freelance recurring add --client acme --item "Retainer:1:2000" --every month --on 1 --send',
    "supplier": 'freelance supplier add "Hosting GmbH" --vat-id DE123456788 --iban DE02120300000000202051 '
                '--category software --tax-rate 19',
    "quote": 'freelance quote add --client acme --item "Design:1:2500:19%" --item "Build:40:95:19%" '
             '--valid-until +30d',
}

# An id of the demo book per noun, and an edit, for the examples in --help.
SAMPLE_ID = {"client": "acme", "project": "acme-website", "service": "acme-build", "invoice": "INV-2026-019",
             "income": "TX-ID", "expense": "TX-ID", "contact": "sam-sample", "resource": "pricing-guide",
             "goal": "emergency-fund", "meeting": "MEETING-ID", "time": "t-20261008-93f448",
             "transfer": "tr-20261102-5c0a11", "balance": "b-20261101-3e9d02", "recurring": "acme-retainer",
             "supplier": "hosting-gmbh",
             "quote": "Q-2026-001"}
# ...and one that `rm` can remove (nothing links to it; ux-design is what the add example makes).
SAMPLE_RM = {**SAMPLE_ID, "client": "pied-piper", "project": "studio-site", "service": "ux-design",
             "contact": "ines-insure", "invoice": "INV-2026-022", "quote": "Q-2026-002"}
SAMPLE_EDIT = {"client": "--email ann@acme.example", "project": "--priority medium", "service": "--rate 110",
               "invoice": "--due 2026-12-31", "income": "--received", "expense": "--description \"Figma, annual\"",
               "contact": "--phone \"+44 20 7946 0001\"", "resource": "--category budgeting",
               "goal": "--actual 7000", "meeting": "--duration 1h", "time": "--hours 1h45m",
               "transfer": "--description \"Float for the trip\"", "balance": "--source statement-2026-11.csv",
               "recurring": "--end 2027-12-31", "supplier": "--category office",
               "quote": "--valid-until 2026-12-31"}


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


# A list of links that `edit` changes item by item, never by replacing it (a replaced list
# would drop links silently): noun -> (field, option word) gives --add-WORD and --rm-WORD.
LIST_EDITS = {"project": ("services", "service")}

# Kind modules register extra verbs here: noun -> [callable(app, noun)].
EXTRA: dict[str, list] = {}


def _fields(noun: str) -> list[Field]:
    return noun_fields(noun)


def option_params(noun: str, for_edit: bool) -> list[inspect.Parameter]:
    params = []
    skip = POSITIONAL.get(noun) if not for_edit else None
    for f in _fields(noun):
        if f.name == skip:
            continue
        names = [f.option_name, *f.aliases]
        helptext = HELP.get((noun, f.name)) or f.help or f.name
        if f.type == "bool":
            if noun == "expense" and f.name == "received":
                decl = "--paid/--unpaid"
                names = [decl, "--received/--not-received"]
                helptext = "The money has been paid out."
            else:
                names = [f"{f.option_name}/--not-{f.name.replace('_', '-')}"]
            ann = Annotated[Optional[bool], typer.Option(*names, help=helptext, show_default=False)]
        elif f.type in ("links", "strs"):
            ann = Annotated[Optional[List[str]], typer.Option(*names, help=helptext, show_default=False)]
        else:
            meta = {"money": "AMOUNT", "decimal": "NUMBER", "date": "DATE", "datetime": "TIME",
                    "link": "ID", "duration": "DURATION"}.get(f.type, "TEXT")
            if f.choices:
                meta = "|".join(f.choices)
            ann = Annotated[Optional[str], typer.Option(*names, help=helptext, metavar=meta, show_default=False)]
        params.append(inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ann))
    return params


def ctx_param():
    return inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)


LINE = "DESC:QTY:PRICE[:SERVICE][:RATE%]"      # an invoice's --item (changes/invoicing.parse_item)


def item_option(help: str, metavar: str = LINE):
    """The type of `--item` (repeated): a line of an invoice, a credit note, a quote or a
    recurring invoice, as `invoicing.parse_item` reads it; `help` says what the lines are for."""
    return Annotated[Optional[List[str]], typer.Option("--item", metavar=metavar, help=help)]


def item_param(help: str, metavar: str = LINE) -> inspect.Parameter:
    """`--item` as a parameter of a command whose signature is made (add, edit)."""
    return inspect.Parameter("item", inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=item_option(help, metavar))


def number_param(help: str) -> inspect.Parameter:
    """`--number` (or `--id`): the number a new invoice or quote gets instead of the next one."""
    return inspect.Parameter("number", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
        Optional[str], typer.Option("--number", "--id", metavar="NUMBER", help=help)])


def replace_verbs(app: typer.Typer, **verbs) -> None:
    """Register `verbs` (name=function) on a noun's app in place of its generic ones of those
    names (a kind's own `add` takes --item), keeping every other generic verb."""
    app.registered_commands[:] = [c for c in app.registered_commands if c.name not in verbs]
    for name, fn in verbs.items():
        app.command(name)(fn)


def typed_values(book, noun: str, kwargs: dict) -> dict:
    """Typed values of the field options that were given."""
    from ..changes.door import parse_value
    out = {}
    for f in _fields(noun):
        raw = kwargs.get(f.name)
        if raw is None:
            continue
        out[f.name] = parse_value(book, f, raw)
    return out


def list_format(fmt: str, allowed=("table", "markdown", "csv", "json")) -> str:
    from .common import check_format
    return check_format(fmt, allowed)


def _records(book, noun: str):
    kind = KINDS[NOUN_KIND[noun]]
    recs = book.records(kind.name)
    if kind.name == "transaction":
        recs = [r for r in recs if r.data.get("kind") == noun]
    return kind, recs


def build(noun: str) -> typer.Typer:
    kind: Kind = KINDS[NOUN_KIND[noun]]
    app = typer.Typer(name=noun, help=f"{kind.help}\n\nExample: {EXAMPLES.get(noun, '')}",
                      no_args_is_help=True, add_completion=False)
    pos = POSITIONAL.get(noun)
    pos_field = kind.field(pos) if pos else None

    # -- add ------------------------------------------------------------------
    def add(ctx: typer.Context, **kw):
        from ..changes import door
        with writing(ctx) as book:
            if pos_field is not None:
                kw[pos_field.name] = kw.pop("_positional")
            values = typed_values(book, noun, kw)
            create = kw.get("create_missing") or False
            receipt = read_user_file(kw["receipt"], "--receipt") if kw.get("receipt") else None
            data, notes = door.add_by_noun(book, noun, values, rid=kw.get("id"), create_missing=create,
                                           future=kw.get("future") or False, receipt=receipt)
        for n in notes:
            say(n)
        say(f"added {noun} '{data['id']}'")
        if noun == "income" and data.get("received") is not True:
            say(f"income '{data['id']}' is expected, not received: it is not in the bank balance "
                f"until `freelance income edit {data['id']} --received`")

    params = [ctx_param()]
    if pos_field is not None:
        params.append(inspect.Parameter("_positional", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                        annotation=Annotated[str, typer.Argument(metavar=pos_field.name.upper(),
                                                                                 help=pos_field.help)]))
    params += option_params(noun, for_edit=False)
    params.append(inspect.Parameter("id", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
        Optional[str], typer.Option("--id", help="Choose the id (default: a slug of the name, made unique)."
                                    if kind.id_from else "Choose the id (default: generated).")]))
    params.append(inspect.Parameter("create_missing", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
        bool, typer.Option("--create-missing", help=(
            "Create linked records that do not exist yet; they take their client, rate and currency "
            "from what links them, and are refused when they would not pass `validate`."))]))
    if kind.name == "transaction":
        params.append(_future_param(noun))
    if noun == "expense":
        params.append(inspect.Parameter("receipt", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option("--receipt", metavar="FILE", help=(
                "The receipt or bill (PDF, photo): copied into the book's documents/YYYY/ and linked; "
                "the same file twice is stored once."))]))
    add.__signature__ = inspect.Signature(params)
    add.__doc__ = f"Add {_a(noun)}.\n\nExample: {EXAMPLES.get(noun, '')}"
    app.command("add")(add)

    # -- list -----------------------------------------------------------------
    status_opt = f"--{kind.status}" if kind.status else None

    def list_(ctx: typer.Context, status: Optional[str] = None, client: Optional[str] = None,
              date_from: Optional[str] = None, date_to: Optional[str] = None, period: Optional[str] = None,
              search: Optional[str] = None, sort: Optional[list[str]] = None, fmt: str = "table",
              out: Optional[str] = None, **filters):
        fmt = list_format(fmt)
        book = state(ctx).book()
        wanted = {f.name: filters.get("f_" + f.name) for f in list_filters}

        def drawn():            # the list as text: 50,000 incomes take a second or two to derive and draw
            from ..read import search as find
            from ..read import views
            from ..read.graph import Graph
            from ..formats.render import render_rows
            start, end = date_range(book, date_from, date_to, period)
            kind_, recs = _records(book, noun)
            g = Graph(book)
            _check_filters(book, kind, recs, status, client, {f: wanted[f.name] for f in list_filters})
            if status:
                recs = [r for r in recs if r.data.get(kind.status) == status]
            if client:
                recs = [r for r in recs if r.data.get("client") == client
                        or (kind.name == "meeting" and client in (r.data.get("attendees") or []))]
            recs = [r for r in recs if views.in_range(r, kind, start, end)]
            for f in list_filters:
                want = wanted[f.name]
                if want:
                    recs = [r for r in recs if r.data.get(f.name) == want
                            or (isinstance(r.data.get(f.name), list) and want in r.data[f.name])]
            if search:
                recs = [r for r in recs if find.matches(r, search)]
            recs = find.newest_first(kind, recs)
            rows = views.rows(g, recs)          # the rows every export makes, each kind's shared part once
            if sort:
                rows = find.sort_rows(rows, find.sort_keys(kind, rows, sort))
            return render_rows(rows, views.columns(kind), fmt, json_rows=rows if fmt == "json" else None,
                               table_keys=views.TABLE_COLUMNS.get(noun, ()))
        # kept between runs (read/kept.py): asked again of a book that did not change, a read
        key = (status, client, date_from, date_to, period, search, tuple(sort or ()), fmt, tuple(wanted.items()))
        emit(kept_text(book, f"list-{noun}", key, drawn), out)

    list_params = [ctx_param()]
    if kind.status:
        list_params.append(inspect.Parameter("status", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option(status_opt, help=f"Only records with this {kind.status}.")]))
    if kind.field("client") or kind.name == "meeting":
        list_params.append(inspect.Parameter("client", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option("--client", help="Only records of this client.")]))
    # one filter per field with allowed values (--category, --type) or a list of links (--with)
    list_filters = [f for f in _fields(noun) if f.name != kind.status and f.name != "client"
                    and (f.choices or f.setting or f.type == "links")]
    for f in list_filters:
        list_params.append(inspect.Parameter("f_" + f.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option(f.option_name, *_filter_aliases(f), metavar="ID" if f.type == "links" else "VALUE",
                                        help=f"Only records with this {f.name.replace('_', ' ')}.")]))
    list_params.append(inspect.Parameter("search", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
        Optional[str], typer.Option("--search", metavar="TEXT",
                                    help="Only records holding every word of TEXT in any of their text fields "
                                         "(name, description, notes, payee, reference...; any case).")]))
    list_params.append(inspect.Parameter("sort", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
        Optional[list[str]], typer.Option("--sort", metavar="FIELD",
                                          help="Order by FIELD (-FIELD: descending); repeat for ties. "
                                               "Default: dated records newest first, others in file order.")]))
    list_params += _range_params() + _output_params()
    list_.__signature__ = inspect.Signature(list_params)
    list_.__doc__ = f"List {kind.plural if noun not in ('income', 'expense') else noun}.\n\nExample: freelance {noun} list" + (f" --{kind.status} {f_list_example(kind)}" if kind.status else "") + " --format json"
    app.command("list")(list_)

    # -- show -----------------------------------------------------------------
    def show(ctx: typer.Context, rid: Annotated[str, typer.Argument(metavar="ID", help="The record's id.")],
             fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "table",
             out: Annotated[Optional[str], typer.Option("--out", "-o", help="Write to FILE (atomically; '-' for stdout).")] = None):
        from ..read import views
        from ..changes import door
        from ..read.graph import Graph
        from ..formats.render import to_json
        from ..core.text import clean
        fmt = list_format(fmt)
        book = state(ctx).book()
        rec = door.find(book, kind.name, rid, noun)
        g = Graph(book)
        if fmt == "json":
            from ..read.work import breakdown
            emit(to_json({**views.row(g, rec), **breakdown(g, rec)}), out)
            return
        from ..formats.render import render_rows
        from ..core.text import Column
        lines = views.detail(g, rec)
        rows = [{"field": k, "value": v} for k, v in lines]
        sections = views.detail_sections(g, rec)
        if fmt == "table":
            width = max(len(k) for k, _ in lines) if lines else 0
            text = f"{noun} {rec.id}  ({rec.file}:{rec.line})\n" + "".join(
                f"  {k.ljust(width)}  {clean(v)}\n" for k, v in lines)
            text += views.linked_lines(g, rec)
            for title, cols, srows in sections:
                text += f"{title}:\n" + "".join("  " + x + "\n" for x in render_rows(srows, cols, fmt).splitlines())
            emit(text, out)
        else:
            text = render_rows(rows, [Column("field"), Column("value")], fmt)
            if fmt == "markdown":
                for title, cols, srows in sections:
                    text += f"\n**{title}**\n\n" + render_rows(srows, cols, fmt)
            emit(text, out)
    show.__doc__ = f"Show one {noun} with every field and its rollups.\n\nExample: freelance {noun} show {SAMPLE_ID[noun]}"
    app.command("show")(show)

    # -- edit -----------------------------------------------------------------
    def edit(ctx: typer.Context, **kw):
        from ..changes import door
        from ..core.errors import UsageError
        with writing(ctx) as book:
            rec = door.find(book, kind.name, kw.pop("_rid"), noun)
            changes = typed_values(book, noun, kw)
            add, rm = kw.get("add_items") or [], kw.get("rm_items") or []
            if noun in LIST_EDITS:
                field, word = LIST_EDITS[noun]
                if field in changes:
                    now = ", ".join(rec.data.get(field) or []) or "none"
                    raise UsageError(f"--{word}: on edit it would replace the {noun}'s {field} ({now}); "
                                     f"use --add-{word} ID or --rm-{word} ID (repeat them)")
            for name in kw.get("unset") or []:
                name = name.replace("-", "_")
                f = kind.field(name)
                if f is None or not f.option or f.required:
                    from ..core.errors import did_you_mean
                    raise UsageError(f"--unset: cannot remove {name!r}{did_you_mean(name, [x.name for x in _fields(noun) if not x.required])}")
                changes[name] = None
            items = kw.get("item") or []            # invoice: a draft's new lines
            if not changes and not (add or rm or items):
                raise UsageError("nothing to change: give the fields to set as options (see --help)")
            changes = {k: v for k, v in changes.items() if not door.unchanged(rec, {k: v})}
            if not changes and not (add or rm or items):
                say(f"{noun} '{rec.id}' unchanged: it has those values already")
                return
            if add or rm:       # only `project` offers them (LIST_EDITS)
                notes = door.edit_project_services(book, rec, changes, add, rm)
            elif kind.name == "invoice":    # --item replaces a draft's lines; a derived due date follows
                notes = door.edit_invoice(book, rec, changes, items, future=kw.get("future") or False)
            elif kind.name == "quote":      # --item replaces a draft's lines
                notes = door.edit_quote(book, rec, changes, items)
            else:
                notes = door.edit(book, rec, changes, future=kw.get("future") or False)
        if changes:
            say(f"changed {noun} '{rec.id}': {', '.join(changes)}")
        for n in notes:
            say(n)

    eparams = [ctx_param(), inspect.Parameter("_rid", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[
        str, typer.Argument(metavar="ID", help="The record's id.")])]
    eparams += option_params(noun, for_edit=True)
    if noun in LIST_EDITS:
        field, word = LIST_EDITS[noun]
        for name, opt, what in (("add_items", f"--add-{word}", "Add"), ("rm_items", f"--rm-{word}", "Remove")):
            eparams.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
                Optional[List[str]], typer.Option(opt, metavar="ID", help=f"{what} one of the {noun}'s {field} (repeat).")]))
    if kind.name in ("invoice", "quote"):
        eparams.append(item_param("A draft's new lines, replacing all of them (repeat)."))
    eparams.append(inspect.Parameter("unset", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
        Optional[List[str]], typer.Option("--unset", metavar="FIELD", help="Remove a field (repeat).")]))
    if kind.name == "transaction":
        eparams.append(_future_param(noun))
    edit.__signature__ = inspect.Signature(eparams)
    edit.__doc__ = f"Change fields of {_a(noun)}; only the lines that change are rewritten.\n\n" \
                   f"Example: freelance {noun} edit {SAMPLE_ID[noun]} {SAMPLE_EDIT[noun]}"
    app.command("edit")(edit)

    # -- move & board -----------------------------------------------------------
    if kind.status:
        f_status = kind.field(kind.status)

        def move(ctx: typer.Context, rid: Annotated[str, typer.Argument(metavar="ID", help="The record's id.")],
                 value: Annotated[str, typer.Argument(metavar=kind.status.upper(), help=f"The new {kind.status}.")]):
            from ..changes import door
            with writing(ctx) as book:
                rec = door.find(book, kind.name, rid, noun)
                new = door.parse_value(book, f_status, value, option=kind.status)
                old = rec.data.get(kind.status)
                if old == new:
                    say(f"{noun} '{rec.id}' is already {new}")
                    return
                notes = door.edit(book, rec, {kind.status: new})
            say(f"moved {noun} '{rec.id}': {old} -> {new}")
            for n in notes:
                say(n)
        move.__doc__ = (f"Move {_a(noun)} to another {kind.status} (the board's drag and drop).\n\n"
                        f"Example: freelance {noun} move {SAMPLE_ID[noun]} {(f_status.choices or ('negotiation',))[1 if len(f_status.choices) > 1 else 0]}")
        app.command("move")(move)

        def board(ctx: typer.Context,
                  fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "table",
                  out: Annotated[Optional[str], typer.Option("--out", "-o", help="Write to FILE (atomically; '-' for stdout).")] = None,
                  by: Annotated[Optional[str], typer.Option("--by", help="Group by another field (e.g. priority).")] = None,
                  client: Annotated[Optional[str], typer.Option("--client", help="Only this client's records.")] = None):
            from ..core.errors import UsageError, did_you_mean
            fmt = list_format(fmt)
            book = state(ctx).book()
            if by is not None:
                bf = kind.field(by)
                if bf is None or not (bf.choices or bf.setting):
                    choices = [x.name for x in kind.fields if x.choices or x.setting]
                    raise UsageError(f"--by: cannot group by {by!r}; one of {', '.join(choices)}{did_you_mean(by, choices)}")

            def drawn():            # the board as text: 25,000 invoices take a second to draw
                from ..read import views
                from ..read.graph import Graph
                from ..formats.render import render_board
                _, recs = _records(book, noun)
                _check_filters(book, kind, recs, None, client, {})
                if client:
                    recs = [r for r in recs if r.data.get("client") == client]
                return render_board(views.board(Graph(book), kind, recs, by), fmt)
            emit(kept_text(book, f"board-{noun}", (by, client, fmt), drawn), out)
        board.__doc__ = f"The {noun} board: one column per {kind.status}, with counts and totals.\n\n" \
                        f"Example: freelance {noun} board"
        app.command("board")(board)

    # -- rm -------------------------------------------------------------------
    def rm(ctx: typer.Context, rid: Annotated[str, typer.Argument(metavar="ID", help="The record's id.")],
           force: Annotated[bool, typer.Option("--force", help="Remove even while other records link to it.")] = False):
        from ..changes import door
        with writing(ctx) as book:
            rec = door.find(book, kind.name, rid, noun)
            notes = door.remove(book, rec, force)
        say(f"removed {noun} '{rec.id}'")
        for n in notes:
            say(n)
    issued = (" An issued invoice (sent, paid or void) keeps its number: refused without --force, and a sealed "
              "one (sent by `invoice send`) even with it; void it or credit it instead.") if noun == "invoice" else ""
    rm.__doc__ = f"Remove {_a(noun)} (refused while other records link to it).{issued}\n\nExample: freelance {noun} rm {SAMPLE_RM[noun]}"
    app.command("rm")(rm)

    for extra in EXTRA.get(noun, []):
        extra(app, noun)
    return app


def f_list_example(kind: Kind) -> str:
    f = kind.field(kind.status)
    return f.choices[1] if len(f.choices) > 1 else "client"


def _check_filters(book, kind: Kind, recs, status, client, filters: dict) -> None:
    """Refuse a filter value that matches nothing because it is misspelt (exit 2, did you mean)."""
    from ..changes.door import check_filter
    from ..core.schema import Field
    if status:
        check_filter(book, kind.field(kind.status), status, f"--{kind.status}", recs)
    if client:
        check_filter(book, kind.field("client") or Field("client", "link", link=("client",)), client, "--client")
    for f, want in filters.items():
        if want:
            check_filter(book, f, want, (_filter_aliases(f) or (f.option_name,))[0], recs)


def _filter_aliases(f: Field) -> tuple[str, ...]:
    """A field's option aliases as a `list` filter: `--from` and `--to` are the date range there
    (a transfer's `--from ACCOUNT` filters as `--from-account`)."""
    return tuple(a for a in f.aliases if a not in ("--from", "--to"))


def _future_param(noun: str) -> inspect.Parameter:
    moved = "paid" if noun == "expense" else "received"
    return inspect.Parameter("future", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
        bool, typer.Option("--future", help=f"Allow a {moved} {noun} dated after today (refused otherwise: "
                                            "money does not move in the future).")])


def date_range(book, date_from, date_to, period):
    from ..core.dates import window
    return window(book.today, date_from, date_to, period, book.settings.date_order)


def _range_params():
    P = inspect.Parameter
    return [
        P("date_from", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option("--from", metavar="DATE", help="From this date.")]),
        P("date_to", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option("--to", metavar="DATE", help="Up to this date.")]),
        P("period", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option("--period", metavar="PERIOD", help="2026, 2026-Q4 or 2026-11.")]),
    ]


def _output_params():
    P = inspect.Parameter
    return [
        P("fmt", P.KEYWORD_ONLY, default="table", annotation=Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)]),
        P("out", P.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically; '-' for stdout).")]),
    ]


def command(noun: str):
    # kind modules that add verbs register themselves on import
    for mod in ("freelance.cli.kinds." + NOUN_KIND[noun],):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name != mod:
                raise
    return typer.main.get_command(build(noun))
