"""Glossary terms found in source segments (issue 12).

A :class:`TermIndex` is built once per run from the glossary's entries; :meth:`TermIndex.find`
then gives the entries a segment's plain text uses, as :class:`~tandem.document.TermMatch`
objects with offsets into that text (``text[m.start:m.end] == m.text``), in text order and
never overlapping.

*How a term is found*:

- on word boundaries: the characters just outside a match are not letters, digits, marks or
  underscores of a script written with spaces, whatever the term begins or ends with
  ("Aegis" is not in "Aegisthus", "U.S." not in "U.S.A.", but "U.S." ends a sentence and
  "Aegis" starts "Aegis-class"); an apostrophe between two letters is inside a word ("don"
  is not in "don't", "Brien" not in "O'Brien", "THAAD's" is one word); in scripts written
  without spaces (Japanese, Chinese...) every character boundary is a word boundary;
- the longest match first, leftmost first where two overlap ("SM-3 Block IIA" wins over
  "SM-3"); for one span, an entry's own term before another entry's inflected form, a
  case-sensitive entry before a case-insensitive one, then the glossary's order;
- case: an entry's ``case_sensitive`` flag asks for the term as written; any other entry is
  matched caselessly (Unicode casefold: "STRASSE" finds "Straße");
- English inflections of the term's last word, for entries in English that are not verbs,
  adjectives or adverbs: plurals (-s, -es, -ies, -ves...) and possessives ('s, s'), so
  "radar" finds "radars", "radar's", "radars'" and "Sergei Lavrov" finds "Sergei Lavrov's"; an
  all-caps word or one ending in a digit only takes -s, 's and s' ("THAAD's", "SM-3s"), one
  ending in punctuation only 's ("U.S.'s");
- spelling variants that do not change a word: any run of whitespace (a line break, two
  spaces, a no-break space) is one space, a curly apostrophe is a straight one, a
  non-breaking hyphen is a hyphen;
- never inside a URL, an e-mail address or an @handle of the text.

*Inline codes* (``codes``, as a reader and the segmenter give them): a standalone PROTECTED
code's text is not in ``Segment.text`` (see :mod:`tandem.mt.codes`) and is never searched; it
is read where it stands, though, so a term cannot run into it ("<code>x</code>radar" holds no
"radar") nor match across it.  The text of a PROTECTED pair is never searched either.  A
match may hold markup that nests inside it ("Harbor <strong>Safety</strong> Plan") or sit
wholly inside a link or emphasis; it is refused when a code splits one of its words
("<b>Aeg</b>is"), when a pair opens in it and closes outside it or the other way round
("<em>Harbor Safety</em> Plan", where a shorter term may still be found: "Harbor Safety"),
and when it holds an isolated start or end or a standalone code other than a line break.  A
line break counts as whitespace, even one joining two words in the plain text ("one<br>line").

Matching runs an Aho-Corasick automaton (pyahocorasick) over the normalised text: every
form of every term is found in one pass, then each hit is checked as above.  No further
Unicode normalisation is made: text and terms are compared as written (NFC, as readers give
them).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

import ahocorasick

from tandem.document import CodeKind, CodeRole, GlossaryEntry, InlineCode, Segment, TermMatch
from tandem.mt.codes import protected_text  # what a protected code reads as: one definition

__all__ = ["TermIndex", "normalize", "term_forms"]

# Characters compared as one: every whitespace character is a space (runs then collapse),
# apostrophes are straight, hyphens plain.  Each maps one character to one, so offsets hold.
_SPACES = "\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" \
          "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_NORMALIZE = str.maketrans({**dict.fromkeys(_SPACES, " "), "\u2019": "'", "\u2018": "'",
                            "\u02bc": "'", "\u2010": "-", "\u2011": "-"})

# Spans no term is found in: URLs (with a scheme, www. or mailto:), e-mail addresses, @handles.
_LINKISH = re.compile(r"""(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|\bmailto:)[^\s<>"]+
                        | [\w.+-]+@[\w-]+(?:\.[\w-]+)+
                        | (?<![\w@])@\w+""", re.IGNORECASE | re.VERBOSE)
_TRAILING = re.compile(r"[.,;:!?'\")\]\u2019\u201d]+\Z")

# Parts of speech (TBX-Basic's picklist) that take no plural or possessive.
_NOT_NOUNS = frozenset({"verb", "adjective", "adverb"})

# Origins of characters in a reading that are not in the segment's text.
_PROTECTED, _VIRTUAL = -1, -2


# -- forms of a term ------------------------------------------------------------------------------

def normalize(text: str) -> str:
    """``text`` as terms are compared: whitespace runs as one space, apostrophes straight.

    >>> normalize("U.S.\\u00a0 Coast\\nGuard\\u2019s")
    "U.S. Coast Guard's"
    """
    return " ".join(text.translate(_NORMALIZE).split())


def term_forms(entry: GlossaryEntry) -> tuple[str, ...]:
    """The forms of an entry's source term looked for in text: the term itself (normalised),
    then, for an English noun, the plurals and possessives of its last word.

    >>> term_forms(GlossaryEntry("coastal radar"))
    ('coastal radar', 'coastal radars', "coastal radar's", "coastal radars'")
    >>> term_forms(GlossaryEntry("THAAD", case_sensitive=True))
    ('THAAD', 'THAADs', "THAAD's", "THAADs'")
    >>> term_forms(GlossaryEntry("U.S.")), term_forms(GlossaryEntry("track", part_of_speech="verb"))
    (('U.S.', "U.S.'s"), ('track',))
    """
    term = normalize(entry.source)
    if not term or not _inflects(entry):
        return (term,) if term else ()
    head, _, last = term.rpartition(" ")
    prefix = head + " " if head else ""
    return tuple(dict.fromkeys([term, *(prefix + word for word in _word_forms(last))]))


def _inflects(entry: GlossaryEntry) -> bool:
    english = entry.source_language.replace("_", "-").split("-")[0].lower() == "en"
    return english and entry.part_of_speech.strip().lower() not in _NOT_NOUNS


def _word_forms(word: str) -> list[str]:
    """Plurals, then possessives, of a term's last word (English rules: Latin letters only)."""
    if word[-1].isalpha() and not _is_latin(word[-1]):
        return []
    if not word[-1].isalnum():
        return [word + "'s"]  # "U.S.", "Inc.": a possessive, no plural
    if word[-1].isdigit() or _is_acronym(word):
        plurals = [word + "s"]  # "SM-3s", "THAADs"; never "THAADes"
    else:
        plurals = _plurals(word)
    possessives = [word + "'s"] + ([word + "'"] if word.endswith("s") else [])
    return plurals + possessives + [plural + "'" for plural in plurals]


def _is_latin(char: str) -> bool:
    return char.isascii() or unicodedata.name(char, "").startswith("LATIN")


def _is_acronym(word: str) -> bool:
    return word.isupper() and sum(char.isalpha() for char in word) >= 2


def _plurals(word: str) -> list[str]:
    """English plurals of a word; a few spare spellings cost nothing and miss less."""
    low = word.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return [word + "es"]
    if len(low) > 1 and low.endswith("y") and low[-2] not in "aeiou":
        # "agency" -> "agencies"; a name keeps its y: "the Kennedys"
        return [word[:-1] + "ies"] + ([word + "s"] if word[0].isupper() else [])
    if low.endswith("o"):
        return [word + "s", word + "es"]
    if low.endswith("fe"):
        return [word + "s", word[:-2] + "ves"]
    if low.endswith("f"):
        return [word + "s", word[:-1] + "ves"]
    return [word + "s"]


# -- the text as terms are looked for in it ------------------------------------------------------

def _is_word_char(char: str) -> bool:
    """A letter, digit, mark or underscore of a script written with spaces (the notion of a
    word :func:`tandem.mt.codes.inside_word` uses: CJK, kana, Thai... have no word to be inside)."""
    category = unicodedata.category(char)
    if category[0] not in "LNM" and category != "Pc":
        return False
    o = ord(char)
    return not (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF66 <= o <= 0xFF9F
                or 0x20000 <= o <= 0x3FFFF or 0x0E00 <= o <= 0x0EFF or 0x1780 <= o <= 0x17FF
                or 0x1000 <= o <= 0x109F)


class _Reading(NamedTuple):
    """A segment's text as it reads: normalised, with standalone protected text put back (and
    a space for a line break that joins two words), and where each character came from."""

    text: str
    origin: list[int] | None  # per character: its offset in the segment text, or _PROTECTED /
    #                           _VIRTUAL; None when it is the same offset (the common case)

    def folded(self) -> _Reading:
        """The same reading casefolded; a character that folds to several keeps its origin."""
        folded = self.text.casefold()
        if len(folded) == len(self.text):
            return _Reading(folded, self.origin)
        origin: list[int] = []
        for i, char in enumerate(self.text):
            origin.extend([self.origin[i] if self.origin else i] * len(char.casefold()))
        return _Reading(folded, origin)


def _read(text: str, codes: Sequence[InlineCode]) -> _Reading:
    """The reading of a segment's text with its codes (sorted by offset)."""
    normalized = text.translate(_NORMALIZE)
    inserts = _insertions(text, codes)
    if not inserts and "  " not in normalized:
        return _Reading(normalized, None)
    chars: list[str] = []
    origin: list[int] = []
    pending = iter(inserts)
    insert = next(pending, None)
    for i in range(len(text) + 1):
        while insert is not None and insert[0] == i:
            for char in insert[1]:
                _append(chars, origin, char, insert[2])
            insert = next(pending, None)
        if i < len(text):
            _append(chars, origin, normalized[i], i)
    return _Reading("".join(chars), origin)


def _append(chars: list[str], origin: list[int], char: str, where: int) -> None:
    if char == " " and chars and chars[-1] == " ":
        return  # a run of whitespace reads as one space
    chars.append(char)
    origin.append(where)


def _insertions(text: str, codes: Sequence[InlineCode]) -> list[tuple[int, str, int]]:
    """What the reading adds to the text: (offset, characters, origin marker)."""
    inserts = []
    for code in codes:
        offset = min(max(code.offset, 0), len(text))
        if code.role is CodeRole.STANDALONE and code.kind is CodeKind.PROTECTED:
            inserts.append((offset, _protected_text(code).translate(_NORMALIZE), _PROTECTED))
        elif code.role is CodeRole.STANDALONE and code.kind is CodeKind.BREAK and _inside_word(text, offset):
            inserts.append((offset, " ", _VIRTUAL))
    return inserts


def _protected_text(code: InlineCode) -> str:
    return protected_text(code) or " "  # an empty one still stands between two words


def _inside_word(text: str, offset: int) -> bool:
    return 0 < offset < len(text) and _is_word_char(text[offset - 1]) and _is_word_char(text[offset])


# -- the index ---------------------------------------------------------------------------------

class _Form(NamedTuple):
    """One form of one entry's term, as a key of the automaton finds it."""

    entry: int  # index into TermIndex.entries
    inflected: bool
    case_sensitive: bool

    @property
    def rank(self) -> tuple[bool, bool, int]:
        """Which of several entries found at one span wins: the lowest."""
        return self.inflected, not self.case_sensitive, self.entry


class _Candidate(NamedTuple):
    start: int
    end: int
    form: _Form


class TermIndex:
    """The terms of a glossary, ready to be found in many segments (build it once per run).

    >>> index = TermIndex([GlossaryEntry("radar"), GlossaryEntry("SM-3"), GlossaryEntry("SM-3 Block IIA")])
    >>> [(m.entry.source, m.text, m.start) for m in index.find("Two SM-3 Block IIA tests near the radars’ mast.")]
    [('SM-3 Block IIA', 'SM-3 Block IIA', 4), ('radar', 'radars’', 34)]
    """

    def __init__(self, entries: Sequence[GlossaryEntry]) -> None:
        self.entries: tuple[GlossaryEntry, ...] = tuple(entries)
        caseless: dict[str, list[_Form]] = {}
        exact: dict[str, list[_Form]] = {}
        for i, entry in enumerate(self.entries):
            for n, form in enumerate(term_forms(entry)):
                key, table = (form, exact) if entry.case_sensitive else (form.casefold(), caseless)
                table.setdefault(key, []).append(_Form(i, n > 0, entry.case_sensitive))
        self._caseless = self._compile(caseless)
        self._exact = self._compile(exact)

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, text: str, codes: Sequence[InlineCode] = ()) -> tuple[TermMatch, ...]:
        """The glossary entries ``text`` uses, with ``codes`` (offsets into ``text``) as a
        segment has them: non-overlapping, in text order (see the module docstring's rules).

        >>> index = TermIndex([GlossaryEntry("Aegis", case_sensitive=True), GlossaryEntry("Sergei Lavrov")])
        >>> [m.text for m in index.find("Aegisthus met Sergei\\nLavrov's aide aboard an Aegis ship.")]
        ["Sergei\\nLavrov's", 'Aegis']
        """
        if not self.entries or not text:
            return ()
        ordered = sorted(codes, key=lambda code: code.offset)
        reading = _read(text, ordered)
        check = _Checks(text, ordered)
        candidates = [*self._candidates(self._caseless, reading.folded(), check),
                      *self._candidates(self._exact, reading, check)]
        return tuple(TermMatch(self.entries[c.form.entry], c.start, c.end, text[c.start:c.end])
                     for c in _leftmost_longest(candidates))

    def find_segment(self, segment: Segment) -> tuple[TermMatch, ...]:
        """The glossary entries a segment uses (:meth:`find` on its text and codes)."""
        return self.find(segment.text, segment.codes)

    # The finder: an Aho-Corasick automaton over every key.  Kept to these two methods so
    # that tests/bench/bench_terms.py can measure another finder on the same rules.

    def _compile(self, table: dict[str, list[_Form]]) -> Any:
        if not table:
            return None
        automaton = ahocorasick.Automaton()
        for key, forms in table.items():
            ranked = tuple(forms) if len(forms) == 1 else tuple(sorted(forms, key=lambda f: f.rank))
            automaton.add_word(key, (len(key), ranked))
        automaton.make_automaton()
        return automaton

    def _hits(self, finder: Any, text: str) -> Iterator[tuple[int, int, tuple[_Form, ...]]]:
        """Every occurrence of every key in ``text``, overlapping ones too: (start, end, forms)."""
        for last, (length, forms) in finder.iter(text):
            yield last + 1 - length, last + 1, forms

    def _candidates(self, finder: Any, reading: _Reading, check: _Checks) -> Iterator[_Candidate]:
        """The hits that pass every rule, as offsets into the segment text."""
        if finder is None:
            return
        for start, end, forms in self._hits(finder, reading.text):
            span = _span(reading, start, end)
            if span is not None and check.allows(*span):
                yield _Candidate(span[0], span[1], forms[0])


