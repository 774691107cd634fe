"""Problems are values; one exception type for domain errors.

Loading and validating collect `Problem`s with their source; only the CLI
decides what they mean for the exit status. A command that cannot go on
raises `FreelanceError` (or a subclass), caught in one place, `cli.main`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the book: `file:line: severity: kind 'id': message`."""

    file: str
    line: int
    severity: str  # "error" or "warning"
    kind: str = ""
    id: str = ""
    message: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        who = f"{self.kind} '{self.id}': " if self.kind and self.id else (f"{self.kind}: " if self.kind else "")
        return f"{where}: {self.severity}: {who}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_json(self) -> dict:
        return {"file": self.file, "line": self.line, "severity": self.severity,
                "kind": self.kind, "id": self.id, "message": self.message}


class FreelanceError(Exception):
    """A command cannot go on. `exit_code` 1 for bad data, 2 for misuse."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(FreelanceError):
    """The command was used wrongly (unknown id, bad option value): exit 2."""

    exit_code = 2


class NotFound(UsageError):
    """No record, kind or account of that name: exit 2 on the command line, 404 in the web."""


class DataError(FreelanceError):
    """The book itself is in a state the command refuses to touch: exit 1."""

    exit_code = 1


def did_you_mean(word: str, choices, n: int = 3) -> str:
    """' (did you mean 'x' or 'y'?)' or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=n, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"
