"""What XLIFF 1.2 and 2.x share: the reviewed-file model both readers produce,
states and their mapping between versions, notes, and the version record the
registry (:mod:`tandem.formats`) is built from.

XLIFF 1.2 has ten target states, XLIFF 2.x four segment states; a reviewer's
state is stored as written and mapped to the other version when needed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from lxml import etree

from tandem.document import BilingualDocument, Candidate, Origin, TermMatch, Translation
from tandem.errors import InputError
from tandem.formats.inline import Mark

STATES_12 = ("new", "needs-translation", "needs-adaptation", "needs-l10n", "needs-review-adaptation",
             "needs-review-l10n", "needs-review-translation", "translated", "signed-off", "final")
STATES_20 = ("initial", "translated", "reviewed", "final")

_20_TO_12 = {"initial": "needs-review-translation", "translated": "translated",
             "reviewed": "signed-off", "final": "final"}
_12_TO_20 = {"new": "initial", "needs-translation": "initial", "needs-adaptation": "initial",
             "needs-l10n": "initial", "needs-review-adaptation": "translated", "needs-review-l10n": "translated",
             "needs-review-translation": "translated", "translated": "translated",
             "signed-off": "reviewed", "final": "final"}


@dataclass(frozen=True)
class UnitReview:
    """One unit as the reviewer returned it."""

    id: str
    source: str
    target: str | None  # None: no <target> at all
    state: str | None  # None: the tool wrote no state
    approved: bool = False  # 1.2 approved="yes"
    target_lang: str = ""  # the target's own xml:lang, primary subtag ("" when not given)
    source_marks: tuple[Mark, ...] = ()  # where the inline codes sit in the source
    target_marks: tuple[Mark, ...] = ()  # ...and where the reviewer left them in the target


@dataclass(frozen=True)
class ReviewedFile:
    """One ``<file>`` of a reviewed document, whatever format it came in."""

    path: Path
    version: str  # id of the XliffVersion that read it ("1.2", "2.1"), or another reader's name
    original: str  # the article's source file name; '' when the tool dropped it
    source_lang: str
    target_lang: str
    units: tuple[UnitReview, ...]


@dataclass(frozen=True)
class StateMapping:
    """How one XLIFF version spells states: what Tandem writes for a translation, and
    what a reviewer's state means."""

    states: tuple[str, ...]  # every state the version defines
    written: Callable[[Translation], str]  # the state Tandem writes for a translation
    untranslated: tuple[str, ...]  # states saying the target is not a translation yet
    approved: tuple[str, ...] = ()  # states written with approved="yes" (1.2 only)


@dataclass(frozen=True)
class XliffVersion:
    """One XLIFF version Tandem writes and reads: an entry of the registry."""

    id: str  # the --xliff choice: "1.2", "2.1"
    kind: str  # output kind in report and registry: "xliff12", "xliff21"
    suffix: str  # appended to NAME.en-LANG
    namespace: str
    serialize: Callable[[BilingualDocument], bytes]
    read_file: Callable[[Path, etree._Element, etree._Element], ReviewedFile]  # (path, root, <file>)
    states: StateMapping


def state_12(t: Translation) -> tuple[str, str | None]:
    """``(state, state-qualifier)`` of a 1.2 ``<target>``: a state the reviewer gave wins
    (MT or memory text whose state a reviewer changed keeps its origin's qualifier).

    >>> from tandem.document import Translation, Origin
    >>> state_12(Translation("p1.s1", "ru", "x", Origin.HUMAN, state="reviewed"))
    ('signed-off', None)
    >>> state_12(Translation("p1.s1", "ru", "x", Origin.MT, state="needs-translation"))
    ('needs-translation', 'leveraged-mt')
    """
    qualifier = {Origin.MT: "leveraged-mt", Origin.TM: "exact-match"}.get(t.origin)
    if t.state and t.origin is not Origin.NONE:
        return (t.state if t.state in STATES_12 else _20_TO_12.get(t.state, "translated")), qualifier
    default = {Origin.MT: "needs-review-translation", Origin.TM: "translated", Origin.HUMAN: "translated"}
    return default.get(t.origin, "new"), qualifier


