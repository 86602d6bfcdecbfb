"""End-to-end: `tandem models ...` and `tandem run` model options, against a local HTTP index."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import SAMPLE, run_tandem
from tests.fixtures.index_server import IndexServer, Served, build_pivot_models, index_entry

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pivot_models(tmp_path_factory):
    return build_pivot_models(tmp_path_factory.mktemp("pivot-models"))


@pytest.fixture
def server(argos_model_files, pivot_models, tmp_path, monkeypatch):
    srv = IndexServer()
    files = {"en_ru": argos_model_files["ru"], "en_ja": argos_model_files["ja"], **pivot_models}
    for pair, path in files.items():
        srv.files[f"/files/{pair}.argosmodel"] = Served(path.read_bytes())
    srv.set_index([index_entry(*pair.split("_"), f"files/{pair}.argosmodel") for pair in files])
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", srv.url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield srv.start()
    srv.stop()


@pytest.fixture
def packages(tmp_path):
    return tmp_path / "packages"


def _one_error_line(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if "error" in line.lower() or "Traceback" in line]
    # Only a download progress bar (if any) may precede the one error line.
    assert errors == [lines[-1]] and lines[-1].startswith("tandem: error: "), result.stderr
    return lines[-1]


def _folder(packages) -> list[str]:
    return sorted(p.name for p in packages.iterdir()) if packages.exists() else []


def test_install_from_the_index_shows_progress_and_reports_where(server, packages, argos_model_files):
    result = run_tandem("models", "install", "en", "ja", packages=packages)
    assert result.returncode == 0, result.stderr
    assert f"installed translate-en_ja 1.0 (en->ja) in {packages / 'translate-en_ja-1_0'}" in result.stdout
    size_kib = argos_model_files["ja"].stat().st_size / 1024
    assert "translate-en_ja: 100%" in result.stderr
    assert re.search(r"\d+(\.\d+)?[kM]i?B/s", result.stderr)  # speed
    assert f"{size_kib:.0f}k" in result.stderr or f"{size_kib / 1024:.2f}M" in result.stderr  # size
    assert "/files/en_ja.argosmodel" in server.requests
    assert _folder(packages) == ["translate-en_ja-1_0"]


def test_list_and_list_json(server, packages):
    assert "no translation packages installed" in run_tandem("models", "list", packages=packages).stdout
    for pair in ("en de", "de ja", "en ru"):
        assert run_tandem("models", "install", *pair.split(), packages=packages).returncode == 0
    text = run_tandem("models", "list", packages=packages).stdout
    assert "en->ru  translate-en_ru  1.0" in text and "en->ja (via de)" in text
    data = json.loads(run_tandem("models", "list", "--json", packages=packages).stdout)
    assert [(p["from"], p["to"], p["version"]) for p in data["packages"]] == \
        [("de", "ja", "1.0"), ("en", "de", "1.0"), ("en", "ru", "1.0")]
    assert all(p["size"] > 0 and (packages / p["path"]).is_dir() for p in data["packages"])
    assert {"pair": "en->ja", "from": "en", "to": "ja", "via": "de",
            "packages": ["translate-en_de", "translate-de_ja"]} in data["pairs"]


def test_available_marks_installed_and_caches_the_index(server, packages):
    run_tandem("models", "install", "en", "ru", packages=packages)
    data = json.loads(run_tandem("models", "available", "--json", packages=packages).stdout)
    marks = {p["name"]: p["installed"] for p in data}
    assert marks == {"translate-de_ja": None, "translate-en_de": None, "translate-en_ja": None,
                     "translate-en_ru": "1.0"}
    text = run_tandem("models", "available", packages=packages).stdout
    assert re.search(r"en->ru  translate-en_ru  1\.0  English -> Russian  installed 1\.0", text)
    assert server.requests.count("/index.json") == 1  # install fetched it; the rest used the cache
    run_tandem("models", "available", "--refresh", packages=packages)
    assert server.requests.count("/index.json") == 2


def test_interrupted_download_leaves_nothing_installed(server, packages):
    server.files["/files/en_ja.argosmodel"].mode = "truncate"
    line = _one_error_line(run_tandem("models", "install", "en", "ja", packages=packages))
    assert "download" in line and ("incomplete" in line or "interrupted" in line)
    assert _folder(packages) == []


def test_corrupt_package_leaves_nothing_installed(server, packages):
    server.files["/files/en_ja.argosmodel"] = Served(b"garbage, not a zip file")
    assert "not a valid argos package" in _one_error_line(run_tandem("models", "install", "en", "ja",
                                                                      packages=packages))
    assert _folder(packages) == []


def test_install_from_file_needs_no_network(server, packages, argos_model_files):
    result = run_tandem("models", "install", "--file", str(argos_model_files["ru"]), "--offline",
                        packages=packages)
    assert result.returncode == 0, result.stderr
    assert server.requests == []


def test_install_arguments_are_checked(server, packages):
    assert "either FROM TO" in _one_error_line(run_tandem("models", "install", "en", packages=packages))


def test_remove(server, packages):
    run_tandem("models", "install", "en", "ru", packages=packages)
    result = run_tandem("models", "remove", "en", "ru", packages=packages)
    assert result.returncode == 0 and "removed translate-en_ru 1.0" in result.stdout
    assert _folder(packages) == []
    assert "no en->ru package is installed" in _one_error_line(run_tandem("models", "remove", "en", "ru",
                                                                          packages=packages))


def test_run_uses_a_pivot_when_no_direct_package(server, packages, tmp_path):
    for pair in ("en de", "de ja"):
        run_tandem("models", "install", *pair.split(), packages=packages)
    result = run_tandem("run", str(SAMPLE), "--to", "ja", "--out", str(tmp_path / "out"), "--offline",
                        packages=packages)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / SAMPLE.stem / "report.json").read_text())
    assert report["targets"]["ja"]["model"] == {"name": "translate-en_de+translate-de_ja", "version": "1.0+1.0"}
    assert len(report["targets"]["ja"]["mt_scores"]) == report["segments"]
    xliff = (tmp_path / "out" / SAMPLE.stem / f"{SAMPLE.stem}.en-ja.xlf").read_text()
    assert "translate-en_de+translate-de_ja" in xliff


def test_run_install_models_downloads_what_is_missing(server, packages, tmp_path):
    result = run_tandem("run", str(SAMPLE), "--to", "ru", "--out", str(tmp_path / "out"), "--install-models",
                        packages=packages)
    assert result.returncode == 0, result.stderr
    assert "installed translate-en_ru 1.0" in result.stderr
    assert _folder(packages) == ["translate-en_ru-1_0"]
    assert (tmp_path / "out" / SAMPLE.stem / "report.json").is_file()


@pytest.mark.parametrize("offline", [True, False])
def test_missing_model_names_both_install_commands_without_network(server, packages, tmp_path, offline):
    args = ["run", str(SAMPLE), "--to", "ja", "--out", str(tmp_path / "out")] + (["--offline"] if offline else [])
    line = _one_error_line(run_tandem(*args, packages=packages))
    assert "tandem models install en ja" in line
    assert "tandem models install --file translate-en_ja.argosmodel" in line
    assert server.requests == []  # only --install-models / models install may touch the network
    assert not (tmp_path / "out").exists()


def test_offline_and_install_models_conflict(server, packages, tmp_path):
    line = _one_error_line(run_tandem("run", str(SAMPLE), "--install-models", "--offline", packages=packages))
    assert "--offline" in line and server.requests == []


def test_offline_available_uses_only_the_cache(server, packages):
    assert "--offline" in _one_error_line(run_tandem("models", "available", "--offline", packages=packages))
    run_tandem("models", "available", packages=packages)
    result = run_tandem("models", "available", "--offline", "--json", packages=packages)
    assert result.returncode == 0 and len(json.loads(result.stdout)) == 4
    assert server.requests == ["/index.json"]


def test_engine_options_are_accepted_and_checked(packages_dir, tmp_path):
    out = tmp_path / "out"
    result = run_tandem("run", str(SAMPLE), "--to", "ru", "--out", str(out), "--beam-size", "1",
                        "--inter-threads", "1", "--intra-threads", "2", "--max-batch-tokens", "64",
                        "--compute-type", "float32", "--device", "auto", packages=packages_dir)
    assert result.returncode == 0, result.stderr
    assert "--beam-size" in _one_error_line(run_tandem("run", str(SAMPLE), "--beam-size", "0",
                                                      packages=packages_dir))


def test_over_long_segment_stays_one_unit_with_a_score(packages_dir, tmp_path):
    from lxml import etree

    clause = "the council met again in the old city hall on Tuesday to discuss the $133.3 million budget"
    long_sentence = ", ".join([clause] * 12) + "."  # about 300 tokens: over the 200-token input limit
    article = tmp_path / "long.txt"
    article.write_text(f"A short opening sentence.\n\n{long_sentence}\n", encoding="utf-8")
    result = run_tandem("run", str(article), "--to", "ru", "--out", str(tmp_path / "out"), packages=packages_dir)
    assert result.returncode == 0, result.stderr
    tree = etree.parse(str(tmp_path / "out" / "long" / "long.en-ru.xlf"))
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    units = tree.findall(".//x:trans-unit", ns)
    assert [u.get("id") for u in units] == ["p1.s1", "p2.s1"]
    long_target = units[1].find("x:target", ns).text
    short_target = units[0].find("x:target", ns).text
    # The tiny model writes ~12 tokens per input; a joined multi-chunk translation is much longer.
    assert len(long_target) > 2 * len(short_target)
    assert "score -" in units[1].find("x:note", ns).text
    report = json.loads((tmp_path / "out" / "long" / "report.json").read_text())
    assert set(report["targets"]["ru"]["mt_scores"]) == {"p1.s1", "p2.s1"}


def test_models_dir_that_is_a_file_is_one_error_line(tmp_path, argos_model_files):
    not_a_dir = tmp_path / "packages"
    not_a_dir.write_text("a file")
    result = run_tandem("models", "install", "--file", str(argos_model_files["ru"]),
                        "--models-dir", str(not_a_dir))
    assert result.returncode != 0
    line = _one_error_line(result)
    assert "internal error" not in line and str(not_a_dir) in line
