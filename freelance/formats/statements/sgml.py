"""The SGML of OFX 1 as a tree (docs/statement-readers.md): a small reader of our own.

OFX 1 is SGML without its DTD: an aggregate has a start and an end tag
(`<STMTTRN> ... </STMTTRN>`), an element holding a value has only its start tag
(`<TRNAMT>-12.50`), though some banks close those too (`<TRNAMT>-12.50</TRNAMT>`). So:

- a start tag followed by text is an element with that value; its own end tag, if it
  comes next, is taken with it;
- a start tag followed by another tag is an aggregate, closed by its end tag;
- an end tag closes the nearest open aggregate of its name; the aggregates still open
  inside it had no end tag (a bank that leaves `</BANKTRANLIST>` out, or an empty value
  written `<MEMO>` alone): their children move up into the closed one, after them,
  as if they had been empty values;
- an end tag that closes nothing open is an error, as is anything left open at the end;
- text is unescaped (`&amp;`, `&lt;`, `&#233;`...; an unknown entity stays as written).

Tags are found with one regular expression over the text, in one pass: the cost is
linear in the file. Each `Node` knows its line (`sourceline`, as lxml's elements do), so
the OFX reader treats both trees alike.
"""
from __future__ import annotations

import re

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9._:-]*)\s*>")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos|nbsp);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\u00a0"}


class SGMLError(ValueError):
    """The tags do not nest: `line` is where the reader gave up."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


class Node:
    """An element: `tag`, `text` (a value, or None for an aggregate), children, `sourceline`."""
    __slots__ = ("tag", "text", "children", "sourceline")

    def __init__(self, tag: str, line: int, text: str | None = None):
        self.tag, self.text, self.children, self.sourceline = tag, text, [], line

    def __iter__(self):
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    def iter(self, tag: str | None = None):
        """This node and every node inside it, in document order (`tag`: only those)."""
        stack = [self]
        while stack:
            node = stack.pop()
            if tag is None or node.tag == tag:
                yield node
            stack.extend(reversed(node.children))

    def find(self, path: str):
        """The first node at `path` (tags joined by /) below this one, or None."""
        node = self
        for part in path.split("/"):
            node = next((c for c in node.children if c.tag == part), None)
            if node is None:
                return None
        return node


def unescape(text: str) -> str:
    if "&" not in text:
        return text

    def one(m: re.Match) -> str:
        ref = m.group(1)
        if ref.startswith("#"):
            n = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
            return chr(n) if 0 < n < 0x110000 else m.group(0)
        return _NAMED[ref]
    return _ENTITY.sub(one, text)


def parse(text: str, first_line: int = 1) -> Node:
    """The tree of an OFX 1 body (`<OFX> ... </OFX>`); SGMLError when its tags do not nest.
    `first_line` is the line of the file the text starts on."""
    root = Node("", first_line)            # holds the document's top elements
    stack = [root]
    line, pos = first_line, 0
    for m in _TAG.finditer(text):
        between = text[pos:m.start()]
        line += text.count("\n", pos, m.start())
        pos = m.start()
        closing, tag = m.group(1) == "/", m.group(2).upper()
        value = between.strip()
        leaf = None                                         # the value just read: its end tag may follow
        if value and len(stack) > 1:
            top = stack[-1]
            if top.children or top.text is not None:       # text between elements of an aggregate
                raise SGMLError(f"text {value[:30]!r} outside any element", line)
            stack.pop()                                     # <TAG>value: an element with its value
            top.text = unescape(value)
            leaf = top
        elif value:
            raise SGMLError(f"text {value[:30]!r} before the first tag", line)
        if closing:
            if leaf is not None and leaf.tag == tag:           # <TAG>value</TAG>
                pos = m.end()
                continue
            at = next((i for i in range(len(stack) - 1, 0, -1) if stack[i].tag == tag), None)
            if at is None:
                raise SGMLError(f"</{tag}> closes no open <{tag}>", line)
            _close(stack, at)
        else:
            node = Node(tag, line)
            stack[-1].children.append(node)
            stack.append(node)
        pos = m.end()
    rest = text[pos:].strip()
    if rest and len(stack) > 1 and not stack[-1].children and stack[-1].text is None:
        stack.pop().text = unescape(rest)                   # the last value of a file cut short
    elif rest:
        raise SGMLError(f"text {rest[:30]!r} after the last tag", line + text.count("\n", pos, len(text) - len(text[pos:].lstrip())))
    if len(stack) > 1:
        raise SGMLError(f"<{stack[1].tag}> is never closed", stack[1].sourceline)
    return root


def _close(stack: list[Node], at: int) -> None:
    """Close stack[at] by its end tag; those opened after it had none: they were empty values,
    and what was read into them belongs to their parent, after them."""
    while len(stack) - 1 > at:
        node = stack.pop()
        parent = stack[-1]
        moved, node.children = node.children, []
        parent.children.extend(moved)
    stack.pop()
