"""TBX glossaries: TBX 2 / TBX-Basic (``<martif>``) and TBX 3 (``<tbx>``) read, TBX-Basic written.

* :func:`read` -- ``tandem glossary import`` and ``run --glossary``: one
  :class:`~tandem.document.GlossaryEntry` per source-language term of each concept, with every
  other-language term of the concept as a translation.
* :func:`write` -- ``tandem glossary export``: TBX-Basic for one language pair, as OmegaT, memoQ
  and Trados import it (no DOCTYPE: Tandem's own parser refuses one, and so would re-import).

Both structures are read, in no namespace or TBX 3's (``urn:iso:std:iso:30042:ed-2``):
``termEntry > langSet[xml:lang] > tig|ntig(termGrp) > term`` and
``conceptEntry > langSec[xml:lang] > termSec > term``.  A data category is a ``termNote``,
``descrip`` or ``admin`` named by its ``type`` (DCA style, in ``descripGrp`` and the like too),
or an element of another namespace named by its local name (TBX 3 DCT style,
``<basic:partOfSpeech>``).  Category names are compared ignoring case, spaces, dashes and an
``x-`` prefix, so ``x-doNotTranslate``, ``doNotTranslate`` and ``Do not translate`` are one.

* **Status** of a target term: ``administrativeStatus``, ``normativeAuthorization`` or
  ``x-usageStatus`` (preferredTerm-admn-sts, admittedTerm-admn-sts, deprecatedTerm-admn-sts,
  supersededTerm-admn-sts, or plain preferred, admitted, deprecated, superseded, forbidden;
  standardized counts as preferred, superseded as deprecated).  No status: preferred.  Several:
  the one that avoids the term most wins.  A value Tandem does not know is an error.
* **Do not translate**: ``translationNeeded`` / ``Translation needed`` (no = do not translate),
  ``doNotTranslate`` / ``DNT`` (yes = do not translate), with yes/no, true/false or 1/0; the
  nearest to the source term wins (its term section, its language section, the concept, then
  any other language's sections).  Without one, a concept whose only terms are the source's,
  or whose translations (but deprecated ones) only repeat the term, is do-not-translate
  (:func:`tandem.document.keeps_source`); repeats of the term are then no translations.
* **Case**: ``x-caseSensitive`` (yes/no); without it, the rule of
  :func:`tandem.document.case_sensitive_by_default`.
* ``partOfSpeech`` of the source term; ``definition`` and ``note`` of the concept, the source
  language and the source term become the entry's note (joined with "; ").

:func:`write` puts back what :func:`read` reads: statuses as TBX-Basic's ``-admn-sts`` values
(a forbidden term as deprecatedTerm-admn-sts plus ``x-usageStatus`` forbidden), do-not-translate
as ``<descrip type="Translation needed">no</descrip>`` (the spelling Weblate and translate-toolkit
read) with the term repeated in the target language (so a CAT tool offers it unchanged), and
``x-caseSensitive`` only where the flag differs from the default rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tandem.document import (GlossaryEntry, TargetTerm, TermStatus, case_sensitive_by_default, glossary_entry,
                             keeps_source)
from tandem.errors import InputError
from tandem.formats import xml

SUFFIX = ".tbx"
TBX3_NS = "urn:iso:std:iso:30042:ed-2"
_TBX_NAMESPACES = frozenset({"", TBX3_NS, "urn:iso:std:iso:30042:ed-1"})
_CONCEPTS = frozenset({"termEntry", "conceptEntry"})
_LANGUAGES = frozenset({"langSet", "langSec"})
_TERMS = frozenset({"tig", "ntig", "termSec"})
_CATEGORY_ELEMENTS = frozenset({"termNote", "descrip", "admin"})

_STATUS_KEYS = frozenset({"administrativestatus", "normativeauthorization", "usagestatus"})
_STATUS_VALUES = {"preferred": TermStatus.PREFERRED, "standardized": TermStatus.PREFERRED,
                  "admitted": TermStatus.ADMITTED, "deprecated": TermStatus.DEPRECATED,
                  "superseded": TermStatus.DEPRECATED, "forbidden": TermStatus.FORBIDDEN}
_SEVERITY = (TermStatus.PREFERRED, TermStatus.ADMITTED, TermStatus.DEPRECATED, TermStatus.FORBIDDEN)
_ADMN_STS = {TermStatus.PREFERRED: "preferredTerm-admn-sts", TermStatus.ADMITTED: "admittedTerm-admn-sts",
             TermStatus.DEPRECATED: "deprecatedTerm-admn-sts", TermStatus.FORBIDDEN: "deprecatedTerm-admn-sts"}
# Category key -> whether "yes" means do not translate.
_DNT_KEYS = {"donottranslate": True, "dnt": True, "translationneeded": False, "translate": False}
_CASE_KEYS = frozenset({"casesensitive", "casesensitivity"})
_NOTE_KEYS = frozenset({"definition", "note"})
_YES, _NO = frozenset({"yes", "true", "1", "y"}), frozenset({"no", "false", "0", "n"})


@dataclass(frozen=True)
class _Category:
    """One data category as found: normalised name, text, and where it is."""

    key: str
    value: str
    line: int | None


@dataclass(frozen=True)
class _Term:
    """A term of a concept with the categories of its own section and of its language section."""

    language: str
    text: str
    own: tuple[_Category, ...]
    section: tuple[_Category, ...]


def category_key(name: str) -> str:
    """A data category's name compared loosely.

    >>> category_key("x-doNotTranslate"), category_key("Translation needed"), category_key("partOfSpeech")
    ('donottranslate', 'translationneeded', 'partofspeech')
    """
    name = name.strip().lower()
    name = name[2:] if name.startswith("x-") else name
    return "".join(ch for ch in name if ch.isalnum())


# -- reading ----------------------------------------------------------------------------------

def read(path: Path, source_language: str = "en") -> tuple[GlossaryEntry, ...]:
    """The glossary entries of a TBX file (either structure), for ``source_language`` terms.

    A concept without a term in the source language gives no entry.  The whole file is read
    before anything is returned, so a bad concept anywhere is one :class:`InputError`.
    """
    root = xml.parse(xml.read_bytes(path, "TBX file"), str(path))
    body = _body(root, path)
    entries: list[GlossaryEntry] = []
    for concept in _kids(body, _CONCEPTS):
        entries.extend(_concept_entries(concept, source_language, path))
    return tuple(entries)


def _body(root: etree._Element, path: Path) -> etree._Element:
    text = _kids(root, frozenset({"text"})) if xml.local_name(root) in ("martif", "tbx") else []
    body = _kids(text[0], frozenset({"body"})) if text else []
    if not body or xml.namespace(root) not in _TBX_NAMESPACES:
        raise InputError("not a TBX file (expected <martif> or <tbx> with <text><body>)", path=str(path))
    return body[0]


def _kids(element: etree._Element, names: frozenset[str]) -> list[etree._Element]:
    """The children named in ``names`` in no namespace or a TBX one."""
    return [k for k in element if xml.local_name(k) in names and xml.namespace(k) in _TBX_NAMESPACES]


def _concept_entries(concept: etree._Element, source_language: str, path: Path) -> list[GlossaryEntry]:
    terms = [term for section in _kids(concept, _LANGUAGES) for term in _section_terms(section, path)]
    concept_categories = _categories(concept, _LANGUAGES)
    targets = [t for t in terms if t.language != source_language]
    translations = tuple(TargetTerm(t.language, t.text, _status(t.own, path)) for t in targets)
    elsewhere = tuple(c for t in targets for c in (*t.own, *t.section))
    return [_entry(term, translations, (term.own, term.section, concept_categories, elsewhere),
                   concept.get("id", ""), path)
            for term in terms if term.language == source_language]


def _section_terms(section: etree._Element, path: Path) -> list[_Term]:
    language = xml.primary_language(section.get(xml.XML_LANG))
    if not language:
        raise InputError(f"<{xml.local_name(section)}> without a language code (xml:lang)", path=str(path),
                         line=section.sourceline)
    categories = _categories(section, _TERMS)
    return [_Term(language, _term_text(term_section, path), _categories(term_section, frozenset()), categories)
            for term_section in _kids(section, _TERMS)]


def _term_text(term_section: etree._Element, path: Path) -> str:
    """The ``<term>`` of a tig, ntig (inside ``termGrp``) or termSec, whitespace collapsed."""
    term = next((e for e in term_section.iter() if xml.local_name(e) == "term"), None)
    text = " ".join(xml.inline_text(term).split())
    if not text:
        raise InputError("empty term", path=str(path), line=term_section.sourceline)
    return text


def _categories(scope: etree._Element, stop: frozenset[str]) -> tuple[_Category, ...]:
    """Every data category under ``scope``, in document order, without entering ``stop`` sections."""
    found: list[_Category] = []
    for kid in scope:
        name, tbx_element = xml.local_name(kid), xml.namespace(kid) in _TBX_NAMESPACES
        if not name or (tbx_element and (name in stop or name == "term")):
            continue
        if tbx_element and name in _CATEGORY_ELEMENTS:
            found.append(_Category(category_key(kid.get("type", "")), _text(kid), kid.sourceline))
        elif tbx_element and name == "note":
            found.append(_Category("note", _text(kid), kid.sourceline))
        elif not tbx_element and not len(kid):  # TBX 3 DCT style: <basic:partOfSpeech>noun</...>
            found.append(_Category(category_key(name), _text(kid), kid.sourceline))
        else:  # a group (descripGrp, termGrp, transacGrp...): its categories count here
            found.extend(_categories(kid, stop))
    return tuple(found)


def _text(element: etree._Element) -> str:
    return " ".join(xml.inline_text(element).split())


def _status(categories: Iterable[_Category], path: Path) -> TermStatus:
    statuses = [_status_value(c, path) for c in categories if c.key in _STATUS_KEYS]
    return max(statuses, key=_SEVERITY.index, default=TermStatus.PREFERRED)


def _status_value(category: _Category, path: Path) -> TermStatus:
    """``deprecatedTerm-admn-sts``, ``Deprecated term``, ``deprecated`` -> DEPRECATED."""
    key = category_key(category.value).removesuffix("admnsts").removesuffix("term")
    if key not in _STATUS_VALUES:
        raise InputError(f"unknown term status {category.value!r} (expected preferredTerm-admn-sts, "
                         "admittedTerm-admn-sts, deprecatedTerm-admn-sts, supersededTerm-admn-sts or forbidden)",
                         path=str(path), line=category.line)
    return _STATUS_VALUES[key]


def _entry(term: _Term, translations: tuple[TargetTerm, ...], scopes: Sequence[tuple[_Category, ...]],
           concept: str, path: Path) -> GlossaryEntry:
    """The entry of one source term; ``scopes`` go from the nearest categories to the farthest."""
    near = [c for scope in scopes[:3] for c in scope]  # the term's own, its language's, the concept's
    notes = [c.value for scope in reversed(scopes[:3]) for c in scope if c.key in _NOTE_KEYS and c.value]
    pos = next((c.value for c in near if c.key == "partofspeech"), "")
    return glossary_entry(term.text, translations, do_not_translate=_dnt(scopes, path),
                          case_sensitive=_flag(near, _CASE_KEYS, path), note="; ".join(dict.fromkeys(notes)),
                          part_of_speech=pos, concept=concept, origin=path.name, source_language=term.language)


def _dnt(scopes: Sequence[tuple[_Category, ...]], path: Path) -> bool | None:
    category = next((c for scope in scopes for c in scope if c.key in _DNT_KEYS), None)
    if category is None:
        return None
    yes = _boolean(category, path)
    return yes if _DNT_KEYS[category.key] else not yes


def _flag(categories: Sequence[_Category], keys: frozenset[str], path: Path) -> bool | None:
    category = next((c for c in categories if c.key in keys), None)
    return None if category is None else _boolean(category, path)


def _boolean(category: _Category, path: Path) -> bool:
    value = category.value.strip().lower()
    if value not in _YES | _NO:
        raise InputError(f"{category.key}: expected yes or no, not {category.value!r}", path=str(path),
                         line=category.line)
    return value in _YES


# -- writing ----------------------------------------------------------------------------------

def write(entries: Sequence[GlossaryEntry], source_language: str, target_language: str) -> bytes:
    """TBX-Basic bytes for one language pair: the entries with a term in ``target_language`` or
    marked do-not-translate (others have nothing to say for the pair), entries of one concept
    together, in the order given.  The same entries give the same bytes."""
    root = xml.set_lang(etree.Element("martif", type="TBX-Basic"), source_language)
    header = etree.SubElement(etree.SubElement(root, "martifHeader"), "fileDesc")
    etree.SubElement(etree.SubElement(header, "sourceDesc"), "p").text = \
        f"Tandem glossary, {source_language} to {target_language}"
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for concept, group in _concepts(e for e in entries if e.covers(target_language)):
        _term_entry(body, concept, group, source_language, target_language)
    return xml.to_bytes(root, frozenset())


def _concepts(entries: Iterable[GlossaryEntry]) -> list[tuple[str, list[GlossaryEntry]]]:
    """Entries grouped by concept id, in first-seen order; an entry without one stands alone."""
    groups: dict[str, list[GlossaryEntry]] = {}
    for number, entry in enumerate(entries):
        groups.setdefault(entry.concept or f"\0{number}", []).append(entry)
    return [("" if key.startswith("\0") else key, group) for key, group in groups.items()]


def _term_entry(body: etree._Element, concept: str, group: list[GlossaryEntry], source_language: str,
                target_language: str) -> None:
    term_entry = etree.SubElement(body, "termEntry", id=concept) if concept else etree.SubElement(body, "termEntry")
    source = xml.set_lang(etree.SubElement(term_entry, "langSet"), source_language)
    # Translated entries first: a do-not-translate synonym's list lacks the repeats of its term.
    ordered = sorted(group, key=lambda e: e.do_not_translate)
    terms = dict.fromkeys(t for e in ordered for t in e.terms(target_language))
    if all(e.do_not_translate for e in group):  # the term itself first, for tools that know no flag
        terms = dict.fromkeys([*(TargetTerm(target_language, e.source) for e in group), *terms])
    for entry in group:
        _source_tig(source, entry, inferred_dnt=keeps_source(entry.source, tuple(terms)))
    if terms:
        target = xml.set_lang(etree.SubElement(term_entry, "langSet"), target_language)
        for term in terms:
            _target_tig(target, term)


def _source_tig(lang_set: etree._Element, entry: GlossaryEntry, inferred_dnt: bool) -> None:
    """The source term's ``tig``: flags that reading would not infer are written out, and
    do-not-translate always (tools that read the flag know no inference)."""
    tig = etree.SubElement(lang_set, "tig")
    etree.SubElement(tig, "term").text = entry.source
    if entry.part_of_speech:
        etree.SubElement(tig, "termNote", type="partOfSpeech").text = entry.part_of_speech
    if entry.case_sensitive != case_sensitive_by_default(entry.source):
        etree.SubElement(tig, "termNote", type="x-caseSensitive").text = "yes" if entry.case_sensitive else "no"
    if entry.do_not_translate or inferred_dnt:
        etree.SubElement(tig, "descrip", type="Translation needed").text = "no" if entry.do_not_translate else "yes"
    if entry.note:
        etree.SubElement(tig, "note").text = entry.note


def _target_tig(lang_set: etree._Element, term: TargetTerm) -> None:
    tig = etree.SubElement(lang_set, "tig")
    etree.SubElement(tig, "term").text = term.text
    etree.SubElement(tig, "termNote", type="administrativeStatus").text = _ADMN_STS[term.status]
    if term.status is TermStatus.FORBIDDEN:  # TBX-Basic has no "forbidden": deprecated, and say so
        etree.SubElement(tig, "termNote", type="x-usageStatus").text = "forbidden"
