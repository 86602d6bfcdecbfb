"""Quality checks on one segment pair: numbers, quote and bracket balance, inline codes.

Each check returns :class:`~tandem.document.Finding` objects; writers show
them to the reviewer (XLIFF ``<note>``).  The checks are deliberately
conservative -- they point at what a reviewer should look at, nothing more.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from tandem.document import CodeRole, Finding, InlineCode
from tandem.segment.codes import well_formed

# Digit groups ("1 000", "1,000"), decimals ("133.3", "133,3"), plain integers.
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])|\d+(?:[.,]\d+)*")
_SCALED = re.compile(r"(\d+(?:[.,]\d+)?)\s*(thousand|million|billion)\b", re.IGNORECASE)
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
_MAN_OKU = re.compile(r"(?:(\d+)億)?(?:(\d+)万)?")  # Japanese/Chinese 億 (10^8) and 万 (10^4)
_BRACKETS = (("(", ")"), ("[", "]"), ("（", "）"), ("［", "］"), ("{", "}"))
_OPENING_QUOTES = "«「『„"
_CLOSING_QUOTES = "»」』”"


def check(source: str, target: str, source_codes: Sequence[InlineCode] = (),
          target_codes: Sequence[InlineCode] = ()) -> tuple[Finding, ...]:
    """All findings for a source segment and its (non-empty) target, with their inline codes
    (offsets into ``source`` and ``target``; see :func:`codes`).

    >>> check("It costs $133.3 million.", "Стоит 133,3 млн долларов.")
    ()
    >>> check("It costs $133.3 million.", "費用は1億3330万ドル。")
    ()
    >>> [f.code for f in check("Paid 400 (or more).", "Заплатил (или больше.")]
    ['numbers', 'brackets']
    """
    if not target.strip():
        return ()
    return (*_numbers(source, target), *_balance(source, target),
            *codes(source_codes, target_codes, len(source), len(target)))


def numbers(text: str) -> list[str]:
    """Numbers in ``text`` in a comparable form: separators removed, full-width digits folded.

    >>> numbers("$133.3 million, 1,000 ships, ３ days, 1 000 tons")
    ['1333', '1000', '3', '1000']
    """
    folded = unicodedata.normalize("NFKC", text)
    return [re.sub(r"\D", "", n) for n in _NUMBER.findall(folded)]


def _numbers(source: str, target: str) -> list[Finding]:
    remaining = numbers(target)
    in_man_oku = _man_oku_values(target)
    scaled = {re.sub(r"\D", "", n): v for n, v in _scaled_values(source)}
    missing = []
    for number in numbers(source):
        if number in remaining:
            remaining.remove(number)
        elif scaled.get(number) not in in_man_oku:  # "$133.3 million" = "1億3330万ドル"
            missing.append(number)
    if not missing:
        return []
    shown = ", ".join(n for n in _NUMBER.findall(source) if re.sub(r"\D", "", n) in missing)
    return [Finding("numbers", f"number(s) in the source not found in the target: {shown}")]


def _scaled_values(text: str) -> list[tuple[str, int]]:
    """("133.3", 133300000) for "133.3 million"."""
    return [(n, round(float(n.replace(",", ".")) * _SCALES[scale.lower()]))
            for n, scale in _SCALED.findall(text)]


def _man_oku_values(text: str) -> set[int | None]:
    """Values written with 億/万: "1億3330万" -> 133300000, "420万" -> 4200000."""
    folded = unicodedata.normalize("NFKC", text)
    return {int(oku or 0) * 10**8 + int(man or 0) * 10**4
            for oku, man in _MAN_OKU.findall(folded) if oku or man}


def _balance(source: str, target: str) -> list[Finding]:
    findings = []
    if _quotes_balanced(source) and not _quotes_balanced(target):
        findings.append(Finding("quotes", "quotation marks are unbalanced in the target"))
    if _brackets_balanced(source) and not _brackets_balanced(target):
        findings.append(Finding("brackets", "brackets are unbalanced in the target"))
    return findings


def _quotes_balanced(text: str) -> bool:
    # “ opens English quotes but closes Russian „...“ ones.
    low = text.count("„")
    opening = sum(text.count(q) for q in _OPENING_QUOTES) + text.count("“") - low
    closing = sum(text.count(q) for q in _CLOSING_QUOTES) + low
    return opening == closing and text.count('"') % 2 == 0


def _brackets_balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in _BRACKETS)


# -- inline codes ---------------------------------------------------------------------------------

def codes(source_codes: Sequence[InlineCode], target_codes: Sequence[InlineCode], source_length: int,
          target_length: int) -> list[Finding]:
    """Findings ``codes``: the target's codes are not exactly its source's (missing, extra,
    duplicated, unknown id, outside the text, a broken pair); ``code-placement``: a code sits where
    :mod:`tandem.mt.codes` puts what it cannot place with confidence (the safe place: a pair around
    the whole sentence or around exactly what an enclosing code covers, an isolated start at the
    sentence's or enclosing start's place, an end likewise, a standalone code at the end) while in
    the source it does not; found from the codes alone, as the memory keeps them.

    >>> from tandem.document import CodeKind
    >>> a = lambda role, at: InlineCode("1", role, CodeKind.LINK, "", at)
    >>> codes([a(CodeRole.OPEN, 6), a(CodeRole.CLOSE, 12)], [a(CodeRole.OPEN, 0)], 23, 20)[0].message
    'code(s) missing in the target: 1 (link, close)'
    >>> around_all = [a(CodeRole.OPEN, 0), a(CodeRole.CLOSE, 20)]
    >>> codes([a(CodeRole.OPEN, 6), a(CodeRole.CLOSE, 12)], around_all, 23, 20)[0].code
    'code-placement'
    """
    if not source_codes and not target_codes:
        return []
    problems = _code_problems(source_codes, target_codes, target_length)
    if problems:
        return [Finding("codes", "; ".join(problems))]
    return [Finding("code-placement", message)
            for message in _safe_placed(source_codes, target_codes, source_length, target_length)]


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


def _safe_placed(source: Sequence[InlineCode], target: Sequence[InlineCode], source_length: int,
                 target_length: int) -> list[str]:
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
