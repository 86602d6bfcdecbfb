"""The translate phase: the segments that need MT, from any number of articles, into
translations.  It never touches the memory; the pipeline stores what it returns.

Per target language, the segments of every article go to the engine in one
batched call per route step (CTranslate2 sorts them by length and cuts them into
batches); a sentence that occurs several times is translated once.

Segments with inline codes are translated without them (protected text put back: see
:func:`tandem.mt.codes.model_text`), in the same call, which then also returns the model's
alignment; their codes are put into the translation by it (:func:`tandem.mt.codes.place`).
Segments without codes take the plain path, exactly as before.

Glossary terms a translation must keep (do-not-translate terms; with ``enforce_terms`` every
term with a preferred translation) are masked as protected codes first and put back after
(:mod:`tandem.mt.masking`); forbidden target terms are kept out of decoding where the model's
tokenizer can spell them (CTranslate2's ``suppress_sequences``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field

from tandem.document import Candidate, Origin, Segment, TermMatch, Translation
from tandem.mt import codes, masking
from tandem.mt.engine import Engine, MTResult
from tandem.mt.routes import Route
from tandem.report import Timer


@dataclass(frozen=True)
class Job:
    """Segments of one article to translate into one language."""

    article: str
    language: str
    segments: tuple[Segment, ...]
    terms: Mapping[str, tuple[TermMatch, ...]] = field(default_factory=dict)  # segment id -> glossary terms


def translate(jobs: Sequence[Job], routes: Mapping[str, Route], engine: Engine, timer: Timer,
              notes: MutableMapping[tuple[str, str, str], tuple[str, ...]] | None = None,
              enforce_terms: bool = False, suppress: Mapping[str, Sequence[str]] | None = None,
              cache: MutableMapping[tuple[str, str, bool], MTResult] | None = None,
              ) -> dict[tuple[str, str], dict[str, Translation]]:
    """(article, language) -> segment id -> machine translation, for every job whose language
    has a route.  One engine call (per route step) per language, all articles together.

    ``notes``, if given, receives (article, language, segment id) -> the notes on codes that could
    not be placed with confidence (only for segments that have such codes).  ``suppress``:
    language -> target terms the decoder must not produce.  ``cache``: (language, model text,
    aligned) -> result, kept by the caller across calls (a batch's windows), so a sentence that
    comes again later in the batch is not translated again."""
    results: dict[tuple[str, str], dict[str, Translation]] = {}
    for language in dict.fromkeys(j.language for j in jobs):
        route = routes.get(language)
        batch = [j for j in jobs if j.language == language and j.segments]
        if route is None or not batch:
            continue
        with timer("load_model"):
            for step in route.steps:
                engine.load(step)
        masked = {(job.article, s.id): masking.mask(s, job.terms.get(s.id, ()), language, enforce_terms)
                  for job in batch for s in job.segments}
        model_segments = {key: m.segment for key, m in masked.items() if m is not None}
        aligned: dict[str, bool] = {}  # each sentence once; aligned if any of its segments has codes
        for job in batch:
            for segment in (model_segments.get((job.article, s.id), s) for s in job.segments):
                text = codes.model_text(segment) if segment.codes else segment.text
                aligned[text] = aligned.get(text, False) or bool(segment.codes)
        by_text = _translate_texts(engine, route, language, aligned, timer, (suppress or {}).get(language, ()),
                                   cache if cache is not None else {})
        for job in batch:
            done = results[(job.article, language)] = {}
            for source in job.segments:
                mask = masked[(job.article, source.id)]
                segment = mask.segment if mask is not None else source
                if not segment.codes:
                    done[segment.id] = _translation(segment, language, by_text[segment.text], route)
                    continue
                result = by_text[codes.model_text(segment)]
                placed = codes.place(segment, result)
                translation = _translation(segment, language, result, route, placed)
                done[segment.id] = masking.unmask(translation, mask, source.text) if mask is not None else translation
                if notes is not None and placed.notes:
                    notes[(job.article, language, segment.id)] = placed.notes
    return results


def _translate_texts(engine: Engine, route: Route, language: str, aligned: Mapping[str, bool], timer: Timer,
                     suppress: Sequence[str], cache: MutableMapping[tuple[str, str, bool], MTResult]
                     ) -> dict[str, MTResult]:
    """Each text's result: from ``cache`` (an earlier window), else from one engine call for all
    the others, which then go into the cache.  A result asked for with its alignment serves a
    text without one too, not the other way round."""
    found = {t: cache.get((language, t, a)) or cache.get((language, t, True)) for t, a in aligned.items()}
    texts = [t for t, result in found.items() if result is None]
    if texts:
        align = [aligned[t] for t in texts] if any(aligned[t] for t in texts) else None
        with timer("translate"):
            results = engine.translate_route(route.steps, texts, align, suppress=suppress)
        for text, result in zip(texts, results):
            found[text] = cache[(language, text, aligned[text])] = result
    return found


def _translation(segment: Segment, language: str, result: MTResult, route: Route,
                 placed: codes.Placement | None = None) -> Translation:
    text, placed_codes = (result.text, ()) if placed is None else (placed.text, placed.codes)
    return Translation(segment_id=segment.id, language=language, text=text, origin=Origin.MT,
                       score=result.score, model=route.info, candidates=_alternative(segment, result, route),
                       codes=placed_codes)


def _alternative(segment: Segment, result: MTResult, route: Route) -> tuple[Candidate, ...]:
    """The beam's runner-up as a candidate; its match quality is the model's confidence,
    the mean per-token probability in percent (exp of the normalised log-probability).

    For a segment with codes the runner-up has no alignment of its own: its codes are at the
    safe place (protected text found verbatim is still taken out and stands for its code)."""
    if result.alternative is None or result.alternative_score is None:
        return ()
    quality = round(100 * math.exp(result.alternative_score), 1)
    text, placed_codes = result.alternative, ()
    if segment.codes:
        placed = codes.place(segment, MTResult(result.alternative, result.alternative_score))
        text, placed_codes = placed.text, placed.codes
    return (Candidate(text=text, origin=Origin.MT, match_quality=quality, source_text=segment.text,
                      provenance=f"{route.info.name} {route.info.version}", codes=placed_codes),)
