"""Inline codes put back into a machine translation by the model's own alignment (issue 11).

The model translates the sentence without its codes (Bergamot's way, not argos
translate-html's, which translates each fragment between tags alone and breaks the
sentence).  :func:`place` then puts every code of the source segment into the translation,
using the cross-attention CTranslate2 returns (:class:`tandem.mt.engine.Alignment`).

*What the model sees* (:func:`model_text`): ``Segment.text`` with each standalone PROTECTED
code's text (its ``equiv``, else the text inside its markup) put back where the code sits,
so the sentence reads as written ("Press Ctrl+C to copy.") and is translated as well as
plain text; NMT copies names, commands and keys.  *What comes back*: the translation text
WITHOUT the protected text, as ``Segment.text`` is without it, and the code where it was: the
writers render the code's ``equiv`` (so the protected span is verbatim by construction).
The protected text is looked for verbatim in the output (the occurrence nearest to the
target words aligned to it, never part of a longer word); if the model changed it, the target
words aligned to it are taken out instead (a note says what the model wrote); if not even
that is confident, nothing is taken out and the code goes to the safe place.  A PROTECTED
pair (its text IS in ``Segment.text``) is put around the verbatim occurrence of its text, or,
if the model changed it, the aligned words are replaced by the source text.

*Alignment*: pieces are mapped to character spans of the texts (whitespace-insensitive
matching of each piece's surface; byte-fallback pieces grouped into their characters); a
route through a pivot composes the steps' matrices through the character overlap of the
pivot text's pieces.  Each target piece is linked to its most-attended source piece (argmax
per row, as Bergamot does), and each source piece to the target piece attending to it most
(argmax per column), which checks the first.

*Source offsets* snap to word edges: a pair grows to whole words (an open inside a word moves
to the word's start, a close to its end: ``<b>Goo</b>gle`` bolds "Google"), an isolated start
moves like an open, an end like a close, a standalone code to the nearer edge (ties: the end).

*Placement*:

- a pair (and an isolated start/end, a pair with the sentence's edge) covers the source pieces
  inside it; it goes around the smallest contiguous run of target pieces linked to them,
  grown to whole words (never inside a word; in scripts without spaces -- Japanese, Chinese,
  Thai... -- piece boundaries are word boundaries).  Confident when at least half of that run
  is linked to the covered pieces (purity) and at least half of the covered pieces point into
  it (agreement of the two directions); it must also sit inside its source parent's place,
  nest with everything placed before it (parents first), and keep in or out the protected
  spans and standalone codes it had in or out in the source;
- a standalone code (and an empty pair) goes between the target words of the source words on
  either side of it; confident when the two sides agree (the words are adjacent in the
  translation, only spaces between) and the containment in pairs is kept.  The source's spacing
  is mirrored: a code touching the word before it touches it in the translation, one with
  spaces on both sides gets them (a space is added only in scripts written with spaces, never
  in Japanese or Chinese); a line break joining two words (``one<br>line``, "oneline" in the
  plain text) is seen by the model as a space, which is taken out again beside the code.

*The safe place* for a code that is not confident: a pair around its source parent's content
(the smallest span that keeps nesting with everything placed), else the whole sentence; an
isolated start at its parent's start (the sentence's start), an end at its parent's end;
standalone codes at the end.  Each such code gets a note naming it.  :mod:`tandem.qa`
recognises these layouts from the codes alone (the memory keeps the codes, not the notes).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from tandem.document import CodeKind, CodeRole, InlineCode, Segment, word_separator
from tandem.segment.codes import safe_place, well_formed

PURITY, AGREEMENT = 0.5, 0.5  # confidence thresholds of a span (see the module docstring)
MIN_MAPPED = 0.8  # share of non-space characters the pieces must map to, else no alignment
_BYTE = re.compile(r"<0x([0-9A-Fa-f]{2})>\Z")
_TAG = re.compile(r"<[^>]*>")
_BACKTICKS = re.compile(r"(`+)\s?(.*?)\s?\1\Z", re.DOTALL)


class Placement(NamedTuple):
    """A machine translation with its source segment's codes in it."""

    text: str  # the translation text (protected text taken out, as in Segment.text)
    codes: tuple[InlineCode, ...]  # every code of the segment, offsets into ``text``, in document order
    notes: tuple[str, ...]  # for the reviewer: one per code at the safe place or whose protected text changed
    unsure: tuple[str, ...]  # ids of those codes


