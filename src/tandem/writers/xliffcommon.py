"""What the XLIFF 1.2 and 2.1 writers (and the merge) share: states and notes.

XLIFF 1.2 has ten target states, XLIFF 2.x four segment states; a reviewer's
state is stored as written and mapped to the other version when needed.
"""

from __future__ import annotations

from tandem.document import Candidate, Origin, Translation

STATES_12 = ("new", "needs-translation", "needs-adaptation", "needs-l10n", "needs-review-adaptation",
             "needs-review-l10n", "needs-review-translation", "translated", "signed-off", "final")
STATES_20 = ("initial", "translated", "reviewed", "final")
# States 1.2 also marks approved="yes" (as translate-toolkit and the CAT tools built on it do).
APPROVED_12 = ("translated", "signed-off", "final")

_20_TO_12 = {"initial": "needs-review-translation", "translated": "translated",
             "reviewed": "signed-off", "final": "final"}
_12_TO_20 = {"new": "initial", "needs-translation": "initial", "needs-adaptation": "initial",
             "needs-l10n": "initial", "needs-review-adaptation": "translated", "needs-review-l10n": "translated",
             "needs-review-translation": "translated", "translated": "translated",
             "signed-off": "reviewed", "final": "final"}


def state_12(t: Translation) -> tuple[str, str | None]:
    """``(state, state-qualifier)`` of a 1.2 ``<target>``.

    >>> from tandem.document import Translation, Origin
    >>> state_12(Translation("p1.s1", "ru", "x", Origin.HUMAN, state="reviewed"))
    ('signed-off', None)
    """
    if t.origin is Origin.MT:
        return "needs-review-translation", "leveraged-mt"
    if t.origin is Origin.TM:
        return "translated", "exact-match"
    if t.origin is Origin.HUMAN:
        return (t.state if t.state in STATES_12 else _20_TO_12.get(t.state or "", "translated")), None
    return "new", None


def state_20(t: Translation) -> str:
    """The 2.x ``<segment state>``: MT and empty targets are ``initial`` (not yet confirmed)."""
    if t.origin is Origin.TM:
        return "translated"
    if t.origin is Origin.HUMAN:
        return t.state if t.state in STATES_20 else _12_TO_20.get(t.state or "", "translated")
    return "initial"


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


def candidate_origin(c: Candidate) -> str:
    """Where a candidate came from, for ``origin`` attributes."""
    kind = {Origin.HUMAN: "reviewed", Origin.TM: "tm", Origin.MT: "mt"}.get(c.origin, c.origin.value)
    return f"tandem-{kind}" + (f": {c.provenance}" if c.provenance else "")
