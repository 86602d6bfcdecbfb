"""Readers turn a file into an :class:`~tandem.document.Article`.

Formats are listed in one explicit registry, keyed by file extension.
"""

from __future__ import annotations

from pathlib import Path

from tandem.document import Article
from tandem.errors import InputError
from tandem.readers import text

READERS = {ext: text for ext in text.FILE_EXTENSIONS}


def read_article(path: Path, language: str = "en", *, max_bytes: int = text.MAX_ARTICLE_BYTES) -> Article:
    """Read an article with the reader registered for its extension; a file over
    ``max_bytes`` bytes (default :data:`tandem.readers.text.MAX_ARTICLE_BYTES`) is refused."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise InputError(f"unsupported article type {path.suffix!r} (supported: {known})", path=str(path))
    return reader.read(path, language, max_bytes=max_bytes)
