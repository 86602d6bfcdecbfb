"""OmegaT 3.6 projects, proven with Debian's real OmegaT in console mode.

One session fixture runs OmegaT twice on a project written from the sample
article (real Russian memory, two sentences machine-translated by the tiny
model, one reviewed and one in review): ``console-createpseudotranslatetmx``
(what OmegaT takes as the source segments), then ``console-translate`` with a
script that plays the translator through OmegaT's own project API (it saves
``project_save.tmx`` with OmegaT's own writer) and records what OmegaT showed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

import pytest
from lxml import etree

from tandem.formats import omegat
from tandem.document import BilingualDocument, Origin
from tandem.errors import InputError
from tests.conftest import ROOT, SAMPLE, run_tandem

pytestmark = pytest.mark.slow
OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")  # Debian's omegat package
SAMPLE_TMX = ROOT / "src" / "tandem" / "samples" / "harbor-radar.tmx"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
MT_SENTENCES = ("Not everyone is convinced.", "The new stations use fixed panels and are expected to be nearly silent.")
REVIEWED, IN_REVIEW = "p2.s1", "p3.s1"
# The translator: a default translation of a machine-translated sentence, and an alternative
# translation (this unit only) of a sentence OmegaT auto-inserted from Tandem's memory.
TRANSLATOR = {MT_SENTENCES[0]: ("default", "Убедить удалось не всех."),
              "Work will begin at the old lighthouse on St. Clement Point.":
                  ("alternative", "Работы начнутся у старого маяка на мысе Святого Климента.")}

# Runs inside OmegaT (--script, Groovy) once the project is loaded and compiled: records what
# OmegaT shows for every segment (its text, the parts OmegaT protects as tags, the translation and
# the Fuzzy Matches pane), then translates like the editor does (setTranslation), saves
# the project memory with OmegaT's own writer (3.6 console mode never saves it, and its
# saveProject() needs the GUI) and creates the translated documents again.
TRANSLATOR_SCRIPT = r"""
import groovy.json.JsonOutput
import org.omegat.core.data.PrepareTMXEntry
import org.omegat.core.events.IStopped
import org.omegat.core.statistics.FindMatches
if (eventType.toString() == "COMPILE") {
  def work = new groovy.json.JsonSlurper().parse(new File(System.getProperty("tandem.work")), "UTF-8")
  def view = []
  def now = System.currentTimeMillis()
  def finder = new FindMatches(project.getSourceTokenizer(), 3, true, false)  // the Fuzzy Matches pane's search
  project.getAllEntries().each { ste ->
    def info = project.getTranslationInfo(ste)
    def matches = finder.search(project, ste.getSrcText(), true, false, { false } as IStopped).collect {
      [source: it.source, translation: it.translation, score: it.scores[0].score, origin: it.projs[0]] }
    def tags = ste.getProtectedParts().collect { it.getTextInSourceSegment() }
    view << [file: ste.getKey().file, source: ste.getSrcText(), tags: tags, translated: info.isTranslated(),
             translation: info.translation, matches: matches]
    def todo = work[ste.getSrcText()]
    if (todo != null) {
      def p = new PrepareTMXEntry()
      p.source = ste.getSrcText(); p.translation = todo[1]
      p.changer = "translator"; p.changeDate = now; p.creator = "translator"; p.creationDate = now
      project.setTranslation(ste, p, todo[0] == "default", null)
    }
  }
  new File(System.getProperty("tandem.view")).write(JsonOutput.toJson(view), "UTF-8")
  def props = project.getProjectProperties()
  project.projectTMX.save(props, props.getProjectInternal() + "project_save.tmx", true)
  project.compileProject(".*")
}
"""


@dataclass
class OmegatRun:
    doc: BilingualDocument
    out: Path  # Tandem's output folder (memory in out/tandem.db)
    project: Path
    written: list[Path]
    pseudo_sources: list[str]  # source segments of OmegaT's pseudo-translation TMX
    view: list[dict]  # every segment as OmegaT showed it before the translator worked
    logs: list[str]


@pytest.fixture(scope="session")
def omegat_jar() -> Path:
    if not OMEGAT_JAR.is_file() or shutil.which("java") is None:
        pytest.fail(f"{OMEGAT_JAR} or java is missing: `.ci/install` must install Debian's OmegaT "
                    "(apt-get install omegat, which brings Java)")
    with zipfile.ZipFile(OMEGAT_JAR) as jar:
        version = re.search(r"Implementation-Version: (\S+)", jar.read("META-INF/MANIFEST.MF").decode())
    assert version and version.group(1).startswith("3."), (
        f"OmegaT {version and version.group(1)}: these tests prove the project for 3.6's monolingual "
        "XLIFF filter; OmegaT 4+ reads Tandem's normal bilingual XLIFF")
    return OMEGAT_JAR


@pytest.fixture(scope="session")
def sample_doc(tmp_path_factory, packages_dir) -> tuple[BilingualDocument, Path]:
    """The sample article's Russian document as Tandem's memory holds it, with every kind of target:
    memory matches, MT (two sentences the TMX lacks), one reviewed (final) and one in review.
    The one place that calls Tandem's run/merge/load API: adapt it here after a refactor."""
    from tandem.pipeline import load_documents
    from tandem.settings import Workspace

    work = tmp_path_factory.mktemp("tandem")
    tmx = etree.parse(str(SAMPLE_TMX))
    for tu in tmx.iterfind(".//tu"):
        if tu.findtext("tuv/seg") in MT_SENTENCES:
            tu.getparent().remove(tu)
    tmx.write(str(work / "partial.tmx"), xml_declaration=True, encoding="UTF-8")
    out = work / "out"
    result = run_tandem("run", "--tm", str(work / "partial.tmx"), "--to", "ru", "--xliff", "1.2",
                        "--out", str(out), str(SAMPLE), packages=packages_dir)
    assert result.returncode == 0, result.stderr
    reviewed = _edit_xliff(out / "harbor-radar" / "harbor-radar.en-ru.xlf", work / "reviewed.en-ru.xlf",
                           {REVIEWED: "final", IN_REVIEW: "needs-review-translation"})
    result = run_tandem("merge", str(reviewed), "--out", str(out))
    assert result.returncode == 0 and "2 updated" in result.stdout, result.stdout + result.stderr
    [doc] = load_documents("harbor-radar", Workspace(out))
    return doc, out


