"""What a translation carries over as it is written: URLs, e-mail addresses, @handles, and
(as a hint) acronyms and designations kept in Latin letters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from tandem.qa.base import Messages, QAUnit

# ASCII only: a Japanese sentence runs on after a URL without a space ("https://x.jp/aで。").
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL = re.compile(rf"(?<![A-Za-z0-9])(?:(?:https?|ftp)://|www\.){_URL_CHARS}+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_HANDLE = re.compile(r"(?<![A-Za-z0-9_@./])@[A-Za-z0-9_]{1,30}(?![A-Za-z0-9_]|\.[A-Za-z])")
# An acronym or designation: two capitals or more, maybe with digits ("THAAD", "SM-3",
# "RIM-161"); not a run of capitalised words (a dateline: "PORT ALDER", "ST. CLEMENT POINT"),
# not dotted ("U.S."),
# not a Roman numeral ("II").
_ACRONYM = re.compile(r"(?<![\w.-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w-]|\.\w)")
_ROMAN = re.compile(r"[IVXLCDM]+")
# Acronyms Russian and Japanese news usually translate, and how (any of these in the target).
RENDERINGS = {"US": ("США", "米"), "USA": ("США", "米国"), "UN": ("ООН", "国連"), "EU": ("ЕС", "欧州連合", "欧州"),
              "UK": ("Великобритан", "英国", "英"), "NATO": ("НАТО", "北大西洋条約機構"), "FBI": ("ФБР", "連邦捜査局"),
              "CIA": ("ЦРУ", "中央情報局"), "CEO": ("директор", "最高経営責任者", "社長"), "WHO": ("ВОЗ", "世界保健機関"),
              "IMF": ("МВФ", "国際通貨基金"), "GDP": ("ВВП", "国内総生産")}
_CAPS_RUN = re.compile(r"\b[A-Z]{2,}\b\.?(?:[\s,]+\b[A-Z]{2,}\b\.?)+")


def urls(unit: QAUnit) -> Messages:
    """URLs not carried into the target exactly, or added by it.

    >>> list(urls(QAUnit("See https://example.com/r.", "См. https://example.ru/r.", target_language="ru")))
    ['URL(s) of the source not in the target: https://example.com/r; in the target only: https://example.ru/r']
    """
    return _compare(unit, _found(_URL), "URL(s)")


def emails(unit: QAUnit) -> Messages:
    """E-mail addresses not carried into the target exactly, or added by it.

    >>> list(emails(QAUnit("Write to press@example.org.", "Пишите на press@example.org.", target_language="ru")))
    []
    """
    return _compare(unit, _found(_EMAIL), "e-mail address(es)")


def handles(unit: QAUnit) -> Messages:
    """@handles (social media accounts; ASCII letters, digits and _) not carried into the target
    exactly.

    >>> list(handles(QAUnit("Follow @PortAlderCity.", "Подписывайтесь на @ПортОлдер.", target_language="ru")))
    ['@handle(s) of the source not in the target: @PortAlderCity']
    """
    return _compare(unit, _found(_HANDLE), "@handle(s)")


def _found(pattern: re.Pattern[str]) -> Callable[[str], list[str]]:
    # A sentence's full stop or comma after a URL is not part of it.
    return lambda text: [m.group().rstrip(".,;:!?)") for m in pattern.finditer(text)]


def _compare(unit: QAUnit, find: Callable[[str], list[str]], what: str) -> list[str]:
    source, target = Counter(find(unit.source)), Counter(find(unit.target))
    missing, added = list((source - target).elements()), list((target - source).elements())
    if not missing and not added:
        return []
    parts = ([f"{what} of the source not in the target: {', '.join(missing)}"] if missing else [])
    parts += [f"in the target only: {', '.join(added)}"] if added else []
    return ["; ".join(parts)]


def _designation(word: str) -> bool:
    """Two capitals or more, or a capital with digits ("F-35"); not a Roman numeral."""
    capitals = sum(c.isupper() for c in word)
    return (capitals >= 2 or any(c.isdigit() for c in word)) and not _ROMAN.fullmatch(word)


def _kept(acronym: str, target: str) -> bool:
    """The acronym as written, or one of its usual translations (:data:`RENDERINGS`)."""
    folded = target.casefold()
    return acronym in target or any(r.casefold() in folded for r in RENDERINGS.get(acronym, ()))


def acronyms(unit: QAUnit) -> Messages:
    """Acronyms and designations of the source ("THAAD", "SM-3", "RIM-161") not in the
    target as written (or, for a few such as UN, NATO, CEO, as Russian and Japanese news
    usually translate them: :data:`RENDERINGS`).  Only a hint: the glossary's do-not-translate
    terms say which must stay.

    >>> list(acronyms(QAUnit("The THAAD battery moved.", "Батарея ТХААД переехала.", target_language="ru")))
    ['acronym(s) of the source not in the target as written: THAAD']
    >>> list(acronyms(QAUnit("PORT ALDER, December 28 — SM-3 tests.", "ПОРТ-ОЛДЕР, 28 декабря — испытания SM-3.",
    ...                      target_language="ru")))
    []
    """
    in_runs = {m.start(): m.end() for m in _CAPS_RUN.finditer(unit.source)}
    spans = [range(start, end) for start, end in in_runs.items()]
    missing = [m.group() for m in _ACRONYM.finditer(unit.source)
               if _designation(m.group()) and not any(m.start() in span for span in spans)
               and not _kept(m.group(), unit.target)]
    if not missing:
        return []
    return [f"acronym(s) of the source not in the target as written: {', '.join(dict.fromkeys(missing))}"]
