"""One way to rebuild an article's outputs from the memory: run, merge and publish all use it.

:func:`render` reads the article and every language it has from the memory
and renders the requested outputs to bytes, inside the caller's transaction
(so a writer that fails leaves the memory as it was); :func:`write` then
writes them atomically, ``report.json`` last (it marks a complete set), and
removes the files of output kinds no longer requested (``merge --xliff 1.2``
after a run that wrote both versions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from tandem import align
from tandem.document import (Article, BilingualDocument, InlineCode, ModelInfo, Origin, TermMatch, Translation,
                             word_separator)
from tandem.errors import InputError, OutputError
from tandem.formats import OUTPUT_FORMATS, XLIFF_VERSIONS, output_kinds, tbx
from tandem.fsutil import remove_leftovers, write_atomic
from tandem.memory import Memory, StoredArticle
from tandem.publish import document as own_format, site
from tandem.segment.codes import join
from tandem.report import ArticleReport
from tandem.terms import TermIndex

REPORT = "report.json"
PAGES = "pages"  # the article's HTML pages, as an output kind
DOCUMENT = "document"  # the translated article in its own format (HTML and Markdown articles)
TERMS = "terms"  # the article's glossary terms per language pair, as TBX for the CAT tool


@dataclass(frozen=True)
class Request:
    """Which outputs a rebuild writes, and which kinds' files it removes."""

    kinds: tuple[str, ...]  # keys of OUTPUT_FORMATS, and PAGES
    remove: tuple[str, ...] = ()  # keys of OUTPUT_FORMATS whose files are stale
    report: bool = True  # (re)write report.json

    @classmethod
    def everything(cls, xliff: Sequence[str]) -> "Request":
        """What run and merge write: every format with the chosen XLIFF versions, the pages and
        the report; the other XLIFF versions' files go."""
        kinds = output_kinds(xliff)
        stale = tuple(v.kind for v in XLIFF_VERSIONS.values() if v.kind not in kinds)
        return cls((*kinds, PAGES, DOCUMENT, TERMS), stale)

    @classmethod
    def pages(cls) -> "Request":
        """What publish writes: the pages alone."""
        return cls((PAGES,), report=False)


@dataclass(frozen=True)
class Rebuilt:
    """An article's rendered outputs, not yet written."""

    folder: Path
    docs: tuple[BilingualDocument, ...]
    files: Mapping[Path, bytes]  # report.json, if requested, is written last
    stale: tuple[Path, ...]
    report: ArticleReport | None


def load(memory: Memory, name: str) -> tuple[StoredArticle, list[BilingualDocument]]:
    """Article ``name`` and one document per language it has, as the memory holds them."""
    stored = memory.articles.load(name)
    if stored is None:
        raise InputError(f"article {name!r} is not in the translation memory {memory.path}")
    terms = article_terms(memory, stored.article)
    docs = [document(stored.article, language, memory.articles.translations(stored.article, language), terms)
            for language in stored.targets]
    return stored, docs


def article_terms(memory: Memory, article: Article) -> dict[str, tuple[TermMatch, ...]]:
    """The glossary terms of each segment, by the memory's glossary as it is now (so a glossary
    imported after the run shows in the next merge or publish)."""
    entries = memory.glossary.entries(article.language)
    if not entries:
        return {}
    index = TermIndex(entries)
    return {s.id: found for s in article.segments if (found := index.find_segment(s))}


def document(article: Article, language: str, translations: list[Translation],
             terms: Mapping[str, tuple[TermMatch, ...]] | None = None) -> BilingualDocument:
    """One language of an article, aligned (QA findings included, glossary ``terms`` checked)."""
    return align.align(article, language, translations, doc_model(translations), terms=terms or {})


def doc_model(translations: Sequence[Translation]) -> ModelInfo | None:
    """The model behind a document's machine translations (None if it has none)."""
    return next((t.model for t in translations if t.origin is Origin.MT and t.model), None)


