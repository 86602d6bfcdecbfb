"""Is the target a translation into its language at all: not the source again, in the
target's script, of a plausible length, capitalised like the source, free of doubled words,
and (for MT) produced with some confidence.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import groupby

from tandem.document import Origin
from tandem.qa.base import LETTERS, Messages, QAUnit, fold, japanese, script

# Character-length ratio target/source a translation is expected to fall within, per target
# language, calibrated on the hand-written sample translation (samples/harbor-radar.tmx): its
# sentences of 20+ characters run 0.62-1.44 in Russian and 0.34-0.73 in Japanese; the bounds
# leave a margin around that for other styles of writing.
LENGTH_RATIOS = {"ru": (0.5, 2.0), "ja": (0.2, 0.9)}
MIN_LENGTH_SOURCE = 20  # shorter sources vary too much ("Yes." -> "Да." / "はい。")
# MT mean log-probability per token below which a target is "low confidence": the model gave
# its tokens a geometric-mean probability under e^-1 (about 37%).  A real argos model scores
# fluent sentences around -0.1 to -0.5; the random test models score -1.3 to -2.1.
LOW_CONFIDENCE = -1.0
# The scripts a target's letters must mostly be in (words it copies from the source aside).
_SCRIPTS = {"ru": ("cyrillic",), "ja": ("kana", "han")}
_SCRIPT_NAMES = {"ru": "Cyrillic", "ja": "kana or kanji"}
_MIN_LETTERS = 4  # fewer letters of its own, and a target is a name or a number


def untranslated(unit: QAUnit) -> Messages:
    """The target is the source again (case and spacing aside), and the source has words to
    translate -- not only names, designations or numbers ("THAAD", "SM-3 Block IIA", "12:30").

    >>> list(untranslated(QAUnit("Not everyone is convinced.", "Not everyone is convinced.", target_language="ru")))
    ['the target is the source, untranslated']
    >>> list(untranslated(QAUnit("THAAD", "THAAD", target_language="ja")))
    []
    """
    same = " ".join(fold(unit.source).split()) == " ".join(fold(unit.target).split())
    return ["the target is the source, untranslated"] if same and translatable(unit.source) else []


def translatable(text: str) -> bool:
    """Whether a text has a word to translate: an all-lowercase word of two or more letters
    (names, designations and acronyms are capitalised).

    >>> translatable("Northlight Systems Inc."), translatable("SM-3 Block IIA"), translatable("Read more")
    (False, False, True)
    """
    return any(len(w) > 1 and w.islower() for w in LETTERS.findall(text))


def wrong_script(unit: QAUnit) -> Messages:
    """A Russian target not mostly in Cyrillic letters, a Japanese one not mostly in kana and
    kanji -- counting only the letters of words the source does not have (names and
    designations copied from the source are fine).

    >>> list(wrong_script(QAUnit("The council met.", "Council se reunió hoy.", target_language="ru")))
    ['the target is not in Cyrillic: 0 of its 11 letters (source words aside)']
    >>> list(wrong_script(QAUnit("SM-3 Block IIA is ready.", "SM-3 Block IIA готов.", target_language="ru")))
    []
    """
    wanted = _SCRIPTS.get(unit.language)
    if wanted is None:
        return []
    copied = {fold(run) for run in _runs(unit.source)}
    scripts: Counter[str] = Counter()
    for run in (r for r in _runs(unit.target) if fold(r) not in copied):
        scripts[script(run[0])] += len(run)
    total, right = sum(scripts.values()), sum(scripts[s] for s in wanted)
    if total < _MIN_LETTERS or right * 2 > total:
        return []
    return [f"the target is not in {_SCRIPT_NAMES[unit.language]}: {right} of its {total} letters (source words aside)"]


def _runs(text: str) -> list[str]:
    """The letters of ``text`` in runs of one script ("IIA試験場" is "IIA" and "試験場")."""
    return ["".join(chars) for word in LETTERS.findall(text)
            for kind, chars in groupby(word, key=script) if kind]


def length(unit: QAUnit) -> Messages:
    """A target much shorter or longer than its source, for the target language (see
    :data:`LENGTH_RATIOS`; sources of :data:`MIN_LENGTH_SOURCE` characters or more).

    >>> list(length(QAUnit("The council voted to fund the radar upgrade.", "Совет.", target_language="ru")))
    ['the target is 0.14 times as long as the source (expected 0.5-2.0 for ru)']
    """
    bounds = LENGTH_RATIOS.get(unit.language)
    source, target = len(unit.source.strip()), len(unit.target.strip())
    if bounds is None or source < MIN_LENGTH_SOURCE:
        return []
    ratio = target / source
    if bounds[0] <= ratio <= bounds[1]:
        return []
    return [f"the target is {ratio:.2f} times as long as the source (expected {bounds[0]}-{bounds[1]} for {unit.language})"]


def low_confidence(unit: QAUnit) -> Messages:
    """Machine translation the model scored below :data:`LOW_CONFIDENCE`.

    >>> list(low_confidence(QAUnit("Hello.", "Привет.", target_language="ru", origin=Origin.MT, score=-1.6)))
    ['the MT model was not confident: score -1.600 (mean log-probability per token), below -1.0']
    """
    if unit.origin is not Origin.MT or unit.score is None or unit.score >= LOW_CONFIDENCE:
        return []
    return [f"the MT model was not confident: score {unit.score:.3f} (mean log-probability per token), "
            f"below {LOW_CONFIDENCE}"]


def capitals(unit: QAUnit) -> Messages:
    """The source starts with a capital letter and the target with a lowercase one (Japanese
    has no case, so never there).

    >>> list(capitals(QAUnit("“We waited,” he said.", "«мы ждали», — сказал он.", target_language="ru")))
    ["the source starts with a capital letter, the target with a lowercase one ('м')"]
    """
    source, target = _first(unit.source), _first(unit.target)  # a digit first: nothing to compare
    if source.isupper() and target.islower():
        return [f"the source starts with a capital letter, the target with a lowercase one ('{target}')"]
    return []


def _first(text: str) -> str:
    return next((c for c in text if c.isalnum()), "")


def repeated_words(unit: QAUnit) -> Messages:
    """The same word twice in a row ("в в", "the the"; case aside, letters only, nothing but
    spaces between), unless the source repeats it too (names such as "Bora Bora"); in
    Japanese, written without spaces, the same one to three kana or kanji three times in a row
    (Japanese doubles words on purpose: いろいろ, まだまだ).

    >>> list(repeated_words(QAUnit("In the port.", "В в порту.", target_language="ru")))
    ["the word 'в' is repeated"]
    >>> list(repeated_words(QAUnit("Slowly.", "まだまだゆっくり。", target_language="ja")))
    []
    """
    if unit.language == "ja":
        runs = {m.group(1) for m in re.finditer(r"(.{1,3}?)\1{2,}", unit.target)
                if all(japanese(c) and c not in "々ー" for c in m.group(1))}
        return [f"'{run}' is repeated three or more times" for run in sorted(runs)]
    in_source = set(_doubled(unit.source))
    return [f"the word '{w}' is repeated" for w in dict.fromkeys(_doubled(unit.target)) if w not in in_source]


def _doubled(text: str) -> list[str]:
    return [fold(m.group(1)) for m in re.finditer(r"(?<![\w-])([^\W\d_]+)[ \u00a0]+(?=([^\W\d_]+)(?![\w-]))", text)
            if fold(m.group(1)) == fold(m.group(2))]
