import zipfile
from pathlib import Path

import pytest

from tandem.errors import ModelError
from tandem.mt.models import find_package, install_from_file, installed_packages, package_size, remove_package
from tandem.mt.routes import resolve_routes
from tandem.settings import IndexSettings


def test_install_from_file_and_find(tmp_path: Path, argos_model_files):
    installed = install_from_file(argos_model_files["ru"], tmp_path)
    assert (installed.from_code, installed.to_code, installed.version) == ("en", "ru", "1.0")
    assert installed.tokenizer == "sentencepiece"
    assert find_package(tmp_path, "en", "ru") == installed
    assert find_package(tmp_path, "en", "ja") is None
    assert [p.name for p in installed_packages(tmp_path)] == ["translate-en_ru"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_reinstall_replaces_the_package(tmp_path: Path, argos_model_files):
    install_from_file(argos_model_files["ru"], tmp_path)
    install_from_file(argos_model_files["ru"], tmp_path)
    assert len(installed_packages(tmp_path)) == 1


def test_not_a_zip_is_refused_and_nothing_installed(tmp_path: Path):
    bogus = tmp_path / "bogus.argosmodel"
    bogus.write_bytes(b"not a zip at all")
    packages = tmp_path / "packages"
    with pytest.raises(ModelError, match="not a zip archive"):
        install_from_file(bogus, packages)
    assert list(packages.iterdir()) == []


def test_zip_without_model_is_refused(tmp_path: Path):
    archive = tmp_path / "empty.argosmodel"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("translate-en_xx-1_0/metadata.json", '{"from_code": "en", "to_code": "xx"}')
    packages = tmp_path / "packages"
    with pytest.raises(ModelError, match="no CTranslate2 model"):
        install_from_file(archive, packages)
    assert list(packages.iterdir()) == []


def test_truncated_download_is_refused(tmp_path: Path, argos_model_files):
    data = argos_model_files["ja"].read_bytes()
    truncated = tmp_path / "truncated.argosmodel"
    truncated.write_bytes(data[: len(data) // 2])
    packages = tmp_path / "packages"
    with pytest.raises(ModelError):
        install_from_file(truncated, packages)
    assert list(packages.iterdir()) == []


def test_missing_routes_name_every_missing_pair(tmp_path: Path):
    with pytest.raises(ModelError, match=r"en->ru, en->ja"):
        resolve_routes(tmp_path, "en", ("ru", "ja"), IndexSettings(offline=True))


# --- remove, size ---------------------------------------------------------------------------

def test_remove_package_removes_the_folder_and_nothing_else(tmp_path: Path, argos_model_files):
    install_from_file(argos_model_files["ru"], tmp_path)
    install_from_file(argos_model_files["ja"], tmp_path)
    removed = remove_package(tmp_path, "en", "ru")
    assert [p.name for p in removed] == ["translate-en_ru"]
    assert [p.name for p in installed_packages(tmp_path)] == ["translate-en_ja"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["translate-en_ja-1_0"]


def test_remove_missing_package_is_an_error(tmp_path: Path):
    with pytest.raises(ModelError, match="no en->ru package is installed"):
        remove_package(tmp_path, "en", "ru")


def test_package_size_counts_the_files(tmp_path: Path, argos_model_files):
    package = install_from_file(argos_model_files["ru"], tmp_path)
    model_bin = (package.model_dir / "model.bin").stat().st_size
    assert model_bin < package_size(package) < 10 * model_bin


def test_install_from_missing_file_names_it(tmp_path: Path):
    with pytest.raises(ModelError, match="no such file"):
        install_from_file(tmp_path / "nope.argosmodel", tmp_path / "packages")
