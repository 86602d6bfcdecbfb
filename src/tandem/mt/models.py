"""Installed argos translate packages: discover, choose, install from a file.

An argos package is a zip (``.argosmodel``) of one folder holding
``metadata.json``, a CTranslate2 ``model/`` folder and a tokenizer
(``sentencepiece.model`` or ``bpe.model``), optionally a ``README.md`` and
sentence-boundary data (``stanza/``, ``minisbd/`` or ``spacy/``).  Packages are
installed as folders in the argos packages directory, where argostranslate
itself looks for them.

Archives come from outside, so unpacking is bounded by :class:`PackageLimits`
(checked on the zip's central directory before anything is written, and again
on the bytes actually written), and only the entries listed above are
unpacked: anything else in the package folder (stray files, other folders)
is dropped, since neither Tandem nor argostranslate reads it.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

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
# A Transformer has a few hundred variables, a large multilingual model a few thousand;
# the bound keeps the model.bin walk short on a file of millions of empty variables.
_CT2_MAX_VARIABLES = 100_000
# Bytes per item of CTranslate2's DataType ids: float32, int8, int16, int32, float16, bfloat16.
_CT2_ITEM_SIZES = {0: 4, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2}

# What argostranslate reads from a package folder (argostranslate/package.py, sbd.py,
# translate.py); everything else is left out when unpacking.
PACKAGE_FILES = frozenset({"metadata.json", "README.md", *TOKENIZER_FILES})
PACKAGE_FOLDERS = frozenset({"model", "stanza", "minisbd", "spacy"})
_COPY_CHUNK = 1024 * 1024
# Errors zipfile raises while *reading* a member: a bad CRC is BadZipFile, but a corrupt
# deflate stream is zlib.error and a cut-off one EOFError, neither of them BadZipFile.
_MEMBER_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)


@dataclass(frozen=True)
class PackageLimits:
    """Bounds on unpacking one ``.argosmodel`` file, so that a hostile archive (a zip bomb)
    is refused before it fills the disk.

    Real argos packages unpack to 100-500 MB in 10-40 members.  Their bulk, ``model.bin``
    (quantized weights), barely compresses (about 1.1:1), and the most compressible member,
    the vocabulary JSON, reaches about 5.5:1; deflate itself tops out near 1032:1.
    """

    max_total_bytes: int = 4 * 1024**3  # unpacked size of all members: 8x the largest real package
    max_ratio: float = 100.0  # unpacked / compressed size of one member: 18x the vocabulary's 5.5:1
    max_members: int = 1000  # entries in the archive: 25x a package with a stanza/ folder


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


def install_from_file(archive: Path, packages_dir: Path,
                      limits: PackageLimits = PackageLimits()) -> InstalledPackage:
    """Install a ``.argosmodel`` file atomically; return the installed package.

    The archive is checked and unpacked (within ``limits``) into a temporary
    folder inside ``packages_dir`` and only then renamed into place, so a
    corrupt archive or an interruption leaves nothing half-installed.
    """
    ensure_folder(packages_dir, InputError)
    with tempfile.TemporaryDirectory(dir=packages_dir, prefix=".installing-") as tmp:
        folder = _unpack(archive, Path(tmp), limits)
        try:
            package = verify_package(folder)  # refuse an invalid package before touching the installed one
        except ModelError as exc:  # name the archive, not the temporary folder that is about to go
            raise ModelError(exc.message, path=str(archive)) from None
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
    """Walk a CTranslate2 model.bin without loading it: a uint32 format version; from
    version 2 a spec name (uint16 length, NUL-terminated) and a uint32 revision; a uint32
    variable count, and per variable a name, a uint8 rank, rank uint32 dimensions, a
    dtype and a byte count (version 4 on: uint8 type id, uint32 bytes; before: uint8 item
    size, uint32 items), then the bytes; from version 3 a uint32 alias count and name pairs.

    A truncated download fails here instead of at the first translation, and a byte count
    that does not match its shape is refused (the loader would copy it into a buffer
    sized by the shape).  Loading the model with ctranslate2 would also check this, but
    costs as much memory as the model.
    """
    try:
        with open(path, "rb") as f:
            _walk_model_bin(f, path.stat().st_size)
    except _ModelBinError as exc:
        raise ModelError(f"model/model.bin is not a complete CTranslate2 model ({exc})", path=str(path)) from None
    except OSError as exc:
        raise ModelError(f"cannot read model/model.bin ({exc.strerror})", path=str(path)) from None


class _ModelBinError(Exception):
    """model.bin does not have the layout CTranslate2 writes."""


def _walk_model_bin(f: BinaryIO, size: int) -> None:
    version = _uint(f, 4)
    if not 1 <= version <= _CT2_MAX_BINARY_VERSION:
        raise _ModelBinError(f"unknown format version {version}")
    if version >= 2:
        spec = _string(f)
        if not (spec.isascii() and spec.isidentifier()):
            raise _ModelBinError(f"spec name {spec[:40]!r} is not a model specification")
        _uint(f, 4)  # spec revision: ctranslate2 itself says when it is too new
    count = _uint(f, 4)
    if count > _CT2_MAX_VARIABLES:
        raise _ModelBinError(f"{count} variables")
    for _ in range(count):
        _skip_variable(f, version, size)
    if version >= 3:
        for _ in range(_uint(f, 4)):
            _string(f), _string(f)


def _skip_variable(f: BinaryIO, version: int, size: int) -> None:
    """Read one variable's header and seek past its bytes, checking they are in the file."""
    name = _string(f)
    shape = [_uint(f, 4) for _ in range(_uint(f, 1))]
    items = 1
    for dim in shape:
        items *= dim
    if version >= 4:
        type_id, length = _uint(f, 1), _uint(f, 4)
        item_size = _CT2_ITEM_SIZES.get(type_id)
        if item_size is not None and length != items * item_size:
            raise _ModelBinError(f"variable {_shown(name)} has shape {shape} but {length} bytes")
    else:
        length = _uint(f, 1) * _uint(f, 4)
    end = f.tell() + length
    if end > size:
        raise _ModelBinError(f"truncated: variable {_shown(name)} ends at byte {end}, the file has {size}")
    f.seek(end)


