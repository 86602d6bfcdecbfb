"""What real CAT tools send back, merged: the defects a round trip with OmegaT 3.6,
translate-toolkit, pomerge and Qt's lconvert exposed, each pinned by a test.

Everything runs in-process through ``cli.main(argv)`` (as sqlite-utils tests its CLI), with the
real tiny en->ru model; the memory is inspected with plain SQL so the tests do not depend on
Tandem's own API.
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from lxml import etree

from tandem import cli
from tests.conftest import SAMPLE

X = "urn:oasis:names:tc:xliff:document:1.2"
NS = {"x": X}


@pytest.fixture
def story(tmp_path, packages_dir, capsys):
    """The sample article run into tmp_path/out, Russian only, both XLIFF versions."""
    article = tmp_path / "harbor-radar.txt"
    shutil.copy(SAMPLE, article)
    out = tmp_path / "out"
    assert cli.main(["run", str(article), "--to", "ru", "--out", str(out), "--models-dir", str(packages_dir)]) == 0
    capsys.readouterr()
    return out, out / "harbor-radar"


def _merge(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["merge", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _edited(folder, tmp_path, edit, name="reviewed.en-ru.xlf"):
    """A copy of the run's XLIFF 1.2 with ``edit(first trans-unit)`` applied."""
    tree = etree.parse(str(folder / "harbor-radar.en-ru.xlf"))
    edit(tree.find(".//x:trans-unit", NS))
    path = tmp_path / name
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def _human_rows(out) -> int:
    with sqlite3.connect(out / "tandem.db") as db:
        return db.execute("SELECT COUNT(*) FROM translations WHERE origin = 'human'").fetchone()[0]


def _first_target(folder):
    return etree.parse(str(folder / "harbor-radar.en-ru.xlf")).find(".//x:trans-unit/x:target", NS)


def test_an_untranslated_copy_of_the_source_is_not_human_work(story, tmp_path, capsys):
    """OmegaT writes the English into every target the translator skipped, state new."""
    out, folder = story
    mt = _first_target(folder).text

    def copy_source(unit):
        target = unit.find("x:target", NS)
        target.text, target.attrib["state"] = unit.findtext("x:source", namespaces=NS), "new"
        del target.attrib["state-qualifier"]

    code, stdout, _ = _merge(capsys, str(_edited(folder, tmp_path, copy_source)), "--out", str(out))
    assert code == 0 and ": 0 updated, 0 state changed, 25 unchanged, 1 untouched, 0 rejected" in stdout, stdout
    assert _human_rows(out) == 0
    assert _first_target(folder).text == mt  # still the MT, never the English "as Russian"


def test_a_state_only_change_keeps_machine_translation_machine_translation(story, tmp_path, capsys):
    """pomerge and translate-toolkit's markfuzzy change states in bulk, texts untouched."""
    out, folder = story
    mt = _first_target(folder).text

    def mark_fuzzy(unit):
        unit.find("x:target", NS).attrib["state"] = "needs-translation"

    code, stdout, _ = _merge(capsys, str(_edited(folder, tmp_path, mark_fuzzy)), "--out", str(out))
    assert code == 0 and ": 0 updated, 1 state changed, 25 unchanged" in stdout, stdout
    assert _human_rows(out) == 0
    target = _first_target(folder)
    assert (target.text, target.get("state"), target.get("state-qualifier")) == (mt, "needs-translation",
                                                                                "leveraged-mt")
    notes = [n.text for n in target.getparent().iterfind("x:note", NS)]
    assert any(n.startswith("Machine translation by translate-en_ru 1.0; score") for n in notes)
    page = etree.HTML((folder / "harbor-radar.en-ru.html").read_bytes())
    assert page.xpath('//td[@id="p1.s1-ru"]/@data-origin') == ["mt"]
    # the same file merged again changes nothing more
    code, stdout, _ = _merge(capsys, str(tmp_path / "reviewed.en-ru.xlf"), "--out", str(out))
    assert ": 0 updated, 0 state changed, 26 unchanged" in stdout, stdout


