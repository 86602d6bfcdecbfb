"""The run's display: bars on a terminal, plain lines otherwise, --quiet, --verbose, skipped
articles; in-process with fake streams, then the console script under a pty and without one."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import shutil
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from tandem import progress
from tandem.report import ArticleReport, TargetReport
from tests.conftest import SAMPLE, TANDEM, run_tandem


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def report(name: str, segments: int, translated: dict[str, int]) -> ArticleReport:
    targets = tuple(TargetReport(language=lang, translated_segments=n, model=None,
                                 origins={"mt": n, "tm": 0, "human": 0, "none": segments - n}, mt_scores={})
                    for lang, n in translated.items())
    return ArticleReport(article=name, source_language="en", segments=segments, output_dir=f"out/{name}",
                         targets=targets)


STORY, BRIEF = report("story", 4, {"ru": 4, "ja": 4}), report("brief", 2, {"ru": 2, "ja": 1})


def test_the_display_is_chosen_by_the_stream_and_quiet():
    assert type(progress.display(Path("out"), stderr=Terminal())) is progress.BarDisplay
    assert type(progress.display(Path("out"), stderr=io.StringIO())) is progress.LineDisplay
    assert type(progress.display(Path("out"), quiet=True, stderr=Terminal())) is progress.RunDisplay


def test_bars_grow_with_each_plan_and_end_full():
    err, out = Terminal(), io.StringIO()
    with progress.display(Path("out"), stdout=out, stderr=err) as shown:
        shown.planned(1, 8)
        shown.translated(8)
        shown.written(STORY)
        shown.planned(1, 3)  # the next window
        assert (shown.bars["translate"].total, shown.bars["translate"].n) == (11, 8)
        assert (shown.bars["write"].total, shown.bars["write"].n) == (2, 1)
        shown.message("brief: planned")
        shown.translated(3)
        shown.written(BRIEF)
    text = err.getvalue()
    assert "\r" in text and "%|" in text  # tqdm's bar, redrawn in place
    assert "11/11" in text and "2/2" in text and "segment/s" in text and "article/s" in text
    assert "tandem: brief: planned\n" in text  # written above the bars
    assert out.getvalue() == "2 articles, 6 segments: ru 6/6 translated, ja 5/6 translated -> out/\n"


def test_no_bar_before_there_is_work_for_it():
    err = Terminal()
    with progress.display(Path("out"), stdout=io.StringIO(), stderr=err) as shown:
        shown.planned(1, 0)  # everything from the memory: no MT
        assert list(shown.bars) == ["write"]
        shown.written(STORY)
    assert "translate" not in err.getvalue() and "1/1" in err.getvalue()


def test_plain_lines_at_most_every_interval_then_a_final_line():
    err, clock = io.StringIO(), Clock()
    shown = progress.LineDisplay(Path("out"), stdout=io.StringIO(), stderr=err, clock=clock, interval=10)
    with shown:
        shown.planned(2, 100)
        clock.now += 5
        shown.translated(10)
        assert err.getvalue() == ""  # too soon
        clock.now += 5
        shown.translated(40)
        clock.now += 1
        shown.written(STORY)  # too soon after the last line
        clock.now += 20
        shown.planned(1, 50)  # the next window: the article written is shown now
        clock.now += 10
        shown.planned(0, 0)  # nothing advanced since the last line: none
    lines = err.getvalue().splitlines()
    assert lines == ["tandem: 50/100 segments translated (50%), 0/2 articles written, 5.0 segments/s, "
                     "about 10 s left",
                     "tandem: 50/150 segments translated (33%), 1/3 articles written, 1.6 segments/s, "
                     "about 1 min 2 s left",
                     "tandem: done: 50 segments translated, 1 article written, in 41 s (1.2 segments/s)"]
    assert "\r" not in err.getvalue()


def test_a_plain_line_counts_the_grown_totals_from_the_first_plan():
    err, clock = io.StringIO(), Clock()
    shown = progress.LineDisplay(Path("out"), stdout=io.StringIO(), stderr=err, clock=clock, interval=10)
    clock.now += 30  # reading and checking the articles: the rate counts from the first plan
    shown.planned(1, 20)
    shown.planned(1, 20)
    clock.now += 10
    shown.translated(10)
    assert err.getvalue() == ("tandem: 10/40 segments translated (25%), 0/2 articles written, 1.0 segments/s, "
                              "about 30 s left\n")


def test_verbose_prints_each_article_as_it_is_written_then_the_total():
    out = io.StringIO()
    with progress.display(Path("out"), verbose=True, stdout=out, stderr=io.StringIO()) as shown:
        shown.planned(2, 0)
        shown.written(STORY)
        assert out.getvalue() == "story: 4 segments: ru 4/4 translated, ja 4/4 translated -> out/story/\n"
        shown.written(BRIEF)
    assert out.getvalue().splitlines()[1:] == [
        "brief: 2 segments: ru 2/2 translated, ja 1/2 translated -> out/brief/",
        "2 articles, 6 segments: ru 6/6 translated, ja 5/6 translated -> out/"]


def test_without_verbose_only_the_total_goes_to_stdout():
    out = io.StringIO()
    with progress.display(Path("out"), stdout=out, stderr=io.StringIO()) as shown:
        shown.planned(1, 0)
        shown.written(STORY)
    assert out.getvalue() == "1 article, 4 segments: ru 4/4 translated, ja 4/4 translated -> out/\n"


def test_quiet_shows_only_warnings_and_errors():
    err, out = Terminal(), io.StringIO()
    with progress.display(Path("out"), quiet=True, stdout=out, stderr=err) as shown:
        shown.skipped(Path("bad.txt"), "not UTF-8 text")
        shown.planned(1, 2)
        shown.message("story: planned")
        shown.translated(2)
        shown.written(BRIEF)
    assert err.getvalue() == ("tandem: error: bad.txt: not UTF-8 text\n"
                              "tandem: warning: brief: 1 of 2 segments have no ja translation in the memory "
                              "and were left empty (no model)\n")
    assert out.getvalue() == "1 article (1 skipped), 2 segments: ru 2/2 translated, ja 1/2 translated -> out/\n"


@pytest.mark.parametrize("stream", [Terminal, io.StringIO])
def test_a_skipped_article_is_one_error_line(stream):
    err = stream()
    with progress.display(Path("out"), stdout=io.StringIO(), stderr=err) as shown:
        shown.planned(1, 4)
        shown.skipped(Path("news/bad.txt"), "no such file")
    assert "tandem: error: news/bad.txt: no such file\n" in err.getvalue()
    assert shown.skipped_paths == [Path("news/bad.txt")]


def test_a_failed_run_prints_no_total_and_closes_the_bars():
    err, out = Terminal(), io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        with progress.display(Path("out"), stdout=out, stderr=err) as shown:
            shown.planned(1, 4)
            raise KeyboardInterrupt
    assert out.getvalue() == "" and shown.bars == {}


# -- the console script ------------------------------------------------------------------------

TOTAL = "1 article, 26 segments: ru 26/26 translated, ja 26/26 translated -> {out}/\n"
PER_ARTICLE = "harbor-radar: 26 segments: ru 26/26 translated, ja 26/26 translated -> {out}/harbor-radar/\n"


def run_on_a_terminal(*args: str, packages: Path) -> tuple[int, str, str]:
    """``tandem run ARGS`` with stderr on a pseudo-terminal (100 columns): exit code, what the
    terminal received, stdout."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages))
    proc = subprocess.Popen([str(TANDEM), "run", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, env=env)
    os.close(slave)
    received = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every end of the terminal is closed
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    stdout = proc.stdout.read().decode()
    return proc.wait(timeout=600), received.decode(), stdout


@pytest.fixture
def article(tmp_path) -> Path:
    return Path(shutil.copy(SAMPLE, tmp_path / SAMPLE.name))


def test_a_run_on_a_terminal_shows_bars(tmp_path, article, packages_dir):
    out = tmp_path / "out"
    code, terminal, stdout = run_on_a_terminal(str(article), "--out", str(out), packages=packages_dir)
    assert code == 0, terminal
    assert "%|" in terminal and "\r" in terminal  # bars redrawn in place
    assert "translate: 100%" in terminal and "52/52" in terminal and "segment/s" in terminal
    assert "write    : 100%" in terminal and "1/1" in terminal
    assert "tandem: done" not in terminal  # the bars are the last word on a terminal
    assert stdout == TOTAL.format(out=out)


def test_a_quiet_run_on_a_terminal_shows_nothing(tmp_path, article, packages_dir):
    out = tmp_path / "out"
    code, terminal, stdout = run_on_a_terminal(str(article), "--out", str(out), "--quiet", "--verbose",
                                               packages=packages_dir)
    assert (code, terminal) == (0, "")
    assert stdout == PER_ARTICLE.format(out=out) + TOTAL.format(out=out)


def test_a_run_without_a_terminal_prints_plain_lines(tmp_path, article, packages_dir):
    out = tmp_path / "out"
    result = run_tandem("run", str(article), "--out", str(out), packages=packages_dir)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "%|" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("tandem: done: 52 segments translated, 1 article written, in ")
    assert result.stdout == TOTAL.format(out=out)


def test_verbose_adds_the_article_line(tmp_path, article, packages_dir):
    out = tmp_path / "out"
    result = run_tandem("run", str(article), "--out", str(out), "--verbose", packages=packages_dir)
    assert result.stdout == PER_ARTICLE.format(out=out) + TOTAL.format(out=out)


def test_keep_going_reports_a_bad_article_and_exits_1(tmp_path, article, packages_dir):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 au lait\n")  # Latin-1, not UTF-8
    out = tmp_path / "out"
    result = run_tandem("run", str(bad), str(article), "--out", str(out), "--keep-going", "--quiet",
                        packages=packages_dir)
    assert result.returncode == 1, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("tandem: error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"tandem: error: {bad}: "), result.stderr
    assert result.stdout == TOTAL.format(out=out).replace("1 article,", "1 article (1 skipped),")
