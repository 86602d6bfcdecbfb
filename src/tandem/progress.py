"""What ``tandem run`` shows while it goes, from the pipeline's :class:`~tandem.pipeline.RunEvents`.

Imported by :mod:`tandem.cli` only (inside the command, so ``tandem --help`` stays fast); no
business logic: it counts what the run reports and writes it.

- stderr is a terminal: tqdm bars on stderr, one over the segments machine-translated, one over
  the articles written, each with its rate and ETA; the run plans in windows, so each total grows
  as more work is planned (the ETA covers the work planned so far);
- stderr is not a terminal (a log, CI): a plain line at most every :data:`LINE_INTERVAL_S`
  seconds while something advances, and a final line;
- ``--quiet``: neither, and no pipeline messages (warnings and errors still show);
- ``--verbose``: also each article's summary line on stdout as it is written.

Always: a skipped article as one ``tandem: error: PATH: REASON`` line on stderr, warnings on
stderr, and one total line on stdout when the run is done.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from tandem import summary
from tandem.pipeline import RunEvents
from tandem.report import ArticleReport

LINE_INTERVAL_S = 10.0  # plain lines (stderr not a terminal): at most one this often


class RunDisplay(RunEvents):
    """The quiet display, and what every display does: counts, warnings, errors, the stdout lines."""

    def __init__(self, out_dir: Path, verbose: bool = False, quiet: bool = False,
                 stdout: TextIO | None = None, stderr: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.out_dir, self.verbose, self.quiet = out_dir, verbose, quiet
        self.stdout, self.stderr = stdout or sys.stdout, stderr or sys.stderr
        self.clock = clock
        self.started = clock()
        self.work_started: float | None = None  # the first plan: rates and ETAs count from there
        self.articles = self.articles_total = self.segments = self.segments_total = 0
        self.reports: list[ArticleReport] = []
        self.skipped_paths: list[Path] = []

    def planned(self, articles: int, segments: int) -> None:
        if self.work_started is None:
            self.work_started = self.clock()
        self.articles_total += articles
        self.segments_total += segments
        self._advanced()

    def translated(self, segments: int) -> None:
        self.segments += segments
        self._advanced()

    def written(self, report: ArticleReport) -> None:
        self.articles += 1
        self.reports.append(report)
        if self.verbose:
            self._write(self.stdout, summary.run_line(report))
        for warning in summary.untranslated_warnings(report):
            self._write(self.stderr, f"tandem: warning: {warning}")
        self._advanced()

    def skipped(self, path: Path, reason: str) -> None:
        self.skipped_paths.append(path)
        self._write(self.stderr, f"tandem: error: {path}: {reason}")

    def message(self, text: str) -> None:
        """A pipeline message (what it plans, a package it installs): stderr, unless ``--quiet``."""
        if not self.quiet:
            self._write(self.stderr, f"tandem: {text}")

    def finish(self) -> None:
        """The run is done: the display's last word, then the total line on stdout."""
        self._write(self.stdout, total_line(self.reports, len(self.skipped_paths), self.out_dir))

    def close(self) -> None:
        """Release the terminal (done or not)."""

    def __enter__(self) -> "RunDisplay":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close()  # first: the last lines go below the bars, not above them
        if exc_type is None:
            self.finish()

    def _advanced(self) -> None:
        """Something was counted: the display may show it."""

    def _write(self, stream: TextIO, line: str) -> None:
        print(line, file=stream, flush=True)


