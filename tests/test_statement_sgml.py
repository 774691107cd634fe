"""OFX 1's SGML read by our own small reader (formats/statements/sgml.py): values with or
without end tags, aggregates a bank left open, lines kept, and a tree for any text."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freelance.formats.statements import sgml


def shape(node) -> object:
    """A tree as plain values: (tag, text) for a value, (tag, [children]) for an aggregate."""
    return (node.tag, node.text) if node.text is not None else (node.tag, [shape(c) for c in node.children])


def test_values_with_and_without_end_tags_and_their_lines():
    root = sgml.parse("<OFX>\n<A>1\n<B>two</B>\n<C>\n<D>x &amp; y &#233;\n</C>\n</OFX>\n", first_line=10)
    [ofx] = root.children
    assert shape(ofx) == ("OFX", [("A", "1"), ("B", "two"), ("C", [("D", "x & y \u00e9")])])
    assert [n.sourceline for n in ofx.iter()] == [10, 11, 12, 13, 14]
    assert ofx.find("C/D").text == "x & y \u00e9" and ofx.find("C/E") is None


def test_an_aggregate_left_open_and_an_empty_value_close_with_their_parent():
    # BANKTRANLIST never closed; MEMO empty: what followed them belongs to their parent
    text = ("<STMTRS><BANKTRANLIST><STMTTRN><MEMO><TRNAMT>5</STMTTRN>"
            "<LEDGERBAL><BALAMT>5</LEDGERBAL></STMTRS>")
    [rs] = sgml.parse(text).children
    assert shape(rs) == ("STMTRS", [("BANKTRANLIST", []), ("STMTTRN", [("MEMO", []), ("TRNAMT", "5")]),
                                    ("LEDGERBAL", [("BALAMT", "5")])])
    assert [n.tag for n in rs.iter("STMTTRN")] == ["STMTTRN"]


@pytest.mark.parametrize("text,line,why", [
    ("<OFX>\n<A>1\n</B>\n</OFX>", 3, "</B> closes no open <B>"),
    ("<OFX>\n<A>\n<B>1\n", 1, "<OFX> is never closed"),
    ("junk<OFX></OFX>", 1, "text 'junk' before the first tag"),
    ("<OFX><A>1</A>stray</OFX>", 1, "text 'stray' outside any element"),
    ("<OFX></OFX>\ntail", 2, "text 'tail' after the last tag"),
])
def test_what_does_not_nest_is_named_with_its_line(text, line, why):
    with pytest.raises(sgml.SGMLError) as e:
        sgml.parse(text)
    assert (e.value.line, str(e.value)) == (line, why)


# (a value's tag is never an aggregate's, as in OFX: `<A><A>1</A>` could be read two ways)
AGGREGATES = st.sampled_from(["STMTRS", "BANKTRANLIST", "STMTTRN"])
VALUE_TAGS = st.sampled_from(["NAME", "MEMO", "TRNAMT"])
VALUES = st.text(alphabet="abc xyz123.-", min_size=1, max_size=8).map(str.strip).filter(bool)
TREES = st.recursive(st.tuples(VALUE_TAGS, VALUES),
                     lambda kids: st.tuples(AGGREGATES, st.lists(kids, min_size=1, max_size=4)), max_leaves=20)


def write(node, closed: bool) -> str:
    tag, body = node
    if isinstance(body, str):
        return f"<{tag}>{body}</{tag}>\n" if closed else f"<{tag}>{body}\n"
    return f"<{tag}>\n" + "".join(write(c, closed) for c in body) + f"</{tag}>\n"


@settings(max_examples=150, deadline=None)
@given(tree=st.lists(TREES, min_size=1, max_size=3), closed=st.booleans())
def test_any_tree_written_either_way_reads_back(tree, closed):
    root = ("OFX", tree)
    assert shape(sgml.parse(write(root, closed)).children[0]) == root


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="<>/ABCOFX&;#x1 \n", max_size=80))
def test_any_text_is_a_tree_or_one_sgml_error(text):
    try:
        sgml.parse(text)
    except sgml.SGMLError as e:
        assert e.line >= 1 and "\n" not in str(e)
