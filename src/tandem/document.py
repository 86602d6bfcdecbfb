"""The one data model that travels through every stage of the pipeline.

Readers produce an :class:`Article`; the segmenter fills its paragraphs with
:class:`Segment` objects; the MT engine and the memory produce
:class:`Translation` objects; the aligner pairs them into a
:class:`BilingualDocument` per target language, which the writers serialise.

This module imports nothing from the stages, so every stage can depend on it
and on nothing else.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum

# Characters an XML 1.0 document cannot hold: stored, they would break every later output.
NOT_XML_CHARS = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# Languages written without spaces between words: sentences (and the pieces of a
# split sentence) are joined without a space.
NO_SPACE_LANGUAGES = frozenset({"ja", "zh", "th", "lo", "km", "my"})


def word_separator(language: str) -> str:
    """What goes between two sentences (or pieces of one) in running text in ``language``.

    >>> word_separator("ru"), word_separator("ja-JP")
    (' ', '')
    """
    return "" if language.replace("_", "-").split("-")[0].lower() in NO_SPACE_LANGUAGES else " "


def content_hash(text: str) -> str:
    """A short, stable fingerprint of a segment's text.

    A re-run compares hashes to tell an unchanged segment from an edited one.

    >>> content_hash("Hello.")
    '2d8bd7d9bb5f85ba'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class CodeRole(str, Enum):
    """What an inline code does in its segment (XLIFF's paired, standalone and isolated codes)."""

    OPEN = "open"  # opens a span that closes in the same segment (<g>, <pc>)
    CLOSE = "close"
    STANDALONE = "standalone"  # a line break, an image, a protected span (<x/>, <ph/>)
    START = "start"  # opens a span that closes in a later segment (<bx/>, <sc/>)
    END = "end"  # closes a span opened in an earlier segment (<ex/>, <ec/>)


class CodeKind(str, Enum):
    """What markup an inline code stands for."""

    LINK = "link"
    BOLD = "bold"
    ITALIC = "italic"
    UNDERLINE = "underline"
    STRIKE = "strike"
    QUOTE = "quote"
    CITE = "cite"
    ABBR = "abbr"
    SPAN = "span"
    SUB = "sub"
    SUP = "sup"
    SMALL = "small"
    MARK = "mark"
    IMAGE = "image"
    BREAK = "lb"
    PROTECTED = "protected"  # copied, never translated: code, kbd, samp, var, translate="no"
    RAW = "raw"  # markup kept as it is (raw HTML inside Markdown)
    # A glossary term marked on a bilingual page (its data: the expected translation); pages
    # only: never one of a document's own codes, so never stored, merged or written to XLIFF.
    TERM = "x-term"


@dataclass(frozen=True)
class InlineCode:
    """Markup inside a paragraph or sentence, kept as a code: the text around it is translated,
    the code is carried through MT, memory and review, and put back where it belongs.

    ``data`` is the original markup, byte for byte (``<a href="/x">``, ``</a>``, ``**``), so the
    source document can be rebuilt exactly; ``equiv`` is what a reader sees instead of it (XLIFF
    ``equiv-text``: a protected span's own text, an image's alt text).
    """

    id: str  # the two codes of a pair share it; unique within the paragraph
    role: CodeRole
    kind: CodeKind
    data: str
    offset: int  # where it sits: a character offset into the plain text it belongs to
    equiv: str = ""


def codes_key(codes: tuple[InlineCode, ...]) -> str:
    """A canonical text form of codes, for hashing and comparing.

    >>> codes_key(())
    ''
    """
    return "".join(f"\x1f{c.id}\x1e{c.role.value}\x1e{c.kind.value}\x1e{c.data}\x1e{c.offset}\x1e{c.equiv}"
                   for c in codes)


def codes_to_json(codes: tuple[InlineCode, ...]) -> str:
    """Codes as stored (memory) and compared: '' for none, else a JSON list in a fixed form.

    >>> codes_to_json(())
    ''
    >>> codes_from_json(codes_to_json((InlineCode("1", CodeRole.STANDALONE, CodeKind.BREAK, "<br>", 3),)))[0].offset
    3
    """
    if not codes:
        return ""
    return json.dumps([[c.id, c.role.value, c.kind.value, c.data, c.offset, c.equiv] for c in codes],
                      ensure_ascii=False, separators=(",", ":"))