def render(memory: Memory, name: str, folder: Path, request: Request,
           seconds: Mapping[str, float] | None = None, kept: Sequence[str] = (),
           machine_translation: bool = True) -> Rebuilt:
    """Render the requested outputs of article ``name`` from the memory into bytes (nothing is
    written).  ``seconds`` are the report's timings; None keeps those of the existing report."""
    _, docs = load(memory, name)
    files: dict[Path, bytes] = {}
    stale_terms: list[Path] = []
    for kind in request.kinds:
        if kind == PAGES:
            files.update({folder / page: data for page, data in site.render_pages(docs).items()})
        elif kind == DOCUMENT:
            files.update(translated_documents(docs, folder))
        elif kind == TERMS:
            terms, gone = term_bases(docs, folder)
            files.update(terms)
            stale_terms.extend(gone)
        else:
            files.update({folder / OUTPUT_FORMATS[kind].file_name(d): OUTPUT_FORMATS[kind].serialize(d)
                          for d in docs})
    stale = tuple(folder / OUTPUT_FORMATS[k].file_name(d) for k in request.remove for d in docs) + tuple(stale_terms)
    report = None
    if request.report:
        timings = seconds if seconds is not None else ArticleReport.seconds_in(_read(folder / REPORT))
        report = ArticleReport.of(docs, str(folder), timings, kept, machine_translation)
        files[folder / REPORT] = report.to_json().encode("utf-8")
    return Rebuilt(folder, tuple(docs), files, stale, report)


def write(rebuilt: Rebuilt, seconds: Callable[[], Mapping[str, float]] | None = None) -> list[Path]:
    """Write every rendered file atomically, ``report.json`` last (with the timings ``seconds``
    returns then, if given, so that writing is counted); then remove stale files.

    The old ``report.json`` is removed first: a folder holds a report only when its set of
    outputs is complete and consistent (a killed write leaves none, and the next run repairs
    the set).  Temporary files a killed writer left are removed too.
    """
    remove_leftovers(rebuilt.folder)
    ordered = sorted(rebuilt.files, key=lambda path: path.name == REPORT)
    if rebuilt.report is not None:
        _remove(rebuilt.folder / REPORT)
    for path in ordered:
        data = rebuilt.files[path]
        if path.name == REPORT and rebuilt.report is not None and seconds is not None:
            data = replace(rebuilt.report, seconds=MappingProxyType(dict(seconds()))).to_json().encode("utf-8")
        write_atomic(path, data)
    for path in rebuilt.stale:
        _remove(path)
    return ordered


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot remove an out-of-date output: {exc.strerror}", path=str(path)) from None


def translated_documents(docs: Sequence[BilingualDocument], folder: Path) -> dict[Path, bytes]:
    """The article in its own format, once per language (HTML and Markdown articles only: a
    plain-text article's translation is its reading page)."""
    article = docs[0].article if docs else None
    if article is None or article.format == "text":
        return {}
    return {folder / own_format.output_name(article, d.target_language):
            own_format.render_translated(article, paragraph_translations(d), d.target_language) for d in docs}


def term_bases(docs: Sequence[BilingualDocument], folder: Path) -> tuple[dict[Path, bytes], list[Path]]:
    """``NAME.en-LANG.tbx`` per language: the glossary entries found in the article, for the CAT
    tool's glossary beside the XLIFF; a language without terms has none (an old one goes)."""
    files, gone = {}, []
    for doc in docs:
        path = folder / f"{doc.article.name}.{doc.article.language}-{doc.target_language}.tbx"
        entries = list(dict.fromkeys(m.entry for p in doc.pairs for m in p.terms))
        if entries:
            files[path] = tbx.write(entries, doc.article.language, doc.target_language)
        else:
            gone.append(path)
    return files, gone


def paragraph_translations(doc: BilingualDocument) -> dict[int, tuple[str, tuple[InlineCode, ...]]]:
    """Each paragraph's translation with its codes: its sentences' translations joined by the
    source's own spacing (none between sentences of Japanese), a sentence without one kept in
    the source."""
    separator = word_separator(doc.target_language)
    result = {}
    for paragraph, pairs in doc.paragraphs():
        parts = [(p.translation.text, p.translation.codes) if p.translation.text else (p.segment.text, p.segment.codes)
                 for p in pairs]
        gaps = [separator and paragraph.text[a.segment.end - paragraph.start:b.segment.start - paragraph.start]
                for a, b in zip(pairs, pairs[1:])]
        result[paragraph.number] = join(parts, gaps)
    return result


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
