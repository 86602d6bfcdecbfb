"""XLIFF 1.2 and 2.1 writers over a document with every kind of translation:
schema validity, states from origins, candidates, notes, and what a CAT-side
reader (translate-toolkit) sees."""

from __future__ import annotations

import pytest
from lxml import etree
from translate.storage.xliff import xlifffile
from translate.storage.xliff2 import Xliff2File

from tandem import align, segment
from tandem.document import Candidate, ModelInfo, Origin, Translation
from tandem.readers.text import parse
from tandem.formats import OUTPUT_FORMATS as WRITERS, xliff2, xliff12

TEXT = ("The council paid $133.3 million. Work begins in May.\n\n"
        "“We waited,” said the mayor. The [old] lighthouse stays.")
MODEL = ModelInfo("translate-en_ru", "1.0", "en", "ru")
NS12 = {"x": xliff12.NS}
NS2 = {"x": xliff2.NS, "mtc": xliff2.MTC}


@pytest.fixture
def doc():
    article = segment.segment_article(parse(TEXT, name="port", source_path="/some/where/port.txt"))
    ids = [s.id for s in article.segments]
    fuzzy = Candidate("Работы начнутся в июне.", Origin.HUMAN, 88.5, "Work begins in June.", "rev.xlf")
    translations = [
        Translation(ids[0], "ru", "Совет заплатил 133 млн долларов.", Origin.MT, score=-0.25, model=MODEL),
        Translation(ids[1], "ru", "Работы начнутся в мае.", Origin.MT, score=-0.5, model=MODEL,
                    candidates=(fuzzy,)),
        Translation(ids[2], "ru", "«Мы ждали», — сказал мэр.", Origin.TM, provenance="sample.tmx"),
        Translation(ids[3], "ru", "Старый маяк [остаётся].", Origin.HUMAN, state="final", provenance="rev.xlf"),
    ]
    return align.align(article, "ru", translations, MODEL)


def test_xliff12_is_strictly_valid_with_states_candidates_and_notes(doc, xliff12_schema):
    tree = etree.fromstring(xliff12.serialize(doc))
    assert xliff12_schema.validate(tree), xliff12_schema.error_log
    units = tree.findall(".//x:trans-unit", NS12)
    states = [(u.find("x:target", NS12).get("state"), u.find("x:target", NS12).get("state-qualifier"),
               u.get("approved")) for u in units]
    assert states == [("needs-review-translation", "leveraged-mt", None),
                      ("needs-review-translation", "leveraged-mt", None),
                      ("translated", "exact-match", "yes"), ("final", None, "yes")]
    notes = [n.text for n in units[0].findall("x:note", NS12)]
    assert any("translate-en_ru 1.0" in n and "score -0.250" in n for n in notes)
    assert any(n.startswith("QA numbers:") and "133.3" in n for n in notes)
    alt = units[1].find("x:alt-trans", NS12)
    assert alt.get("match-quality") == "88.5" and alt.get("origin") == "tandem-reviewed: rev.xlf"
    assert alt.findtext("x:source", namespaces=NS12) == "Work begins in June."
    assert alt.findtext("x:target", namespaces=NS12) == "Работы начнутся в июне."
    assert tree.find("x:file", NS12).get("original") == "port.txt"


def test_xliff2_is_valid_with_states_matches_and_notes(doc, xliff20_schema):
    tree = etree.fromstring(xliff2.serialize(doc))
    assert xliff20_schema.validate(tree), xliff20_schema.error_log
    assert (tree.get("version"), tree.get("srcLang"), tree.get("trgLang")) == ("2.1", "en", "ru")
    assert [g.get("id") for g in tree.findall(".//x:group", NS2)] == ["p1", "p2"]
    units = tree.findall(".//x:unit", NS2)
    assert [u.get("id") for u in units] == [p.segment.id for p in doc.pairs]
    assert [u.find("x:segment", NS2).get("state") for u in units] == ["initial", "initial", "translated", "final"]
    (match,) = units[1].findall("mtc:matches/mtc:match", NS2)
    assert match.get("matchQuality") == "88.50" and match.get("type") == "tm"
    assert match.get("ref") == "#" + units[1].find("x:segment", NS2).get("id")
    assert match.findtext("x:target", namespaces=NS2) == "Работы начнутся в июне."
    categories = [n.get("category") for n in units[0].findall("x:notes/x:note", NS2)]
    assert categories == ["provenance", "qa"]


def test_untranslated_segments_are_new_and_initial(doc, xliff12_schema, xliff20_schema):
    pairs = [p.translation for p in doc.pairs]
    empty = [Translation(t.segment_id, "ru", "", Origin.NONE) for t in pairs]
    blank = align.align(doc.article, "ru", empty)
    tree12 = etree.fromstring(xliff12.serialize(blank))
    assert xliff12_schema.validate(tree12), xliff12_schema.error_log
    assert {t.get("state") for t in tree12.iterfind(".//x:target", NS12)} == {"new"}
    assert {t.text for t in tree12.iterfind(".//x:target", NS12)} == {None}
    tree2 = etree.fromstring(xliff2.serialize(blank))
    assert xliff20_schema.validate(tree2), xliff20_schema.error_log
    assert not tree2.findall(".//x:target", NS2)
    assert {s.get("state") for s in tree2.iterfind(".//x:segment", NS2)} == {"initial"}


def test_translate_toolkit_reads_targets_and_states(doc):
    store12 = xlifffile.parsestring(xliff12.serialize(doc))
    units12 = [u for u in store12.units if not u.isheader()]
    assert [u.target for u in units12] == [p.translation.text for p in doc.pairs]
    assert [u.isfuzzy() for u in units12] == [True, True, False, False]
    assert [u.isreview() for u in units12] == [True, True, False, False]
    store2 = Xliff2File.parsestring(xliff2.serialize(doc))
    assert [u.target for u in store2.units] == [p.translation.text for p in doc.pairs]
    assert [u.isfuzzy() for u in store2.units] == [True, True, False, False]
    assert [u.istranslated() for u in store2.units] == [False, False, True, True]
    assert store2.gettargetlanguage() == "ru"


def test_reviewer_state_from_one_version_maps_onto_the_other(doc, xliff12_schema, xliff20_schema):
    reviewed = [Translation(p.segment.id, "ru", "Готово.", Origin.HUMAN, state=s)
                for p, s in zip(doc.pairs, ["reviewed", "signed-off", "initial", "needs-review-translation"])]
    d = align.align(doc.article, "ru", reviewed)
    tree12, tree2 = etree.fromstring(xliff12.serialize(d)), etree.fromstring(xliff2.serialize(d))
    assert xliff12_schema.validate(tree12) and xliff20_schema.validate(tree2)
    assert [t.get("state") for t in tree12.iterfind(".//x:target", NS12)] == \
        ["signed-off", "signed-off", "needs-review-translation", "needs-review-translation"]
    assert [s.get("state") for s in tree2.iterfind(".//x:segment", NS2)] == \
        ["reviewed", "reviewed", "initial", "translated"]


def test_xliff2_file_name_says_its_version(doc):
    assert WRITERS["xliff21"].file_name(doc) == "port.en-ru.xliff2.xlf"
    assert WRITERS["xliff12"].file_name(doc) == "port.en-ru.xlf"