def codes_from_json(data: str | None) -> tuple[InlineCode, ...]:
    """The codes :func:`codes_to_json` wrote."""
    if not data:
        return ()
    return tuple(InlineCode(i, CodeRole(role), CodeKind(kind), markup, offset, equiv)
                 for i, role, kind, markup, offset, equiv in json.loads(data))


@dataclass(frozen=True)
class Segment:
    """One sentence of the source: the unit of translation and review.

    ``start``/``end`` are character offsets into the paragraph's plain text as placed in the
    article (for plain-text articles, into the whole article text, so
    ``article.text[start:end] == text``).  ``text`` is the plain text MT, memory matching and QA
    see; ``codes`` are the inline markup in it, with offsets into ``text``.
    """

    paragraph: int  # 1-based paragraph number
    number: int  # 1-based sentence number within the paragraph
    text: str
    start: int
    end: int
    codes: tuple[InlineCode, ...] = ()

    @property
    def id(self) -> str:
        """The stable id used in XLIFF, HTML anchors and the memory: ``pN.sM``."""
        return f"p{self.paragraph}.s{self.number}"

    @property
    def hash(self) -> str:
        """The content hash: of the text, and of the codes when there are any."""
        return content_hash(self.text + codes_key(self.codes))


class BlockKind(str, Enum):
    """What a paragraph is in its document; it travels with the paragraph to every output."""

    PARAGRAPH = "paragraph"
    HEADING = "heading"  # with a level 1-6
    LIST_ITEM = "list-item"
    QUOTE = "quote"
    CAPTION = "caption"
    CELL = "cell"
    TERM = "term"
    DEFINITION = "definition"
    ATTRIBUTE = "attribute"  # a translatable attribute (img alt, title) or front-matter value


@dataclass(frozen=True)
class Paragraph:
    """A paragraph (block) of the source article, with its segments once segmented.

    ``text`` is the block's plain text and ``codes`` its inline markup (offsets into ``text``);
    ``start``/``end`` are where the block's content sits in ``Article.text`` (the document as
    read), so a writer can put a translation in its place and keep everything else.
    """

    number: int  # 1-based
    text: str
    start: int  # offset of the paragraph's first character in the article
    segments: tuple[Segment, ...] = ()
    kind: BlockKind = BlockKind.PARAGRAPH
    level: int = 0  # heading level (1-6); a list item's depth (1 at the top); 0 for other kinds
    codes: tuple[InlineCode, ...] = ()
    end: int | None = None  # end of the content in Article.text; None: start + len(text)
    # what an ATTRIBUTE block is (e.g. "alt", "title", "front-matter:summary"); a LIST_ITEM's
    # list element ("ul" or "ol")
    name: str = ""


@dataclass(frozen=True)
class Article:
    """A source article as read from disk."""

    name: str  # file stem, used for output names
    source_path: str  # the path as given by the user (XLIFF ``original``)
    language: str
    text: str  # the document as read (plain text, HTML or Markdown source)
    paragraphs: tuple[Paragraph, ...]
    format: str = "text"  # the reader that read it: "text", "html", "markdown"

    @property
    def segments(self) -> tuple[Segment, ...]:
        return tuple(s for p in self.paragraphs for s in p.segments)


class Origin(str, Enum):
    """Where a target text came from."""

    MT = "mt"
    TM = "tm"
    HUMAN = "human"
    NONE = "none"  # left empty for the translator


# Reviewer states that mean "done" (XLIFF 1.2 translated/signed-off/final -- approved="yes" is
# stored as final -- and 2.x translated/reviewed/final).  Human work in any other state
# (new, needs-*, initial) is "in review": kept and offered, never reused as a finished target.
REVIEWED_STATES = ("translated", "signed-off", "reviewed", "final")


def is_reviewed_state(state: str | None) -> bool:
    """Whether a human translation's state says the reviewer is done with it.

    >>> is_reviewed_state("final"), is_reviewed_state("needs-translation"), is_reviewed_state(None)
    (True, False, True)
    """
    return state is None or state in REVIEWED_STATES


