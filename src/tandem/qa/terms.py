"""Glossary terms in the target: the preferred term used, no deprecated or forbidden one, a
do-not-translate term carried over as written.

Russian declines nouns and adjectives, so a term is found in any of its case and number
forms by one careful rule: each word of the term, in order and side by side, is in the target
as the same word or with its ending swapped -- both the term's word and the target's word
may lose one ending from :data:`RUSSIAN_ENDINGS` (the case, number and gender endings of
nouns, adjectives and names), and what is left must be the same stem of at least three
letters.  «Сергея Лаврова» is «Сергей Лавров» (серге-й/серге-я, лавров/лавров-а),
«Береговой охраны» is «Береговая охрана»; «охранник» is not «охрана» (-ник is not an
ending).  Forms that change their stem (fleeting vowels: отец/отца) are missed: the finding
is a warning to look, not a verdict.  Other languages: the term as written, case aside
(Japanese does not inflect nouns).
"""

from __future__ import annotations

import re
import unicodedata

from tandem.document import GlossaryEntry, TargetTerm
from tandem.qa.base import WORD, Messages, QAUnit, fold

RUSSIAN_ENDINGS = frozenset(
    "а я о е у ю ы и й ь ая яя ое ее ой ей ий ый ые ие ую юю ых их ым им ом ем ам ям ах ях ов ев ью ми "
    "ами ями ого его ому ему ыми ими".split())
_MIN_STEM = 3


def missing(unit: QAUnit) -> Messages:
    """A glossary term of the source whose preferred translation (or an admitted one) is not
    in the target; the message names the expected term.

    >>> from tandem.document import TermMatch
    >>> entry = GlossaryEntry("Coast Guard", (TargetTerm("ru", "Береговая охрана"),))
    >>> unit = lambda target: QAUnit("The Coast Guard said.", target, target_language="ru",
    ...                              terms=(TermMatch(entry, 4, 15, "Coast Guard"),))
    >>> list(missing(unit("В докладе Береговой охраны сказано.")))
    []
    >>> list(missing(unit("Пограничники сказали.")))
    ["preferred term «Береговая охрана» (for 'Coast Guard') not found in the target"]
    """
    found = []
    for entry in _entries(unit):
        preferred = entry.preferred(unit.target_language)
        if entry.do_not_translate or preferred is None:
            continue
        usable = [t for t in entry.terms(unit.target_language) if not t.status.avoid]
        if not any(find(t.text, unit.target, unit.language) for t in usable):
            found.append(f"preferred term «{preferred.text}» (for '{entry.source}') not found in the target")
    return found


def avoided(unit: QAUnit) -> Messages:
    """A deprecated or forbidden translation of a source term used in the target (outside the
    preferred term, should the one contain the other).

    >>> from tandem.document import TermMatch, TermStatus
    >>> entry = GlossaryEntry("Coast Guard", (TargetTerm("ru", "Береговая охрана"),
    ...                                       TargetTerm("ru", "Береговая стража", TermStatus.DEPRECATED)))
    >>> list(avoided(QAUnit("The Coast Guard said.", "Береговая стража заявила.", target_language="ru",
    ...                     terms=(TermMatch(entry, 4, 15, "Coast Guard"),))))
    ["deprecated term «Береговая стража» (for 'Coast Guard') in the target; use «Береговая охрана»"]
    """
    found = []
    for entry in _entries(unit):
        good = [span for t in entry.terms(unit.target_language) if not t.status.avoid
                for span in find(t.text, unit.target, unit.language)]
        for term in entry.avoided(unit.target_language):
            spans = [s for s in find(term.text, unit.target, unit.language) if not _inside(s, good)]
            if spans:
                found.append(_avoided_message(entry, term, unit.target_language))
    return found


def _avoided_message(entry: GlossaryEntry, term: TargetTerm, language: str) -> str:
    preferred = entry.preferred(language)
    use = f"; use «{preferred.text}»" if preferred is not None else ""
    return f"{term.status.value} term «{term.text}» (for '{entry.source}') in the target{use}"


def verbatim(unit: QAUnit) -> Messages:
    """A do-not-translate term of the source not in the target exactly as written (the source's
    spelling of it, or the glossary's; an English possessive aside: "THAAD's" -> "THAAD").

    >>> from tandem.document import TermMatch
    >>> entry = GlossaryEntry("THAAD", do_not_translate=True)
    >>> list(verbatim(QAUnit("The THAAD battery.", "Батарея ТХААД.", target_language="ru",
    ...                      terms=(TermMatch(entry, 4, 9, "THAAD"),))))
    ["do-not-translate term 'THAAD' is not in the target as written"]
    """
    found = []
    for match in unit.terms:
        if not match.entry.do_not_translate:
            continue
        forms = {match.text, match.entry.source, re.sub(r"['’]s?$", "", match.text)}
        if not any(form and form in unit.target for form in forms):
            found.append(f"do-not-translate term '{match.text}' is not in the target as written")
    return list(dict.fromkeys(found))


def find(term: str, target: str, language: str) -> list[tuple[int, int]]:
    """Where ``term`` is in ``target``: (start, end) spans; Russian in any case form.

    >>> find("Сергей Лавров", "Визит Сергея Лаврова.", "ru")
    [(6, 20)]
    >>> find("охрана", "охранник", "ru"), find("沿岸警備隊", "米沿岸警備隊の報告", "ja")
    ([], [(1, 6)])
    """
    if language != "ru":
        folded, wanted = unicodedata.normalize("NFKC", target).casefold(), unicodedata.normalize("NFKC", term).casefold()
        return [(m.start(), m.end()) for m in re.finditer(re.escape(wanted), folded)] if wanted else []
    term_words = [fold(w) for w in WORD.findall(term)]
    words = [(m.start(), m.end(), fold(m.group())) for m in WORD.finditer(target)]
    return [(words[i][0], words[i + len(term_words) - 1][1]) for i in range(len(words) - len(term_words) + 1)
            if term_words and all(same_word(t, words[i + j][2]) for j, t in enumerate(term_words))]


def same_word(term_word: str, word: str) -> bool:
    """Whether two (folded) Russian words are one word in two case forms (see the module).

    >>> same_word("береговая", "береговой"), same_word("лавров", "лаврова"), same_word("охрана", "охранник")
    (True, True, False)
    """
    return term_word == word or bool(_stems(term_word) & _stems(word))


def _stems(word: str) -> set[str]:
    stems = {word[:-len(e)] for e in RUSSIAN_ENDINGS if word.endswith(e) and len(word) - len(e) >= _MIN_STEM}
    return stems | ({word} if len(word) >= _MIN_STEM else set())


def _entries(unit: QAUnit) -> list[GlossaryEntry]:
    return list(dict.fromkeys(match.entry for match in unit.terms))


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in spans)
