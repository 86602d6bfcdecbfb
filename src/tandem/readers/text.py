"""Plain-text articles: UTF-8, paragraphs separated by blank lines.

If a file has no blank line between text lines, every line is a paragraph
(the "one paragraph per line" style newsrooms export).

Only regular files are read (not FIFOs, devices or sockets, which may never
end), and at most ``max_bytes`` of them: :data:`MAX_ARTICLE_BYTES` by default.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from tandem.document import Article, Paragraph
from tandem.errors import InputError
from tandem.fsutil import read_input

FILE_EXTENSIONS = (".txt", ".text")
# A long news feature is about 50 KB and a whole novel 1-3 MB of UTF-8: 10 MB is far
# above any article, and bounds the memory a stray file (a disk image, a log) can take.
MAX_ARTICLE_BYTES = 10_000_000

_BLANK_LINE = re.compile(r"\r?\n[ \t\f\v]*\r?\n")
_LINE_BREAK = re.compile(r"\r?\n")
# Everything XML 1.0 cannot hold: the text goes into XLIFF, TMX and HTML.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def read(path: Path, language: str = "en", *, max_bytes: int = MAX_ARTICLE_BYTES) -> Article:
    """Read ``path`` into an :class:`Article` (paragraphs not yet segmented); a file
    over ``max_bytes`` bytes is refused."""
    text = decode(_read_bytes(path, max_bytes), str(path))
    return parse(text, name=path.stem, source_path=str(path), language=language)


def parse(text: str, *, name: str, source_path: str, language: str = "en") -> Article:
    """Split decoded ``text`` into paragraphs, keeping offsets into ``text``.

    >>> a = parse("One.\\n\\nTwo.  Three.\\n", name="x", source_path="x.txt")
    >>> [(p.number, p.text, p.start) for p in a.paragraphs]
    [(1, 'One.', 0), (2, 'Two.  Three.', 6)]
    """
    if not text.strip():
        raise InputError("article is empty (no text to translate)", path=source_path)
    separator = _BLANK_LINE if _BLANK_LINE.search(text.strip()) else _LINE_BREAK
    paragraphs = tuple(
        Paragraph(number=i, text=chunk, start=start)
        for i, (start, chunk) in enumerate(_chunks(text, separator), start=1)
    )
    return Article(name=name, source_path=source_path, language=language,
                   text=text, paragraphs=paragraphs)


def decode(data: bytes, where: str) -> str:
    """Decode UTF-8 (with or without BOM), failing with the byte offset; refuse
    characters XML cannot hold, with their character offset in the decoded text.

    >>> decode(b"Vote\\x00d.", "a.txt")
    Traceback (most recent call last):
    ...
    tandem.errors.InputError: a.txt: character U+0000 at character offset 4 cannot be stored in XLIFF, TMX or HTML (control characters other than tab and line breaks are not allowed)
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (invalid byte at offset {exc.start})", path=where) from exc
    bad = _NOT_XML.search(text)
    if bad:
        raise InputError(f"character U+{ord(bad.group()):04X} at character offset {bad.start()} cannot be "
                         "stored in XLIFF, TMX or HTML (control characters other than tab and line breaks "
                         "are not allowed)", path=where)
    return text


def read_limited(stream: BinaryIO, max_bytes: int, where: str) -> bytes:
    """All of ``stream``, or :class:`InputError` once it goes past ``max_bytes``
    (at most ``max_bytes + 1`` bytes are read, so an endless stream costs nothing)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"article is larger than the limit of {max_bytes:,} bytes (--max-article-mb)", path=where)
    return data


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    return read_input(path, max_bytes, "article", hint=" (--max-article-mb)")


def _chunks(text: str, separator: re.Pattern[str]):
    """Yield (offset, stripped chunk) for every non-blank chunk of ``text``."""
    position = 0
    for match in [*separator.finditer(text), None]:
        end = match.start() if match else len(text)
        raw = text[position:end]
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            yield position + lead, raw.strip()
        position = match.end() if match else end
