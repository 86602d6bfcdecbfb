"""XLIFF 1.2 writer: one ``<file>`` per article and target language.

Paragraphs become ``<group>`` elements and segments ``<trans-unit>`` elements
whose ids (``pN.sM``) are stable across runs.  Each target carries a
``state``/``state-qualifier`` from its origin, fuzzy matches are offered as
``<alt-trans>``, and the MT score, provenance and QA findings are ``<note>``s.
Only elements and attributes of the strict schema are used, so CAT tools and
``xliff-core-1.2-strict.xsd`` accept the file.
"""

from __future__ import annotations

from pathlib import PurePath

from lxml import etree

from tandem import __version__
from tandem.document import AlignedPair, BilingualDocument, Candidate
from tandem.writers.xliffcommon import APPROVED_12, candidate_origin, state_12, unit_notes

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TOOL_ID = "tandem"
QA_TOOL = "tandem-qa"


def serialize(doc: BilingualDocument) -> bytes:
    """Return the XLIFF 1.2 document for ``doc`` as UTF-8 bytes."""
    root = etree.Element(f"{{{NS}}}xliff", nsmap={None: NS}, version="1.2")
    file_el = etree.SubElement(root, _q("file"), {
        # The file name, not the path: translators should not see our folders.
        "original": PurePath(doc.article.source_path).name,
        "source-language": doc.article.language,
        "target-language": doc.target_language,
        "datatype": "plaintext",
        "tool-id": TOOL_ID,
    })
    _header(file_el)
    body = etree.SubElement(file_el, _q("body"))
    for paragraph in doc.article.paragraphs:
        group = etree.SubElement(body, _q("group"), id=f"p{paragraph.number}", restype="x-paragraph")
        for pair in doc.pairs_in_paragraph(paragraph.number):
            _trans_unit(group, pair, doc)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _header(file_el: etree._Element) -> None:
    header = etree.SubElement(file_el, _q("header"))
    etree.SubElement(header, _q("tool"), {"tool-id": TOOL_ID, "tool-name": "Tandem",
                                          "tool-version": __version__})


def _trans_unit(group: etree._Element, pair: AlignedPair, doc: BilingualDocument) -> None:
    translation = pair.translation
    state, qualifier = state_12(translation)
    unit = etree.SubElement(group, _q("trans-unit"), id=pair.segment.id)
    if state in APPROVED_12:
        unit.set("approved", "yes")
    unit.set(XML_SPACE, "preserve")  # segment text is exact, spaces included
    _text(unit, "source", doc.article.language, pair.segment.text)
    target = _text(unit, "target", doc.target_language, translation.text)
    target.set("state", state)
    if qualifier:
        target.set("state-qualifier", qualifier)
    for text in unit_notes(translation):
        etree.SubElement(unit, _q("note"), {"from": TOOL_ID, "annotates": "target"}).text = text
    for finding in pair.findings:
        note = etree.SubElement(unit, _q("note"), {"from": QA_TOOL, "annotates": "target", "priority": "2"})
        note.text = f"QA {finding.code}: {finding.message}"
    for candidate in translation.candidates:
        _alt_trans(unit, candidate, doc)


def _alt_trans(unit: etree._Element, candidate: Candidate, doc: BilingualDocument) -> None:
    alt = etree.SubElement(unit, _q("alt-trans"), {"match-quality": f"{candidate.match_quality:g}",
                                                    "origin": candidate_origin(candidate)})
    _text(alt, "source", doc.article.language, candidate.source_text)
    _text(alt, "target", doc.target_language, candidate.text)


def _text(parent: etree._Element, tag: str, language: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag))
    element.set(XML_LANG, language)
    element.text = text
    return element


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"
