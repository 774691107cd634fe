"""Answers kept between runs: a view asked again of a book that did not change costs a read.

A report, a board, a list or a search is a function of the files it read, `--today`, its
options and the code (the faces keep their drawn text through `cli/common.kept_text`).
`kept` stores its answer in the user's parse cache (`ParseCache.store_result`, as validate's
answer is), keyed on all four; when none changed, the stored answer is the answer and no record
is loaded (docs/performance.md, "Answers kept between runs"). Any change to a file it read, a
file added to or removed from the book, another day, other options or another version of the
package computes it again. An answer computed while the book had problems is not kept: the
command must print them and exit 1, which needs the book read.

Only for answers that depend on nothing but the book's files: not on git, bank rules, the clock
or the environment (`reports.KEPT` names the reports that qualify).
"""
from __future__ import annotations


MISSING = object()       # `stored`: nothing kept for these options, or something it read changed


def stored(book, name: str, key):
    """The answer kept for `name` and `key` on this book, if nothing it depends on changed
    since; else MISSING. Only ever an answer computed for those very options: a face may look
    before it checks them (options it would refuse were never computed, so never kept)."""
    cache = getattr(book, "cache", None)
    if cache is None:
        return MISSING
    got = cache.load_result(name, (name, book.today.isoformat(), key), book.listing())
    if isinstance(got, tuple) and len(got) == 1:     # (answer,): an empty answer is kept too
        return got[0]
    return MISSING


def kept(book, name: str, key, compute):
    """`compute()`, or the answer it gave last time for `name` and `key` on this book, if
    nothing it depends on changed since. `key`: the options, as plain picklable values."""
    cache = getattr(book, "cache", None)
    if cache is None:
        return compute()
    got = stored(book, name, key)
    if got is not MISSING:
        return got
    full = (name, book.today.isoformat(), key)
    listing = book.listing()
    answer = compute()
    if not book.problems:
        cache.store_result(name, full, listing, book.stamps, (answer,))
    return answer
