"""A book's files stay in the book's folder, are plain files, and have a size a book can have.

Every read and write of a book file goes through here (`Book`, the cache's checks, the
parallel parse, the writer). A book can come from someone else (a clone, a shared
folder), so what is at a file's path is checked before it is opened:

- a link is followed only when what it points to is inside the book's folder (its
  real path); a link out of it, or to nothing, is refused, and so is a write that would
  make a folder outside;
- a folder, FIFO, device or socket is refused: `os.stat` first, then opened with
  O_NONBLOCK (a FIFO swapped in meanwhile cannot hang the command) and checked again;
- at most MAX_FILE_BYTES are read from one file (a link to /dev/zero, a huge file);
- a write refuses a file nobody may write (mode 0444, say): it is not silently replaced.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..core.errors import DataError

MAX_FILE_BYTES = 256 * 1024 * 1024      # a book file bigger than this is refused (100,000 transactions: 28 MB)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


class Within:
    """`inside` for one book, cheaply: the real paths of the book and of its folders are
    worked out once (a warm command checks every file it takes from the cache)."""

    def __init__(self, root: Path | str):
        self.root = str(root)
        self.real_root = os.path.realpath(root)
        self._folders: dict[str, str] = {"": self.real_root}

    def __call__(self, rel: str) -> str:
        folder, name = os.path.split(rel)
        real_folder = self._folders.get(folder)
        if real_folder is None:
            real_folder = self._folders[folder] = os.path.realpath(os.path.join(self.root, folder))
        path = os.path.join(self.root, rel)
        real = os.path.join(real_folder, name) if name and not os.path.islink(path) else os.path.realpath(path)
        if real != self.real_root and not real.startswith(self.real_root.rstrip(os.sep) + os.sep):
            raise DataError(f"{rel}: leads out of the book's folder (to {real}); not followed: "
                            "a book's files stay in its folder (replace the link by the file itself)")
        return real


def inside(root: Path | str, rel: str) -> str:
    """The real path of book file `rel`, when it is inside the book's folder (a link within
    the book is fine); DataError when a link takes it out."""
    return Within(root)(rel)


def _regular(rel: str, st: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise DataError(f"{rel}: is a folder, expected a YAML file")
    if not stat.S_ISREG(st.st_mode):
        raise DataError(f"{rel}: is not a regular file (a pipe, a device or a socket); "
                        "not read: a book's files are plain YAML files")
    if st.st_size > limit:
        raise DataError(f"{rel}: {_mb(st.st_size)}, more than the {_mb(limit)} a book file may have; "
                        "not read (split it, or check it is the file you meant)")


def read_regular(path: Path | str, rel: str, limit: int = MAX_FILE_BYTES) -> tuple[bytes, os.stat_result]:
    """(bytes, stat) of the plain file at `path` (book file `rel`, for messages), at most
    `limit` bytes; FileNotFoundError when there is none, DataError when it is not a plain file."""
    _regular(rel, os.stat(path), limit)
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    try:
        st = os.fstat(fd)
        _regular(rel, st, limit)
        chunks, n, want = [], 0, st.st_size + 1      # the whole file and its end in one read, as a rule
        while n <= limit:
            chunk = os.read(fd, min(want, limit + 1 - n))
            if not chunk:
                break
            chunks.append(chunk)
            n += len(chunk)
            want = 1 << 20                            # it grew since: read on, up to the limit
    finally:
        os.close(fd)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)   # (none: an empty file)
    if len(data) > limit:
        raise DataError(f"{rel}: more than the {_mb(limit)} a book file may have; not read")
    return data, st


def read_book_file(root: Path | str, rel: str, limit: int = MAX_FILE_BYTES,
                   within: Within | None = None) -> tuple[bytes, os.stat_result] | None:
    """(bytes, stat) of book file `rel`, or None when it does not exist; DataError when it leads
    out of the book, is a link to nothing, is not a plain file, or is too big."""
    real = (within or Within(root))(rel)
    try:
        return read_regular(real, rel, limit)
    except FileNotFoundError:
        if os.path.islink(os.path.join(root, rel)):
            raise DataError(f"{rel}: is a link to {os.readlink(os.path.join(root, rel))}, which does not exist; "
                            "not followed") from None
        return None


def writable(root: Path | str, rel: str) -> str:
    """The real path a write of book file `rel` goes to: inside the book's folder, an existing
    plain file that may be written (or none yet, not a link to nothing); else DataError."""
    path = os.path.join(root, rel)
    real = inside(root, rel)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if os.path.islink(path):
            raise DataError(f"{rel}: is a link to {os.readlink(path)}, which does not exist; "
                            "nothing was written") from None
        return real
    _regular(rel, st, MAX_FILE_BYTES)
    if not st.st_mode & 0o222:
        raise DataError(f"{rel}: is read-only (mode {stat.S_IMODE(st.st_mode):04o}); nothing was written "
                        f"(make it writable, chmod u+w {rel}, if the change is meant)")
    return real


# -- the business logo: a picture inside the book ----------------------------------------------

MAX_LOGO_BYTES = 4 * 1024 * 1024
_RASTER = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
           (b"GIF89a", "image/gif"))


def read_logo(root: Path | str, rel: str) -> tuple[bytes, str]:
    """(bytes, MIME type) of the logo `rel` (`business.logo`): a PNG, JPEG, GIF, WebP or SVG file
    inside the book (the book-file rule above), at most MAX_LOGO_BYTES. An SVG must be
    self-contained: no reference to anything but its own parts (`#id`) and data: URLs, no
    script, no foreign objects, no DTD (docs/documents.md). DataError saying why otherwise."""
    what = f"business.logo {rel!r}"
    if os.path.isabs(rel) or ".." in Path(rel).parts:
        raise DataError(f"{what}: a logo is a file inside the book, named relative to its folder (logo.png)")
    try:
        found = read_book_file(root, rel, limit=MAX_LOGO_BYTES)
    except DataError as exc:
        raise DataError(f"{what}: {exc}") from None
    if found is None:
        raise DataError(f"{what}: no such file in the book")
    data = found[0]
    for magic, mime in _RASTER:
        if data.startswith(magic):
            return data, mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return data, "image/webp"
    problem = svg_problem(data)
    if problem is None:
        return data, "image/svg+xml"
    raise DataError(f"{what}: {problem}")


_SVG_NS = "http://www.w3.org/2000/svg"
_CSS_REF = re.compile(r"@import|url\(\s*(?!['\"]?\s*#)", re.I)


def svg_problem(data: bytes) -> str | None:
    """Why `data` is not a self-contained SVG picture (None when it is one)."""
    from lxml import etree            # lazy: the XML parser (docs/architecture.md)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head != b"<":
        return "not a picture (PNG, JPEG, GIF, WebP or SVG)"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"not a picture (PNG, JPEG, GIF, WebP or SVG): not well-formed XML ({exc})"
    if root.tag != f"{{{_SVG_NS}}}svg":
        return "not a picture (PNG, JPEG, GIF, WebP or SVG)"
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        return "an SVG with a DOCTYPE; a logo is a plain SVG (no DTD, no entities)"
    if any(node.tag is etree.PI for node in root.itersiblings(preceding=True)):
        return "an SVG with a processing instruction (<?xml-stylesheet ...?>); a logo is a plain SVG"
    for node in root.iter():
        if not isinstance(node.tag, str):          # lxml's documented sentinels: tag is etree.PI, ...
            if node.tag is etree.PI:
                return "an SVG with a processing instruction (<?...?>); a logo is a plain SVG"
            if node.tag is etree.Entity:
                return "an SVG with an entity reference; a logo is a plain SVG"
            continue
        local = etree.QName(node).localname
        if local in ("script", "foreignObject", "iframe", "object", "embed", "audio", "video"):
            return f"an SVG with <{local}>; a logo is a picture, nothing more"
        if local == "style" and _CSS_REF.search(node.text or ""):
            return "an SVG whose style refers to another file (url() or @import); a logo is self-contained"
        for name, value in node.attrib.items():
            attr = etree.QName(name).localname
            if attr == "href" and not (value.strip().startswith("#") or re.match(r"data:image/(png|jpeg|gif|webp)[;,]", value.strip())):
                return f"an SVG that refers to {value.strip()[:80]!r}; a logo is self-contained (embed it, or use #ids)"
            if _CSS_REF.search(value) and (attr == "style" or "url(" in value.lower()):
                return f"an SVG whose {attr} refers to another file ({value.strip()[:80]!r}); a logo is self-contained"
    return None
