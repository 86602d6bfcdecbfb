"""OmegaT 3.6 projects: hand one article and language to a translator, read the work back.

Debian's OmegaT is 3.6, whose XLIFF filter is monolingual: it never shows
``<source>`` and translates the text of ``<target>``.  Tandem's normal XLIFF
(target = MT or memory text) would show the translator Russian as the
"source".  So :func:`write_project` builds a whole OmegaT project whose
XLIFF carries the English in ``<target>`` too, and hands the existing
translations over as translation memories instead:

* ``tm/auto/NAME.en-LANG.tmx`` -- reviewed human work and exact memory (TMX)
  matches: what Tandem itself already presents as finished (``translated``).
  OmegaT inserts them into untranslated segments when the project loads.
* ``tm/NAME.en-LANG.tmx`` -- human work still in review and the reviewed or
  memory candidates of similar sentences: offered as matches, never inserted.
* ``tm/penalty-30/NAME.en-LANG.mt.tmx`` -- unreviewed machine translation:
  a match 30 points below its similarity (3.6 knows ``penalty-N`` folders,
  not the ``tm/mt/`` of later versions), so it is never auto-inserted or
  confirmed as if it were a translation.  ``tm/enforce/`` is never used: it
  would overwrite the translator's own edits on every load.

Inline codes (HTML and Markdown articles) are the XLIFF 1.2 elements
:mod:`tandem.formats.xliff12` writes (``<g>``, ``<x/>``, ``<bx/>``, ``<ex/>``), in
``<source>`` and ``<target>``.  OmegaT 3.6 shows each as a *tag*: the
element's first letter and its number in the segment, in order of appearance
(``<g0>``...``</g0>``, an empty ``<g/>`` as ``<g0/>``, ``<x1/>``, ``<b2/>`` for
``<bx/>``, ``<e3/>`` for ``<ex/>``), and stores those tags as plain text in its
project memory.  The memories handed over carry the translations' codes in
that same form (``&lt;g0&gt;`` in the ``<seg>``): what 3.6 matches against a
segment with tags and auto-inserts from ``tm/auto/``.  TMX 1.4's
``<bpt>``/``<ept>``/``<ph>`` are not used: with its default preferences 3.6
drops them, so a coded segment would never be matched exactly.  The project's
own ``omegat/filters.xml`` turns off 3.6's "remove leading and trailing tags",
so that every code shows as a tag, including one that opens or ends a unit.

:func:`read_project` reads the translator's work from OmegaT's project
memory ``omegat/project_save.tmx`` (else from the translated XLIFF in
``target/``) into the :class:`~tandem.formats.xliff.ReviewedFile` model that the
merge understands, with the codes where the translator left the tags, as
marks (:class:`~tandem.formats.inline.Mark`) like the XLIFF 1.2 reader gives.
A tag the segment does not have comes back as a code of that name, so the
merge refuses the unit (an unknown code) as it refuses a missing or broken one.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from tandem import __version__
from tandem.document import AlignedPair, BilingualDocument, CodeRole, InlineCode, Origin, Segment
from tandem.errors import InputError, OutputError
from tandem.fsutil import ensure_folder, write_atomic
from tandem.formats import inline, xliff12, xml
from tandem.formats.inline import Mark
from tandem.formats.xliff import ReviewedFile, UnitReview, original_name
from tandem.segment.codes import ordered

NS = "urn:oasis:names:tc:xliff:document:1.2"
PROJECT_FILE = "omegat.project"
FOLDERS = ("source", "target", "tm", "glossary", "dictionary", "omegat")
DEFAULT_DIR = "__DEFAULT__"  # OmegaT's value for "the folder of that name in the project"
MT_PENALTY = 30
# changeid of every translation Tandem hands over: OmegaT keeps it on the entries it
# auto-inserts, so a project memory entry still carrying it is Tandem's text, untouched.
TANDEM_ID = "tandem"
# OmegaT writes this DOCTYPE (no internal subset, never loaded) at the top of every TMX;
# it is removed before the one safe parser, which refuses any other declaration.
_OMEGAT_DOCTYPE = re.compile(rb'\A(\xef\xbb\xbf)?(\s*<\?xml[^>]*\?>\s*)<!DOCTYPE tmx SYSTEM "tmx1[14]\.dtd">')
_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})  # TMX inline elements holding native codes, not text
FILTERS_FILE = "filters.xml"  # in omegat/: the project's own file filters
XLIFF_FILTER = "org.omegat.filters3.xml.xliff.XLIFFFilter"  # 3.6's (monolingual) XLIFF filter
# The letter of OmegaT 3.6's tag for each inline element Tandem writes (seen in 3.6: the first
# letter of the element's name), and the role the 1.2 reader gives the element's mark.
_TAG_LETTERS = {"g": "g", "x": "x", "bx": "b", "ex": "e"}
_ROLES = {"x": CodeRole.STANDALONE, "bx": CodeRole.START, "ex": CodeRole.END}
# What OmegaT takes for one of its tags in a text: letters, a number, optional slashes.
_OMEGAT_TAG = re.compile(r"</?[A-Za-z]+[0-9]+/?>")


@dataclass(frozen=True)
class _Text:
    """A text with the marks of its codes: a translation read back, as the 1.2 reader gives it."""

    text: str
    marks: tuple[Mark, ...] = ()

    def key(self) -> str:
        """For telling two texts apart: :func:`_key` of the text with each code in its place."""
        parts, cursor = [], 0
        for mark in self.marks:  # in document order, as both readers give them
            parts += [self.text[cursor:mark.offset], f"\x00{mark.id}\x01{mark.role.value}\x00"]
            cursor = max(cursor, mark.offset)
        return _key("".join(parts) + self.text[cursor:])


@dataclass(frozen=True)
class _Segment:
    """A unit's English as OmegaT 3.6 shows it, and how its tags map to the unit's codes."""

    text: str  # the plain text, as the 1.2 reader reads it
    marks: tuple[Mark, ...]  # ...and the marks of its codes
    shown: str  # the text with OmegaT's tags: what OmegaT matches memories against and saves
    tags: dict[str, tuple[Mark, ...]]  # OmegaT tag -> the marks it reads as (offset 0, role before pairing)
    # (code id, role) -> its OmegaT tag; '' for the close of an empty pair, which one tag shows whole
    by_code: dict[tuple[str, CodeRole], str]


@dataclass(frozen=True)
class _Unit:
    """A trans-unit of a project's source XLIFF: what OmegaT shows as one segment."""

    id: str
    segment: _Segment  # the English, in <source> and (for OmegaT 3.6) in <target>


