"""XLIFF 1.2 (``NAME.en-LANG.xlf``): written for CAT tools, read back after review.

One ``<file>`` per article and target language; paragraphs become ``<group>``
elements and segments ``<trans-unit>`` elements whose ids (``pN.sM``) are
stable across runs.  Each target carries a ``state``/``state-qualifier`` from
its origin, other candidates are offered as ``<alt-trans>``, and the MT score,
provenance and QA findings are ``<note>``s.  Only elements and attributes of
the strict schema are used, so CAT tools and ``xliff-core-1.2-strict.xsd``
accept the file.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tandem import __version__
from tandem.document import AlignedPair, BilingualDocument, Candidate, CodeKind, CodeRole, InlineCode
from tandem.formats import inline, xml
from tandem.formats.xliff import (STATES_12, ReviewedFile, StateMapping, UnitReview, XliffVersion,
                                  candidate_origin, glossary_note, original_name, state_12, unit_notes)

NS = "urn:oasis:names:tc:xliff:document:1.2"
TOOL_ID = "tandem"
# The datatype of each article format (1.2's own values, x- for others).
DATATYPES = {"text": "plaintext", "html": "html", "markdown": "x-markdown"}
QA_TOOL = "tandem-qa"
GLOSSARY_TOOL = "tandem-glossary"
# States 1.2 also marks approved="yes" (as translate-toolkit and the CAT tools built on it do).
APPROVED = ("translated", "signed-off", "final")


def serialize(doc: BilingualDocument) -> bytes:
    """Return the XLIFF 1.2 document for ``doc`` as UTF-8 bytes."""
    root = etree.Element(_q("xliff"), nsmap={None: NS}, version="1.2")
    file_el = etree.SubElement(root, _q("file"), {
        "original": original_name(doc.article.source_path),
        "source-language": doc.article.language,
        "target-language": doc.target_language,
        "datatype": DATATYPES.get(doc.article.format, f"x-{doc.article.format}"),
        "tool-id": TOOL_ID,
    })
    header = etree.SubElement(file_el, _q("header"))
    etree.SubElement(header, _q("tool"), {"tool-id": TOOL_ID, "tool-name": "Tandem", "tool-version": __version__})
    body = etree.SubElement(file_el, _q("body"))
    for paragraph, pairs in doc.paragraphs():
        group = etree.SubElement(body, _q("group"), id=f"p{paragraph.number}", restype="x-paragraph")
        for pair in pairs:
            _trans_unit(group, pair, doc)
    return xml.to_bytes(root, frozenset({"source", "target"}))


def _trans_unit(group: etree._Element, pair: AlignedPair, doc: BilingualDocument) -> None:
    translation = pair.translation
    state, qualifier = state_12(translation)
    unit = etree.SubElement(group, _q("trans-unit"), id=pair.segment.id)
    if state in APPROVED:
        unit.set("approved", "yes")
    unit.set(xml.XML_SPACE, "preserve")  # segment text is exact, spaces included
    # Glossary terms are marked in the source: <mrk mtype="term">, do-not-translate ones "protected".
    _text(unit, "source", doc.article.language, pair.segment.text, inline.with_terms(pair.segment.codes, pair.terms))
    target = _text(unit, "target", doc.target_language, translation.text, translation.codes)
    target.set("state", state)
    if qualifier:
        target.set("state-qualifier", qualifier)
    for text in unit_notes(translation):
        etree.SubElement(unit, _q("note"), {"from": TOOL_ID, "annotates": "target"}).text = text
    glossary = glossary_note(pair.terms, doc.target_language)
    if glossary:
        etree.SubElement(unit, _q("note"), {"from": GLOSSARY_TOOL, "annotates": "source"}).text = glossary
    for finding in pair.findings:
        note = etree.SubElement(unit, _q("note"), {"from": QA_TOOL, "annotates": "target", "priority": "2"})
        note.text = f"QA {finding.code}: {finding.message}"
    for candidate in translation.candidates:
        _alt_trans(unit, candidate, doc, pair)


def _alt_trans(unit: etree._Element, candidate: Candidate, doc: BilingualDocument, pair: AlignedPair) -> None:
    alt = etree.SubElement(unit, _q("alt-trans"), {"match-quality": f"{candidate.match_quality:g}",
                                                    "origin": candidate_origin(candidate)})
    # The candidate's codes are the segment's, placed in its text: they are written with the
    # source they belong to, or not at all (a fuzzy match's source is another sentence).
    same_source = candidate.source_text == pair.segment.text
    _text(alt, "source", doc.article.language, candidate.source_text, pair.segment.codes if same_source else ())
    _text(alt, "target", doc.target_language, candidate.text, candidate.codes if same_source else ())


def _text(parent: etree._Element, tag: str, language: str, text: str,
          codes: tuple[InlineCode, ...] = ()) -> etree._Element:
    element = xml.set_lang(etree.SubElement(parent, _q(tag)), language)
    inline.write(element, text, codes, _BUILDER)
    return element


def _ctype(code: InlineCode) -> str:
    """XLIFF 1.2's ctype for a code: its own values where it has one, ``x-KIND`` otherwise."""
    return _CTYPES.get(code.kind, f"x-{code.kind.value}")


