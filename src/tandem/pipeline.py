"""The commands' work, in explicit phases.

``run``:

1. **read and segment** every article (a bad one stops the run before anything is written);
2. **plan** against the memory: what it covers per article and language (a ``--tm`` import is
   seen by the plan but not kept yet: the scratch transaction is rolled back);
3. **routes**: find (or ``--install-models``) a model for every language that needs MT, outside
   any transaction, so a download never holds the memory's lock;
4. **translate** what is left, all articles together (:mod:`tandem.mt.batch`; never touches the memory);
5. **store and render**, per article, in one transaction (the ``--tm`` import with the first);
6. **write** the rendered files atomically, ``report.json`` last.

``merge`` and ``publish`` rebuild outputs from the memory through the same
:mod:`tandem.rebuild` that a run uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tandem import leverage, quality, rebuild, review, segment
from tandem.document import Article, Entry, GlossaryEntry, Translation
from tandem.errors import InputError, QualityGateError, TandemError, printable
from tandem.formats import glossary_format, omegat, parse_xliff_choice, read_glossary, tmx
from tandem.fsutil import write_atomic
from tandem.memory import GlossaryCounts, Memory, StoredArticle, open_existing_memory, open_memory
from tandem.memory.articles import source_file
from tandem.mt import batch
from tandem.names import article_name
from tandem.mt.engine import Engine
from tandem.mt.routes import resolve_routes
from tandem.readers import read_article
from tandem.report import ArticleReport, Timer
from tandem.settings import RunSettings, Workspace, check_language_codes
from tandem.terms import TermIndex

Progress = Callable[[str], None]


class RunEvents:
    """What a run tells its caller while it goes (the CLI shows a progress bar or lines from it).
    Every method does nothing here; a caller overrides those it wants."""

    def planned(self, articles: int, segments: int) -> None:
        """More work is known: ``articles`` to write and ``segments`` to machine-translate."""

    def translated(self, segments: int) -> None:
        """``segments`` more segments came back from the engine."""

    def written(self, report: ArticleReport) -> None:
        """One article is stored and its outputs are written."""

    def skipped(self, path: Path, reason: str) -> None:
        """``--keep-going``: the article at ``path`` was left out, for ``reason``."""


@dataclass(frozen=True)
class ArticlePlan:
    """One article with its plan per language: the run's languages, then those it keeps."""

    article: Article
    plans: tuple[leverage.Plan, ...]
    kept: tuple[str, ...]  # languages the article has that this run does not translate into
    timer: Timer


# A batch is read, planned, translated and written in windows: each window's MT segments go to
# the engine as one stream per language (enough for full batches on every worker), then its
# articles are stored and written, so a long batch publishes as it goes and memory stays flat.
WINDOW_SEGMENTS = 512  # MT segments (per language) that close a window
WINDOW_ARTICLES = 64  # at most this many articles held at once


def run(paths: Sequence[Path], workspace: Workspace, settings: RunSettings,
        progress: Progress = lambda _: None, events: RunEvents | None = None) -> list[ArticleReport]:
    """Translate every article in ``paths`` into every target language and write the outputs.

    First every article is checked (read, segmented, planned; nothing written) and every model
    located: without ``settings.keep_going`` a bad article or a missing model stops the run
    before anything is written; with it, a bad article is reported (``events.skipped``) and left
    out.  Then the articles go in windows (see :data:`WINDOW_SEGMENTS`); an article that is
    stored is never translated again, so a run stopped at any point and run again translates
    only what was not stored yet."""
    events = events or RunEvents()
    shared = Timer()  # phases done for all articles at once
    imports = [e for path in settings.tm_files for e in tmx.read_entries(path, settings.source_language)]
    glossary = [e for path in settings.glossary_files
                for e in read_glossary(path, source_language=settings.source_language)]
    with open_memory(workspace.tm_path) as memory:
        good, needed, total = _survey(memory, list(dict.fromkeys(paths)), workspace, settings, imports, glossary,
                                      events)
        routes = resolve_routes(settings.packages_dir, settings.source_language, needed,
                                settings.index, install=settings.install_models, progress=progress)
        events.planned(len(good), total)
        engine, cache = _engine(settings), {}
        reports: list[ArticleReport] = []
        for window in _windows(memory, good, settings, shared, imports, glossary):
            planned, terms = window
            for item in planned:
                progress(_plan_summary(item, settings))
            jobs = _jobs(planned, settings, terms)
            machine = batch.translate(jobs, routes, engine, shared, enforce_terms=settings.enforce_terms,
                                      suppress=_forbidden_terms(jobs), cache=cache)
            events.translated(sum(len(j.segments) for j in jobs if j.language in routes))
            for item in planned:
                first = not reports
                reports.append(_store_and_write(memory, workspace, item, machine, imports if first else (),
                                                settings, shared, glossary if first else ()))
                events.written(reports[-1])
        return reports


