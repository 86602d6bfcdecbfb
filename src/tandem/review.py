"""Merge reviewed XLIFF (1.2 or 2.x, as CAT tools write it back) into the memory.

Every file is read and checked before anything is stored: a malformed or
hostile file, or one for an article or language pair the memory does not
know, stops the merge with nothing changed.  Inside a good file, each unit is
matched to the article's segment by id *and* source text; units that do not
match are reported, not merged.  Accepted work is stored as ``human``
translations in one transaction, then the article's outputs are rebuilt.

CAT tools add namespaces and attributes, reorder units, mark ``approved="yes"``,
use their own states and sometimes empty a target: all of that is expected.
Reviewed work is only ever added; an emptied target keeps the stored one.  A
unit still showing, untouched, a draft Tandem wrote earlier (an old copy of the
file) is refused as stale, so it cannot displace newer work; so is a target
holding a character XML cannot hold, or one in another language.  The state
the reviewer gives decides whether the work is reviewed or still in review
(:func:`tandem.document.is_reviewed_state`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from lxml import etree

from tandem import xmlsafe
from tandem.document import Article, Origin, Translation
from tandem.errors import InputError
from tandem.memory import Memory, Reviewed, open_existing_memory
from tandem.writers.xliffcommon import APPROVED_12, STATES_20, state_12, state_20

NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
_CODES = {"bpt", "ept", "ph", "it", "ut", "x", "bx", "ex", "sc", "ec"}  # inline native codes, not text
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters an XML 1.0 document cannot hold: stored, they would break every later output.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class UnitReview:
    """One unit as the reviewer returned it."""

    id: str
    source: str
    target: str | None  # None: no <target> at all
    state: str | None
    approved: bool = False
    target_lang: str = ""  # the target's own xml:lang, primary subtag ("" when not given)


@dataclass(frozen=True)
class ReviewedFile:
    """One ``<file>`` of a reviewed XLIFF document."""

    path: Path
    version: str  # "1.2" or "2"
    original: str
    source_lang: str
    target_lang: str
    units: tuple[UnitReview, ...]


@dataclass
class FileResult:
    """What the merge did with one reviewed file: the summary the CLI prints."""

    path: Path
    article: str
    target_lang: str
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (unit id, why)
    missing: list[str] = field(default_factory=list)  # article segments absent from the file


def merge(paths: Sequence[Path], tm_path: Path) -> tuple[list[FileResult], list[str]]:
    """Merge reviewed XLIFF files; return per-file results and the names of changed articles."""
    files = [f for path in dict.fromkeys(paths) for f in read_reviewed(path)]
    with open_existing_memory(tm_path) as tm:
        matched = [(f, _match_article(tm, f)) for f in files]  # every file checked before any write
        results, reviewed = [], []
        for f, article in matched:
            result, accepted = _review_file(tm, f, article)
            results.append(result)
            reviewed.extend(accepted)
        tm.store_reviewed(reviewed)
    changed = sorted({r.article for r in reviewed})
    return results, changed


def read_reviewed(path: Path) -> list[ReviewedFile]:
    """Parse a reviewed XLIFF document (1.2 or 2.x) safely into its files."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    root = xmlsafe.parse(data, str(path))
    version = root.get("version", "")
    if xmlsafe.local_name(root) != "xliff" or not version[:1] in ("1", "2"):
        raise InputError("not an XLIFF document (expected <xliff version=\"1.2\" or \"2.x\">)", path=str(path))
    ns = xmlsafe.namespace(root)
    files = [f for f in root if xmlsafe.local_name(f) == "file" and xmlsafe.namespace(f) == ns]
    if not files:
        raise InputError("XLIFF document has no <file>", path=str(path))
    if version.startswith("1"):
        return [_file_12(path, f, ns) for f in files]
    return [_file_20(path, root, f, ns) for f in files]


