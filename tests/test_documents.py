"""HTML and Markdown articles end to end through the console script: codes written, placed by
MT, reviewed and merged, and the translated article in its own format.

With the copying model (its output is its input, its attention diagonal) every code must come
back exactly where it was, so the translated HTML is the source document with ``lang`` set;
with the random tiny model every code must come back, well formed."""

from __future__ import annotations

import json
import shutil

import pytest
from lxml import etree, html
from markdown_it import MarkdownIt

from tandem.mt.models import install_from_file
from tests.conftest import ROOT, run_tandem
from tests.fixtures.copy_model import build_copy_model

SAMPLES = ROOT / "src" / "tandem" / "samples"
X = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def copy_packages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("copy-packages")
    for to in ("ru", "ja"):
        install_from_file(build_copy_model("en", to, folder / f"copy-en_{to}.argosmodel"), folder)
    return folder


def _run(tmp_path, sample, packages, *options):
    shutil.copy(SAMPLES / sample, tmp_path / sample)
    result = run_tandem("run", str(tmp_path / sample), "--out", str(tmp_path / "out"), *options, packages=packages)
    assert result.returncode == 0, result.stderr
    return tmp_path / "out" / sample.rsplit(".", 1)[0]


def _tree_without_lang(data: bytes, spaces: bool = True):
    """Tags, attributes and texts; without ``spaces``, texts compared with whitespace removed (a
    Japanese translation joins sentences without the source's spaces)."""
    root = html.fromstring(data.decode("utf-8"))
    for element in root.iter():
        if isinstance(element.tag, str):
            element.attrib.pop("lang", None)
    text = (lambda t: (t or "").strip()) if spaces else (lambda t: "".join((t or "").split()))
    return [(e.tag, dict(e.attrib), text(e.text), text(e.tail)) for e in root.iter() if isinstance(e.tag, str)]


def test_html_with_the_copying_model_comes_back_as_the_source_document(tmp_path, copy_packages):
    folder = _run(tmp_path, "harbor-vote.html", copy_packages)
    source = (SAMPLES / "harbor-vote.html").read_bytes()
    for lang in ("ru", "ja"):
        translated = (folder / f"harbor-vote.translated.{lang}.html").read_bytes()
        assert f'lang="{lang}"'.encode() in translated
        spaces = lang != "ja"
        assert _tree_without_lang(translated, spaces) == _tree_without_lang(source, spaces), lang
    counts = json.loads((folder / "report.json").read_text())["targets"]["ru"]["mt_codes"]
    assert counts["written"] >= 10 and counts == {"written": counts["written"], "confident": counts["written"],
                                                  "at_safe_place": 0}


def test_every_mt_target_carries_exactly_its_sources_codes(tmp_path, packages_dir, xliff12_schema):
    folder = _run(tmp_path, "harbor-vote.html", packages_dir)
    tree = etree.parse(str(folder / "harbor-vote.en-ru.xlf"))
    assert xliff12_schema.validate(tree), xliff12_schema.error_log
    assert tree.find(".//x:file", X).get("datatype") == "html"
    coded = 0
    for unit in tree.iterfind(".//x:trans-unit", X):
        source, target = unit.find("x:source", X), unit.find("x:target", X)
        ids = lambda e: sorted((c.tag.rsplit("}", 1)[1], c.get("id")) for c in e.iter() if c is not e)
        assert ids(target) == ids(source), unit.get("id")
        coded += bool(ids(source))
    assert coded >= 5
    # report.json counts the codes of the MT targets: each at the safe place has its QA note
    counts = json.loads((folder / "report.json").read_text())["targets"]["ru"]["mt_codes"]
    notes = sum(1 for n in tree.iterfind(".//x:trans-unit/x:note", X) if (n.text or "").startswith("QA code-placement:"))
    assert counts["confident"] + counts["at_safe_place"] == counts["written"] >= 5
    assert counts["at_safe_place"] == notes


def test_markdown_translates_to_the_same_structure_and_urls(tmp_path, copy_packages):
    folder = _run(tmp_path, "harbor-vote.md", copy_packages)
    md = MarkdownIt("commonmark")

    def shape(text):
        """Token types (text runs and soft breaks aside: a Japanese translation joins sentences
        without the source's line breaks) and every URL."""
        tokens = md.parse(text.split("---", 2)[-1] if text.startswith("---") else text)
        flat = [t for tok in tokens for t in ([tok] + (tok.children or []))]
        return ([t.type for t in flat if t.type not in ("text", "softbreak")],
                [t.attrGet("href") or t.attrGet("src") for t in flat if t.attrGet("href") or t.attrGet("src")])

    source = (SAMPLES / "harbor-vote.md").read_text(encoding="utf-8")
    for lang in ("ru", "ja"):
        assert shape((folder / f"harbor-vote.{lang}.md").read_text(encoding="utf-8")) == shape(source), lang


def test_a_reviewer_who_reorders_codes_is_merged_and_one_who_drops_a_code_is_not(tmp_path, packages_dir):
    folder = _run(tmp_path, "harbor-vote.html", packages_dir, "--to", "ru")
    tree = etree.parse(str(folder / "harbor-vote.en-ru.xlf"))
    units = [u for u in tree.iterfind(".//x:trans-unit", X) if len(u.find("x:target", X))]
    kept, dropped = units[0], units[1]
    target = kept.find("x:target", X)
    codes = list(target)
    target.text = "Перестановка: "
    for code in codes:
        code.tail = " слово "
    target[:] = list(reversed(codes)) if all(c.tag.endswith("}x") for c in codes) else codes
    broken = dropped.find("x:target", X)
    broken.remove(broken[0])
    tree.write(str(tmp_path / "reviewed.en-ru.xlf"), xml_declaration=True, encoding="UTF-8")
    result = run_tandem("merge", str(tmp_path / "reviewed.en-ru.xlf"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ": 1 updated" in result.stdout and f"rejected {dropped.get('id')}: " in result.stdout, result.stdout
    rebuilt = {u.get("id"): u for u in etree.parse(str(folder / "harbor-vote.en-ru.xlf")).iterfind(".//x:trans-unit", X)}
    assert rebuilt[kept.get("id")].find("x:target", X).text == "Перестановка: "
