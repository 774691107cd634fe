"""The README's command reference, generated from the commands' own help.

`python -m freelance.tools.docgen --write` rewrites the part of README.md between
the `commands:start` and `commands:end` markers; tests/test_docs.py fails
when the two drift apart, or when a command has no help or no example.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
import typer
from ..cli import NOUNS, app

START, END = "<!-- commands:start -->", "<!-- commands:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def walk():
    """(path, command) for every command under `freelance`, depth first, in help order."""

    root = typer.main.get_command(app)
    ctx = root.make_context("freelance", ["--help"], resilient_parsing=True)

    def visit(path, cmd, ctx):
        yield path, cmd
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is None or getattr(sub, "hidden", False):
                    continue
                yield from visit(path + [name], sub, ctx)
    for noun in NOUNS:
        yield from visit([noun], root.get_command(ctx, noun), ctx)


def split_help(cmd) -> tuple[str, str]:
    """(first line, example) of a command's help."""
    text = (cmd.help or "").strip()
    first = text.split("\n\n")[0].replace("\n", " ").strip()
    m = re.search(r"Example:\s*(.+)", text)
    return first, (m.group(1).strip() if m else "")


def reference() -> str:
    lines = ["| command | what it does | example |", "| --- | --- | --- |"]
    for path, cmd in walk():
        if hasattr(cmd, "list_commands") and len(path) == 1 and not getattr(cmd, "invoke_without_command", False):
            continue  # a noun's group: its verbs follow
        first, example = split_help(cmd)
        lines.append(f"| `{' '.join(path)}` | {first.replace('|', '/')} | `{example}` |")
    return "\n".join(lines) + "\n"


def readme_section(text: str) -> str:
    a, b = text.index(START) + len(START), text.index(END)
    return text[a:b].strip("\n") + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ref = reference()
    if "--write" in argv:
        text = README.read_text(encoding="utf-8")
        a, b = text.index(START) + len(START), text.index(END)
        README.write_text(text[:a] + "\n" + ref + text[b:], encoding="utf-8")
        print(f"updated {README}")
    else:
        sys.stdout.write(ref)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