# -- what the model sees ------------------------------------------------------------------------

def protected_text(code: InlineCode) -> str:
    """The text a standalone PROTECTED code stands for: its ``equiv``, else the text inside its markup.

    >>> c = lambda data, equiv="": InlineCode("1", CodeRole.STANDALONE, CodeKind.PROTECTED, data, 0, equiv)
    >>> protected_text(c("<kbd>Ctrl+C</kbd>")), protected_text(c("``a `b` c``")), protected_text(c("<x/>", "y"))
    ('Ctrl+C', 'a `b` c', 'y')
    """
    if code.equiv:
        return code.equiv
    backticks = _BACKTICKS.match(code.data)
    if backticks and code.data.startswith("`"):
        return backticks.group(2)
    return html.unescape(_TAG.sub("", code.data))


def _is_protected_point(code: InlineCode) -> bool:
    return code.kind is CodeKind.PROTECTED and code.role is CodeRole.STANDALONE


def _joins_words(code: InlineCode, text: str) -> bool:
    """A line break between two letters (``one<br>line``: "oneline" in the plain text)."""
    return code.kind is CodeKind.BREAK and code.role is CodeRole.STANDALONE and inside_word(text, code.offset)


def _layout(segment: Segment) -> tuple[str, dict[int, tuple[int, int]]]:
    """The model's text, and each code's place in it (by index in ``segment.codes``): a range for
    a standalone protected code (its text), else an empty range at its offset.  A line break that
    joins two words is followed by a space the model sees (and the translation loses again)."""
    parts, cursor, shift, places = [], 0, 0, {}
    for i in _document_order(segment.codes):
        code = segment.codes[i]
        offset = min(max(code.offset, 0), len(segment.text))
        position = offset + shift
        inserted = (protected_text(code) if _is_protected_point(code)
                    else " " if _joins_words(code, segment.text) else "")
        if inserted:
            parts += [segment.text[cursor:offset], inserted]
            cursor = offset
            shift += len(inserted)
        places[i] = (position, position + len(inserted)) if _is_protected_point(code) else (position, position)
    parts.append(segment.text[cursor:])
    return "".join(parts), places


def _document_order(codes: Sequence[InlineCode]) -> list[int]:
    """Indexes of ``codes`` by offset; at one offset in list order (``<b><kbd>x</kbd></b>``: the
    protected span inside the bold, as the publisher renders it), but a close never before its open."""
    open_index = {c.id: i for i, c in enumerate(codes) if c.role is CodeRole.OPEN}

    def key(i: int) -> tuple[int, float]:
        code = codes[i]
        if code.role is CodeRole.CLOSE and code.id in open_index and codes[open_index[code.id]].offset == code.offset:
            return code.offset, max(i, open_index[code.id] + 0.5)
        return code.offset, i

    return sorted(range(len(codes)), key=key)


def model_text(segment: Segment) -> str:
    """What the model translates for ``segment``: its text with protected spans' text put back.

    >>> kbd = InlineCode("1", CodeRole.STANDALONE, CodeKind.PROTECTED, "<kbd>Ctrl+C</kbd>", 6)
    >>> model_text(Segment(1, 1, "Press  to copy.", 0, 15, (kbd,)))
    'Press Ctrl+C to copy.'
    """
    if not any(_is_protected_point(c) or _joins_words(c, segment.text) for c in segment.codes):
        return segment.text
    return _layout(segment)[0]


# -- characters -----------------------------------------------------------------------------------

def _spaceless(char: str) -> bool:
    """A character of a script written without spaces (CJK, kana, Thai, Lao, Khmer, Myanmar)."""
    o = ord(char)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF66 <= o <= 0xFF9F or 0x20000 <= o <= 0x3FFFF
            or 0x0E00 <= o <= 0x0EFF or 0x1780 <= o <= 0x17FF or 0x1000 <= o <= 0x109F)


def _word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LNM" and not _spaceless(char)


def inside_word(text: str, offset: int) -> bool:
    """Whether ``offset`` falls strictly inside a word (between two letters or digits of a script
    written with spaces; in Japanese or Chinese every character boundary is allowed).

    >>> inside_word("Google it", 3), inside_word("Google it", 6), inside_word("東京都", 1)
    (True, False, False)
    """
    return 0 < offset < len(text) and _word_char(text[offset - 1]) and _word_char(text[offset])