def _span(reading: _Reading, start: int, end: int) -> tuple[int, int] | None:
    """Where a hit in the reading is in the segment text, if it stands on word boundaries,
    whole characters (not half of a folded "ß") and holds no protected text."""
    text, origin = reading.text, reading.origin
    if not _starts_word(text, start) or not _ends_word(text, end):
        return None
    if origin is None:
        return start, end
    first, last = origin[start], origin[end - 1]
    if first < 0 or last < 0 or _PROTECTED in origin[start:end]:
        return None
    if (start > 0 and origin[start - 1] == first) or (end < len(origin) and origin[end] == last):
        return None
    return first, last + 1


def _starts_word(text: str, start: int) -> bool:
    """Nothing of a word just before ``start``: no letter, nor an apostrophe inside a word
    ("Brien" does not start a word in "O'Brien")."""
    if start == 0:
        return True
    if text[start - 1] == "'":
        return not (start >= 2 and _is_word_char(text[start - 2]) and _is_word_char(text[start]))
    return not _is_word_char(text[start - 1])


def _ends_word(text: str, end: int) -> bool:
    """Nothing of a word from ``end`` on ("don" does not end a word in "don't")."""
    if end == len(text):
        return True
    if text[end] == "'":
        return not (end + 1 < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end + 1]))
    return not _is_word_char(text[end])