def _uint(f: BinaryIO, width: int) -> int:
    data = f.read(width)
    if len(data) < width:
        raise _ModelBinError(f"truncated at byte {f.tell()}")
    return int.from_bytes(data, "little")


def _string(f: BinaryIO) -> str:
    """A uint16 length (counting the final NUL), then the UTF-8 bytes and the NUL."""
    length = _uint(f, 2)
    data = f.read(length)
    if length == 0 or len(data) < length or data[-1] != 0:
        raise _ModelBinError(f"bad or truncated name at byte {f.tell() - len(data) - 2}")
    return data[:-1].decode("utf-8", errors="replace")


def _check_sentencepiece(path: Path) -> None:
    import sentencepiece

    try:
        sentencepiece.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelError(f"sentencepiece.model is not a SentencePiece model ({exc})", path=str(path)) from None


def _unpack(archive: Path, into: Path, limits: PackageLimits) -> Path:
    """Extract the package folder of ``archive`` into ``into`` and return it."""
    if not archive.is_file():
        raise ModelError("no such file", path=str(archive))
    if not zipfile.is_zipfile(archive):
        raise ModelError("not a valid argos package (not a zip archive)", path=str(archive))
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            _check_members(members, limits, str(archive))
            top = _package_folder(members, str(archive))
            for info in members:
                if _is_kept(info.filename, top):
                    _extract(zf, info, into)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:  # the central directory is unreadable
        raise ModelError(f"not a valid argos package ({exc})", path=str(archive)) from None
    return into / top


