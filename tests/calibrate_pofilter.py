"""Calibrate Tandem's QA checks against translate-toolkit's pofilter (a script, not a test).

    .venv/bin/python tests/calibrate_pofilter.py [--work DIR] [--out tests/calibrate_pofilter.result.md]

It produces the sample article's XLIFF 1.2 files twice with the console script -- machine
translated by the tiny random test models (their output is garbage in the target script),
and from the hand-written sample translation (``--tm harbor-radar.tmx --no-mt``) -- then runs
pofilter (``--language=ru|ja``, a do-not-translate word list) and Tandem's checks (with a
small glossary of the same terms) on the same units, and writes a Markdown table: per check,
pofilter's and Tandem's findings (units flagged) on MT ru, MT ja, human ru and human ja, what
corresponds to what, and why they differ; then every unit where they differ.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tandem import qa
from tandem.document import Finding, GlossaryEntry, Origin, Severity, TargetTerm, TermMatch, TermStatus

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "src" / "tandem" / "samples"
ARTICLE, TMX = SAMPLES / "harbor-radar.txt", SAMPLES / "harbor-radar.tmx"
MODELS = ROOT / "tests" / ".data" / "models"
BIN = Path(sys.executable).parent
DATASETS = (("mt", "ru"), ("mt", "ja"), ("human", "ru"), ("human", "ja"))
# Unit-state filters, not checks of the text: every MT unit is fuzzy (needs review) and has an
# alternative (the beam's runner-up) by design.
STATE_FILTERS = ("hassuggestion", "isfuzzy", "isreview")
NO_TRANSLATE_WORDS = ("THAAD", "SM", "Block", "IIA", "RIM")  # pofilter compares single words
XLIFF12 = "urn:oasis:names:tc:xliff:document:1.2"


def glossary() -> tuple[GlossaryEntry, ...]:
    """The glossary Tandem checks with: the designations pofilter gets as do-not-translate
    words, and names and terms as the hand-written translation renders them (Russian «радар»
    also as the adjective «радиолокационный», admitted)."""
    dnt = [GlossaryEntry(term, do_not_translate=True, case_sensitive=True) for term in
           ("THAAD", "SM-3 Block IIA", "RIM-161")]
    terms = {"Coast Guard": ("Береговая охрана", "沿岸警備隊"), "city council": ("городской совет", "市議会"),
             "Elena Brandt": ("Елена Брандт", "エレナ・ブラント"), "Paul Reyes": ("Пол Рейес", "ポール・レイエス"),
             "Amara Okafor": ("Амара Окафор", "アマラ・オカフォー"), "radar": ("радар", "レーダー")}
    extra = {"Coast Guard": (TargetTerm("ru", "Береговая стража", TermStatus.DEPRECATED),
                             TargetTerm("ja", "コーストガード", TermStatus.DEPRECATED)),
             "radar": (TargetTerm("ru", "радиолокационный", TermStatus.ADMITTED),)}
    entries = [GlossaryEntry(source, (TargetTerm("ru", ru), TargetTerm("ja", ja), *extra.get(source, ())))
               for source, (ru, ja) in terms.items()]
    return (*dnt, *entries)


def term_matches(text: str, entries: Iterable[GlossaryEntry]) -> tuple[TermMatch, ...]:
    """The glossary entries in ``text`` (whole words; case aside unless case-sensitive)."""
    found = []
    for entry in entries:
        flags = 0 if entry.case_sensitive else re.IGNORECASE
        found += [TermMatch(entry, m.start(), m.end(), m.group())
                  for m in re.finditer(rf"(?<!\w){re.escape(entry.source)}(?!\w)", text, flags)]
    return tuple(sorted(found, key=lambda m: m.start))


# -- producing the files --------------------------------------------------------------------------

def produce(work: Path) -> dict[tuple[str, str], Path]:
    """Run the console script for both sets; the XLIFF 1.2 file of each (set, language)."""
    models = work / "models"
    for folder in ("qa-mt", "qa-human"):  # a fresh memory each time: the same output every run
        shutil.rmtree(work / folder, ignore_errors=True)
    for package in sorted(MODELS.glob("translate-en_*.argosmodel")):
        _tandem("models", "install", "--file", str(package), "--models-dir", str(models))
    _tandem("run", str(ARTICLE), "--out", str(work / "qa-mt"), "--models-dir", str(models), "--offline",
            "--replace")
    _tandem("run", str(ARTICLE), "--tm", str(TMX), "--no-mt", "--out", str(work / "qa-human"))
    return {(kind, lang): work / f"qa-{kind}" / "harbor-radar" / f"harbor-radar.en-{lang}.xlf"
            for kind, lang in DATASETS}


def _tandem(*args: str) -> None:
    subprocess.run([str(BIN / "tandem"), *args], check=True, capture_output=True, text=True)


# -- the units and both tools' findings ------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    id: str
    source: str
    target: str
    origin: Origin
    score: float | None
    notes: tuple[str, ...]  # the QA notes the pipeline wrote ("QA numbers: ...")


def read_units(path: Path) -> list[Unit]:
    """The trans-units of a Tandem XLIFF 1.2 file."""
    ns = {"x": XLIFF12}
    units = []
    for element in etree.parse(str(path)).iterfind(".//x:trans-unit", ns):
        target = element.find("x:target", ns)
        notes = [n.text or "" for n in element.iterfind("x:note", ns)]
        score = next((float(m.group(1)) for n in notes for m in [re.search(r"score (-?\d+\.\d+)", n)] if m), None)
        origin = Origin.MT if target.get("state-qualifier") == "leveraged-mt" else Origin.TM
        units.append(Unit(element.get("id"), element.findtext("x:source", namespaces=ns), target.text or "",
                          origin, score, tuple(n for n in notes if n.startswith("QA "))))
    return units


def tandem_findings(units: list[Unit], language: str, entries: tuple[GlossaryEntry, ...]) -> dict[str, list[Finding]]:
    """Tandem's findings per unit id, with the glossary's terms; checks on the way that the
    pipeline (align) wrote the same findings as :func:`qa.check` gives without terms."""
    found = {}
    for unit in units:
        qa_unit = qa.QAUnit(unit.source, unit.target, target_language=language, origin=unit.origin,
                            score=unit.score, terms=term_matches(unit.source, entries))
        found[unit.id] = list(qa.check(qa_unit))
        plain = qa.check(qa.QAUnit(unit.source, unit.target, target_language=language, origin=unit.origin,
                                   score=unit.score))
        written = tuple(f"QA {f.code}: {f.message}" for f in plain)
        if written != unit.notes:
            print(f"warning: {unit.id} {language}: the pipeline wrote {unit.notes}, qa.check gives {written}",
                  file=sys.stderr)
    return found


def pofilter_checks() -> list[str]:
    """pofilter's checks, as ``pofilter --listfilters`` names them."""
    listed = subprocess.run([str(BIN / "pofilter"), "--listfilters"], check=True, capture_output=True, text=True)
    return [line.split("\t")[0] for line in listed.stdout.splitlines() if "\t" in line]


