"""Glossary matching benchmark: Tandem's TermIndex (Aho-Corasick) against the same rules with
a regular-expression finder, a 5,000-term glossary over a 100-segment article.

    .venv/bin/python tests/bench/bench_terms.py [--terms 5000] [--segments 100] [--repeat 5]

The glossary is generated with a fixed seed (:func:`glossary`): person names, multi-word
terms, designations ("KT-9 Block IIB", "XR-417"), case-sensitive acronyms and single nouns,
plus the terms the article really uses ("SM-3 Block IIA", "THAAD", "U.S. Coast Guard"...).
The article (:func:`article`) is the sentences of src/tandem/samples/harbor-radar.txt,
cycled to the wanted length, every repeated sentence opened by a clause naming a generated
name and designation, so that matches vary.  Measured, best of ``--repeat``:

- build_s: ``TermIndex(entries)`` (forms, keys, the finder);
- match_s: ``find()`` over every segment;

for ``aho_corasick`` (what Tandem uses) and for ``regex_trie`` (the alternative: one
``regex`` pattern, the keys as a character trie, boundary lookarounds, overlapped search:
the longest key at each start).  ``regex_alternation`` is the plain alternation of every key,
longest first, measured on one run over the first ``--alternation-segments`` segments only
(it is far slower) and scaled to the article.  ``same_matches`` says whether the regex trie
found exactly what Aho-Corasick found.  The result is printed as JSON and written to
tests/bench/bench_terms.result.json.  Timings depend on the machine; this is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import regex

from tandem.document import GlossaryEntry, Segment
from tandem.segment import split_sentences
from tandem.terms import TermIndex, _Form

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "src" / "tandem" / "samples" / "harbor-radar.txt"
RESULT = Path(__file__).with_suffix(".result.json")

# Terms the sample article uses: the benchmark must find real matches, not only miss.
ARTICLE_TERMS = ("radar", "coastal radar network", "city council", "SM-3 Block IIA", "SM-3", "RIM-161",
                 "U.S. Coast Guard", "Elena Brandt", "Jonas E. Smith", "Northlight Systems Inc.", "nautical mile",
                 "breakwater", "ferry", "harbor", "pilot", "navy", "sensor", "air defense", "Port Alder")
ADJECTIVES = ("coastal", "northern", "mobile", "passive", "active", "naval", "offshore", "tidal", "municipal",
              "federal", "maritime", "acoustic", "thermal", "digital", "remote", "automatic", "harbor",
              "emergency", "regional", "surface")
NOUNS = ("radar", "sensor", "buoy", "beacon", "station", "array", "mast", "relay", "antenna", "console", "tracker",
         "network", "survey", "permit", "levy", "budget", "ferry", "pier", "dock", "channel", "lighthouse",
         "patrol", "vessel", "tug", "barge", "crane", "berth", "warehouse", "authority", "agency", "office",
         "committee", "commission", "fund", "grant", "contract", "inspector", "pilot", "dispatcher")
SYLLABLES = ("al", "an", "ar", "ba", "be", "bo", "da", "de", "el", "en", "fa", "ga", "ha", "he", "in", "ja",
             "ka", "ke", "la", "le", "li", "lo", "ma", "me", "mi", "na", "ne", "no", "ol", "or", "pa", "ra",
             "re", "ri", "ro", "sa", "se", "si", "ta", "te", "to", "va", "ve", "vi", "wa", "ya", "za", "dr",
             "st", "th", "qv", "sk", "nd", "rk")
BLOCKS = ("I", "IA", "IB", "II", "IIA", "IIB", "III")


def _name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


def _designation(rng: random.Random) -> str:
    letters = "".join(rng.choice("ABCDEFGHKLMNPRSTVXZ") for _ in range(rng.randint(1, 3)))
    code = f"{letters}-{rng.randint(1, 999)}"
    return f"{code} Block {rng.choice(BLOCKS)}" if rng.random() < 0.3 else code


def _generated(rng: random.Random) -> GlossaryEntry:
    """One generated entry: a name, a multi-word term, a designation, an acronym or a noun."""
    kind = rng.random()
    if kind < 0.4:
        return GlossaryEntry(f"{_name(rng, rng.randint(2, 3))} {_name(rng, rng.randint(2, 4))}",
                             part_of_speech="properNoun", do_not_translate=True)
    if kind < 0.7:
        words = [rng.choice(ADJECTIVES)] + [rng.choice(NOUNS) for _ in range(rng.randint(1, 2))]
        return GlossaryEntry(" ".join(words), part_of_speech="noun")
    if kind < 0.9:
        return GlossaryEntry(_designation(rng), case_sensitive=True, do_not_translate=True)
    if kind < 0.95:
        acronym = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTUVWXYZ") for _ in range(rng.randint(3, 5)))
        return GlossaryEntry(acronym, case_sensitive=True)
    return GlossaryEntry(_name(rng, rng.randint(2, 4)).lower())


def glossary(size: int = 5000, seed: int = 12) -> list[GlossaryEntry]:
    """``size`` entries with distinct source terms, the article's own terms first."""
    rng = random.Random(seed)
    entries = [GlossaryEntry(term, case_sensitive=term.isupper()) for term in ARTICLE_TERMS]
    seen = {entry.source for entry in entries}
    while len(entries) < size:
        entry = _generated(rng)
        if entry.source not in seen:
            seen.add(entry.source)
            entries.append(entry)
    return entries[:size]


