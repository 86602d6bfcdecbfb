"""Measure sentence segmenters against Tandem's case table (not a test module).

    PYTHONPATH=DIR .venv/bin/python -m tests.compare_segmenters    (or: ... python tests/compare_segmenters.py)

where DIR holds the candidates (``pip install --target DIR pysbd choppa-srx
sentencex``).  Prints, per segmenter and language, how many cases it gets
exactly right, and the time for the whole table (after a warm-up).  Missing
candidates are skipped.

Results on the 150-case table (125 en, 12 ru, 13 ja), copied to README.md:

    tandem                            150/150 (en 125/125, ru 12/12, ja 13/13)
    pysbd 0.3.4                       115/150 (en  99/125, ru  7/12, ja  9/13)
    sentencex 1.0.32                  116/150 (en 100/125, ru  7/12, ja  9/13)
    choppa-srx 1.0.0, LanguageTool    100/150 (en  85/125, ru  8/12, ja  7/13)
    choppa-srx 1.0.0, Tandem's rules  145/150 (en 120/125, ru 12/12, ja 13/13)
"""

from __future__ import annotations

import importlib.util
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

if not __package__:  # run as a file: the repository root, not tests/, must be on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.segment_cases import Case, load_cases  # noqa: E402

Splitter = Callable[[str, str], list[str]]


def tandem_splitter() -> Splitter:
    import inspect

    from tandem.segment import split_sentences

    # The first (skeleton) segmenter had no language parameter.
    options = (lambda lang: {"language": lang}) if "language" in inspect.signature(
        split_sentences).parameters else (lambda lang: {})
    return lambda text, lang: [text[a:b] for a, b in split_sentences(text, **options(lang))]


def pysbd_splitter() -> Splitter:
    import pysbd

    cache: dict[str, pysbd.Segmenter] = {}
    return lambda text, lang: cache.setdefault(lang, pysbd.Segmenter(language=lang, clean=False)).segment(text)


def choppa_splitter() -> Splitter:
    import choppa
    from choppa import SrxDocument, SrxTextIterator

    rules = Path(choppa.__file__).parent / "data" / "srx" / "languagetool_segment.srx"
    document = SrxDocument(ruleset=rules)
    return lambda text, lang: list(SrxTextIterator(document, f"{lang}_two", text))


def choppa_tandem_rules_splitter() -> Splitter:
    from choppa import SrxDocument, SrxTextIterator

    from tandem.segment import DEFAULT_RULES

    document = SrxDocument(ruleset=DEFAULT_RULES)
    return lambda text, lang: list(SrxTextIterator(document, lang, text))


def sentencex_splitter() -> Splitter:
    from sentencex import segment

    return lambda text, lang: list(segment(lang, text))


CANDIDATES = {"tandem": ("tandem", tandem_splitter), "pysbd": ("pysbd", pysbd_splitter),
              "choppa-srx (LanguageTool rules)": ("choppa", choppa_splitter),
              "choppa-srx (Tandem rules)": ("choppa", choppa_tandem_rules_splitter),
              "sentencex": ("sentencex", sentencex_splitter)}


def score(split: Splitter, cases: list[Case]) -> tuple[Counter, list[str]]:
    passed, failures = Counter(), []
    for case in cases:
        got = tuple(s.strip() for s in split(case.text, case.language) if s.strip())
        if got == case.expected:
            passed[case.language] += 1
        else:
            failures.append(case.name)
    return passed, failures


def main() -> None:
    cases = load_cases()
    total = Counter(c.language for c in cases)
    for label, (module, factory) in CANDIDATES.items():
        if importlib.util.find_spec(module) is None:
            print(f"{label}: not installed")
            continue
        split = factory()
        for case in cases[:3]:  # warm up: rules are loaded and compiled on first use
            split(case.text, case.language)
        began = time.perf_counter()
        passed, failures = score(split, cases)
        ms = (time.perf_counter() - began) * 1000
        counts = ", ".join(f"{lang} {passed[lang]}/{n}" for lang, n in total.items())
        print(f"{label}: {sum(passed.values())}/{len(cases)} ({counts}) in {ms:.0f} ms")
        print(f"  failed: {' '.join(failures)}")


if __name__ == "__main__":
    main()
