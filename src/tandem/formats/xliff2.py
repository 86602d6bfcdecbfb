"""XLIFF 2.1 (``NAME.en-LANG.xliff2.xlf``): written from the same data as 1.2, read back after review.

``<file>`` per article and language, ``<group id="pN">`` per paragraph,
``<unit id="pN.sM">`` per segment with one ``<segment state>``.  Other
candidates use the Translation Candidates module
(``urn:oasis:names:tc:xliff:matches:2.0``); the MT score, provenance and QA
findings are unit ``<notes>``.  Valid against ``xliff-core-2.0.xsd`` (which
also checks 2.1 core documents; modules are validated laxly).  The reader
accepts any 2.x document: a tool may split a unit into several segments.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tandem import __version__
from tandem.document import AlignedPair, BilingualDocument, Candidate, Origin
from tandem.formats import xml
from tandem.formats.xliff import (STATES_20, ReviewedFile, StateMapping, UnitReview, XliffVersion,
                                  candidate_origin, original_name, state_20, unit_notes)

NS = "urn:oasis:names:tc:xliff:document:2.0"
MTC = "urn:oasis:names:tc:xliff:matches:2.0"
SEGMENT_ID = "s1"  # one segment per unit: Tandem's units are sentences already
_MATCH_TYPE = {Origin.MT: "mt", Origin.TM: "tm", Origin.HUMAN: "tm"}
_CODES = frozenset({"ph", "sc", "ec"})  # standalone native codes: markup, not text


def serialize(doc: BilingualDocument) -> bytes:
    """Return the XLIFF 2.1 document for ``doc`` as UTF-8 bytes."""
    root = etree.Element(_q("xliff"), nsmap={None: NS, "mtc": MTC}, version="2.1",
                         srcLang=doc.article.language, trgLang=doc.target_language)
    file_el = etree.SubElement(root, _q("file"), id="f1", original=original_name(doc.article.source_path))
    notes = etree.SubElement(file_el, _q("notes"))
    etree.SubElement(notes, _q("note"), category="tool").text = f"Tandem {__version__}"
    for paragraph, pairs in doc.paragraphs():
        group = etree.SubElement(file_el, _q("group"), id=f"p{paragraph.number}", type="tandem:paragraph")
        for pair in pairs:
            _unit(group, pair)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _unit(group: etree._Element, pair: AlignedPair) -> None:
    translation = pair.translation
    unit = etree.SubElement(group, _q("unit"), id=pair.segment.id)
    unit.set(xml.XML_SPACE, "preserve")  # segment text is exact, spaces included
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


def read_file(path: Path, root: etree._Element, file_el: etree._Element) -> ReviewedFile:
    """One reviewed ``<file>``: every ``<unit>``, its segments and ignorables joined back."""
    ns = xml.namespace(file_el)
    units = tuple(_unit_review(unit, ns) for unit in file_el.iter(f"{{{ns}}}unit" if ns else "unit"))
    return ReviewedFile(path, VERSION.id, original_name(file_el.get("original", "")),
                        xml.primary_language(root.get("srcLang")), xml.primary_language(root.get("trgLang")),
                        units)


def _unit_review(unit: etree._Element, ns: str) -> UnitReview:
    parts = [p for p in unit if xml.local_name(p) in ("segment", "ignorable")]
    segments = [p for p in parts if xml.local_name(p) == "segment"]
    targets = [xml.child(p, "target", ns) for p in parts]
    has_target = any(xml.child(s, "target", ns) is not None for s in segments)
    # An ignorable without a target keeps its source text (whitespace between segments).
    target = "".join(xml.inline_text(t if t is not None else xml.child(p, "source", ns), _CODES)
                     for p, t in zip(parts, targets))
    states = [s.get("state", "initial") for s in segments]
    return UnitReview(
        id=unit.get("id", ""), source="".join(xml.inline_text(xml.child(p, "source", ns), _CODES) for p in parts),
        target=target if has_target else None,
        # The least advanced segment state is the unit's: it is done only when every segment is.
        state=min(states, key=STATES_20.index) if states and set(states) <= set(STATES_20) else None,
        target_lang=next((xml.primary_language(t.get(xml.XML_LANG)) for t in targets
                          if t is not None and t.get(xml.XML_LANG)), ""))


VERSION = XliffVersion(
    id="2.1", kind="xliff21", suffix=".xliff2.xlf", namespace=NS, serialize=serialize, read_file=read_file,
    states=StateMapping(states=STATES_20, written=state_20, untranslated=("initial",)))
