"""What QA says about an article, for people and for publishing scripts: ``tandem qa`` lists
the findings per unit, and ``publish --strict`` refuses a page that still has unreviewed
machine translation or error findings.

The findings are those the pages and XLIFF show: computed from the memory alone by the one
rebuild (:mod:`tandem.rebuild`), so ``qa`` after a merge sees the reviewed text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tandem.document import BilingualDocument, Finding, Origin, Severity

# Most severe first: ``--fail-on warning`` fails on warnings and errors.
SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
SHOWN_IN_ONE_LINE = 8  # units named in a refusal's one line; the rest are counted


@dataclass(frozen=True)
class UnitFindings:
    """The findings on one unit (a segment in one target language)."""

    language: str
    unit: str  # the segment id, pN.sM
    origin: Origin
    in_review: bool
    findings: tuple[Finding, ...]

    @property
    def unreviewed_mt(self) -> bool:
        return self.origin is Origin.MT


def at_least(severity: Severity, threshold: Severity) -> bool:
    """Whether ``severity`` is ``threshold`` or worse.

    >>> at_least(Severity.ERROR, Severity.WARNING), at_least(Severity.INFO, Severity.WARNING)
    (True, False)
    """
    return SEVERITY_ORDER.index(severity) <= SEVERITY_ORDER.index(threshold)


def units(docs: Iterable[BilingualDocument], languages: Sequence[str] | None = None) -> list[UnitFindings]:
    """Every unit of ``docs`` (of ``languages``, if given), in document order per language."""
    return [UnitFindings(doc.target_language, pair.segment.id, pair.translation.origin,
                         pair.translation.in_review, pair.findings)
            for doc in docs if languages is None or doc.target_language in languages
            for pair in doc.pairs]


def failing(found: Iterable[UnitFindings], threshold: Severity) -> list[UnitFindings]:
    """The units with a finding of ``threshold`` or worse."""
    return [u for u in found if any(at_least(f.severity, threshold) for f in u.findings)]


def strict_blockers(found: Iterable[UnitFindings]) -> list[str]:
    """Why ``publish --strict`` refuses: one short reason per unit ("p3.s1 ru: unreviewed machine
    translation", "p4.s2 ja: error numbers"); empty when the page may be published."""
    reasons = []
    for unit in found:
        why = ["unreviewed machine translation"] if unit.unreviewed_mt else []
        why += dict.fromkeys(f"error {f.code}" for f in unit.findings if f.severity is Severity.ERROR)
        if why:
            reasons.append(f"{unit.unit} {unit.language}: {', '.join(why)}")
    return reasons


def one_line(reasons: Sequence[str]) -> str:
    """Reasons joined for one error line, at most :data:`SHOWN_IN_ONE_LINE` of them named.

    >>> one_line(["p1.s1 ru: x", "p2.s1 ru: y"])
    'p1.s1 ru: x; p2.s1 ru: y'
    """
    shown = "; ".join(reasons[:SHOWN_IN_ONE_LINE])
    more = len(reasons) - SHOWN_IN_ONE_LINE
    return f"{shown}; and {more} more" if more > 0 else shown


def as_text(found: Iterable[UnitFindings]) -> list[str]:
    """One line per finding: ``UNIT LANG SEVERITY CHECK: MESSAGE``."""
    return [f"{u.unit}\t{u.language}\t{f.severity.value}\t{f.code}: {f.message}"
            for u in found for f in u.findings]


def as_json(article: str, found: Iterable[UnitFindings]) -> str:
    """The findings as one JSON object: the article and, per unit with findings, its findings."""
    listed = [{"unit": u.unit, "language": u.language, "origin": u.origin.value, "in_review": u.in_review,
               "findings": [finding_dict(f) for f in u.findings]}
              for u in found if u.findings]
    return json.dumps({"article": article, "units": listed}, ensure_ascii=False, indent=2)


def finding_dict(finding: Finding) -> dict[str, str]:
    """A finding as JSON data (``report.json`` and ``tandem qa --format json``)."""
    return {"check": finding.code, "severity": finding.severity.value, "message": finding.message}


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each severity (every severity listed, most severe first)."""
    listed = list(findings)
    return {s.value: sum(1 for f in listed if f.severity is s) for s in SEVERITY_ORDER}
