"""Numbers, read the way each language writes them.

English sources write ``1,000`` and ``133.3``; Russian targets ``1 000`` (a space, no-break or
thin space between groups) and ``133,3`` (a decimal comma); Japanese ones ``1,000``, full-width
digits (``１２``) and amounts in 万 (10^4) and 億 (10^8): ``1億3330万`` is 133.3 million.  A
source number is found in the target when its digits are there (separators aside, so
``133.3`` = ``133,3``) or its value is (``$133.3 million`` = ``133 300 000`` = ``1億3330万``
= ``133,3 млн``; ``7 p.m.`` may become ``19:00``).  Numbers only the target has (``two
ferries`` -> ``2隻``) are fine.  Percentages must stay percentages (``%``, ``процент``,
``パーセント``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tandem.qa.base import Messages, QAUnit

_EN_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|\d+(?:\.\d+)?")
# Russian: digit groups split by a space (no-break and thin spaces fold to one), decimal comma.
_RU_NUMBER = re.compile(r"(?<![\d,])\d{1,3}(?: \d{3})+(?:,\d+)?(?![\d])|\d+(?:[,.]\d+)?")
_SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_EN_SCALED = re.compile(r"\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
_RU_SCALES = (("тыс", 3), ("млн", 6), ("миллион", 6), ("млрд", 9), ("миллиард", 9), ("трлн", 12),
              ("триллион", 12), ("тысяч", 3))
_RU_SCALED = re.compile(r"\s*(тыс|тысяч|млн|миллион|млрд|миллиард|трлн|триллион)", re.IGNORECASE)
_JA_AMOUNT = re.compile(r"(?:(\d+(?:\.\d+)?)兆)?(?:(\d+(?:\.\d+)?)億)?(?:(\d+(?:\.\d+)?)万)?(\d+)?")
_TIME = re.compile(r"(\d{1,2})(?::\d{2})?\s*(a\.m\.|p\.m\.|am\b|pm\b)", re.IGNORECASE)
_SOURCE_PERCENT = re.compile(r"(\d[\d.,]*)\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)
_TARGET_PERCENT = r"(?<![\d.,]){}\s?(?:%|процент|パーセント)"


@dataclass(frozen=True)
class Number:
    """A number as written (``text``), its digits (``key``) and the values it may stand for."""

    text: str
    key: str
    values: frozenset[Decimal]


def numbers(unit: QAUnit) -> Messages:
    """Source numbers the target does not have, by digits or by value; percentages that are not.

    >>> list(numbers(QAUnit("It costs $133.3 million.", "Стоит 133,3 млн долларов.", target_language="ru")))
    []
    >>> list(numbers(QAUnit("It costs $133.3 million.", "費用は1億3330万ドル。", target_language="ja")))
    []
    >>> list(numbers(QAUnit("Paid 400 (or 500).", "Заплатил 400 (или 600).", target_language="ru")))
    ['number(s) in the source not found in the target: 500']
    """
    remaining = target_numbers(unit.target, unit.language)
    missing = []
    for number in source_numbers(unit.source):
        found = _same(number, remaining)
        if found is None:
            missing.append(number.text)
        else:
            remaining.pop(found)  # each target number stands for one source number
    found = [f"number(s) in the source not found in the target: {', '.join(missing)}"] if missing else []
    return found + _percentages(unit.source, unit.target)


def _same(number: Number, candidates: list[Number]) -> int | None:
    """The index of the first candidate with the same digits, else of the first with a value in
    common, else None."""
    by_key = (i for i, c in enumerate(candidates) if c.key and c.key == number.key)
    by_value = (i for i, c in enumerate(candidates) if c.values & number.values)
    return next(by_key, next(by_value, None))


def source_numbers(text: str) -> list[Number]:
    """The numbers of an English text, with their values (scaled by "million" and the like, a
    p.m. hour also as its 24-hour value).

    >>> [(n.text, sorted(map(float, n.values))) for n in source_numbers("$4.2 million at 7 p.m.")]
    [('4.2', [4.2, 4200000.0]), ('7', [7.0, 19.0])]
    """
    folded = unicodedata.normalize("NFKC", text)
    hours = {m.start(1): int(m.group(1)) for m in _TIME.finditer(folded) if m.group(2).lower().startswith("p")}
    found = []
    for match in _EN_NUMBER.finditer(folded):
        value = _decimal(match.group().replace(",", ""))
        values = {value} if value is not None else set()
        scale = _EN_SCALED.match(folded, match.end())
        if scale and value is not None:
            values.add(value.scaleb(_SCALES[scale.group(1).lower()]))
        if match.start() in hours and hours[match.start()] < 12:
            values.add(Decimal(hours[match.start()] + 12))
        found.append(Number(match.group(), _key(match.group()), frozenset(values)))
    return found


def target_numbers(text: str, language: str) -> list[Number]:
    """The numbers of a target text in ``language``, with their values.

    >>> [(n.text, sorted(map(float, n.values))) for n in target_numbers("9 000 и 4,2 млн", "ru")]
    [('9 000', [9000.0]), ('4,2', [4.2, 4200000.0])]
    >>> sorted(v for n in target_numbers("約１億３３３０万ドル", "ja") for v in n.values)[-1]
    Decimal('133300000')
    """
    folded = unicodedata.normalize("NFKC", text)
    if language == "ru":
        return [_ru_number(m, folded) for m in _RU_NUMBER.finditer(folded)]
    found = [Number(m.group(), _key(m.group()), _values(_decimal(m.group().replace(",", ""))))
             for m in _EN_NUMBER.finditer(folded)]
    if language == "ja":
        found += _ja_amounts(folded)
    return found


def _ru_number(match: re.Match[str], text: str) -> Number:
    value = _decimal(match.group().replace(" ", "").replace(",", "."))
    values = set(_values(value))
    scale = _RU_SCALED.match(text, match.end())
    if scale and value is not None:
        word = scale.group(1).lower()
        values.add(value.scaleb(next(power for prefix, power in _RU_SCALES if word.startswith(prefix))))
    return Number(match.group(), _key(match.group()), frozenset(values))


def _ja_amounts(text: str) -> list[Number]:
    """Amounts written with 兆/億/万: "1億3330万" -> 133300000, "1万2000" -> 12000."""
    found = []
    for match in _JA_AMOUNT.finditer(text):
        cho, oku, man, rest = match.groups()
        if not (cho or oku or man):
            continue
        value = sum((_decimal(part or "0") or Decimal(0)).scaleb(power)
                    for part, power in ((cho, 12), (oku, 8), (man, 4), (rest, 0)))
        found.append(Number(match.group(), "", frozenset({value})))
    return found


def _percentages(source: str, target: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", target)
    lost = []
    for match in _SOURCE_PERCENT.finditer(unicodedata.normalize("NFKC", source)):
        number = match.group(1).rstrip(".,")
        forms = {number, number.replace(".", ",")}
        if not any(re.search(_TARGET_PERCENT.format(re.escape(f)), folded, re.IGNORECASE) for f in forms):
            lost.append(number + "%")
    return [f"percentage(s) of the source not given as percentages in the target: {', '.join(lost)}"] if lost else []


def _key(text: str) -> str:
    return re.sub(r"\D", "", text)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _values(value: Decimal | None) -> frozenset[Decimal]:
    return frozenset({value}) if value is not None else frozenset()
