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
from dataclasses import replace

from tandem.document import AlignedPair, BilingualDocument, Candidate, CodeKind, CodeRole, InlineCode, Origin
from tandem.formats import inline, xml
from tandem.formats.xliff import (STATES_20, ReviewedFile, StateMapping, UnitReview, XliffVersion,
                                  candidate_origin, original_name, state_20, term_line, unit_notes)

NS = "urn:oasis:names:tc:xliff:document:2.0"
MTC = "urn:oasis:names:tc:xliff:matches:2.0"
GLS = "urn:oasis:names:tc:xliff:glossary:2.0"
SEGMENT_ID = "s1"  # one segment per unit: Tandem's units are sentences already
_MATCH_TYPE = {Origin.MT: "mt", Origin.TM: "tm", Origin.HUMAN: "tm"}


def serialize(doc: BilingualDocument) -> bytes:
    """Return the XLIFF 2.1 document for ``doc`` as UTF-8 bytes."""
    root = etree.Element(_q("xliff"), nsmap={None: NS, "mtc": MTC, "gls": GLS}, version="2.1",
                         srcLang=doc.article.language, trgLang=doc.target_language)
    file_el = etree.SubElement(root, _q("file"), id="f1", original=original_name(doc.article.source_path))
    notes = etree.SubElement(file_el, _q("notes"))
    etree.SubElement(notes, _q("note"), category="tool").text = f"Tandem {__version__}"
    for paragraph, pairs in doc.paragraphs():
        group = etree.SubElement(file_el, _q("group"), id=f"p{paragraph.number}", type="tandem:paragraph")
        for pair in pairs:
            _unit(group, pair, doc.target_language)
    return xml.to_bytes(root, frozenset({"source", "target", "data"}))


def _unit(group: etree._Element, pair: AlignedPair, language: str) -> None:
    translation = pair.translation
    unit = etree.SubElement(group, _q("unit"), id=pair.segment.id)
    unit.set(xml.XML_SPACE, "preserve")  # segment text is exact, spaces included
    if translation.candidates:
        matches = etree.SubElement(unit, f"{{{MTC}}}matches")
        for candidate in translation.candidates:
            _match(matches, candidate, pair.segment.text)
    source_codes = inline.with_terms(pair.segment.codes, pair.terms)
    _glossary(unit, pair, source_codes, language)
    _notes(unit, pair)
    _original_data(unit, pair.segment.codes)
    segment = etree.SubElement(unit, _q("segment"), id=SEGMENT_ID, state=state_20(translation))
    inline.write(etree.SubElement(segment, _q("source")), pair.segment.text, source_codes, _BUILDER)
    if translation.text:
        inline.write(etree.SubElement(segment, _q("target")), translation.text, translation.codes, _BUILDER)


def _original_data(unit: etree._Element, codes: tuple[InlineCode, ...]) -> None:
    """The markup each code stands for, once per unit (``dataRef`` points at it)."""
    if not codes:
        return
    data = etree.SubElement(unit, _q("originalData"))
    for code in codes:
        etree.SubElement(data, _q("data"), id=_data_id(code)).text = code.data


def _data_id(code: InlineCode) -> str:
    """``d1`` for a standalone code, ``d1s``/``d1e`` for the two sides of a pair."""
    side = {CodeRole.OPEN: "s", CodeRole.START: "s", CodeRole.CLOSE: "e", CodeRole.END: "e"}.get(code.role, "")
    return f"d{code.id}{side}"


def _kind_attributes(code: InlineCode) -> dict[str, str]:
    """``type``/``subType`` of a code; protected spans may be neither deleted nor copied."""
    kind, sub_type = _TYPES.get(code.kind, ("fmt", f"tandem:{code.kind.value}"))
    attributes = {"type": kind}
    if sub_type:
        attributes["subType"] = sub_type
    if code.kind is CodeKind.PROTECTED:
        attributes.update(canDelete="no", canCopy="no")
    if code.equiv and code.role is CodeRole.STANDALONE:
        attributes["disp"] = code.equiv
    return attributes


def _pair(parent: etree._Element, code: InlineCode) -> etree._Element:
    return etree.SubElement(parent, _q("pc"), {"id": code.id, "dataRefStart": f"d{code.id}s",
                                               "dataRefEnd": f"d{code.id}e", **_kind_attributes(code)})


def _start(parent: etree._Element, code: InlineCode) -> etree._Element:
    attributes = {"id": code.id, "dataRef": f"d{code.id}s", **_kind_attributes(code)}
    if code.role is CodeRole.START:
        attributes["isolated"] = "yes"  # its end is in another unit (the next sentence)
    return etree.SubElement(parent, _q("sc"), attributes)


