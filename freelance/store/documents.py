"""Receipts and other documents a book keeps (`documents/YYYY/`, docs/suppliers.md): their
content hash, the one already stored with a hash, and reading one from inside the book only.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat

from ..core.errors import DataError
from .files import inside, read_book_file

FOLDER = "documents"
MAX_RECEIPT_BYTES = 64 * 1024 * 1024     # a scan or a PDF; more is not a receipt
HASH_CHARS = 12                          # of the SHA-256 in the name: enough to tell files apart
_MAGIC = ((b"%PDF-", ".pdf"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF8", ".gif"),
          (b"<?xml", ".xml"), (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"))


def digest(data: bytes) -> str:
    """The content hash a receipt's name carries."""
    return hashlib.sha256(data).hexdigest()[:HASH_CHARS]


def extension(name: str, data: bytes) -> str:
    """The file's extension, from its name (letters and digits only), else from its first bytes."""
    ext = os.path.splitext(name)[1].lower()
    if re.fullmatch(r"\.[a-z0-9]{1,8}", ext):
        return ".jpg" if ext == ".jpeg" else ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return next((e for magic, e in _MAGIC if data.startswith(magic)), ".bin")


def stored(book: Book, h: str) -> str | None:
    """The receipt already in the book with content hash `h` (its path), or None."""
    root = os.path.join(book.root, FOLDER)
    try:
        years = sorted(os.listdir(root))
    except (FileNotFoundError, NotADirectoryError):
        return None
    for year in years:
        try:
            names = sorted(os.listdir(os.path.join(root, year)))
        except (NotADirectoryError, FileNotFoundError, PermissionError):
            continue
        for name in names:
            if os.path.splitext(name)[0].endswith("-" + h):
                return f"{FOLDER}/{year}/{name}"
    return None


def read_receipt(root, rel: str) -> bytes | None:
    """The bytes of a receipt the book links (`documents/...`), read only from inside the book
    (a link out of it is refused: DataError); None when it is missing."""
    got = read_book_file(root, _checked(rel), MAX_RECEIPT_BYTES)
    return None if got is None else got[0]


def _checked(rel) -> str:
    if not isinstance(rel, str) or not rel.startswith(FOLDER + "/") or ".." in rel.split("/") or "\\" in rel:
        raise DataError(f"receipt {rel!r}: not a file of the book's {FOLDER}/ folder")
    return rel


def receipt_present(root, rel: str) -> bool:
    """Whether receipt `rel` is a plain file inside the book (without reading it); DataError when
    the path is not one of `documents/` or a link takes it out of the book."""
    real = inside(root, _checked(rel))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(st.st_mode):
        raise DataError(f"{rel}: is not a plain file; a receipt is a file in the book")
    return True
