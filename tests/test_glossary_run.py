"""Glossary terms end to end through the console script: masked for MT and back verbatim (the
copying model shows they stay in place, the random model that masking, not the model, keeps
them), enforced terms, the marked XLIFF, the TBX beside it, the page marks, ``tandem qa`` as a
gate and ``publish --strict``; and forbidden terms kept out of decoding."""

from __future__ import annotations

import json
import shutil

import pytest
from lxml import etree, html

from tandem.mt.engine import Engine
from tandem.mt.models import installed_packages
from tandem.settings import EngineSettings
from tests.conftest import ROOT, run_tandem
from tests.test_documents import copy_packages  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow
SAMPLES = ROOT / "src" / "tandem" / "samples"
TBX = SAMPLES / "harbor-terms.tbx"
X = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
DNT = ("SM-3 Block IIA", "THAAD")


def _run(tmp_path, packages, *options):
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLES / "harbor-radar.txt", tmp_path / "harbor-radar.txt")
    result = run_tandem("run", str(tmp_path / "harbor-radar.txt"), "--out", str(tmp_path / "out"),
                        "--glossary", str(TBX), *options, packages=packages)
    assert result.returncode == 0, result.stderr
    return tmp_path / "out" / "harbor-radar"


def _units(path):
    tree = etree.parse(str(path))
    return {u.get("id"): ("".join(u.find("x:source", X).itertext()), "".join(u.find("x:target", X).itertext()))
            for u in tree.iterfind(".//x:trans-unit", X)}, tree


@pytest.fixture(scope="module")
def random_run(tmp_path_factory, packages_dir):
    return _run(tmp_path_factory.mktemp("glossary-random"), packages_dir)


def test_do_not_translate_terms_come_back_verbatim_from_the_random_model(random_run, xliff12_schema):
    for lang in ("ru", "ja"):
        units, tree = _units(random_run / f"harbor-radar.en-{lang}.xlf")
        assert xliff12_schema.validate(tree), xliff12_schema.error_log
        with_terms = [(s, t) for s, t in units.values() if any(term in s for term in DNT)]
        assert len(with_terms) == 2
        for source, target in with_terms:
            assert all(term in target for term in DNT if term in source), (lang, target)
        marks = [(m.get("mtype"), m.text) for m in tree.iter("{*}mrk")]
        assert ("protected", "THAAD") in marks and ("term", "U.S. Coast Guard") in marks


def test_the_terms_go_to_a_tbx_the_page_and_the_report(random_run):
    from translate.storage.tbx import tbxfile

    tbx = tbxfile.parsestring((random_run / "harbor-radar.en-ru.tbx").read_bytes())
    sources = {u.source for u in tbx.units}
    assert {"THAAD", "U.S. Coast Guard", "Port Alder"} <= sources
    article = (SAMPLES / "harbor-radar.txt").read_text(encoding="utf-8").casefold()
    assert all(source.casefold() in article for source in sources)  # only the article's own terms
    assert "harbor safety plan" not in article and "Harbor Safety Plan" not in sources
    page = html.fromstring((random_run / "harbor-radar.en-ru.html").read_bytes())
    titles = {t.text_content(): t.get("title") for t in page.cssselect("td.source span.term")}
    assert titles["U.S. Coast Guard"] == "Береговая охрана США" and titles["THAAD"] == "THAAD"
    assert page.cssselect("ul.findings li.finding-error") and page.cssselect(".qa-summary")
    report = json.loads((random_run / "report.json").read_text())["targets"]["ru"]
    assert report["qa"]["error"] == sum(1 for fs in report["findings"].values() for f in fs if f["severity"] == "error")


def test_qa_is_a_gate_and_publish_strict_refuses_unreviewed_pages(random_run):
    gate = run_tandem("qa", str(random_run), "--format", "json", "--lang", "ru")
    assert gate.returncode == 1, gate.stderr
    units = json.loads(gate.stdout)["units"]
    assert units and all(u["language"] == "ru" for u in units)
    assert any(f["check"] == "term-missing" and "Береговая охрана США" in f["message"]
               for u in units for f in u["findings"])
    assert run_tandem("qa", str(random_run), "--fail-on", "error", "--lang", "zz").returncode == 2
    page = random_run / "harbor-radar.ru.html"
    before = page.stat().st_mtime_ns
    strict = run_tandem("publish", str(random_run), "--strict")
    assert strict.returncode == 3 and strict.stdout == ""
    assert strict.stderr.count("\n") == 1 and "unreviewed machine translation" in strict.stderr
    assert page.stat().st_mtime_ns == before  # nothing written
    assert run_tandem("publish", str(random_run)).returncode == 0


def test_the_copying_model_keeps_terms_in_place_and_enforce_puts_the_preferred_term_there(tmp_path, copy_packages):  # noqa: F811
    plain = _run(tmp_path / "plain", copy_packages, "--to", "ru")
    units, _ = _units(plain / "harbor-radar.en-ru.xlf")
    for source, target in units.values():
        assert target == source  # the copy, DNT terms masked and put back where they were
    enforced = _run(tmp_path / "enforced", copy_packages, "--to", "ru", "--enforce-terms")
    units, _ = _units(enforced / "harbor-radar.en-ru.xlf")
    (source, target), = [(s, t) for s, t in units.values() if "U.S. Coast Guard" in s]
    assert target == source.replace("U.S. Coast Guard", "Береговая охрана США")
    thaad = next(t for s, t in units.values() if "THAAD" in s)
    assert "THAAD" in thaad and "ТХААД" not in thaad


def test_forbidden_terms_are_kept_out_of_decoding(packages_dir):
    package = next(p for p in installed_packages(packages_dir) if p.to_code == "ru")
    engine = Engine(EngineSettings(beam_size=2))
    text = "The council voted on Tuesday to buy a coastal radar."
    free = engine.translate(package, [text])[0].text
    word = free.split()[0]
    tokens = engine.load(package).tokenizer.encode(word)
    suppressed = engine.translate(package, [text], suppress=[word])[0].text
    assert word in free and suppressed != free
    pieces = engine.load(package).tokenizer.encode(suppressed)
    assert not any(pieces[i:i + len(tokens)] == tokens for i in range(len(pieces)))
