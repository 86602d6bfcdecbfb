"""Dates and weekdays: "December 28" is «28 декабря» in Russian and 12月28日 in Japanese.

The numbers check sees the 28; this one sees the month.  A month with a day must come back
with that day in the target's own form (Russian: the day, then the month in the genitive, or
``28.12``; Japanese: ``12月28日``); a month alone as the month (any case of the Russian
word; ``9月``); a weekday as the weekday (``вторник``/``во вторник``, ``火曜日``).  "May"
counts only with a day ("May 4"), as the verb is far more frequent.  Other target languages
are not checked.
"""

from __future__ import annotations

import re
import unicodedata

from tandem.qa.base import Messages, QAUnit

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
# News style abbreviates with a dot ("Dec. 28"); without it "Mar" or "Jan" is more likely a name.
_SHORT = {"Jan.": 1, "Feb.": 2, "Mar.": 3, "Apr.": 4, "Aug.": 8, "Sep.": 9, "Sept.": 9, "Oct.": 10, "Nov.": 11,
          "Dec.": 12}
_MONTH_NAMES = {**{name: number for number, name in enumerate(_MONTHS, start=1)}, **_SHORT}
_NAME = "|".join(re.escape(name) for name in sorted(_MONTH_NAMES, key=len, reverse=True))
_DAY_AFTER = re.compile(rf"(?<!\w)({_NAME})(?!\w)(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\d:]))?")
_DAY_BEFORE = re.compile(rf"(?<![\w.,])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_NAME})(?!\w)")
_RU_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                "октября", "ноября", "декабря")
_RU_NOMINATIVE = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
                  "ноябрь", "декабрь")
_RU_ANY_CASE = ("январ[ьяюе]", "феврал[ьяюе]", "март[ауе]?", "апрел[ьяюе]", "ма[йяюе]", "июн[ьяюе]",
                "июл[ьяюе]", "август[ауе]?", "сентябр[ьяюе]", "октябр[ьяюе]", "ноябр[ьяюе]", "декабр[ьяюе]")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})s?\b")
_RU_WEEKDAYS = ("понедельник\\w*", "вторник\\w*", "сред(?:а|у|ы|е|ам|ами|ах)", "четверг\\w*", "пятниц\\w*",
                "суббот\\w*", "воскресень\\w*")
_JA_WEEKDAYS = "月火水木金土日"
_RU_WEEKDAY_NAMES = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


def dates(unit: QAUnit) -> Messages:
    """Months and weekdays of the source the target does not have in its language's form.

    >>> list(dates(QAUnit("Voted on December 28.", "Проголосовали 28 декабря.", target_language="ru")))
    []
    >>> list(dates(QAUnit("Voted on December 28.", "12月8日に可決。", target_language="ja")))
    ["date 'December 28' not found in the target as 12月28日"]
    """
    if unit.language not in ("ru", "ja"):
        return []
    target, language = unicodedata.normalize("NFKC", unit.target), unit.language
    missing = [f"date '{text}' not found in the target as {_expected(month, day, language)}"
               for text, month, day in source_dates(unit.source) if not _has_date(target, month, day, language)]
    missing += [f"weekday '{name}' not found in the target as {_weekday_name(index, language)}"
                for name, index in _source_weekdays(unit.source) if not _has_weekday(target, index, language)]
    return missing


def source_dates(text: str) -> list[tuple[str, int, int | None]]:
    """The dates of an English text: (as written, month 1-12, day or None).

    >>> source_dates("On December 28 and 4 July, then in September; you may go. May 5.")
    [('December 28', 12, 28), ('4 July', 7, 4), ('September', 9, None), ('May 5', 5, 5)]
    """
    found = {m.start(): (m.group(), _MONTH_NAMES[m.group(2)], int(m.group(1))) for m in _DAY_BEFORE.finditer(text)}
    taken = [range(m.start(), m.end()) for m in _DAY_BEFORE.finditer(text)]
    for m in _DAY_AFTER.finditer(text):
        day = int(m.group(2)) if m.group(2) and 1 <= int(m.group(2)) <= 31 else None
        if any(m.start(1) in span for span in taken) or (m.group(1) == "May" and day is None):
            continue
        found[m.start()] = (m.group(1) + (f" {m.group(2)}" if day else ""), _MONTH_NAMES[m.group(1)], day)
    return [found[k] for k in sorted(found)]


def _has_date(target: str, month: int, day: int | None, language: str) -> bool:
    if language == "ja":
        pattern = rf"(?<!\d)0?{month}月" + (rf"\s?0?{day}日" if day else "")
        return re.search(pattern, target) is not None
    if day is None:
        return re.search(rf"\b{_RU_ANY_CASE[month - 1]}\b", target, re.IGNORECASE) is not None
    spelled = rf"(?<!\d)0?{day}(?:-?го)?\s+{_RU_GENITIVE[month - 1]}\b"
    numeric = rf"(?<![\d.]){day:02d}\.{month:02d}(?![\d])|(?<![\d.]){day}\.{month:02d}(?![\d])"
    return re.search(f"{spelled}|{numeric}", target, re.IGNORECASE) is not None


def _expected(month: int, day: int | None, language: str) -> str:
    if language == "ja":
        return f"{month}月{day}日" if day else f"{month}月"
    return f"«{day} {_RU_GENITIVE[month - 1]}»" if day else f"«{_RU_NOMINATIVE[month - 1]}» (in any case)"


def _source_weekdays(text: str) -> list[tuple[str, int]]:
    return [(m.group(), _WEEKDAYS.index(m.group(1))) for m in _WEEKDAY.finditer(text)]


def _has_weekday(target: str, index: int, language: str) -> bool:
    if language == "ja":
        return f"{_JA_WEEKDAYS[index]}曜" in target
    return re.search(rf"\b{_RU_WEEKDAYS[index]}", target, re.IGNORECASE) is not None


def _weekday_name(index: int, language: str) -> str:
    return f"{_JA_WEEKDAYS[index]}曜日" if language == "ja" else f"«{_RU_WEEKDAY_NAMES[index]}»"
