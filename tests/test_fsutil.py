import os
import stat
from pathlib import Path

import pytest

from tandem.errors import OutputError
from tandem.fsutil import write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_new_file_gets_the_umask_mode_not_always_0600(tmp_path: Path, umask: int, mode: int):
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "page.html", b"<p>x</p>")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "page.html") == mode


def test_replaced_file_keeps_its_mode(tmp_path: Path):
    path = tmp_path / "page.html"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new" and _mode(path) == 0o640


def test_parent_that_is_a_file_is_one_output_error(tmp_path: Path):
    (tmp_path / "article").write_text("in the way")
    with pytest.raises(OutputError, match="cannot create folder") as caught:
        write_atomic(tmp_path / "article" / "page.html", b"x")
    assert caught.value.path == str(tmp_path / "article")


def test_parent_below_a_file_is_one_output_error(tmp_path: Path):
    (tmp_path / "out").write_text("in the way")
    with pytest.raises(OutputError):
        write_atomic(tmp_path / "out" / "article" / "page.html", b"x")


def test_no_temporary_file_is_left_behind(tmp_path: Path):
    write_atomic(tmp_path / "a.txt", b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
