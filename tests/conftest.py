"""Shared fixtures: the official XLIFF schemas, real tiny argos models, and a
helper that runs the installed ``tandem`` console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from tandem.mt.models import install_from_file
from tests.fixtures.tiny_argos_model import build_argos_model

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / ".data"
SAMPLE = ROOT / "src" / "tandem" / "samples" / "harbor-radar.txt"
TANDEM = Path(sys.executable).parent / "tandem"


@pytest.fixture(scope="session")
def xliff12_schema() -> etree.XMLSchema:
    return _schema("xliff-core-1.2-strict.xsd")


@pytest.fixture(scope="session")
def xliff20_schema() -> etree.XMLSchema:
    return _schema("xliff-core-2.0.xsd")


def _schema(name: str) -> etree.XMLSchema:
    path = DATA / "schemas" / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `bash .ci/install` to fetch the official XLIFF schemas")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="session")
def argos_model_files(tmp_path_factory) -> dict[str, Path]:
    """Real tiny .argosmodel files for en->ru and en->ja, built once per session."""
    folder = tmp_path_factory.mktemp("argos-models")
    return {to: build_argos_model("en", to, folder / f"translate-en_{to}.argosmodel") for to in ("ru", "ja")}


@pytest.fixture(scope="session")
def packages_dir(tmp_path_factory, argos_model_files) -> Path:
    """An argos packages folder with both tiny models installed."""
    folder = tmp_path_factory.mktemp("argos-packages")
    for archive in argos_model_files.values():
        install_from_file(archive, folder)
    return folder


def run_tandem(*args: str, packages: Path | None = None, cwd: Path | None = None,
               stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the installed console script; the environment points argos at ``packages``."""
    env = dict(os.environ)
    env["ARGOS_PACKAGES_DIR"] = str(packages) if packages else str(cwd or ROOT) + "/.no-models"
    return subprocess.run([str(TANDEM), *args], capture_output=True, text=True, env=env,
                          cwd=cwd, input=stdin, timeout=600)
