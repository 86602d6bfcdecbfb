"""Glossary terms masked as protected codes for MT and put back after (tandem.mt.masking)."""

from __future__ import annotations

from tandem.document import (CodeKind, CodeRole, GlossaryEntry, InlineCode, Origin, Segment, TargetTerm,
                             TermMatch, TermStatus, Translation)
from tandem.mt import codes as placement
from tandem.mt.engine import MTResult
from tandem.mt.masking import mask, masked_terms, unmask

THAAD = GlossaryEntry("THAAD", do_not_translate=True, case_sensitive=True)
LAVROV = GlossaryEntry("Sergei Lavrov", (TargetTerm("ru", "Сергей Лавров"), TargetTerm("ru", "Сергей Лавроф",
                                                                                         TermStatus.FORBIDDEN),
                                         TargetTerm("ja", "セルゲイ・ラブロフ")))
RADAR = GlossaryEntry("radar", (TargetTerm("ru", "радар", TermStatus.ADMITTED),))


def _match(entry: GlossaryEntry, text: str, found: str) -> TermMatch:
    start = text.index(found)
    return TermMatch(entry, start, start + len(found), found)


def _link(start: int, end: int) -> tuple[InlineCode, InlineCode]:
    return (InlineCode("1", CodeRole.OPEN, CodeKind.LINK, '<a href="/t">', start),
            InlineCode("1", CodeRole.CLOSE, CodeKind.LINK, "</a>", end))


def test_only_do_not_translate_terms_are_masked_unless_terms_are_enforced():
    text = "Sergei Lavrov saw the THAAD radar."
    matches = [_match(LAVROV, text, "Sergei Lavrov"), _match(THAAD, text, "THAAD"), _match(RADAR, text, "radar")]
    assert [m.entry for m in masked_terms(matches, "ru", enforce=False)] == [THAAD]
    assert [m.entry for m in masked_terms(matches, "ru", enforce=True)] == [LAVROV, THAAD, RADAR]
    assert [m.entry for m in masked_terms(matches, "ja", enforce=True)] == [LAVROV, THAAD]  # no ja radar


def test_the_model_still_reads_the_whole_sentence_and_codes_keep_their_order_around_the_term():
    text = "The THAAD battery moved."
    segment = Segment(1, 1, text, 0, len(text), _link(4, 5 + 12))  # <a>THAAD battery</a>
    masked = mask(segment, [_match(THAAD, text, "THAAD")], "ru")
    assert masked.segment.text == "The  battery moved."
    assert placement.model_text(masked.segment) == text
    assert [(c.id, c.role, c.offset) for c in masked.segment.codes] == [
        ("1", CodeRole.OPEN, 4), ("term1", CodeRole.STANDALONE, 4), ("1", CodeRole.CLOSE, 12)]


def test_a_term_a_code_cuts_is_not_masked():
    text = "Sergei Lavrov spoke."
    segment = Segment(1, 1, text, 0, len(text), (InlineCode("1", CodeRole.OPEN, CodeKind.BOLD, "<b>", 0),
                                                  InlineCode("1", CodeRole.CLOSE, CodeKind.BOLD, "</b>", 6)))
    assert mask(segment, [_match(LAVROV, text, "Sergei Lavrov")], "ru", enforce=True) is None


def test_unmask_writes_the_term_where_its_code_landed_and_leaves_the_source_codes():
    text = "The THAAD battery moved."
    segment = Segment(1, 1, text, 0, len(text), _link(4, 17))
    masked = mask(segment, [_match(THAAD, text, "THAAD")], "ru")
    term = next(c for c in masked.segment.codes if c.id == "term1")
    # As the placement would give it back: the link around "батарея ", the term code inside.
    target_codes = (InlineCode("1", CodeRole.OPEN, CodeKind.LINK, '<a href="/t">', 0), term.__class__(
        term.id, term.role, term.kind, term.data, 8, term.equiv), InlineCode("1", CodeRole.CLOSE, CodeKind.LINK, "</a>", 8))
    translation = Translation(segment.id, "ru", "батарея  переехала.", Origin.MT, codes=target_codes)
    back = unmask(translation, masked, text)
    assert back.text == "батарея THAAD переехала."
    assert [(c.id, c.role, c.offset) for c in back.codes] == [("1", CodeRole.OPEN, 0), ("1", CodeRole.CLOSE, 13)]


def test_a_copied_term_comes_back_verbatim_through_the_real_placement():
    """Placement on a translation that copies the sentence (as the copying model does): the term
    text is found verbatim, taken out for its code, and unmasking puts the term back there."""
    text = "Officials said THAAD would stay."
    segment = Segment(1, 1, text, 0, len(text))
    masked = mask(segment, [_match(THAAD, text, "THAAD")], "ru")
    placed = placement.place(masked.segment, MTResult(text, -0.1))
    translation = Translation(segment.id, "ru", placed.text, Origin.MT, codes=placed.codes)
    back = unmask(translation, masked, text)
    assert (back.text, back.codes) == (text, ())


def test_enforced_terms_are_replaced_by_the_preferred_target_term():
    text = "Sergei Lavrov arrived."
    segment = Segment(1, 1, text, 0, len(text))
    masked = mask(segment, [_match(LAVROV, text, "Sergei Lavrov")], "ja", enforce=True)
    assert dict(masked.replacements) == {"term1": "セルゲイ・ラブロフ"}
    term = masked.segment.codes[0]
    translation = Translation(segment.id, "ja", "が到着した。", Origin.MT, codes=(term,))
    assert unmask(translation, masked, text).text == "セルゲイ・ラブロフが到着した。"
