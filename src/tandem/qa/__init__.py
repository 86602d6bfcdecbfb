"""Quality checks on one segment pair, as one ordered registry: :data:`CHECKS`.

Each :class:`Check` has an id (the :class:`~tandem.document.Finding`'s ``code``), a severity
(an error blocks ``publish --strict``), a one-line description and a function returning
messages that name what was found.  :func:`check` runs them all on a :class:`QAUnit`: the
source and target, their languages and inline codes, the glossary terms found in the
source, and where the target came from (origin, MT score).  The checks know how Russian and
Japanese write numbers, dates, quotes and punctuation (calibrated against translate-toolkit's
pofilter: ``tests/calibrate_pofilter.result.md``); they point at what a reviewer should look
at, nothing more.

>>> [f.code for f in check(QAUnit("Paid 400 (or more).", "Заплатил (или больше.", target_language="ru"))]
['numbers', 'brackets']
"""

from __future__ import annotations

from collections.abc import Sequence

from tandem.document import Finding, InlineCode, Severity
from tandem.qa import dates, inline, language, numbers, punctuation, terms, verbatim
from tandem.qa.base import Check, QAUnit

__all__ = ["CHECKS", "Check", "QAUnit", "by_id", "check", "codes", "describe"]

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

CHECKS: tuple[Check, ...] = (
    Check("codes", E, "inline codes (links, emphasis, breaks) of the target are not exactly the source's",
          inline.codes),
    Check("code-placement", W, "an inline code sits where MT puts a code it could not place (check where it "
          "belongs)", inline.placement),
    Check("numbers", E, "a source number is not in the target, by digits or value (133,3; 9 000; 1億3330万; "
          "full-width digits), or a percentage is no longer one", numbers.numbers),
    Check("dates", E, "a source month or weekday is not in the target in its language's form (28 декабря, "
          "12月28日, во вторник, 火曜日)", dates.dates),
    Check("urls", E, "a URL of the source is not in the target exactly (or the target adds one)", verbatim.urls),
    Check("emails", E, "an e-mail address of the source is not in the target exactly (or the target adds one)",
          verbatim.emails),
    Check("handles", E, "an @handle of the source is not in the target exactly", verbatim.handles),
    Check("term-missing", W, "the glossary's preferred translation of a source term is not in the target "
          "(Russian: in any case form)", terms.missing),
    Check("term-avoided", E, "the target uses a translation the glossary marks deprecated or forbidden",
          terms.avoided),
    Check("term-verbatim", E, "a do-not-translate term of the source is not in the target as written",
          terms.verbatim),
    Check("untranslated", E, "the target is the source again (names, designations and numbers aside)",
          language.untranslated),
    Check("wrong-script", E, "a Russian target not mostly Cyrillic, a Japanese one not mostly kana and kanji "
          "(words copied from the source aside)", language.wrong_script),
    Check("quotes", W, "quotation marks balanced in the source are unbalanced or missing in the target",
          punctuation.quotes),
    Check("punctuation-style", I, "quotes or punctuation of another language: Russian «…» („…“ inside), "
          "Japanese 「…」 (『…』 inside), 、 and 。", punctuation.style),
    Check("brackets", W, "brackets unbalanced in the target, or fewer than in the source (（） ［］ count)",
          punctuation.brackets),
    Check("end-punctuation", W, "the target ends otherwise than the source (?, !, :, …, full stop; Japanese 。 "
          "for '.', none before 」)", punctuation.end_punctuation),
    Check("start-punctuation", I, "the source opens with a quotation mark, bracket, dash or ellipsis and the "
          "target does not", punctuation.start_punctuation),
    Check("whitespace", I, "leading or trailing whitespace differs from the source's", punctuation.whitespace),
    Check("spacing", I, "double spaces; in Russian a space before punctuation or none after a comma; in Japanese "
          "a space after 、 or 。", punctuation.spacing),
    Check("repeated-words", W, "the same word twice in a row (Japanese: the same kana or kanji three times)",
          language.repeated_words),
    Check("capitals", I, "the source starts with a capital letter, the target with a lowercase one",
          language.capitals),
    Check("acronyms", I, "an acronym or designation of the source (THAAD, SM-3) is not in the target as written",
          verbatim.acronyms),
    Check("length", W, "the target is much shorter or longer than the source for its language ("
          + ", ".join(f"{k} {a}-{b}" for k, (a, b) in language.LENGTH_RATIOS.items())
          + f" times; sources of {language.MIN_LENGTH_SOURCE}+ characters)", language.length),
    Check("low-confidence", W, f"machine translation the model scored below {language.LOW_CONFIDENCE} (mean "
          "log-probability per token)", language.low_confidence),
)
_BY_ID = {c.id: c for c in CHECKS}


def check(unit: QAUnit, checks: Sequence[Check] = CHECKS) -> tuple[Finding, ...]:
    """The findings of ``checks`` (all, by default, in registry order) on ``unit``; none for an
    empty target (nothing to check: the unit is left for the translator).

    >>> check(QAUnit("It costs $133.3 million.", "Стоит 133,3 млн долларов.", target_language="ru"))
    ()
    >>> check(QAUnit("It costs $133.3 million.", "費用は1億3330万ドル。", target_language="ja"))
    ()
    """
    if not unit.target.strip():
        return ()
    return tuple(finding for c in checks for finding in c.run(unit))


def by_id(check_id: str) -> Check:
    """The registered check ``check_id`` (KeyError if there is none)."""
    return _BY_ID[check_id]


def describe() -> list[str]:
    """One line per check, in registry order: ``id (severity): description``.

    >>> describe()[0]
    "codes (error): inline codes (links, emphasis, breaks) of the target are not exactly the source's"
    """
    return [f"{c.id} ({c.severity.value}): {c.description}" for c in CHECKS]


def codes(source_codes: Sequence[InlineCode], target_codes: Sequence[InlineCode], source_length: int,
          target_length: int) -> list[Finding]:
    """The ``codes`` finding (what differs from the source's codes) or else the ``code-placement``
    ones, from the codes and the texts' lengths alone (as the memory keeps them).

    >>> from tandem.document import CodeKind, CodeRole
    >>> a = lambda role, at: InlineCode("1", role, CodeKind.LINK, "", at)
    >>> codes([a(CodeRole.OPEN, 6), a(CodeRole.CLOSE, 12)], [a(CodeRole.OPEN, 0)], 23, 20)[0].message
    'code(s) missing in the target: 1 (link, close)'
    >>> around_all = [a(CodeRole.OPEN, 0), a(CodeRole.CLOSE, 20)]
    >>> codes([a(CodeRole.OPEN, 6), a(CodeRole.CLOSE, 12)], around_all, 23, 20)[0].code
    'code-placement'
    """
    problems = inline.code_problems(source_codes, target_codes, target_length)
    if problems:
        return [Finding("codes", "; ".join(problems), _BY_ID["codes"].severity)]
    return [Finding("code-placement", message, _BY_ID["code-placement"].severity)
            for message in inline.safe_placed(source_codes, target_codes, source_length, target_length)]
