"""Sentence segmentation driven by SRX 2.0 rules.

The rules live in data (``rules/tandem.srx``, see :mod:`tandem.segment.srx`);
another SRX file can replace them.  Segments never cross a paragraph; each
keeps its character offsets, and the whitespace between segments is exactly
the whitespace of the source, so nothing is lost, added or changed.

A replacement rules file is not trusted: its rules get ``time_limit`` seconds
per paragraph (default :data:`RULES_TIME_LIMIT_S`), after which an
:class:`~tandem.errors.InputError` names the slow rule.  The shipped rules run
without a limit.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from tandem.document import Article, Paragraph, Segment
from tandem.readers import text as text_reader
from tandem.segment import codes as codes_of_spans, srx

__all__ = ["DEFAULT_RULES", "RULES_TIME_LIMIT_S", "split_sentences", "segment_paragraph", "segment_article",
           "segment_source"]

STDIN = "-"

DEFAULT_RULES = srx.DEFAULT_RULES
RULES_TIME_LIMIT_S = srx.RULES_TIME_LIMIT_S


def split_sentences(text: str, *, language: str = "en", rules: Path | str | None = None,
                    time_limit: float | None = RULES_TIME_LIMIT_S) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, whitespace excluded.

    ``rules`` is an SRX 2.0 file that replaces the shipped rules; matching
    them against ``text`` may take ``time_limit`` seconds (``None``: no limit).

    >>> t = "Mr. Smith paid $133.3 million. I live in the U.S. How about you?"
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Mr. Smith paid $133.3 million.', 'I live in the U.S.', 'How about you?']
    >>> t = "市議会は承認した。「本当か？」と彼は聞いた。"
    >>> [t[a:b] for a, b in split_sentences(t, language="ja")]
    ['市議会は承認した。', '「本当か？」と彼は聞いた。']
    """
    limit = time_limit if rules else None  # the shipped rules are trusted, and stay unhindered
    breaks = srx.splitter(str(rules or DEFAULT_RULES), language).breaks(text, limit)
    pieces = zip([0, *breaks], [*breaks, len(text)])
    return [span for start, end in pieces if (span := _trim(text, start, end))]


def segment_paragraph(paragraph: Paragraph, *, language: str = "en", rules: Path | str | None = None,
                      time_limit: float | None = RULES_TIME_LIMIT_S) -> Paragraph:
    """Fill ``paragraph.segments``; offsets are relative to the article.  Boundaries are found on
    the plain text; the paragraph's inline codes are handed to the segments they belong to
    (:func:`tandem.segment.codes.distribute`)."""
    spans = split_sentences(paragraph.text, language=language, rules=rules, time_limit=time_limit)
    codes = codes_of_spans.distribute(paragraph.codes, spans) if paragraph.codes else [()] * len(spans)
    segments = tuple(
        Segment(paragraph=paragraph.number, number=i, text=paragraph.text[a:b],
                start=paragraph.start + a, end=paragraph.start + b, codes=span_codes)
        for i, ((a, b), span_codes) in enumerate(zip(spans, codes), start=1)
    )
    return replace(paragraph, segments=segments)


def segment_article(article: Article, *, rules: Path | str | None = None,
                    time_limit: float | None = RULES_TIME_LIMIT_S) -> Article:
    """Return ``article`` with every paragraph segmented by the rules for its language
    (``time_limit``: seconds per paragraph for ``rules``)."""
    return replace(article, paragraphs=tuple(
        segment_paragraph(p, language=article.language, rules=rules, time_limit=time_limit)
        for p in article.paragraphs))


def segment_source(source: str, *, language: str = "en", rules: Path | str | None = None,
                   stdin: BinaryIO | None = None, time_limit: float | None = RULES_TIME_LIMIT_S,
                   max_bytes: int = text_reader.MAX_ARTICLE_BYTES, format: str | None = None) -> Article:
    """Read an article from the path ``source`` (``"-"``: ``stdin``) and segment it.

    The reader is ``format``'s (``"text"``, ``"html"``, ``"markdown"``), by default the one for
    the file's extension (standard input and other extensions: text).  An input over ``max_bytes`` is refused;
    ``time_limit`` is as for :func:`segment_article`.
    """
    from tandem import readers  # the readers use this package's helpers: imported when needed

    if source == STDIN:
        if stdin is None:
            raise ValueError("source '-' needs a stdin stream")
        data = text_reader.read_limited(stdin, max_bytes, "<stdin>")
        text = text_reader.decode(data, "<stdin>")
        reader = readers.reader_for(format or "text", "<stdin>")
        article = reader.parse(text, name="stdin", source_path="<stdin>", language=language)
    else:
        path = Path(source)
        if format is None and path.suffix.lower() not in readers.READERS:
            format = "text"  # any other file is taken as the plain text it was before HTML and Markdown
        article = readers.read_article(path, language, max_bytes=max_bytes, format=format)
    return segment_article(article, rules=rules, time_limit=time_limit)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink ``text[start:end]`` to exclude surrounding whitespace; None if blank."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