def pofilter_findings(path: Path, language: str, work: Path) -> dict[str, dict[str, str]]:
    """pofilter's failures per unit id: check -> message (first line)."""
    words = work / "notranslate.txt"
    words.write_text("\n".join(NO_TRANSLATE_WORDS) + "\n", encoding="utf-8")
    out = work / f"pofilter.{path.parent.parent.name}.{language}.xlf"
    excluded = [f"--excludefilter={name}" for name in STATE_FILTERS]
    subprocess.run([str(BIN / "pofilter"), "--progress=none", f"--language={language}", *excluded,
                    f"--notranslatefile={words}", "-i", str(path), "-o", str(out)], check=True, capture_output=True)
    found: dict[str, dict[str, str]] = {}
    for element in etree.parse(str(out)).iter("{*}trans-unit"):
        for note in element.iter("{*}note"):
            if note.get("from") == "pofilter":
                name, _, message = (note.text or "").partition(": ")
                found.setdefault(element.get("id"), {})[name] = message.split("\n")[0]
    return found


# -- what corresponds to what, and why they differ ---------------------------------------------------

@dataclass(frozen=True)
class Group:
    """pofilter checks and the Tandem checks that look for the same thing."""

    pofilter: tuple[str, ...]
    tandem: tuple[str, ...]
    why: str  # why the counts differ (or that they agree)


