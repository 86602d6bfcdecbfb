"""Runs the stages for one or many articles.

Every input is read and segmented, and every model located, before anything
is written: a bad article or a missing model stops the run with nothing
half-done.  Each output file is then written atomically.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tandem import align, segment
from tandem.document import Article, BilingualDocument, Origin, Translation
from tandem.errors import InputError
from tandem.fsutil import write_atomic, write_text_atomic
from tandem.mt.engine import Engine
from tandem.mt.routes import Route, resolve_routes
from tandem.readers import read_article
from tandem.settings import Settings
from tandem.writers import WRITERS

Progress = Callable[[str], None]


@dataclass
class ArticleReport:
    """What one article's run did; serialised as ``report.json``."""

    article: str
    source_language: str
    segments: int
    targets: dict[str, dict] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    output_dir: str = ""

    def to_json(self) -> str:
        data = {"article": self.article, "source_language": self.source_language,
                "target_languages": list(self.targets), "segments": self.segments,
                "targets": self.targets, "seconds": {k: round(v, 4) for k, v in self.seconds.items()}}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def run(paths: list[Path], settings: Settings, progress: Progress = lambda _: None) -> list[ArticleReport]:
    """Translate every article in ``paths`` into every target language and write the outputs."""
    paths = list(dict.fromkeys(paths))
    _refuse_name_clashes(paths)
    timings = [dict() for _ in paths]
    articles = [_prepare(path, settings, t) for path, t in zip(paths, timings)]
    packages = resolve_routes(settings.packages_dir, settings.source_language, settings.targets,
                              settings.index, install=settings.install_models, progress=progress)
    engine = Engine(settings.engine)
    reports = []
    for article, seconds in zip(articles, timings):
        progress(f"{article.name}: translating {len(article.segments)} segments into {', '.join(settings.targets)}")
        reports.append(_translate_and_write(article, packages, engine, settings, seconds))
    return reports


def _prepare(path: Path, settings: Settings, seconds: dict[str, float]) -> Article:
    with _timed(seconds, "read"):
        article = read_article(path, settings.source_language)
    with _timed(seconds, "segment"):
        return segment.segment_article(article)


def _translate_and_write(article: Article, packages: dict[str, Route], engine: Engine,
                         settings: Settings, seconds: dict[str, float]) -> ArticleReport:
    docs = []
    for language in settings.targets:
        package = packages[language]
        with _timed(seconds, "load_model"):
            for step in package.steps:
                engine.load(step)
        with _timed(seconds, "translate"):
            translations = machine_translate(article, language, package, engine)
        with _timed(seconds, "align"):
            docs.append(align.align(article, language, translations, package.info))
    out_dir = settings.out_dir / article.name
    with _timed(seconds, "write"):
        write_outputs(docs, out_dir)
    report = _report(article, docs, seconds)
    report.output_dir = str(out_dir)
    write_text_atomic(out_dir / "report.json", report.to_json())  # last: it marks a complete run
    return report


def machine_translate(article: Article, language: str, route: Route,
                      engine: Engine) -> list[Translation]:
    """Translate all segments of ``article`` in one batched engine call per route step."""
    segments = article.segments
    results = engine.translate_route(route.steps, [s.text for s in segments])
    return [Translation(segment_id=s.id, language=language, text=r.text, origin=Origin.MT,
                        score=r.score, model=route.info) for s, r in zip(segments, results)]


def write_outputs(docs: list[BilingualDocument], out_dir: Path) -> list[Path]:
    """Serialise every document with every writer, then write each file atomically."""
    rendered = {out_dir / w.file_name(doc): w.serialize(doc) for doc in docs for w in WRITERS.values()}
    for path, data in rendered.items():
        write_atomic(path, data)
    return list(rendered)


def _report(article: Article, docs: list[BilingualDocument], seconds: dict[str, float]) -> ArticleReport:
    report = ArticleReport(article=article.name, source_language=article.language,
                           segments=len(article.segments), seconds=seconds)
    for doc in docs:
        translated = sum(1 for p in doc.pairs if p.translation.text)
        model = {"name": doc.model.name, "version": doc.model.version} if doc.model else None
        report.targets[doc.target_language] = {"translated_segments": translated, "model": model,
                                               "mt_scores": _mt_scores(doc)}
    return report


def _mt_scores(doc: BilingualDocument) -> dict[str, float]:
    """Segment id -> MT score (mean log-probability per token), for sorting by confidence."""
    return {p.segment.id: round(p.translation.score, 4) for p in doc.pairs
            if p.translation.origin is Origin.MT and p.translation.score is not None}


def _refuse_name_clashes(paths: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in paths:
        if path.stem in seen:
            raise InputError(f"two articles would write to the same folder {path.stem!r}: "
                             f"{seen[path.stem]} and {path}")
        seen[path.stem] = path


@contextmanager
def _timed(seconds: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - started