def _engine(settings: RunSettings) -> Engine:
    """The engine the translate phase calls: local CTranslate2, or the Ray cluster (``--cluster``)
    with the same results; the cluster's actors are killed and the connection closed when the
    engine is dropped (at the end of the run)."""
    if settings.cluster is None:
        return Engine(settings.engine)
    from tandem.mt.cluster import ClusterEngine  # deferred: only a cluster run imports Ray

    return ClusterEngine(settings.engine, settings.cluster)


def _survey(memory: Memory, paths: list[Path], workspace: Workspace, settings: RunSettings,
            imports: list[Entry], glossary: Sequence[GlossaryEntry],
            events: RunEvents) -> tuple[list[Path], tuple[str, ...], int]:
    """Check every article before anything is written: (the good ones, the languages that need
    MT, the number of segments to machine-translate).  Articles are read and planned one at a
    time and dropped again (the windows read them anew), so memory does not grow with the batch."""
    good, needed, total, names = [], set(), 0, {}
    for path in paths:
        try:
            item = _check_article(memory, path, workspace, settings, imports, glossary, names)
        except TandemError as exc:
            if not settings.keep_going:
                raise
            events.skipped(path, printable(exc.message))
            continue
        good.append(path)
        todo = [p for p in item.plans if p.language in settings.targets and p.todo]
        needed.update(p.language for p in todo)
        total += sum(len(p.todo) for p in todo)
    if not good:
        raise InputError("no article left to translate" if paths else "no article given")
    languages = tuple(lang for lang in settings.targets if lang in needed) if settings.machine_translation else ()
    return good, languages, total if settings.machine_translation else 0


def _check_article(memory: Memory, path: Path, workspace: Workspace, settings: RunSettings, imports: list[Entry],
                   glossary: Sequence[GlossaryEntry], names: dict[str, Path]) -> ArticlePlan:
    """One article read, segmented and planned against the memory (in a scratch transaction)."""
    name = article_name(path)
    if name in names:
        raise InputError(f"two articles would write to the same folder {name!r}: {names[name]} and {path}")
    workspace.check_article_folders([(name, path)])
    item = _read_and_segment(path, settings)
    (planned,), _ = _plan(memory, [item], imports, settings, Timer(), glossary, terms=False)
    names[name] = path
    return planned


def _windows(memory: Memory, paths: list[Path], settings: RunSettings, shared: Timer, imports: list[Entry],
             glossary: Sequence[GlossaryEntry]) -> Iterator[tuple[list[ArticlePlan], TermIndex | None]]:
    """The articles planned in windows of about :data:`WINDOW_SEGMENTS` MT segments (at most
    :data:`WINDOW_ARTICLES` articles); each window is planned after the one before it is stored,
    so it sees its work (the ``--tm``/``--glossary`` imports until the first article stores them)."""
    window: list[tuple[Article, Timer]] = []
    load = 0
    for path in paths:
        window.append(_read_and_segment(path, settings))
        load += len(window[-1][0].segments)  # an upper bound of its MT segments per language
        if load >= WINDOW_SEGMENTS or len(window) >= WINDOW_ARTICLES:
            yield _plan(memory, window, imports, settings, shared, glossary)
            window, load = [], 0
    if window:
        yield _plan(memory, window, imports, settings, shared, glossary)


def _read_and_segment(path: Path, settings: RunSettings) -> tuple[Article, Timer]:
    timer = Timer()
    with timer("read"):
        article = read_article(path, settings.source_language, max_bytes=settings.max_article_bytes,
                               format=settings.article_format, select=settings.select)
    with timer("segment"):
        return segment.segment_article(article), timer


