"""Quality checks on one segment pair: numbers, quote and bracket balance.

Each check returns :class:`~tandem.document.Finding` objects; writers show
them to the reviewer (XLIFF ``<note>``).  The checks are deliberately
conservative -- they point at what a reviewer should look at, nothing more.
"""

from __future__ import annotations

import re
import unicodedata

from tandem.document import Finding

# Digit groups ("1 000", "1,000"), decimals ("133.3", "133,3"), plain integers.
_NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d])|\d+(?:[.,]\d+)*")
_SCALED = re.compile(r"(\d+(?:[.,]\d+)?)\s*(thousand|million|billion)\b", re.IGNORECASE)
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
_MAN_OKU = re.compile(r"(?:(\d+)億)?(?:(\d+)万)?")  # Japanese/Chinese 億 (10^8) and 万 (10^4)
_BRACKETS = (("(", ")"), ("[", "]"), ("（", "）"), ("［", "］"), ("{", "}"))
_OPENING_QUOTES = "«「『„"
_CLOSING_QUOTES = "»」』”"


def check(source: str, target: str) -> tuple[Finding, ...]:
    """All findings for a source segment and its (non-empty) target.

    >>> check("It costs $133.3 million.", "Стоит 133,3 млн долларов.")
    ()
    >>> check("It costs $133.3 million.", "費用は1億3330万ドル。")
    ()
    >>> [f.code for f in check("Paid 400 (or more).", "Заплатил (или больше.")]
    ['numbers', 'brackets']
    """
    if not target.strip():
        return ()
    return (*_numbers(source, target), *_balance(source, target))


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
