"""Contacts: `contact import FILE.vcf` and `contact export --vcf` (vCard 3.0/4.0)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..entity import EXTRA
import sys


def register(app: typer.Typer, noun: str) -> None:
    @app.command("import")
    def import_(ctx: typer.Context,
                path: Annotated[str, typer.Argument(metavar="FILE.vcf", help="A vCard file (3.0 or 4.0); '-' for stdin.")],
                category: Annotated[Optional[str], typer.Option("--category", metavar="CATEGORY",
                                                                help=("Category for new people whose card names none of the book's "
                                                                      "(a known contact keeps its own)."))] = None,
                dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")] = False):
        """Import contacts from a vCard file: new people are added, known ones (same id, email or name) updated.

        Example: freelance contact import ~/Downloads/contacts.vcf --category services
        """

        from ...formats import vcard
        from ...changes import door
        from ...core.errors import UsageError
        from ..common import say, writing
        if path == "-":
            text = sys.stdin.read()
        else:
            try:
                with open(path, encoding="utf-8-sig") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"{path}: cannot read it ({exc.strerror if isinstance(exc, OSError) else 'not UTF-8 text'})") from None
        with writing(ctx) as book:
            res = vcard.plan_import(book, text, path, category)
            notes = door.import_contacts(book, res) if not dry_run else []
        for n in res.notes + notes:
            say(n)
        verb = "would add" if dry_run else "added"
        for rid in res.added:
            say(f"{verb} contact '{rid}'")
        for rid in res.updated:
            say(f"{'would update' if dry_run else 'updated'} contact '{rid}'")
        say(f"{len(res.added)} added, {len(res.updated)} updated, {len(res.unchanged)} unchanged"
            + (" (dry run: nothing written)" if dry_run else ""))

    @app.command("export")
    def export(ctx: typer.Context,
               vcf: Annotated[bool, typer.Option("--vcf", help="As vCard (the one format so far).")] = False,
               out: Annotated[Optional[str], typer.Option("--out", "-o", metavar="FILE", help="Write to FILE (atomically; '-' for stdout).")] = None,
               version: Annotated[str, typer.Option("--version", metavar="3.0|4.0", help="vCard version.")] = "3.0",
               category: Annotated[Optional[str], typer.Option("--category", metavar="CATEGORY",
                                                               help="Only contacts of this category.")] = None):
        """Export contacts as vCards that address books (Apple, Google, Thunderbird) import.

        Example: freelance contact export --vcf --out contacts.vcf
        """
        from ...formats import vcard
        from ...core.errors import UsageError
        from ..common import emit, say, state, to_file
        if not vcf:
            raise UsageError("give the format: --vcf")
        book = state(ctx).book()
        recs = [r for r in book.records("contact") if not category or r.data.get("category") == category]
        emit(vcard.export(book, recs, version), out)
        if to_file(out):   # as `calendar export --ics`: the file is the output, so say what went into it
            say(f"wrote {len(recs)} contact{'s' if len(recs) != 1 else ''} to {out}")


EXTRA.setdefault("contact", []).append(register)
