"""kill -9 at random moments of ``tandem run``, ``merge`` and ``publish``, and the invariants
that must hold after every kill.

The world is one ``--out`` folder with two articles: the sample (``harbor-radar``) and
``big`` (the sample repeated, so that a run lasts long enough to be killed anywhere), both
translated with the tiny models, with reviewed Russian and Japanese work merged for
some sentences of the sample (the *protected* sentences: none holds a digit, so that
varying the digits of an article, which forces new MT, never touches them).

After each kill (seeded delays), :func:`kill_once` checks:

a. every output under ``--out`` is complete and parses (or is absent), and a folder that
   has ``report.json`` has the whole set of outputs (the report marks a complete set);
b. ``PRAGMA integrity_check`` of ``tandem.db`` is ``ok``;
c. the same command, re-run, succeeds and leaves no temporary (dot) file, and every
   article folder holds exactly the outputs of the README's "Output layout";
d. the protected sentences still show their reviewed translations in XLIFF 1.2, in both
   articles (``big`` gets them as exact reviewed matches); after a merge, the units it
   edited show the edits.
"""

from __future__ import annotations

import random
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from tests.reliability.harness import (LANGS, SAMPLE, dot_files, finish, integrity, kill_group, outputs, start,
                                       tandem, unparseable)

NS12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
ARTICLES = ("harbor-radar", "big")
PROTECTED_PER_LANGUAGE = 6
# Seconds each command usually takes on the 2-core build machine; only the first kill of
# each command uses them, later kills use the measured duration of its re-runs.
PRIOR_SECONDS = {"run-mt": 1.6, "run-no-mt": 1.0, "merge": 1.0, "publish": 0.8}


def expected_outputs(name: str) -> set[str]:
    """The files README's "Output layout" lists for an article in ru and ja."""
    pairs = {f"{name}.en-{lang}{suffix}" for lang in LANGS for suffix in (".xlf", ".xliff2.xlf", ".html", ".tmx")}
    return pairs | {f"{name}.{lang}.html" for lang in ("en", *LANGS)} | {"index.html", "report.json"}


@dataclass
class World:
    """The workspace the kills hit, and what must survive them."""

    root: Path
    packages: Path
    out: Path
    inputs: dict[str, Path]  # article name -> its file
    texts: dict[str, str]  # article name -> its original text
    protected: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> source -> reviewed target

    @property
    def db(self) -> Path:
        return self.out / "tandem.db"

    def tandem(self, *args: str | Path):
        return tandem(*args, packages=self.packages, cwd=self.root)


def build_world(root: Path, packages: Path, repeats: int = 15) -> World:
    """Run both articles with MT, merge reviews of the protected sentences, and re-run ``big``
    so that it shows them too; raise if the world does not start out sound."""
    sample = SAMPLE.read_text(encoding="utf-8").strip()
    texts = {"harbor-radar": sample + "\n", "big": "\n\n".join([sample] * repeats) + "\n"}
    inputs = {name: root / "in" / f"{name}.txt" for name in ARTICLES}
    for name, path in inputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(texts[name], encoding="utf-8")
    world = World(root, packages, root / "out", inputs, texts)
    _must(world.tandem("run", *inputs.values(), "--out", world.out), "the first run")
    for lang in LANGS:
        _merge_protected(world, lang)
    _must(world.tandem("run", inputs["big"], "--out", world.out, "--no-mt"), "the re-run of big")
    problems = protected_problems(world) + rerun_problems(world)
    if problems:
        raise RuntimeError(f"the kill world is not sound before any kill: {problems}")
    return world


def _must(result, what: str) -> None:
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")


def _merge_protected(world: World, lang: str) -> None:
    """Review PROTECTED_PER_LANGUAGE digit-free sentences of the sample in ``lang`` and merge."""
    tree = etree.parse(str(xliff12(world, "harbor-radar", lang)))
    units = [u for u in tree.iterfind(".//x:trans-unit", NS12) if not re.search(r"\d", _source(u))]
    # ru takes the first digit-free sentences, ja the last: the two sets differ.
    chosen = units[:PROTECTED_PER_LANGUAGE] if lang == "ru" else units[-PROTECTED_PER_LANGUAGE:]
    label = {"ru": "Проверено", "ja": "確認済み"}[lang]
    world.protected[lang] = {}
    for number, unit in enumerate(chosen, start=1):
        text = f"{label} {number}: {unit.get('id')}."
        _set_target(unit, text, "translated")
        world.protected[lang][_source(unit)] = text
    reviewed = world.root / f"reviewed.en-{lang}.xlf"
    tree.write(str(reviewed), xml_declaration=True, encoding="UTF-8")
    _must(world.tandem("merge", reviewed, "--out", world.out), f"the {lang} review merge")