GROUPS = (
    Group(("numbers",), ("numbers", "dates"),
          "MT: agree (the garbage has no digits). Human: every pofilter finding is a false alarm Tandem does not "
          "repeat: decimal comma (133,3 млн, 4,2 млн), 億/万 amounts (1億3330万ドル, 420万ドル), numbers only the "
          "target has (12月28日; 2隻 for \"two ferries\"). `dates` adds the month and weekday (28 декабря, 12月28日, "
          "вторник, 火曜日); on MT it fires on units `numbers` flags too."),
    Group(("urls",), ("urls",), "None in the sample; both 0 (tests/test_qa.py covers them)."),
    Group(("emails",), ("emails",), "None in the sample; both 0 (tests/test_qa.py covers them)."),
    Group((), ("handles",), "No pofilter counterpart; none in the sample."),
    Group(("xmltags",), ("codes", "code-placement"),
          "A plain-text article: no inline codes. Codes are checked on HTML articles (tests/test_mt_codes.py)."),
    Group(("notranslatewords",), ("term-verbatim",),
          "The same do-not-translate terms (pofilter gets single words: THAAD SM Block IIA RIM). MT: agree (p8.s1, "
          "p9.s1). Human ja: pofilter's false alarms: it splits the target into words at spaces, and Japanese "
          "writes none (\"SM-3 Block IIA試験場\", \"THAAD部隊\"); Tandem looks for the term as written."),
    Group((), ("term-missing",),
          "No pofilter counterpart (it knows no translations of terms). Human: 0 -- the names and terms are found in "
          "any case form («Береговой охраны» for «Береговая охрана», «радаров», «Городской совет»); MT garbage "
          "misses them (8 units per language)."),
    Group(("musttranslatewords",), ("term-avoided",),
          "No deprecated term is used (the glossary deprecates «Береговая стража», コーストガード); pofilter got no "
          "must-translate list. tests/test_qa.py covers the check."),
    Group(("unchanged",), ("untranslated",), "No target copies its source."),
    Group(("validchars",), ("wrong-script",),
          "The MT garbage is in the right script (Cyrillic; kana and kanji), so nothing to find; pofilter's "
          "validchars needs a character list. tests/test_qa.py covers the check."),
    Group(("doublequoting", "singlequoting"), ("quotes", "punctuation-style"),
          "MT: agree on the 9 units whose source quotes and whose target has no quotation mark. Human: all 18 "
          "pofilter findings are false alarms -- it counts “ ” \" against « » and 「 」, the right quotes for Russian "
          "and Japanese. Tandem counts any style as a quotation mark; another language's style is "
          "`punctuation-style` (info), none in the human translation."),
    Group(("brackets",), ("brackets",), "Agree: MT loses \"[the]\" (p9.s2); the human translation keeps [эти], "
          "[個別の] (and the added （CEO） is full-width, and extra)."),
    Group(("endpunc",), ("end-punctuation",),
          "MT: Tandem also flags the 4 sources ending in a full stop inside a closing quotation mark (blind.”, "
          "\"excessive.\", wrong.\", sure.”), which pofilter misses. Human: pofilter's 5 findings are false alarms: "
          "Russian puts the full stop after «…» («чрезмерной».), Japanese none before 」. Tandem compares the run of "
          "punctuation at the end, in any order, and knows 。, ？ and 」."),
    Group(("startpunc",), ("start-punctuation",),
          "MT: agree (6 units opening with a quotation mark). Human: all 12 pofilter findings are false alarms: « "
          "and 「 open a quotation as “ and \" do."),
    Group(("startwhitespace", "endwhitespace"), ("whitespace",),
          "No leading or trailing whitespace in either set (the segmenter trims; a reviewer's target may add some)."),
    Group(("doublespacing", "puncspacing"), ("spacing",),
          "Human: pofilter's false alarms: it compares how often a punctuation mark is followed by a space, which a "
          "translation changes (\", —\" after a Russian quotation, \";\" for \",\", no spaces in Japanese). Tandem "
          "checks what is wrong in the target language (a space before a comma, none after it, a space after 。)."),
    Group(("doublewords",), ("repeated-words",),
          "MT ru: agree (ост ост, ч ч, обны обны). MT ja: Tandem also flags 3 units repeating 南, 上 and 報復 three "
          "times and more: pofilter splits words at spaces, which Japanese does not write."),
    Group(("startcaps", "simplecaps"), ("capitals",),
          "MT ru: agree on the 22 targets starting lowercase; pofilter's simplecaps also counts capitals inside the "
          "garbage (p14.s1, p15.s1): Tandem looks at the first letter only (Russian capitalises fewer words than "
          "English: months, weekdays, titles) and flags both units with other checks. Japanese has no case."),
    Group(("acronyms",), ("acronyms",),
          "MT: agree on SM-3, IIA, RIM-161 (p8.s1) and THAAD (p9.s1). pofilter also flags the dateline PORT ALDER "
          "(p2.s1; ПОРТ-ОЛДЕР, ポートオールダー) and U.S (p6.s1; США, 米): false alarms on the human translation, "
          "which Tandem skips (runs of capitalised words, dotted abbreviations); on MT it flags both units with "
          "other checks."),
    Group(("short", "long"), ("length",),
          "pofilter's `short` fires only below a tenth of the source's length (4 MT ja units, which Tandem flags "
          "too). Tandem's bounds are per language, calibrated on the human translation (ru 0.62-1.44, ja 0.34-0.73 "
          "of the source; bounds 0.5-2.0 and 0.2-0.9): it flags the MT garbage and none of the human translation."),
    Group((), ("low-confidence",),
          "No pofilter counterpart (the score is in a note). The random test models score every sentence -1.3 to "
          "-2.1, below -1.0."),
    Group(("sentencecount",), (),
          "Not ported: a unit is one sentence by construction and a translator may make two of it (human ja "
          "p3.s1). pofilter counts abbreviations as sentence ends (U.S., Dr., St., Jonas E. Smith): false alarms "
          "on the human translation; on MT the same miscount, on units Tandem flags with other checks."),
    Group(("untranslated", "blank"), (),
          "Not ported: an empty target is a unit left for the translator (no QA, XLIFF state new), and a blank one "
          "cannot be stored. None here."),
    Group(("purepunc",), (), "Not ported: a punctuation-only source has nothing to translate. None here."),
    Group(("spellcheck",), (), "Not ported: pofilter needs PyEnchant and dictionaries (not installed) and passes "
          "silently without them."),
    Group(("accelerators", "compendiumconflicts", "credits", "escapes", "filepaths", "functions", "kdecomments",
           "newlines", "nplurals", "options", "printf", "pythonbraceformat", "simpleplurals", "tabs", "variables"),
          (), "Software-localisation checks (format strings, accelerators, options, file paths, plural forms): "
              "nothing of the kind in news text; not ported."),
)