def target_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as a translation (from any import: merge, TMX), or None.

    >>> target_problem("Привет."), target_problem("  "), target_problem("a\\x00")
    (None, 'empty target', 'target contains a character XML cannot hold')
    """
    if not text.strip():
        return "empty target"
    if NOT_XML_CHARS.search(text):
        return "target contains a character XML cannot hold"
    return None


@dataclass(frozen=True)
class ModelInfo:
    """Identifies the argos package that produced machine translations."""

    name: str  # argospm-style name, e.g. "translate-en_ru"
    version: str
    from_code: str
    to_code: str


@dataclass(frozen=True)
class Candidate:
    """Another possible target for a segment, offered to the reviewer but not used.

    Fuzzy memory matches and alternative MT outputs end up in XLIFF
    ``<alt-trans>`` (1.2) or the Translation Candidates module (2.x).
    """

    text: str
    origin: Origin
    match_quality: float  # 0-100: similarity of ``source_text`` to the segment
    source_text: str  # the source this candidate translated
    provenance: str = ""  # e.g. "translate-en_ru 1.0" or the reviewed file's name
    codes: tuple[InlineCode, ...] = ()  # its inline codes, offsets into ``text``


class Severity(str, Enum):
    """How much a QA finding matters: an error blocks ``publish --strict``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """A QA finding about one segment pair (numbers, quotes, brackets...)."""

    code: str  # the check's id, machine-readable, e.g. "numbers"
    message: str  # for humans, naming what was found, e.g. "number 133.3 missing in target"
    severity: Severity = Severity.WARNING


# -- terminology ------------------------------------------------------------------------------

class TermStatus(str, Enum):
    """The status a glossary gives a target term (TBX ``administrativeStatus`` /
    ``normativeAuthorization``: preferredTerm, admittedTerm, deprecatedTerm, supersededTerm)."""

    PREFERRED = "preferred"
    ADMITTED = "admitted"
    DEPRECATED = "deprecated"
    FORBIDDEN = "forbidden"

    @property
    def avoid(self) -> bool:
        """A term the translation must not use."""
        return self in (TermStatus.DEPRECATED, TermStatus.FORBIDDEN)


@dataclass(frozen=True)
class TargetTerm:
    """One translation of a glossary entry's source term."""

    language: str
    text: str
    status: TermStatus = TermStatus.PREFERRED


@dataclass(frozen=True)
class GlossaryEntry:
    """A source term and what a translation must do with it.

    ``do_not_translate``: the term comes through as it is written (names, designations such as
    "SM-3 Block IIA"); TBX "translation needed: no" and a plain do-not-translate list set it.
    """

    source: str  # the term as written in the source language
    translations: tuple[TargetTerm, ...] = ()
    source_language: str = "en"
    do_not_translate: bool = False
    case_sensitive: bool = False  # else matched whatever its case
    note: str = ""
    part_of_speech: str = ""  # as the glossary gives it: "noun", "properNoun", "verb"...
    concept: str = ""  # the concept id (TBX termEntry/conceptEntry), grouping synonyms
    origin: str = ""  # the glossary file it came from

    def terms(self, language: str) -> tuple[TargetTerm, ...]:
        """The translations into ``language`` (its primary subtag), in the glossary's order."""
        primary = language.split("-")[0].lower()
        return tuple(t for t in self.translations if t.language.split("-")[0].lower() == primary)

    def preferred(self, language: str) -> TargetTerm | None:
        """The term to use in ``language``: the first preferred one, else the first admitted one."""
        usable = [t for t in self.terms(language) if not t.status.avoid]
        return next((t for t in usable if t.status is TermStatus.PREFERRED), usable[0] if usable else None)

    def avoided(self, language: str) -> tuple[TargetTerm, ...]:
        """The deprecated and forbidden terms of ``language``."""
        return tuple(t for t in self.terms(language) if t.status.avoid)

    def covers(self, language: str) -> bool:
        """Whether the entry says what to do in ``language``: a term in it, or do-not-translate."""
        return self.do_not_translate or bool(self.terms(language))


def case_sensitive_by_default(term: str) -> bool:
    """Whether a term is matched case-sensitively when its glossary does not say: a term with a
    capital letter after the first character of a word (an acronym, a designation, a brand) is;
    a capitalised name and a lower-case word are not.

    >>> [case_sensitive_by_default(t) for t in ("THAAD", "SM-3 Block IIA", "iPhone", "U.S. Navy",
    ...                                         "Sergei Lavrov", "Aegis", "radar")]
    [True, True, True, True, False, False, False]
    """
    return any(ch.isupper() for word in term.split() for ch in word[1:])


