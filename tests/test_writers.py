"""Writer tests over a synthetic document: every registered format is checked
for completeness and escaping, then each format for its own rules."""

from __future__ import annotations

import pytest
from lxml import etree

from tandem import align, segment
from tandem.document import Origin, Translation
from tandem.readers.text import parse
from tandem.writers import WRITERS, xliff12

TRICKY = 'He wrote <script>alert("x")</script> & left. “Fine,” she said — [the] end.\n\nSecond paragraph.'


@pytest.fixture
def doc():
    article = segment.segment_article(parse(TRICKY, name="tricky", source_path="in/tricky.txt"))
    translations = [Translation(s.id, "ru", f"Перевод <b>{i}</b> & «{i}»", Origin.MT, score=-0.5)
                    for i, s in enumerate(article.segments)]
    return align.align(article, "ru", translations)


@pytest.mark.parametrize("kind", sorted(k for k, w in WRITERS.items() if w.every_segment))
def test_every_writer_keeps_every_segment_as_text(kind, doc):
    data = WRITERS[kind].serialize(doc).decode("utf-8")
    assert "<script>" not in data
    for pair in doc.pairs:
        assert pair.segment.id in data


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_file_names_say_the_language_pair(kind, doc):
    assert WRITERS[kind].file_name(doc).startswith("tricky.en-ru.")


def test_xliff12_is_valid_and_round_trips_text(doc, xliff12_schema):
    tree = etree.fromstring(xliff12.serialize(doc))
    assert xliff12_schema.validate(tree), xliff12_schema.error_log
    ns = {"x": xliff12.NS}
    sources = [u.findtext("x:source", namespaces=ns) for u in tree.iterfind(".//x:trans-unit", ns)]
    assert sources == [p.segment.text for p in doc.pairs]
    file_el = tree.find("x:file", ns)
    assert file_el.get("original") == "tricky.txt"
    assert tree.find(".//x:header/x:tool", ns).get("tool-name") == "Tandem"

