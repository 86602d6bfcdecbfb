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

A rules file from outside may hold an expression that backtracks
catastrophically (``(a|aa)+$`` takes seconds on 34 characters and weeks on
60).  :meth:`Splitter.breaks` therefore takes a time limit for one text; the
shipped rules are trusted and run without one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from pathlib import Path

import regex

from tandem.errors import InputError
from tandem.fsutil import read_input

SRX_NAMESPACE = "http://www.lisa.org/srx20"
DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "tandem.srx"
# Seconds a rules file from outside may spend on one paragraph.  The shipped rules do
# about a million characters a second, a news paragraph is under 5,000, while a
# catastrophic expression takes seconds on 34 characters and 1.6 times as long per one more.
RULES_TIME_LIMIT_S = 5.0
_NS = f"{{{SRX_NAMESPACE}}}"


@dataclass(frozen=True)
class Rule:
    """One SRX ``<rule>``: break (or not) where ``before`` ends and ``after`` starts."""

    breaks: bool
    before: str
    after: str
    line: int | None = field(default=None, compare=False)  # in the rules file, for error messages


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

    def __init__(self, rules: tuple[Rule, ...], source: str = "") -> None:
        self.source = source  # the rules file, named in errors
        self._break_rules = tuple(r for r in rules if r.breaks)
        self._candidates = _compile(self._break_rules)
        self._groups = tuple((breaks, group, _compile(group)) for breaks, group in
                             ((b, tuple(g)) for b, g in groupby(rules, key=lambda r: r.breaks)))

    def breaks(self, text: str, time_limit: float | None = None) -> list[int]:
        """Positions (0 < p < len(text)) where ``text`` is split.

        ``time_limit`` bounds the seconds all the matching in ``text`` may take
        (``None``: no bound); past it, :class:`InputError` names the slow rule.
        """
        if self._candidates is None:
            return []
        deadline = None if time_limit is None else time.monotonic() + time_limit
        try:
            found = {m.start() for m in self._candidates.finditer(text, timeout=_left(deadline))}
        except TimeoutError:
            raise self._too_slow(self._break_rules, text, time_limit) from None
        return sorted(p for p in found if 0 < p < len(text) and self._decide(text, p, deadline, time_limit))

    def _decide(self, text: str, position: int, deadline: float | None, time_limit: float | None) -> bool:
        for breaks, rules, pattern in self._groups:
            try:
                if pattern.match(text, position, timeout=_left(deadline)):
                    return breaks
            except TimeoutError:
                raise self._too_slow(rules, text, time_limit) from None
        return False

    def _too_slow(self, rules: tuple[Rule, ...], text: str, time_limit: float | None) -> InputError:
        """The error for a timeout in a pattern merged from ``rules``, naming the rule when
        one of them alone is also too slow on ``text``."""
        limit = time_limit or 0.0
        rule = rules[0] if len(rules) == 1 else _slow_rule(rules, text, limit / len(rules))
        if rule is None:
            what = f"one of the rules at lines {', '.join(str(r.line) for r in rules)}"
        else:
            what = f"the rule <beforebreak>{rule.before}</beforebreak><afterbreak>{rule.after}</afterbreak>"
        message = (f"{what} took more than {limit:g} s on a paragraph of {len(text):,} characters: "
                   "its regular expression backtracks too much (simplify it)")
        # One line, even if an expression holds a line break.
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        return InputError(shown, path=self.source, line=rule.line if rule else None)


def _left(deadline: float | None) -> float | None:
    """Seconds left until ``deadline`` (``None``: no deadline), as a regex ``timeout``."""
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _slow_rule(rules: tuple[Rule, ...], text: str, budget: float) -> Rule | None:
    """The first of ``rules`` that alone does not get through ``text`` in ``budget`` seconds."""
    for rule in rules:
        try:
            for _ in regex.compile(_rule_pattern(rule)).finditer(text, timeout=max(budget, 0.01)):
                pass
        except TimeoutError:
            return rule
    return None


def _compile(rules: tuple[Rule, ...]) -> regex.Pattern | None:
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
    return Splitter(load(rules_path).rules_for(language), source=rules_path)


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
    # A rules file is small: 10 MB is far beyond any real one, and stops /dev/zero or a FIFO.
    return read_input(Path(path), 10_000_000, "rules file")


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
                after=element.findtext(f"{_NS}afterbreak") or "", line=element.sourceline)
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
