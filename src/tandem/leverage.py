"""Lookup order: what the memory already knows, before any machine translation.

A translation belongs to its source sentence, not to its position: wherever a
sentence now is in the article, for every segment and target language, in
this order:

1. the article's own latest human translation of that sentence (reviewed or
   still in review), as the last merge left it;
2. a reviewed (human) translation of exactly the same sentence elsewhere;
3. another exact match: an imported memory (TMX), then earlier MT output --
   human work still in review elsewhere (state ``needs-*``/``initial``) is
   attached as a candidate;
4. fuzzy matches of reviewed, in-review or imported work above a threshold, and
   the segment's own earlier human or memory translation if its source was
   edited -- offered as candidates, never used as the target;
5. machine translation for whatever is left (or nothing, with ``--no-mt`` or
   for a language the run leaves out).

A re-run of an unchanged article therefore finds every segment in steps 1-3
and makes no MT call at all; and MT never replaces human work, because the
article's own or a reviewed translation of the same text always wins.
Each article and language costs a fixed number of queries (the memory's
batched lookups); the fuzzy search space is loaded once per language pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process, utils

from tandem.document import (Article, Candidate, InlineCode, Origin, Segment, Translation, codes_from_json,
                             codes_to_json)
from tandem.memory import Memory, Shown
from tandem.memory.tm import Match
from tandem.segment.codes import transfer

FUZZY_LIMIT = 3  # candidates offered per segment: more is noise in a CAT tool


@dataclass(frozen=True)
class Plan:
    """What the memory covers for one article and target language, and what is left."""

    article: Article
    language: str
    found: dict[str, Translation] = field(default_factory=dict)  # segment id -> exact match
    todo: tuple[Segment, ...] = ()  # segments left for MT (or the translator)
    candidates: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)


class Planner:
    """Plans articles against one memory, caching each language pair's fuzzy search space
    for the run (the memory does not change while a run plans)."""

    def __init__(self, memory: Memory, threshold: float) -> None:
        self.memory = memory
        self.threshold = threshold
        self._sources: dict[tuple[str, str], list[str]] = {}

    def plan(self, article: Article, language: str) -> Plan:
        """Look every segment of ``article`` up for ``language``."""
        lookup = _Lookup.load(self.memory, article, language)
        found: dict[str, Translation] = {}
        todo = [s for s in article.segments if not _found(lookup, s, found)]
        candidates = self._candidates(lookup, todo) if todo else {}
        return Plan(article, language, found, tuple(todo), candidates)

    def _candidates(self, lookup: "_Lookup", todo: list[Segment]) -> dict[str, tuple[Candidate, ...]]:
        sources = self._fuzzy_space(lookup.article.language, lookup.language)
        matches = {s.id: process.extract(s.text, sources, scorer=fuzz.ratio, processor=utils.default_process,
                                         score_cutoff=self.threshold, limit=FUZZY_LIMIT) for s in todo}
        texts = {source for found in matches.values() for source, _score, _index in found}
        stored = self.memory.tm.exact(lookup.article.language, lookup.language, texts)
        return {s.id: _offer(lookup, s, [(m[0], stored.get(m[0], [])) for m in matches[s.id]]) for s in todo}

    def _fuzzy_space(self, source_lang: str, target_lang: str) -> list[str]:
        key = (source_lang, target_lang)
        if key not in self._sources:
            self._sources[key] = self.memory.tm.leverage_sources(source_lang, target_lang)
        return self._sources[key]


@dataclass(frozen=True)
class _Lookup:
    """Everything the memory knows about one article's sentences in one language (3 queries)."""

    article: Article
    language: str
    reviews: dict[str, Match]  # source text -> the article's latest human translation
    exact: dict[str, list[Match]]  # source text -> stored translations, best first
    shown: dict[str, Shown]  # segment id -> what it showed after the last run or merge

    @classmethod
    def load(cls, memory: Memory, article: Article, language: str) -> "_Lookup":
        texts = {s.text for s in article.segments}
        return cls(article, language, memory.articles.reviews(article.name, language),
                   memory.tm.exact(article.language, language, texts), memory.articles.shown(article.name, language))


def plan(memory: Memory, article: Article, language: str, threshold: float) -> Plan:
    """Look every segment of ``article`` up in ``memory`` for ``language`` (one article's planner)."""
    return Planner(memory, threshold).plan(article, language)


