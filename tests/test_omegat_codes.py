"""Inline codes through OmegaT 3.6, proven with Debian's real OmegaT in console mode.

One session fixture: ``tandem run`` on the HTML sample (the tiny model translating) and on a
one-sentence page with an empty anchor; a review merged so that two coded units are reviewed
work and one is in review; ``tandem omegat``; then OmegaT: the pseudo-translation TMX of the
sample's project, and ``console-translate`` with the translator script of ``test_omegat`` on
both projects (it records what OmegaT showed, then translates: tags kept, reordered, dropped,
one unknown).  Tags are written below as OmegaT 3.6 shows them.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePath
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from tandem import review
from tandem.document import BilingualDocument, CodeRole, Origin
from tandem.formats import omegat
from tests.conftest import ROOT, run_tandem
from tests.test_omegat import NS, SAVE_HEAD, TRANSLATOR_SCRIPT, _omegat, _tu
from tests.test_omegat import omegat_jar  # noqa: F401 -- the session fixture, shared

pytestmark = pytest.mark.slow
SAMPLE_HTML = ROOT / "src" / "tandem" / "samples" / "harbor-vote.html"
ANCHORS_HTML = '<p>Read <a id="top"></a>the <em>notes</em> first.<br></p>\n'  # an empty element: one tag
TAG = re.compile(r"</?[a-z][0-9]+/?>")
X = NS["x"]

# The reviewer, before OmegaT: unit (by the start of its English) -> state and target (1.2 codes).
REVIEWS = {
    "Port Alder council approves": ("final", 'Совет Порт-Олдера одобрил радар за <g id="1">4,2 млн долларов</g>'),
    "The system, a": ("final", 'Система <x id="1"/> компании <x id="2"/> охватит устье гавани.'),
    "Two screens in the pilots": ("needs-review-translation", 'Два экрана с <g id="1">живыми треками</g> всех судов')}
# ...and the same three as OmegaT must show them: the English, and the translation with tags.
SYSTEM = ("The system, a <x0/> built by <x1/>, will cover the harbor mouth and the shipping lane up to "
          "12\u00a0nautical miles out.")
REVIEWED_SHOWN = {"Port Alder council approves <g0>$4.2 million</g0> harbor radar":
                  "Совет Порт-Олдера одобрил радар за <g0>4,2 млн долларов</g0>",
                  SYSTEM: "Система <x0/> компании <x1/> охватит устье гавани."}
IN_REVIEW_SHOWN = ("Two screens in the pilots’ station, with <g0>live tracks</g0> of every vessel",
                   "Два экрана с <g0>живыми треками</g0> всех судов")
# Units whose codes OmegaT hides unless "remove leading and trailing tags" is off (omegat/filters.xml).
ISOLATED_START = "<b0/>His office wrote the report on the collision."
ISOLATED_END = "It runs to 41 pages and names fog as the main cause.<e0/>"
AT_THE_EDGES = (ISOLATED_START, ISOLATED_END, "<g0>Photo: City of Port Alder</g0>",
                "The mast would stand where the old fog bell is today.<x0/>")
NESTED = "Council members read the <g0><g1>Harbor <g2>Safety</g2> Plan</g1></g0> before the vote."
KEPT = "Члены совета прочли <g0><g1>План <g2>безопасности</g2> гавани</g1></g0> до голосования."
REORDERED = "Система <x1/>, построенная <x0/>, охватит устье гавани."
DROPPED = "<g0>We could have paid half</g0>, he said."
UNKNOWN = "By Mara Lindqvist · <g0>December 28</g0>"
# The translator in OmegaT: OmegaT's segment -> (default or alternative translation, text with tags).
TRANSLATOR = {NESTED: ("default", KEPT),
              SYSTEM: ("alternative", REORDERED),  # a reviewed unit OmegaT auto-inserted, retranslated
              ISOLATED_START: ("default", "<b0/>Его служба написала отчёт о столкновении."),
              ISOLATED_END: ("default", "В нём 41 страница, главной причиной назван туман.<e0/>"),
              "Neither crew was hurt.": ("default", "Никто из экипажей не пострадал."),
              DROPPED: ("default", "Мы могли бы заплатить половину, сказал он."),  # <g0> and </g0> dropped
              UNKNOWN: ("default", "Мара Линдквист · <g0>28 декабря</g0><x7/>")}  # a tag the unit has not
ANCHOR = "Read <g0/>the <g1>notes</g1> first.<x2/>"
ANCHOR_TRANSLATOR = {ANCHOR: ("default", "Сначала <g1>заметки</g1><g0/> прочтите.<x2/>")}


@dataclass
class CodedRun:
    doc: BilingualDocument  # the sample's Russian document before OmegaT
    out: Path
    project: Path
    anchors: Path  # the one-sentence page's project
    pseudo_sources: list[str]
    view: list[dict]  # every segment of the sample as OmegaT showed it
    anchors_view: list[dict]
    logs: list[str]


@pytest.fixture(scope="session")
def coded_run(tmp_path_factory, omegat_jar, packages_dir) -> CodedRun:  # noqa: F811
    from tandem.pipeline import load_documents
    from tandem.settings import Workspace

    work = tmp_path_factory.mktemp("omegat-codes")
    (work / "anchors.html").write_text(ANCHORS_HTML, encoding="utf-8")
    out = work / "out"
    result = run_tandem("run", "--to", "ru", "--xliff", "1.2", "--out", str(out), str(SAMPLE_HTML),
                        str(work / "anchors.html"), packages=packages_dir)
    assert result.returncode == 0, result.stderr
    reviewed = _review_xliff(out / "harbor-vote" / "harbor-vote.en-ru.xlf", work / "reviewed.en-ru.xlf")
    result = run_tandem("merge", str(reviewed), "--out", str(out))
    assert result.returncode == 0 and ": 3 updated" in result.stdout, result.stdout + result.stderr
    [doc] = load_documents("harbor-vote", Workspace(out))
    projects = []
    for name in ("harbor-vote", "anchors"):
        made = run_tandem("omegat", str(out / name), "--to", "ru")
        assert made.returncode == 0, made.stdout + made.stderr
        projects.append(out / name / "omegat-ru")
    logs = [_omegat(omegat_jar, projects[0], work, "--mode=console-createpseudotranslatetmx",
                    f"--pseudotranslatetmx={work / 'pseudo.tmx'}", "--pseudotranslatetype=equal")]
    views = []
    (work / "translator.groovy").write_text(TRANSLATOR_SCRIPT, encoding="utf-8")
    for project, translator, name in ((projects[0], TRANSLATOR, "sample"), (projects[1], ANCHOR_TRANSLATOR, "anchors")):
        (work / f"{name}.json").write_text(json.dumps(translator, ensure_ascii=False), encoding="utf-8")
        properties = {"tandem.work": work / f"{name}.json", "tandem.view": work / f"{name}.view.json"}
        logs.append(_omegat(omegat_jar, project, work, "--mode=console-translate",
                            f"--script={work / 'translator.groovy'}", properties=properties))
        views.append(json.loads((work / f"{name}.view.json").read_text(encoding="utf-8")))
    pseudo = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", (work / "pseudo.tmx").read_bytes()))
    sources = [tu.findtext("tuv[@lang='en']/seg") for tu in pseudo.iterfind(".//tu")]
    return CodedRun(doc, out, projects[0], projects[1], sources, views[0], views[1], logs)


def _review_xliff(xlf: Path, reviewed: Path) -> Path:
    """A reviewer's copy of ``xlf``: the units of :data:`REVIEWS` with their new targets and states."""
    tree = etree.parse(str(xlf))
    done = set()
    for unit in tree.iterfind(".//x:trans-unit", NS):
        english = "".join(unit.find("x:source", NS).itertext())
        for start, (state, target_xml) in REVIEWS.items():
            if english.startswith(start):
                unit.attrib.pop("approved", None)
                target = unit.find("x:target", NS)
                new = etree.fromstring(f'<target xmlns="{X}">{target_xml}</target>')
                target[:] = list(new)
                target.text = new.text
                target.set("state", state)
                done.add(start)
    assert done == set(REVIEWS)
    tree.write(str(reviewed), xml_declaration=True, encoding="UTF-8")
    return reviewed


