"""Glossary terms through machine translation: masked as protected codes, put back after.

CTranslate2 has no constrained decoding, so a term the translation must keep is *masked*:
its text is taken out of the segment and a standalone PROTECTED code stands in its place
(:func:`mask`).  The model still reads the whole sentence (:func:`tandem.mt.codes.model_text`
puts a protected code's text back for it), and :func:`tandem.mt.codes.place` finds where the
term went in the translation, as for any protected span.  :func:`unmask` then writes the
term's replacement where its code landed, and the code disappears: the stored translation
has exactly the source's own codes, and the term is in its text.

* A do-not-translate term (names, designations: "THAAD", "SM-3 Block IIA") is replaced by
  itself: it comes back verbatim, wherever the alignment put it.
* With ``enforce`` (``run --enforce-terms``), a term with a preferred target term is replaced
  by that term, as the glossary writes it.  The model's own rendering is taken out, so
  nothing adapts it to the sentence: Russian case endings stay those of the glossary's form
  («Сергей Лавров» also where the sentence needs «Сергея Лаврова»).  Meant for names and
  designations whose form does not change; without it, preferred terms are only checked.

A term that a code cuts in the middle (``<b>Sergei</b> Lavrov``) is not masked: removing it
would break the code's pair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tandem.document import (Candidate, CodeKind, CodeRole, InlineCode, Segment, TermMatch, Translation,
                             word_separator)

TERM_CODE = "term"  # prefix of a masked term's code id (source code ids are numbers)


@dataclass(frozen=True)
class Masked:
    """A segment as MT gets it, and what each masked term's code becomes in the translation."""

    segment: Segment
    replacements: Mapping[str, str]  # code id -> the text the translation gets in its place


def masked_terms(matches: Sequence[TermMatch], language: str, enforce: bool) -> list[TermMatch]:
    """The matches to mask for ``language``: do-not-translate terms, and with ``enforce`` every
    term with a preferred (or admitted) translation into it."""
    return [m for m in matches
            if m.entry.do_not_translate or (enforce and m.entry.preferred(language) is not None)]


def mask(segment: Segment, matches: Sequence[TermMatch], language: str, enforce: bool = False) -> Masked | None:
    """``segment`` with its terms to mask (see :func:`masked_terms`) taken out, or None if none.

    >>> from tandem.document import GlossaryEntry
    >>> s = Segment(1, 1, "THAAD was moved.", 0, 16)
    >>> m = mask(s, [TermMatch(GlossaryEntry("THAAD", do_not_translate=True), 0, 5, "THAAD")], "ru")
    >>> m.segment.text, m.segment.codes[0].equiv, dict(m.replacements)
    (' was moved.', 'THAAD', {'term1': 'THAAD'})
    """
    chosen = [m for m in masked_terms(matches, language, enforce) if not _cut_by_codes(m, segment.codes)]
    if not chosen:
        return None
    chosen.sort(key=lambda m: m.start)
    text, keyed, replacements = [], [], {}
    cursor = removed = 0
    for number, match in enumerate(chosen, start=1):
        code_id = f"{TERM_CODE}{number}"
        text.append(segment.text[cursor:match.start])
        code = InlineCode(code_id, CodeRole.STANDALONE, CodeKind.PROTECTED, match.text, match.start - removed,
                          match.text)
        keyed.append(((match.start - removed, 1, match.start), code))
        replacements[code_id] = _replacement(match, language)
        removed += match.end - match.start
        cursor = match.end
    text.append(segment.text[cursor:])
    keyed += [(_source_key(code, chosen), _shifted(code, chosen)) for code in segment.codes]
    codes = tuple(code for _, code in sorted(keyed, key=lambda item: item[0]))
    return Masked(replace(segment, text="".join(text), codes=codes), replacements)


def unmask(translation: Translation, masked: Masked, source_text: str) -> Translation:
    """The translation of a masked segment with each term code replaced by its text (and its
    candidates likewise, as translations of ``source_text``, the segment as written): the codes
    left are exactly the source segment's."""
    spaced = bool(word_separator(translation.language))
    text, codes = unmask_text(translation.text, translation.codes, masked.replacements, spaced)
    candidates = tuple(_unmask_candidate(c, masked.replacements, source_text, spaced) for c in translation.candidates)
    return replace(translation, text=text, codes=codes, candidates=candidates)


def unmask_text(text: str, codes: Sequence[InlineCode], replacements: Mapping[str, str],
                spaced: bool = True) -> tuple[str, tuple[InlineCode, ...]]:
    """``text`` with every code named in ``replacements`` replaced by its text (codes after it
    shift; a code at the same offset keeps its side by its order in ``codes``).  In a script
    written with spaces (``spaced``), a term that would touch a word gets a space on that side
    (the safe place, the end of the sentence, has none).

    >>> c = lambda at: InlineCode("term1", CodeRole.STANDALONE, CodeKind.PROTECTED, "THAAD", at, "THAAD")
    >>> unmask_text(" перевезли.", (c(0),), {"term1": "THAAD"})
    ('THAAD перевезли.', ())
    >>> unmask_text("батарея", (c(7),), {"term1": "THAAD"})
    ('батарея THAAD', ())
    """
    order = sorted(range(len(codes)), key=lambda i: (codes[i].offset, i))
    parts, kept, cursor, shift = [], [], 0, 0
    for i in order:
        code = codes[i]
        offset = min(max(code.offset, 0), len(text))
        if code.id in replacements:
            before = "".join(parts) + text[cursor:offset]
            inserted = _spaced(replacements[code.id], before[-1:], text[offset:offset + 1]) if spaced \
                else replacements[code.id]
            parts += [text[cursor:offset], inserted]
            cursor = offset
            shift += len(inserted)
        else:
            kept.append((i, replace(code, offset=code.offset + shift)))
    parts.append(text[cursor:])
    return "".join(parts), tuple(code for _, code in sorted(kept))


def _spaced(term: str, before: str, after: str) -> str:
    """``term`` with a space on each side where it would otherwise touch a letter or digit."""
    lead = " " if before.isalnum() and term[:1].isalnum() else ""
    trail = " " if after.isalnum() and term[-1:].isalnum() else ""
    return f"{lead}{term}{trail}"


def _unmask_candidate(candidate: Candidate, replacements: Mapping[str, str], source_text: str,
                      spaced: bool) -> Candidate:
    text, codes = unmask_text(candidate.text, candidate.codes, replacements, spaced)
    return replace(candidate, text=text, codes=codes, source_text=source_text)


def _replacement(match: TermMatch, language: str) -> str:
    if match.entry.do_not_translate:
        return match.text  # as the source writes it ("THAAD's" stays "THAAD's" only if DNT says so)
    preferred = match.entry.preferred(language)
    return preferred.text if preferred is not None else match.text


def _cut_by_codes(match: TermMatch, codes: Sequence[InlineCode]) -> bool:
    """A code strictly inside the term: masking would take its text away from around it."""
    return any(match.start < code.offset < match.end for code in codes)


def _shifted(code: InlineCode, chosen: Sequence[TermMatch]) -> InlineCode:
    removed = sum(m.end - m.start for m in chosen if m.end <= code.offset)
    return replace(code, offset=code.offset - removed)


def _source_key(code: InlineCode, chosen: Sequence[TermMatch]) -> tuple[int, int, int]:
    """Sort key of a source code among the term codes: a code at a term's start comes before
    it (an open of a link around the term), one at its end after it (the link's close)."""
    new_offset = _shifted(code, chosen).offset
    at_end = any(m.end == code.offset for m in chosen)
    return new_offset, 2 if at_end else 0, code.offset
