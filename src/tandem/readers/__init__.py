"""Readers turn a file into an :class:`~tandem.document.Article`.

Formats are listed in one explicit registry: a name per reader (``Article.format``), and the
file extensions that choose it.  Every reader gets its text through the same checks (a regular
file, at most ``max_bytes``, UTF-8 that XML can hold: :mod:`tandem.readers.text`).
"""

from __future__ import annotations

from pathlib import Path

from tandem.document import Article
from tandem.errors import InputError
from tandem.readers import html, markdown, text

FORMATS = {"text": text, "html": html, "markdown": markdown}
READERS = {ext: module for module in FORMATS.values() for ext in module.FILE_EXTENSIONS}


def read_article(path: Path, language: str = "en", *, max_bytes: int = text.MAX_ARTICLE_BYTES,
                 format: str | None = None, select: str | None = None) -> Article:
    """Read an article with the reader for ``format`` (``"text"``, ``"html"``, ``"markdown"``),
    by default the one registered for the file's extension.  A file over ``max_bytes`` bytes
    (default :data:`tandem.readers.text.MAX_ARTICLE_BYTES`) is refused; ``select`` is a CSS
    selector naming the article body of an HTML page."""
    reader = _reader(path, format)
    if select is not None and reader is not html:
        raise InputError("a CSS selector (select) applies to HTML articles only", path=str(path))
    if reader is text:
        return text.read(path, language, max_bytes=max_bytes)
    # The text reader's own file checks: regular files only, the size limit, the same errors.
    source = text.decode(text._read_bytes(path, max_bytes), str(path))
    options = {"select": select} if reader is html else {}
    return reader.parse(source, name=path.stem, source_path=str(path), language=language, **options)


def reader_for(format: str, where: str):
    """The reader module of ``format``; an unknown one is an :class:`InputError` naming ``where``."""
    if format not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise InputError(f"unknown article format {format!r} (known: {known})", path=where)
    return FORMATS[format]


def _reader(path: Path, format: str | None):
    if format is not None:
        return reader_for(format, str(path))
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise InputError(f"unsupported article type {path.suffix!r} (supported: {known})", path=str(path))
    return reader
