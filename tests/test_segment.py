import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem import segment
from tandem.document import content_hash
from tandem.errors import InputError
from tandem.readers.text import parse, read

SAMPLE = Path(segment.__file__).resolve().parent.parent / "samples" / "harbor-radar.txt"

# A rule set that breaks only after a semicolon, to show that --rules replaces the rules.
SEMICOLON_SRX = """<?xml version="1.0" encoding="UTF-8"?>
<srx xmlns="http://www.lisa.org/srx20" version="2.0">
  <header segmentsubflows="yes" cascade="yes"/>
  <body>
    <languagerules>
      <languagerule languagerulename="Semicolons">
        <rule break="yes"><beforebreak>;</beforebreak><afterbreak>\\s</afterbreak></rule>
      </languagerule>
    </languagerules>
    <maprules><languagemap languagepattern=".*" languagerulename="Semicolons"/></maprules>
  </body>
</srx>
"""


def spans(text, **options):
    return [text[a:b] for a, b in segment.split_sentences(text, **options)]


def test_basic_sentences_and_abbreviations():
    assert spans("Dr. Okafor spoke at 7 p.m. on Friday. Mr. Reyes did not.") == [
        "Dr. Okafor spoke at 7 p.m. on Friday.", "Mr. Reyes did not."]


def test_segments_keep_article_offsets_ids_and_hashes():
    text = "Title\n\nOne. Two!  Three?\n"
    article = segment.segment_article(parse(text, name="a", source_path="a.txt"))
    assert [s.id for s in article.segments] == ["p1.s1", "p2.s1", "p2.s2", "p2.s3"]
    for s in article.segments:
        assert text[s.start:s.end] == s.text
        assert s.hash == content_hash(s.text)


def test_hash_tells_an_edited_segment_from_an_unchanged_one():
    before = segment.segment_article(parse("Same here. Old text.", name="a", source_path="a.txt"))
    after = segment.segment_article(parse("Same here. New text.", name="a", source_path="a.txt"))
    assert [s.id for s in before.segments] == [s.id for s in after.segments]
    assert before.segments[0].hash == after.segments[0].hash
    assert before.segments[1].hash != after.segments[1].hash


def test_article_language_picks_the_rules():
    text = "Работы начнутся в 2026 г. в мае. Совет доволен."
    article = segment.segment_article(parse(text, name="a", source_path="a.txt", language="ru"))
    assert [s.text for s in article.segments] == ["Работы начнутся в 2026 г. в мае.", "Совет доволен."]
    assert spans("工事が始まった。住民は喜んだ。", language="ja") == ["工事が始まった。", "住民は喜んだ。"]


def test_sample_article_segments_as_reviewed_translations_expect():
    article = segment.segment_article(read(SAMPLE))
    texts = {s.id: s.text for s in article.segments}
    assert len(article.segments) == 26
    assert texts["p6.s1"] == ("The upgrade follows a report by the U.S. Coast Guard that found gaps "
                              "in coverage near the northern breakwater.")
    assert texts["p15.s2"] == ("“Who will pay when the budget runs over?” asked Greta Lindqvist, "
                               "who runs a fishing charter from the marina.")
    assert texts["p11.s1"].endswith('"optimistic at best.')
    assert texts["p12.s1"] == 'It is not unusual for such projects to run 18 months late," she added.'
    assert [p.number for p in article.paragraphs if len(p.segments) > 1] == [4, 5, 6, 9, 10, 12, 13, 14, 15]


def test_rules_file_replaces_the_built_in_rules(tmp_path):
    rules = tmp_path / "semicolons.srx"
    rules.write_text(SEMICOLON_SRX, encoding="utf-8")
    text = "One. Two; three. Four"
    assert spans(text) == ["One.", "Two; three.", "Four"]
    assert spans(text, rules=rules) == ["One. Two;", "three. Four"]
    article = segment.segment_article(parse(text, name="a", source_path="a.txt"), rules=rules)
    assert [s.text for s in article.segments] == ["One. Two;", "three. Four"]


