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

Markup: each sentence's inline codes become safe HTML (:mod:`tandem.publish.markup`),
the source side from ``Segment.codes``, the target side from ``Translation.codes``.
Block kinds: reading pages write headings as ``<hN>``, list items as ``<ul><li>``, quotes
as ``<blockquote>``, terms and definitions as ``<dl>``, captions as ``<figure><figcaption>``;
bilingual pages keep one row per sentence and mark the paragraph's kind on its ``<tbody>``
(a heading's text is a heading, ``role="heading"``, below the page's own ``<h2>``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import quote

from tandem import __version__, i18n
from markupsafe import Markup

from tandem.document import (AlignedPair, BilingualDocument, BlockKind, InlineCode, Origin, Paragraph, Translation,
                             word_separator)
from tandem.errors import InputError
from tandem.fsutil import write_atomic
from tandem.publish import html, markup

INDEX = "index.html"

# Reading pages: the container a run of blocks of one kind shares, and each block's element.
# (Lists are rebuilt with their type and nesting by _nest_list instead.)
CONTAINERS = {BlockKind.QUOTE: "blockquote", BlockKind.TERM: "dl",
              BlockKind.DEFINITION: "dl", BlockKind.CAPTION: "figure"}
LIST_TAGS = ("ul", "ol")
ITEM_TAGS = {BlockKind.LIST_ITEM: "li", BlockKind.QUOTE: "p", BlockKind.TERM: "dt", BlockKind.DEFINITION: "dd",
             BlockKind.CAPTION: "figcaption"}


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
    codes: tuple[InlineCode, ...] = ()  # the sentence's inline markup, offsets into ``text``
    context: tuple[InlineCode, ...] = ()  # the codes of its whole paragraph (pairs cut by a boundary)
    attributes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # translated alt/title by code

    @property
    def html(self) -> Markup:
        """The sentence as safe HTML: escaped text, its markup rebuilt, Japanese phrase breaks."""
        return markup.render(self.text, self.codes, self.language, self.context, self.attributes)


@dataclass(frozen=True)
class Block:
    """One paragraph of a reading page: its element (``p``, ``h2``, ``li``...) and sentences."""

    number: int
    tag: str
    sentences: list[Sentence]
    css: str = ""  # a class for kinds without an element of their own (cells, attributes)
    # List items only: the list tags opened before the item, whether the item closes itself
    # (not when a nested list follows inside it) and the tags closed after it.
    before: Markup = Markup("")
    closed: bool = True
    after: Markup = Markup("")


@dataclass(frozen=True)
class Group:
    """Blocks sharing a container (a list, a quotation, a figure), or one block (``container`` "")."""

    container: str
    blocks: list[Block]
    image: Markup = Markup("")  # a figure's picture (an image outside any paragraph)


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
                                       current=link.href, summary=html.summarize(doc), cells=_cells(doc),
                                       heading_level=bilingual_heading_level)
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
    attributes = _translated_attributes(doc) if translated else {}
    paragraphs = [(p, _sentences(p, pairs, doc, translated, attributes.get(p.number, {})))
                  for p, pairs in doc.paragraphs()]
    title_sentences = paragraphs.pop(0)[1] if html.headline(doc.article.paragraphs) else []
    return html.render("reading.html.j2", i18n.ui_locale(language), site=site, version=__version__,
                       language=language, groups=_groups(paragraphs, _block_images(doc, translated)),
                       title_sentences=title_sentences,
                       title=_title(doc, language), current=link.href,
                       summary=html.summarize(doc) if translated else None,
                       compare=site.bilingual_for(language) if translated else None)


def _sentences(paragraph: Paragraph, pairs: tuple[AlignedPair, ...], doc: BilingualDocument,
               translated: bool, attributes: Mapping[str, Mapping[str, str]]) -> list[Sentence]:
    """A paragraph's sentences in the page language; untranslated ones stay in the source.
    ``attributes``: the translated alt and title texts of the paragraph's codes."""
    source = doc.article.language
    (source_codes, source_context), (target_codes, target_context) = _sides(pairs)
    if not translated:
        return [Sentence(p.segment.id, p.segment.text, source, None, codes, source_context)
                for p, codes in zip(pairs, source_codes)]
    return [Sentence(p.segment.id, p.translation.text, doc.target_language, p.translation.origin,
                     codes, target_context, attributes)
            if p.translation.text else
            Sentence(p.segment.id, p.segment.text, source, p.translation.origin, own_codes, source_context)
            for p, own_codes, codes in zip(pairs, source_codes, target_codes)]


def translation_codes(translation: Translation) -> tuple[InlineCode, ...]:
    """The inline codes of a translation, offsets into its text (none when it has no text: the
    page shows "Not translated yet" or the source instead)."""
    return translation.codes if translation.text else ()


Side = tuple[list[tuple[InlineCode, ...]], tuple[InlineCode, ...]]


