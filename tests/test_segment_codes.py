"""Segmentation over marked-up text: codes never move a boundary, and go with the sentence
they belong to; pairs cut by a boundary become isolated starts and ends, and join back."""

from __future__ import annotations

from tandem import segment
from tandem.document import CodeKind, CodeRole, InlineCode, Paragraph
from tandem.segment.codes import join, well_formed


def _code(id_, role, kind, data, at):
    return InlineCode(id_, role, kind, data, at)


def _paragraph(text, codes):
    return Paragraph(1, text, 0, codes=tuple(codes))


def test_boundaries_are_the_plain_texts_whatever_the_codes():
    text = "I use Google every day. The council met."
    link = [_code("1", CodeRole.OPEN, CodeKind.LINK, '<a href="https://example.org">', 6),
            _code("1", CodeRole.CLOSE, CodeKind.LINK, "</a>", 12)]
    plain = segment.segment_paragraph(_paragraph(text, []))
    marked = segment.segment_paragraph(_paragraph(text, link))
    assert [s.text for s in marked.segments] == [s.text for s in plain.segments] == \
        ["I use Google every day.", "The council met."]
    first, second = marked.segments
    assert [(c.role, c.offset) for c in first.codes] == [(CodeRole.OPEN, 6), (CodeRole.CLOSE, 12)]
    assert second.codes == ()
    assert first.hash != plain.segments[0].hash  # the content hash covers the codes


def test_codes_in_the_gap_go_where_they_read():
    text = "First one. Second one."
    codes = [_code("1", CodeRole.OPEN, CodeKind.ITALIC, "<em>", 0),
             _code("1", CodeRole.CLOSE, CodeKind.ITALIC, "</em>", 10),  # right after "First one."
             _code("2", CodeRole.STANDALONE, CodeKind.BREAK, "<br>", 10),  # touching the end: stays
             _code("3", CodeRole.OPEN, CodeKind.BOLD, "<b>", 11)]  # after the space: the next one
    codes.append(_code("3", CodeRole.CLOSE, CodeKind.BOLD, "</b>", 22))
    first, second = segment.segment_paragraph(_paragraph(text, codes)).segments
    assert [(c.id, c.role, c.offset) for c in first.codes] == [
        ("1", CodeRole.OPEN, 0), ("1", CodeRole.CLOSE, 10), ("2", CodeRole.STANDALONE, 10)]
    assert [(c.id, c.role, c.offset) for c in second.codes] == [("3", CodeRole.OPEN, 0), ("3", CodeRole.CLOSE, 11)]


def test_a_link_spanning_two_sentences_becomes_isolated_codes_and_joins_back():
    text = "Read the report. It is long."
    codes = [_code("1", CodeRole.OPEN, CodeKind.LINK, '<a href="/r">', 9),
             _code("1", CodeRole.CLOSE, CodeKind.LINK, "</a>", 19)]
    first, second = segment.segment_paragraph(_paragraph(text, codes)).segments
    assert [(c.role, c.offset) for c in first.codes] == [(CodeRole.START, 9)]
    assert [(c.role, c.offset) for c in second.codes] == [(CodeRole.END, 2)]
    joined_text, joined = join([(first.text, first.codes), (second.text, second.codes)], [" "])
    assert joined_text == text and [(c.role, c.offset) for c in joined] == \
        [(CodeRole.OPEN, 9), (CodeRole.CLOSE, 19)]


def test_well_formedness_accepts_reordering_and_refuses_broken_pairs():
    a_open, a_close = _code("1", CodeRole.OPEN, CodeKind.BOLD, "", 0), _code("1", CodeRole.CLOSE, CodeKind.BOLD, "", 4)
    b_open, b_close = _code("2", CodeRole.OPEN, CodeKind.ITALIC, "", 5), _code("2", CodeRole.CLOSE, CodeKind.ITALIC, "", 9)
    assert well_formed([b_open, b_close, a_open, a_close]) is None  # listed in another order
    nested = [_code("2", CodeRole.OPEN, CodeKind.ITALIC, "", 0), a_open, a_close,
              _code("2", CodeRole.CLOSE, CodeKind.ITALIC, "", 4)]
    assert well_formed(nested) is None  # renested, still well formed
    overlap = [a_open, _code("2", CodeRole.OPEN, CodeKind.ITALIC, "", 2), a_close,
               _code("2", CodeRole.CLOSE, CodeKind.ITALIC, "", 6)]
    assert well_formed(overlap) == "codes 2 and 1 overlap"
    assert well_formed([a_open]) == "code 1 is never closed"
    empty = [_code("1", CodeRole.OPEN, CodeKind.BOLD, "", 3), _code("1", CodeRole.CLOSE, CodeKind.BOLD, "", 3)]
    assert well_formed(empty) is None