@dataclass(frozen=True)
class _MemoryEntry:
    """One ``<tu>`` of a TMX: source, target (None without a target-language variant), props."""

    source: str
    target: str | None
    changer: str = ""
    props: dict[str, str] = field(default_factory=dict)


def write_project(doc: BilingualDocument, project_dir: Path) -> list[Path]:
    """Write an OmegaT 3.6 project for ``doc`` into ``project_dir``; return the files written.

    A folder already holding a translator's work (``omegat/project_save.tmx``),
    another document's project or files that are not a project is refused
    with :class:`InputError`: the translator's work is read back and merged
    first, then a new project is written.  A project of the same document
    without such work is rewritten whole.
    """
    name = f"{doc.article.name}.{doc.article.language}-{doc.target_language}"
    _check_project_folder(project_dir, f"{name}.xlf")
    for folder in FOLDERS:
        ensure_folder(project_dir / folder)
    segments = {pair.segment.id: _shown_segment(pair.segment) for pair in doc.pairs}
    outputs = {project_dir / PROJECT_FILE: _project_file(doc.article.language, doc.target_language),
               project_dir / "omegat" / FILTERS_FILE: _filters_file(),
               project_dir / "source" / f"{name}.xlf": _source_xliff(doc)}
    empty = []
    for path, pairs in _memories(doc, segments, project_dir / "tm", name).items():
        if pairs:
            outputs[path] = _tmx(pairs, doc.article.language, doc.target_language)
        else:
            empty.append(path)
    for path, data in outputs.items():
        write_atomic(path, data)
    for path in empty:
        _remove(path)  # an earlier write's memory of a kind this document no longer has
    return list(outputs)


