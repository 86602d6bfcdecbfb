"""XLIFF 2.1 writer (``NAME.en-LANG.xliff2.xlf``), from the same data as 1.2.

``<file>`` per article and language, ``<group id="pN">`` per paragraph,
``<unit id="pN.sM">`` per segment with one ``<segment state>``.  Fuzzy and
reviewed candidates use the Translation Candidates module
(``urn:oasis:names:tc:xliff:matches:2.0``); the MT score, provenance and QA
findings are unit ``<notes>``.  Valid against ``xliff-core-2.0.xsd`` (which
also checks 2.1 core documents; modules are validated laxly).
"""

from __future__ import annotations

from pathlib import PurePath

from lxml import etree

from tandem import __version__
from tandem.document import AlignedPair, BilingualDocument, Candidate, Origin
from tandem.writers.xliffcommon import candidate_origin, state_20, unit_notes

NS = "urn:oasis:names:tc:xliff:document:2.0"
MTC = "urn:oasis:names:tc:xliff:matches:2.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
SEGMENT_ID = "s1"  # one segment per unit: Tandem's units are sentences already
_MATCH_TYPE = {Origin.MT: "mt", Origin.TM: "tm", Origin.HUMAN: "tm"}


def serialize(doc: BilingualDocument) -> bytes:
    """Return the XLIFF 2.1 document for ``doc`` as UTF-8 bytes."""
    root = etree.Element(_q("xliff"), nsmap={None: NS, "mtc": MTC}, version="2.1",
                         srcLang=doc.article.language, trgLang=doc.target_language)
    file_el = etree.SubElement(root, _q("file"), id="f1", original=PurePath(doc.article.source_path).name)
    notes = etree.SubElement(file_el, _q("notes"))
    etree.SubElement(notes, _q("note"), category="tool").text = f"Tandem {__version__}"
    for paragraph in doc.article.paragraphs:
        group = etree.SubElement(file_el, _q("group"), id=f"p{paragraph.number}", type="tandem:paragraph")
        for pair in doc.pairs_in_paragraph(paragraph.number):
            _unit(group, pair, doc)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _unit(group: etree._Element, pair: AlignedPair, doc: BilingualDocument) -> None:
    translation = pair.translation
    unit = etree.SubElement(group, _q("unit"), id=pair.segment.id)
    unit.set(XML_SPACE, "preserve")  # segment text is exact, spaces included
    if translation.candidates:
        matches = etree.SubElement(unit, f"{{{MTC}}}matches")
        for candidate in translation.candidates:
            _match(matches, candidate, pair.segment.text)
    _notes(unit, pair)
    segment = etree.SubElement(unit, _q("segment"), id=SEGMENT_ID, state=state_20(translation))
    etree.SubElement(segment, _q("source")).text = pair.segment.text
    if translation.text:
        etree.SubElement(segment, _q("target")).text = translation.text


def _notes(unit: etree._Element, pair: AlignedPair) -> None:
    texts = [("provenance", 1, t) for t in unit_notes(pair.translation)]
    texts += [("qa", 2, f"QA {f.code}: {f.message}") for f in pair.findings]
    if not texts:
        return
    notes = etree.SubElement(unit, _q("notes"))
    for category, priority, text in texts:
        note = etree.SubElement(notes, _q("note"), category=category, appliesTo="target")
        if priority != 1:
            note.set("priority", str(priority))
        note.text = text


def _match(matches: etree._Element, candidate: Candidate, segment_text: str) -> None:
    # similarity compares the sources; matchQuality rates the candidate itself (for
    # memory matches the two agree, for an MT alternative it is the model's confidence).
    similarity = 100.0 if candidate.source_text == segment_text else candidate.match_quality
    match = etree.SubElement(matches, f"{{{MTC}}}match", {
        "ref": f"#{SEGMENT_ID}", "matchQuality": f"{candidate.match_quality:.2f}",
        "similarity": f"{similarity:.2f}", "origin": candidate_origin(candidate),
        "type": _MATCH_TYPE.get(candidate.origin, "other")})
    etree.SubElement(match, _q("source")).text = candidate.source_text
    etree.SubElement(match, _q("target")).text = candidate.text


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"
