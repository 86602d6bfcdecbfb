"""Plain-text articles: UTF-8, paragraphs separated by blank lines.

If a file has no blank line between text lines, every line is a paragraph
(the "one paragraph per line" style newsrooms export).
"""

from __future__ import annotations

import re
from pathlib import Path

from tandem.document import Article, Paragraph
from tandem.errors import InputError

FILE_EXTENSIONS = (".txt", ".text")

_BLANK_LINE = re.compile(r"\r?\n[ \t\f\v]*\r?\n")
_LINE_BREAK = re.compile(r"\r?\n")
# Everything XML 1.0 cannot hold: the text goes into XLIFF, TMX and HTML.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def read(path: Path, language: str = "en") -> Article:
    """Read ``path`` into an :class:`Article` (paragraphs not yet segmented)."""
    text = decode(_read_bytes(path), str(path))
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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not an article", path=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from exc


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