def xliff12(world: World, name: str, lang: str) -> Path:
    return world.out / name / f"{name}.en-{lang}.xlf"


def _source(unit: etree._Element) -> str:
    return "".join(unit.find("x:source", NS12).itertext())


def _target(unit: etree._Element) -> str:
    target = unit.find("x:target", NS12)
    return "".join(target.itertext()) if target is not None else ""


def _set_target(unit: etree._Element, text: str, state: str) -> None:
    target = unit.find("x:target", NS12)
    target.text = text
    target[:] = []  # no inline codes left from the old text
    target.set("state", state)
    target.attrib.pop("state-qualifier", None)


# --- the commands killed ----------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    """One kind of command to kill: ``prepare`` writes its inputs and returns its arguments
    and the edits a merge makes (unit id -> text, by language)."""

    name: str  # e.g. "run-mt big"
    kind: str  # a key of PRIOR_SECONDS
    prepare: Callable[[World, random.Random], tuple[list[str | Path], dict[str, dict[str, str]]]]


def vary_digits(text: str, rng: random.Random) -> str:
    """Every number replaced by another of as many digits: those sentences become new (MT
    for them), segmentation stays the same, digit-free (protected) sentences are untouched."""
    def other(match: re.Match) -> str:
        width = len(match[0])
        return str(rng.randint(10 ** (width - 1) if width > 1 else 1, 10**width - 1))
    return re.sub(r"\d+", other, text)


def _run(name: str, mt: bool) -> Callable:
    def prepare(world: World, rng: random.Random):
        path = world.inputs[name]
        # MT runs always bring new sentences; a run without MT sometimes does (left empty).
        if mt or rng.random() < 0.5:
            path.write_text(vary_digits(world.texts[name], rng), encoding="utf-8")
        return ["run", path, "--out", world.out, *([] if mt else ["--no-mt"])], {}
    return prepare


def _merge(name: str, edits: tuple[int, int]) -> Callable:
    def prepare(world: World, rng: random.Random):
        lang = rng.choice(LANGS)
        tree = etree.parse(str(xliff12(world, name, lang)))
        protected = {s for texts in world.protected.values() for s in texts}
        seen: set[str] = set()
        candidates = []
        for unit in tree.iterfind(".//x:trans-unit", NS12):
            # One edit per distinct sentence: a translation belongs to its sentence, so two
            # different edits of repeated copies would contradict each other.
            if _source(unit) not in protected and _source(unit) not in seen:
                seen.add(_source(unit))
                candidates.append(unit)
        made = {}
        nonce = rng.randrange(10**6)
        for unit in rng.sample(candidates, min(rng.randint(*edits), len(candidates))):
            text = f"Правка {nonce} {unit.get('id')}." if lang == "ru" else f"修正{nonce} {unit.get('id')}。"
            _set_target(unit, text, rng.choice(["translated", "final", "signed-off"]))
            made[unit.get("id")] = text
        reviewed = world.root / "reviews" / f"{name}.{nonce}.en-{lang}.xlf"
        reviewed.parent.mkdir(exist_ok=True)
        tree.write(str(reviewed), xml_declaration=True, encoding="UTF-8")
        return ["merge", reviewed, "--out", world.out], {lang: made}
    return prepare


def _publish(name: str) -> Callable:
    def prepare(world: World, rng: random.Random):
        return ["publish", world.out / name], {}
    return prepare


COMMANDS = (
    Command("run-mt harbor-radar", "run-mt", _run("harbor-radar", mt=True)),
    Command("run-mt big", "run-mt", _run("big", mt=True)),
    Command("run-no-mt harbor-radar", "run-no-mt", _run("harbor-radar", mt=False)),
    Command("run-no-mt big", "run-no-mt", _run("big", mt=False)),
    Command("merge harbor-radar", "merge", _merge("harbor-radar", (2, 8))),
    Command("merge big", "merge", _merge("big", (10, 40))),
    Command("publish harbor-radar", "publish", _publish("harbor-radar")),
    Command("publish big", "publish", _publish("big")),
)


# --- invariants -------------------------------------------------------------------------------

def after_kill_problems(world: World) -> list[str]:
    """(a) and (b): what a killed command may leave is old or new outputs, never broken ones."""
    problems = [f"(b) integrity_check: {check}"] if (check := integrity(world.db)) != "ok" else []
    for name in ARTICLES:
        folder = world.out / name
        problems += [f"(a) {name}: {p}" for p in unparseable(folder)]
        present = {p.name for p in outputs(folder)}
        if "report.json" in present and not expected_outputs(name) <= present:
            problems.append(f"(a) {name}: report.json present but {sorted(expected_outputs(name) - present)} missing")
    return problems


def rerun_problems(world: World) -> list[str]:
    """(b) and (c) after a completed command: sound memory, no leftovers, the full set."""
    problems = [f"(b) integrity_check: {check}"] if (check := integrity(world.db)) != "ok" else []
    for name in ARTICLES:
        folder = world.out / name
        if leftovers := dot_files(folder):
            problems.append(f"(c) {name}: temporary files survived: {leftovers[:4]}")
        present = {p.name for p in outputs(folder)}
        if present != expected_outputs(name):
            problems.append(f"(c) {name}: missing {sorted(expected_outputs(name) - present)}, "
                            f"unexpected {sorted(present - expected_outputs(name))}")
        problems += [f"(c) {name}: {p}" for p in unparseable(folder)]
    return problems


def protected_problems(world: World) -> list[str]:
    """(d): every protected sentence shows its reviewed translation in both articles."""
    problems = []
    for lang, reviewed in world.protected.items():
        for name in ARTICLES:
            try:
                units = list(etree.parse(str(xliff12(world, name, lang))).iterfind(".//x:trans-unit", NS12))
            except (OSError, etree.XMLSyntaxError) as exc:
                problems.append(f"(d) {name} {lang}: cannot read the XLIFF 1.2: {exc}")
                continue
            shown = [(_source(u), _target(u), u.get("id")) for u in units if _source(u) in reviewed]
            lost = [f"{unit_id}: {target!r}" for source, target, unit_id in shown if target != reviewed[source]]
            if lost:
                problems.append(f"(d) {name} {lang}: reviewed translation not shown: {lost[:3]}")
            if {s for s, _, _ in shown} != set(reviewed):
                problems.append(f"(d) {name} {lang}: protected sentences missing from the XLIFF")
    return problems


def edit_problems(world: World, name: str, edits: dict[str, dict[str, str]]) -> list[str]:
    """(d) for a merge: after the completed re-run, the units it edited show the edits."""
    problems = []
    for lang, made in edits.items():
        units = {u.get("id"): u for u in etree.parse(str(xliff12(world, name, lang))).iterfind(".//x:trans-unit", NS12)}
        lost = [f"{unit_id} shows {_shown_target(units.get(unit_id))}, merged {text!r}"
                for unit_id, text in made.items() if unit_id not in units or _target(units[unit_id]) != text]
        if lost:
            problems.append(f"(d) {name} {lang}: merged edits not shown: {lost[:3]}")
    return problems


def _shown_target(unit: etree._Element | None) -> str:
    if unit is None:
        return "no such unit"
    target = unit.find("x:target", NS12)
    state = target.get("state") if target is not None else None
    return f"{_target(unit)!r} ({state}; source {_source(unit)[:60]!r})"


# --- killing ----------------------------------------------------------------------------------

def kill_traces(world: World) -> list[str]:
    """What shows that a kill hit a command mid-work: temporary files, a removed report,
    a hot SQLite journal.  (A kill during start-up or planning leaves none.)"""
    traces = ["journal"] if any(world.out.glob("tandem.db-*")) else []
    for name in ARTICLES:
        folder = world.out / name
        traces += [f"{name}: temporary file"] * bool(dot_files(folder))
        traces += [f"{name}: no report"] * (not (folder / "report.json").exists())
    return traces


@dataclass
class Killer:
    """Seeded kills of the commands in turn, with each command's duration learnt from its
    completed re-runs."""

    world: World
    rng: random.Random
    seconds: dict[str, float] = field(default_factory=dict)
    # Per command kind, the latest moment to kill, as a fraction of its expected duration
    # (default 1: anywhere).  Lets a caller stay clear of a window with a known defect.
    latest: dict[str, float] = field(default_factory=dict)

    def delay(self, command: Command) -> float:
        """When to kill: half of the kills anywhere in the expected duration, half in its last
        40%, where the memory is written and the files replaced."""
        expected = self.seconds.get(command.name, PRIOR_SECONDS[command.kind])
        fraction = self.rng.random() if self.rng.random() < 0.5 else 1 - 0.4 * self.rng.random()
        return expected * fraction * self.latest.get(command.kind, 1.0)

    def kill_once(self, command: Command) -> dict:
        """Start ``command``, SIGKILL its group after a random delay, check, re-run, check."""
        args, edits = command.prepare(self.world, self.rng)
        delay = self.delay(command)
        killed, killed_result = self._kill(args, delay)
        traces = kill_traces(self.world)  # before the checks: opening the memory rolls back its journal
        problems = after_kill_problems(self.world)
        rerun = self.world.tandem(*args)
        problems += self._after_rerun(command, rerun, edits)
        record = {"command": command.name, "delay_s": round(delay, 3), "killed": killed, "traces": traces,
                  "killed_exit": killed_result.returncode, "rerun_s": round(rerun.seconds, 2), "problems": problems}
        if problems:
            record.update(args=[str(a) for a in args], killed_output=_tail(killed_result),
                          rerun_output=_tail(rerun), repair=self.repair())
        return record

    def _kill(self, args: list[str | Path], delay: float):
        """Run ``args``; SIGKILL the group after ``delay`` seconds unless it is done by then."""
        started = time.perf_counter()
        child = start(args, self.world.packages, self.world.root)
        time.sleep(delay)
        killed = child.poll() is None
        if killed:
            kill_group(child)
        return killed, finish(child, started)

    def _after_rerun(self, command: Command, rerun, edits: dict[str, dict[str, str]]) -> list[str]:
        """(b), (c), (d) once the same command has run to completion; learn its duration."""
        if rerun.returncode != 0:
            problems = [f"(c) the re-run failed (exit {rerun.returncode}): {rerun.stderr.strip()[-300:]}"]
        else:
            problems = []
            previous = self.seconds.get(command.name, rerun.seconds)
            self.seconds[command.name] = 0.5 * previous + 0.5 * rerun.seconds
        problems += rerun_problems(self.world) + protected_problems(self.world)
        if edits and rerun.returncode == 0:
            problems += edit_problems(self.world, command.name.split()[-1], edits)
        return problems

    def repair(self) -> str:
        """After a failure, rebuild both articles (no MT), so that the next kills are judged on
        their own instead of inheriting this one's damage; say whether that worked."""
        result = self.world.tandem("run", *self.world.inputs.values(), "--out", self.world.out, "--no-mt")
        if result.returncode != 0:
            return f"repair run failed: {result.stderr.strip()[-200:]}"
        left = rerun_problems(self.world) + protected_problems(self.world)
        return f"repaired; still: {left}" if left else "repaired"