def _edit_xliff(xlf: Path, reviewed: Path, states: dict[str, str]) -> Path:
    """A reviewer's copy of ``xlf``: the given units' targets edited, with the given states."""
    tree = etree.parse(str(xlf))
    for unit in tree.iterfind(".//x:trans-unit", NS):
        if unit.get("id") in states:
            unit.attrib.pop("approved", None)
            target = unit.find("x:target", NS)
            target.text += " (проверено)"
            target.set("state", states[unit.get("id")])
    tree.write(str(reviewed), xml_declaration=True, encoding="UTF-8")
    return reviewed


@pytest.fixture(scope="session")
def omegat_run(tmp_path_factory, omegat_jar, sample_doc) -> OmegatRun:
    doc, out = sample_doc
    work = tmp_path_factory.mktemp("omegat")
    made = run_tandem("omegat", str(out / "harbor-radar"), "--to", "ru")  # the command a user runs
    project = out / "harbor-radar" / "omegat-ru"
    assert made.returncode == 0 and f"OmegaT project: {project}/" in made.stdout, made.stdout + made.stderr
    written = sorted(p for p in project.rglob("*") if p.is_file())
    (work / "translator.groovy").write_text(TRANSLATOR_SCRIPT, encoding="utf-8")
    (work / "work.json").write_text(json.dumps(TRANSLATOR, ensure_ascii=False), encoding="utf-8")
    pseudo_log = _omegat(omegat_jar, project, work, "--mode=console-createpseudotranslatetmx",
                         f"--pseudotranslatetmx={work / 'pseudo.tmx'}", "--pseudotranslatetype=equal")
    translate_log = _omegat(omegat_jar, project, work, "--mode=console-translate",
                            f"--script={work / 'translator.groovy'}",
                            properties={"tandem.work": work / "work.json", "tandem.view": work / "view.json"})
    pseudo = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", (work / "pseudo.tmx").read_bytes()))
    sources = [tu.findtext("tuv[@lang='en']/seg") for tu in pseudo.iterfind(".//tu")]
    view = json.loads((work / "view.json").read_text(encoding="utf-8"))
    return OmegatRun(doc, out, project, written, sources, view, [pseudo_log, translate_log])