def _word_start(text: str, offset: int) -> int:
    while inside_word(text, offset):
        offset -= 1
    return offset


def _word_end(text: str, offset: int) -> int:
    while inside_word(text, offset):
        offset += 1
    return offset


def _nearest_edge(text: str, offset: int) -> int:
    if not inside_word(text, offset):
        return offset
    start, end = _word_start(text, offset), _word_end(text, offset)
    return start if offset - start < end - offset else end


# -- pieces to characters ----------------------------------------------------------------------------

def piece_spans(pieces: Sequence[str], text: str, tokenizer: str = "sentencepiece",
                decoded: bool = False) -> list[tuple[int, int] | None]:
    """The character span of each piece in ``text`` (None: a piece of only spaces, or one that could
    not be found).  ``decoded``: ``text`` is argostranslate's decoding (which turns "_" into a space).

    >>> piece_spans(["▁I", "▁use", "▁Goo", "gle", "."], "I use Google.")
    [(0, 1), (2, 5), (6, 9), (9, 12), (12, 13)]
    >>> piece_spans(["▁", "<0xE6>", "<0x9D>", "<0xB1>", "京"], "東京")
    [None, (0, 1), (0, 1), (0, 1), (1, 2)]
    """
    units = _units(pieces, tokenizer, decoded)
    dense, where = [], []  # text without whitespace, and where each of its characters is
    for i, char in enumerate(text):
        if not char.isspace():
            dense.append(char)
            where.append(i)
    dense_text = "".join(dense)
    spans: list[tuple[int, int] | None] = [None] * len(pieces)
    cursor = 0
    for surface, members in units:
        if not surface:
            continue
        found = dense_text.find(surface, cursor, cursor + len(surface) + 16)
        if found < 0:
            continue
        cursor = found + len(surface)
        span = (where[found], where[cursor - 1] + 1)
        for member in members:
            spans[member] = span
    return spans


def _units(pieces: Sequence[str], tokenizer: str, decoded: bool) -> list[tuple[str, list[int]]]:
    """Each piece's surface without whitespace; the byte pieces of one character as one unit."""
    units: list[tuple[str, list[int]]] = []
    pending, members = bytearray(), []

    def flush() -> None:
        if members:
            units.append(("".join(pending.decode("utf-8", errors="replace").split()), list(members)))
            pending.clear()
            members.clear()

    for index, piece in enumerate(pieces):
        byte = _BYTE.match(piece)
        if byte and tokenizer == "sentencepiece":  # one unit per character the bytes make
            pending.append(int(byte.group(1), 16))
            members.append(index)
            try:
                pending.decode("utf-8")
            except UnicodeDecodeError:
                if len(pending) < 4:
                    continue
            flush()
            continue
        flush()
        if tokenizer == "sentencepiece":
            surface = piece.replace("▁", " ")
        else:  # BPE on Moses tokens: "@@" continues a word; Moses escapes & < > | [ ] ' "
            surface = html.unescape(piece.removesuffix("@@"))
        if decoded:
            surface = surface.replace("_", " ")
        units.append(("".join(surface.split()), [index]))
    flush()
    if decoded:  # byte pieces decoded to "_" became spaces too
        units = [("".join(s.replace("_", " ").split()), m) for s, m in units]
    return units


def _mapped_share(spans: Sequence[tuple[int, int] | None], text: str) -> float:
    covered = set()
    for span in spans:
        if span:
            covered.update(range(*span))
    total = sum(1 for c in text if not c.isspace())
    return 1.0 if not total else sum(1 for i in covered if not text[i].isspace()) / total


# -- the alignment ------------------------------------------------------------------------------------

