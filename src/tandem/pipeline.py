"""Runs the stages for one or many articles.

Every input is read and segmented, and every model located, before anything
is written: a bad article or a missing model stops the run with nothing
half-done.  Each output file is then written atomically.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tandem import align, leverage, review, segment
from tandem.document import Article, BilingualDocument, Candidate, ModelInfo, Origin, Segment, Translation
from tandem.errors import InputError
from tandem.fsutil import write_atomic, write_text_atomic
from tandem.memory import Memory, open_existing_memory, open_memory
from tandem.mt.engine import Engine, MTResult
from tandem.mt.routes import Route, resolve_routes
from tandem.readers import read_article
from tandem.settings import Settings
from tandem.writers import WRITERS, site

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
    """Translate every article in ``paths`` into every target language and write the outputs.

    The translation memory is consulted first (see :mod:`tandem.leverage`);
    only languages with segments it does not cover need a model.
    """
    paths = list(dict.fromkeys(paths))
    _refuse_name_clashes(paths)
    settings.check_article_folders(paths)
    timings = [dict() for _ in paths]
    articles = [_prepare(path, settings, t) for path, t in zip(paths, timings)]
    with open_memory(settings.tm_path) as tm:
        # One transaction: the --tm import is kept only once every needed model is found,
        # so a run that stops here (exit 2) leaves the memory as it was.
        with tm.transaction():
            _import_tm_files(tm, settings)
            plans = [[leverage.plan(tm, a, lang, settings.fuzzy_threshold) for lang in settings.targets]
                     for a in articles]
            packages = resolve_routes(settings.packages_dir, settings.source_language, _needs_mt(plans, settings),
                                      settings.index, install=settings.install_models, progress=progress)
        engine = Engine(settings.engine)
        reports = []
        for article, article_plans, seconds in zip(articles, plans, timings):
            progress(_plan_summary(article, article_plans, settings))
            reports.append(_translate_and_write(article, article_plans, packages, engine, tm, settings, seconds))
    return reports


def _prepare(path: Path, settings: Settings, seconds: dict[str, float]) -> Article:
    with _timed(seconds, "read"):
        article = read_article(path, settings.source_language)
    with _timed(seconds, "segment"):
        return segment.segment_article(article)


def _plan_summary(article: Article, plans: list[leverage.Plan], settings: Settings) -> str:
    covered = ", ".join(f"{p.language} {len(p.found)}" for p in plans)
    left = sum(len(p.todo) for p in plans)
    rest = "to machine-translate" if settings.machine_translation else "left for the translator (--no-mt)"
    return (f"{article.name}: {len(article.segments)} segments into {', '.join(settings.targets)}; "
            f"from the memory: {covered}; {left} {rest}")


def _needs_mt(plans: list[list[leverage.Plan]], settings: Settings) -> tuple[str, ...]:
    """Target languages with at least one segment the memory does not cover."""
    if not settings.machine_translation:
        return ()
    return tuple(lang for lang in settings.targets
                 if any(p.todo for article_plans in plans for p in article_plans if p.language == lang))


def _import_tm_files(tm: Memory, settings: Settings) -> None:
    if settings.tm_files:
        from tandem.writers import tmx

        for path in settings.tm_files:
            tm.import_entries(tmx.read_entries(path, settings.source_language))


def _translate_and_write(article: Article, plans: list[leverage.Plan], packages: dict[str, Route],
                         engine: Engine, tm: Memory, settings: Settings, seconds: dict[str, float]) -> ArticleReport:
    docs = []
    for plan in plans:
        machine, route = None, packages.get(plan.language)
        if plan.todo and route is not None:
            with _timed(seconds, "load_model"):
                for step in route.steps:
                    engine.load(step)
            with _timed(seconds, "translate"):
                machine = machine_translate(plan.todo, plan.language, route, engine)
        translations = leverage.complete(plan, machine)
        with _timed(seconds, "align"):
            docs.append(align.align(article, plan.language, translations, _doc_model(translations)))
    out_dir = settings.out_dir / article.name
    docs, rendered = _store_and_render(article, docs, tm, settings, seconds)
    with _timed(seconds, "write"):
        for path, data in rendered.items():
            write_atomic(path, data)
    report = _report(article, docs, seconds)
    report.output_dir = str(out_dir)
    write_text_atomic(out_dir / "report.json", report.to_json())  # last: it marks a complete run
    return report


def _store_and_render(article: Article, docs: list[BilingualDocument], tm: Memory, settings: Settings,
                      seconds: dict[str, float]) -> tuple[list[BilingualDocument], dict[Path, bytes]]:
    """Store the run and render every output (with the languages this run left out, as the memory
    now holds them) in one transaction: a writer that fails leaves the memory as it was."""
    with tm.transaction():
        with _timed(seconds, "store"):
            tm.save_run(article, docs)
            docs = docs + _kept_languages(tm, article, settings.targets)
        with _timed(seconds, "write"):
            rendered = render_outputs(docs, settings.out_dir / article.name, output_kinds(settings))
    with _timed(seconds, "store"):
        tm.persist()
    return docs, rendered


def _kept_languages(tm: Memory, article: Article, targets: Sequence[str]) -> list[BilingualDocument]:
    """Documents of the languages the article was run into before but not in this run."""
    stored = tm.load_article(article.name)
    return [_stored_document(tm, article, language)
            for language in (stored[1] if stored else ()) if language not in targets]


def machine_translate(segments: Sequence[Segment], language: str, route: Route,
                      engine: Engine) -> list[Translation]:
    """Translate ``segments`` in one batched engine call per route step."""
    results = engine.translate_route(route.steps, [s.text for s in segments])
    return [Translation(segment_id=s.id, language=language, text=r.text, origin=Origin.MT,
                        score=r.score, model=route.info, candidates=_mt_alternative(s, r, route))
            for s, r in zip(segments, results)]


def _mt_alternative(segment: Segment, result: MTResult, route: Route) -> tuple[Candidate, ...]:
    """The beam's runner-up as a candidate; its match quality is the model's confidence,
    the mean per-token probability in percent (exp of the normalised log-probability)."""
    if result.alternative is None or result.alternative_score is None:
        return ()
    quality = round(100 * math.exp(result.alternative_score), 1)
    return (Candidate(text=result.alternative, origin=Origin.MT, match_quality=quality,
                      source_text=segment.text, provenance=f"{route.info.name} {route.info.version}"),)


def load_documents(name: str, settings: Settings) -> list[BilingualDocument]:
    """Rebuild article ``name``'s documents (one per target language) from the memory, without MT.

    ``merge`` and ``publish`` use this: the original article file is not needed.
    """
    with open_existing_memory(settings.tm_path) as tm:
        stored = tm.load_article(name)
        if stored is None:
            raise InputError(f"article {name!r} is not in the translation memory {settings.tm_path}")
        article, targets = stored
        return [_stored_document(tm, article, language) for language in targets]


def _stored_document(tm: Memory, article: Article, language: str) -> BilingualDocument:
    """One language of ``article`` as the memory holds it (what each segment shows)."""
    translations = tm.load_translations(article, language)
    return align.align(article, language, translations, _doc_model(translations))


def publish(article_dir: Path, settings: Settings) -> list[Path]:
    """Rebuild the HTML pages of the article in ``article_dir`` from the memory, without MT.

    ``settings.out_dir`` is the folder holding ``article_dir`` (and, by default, the memory).
    """
    if not article_dir.is_dir():
        raise InputError("no such article folder (expected DIR/NAME as written by `tandem run`)",
                         path=str(article_dir))
    docs = load_documents(article_dir.name, settings)
    return site.publish_pages(docs, article_dir)


def merge(paths: list[Path], settings: Settings) -> tuple[list[review.FileResult], list[Path]]:
    """Merge reviewed XLIFF files into the memory, then rebuild the changed articles' outputs.

    Returns the per-file results and the folders that were rewritten.
    """
    results, changed = review.merge(paths, settings.tm_path)
    folders = []
    for name in changed:
        folder = settings.out_dir / name
        docs = load_documents(name, settings)
        write_outputs(docs, folder, output_kinds(settings))
        _rewrite_report(docs, folder)
        folders.append(folder)
    return results, folders


def _rewrite_report(docs: list[BilingualDocument], folder: Path) -> None:
    """Bring ``report.json`` up to date after a merge: counts from the memory, the last run's timings."""
    try:
        seconds = json.loads((folder / "report.json").read_text(encoding="utf-8")).get("seconds", {})
    except (OSError, ValueError, AttributeError):
        seconds = {}  # no report (or not ours): the counts are still worth writing
    report = _report(docs[0].article, docs, dict(seconds))
    report.output_dir = str(folder)
    write_text_atomic(folder / "report.json", report.to_json())