@pytest.mark.parametrize("content, message", [
    ("<srx", "not well-formed XML"),
    ("<rules/>", "not an SRX 2.0 file"),
    (SEMICOLON_SRX.replace("<beforebreak>;", "<beforebreak>[;"), "bad regular expression"),
    (SEMICOLON_SRX.replace('break="yes"', 'break="maybe"'), 'break must be "yes" or "no"'),
    (SEMICOLON_SRX.replace('languagerulename="Semicolons"/>', 'languagerulename="Other"/>'),
     "unknown languagerule 'Other'"),
    (SEMICOLON_SRX.replace('languagepattern=".*"', 'languagepattern="de"'), "no <languagemap> matches"),
])
def test_bad_rules_file_is_an_input_error_naming_the_file(tmp_path, content, message):
    rules = tmp_path / "bad.srx"
    rules.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        segment.split_sentences("One. Two.", rules=rules)
    assert caught.value.exit_code == 2 and caught.value.path == str(rules)


def test_missing_rules_file(tmp_path):
    with pytest.raises(InputError, match="no such rules file"):
        segment.split_sentences("One. Two.", rules=tmp_path / "missing.srx")


def test_rules_file_with_a_doctype_is_refused(tmp_path):
    rules = tmp_path / "entity.srx"
    rules.write_text(SEMICOLON_SRX.replace('<?xml version="1.0" encoding="UTF-8"?>',
                                           '<?xml version="1.0"?><!DOCTYPE srx [<!ENTITY semi ";">]>')
                     .replace("<beforebreak>;", "<beforebreak>&semi;"), encoding="utf-8")
    with pytest.raises(InputError, match="must not have a <!DOCTYPE>"):
        segment.split_sentences("Two; three", rules=rules)


def test_twenty_paragraphs_take_milliseconds():
    paragraphs = SAMPLE.read_text(encoding="utf-8").split("\n\n")
    text = "\n\n".join((paragraphs * 2)[:20])
    article = parse(text, name="a", source_path="a.txt")
    segment.segment_article(article)  # rules are compiled once, on first use
    began = time.perf_counter()
    segment.segment_article(article)
    assert time.perf_counter() - began < 0.25  # about 5 ms here; generous for a busy machine


# Round trip: generated text with many of the characters the rules look at.
_ALPHABET = st.sampled_from(list("aZ q.!?…\"'“”‘’«»()[]:;,—-1 2\t\n\u00a0。！？「」『』（）、とЙя.$") + ["U.S.", "Mr.", "p.m.", "1.)", "• "])
_TEXT = st.lists(_ALPHABET, max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, language=st.sampled_from(["en", "ru", "ja"]))
def test_spans_and_original_whitespace_rebuild_the_text(text, language):
    found = segment.split_sentences(text, language=language)
    rebuilt, position = [], 0
    for start, end in found:
        assert position <= start < end <= len(text)
        assert text[position:start].isspace() or position == start
        piece = text[start:end]
        assert piece == piece.strip() and piece
        rebuilt += [text[position:start], piece]
        position = end
    assert not text[position:].strip()
    assert "".join(rebuilt) + text[position:] == text


@settings(max_examples=80, deadline=None)
@given(paragraphs=st.lists(_TEXT.filter(lambda t: t.strip() and "\n" not in t), min_size=1, max_size=5))
def test_segments_never_cross_a_paragraph_and_rebuild_it(paragraphs):
    text = "\n\n".join(paragraphs)
    if not text.strip():
        return
    article = segment.segment_article(parse(text, name="a", source_path="a.txt"))
    for paragraph in article.paragraphs:
        joined, position = "", paragraph.start
        for s in paragraph.segments:
            assert paragraph.start <= s.start < s.end <= paragraph.start + len(paragraph.text)
            assert text[s.start:s.end] == s.text and s.id == f"p{paragraph.number}.s{s.number}"
            joined += text[position:s.start] + s.text
            position = s.end
        assert joined == paragraph.text


def test_rules_files_are_parsed_by_the_one_safe_parser_factory(tmp_path, monkeypatch):
    from tandem.formats import xml
    from tandem.segment import srx

    made = []
    real = xml.parser
    monkeypatch.setattr(xml, "parser", lambda: made.append(True) or real())
    rules = tmp_path / "copy.srx"
    rules.write_bytes(srx.DEFAULT_RULES.read_bytes())
    assert srx.load(str(rules)).maps
    assert made == [True]