def article(size: int = 100, seed: int = 12, entries: Sequence[GlossaryEntry] | None = None) -> list[Segment]:
    """``size`` segments: the sample's sentences, cycled; each repeat opened by a clause that
    names a generated name and designation of the glossary."""
    text = SAMPLE.read_text(encoding="utf-8")
    sentences = [text[a:b] for line in text.splitlines() if line.strip()
                 for a, b in split_sentences(line)]
    rng = random.Random(seed)
    names = [e.source for e in (entries or glossary(seed=seed)) if e.part_of_speech == "properNoun"]
    designations = [e.source for e in (entries or glossary(seed=seed)) if "-" in e.source]
    segments = []
    for k in range(size):
        sentence = sentences[k % len(sentences)]
        if k >= len(sentences):
            sentence = f"According to {rng.choice(names)}, who tested the {rng.choice(designations)}, " \
                       f"{sentence[0].lower()}{sentence[1:]}"
        segments.append(Segment(k + 1, 1, sentence, 0, len(sentence)))
    return segments


# -- the rejected finder: one regular expression -----------------------------------------------------

_WORD = r"[\p{L}\p{N}\p{M}]"


def _trie_pattern(keys: Sequence[str]) -> str:
    """The keys as one pattern shaped like a character trie (longer branches first)."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: dict[str, Any]) -> str:
    branches = [regex.escape(char) + _node_pattern(child) for char, child in sorted(node.items()) if char]
    ends = "" in node
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
    return body + "?" if ends else body


class RegexTermIndex(TermIndex):
    """TermIndex with a regex finder: at each start the longest key standing on word boundaries
    (a regex match cannot list the shorter keys at the same start, so where the longest fails a
    later rule, no shorter one is tried; the benchmark says whether this changed anything)."""

    alternation = False  # True: the plain alternation of every key, longest first

    def _compile(self, table: dict[str, list[_Form]]) -> Any:
        if not table:
            return None
        keys = sorted(table, key=len, reverse=True)
        body = "|".join(map(regex.escape, keys)) if self.alternation else _trie_pattern(keys)
        pattern = regex.compile(f"(?<!{_WORD})(?:{body})(?!{_WORD})")
        ranked = {key: tuple(sorted(forms, key=lambda f: f.rank)) for key, forms in table.items()}
        return pattern, ranked

    def _hits(self, finder: Any, text: str) -> Iterator[tuple[int, int, tuple[_Form, ...]]]:
        pattern, ranked = finder
        for match in pattern.finditer(text, overlapped=True):
            yield match.start(), match.end(), ranked[match.group()]


class AlternationTermIndex(RegexTermIndex):
    alternation = True


# -- measuring ----------------------------------------------------------------------------------

def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``repeat`` runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def find_all(index: TermIndex, segments: Sequence[Segment]) -> list[tuple]:
    return [index.find_segment(segment) for segment in segments]


def measure(cls: type[TermIndex], entries: list[GlossaryEntry], segments: list[Segment],
            repeat: int) -> tuple[dict, list]:
    build_s, index = best_of(repeat, lambda: cls(entries))
    match_s, found = best_of(repeat * 4, lambda: find_all(index, segments))
    figures = {"build_s": round(build_s, 4), "match_s": round(match_s, 4),
               "match_per_segment_ms": round(1000 * match_s / len(segments), 3),
               "matches": sum(map(len, found))}
    return figures, found


def measure_alternation(entries: list[GlossaryEntry], segments: list[Segment]) -> dict:
    """One build and one run over a few segments, scaled to the article: it is that slow."""
    build_s, index = best_of(1, lambda: AlternationTermIndex(entries))
    match_s, _ = best_of(1, lambda: find_all(index, segments))
    return {"build_s": round(build_s, 4), "segments_measured": len(segments),
            "match_s_measured": round(match_s, 4)}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "pyahocorasick": metadata.version("pyahocorasick"), "regex": regex.__version__,
            "load_average_at_start": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=5000)
    parser.add_argument("--segments", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5, help="best of N builds (4N match runs)")
    parser.add_argument("--alternation-segments", type=int, default=5)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    result: dict[str, Any] = {"machine": machine()}
    entries = glossary(args.terms, args.seed)
    segments = article(args.segments, args.seed, entries)
    result.update(terms=len(entries), segments=len(segments), characters=sum(len(s.text) for s in segments))
    result["aho_corasick"], found = measure(TermIndex, entries, segments, args.repeat)
    result["regex_trie"], found_regex = measure(RegexTermIndex, entries, segments, args.repeat)
    result["regex_trie"]["same_matches"] = found_regex == found
    alternation = measure_alternation(entries, segments[:args.alternation_segments])
    alternation["match_s_scaled"] = round(alternation["match_s_measured"] * len(segments)
                                          / max(1, args.alternation_segments), 2)
    result["regex_alternation"] = alternation
    result["machine"]["load_average_at_end"] = round(os.getloadavg()[0], 2)
    text = json.dumps(result, indent=2)
    RESULT.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