def _tail(result) -> str:
    return (result.stdout.strip()[-400:] + " | " + result.stderr.strip()[-400:]).strip(" |")


def sweep(world: World, kills: int, seed: int, log: Callable[[str], None] = lambda line: None,
          commands: tuple[Command, ...] = COMMANDS) -> dict:
    """Kill until ``kills`` commands were killed mid-way (a command that finished before its
    kill still has its invariants checked, but does not count as a kill)."""
    killer = Killer(world, random.Random(seed))
    per = {c.name: {"kills": 0, "mid_write": 0, "finished_before_kill": 0, "failures": 0} for c in commands}
    failures, attempts, done = [], 0, 0
    started = time.perf_counter()
    while done < kills and attempts < 3 * kills + len(commands):
        command = commands[attempts % len(commands)]
        attempts += 1
        record = killer.kill_once(command)
        tally = per[command.name]
        tally["kills" if record["killed"] else "finished_before_kill"] += 1
        done += record["killed"]
        tally["mid_write"] += bool(record["killed"] and record["traces"])
        if record["problems"]:
            tally["failures"] += 1
            failures.append({"attempt": attempts, **record})
        if attempts % 10 == 0 or record["problems"]:
            failed = f"; FAIL {record['problems'][:2]}" if record["problems"] else ""
            log(f"kills: {done}/{kills} killed, {attempts} attempts, {len(failures)} with failures, "
                f"{time.perf_counter() - started:.0f} s{failed}")
    return {"kills": done, "mid_write": sum(t["mid_write"] for t in per.values()), "attempts": attempts,
            "per_command": per, "failures": len(failures),
            "failure_details": failures[:50], "seconds": round(time.perf_counter() - started, 1)}


def cleanup(world: World) -> None:
    shutil.rmtree(world.root, ignore_errors=True)
