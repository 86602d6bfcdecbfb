"""Routes: direct packages, pivots through a third language, and the missing-model message."""

from __future__ import annotations

import pytest

from tandem.errors import ModelError
from tandem.mt.models import install_from_file, installed_packages
from tandem.mt.routes import find_route, models_overview, resolve_routes, servable_routes
from tandem.settings import IndexSettings
from tests.fixtures.index_server import build_pivot_models


@pytest.fixture(scope="module")
def pivot_packages(tmp_path_factory, argos_model_files):
    """en->ru direct, en->de + de->ja (a pivot to ja)."""
    folder = tmp_path_factory.mktemp("pivot-packages")
    for archive in [argos_model_files["ru"], *build_pivot_models(tmp_path_factory.mktemp("pivot")).values()]:
        install_from_file(archive, folder)
    return folder


def test_direct_route_is_one_step(pivot_packages):
    route = find_route(installed_packages(pivot_packages), "en", "ru")
    assert [p.name for p in route.steps] == ["translate-en_ru"]
    assert route.pivot is None and route.info.name == "translate-en_ru"


def test_pivot_route_goes_through_a_third_language(pivot_packages):
    route = find_route(installed_packages(pivot_packages), "en", "ja")
    assert [p.name for p in route.steps] == ["translate-en_de", "translate-de_ja"]
    assert route.describe() == "en->ja via de"
    assert (route.info.name, route.info.version) == ("translate-en_de+translate-de_ja", "1.0+1.0")
    assert (route.info.from_code, route.info.to_code) == ("en", "ja")


def test_no_route(pivot_packages):
    assert find_route(installed_packages(pivot_packages), "ru", "ja") is None


def test_servable_routes_list_direct_and_pivot_pairs(pivot_packages):
    pairs = {r.describe() for r in servable_routes(installed_packages(pivot_packages))}
    assert pairs == {"en->ru", "en->de", "de->ja", "en->ja via de"}


def test_overview_lists_packages_with_size_and_pairs(pivot_packages):
    overview = models_overview(pivot_packages)
    assert [p["name"] for p in overview["packages"]] == ["translate-de_ja", "translate-en_de", "translate-en_ru"]
    assert all(p["size"] > 0 for p in overview["packages"])
    assert {"pair": "en->ja", "from": "en", "to": "ja", "via": "de",
            "packages": ["translate-en_de", "translate-de_ja"]} in overview["pairs"]


def test_missing_pair_names_both_install_commands_and_never_connects(tmp_path):
    index = IndexSettings(url="http://127.0.0.1:9/", cache_dir=tmp_path)  # port 9 would fail if tried
    with pytest.raises(ModelError) as err:
        resolve_routes(tmp_path, "en", ("ru", "ja"), index)
    message = str(err.value)
    assert "en->ru, en->ja" in message
    assert "tandem models install en ja" in message
    assert "tandem models install --file translate-en_ja.argosmodel" in message