def _check_project_folder(project_dir: Path, source_name: str) -> None:
    """Refuse a folder that holds a translator's work, another document or non-project files."""
    if project_dir.exists() and not project_dir.is_dir():
        raise InputError("cannot write an OmegaT project: a file is in the way", path=str(project_dir))
    if not project_dir.is_dir() or not any(project_dir.iterdir()):
        return
    # OmegaT saves project_save.tmx continuously and keeps .bak copies beside it.
    if any((project_dir / "omegat").glob("project_save.tmx*")):
        raise InputError("the OmegaT project holds a translator's work (omegat/project_save.tmx): "
                         "read it back and merge it first, or write the project into a new folder",
                         path=str(project_dir))
    if not (project_dir / PROJECT_FILE).is_file():
        raise InputError("not an OmegaT project (no omegat.project) and not empty: refusing to write into it",
                         path=str(project_dir))
    others = [p for p in (project_dir / "source").rglob("*") if p.is_file() and p.name != source_name]
    if others:
        raise InputError(f"the OmegaT project is for another document ({others[0].name} in source/)",
                         path=str(project_dir))


def _project_file(source_lang: str, target_lang: str) -> bytes:
    """``omegat.project`` as OmegaT 3.6 writes it (project format version 1.0)."""
    project = etree.Element("project", version="1.0")
    settings = [(f"{kind}_dir", DEFAULT_DIR) for kind in ("source", "target", "tm", "glossary")]
    settings += [("glossary_file", DEFAULT_DIR), ("dictionary_dir", DEFAULT_DIR),
                 ("source_lang", source_lang), ("target_lang", target_lang),
                 # Empty: OmegaT picks the tokenizer for each language (and writes its choice back).
                 ("source_tok", ""), ("target_tok", ""),
                 # Off: every unit is already one sentence. On, 3.6's own rules would split units
                 # again ("...by the U.S. | Coast Guard...") and the ids would no longer map 1:1.
                 ("sentence_seg", "false"), ("support_default_translations", "true"),
                 ("remove_tags", "false")]
    for tag, value in settings:
        etree.SubElement(project, tag).text = value
    root = etree.Element("omegat")
    root.append(project)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _filters_file() -> bytes:
    """``omegat/filters.xml``: 3.6's XLIFF filter, with "remove leading and trailing tags" off.

    On (3.6's default), a code opening or ending a unit is kept out of the
    segment: the translator never sees it, and the segment OmegaT matches and
    saves is no longer the unit's text with all its codes.
    """
    root = etree.Element("filters", removeTags="false")
    xliff = etree.SubElement(root, "filter", className=XLIFF_FILTER, enabled="true")
    etree.SubElement(xliff, "files", sourceFilenameMask="*.xlf", targetFilenamePattern="${filename}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True)


def _source_xliff(doc: BilingualDocument) -> bytes:
    """The article as XLIFF 1.2 that OmegaT 3.6 shows as English: the English in ``<target>`` too,
    with its codes as the inline elements of Tandem's own XLIFF.

    The target carries no ``state``: 3.6 copies its attributes unchanged into
    the translated file, where any state given here would be wrong.
    """
    root = etree.Element(f"{{{NS}}}xliff", nsmap={None: NS}, version="1.2")
    datatype = xliff12.DATATYPES.get(doc.article.format, f"x-{doc.article.format}")
    file_el = etree.SubElement(root, _q("file"), {
        "original": original_name(doc.article.source_path), "source-language": doc.article.language,
        "target-language": doc.target_language, "datatype": datatype, "tool-id": TANDEM_ID})
    header = etree.SubElement(file_el, _q("header"))
    etree.SubElement(header, _q("tool"), {"tool-id": TANDEM_ID, "tool-name": "Tandem", "tool-version": __version__})
    body = etree.SubElement(file_el, _q("body"))
    for paragraph, pairs in doc.paragraphs():
        group = etree.SubElement(body, _q("group"), id=f"p{paragraph.number}", restype="x-paragraph")
        for pair in pairs:
            unit = etree.SubElement(group, _q("trans-unit"), {"id": pair.segment.id, xml.XML_SPACE: "preserve"})
            # The translated file keeps the target's xml:lang, so it names the target language.
            for tag, lang in (("source", doc.article.language), ("target", doc.target_language)):
                element = etree.SubElement(unit, _q(tag), {xml.XML_LANG: lang})
                xliff12.write_inline(element, pair.segment.text, pair.segment.codes)
    # Not pretty-printed inside <source>/<target>: added whitespace would change the text.
    return xml.to_bytes(root, frozenset({"source", "target"}))


def _memories(doc: BilingualDocument, segments: dict[str, _Segment], tm_dir: Path,
              name: str) -> dict[Path, list[tuple[str, str]]]:
    """The (source, target) pairs, with OmegaT's tags, for each of the project's memory files
    (see the module doc)."""
    auto, matches, mt = [], [], []
    for pair in doc.pairs:
        t, segment = pair.translation, segments[pair.segment.id]
        entry = (segment.shown, _with_tags(t.text, t.codes, segment))
        if t.text and (t.reviewed or t.origin is Origin.TM):
            auto.append(entry)
        elif t.text and t.in_review:
            matches.append(entry)
        elif t.text and t.origin is Origin.MT:
            mt.append(entry)
        matches.extend(_candidates(pair, segment))
    return {tm_dir / "auto" / f"{name}.tmx": _unique(auto), tm_dir / f"{name}.tmx": _unique(matches),
            tm_dir / f"penalty-{MT_PENALTY}" / f"{name}.mt.tmx": _unique(mt)}


def _candidates(pair: AlignedPair, segment: _Segment) -> list[tuple[str, str]]:
    """Reviewed and memory candidates (similar sentences), as fuzzy matches; MT runner-ups are left out.

    A candidate's codes are the segment's: it carries them, as tags, only when it
    translates this very sentence; one of another sentence is plain text (as in
    the 1.2 ``<alt-trans>``).
    """
    return [(segment.shown, _with_tags(c.text, c.codes, segment)) if c.source_text == pair.segment.text
            else (c.source_text, c.text)
            for c in pair.translation.candidates if c.origin in (Origin.HUMAN, Origin.TM) and c.text]


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(pairs))


