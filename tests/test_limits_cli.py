"""Hostile input on the command line: exit code 2 and exactly one `tandem: error:` line,
never a traceback, a hang or an internal error."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE, TANDEM
from tests.test_limits_packages import MIB, TOP, _members, _with_model_bin, _write
from tests.test_limits_segment import SLOW_AFTER, SLOW_TEXT, _line_of, _rules

pytestmark = pytest.mark.slow


def _tandem(*args: str, packages: Path | None = None, stdin: str | None = None, cwd: Path | None = None,
            memory: int | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the console script; ``memory`` caps its address space, so that reading
    without end fails fast instead of exhausting the machine."""
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages or ROOT / ".no-models"))

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([str(TANDEM), *args], capture_output=True, text=True, env=env, input=stdin, cwd=cwd,
                          timeout=timeout, preexec_fn=cap if memory else None)


def _one_error_line(result: subprocess.CompletedProcess, starts: str) -> str:
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.startswith(f"tandem: error: {starts}") and result.stderr.count("\n") == 1, result.stderr
    assert "internal error" not in result.stderr
    return result.stderr


# --- tandem segment ---------------------------------------------------------------------------

def test_catastrophic_rule_gives_up_after_the_time_limit(tmp_path):
    rules = _rules(tmp_path, f'<rule break="yes"><beforebreak>;</beforebreak>{SLOW_AFTER}</rule>')
    article = tmp_path / "a.txt"
    article.write_text(SLOW_TEXT + "\n", encoding="utf-8")
    result = _tandem("segment", str(article), "--rules", str(rules), "--rules-time-limit", "0.5", timeout=60)
    line = _one_error_line(result, f"{rules}:{_line_of(rules, SLOW_AFTER)}: the rule ")
    assert "took more than 0.5 s on a paragraph of 35 characters" in line


def test_symlink_to_dev_zero_is_refused_at_once(tmp_path):
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    result = _tandem("segment", str(link), memory=2 * 1024**3, timeout=60)
    assert "character device" in _one_error_line(result, f"{link}: ")


def test_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert "FIFO" in _one_error_line(_tandem("segment", str(fifo), timeout=30), f"{fifo}: ")


def test_article_over_ten_megabytes_is_refused(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 10_000_001)
    _one_error_line(_tandem("segment", str(big)), f"{big}: article is larger than the limit of 10,000,000 bytes")


def test_standard_input_over_ten_megabytes_is_refused():
    _one_error_line(_tandem("segment", "-", stdin="a" * 10_000_001),
                    "<stdin>: article is larger than the limit of 10,000,000 bytes")


def test_ebcdic_article_is_one_error_line(tmp_path):
    path = tmp_path / "ebcdic.txt"
    path.write_bytes("Hello world.".encode("cp500"))
    _one_error_line(_tandem("segment", str(path)), f"{path}: not UTF-8 text (invalid byte at offset 2)")


def test_file_name_starting_with_a_dash_after_double_dash_or_dot_slash(tmp_path):
    (tmp_path / "-dash.txt").write_text("One. Two.\n", encoding="utf-8")
    for name in (["--", "-dash.txt"], ["./-dash.txt"]):
        result = _tandem("segment", *name, cwd=tmp_path)
        assert result.returncode == 0 and result.stdout == "p1.s1\tOne.\np1.s2\tTwo.\n", result.stderr


# --- tandem models install --file -------------------------------------------------------------

def _install(archive: Path, packages: Path) -> subprocess.CompletedProcess:
    return _tandem("models", "install", "--file", str(archive), "--offline", packages=packages)


def test_zip_bomb_is_one_error_line_and_installs_nothing(tmp_path, argos_model_files):
    bomb = _write(tmp_path / "bomb.argosmodel", _members(argos_model_files["ru"]),
                  {f"{TOP}/model/padding.bin": 64 * MIB})
    packages = tmp_path / "packages"
    assert "zip bomb" in _one_error_line(_install(bomb, packages), f"{bomb}: ")
    assert list(packages.iterdir()) == []


def test_damaged_deflate_stream_is_bad_input_not_an_internal_error(tmp_path, argos_model_files):
    from tests.test_limits_packages import damaged_deflate

    damaged = damaged_deflate(argos_model_files["ru"], tmp_path / "damaged.argosmodel")
    packages = tmp_path / "packages"
    _one_error_line(_install(damaged, packages), f"{damaged}: corrupt package: {TOP}/README.md is damaged")
    assert list(packages.iterdir()) == []


def test_truncated_model_bin_is_one_error_line_naming_the_archive(tmp_path, argos_model_files):
    with zipfile.ZipFile(argos_model_files["ru"]) as zf:
        model_bin = zf.read(f"{TOP}/model/model.bin")
    cut = _with_model_bin(argos_model_files["ru"], tmp_path / "cut.argosmodel", model_bin[:1000])
    packages = tmp_path / "packages"
    _one_error_line(_install(cut, packages), f"{cut}: model/model.bin is not a complete CTranslate2 model")
    assert list(packages.iterdir()) == []


def test_sample_still_segments(tmp_path):
    result = _tandem("segment", str(SAMPLE))
    assert result.returncode == 0 and sum(1 for line in result.stdout.splitlines() if line) == 26