def _omegat(jar: Path, project: Path, work: Path, *args: str, properties: dict | None = None) -> str:
    """Run Debian's OmegaT in console mode on ``project``; return its output (it exits 0 on most errors)."""
    defines = [f"-D{key}={value}" for key, value in (properties or {}).items()]
    env = dict(os.environ, HOME=str(work))  # OmegaT and Java keep preferences under HOME
    result = subprocess.run(["java", "-Djava.awt.headless=true", *defines, "-jar", str(jar), str(project), *args,
                             "--no-team", "--disable-project-locking", f"--config-dir={work / 'config'}"],
                            capture_output=True, text=True, env=env, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return output


def test_project_layout_routes_each_kind_of_translation(omegat_run):
    project, doc = omegat_run.project, omegat_run.doc
    name = "harbor-radar.en-ru"
    assert sorted(p.relative_to(project).as_posix() for p in omegat_run.written) == sorted([
        "omegat.project", "omegat/filters.xml", f"source/{name}.xlf", f"tm/auto/{name}.tmx",
        f"tm/penalty-30/{name}.mt.tmx", f"tm/{name}.tmx"])
    for folder in ("glossary", "dictionary", "target", "omegat"):
        assert (project / folder).is_dir()
    by_origin = {}
    for pair in doc.pairs:
        t = pair.translation
        kind = "reviewed" if t.reviewed else "in review" if t.in_review else t.origin.value
        by_origin.setdefault(kind, set()).add(pair.segment.text)
    assert {k: len(v) for k, v in by_origin.items()} == {"tm": 22, "mt": 2, "reviewed": 1, "in review": 1}
    assert _tmx_sources(project / f"tm/auto/{name}.tmx") == by_origin["tm"] | by_origin["reviewed"]
    assert _tmx_sources(project / f"tm/penalty-30/{name}.mt.tmx") == by_origin["mt"]
    assert by_origin["in review"] <= _tmx_sources(project / f"tm/{name}.tmx")


def _tmx_sources(path: Path) -> set[str]:
    return {tu.findtext("tuv[1]/seg") for tu in etree.parse(str(path)).iterfind(".//tu")}


def test_omegat_loads_the_project_and_shows_every_unit_in_english(omegat_run):
    """(a) No errors; one segment per unit, in order, with the English text as OmegaT's source."""
    for log in omegat_run.logs:
        assert not re.search(r": (Error|SEVERE):|Exception", log), log[-3000:]
    assert "Source tokenizer: org.omegat.tokenizer.LuceneEnglishTokenizer" in omegat_run.logs[1]
    assert "Target tokenizer: org.omegat.tokenizer.LuceneRussianTokenizer" in omegat_run.logs[1]
    english = [pair.segment.text for pair in omegat_run.doc.pairs]
    assert len(english) == 26 and len(set(english)) == 26
    assert [s["source"] for s in omegat_run.view] == english  # sentence segmentation off: 1 unit = 1 segment
    assert not any(s["tags"] for s in omegat_run.view)  # plain text: no codes, so no tags
    assert {s["file"] for s in omegat_run.view} == {"harbor-radar.en-ru.xlf"}
    assert sorted(omegat_run.pseudo_sources) == sorted(english)


def test_only_finished_work_is_auto_inserted(omegat_run):
    """Memory matches and reviewed work arrive translated; work in review is a 100% match to
    insert, MT a 70% match (30 points of penalty): neither is inserted."""
    shown = {s["source"]: s for s in omegat_run.view}
    for pair in omegat_run.doc.pairs:
        t, segment = pair.translation, shown[pair.segment.text]
        finished = t.reviewed or t.origin is Origin.TM
        assert segment["translated"] is finished, (pair.segment.id, t.origin)
        assert segment["translation"] == (t.text if finished else None)
        if not finished:
            best = segment["matches"][0]
            folder = "tm/penalty-30/" if t.origin is Origin.MT else "tm/"
            assert (best["translation"], best["score"]) == (t.text, 70 if t.origin is Origin.MT else 100)
            assert PurePath(best["origin"]).relative_to(omegat_run.project).as_posix().startswith(folder)


def test_read_project_returns_the_translators_work_and_leaves_the_rest_untouched(omegat_run):
    """(b) The two translations come back as translated; every other unit is untouched."""
    [reviewed] = omegat.read_project(omegat_run.project)
    doc = omegat_run.doc
    assert reviewed.path == omegat_run.project / "omegat" / "project_save.tmx"
    assert (reviewed.version, reviewed.source_lang, reviewed.target_lang) == ("1.2", "en", "ru")
    assert reviewed.original == PurePath(doc.article.source_path).name == "harbor-radar.txt"
    assert [(u.id, u.source) for u in reviewed.units] == [(p.segment.id, p.segment.text) for p in doc.pairs]
    translated = {u.source: (u.target, u.state) for u in reviewed.units if u.target is not None}
    assert translated == {source: (text, "translated") for source, (_, text) in TRANSLATOR.items()}
    assert all(u.state is None and not u.approved for u in reviewed.units if u.target is None)


def test_omegat_took_the_work_as_confirmed_translations(omegat_run):
    """OmegaT's translated document holds the translator's texts and the auto-inserted memory."""
    units = {u.get("id"): u for u in etree.parse(str(omegat_run.project / "target" / "harbor-radar.en-ru.xlf"))
             .iterfind(".//x:trans-unit", NS)}
    for pair in omegat_run.doc.pairs:
        text = units[pair.segment.id].findtext("x:target", namespaces=NS)
        t = pair.translation
        if pair.segment.text in TRANSLATOR:
            assert text == TRANSLATOR[pair.segment.text][1]
        elif t.reviewed or t.origin is Origin.TM:
            assert text == t.text
        else:
            assert text == pair.segment.text  # untranslated: OmegaT copies the English


def test_without_a_project_memory_the_translated_document_is_read(omegat_run, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(omegat_run.project, copy)
    (copy / "omegat" / "project_save.tmx").unlink()
    [reviewed] = omegat.read_project(copy)
    assert reviewed.path == copy / "target" / "harbor-radar.en-ru.xlf"
    assert {u.source: u.target for u in reviewed.units if u.target is not None} == {
        source: text for source, (_, text) in TRANSLATOR.items()}
    shutil.rmtree(copy / "target")
    with pytest.raises(InputError, match="no translations to read"):
        omegat.read_project(copy)


def test_merged_omegat_work_reaches_the_memory(omegat_run, tmp_path):
    """(c) `tandem merge PROJECT` stores the translator's work as reviewed translations; every unit
    the translator left alone is untouched, and nothing else changes."""
    from tandem.pipeline import load_documents
    from tandem.settings import Workspace

    result = run_tandem("merge", str(omegat_run.project), "--out", str(omegat_run.out))
    assert result.returncode == 0, result.stderr
    assert "2 updated, 0 state changed, 0 unchanged, 24 untouched, 0 rejected, 0 not in the file" in result.stdout, result.stdout
    [after] = load_documents("harbor-radar", Workspace(omegat_run.out))
    before = {p.segment.text: p.translation for p in omegat_run.doc.pairs}
    for pair in after.pairs:
        t = pair.translation
        if pair.segment.text in TRANSLATOR:
            assert (t.text, t.origin, t.state, t.reviewed) == (TRANSLATOR[pair.segment.text][1], Origin.HUMAN,
                                                               "translated", True)
        else:
            old = before[pair.segment.text]
            assert (t.text, t.origin, t.state) == (old.text, old.origin, old.state)


# --- Without OmegaT: the refusals and the project memory's format -------------------------------


def test_a_project_holding_translator_work_is_never_overwritten(sample_doc, tmp_path):
    doc, _ = sample_doc
    project = tmp_path / "p"
    omegat.write_project(doc, project)
    omegat.write_project(doc, project)  # no translator work yet: rewritten
    save = project / "omegat" / "project_save.tmx"
    save.write_bytes(b"work")
    with pytest.raises(InputError, match="holds a translator's work"):
        omegat.write_project(doc, project)
    assert save.read_bytes() == b"work"
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not an OmegaT project"):
        omegat.write_project(doc, tmp_path / "other")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="a file is in the way"):
        omegat.write_project(doc, tmp_path / "file")


def test_a_project_of_another_document_is_refused(sample_doc, tmp_path):
    doc, _ = sample_doc
    omegat.write_project(doc, tmp_path / "p")
    (tmp_path / "p" / "source" / "other.en-ru.xlf").write_text("<x/>")
    with pytest.raises(InputError, match="another document"):
        omegat.write_project(doc, tmp_path / "p")


SAVE_HEAD = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx11.dtd">
<tmx version="1.1">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
          segtype="paragraph" srclang="en"/>
  <body>
"""


def _tu(source: str, target: str, **props: str) -> str:
    prop = "".join(f'<prop type="{k}">{v}</prop>' for k, v in props.items())
    return (f'<tu>{prop}<tuv lang="en"><seg>{source}</seg></tuv>'
            f'<tuv lang="ru" changeid="translator"><seg>{target}</seg></tuv></tu>\n')


def test_repeated_sentences_take_the_default_or_their_own_alternative(sample_doc, tmp_path):
    """In project_save.tmx a default translation serves every identical sentence; an alternative
    names its unit by the previous and next segments (OmegaT's default) or by its id."""
    doc, _ = sample_doc
    project = tmp_path / "p"
    omegat.write_project(doc, project)
    xlf = project / "source" / "harbor-radar.en-ru.xlf"
    tree = etree.parse(str(xlf))
    units = tree.findall(".//x:trans-unit", NS)
    for unit in units[:3]:  # the first three units say the same thing
        for element in unit:
            element.text = "Same."
    tree.write(str(xlf), xml_declaration=True, encoding="UTF-8")
    third = units[3].findtext("x:source", namespaces=NS)
    body = (_tu("Same.", "Default") + _tu("Same.", "Alt 1", file="harbor-radar.en-ru.xlf", prev="", next="Same.")
            + _tu("Same.", "Alt 3", file="harbor-radar.en-ru.xlf", prev="Same.", next=third)
            + _tu("Same.", "By id", file="other.xlf", id="p2.s1"))
    (project / "omegat" / "project_save.tmx").write_bytes(SAVE_HEAD + body.encode() + b"</body></tmx>")
    [reviewed] = omegat.read_project(project)
    assert [u.target for u in reviewed.units[:4]] == ["Alt 1", "Default", "Alt 3", None]
    (project / "omegat" / "project_save.tmx").write_bytes(
        SAVE_HEAD + _tu("Same.", "By id", file="harbor-radar.en-ru.xlf", id="p2.s1").encode() + b"</body></tmx>")
    assert [u.target for u in omegat.read_project(project)[0].units[:3]] == [None, "By id", None]


@pytest.mark.parametrize("head", [
    b'<?xml version="1.0"?>\n<!DOCTYPE tmx [<!ENTITY e "boom">]>\n<tmx version="1.1"><body>',
    b'<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "tmx11.dtd">\n<!DOCTYPE tmx SYSTEM "x.dtd">\n<tmx><body>',
    b'<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "http://example.com/tmx11.dtd">\n<tmx><body>'])
def test_only_omegats_own_doctype_is_tolerated(sample_doc, tmp_path, head):
    doc, _ = sample_doc
    omegat.write_project(doc, tmp_path / "p")
    (tmp_path / "p" / "omegat" / "project_save.tmx").write_bytes(head + b"</body></tmx>")
    with pytest.raises(InputError, match="DOCTYPE"):
        omegat.read_project(tmp_path / "p")
