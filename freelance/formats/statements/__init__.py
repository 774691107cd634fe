"""Bank statement files -> `freelance.core.statement.Statement`s (docs/bank.md).

A face: it reads a file the user names and gives the door plain values. `registry.py`
owns the list of formats and the two questions the CLI asks: which format a file is and
what statements it holds. Each format is one module here (`ofx`, `camt`, `mt940`,
`csvrules`); `guard` holds what every reader checks before it trusts a byte, and
`read_file` reads a statement file with the size cap checked before reading.
"""
from __future__ import annotations

from .guard import read_file  # noqa: F401  (the one way to read a statement file: capped)