def _attributes(code: InlineCode, **more: str) -> dict[str, str]:
    attributes = {"id": code.id, "ctype": _ctype(code), **more}
    if code.equiv:
        attributes["equiv-text"] = code.equiv
    return attributes


def _end_attributes(code: InlineCode) -> dict[str, str]:
    """An ``<ex/>`` names its ``<bx/>`` with ``rid`` when both are in this unit; an isolated end
    (its start is in the previous sentence's unit) carries the pair's id alone, as the strict
    schema only lets ``rid`` point at a ``<bx/>`` of the same element."""
    if code.role is CodeRole.END:
        return {"id": code.id}
    return {"id": f"{code.id}e", "rid": code.id}


_CTYPES = {CodeKind.LINK: "link", CodeKind.BOLD: "bold", CodeKind.ITALIC: "italic",
           CodeKind.UNDERLINE: "underlined", CodeKind.IMAGE: "image", CodeKind.BREAK: "lb"}
_BUILDER = inline.Builder(
    pair=lambda parent, c: etree.SubElement(parent, _q("g"), _attributes(c)),
    start=lambda parent, c: etree.SubElement(parent, _q("bx"), _attributes(c, rid=c.id)),
    end=lambda parent, c: etree.SubElement(parent, _q("ex"), _end_attributes(c)),
    standalone=lambda parent, c: etree.SubElement(parent, _q("x"), _attributes(c)),
    term=lambda parent, c: etree.SubElement(parent, _q("mrk"), {"mtype": "protected" if c.equiv == "dnt" else "term"}))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def write_inline(element: etree._Element, text: str, codes: tuple[InlineCode, ...]) -> None:
    """Fill ``element`` with ``text`` and its ``codes`` as 1.2 inline elements, as this writer
    does (for the other writer of 1.2 text, :mod:`tandem.formats.omegat`)."""
    inline.write(element, text, codes, _BUILDER)


def read_inline(element: etree._Element | None) -> tuple[str, tuple[inline.Mark, ...]]:
    """The text and code marks of a 1.2 ``<source>`` or ``<target>``, as this reader reads them."""
    return inline.read(element, _READER)


def read_file(path: Path, root: etree._Element, file_el: etree._Element) -> ReviewedFile:
    """One reviewed ``<file>``: every ``<trans-unit>`` in it, wherever the tool nested it (some
    tools write 1.2 without its namespace: the file's own namespace is used)."""
    ns = xml.namespace(file_el)
    units = tuple(_unit_review(unit, ns) for unit in file_el.iter(f"{{{ns}}}trans-unit" if ns else "trans-unit"))
    return ReviewedFile(path, VERSION.id, original_name(file_el.get("original", "")),
                        xml.primary_language(file_el.get("source-language")),
                        xml.primary_language(file_el.get("target-language")), units)


def _unit_review(unit: etree._Element, ns: str) -> UnitReview:
    source, target = xml.child(unit, "source", ns), xml.child(unit, "target", ns)
    source_text, source_marks = inline.read(source, _READER)
    target_text, target_marks = inline.read(target, _READER) if target is not None else (None, ())
    return UnitReview(
        id=unit.get("id", ""), source=source_text, target=target_text,
        state=None if target is None else target.get("state"), approved=unit.get("approved") == "yes",
        target_lang=xml.primary_language(None if target is None else target.get(xml.XML_LANG)),
        source_marks=source_marks, target_marks=target_marks)


def _pair_id(element: etree._Element) -> str:
    return element.get("rid") or element.get("id", "")


# What other tools write is read too: <bpt>/<ept> and <ph> hold native markup (skipped as text).
_READER = inline.Reader(pairs=frozenset({"g"}), starts={"bx": _pair_id, "bpt": _pair_id},
                        ends={"ex": _pair_id, "ept": _pair_id}, standalones=frozenset({"x", "ph"}),
                        skipped=frozenset({"it", "ut"}))


VERSION = XliffVersion(
    id="1.2", kind="xliff12", suffix=".xlf", namespace=NS, serialize=serialize, read_file=read_file,
    states=StateMapping(states=STATES_12, written=lambda t: state_12(t)[0],
                        untranslated=("new", "needs-translation", "needs-adaptation", "needs-l10n"),
                        approved=APPROVED))