def _file_12(path: Path, file_el: etree._Element, ns: str) -> ReviewedFile:
    units = []
    for unit in file_el.iter(f"{{{ns}}}trans-unit" if ns else "trans-unit"):
        source, target = _child(unit, "source", ns), _child(unit, "target", ns)
        units.append(UnitReview(
            id=unit.get("id", ""), source=_text(source), target=None if target is None else _text(target),
            state=None if target is None else target.get("state"), approved=unit.get("approved") == "yes",
            target_lang=_lang(None if target is None else target.get(XML_LANG))))
    return ReviewedFile(path, "1.2", _original(path, file_el), _lang(file_el.get("source-language")),
                        _lang(file_el.get("target-language")), tuple(units))


def _file_20(path: Path, root: etree._Element, file_el: etree._Element, ns: str) -> ReviewedFile:
    units = []
    for unit in file_el.iter(f"{{{ns}}}unit"):
        parts = [p for p in unit if xmlsafe.local_name(p) in ("segment", "ignorable")]
        segments = [p for p in parts if xmlsafe.local_name(p) == "segment"]
        targets = [_child(p, "target", ns) for p in parts]
        has_target = any(t is not None for t, p in zip(targets, parts) if xmlsafe.local_name(p) == "segment")
        target = "".join(_text(t if t is not None else _child(p, "source", ns)) for p, t in zip(parts, targets))
        states = [s.get("state", "initial") for s in segments]
        units.append(UnitReview(
            id=unit.get("id", ""), source="".join(_text(_child(p, "source", ns)) for p in parts),
            target=target if has_target else None,
            state=min(states, key=STATES_20.index) if states and set(states) <= set(STATES_20) else None,
            target_lang=next((_lang(t.get(XML_LANG)) for t in targets if t is not None and t.get(XML_LANG)), "")))
    return ReviewedFile(path, "2", _original(path, file_el), _lang(root.get("srcLang")),
                        _lang(root.get("trgLang")), tuple(units))


def _match_article(tm: Memory, f: ReviewedFile) -> Article:
    """The stored article a reviewed file belongs to, or an error naming the mismatch."""
    names = tm.article_names(f.original)
    stored = tm.load_article(names[0]) if names else None
    if stored is None:
        raise InputError(f"no article {f.original!r} in the translation memory (wrong file or --out?)",
                         path=str(f.path))
    article, languages = stored
    if f.source_lang != article.language or f.target_lang not in languages:
        pair = f"{f.source_lang or '?'}-{f.target_lang or '?'}"
        known = ", ".join(f"{article.language}-{lang}" for lang in languages)
        raise InputError(f"language pair {pair} does not match article {article.name!r} ({known})",
                         path=str(f.path))
    return article


def _review_file(tm: Memory, f: ReviewedFile, article: Article) -> tuple[FileResult, list[Reviewed]]:
    result = FileResult(f.path, article.name, f.target_lang)
    segments = {s.id: s for s in article.segments}
    current = {t.segment_id: t for t in tm.load_translations(article, f.target_lang)}
    accepted: dict[str, Reviewed] = {}
    seen: set[str] = set()
    for unit in f.units:
        why = _rejection(unit, segments, seen)
        seen.add(unit.id)
        if why:
            result.rejected.append((unit.id, why))
            continue
        decision = _target_problem(unit, f) or _decide(unit, current[unit.id], f)
        if isinstance(decision, Translation):
            decision = _stale(tm, article, unit, current[unit.id], f) or decision
        if isinstance(decision, str):
            result.rejected.append((unit.id, decision))
        elif decision is None:
            result.unchanged.append(unit.id)
        else:
            result.updated.append(unit.id)
            accepted[unit.id] = Reviewed(article.name, article.language, segments[unit.id].text, decision)
    result.missing = [i for i in segments if i not in seen]
    return result, list(accepted.values())


def _rejection(unit: UnitReview, segments: dict, seen: set[str]) -> str | None:
    if unit.id in seen:
        return "duplicate unit id in the file"
    if unit.id not in segments:
        return "no such segment in the article (unit added by the reviewer?)"
    if not _same_text(unit.source, segments[unit.id].text):
        return "source text differs from the article's segment (edited since the file was made?)"
    return None


