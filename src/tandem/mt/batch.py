"""The translate phase: the segments that need MT, from any number of articles, into
translations.  It never touches the memory; the pipeline stores what it returns.

Per target language, the segments of every article go to the engine in one
batched call per route step (CTranslate2 sorts them by length and cuts them into
batches); a sentence that occurs several times is translated once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tandem.document import Candidate, Origin, Segment, Translation
from tandem.mt.engine import Engine, MTResult
from tandem.mt.routes import Route
from tandem.report import Timer


@dataclass(frozen=True)
class Job:
    """Segments of one article to translate into one language."""

    article: str
    language: str
    segments: tuple[Segment, ...]


def translate(jobs: Sequence[Job], routes: Mapping[str, Route], engine: Engine,
              timer: Timer) -> dict[tuple[str, str], dict[str, Translation]]:
    """(article, language) -> segment id -> machine translation, for every job whose language
    has a route.  One engine call (per route step) per language, all articles together."""
    results: dict[tuple[str, str], dict[str, Translation]] = {}
    for language in dict.fromkeys(j.language for j in jobs):
        route = routes.get(language)
        batch = [j for j in jobs if j.language == language and j.segments]
        if route is None or not batch:
            continue
        with timer("load_model"):
            for step in route.steps:
                engine.load(step)
        texts = list(dict.fromkeys(s.text for j in batch for s in j.segments))  # each sentence once
        with timer("translate"):
            by_text = dict(zip(texts, engine.translate_route(route.steps, texts)))
        for job in batch:
            results[(job.article, language)] = {s.id: _translation(s, language, by_text[s.text], route)
                                                for s in job.segments}
    return results


def _translation(segment: Segment, language: str, result: MTResult, route: Route) -> Translation:
    return Translation(segment_id=segment.id, language=language, text=result.text, origin=Origin.MT,
                       score=result.score, model=route.info, candidates=_alternative(segment, result, route))


def _alternative(segment: Segment, result: MTResult, route: Route) -> tuple[Candidate, ...]:
    """The beam's runner-up as a candidate; its match quality is the model's confidence,
    the mean per-token probability in percent (exp of the normalised log-probability)."""
    if result.alternative is None or result.alternative_score is None:
        return ()
    quality = round(100 * math.exp(result.alternative_score), 1)
    return (Candidate(text=result.alternative, origin=Origin.MT, match_quality=quality,
                      source_text=segment.text, provenance=f"{route.info.name} {route.info.version}"),)
