"""Merging reviewed XLIFF: a simulated reviewer, CAT-tool quirks, hostile and
mismatched files, and re-runs that must keep every reviewed target."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from lxml import etree
from translate.storage.xliff import xlifffile
from translate.storage.xliff2 import Xliff2File

from tandem import review
from tandem.document import Origin
from tandem.memory import open_memory
from tests.conftest import SAMPLE, run_tandem

pytestmark = pytest.mark.slow
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


@pytest.fixture
def workspace(tmp_path, packages_dir):
    """The sample article run into tmp_path/out with the tiny models."""
    article = tmp_path / "harbor-radar.txt"
    shutil.copy(SAMPLE, article)
    result = run_tandem("run", str(article), "--out", str(tmp_path / "out"), packages=packages_dir)
    assert result.returncode == 0, result.stderr
    return article, tmp_path / "out"


def _units(tree):
    return {u.get("id"): u for u in tree.iterfind(".//x:trans-unit", NS)}


def _review_like_a_cat_tool(xlf: Path, reviewed: Path) -> dict[str, str]:
    """Edit targets, approve, empty, add, drop, reorder and decorate units; return the edits."""
    tree = etree.parse(str(xlf))
    root = tree.getroot()
    root.set("{urn:example:cat}session", "42")  # a foreign attribute, as CAT tools add
    units = list(tree.iterfind(".//x:trans-unit", NS))
    edits = {}
    for unit in units[:3]:
        target = unit.find("x:target", NS)
        target.text = f"Проверено: «{unit.get('id')}»  с пробелами "
        target.set("state", "translated")
        edits[unit.get("id")] = target.text
    units[3].set("approved", "yes")  # approved as it is: the MT text becomes reviewed work
    units[3].find("x:target", NS).set("state", "final")
    edits[units[3].get("id")] = units[3].findtext("x:target", namespaces=NS)
    units[4].find("x:target", NS).text = ""  # emptied: must not erase anything
    units[5].getparent().remove(units[5])  # missing
    units[6].find("x:source", NS).text = "A sentence the article does not have."
    units[6].find("x:target", NS).text = "Чужое."
    added = etree.SubElement(units[0].getparent(), f"{{{NS['x']}}}trans-unit", id="p99.s1")
    etree.SubElement(added, f"{{{NS['x']}}}source").text = "Added by the reviewer."
    etree.SubElement(added, f"{{{NS['x']}}}target").text = "Добавлено."
    body = root.find(".//x:body", NS)
    body[:] = list(reversed(body))  # reordered groups
    tree.write(str(reviewed), xml_declaration=True, encoding="UTF-8")
    return edits


def test_reviewed_work_is_merged_and_survives_reruns(workspace, tmp_path, packages_dir):
    article, out = workspace
    folder = out / "harbor-radar"
    reviewed = tmp_path / "reviewed.en-ru.xlf"
    edits = _review_like_a_cat_tool(folder / "harbor-radar.en-ru.xlf", reviewed)
    result = run_tandem("merge", str(reviewed), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert "harbor-radar ru: 4 updated" in first and "3 rejected, 1 not in the file" in first
    assert "rejected p99.s1: no such segment" in result.stdout
    assert "empty target: the stored translation is kept" in result.stdout
    assert "source text differs" in result.stdout
    for run in range(2):  # the rebuilt file, then a re-run (no model needed: nothing changed)
        units = _units(etree.parse(str(folder / "harbor-radar.en-ru.xlf")))
        for unit_id, text in edits.items():
            target = units[unit_id].find("x:target", NS)
            assert target.text == text
            assert target.get("state-qualifier") is None
        again = run_tandem("run", str(article), "--out", str(out), cwd=tmp_path)
        assert again.returncode == 0, again.stderr
    assert _units(etree.parse(str(folder / "harbor-radar.en-ru.xlf")))[list(edits)[3]] \
        .find("x:target", NS).get("state") == "final"
    assert "Проверено" in (folder / "harbor-radar.en-ru.html").read_text(encoding="utf-8")
    assert "Проверено" in (folder / "harbor-radar.en-ru.tmx").read_text(encoding="utf-8")


def test_a_source_edit_invalidates_exactly_the_edited_segment(workspace, tmp_path, packages_dir):
    article, out = workspace
    folder = out / "harbor-radar"
    store = xlifffile.parsefile(str(folder / "harbor-radar.en-ru.xlf"))
    units = [u for u in store.units if not u.isheader()]
    for unit in units:
        unit.target = f"Отредактировано {unit.getid().split(chr(4))[-1]}"
        unit.markfuzzy(False)
    reviewed = tmp_path / "all.xlf"
    reviewed.write_bytes(bytes(store))
    assert run_tandem("merge", str(reviewed), "--out", str(out), cwd=tmp_path).returncode == 0
    text = article.read_text(encoding="utf-8")
    unit_to_edit = next(u for u in units[5:] if u.source.count(".") == 1 and u.source.endswith("."))
    edited = unit_to_edit.source
    article.write_text(text.replace(edited, edited[:-1] + ", they said.", 1), encoding="utf-8")
    result = run_tandem("run", str(article), "--out", str(out), "--to", "ru", packages=packages_dir)
    assert result.returncode == 0, result.stderr
    tree = etree.parse(str(folder / "harbor-radar.en-ru.xlf"))
    changed = [u for u in tree.iterfind(".//x:trans-unit", NS)
               if u.find("x:target", NS).get("state") != "translated"]
    assert [u.get("id") for u in changed] == [unit_to_edit.getid().split("\x04")[-1]]
    (unit,) = changed
    assert unit.find("x:target", NS).get("state-qualifier") == "leveraged-mt"
    alt = unit.find("x:alt-trans", NS)
    assert alt.findtext("x:target", namespaces=NS) == f"Отредактировано {unit.get('id')}"
    assert alt.findtext("x:source", namespaces=NS) == edited


def test_xliff2_review_from_translate_toolkit_is_merged(workspace, tmp_path):
    _, out = workspace
    path = out / "harbor-radar" / "harbor-radar.en-ja.xliff2.xlf"
    store = Xliff2File.parsestring(path.read_bytes())
    store.units[0].target = "最初の文を確認しました。"
    store.units[0].xmlelement.set("state", "reviewed")
    store.units[1].xmlelement.set("state", "final")  # approve the draft as it stands
    reviewed = tmp_path / "reviewed.xliff2.xlf"
    reviewed.write_bytes(bytes(store))
    result = run_tandem("merge", str(reviewed), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "harbor-radar ja: 2 updated" in result.stdout
    rebuilt = Xliff2File.parsestring(path.read_bytes())
    assert rebuilt.units[0].target == "最初の文を確認しました。"
    assert [u.xmlelement.get("state") for u in rebuilt.units[:3]] == ["reviewed", "final", "initial"]
    tree12 = etree.parse(str(out / "harbor-radar" / "harbor-radar.en-ja.xlf"))
    target = tree12.find(".//x:target", NS)
    assert (target.text, target.get("state")) == ("最初の文を確認しました。", "signed-off")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="harbor-radar.txt"
 source-language="en" target-language="ru" datatype="plaintext"><body><trans-unit id="p1.s1">
<source>x</source><target>&d;</target></trans-unit></body></file></xliff>"""
EXTERNAL = BILLION_LAUGHS.split(b"<!DOCTYPE")[0] + b"""<!DOCTYPE xliff [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="harbor-radar.txt"
 source-language="en" target-language="ru" datatype="plaintext"><body><trans-unit id="p1.s1">
<source>x</source><target>&e;</target></trans-unit></body></file></xliff>"""