def tm_import(path: Path, settings: Settings) -> tuple[int, int]:
    """Import a TMX file into the memory: (entries read, entries new or changed)."""
    from tandem.writers import tmx

    entries = tmx.read_entries(path, settings.source_language)
    with open_memory(settings.tm_path) as tm:
        changed = tm.import_entries(entries)
        tm.persist()
    return len(entries), changed


def tm_export(path: Path, settings: Settings, targets: tuple[str, ...] | None = None) -> int:
    """Write the memory's reviewed and imported work (for ``targets``, else all) as TMX; return the count."""
    from tandem.writers import tmx

    with open_existing_memory(settings.tm_path) as tm:
        entries = tm.entries(settings.source_language, targets)
    write_atomic(path, tmx.serialize_entries(entries, settings.source_language))
    return len(entries)


def output_kinds(settings: Settings) -> tuple[str, ...]:
    """The writers a run uses: the chosen XLIFF versions plus every other format."""
    xliff = {"1.2": "xliff12", "2.1": "xliff21"}
    chosen = {xliff[v] for v in settings.xliff}
    return tuple(k for k in WRITERS if k not in xliff.values() or k in chosen)


def _doc_model(translations: list[Translation]) -> ModelInfo | None:
    """The model behind a document's machine translations (None if it has none)."""
    return next((t.model for t in translations if t.origin is Origin.MT and t.model), None)