def _sides(pairs: Sequence[AlignedPair]) -> tuple[Side, Side]:
    """One paragraph's codes, source side and target side: each sentence's own (with the spans
    covering it whole, see :func:`markup.covering_codes`) and all of the paragraph's."""
    source = [(p.segment.text, p.segment.codes) for p in pairs]
    target = [(p.translation.text, translation_codes(p.translation)) for p in pairs]
    return ((markup.covering_codes(source), tuple(c for _, codes in source for c in codes)),
            (markup.covering_codes(target), tuple(c for _, codes in target for c in codes)))


def _cells(doc: BilingualDocument) -> dict[str, tuple[Markup, Markup]]:
    """Each sentence's two sides on the bilingual page as HTML: {segment id: (source, target)}."""
    cells, attributes = {}, _translated_attributes(doc)
    for paragraph, pairs in doc.paragraphs():
        (source_codes, source_context), (target_codes, target_context) = _sides(pairs)
        for pair, own_codes, codes in zip(pairs, source_codes, target_codes):
            marked = (*own_codes, *markup.term_codes(_term_spans(pair, doc.target_language)))
            cells[pair.segment.id] = (
                markup.render(pair.segment.text, marked, doc.article.language, source_context),
                markup.render(pair.translation.text, codes, doc.target_language, target_context,
                              attributes.get(paragraph.number, {})))
    return cells


def _term_spans(pair: AlignedPair, language: str) -> list[tuple[int, int, str, bool]]:
    """The glossary terms of a source sentence to mark, each with what its translation into
    ``language`` should be (a do-not-translate term: itself)."""
    spans = []
    for match in pair.terms:
        preferred = match.entry.preferred(language)
        if match.entry.do_not_translate or preferred is not None:
            expected = match.text if match.entry.do_not_translate else preferred.text
            spans.append((match.start, match.end, expected, match.entry.do_not_translate))
    return spans


@dataclass(frozen=True)
class AttributePlace:
    """Where an attribute block (an image's alt, a title) sits: a code of another paragraph."""

    host: int  # the number of the paragraph holding the code
    code_id: str
    name: str  # "alt" or "title"


def attribute_places(paragraphs: Sequence[Paragraph]) -> dict[int, AttributePlace]:
    """{attribute block number: its place}.  A reader gives an ``alt``/``title`` a block of its
    own, placed where its value sits in the document: inside the paragraph holding the code;
    the code is the next one there whose markup holds that attribute with that very text.
    Blocks with no such code (an image outside any paragraph) have no place."""
    hosts = [p for p in paragraphs if p.kind is not BlockKind.ATTRIBUTE]
    slots: dict[int, list[tuple[str, str, str]]] = {}
    places = {}
    for block in sorted((p for p in paragraphs if p.kind is BlockKind.ATTRIBUTE), key=lambda p: p.start):
        host = next((h for h in hosts if h.start <= block.start <= _end(h)), None)
        if host is None:
            continue
        left = slots.setdefault(host.number, markup.attribute_slots([c for s in host.segments for c in s.codes]))
        wanted = (block.name, " ".join(block.text.split()))
        found = next((i for i, (_, name, value) in enumerate(left) if (name, value) == wanted), None)
        if found is not None:
            places[block.number] = AttributePlace(host.number, left[found][0], block.name)
            del left[:found + 1]
    return places


def _end(paragraph: Paragraph) -> int:
    return paragraph.end if paragraph.end is not None else paragraph.start + len(paragraph.text)


def _translated_attributes(doc: BilingualDocument) -> dict[int, dict[str, dict[str, str]]]:
    """The translated alt and title texts: {host paragraph: {code id: {name: text}}}; an
    attribute not wholly translated keeps the markup's own text."""
    places, separator = attribute_places(doc.article.paragraphs), word_separator(doc.target_language)
    result: dict[int, dict[str, dict[str, str]]] = {}
    for paragraph, pairs in doc.paragraphs():
        place, texts = places.get(paragraph.number), [p.translation.text for p in pairs]
        if place is not None and texts and all(texts):
            result.setdefault(place.host, {}).setdefault(place.code_id, {})[place.name] = separator.join(texts)
    return result


def bilingual_heading_level(paragraph: Paragraph) -> int:
    """A heading paragraph's level on the bilingual page: below the page's own ``<h2>``.

    >>> bilingual_heading_level(Paragraph(1, "Title", 0, kind=BlockKind.HEADING, level=1))
    3
    """
    return min(6, max(1, paragraph.level) + 2)


