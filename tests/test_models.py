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


def _repack(source: Path, dest: Path, *, folder: str | None = None, replace: dict | None = None,
            drop: tuple[str, ...] = ()) -> Path:
    """A copy of ``source`` with members replaced/dropped (by path inside the top folder)."""
    replace = replace or {}
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            top, _, rest = info.filename.partition("/")
            if rest in drop:
                continue
            data = replace.get(rest, zin.read(info)) if rest else b""
            zout.writestr(f"{folder or top}/{rest}", data)
    return dest


@pytest.mark.parametrize("change, message", [
    ({"replace": {"model/model.bin": b"x"}}, "model.bin"),
    ({"replace": {"sentencepiece.model": b"garbage tokenizer"}}, "sentencepiece.model"),
    ({"drop": ("model/config.json",)}, "config.json"),
    ({"replace": {"model/config.json": b"{not json"}}, "config.json"),
])
def test_broken_package_is_refused_and_nothing_installed(tmp_path: Path, argos_model_files, change, message):
    broken = _repack(argos_model_files["ru"], tmp_path / "broken.argosmodel", **change)
    packages = tmp_path / "packages"
    with pytest.raises(ModelError, match=message):
        install_from_file(broken, packages)
    assert list(packages.iterdir()) == []


def test_package_is_installed_under_its_own_pair_and_version(tmp_path: Path, argos_model_files):
    packages = tmp_path / "packages"
    install_from_file(argos_model_files["ru"], packages)
    # An en->ja package whose archive folder carries the en->ru name must not replace en->ru.
    misnamed = _repack(argos_model_files["ja"], tmp_path / "odd.argosmodel", folder="translate-en_ru-1_0")
    installed = install_from_file(misnamed, packages)
    assert installed.path.name == "translate-en_ja-1_0"
    assert sorted(p.path.name for p in installed_packages(packages)) == ["translate-en_ja-1_0", "translate-en_ru-1_0"]
    assert find_package(packages, "en", "ru").path.name == "translate-en_ru-1_0"


def test_package_with_a_path_in_its_language_code_is_refused(tmp_path: Path, argos_model_files):
    meta = ('{"package_version": "1.0", "type": "translate", "from_code": "en", '
            '"to_code": "../../evil"}').encode()
    evil = _repack(argos_model_files["ru"], tmp_path / "evil.argosmodel", replace={"metadata.json": meta})
    with pytest.raises(ModelError, match="language code"):
        install_from_file(evil, tmp_path / "packages")
