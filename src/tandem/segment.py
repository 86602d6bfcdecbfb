"""Sentence segmentation (first version: break rules plus exceptions).

A break is allowed after terminal punctuation (and any closing quotes or
brackets) followed by whitespace, unless the word before it is a known
abbreviation.  Segments never cross a paragraph, and each keeps its offsets.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tandem.document import Article, Paragraph, Segment

_BREAK = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s+["'“‘«(\[]?[\w$])""")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st mt jr sr co corp inc ltd prof gen col lt sgt capt rep sen gov "
    "no vs etc e.g i.e a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_WORD_BEFORE = re.compile(r"(\S+)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, whitespace excluded.

    >>> t = "Mr. Smith paid $133.3 million. He left."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Mr. Smith paid $133.3 million.', 'He left.']
    """
    spans, start = [], 0
    for match in _BREAK.finditer(text):
        if _is_abbreviation(text[start:match.end()]):
            continue
        spans.append((start, match.end()))
        start = _skip_space(text, match.end())
    if start < len(text):
        spans.append((start, len(text.rstrip())))
    return spans


def segment_paragraph(paragraph: Paragraph) -> Paragraph:
    """Fill ``paragraph.segments``; offsets are relative to the article."""
    segments = tuple(
        Segment(paragraph=paragraph.number, number=i, text=paragraph.text[a:b],
                start=paragraph.start + a, end=paragraph.start + b)
        for i, (a, b) in enumerate(split_sentences(paragraph.text), start=1)
    )
    return replace(paragraph, segments=segments)


def segment_article(article: Article) -> Article:
    """Return ``article`` with every paragraph segmented."""
    return replace(article, paragraphs=tuple(segment_paragraph(p) for p in article.paragraphs))


def _is_abbreviation(candidate: str) -> bool:
    match = _WORD_BEFORE.search(candidate)
    if not match or not match.group(1).endswith("."):
        return False
    word = match.group(1).rstrip(".").lstrip("\"'“‘«([").lower()
    # Single letters are initials ("Jonas E. Smith").
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position
