"""TMX 1.4b: reading, writing, and the tm import/export commands."""

from __future__ import annotations

import pytest
from lxml import etree

from tandem import align, segment
from tandem.document import Origin, Translation
from tandem.errors import InputError
from tandem.memory import open_memory
from tandem.readers.text import parse
from tandem.formats import tmx
from tests.conftest import ROOT, run_tandem

SAMPLE_TMX = ROOT / "src" / "tandem" / "samples" / "harbor-radar.tmx"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def test_article_tmx_holds_reviewed_and_memory_work_only():
    article = segment.segment_article(parse("One. Two. Three.", name="n", source_path="n.txt"))
    ids = [s.id for s in article.segments]
    doc = align.align(article, "ru", [Translation(ids[0], "ru", "Один.", Origin.HUMAN, state="final"),
                                      Translation(ids[1], "ru", "Два.", Origin.TM),
                                      Translation(ids[2], "ru", "мт", Origin.MT)])
    root = etree.fromstring(tmx.serialize(doc))
    assert root.get("version") == "1.4" and root.find("header").get("srclang") == "en"
    units = root.findall("body/tu")
    assert [[(v.get(XML_LANG), v.findtext("seg")) for v in tu.findall("tuv")] for tu in units] == \
        [[("en", "One."), ("ru", "Один.")], [("en", "Two."), ("ru", "Два.")]]
    assert units[0].find("tuv[2]/prop[@type='x-origin']").text == "human"


def test_reading_handles_region_codes_inline_codes_and_old_lang(tmp_path):
    path = tmp_path / "a.tmx"
    path.write_text('<tmx version="1.4"><header srclang="en-US"/><body>'
                    '<tu><tuv xml:lang="en-US"><seg>A <bpt i="1">&lt;b&gt;</bpt>bold<ept i="1">&lt;/b&gt;</ept>'
                    ' move.</seg></tuv><tuv lang="RU-ru"><seg>Смелый шаг.</seg></tuv></tu>'
                    '<tu><tuv xml:lang="ru"><seg>Без источника.</seg></tuv></tu></body></tmx>',
                    encoding="utf-8")
    (entry,) = tmx.read_entries(path)
    assert (entry.source_text, entry.target_lang, entry.target_text, entry.origin, entry.provenance) == \
        ("A bold move.", "ru", "Смелый шаг.", Origin.TM, "a.tmx")


@pytest.mark.parametrize("data", [b"<tmx><body>", b"<html/>",
                                  b'<!DOCTYPE tmx [<!ENTITY x SYSTEM "file:///etc/passwd">]><tmx/>'])
def test_bad_tmx_is_an_input_error(tmp_path, data):
    path = tmp_path / "bad.tmx"
    path.write_bytes(data)
    with pytest.raises(InputError):
        tmx.read_entries(path)


def test_sample_tmx_has_26_reviewed_sentences_in_both_languages():
    entries = tmx.read_entries(SAMPLE_TMX)
    assert len(entries) == 52
    assert {e.target_lang for e in entries} == {"ru", "ja"}
    assert len({e.source_text for e in entries}) == 26


def test_tm_import_then_export_round_trips(tmp_path):
    out = tmp_path / "out"
    result = run_tandem("tm", "import", str(SAMPLE_TMX), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "52 translations read, 52 new or changed" in result.stdout
    again = run_tandem("tm", "import", str(SAMPLE_TMX), "--out", str(out), cwd=tmp_path)
    assert "52 translations read, 0 new or changed" in again.stdout
    exported = tmp_path / "ja.tmx"
    result = run_tandem("tm", "export", str(exported), "--to", "ja", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0 and "26 translations written" in result.stdout
    original = {(e.source_text, e.target_text) for e in tmx.read_entries(SAMPLE_TMX) if e.target_lang == "ja"}
    assert {(e.source_text, e.target_text) for e in tmx.read_entries(exported)} == original
    with open_memory(out / "tandem.db") as tm:
        assert tm.tm.count(Origin.TM) == 52


def test_tm_export_without_memory_and_import_of_bad_file_fail_cleanly(tmp_path):
    result = run_tandem("tm", "export", str(tmp_path / "x.tmx"), "--out", str(tmp_path / "none"), cwd=tmp_path)
    assert result.returncode == 2 and "no translation memory" in result.stderr
    bad = tmp_path / "bad.tmx"
    bad.write_text("<tmx><body><tu>", encoding="utf-8")
    result = run_tandem("tm", "import", str(bad), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith(f"tandem: error: {bad}")
    assert not (tmp_path / "out").exists()


def test_tmx_writer_does_not_need_the_memory_module():
    """The writer depends on the model only (Entry lives in document.py), not on SQLite."""
    import subprocess
    import sys

    code = "import sys, tandem.formats.tmx; print('tandem.memory' in sys.modules, 'sqlite3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_work_still_in_review_is_not_exported(tmp_path):
    """TMX carries finished work: human targets in a needs-*/initial state stay out."""
    from tandem.memory import Reviewed

    article = segment.segment_article(parse("One. Two.", name="n", source_path="n.txt"))
    ids = [s.id for s in article.segments]
    doc = align.align(article, "ru", [Translation(ids[0], "ru", "Один.", Origin.HUMAN, state="final"),
                                      Translation(ids[1], "ru", "Два?", Origin.HUMAN, state="needs-translation")])
    root = etree.fromstring(tmx.serialize(doc))
    assert [tu.findtext("tuv[2]/seg") for tu in root.findall("body/tu")] == ["Один."]
    with open_memory(tmp_path / "tm.db") as tm:
        tm.save_run(article, [align.align(article, "ru", [Translation(i, "ru", "", Origin.NONE) for i in ids])], ("1.2",))
        tm.store_reviewed([Reviewed("n", "en", s.text, p.translation)
                           for s, p in zip(article.segments, doc.pairs)])
        assert [e.target_text for e in tm.tm.entries("en")] == ["Один."]
