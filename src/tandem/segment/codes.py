"""Inline codes across sentence boundaries: a paragraph's codes handed to its segments, and
segments joined back into a paragraph.

Boundaries are found on the plain text alone, so a code never moves a boundary or splits a
word.  A code in the gap between two sentences goes where it reads: closing codes end the
sentence before, opening codes start the one after, a standalone code touching the end of a
sentence stays with it.  A pair that a boundary cuts becomes an isolated start in one segment
and an isolated end in a later one (XLIFF's ``<bx/>``/``<ex/>``, ``<sc/>``/``<ec/>``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tandem.document import CodeRole, InlineCode

_CLOSING = (CodeRole.CLOSE, CodeRole.END)
_OPENING = (CodeRole.OPEN, CodeRole.START)


def distribute(codes: Sequence[InlineCode], spans: Sequence[tuple[int, int]]) -> list[tuple[InlineCode, ...]]:
    """The codes of each span (sentence) of a paragraph, offsets relative to the span.

    >>> from tandem.document import CodeKind
    >>> em = [InlineCode("1", CodeRole.OPEN, CodeKind.ITALIC, "<em>", 0),
    ...       InlineCode("1", CodeRole.CLOSE, CodeKind.ITALIC, "</em>", 13)]
    >>> [[(c.role.value, c.offset) for c in part] for part in distribute(em, [(0, 6), (7, 13)])]
    [[('start', 0)], [('end', 6)]]
    """
    if not spans:
        return []
    parts: list[list[InlineCode]] = [[] for _ in spans]
    for code in codes:
        index = _span_of(code, spans)
        start, end = spans[index]
        parts[index].append(replace(code, offset=min(max(code.offset - start, 0), end - start)))
    return [tuple(_isolate(part, parts)) for part in parts]


def _span_of(code: InlineCode, spans: Sequence[tuple[int, int]]) -> int:
    """Which span a code at ``code.offset`` belongs to."""
    for index, (start, end) in enumerate(spans):
        if code.offset < start:  # in the gap before this span (or before the first)
            if index == 0 or code.role in _OPENING:
                return index
            if code.role is CodeRole.STANDALONE and code.offset > spans[index - 1][1]:
                return index
            return index - 1
        if code.offset < end or (code.offset == end and code.role not in _OPENING):
            return index
        if code.offset == end and index == len(spans) - 1:
            return index
    return len(spans) - 1


def _isolate(part: list[InlineCode], parts: list[list[InlineCode]]) -> list[InlineCode]:
    """Paired codes whose partner went to another span become isolated starts and ends."""
    ids_here = {(c.id, c.role) for c in part}
    result = []
    for code in part:
        if code.role is CodeRole.OPEN and (code.id, CodeRole.CLOSE) not in ids_here:
            code = replace(code, role=CodeRole.START)
        elif code.role is CodeRole.CLOSE and (code.id, CodeRole.OPEN) not in ids_here:
            code = replace(code, role=CodeRole.END)
        result.append(code)
    return result


def join(parts: Sequence[tuple[str, tuple[InlineCode, ...]]], gaps: Sequence[str]) -> tuple[str, tuple[InlineCode, ...]]:
    """Segments (text, codes) joined into a paragraph with ``gaps`` between them (one fewer than
    parts); isolated starts and ends of one pair become a pair again.

    >>> from tandem.document import CodeKind
    >>> a = ("One.", (InlineCode("1", CodeRole.START, CodeKind.BOLD, "<b>", 0),))
    >>> b = ("Two.", (InlineCode("1", CodeRole.END, CodeKind.BOLD, "</b>", 4),))
    >>> text, codes = join([a, b], [" "])
    >>> text, [(c.role.value, c.offset) for c in codes]
    ('One. Two.', [('open', 0), ('close', 9)])
    """
    text, codes, position = "", [], 0
    for index, (part_text, part_codes) in enumerate(parts):
        if index:
            text += gaps[index - 1]
            position = len(text)
        codes.extend(replace(c, offset=c.offset + position) for c in part_codes)
        text += part_text
    return text, tuple(pair_isolated(codes))


def pair_isolated(codes: list) -> list:
    """An isolated start and end of one id in the same text are a pair again (for codes, or for
    anything else with an ``id`` and a ``role``, such as the marks read back from XLIFF)."""
    starts = {c.id for c in codes if c.role is CodeRole.START}
    ends = {c.id for c in codes if c.role is CodeRole.END}
    joined = starts & ends
    return [replace(c, role=CodeRole.OPEN) if c.role is CodeRole.START and c.id in joined
            else replace(c, role=CodeRole.CLOSE) if c.role is CodeRole.END and c.id in joined else c
            for c in codes]


def ordered(codes: Sequence[InlineCode]) -> list[InlineCode]:
    """Codes in document order: by offset; at one offset, closing codes first, then standalone
    ones, then opening ones, then the closing codes of pairs that open there too (empty pairs).

    >>> from tandem.document import CodeKind
    >>> c = lambda i, role, at: InlineCode(i, role, CodeKind.BOLD, "", at)
    >>> [(x.id, x.role.value) for x in ordered([c("2", CodeRole.OPEN, 3), c("1", CodeRole.CLOSE, 3),
    ...                                         c("2", CodeRole.CLOSE, 3)])]
    [('1', 'close'), ('2', 'open'), ('2', 'close')]
    """
    opened_at = {c.id: c.offset for c in codes if c.role in _OPENING}

    def rank(code: InlineCode) -> int:
        if code.role in _CLOSING:
            return 3 if opened_at.get(code.id) == code.offset else 0
        return 1 if code.role is CodeRole.STANDALONE else 2

    return sorted(codes, key=lambda code: (code.offset, rank(code)))


def well_formed(codes: Sequence[InlineCode]) -> str | None:
    """Why a segment's codes are not well formed (a pair closed before it opens, overlapping
    pairs, a pair with one side missing), or None.  Reordered and renested pairs are fine.

    >>> from tandem.document import CodeKind
    >>> b = lambda role, at: InlineCode("1", role, CodeKind.BOLD, "", at)
    >>> well_formed([b(CodeRole.OPEN, 0), b(CodeRole.CLOSE, 3)]) is None
    True
    >>> well_formed([b(CodeRole.CLOSE, 0), b(CodeRole.OPEN, 3)])
    'code 1 closes before it opens'
    """
    open_ids: list[str] = []
    for offset in sorted({c.offset for c in codes}):
        here = [c for c in codes if c.offset == offset]
        # At one offset, spans already open close first, then new spans open, then empty pairs close.
        closes = [c for c in here if c.role is CodeRole.CLOSE]
        early = [c for c in closes if c.id in open_ids]
        for code in sorted(early, key=lambda c: -open_ids.index(c.id)):
            if open_ids[-1] != code.id:
                return f"codes {open_ids[-1]} and {code.id} overlap"
            open_ids.pop()
        open_ids.extend(c.id for c in here if c.role is CodeRole.OPEN)
        for code in (c for c in closes if c not in early):
            if code.id not in open_ids:
                return f"code {code.id} closes before it opens"
            if open_ids[-1] != code.id:
                return f"codes {open_ids[-1]} and {code.id} overlap"
            open_ids.pop()
    if open_ids:
        return f"code {open_ids[-1]} is never closed"
    return None


def safe_place(codes: Sequence[InlineCode], length: int) -> tuple[InlineCode, ...]:
    """The defined safe place for codes that cannot be placed with confidence: paired codes
    around the whole text (nesting kept), isolated starts at its start and ends at its end,
    standalone codes at the end.

    >>> from tandem.document import CodeKind
    >>> codes = [InlineCode("1", CodeRole.OPEN, CodeKind.LINK, "<a>", 4), InlineCode("2", CodeRole.STANDALONE,
    ...          CodeKind.BREAK, "<br>", 5), InlineCode("1", CodeRole.CLOSE, CodeKind.LINK, "</a>", 9)]
    >>> [(c.id, c.offset) for c in safe_place(codes, 12)]
    [('1', 0), ('1', 12), ('2', 12)]
    """
    opening = [replace(c, offset=0) for c in codes if c.role in _OPENING]
    closing = [replace(c, offset=length) for c in reversed(codes) if c.role in _CLOSING]
    standalone = [replace(c, offset=length) for c in codes if c.role is CodeRole.STANDALONE]
    return (*opening, *closing, *standalone)


def transfer(target_codes: Sequence[InlineCode], old_source: Sequence[InlineCode],
             new_source: Sequence[InlineCode], length: int) -> tuple[InlineCode, ...]:
    """The codes of ``new_source`` placed in a translation made for ``old_source`` (whose codes in
    the translation are ``target_codes``): where both sources have the same sequence of code roles
    and kinds (only the markup's details changed, e.g. a link's URL), each new code takes its old
    counterpart's place; otherwise the safe place (:func:`safe_place`)."""
    shape = [(c.role, c.kind) for c in old_source]
    if shape != [(c.role, c.kind) for c in new_source] or len(target_codes) != len(old_source):
        return safe_place(new_source, length)
    counterpart = {(old.id, old.role): new for old, new in zip(old_source, new_source)}
    placed = [replace(counterpart[(c.id, c.role)], offset=c.offset) for c in target_codes
              if (c.id, c.role) in counterpart]
    return tuple(placed) if len(placed) == len(new_source) else safe_place(new_source, length)