def state_20(t: Translation) -> str:
    """The 2.x ``<segment state>``: MT and empty targets are ``initial`` (not yet confirmed)."""
    if t.state and t.origin is not Origin.NONE:
        return t.state if t.state in STATES_20 else _12_TO_20.get(t.state, "translated")
    return "translated" if t.origin in (Origin.TM, Origin.HUMAN) else "initial"


def unit_notes(t: Translation) -> list[str]:
    """Notes about where a target came from (MT model and score, reviewed file)."""
    if t.origin is Origin.MT and t.model is not None:
        score = f"; score {t.score:.3f} (mean log-probability per token)" if t.score is not None else ""
        return [f"Machine translation by {t.model.name} {t.model.version}{score}"]
    if t.origin is Origin.HUMAN and t.provenance:
        kind = "Translation in review" if t.in_review else "Reviewed translation"
        return [f"{kind} from {t.provenance} (state {t.state or 'translated'})"]
    if t.origin is Origin.TM:
        return [f"Exact match from the translation memory{f' ({t.provenance})' if t.provenance else ''}"]
    return []


def term_line(match: TermMatch, language: str) -> str:
    """What a glossary says about one term of a unit, for a note (``language``: the target's).

    >>> from tandem.document import GlossaryEntry, TargetTerm, TermStatus
    >>> entry = GlossaryEntry("Sergei Lavrov", (TargetTerm("ru", "Сергей Лавров"),
    ...                       TargetTerm("ru", "Сергей Лавроф", TermStatus.FORBIDDEN)))
    >>> term_line(TermMatch(entry, 0, 13, "Sergei Lavrov"), "ru")
    'Sergei Lavrov: Сергей Лавров (preferred); not Сергей Лавроф (forbidden)'
    >>> term_line(TermMatch(GlossaryEntry("THAAD", do_not_translate=True), 0, 5, "THAAD"), "ru")
    'THAAD: do not translate'
    """
    entry = match.entry
    if entry.do_not_translate:
        return f"{match.text}: do not translate"
    use = [f"{t.text} ({t.status.value})" for t in entry.terms(language) if not t.status.avoid]
    avoid = [f"{t.text} ({t.status.value})" for t in entry.avoided(language)]
    said = ", ".join(use) if use else f"no {language} term in the glossary"
    return f"{match.text}: {said}" + (f"; not {', '.join(avoid)}" if avoid else "")


def glossary_note(matches: Sequence[TermMatch], language: str) -> str | None:
    """One note listing a unit's glossary terms, or None when it has none."""
    if not matches:
        return None
    return "Glossary: " + " | ".join(term_line(m, language) for m in matches)


def candidate_origin(c: Candidate) -> str:
    """Where a candidate came from, for ``origin`` attributes."""
    kind = {Origin.HUMAN: "reviewed", Origin.TM: "tm", Origin.MT: "mt"}.get(c.origin, c.origin.value)
    return f"tandem-{kind}" + (f": {c.provenance}" if c.provenance else "")


def original_name(source_path: str) -> str:
    """What ``<file original>`` says: the file name, not the path (translators should not
    see our folders, and a merge matches it against the stored article's file name).

    >>> original_name("/news/2026/harbor.txt"), original_name("C:\\\\news\\\\harbor.txt"), original_name("")
    ('harbor.txt', 'harbor.txt', '')
    """
    return PurePath(source_path.replace("\\", "/")).name if source_path else ""


def file_name(doc: BilingualDocument, suffix: str) -> str:
    """``NAME.en-LANG`` + ``suffix``: the output name of a per-language file."""
    return f"{doc.article.name}.{doc.article.language}-{doc.target_language}{suffix}"


def require(condition: bool, message: str, path: Path) -> None:
    """Raise the reader's one-line error unless ``condition`` holds."""
    if not condition:
        raise InputError(message, path=str(path))
