"""Printable forms of a segmented article for ``tandem segment``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from tandem.document import Article

FORMATS = ("text", "jsonl")
_LINE_BREAK = re.compile(r"\s*[\r\n]\s*")


def lines(article: Article, fmt: str = "text") -> Iterator[str]:
    """Yield the output lines of ``article`` in format ``fmt`` (one of :data:`FORMATS`).

    ``text``: ``ID<TAB>TEXT`` per segment, a blank line between paragraphs (a line
    break inside a segment is shown as a space).  ``jsonl``: one JSON object per
    segment with ``id``, ``paragraph``, ``start``, ``end`` (for a plain-text article,
    offsets into the whole input: ``input[start:end] == text``; for HTML and Markdown,
    whose paragraphs are the markup's plain text, offsets into the paragraph's text),
    ``text``, ``hash`` and, for HTML and Markdown, ``codes`` (each inline code's
    ``id``, ``role``, ``kind`` and ``offset`` into ``text``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return _jsonl(article) if fmt == "jsonl" else _text(article)


def _text(article: Article) -> Iterator[str]:
    for index, paragraph in enumerate(article.paragraphs):
        if index:
            yield ""
        for segment in paragraph.segments:
            yield f"{segment.id}\t{_LINE_BREAK.sub(' ', segment.text)}"


def _jsonl(article: Article) -> Iterator[str]:
    plain = article.format == "text"
    for paragraph in article.paragraphs:
        shift = 0 if plain else paragraph.start
        for segment in paragraph.segments:
            record = {"id": segment.id, "paragraph": segment.paragraph, "start": segment.start - shift,
                      "end": segment.end - shift, "text": segment.text, "hash": segment.hash}
            if not plain:
                record["codes"] = [{"id": c.id, "role": c.role.value, "kind": c.kind.value, "offset": c.offset}
                                   for c in segment.codes]
            yield json.dumps(record, ensure_ascii=False)