class LineDisplay(RunDisplay):
    """stderr is not a terminal: a plain line at most every ``interval`` seconds, and a final line."""

    def __init__(self, *args: Any, interval: float = LINE_INTERVAL_S, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.interval = interval
        self.last_line, self.last_counts = self.started, (0, 0)

    def finish(self) -> None:
        self._write(self.stderr, f"tandem: done: {done_text(self, self.clock() - self.started)}")
        super().finish()

    def _advanced(self) -> None:
        now, counts = self.clock(), (self.segments, self.articles)
        if now - self.last_line >= self.interval and counts != self.last_counts:
            self.last_line, self.last_counts = now, counts
            self._write(self.stderr, f"tandem: {status_text(self, now - (self.work_started or self.started))}")


class BarDisplay(RunDisplay):
    """stderr is a terminal: tqdm bars (segments translated, articles written) with rate and ETA."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bars: dict[str, Any] = {}

    def close(self) -> None:
        for bar in self.bars.values():  # top first: a closed bar is printed where the cursor is, then a newline
            bar.close()
        self.bars.clear()

    def _advanced(self) -> None:
        self._show("translate", "segment", self.segments, self.segments_total)
        self._show("write", "article", self.articles, self.articles_total)

    def _show(self, name: str, unit: str, done: int, total: int) -> None:
        """Bring bar ``name`` to ``done`` of ``total``; it appears once there is work for it."""
        bar = self.bars.get(name)
        if bar is None and total:
            from tqdm import tqdm  # here: only a run on a terminal needs it

            bar = self.bars[name] = tqdm(total=total, desc=f"{name:9}", unit=unit, file=self.stderr,
                                         position=len(self.bars), leave=True, dynamic_ncols=True,
                                         mininterval=0.2, smoothing=0.1)
        if bar is None:
            return
        if bar.total != total:
            bar.total = total
            bar.refresh()
        if done > bar.n:
            bar.update(done - bar.n)

    def _write(self, stream: TextIO, line: str) -> None:
        if not self.bars:
            return super()._write(stream, line)
        from tqdm import tqdm

        tqdm.write(line, file=stream)  # above the bars, which are drawn again below it
        stream.flush()


def display(out_dir: Path, quiet: bool = False, verbose: bool = False, stdout: TextIO | None = None,
            stderr: TextIO | None = None) -> RunDisplay:
    """The display for a run: bars when stderr is a terminal, plain lines when it is not, none
    with ``quiet``."""
    stderr = stderr or sys.stderr
    kind = RunDisplay if quiet else BarDisplay if _is_terminal(stderr) else LineDisplay
    return kind(out_dir, verbose=verbose, quiet=quiet, stdout=stdout, stderr=stderr)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def status_text(shown: RunDisplay, elapsed: float) -> str:
    """One periodic line: how far the run is, its rate and what is left (measured in segments
    when there is MT, else in articles).

    >>> from types import SimpleNamespace as S
    >>> status_text(S(segments=30, segments_total=120, articles=1, articles_total=4), 10.0)
    '30/120 segments translated (25%), 1/4 articles written, 3.0 segments/s, about 30 s left'
    >>> status_text(S(segments=0, segments_total=0, articles=2, articles_total=8), 10.0)
    '2/8 articles written (25%), 0.2 articles/s, about 30 s left'
    """
    parts = {"articles": f"{shown.articles}/{shown.articles_total} articles written"}
    if shown.segments_total:
        parts = {"segments": f"{shown.segments}/{shown.segments_total} segments translated", **parts}
    done, total, unit = _work(shown)
    if total:
        parts[unit] += f" ({100 * done // total}%)"
    rate = done / elapsed if elapsed > 0 else 0.0
    left = f"about {_duration((total - done) / rate)} left" if rate and total > done else "finishing"
    return ", ".join([*parts.values(), f"{rate:.1f} {unit}/s", left])


def done_text(shown: RunDisplay, elapsed: float) -> str:
    """The final line (stderr not a terminal).

    >>> from types import SimpleNamespace as S
    >>> done_text(S(segments=120, articles=4, skipped_paths=[Path("x.txt")]), 64.0)
    '120 segments translated, 4 articles written, 1 skipped, in 1 min 4 s (1.9 segments/s)'
    """
    rate = f" ({shown.segments / elapsed:.1f} segments/s)" if shown.segments and elapsed > 0 else ""
    skipped = f", {len(shown.skipped_paths)} skipped" if shown.skipped_paths else ""
    return (f"{shown.segments} segments translated, {_count(shown.articles, 'article')} written{skipped}, "
            f"in {_duration(elapsed)}{rate}")


def _work(shown: RunDisplay) -> tuple[int, int, str]:
    """What the rate and ETA are measured in: segments when there is MT, else articles."""
    if shown.segments_total:
        return shown.segments, shown.segments_total, "segments"
    return shown.articles, shown.articles_total, "articles"


def _duration(seconds: float) -> str:
    """
    >>> _duration(4.4), _duration(64), _duration(3725)
    ('4 s', '1 min 4 s', '1 h 2 min')
    """
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60} min"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def total_line(reports: Sequence[ArticleReport], skipped: int, out_dir: Path) -> str:
    """The run's one line on stdout: articles, segments and, per language, how many are translated.

    >>> from types import SimpleNamespace as R
    >>> story = R(segments=2, targets=(R(language="ru", translated_segments=2), R(language="ja", translated_segments=1)))
    >>> brief = R(segments=3, targets=(R(language="ru", translated_segments=3),))
    >>> total_line([story, brief], 1, Path("out"))
    '2 articles (1 skipped), 5 segments: ru 5/5 translated, ja 1/2 translated -> out/'
    """
    done: dict[str, list[int]] = {}
    for report in reports:
        for target in report.targets:
            counts = done.setdefault(target.language, [0, 0])
            counts[0] += target.translated_segments
            counts[1] += report.segments
    languages = ", ".join(f"{lang} {n}/{of} translated" for lang, (n, of) in done.items())
    skipped_part = f" ({skipped} skipped)" if skipped else ""
    segments = sum(r.segments for r in reports)
    return f"{_count(len(reports), 'article')}{skipped_part}, {_count(segments, 'segment')}: {languages} -> {out_dir}/"