def _bad_files(out: Path) -> dict[str, bytes]:
    good = (out / "harbor-radar" / "harbor-radar.en-ru.xlf").read_bytes()
    return {
        "billion-laughs": BILLION_LAUGHS,
        "external-entity": EXTERNAL,
        "malformed": good[: len(good) // 2],
        "not-xliff": b"<html><body>hello</body></html>",
        "wrong-article": good.replace(b'original="harbor-radar.txt"', b'original="other.txt"'),
        "wrong-pair": good.replace(b'target-language="ru"', b'target-language="de"'),
    }


@pytest.mark.parametrize("kind", ["billion-laughs", "external-entity", "malformed", "not-xliff",
                                  "wrong-article", "wrong-pair"])
def test_hostile_malformed_and_mismatched_files_change_nothing(workspace, tmp_path, kind):
    _, out = workspace
    good = tmp_path / "good.xlf"
    tree = etree.parse(str(out / "harbor-radar" / "harbor-radar.en-ru.xlf"))
    tree.find(".//x:target", NS).text = "Это правка, которая не должна попасть в память."
    tree.write(str(good))
    bad = tmp_path / f"{kind}.xlf"
    bad.write_bytes(_bad_files(out)[kind])
    db = out / "tandem.db"
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    outputs = {p: p.read_bytes() for p in (out / "harbor-radar").iterdir()}
    result = run_tandem("merge", str(good), str(bad), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"tandem: error: {bad}"), result.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert {p: p.read_bytes() for p in (out / "harbor-radar").iterdir()} == outputs
    assert "passwd" not in result.stdout + result.stderr and "root:" not in result.stdout


def test_merge_without_a_memory_is_an_error(tmp_path):
    xlf = tmp_path / "a.xlf"
    xlf.write_text('<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="a.txt" '
                   'source-language="en" target-language="ru" datatype="plaintext"><body/></file></xliff>')
    result = run_tandem("merge", str(xlf), "--out", str(tmp_path / "none"), cwd=tmp_path)
    assert result.returncode == 2 and "no translation memory" in result.stderr


def test_read_reviewed_handles_inline_codes_and_namespaceless_xliff(tmp_path):
    xlf = tmp_path / "a.xlf"
    xlf.write_text('<xliff version="1.2"><file original="dir\\a.txt" source-language="en-US" '
                   'target-language="ru-RU" datatype="plaintext"><body><trans-unit id="p1.s1">'
                   '<source>A <g id="1">bold</g> move<x id="2"/>.</source>'
                   '<target>Смелый <g id="1">шаг</g><ph id="3">&lt;br/&gt;</ph>.</target></trans-unit>'
                   '</body></file></xliff>', encoding="utf-8")
    (f,) = review.read_files([xlf])
    assert (f.original, f.source_lang, f.target_lang) == ("a.txt", "en", "ru")
    (unit,) = f.units
    assert (unit.source, unit.target) == ("A bold move.", "Смелый шаг.")


def test_merged_work_is_stored_as_human_with_the_file_name(workspace, tmp_path):
    _, out = workspace
    tree = etree.parse(str(out / "harbor-radar" / "harbor-radar.en-ru.xlf"))
    tree.find(".//x:target", NS).text = "Порт Олдер одобрил модернизацию."
    reviewed = tmp_path / "anna.xlf"
    tree.write(str(reviewed))
    assert run_tandem("merge", str(reviewed), "--out", str(out), cwd=tmp_path).returncode == 0
    with open_memory(out / "tandem.db") as tm:
        (entry,) = tm.tm.human_entries()
    assert (entry.target_text, entry.origin, entry.provenance) == \
        ("Порт Олдер одобрил модернизацию.", Origin.HUMAN, "anna.xlf")


def test_a_tool_that_drops_states_changes_only_what_it_edited(workspace, tmp_path):
    _, out = workspace
    tree = etree.parse(str(out / "harbor-radar" / "harbor-radar.en-ru.xlf"))
    for unit in tree.iterfind(".//x:trans-unit", NS):
        unit.attrib.pop("approved", None)
        for target in unit.iterfind("x:target", NS):
            target.attrib.clear()
    first = tree.find(".//x:target", NS)
    first.text = "Правка без состояния."
    reviewed = tmp_path / "stateless.xlf"
    tree.write(str(reviewed))
    result = run_tandem("merge", str(reviewed), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    count = len(tree.findall(".//x:trans-unit", NS))
    assert f": 1 updated, 0 state changed, {count - 1} unchanged, 0 untouched, 0 rejected" in result.stdout
    with open_memory(out / "tandem.db") as tm:
        (entry,) = tm.tm.human_entries()
    assert (entry.target_text, entry.state) == ("Правка без состояния.", "translated")


def test_read_reviewed_xliff2_joins_resegmented_units_and_decodes_cp(tmp_path):
    xlf = tmp_path / "b.xliff2.xlf"
    xlf.write_text(
        '<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" xmlns:foo="urn:foo" version="2.0" srcLang="en" '
        'trgLang="ja"><file id="f" original="b.txt" foo:bar="1"><unit id="p1.s1">'
        '<segment state="final"><source>One part.</source><target>一つ目。</target></segment>'
        '<ignorable><source> </source></ignorable>'
        '<segment state="translated"><source>Two <pc id="1">parts</pc>.</source>'
        '<target>二つ<cp hex="00A0"/>目<ph id="2"/>。</target></segment></unit>'
        '<unit id="p1.s2"><segment><source>No target.</source></segment></unit></file></xliff>',
        encoding="utf-8")
    (f,) = review.read_files([xlf])
    assert (f.version, f.original, f.source_lang, f.target_lang) == ("2.1", "b.txt", "en", "ja")
    first, second = f.units
    assert (first.source, first.target, first.state) == ("One part. Two parts.", "一つ目。 二つ\xa0目。", "translated")
    assert (second.target, second.state) == (None, "initial")


def test_run_with_a_missing_tmx_is_an_error_and_writes_nothing(tmp_path):
    article = tmp_path / "story.txt"
    article.write_text("The port is busy.\n", encoding="utf-8")
    result = run_tandem("run", str(article), "--tm", str(tmp_path / "nope.tmx"), "--no-mt",
                        "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and "nope.tmx: no such file" in result.stderr
    assert not (tmp_path / "out").exists()


def _edit_first_target(xlf: Path, reviewed: Path, text: str, **target_attributes: str) -> str:
    tree = etree.parse(str(xlf))
    unit = tree.find(".//x:trans-unit", NS)
    target = unit.find("x:target", NS)
    target.text = text
    for name, value in target_attributes.items():
        target.set(name, value)
    tree.write(str(reviewed), xml_declaration=True, encoding="UTF-8")
    return unit.get("id")


def test_an_untouched_old_draft_does_not_overwrite_a_newer_review(workspace, tmp_path):
    _, out = workspace
    xlf = out / "harbor-radar" / "harbor-radar.en-ru.xlf"
    draft = tmp_path / "draft.en-ru.xlf"
    shutil.copy(xlf, draft)  # the file as `tandem run` wrote it, saved before the review
    unit_id = _edit_first_target(xlf, tmp_path / "reviewed.xlf", "Рецензия.", state="final")
    assert run_tandem("merge", str(tmp_path / "reviewed.xlf"), "--out", str(out), cwd=tmp_path).returncode == 0
    result = run_tandem("merge", str(draft), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"rejected {unit_id}: stale: unchanged draft, a newer review exists" in result.stdout
    assert ": 0 updated" in result.stdout.splitlines()[0]
    first = _units(etree.parse(str(xlf)))[unit_id].find("x:target", NS)
    assert (first.text, first.get("state")) == ("Рецензия.", "final")
    with open_memory(out / "tandem.db") as tm:
        assert [e.target_text for e in tm.tm.human_entries()] == ["Рецензия."]


@pytest.mark.parametrize("hex_value", ["1", "0", "FFFE", "D800", "110000"])
def test_a_cp_that_xml_cannot_hold_is_rejected_and_runs_keep_working(workspace, tmp_path, hex_value):
    article, out = workspace
    xlf = out / "harbor-radar" / "harbor-radar.en-ru.xlf"
    reviewed = tmp_path / "cp.xlf"
    data = xlf.read_bytes()
    unit_id = _edit_first_target(xlf, reviewed, "Звон")
    reviewed.write_bytes(reviewed.read_bytes().replace(">Звон<".encode(), f'>Звон<cp hex="{hex_value}"/><'.encode()))
    assert f'hex="{hex_value}"'.encode() in reviewed.read_bytes()
    result = run_tandem("merge", str(reviewed), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"rejected {unit_id}: target contains a character XML cannot hold" in result.stdout
    assert xlf.read_bytes() == data
    again = run_tandem("run", str(article), "--out", str(out), cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_a_target_in_another_language_is_rejected(workspace, tmp_path):
    _, out = workspace
    xlf = out / "harbor-radar" / "harbor-radar.en-ru.xlf"
    reviewed = tmp_path / "lang.xlf"
    unit_id = _edit_first_target(xlf, reviewed, "日本語の文。", **{"{http://www.w3.org/XML/1998/namespace}lang": "ja"})
    result = run_tandem("merge", str(reviewed), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"rejected {unit_id}: target language ja is not the file's target language ru" in result.stdout
    with open_memory(out / "tandem.db") as tm:
        assert tm.tm.human_entries() == []


@pytest.mark.parametrize("version, state", [("1.2", "needs-translation"), ("2.1", "initial")])
def test_work_left_in_a_not_done_state_is_stored_as_in_review(workspace, tmp_path, version, state):
    _, out = workspace
    folder = out / "harbor-radar"
    if version == "1.2":
        unit_id = _edit_first_target(folder / "harbor-radar.en-ru.xlf", tmp_path / "r.xlf", "Черновик.", state=state)
    else:
        store = Xliff2File.parsestring((folder / "harbor-radar.en-ru.xliff2.xlf").read_bytes())
        store.units[0].target = "Черновик."
        store.units[0].xmlelement.set("state", state)
        unit_id = store.units[0].xmlelement.getparent().get("id")
        (tmp_path / "r.xlf").write_bytes(bytes(store))
    result = run_tandem("merge", str(tmp_path / "r.xlf"), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0 and ": 1 updated" in result.stdout, result.stdout + result.stderr
    page = etree.HTML((folder / "harbor-radar.en-ru.html").read_bytes())
    (cell,) = page.xpath(f'//td[@id="{unit_id}-ru"]')
    assert cell.xpath('string(span[@class="text"])') == "Черновик."
    (status,) = cell.xpath('span[contains(@class, "status")]')
    assert status.get("class") == "status status-in-review"
    assert status.xpath("string()").endswith("На проверке")  # "In review" in the Russian page chrome
    assert page.xpath('string(//p[@class="summary"])').startswith("Проверено 0 из ")  # 0 reviewed
    with open_memory(out / "tandem.db") as tm:
        (entry,) = tm.tm.human_entries()
        assert entry.state == state
        assert tm.tm.best_exact("en", "ru", entry.source_text).origin is Origin.MT


def test_an_old_draft_does_not_displace_a_newer_memory_match(workspace, tmp_path):
    """The MT draft of an earlier run, merged untouched after a --tm run replaced it, is stale."""
    article, out = workspace
    xlf = out / "harbor-radar" / "harbor-radar.en-ru.xlf"
    draft = tmp_path / "draft.xlf"
    shutil.copy(xlf, draft)
    unit = next(etree.parse(str(xlf)).iterfind(".//x:trans-unit", NS))
    tmx = tmp_path / "memory.tmx"
    tmx.write_text('<tmx version="1.4"><header srclang="en" segtype="sentence" datatype="plaintext" '
                   'adminlang="en" creationtool="t" creationtoolversion="1" o-tmf="t"/><body><tu>'
                   f'<tuv xml:lang="en"><seg>{unit.findtext("x:source", namespaces=NS)}</seg></tuv>'
                   '<tuv xml:lang="ru"><seg>Из памяти.</seg></tuv></tu></body></tmx>', encoding="utf-8")
    assert run_tandem("run", str(article), "--tm", str(tmx), "--out", str(out), cwd=tmp_path).returncode == 0
    result = run_tandem("merge", str(draft), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"rejected {unit.get('id')}: stale: unchanged draft from an earlier run" in result.stdout
    with open_memory(out / "tandem.db") as tm:
        assert tm.tm.human_entries() == []