def _plan(memory: Memory, articles: list[tuple[Article, Timer]], imports: list[Entry],
          settings: RunSettings, timer: Timer,
          glossary: Sequence[GlossaryEntry] = (), terms: bool = True) -> tuple[list[ArticlePlan], TermIndex | None]:
    """Phase 2, in a scratch transaction: the plans see the ``--tm`` and ``--glossary`` imports, the
    memory keeps nothing.  Also the glossary's term index (None: the memory has no glossary)."""
    planner = leverage.Planner(memory, settings.fuzzy_threshold)
    with memory.scratch(), timer("plan"):
        memory.tm.import_entries(imports)
        memory.glossary.import_entries(glossary)
        entries = memory.glossary.entries(settings.source_language) if terms else ()  # the survey needs none
        plans = [_plan_article(memory, planner, article, article_timer, settings)
                 for article, article_timer in articles]
    return plans, (TermIndex(entries) if entries else None)


def _plan_article(memory: Memory, planner: leverage.Planner, article: Article, timer: Timer,
                  settings: RunSettings) -> ArticlePlan:
    stored = memory.articles.load(article.name)
    _refuse_another_file(stored, article, settings)
    kept = tuple(lang for lang in (stored.targets if stored else ()) if lang not in settings.targets)
    plans = tuple(planner.plan(article, language) for language in (*settings.targets, *kept))
    return ArticlePlan(article, plans, kept, timer)


def _refuse_another_file(stored: StoredArticle | None, article: Article, settings: RunSettings) -> None:
    """An article of the same name from another file would silently replace the stored one (and
    its outputs): refused unless the run says it replaces it (``--replace``)."""
    if stored is None or stored.source_file is None or settings.replace:
        return
    if stored.source_file != source_file(article):
        raise InputError(f"the memory already holds an article {article.name!r} from another file "
                         f"({stored.source_file}); give --replace to make this file that article (its "
                         "reviewed translations stay in the memory), or rename the file", path=article.source_path)


def _needs_mt(planned: list[ArticlePlan], settings: RunSettings) -> tuple[str, ...]:
    """Target languages of the run with at least one segment the memory does not cover."""
    if not settings.machine_translation:
        return ()
    return tuple(lang for lang in settings.targets
                 if any(p.todo for item in planned for p in item.plans if p.language == lang))


def _jobs(planned: list[ArticlePlan], settings: RunSettings, terms: TermIndex | None = None) -> list[batch.Job]:
    """What the translate phase gets: the run's languages only (kept languages get no MT), with
    the glossary terms of each segment."""
    if not settings.machine_translation:
        return []
    found = (lambda todo: {s.id: terms.find_segment(s) for s in todo}) if terms else (lambda todo: {})
    return [batch.Job(item.article.name, p.language, p.todo, found(p.todo))
            for item in planned for p in item.plans if p.language in settings.targets and p.todo]


def _forbidden_terms(jobs: Sequence[batch.Job]) -> dict[str, list[str]]:
    """Per language, the deprecated and forbidden translations of the terms the jobs' segments
    hold: kept out of decoding (only those: a forbidden variant of one concept may be another's word)."""
    forbidden: dict[str, dict[str, None]] = {}
    for job in jobs:
        for matches in job.terms.values():
            for match in matches:
                for term in match.entry.avoided(job.language):
                    forbidden.setdefault(job.language, {})[term.text] = None
    return {language: list(texts) for language, texts in forbidden.items()}


def _plan_summary(item: ArticlePlan, settings: RunSettings) -> str:
    run_plans = [p for p in item.plans if p.language in settings.targets]
    covered = ", ".join(f"{p.language} {len(p.found)}" for p in run_plans)
    left = sum(len(p.todo) for p in run_plans)
    rest = "to machine-translate" if settings.machine_translation else "left for the translator (--no-mt)"
    return (f"{item.article.name}: {len(item.article.segments)} segments into {', '.join(settings.targets)}; "
            f"from the memory: {covered}; {left} {rest}")


