"""The published pages of one article, built from its bilingual documents.

For an article ``NAME`` in English translated into Russian and Japanese:

- ``NAME.en-ru.html``, ``NAME.en-ja.html``: bilingual pages, one table row per
  sentence pair, the chrome in the target language;
- ``NAME.en.html``, ``NAME.ru.html``, ``NAME.ja.html``: reading pages;
- ``index.html``: links to all of them, each language under its own name.

The reading pages are alternates of each other: every page carries the same
``<link rel="alternate" hreflang>`` set, with ``index.html`` as ``x-default``.
Anchors: ``#pN.sM`` is a sentence (a table row on bilingual pages, a sentence
on reading pages); on bilingual pages each side also has ``#pN.sM-LANG``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import quote

from tandem import __version__, i18n
from tandem.document import AlignedPair, BilingualDocument, Origin, Paragraph
from tandem.errors import InputError
from tandem.fsutil import write_atomic
from tandem.publish import html

INDEX = "index.html"


@dataclass(frozen=True)
class Link:
    """A link to one page of the article, for navigation and hreflang."""

    file: str  # the file name in the article's folder
    languages: tuple[str, ...]  # (lang,) for reading pages, (source, target) for bilingual

    @property
    def href(self) -> str:
        """The file name as a relative URL (``#``, ``%``, spaces... percent-encoded)."""
        return quote(self.file)

    @property
    def hreflang(self) -> str:
        return self.languages[-1]


@dataclass(frozen=True)
class Sentence:
    """One sentence of a reading page: its anchor id, text and language."""

    id: str
    text: str
    language: str
    origin: Origin | None = None  # None on the source-language page


@dataclass(frozen=True)
class Site:
    """Everything every page of one article needs to link to the others."""

    name: str
    source: str
    targets: tuple[str, ...]
    today: date

    @property
    def reading(self) -> list[Link]:
        return [Link(f"{self.name}.{lang}.html", (lang,)) for lang in (self.source, *self.targets)]

    @property
    def bilingual(self) -> list[Link]:
        return [Link(f"{self.name}.{self.source}-{t}.html", (self.source, t)) for t in self.targets]

    def bilingual_for(self, target: str) -> Link:
        """The bilingual page of ``target``."""
        return next(link for link in self.bilingual if link.hreflang == target)


def render_pages(docs: list[BilingualDocument], today: date | None = None) -> dict[str, bytes]:
    """Render every page of one article from its documents (one per target language)."""
    site = _site(docs, today or datetime.now(timezone.utc).date())
    pages = {INDEX: html.render("index.html.j2", i18n.ui_locale(site.source), site=site, version=__version__,
                                docs=docs, title=_title(docs[0], site.source), current=INDEX)}
    source_link, *target_links = site.reading
    pages[source_link.file] = _reading_page(docs[0], source_link, site)
    for doc, link in zip(docs, target_links):
        pages[link.file] = _reading_page(doc, link, site)
    for doc, link in zip(docs, site.bilingual):
        pages[link.file] = html.render("bilingual.html.j2", i18n.ui_locale(doc.target_language), site=site,
                                       version=__version__, doc=doc, title=_title(doc, doc.target_language),
                                       current=link.href, summary=html.summarize(doc))
    return pages


def publish_pages(docs: list[BilingualDocument], out_dir: Path, today: date | None = None) -> list[Path]:
    """Render all pages of one article, then write each atomically into ``out_dir``."""
    rendered = render_pages(docs, today)
    for name, data in rendered.items():
        write_atomic(out_dir / name, data)
    return [out_dir / name for name in rendered]


def _site(docs: list[BilingualDocument], today: date) -> Site:
    if not docs:
        raise InputError("nothing to publish: no translated documents")
    article = docs[0].article
    targets = tuple(d.target_language for d in docs)
    if any(d.article.name != article.name for d in docs) or len(set(targets)) != len(targets):
        raise InputError("pages of one article need one document per target language",
                         path=article.source_path)
    return Site(article.name, article.language, targets, today)


def _reading_page(doc: BilingualDocument, link: Link, site: Site) -> bytes:
    """The article in ``link``'s language: the source, or ``doc``'s translation."""
    language = link.hreflang
    translated = language == doc.target_language
    paragraphs = [(p.number, _sentences(p, pairs, doc, translated)) for p, pairs in doc.paragraphs()]
    title_sentences = paragraphs.pop(0)[1] if html.headline(doc.article.paragraphs) else []
    return html.render("reading.html.j2", i18n.ui_locale(language), site=site, version=__version__,
                       language=language, paragraphs=paragraphs, title_sentences=title_sentences,
                       title=_title(doc, language), current=link.href,
                       summary=html.summarize(doc) if translated else None,
                       compare=site.bilingual_for(language) if translated else None)


def _sentences(paragraph: Paragraph, pairs: tuple[AlignedPair, ...], doc: BilingualDocument,
               translated: bool) -> list[Sentence]:
    """A paragraph's sentences in the page language; untranslated ones stay in the source."""
    source = doc.article.language
    if not translated:
        return [Sentence(s.id, s.text, source) for s in paragraph.segments]
    return [Sentence(p.segment.id, p.translation.text, doc.target_language, p.translation.origin)
            if p.translation.text else Sentence(p.segment.id, p.segment.text, source, p.translation.origin)
            for p in pairs]


def _title(doc: BilingualDocument, language: str) -> Sentence:
    """The headline in ``language`` (translation when there is one), else the article name."""
    head = html.headline(doc.article.paragraphs)
    if head is None:
        return Sentence("", doc.article.name, doc.article.language)
    segment = head.segments[0]
    if language != doc.article.language:
        pair = doc.pairs[0]  # the headline is the first paragraph, one sentence
        if pair.translation.text:
            return Sentence(segment.id, pair.translation.text, language, pair.translation.origin)
    return Sentence(segment.id, segment.text, doc.article.language)