def _block_images(doc: BilingualDocument, translated: bool) -> dict[int, Markup]:
    """Images outside any paragraph (a figure's picture), as ``<img>`` in the page's language,
    by the number of their ``alt`` block; the source document gives each one's tag."""
    paragraphs, text = doc.article.paragraphs, doc.article.text
    places, separator = attribute_places(paragraphs), word_separator(doc.target_language)
    texts = {}
    for paragraph, pairs in doc.paragraphs():
        if paragraph.kind is BlockKind.ATTRIBUTE and paragraph.number not in places:
            targets = [p.translation.text for p in pairs]
            texts[paragraph.number] = separator.join(targets) if translated and targets and all(targets) \
                else paragraph.text
    images = {}
    for alt in (p for p in paragraphs if p.number in texts and p.name == "alt"):
        start, end = text.rfind("<", 0, alt.start), text.find(">", _end(alt))
        if start < 0 or end < 0 or not text.startswith("<img", start):
            continue  # not an HTML image tag (no other reader gives an image a block of its own)
        title = next((texts[p.number] for p in paragraphs if p.number in texts and p.name == "title"
                      and start < p.start < end), "")
        images[alt.number] = markup.block_image(text[start:end + 1], texts[alt.number], title)
    return images


def _groups(paragraphs: list[tuple[Paragraph, list[Sentence]]],
            images: Mapping[int, Markup] | None = None) -> list[Group]:
    """A reading page's paragraphs as blocks, runs of list items (quotes, terms) in one container.
    Attribute blocks are not running text: their translations go into the alt and title they
    come from (the bilingual page shows them as rows, for review); an image outside any
    paragraph (``images``) opens a figure, which the caption after it joins."""
    groups: list[Group] = []
    items: list[tuple[Paragraph, Block]] = []  # the run of list items being collected
    for paragraph, sentences in paragraphs:
        if paragraph.kind is BlockKind.ATTRIBUTE:
            if (images or {}).get(paragraph.number):
                groups.append(Group("figure", [], images[paragraph.number]))
            continue
        block = Block(paragraph.number, _block_tag(paragraph), sentences, _block_class(paragraph))
        if paragraph.kind is BlockKind.LIST_ITEM:
            items.append((paragraph, block))
            continue
        if items:
            groups.append(Group("", _nest_list(items)))
            items = []
        container = CONTAINERS.get(paragraph.kind, "")
        # A figure holds one caption: a caption joins only a figure that has its image and no caption yet.
        joins = container == "figure" and bool(groups[-1].image) and not groups[-1].blocks if groups else False
        if container and groups and groups[-1].container == container and (container != "figure" or joins):
            groups[-1].blocks.append(block)
        else:
            groups.append(Group(container, [block]))
    if items:
        groups.append(Group("", _nest_list(items)))
    return groups


def _nest_list(items: list[tuple[Paragraph, Block]]) -> list[Block]:
    """A run of list items as nested ``<ul>``/``<ol>`` lists, by each item's depth and list type.

    A nested list goes inside the item before it (as HTML wants); a depth more than one below
    the item before is taken as one below it.
    """
    depths, tags = [], []
    for paragraph, _ in items:
        depths.append(min(max(1, paragraph.level), (depths[-1] + 1) if depths else 1))
        tags.append(paragraph.name if paragraph.name in LIST_TAGS else "ul")
    open_lists: list[str] = []
    nested: list[Block] = []
    for index, (_, block) in enumerate(items):
        depth, tag = depths[index], tags[index]
        before = ""
        if len(open_lists) >= depth and open_lists[depth - 1] != tag:  # another type: a new list
            before += f"</{open_lists.pop()}>"
        while len(open_lists) < depth:
            open_lists.append(tag)
            before += f"<{tag}>"
        following = depths[index + 1] if index + 1 < len(items) else 0
        after = ""
        while len(open_lists) > following:  # close the lists that end here, and the items holding them
            after += f"</{open_lists.pop()}>" + ("</li>" if open_lists else "")
        nested.append(replace(block, before=Markup(before), closed=following <= depth, after=Markup(after)))
    return nested


def _block_tag(paragraph: Paragraph) -> str:
    """The element of one paragraph on a reading page; headings start at ``<h2>`` (the page has its ``<h1>``)."""
    if paragraph.kind is BlockKind.HEADING:
        return f"h{min(6, max(2, paragraph.level))}"
    return ITEM_TAGS.get(paragraph.kind, "p")


def _block_class(paragraph: Paragraph) -> str:
    """Table cells (the model gives no rows or columns) are paragraphs with a class."""
    return "block-cell" if paragraph.kind is BlockKind.CELL else ""


def _title(doc: BilingualDocument, language: str) -> Sentence:
    """The headline in ``language`` (translation when there is one), else the article name."""
    head = html.headline(doc.article.paragraphs)
    if head is None:
        return Sentence("", doc.article.name, doc.article.language)
    segment = head.segments[0]
    if language != doc.article.language:
        pair = doc.pairs[0]  # the headline is the first paragraph, one sentence
        if pair.translation.text:
            return Sentence(segment.id, pair.translation.text, language, pair.translation.origin,
                            translation_codes(pair.translation))
    return Sentence(segment.id, segment.text, doc.article.language, None, segment.codes)