class _Checks:
    """The rules about links and inline codes, for one segment."""

    def __init__(self, text: str, ordered: Sequence[InlineCode]) -> None:
        self.text = text
        self.codes = ordered
        self.offsets = [code.offset for code in ordered]
        self.partners = {(code.id, code.role): code.offset for code in ordered}
        self.blocked = _linkish_spans(text) + _protected_pairs(ordered)

    def allows(self, start: int, end: int) -> bool:
        """Whether a match may cover ``text[start:end]``."""
        if any(start < b and a < end for a, b in self.blocked):
            return False
        first = bisect_right(self.offsets, start)
        return all(self._nests(code, start, end) for code in self.codes[first:] if code.offset < end)

    def _nests(self, code: InlineCode, start: int, end: int) -> bool:
        """Whether ``code``, strictly inside a match, leaves the match whole."""
        if code.role is CodeRole.STANDALONE:
            return code.kind is CodeKind.BREAK
        if _inside_word(self.text, code.offset) or code.role not in (CodeRole.OPEN, CodeRole.CLOSE):
            return False
        partner = CodeRole.CLOSE if code.role is CodeRole.OPEN else CodeRole.OPEN
        offset = self.partners.get((code.id, partner))
        return offset is not None and start < offset < end


def _linkish_spans(text: str) -> list[tuple[int, int]]:
    if "@" not in text and ":" not in text and "www." not in text.lower():
        return []  # the common case: nothing a URL, address or handle needs
    spans = []
    for match in _LINKISH.finditer(text):
        trailing = _TRAILING.search(match.group())
        spans.append((match.start(), match.end() - (len(trailing.group()) if trailing else 0)))
    return spans


def _protected_pairs(ordered: Sequence[InlineCode]) -> list[tuple[int, int]]:
    """The text between the open and close (or start and end) of PROTECTED pairs."""
    spans, opened = [], {}
    for code in ordered:
        if code.kind is not CodeKind.PROTECTED:
            continue
        if code.role in (CodeRole.OPEN, CodeRole.START):
            opened[code.id] = code.offset
        elif code.role is CodeRole.CLOSE and code.id in opened:
            spans.append((opened.pop(code.id), code.offset))
        elif code.role is CodeRole.END:
            spans.append((0, code.offset))
    spans.extend((offset, 1 << 62) for offset in opened.values())  # open to the segment's end
    return spans


def _leftmost_longest(candidates: list[_Candidate]) -> list[_Candidate]:
    """The matches kept: at each start the longest (then the best ranked) candidate, and
    nothing that overlaps a match kept before it."""
    kept: list[_Candidate] = []
    for candidate in sorted(candidates, key=lambda c: (c.start, c.start - c.end, c.form.rank)):
        if not kept or candidate.start >= kept[-1].end:
            kept.append(candidate)
    return kept
