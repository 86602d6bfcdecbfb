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
    segment with ``id``, ``paragraph``, ``start``, ``end`` (offsets into the whole
    input: ``input[start:end] == text``), ``text`` and ``hash``.
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
    for segment in article.segments:
        record = {"id": segment.id, "paragraph": segment.paragraph, "start": segment.start,
                  "end": segment.end, "text": segment.text, "hash": segment.hash}
        yield json.dumps(record, ensure_ascii=False)
