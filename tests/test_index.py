"""The package index over real HTTP (a local server on 127.0.0.1): cache, download, checks."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import pytest

from tandem.errors import ModelError
from tandem.mt.index import (available_overview, available_packages, index_json_url, install_from_index,
                             parse_index)
from tandem.mt.models import installed_packages
from tandem.settings import IndexSettings
from tests.fixtures.index_server import IndexServer, Served, index_entry


@pytest.fixture
def server(argos_model_files):
    srv = IndexServer()
    srv.files["/files/en_ja.argosmodel"] = Served(argos_model_files["ja"].read_bytes())
    srv.set_index([index_entry("en", "ja", "files/en_ja.argosmodel")])
    yield srv.start()
    srv.stop()


def _settings(server: IndexServer, tmp_path: Path, **kw) -> IndexSettings:
    return IndexSettings(url=server.url, cache_dir=tmp_path / "cache", **kw)


def test_relative_links_resolve_against_the_index_url(server, tmp_path):
    [package] = available_packages(_settings(server, tmp_path))
    assert package.links == (server.url + "files/en_ja.argosmodel",)
    assert (package.name, package.version, package.to_name) == ("translate-en_ja", "1.0", "Japanese")


def test_full_index_url_works_like_the_base_url(server, tmp_path):
    settings = IndexSettings(url=server.url + "index.json", cache_dir=tmp_path / "cache")
    assert [p.name for p in available_packages(settings)] == ["translate-en_ja"]
    assert index_json_url(server.url.rstrip("/")) == server.url + "index.json"


def test_index_is_cached_and_refresh_refetches(server, tmp_path):
    settings = _settings(server, tmp_path)
    available_packages(settings)
    available_packages(settings)
    assert server.requests == ["/index.json"]
    available_packages(settings, refresh=True)
    assert server.requests == ["/index.json", "/index.json"]


def test_stale_cache_is_refetched(server, tmp_path):
    settings = _settings(server, tmp_path, max_age_s=0)
    available_packages(settings)
    available_packages(settings)
    assert server.requests.count("/index.json") == 2


def test_offline_uses_the_cache_whatever_its_age_and_never_connects(server, tmp_path):
    available_packages(_settings(server, tmp_path))
    offline = _settings(server, tmp_path, offline=True, max_age_s=0)
    assert [p.name for p in available_packages(offline)] == ["translate-en_ja"]
    assert server.requests == ["/index.json"]


def test_offline_without_cache_is_a_clear_error(server, tmp_path):
    with pytest.raises(ModelError, match="--offline"):
        available_packages(_settings(server, tmp_path, offline=True))
    assert server.requests == []


def test_offline_install_refuses_before_any_connection(tmp_path):
    # A port nobody listens on: were a connection attempted it would fail differently.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = IndexSettings(url=f"http://127.0.0.1:{port}/", cache_dir=tmp_path / "cache", offline=True)
    with pytest.raises(ModelError, match="--offline"):
        install_from_index("en", "ja", tmp_path / "packages", settings)


def test_unreachable_server_is_one_clear_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = IndexSettings(url=f"http://127.0.0.1:{port}/", cache_dir=tmp_path / "cache", timeout=5)
    with pytest.raises(ModelError, match="cannot reach the package server"):
        available_packages(settings)


def test_install_reports_progress_up_to_the_full_size(server, tmp_path, argos_model_files):
    seen = []
    package = install_from_index("en", "ja", tmp_path / "packages", _settings(server, tmp_path),
                                 lambda done, total: seen.append((done, total)))
    size = argos_model_files["ja"].stat().st_size
    assert package.name == "translate-en_ja"
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    assert _visible_and_hidden(tmp_path / "packages") == ["translate-en_ja-1_0"]


def test_interrupted_download_installs_nothing(server, tmp_path):
    server.files["/files/en_ja.argosmodel"].mode = "truncate"
    with pytest.raises(ModelError, match="download (incomplete|interrupted)"):
        install_from_index("en", "ja", tmp_path / "packages", _settings(server, tmp_path))
    assert _visible_and_hidden(tmp_path / "packages") == []


def test_corrupt_package_installs_nothing(server, tmp_path):
    server.files["/files/en_ja.argosmodel"] = Served(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(ModelError, match="not a valid argos package"):
        install_from_index("en", "ja", tmp_path / "packages", _settings(server, tmp_path))
    assert _visible_and_hidden(tmp_path / "packages") == []


def test_checksum_from_the_index_is_verified(server, tmp_path, argos_model_files):
    good = hashlib.sha256(argos_model_files["ja"].read_bytes()).hexdigest()
    server.set_index([index_entry("en", "ja", "files/en_ja.argosmodel", sha256="0" * 64)])
    with pytest.raises(ModelError, match="checksum mismatch"):
        install_from_index("en", "ja", tmp_path / "packages", _settings(server, tmp_path))
    assert _visible_and_hidden(tmp_path / "packages") == []
    server.set_index([index_entry("en", "ja", "files/en_ja.argosmodel", sha256=good)])
    install_from_index("en", "ja", tmp_path / "packages", _settings(server, tmp_path, max_age_s=0))
    assert [p.name for p in installed_packages(tmp_path / "packages")] == ["translate-en_ja"]


def test_pair_missing_from_the_index_is_named(server, tmp_path):
    with pytest.raises(ModelError, match="has no en->ko package"):
        install_from_index("en", "ko", tmp_path / "packages", _settings(server, tmp_path))


def test_available_overview_marks_installed_packages(server, tmp_path):
    settings = _settings(server, tmp_path)
    assert available_overview(tmp_path / "packages", settings)[0]["installed"] is None
    install_from_index("en", "ja", tmp_path / "packages", settings)
    assert available_overview(tmp_path / "packages", settings)[0]["installed"] == "1.0"


def test_parse_index_skips_what_is_not_a_translation_package():
    data = b'[{"type": "sbd", "from_code": "en", "links": []}, {"from_code": "en"}, 3,' \
           b' {"from_code": "en", "to_code": "ru", "links": ["a.argosmodel"]}]'
    assert [p.name for p in parse_index(data, "http://x/")] == ["translate-en_ru"]


def test_parse_index_rejects_garbage():
    with pytest.raises(ModelError, match="not valid JSON"):
        parse_index(b"<html>", "http://x/")
    with pytest.raises(ModelError, match="not a JSON list"):
        parse_index(b"{}", "http://x/")


def _visible_and_hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("pair, archive", [((), None), (("en",), None), (("en", "ja", "ru"), None),
                                           (("en", "ja"), Path("x.argosmodel"))])
def test_install_needs_exactly_a_pair_or_a_file(tmp_path: Path, pair, archive):
    from tandem.errors import InputError
    from tandem.mt.index import install

    with pytest.raises(InputError, match="either FROM TO"):
        install(pair, archive, tmp_path / "packages", IndexSettings(offline=True, cache_dir=tmp_path))
    assert not (tmp_path / "packages").exists()


def test_install_with_a_file_installs_it_without_the_index(tmp_path: Path, argos_model_files):
    from tandem.mt.index import install

    package = install((), argos_model_files["ja"], tmp_path / "packages",
                      IndexSettings(offline=True, cache_dir=tmp_path))
    assert (package.from_code, package.to_code) == ("en", "ja")
