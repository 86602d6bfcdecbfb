"""What a run or merge did to one article: a typed, immutable report (``report.json``),
and the small timer the phases record their seconds with."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType

from tandem import quality
from tandem.document import AlignedPair, BilingualDocument, Finding, ModelInfo, Origin


class Timer:
    """Seconds spent per stage; stages may be timed several times (they add up).

    >>> timer = Timer()
    >>> with timer("read"):
    ...     pass
    >>> list(timer.seconds())
    ['read']
    """

    def __init__(self) -> None:
        self._seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self._seconds[stage] = self._seconds.get(stage, 0.0) + time.perf_counter() - started

    def seconds(self, *others: "Timer") -> dict[str, float]:
        """This timer's seconds, plus those of ``others`` (e.g. a run's shared phases)."""
        total = dict(self._seconds)
        for other in others:
            for stage, value in other._seconds.items():
                total[stage] = total.get(stage, 0.0) + value
        return total


@dataclass(frozen=True)
class TargetReport:
    """One target language of an article."""

    language: str
    translated_segments: int
    model: ModelInfo | None
    origins: Mapping[str, int]  # origin value -> segments
    mt_scores: Mapping[str, float]  # segment id -> mean log-probability per token
    # Inline codes in machine translations: written, placed with confidence, at the safe place.
    mt_codes: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    findings: Mapping[str, tuple[Finding, ...]] = field(default_factory=lambda: MappingProxyType({}))  # QA, by unit

    @classmethod
    def of(cls, doc: BilingualDocument) -> "TargetReport":
        pairs = doc.pairs
        return cls(language=doc.target_language,
                   translated_segments=sum(1 for p in pairs if p.translation.text),
                   model=doc.model,
                   origins=MappingProxyType({o.value: sum(1 for p in pairs if p.translation.origin is o)
                                             for o in Origin}),
                   mt_scores=MappingProxyType({p.segment.id: round(p.translation.score, 4) for p in pairs
                                               if p.translation.origin is Origin.MT
                                               and p.translation.score is not None}),
                   mt_codes=MappingProxyType(mt_code_counts(pairs)),
                   findings=MappingProxyType({p.segment.id: p.findings for p in pairs if p.findings}))

    def to_dict(self) -> dict:
        model = {"name": self.model.name, "version": self.model.version} if self.model else None
        return {"translated_segments": self.translated_segments, "model": model,
                "origins": dict(self.origins), "mt_scores": dict(self.mt_scores),
                "mt_codes": dict(self.mt_codes),
                "qa": quality.counts(f for found in self.findings.values() for f in found),
                "findings": {unit: [quality.finding_dict(f) for f in found] for unit, found in self.findings.items()}}


def mt_code_counts(pairs: Sequence[AlignedPair]) -> dict[str, int]:
    """How the inline codes of machine translations were placed: ``written`` codes (a pair counts
    once), ``at_safe_place`` (those QA's ``code-placement`` check names: where Tandem puts a
    code it could not place with confidence, for the reviewer to check) and ``confident``."""
    written = at_safe_place = 0
    for pair in pairs:
        if pair.translation.origin is not Origin.MT or not pair.translation.codes:
            continue
        written += len({code.id for code in pair.translation.codes})
        at_safe_place += sum(1 for f in pair.findings if f.code == "code-placement")
    return {"written": written, "confident": written - at_safe_place, "at_safe_place": at_safe_place}


@dataclass(frozen=True)
class ArticleReport:
    """What one article's run (or merge) did; serialised as ``report.json``."""

    article: str
    source_language: str
    segments: int
    output_dir: str
    targets: tuple[TargetReport, ...] = ()
    seconds: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # Languages of the article this run did not translate into (kept as the memory holds them).
    kept: tuple[str, ...] = ()
    machine_translation: bool = True  # False: the run was --no-mt

    @classmethod
    def of(cls, docs: Sequence[BilingualDocument], output_dir: str, seconds: Mapping[str, float],
           kept: Sequence[str] = (), machine_translation: bool = True) -> "ArticleReport":
        article = docs[0].article
        return cls(article=article.name, source_language=article.language, segments=len(article.segments),
                   output_dir=output_dir, targets=tuple(TargetReport.of(d) for d in docs),
                   seconds=MappingProxyType(dict(seconds)), kept=tuple(kept),
                   machine_translation=machine_translation)

    def target(self, language: str) -> TargetReport:
        return next(t for t in self.targets if t.language == language)

    def to_json(self) -> str:
        data = {"article": self.article, "source_language": self.source_language,
                "target_languages": [t.language for t in self.targets], "segments": self.segments,
                "targets": {t.language: t.to_dict() for t in self.targets},
                "seconds": {k: round(v, 4) for k, v in self.seconds.items()}}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def seconds_in(cls, report_json: bytes | None) -> dict[str, float]:
        """The timings of an earlier ``report.json`` (a merge keeps the last run's); {} if unreadable."""
        try:
            seconds = json.loads(report_json or b"{}").get("seconds", {})
            return {str(k): float(v) for k, v in seconds.items()}
        except (ValueError, AttributeError, TypeError):
            return {}
