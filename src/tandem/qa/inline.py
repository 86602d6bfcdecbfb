"""Inline codes in the target: exactly the source's (``codes``), and not where
:mod:`tandem.mt.codes` puts what it cannot place with confidence (``code-placement``).

Both are found from the codes alone, as the memory keeps them: offsets into the plain texts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tandem.document import CodeRole, InlineCode
from tandem.qa.base import Messages, QAUnit
from tandem.segment.codes import well_formed


def codes(unit: QAUnit) -> Messages:
    """The target's codes are not exactly its source's: missing, extra, duplicated, unknown id,
    another role, outside the text, or not nesting (one message naming them all).

    >>> from tandem.document import CodeKind
    >>> a = lambda role, at: InlineCode("1", role, CodeKind.LINK, "", at)
    >>> list(codes(QAUnit("Read the report.", "Прочтите доклад.", target_language="ru",
    ...                   source_codes=(a(CodeRole.OPEN, 5), a(CodeRole.CLOSE, 15)),
    ...                   target_codes=(a(CodeRole.OPEN, 0),))))
    ['code(s) missing in the target: 1 (link, close)']
    """
    problems = code_problems(unit.source_codes, unit.target_codes, len(unit.target))
    return ["; ".join(problems)] if problems else []


def placement(unit: QAUnit) -> Messages:
    """Codes (well formed and complete) at the safe place in the target but not in the source
    (see :func:`safe_placed`)."""
    if code_problems(unit.source_codes, unit.target_codes, len(unit.target)):
        return []
    return safe_placed(unit.source_codes, unit.target_codes, len(unit.source), len(unit.target))


def code_problems(source: Sequence[InlineCode], target: Sequence[InlineCode], length: int) -> list[str]:
    """Why the target's codes are not exactly the source's (empty: they are)."""
    if not source and not target:
        return []
    return _code_problems(source, target, length)


def _name(code: InlineCode, kinds: dict[str, str]) -> str:
    return f"{code.id} ({kinds.get(code.id, code.kind.value)}, {code.role.value})"


def _code_problems(source: Sequence[InlineCode], target: Sequence[InlineCode], length: int) -> list[str]:
    kinds = {c.id: c.kind.value for c in source}
    wanted, got = Counter((c.id, c.role) for c in source), Counter((c.id, c.role) for c in target)
    by_key = {(c.id, c.role): c for c in (*target, *source)}
    problems = []
    missing = [by_key[k] for k in wanted if got[k] < wanted[k]]
    if missing:
        problems.append("code(s) missing in the target: " + ", ".join(_name(c, kinds) for c in missing))
    unknown = [c for c in target if c.id not in kinds]
    if unknown:
        problems.append("code(s) not in the source: " + ", ".join(_name(c, kinds) for c in unknown))
    extra = [by_key[k] for k in got if got[k] > wanted[k] and k[0] in kinds]
    duplicated = [c for c in extra if wanted[(c.id, c.role)]]
    if duplicated:
        problems.append("code(s) duplicated in the target: " + ", ".join(_name(c, kinds) for c in duplicated))
    changed = [c for c in extra if not wanted[(c.id, c.role)]]
    if changed:
        problems.append("code(s) with another role than in the source: " + ", ".join(_name(c, kinds) for c in changed))
    outside = [c for c in target if not 0 <= c.offset <= length]
    if outside:
        problems.append("code(s) outside the target text: " + ", ".join(_name(c, kinds) for c in outside))
    if not problems:
        broken = well_formed(target)
        if broken:
            problems.append(f"codes do not nest in the target: {broken}")
    return problems


def _spans(codes: Sequence[InlineCode], length: int) -> dict[str, tuple[int, int]]:
    """Each pair's, isolated start's (to the end) and end's (from the start) span."""
    spans: dict[str, list[int]] = {}
    for c in codes:
        if c.role is CodeRole.OPEN:
            spans.setdefault(c.id, [c.offset, c.offset])[0] = c.offset
        elif c.role is CodeRole.CLOSE:
            spans.setdefault(c.id, [c.offset, c.offset])[1] = c.offset
        elif c.role is CodeRole.START:
            spans[c.id] = [c.offset, length]
        elif c.role is CodeRole.END:
            spans[c.id] = [0, c.offset]
    return {k: (a, b) for k, (a, b) in spans.items()}


def safe_placed(source: Sequence[InlineCode], target: Sequence[InlineCode], source_length: int,
                 target_length: int) -> list[str]:
    """Codes where :mod:`tandem.mt.codes` puts what it cannot place with confidence (the safe place:
    a pair around the whole sentence or around exactly what an enclosing code covers, an isolated
    start at the sentence's or enclosing start's place, an end likewise, a standalone code at the
    end) while in the source they are not."""
    kinds = {c.id: c.kind.value for c in source}
    roles: dict[str, CodeRole] = {}
    for c in source:  # a pair is known by its open
        roles[c.id] = c.role if c.role is not CodeRole.CLOSE or c.id not in roles else roles[c.id]
    s_spans, t_spans = _spans(source, source_length), _spans(target, target_length)
    found = []
    for key, (a, b) in s_spans.items():
        t = t_spans[key]
        if roles[key] is CodeRole.OPEN and a == b:  # an empty pair (or one holding a protected span only)
            if (t[0] == target_length and a != source_length) or (t == (0, target_length) and 0 < target_length):
                found.append(f"code {key} ({kinds[key]}) is at the end of the target (or around all of it) but "
                             "not in the source: it may be at the safe place; check where it belongs")
            continue
        whole_t, whole_s = (0, target_length), (0, source_length)
        enclosing = [(other, span) for other, span in s_spans.items()
                     if other != key and span[0] <= a and b <= span[1] and span != (a, b)]
        if roles[key] in (CodeRole.OPEN, CodeRole.CLOSE):
            if t == whole_t and (a, b) != whole_s:
                found.append(f"code {key} ({kinds[key]}) covers the whole target sentence but not the whole "
                             "source: it may be at the safe place; check where it belongs")
                continue
            same = [o for o, _ in enclosing if t_spans.get(o) == t]
            if same:
                found.append(f"code {key} ({kinds[key]}) covers exactly what code {same[0]} covers in the target "
                             "but not in the source: it may be at the safe place; check where it belongs")
        elif roles[key] is CodeRole.START:
            if (t[0] == 0 and a != 0) or any(t_spans.get(o, (-1, -1))[0] == t[0] for o, _ in enclosing):
                found.append(f"code {key} ({kinds[key]}, start) is at the start of the target sentence (or of an "
                             "enclosing code) but not in the source: it may be at the safe place; check it")
        elif roles[key] is CodeRole.END:
            if (t[1] == target_length and b != source_length) or any(
                    t_spans.get(o, (-1, -1))[1] == t[1] for o, _ in enclosing):
                found.append(f"code {key} ({kinds[key]}, end) is at the end of the target sentence (or of an "
                             "enclosing code) but not in the source: it may be at the safe place; check it")
    positions = {c.id: c.offset for c in target if c.role is CodeRole.STANDALONE}
    for c in source:
        if c.role is CodeRole.STANDALONE and positions.get(c.id) == target_length and c.offset != source_length:
            found.append(f"code {c.id} ({kinds[c.id]}) is at the end of the target but not of the source: "
                         "it may be at the safe place; check where it belongs")
    return found
