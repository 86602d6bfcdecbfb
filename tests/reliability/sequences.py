"""Random review sequences: runs (all languages or one), source edits (edit, insert, delete a
sentence, a new first paragraph, revert to an earlier version), reviews in XLIFF 1.2 and 2.1
with random states, and merges of old copies -- checking after every step that the latest
human translation of every sentence of the stored article is what the XLIFF (both versions),
the TMX and the bilingual page show.

Used by ``tests/test_review_properties.py`` (hypothesis picks the steps) and by the full sweep
(``tests/reliability/sweep.py --sequences N``: seeded random steps).  Library calls in-process,
the real tiny models for the MT that runs need.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree, html

from tandem import pipeline
from tandem.document import is_reviewed_state
from tandem.settings import Workspace, run_settings

POOL = ["The harbor opens at dawn.", "Ferries wait in the fog.", "The council met on Tuesday.",
        "Radar stations cost $4.2 million each.", "“Not the council,” she said.", "Work begins in May.",
        "Nobody saw the ship leave.", "The mayor spoke last."]
# Reviewed targets come from a small pool, so reviews repeat and revert.
TARGETS = {"ru": ["Вариант А.", "Вариант Б.", "Вариант В."], "ja": ["案A。", "案B。", "案C。"]}
LANGS = ("ru", "ja")
STATES = {"1.2": ["translated", "final", "signed-off", "needs-translation", "needs-review-translation", None],
          "2.1": ["translated", "reviewed", "final", "initial", None]}
NS12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
NS2 = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


class Loss(AssertionError):
    """A human translation an output does not show: the one thing Tandem must never do."""


@dataclass
class Loop:
    """A workspace: one article (paragraphs of sentences), its outputs and memory, and the
    oracle: the latest human translation merged for each (sentence, language)."""

    folder: Path
    packages: Path
    paragraphs: list[list[str]] = field(default_factory=lambda: [[POOL[0], POOL[1]], [POOL[2]]])
    versions: list[list[list[str]]] = field(default_factory=list)  # earlier sources, for reverts
    latest: dict[tuple[str, str], str] = field(default_factory=dict)
    saved: list[tuple[str, Path]] = field(default_factory=list)  # (language, copy of its XLIFF 1.2)
    stored: list[list[str]] | None = None  # the source as the last run stored it
    languages: set[str] = field(default_factory=set)  # languages the article has
    counter: int = 0

    def __post_init__(self) -> None:
        self.article = self.folder / "story.txt"
        self.workspace = Workspace(self.folder / "out")
        self.write_article()

    @property
    def out(self) -> Path:
        return self.workspace.out_dir / "story"

    # -- the steps ------------------------------------------------------------------

    def write_article(self) -> None:
        text = "\n\n".join(" ".join(p) for p in self.paragraphs if p)
        self.article.write_text(text + "\n", encoding="utf-8")

    def run(self, languages: tuple[str, ...] = LANGS) -> None:
        settings = run_settings(to=",".join(languages), models_dir=self.packages)
        pipeline.run([self.article], self.workspace, settings)
        self.stored = [list(p) for p in self.paragraphs if p]
        self.languages |= set(languages)
        for language in self.languages:
            self.save_copy(language)

    def save_copy(self, language: str) -> None:
        self.counter += 1
        copy = self.folder / f"saved-{self.counter}.en-{language}.xlf"
        shutil.copy(self.out / f"story.en-{language}.xlf", copy)
        self.saved.append((language, copy))

    def edit(self, how: str, where: int, choice: int) -> None:
        """Change the source (not run yet): edit, insert or delete a sentence, add a first
        paragraph, or go back to an earlier version."""
        self.versions.append([list(p) for p in self.paragraphs])
        sentences = [(i, j) for i, p in enumerate(self.paragraphs) for j in range(len(p))]
        i, j = sentences[where % len(sentences)]
        if how == "edit":
            self.paragraphs[i][j] = POOL[choice % len(POOL)]
        elif how == "insert":
            self.paragraphs[i].insert(j, POOL[choice % len(POOL)])
        elif how == "delete" and len(sentences) > 1:
            del self.paragraphs[i][j]
            self.paragraphs = [p for p in self.paragraphs if p]
        elif how == "paragraph":
            self.paragraphs.insert(0, [POOL[choice % len(POOL)]])
        elif how == "revert" and len(self.versions) > 1:
            self.paragraphs = [list(p) for p in self.versions[choice % (len(self.versions) - 1)]]
        self.write_article()

    def review(self, language: str, version: str, index: int, state: str | None, choice: int) -> None:
        """Edit one unit of the current file of ``language`` as a reviewer would, and merge it."""
        if language not in self.languages:
            return
        name = f"story.en-{language}.xlf" if version == "1.2" else f"story.en-{language}.xliff2.xlf"
        tree = etree.parse(str(self.out / name))
        if version == "1.2":
            units = tree.findall(".//x:trans-unit", NS12)
            unit = units[index % len(units)]
            target, holder = unit.find("x:target", NS12), unit.find("x:target", NS12)
        else:
            units = tree.findall(".//x:segment", NS2)
            holder = units[index % len(units)]
            target = holder.find("x:target", NS2)
            if target is None:
                target = etree.SubElement(holder, f"{{{NS2['x']}}}target")
        target.text = TARGETS[language][choice % len(TARGETS[language])]
        if state is not None:
            holder.set("state", state)
        path = self.folder / f"reviewed.en-{language}.xlf"  # one name, as a reviewer saves it each time
        tree.write(str(path), xml_declaration=True, encoding="UTF-8")
        self.merge(path, language, version)
        self.save_copy(language)

    def merge_old(self, which: int) -> None:
        if self.saved:
            language, path = self.saved[which % len(self.saved)]
            self.merge(path, language, "1.2")

    def merge(self, path: Path, language: str, version: str) -> None:
        """Merge ``path``; every unit it updated with a reviewer's text is the latest human
        translation of its sentence (other updates are state changes on untouched MT)."""
        (result,), _ = pipeline.merge([path], self.workspace)
        ns = NS12 if version == "1.2" else NS2
        text_path = "x:{}" if version == "1.2" else "x:segment/x:{}"
        for unit in etree.parse(str(path)).iterfind(".//x:trans-unit" if version == "1.2" else ".//x:unit", ns):
            target = unit.findtext(text_path.format("target"), namespaces=ns)
            if unit.get("id") in result.updated and target in TARGETS[language]:
                self.latest[(unit.findtext(text_path.format("source"), namespaces=ns), language)] = target

    # -- the invariant ------------------------------------------------------------------

    def check(self) -> None:
        """Every sentence of the stored article shows its latest human translation, everywhere."""
        if self.stored is None:
            return
        for language in self.languages:
            xlf12 = self._xliff12(language)
            xlf21 = self._xliff21(language)
            page = self._page(language)
            tmx = self._tmx(language)
            for source, (text, state) in xlf12.items():
                expected = self.latest.get((source, language))
                if expected is None:
                    continue
                for where, shown in (("XLIFF 1.2", text), ("XLIFF 2.1", xlf21.get(source)),
                                     ("bilingual page", page.get(source))):
                    if shown != expected:
                        raise Loss(f"{language} {source!r}: {where} shows {shown!r}, latest review {expected!r}")
                if is_reviewed_state(state) and tmx.get(source) != expected:
                    raise Loss(f"{language} {source!r}: TMX shows {tmx.get(source)!r}, latest review {expected!r}")
                if not is_reviewed_state(state) and source in tmx:
                    raise Loss(f"{language} {source!r}: TMX shows {tmx[source]!r} for work in review")

    def _xliff12(self, language: str) -> dict[str, tuple[str, str]]:
        tree = etree.parse(str(self.out / f"story.en-{language}.xlf"))
        return {u.findtext("x:source", namespaces=NS12): (u.findtext("x:target", namespaces=NS12) or "",
                                                          u.find("x:target", NS12).get("state"))
                for u in tree.iterfind(".//x:trans-unit", NS12)}

    def _xliff21(self, language: str) -> dict[str, str]:
        tree = etree.parse(str(self.out / f"story.en-{language}.xliff2.xlf"))
        return {s.findtext("x:source", namespaces=NS2): s.findtext("x:target", namespaces=NS2) or ""
                for s in tree.iterfind(".//x:segment", NS2)}

    def _page(self, language: str) -> dict[str, str]:
        page = html.fromstring((self.out / f"story.en-{language}.html").read_bytes())
        rows = page.xpath('//tr[@class="segment"]')
        return {row.xpath('string(td[@class="source"]/span[@class="text"])'):
                row.xpath('string(td[@class="target"]/span[contains(@class, "text")])') for row in rows}

    def _tmx(self, language: str) -> dict[str, str]:
        path = self.out / f"story.en-{language}.tmx"
        root = etree.parse(str(path)).getroot()
        return {tu.findtext("tuv[1]/seg"): tu.findtext("tuv[2]/seg") for tu in root.iterfind("body/tu")}


def apply(loop: Loop, op: tuple) -> None:
    """One step of a sequence, then the invariant (after steps that write outputs)."""
    kind = op[0]
    if kind == "run":
        loop.run(op[1])
    elif kind == "edit":
        loop.edit(*op[1:])
    elif kind == "review":
        loop.review(*op[1:])
    elif kind == "old":
        loop.merge_old(op[1])
    if kind != "edit":
        loop.check()


def random_op(rng: random.Random) -> tuple:
    """One random step, weighted towards reviews (the work that must not be lost)."""
    kind = rng.choices(["run", "edit", "review", "old"], weights=[3, 3, 5, 1])[0]
    if kind == "run":
        return ("run", rng.choice([LANGS, ("ru",), ("ja",)]))
    if kind == "edit":
        return ("edit", rng.choice(["edit", "insert", "delete", "paragraph", "revert"]),
                rng.randrange(8), rng.randrange(len(POOL)))
    if kind == "review":
        version = rng.choice(["1.2", "2.1"])
        return ("review", rng.choice(LANGS), version, rng.randrange(8), rng.choice(STATES[version]), rng.randrange(3))
    return ("old", rng.randrange(10))


def run(count: int, seed: int, packages: Path, steps: int = 10) -> dict:
    """``count`` seeded random sequences of ``steps`` steps: how many lost a human translation."""
    rng = random.Random(seed)
    losses, errors = [], []
    for number in range(count):
        ops = [random_op(rng) for _ in range(steps)]
        with tempfile.TemporaryDirectory() as tmp:
            loop = Loop(Path(tmp), packages)
            try:
                loop.run()
                for op in ops:
                    apply(loop, op)
                loop.run()
                loop.check()
            except Loss as loss:
                losses.append({"sequence": number, "ops": [list(map(str, op)) for op in ops], "loss": str(loss)})
            except Exception as exc:  # noqa: BLE001 -- any other failure is reported, not hidden
                errors.append({"sequence": number, "ops": [list(map(str, op)) for op in ops],
                               "error": f"{type(exc).__name__}: {exc}"})
    return {"sequences": count, "steps_each": steps, "seed": seed, "losses": len(losses), "errors": len(errors),
            "loss_details": losses[:20], "error_details": errors[:20]}