def _shown_segment(segment: Segment) -> _Segment:
    """A segment as OmegaT will show it: its English written as the source XLIFF holds it, read back."""
    element = etree.Element(_q("target"))
    xliff12.write_inline(element, segment.text, segment.codes)
    return _omegat_segment(element)


def _omegat_segment(element: etree._Element | None) -> _Segment:
    """The text of a 1.2 ``<source>``/``<target>`` written by :func:`_source_xliff` as OmegaT 3.6
    shows it; :class:`ValueError` for an inline element Tandem does not write."""
    text, marks = xliff12.read_inline(element)
    tags = list(_tags(element)) if element is not None else []
    if sum(len(roles) for _, roles in tags) != len(marks):
        raise ValueError("inline elements and codes do not match")
    shown, tag_marks, by_code = [], {}, {}
    cursor, at = 0, 0
    for tag, roles in tags:
        own = marks[at:at + len(roles)]  # the 1.2 reader gives one mark per side, in document order
        at += len(roles)
        tag_marks[tag] = tuple(Mark(m.id, role, 0) for m, role in zip(own, roles))
        by_code.update({(m.id, m.role): tag if i == 0 else "" for i, m in enumerate(own)})
        shown += [text[cursor:own[0].offset], tag]
        cursor = own[0].offset
    return _Segment(text, marks, "".join(shown) + text[cursor:], tag_marks, by_code)