def keeps_source(source: str, translations: Sequence[TargetTerm]) -> bool:
    """Whether translations say a term stays as written: there are none, or every one that is not
    to be avoided is the term itself (a deprecated variant beside it changes nothing).

    >>> keeps_source("THAAD", ()), keeps_source("THAAD", (TargetTerm("ru", "THAAD"),))
    (True, True)
    >>> keeps_source("Kyiv", (TargetTerm("ru", "Киев", TermStatus.FORBIDDEN),))
    False
    """
    usable = [t for t in translations if not t.status.avoid]
    return not translations or (bool(usable) and all(t.text == source for t in usable))


def glossary_entry(source: str, translations: Sequence[TargetTerm] = (), *, do_not_translate: bool | None = None,
                   case_sensitive: bool | None = None, **details: str) -> GlossaryEntry:
    """A :class:`GlossaryEntry` as every glossary reader makes it, with Tandem's defaults for what
    the glossary leaves unsaid (None): do-not-translate when :func:`keeps_source` (copies of the
    term are then no translations); case sensitivity by :func:`case_sensitive_by_default`.
    ``details``: the other fields (note, concept, origin...).

    >>> glossary_entry("THAAD", (TargetTerm("ru", "THAAD"),))
    GlossaryEntry(source='THAAD', translations=(), source_language='en', do_not_translate=True, \
case_sensitive=True, note='', part_of_speech='', concept='', origin='')
    """
    if do_not_translate is None:
        do_not_translate = keeps_source(source, translations)
    if do_not_translate:
        translations = [t for t in translations if t.text != source]
    if case_sensitive is None:
        case_sensitive = case_sensitive_by_default(source)
    return GlossaryEntry(source, tuple(translations), do_not_translate=do_not_translate,
                         case_sensitive=case_sensitive, **details)


@dataclass(frozen=True)
class TermMatch:
    """A glossary entry found in a segment: ``text[start:end]`` of the segment's plain text."""

    entry: GlossaryEntry
    start: int
    end: int
    text: str  # as it is written in the segment ("radars'", "Lavrov's")


@dataclass(frozen=True)
class Translation:
    """A target text for one segment in one target language."""

    segment_id: str
    language: str
    text: str
    origin: Origin
    score: float | None = None  # MT: length-normalised log-probability (<= 0)
    model: ModelInfo | None = None
    # The reviewer's own state ("translated", "final", "signed-off"...) for
    # human work; None lets writers derive the state from ``origin``.
    state: str | None = None
    provenance: str = ""  # where human/TM work came from (reviewed file name)
    candidates: tuple[Candidate, ...] = ()
    codes: tuple[InlineCode, ...] = ()  # the source segment's codes placed in ``text``

    @property
    def reviewed(self) -> bool:
        """Human work the reviewer marked as done (see :func:`is_reviewed_state`)."""
        return self.origin is Origin.HUMAN and is_reviewed_state(self.state)

    @property
    def in_review(self) -> bool:
        """Human work the reviewer has not marked as done yet."""
        return self.origin is Origin.HUMAN and not is_reviewed_state(self.state)


@dataclass(frozen=True)
class Entry:
    """One stored translation, as TMX import and export see it."""

    source_lang: str
    target_lang: str
    source_text: str
    target_text: str
    origin: Origin
    state: str | None = None
    provenance: str = ""
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class AlignedPair:
    """One source segment with its translation: one row, one trans-unit."""

    segment: Segment
    translation: Translation
    findings: tuple[Finding, ...] = ()
    terms: tuple[TermMatch, ...] = ()  # glossary entries found in the segment


@dataclass(frozen=True)
class BilingualDocument:
    """An article aligned segment by segment with one target language."""

    article: Article
    target_language: str
    pairs: tuple[AlignedPair, ...]
    model: ModelInfo | None = None
    notes: tuple[str, ...] = field(default=())

    def paragraphs(self) -> Iterator[tuple[Paragraph, tuple[AlignedPair, ...]]]:
        """Each paragraph with its pairs, in order (one pass: pairs follow the segments)."""
        pairs = iter(self.pairs)
        for paragraph in self.article.paragraphs:
            yield paragraph, tuple(next(pairs) for _ in paragraph.segments)