def _store_and_write(memory: Memory, workspace: Workspace, item: ArticlePlan,
                     machine: dict[tuple[str, str], dict[str, Translation]], imports: Sequence[Entry],
                     settings: RunSettings, shared: Timer, glossary: Sequence[GlossaryEntry] = ()) -> ArticleReport:
    """Phases 5 and 6 for one article: store and render in one transaction, then write."""
    article, timer = item.article, item.timer
    with timer("align"):
        docs = [rebuild.document(article, p.language, leverage.complete(p, machine.get((article.name, p.language))))
                for p in item.plans]
    folder = workspace.article_folder(article.name)
    with memory.transaction():
        with timer("store"):
            memory.tm.import_entries(imports)
            memory.glossary.import_entries(glossary)
            memory.save_run(article, docs, settings.xliff)
        with timer("write"):
            rendered = rebuild.render(memory, article.name, folder, rebuild.Request.everything(settings.xliff),
                                      seconds=timer.seconds(shared), kept=item.kept,
                                      machine_translation=settings.machine_translation)
    with timer("write"):
        rebuild.write(rendered, seconds=lambda: timer.seconds(shared))
    return replace(rendered.report, seconds=timer.seconds(shared))


def publish(article_dir: Path, workspace: Workspace, strict: bool = False) -> list[Path]:
    """Rebuild the HTML pages of the article in ``article_dir`` from the memory, without MT.

    ``workspace.out_dir`` is the folder holding ``article_dir`` (and, by default, the memory).
    ``strict``: refuse (:class:`QualityGateError`, nothing written) while a unit is unreviewed
    machine translation or has an error finding.
    """
    _article_folder(article_dir)
    with open_existing_memory(workspace.tm_path) as memory:
        rendered = rebuild.render(memory, article_dir.name, article_dir, rebuild.Request.pages())
    if strict:
        blockers = quality.strict_blockers(quality.units(rendered.docs))
        if blockers:
            raise QualityGateError(f"not published: {len(blockers)} unit(s) not ready: {quality.one_line(blockers)}",
                                   path=str(article_dir))
    return rebuild.write(rendered)


def qa(article_dir: Path, workspace: Workspace, languages: Sequence[str] | None = None) -> list[quality.UnitFindings]:
    """Every unit of the article in ``article_dir`` (of ``languages``, if given) with its QA
    findings, as the memory holds it now (nothing is written)."""
    _article_folder(article_dir)
    with open_existing_memory(workspace.tm_path) as memory:
        _, docs = rebuild.load(memory, article_dir.name)
    unknown = sorted(set(languages or ()) - {d.target_language for d in docs})
    if unknown:
        raise InputError(f"the article has no translation into {', '.join(unknown)}", path=str(article_dir))
    return quality.units(docs, languages)


def _article_folder(article_dir: Path) -> None:
    if not article_dir.is_dir():
        raise InputError("no such article folder (expected DIR/NAME as written by `tandem run`)",
                         path=str(article_dir))


def merge(paths: Sequence[Path], workspace: Workspace,
          xliff: str | None = None) -> tuple[list[review.FileResult], list[Path]]:
    """Merge reviewed files into the memory and rebuild the changed articles' outputs, rendering
    inside the merge's transaction: a failed render leaves the memory as it was.

    ``xliff`` chooses the XLIFF versions rebuilt (``1.2``, ``2.1``, ``both``); None keeps the
    versions the article's outputs were last written in.  Returns the per-file results and the
    folders that were rewritten (every article the files belong to).
    """
    files = review.read_files(paths)
    with open_existing_memory(workspace.tm_path) as memory:
        with memory.transaction():
            results, _changed = review.merge(memory, files)
            # Every article a file belongs to is rebuilt, changed or not: merging the file again
            # repairs outputs an interrupted merge (killed after its commit) left incomplete.
            names = sorted({r.article for r in results})
            rebuilt = [_rebuild_merged(memory, workspace, name, xliff) for name in names]
    for item in rebuilt:
        rebuild.write(item)
    return results, [item.folder for item in rebuilt]


def _rebuild_merged(memory: Memory, workspace: Workspace, name: str, xliff: str | None) -> rebuild.Rebuilt:
    stored = memory.articles.load(name)
    versions = parse_xliff_choice(xliff) if xliff else stored.xliff
    memory.articles.set_xliff(name, versions)
    return rebuild.render(memory, name, workspace.article_folder(name), rebuild.Request.everything(versions))