def _target_problem(unit: UnitReview, f: ReviewedFile) -> str | None:
    """Why a unit's target cannot be stored at all, or None."""
    if unit.target and _NOT_XML.search(unit.target):
        return "target contains a character XML cannot hold"
    if unit.target_lang and unit.target_lang != f.target_lang:
        return f"target language {unit.target_lang} is not the file's target language {f.target_lang}"
    return None


def _stale(tm: Memory, article: Article, unit: UnitReview, current: Translation, f: ReviewedFile) -> str | None:
    """Why the unit is refused if it shows, untouched, a draft Tandem wrote earlier (MT or memory
    text with the state and approval Tandem gave it): a file saved before later work, not a review."""
    source = next(s.text for s in article.segments if s.id == unit.id)
    for draft in tm.drafts(article.language, f.target_lang, source, unit.id):
        written = state_12(draft)[0] if f.version == "1.2" else state_20(draft)
        approved = f.version == "1.2" and written in APPROVED_12
        if (unit.target == draft.text != current.text and unit.state in (None, written)
                and unit.approved in (False, approved)):
            return ("stale: unchanged draft, a newer review exists" if current.origin is Origin.HUMAN
                    else "stale: unchanged draft from an earlier run")
    return None


def _decide(unit: UnitReview, current: Translation, f: ReviewedFile) -> Translation | str | None:
    """The human translation to store, None if nothing changed, or why the unit is refused.

    A unit changed if its target text differs from what the memory holds, its
    state differs from the state Tandem wrote, or (1.2) it was newly approved.
    """
    if unit.target is None or not unit.target.strip():
        return "empty target: the stored translation is kept" if current.text else None
    written = state_12(current)[0] if f.version == "1.2" else state_20(current)
    state = unit.state or written  # a tool that drops the state attribute changes nothing
    newly_approved = f.version == "1.2" and unit.approved and written not in APPROVED_12
    if unit.target == current.text and state == written and not newly_approved:
        return None
    if unit.state is None and unit.target != current.text:
        state = "translated"  # edited by a tool that writes no states: translated, not yet reviewed
    if newly_approved and state not in APPROVED_12:
        state = "final"  # approved="yes" on a state that does not say so: the approval wins
    return replace(current, text=unit.target, origin=Origin.HUMAN, state=state, provenance=f.path.name,
                   score=None, model=None, candidates=())


def _child(element: etree._Element, name: str, ns: str) -> etree._Element | None:
    return element.find(f"{{{ns}}}{name}" if ns else name)


def _text(element: etree._Element | None) -> str:
    """Text content with inline codes dropped (``<ph>``, ``<x/>``...) and ``<cp>`` decoded."""
    if element is None:
        return ""
    parts = [element.text or ""]
    for child in element:
        name = xmlsafe.local_name(child)
        if name == "cp":
            parts.append(_code_point(child.get("hex", "")))
        elif name and name not in _CODES:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _code_point(hex_value: str) -> str:
    """The character an XLIFF 2 ``<cp hex>`` stands for; NUL for a value that is no character
    (the unit is then rejected, as for any character XML cannot hold).

    >>> _code_point("41"), _code_point("110000"), _code_point("zz")
    ('A', '\\x00', '\\x00')
    """
    if re.fullmatch(r"[0-9A-Fa-f]{1,6}", hex_value) and int(hex_value, 16) <= 0x10FFFF:
        return chr(int(hex_value, 16))
    return "\x00"


def _same_text(a: str, b: str) -> bool:
    """Equal, or equal once runs of whitespace are collapsed (some tools reflow)."""
    return a == b or " ".join(a.split()) == " ".join(b.split())


def _original(path: Path, file_el: etree._Element) -> str:
    original = file_el.get("original")
    if not original:
        raise InputError("<file> has no 'original': cannot tell which article it belongs to", path=str(path))
    return PurePath(original.replace("\\", "/")).name


def _lang(code: str | None) -> str:
    return (code or "").replace("_", "-").split("-")[0].lower()
