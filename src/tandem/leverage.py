"""Lookup order: what the memory already knows, before any machine translation.

For every segment and target language, in this order:

1. the human translation the segment already shows (its source unchanged):
   a re-run keeps the article's own latest review, even one still in review;
2. a reviewed (human) translation of exactly the same source text;
3. another exact match: an imported memory (TMX), then earlier MT output --
   human work still in review (state ``needs-*``/``initial``) is attached as a
   candidate;
4. fuzzy matches of reviewed, in-review or imported work above a threshold, and
   the segment's own earlier reviewed translation if its source was edited --
   offered as candidates, never used as the target;
5. machine translation for whatever is left (or nothing, with ``--no-mt``).

A re-run of an unchanged article therefore finds every segment in step 1 or 2
and makes no MT call at all; and MT never replaces reviewed work, because a
reviewed translation of the same text always wins step 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process, utils

from tandem.document import Article, Candidate, Origin, Segment, Translation
from tandem.memory import Memory

FUZZY_LIMIT = 3  # candidates offered per segment: more is noise in a CAT tool


@dataclass(frozen=True)
class Plan:
    """What the memory covers for one article and target language, and what is left."""

    article: Article
    language: str
    found: dict[str, Translation] = field(default_factory=dict)  # segment id -> exact match
    todo: tuple[Segment, ...] = ()  # segments left for MT (or the translator)
    candidates: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)


def plan(memory: Memory, article: Article, language: str, threshold: float) -> Plan:
    """Look every segment of ``article`` up in ``memory`` for ``language``."""
    found: dict[str, Translation] = {}
    todo: list[Segment] = []
    candidates: dict[str, tuple[Candidate, ...]] = {}
    sources = None  # loaded only if some segment needs a fuzzy search
    for seg in article.segments:
        exact = _exact(memory, article, language, seg)
        if exact is not None:
            found[seg.id] = exact
            continue
        todo.append(seg)
        if sources is None:
            sources = memory.leverage_sources(article.language, language)
        candidates[seg.id] = _candidates(memory, article, language, seg, sources, threshold)
    return Plan(article, language, found, tuple(todo), candidates)


def complete(plan: Plan, machine: list[Translation] | None) -> list[Translation]:
    """Every segment's translation: exact matches, then ``machine`` output (or empty targets).

    Candidates found by :func:`plan` are attached to the segments that needed them.
    """
    by_id = dict(plan.found)
    made = {t.segment_id: t for t in machine or ()}
    for seg in plan.todo:
        base = made.get(seg.id) or Translation(seg.id, plan.language, "", Origin.NONE)
        # Memory candidates first (best match first), then MT's own alternatives.
        by_id[seg.id] = replace(base, candidates=plan.candidates.get(seg.id, ()) + base.candidates)
    return [by_id[s.id] for s in plan.article.segments]


def similarity(a: str, b: str) -> float:
    """Similarity of two source texts, 0-100 (case and punctuation ignored).

    >>> similarity("The cost is $4.2 million.", "The cost is $4.2 million.")
    100.0
    >>> round(similarity("The cost is $4.2 million.", "The cost is $4.5 million."))
    96
    """
    return round(fuzz.ratio(a, b, processor=utils.default_process), 1)


def _exact(memory: Memory, article: Article, language: str, seg: Segment) -> Translation | None:
    """Steps 1-3 of the lookup for one segment."""
    shown = memory.current_unit(article.name, language, seg.id)
    if shown and shown[0] == seg.text and shown[1].origin is Origin.HUMAN:
        return shown[1]  # the reviewer's latest word on this very sentence, finished or not
    exact = memory.best_exact(article.language, language, seg.text, seg.id)
    if exact is None or exact.reviewed:
        return exact
    pending = memory.in_review(article.language, language, seg.text, seg.id)
    if pending:
        return replace(exact, candidates=(_candidate(pending, seg.text, seg.text),))
    return _as_shown(exact, shown, seg)


def _as_shown(exact: Translation, shown: tuple[str, Translation] | None, seg: Segment) -> Translation:
    """Reusing what the segment already shows keeps the candidates offered with it
    (fuzzy matches, MT alternatives), so an unchanged re-run writes the same files."""
    if shown and shown[0] == seg.text and (shown[1].origin, shown[1].text) == (exact.origin, exact.text):
        return replace(exact, candidates=shown[1].candidates)
    return exact


def _candidates(memory: Memory, article: Article, language: str, seg: Segment,
                sources: list[str], threshold: float) -> tuple[Candidate, ...]:
    found: list[Candidate] = []
    previous = memory.current_unit(article.name, language, seg.id)
    if previous and previous[1].origin in (Origin.HUMAN, Origin.TM) and previous[0] != seg.text:
        # The segment was edited: its old reviewed translation is the best starting point.
        found.append(_candidate(previous[1], previous[0], seg.text))
    matches = process.extract(seg.text, sources, scorer=fuzz.ratio, processor=utils.default_process,
                              score_cutoff=threshold, limit=FUZZY_LIMIT)
    for source, _score, _index in matches:
        best = memory.best_exact(article.language, language, source, seg.id, (Origin.HUMAN, Origin.TM),
                                 in_review=True)
        if best is not None and all(c.text != best.text for c in found):
            found.append(_candidate(best, source, seg.text))
    return tuple(sorted(found, key=lambda c: -c.match_quality)[:FUZZY_LIMIT])


def _candidate(t: Translation, source: str, segment_text: str) -> Candidate:
    return Candidate(text=t.text, origin=t.origin, match_quality=similarity(source, segment_text),
                     source_text=source, provenance=t.provenance)
