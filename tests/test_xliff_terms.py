"""Glossary terms in the XLIFF: 1.2 ``<mrk mtype="term|protected">`` and a glossary note, 2.1
``<mrk type="term" translate="no">`` and the Glossary module; both valid, both read back as
before (the marks are annotations, not codes)."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from tandem import align, segment
from tandem.document import (Article, CodeKind, CodeRole, GlossaryEntry, InlineCode, Origin, Paragraph, TargetTerm,
                             TermMatch, TermStatus, Translation)
from tandem.formats import xliff12, xliff2

X12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
X2 = {"x": "urn:oasis:names:tc:xliff:document:2.0", "gls": "urn:oasis:names:tc:xliff:glossary:2.0"}
TEXT = "Sergei Lavrov said the THAAD battery stays."
LAVROV = GlossaryEntry("Sergei Lavrov", (TargetTerm("ru", "Сергей Лавров"),
                                         TargetTerm("ru", "Сергей Лавроф", TermStatus.FORBIDDEN)),
                       note="Russian foreign minister", origin="names.tbx")
THAAD = GlossaryEntry("THAAD", do_not_translate=True, case_sensitive=True)
BATTERY = GlossaryEntry("battery stays", (TargetTerm("ru", "батарея остаётся"),))  # cut by the link: unmarked
LINK = (InlineCode("1", CodeRole.OPEN, CodeKind.LINK, '<a href="/thaad">', 23),
        InlineCode("1", CodeRole.CLOSE, CodeKind.LINK, "</a>", 36))  # "THAAD battery"


def _doc():
    article = Article("t", "t.html", "en", TEXT, (Paragraph(1, TEXT, 0, codes=LINK),), format="html")
    article = segment.segment_article(article)
    only = article.segments[0]
    target = "Сергей Лавров сказал, что батарея THAAD остаётся."
    codes = (replace(LINK[0], offset=26), replace(LINK[1], offset=39))
    doc = align.align(article, "ru", [Translation(only.id, "ru", target, Origin.MT, codes=codes)])
    terms = tuple(TermMatch(e, TEXT.index(t), TEXT.index(t) + len(t), t)
                  for e, t in ((LAVROV, "Sergei Lavrov"), (THAAD, "THAAD"), (BATTERY, "battery stays")))
    return replace(doc, pairs=tuple(replace(p, terms=terms) for p in doc.pairs))


def test_xliff12_marks_terms_in_the_source_and_lists_them_in_a_note(xliff12_schema):
    root = etree.fromstring(xliff12.serialize(_doc()))
    assert xliff12_schema.validate(root), xliff12_schema.error_log
    source = root.find(".//x:source", X12)
    assert [(m.get("mtype"), "".join(m.itertext())) for m in source.iter("{*}mrk")] == [
        ("term", "Sergei Lavrov"), ("protected", "THAAD")]
    assert source.find("x:g/x:mrk", X12) is not None  # the DNT term inside the link's <g>
    note = next(n.text for n in root.iterfind(".//x:note", X12) if n.get("from") == "tandem-glossary")
    assert "Sergei Lavrov: Сергей Лавров (preferred); not Сергей Лавроф (forbidden)" in note
    assert "THAAD: do not translate" in note and "battery stays: батарея остаётся" in note


def test_xliff21_has_the_glossary_module_and_translate_no_marks(xliff20_schema):
    root = etree.fromstring(xliff2.serialize(_doc()))
    assert xliff20_schema.validate(root), xliff20_schema.error_log
    marks = {m.get("id"): m for m in root.iter("{urn:oasis:names:tc:xliff:document:2.0}mrk")}
    assert {k: (m.get("type"), m.get("translate")) for k, m in marks.items()} == {
        "m1": ("term", None), "m2": ("term", "no")}
    entries = root.findall(".//gls:glossary/gls:glossEntry", X2)
    assert [(e.get("ref"), e.findtext("gls:term", namespaces=X2)) for e in entries] == [
        ("#m1", "Sergei Lavrov"), ("#m2", "THAAD"), (None, "battery stays")]
    assert [t.text for t in entries[0].findall("gls:translation", X2)] == ["Сергей Лавров"]
    assert entries[0].find("gls:term", X2).get("source") == "names.tbx"
    assert "Russian foreign minister" in entries[0].findtext("gls:definition", namespaces=X2)
    assert [t.text for t in entries[1].findall("gls:translation", X2)] == ["THAAD"]


def test_marks_are_annotations_the_readers_see_through(tmp_path):
    doc = _doc()
    for module, name in ((xliff12, "t.en-ru.xlf"), (xliff2, "t.en-ru.xliff2.xlf")):
        path = tmp_path / name
        path.write_bytes(module.serialize(doc))
        from tandem.formats import read_reviewed
        (reviewed,) = read_reviewed(path)
        (unit,) = reviewed.units
        assert unit.source == TEXT, module.__name__
        assert [(m.id, m.role) for m in unit.source_marks] == [("1", CodeRole.OPEN), ("1", CodeRole.CLOSE)]


def test_translate_toolkit_reads_the_marked_files():
    from translate.storage.xliff import xlifffile
    from translate.storage.xliff2 import Xliff2File

    doc = _doc()
    (unit,) = [u for u in xlifffile.parsestring(xliff12.serialize(doc)).units if not u.isheader()]
    assert "Sergei Lavrov" in unit.source and "THAAD" in unit.source
    (unit2,) = [u for u in Xliff2File.parsestring(xliff2.serialize(doc)).units if not u.isheader()]
    assert "Sergei Lavrov" in str(unit2.source)