def test_a_unit_without_a_target_is_untouched_not_rejected(story, tmp_path, capsys):
    out, folder = story

    def drop_target(unit):
        unit.remove(unit.find("x:target", NS))

    code, stdout, _ = _merge(capsys, str(_edited(folder, tmp_path, drop_target)), "--out", str(out))
    assert code == 0 and ": 0 updated, 0 state changed, 25 unchanged, 1 untouched, 0 rejected" in stdout, stdout
    assert "empty target" not in stdout


def _qt_linguist(folder, tmp_path, text="Правка из Qt Linguist."):
    """What Qt's lconvert writes back: ``original=""``, and one edited target."""
    def edit(unit):
        unit.find("x:target", NS).text = text
        unit.find("x:target", NS).attrib["state"] = "translated"
        unit.getparent().getparent().getparent().set("original", "")
    return _edited(folder, tmp_path, edit, "qt.xlf")


def test_an_empty_original_matches_the_one_article_holding_its_units(story, tmp_path, capsys):
    out, folder = story
    code, stdout, err = _merge(capsys, str(_qt_linguist(folder, tmp_path)), "--out", str(out))
    assert code == 0 and "harbor-radar ru: 1 updated" in stdout, stdout + err
    assert _first_target(folder).text == "Правка из Qt Linguist."


def test_an_empty_original_that_fits_two_articles_is_refused_naming_them(story, tmp_path, packages_dir, capsys):
    out, folder = story
    twin = tmp_path / "twin.txt"
    shutil.copy(SAMPLE, twin)
    assert cli.main(["run", str(twin), "--to", "ru", "--out", str(out), "--models-dir", str(packages_dir)]) == 0
    capsys.readouterr()
    before = (out / "tandem.db").read_bytes()
    code, stdout, err = _merge(capsys, str(_qt_linguist(folder, tmp_path)), "--out", str(out))
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and "2 stored articles (harbor-radar, twin)" in err, err
    assert (out / "tandem.db").read_bytes() == before


def test_merge_writes_the_versions_asked_for_and_removes_the_other(story, tmp_path, capsys):
    out, folder = story
    reviewed = _qt_linguist(folder, tmp_path)
    assert (folder / "harbor-radar.en-ru.xliff2.xlf").is_file()
    code, stdout, _ = _merge(capsys, str(reviewed), "--out", str(out), "--xliff", "1.2")
    assert code == 0
    assert not (folder / "harbor-radar.en-ru.xliff2.xlf").exists()
    # the next merge, without --xliff, keeps the choice instead of bringing the 2.1 file back
    _merge(capsys, str(_qt_linguist(folder, tmp_path, "Вторая правка.")), "--out", str(out))
    assert not (folder / "harbor-radar.en-ru.xliff2.xlf").exists()
    assert _first_target(folder).text == "Вторая правка."


def test_a_render_failure_during_merge_leaves_memory_and_files_as_they_were(story, tmp_path, capsys, monkeypatch):
    out, folder = story
    from tandem import rebuild

    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(docs):
        raise RuntimeError("a page template failed")

    monkeypatch.setattr(rebuild.site, "render_pages", broken)
    code, _, err = _merge(capsys, str(_qt_linguist(folder, tmp_path)), "--out", str(out))
    assert code == 1 and "internal error: RuntimeError: a page template failed" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_an_xliff_in_an_unknown_namespace_is_refused(story, tmp_path, capsys):
    out, folder = story
    data = (folder / "harbor-radar.en-ru.xlf").read_bytes().replace(X.encode(), b"urn:example:not-xliff")
    (tmp_path / "odd.xlf").write_bytes(data)
    code, _, err = _merge(capsys, str(tmp_path / "odd.xlf"), "--out", str(out))
    assert code == 2 and "not an XLIFF document Tandem can read" in err and err.count("\n") == 1


