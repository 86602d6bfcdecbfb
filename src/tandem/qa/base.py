"""What every check sees and what the registry holds: :class:`QAUnit` (one segment pair with
what is known about it) and :class:`Check` (an id, a severity, a description, a function).

Shared text helpers live here too: the target's primary language, the script of a letter,
the words of a text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass

from tandem.document import Finding, InlineCode, Origin, Severity, TermMatch

# Words: letters and digits, with inner hyphens and apostrophes ("Порт-Олдер", "don't").
WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# Letter-only words (what "the same word twice" and the script counts look at).
LETTERS = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


@dataclass(frozen=True)
class QAUnit:
    """One source segment and its target, with everything the checks may need.

    ``source_codes``/``target_codes`` are the inline codes (offsets into ``source`` and
    ``target``); ``terms`` the glossary entries found in the source; ``origin`` and ``score``
    say where the target came from (``score``: MT mean log-probability per token, or None).
    """

    source: str
    target: str
    _: KW_ONLY
    target_language: str
    source_language: str = "en"
    source_codes: tuple[InlineCode, ...] = ()
    target_codes: tuple[InlineCode, ...] = ()
    terms: tuple[TermMatch, ...] = ()
    origin: Origin = Origin.HUMAN
    score: float | None = None

    @property
    def language(self) -> str:
        """The target language's primary subtag, lower case.

        >>> QAUnit("a", "b", target_language="ja-JP").language
        'ja'
        """
        return primary(self.target_language)


Messages = Iterable[str]


@dataclass(frozen=True)
class Check:
    """One QA check: its id (the findings' ``code``), its severity, a one-line description
    (``tandem qa --help``, the README) and the function that returns its messages."""

    id: str
    severity: Severity
    description: str
    function: Callable[[QAUnit], Messages]

    def run(self, unit: QAUnit) -> tuple[Finding, ...]:
        """The findings of this check on ``unit``."""
        return tuple(Finding(self.id, message, self.severity) for message in self.function(unit))


def primary(language: str) -> str:
    """A language tag's primary subtag, lower case.

    >>> primary("ru_RU"), primary("JA")
    ('ru', 'ja')
    """
    return language.replace("_", "-").split("-")[0].lower()


def script(char: str) -> str:
    """The script of a letter: cyrillic, latin, kana, han, or other (not a letter: "").

    >>> [script(c) for c in "Яzカ語々1"]
    ['cyrillic', 'latin', 'kana', 'han', 'han', '']
    """
    code = ord(char)
    if char == "々" or 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return "han"
    if 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "kana"
    if not char.isalpha():
        return ""
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A:
        return "latin"
    return "other"


def japanese(char: str) -> bool:
    """A kana or kanji character (the marks of a Japanese text)."""
    return script(char) in ("kana", "han")


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits, inner hyphens and apostrophes kept).

    >>> words("ПОРТ-ОЛДЕР, 28 декабря — U.S. don't")
    ['ПОРТ-ОЛДЕР', '28', 'декабря', 'U', 'S', "don't"]
    """
    return WORD.findall(text)


def fold(text: str) -> str:
    """Case- and ё-insensitive form, for comparing words.

    >>> fold("Ещё")
    'еще'
    """
    return text.casefold().replace("ё", "е")