def _plain(shown: str) -> str:
    return TAG.sub("", shown)


def test_omegat_shows_every_code_as_a_tag(coded_run):
    """Every coded unit shows its codes as OmegaT tags (protected parts), none as text or lost."""
    for log in coded_run.logs:
        assert not re.search(r": (Error|SEVERE):|Exception", log), log[-3000:]
    pairs, view = coded_run.doc.pairs, coded_run.view
    assert [_plain(s["source"]) for s in view] == [p.segment.text for p in pairs]  # one segment per unit, in order
    coded = [(p, s) for p, s in zip(pairs, view) if p.segment.codes]
    for pair, segment in coded:
        tags = TAG.findall(segment["source"])
        assert segment["tags"] == tags, segment  # OmegaT protects each one: a tag, not text
        assert len(tags) == len(pair.segment.codes), segment  # one tag per side of a code
        assert "&lt;" not in segment["source"] and "<g " not in segment["source"] and "ctype" not in segment["source"]
    assert not any(s["tags"] for p, s in zip(pairs, view) if not p.segment.codes)
    shown = {s["source"] for s in view}
    assert {NESTED, SYSTEM, DROPPED, UNKNOWN, *AT_THE_EDGES, *REVIEWED_SHOWN, IN_REVIEW_SHOWN[0]} <= shown
    assert len(coded) >= 11
    assert sorted(coded_run.pseudo_sources) == sorted(shown)  # OmegaT's own export: the same segments, same tags
    [anchor] = coded_run.anchors_view
    assert (anchor["source"], anchor["tags"]) == (ANCHOR, ["<g0/>", "<g1>", "</g1>", "<x2/>"])


