"""HTML rendering: the Jinja2 environment, review summaries and Japanese line breaks.

Templates are rendered with autoescaping on, so article text can never become
markup; Japanese text is cut into phrases by BudouX, and a sentence is written
with a ``<wbr>`` between them (the phrases themselves stay escaped text) by
:mod:`tandem.publish.markup`, which also rebuilds the sentence's inline markup
as safe HTML.  Which pages an article gets, and how they link to each other,
is :mod:`tandem.publish.site`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tandem import i18n, quality
from tandem.document import BilingualDocument, BlockKind, Origin, Paragraph, word_separator

# Languages whose phrase breaks BudouX finds (sentences are joined as document.word_separator says).
BUDOUX_LANGUAGES = ("ja",)
WORD_CHAR = re.compile(r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # ASCII and full-width
HEADLINE_ENDINGS = (".", "!", "?", "…", '"', "”", "»", "'", "’", ":")


@dataclass(frozen=True)
class ReviewSummary:
    """How much of one translation is reviewed, by origin of its segments."""

    total: int
    reviewed: int
    memory: int
    machine: int
    missing: int
    in_review: int = 0  # human work not yet marked as done (not counted as reviewed)

    @property
    def fully_reviewed(self) -> bool:
        return self.reviewed == self.total


def summarize(doc: BilingualDocument) -> ReviewSummary:
    """Count the segments of ``doc`` by review status (human work counts as reviewed once its
    state says so; before that it is in review)."""
    origins = [p.translation.origin for p in doc.pairs]
    in_review = sum(p.translation.in_review for p in doc.pairs)
    return ReviewSummary(total=len(origins), reviewed=origins.count(Origin.HUMAN) - in_review,
                         memory=origins.count(Origin.TM), machine=origins.count(Origin.MT),
                         missing=origins.count(Origin.NONE), in_review=in_review)


def headline(paragraphs: tuple[Paragraph, ...]) -> Paragraph | None:
    """The first paragraph when it reads as a news headline: one unpunctuated sentence, or a
    first-level heading of one sentence in a document that marks its headings.

    >>> from tandem.document import BlockKind, Paragraph, Segment
    >>> headline((Paragraph(1, "Council backs radar plan", 0),)).number
    1
    >>> headline((Paragraph(1, "The council met. It voted.", 0),)) is None
    True
    >>> title = Segment(1, 1, "Why radar?", 0, 10)
    >>> headline((Paragraph(1, title.text, 0, (title,), kind=BlockKind.HEADING, level=1),)).number
    1
    """
    if not paragraphs:
        return None
    first = paragraphs[0]
    if first.kind is BlockKind.HEADING:  # the document says what its title is
        return first if first.level == 1 and len(first.segments) == 1 else None
    if first.kind is not BlockKind.PARAGRAPH:  # a list or a quotation opening the text is no headline
        return None
    text = first.text.strip()
    if len(first.segments) > 1 or len(text) > 200 or text.endswith(HEADLINE_ENDINGS):
        return None
    return first


def phrases(text: str, language: str) -> list[str]:
    """``text`` cut where a line may break: BudouX phrases for Japanese, else whole.

    Joining the pieces gives back ``text`` exactly.

    >>> phrases("今日は天気です。", "ja")
    ['今日は', '天気です。']
    >>> phrases("Hello world.", "en")
    ['Hello world.']
    """
    if language.split("-")[0] not in BUDOUX_LANGUAGES or not text:
        return [text]
    return _join_split_words(_budoux_parser().parse(text))


def _join_split_words(pieces: list[str]) -> list[str]:
    """Undo BudouX breaks inside a number or a Latin word (it may cut "1890" after "189").

    >>> _join_split_words(["展示では、", "189", "0年から", "SM-", "3"])
    ['展示では、', '1890年から', 'SM-', '3']
    """
    joined: list[str] = []
    for piece in pieces:
        if joined and WORD_CHAR.match(joined[-1][-1]) and WORD_CHAR.match(piece[0]):
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


def render(template: str, ui: str, **context: Any) -> bytes:
    """Render ``template`` with the chrome in locale ``ui``; UTF-8 bytes."""
    return _environment(ui).get_template(template).render(ui=ui, **context).encode("utf-8")


@lru_cache(maxsize=1)
def _budoux_parser():
    import budoux  # loads a model file: only when Japanese is rendered

    return budoux.load_default_japanese_parser()


@lru_cache(maxsize=8)
def _environment(ui: str) -> Environment:
    """One environment per chrome locale, so no shared state is switched between pages."""
    env = Environment(loader=PackageLoader("tandem.publish", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      extensions=["jinja2.ext.i18n"], undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(ui), newstyle=True)
    env.filters.update(
        number=lambda n: i18n.format_number(n, ui),
        share=lambda part, whole: i18n.format_share(part, whole, ui),
        day=lambda d: i18n.format_day(d, ui),
        language_name=i18n.language_name,
    )
    env.globals.update(summarize=summarize, sentence_separator=word_separator, Origin=Origin,
                       finding_counts=lambda doc: quality.counts(f for p in doc.pairs for f in p.findings))
    return env