def omegat_projects(article_dir: Path, workspace: Workspace, targets: Sequence[str] | None = None) -> list[Path]:
    """Write an OmegaT 3.6 project per target language of the article in ``article_dir``
    (``DIR/NAME/omegat-LANG/``, see :mod:`tandem.formats.omegat`); return the project folders.
    ``tandem merge`` takes such a folder back."""
    if not article_dir.is_dir():
        raise InputError("no such article folder (expected DIR/NAME as written by `tandem run`)",
                         path=str(article_dir))
    docs = load_documents(article_dir.name, workspace)
    known = [d.target_language for d in docs]
    missing = [t for t in targets or () if t not in known]
    if missing:
        raise InputError(f"article {article_dir.name!r} has no {', '.join(missing)} translation "
                         f"(it has {', '.join(known)})", path=str(article_dir))
    folders = []
    for doc in docs:
        if targets is None or doc.target_language in targets:
            folder = article_dir / f"omegat-{doc.target_language}"
            omegat.write_project(doc, folder)
            folders.append(folder)
    return folders


def tm_import(path: Path, workspace: Workspace, source_language: str = "en") -> tuple[int, int, int]:
    """Import a TMX file into the memory: (entries read, new or changed, refused as no translation)."""
    entries = tmx.read_entries(path, source_language)
    with open_memory(workspace.tm_path) as memory:
        changed, refused = memory.import_entries(entries)
    return len(entries), changed, refused


def tm_export(path: Path, workspace: Workspace, targets: tuple[str, ...] | None = None,
              source_language: str = "en") -> int:
    """Write the memory's reviewed and imported work (for ``targets``, else all) as TMX; return the count."""
    if targets is not None:
        check_language_codes(targets)
    with open_existing_memory(workspace.tm_path) as memory:
        entries = memory.tm.entries(source_language, targets)
    write_atomic(path, tmx.serialize_entries(entries, source_language))
    return len(entries)


def glossary_import(paths: Sequence[Path], workspace: Workspace, format: str | None = None,
                    source_language: str = "en") -> list[tuple[Path, int, GlossaryCounts]]:
    """Import glossary files (TBX, CSV, TSV, do-not-translate lists; ``format`` or by extension),
    all or nothing: every file is read before one transaction stores them all.  Per file: (path,
    entries read, what the memory did with them)."""
    files = [(path, read_glossary(path, format, source_language)) for path in paths]
    with open_memory(workspace.tm_path) as memory:
        counts = memory.import_glossary([entries for _, entries in files])
    return [(path, len(entries), c) for (path, entries), c in zip(files, counts)]


def glossary_entries(workspace: Workspace, language: str | None = None,
                     source_language: str = "en") -> tuple[GlossaryEntry, ...]:
    """The memory's glossary (with ``language``, the entries that cover it, with its terms only)."""
    if language is not None:
        check_language_codes([language])
    with open_existing_memory(workspace.tm_path) as memory:
        return memory.glossary.entries(source_language, language)


def glossary_export(path: Path, workspace: Workspace, targets: Sequence[str], format: str | None = None,
                    source_language: str = "en") -> int:
    """Write the memory's glossary for ``targets`` (one language for TBX) to ``path``; return how many
    entries were written (those with a term in a target language, or do-not-translate)."""
    check_language_codes(targets)
    writer = glossary_format(path, format).write
    if writer is None:
        raise InputError("a do-not-translate list cannot be exported (choose tbx, csv or tsv)", path=str(path))
    with open_existing_memory(workspace.tm_path) as memory:
        entries = memory.glossary.entries(source_language)
    write_atomic(path, writer(entries, source_language, targets))
    return sum(any(e.covers(t) for t in targets) for e in entries)


def load_documents(name: str, workspace: Workspace) -> list:
    """Article ``name``'s documents (one per language) as the memory holds them, without MT."""
    with open_existing_memory(workspace.tm_path) as memory:
        return rebuild.load(memory, name)[1]


def _article_names(paths: list[Path]) -> list[str]:
    """Each article's name (:func:`tandem.names.article_name`); two articles of one name are refused."""
    seen: dict[str, Path] = {}
    for path in paths:
        name = article_name(path)
        if name in seen:
            raise InputError(f"two articles would write to the same folder {name!r}: {seen[name]} and {path}")
        seen[name] = path
    return list(seen)
