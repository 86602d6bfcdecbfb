"""Hostile ``.argosmodel`` files: zip bombs, lying sizes, corrupt data, truncated models.

Each must be refused with one :class:`ModelError` (exit code 2) and leave the
packages folder exactly as it was.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from tandem.errors import ModelError
from tandem.mt import models
from tandem.mt.models import PackageLimits, install_from_file

TOP = "translate-en_ru-1_0"
MIB = 1024 * 1024


def _members(archive: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _write(dest: Path, members: dict[str, bytes], extra: dict[str, int] | None = None) -> Path:
    """A zip of ``members``, plus ``extra`` members of that many zero bytes (streamed)."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, size in (extra or {}).items():
            with zf.open(name, "w", force_zip64=size > 2**31) as out:
                for _ in range(size // MIB):
                    out.write(bytes(MIB))
    return dest


def _model_bin(archive: Path) -> bytes:
    return _members(archive)[f"{TOP}/model/model.bin"]


def _with_model_bin(source: Path, dest: Path, model_bin: bytes) -> Path:
    """``source`` with another model/model.bin."""
    return _write(dest, {**_members(source), f"{TOP}/model/model.bin": model_bin})


def _refused(archive: Path, packages: Path, match: str, limits: PackageLimits = PackageLimits()) -> ModelError:
    with pytest.raises(ModelError, match=match) as caught:
        install_from_file(archive, packages, limits)
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)
    assert list(packages.iterdir()) == []  # nothing installed, no temporary folder left
    return caught.value


def test_limits_have_documented_defaults():
    limits = PackageLimits()
    assert (limits.max_total_bytes, limits.max_ratio, limits.max_members) == (4 * 1024**3, 100.0, 1000)
    with pytest.raises(AttributeError):
        limits.max_ratio = 1000  # frozen: one set of limits is shared by every call


def test_real_package_is_well_inside_the_limits(argos_model_files):
    with zipfile.ZipFile(argos_model_files["ru"]) as zf:
        ratios = [i.file_size / i.compress_size for i in zf.infolist() if i.compress_size]
    assert max(ratios) < PackageLimits().max_ratio / 10


def test_zip_bomb_member_is_refused_by_its_compression_ratio(tmp_path, argos_model_files):
    # 64 MiB of zeros deflate to about 64 KB: 1,000:1, the ratio of the 2.7 MB -> 1 GiB bomb.
    bomb = _write(tmp_path / "bomb.argosmodel", _members(argos_model_files["ru"]),
                  {f"{TOP}/model/padding.bin": 64 * MIB})
    _refused(bomb, tmp_path / "packages", r"padding\.bin would unpack 1,0\d\d times its compressed size")


def test_total_size_is_checked_before_anything_is_unpacked(tmp_path, argos_model_files, monkeypatch):
    archive = argos_model_files["ru"]
    size = sum(i.file_size for i in zipfile.ZipFile(archive).infolist())
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("a member was read"))
    error = _refused(archive, tmp_path / "packages", "more than the limit of",
                     PackageLimits(max_total_bytes=size - 1))
    assert f"would unpack to {size:,} bytes" in str(error)


def test_too_many_members_are_refused(tmp_path, argos_model_files):
    stanza = {f"{TOP}/stanza/x{i}.txt": b"" for i in range(1000)}
    crowded = _write(tmp_path / "crowded.argosmodel", {**_members(argos_model_files["ru"]), **stanza})
    _refused(crowded, tmp_path / "packages", r"package has 10\d\d members, more than the limit of 1000")


class _Counting(io.BytesIO):
    """A member stream that counts the bytes taken from it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        _Counting.taken += len(data)
        return data


def test_unpacking_stops_at_the_declared_size_whatever_the_stream_holds(tmp_path, argos_model_files,
                                                                         monkeypatch):
    # As if the zip reader trusted the compressed stream instead of the central directory.
    real_open = zipfile.ZipFile.open

    def open_lying(self, member, *args, **kwargs):
        name = member.filename if isinstance(member, zipfile.ZipInfo) else member
        if name.endswith("README.md"):
            return _Counting(bytes(100 * MIB))
        return real_open(self, member, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_lying)
    monkeypatch.setattr(_Counting, "taken", 0)
    _refused(argos_model_files["ru"], tmp_path / "packages", "README.md unpacks to more than the 303 bytes")
    assert _Counting.taken == 303 + 1


def test_a_size_lie_in_the_central_directory_is_a_corrupt_package(tmp_path, argos_model_files):
    archive = _write(tmp_path / "lie.argosmodel", _members(argos_model_files["ru"]),
                     {f"{TOP}/stanza/big.bin": 4 * MIB})
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(f"{TOP}/stanza/big.bin")
    central = data.find(b"PK\x01\x02")  # central directory entries: name at +46, size at +24
    while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 1000)  # declared unpacked size: 1,000 bytes
    archive.write_bytes(data)
    _refused(archive, tmp_path / "packages", r"stanza/big\.bin is damaged \(Bad CRC-32")


def damaged_deflate(archive: Path, out: Path) -> Path:
    """A copy of ``archive`` whose README.md has its first compressed byte flipped: that breaks the
    deflate block header, and zipfile then raises zlib.error while reading (not BadZipFile)."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(f"{TOP}/README.md")
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_length + extra_length] ^= 0xFF
    out.write_bytes(data)
    return out


