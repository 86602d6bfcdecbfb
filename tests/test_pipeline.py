"""The run's translation step end to end: the memory is consulted before MT."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SAMPLE, run_tandem

pytestmark = pytest.mark.slow


def test_rerun_of_unchanged_article_needs_no_model(tmp_path, packages_dir):
    out = tmp_path / "out"
    first = run_tandem("run", str(SAMPLE), "--out", str(out), packages=packages_dir)
    assert first.returncode == 0, first.stderr
    xliff = (out / "harbor-radar" / "harbor-radar.en-ru.xlf").read_bytes()
    # No packages at all now: any MT call would fail with "no translation model installed".
    second = run_tandem("run", str(SAMPLE), "--out", str(out), cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert (out / "harbor-radar" / "harbor-radar.en-ru.xlf").read_bytes() == xliff
    report = json.loads((out / "harbor-radar" / "report.json").read_text(encoding="utf-8"))
    assert "translate" not in report["seconds"] and "load_model" not in report["seconds"]
    assert report["targets"]["ru"]["origins"]["none"] == 0


def test_edited_segment_alone_goes_to_mt(tmp_path, packages_dir):
    article = tmp_path / "story.txt"
    article.write_text("The port is busy. Ships wait.\n\nThe mayor spoke.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_tandem("run", str(article), "--out", str(out), "--to", "ru", packages=packages_dir).returncode == 0
    article.write_text("The port is busy. Ships wait outside.\n\nThe mayor spoke.\n", encoding="utf-8")
    only_ja = tmp_path / "none"  # the ru model is gone: the edited segment must fail loudly
    result = run_tandem("run", str(article), "--out", str(out), "--to", "ru", packages=only_ja)
    assert result.returncode == 2 and "en->ru" in result.stderr
    result = run_tandem("run", str(article), "--out", str(out), "--to", "ru", packages=packages_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "story" / "report.json").read_text(encoding="utf-8"))
    assert report["targets"]["ru"]["origins"] == {"mt": 3, "tm": 0, "human": 0, "none": 0}


def test_no_mt_leaves_uncovered_segments_empty_with_a_warning(tmp_path):
    article = tmp_path / "story.txt"
    article.write_text("The port is busy. Ships wait.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_tandem("run", str(article), "--out", str(out), "--no-mt", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tandem: warning: story: 2 of 2 segments have no ru translation" in result.stderr
    assert result.stdout.strip() == f"1 article, 2 segments: ru 0/2 translated, ja 0/2 translated -> {out}/"
    report = json.loads((out / "story" / "report.json").read_text(encoding="utf-8"))
    assert report["targets"]["ja"]["origins"]["none"] == 2
    assert (out / "tandem.db").is_file()


def test_missing_model_leaves_no_memory_behind(tmp_path):
    article = tmp_path / "story.txt"
    article.write_text("The port is busy.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_tandem("run", str(article), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert not out.exists()


def test_quick_start_shows_the_sample_translations_offline(tmp_path, xliff12_schema, xliff20_schema):
    """The README's first command: the sample with its hand-written TMX, no model at all.

    Which segments the TMX covers depends on the segmenter (the TMX is keyed on
    sentences); the expectations are computed from the segmenter's output.
    """
    from lxml import etree

    from tandem import segment
    from tandem.readers import text
    from tandem.formats import tmx
    from tests.test_tmx import SAMPLE_TMX

    out = tmp_path / "out"
    result = run_tandem("run", str(SAMPLE), "--tm", str(SAMPLE_TMX), "--no-mt", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    segments = segment.segment_article(text.read(SAMPLE)).segments
    known = {(e.source_text, e.target_lang): e.target_text for e in tmx.read_entries(SAMPLE_TMX)}
    uncovered = [s for s in segments if (s.text, "ru") not in known]
    assert len(uncovered) < len(segments) / 4  # the TMX covers the article
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    for lang in ("ru", "ja"):
        tree = etree.parse(str(out / "harbor-radar" / f"harbor-radar.en-{lang}.xlf"))
        assert xliff12_schema.validate(tree), xliff12_schema.error_log
        assert xliff20_schema.validate(etree.parse(str(out / "harbor-radar" / f"harbor-radar.en-{lang}.xliff2.xlf")))
        for seg, unit in zip(segments, tree.iterfind(".//x:trans-unit", ns)):
            target = unit.find("x:target", ns)
            expected = known.get((seg.text, lang), "")
            assert (target.text or "") == expected
            assert target.get("state") == ("translated" if expected else "new")
        if uncovered:
            assert f"{len(uncovered)} of {len(segments)} segments have no {lang} translation" in result.stderr
        else:
            assert "warning" not in result.stderr
    page = (out / "harbor-radar" / "harbor-radar.en-ja.html").read_text(encoding="utf-8")
    assert known[(segments[0].text, "ja")] in page


@pytest.mark.parametrize("choice,present,absent", [("1.2", ".xlf", ".xliff2.xlf"), ("2.1", ".xliff2.xlf", ".xlf")])
def test_xliff_option_chooses_the_versions_written(tmp_path, choice, present, absent):
    article = tmp_path / "story.txt"
    article.write_text("The port is busy.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_tandem("run", str(article), "--out", str(out), "--no-mt", "--xliff", choice, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    names = {p.name for p in (out / "story").iterdir()}
    assert f"story.en-ru{present}" in names and f"story.en-ru{absent}" not in names


def _digest(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_run_does_not_keep_its_tmx_import(tmp_path):
    """run --tm X with a model missing exits 2 and writes nothing, not even into an existing memory."""
    from tests.test_tmx import SAMPLE_TMX

    article = tmp_path / "story.txt"
    article.write_text("The port is busy.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_tandem("run", str(article), "--out", str(out), "--no-mt", cwd=tmp_path).returncode == 0
    before = _digest(out / "tandem.db")
    result = run_tandem("run", str(article), "--tm", str(SAMPLE_TMX), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2 and "en->" in result.stderr, result.stderr
    assert _digest(out / "tandem.db") == before


def test_a_render_failure_changes_nothing(tmp_path, monkeypatch):
    """Every output is rendered before the memory is written: a failing writer leaves it as it was."""
    from tandem import pipeline, rebuild
    from tandem.settings import Workspace, run_settings

    article = tmp_path / "story.txt"
    article.write_text("The port is busy. Ships wait.\n", encoding="utf-8")
    workspace = Workspace(tmp_path / "out")
    settings = run_settings(to="ru", no_mt=True, models_dir=tmp_path / "no-models")
    pipeline.run([article], workspace, settings)
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    article.write_text("The port is busy. Ships wait outside.\n", encoding="utf-8")

    def broken(docs):
        raise RuntimeError("a writer failed")

    monkeypatch.setattr(rebuild.site, "render_pages", broken)
    with pytest.raises(RuntimeError, match="a writer failed"):
        pipeline.run([article], workspace, settings)
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()} == before


def test_merge_rewrites_the_report_keeping_the_run_timings(tmp_path):
    from lxml import etree

    article = tmp_path / "story.txt"
    article.write_text("The port is busy. Ships wait.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_tandem("run", str(article), "--out", str(out), "--no-mt", "--to", "ru", cwd=tmp_path).returncode == 0
    report_path = out / "story" / "report.json"
    seconds = json.loads(report_path.read_text(encoding="utf-8"))["seconds"]
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    tree = etree.parse(str(out / "story" / "story.en-ru.xlf"))
    target = tree.find(".//x:target", ns)
    target.text, target.attrib["state"] = "Порт загружен.", "final"
    tree.write(str(tmp_path / "r.xlf"))
    assert run_tandem("merge", str(tmp_path / "r.xlf"), "--out", str(out), cwd=tmp_path).returncode == 0
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["targets"]["ru"]["origins"] == {"mt": 0, "tm": 0, "human": 1, "none": 1}
    assert report["targets"]["ru"]["translated_segments"] == 1
    assert report["seconds"] == seconds


def test_a_run_with_fewer_languages_keeps_and_republishes_the_others(tmp_path, packages_dir):
    from lxml import etree

    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    article = tmp_path / "story.txt"
    article.write_text("The port is busy. Ships wait.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_tandem("run", str(article), "--out", str(out), packages=packages_dir).returncode == 0
    ja_xlf = out / "story" / "story.en-ja.xlf"
    before = [u.findtext("x:target", namespaces=ns) for u in etree.parse(str(ja_xlf)).iterfind(".//x:trans-unit", ns)]
    article.write_text("The port is busy. Ships wait outside.\n", encoding="utf-8")
    result = run_tandem("run", str(article), "--out", str(out), "--to", "ru", packages=packages_dir)
    assert result.returncode == 0, result.stderr
    assert "1 of 2 segments have no ja translation" in result.stderr
    units = list(etree.parse(str(ja_xlf)).iterfind(".//x:trans-unit", ns))
    assert [u.findtext("x:target", namespaces=ns) or "" for u in units] == [before[0], ""]
    index = etree.HTML((out / "story" / "index.html").read_bytes())
    assert index.xpath('//a[@hreflang="ja"]')
    report = json.loads((out / "story" / "report.json").read_text(encoding="utf-8"))
    assert report["target_languages"] == ["ru", "ja"]
    # the Japanese file can still be merged
    tree = etree.parse(str(ja_xlf))
    target = tree.find(".//x:target", ns)
    target.text, target.attrib["state"] = "港は混雑している。", "final"
    tree.write(str(tmp_path / "ja.xlf"))
    merged = run_tandem("merge", str(tmp_path / "ja.xlf"), "--out", str(out), cwd=tmp_path)
    assert merged.returncode == 0 and "story ja: 1 updated" in merged.stdout, merged.stdout + merged.stderr


def test_models_are_resolved_and_installed_with_no_memory_lock_held(tmp_path, packages_dir, monkeypatch):
    """A download (--install-models) can take minutes: a concurrent `tandem merge` must not wait
    on the memory's lock meanwhile, so route resolution runs outside any transaction."""
    import sqlite3

    from tandem import pipeline
    from tandem.settings import Workspace, run_settings

    article = tmp_path / "story.txt"
    article.write_text("The port is busy. Ships wait.\n", encoding="utf-8")
    workspace = Workspace(tmp_path / "out")
    pipeline.run([article], workspace, run_settings(to="ru", models_dir=packages_dir))
    article.write_text("The port is busy. Ships wait outside.\n", encoding="utf-8")
    real, seen = pipeline.resolve_routes, []

    def resolve_while_another_process_writes(*args, **kwargs):
        other = sqlite3.connect(workspace.tm_path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # fails at once ("database is locked") if a write lock is held
        other.execute("ROLLBACK")
        other.close()
        seen.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "resolve_routes", resolve_while_another_process_writes)
    (report,) = pipeline.run([article], workspace, run_settings(to="ru", models_dir=packages_dir))
    assert seen and report.target("ru").origins["mt"] == 2