def complete(plan: Plan, machine: dict[str, Translation] | None) -> list[Translation]:
    """Every segment's translation: exact matches, then ``machine`` output (segment id ->
    translation), or empty targets.  Candidates found by planning are attached to the
    segments that needed them, memory candidates first, then MT's own alternatives."""
    by_id = dict(plan.found)
    for seg in plan.todo:
        base = (machine or {}).get(seg.id) or Translation(seg.id, plan.language, "", Origin.NONE)
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


def _found(lookup: _Lookup, seg: Segment, found: dict[str, Translation]) -> bool:
    """Steps 1-3 for one segment: record its exact match in ``found``; False if there is none."""
    exact = _exact(lookup, seg)
    if exact is not None:
        found[seg.id] = replace(exact, segment_id=seg.id)
    return exact is not None


def _exact(lookup: _Lookup, seg: Segment) -> Translation | None:
    """An exact match is one of the same text *and* codes: the same sentence with other markup
    gets the translation only as a candidate (step 4), its codes transferred."""
    codes = codes_to_json(seg.codes)
    own = lookup.reviews.get(seg.text)
    if own is not None and own.source_codes == codes:
        return _as_shown(own.translation, lookup.shown.get(seg.id), seg)
    ranked = [m.translation for m in lookup.exact.get(seg.text, []) if m.source_codes == codes]
    best = next((t for t in ranked if not t.in_review), None)
    if best is None or best.reviewed:
        return best
    pending = next((t for t in ranked if t.in_review), None)
    if pending is not None:
        return replace(best, candidates=(_candidate(pending, seg.text, seg.text),))
    return _as_shown(best, lookup.shown.get(seg.id), seg)


def _as_shown(exact: Translation, shown: Shown | None, seg: Segment) -> Translation:
    """Reusing what the segment already shows keeps the candidates offered with it (fuzzy
    matches, MT alternatives) and a reviewer's state on it, so an unchanged re-run writes the
    same files."""
    if shown and shown.source_text == seg.text and (shown.translation.origin, shown.translation.text) == \
            (exact.origin, exact.text):
        return replace(exact, candidates=shown.translation.candidates, state=shown.translation.state)
    return exact


def _offer(lookup: _Lookup, seg: Segment, matches: list[tuple[str, list[Match]]]) -> tuple[Candidate, ...]:
    """Step 4: the candidates offered for a segment left for MT."""
    found: list[Candidate] = []
    previous = lookup.shown.get(seg.id)
    if previous and previous.translation.origin in (Origin.HUMAN, Origin.TM) and previous.source_text != seg.text:
        # The segment was edited: its old translation is the best starting point.
        found.append(_candidate(previous.translation, previous.source_text, seg.text))
    for source, stored in [(seg.text, _other_codes(lookup, seg)), *matches]:
        best = next((m for m in stored if m.translation.origin in (Origin.HUMAN, Origin.TM)), None)
        if best is not None and all(c.text != best.translation.text for c in found):
            found.append(_candidate(best.translation, source, seg.text, best.source_codes, seg.codes))
    return tuple(sorted(found, key=lambda c: -c.match_quality)[:FUZZY_LIMIT])


def _other_codes(lookup: _Lookup, seg: Segment) -> list[Match]:
    """Translations of the same text made for other codes (the markup changed)."""
    codes = codes_to_json(seg.codes)
    return [m for m in lookup.exact.get(seg.text, []) if m.source_codes != codes]


def _candidate(t: Translation, source: str, segment_text: str, source_codes: str = "",
               segment_codes: tuple[InlineCode, ...] = ()) -> Candidate:
    """``t`` offered for a segment; its codes are carried over to the segment's codes (by order
    when the two sources have the same kinds of codes, else at the safe place).  A candidate for
    the same text with other codes rates 99, not 100: it is not the same source."""
    quality = similarity(source, segment_text)
    if source == segment_text and source_codes != codes_to_json(segment_codes):
        quality = min(quality, 99.0)
    codes = transfer(t.codes, codes_from_json(source_codes), segment_codes, len(t.text)) if segment_codes else ()
    return Candidate(text=t.text, origin=t.origin, match_quality=quality, source_text=source,
                     provenance=t.provenance, codes=codes)
