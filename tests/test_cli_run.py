"""End-to-end: the ``tandem`` console script on real files with real tiny models."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree, html
from translate.storage.xliff import xlifffile

from tandem import segment
from tandem.readers import text
from tests.conftest import SAMPLE, run_tandem

pytestmark = pytest.mark.slow
TARGETS = ("ru", "ja")
TARGET_SCRIPT = {"ru": "[\u0400-\u04ff]", "ja": "[\u3040-\u30ff\u4e00-\u9fff]"}


@pytest.fixture(scope="module")
def sample_segments():
    return segment.segment_article(text.read(SAMPLE)).segments


@pytest.fixture(scope="module")
def run_output(tmp_path_factory, packages_dir) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("out")
    result = run_tandem("run", str(SAMPLE), "--out", str(out), packages=packages_dir)
    return out / SAMPLE.stem, result


def test_run_succeeds_and_writes_every_output(run_output):
    folder, result = run_output
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in folder.iterdir())
    pages = ["index.html"] + [f"harbor-radar.{lang}.html" for lang in ("en", *TARGETS)]
    per_target = [f"harbor-radar.en-{t}.{ext}" for t in TARGETS for ext in ("xlf", "xliff2.xlf", "html", "tmx")]
    assert names == sorted(["report.json", *pages, *per_target])
    assert result.stdout.startswith("1 article, 26 segments: ")  # the per-article lines need --verbose


def test_every_xliff_is_valid_against_the_strict_schema(run_output, xliff12_schema, xliff20_schema):
    folder, _ = run_output
    for target in TARGETS:
        tree = etree.parse(str(folder / f"harbor-radar.en-{target}.xlf"))
        assert xliff12_schema.validate(tree), xliff12_schema.error_log
        tree = etree.parse(str(folder / f"harbor-radar.en-{target}.xliff2.xlf"))
        assert xliff20_schema.validate(tree), xliff20_schema.error_log


def test_translate_toolkit_reads_the_xliff2_files(run_output, sample_segments):
    from translate.storage.xliff2 import Xliff2File

    folder, _ = run_output
    for target in TARGETS:
        store = Xliff2File.parsestring((folder / f"harbor-radar.en-{target}.xliff2.xlf").read_bytes())
        assert [u.source for u in store.units] == [s.text for s in sample_segments]
        assert all(u.target and u.isfuzzy() for u in store.units)  # MT: state="initial"


def test_translate_toolkit_reads_one_unit_per_segment_with_a_target(run_output, sample_segments):
    import re

    folder, _ = run_output
    for target in TARGETS:
        store = xlifffile.parsefile(str(folder / f"harbor-radar.en-{target}.xlf"))
        units = [u for u in store.units if not u.isheader()]
        # translate-toolkit prefixes ids with the file's "original" and \x04
        assert [u.getid() for u in units] == [f"harbor-radar.txt\x04{s.id}" for s in sample_segments]
        assert [u.source for u in units] == [s.text for s in sample_segments]
        for unit in units:
            assert unit.target.strip(), unit.getid()
            assert re.search(TARGET_SCRIPT[target], unit.target), (unit.getid(), unit.target)
        assert store.getsourcelanguage() == "en" and store.gettargetlanguage() == target


def test_xliff_groups_units_by_paragraph(run_output, sample_segments):
    folder, _ = run_output
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    tree = etree.parse(str(folder / "harbor-radar.en-ru.xlf"))
    groups = tree.findall(".//x:group", ns)
    assert len(groups) == 16
    for group in groups:
        for unit in group.findall("x:trans-unit", ns):
            assert unit.get("id").startswith(group.get("id") + ".")
    target = tree.find(".//x:target", ns)
    assert (target.get("state"), target.get("state-qualifier")) == ("needs-review-translation", "leveraged-mt")


def test_html_has_one_row_per_segment_with_languages(run_output, sample_segments):
    folder, _ = run_output
    for target in TARGETS:
        page = html.parse(str(folder / f"harbor-radar.en-{target}.html")).getroot()
        rows = page.cssselect("tr.segment")
        assert [r.get("id") for r in rows] == [s.id for s in sample_segments]
        for row, seg in zip(rows, sample_segments):
            source, target_cell = row.cssselect("td")
            assert (source.get("lang"), target_cell.get("lang")) == ("en", target)
            assert source.text_content() == seg.text
            assert target_cell.text_content().strip()
        assert page.get("lang") == target  # the page chrome is in the target language


def test_report_json_describes_the_run(run_output):
    folder, _ = run_output
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["article"] == "harbor-radar"
    assert report["source_language"] == "en"
    assert report["target_languages"] == list(TARGETS)
    assert report["segments"] == 26
    for target in TARGETS:
        entry = report["targets"][target]
        assert entry["translated_segments"] == 26
        assert entry["model"] == {"name": f"translate-en_{target}", "version": "1.0"}
    assert set(report["seconds"]) >= {"read", "segment", "load_model", "translate", "align", "write"}
    assert all(v >= 0 for v in report["seconds"].values())


def test_same_model_gives_the_same_output(run_output, packages_dir, tmp_path):
    folder, _ = run_output
    result = run_tandem("run", str(SAMPLE), "--out", str(tmp_path), packages=packages_dir)
    assert result.returncode == 0, result.stderr
    for name in ("harbor-radar.en-ru.xlf", "harbor-radar.en-ja.html"):
        assert (tmp_path / "harbor-radar" / name).read_bytes() == (folder / name).read_bytes()


def test_missing_model_is_one_clear_line_exit_2_and_writes_nothing(tmp_path, packages_dir):
    only_ru = tmp_path / "packages"
    shutil.copytree(packages_dir / "translate-en_ru-1_0", only_ru / "translate-en_ru-1_0")
    out = tmp_path / "out"
    result = run_tandem("run", str(SAMPLE), "--out", str(out), packages=only_ru)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tandem: error: ")
    assert "en->ja" in lines[0] and "en->ru" not in lines[0]
    assert "tandem models install" in lines[0]
    assert not out.exists()


@pytest.mark.parametrize("content", ["", "   \n\n \t\n"])
def test_empty_article_is_an_error_exit_2(tmp_path, packages_dir, content):
    article = tmp_path / "empty.txt"
    article.write_text(content, encoding="utf-8")
    result = run_tandem("run", str(article), "--out", str(tmp_path / "out"), packages=packages_dir)
    assert result.returncode == 2
    assert result.stderr.strip() == f"tandem: error: {article}: article is empty (no text to translate)"
    assert not (tmp_path / "out").exists()


def test_missing_article_file_is_an_error(tmp_path, packages_dir):
    result = run_tandem("run", str(tmp_path / "nope.txt"), packages=packages_dir, cwd=tmp_path)
    assert result.returncode == 2
    assert "no such file" in result.stderr and "Traceback" not in result.stderr


def test_python_dash_m_tandem_works():
    result = subprocess.run([sys.executable, "-m", "tandem", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "run" in result.stdout and "models" in result.stdout


def _single_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tandem: error: "), result.stderr
    assert "internal error" not in lines[0]
    return lines[0]


def test_output_folder_blocked_by_a_file_is_refused_before_anything(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / SAMPLE.stem).write_text("a file where the article's folder goes")
    result = run_tandem("run", str(SAMPLE), "--out", str(out), "--no-mt")
    assert result.returncode == 2
    assert "is in the way" in _single_error(result)
    assert sorted(p.name for p in out.iterdir()) == [SAMPLE.stem]  # no memory created


def test_out_that_is_a_file_is_one_error_line(tmp_path):
    out = tmp_path / "out"
    out.write_text("not a folder")
    result = run_tandem("run", str(SAMPLE), "--out", str(out), "--no-mt")
    assert result.returncode != 0
    _single_error(result)


def test_article_named_after_the_memory_file_is_refused(tmp_path):
    out = tmp_path / "out"
    first = run_tandem("run", str(SAMPLE), "--out", str(out), "--no-mt")
    assert first.returncode == 0, first.stderr
    before = (out / "tandem.db").read_bytes()
    clash = tmp_path / "tandem.db.txt"
    shutil.copy(SAMPLE, clash)
    result = run_tandem("run", str(clash), "--out", str(out), "--no-mt")
    assert result.returncode == 2
    assert "translation memory" in _single_error(result)
    assert (out / "tandem.db").read_bytes() == before


def test_unknown_target_language_is_one_line_exit_2_before_anything(tmp_path):
    out = tmp_path / "out"
    result = run_tandem("run", str(SAMPLE), "--out", str(out), "--to", "ru,xx", "--no-mt")
    assert result.returncode == 2
    assert "'xx'" in _single_error(result)
    assert not out.exists()


def test_article_with_a_nul_character_is_refused_before_anything(tmp_path):
    article = tmp_path / "nul.txt"
    article.write_bytes(b"City council met.\x00 It voted.\n")
    out = tmp_path / "out"
    result = run_tandem("run", str(article), "--out", str(out), "--no-mt")
    assert result.returncode == 2
    assert "character offset 17" in _single_error(result)
    assert not out.exists()


def test_mt_targets_offer_the_runner_up_as_an_mt_alt_trans(run_output):
    folder, _ = run_output
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    tree = etree.parse(str(folder / "harbor-radar.en-ru.xlf"))
    alternatives = 0
    for unit in tree.iterfind(".//x:trans-unit", ns):
        alt = unit.find("x:alt-trans", ns)
        if alt is None:
            continue
        alternatives += 1
        assert alt.get("origin").startswith("tandem-mt")
        assert 0 < float(alt.get("match-quality")) <= 100
        assert alt.findtext("x:source", namespaces=ns) == unit.findtext("x:source", namespaces=ns)
        assert alt.findtext("x:target", namespaces=ns) not in ("", unit.findtext("x:target", namespaces=ns))
    assert alternatives > 0
