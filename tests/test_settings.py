"""Settings: one factory for run settings, a workspace for every command, no environment at import."""

import subprocess
import sys
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.settings import Workspace, run_settings


@pytest.mark.parametrize("code", ["ru", "ja", "de", "fr", "zh", "eo"])
def test_real_language_codes_are_accepted(code):
    assert run_settings(to=code).targets == (code,)


@pytest.mark.parametrize("code", ["xx", "qq", "zz", "abc"])
def test_unknown_language_codes_are_refused(code):
    with pytest.raises(InputError, match=f"unknown language code {code!r}"):
        run_settings(to=f"ru,{code}")


def test_the_factory_reads_the_packages_folder_and_index_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "pk"))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:1/idx/")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings = run_settings(xliff="2.1", offline=True)
    assert settings.packages_dir == tmp_path / "pk" and settings.xliff == ("2.1",)
    assert settings.index.url == "http://127.0.0.1:1/idx/" and settings.index.cache_dir == tmp_path / "cache" / "tandem"
    assert run_settings(models_dir=tmp_path / "mine").packages_dir == tmp_path / "mine"


def test_no_module_reads_the_environment_when_imported(tmp_path):
    """Importing every module with a poisoned environment, then changing it, must not matter:
    the settings built afterwards see the new values."""
    code = ("import os, pkgutil, importlib, tandem\n"
            "os.environ['ARGOS_PACKAGES_DIR'] = '/imported'\n"
            "for m in pkgutil.walk_packages(tandem.__path__, 'tandem.'):\n"
            "    m.name.endswith('__main__') or importlib.import_module(m.name)\n"
            "os.environ['ARGOS_PACKAGES_DIR'] = '/later'\n"
            "from tandem.settings import run_settings, IndexSettings\n"
            "os.environ['XDG_CACHE_HOME'] = '/later-cache'\n"
            "print(run_settings().packages_dir, run_settings().index.cache_dir)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["/later", "/later-cache/tandem"]


def test_a_workspace_defaults_to_output_and_its_memory():
    assert Workspace().tm_path == Path("output/tandem.db")
    assert Workspace(Path("o"), Path("m.db")).tm_path == Path("m.db")