def test_a_translate_toolkit_po_round_trip_keeps_untouched_mt_as_mt(story, tmp_path, capsys):
    """The real tools: xliff2po, a translator edits one message in the PO file, pomerge writes the
    XLIFF back -- with state needs-translation on every message still fuzzy."""
    import subprocess
    import sys

    out, folder = story
    tools = __import__("pathlib").Path(sys.executable).parent
    po = tmp_path / "story.po"
    subprocess.run([str(tools / "xliff2po"), str(folder / "harbor-radar.en-ru.xlf"), str(po)], check=True,
                   capture_output=True)
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    edited = blocks[1].replace("#, fuzzy\n", "")
    blocks[1] = edited[:edited.index('msgstr "')] + 'msgstr "Порт-Олдер одобрил модернизацию радаров."'
    po.write_text("\n\n".join(blocks), encoding="utf-8")
    merged = tmp_path / "merged.en-ru.xlf"
    subprocess.run([str(tools / "pomerge"), "-t", str(folder / "harbor-radar.en-ru.xlf"), "-i", str(po),
                    "-o", str(merged)], check=True, capture_output=True)
    code, stdout, _ = _merge(capsys, str(merged), "--out", str(out))
    assert code == 0 and ": 1 updated, 25 state changed, 0 unchanged" in stdout, stdout
    assert _human_rows(out) == 1
    page = etree.HTML((folder / "harbor-radar.en-ru.html").read_bytes())
    assert page.xpath('//td[@id="p1.s1-ru"]/@data-origin') == ["human"]
    assert page.xpath('//td[@id="p2.s1-ru"]/@data-origin') == ["mt"]


def _repeated_sentence_run(tmp_path, packages_dir, capsys):
    article = tmp_path / "pier.txt"
    article.write_text("The pier opens today. Ships wait outside.\n\nThe pier opens today.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", str(article), "--to", "ru", "--out", str(out), "--models-dir", str(packages_dir)]) == 0
    capsys.readouterr()
    return out, out / "pier"


def _edit_units(folder, tmp_path, edits, name):
    tree = etree.parse(str(folder / "pier.en-ru.xlf"))
    for unit in tree.iterfind(".//x:trans-unit", NS):
        if unit.get("id") in edits:
            target = unit.find("x:target", NS)
            target.text, target.attrib["state"] = edits[unit.get("id")], "final"
    path = tmp_path / name
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def _targets(folder):
    tree = etree.parse(str(folder / "pier.en-ru.xlf"))
    return {u.get("id"): u.findtext("x:target", namespaces=NS) for u in tree.iterfind(".//x:trans-unit", NS)}


def test_merging_a_file_again_never_undoes_its_edit_of_a_repeated_sentence(tmp_path, packages_dir, capsys):
    """Found by the kill sweep: one copy of a repeated sentence edited (B), the other still showing
    the earlier review (A); the first merge stores B, and merging the same file again must not
    take the untouched copy's A for a new edit."""
    out, folder = _repeated_sentence_run(tmp_path, packages_dir, capsys)
    _merge(capsys, str(_edit_units(folder, tmp_path, {"p1.s1": "Причал открыт."}, "a.xlf")), "--out", str(out))
    assert _targets(folder)["p2.s1"] == "Причал открыт."  # the same sentence: the same review
    second = _edit_units(folder, tmp_path, {"p2.s1": "Пирс открывается сегодня."}, "b.xlf")
    for attempt in range(2):
        code, stdout, _ = _merge(capsys, str(second), "--out", str(out))
        assert code == 0, stdout
        assert _targets(folder)["p1.s1"] == _targets(folder)["p2.s1"] == "Пирс открывается сегодня.", (attempt, stdout)
    assert "stale: another unit of this sentence in the file (p2.s1) holds the newer translation" in stdout


def test_merging_again_repairs_outputs_a_killed_merge_left_incomplete(story, tmp_path, capsys):
    """A merge killed after its memory commit: the memory holds the review, the folder has no
    report and a leftover; the same merge again changes nothing in the memory but rebuilds."""
    out, folder = story
    reviewed = _qt_linguist(folder, tmp_path)
    assert _merge(capsys, str(reviewed), "--out", str(out))[0] == 0
    (folder / "report.json").unlink()
    dead = folder / ".harbor-radar.en-ru.tmx.999999999.abcdefgh.tmp"
    dead.write_text("half", encoding="utf-8")
    code, stdout, _ = _merge(capsys, str(reviewed), "--out", str(out))
    assert code == 0 and ": 0 updated" in stdout and f"rebuilt {folder}/" in stdout
    assert (folder / "report.json").is_file() and not dead.exists()
