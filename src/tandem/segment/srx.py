"""SRX 2.0 segmentation rules: load a rules file, compile it for a language,
find the break positions in a text.

SRX (Segmentation Rules eXchange) is the rule format CAT tools such as Okapi
and OmegaT share.  A ``<languagerule>`` is an ordered list of ``<rule
break="yes|no">`` elements, each a ``<beforebreak>`` and an ``<afterbreak>``
regular expression.  At every position of the text the *first* rule whose
``beforebreak`` matches the text ending there and whose ``afterbreak``
matches the text starting there decides: ``break="yes"`` splits, ``"no"``
keeps together; where no rule matches, the text is not split.  The
``<languagemap>`` elements pick the language rules by language code; with
``cascade="yes"`` every matching map contributes its rules, in order.

Expressions use the syntax of the ``regex`` package, a superset of the ICU
syntax SRX files are written in (``\\p{Lu}``, look-arounds...); unlike ICU
it allows look-behind of any length, so a rule can look back to an opening
quote.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import regex

from tandem.errors import InputError

SRX_NAMESPACE = "http://www.lisa.org/srx20"
DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "tandem.srx"
_NS = f"{{{SRX_NAMESPACE}}}"


@dataclass(frozen=True)
class Rule:
    """One SRX ``<rule>``: break (or not) where ``before`` ends and ``after`` starts."""

    breaks: bool
    before: str
    after: str


@dataclass(frozen=True)
class RuleSet:
    """A parsed SRX file: named language rules and the maps that pick them."""

    source: str
    cascade: bool
    language_rules: tuple[tuple[str, tuple[Rule, ...]], ...]
    maps: tuple[tuple[str, str], ...]  # (languagepattern, languagerulename)

    def rules_for(self, language: str) -> tuple[Rule, ...]:
        """The rules that apply to ``language``, in the order they are tried."""
        names = [name for pattern, name in self.maps
                 if regex.fullmatch(pattern, language, flags=regex.IGNORECASE)]
        if not names:
            raise InputError(f"no <languagemap> matches language {language!r}", path=self.source)
        rules = dict(self.language_rules)
        return tuple(rule for name in names[: None if self.cascade else 1] for rule in rules[name])


class Splitter:
    """The rules for one language, compiled once: finds break positions.

    Break rules are merged into one pattern that finds candidate positions;
    each candidate is then decided by the first matching rule.  Consecutive
    rules with the same ``break`` value are merged into one pattern, which
    gives the same first-match decision with far fewer regex calls.
    """

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self._candidates = _compile([r for r in rules if r.breaks])
        self._groups = tuple((breaks, _compile(list(group)))
                             for breaks, group in groupby(rules, key=lambda r: r.breaks))

    def breaks(self, text: str) -> list[int]:
        """Positions (0 < p < len(text)) where ``text`` is split."""
        if self._candidates is None:
            return []
        found = {m.start() for m in self._candidates.finditer(text)}
        return sorted(p for p in found if 0 < p < len(text) and self._decide(text, p))

    def _decide(self, text: str, position: int) -> bool:
        for breaks, pattern in self._groups:
            if pattern.match(text, position):
                return breaks
        return False


def _compile(rules: list[Rule]) -> regex.Pattern | None:
    if not rules:
        return None
    return regex.compile("|".join(_rule_pattern(r) for r in rules))


def _rule_pattern(rule: Rule) -> str:
    # The look-ahead goes first: it usually fails on the first character,
    # which spares the (costlier) look-behind at most positions.
    return f"(?:(?={rule.after})(?<={rule.before}))"


@lru_cache(maxsize=32)
def splitter(rules_path: str, language: str) -> Splitter:
    """The compiled :class:`Splitter` for ``language``, cached per rules file."""
    return Splitter(load(rules_path).rules_for(language))


@lru_cache(maxsize=8)
def load(path: str) -> RuleSet:
    """Parse and check the SRX 2.0 file at ``path`` (cached per path)."""
    from lxml import etree

    from tandem.formats import xml

    # Rules files come from outside: the one safe parser (no entities, DTD or network).
    try:
        root = etree.fromstring(_read(path), xml.parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc.msg}", path=path, line=exc.lineno) from None
    return _ruleset(root, path)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError("no such rules file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not an SRX rules file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the rules file: {exc.strerror}", path=path) from exc


def _ruleset(root, path: str) -> RuleSet:
    if root.getroottree().docinfo.doctype:
        # Entities are never expanded, so a rule would silently lose its text.
        raise InputError("a rules file must not have a <!DOCTYPE> (entities are not expanded)", path=path)
    if root.tag != f"{_NS}srx":
        raise InputError(f"not an SRX 2.0 file: the root must be <srx xmlns=\"{SRX_NAMESPACE}\">",
                         path=path, line=root.sourceline)
    header = root.find(f"{_NS}header")
    cascade = header is None or header.get("cascade", "yes") == "yes"
    language_rules = tuple(_language_rule(element, path)
                           for element in root.iterfind(f"{_NS}body/{_NS}languagerules/{_NS}languagerule"))
    maps = tuple(_language_map(element, dict(language_rules), path)
                 for element in root.iterfind(f"{_NS}body/{_NS}maprules/{_NS}languagemap"))
    if not maps:
        raise InputError("the rules file has no <languagemap>", path=path)
    return RuleSet(source=path, cascade=cascade, language_rules=language_rules, maps=maps)


def _language_rule(element, path: str) -> tuple[str, tuple[Rule, ...]]:
    name = element.get("languagerulename")
    if not name:
        raise InputError("<languagerule> without languagerulename", path=path, line=element.sourceline)
    return name, tuple(_rule(r, path) for r in element.iterfind(f"{_NS}rule"))


def _rule(element, path: str) -> Rule:
    breaks = element.get("break", "yes")
    if breaks not in ("yes", "no"):
        raise InputError(f"break must be \"yes\" or \"no\", not {breaks!r}", path=path, line=element.sourceline)
    rule = Rule(breaks=breaks == "yes", before=element.findtext(f"{_NS}beforebreak") or "",
                after=element.findtext(f"{_NS}afterbreak") or "")
    try:
        for expression in (rule.before, rule.after, _rule_pattern(rule)):
            regex.compile(expression)
    except regex.error as exc:
        raise InputError(f"bad regular expression in <rule>: {exc}", path=path, line=element.sourceline) from None
    return rule


def _language_map(element, names: dict, path: str) -> tuple[str, str]:
    pattern, name = element.get("languagepattern"), element.get("languagerulename")
    if name not in names:
        raise InputError(f"<languagemap> names an unknown languagerule {name!r}", path=path, line=element.sourceline)
    try:
        regex.compile(pattern or "")
    except regex.error as exc:
        raise InputError(f"bad languagepattern: {exc}", path=path, line=element.sourceline) from None
    return pattern or "", name