def test_damaged_deflate_stream_is_a_model_error_not_an_internal_error(tmp_path, argos_model_files):
    damaged = damaged_deflate(argos_model_files["ru"], tmp_path / "damaged.argosmodel")
    _refused(damaged, tmp_path / "packages", r"README\.md is damaged \(bad compressed data")


def test_files_argos_does_not_read_are_left_out(tmp_path, argos_model_files):
    extra = {f"{TOP}/run-me.sh": b"#!/bin/sh\n", f"{TOP}/junk/x.bin": b"x", "stray.txt": b"top level",
             f"{TOP}/stanza/en/tokenize/model.pt": b"sbd", f"{TOP}/model/extra_vocab.txt": b"v"}
    archive = _write(tmp_path / "extra.argosmodel", {**_members(argos_model_files["ru"]), **extra})
    package = install_from_file(archive, tmp_path / "packages")
    kept = sorted(str(p.relative_to(package.path)) for p in package.path.rglob("*") if p.is_file())
    assert kept == ["README.md", "metadata.json", "model/config.json", "model/extra_vocab.txt", "model/model.bin",
                    "model/shared_vocabulary.json", "sentencepiece.model", "stanza/en/tokenize/model.pt"]
    assert sorted(p.name for p in (tmp_path / "packages").iterdir()) == ["translate-en_ru-1_0"]


@pytest.mark.parametrize("cut", [4 + 2 + 16 + 4 + 4 + 64, 1000, -1])
def test_truncated_model_bin_is_refused(tmp_path, argos_model_files, cut):
    """Cut after the header (version, spec name, revision, count), inside the first
    variables, and by the last byte only."""
    model_bin = _model_bin(argos_model_files["ru"])
    assert model_bin[6:21] == b"TransformerSpec"  # the header survives every cut
    truncated = _with_model_bin(argos_model_files["ru"], tmp_path / "cut.argosmodel", model_bin[:cut])
    _refused(truncated, tmp_path / "packages", r"model\.bin is not a complete CTranslate2 model \(.*truncated")


def test_model_bin_whose_byte_count_does_not_fit_its_shape_is_refused(tmp_path, argos_model_files):
    model_bin = bytearray(_model_bin(argos_model_files["ru"]))
    # The first variable: after version (4), spec name (2+16), revision (4) and count (4).
    at = 30
    name_length = struct.unpack_from("<H", model_bin, at)[0]
    at += 2 + name_length
    rank = model_bin[at]
    at += 1 + 4 * rank + 1  # dimensions, dtype id
    struct.pack_into("<I", model_bin, at, struct.unpack_from("<I", model_bin, at)[0] + 4)
    odd = _with_model_bin(argos_model_files["ru"], tmp_path / "odd.argosmodel", bytes(model_bin))
    _refused(odd, tmp_path / "packages", r"has shape \[[\d, ]*\] but \d+ bytes")


def test_complete_model_bin_passes_the_walk(tmp_path, argos_model_files):
    path = tmp_path / "model.bin"
    path.write_bytes(_model_bin(argos_model_files["ru"]))
    models._check_model_bin(path)


@pytest.mark.parametrize("name, compression, message", [
    (f"{TOP}/../../evil\nname", zipfile.ZIP_DEFLATED, r"unsafe path in package: .*\\nname$"),
    (f"{TOP}/stanza/x.bin", zipfile.ZIP_BZIP2, r"unsupported compression \(method 12\)"),
])
def test_odd_members_are_refused_in_one_line(tmp_path, argos_model_files, name, compression, message):
    archive = _write(tmp_path / "odd.argosmodel", _members(argos_model_files["ru"]))
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(zipfile.ZipInfo(name), b"data", compress_type=compression)
    _refused(archive, tmp_path / "packages", message)
