"""Merge decisions: what a reviewed file's units mean for the memory.

The formats read what CAT tools send back into one model
(:class:`tandem.formats.ReviewedFile`); this module decides, unit by unit,
what to store.  Every file is read and matched to its article before
anything is stored: a malformed or hostile file, or one for an article or
language pair the memory does not know, stops the merge with nothing changed.
Inside a good file, each unit is matched to the article's segment by id *and*
source text; units that do not match are reported, not merged.

CAT tools add namespaces and attributes, reorder units, mark ``approved="yes"``,
use their own states, drop ``<target>`` from units nobody touched, and copy the
source into targets they leave untranslated: all of that is expected.

* Reviewed work is only ever added: an emptied target keeps the stored one.
* A unit without a target, or whose target is a copy of its source in a state
  that says "not translated" (OmegaT writes one for every skipped segment), is
  *untouched*.
* A target left as it was with only its state changed between two not-done
  states (``pomerge``, translate-toolkit's ``markfuzzy``) keeps its origin: MT
  stays MT, with the new state recorded.
* A unit still showing, untouched, a draft Tandem wrote earlier (an old copy
  of the file) is refused as stale, so it cannot displace newer work; so is a
  target holding a character XML cannot hold, or one in another language.
* The state the reviewer gives decides whether human work is reviewed or still
  in review (:func:`tandem.document.is_reviewed_state`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tandem.document import (Article, CodeRole, InlineCode, Origin, Segment, Translation, codes_to_json,
                             is_reviewed_state, target_problem)
from tandem.errors import InputError
from tandem.formats import XLIFF_VERSIONS, ReviewedFile, omegat, read_reviewed
from tandem.formats.xliff import StateMapping, UnitReview
from tandem.memory import Memory, Reviewed
from tandem.segment.codes import well_formed


@dataclass
class FileResult:
    """What the merge did with one reviewed file: the summary the CLI prints."""

    path: Path
    article: str
    target_lang: str
    updated: list[str] = field(default_factory=list)  # human work stored
    restated: list[str] = field(default_factory=list)  # MT or memory text kept, with the reviewer's new state
    unchanged: list[str] = field(default_factory=list)
    untouched: list[str] = field(default_factory=list)  # no target, or an untranslated copy
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (unit id, why)
    missing: list[str] = field(default_factory=list)  # article segments absent from the file


@dataclass(frozen=True)
class _Untouched:
    """Decision: the reviewer did not work on the unit."""


UNTOUCHED = _Untouched()


def read_files(paths: Sequence[Path]) -> list[ReviewedFile]:
    """Every reviewed file of ``paths`` (each path once), read and checked before any merge: XLIFF
    files, and OmegaT project folders made by ``tandem omegat`` (:mod:`tandem.formats.omegat`)."""
    return [f for path in dict.fromkeys(paths) for f in _read(path)]


def _read(path: Path) -> list[ReviewedFile]:
    if path.is_dir():
        if not (path / omegat.PROJECT_FILE).is_file():
            raise InputError("a folder, but not an OmegaT project (no omegat.project)", path=str(path))
        return omegat.read_project(path)
    return read_reviewed(path)


def merge(memory: Memory, files: Sequence[ReviewedFile]) -> tuple[list[FileResult], list[str]]:
    """Decide and store every unit of ``files`` (in the caller's transaction); return per-file
    results and the names of the articles that changed."""
    matched = [(f, _match_article(memory, f)) for f in files]  # every file matched before any write
    results, reviewed = [], []
    for f, article in matched:
        result, accepted = _review_file(memory, f, article)
        results.append(result)
        reviewed.extend(accepted)
    memory.store_reviewed(reviewed)
    return results, sorted({r.article for r in reviewed})


def _match_article(memory: Memory, f: ReviewedFile) -> Article:
    """The stored article a reviewed file belongs to, or an error naming the mismatch."""
    name = _article_name(memory, f)
    stored = memory.articles.load(name)
    if f.source_lang != stored.article.language or f.target_lang not in stored.targets:
        pair = f"{f.source_lang or '?'}-{f.target_lang or '?'}"
        known = ", ".join(f"{stored.article.language}-{lang}" for lang in stored.targets)
        raise InputError(f"language pair {pair} does not match article {name!r} ({known})", path=str(f.path))
    return stored.article


def _article_name(memory: Memory, f: ReviewedFile) -> str:
    """By ``original``; a tool that empties it (Qt Linguist) still matches when exactly one
    stored article holds every unit's id and source."""
    if f.original:
        names = memory.articles.names(f.original)
        if not names:
            raise InputError(f"no article {f.original!r} in the translation memory (wrong file or --out?)",
                             path=str(f.path))
        return names[0]
    names = memory.articles.matching([(u.id, u.source) for u in f.units]) if f.units else []
    if len(names) != 1:
        found = "no stored article" if not names else f"{len(names)} stored articles ({', '.join(names)})"
        raise InputError(f"<file> has no 'original', and {found} holds all its units' ids and sources: "
                         "cannot tell which article it belongs to", path=str(f.path))
    return names[0]


def _review_file(memory: Memory, f: ReviewedFile, article: Article) -> tuple[FileResult, list[Reviewed]]:
    result = FileResult(f.path, article.name, f.target_lang)
    segments = {s.id: s for s in article.segments}
    current = {t.segment_id: t for t in memory.articles.translations(article, f.target_lang)}
    states = _states(f)
    decided: list[tuple[UnitReview, object]] = []
    seen: set[str] = set()
    for unit in f.units:
        decision = _rejection(unit, segments, seen)
        seen.add(unit.id)
        if decision is None:
            decision = _decide_unit(memory, unit, segments[unit.id], current[unit.id], f, states)
        decided.append((unit, decision))
    accepted: dict[str, Reviewed] = {}
    for unit, decision in _agree_within_file(memory, decided, segments, current, f):
        _record(result, accepted, unit, decision, article, segments)
    result.missing = [i for i in segments if i not in seen]
    return result, list(accepted.values())


def _agree_within_file(memory: Memory, decided: list[tuple[UnitReview, object]], segments: dict[str, Segment],
                       current: dict[str, Translation], f: ReviewedFile) -> list[tuple[UnitReview, object]]:
    """Copies of one sentence in one file that disagree: a copy the reviewer edited (a text the
    memory has never held for that sentence) wins over copies still showing a translation the
    memory held before -- they are what the file was written with, not edits -- and without such
    an edit the copy showing the memory's current translation wins.  Merging a file twice, or
    again after an interrupted merge, so never undoes the edit it holds."""
    by_sentence: dict[tuple[str, str], list[int]] = {}
    for index, (unit, decision) in enumerate(decided):
        if unit.id in segments and unit.target is not None and not isinstance(decision, str):
            seg = segments[unit.id]
            by_sentence.setdefault((seg.text, codes_to_json(seg.codes)), []).append(index)
    result = list(decided)
    for (text, _codes), indexes in by_sentence.items():
        targets = {decided[i][0].target for i in indexes}
        if len(targets) < 2:
            continue
        known = {m.translation.text for m in memory.tm.exact(f.source_lang, f.target_lang, [text]).get(text, [])}
        fresh = [i for i in indexes if decided[i][0].target not in known]
        shown = current[decided[indexes[0]][0].id].text
        winners = fresh or [i for i in indexes if decided[i][0].target == shown]
        for i in indexes:
            unit, decision = decided[i]
            if winners and i not in winners and decision is not None and decision is not UNTOUCHED:
                result[i] = (unit, f"stale: another unit of this sentence in the file ({decided[winners[-1]][0].id}) "
                                   "holds the newer translation")
    return result


def _decide_unit(memory: Memory, unit: UnitReview, segment: Segment, current: Translation, f: ReviewedFile,
                 states: StateMapping) -> Translation | str | _Untouched | None:
    decision = _target_problem(unit, f) or _decide(unit, segment, current, f, states)
    if isinstance(decision, Translation):
        return _stale(memory, unit, segment, current, f, states) or decision
    return decision


def _record(result: FileResult, accepted: dict[str, Reviewed], unit: UnitReview, decision,
            article: Article, segments: dict[str, Segment]) -> None:
    if isinstance(decision, str):
        result.rejected.append((unit.id, decision))
    elif decision is None:
        result.unchanged.append(unit.id)
    elif decision is UNTOUCHED:
        result.untouched.append(unit.id)
    else:
        (result.updated if decision.origin is Origin.HUMAN else result.restated).append(unit.id)
        segment = segments[unit.id]
        accepted[unit.id] = Reviewed(article.name, article.language, segment.text, decision, segment.codes)


def _states(f: ReviewedFile) -> StateMapping:
    """The state vocabulary of the file's format (OmegaT projects come back in 1.2's)."""
    return (XLIFF_VERSIONS.get(f.version) or XLIFF_VERSIONS["1.2"]).states


def _rejection(unit: UnitReview, segments: dict[str, Segment], seen: set[str]) -> str | None:
    if unit.id in seen:
        return "duplicate unit id in the file"
    if unit.id not in segments:
        return "no such segment in the article (unit added by the reviewer?)"
    if not same_text(unit.source, segments[unit.id].text):
        return "source text differs from the article's segment (edited since the file was made?)"
    return None


def _target_problem(unit: UnitReview, f: ReviewedFile) -> str | None:
    """Why a unit's target cannot be stored at all, or None."""
    if unit.target and target_problem(unit.target):
        return target_problem(unit.target)
    if unit.target_lang and unit.target_lang != f.target_lang:
        return f"target language {unit.target_lang} is not the file's target language {f.target_lang}"
    return None


def _stale(memory: Memory, unit: UnitReview, segment: Segment, current: Translation, f: ReviewedFile,
           states: StateMapping) -> str | None:
    """Why the unit is refused if it shows, untouched, a draft Tandem wrote earlier (MT or memory
    text with the state and approval Tandem gave it): a file saved before later work, not a review."""
    for draft in memory.tm.drafts(f.source_lang, f.target_lang, segment.text):
        written = states.written(draft)
        if (unit.target == draft.text != current.text and unit.state in (None, written)
                and unit.approved in (False, written in states.approved)):
            return ("stale: unchanged draft, a newer review exists" if current.origin is Origin.HUMAN
                    else "stale: unchanged draft from an earlier run")
    return None


def _decide(unit: UnitReview, segment: Segment, current: Translation, f: ReviewedFile,
            states: StateMapping) -> Translation | str | _Untouched | None:
    """The translation to store, None if nothing changed, UNTOUCHED, or why the unit is refused.

    A unit changed if its target text differs from what the memory holds, its
    state differs from the state Tandem wrote, or (1.2) it was newly approved.
    """
    if unit.target is None or _untranslated_copy(unit, segment, states):
        return UNTOUCHED
    if not unit.target.strip():
        return "empty target: the stored translation is kept" if current.text else UNTOUCHED
    codes = target_codes(unit, segment)
    if isinstance(codes, str):
        return codes
    written = states.written(current)
    state = unit.state or written  # a tool that drops the state attribute changes nothing
    newly_approved = unit.approved and written not in states.approved
    same = unit.target == current.text and _positions(codes) == _positions(current.codes)
    if same and state == written and not newly_approved:
        return None
    if same and not newly_approved and _keeps_origin(current, state):
        return replace(current, state=state)  # only the state changed: MT stays MT
    if unit.state is None and not same:
        state = "translated"  # edited by a tool that writes no states: translated, not yet reviewed
    if newly_approved and state not in states.approved:
        state = "final"  # approved="yes" on a state that does not say so: the approval wins
    return replace(current, text=unit.target, origin=Origin.HUMAN, state=state, provenance=f.path.name,
                   score=None, model=None, candidates=(), codes=codes)


def target_codes(unit: UnitReview, segment: Segment) -> tuple[InlineCode, ...] | str:
    """The segment's codes where the reviewer left them in the target, or why they cannot be
    stored: a code missing, an extra or duplicated one, an unknown id, or a broken pair.  Codes
    that are reordered or nested differently but stay well formed are fine: word order changes
    between languages."""
    source = {(c.id, _side(c.role)): c for c in segment.codes}
    seen: dict[tuple[str, str], InlineCode] = {}
    for mark in unit.target_marks:
        key = (mark.id, _side(mark.role))
        if key not in source:
            return f"inline code {mark.id!r} in the target is not in the source (unknown or extra code)"
        if key in seen:
            return f"inline code {mark.id!r} appears twice in the target"
        if mark.role is not source[key].role:
            return f"inline code {mark.id!r} is a {source[key].role.value} code in the source, {mark.role.value} in the target"
        seen[key] = replace(source[key], offset=mark.offset)
    missing = sorted({c.id for key, c in source.items() if key not in seen})
    if missing:
        return f"inline code(s) {', '.join(missing)} of the source missing in the target"
    placed = tuple(seen.values())
    broken = well_formed(placed)
    return f"inline codes not well formed in the target: {broken}" if broken else placed


def _side(role: CodeRole) -> str:
    """Which side of a code a mark is: a pair's two sides are told apart, isolated ones too."""
    return {CodeRole.OPEN: "start", CodeRole.START: "start", CodeRole.CLOSE: "end",
            CodeRole.END: "end"}.get(role, "standalone")


def _positions(codes: Sequence[InlineCode]) -> list[tuple[str, str, int]]:
    return sorted((c.id, c.role.value, c.offset) for c in codes)


def _keeps_origin(current: Translation, state: str) -> bool:
    """Machine or memory text whose state moved between two not-done states is still that text:
    only a done state (the reviewer confirming it) makes it human work."""
    return current.origin in (Origin.MT, Origin.TM) and not is_reviewed_state(state)


def _untranslated_copy(unit: UnitReview, segment: Segment, states: StateMapping) -> bool:
    """A copy of the source in a state that says it is not translated: what OmegaT and other
    tools put in every target the translator skipped."""
    return unit.state in states.untranslated and same_text(unit.target or "", segment.text)


def same_text(a: str, b: str) -> bool:
    """Equal, or equal once runs of whitespace are collapsed (some tools reflow)."""
    return a == b or " ".join(a.split()) == " ".join(b.split())
