"""One shared test class for every format of the registry, in the manner of translate-toolkit's
``TestTranslationStore``: serialise a document with every kind of translation, read the bytes
back with the same module, and compare.  A format added to ``tandem.formats.OUTPUT_FORMATS``
without a subclass here fails ``test_every_registered_format_is_tested``."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tandem import align, segment
from tandem.document import Candidate, ModelInfo, Origin, Translation
from tandem.formats import OUTPUT_FORMATS, XLIFF_CHOICES, XLIFF_VERSIONS, parse_xliff_choice, read_reviewed, tmx
from tandem.errors import InputError
from tandem.readers.text import parse

TRICKY = ('He wrote <script>alert("x")</script> & left. “Fine,” she said — [the] end.\n\n'
          'It cost $133.3 million.  Two  spaces stay.\n\nNobody translated this one.')
MODEL = ModelInfo("translate-en_ru", "1.0", "en", "ru")


@pytest.fixture
def doc():
    article = segment.segment_article(parse(TRICKY, name="tricky", source_path="in/tricky.txt"))
    ids = [s.id for s in article.segments]
    alt = Candidate("Перевод иначе.", Origin.MT, 41.5, article.segments[0].text, "translate-en_ru 1.0")
    translations = [
        Translation(ids[0], "ru", "Он написал <script> & ушёл.", Origin.MT, score=-0.5, model=MODEL, candidates=(alt,)),
        Translation(ids[1], "ru", "«Ладно», <script> — сказала она — [тот] конец.", Origin.TM, provenance="a.tmx"),
        Translation(ids[2], "ru", "Это стоило 133,3 млн долларов.", Origin.HUMAN, state="final", provenance="r.xlf"),
        Translation(ids[3], "ru", "Два  пробела остаются?", Origin.HUMAN, state="needs-review-translation",
                    provenance="r.xlf"),
        Translation(ids[4], "ru", "", Origin.NONE),
    ]
    return align.align(article, "ru", translations, MODEL)


class FormatRoundTrip:
    """What every format must do; subclasses say which format and how to read it back."""

    kind = ""

    @property
    def fmt(self):
        return OUTPUT_FORMATS[self.kind]

    def read_back(self, path: Path) -> dict[str, tuple[str, str | None]]:
        """Source text -> (target text, state) as the format's own reader sees it."""
        raise NotImplementedError

    def expected(self, doc) -> dict[str, tuple[str, str | None]]:
        raise NotImplementedError

    def write(self, doc, tmp_path) -> Path:
        path = tmp_path / self.fmt.file_name(doc)
        path.write_bytes(self.fmt.serialize(doc))
        return path

    def test_serialise_then_read_back_gives_the_document(self, doc, tmp_path):
        assert self.read_back(self.write(doc, tmp_path)) == self.expected(doc)

    def test_markup_in_text_stays_text(self, doc, tmp_path):
        data = self.write(doc, tmp_path).read_bytes()
        assert b"<script>" not in data and b"&lt;script&gt;" in data

    def test_file_name_says_the_language_pair(self, doc):
        assert self.fmt.file_name(doc) == f"tricky.en-ru{self.fmt.suffix}"

    def test_serialising_is_deterministic(self, doc):
        assert self.fmt.serialize(doc) == self.fmt.serialize(doc)

    def test_hostile_xml_is_refused_by_the_reader(self, tmp_path):
        path = tmp_path / f"hostile{self.fmt.suffix}"
        path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
        with pytest.raises(InputError, match="refusing XML with a DOCTYPE"):
            self.read_back(path)


class XliffRoundTrip(FormatRoundTrip):
    version = ""

    @property
    def kind(self):
        return XLIFF_VERSIONS[self.version].kind

    def read_back(self, path):
        (reviewed,) = read_reviewed(path)
        assert (reviewed.version, reviewed.original, reviewed.source_lang, reviewed.target_lang) == \
            (self.version, "tricky.txt", "en", "ru")
        return {u.source: (u.target or "", u.state) for u in reviewed.units}

    def expected(self, doc):
        states = XLIFF_VERSIONS[self.version].states
        return {p.segment.text: (p.translation.text, states.written(p.translation)) for p in doc.pairs}

    def test_valid_against_the_official_schema(self, doc, request):
        schema = request.getfixturevalue("xliff12_schema" if self.version == "1.2" else "xliff20_schema")
        tree = etree.fromstring(self.fmt.serialize(doc))
        assert schema.validate(tree), schema.error_log

    def test_unit_ids_are_the_segment_ids(self, doc, tmp_path):
        (reviewed,) = read_reviewed(self.write(doc, tmp_path))
        assert [u.id for u in reviewed.units] == [p.segment.id for p in doc.pairs]


class TestXliff12(XliffRoundTrip):
    version = "1.2"


class TestXliff21(XliffRoundTrip):
    version = "2.1"


class TestTmx(FormatRoundTrip):
    kind = "tmx"

    def read_back(self, path):
        return {e.source_text: (e.target_text, None) for e in tmx.read_entries(path)}

    def expected(self, doc):
        """Only finished work: memory matches and reviewed human work (not MT, not work in review)."""
        return {p.segment.text: (p.translation.text, None) for p in doc.pairs
                if p.translation.origin in (Origin.TM, Origin.HUMAN) and not p.translation.in_review}


def test_every_registered_format_is_tested():
    tested = {TestXliff12().kind, TestXliff21().kind, TestTmx.kind}
    assert tested == set(OUTPUT_FORMATS)


def test_the_xliff_choices_come_from_the_registry():
    assert XLIFF_CHOICES == (*XLIFF_VERSIONS, "both")
    assert parse_xliff_choice("both") == tuple(XLIFF_VERSIONS)
    with pytest.raises(InputError, match="unknown XLIFF version '3.0'"):
        parse_xliff_choice("3.0")