@dataclass
class _Aligned:
    """Source and target pieces with their character spans and the links between them."""

    source: list[tuple[int, int] | None]  # spans in the model's text
    target: list[tuple[int, int] | None]  # spans in the translation
    row: list[int | None]  # target piece -> most-attended source piece
    column: list[int | None]  # source piece -> most-attending target piece

    @classmethod
    def build(cls, steps: Sequence, source_text: str, target_text: str) -> _Aligned | None:
        if not steps or steps[0].source_text != source_text or steps[-1].target_text != target_text:
            return None
        first = steps[0]
        source = piece_spans(first.source, first.source_text, first.tokenizer)
        target = piece_spans(first.target, first.target_text, first.tokenizer, decoded=True)
        matrix = [list(row) for row in first.attention]
        for step in steps[1:]:  # a pivot: compose through the pivot text's pieces
            pivot = piece_spans(step.source, step.source_text, step.tokenizer)
            matrix = _compose(step.attention, _overlap(pivot, target), matrix, len(source))
            target = piece_spans(step.target, step.target_text, step.tokenizer, decoded=True)
        if (len(matrix) != len(target) or any(len(r) != len(source) for r in matrix)
                or _mapped_share(source, source_text) < MIN_MAPPED or _mapped_share(target, target_text) < MIN_MAPPED):
            return None
        valid_s = [j for j, span in enumerate(source) if span]
        valid_t = [i for i, span in enumerate(target) if span]
        row: list[int | None] = [None] * len(target)
        column: list[int | None] = [None] * len(source)
        if valid_s and valid_t:
            for i in valid_t:
                row[i] = max(valid_s, key=lambda j: matrix[i][j])
            for j in valid_s:
                column[j] = max(valid_t, key=lambda i: matrix[i][j])
        return cls(source, target, row, column)

    def covered(self, start: int, end: int) -> list[int]:
        """Source pieces overlapping [start, end) of the model's text."""
        return [j for j, span in enumerate(self.source) if span and span[0] < end and span[1] > start]

    def span(self, pieces: list[int]) -> tuple[int, int, bool] | None:
        """The target characters the source ``pieces`` went to, and whether that is confident."""
        if not pieces:
            return None
        chosen = set(pieces)
        linked = [i for i, j in enumerate(self.row) if j in chosen]
        confident = bool(linked)
        if not linked:
            linked = [i for i in (self.column[j] for j in pieces) if i is not None]
            if not linked:
                return None
        low, high = min(linked), max(linked)
        run = [i for i in range(low, high + 1) if self.target[i]]
        purity = sum(1 for i in run if self.row[i] in chosen) / len(run)
        agreement = sum(1 for j in pieces if self.column[j] is not None and low <= self.column[j] <= high) / len(pieces)
        confident = confident and purity >= PURITY and agreement >= AGREEMENT
        return self.target[low][0], self.target[high][1], confident

    def targets_of(self, pieces: list[int]) -> list[int]:
        """Target pieces linked to ``pieces`` either way (row or column argmax)."""
        chosen = set(pieces)
        found = {i for i, j in enumerate(self.row) if j in chosen}
        found.update(i for i in (self.column[j] for j in pieces) if i is not None)
        return sorted(found)


def _overlap(pivot: list[tuple[int, int] | None], previous: list[tuple[int, int] | None]) -> list[dict[int, float]]:
    """Each pivot source piece as weights over the previous step's target pieces (character overlap)."""
    out = []
    for span in pivot:
        weights: dict[int, float] = {}
        if span:
            for i, other in enumerate(previous):
                if other and other[0] < span[1] and other[1] > span[0]:
                    weights[i] = float(min(span[1], other[1]) - max(span[0], other[0]))
        total = sum(weights.values())
        out.append({i: w / total for i, w in weights.items()} if total else {})
    return out


def _compose(attention: Sequence[Sequence[float]], overlap: list[dict[int, float]],
             previous: list[list[float]], width: int) -> list[list[float]]:
    composed = []
    for row in attention:
        through: dict[int, float] = {}
        for j, weight in enumerate(row):
            if weight > 1e-4 and j < len(overlap):
                for i, share in overlap[j].items():
                    through[i] = through.get(i, 0.0) + weight * share
        out = [0.0] * width
        for i, weight in through.items():
            if weight > 1e-3 and i < len(previous):
                for s, value in enumerate(previous[i][:width]):
                    out[s] += weight * value
        composed.append(out)
    return composed


# -- placement ----------------------------------------------------------------------------------------

@dataclass
class _Node:
    """A span in the source: a pair, an isolated start (to the end) or end (from the start)."""

    index: int  # of its first code in segment.codes, for the order of ties
    codes: tuple[int, ...]  # indexes of its codes: (open, close), (start,) or (end,)
    start: int  # in the model's text, snapped to word edges
    end: int
    kind: str  # "pair", "start", "end"
    parent: _Node | None = None
    depth: int = 0
    placed: tuple[int, int] = (0, 0)  # in the translation (before protected text is taken out)