def _end(parent: etree._Element, code: InlineCode) -> etree._Element:
    if code.role is CodeRole.END:  # isolated: the start is in another unit
        attributes = {"id": code.id, "isolated": "yes", "dataRef": f"d{code.id}e"}
    else:
        attributes = {"startRef": code.id, "dataRef": f"d{code.id}e"}
    return etree.SubElement(parent, _q("ec"), {**attributes, **_kind_attributes(code)})


def _standalone(parent: etree._Element, code: InlineCode) -> etree._Element:
    return etree.SubElement(parent, _q("ph"), {"id": code.id, "dataRef": f"d{code.id}", **_kind_attributes(code)})


def _term(parent: etree._Element, code: InlineCode) -> etree._Element:
    """A glossary term in the source: ``<mrk type="term">``, ``translate="no"`` when it must be kept."""
    attributes = {"id": code.id, "type": "term"}
    if code.equiv == "dnt":
        attributes["translate"] = "no"
    return etree.SubElement(parent, _q("mrk"), attributes)


def _glossary(unit: etree._Element, pair: AlignedPair, source_codes: tuple[InlineCode, ...], language: str) -> None:
    """The Glossary module: one ``glossEntry`` per term of the unit, pointing at its ``<mrk>``
    when the term could be marked in the source."""
    if not pair.terms:
        return
    marked = {c.id for c in source_codes if c.kind is CodeKind.TERM}
    glossary = etree.SubElement(unit, f"{{{GLS}}}glossary")
    for number, match in enumerate(pair.terms, start=1):
        entry = etree.SubElement(glossary, f"{{{GLS}}}glossEntry")
        if f"m{number}" in marked:
            entry.set("ref", f"#m{number}")
        term = etree.SubElement(entry, f"{{{GLS}}}term")
        term.text = match.text
        if match.entry.origin:
            term.set("source", match.entry.origin)
        texts = [match.text] if match.entry.do_not_translate else \
            [t.text for t in match.entry.terms(language) if not t.status.avoid]
        for text in texts:
            etree.SubElement(entry, f"{{{GLS}}}translation").text = text
        definition = term_line(match, language) + (f". {match.entry.note}" if match.entry.note else "")
        etree.SubElement(entry, f"{{{GLS}}}definition").text = definition


_TYPES = {CodeKind.BOLD: ("fmt", "xlf:b"), CodeKind.ITALIC: ("fmt", "xlf:i"), CodeKind.UNDERLINE: ("fmt", "xlf:u"),
          CodeKind.BREAK: ("fmt", "xlf:lb"), CodeKind.LINK: ("link", ""), CodeKind.IMAGE: ("image", ""),
          CodeKind.QUOTE: ("quote", ""), CodeKind.PROTECTED: ("other", "xlf:var")}
_BUILDER = inline.Builder(pair=_pair, start=_start, end=_end, standalone=_standalone, term=_term)


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


def _joined(elements: list[etree._Element | None]) -> tuple[str, tuple[inline.Mark, ...]]:
    """The text and marks of a unit's segments (a tool may have split the unit), joined."""
    text, marks = "", []
    for element in elements:
        part, part_marks = inline.read(element, _READER)
        marks.extend(replace(m, offset=m.offset + len(text)) for m in part_marks)
        text += part
    return text, tuple(inline.paired(marks))


_READER = inline.Reader(pairs=frozenset({"pc"}), starts={"sc": lambda e: e.get("id", "")},
                        ends={"ec": lambda e: e.get("startRef") or e.get("id", "")},
                        standalones=frozenset({"ph"}))


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
    target, target_marks = _joined([t if t is not None else xml.child(p, "source", ns) for p, t in zip(parts, targets)])
    source, source_marks = _joined([xml.child(p, "source", ns) for p in parts])
    states = [s.get("state", "initial") for s in segments]
    return UnitReview(
        id=unit.get("id", ""), source=source, target=target if has_target else None,
        source_marks=source_marks, target_marks=target_marks if has_target else (),
        # The least advanced segment state is the unit's: it is done only when every segment is.
        state=min(states, key=STATES_20.index) if states and set(states) <= set(STATES_20) else None,
        target_lang=next((xml.primary_language(t.get(xml.XML_LANG)) for t in targets
                          if t is not None and t.get(xml.XML_LANG)), ""))


VERSION = XliffVersion(
    id="2.1", kind="xliff21", suffix=".xliff2.xlf", namespace=NS, serialize=serialize, read_file=read_file,
    states=StateMapping(states=STATES_20, written=state_20, untranslated=("initial",)))