def _tags(parent: etree._Element, numbers: Iterator[int] | None = None) -> Iterator[tuple[str, tuple[CodeRole, ...]]]:
    """OmegaT 3.6's tag for each inline element in ``parent``, in document order, with the roles of
    the marks the 1.2 reader gives that side of the element (before pairing a start and an end)."""
    numbers = itertools.count() if numbers is None else numbers
    for child in parent:
        name = xml.local_name(child)
        if not name:
            continue  # a comment: neither OmegaT nor the reader sees a code
        if name not in _TAG_LETTERS:
            raise ValueError(f"<{name}> is not an inline element Tandem writes")
        number = next(numbers)
        if name == "g" and (len(child) or child.text):
            yield f"<g{number}>", (CodeRole.OPEN,)
            yield from _tags(child, numbers)
            yield f"</g{number}>", (CodeRole.CLOSE,)
        elif name == "g":  # OmegaT shows an empty element as one standalone tag
            yield f"<g{number}/>", (CodeRole.OPEN, CodeRole.CLOSE)
        else:
            yield f"<{_TAG_LETTERS[name]}{number}/>", (_ROLES[name],)


def _with_tags(text: str, codes: tuple[InlineCode, ...], segment: _Segment) -> str:
    """A translation with OmegaT's tag for each code where the code sits, as OmegaT shows it.

    A code that is not the segment's has no tag to show as and is left out:
    the entry is then a match to correct, never one that passes the merge.
    """
    parts, cursor = [], 0
    for code in ordered(codes):
        tag = segment.by_code.get((code.id, code.role))
        if tag is None:
            continue
        parts += [text[cursor:code.offset], tag]
        cursor = max(cursor, code.offset)
    return "".join(parts) + text[cursor:]


def _read_tags(shown: str, segment: _Segment) -> _Text:
    """A text with OmegaT's tags (project memory) as text and marks, as the 1.2 reader gives them.

    A tag the segment does not have (typed, or copied from another segment)
    becomes a code named by the tag, which the merge refuses as unknown.
    """
    parts, marks, cursor = [], [], 0
    for match in _OMEGAT_TAG.finditer(shown):
        parts.append(shown[cursor:match.start()])
        cursor, at = match.end(), sum(map(len, parts))
        known = segment.tags.get(match.group())
        if known is None:
            marks.append(Mark(match.group(), CodeRole.STANDALONE, at))
        else:
            marks.extend(replace(mark, offset=at) for mark in known)
    parts.append(shown[cursor:])
    return _Text("".join(parts), tuple(inline.paired(marks)))


def _literal_tags(text: _Text) -> _Text:
    """A target of OmegaT's translated XLIFF, with a code for each OmegaT tag left in its text:
    OmegaT writes a tag the segment does not have as text, which must not pass as a translation."""
    literal = [Mark(m.group(), CodeRole.STANDALONE, m.start()) for m in _OMEGAT_TAG.finditer(text.text)]
    if not literal:
        return text
    return _Text(text.text, tuple(sorted(text.marks + tuple(literal), key=lambda m: m.offset)))


