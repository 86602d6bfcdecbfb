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


# -- inline codes ------------------------------------------------------------------------

def _coded_doc():
    """A paragraph with a link around one word, nested emphasis inside a link, a line break, a
    protected name, and a link that spans two sentences (isolated start and end)."""
    from tandem.document import CodeKind, CodeRole, InlineCode, Paragraph
    from tandem.document import Article

    def code(i, role, kind, data, at, equiv=""):
        return InlineCode(i, role, kind, data, at, equiv)

    text = "I use Google every day. Read the report now. It is long."
    codes = (code("1", CodeRole.OPEN, CodeKind.LINK, '<a href="https://example.org/g">', 6),
             code("1", CodeRole.CLOSE, CodeKind.LINK, "</a>", 12),
             code("2", CodeRole.STANDALONE, CodeKind.BREAK, "<br>", 23),
             code("3", CodeRole.OPEN, CodeKind.LINK, '<a href="/report">', 33),
             code("4", CodeRole.OPEN, CodeKind.BOLD, "<strong>", 33),
             code("4", CodeRole.CLOSE, CodeKind.BOLD, "</strong>", 39),
             code("3", CodeRole.CLOSE, CodeKind.LINK, "</a>", 50))
    article = Article("coded", "coded.html", "en", text, (Paragraph(1, text, 0, codes=codes),), format="html")
    article = segment.segment_article(article)
    translations = [Translation(s.id, "ru", s.text.upper(), Origin.MT, score=-0.5, model=MODEL, codes=s.codes)
                    for s in article.segments]
    return align.align(article, "ru", translations, MODEL)


@pytest.mark.parametrize("version", ["1.2", "2.1"])
def test_codes_are_written_valid_and_read_back_where_they_were(version, request, tmp_path):
    doc = _coded_doc()
    first, second, third = doc.article.segments
    assert [c.role.value for c in second.codes] == ["start", "open", "close"]  # the link crosses into s3
    fmt = OUTPUT_FORMATS[XLIFF_VERSIONS[version].kind]
    data = fmt.serialize(doc)
    schema = request.getfixturevalue("xliff12_schema" if version == "1.2" else "xliff20_schema")
    assert schema.validate(etree.fromstring(data)), schema.error_log
    path = tmp_path / fmt.file_name(doc)
    path.write_bytes(data)
    (reviewed,) = read_reviewed(path)
    for unit, seg in zip(reviewed.units, doc.article.segments):
        assert unit.source == seg.text and unit.target == seg.text.upper()
        expected = sorted((c.id, c.role.value, c.offset) for c in seg.codes)
        assert sorted((m.id, m.role.value, m.offset) for m in unit.source_marks) == expected
        assert sorted((m.id, m.role.value, m.offset) for m in unit.target_marks) == expected


def test_translate_toolkit_sees_the_codes_as_placeables(tmp_path):
    from translate.storage.xliff import xlifffile
    from translate.storage.xliff2 import Xliff2File

    doc = _coded_doc()
    store12 = xlifffile.parsestring(OUTPUT_FORMATS["xliff12"].serialize(doc))
    store2 = Xliff2File.parsestring(OUTPUT_FORMATS["xliff21"].serialize(doc))
    assert [u.source for u in store12.units] == [s.text for s in doc.article.segments]
    placeables = [type(p).__name__ for p in store12.units[0].rich_source[0].flatten()]
    assert "G" in placeables  # <g> is seen as a paired code, not text
    assert len(store2.units) == 3 and store2.units[0].source == doc.article.segments[0].text
