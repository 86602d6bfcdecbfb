"""XLIFF 1.2 writer: one ``<file>`` per article and target language.

Paragraphs become ``<group>`` elements and segments ``<trans-unit>`` elements
whose ids (``pN.sM``) are stable across runs.  Only elements and attributes
of the strict schema are used, so CAT tools and ``xliff-core-1.2-strict.xsd``
accept the file.
"""

from __future__ import annotations

from pathlib import PurePath

from lxml import etree

from tandem import __version__
from tandem.document import AlignedPair, BilingualDocument, Origin

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TOOL_ID = "tandem"

# origin -> (state, state-qualifier) of the <target>
TARGET_STATE = {
    Origin.MT: ("needs-review-translation", "leveraged-mt"),
    Origin.TM: ("translated", "exact-match"),
    Origin.HUMAN: ("translated", None),
    Origin.NONE: ("new", None),
}


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
    unit = etree.SubElement(group, _q("trans-unit"), id=pair.segment.id)
    unit.set(XML_SPACE, "preserve")  # segment text is exact, spaces included
    source = etree.SubElement(unit, _q("source"))
    source.set(XML_LANG, doc.article.language)
    source.text = pair.segment.text
    translation = pair.translation
    target = etree.SubElement(unit, _q("target"))
    target.set(XML_LANG, doc.target_language)
    state, qualifier = TARGET_STATE[translation.origin]
    target.set("state", state)
    if qualifier:
        target.set("state-qualifier", qualifier)
    target.text = translation.text
    if translation.origin is Origin.MT and translation.score is not None:
        note = etree.SubElement(unit, _q("note"), {"from": TOOL_ID, "annotates": "target"})
        model = translation.model
        made_by = f" by {model.name} {model.version}" if model else ""
        note.text = f"Machine translation{made_by}; score {translation.score:.3f} (mean log-probability per token)"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"