def _tmx(pairs: list[tuple[str, str]], source_lang: str, target_lang: str) -> bytes:
    """TMX 1.4 for OmegaT: one ``<tu>`` per pair, the target variant marked with Tandem's changeid."""
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {
        "creationtool": "Tandem", "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": "tandem", "adminlang": "en", "srclang": source_lang, "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    for source, target in pairs:
        tu = etree.SubElement(body, "tu")
        etree.SubElement(etree.SubElement(tu, "tuv", {xml.XML_LANG: source_lang}), "seg").text = source
        tuv = etree.SubElement(tu, "tuv", {xml.XML_LANG: target_lang, "creationid": TANDEM_ID, "changeid": TANDEM_ID})
        etree.SubElement(tuv, "seg").text = target
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_project(project_dir: Path) -> list[ReviewedFile]:
    """The translator's work in an OmegaT project written by :func:`write_project`, one file per source XLIFF.

    Translations come from ``omegat/project_save.tmx`` (OmegaT saves it as
    the translator works), else from the translated XLIFF in ``target/``.
    A unit the translator did not translate, or that still shows the text
    Tandem handed over in ``tm/auto/``, comes back untouched (``target=None``);
    a translated one as ``state="translated"``: confirmed in OmegaT, done.
    """
    source_lang, target_lang, source_dir, target_dir = _project_settings(project_dir)
    sources = sorted(source_dir.rglob("*.xlf"))
    if not sources:
        raise InputError("the OmegaT project has no XLIFF file in its source folder", path=str(source_dir))
    save = project_dir / "omegat" / "project_save.tmx"
    memory = _read_tmx(save, source_lang, target_lang) if save.is_file() else None
    files = []
    for xliff in sources:
        original, units = _read_source(xliff)
        handed_over = _handed_over(project_dir / "tm" / "auto" / f"{xliff.stem}.tmx", source_lang, target_lang)
        relative = xliff.relative_to(source_dir).as_posix()
        if memory is not None:
            found, path = _from_memory(units, memory, relative), save
        else:
            path = target_dir / relative
            found = _from_target(units, path)
        reviews = tuple(_review(unit, found.get(unit.id), handed_over, target_lang) for unit in units)
        files.append(ReviewedFile(path, "1.2", original, source_lang, target_lang, reviews))
    return files


def _project_settings(project_dir: Path) -> tuple[str, str, Path, Path]:
    """Source and target language (primary subtags) and the source and target folders."""
    root = xml.parse(xml.read_bytes(project_dir / PROJECT_FILE), str(project_dir / PROJECT_FILE))
    project = root.find("project")
    if root.tag != "omegat" or project is None:
        raise InputError("not an OmegaT project file (no <omegat><project>)", path=str(project_dir / PROJECT_FILE))
    values = {child.tag: (child.text or "").strip() for child in project if isinstance(child.tag, str)}
    source_lang, target_lang = xml.primary_language(values.get("source_lang")), xml.primary_language(values.get("target_lang"))
    if not source_lang or not target_lang:
        raise InputError("omegat.project names no source or target language", path=str(project_dir / PROJECT_FILE))
    return source_lang, target_lang, _folder(project_dir, values, "source"), _folder(project_dir, values, "target")


def _folder(project_dir: Path, values: dict[str, str], kind: str) -> Path:
    """A project folder as omegat.project gives it: ``__DEFAULT__``, or relative to the project."""
    value = values.get(f"{kind}_dir") or DEFAULT_DIR
    return project_dir / (kind if value == DEFAULT_DIR else value)


def _read_source(path: Path) -> tuple[str, list[_Unit]]:
    """The ``original`` and the units of a source XLIFF written by :func:`write_project`."""
    root = xml.parse(xml.read_bytes(path), str(path))
    file_el = root.find(_q("file"))
    if root.tag != _q("xliff") or file_el is None or not file_el.get("original"):
        raise InputError("not a source XLIFF of a Tandem OmegaT project (XLIFF 1.2 <file original>)", path=str(path))
    units = []
    for unit in file_el.iter(_q("trans-unit")):
        try:
            source, target = (_omegat_segment(unit.find(_q(tag))) for tag in ("source", "target"))
        except ValueError as exc:
            raise InputError(f"{exc}: not written by tandem.omegat", path=str(path), unit=unit.get("id", "")) from None
        if _key(source.shown) != _key(target.shown):  # OmegaT 3.6 translates <target>: it must be the English
            raise InputError("<target> is not a copy of <source>: not written by tandem.omegat",
                             path=str(path), unit=unit.get("id", ""))
        units.append(_Unit(unit.get("id", ""), source))
    return original_name(file_el.get("original", "")), units


def _from_memory(units: list[_Unit], memory: list[_MemoryEntry], relative: str) -> dict[str, _Text]:
    """Each unit's translation in OmegaT's project memory: its alternative, else the default one.

    Alternatives name their unit by file plus ``id`` (XLIFF filter option
    "trans-unit ID") or, by default, by the previous and next segments' text.
    Every text there is as OmegaT shows it, with its tags.
    """
    defaults = {_key(e.source): e for e in memory if not e.props.get("file")}
    alternatives: dict[str | tuple[str, str, str], _MemoryEntry] = {}
    for e in memory:
        if e.props.get("file", "").replace("\\", "/") == relative:
            by_context = (_key(e.source), _key(e.props.get("prev", "")), _key(e.props.get("next", "")))
            alternatives[e.props.get("id") or by_context] = e
    found = {}
    for i, unit in enumerate(units):
        shown = _key(unit.segment.shown)
        context = (shown, _key(units[i - 1].segment.shown) if i else "",
                   _key(units[i + 1].segment.shown) if i + 1 < len(units) else "")
        entry = alternatives.get(unit.id) or alternatives.get(context) or defaults.get(shown)
        if entry is not None and entry.target is not None and entry.changer != TANDEM_ID:
            found[unit.id] = _read_tags(entry.target, unit.segment)
    return found


def _from_target(units: list[_Unit], path: Path) -> dict[str, _Text]:
    """Each unit's text in OmegaT's translated XLIFF (its codes as elements again, read by the 1.2
    reader); a unit still showing the English is untranslated."""
    if not path.is_file():
        raise InputError("no translations to read: OmegaT has saved no omegat/project_save.tmx "
                         "and created no translated document", path=str(path))
    root = xml.parse(xml.read_bytes(path), str(path))
    file_el = root.find(_q("file"))
    if root.tag != _q("xliff") or file_el is None:
        raise InputError("not an XLIFF 1.2 document translated by OmegaT (no <xliff><file>)", path=str(path))
    english = {unit.id: _Text(unit.segment.text, unit.segment.marks).key() for unit in units}
    found = {}
    for unit in xliff12.read_file(path, root, file_el).units:
        text = None if unit.target is None else _literal_tags(_Text(unit.target, unit.target_marks))
        if unit.id in english and text is not None and text.key() != english[unit.id]:
            found[unit.id] = text
    return found


def _review(unit: _Unit, target: _Text | None, handed_over: dict[str, str], target_lang: str) -> UnitReview:
    """The unit as the merge sees it: untouched (``target=None``) unless the translator changed it."""
    segment = unit.segment
    handed = handed_over.get(_key(segment.shown))
    if target is None or (handed is not None and _read_tags(handed, segment) == target):
        return UnitReview(id=unit.id, source=segment.text, target=None, state=None, source_marks=segment.marks)
    return UnitReview(id=unit.id, source=segment.text, target=target.text, state="translated",
                      target_lang=target_lang, source_marks=segment.marks, target_marks=target.marks)


def _handed_over(path: Path, source_lang: str, target_lang: str) -> dict[str, str]:
    """What Tandem put in ``tm/auto/`` for OmegaT to insert, by source text ({} once deleted)."""
    if not path.is_file():
        return {}
    return {_key(e.source): e.target for e in _read_tmx(path, source_lang, target_lang) if e.target is not None}


def _read_tmx(path: Path, source_lang: str, target_lang: str) -> list[_MemoryEntry]:
    """The entries of a TMX (OmegaT's 1.1 ``lang`` or 1.4 ``xml:lang``) for one language pair."""
    data = _OMEGAT_DOCTYPE.sub(rb"\2", xml.read_bytes(path), count=1)
    root = xml.parse(data, str(path))
    if root.tag != "tmx" or root.find("body") is None:
        raise InputError("not a TMX file (no <tmx><body>)", path=str(path))
    entries = []
    for tu in root.find("body").iterfind("tu"):
        variants = {xml.primary_language(tuv.get(xml.XML_LANG) or tuv.get("lang")): tuv for tuv in tu.iterfind("tuv")}
        if source_lang not in variants:
            continue
        target = variants.get(target_lang)
        props = {p.get("type", ""): p.text or "" for p in tu.iterfind("prop")}
        entries.append(_MemoryEntry(_seg(variants[source_lang]), None if target is None else _seg(target),
                                    "" if target is None else target.get("changeid", ""), props))
    return entries


def _seg(tuv: etree._Element) -> str:
    seg = tuv.find("seg")
    return "" if seg is None else xml.inline_text(seg, _CODES)




def _key(text: str) -> str:
    """Text for matching OmegaT's segments to units: NFC, runs of whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())




def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot remove file: {exc.strerror or exc}", path=str(path)) from None




def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"
