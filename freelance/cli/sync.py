"""`freelance sync`: commit what changed, pull with the merge driver, validate, push."""
from __future__ import annotations

from typing import Annotated

import typer

from .common import state


def sync(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors and conflicts "
                                                              "(for cron); the exit status tells.")] = False,
    push: Annotated[bool, typer.Option("--push/--no-push", help="Push when the merged book validates.")] = True,
):
    """Sync the book with its git remote: commit what changed (a message naming the
    records), pull and merge by record (the merge driver), validate, push.

    On a conflict it stops, lists the records to settle and exits 1: edit them
    (keep one side between the <<<<<<< and >>>>>>> lines, or combine them), then run
    `freelance sync` again. A merged book with errors is not pushed (exit 1). Without
    a remote it only commits. See docs/sync.md.

    Example: freelance sync --quiet
    """
    from ..core.errors import UsageError
    from ..read.validate import validate
    from ..store import git
    from ..store.book import Book, find_book
    st = state(ctx)
    root = find_book(st.books)

    def tell(message: str) -> None:
        if not quiet:
            from .common import say
            say(message)

    if not git.in_repository(root):
        raise UsageError(f"{root}: not in a git repository (`freelance init` makes one; or `git init` it)")
    holder = Book.__new__(Book)
    holder.root = root
    with Book.locked(holder):
        if not git.driver_registered(root):
            git.register_driver(root)
            tell("registered the merge driver in this clone (git does not copy it)")
        if git.write_attributes(root):
            tell("added '*.yaml merge=freelance' to .gitattributes")
        if git.merging(root):
            left = git.markers_left(root, git.unmerged(root))
            if left:
                _stop(git.conflicts_in(root, left), "still to settle")
        subject = git.commit_book(root)
        if subject:
            tell(f"committed: {subject}")
        where = git.upstream(root)
        if where is None:
            tell("no remote to sync with: committed only (add one: `git remote add origin URL`)")
            return
        remote, branch = where
        if git.fetch(root, remote, branch):
            notes, incoming = _renumber(root, st, remote)
            for note in notes:
                tell(note)
            behind = git.count(root, f"HEAD..{incoming}")
            if not git.merge_fetched(root, incoming):
                _stop(git.conflicts_in(root, git.unmerged(root)), "to settle")
            if behind:
                tell(f"merged {behind} commit{'s' * (behind != 1)} from {remote}/{branch}")
    book = Book(root, st.today_date(), cache=st.cache)
    errors = [p for p in validate(book) if p.is_error]
    if errors:
        from ..core.text import clean
        for p in errors:
            typer.echo(clean(str(p)), err=True)
        typer.echo(f"freelance: error: the merged book has {len(errors)} error{'s' * (len(errors) != 1)} (above): "
                   "not pushed; fix them, then run `freelance sync` again", err=True)
        raise typer.Exit(1)
    if push:
        n = git.ahead(root, remote, branch)
        if n:
            git.push(root, remote, branch)
            tell(f"pushed {n} commit{'s' * (n != 1)} to {remote}/{branch}")
            return
    tell(f"up to date with {remote}/{branch}")


def _draft(values: dict) -> bool:
    return (values.get("status") or "draft") == "draft" and not values.get("sent_on") and not values.get("seal")


def _renumber(root, st, remote: str) -> tuple[list[str], str]:
    """Invoices this clone and the fetched one each added under one number (docs/sync.md): a
    draft made here (seen by no other device yet) takes the next number free on both sides,
    with its links; else a draft from the remote does, when the one here is issued, in a
    commit on top of the fetched one. Two issued invoices keep their numbers: the merge names
    the conflict. Each renumbering is its own commit. (What was done, the commit to merge.)"""
    from ..changes import door
    from ..core.schema import INVOICE
    from ..store import git
    from ..store.book import Book
    both = git.added_on_both(root, INVOICE.path)
    if not both:
        return [], "FETCH_HEAD"
    theirs_ids = git.ids_in(root, INVOICE.path)
    notes, later = [], []
    for rid, ours, theirs in both:
        if _draft(ours):
            book = Book(root, st.today_date(), cache=st.cache)
            new, _ = door.renumber_invoice(book, door.find(book, "invoice", rid), taken=tuple(theirs_ids))
            git.commit_book(root, message=f"invoice renumber {rid} {new}")
            notes.append(f"renumbered the draft invoice {rid} made here to {new}: {remote} has an invoice {rid} too")
        elif _draft(theirs):
            later.append(rid)
    if not later:
        return notes, "FETCH_HEAD"
    ours_ids = tuple(Book(root, st.today_date(), cache=st.cache).index("invoice"))
    with git.checkout_of(root) as there:
        for rid in later:
            book = Book(there, st.today_date(), cache=False)     # a folder that is gone in a moment
            new, _ = door.renumber_invoice(book, door.find(book, "invoice", rid), taken=ours_ids)
            git.commit_book(there, message=f"invoice renumber {rid} {new}")
            notes.append(f"renumbered the draft invoice {rid} from {remote} to {new}: an invoice {rid} was "
                         "issued here")
        return notes, git.head(there)


def _stop(conflicts: list[str], what: str) -> None:
    from ..core.text import clean
    for line in conflicts:
        typer.echo(f"conflict: {clean(line)}", err=True)
    typer.echo(f"freelance: error: {len(conflicts)} conflict{'s' * (len(conflicts) != 1)} {what}: in each, keep one "
               "side between the <<<<<<< and >>>>>>> lines (or combine them), then run `freelance sync` again",
               err=True)
    raise typer.Exit(1)


def command(name: str):
    app = typer.Typer(add_completion=False)
    app.command(name)(sync)
    return typer.main.get_command(app)
