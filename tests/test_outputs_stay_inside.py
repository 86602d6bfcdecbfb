"""Article names, leftovers of killed writers, and the consistency of an article's output set."""

from __future__ import annotations

import os
import shutil

import pytest

from tandem import cli
from tests.conftest import SAMPLE

SAMPLE_TMX = SAMPLE.with_suffix(".tmx")


def _run(capsys, *argv):
    code = cli.main(["run", *argv, "--no-mt", "--tm", str(SAMPLE_TMX)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("file_name, why", [
    ("...txt", "it is '.' or '..'"),  # stem '..': wrote one folder above --out
    ("..txt", "it is '.' or '..'"),  # stem '.': wrote into --out itself
    (".hidden.txt", "starts with '.'"),
    ("tandem.db.txt", "the name of the translation memory file"),
    ("x" * 210 + ".txt", "longer than 200 bytes"),
])
def test_an_article_name_that_cannot_be_a_folder_is_refused_before_anything(tmp_path, capsys, file_name, why):
    article = tmp_path / "in" / file_name
    article.parent.mkdir()
    shutil.copy(SAMPLE, article)
    out = tmp_path / "box" / "out"
    code, stdout, err = _run(capsys, str(article), "--out", str(out))
    assert (code, stdout) == (2, "") and err.count("\n") == 1 and why in err, err
    assert not (tmp_path / "box").exists()  # nothing written, above --out or in it


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_run(tmp_path, capsys):
    article = tmp_path / "harbor-radar.txt"
    shutil.copy(SAMPLE, article)
    out = tmp_path / "out"
    assert _run(capsys, str(article), "--out", str(out))[0] == 0
    folder = out / "harbor-radar"
    dead = _a_dead_pid()
    leftover = folder / f".harbor-radar.en-ru.xlf.{dead}.k2j4h1x0.tmp"
    leftover.write_text("<xliff half-writ", encoding="utf-8")
    live = folder / f".harbor-radar.en-ja.xlf.{os.getpid()}.abcdefgh.tmp"  # a writer still at work
    live.write_text("", encoding="utf-8")
    assert _run(capsys, str(article), "--out", str(out))[0] == 0
    assert not leftover.exists() and live.exists()


def _a_dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_old_report_goes_first_so_a_half_written_set_has_none(tmp_path, capsys, monkeypatch):
    """report.json marks a complete set: a write interrupted halfway leaves no report beside
    the new files, and the next run writes the whole set again."""
    article = tmp_path / "harbor-radar.txt"
    shutil.copy(SAMPLE, article)
    out = tmp_path / "out"
    assert _run(capsys, str(article), "--out", str(out))[0] == 0
    report = out / "harbor-radar" / "report.json"
    assert report.is_file()
    from tandem import fsutil, rebuild

    written = []
    real = fsutil.write_atomic

    def killed_after_three(path, data):
        if len(written) == 3:
            raise KeyboardInterrupt  # as a Ctrl-C halfway through the writes
        written.append(path)
        real(path, data)

    monkeypatch.setattr(rebuild, "write_atomic", killed_after_three)
    assert cli.main(["run", str(article), "--out", str(out), "--no-mt"]) == 130
    assert len(written) == 3 and not report.exists()
    monkeypatch.setattr(rebuild, "write_atomic", real)
    assert _run(capsys, str(article), "--out", str(out))[0] == 0 and report.is_file()


def test_another_file_of_a_stored_name_is_refused_unless_it_replaces_it(tmp_path, capsys):
    first, second = tmp_path / "a" / "harbor-radar.txt", tmp_path / "b" / "harbor-radar.txt"
    for path in (first, second):
        path.parent.mkdir()
        shutil.copy(SAMPLE, path)
    out = tmp_path / "out"
    assert _run(capsys, str(first), "--out", str(out))[0] == 0
    before = (out / "tandem.db").read_bytes()
    code, _, err = _run(capsys, str(second), "--out", str(out))
    assert code == 2 and err.count("\n") == 1
    assert "already holds an article 'harbor-radar' from another file" in err and "--replace" in err
    assert (out / "tandem.db").read_bytes() == before
    assert _run(capsys, str(second), "--out", str(out), "--replace")[0] == 0
    assert _run(capsys, str(second), "--out", str(out))[0] == 0  # now it is that article


def test_a_usage_error_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "--to"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and err.startswith("tandem: error: ")
