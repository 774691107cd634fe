"""`freelance search TEXT`: every kind and every text field of the book, best match first."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import FORMAT_HELP, check_format, emit, kept_text, state


def search(
    ctx: typer.Context,
    words: Annotated[list[str], typer.Argument(metavar="TEXT...", help="The words to find (every one must be there).")],
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", metavar="NOUN",
                                                      help="Only this kind (client, invoice, income...); repeatable.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many hits.")] = 50,
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "table",
    out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE",
                                               help="Write to FILE (atomically; '-' for stdout).")] = None,
):
    """Search the whole book: every record of every kind, every text field (names, notes,
    descriptions, payees, bank references, invoice lines...), ranked: a word in an id, name
    or title counts more, a whole word more than a part, the whole phrase more again; then
    the newest first.

    Example: freelance search northwind shop --kind invoice --format json
    """
    from ..core.errors import UsageError, did_you_mean
    from ..core.schema import KINDS
    from ..core.text import Column
    from ..formats.render import render_rows
    from ..read.search import search as find
    check_format(fmt, ("table", "markdown", "csv", "json"))
    book = state(ctx).book()
    nouns = {n: k.name for k in KINDS.values() for n in (k.name, *k.nouns)}
    wanted = set()
    for k in kind or ():
        if k not in nouns:
            raise UsageError(f"--kind: no kind {k!r}{did_you_mean(k, nouns)}")
        wanted.add(k)
    names = sorted({nouns[k] for k in wanted}) if wanted else [k.name for k in KINDS.values() if k.searched]

    def drawn():            # every record's texts walked: kept between runs (read/kept.py)
        records = [r for name in names for r in book.records(name)]
        hits = find(records, " ".join(words), limit=None)
        if wanted:
            hits = [h for h in hits if h["kind"] in wanted or nouns.get(h["kind"]) in wanted]
        hits = hits[:limit]
        columns = [Column("kind"), Column("id"), Column("title"), Column("date"), Column("snippet", "found")]
        return render_rows(hits, columns, fmt, json_rows=hits if fmt == "json" else None)
    emit(kept_text(book, "search", (tuple(words), tuple(sorted(wanted)), limit, fmt), drawn), out)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(search)
    return typer.main.get_command(app)