def render_outputs(docs: list[BilingualDocument], out_dir: Path,
                   kinds: Sequence[str] | None = None) -> dict[Path, bytes]:
    """Every output file of an article as bytes: each document with every writer (or those in
    ``kinds``) and the article's pages.  Nothing is written."""
    writers = [w for k, w in WRITERS.items() if kinds is None or k in kinds]
    rendered = {out_dir / w.file_name(doc): w.serialize(doc) for doc in docs for w in writers}
    rendered.update({out_dir / name: page for name, page in site.render_pages(docs).items()})
    return rendered


def write_outputs(docs: list[BilingualDocument], out_dir: Path, kinds: Sequence[str] | None = None) -> list[Path]:
    """Render every output (see :func:`render_outputs`), then write each file atomically."""
    rendered = render_outputs(docs, out_dir, kinds)
    for path, data in rendered.items():
        write_atomic(path, data)
    return list(rendered)


def _report(article: Article, docs: list[BilingualDocument], seconds: dict[str, float]) -> ArticleReport:
    report = ArticleReport(article=article.name, source_language=article.language,
                           segments=len(article.segments), seconds=seconds)
    for doc in docs:
        translated = sum(1 for p in doc.pairs if p.translation.text)
        model = {"name": doc.model.name, "version": doc.model.version} if doc.model else None
        origins = {o.value: sum(1 for p in doc.pairs if p.translation.origin is o) for o in Origin}
        report.targets[doc.target_language] = {"translated_segments": translated, "model": model,
                                               "origins": origins, "mt_scores": _mt_scores(doc)}
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