class _Placer:
    """Places one segment's codes; see the module docstring."""

    def __init__(self, segment: Segment, text: str, alignment: Sequence) -> None:
        self.codes, self.text, self.segment_text = segment.codes, text, segment.text
        self.source, self.places = _layout(segment)
        self.aligned = _Aligned.build(alignment, self.source, text)
        self.notes: list[str] = []
        self.unsure: list[str] = []
        self.edits: list[tuple[int, int, str, int | None]] = []  # (start, end, replacement, anchor code)
        self.pinned: dict[int, tuple[int, int]] = {}  # standalone protected code -> its text's range
        self.spaced = bool(alignment) and word_separator(alignment[-1].to_code) == " "
        self.insert_after = ""  # set by _point: text to insert right after the code it places

    def run(self) -> Placement:
        if self.aligned is None:  # verbatim protected text is still found; the rest goes to the safe place
            self.notes.append("the model gave no usable alignment: codes are at the safe place")
        self._pin_protected()
        nodes = self._nodes()
        for number, node in enumerate(nodes):
            self._place_node(node, nodes[:number])
        events: list[tuple[int, int, tuple, int]] = []  # (offset, class, tie-break, code index)
        for node in nodes:
            a, b = node.placed
            if node.kind in ("pair", "start"):  # opens: outer first
                events.append((a, 2, (-b, node.depth, node.index), node.codes[0]))
            if node.kind in ("pair", "end"):  # closes: inner first
                events.append((b, 0, (-a, -node.depth, -node.index), node.codes[-1]))
        in_nodes = {i for node in nodes for i in node.codes}
        for i, code in enumerate(self.codes):
            if i in in_nodes or code.role is CodeRole.CLOSE and self._partner(i) is not None:
                continue
            if i in self.pinned:  # a leaf inside anything around its text
                a, b = self.pinned[i]
                events.append((a, 2, (-b, 10**6, i), i))
                continue
            self.insert_after = ""
            where = self._place_point(i, nodes)
            if self.insert_after and where < len(self.text):
                self.edits.append((where, where, self.insert_after, i))
            if _joins_words(code, self.segment_text) and where not in (0, len(self.text)):
                self._drop_space(where)
            close = self._partner(i) if code.role is CodeRole.OPEN else None
            if close is None:
                events.append((where, 1, (i,), i))
            else:  # an empty pair (nothing inside it to align): both codes at one point
                events.append((where, 2, (-where, 10**6, i), i))
                events.append((where, 3, (0,), close))
        events = self._empty_closes(sorted(events, key=lambda e: (e[0], e[1], e[2])))
        text, shift = self._edited()
        placed, passed = [], set()
        for offset, _, _, i in events:
            placed.append(replace(self.codes[i], offset=shift(offset, passed)))
            passed.add(i)
        placed = tuple(placed)
        problem = _problem(self.codes, placed, text)
        if problem is not None:
            return self._all_safe(f"placement failed its check ({problem})", text)
        order = {c.id: i for i, c in reversed(list(enumerate(self.codes)))}
        notes = sorted(self.notes, key=lambda n: order.get(n.split()[1], -1) if n.startswith("code ") else -1)
        return Placement(text, placed, tuple(notes), tuple(sorted(self.unsure, key=order.__getitem__)))

    def _drop_space(self, where: int) -> None:
        """The space the model saw for a line break joining two words, taken out next to the code."""
        for a in (where, where - 1):
            if 0 <= a < len(self.text) and self.text[a] == " " and not self._edited_at((a, a + 1)):
                self.edits.append((a, a + 1, "", None))
                return

    def _partner(self, i: int) -> int | None:
        """The other code of a pair (open <-> close), if the segment has it."""
        code = self.codes[i]
        other = {CodeRole.OPEN: CodeRole.CLOSE, CodeRole.CLOSE: CodeRole.OPEN}.get(code.role)
        return next((k for k, c in enumerate(self.codes) if c.id == code.id and c.role is other), None)

    # -- protected spans ----------------------------------------------------------------------
    def _pin_protected(self) -> None:
        for i, code in enumerate(self.codes):
            if not _is_protected_point(code):
                continue
            wanted = protected_text(code)
            aligned = self._aligned_span(*self.places[i])
            twins = sum(1 for c in self.codes if _is_protected_point(c) and protected_text(c) == wanted)
            found = self._occurrence(wanted, aligned, twins)
            if found is not None:
                where, sure = found
                if not sure:
                    self._note(code, f"protected text {wanted!r} occurs more than once in the translation: "
                                     "the code stands for the occurrence nearest to its aligned place")
            elif aligned is not None and aligned[2] and not self._edited_at(aligned[:2]) \
                    and _could_be(self.text[aligned[0]:aligned[1]], wanted):
                where = aligned[:2]
                self._note(code, f"the model wrote {self.text[where[0]:where[1]]!r} for the protected text "
                                 f"{wanted!r}: that is taken out, the code puts the protected text there")
            else:
                continue  # placed like any standalone code (the safe place unless aligned)
            self.pinned[i] = where
            self.edits.append((where[0], where[1], "", None))

    def _occurrence(self, wanted: str, aligned: tuple[int, int, bool] | None,
                    twins: int) -> tuple[tuple[int, int], bool] | None:
        """The verbatim occurrence of ``wanted`` a code stands for, and whether that is certain."""
        if not wanted.strip():
            return None
        found, at = [], self.text.find(wanted)
        while at >= 0:
            span = (at, at + len(wanted))
            if not inside_word(self.text, span[0]) and not inside_word(self.text, span[1]) \
                    and not self._edited_at(span):
                found.append(span)
            at = self.text.find(wanted, at + 1)
        if not found:
            return None
        unique = len(found) == 1 and twins == 1
        if aligned is None:
            return found[0], unique
        low, high = aligned[0], aligned[1]
        overlapping = [s for s in found if s[0] < high and s[1] > low]
        if overlapping:
            return overlapping[0], True
        return min(found, key=lambda s: min(abs(s[0] - high), abs(low - s[1]))), unique

    def _edited_at(self, span: tuple[int, int]) -> bool:
        return any(span[0] < b and span[1] > a for a, b, _, _ in self.edits)

    def _aligned_span(self, start: int, end: int) -> tuple[int, int, bool] | None:
        """Where the model's text [start, end) went, grown to whole words, and whether confidently."""
        if start >= end or self.aligned is None:
            return None
        found = self.aligned.span(self.aligned.covered(start, end))
        if found is None:
            return None
        low, high = _word_start(self.text, found[0]), _word_end(self.text, found[1])
        for a, b in self.pinned.values():  # never part of pinned protected text
            low = a if a < low < b else low
            high = b if a < high < b else high
        return low, high, found[2]

    def _in_pinned(self, offset: int) -> bool:
        return any(a < offset < b for a, b in self.pinned.values())

    # -- spans ----------------------------------------------------------------------------------
    def _nodes(self) -> list[_Node]:
        """The source's spans (pairs with something to align inside, isolated starts and ends),
        outer before inner, each with its parent."""
        nodes = []
        for i, code in enumerate(self.codes):
            position = self.places[i][0]
            if code.role is CodeRole.OPEN and (j := self._partner(i)) is not None:
                start = _word_start(self.source, position)
                end = _word_end(self.source, self.places[j][0])
                if start < end and (self.aligned is None or self.aligned.covered(start, end)):
                    nodes.append(_Node(i, (i, j), start, end, "pair"))
            elif code.role is CodeRole.START:
                nodes.append(_Node(i, (i,), _word_start(self.source, position), len(self.source), "start"))
            elif code.role is CodeRole.END:
                nodes.append(_Node(i, (i,), 0, _word_end(self.source, position), "end"))
        nodes.sort(key=lambda n: (n.start, -n.end, n.index))
        stack: list[_Node] = []
        for node in nodes:
            while stack and not (stack[-1].start <= node.start and node.end <= stack[-1].end):
                stack.pop()
            node.parent, node.depth = (stack[-1] if stack else None), len(stack)
            stack.append(node)
        return nodes

    def _place_node(self, node: _Node, placed: list[_Node]) -> None:
        parent = node.parent.placed if node.parent else (0, len(self.text))
        candidate, edit = self._candidate(node)
        if candidate is not None and self._fits(node, candidate, parent, placed):
            node.placed = candidate
            if edit is not None:
                self.edits.append(edit + (None,))
                self._note(self.codes[node.index], f"the model wrote {self.text[edit[0]:edit[1]]!r} for the "
                                                   f"protected text {edit[2]!r}: that is replaced by it")
            return
        end = len(self.text)
        if node.kind == "start":
            node.placed = (parent[0], end) if parent[1] == end else (0, end)
        elif node.kind == "end":
            node.placed = (0, parent[1]) if parent[0] == 0 else (0, end)
        else:
            node.placed = parent
        if node.parent is not None:
            where = f"around the content of code {self.codes[node.parent.index].id}"
            if node.kind != "pair":
                where = f"at the {node.kind} of code {self.codes[node.parent.index].id}"
        else:
            where = {"pair": "around the whole sentence", "start": "at the start of the sentence",
                     "end": "at the end of the sentence"}[node.kind]
        self._note(self.codes[node.index], f"could not be placed with confidence: put {where} (the safe place)")

    def _candidate(self, node: _Node) -> tuple[tuple[int, int] | None, tuple[int, int, str] | None]:
        """The aligned place of a span (and, for a PROTECTED pair whose text the model changed, the edit)."""
        found = self._aligned_span(node.start, node.end)
        if node.kind == "pair" and self.codes[node.index].kind is CodeKind.PROTECTED:
            return self._protected_pair(node, found)
        if found is None or not found[2]:
            return None, None
        low, high = found[0], found[1]
        if node.kind == "start":
            high = len(self.text)
        elif node.kind == "end":
            low = 0
        return ((low, high) if low < high else None), None

    def _protected_pair(self, node: _Node, aligned: tuple[int, int, bool] | None):
        """Around the verbatim text the pair holds, or the aligned words to be replaced by it."""
        open_at, close_at = (self.places[i][0] for i in node.codes)
        wanted = self.source[open_at:close_at]
        found = self._occurrence(wanted, aligned, 1)
        if found is not None and (found[1] or aligned is None or aligned[2]):
            return found[0], None
        inner = any(open_at < self.places[i][0] < close_at for i in range(len(self.codes)) if i not in node.codes)
        if aligned is None or not aligned[2] or inner or self._edited_at(aligned[:2]) \
                or not _could_be(self.text[aligned[0]:aligned[1]], wanted):
            return None, None
        return aligned[:2], (aligned[0], aligned[1], wanted)

    def _fits(self, node: _Node, span: tuple[int, int], parent: tuple[int, int], placed: list[_Node]) -> bool:
        """Inside its parent, nesting with everything placed, protected text in or out as in the source."""
        low, high = span
        if not (parent[0] <= low and high <= parent[1]) or self._in_pinned(low) or self._in_pinned(high):
            return False
        for other in placed:
            a, b = other.placed
            if a < low < b < high or low < a < high < b:
                return False
        for i, (a, b) in self.pinned.items():
            start, end = self.places[i]
            if (node.start <= start and end <= node.end) != (low <= a and b <= high):
                return False
        return True

    # -- points ---------------------------------------------------------------------------------
    def _place_point(self, i: int, nodes: list[_Node]) -> int:
        """Where a standalone code (or an empty pair) goes: between the target words of its source
        neighbours when they agree and the spans around it are kept, else the end (with a note)."""
        position = _nearest_edge(self.source, self.places[i][0])
        found = self._point(position)
        if found is not None and not self._in_pinned(found):
            for node in nodes:
                inside, (a, b) = node.start < position < node.end, node.placed
                if inside != (a < found < b) and not (inside and found in (a, b)):
                    break
            else:
                return found
        self._note(self.codes[i], "could not be placed with confidence: put at the end of the sentence "
                                  "(the safe place)")
        return len(self.text)

    def _point(self, position: int) -> int | None:
        aligned, source = self.aligned, self.source
        if aligned is None:
            return None
        left = [j for j, s in enumerate(aligned.source) if s and s[1] <= position]
        right = [j for j, s in enumerate(aligned.source) if s and s[0] >= position]
        if not left:
            return 0
        if not right:
            return len(self.text)
        to_left = aligned.targets_of(self._word(left[-1], -1))
        to_right = aligned.targets_of(self._word(right[0], 1))
        if not to_left or not to_right:
            return None
        after_left = _word_end(self.text, aligned.target[max(to_left)][1])
        before_right = _word_start(self.text, aligned.target[min(to_right)][0])
        gap = self.text[after_left:before_right]
        if after_left > before_right or gap.strip():
            return None  # the neighbours are not neighbours in the translation
        # the source's spacing around the code, mirrored
        before = len(source[:position]) - len(source[:position].rstrip())
        after = len(source[position:]) - len(source[position:].lstrip())
        if before and after and gap:
            if len(gap) == 1 and self.spaced:
                self.insert_after = " "  # "radar <img> was": a space on each side, as in the source
            return after_left + min(before, max(len(gap) - 1, 1))
        return before_right if before else after_left

    def _word(self, piece: int, direction: int) -> list[int]:
        """The source pieces of the word ``piece`` belongs to (pieces joined inside a word)."""
        spans, word, j = self.aligned.source, [piece], piece
        while 0 <= j + direction < len(spans) and spans[j + direction]:
            a, b = (spans[j + direction], spans[j]) if direction < 0 else (spans[j], spans[j + direction])
            if a[1] != b[0] or not inside_word(self.source, b[0]):
                break
            j += direction
            word.append(j)
        return sorted(word)

    # -- output ---------------------------------------------------------------------------------
    def _note(self, code: InlineCode, message: str) -> None:
        self.notes.append(f"code {code.id} ({describe(code)}): {message}")
        if code.id not in self.unsure:
            self.unsure.append(code.id)

    def _empty_closes(self, events: list) -> list:
        """At each offset, the closes of empty pairs (class 3) in the reverse order of their opens."""
        out, position = [], 0
        while position < len(events):
            offset = events[position][0]
            group = [e for e in events[position:] if e[0] == offset]
            position += len(group)
            opens = [e[3] for e in group if e[1] == 2]
            empties = sorted((e for e in group if e[1] == 3),
                             key=lambda e: -opens.index(self._partner(e[3])))
            out.extend([e for e in group if e[1] != 3] + empties)
        return out

    def _edited(self):
        """The translation with the edits made, and the map of offsets into it (an insertion
        anchored to a code goes right after that code: only codes emitted after it move)."""
        edits = sorted(self.edits, key=lambda e: (e[0], e[1]))
        parts, cursor = [], 0
        for a, b, replacement, _ in edits:
            parts += [self.text[cursor:a], replacement]
            cursor = b
        parts.append(self.text[cursor:])

        def shift(offset: int, passed: set[int]) -> int:
            moved = offset
            for a, b, replacement, anchor in edits:
                if a == b == offset and anchor is not None and anchor not in passed:
                    continue
                if offset >= b:
                    moved += len(replacement) - (b - a)
                elif offset > a:
                    moved -= offset - a
            return moved

        return "".join(parts), shift

    def _all_safe(self, why: str, text: str | None = None) -> Placement:
        text = self.text if text is None else text
        notes = [f"code {c.id} ({describe(c)}): {why}: put at the safe place" for c in self.codes
                 if c.role is not CodeRole.CLOSE]
        return Placement(text, safe_place(self.codes, len(text)), tuple(notes),
                         tuple(dict.fromkeys(c.id for c in self.codes)))


