"""Batches of articles: folders, patterns and lists in; --keep-going; windows that write each
article as its window is done; resume after kill -9 translates only what was not stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tandem import cli, inputs, pipeline
from tandem.errors import InputError
from tests.conftest import ROOT, TANDEM, run_tandem

SAMPLE = ROOT / "src" / "tandem" / "samples" / "harbor-radar.txt"
SENTENCES = [s for s in SAMPLE.read_text(encoding="utf-8").split("\n") if s.strip()]


def _articles(folder: Path, count: int, paragraphs: int = 3, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        lines = [f"Story {number} opens on day {number}."] + \
                [f"{SENTENCES[(number + i) % len(SENTENCES)]} Item {number}-{i}." for i in range(paragraphs)]
        path = folder / f"story-{number:03d}.txt"
        path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_folders_patterns_and_lists_expand_in_sorted_order_without_the_output_folder(tmp_path):
    news = tmp_path / "news"
    _articles(news / "b", 2)
    _articles(news / "a", 1, start=5)
    (news / "a" / "notes.json").write_text("{}")
    (news / ".drafts").mkdir()
    (news / ".drafts" / "x.txt").write_text("hidden")
    _articles(news / "output" / "old", 1, start=9)  # the run's own output folder
    found = inputs.expand([news], exclude=news / "output")
    assert [p.relative_to(news).as_posix() for p in found] == ["a/story-005.txt", "b/story-000.txt", "b/story-001.txt"]
    pattern = inputs.expand([Path(f"{news}/b/*.txt")], listed=["# a comment", "", str(news / "a" / "story-005.txt")])
    assert [p.name for p in pattern] == ["story-000.txt", "story-001.txt", "story-005.txt"]
    assert inputs.expand([news / "b" / "story-000.txt", news / "b"]) == [news / "b" / "story-000.txt",
                                                                       news / "b" / "story-001.txt"]
    (tmp_path / "empty").mkdir()
    for bad in ([tmp_path / "empty*.txt"], [tmp_path / "empty"]):
        with pytest.raises(InputError):
            inputs.expand(bad)
    with pytest.raises(InputError):
        inputs.expand([], listed=["", "# nothing"])


def test_from_list_reads_standard_input(tmp_path):
    paths = _articles(tmp_path / "in", 2)
    result = run_tandem("run", "--from-list", "-", "--no-mt", "--out", str(tmp_path / "out"), "--quiet",
                        stdin="\n".join(map(str, paths)) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert all((tmp_path / "out" / p.stem / "report.json").is_file() for p in paths)


def test_keep_going_skips_a_bad_article_and_says_so_in_the_exit_code(tmp_path, capsys):
    good = _articles(tmp_path / "in", 2)
    bad = tmp_path / "in" / "story-bad.txt"
    bad.write_bytes(b"\xff\xfe not UTF-8 \xff")
    argv = ["run", str(tmp_path / "in"), "--no-mt", "--out", str(tmp_path / "out"), "--quiet"]
    assert cli.main(argv) == 2  # without --keep-going: all or nothing
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*/report.json"))
    capsys.readouterr()
    assert cli.main([*argv, "--keep-going"]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "UTF-8" in err
    assert all((tmp_path / "out" / p.stem / "report.json").is_file() for p in good)
    assert not (tmp_path / "out" / "story-bad").exists()


def test_windows_write_articles_as_they_go_and_translate_a_repeated_sentence_once(tmp_path, packages_dir,
                                                                                  monkeypatch):
    """Small windows: the first window's articles are on disk before the last window is planned."""
    paths = _articles(tmp_path / "in", 6)
    monkeypatch.setattr(pipeline, "WINDOW_SEGMENTS", 8)
    calls: list[int] = []
    from tandem.mt import engine as engine_module
    real = engine_module.Engine.translate_route

    def counting(self, steps, texts, align=None, suppress=()):
        calls.append(len(texts))
        written = sorted(p.parent.name for p in (tmp_path / "out").glob("*/report.json"))
        seen_before.append(written)
        return real(self, steps, texts, align, suppress)

    seen_before: list[list[str]] = []
    monkeypatch.setattr(engine_module.Engine, "translate_route", counting)
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
    assert cli.main(["run", str(tmp_path / "in"), "--to", "ru", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert len(calls) >= 3  # several windows, one call each
    assert seen_before[0] == [] and seen_before[-1]  # later windows start after earlier ones are written
    # "Story N opens on day N." differs per article, the sample sentences repeat across windows:
    total = sum(len([s for s in open(p, encoding="utf-8").read().split(".") if s.strip()]) for p in paths)
    assert sum(calls) < total


def test_a_batch_killed_mid_run_resumes_with_only_the_unstored_articles(tmp_path, packages_dir):
    paths = _articles(tmp_path / "in", 24, paragraphs=60)  # about 120 segments each: a window per few articles
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages_dir)}
    command = [str(TANDEM), "run", str(tmp_path / "in"), "--to", "ru", "--out", str(tmp_path / "out"), "--quiet"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list((tmp_path / "out").glob("*/report.json"))) < 6 and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the process group this test started
    process.wait()
    finished = {p.parent.name for p in (tmp_path / "out").glob("*/report.json")}
    assert 6 <= len(finished) < len(paths), "the run ended before it could be killed mid-batch"
    for folder in (tmp_path / "out").iterdir():
        if folder.is_dir() and folder.name not in finished:
            assert not list(folder.glob("*.xlf")) or not (folder / "report.json").exists()
    again = run_tandem("run", str(tmp_path / "in"), "--to", "ru", "--out", str(tmp_path / "out"), "--verbose",
                       packages=packages_dir)
    assert again.returncode == 0, again.stderr
    plans = {line.split(":")[1].strip(): line for line in again.stderr.splitlines() if "segments into ru" in line}
    for name in finished:
        assert plans[name].endswith(" 0 to machine-translate"), plans[name]
    assert any(not plans[p.stem].endswith(" 0 to machine-translate") for p in paths if p.stem not in finished)
    for path in paths:
        report = json.loads((tmp_path / "out" / path.stem / "report.json").read_text())
        assert report["targets"]["ru"]["translated_segments"] == report["segments"]
    assert not list((tmp_path / "out").rglob("*.tmp"))
