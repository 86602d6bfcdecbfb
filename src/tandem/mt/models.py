"""Installed argos translate packages: discover, choose, install from a file.

An argos package is a zip (``.argosmodel``) of one folder holding
``metadata.json``, a CTranslate2 ``model/`` folder and a tokenizer
(``sentencepiece.model`` or ``bpe.model``).  Packages are installed as folders
in the argos packages directory, where argostranslate itself looks for them.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from tandem.document import ModelInfo
from tandem.errors import InputError, ModelError
from tandem.fsutil import ensure_folder


class _Versioned(Protocol):
    """Anything that is a versioned package for one language pair."""

    from_code: str
    to_code: str
    version: str


P = TypeVar("P", bound=_Versioned)


TOKENIZER_FILES = {"sentencepiece.model": "sentencepiece", "bpe.model": "bpe"}
# Language codes become part of folder names: letters, digits, _ and - only.
_CODE = re.compile(r"[A-Za-z0-9_-]{1,16}")
_CT2_MAX_BINARY_VERSION = 64  # CTranslate2 is at 6; far above it is not a model.bin


@dataclass(frozen=True)
class InstalledPackage:
    """An argos translate package installed on this machine."""

    path: Path
    from_code: str
    to_code: str
    version: str
    tokenizer: str  # "sentencepiece" or "bpe"
    target_prefix: str = ""

    @property
    def name(self) -> str:
        """The argospm name, e.g. ``translate-en_ru``."""
        return f"translate-{self.from_code}_{self.to_code}"

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(self.name, self.version, self.from_code, self.to_code)

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def tokenizer_file(self) -> Path:
        return self.path / next(f for f, kind in TOKENIZER_FILES.items() if kind == self.tokenizer)


def read_package(folder: Path) -> InstalledPackage:
    """Read and check one package folder; raise :class:`ModelError` if it is not valid."""
    metadata = _read_metadata(folder)
    if metadata.get("type", "translate") != "translate":
        raise ModelError(f"not a translation package (type {metadata.get('type')!r})", path=str(folder))
    if not (folder / "model" / "model.bin").is_file():
        raise ModelError("package has no CTranslate2 model (model/model.bin)", path=str(folder))
    tokenizer = next((kind for f, kind in TOKENIZER_FILES.items() if (folder / f).is_file()), None)
    if tokenizer is None:
        raise ModelError("package has no tokenizer (sentencepiece.model or bpe.model)", path=str(folder))
    return InstalledPackage(path=folder, from_code=metadata["from_code"], to_code=metadata["to_code"],
                            version=str(metadata.get("package_version", "")), tokenizer=tokenizer,
                            target_prefix=metadata.get("target_prefix", "") or "")


def installed_packages(packages_dir: Path) -> list[InstalledPackage]:
    """All valid translation packages in ``packages_dir`` (invalid folders are skipped)."""
    if not packages_dir.is_dir():
        return []
    found = []
    for folder in sorted(packages_dir.iterdir()):
        if folder.is_dir() and not folder.name.startswith("."):
            try:
                found.append(read_package(folder))
            except ModelError:
                continue
    return found


def find_package(packages_dir: Path, from_code: str, to_code: str) -> InstalledPackage | None:
    """The installed package for a pair, the highest version if several."""
    return newest_for_pair(installed_packages(packages_dir), from_code, to_code)


def newest_for_pair(packages: Iterable[P], from_code: str, to_code: str) -> P | None:
    """Of ``packages`` (installed or in the index), the highest version for one pair."""
    matches = [p for p in packages if (p.from_code, p.to_code) == (from_code, to_code)]
    return max(matches, key=lambda p: version_key(p.version), default=None)


def missing_message(packages_dir: Path, from_code: str, missing: list[str]) -> str:
    """The error for missing pairs, naming both ways to install each.

    >>> missing_message(Path("/p"), "en", ["ja"])  # doctest: +NORMALIZE_WHITESPACE
    'no translation model installed for en->ja (looked in /p); install it online with
    `tandem models install en ja` (or `tandem run --install-models ...`), or from a file
    with `tandem models install --file translate-en_ja.argosmodel`'
    """
    pairs = ", ".join(f"{from_code}->{to}" for to in missing)
    online = "; ".join(f"tandem models install {from_code} {to}" for to in missing)
    offline = "; ".join(f"tandem models install --file translate-{from_code}_{to}.argosmodel" for to in missing)
    return (f"no translation model installed for {pairs} (looked in {packages_dir}); install it online with "
            f"`{online}` (or `tandem run --install-models ...`), or from a file with `{offline}`")


def remove_package(packages_dir: Path, from_code: str, to_code: str) -> list[InstalledPackage]:
    """Remove every installed package for a pair; return what was removed.

    Each folder is first renamed to a hidden name (atomic), so a package is
    either fully there or invisible, never half-deleted.
    """
    removed = [p for p in installed_packages(packages_dir) if (p.from_code, p.to_code) == (from_code, to_code)]
    if not removed:
        raise ModelError(f"no {from_code}->{to_code} package is installed in {packages_dir}")
    for package in removed:
        doomed = package.path.with_name(f".removing-{package.path.name}")
        package.path.rename(doomed)
        shutil.rmtree(doomed, ignore_errors=True)
    return removed


def package_size(package: InstalledPackage) -> int:
    """Bytes on disk of an installed package folder."""
    return sum(f.stat().st_size for f in package.path.rglob("*") if f.is_file())


def install_from_file(archive: Path, packages_dir: Path) -> InstalledPackage:
    """Install a ``.argosmodel`` file atomically; return the installed package.

    The archive is checked and unpacked into a temporary folder inside
    ``packages_dir`` and only then renamed into place, so a corrupt archive or
    an interruption leaves nothing half-installed.
    """
    ensure_folder(packages_dir, InputError)
    with tempfile.TemporaryDirectory(dir=packages_dir, prefix=".installing-") as tmp:
        folder = _unpack(archive, Path(tmp))
        package = verify_package(folder)  # refuse an invalid package before touching the installed one
        destination = packages_dir / install_name(package)
        old = packages_dir / f".old-{destination.name}"
        if destination.exists():
            destination.rename(old)
        folder.rename(destination)
        shutil.rmtree(old, ignore_errors=True)
    return read_package(destination)


def install_name(package: InstalledPackage) -> str:
    """The folder a package is installed as: its pair and version, not the archive's folder
    name, so that a package can only ever replace another version of the same pair.

    >>> install_name(InstalledPackage(Path("x"), "en", "ja", "1.1", "sentencepiece"))
    'translate-en_ja-1_1'
    """
    version = re.sub(r"[^A-Za-z0-9]", "_", package.version)
    return f"{package.name}-{version}" if version else package.name


def verify_package(folder: Path) -> InstalledPackage:
    """:func:`read_package`, plus the checks worth their cost once, at install time: the
    CTranslate2 ``model/config.json`` parses, ``model.bin`` starts like a CTranslate2 model,
    and a SentencePiece tokenizer loads."""
    package = read_package(folder)
    try:
        config = json.loads((package.model_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"package has no readable model/config.json ({exc})", path=str(folder)) from None
    if not isinstance(config, dict):
        raise ModelError("model/config.json is not a JSON object", path=str(folder))
    _check_model_bin(package.model_dir / "model.bin")
    if package.tokenizer == "sentencepiece":
        _check_sentencepiece(package.tokenizer_file)
    return package


def _check_model_bin(path: Path) -> None:
    """A CTranslate2 model.bin starts with a uint32 format version, then (from version 2)
    a uint16-length spec name such as ``TransformerSpec``."""
    with open(path, "rb") as f:
        head = f.read(128)
    version = int.from_bytes(head[:4], "little") if len(head) >= 6 else 0
    length = int.from_bytes(head[4:6], "little")
    name = head[6:6 + length].rstrip(b"\0")
    if not 1 <= version <= _CT2_MAX_BINARY_VERSION or (
            version >= 2 and not (name.isascii() and name.decode("ascii").isidentifier())):
        raise ModelError("model/model.bin is not a CTranslate2 model", path=str(path))


def _check_sentencepiece(path: Path) -> None:
    import sentencepiece

    try:
        sentencepiece.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelError(f"sentencepiece.model is not a SentencePiece model ({exc})", path=str(path)) from None


def _unpack(archive: Path, into: Path) -> Path:
    """Extract ``archive`` and return its single top-level folder."""
    if not archive.is_file():
        raise ModelError("no such file", path=str(archive))
    if not zipfile.is_zipfile(archive):
        raise ModelError("not a valid argos package (not a zip archive)", path=str(archive))
    try:
        with zipfile.ZipFile(archive) as zf:
            _check_members(zf, str(archive))
            zf.extractall(into)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ModelError(f"not a valid argos package ({exc})", path=str(archive)) from exc
    folders = [p for p in into.iterdir() if p.is_dir()]
    if len(folders) != 1:
        raise ModelError("not a valid argos package (expected one top-level folder)", path=str(archive))
    return folders[0]


def _check_members(zf: zipfile.ZipFile, where: str) -> None:
    """Refuse absolute or parent-relative member names (zip slip) and bad CRCs."""
    for name in zf.namelist():
        parts = Path(name).parts
        if name.startswith(("/", "\\")) or ".." in parts:
            raise ModelError(f"unsafe path in package: {name}", path=where)
    bad = zf.testzip()
    if bad is not None:
        raise ModelError(f"corrupt package (bad checksum in {bad})", path=where)


def _read_metadata(folder: Path) -> dict:
    try:
        metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("package has no metadata.json", path=str(folder)) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"unreadable metadata.json ({exc})", path=str(folder)) from exc
    if not isinstance(metadata, dict) or not metadata.get("from_code") or not metadata.get("to_code"):
        raise ModelError("metadata.json lacks from_code/to_code", path=str(folder))
    for key in ("from_code", "to_code"):
        if not isinstance(metadata[key], str) or not _CODE.fullmatch(metadata[key]):
            raise ModelError(f"metadata.json has an invalid language code {metadata[key]!r}", path=str(folder))
    return metadata


def version_key(version: str) -> tuple:
    """Sort key for package versions.

    >>> version_key("1.10") > version_key("1.9")
    True
    """
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))