def table(groups: Iterable[Group], pofilter: Mapping, tandem: Mapping) -> list[str]:
    """The Markdown table: per group, units flagged by each tool in each data set."""
    head = ["| pofilter check | Tandem check | pofilter: MT ru | MT ja | human ru | human ja "
            "| Tandem: MT ru | MT ja | human ru | human ja | why they differ |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    rows = []
    for group in groups:
        counts = [len(_flagged(pofilter[d], group.pofilter)) for d in DATASETS]
        counts += [len(_flagged(tandem[d], group.tandem)) for d in DATASETS]
        names = ", ".join(group.pofilter) or "—", ", ".join(f"`{t}`" for t in group.tandem) or "—"
        rows.append(f"| {names[0]} | {names[1]} | " + " | ".join(map(str, counts)) + f" | {group.why} |")
    return head + rows


def _flagged(found: Mapping[str, Iterable], names: Iterable[str]) -> set[str]:
    """The units with a finding of one of ``names`` (pofilter: check names; Tandem: findings)."""
    wanted = set(names)
    return {unit for unit, items in found.items()
            if any((item.code if isinstance(item, Finding) else item) in wanted for item in items)}


def differences(groups: Iterable[Group], pofilter: Mapping, tandem: Mapping) -> list[str]:
    """Every unit that one tool flags for a group and the other does not: one row per group, data
    set and tool, with the units, a message, and (pofilter only) what else Tandem says about them."""
    lines = ["| data set | pofilter check / Tandem check | flagged only by | units | a message | "
             "Tandem's other findings (warning or error) on those units |", "|---|---|---|---|---|---|"]
    for group in (g for g in groups if g.pofilter):
        name = f"{'/'.join(group.pofilter)} / {'/'.join(group.tandem) or '—'}"
        for data in DATASETS:
            p, t = _flagged(pofilter[data], group.pofilter), _flagged(tandem[data], group.tandem)
            for by, only in (("pofilter", sorted(p - t, key=_order)), ("Tandem", sorted(t - p, key=_order))):
                if only:
                    lines.append(f"| {' '.join(data)} | {name} | {by} | {', '.join(only)} ({len(only)}) | "
                                 f"{_cell(_message(by, group, pofilter[data], tandem[data], only[0]))} | "
                                 f"{_others(by, group, tandem[data], only)} |")
    return lines


def _message(by: str, group: Group, pofilter: Mapping, tandem: Mapping, unit: str) -> str:
    if by == "pofilter":
        return "; ".join(f"{k}: {v}" for k, v in pofilter[unit].items() if k in group.pofilter)
    return "; ".join(f"{f.code}: {f.message}" for f in tandem[unit] if f.code in group.tandem)


def _others(by: str, group: Group, tandem: Mapping, units: list[str]) -> str:
    if by != "pofilter":
        return ""
    other = [{f.code for f in tandem.get(u, []) if f.severity is not Severity.INFO and f.code not in group.tandem}
             for u in units]
    if not any(other):
        return "none"
    every = set.intersection(*other)
    return ("on every one: " + ", ".join(sorted(every))) if every else "on some: " + ", ".join(sorted(set.union(*other)))


def _order(unit: str) -> tuple[int, int]:
    paragraph, sentence = unit[1:].split(".s")
    return int(paragraph), int(sentence)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def headline(pofilter: Mapping, tandem: Mapping) -> list[str]:
    """Totals per data set: findings and units flagged by each tool, Tandem's by severity."""
    lines = ["| data set | units | pofilter findings (units) | Tandem findings (units) | Tandem errors / warnings / info |",
             "|---|---|---|---|---|"]
    for data in DATASETS:
        p = sum(len(v) for v in pofilter[data].values())
        found = [f for v in tandem[data].values() for f in v]
        by = [sum(1 for f in found if f.severity is s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)]
        lines.append(f"| {' '.join(data)} | {len(tandem[data])} | {p} ({len(pofilter[data])}) | {len(found)} "
                     f"({sum(1 for v in tandem[data].values() if v)}) | {' / '.join(map(str, by))} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=None, help="folder for the runs (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "calibrate_pofilter.result.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        files = produce(work)
        entries = glossary()
        units = {d: read_units(files[d]) for d in DATASETS}
        pofilter = {d: pofilter_findings(files[d], d[1], work) for d in DATASETS}
        tandem = {d: tandem_findings(units[d], d[1], entries) for d in DATASETS}
    report = render(pofilter, tandem)
    args.out.write_text(report, encoding="utf-8")
    print(report)
    return 0


def render(pofilter: Mapping, tandem: Mapping) -> str:
    """The whole report: headline, per-check table, differences (every check in a group or refused)."""
    checks = set(pofilter_checks()) - set(STATE_FILTERS)
    grouped = {name for g in GROUPS for name in g.pofilter}
    ungrouped = sorted(checks - grouped)
    missing = sorted({c.id for c in qa.CHECKS} - {name for g in GROUPS for name in g.tandem})
    if ungrouped or missing:
        raise SystemExit(f"not in GROUPS: pofilter {ungrouped}, Tandem {missing}")
    parts = [HEADER, *headline(pofilter, tandem), "", TABLE_INTRO, *table(GROUPS, pofilter, tandem), "",
             DIFFERENCES_INTRO, *differences(GROUPS, pofilter, tandem), ""]
    return "\n".join(parts)


HEADER = """# Tandem's QA checks against pofilter

Written by `tests/calibrate_pofilter.py` (run it again to refresh). The article
`src/tandem/samples/harbor-radar.txt` (26 sentences) is run twice through `tandem run`: machine
translated by the tiny random test models (`tests/.data/models`; their output is garbage in the
target script), and from the hand-written translation `src/tandem/samples/harbor-radar.tmx`
(`--tm ... --no-mt`). pofilter (translate-toolkit, `--language=ru|ja`, unit-state filters
hassuggestion/isfuzzy/isreview left out, do-not-translate words THAAD SM Block IIA RIM) reads
the XLIFF 1.2 files; Tandem's checks run on the same units with a small glossary (the same
designations as do-not-translate terms; names and terms as the hand-written translation
renders them). Counts are units flagged.

Headline: on the machine translation both tools flag every unit; on the hand-written
translation every pofilter finding is a false alarm, and Tandem finds nothing.
"""
TABLE_INTRO = """## Per check

A pofilter check and the Tandem checks that look for the same thing share a row.
"""
DIFFERENCES_INTRO = """## Every unit where they differ

For each row above with a pofilter check: the units one tool flags and the other does not; for
pofilter's, what else Tandem says about the unit (warnings and errors).
"""


if __name__ == "__main__":
    sys.exit(main())