def test_finished_coded_work_is_auto_inserted_with_its_tags(coded_run):
    """Reviewed coded work arrives translated, tags in place; work in review is a 100% match and MT a
    70% match, both with their tags; nothing else is inserted."""
    shown = {s["source"]: s for s in coded_run.view}
    for source, translation in REVIEWED_SHOWN.items():
        assert (shown[source]["translated"], shown[source]["translation"]) == (True, translation)
    segment = shown[IN_REVIEW_SHOWN[0]]
    assert not segment["translated"]
    assert (segment["matches"][0]["source"], segment["matches"][0]["translation"], segment["matches"][0]["score"]) \
        == (*IN_REVIEW_SHOWN, 100)
    mt = [(p, shown_) for p, shown_ in zip(coded_run.doc.pairs, coded_run.view)
          if p.segment.codes and p.translation.origin is Origin.MT]
    assert len(mt) >= 5
    for pair, segment in mt:
        best = segment["matches"][0]
        assert not segment["translated"] and (best["source"], best["score"]) == (segment["source"], 70), segment
        assert PurePath(best["origin"]).relative_to(coded_run.project).as_posix().startswith("tm/penalty-30/")
        assert _plain(best["translation"]) == pair.translation.text
        assert sorted(TAG.findall(best["translation"])) == sorted(segment["tags"]), segment  # every code, as a tag


def test_the_translators_tags_come_back_as_codes(coded_run):
    """Kept, reordered and isolated tags come back as the codes' marks; a dropped tag comes back
    without the code, an unknown one as a code of its own name."""
    [reviewed] = omegat.read_project(coded_run.project)
    back = {_shown_of(coded_run, u.id): u for u in reviewed.units if u.target is not None}
    assert set(back) == set(TRANSLATOR)
    for source, (_, translation) in TRANSLATOR.items():
        unit = back[source]
        assert unit.state == "translated" and unit.target == _plain(translation), source
    system = back[SYSTEM]
    assert [(m.id, m.role, m.offset) for m in system.target_marks] == [
        ("2", CodeRole.STANDALONE, len("Система ")), ("1", CodeRole.STANDALONE, len("Система , построенная "))]
    assert [(m.id, m.role.value) for m in back[NESTED].target_marks] == [
        ("3", "open"), ("4", "open"), ("5", "open"), ("5", "close"), ("4", "close"), ("3", "close")]
    assert [(m.role, m.offset) for m in back[ISOLATED_START].target_marks] == [(CodeRole.START, 0)]
    assert back[DROPPED].target_marks == ()
    assert "<x7/>" in [m.id for m in back[UNKNOWN].target_marks]


def _shown_of(run: CodedRun, unit_id: str) -> str:
    """OmegaT's segment (the view, in unit order) of a unit id."""
    return run.view[[p.segment.id for p in run.doc.pairs].index(unit_id)]["source"]