def _check_members(members: list[zipfile.ZipInfo], limits: PackageLimits, where: str) -> None:
    """Refuse, from the central directory alone: too many members, too much unpacked data,
    a suspicious compression ratio, encryption or a compression other than deflate, and
    absolute or parent-relative names (zip slip)."""
    if len(members) > limits.max_members:
        raise ModelError(f"package has {len(members)} members, more than the limit of {limits.max_members}",
                         path=where)
    total = sum(info.file_size for info in members)
    if total > limits.max_total_bytes:
        raise ModelError(f"package would unpack to {total:,} bytes, more than the limit of "
                         f"{limits.max_total_bytes:,}", path=where)
    for info in members:
        _check_member(info, limits, where)


def _check_member(info: zipfile.ZipInfo, limits: PackageLimits, where: str) -> None:
    name = _shown(info.filename)
    if info.filename.startswith(("/", "\\")) or ".." in Path(info.filename).parts or "\0" in info.filename:
        raise ModelError(f"unsafe path in package: {name}", path=where)
    if info.flag_bits & 0x1:
        raise ModelError(f"encrypted member in package: {name}", path=where)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ModelError(f"unsupported compression (method {info.compress_type}) for {name}; "
                         "argos packages use deflate", path=where)
    # max(..., 1): an empty member is fine, but data from nothing is not.
    if info.file_size > limits.max_ratio * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        raise ModelError(f"{name} would unpack {ratio:,.0f} times its compressed size, more than "
                         f"the limit of {limits.max_ratio:g} (a zip bomb?)", path=where)


def _package_folder(members: list[zipfile.ZipInfo], where: str) -> str:
    """The one top-level folder of the archive (top-level files are ignored)."""
    folders = {info.filename.split("/", 1)[0] for info in members if "/" in info.filename}
    if len(folders) != 1 or "" in folders or "." in folders:
        raise ModelError("not a valid argos package (expected one top-level folder)", path=where)
    return folders.pop()


def _is_kept(name: str, top: str) -> bool:
    """Whether member ``name`` is part of what argostranslate reads from a package."""
    parts = name.rstrip("/").split("/")
    if parts[0] != top or len(parts) == 1:
        return False
    if len(parts) == 2 and not name.endswith("/"):
        return parts[1] in PACKAGE_FILES
    return parts[1] in PACKAGE_FOLDERS


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, into: Path) -> None:
    """Write one member under ``into``; never more bytes than the central directory
    declared, so the limits checked there hold whatever the compressed stream holds."""
    target = into.joinpath(*info.filename.rstrip("/").split("/"))
    try:
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as source, open(target, "wb") as out:
            copied = _copy_at_most(source, out, info.file_size)
    except _MEMBER_ERRORS as exc:
        raise ModelError(f"corrupt package: {_shown(info.filename)} is damaged ({_describe(exc)})",
                         path=zf.filename) from None
    except OSError as exc:  # a member that is also a folder, a full disk...
        raise ModelError(f"cannot unpack {_shown(info.filename)} ({exc.strerror or exc})",
                         path=zf.filename) from None
    if copied > info.file_size:
        raise ModelError(f"corrupt package ({_shown(info.filename)} unpacks to more than the "
                         f"{info.file_size:,} bytes it declares)", path=zf.filename)


def _copy_at_most(source: BinaryIO, out: BinaryIO, limit: int) -> int:
    """Copy ``source`` to ``out`` but stop once more than ``limit`` bytes have come;
    return the number of bytes read (``limit + 1`` at most)."""
    done = 0
    while done <= limit and (chunk := source.read(min(_COPY_CHUNK, limit + 1 - done))):
        out.write(chunk[:max(limit - done, 0)])
        done += len(chunk)
    return done


def _shown(name: str) -> str:
    """``name`` with control characters escaped: a name from an archive must not break
    the one-line error it appears in."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)


def _describe(exc: Exception) -> str:
    """One line for an error raised while reading a member."""
    if isinstance(exc, zlib.error):
        return f"bad compressed data: {exc}"
    if isinstance(exc, EOFError):
        return "the compressed data ends early"
    return str(exc) or type(exc).__name__


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
