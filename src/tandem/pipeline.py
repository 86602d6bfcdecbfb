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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tandem import leverage, rebuild, review, segment
from tandem.document import Article, Entry, Translation
from tandem.errors import InputError
from tandem.formats import omegat, parse_xliff_choice, tmx
from tandem.fsutil import write_atomic
from tandem.memory import Memory, StoredArticle, open_existing_memory, open_memory
from tandem.memory.articles import source_file
from tandem.mt import batch
from tandem.names import article_name
from tandem.mt.engine import Engine
from tandem.mt.routes import resolve_routes
from tandem.readers import read_article
from tandem.report import ArticleReport, Timer
from tandem.settings import RunSettings, Workspace, check_language_codes

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ArticlePlan:
    """One article with its plan per language: the run's languages, then those it keeps."""

    article: Article
    plans: tuple[leverage.Plan, ...]
    kept: tuple[str, ...]  # languages the article has that this run does not translate into
    timer: Timer


def run(paths: Sequence[Path], workspace: Workspace, settings: RunSettings,
        progress: Progress = lambda _: None) -> list[ArticleReport]:
    """Translate every article in ``paths`` into every target language and write the outputs."""
    paths = list(dict.fromkeys(paths))
    names = _article_names(paths)
    workspace.check_article_folders(list(zip(names, paths)))
    shared = Timer()  # phases done for all articles at once
    articles = [_read_and_segment(path, settings) for path in paths]
    imports = [e for path in settings.tm_files for e in tmx.read_entries(path, settings.source_language)]
    with open_memory(workspace.tm_path) as memory:
        planned = _plan(memory, articles, imports, settings, shared)
        routes = resolve_routes(settings.packages_dir, settings.source_language, _needs_mt(planned, settings),
                                settings.index, install=settings.install_models, progress=progress)
        for item in planned:
            progress(_plan_summary(item, settings))
        machine = batch.translate(_jobs(planned, settings), routes, Engine(settings.engine), shared)
        return [_store_and_write(memory, workspace, item, machine, imports if i == 0 else (), settings, shared)
                for i, item in enumerate(planned)]


def _read_and_segment(path: Path, settings: RunSettings) -> tuple[Article, Timer]:
    timer = Timer()
    with timer("read"):
        article = read_article(path, settings.source_language, max_bytes=settings.max_article_bytes,
                               format=settings.article_format, select=settings.select)
    with timer("segment"):
        return segment.segment_article(article), timer


def _plan(memory: Memory, articles: list[tuple[Article, Timer]], imports: list[Entry],
          settings: RunSettings, timer: Timer) -> list[ArticlePlan]:
    """Phase 2, in a scratch transaction: the plans see the ``--tm`` import, the memory keeps nothing."""
    planner = leverage.Planner(memory, settings.fuzzy_threshold)
    with memory.scratch(), timer("plan"):
        memory.tm.import_entries(imports)
        return [_plan_article(memory, planner, article, article_timer, settings)
                for article, article_timer in articles]


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


def _jobs(planned: list[ArticlePlan], settings: RunSettings) -> list[batch.Job]:
    """What the translate phase gets: the run's languages only (kept languages get no MT)."""
    if not settings.machine_translation:
        return []
    return [batch.Job(item.article.name, p.language, p.todo)
            for item in planned for p in item.plans if p.language in settings.targets and p.todo]


def _plan_summary(item: ArticlePlan, settings: RunSettings) -> str:
    run_plans = [p for p in item.plans if p.language in settings.targets]
    covered = ", ".join(f"{p.language} {len(p.found)}" for p in run_plans)
    left = sum(len(p.todo) for p in run_plans)
    rest = "to machine-translate" if settings.machine_translation else "left for the translator (--no-mt)"
    return (f"{item.article.name}: {len(item.article.segments)} segments into {', '.join(settings.targets)}; "
            f"from the memory: {covered}; {left} {rest}")


def _store_and_write(memory: Memory, workspace: Workspace, item: ArticlePlan,
                     machine: dict[tuple[str, str], dict[str, Translation]], imports: Sequence[Entry],
                     settings: RunSettings, shared: Timer) -> ArticleReport:
    """Phases 5 and 6 for one article: store and render in one transaction, then write."""
    article, timer = item.article, item.timer
    with timer("align"):
        docs = [rebuild.document(article, p.language, leverage.complete(p, machine.get((article.name, p.language))))
                for p in item.plans]
    folder = workspace.article_folder(article.name)
    with memory.transaction():
        with timer("store"):
            memory.tm.import_entries(imports)
            memory.save_run(article, docs, settings.xliff)
        with timer("write"):
            rendered = rebuild.render(memory, article.name, folder, rebuild.Request.everything(settings.xliff),
                                      seconds=timer.seconds(shared), kept=item.kept,
                                      machine_translation=settings.machine_translation)
    with timer("write"):
        rebuild.write(rendered, seconds=lambda: timer.seconds(shared))
    return replace(rendered.report, seconds=timer.seconds(shared))


def publish(article_dir: Path, workspace: Workspace) -> list[Path]:
    """Rebuild the HTML pages of the article in ``article_dir`` from the memory, without MT.

    ``workspace.out_dir`` is the folder holding ``article_dir`` (and, by default, the memory).
    """
    if not article_dir.is_dir():
        raise InputError("no such article folder (expected DIR/NAME as written by `tandem run`)",
                         path=str(article_dir))
    with open_existing_memory(workspace.tm_path) as memory:
        rendered = rebuild.render(memory, article_dir.name, article_dir, rebuild.Request.pages())
    return rebuild.write(rendered)


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