def test_without_a_project_memory_the_translated_document_gives_the_same_codes(coded_run, tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(coded_run.project, copy)
    for save in (copy / "omegat").glob("project_save.tmx*"):
        save.unlink()
    [from_memory] = omegat.read_project(coded_run.project)
    [from_target] = omegat.read_project(copy)
    assert from_target.path == copy / "target" / "harbor-vote.en-ru.xlf"
    memory = {u.id: (u.target, u.target_marks) for u in from_memory.units if u.target is not None}
    target = {u.id: (u.target, u.target_marks) for u in from_target.units if u.target is not None}
    assert set(target) == set(memory)
    unknown = next(i for i in memory if _shown_of(coded_run, i) == UNKNOWN)
    assert {i: v for i, v in target.items() if i != unknown} == {i: v for i, v in memory.items() if i != unknown}
    assert "<x7/>" in [m.id for m in target[unknown][1]]  # OmegaT writes the unknown tag as text: still refused


def test_merge_takes_kept_and_reordered_tags_and_refuses_a_dropped_or_unknown_one(coded_run):
    """`tandem merge PROJECT`: the units whose tags are all there merge, with the codes where the
    translator put them (memory, XLIFF, translated page); the others are refused, naming the code."""
    from tandem.pipeline import load_documents
    from tandem.settings import Workspace

    result = run_tandem("merge", str(coded_run.project), "--out", str(coded_run.out))
    assert result.returncode == 0, result.stderr
    units = len(coded_run.doc.pairs)
    assert (f"5 updated, 0 state changed, 0 unchanged, {units - 7} untouched, 2 rejected, 0 not in the file"
            in result.stdout), result.stdout
    ids = {_shown_of(coded_run, p.segment.id): p.segment.id for p in coded_run.doc.pairs}
    assert f"rejected {ids[DROPPED]}: inline code(s) 1 of the source missing in the target" in result.stdout
    assert f"rejected {ids[UNKNOWN]}: inline code '<x7/>' in the target is not in the source" in result.stdout
    [after] = load_documents("harbor-vote", Workspace(coded_run.out))
    now = {p.segment.id: p.translation for p in after.pairs}
    before = {p.segment.id: p.translation for p in coded_run.doc.pairs}
    for source in (DROPPED, UNKNOWN):
        assert now[ids[source]] == before[ids[source]]  # refused: the stored translation stays
    system = now[ids[SYSTEM]]
    assert (system.origin, system.state, system.text) == (Origin.HUMAN, "translated", _plain(REORDERED))
    assert sorted((c.offset, c.id) for c in system.codes) == [(len("Система "), "2"),
                                                             (len("Система , построенная "), "1")]
    xlf = etree.parse(str(coded_run.out / "harbor-vote" / "harbor-vote.en-ru.xlf"))
    [unit] = [u for u in xlf.iterfind(".//x:trans-unit", NS) if u.get("id") == ids[SYSTEM]]
    assert [x.get("id") for x in unit.find("x:target", NS)] == ["2", "1"]
    page = (coded_run.out / "harbor-vote" / "harbor-vote.translated.ru.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="https://portalder\.example/council/harbor-safety-plan\.pdf"[^>]*><em>План '
                     r"<strong>безопасности</strong> гавани</em></a> до голосования\.", page), page
    assert page.index("Nordhavn Marine") < page.index("Kestrel SR-400")


def test_an_empty_element_shown_as_one_tag_merges_where_the_translator_moved_it(coded_run):
    from tandem.pipeline import load_documents
    from tandem.settings import Workspace

    result = run_tandem("merge", str(coded_run.anchors), "--out", str(coded_run.out))
    assert result.returncode == 0 and "1 updated" in result.stdout and "0 rejected" in result.stdout, result.stdout
    [doc] = load_documents("anchors", Workspace(coded_run.out))
    [pair] = doc.pairs
    t = pair.translation
    assert t.text == "Сначала заметки прочтите."
    at = len("Сначала заметки")
    assert sorted((c.id, c.role.value, c.offset) for c in t.codes) == [
        ("1", "close", at), ("1", "open", at), ("2", "close", at), ("2", "open", len("Сначала ")),
        ("3", "standalone", len(t.text))]


# --- Without OmegaT: what a project memory can hold --------------------------------------------


@pytest.mark.parametrize(("translation", "why"), [
    ("Мара · <g0>28 декабря</g0>", None),
    ("<g0>Мара</g0> · 28 декабря", None),
    ("</g0>28 декабря<g0>", "code 1 closes before it opens"),
    ("<g0>28</g0> <g0>декабря</g0>", "inline code '1' appears twice"),
    ("<g0>28 декабря", "inline code(s) 1 of the source missing"),
    ("28 декабря", "inline code(s) 1 of the source missing"),
    ("<g1>28 декабря</g1>", "inline code '<g1>' in the target is not in the source"),
    ("<g0>28 декабря</g0><x0/>", "inline code '<x0/>' in the target is not in the source"),
], ids=["kept", "moved", "closed-before-opened", "twice", "never-closed", "dropped", "other-number", "other-tag"])
def test_tags_in_a_project_memory_are_checked_as_codes(coded_run, tmp_path, translation, why):
    """What the merge decides for each form a translator's tags can take in project_save.tmx."""
    doc = coded_run.doc
    project = tmp_path / "p"
    omegat.write_project(doc, project)
    body = _tu(escape(UNKNOWN), escape(translation))
    (project / "omegat" / "project_save.tmx").write_bytes(SAVE_HEAD + body.encode() + b"</body></tmx>")
    [unit] = [u for u in omegat.read_project(project)[0].units if u.target is not None]
    [segment] = [p.segment for p in doc.pairs if p.segment.id == unit.id]
    decided = review.target_codes(unit, segment)
    if why is None:
        assert not isinstance(decided, str), decided
        assert unit.target == _plain(translation)
    else:
        assert isinstance(decided, str) and why in decided, decided
