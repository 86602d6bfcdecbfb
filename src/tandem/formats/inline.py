"""Inline content shared by the XLIFF versions: a segment's text with its codes written as
inline elements, and inline elements read back as the positions of codes.

Writing: pairs become one container element (1.2 ``<g>``, 2.x ``<pc>``) when the codes nest;
isolated starts and ends (a pair cut by a sentence boundary), and pairs that do not nest in a
translation, become start/end markers (1.2 ``<bx/>``/``<ex/>``, 2.x ``<sc/>``/``<ec/>``);
standalone codes are empty elements (``<x/>``, ``<ph/>``).  Each version says how to build each
element (:class:`Builder`).

Reading gives :class:`Mark`: an id, a role and an offset into the text -- what a merge needs to
check a target's codes against its source and to store where the reviewer put them; the
markup each code stands for stays in the memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from tandem.document import CodeKind, CodeRole, InlineCode, TermMatch
from tandem.formats.xml import code_point, local_name
from tandem.segment.codes import ordered, pair_isolated, well_formed

Build = Callable[[etree._Element, InlineCode], etree._Element]


@dataclass(frozen=True)
class Builder:
    """How one XLIFF version writes each role of code."""

    pair: Build  # a container for a pair that nests
    start: Build  # an isolated start, or the start of a pair that does not nest
    end: Build
    standalone: Build
    term: Build | None = None  # an annotation around a glossary term (a TERM pseudo-code, see term_codes)


@dataclass(frozen=True)
class Mark:
    """Where a code sits in a text read back from a file."""

    id: str
    role: CodeRole
    offset: int


def write(element: etree._Element, text: str, codes: Sequence[InlineCode], builder: Builder) -> None:
    """Fill ``element`` with ``text`` and its ``codes`` as inline elements."""
    nests = well_formed([c for c in codes if c.role in (CodeRole.OPEN, CodeRole.CLOSE)]) is None
    stack, cursor = [element], 0
    for code in ordered(codes):
        _append(stack[-1], text[cursor:code.offset])
        cursor = max(cursor, code.offset)
        if code.kind is CodeKind.TERM:  # term_codes only gives terms that nest
            if builder.term is not None and code.role is CodeRole.OPEN:
                stack.append(builder.term(stack[-1], code))
            elif builder.term is not None:
                stack.pop()
        elif code.role is CodeRole.OPEN and nests:
            stack.append(builder.pair(stack[-1], code))
        elif code.role is CodeRole.CLOSE and nests:
            stack.pop()
        elif code.role in (CodeRole.OPEN, CodeRole.START):
            builder.start(stack[-1], code)
        elif code.role in (CodeRole.CLOSE, CodeRole.END):
            builder.end(stack[-1], code)
        else:
            builder.standalone(stack[-1], code)
    _append(stack[-1], text[cursor:])


def with_terms(codes: Sequence[InlineCode], matches: Sequence[TermMatch]) -> tuple[InlineCode, ...]:
    """``codes`` with a pair of TERM pseudo-codes (ids ``m1``, ``m2``..., ``equiv`` "dnt" for a
    do-not-translate term, ``data`` the term's entry source) for every glossary term that nests
    with them, for :func:`write` to annotate; a term a code cuts is left unmarked.

    >>> from tandem.document import CodeKind, GlossaryEntry
    >>> bold = [InlineCode("1", CodeRole.OPEN, CodeKind.BOLD, "<b>", 0), InlineCode("1", CodeRole.CLOSE, CodeKind.BOLD, "</b>", 6)]
    >>> term = lambda a, b: TermMatch(GlossaryEntry("x"), a, b, "x")
    >>> [c.id for c in with_terms(bold, [term(0, 13)])], [c.id for c in with_terms(bold, [term(3, 13)])]
    (['m1', '1', '1', 'm1'], ['1', '1'])
    """
    arranged = list(codes)
    cut = [c.offset for c in codes if c.role in (CodeRole.START, CodeRole.END)]
    for number, match in enumerate(matches, start=1):
        equiv = "dnt" if match.entry.do_not_translate else ""
        opening = InlineCode(f"m{number}", CodeRole.OPEN, CodeKind.TERM, match.entry.source, match.start, equiv)
        closing = InlineCode(f"m{number}", CodeRole.CLOSE, CodeKind.TERM, "", match.end, equiv)
        if any(match.start < offset < match.end for offset in cut):
            continue
        for trial in ([*arranged, opening, closing], [opening, *arranged, closing]):  # inside, else around
            if well_formed([c for c in trial if c.role in (CodeRole.OPEN, CodeRole.CLOSE)]) is None:
                arranged = trial
                break
    return tuple(arranged)


def _append(element: etree._Element, text: str) -> None:
    """Add text after the last child of ``element`` (or as its text when it has none)."""
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


@dataclass(frozen=True)
class Reader:
    """How one XLIFF version's inline elements map to roles: element name -> how to get the id."""

    pairs: frozenset[str]  # containers: g, pc
    starts: dict[str, Callable[[etree._Element], str]]  # bx, bpt, sc -> id of the pair
    ends: dict[str, Callable[[etree._Element], str]]  # ex, ept, ec
    standalones: frozenset[str]  # x, ph
    skipped: frozenset[str] = frozenset()  # native-code elements whose content is markup, not text


def read(element: etree._Element | None, reader: Reader) -> tuple[str, tuple[Mark, ...]]:
    """The text of ``element`` and the marks of its inline codes (a start and an end of one id in
    the same text are read as a pair)."""
    if element is None:
        return "", ()
    parts: list[str] = []
    marks: list[Mark] = []
    _walk(element, reader, parts, marks)
    return "".join(parts), tuple(paired(marks))


def _walk(element: etree._Element, reader: Reader, parts: list[str], marks: list[Mark]) -> None:
    parts.append(element.text or "")
    for child in element:
        name, at = local_name(child), sum(map(len, parts))
        if name in reader.pairs:
            marks.append(Mark(child.get("id", ""), CodeRole.OPEN, at))
            _walk(child, reader, parts, marks)
            marks.append(Mark(child.get("id", ""), CodeRole.CLOSE, sum(map(len, parts))))
        elif name in reader.starts:
            marks.append(Mark(reader.starts[name](child), CodeRole.START, at))
        elif name in reader.ends:
            marks.append(Mark(reader.ends[name](child), CodeRole.END, at))
        elif name in reader.standalones:
            marks.append(Mark(child.get("id", ""), CodeRole.STANDALONE, at))
        elif name == "cp":
            parts.append(code_point(child.get("hex", "")))
        elif name and name not in reader.skipped:
            _walk(child, reader, parts, marks)  # annotations (<mrk>) and unknown wrappers: their text counts
        parts.append(child.tail or "")


def paired(marks: list[Mark]) -> list[Mark]:
    """A start and an end of one id in the same text are a pair."""
    return pair_isolated(marks)
