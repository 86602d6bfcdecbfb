"""`tandem publish DIR/NAME`: pages rebuilt from the stored state, no MT, no model."""

from __future__ import annotations

import shutil

import pytest
from lxml import etree, html

from tests.conftest import SAMPLE, run_tandem

pytestmark = pytest.mark.slow
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
PAGES = {"index.html", "harbor-radar.en.html", "harbor-radar.ru.html", "harbor-radar.ja.html",
         "harbor-radar.en-ru.html", "harbor-radar.en-ja.html"}


@pytest.fixture
def reviewed_run(tmp_path, packages_dir):
    """The sample run with the tiny models, then one ru sentence reviewed and merged."""
    article = tmp_path / "harbor-radar.txt"
    shutil.copy(SAMPLE, article)
    out = tmp_path / "out"
    assert run_tandem("run", str(article), "--out", str(out), packages=packages_dir).returncode == 0
    xlf = out / "harbor-radar" / "harbor-radar.en-ru.xlf"
    tree = etree.parse(str(xlf))
    target = tree.find(".//x:trans-unit[@id='p2.s1']/x:target", NS)
    target.text, target.attrib["state"] = "Городской совет <одобрил> модернизацию & «радар».", "final"
    del target.attrib["state-qualifier"]
    reviewed = tmp_path / "reviewed.xlf"
    tree.write(str(reviewed), xml_declaration=True, encoding="UTF-8")
    assert run_tandem("merge", str(reviewed), "--out", str(out), cwd=tmp_path).returncode == 0
    return out / "harbor-radar"


def test_publish_rebuilds_every_page_from_the_memory_without_a_model(reviewed_run, tmp_path):
    for page in PAGES:
        (reviewed_run / page).unlink()
    result = run_tandem("publish", str(reviewed_run), cwd=tmp_path)  # no packages: MT impossible
    assert result.returncode == 0, result.stderr
    assert {p.name for p in reviewed_run.iterdir()} >= PAGES
    assert "published 6 pages" in result.stdout
    page = html.parse(str(reviewed_run / "harbor-radar.en-ru.html")).getroot()
    row = page.get_element_by_id("p2.s1")
    assert "Городской совет <одобрил> модернизацию & «радар»." in row.text_content()
    assert not page.cssselect("script")
    reading = html.parse(str(reviewed_run / "harbor-radar.ru.html")).getroot()
    assert "Городской совет <одобрил>" in reading.get_element_by_id("p2.s1").text_content()


def test_publish_of_a_folder_that_is_not_an_article_is_a_clear_error(tmp_path):
    result = run_tandem("publish", str(tmp_path / "out" / "nothing"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("tandem: error: ") and len(result.stderr.splitlines()) == 1


def test_publish_of_an_article_missing_from_the_memory_is_a_clear_error(reviewed_run, tmp_path):
    stray = reviewed_run.parent / "other-article"
    stray.mkdir()
    result = run_tandem("publish", str(stray), cwd=tmp_path)
    assert result.returncode == 2
    assert "other-article" in result.stderr and "Traceback" not in result.stderr
