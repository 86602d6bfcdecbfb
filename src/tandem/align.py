"""Alignment: one record per source segment and target language.

The aligner is where the pipeline guarantees its central invariant: every
source segment has exactly one translation per target language, in source
order, so writers can never drop or duplicate a unit.
"""

from __future__ import annotations

from collections.abc import Mapping

from tandem import qa
from tandem.document import (AlignedPair, Article, BilingualDocument, Finding, ModelInfo, Segment, TermMatch,
                             Translation)
from tandem.errors import TandemError


class AlignmentError(TandemError):
    """Translations do not match the article's segments one to one."""


def align(article: Article, language: str, translations: list[Translation],
          model: ModelInfo | None = None,
          terms: Mapping[str, tuple[TermMatch, ...]] | None = None) -> BilingualDocument:
    """Pair each segment of ``article`` with its translation into ``language``, with the QA
    findings of each pair; ``terms`` are the glossary terms found in each segment (by segment
    id), kept on the pair and checked in its translation."""
    terms = terms or {}
    by_id = _index(translations, language, article.source_path)
    segments = article.segments
    missing = [s.id for s in segments if s.id not in by_id]
    extra = sorted(set(by_id) - {s.id for s in segments})
    if missing or extra:
        raise AlignmentError(f"translations do not match segments (missing {missing}, unknown {extra})",
                             path=article.source_path)
    pairs = tuple(AlignedPair(segment=s, translation=by_id[s.id], terms=terms.get(s.id, ()),
                              findings=_findings(s, by_id[s.id], article.language, terms.get(s.id, ())))
                  for s in segments)
    return BilingualDocument(article=article, target_language=language, pairs=pairs, model=model)


def _index(translations: list[Translation], language: str, where: str) -> dict[str, Translation]:
    by_id: dict[str, Translation] = {}
    for t in translations:
        if t.language != language:
            raise AlignmentError(f"translation of {t.segment_id} is in {t.language}, expected {language}",
                                 path=where)
        if t.segment_id in by_id:
            raise AlignmentError("two translations for one segment", path=where, unit=t.segment_id)
        by_id[t.segment_id] = t
    return by_id


def _findings(segment: Segment, translation: Translation, source_language: str,
              terms: tuple[TermMatch, ...]) -> tuple[Finding, ...]:
    return qa.check(qa.QAUnit(segment.text, translation.text, source_language=source_language,
                              target_language=translation.language, source_codes=segment.codes,
                              target_codes=translation.codes, terms=terms, origin=translation.origin,
                              score=translation.score))