def _could_be(written: str, protected: str) -> bool:
    """Whether ``written`` can be the model's rendering of ``protected`` (a transliteration, a changed
    separator): about as long, at most one word more.  Anything longer is never taken out."""
    return (0 < len(written.strip()) <= max(2 * len(protected), len(protected) + 8)
            and len(written.split()) <= len(protected.split()) + 1)


def _problem(source: Sequence[InlineCode], placed: Sequence[InlineCode], text: str) -> str | None:
    if Counter((c.id, c.role) for c in source) != Counter((c.id, c.role) for c in placed):
        return "codes differ from the source's"
    if any(not 0 <= c.offset <= len(text) for c in placed):
        return "offset outside the text"
    return well_formed(placed)


def describe(code: InlineCode) -> str:
    """A code for humans: ``link``, ``bold, start``, ``protected 'Ctrl+C'``.

    >>> describe(InlineCode("1", CodeRole.START, CodeKind.BOLD, "<b>", 0))
    'bold, start'
    """
    kind = code.kind.value
    if code.kind is CodeKind.PROTECTED and code.role is CodeRole.STANDALONE:
        return f"{kind} {protected_text(code)!r}"
    if code.role in (CodeRole.START, CodeRole.END):
        return f"{kind}, {code.role.value}"
    return kind


def place(segment: Segment, result) -> Placement:
    """The codes of ``segment`` placed in its machine translation ``result`` (an MTResult made from
    :func:`model_text` with its alignment); see the module docstring.

    Every placement has the source's codes exactly (same ids and roles), well formed, with offsets
    within the text and never inside a word (but a protected code sits where its text was, and a
    line break that joined two words in the source joins them again).  ``result`` without an
    alignment (the beam's runner-up, a memory match): protected text found verbatim still stands
    for its code; everything else goes to the safe place.
    """
    if not segment.codes:
        return Placement(result.text, (), (), ())
    return _Placer(segment, result.text, getattr(result, "alignment", ())).run()
