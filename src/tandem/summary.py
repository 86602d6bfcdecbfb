"""What the commands tell the user: results turned into lines of text.

The CLI prints these lines; keeping the wording here lets it stay a thin
wrapper and lets the wording be tested without running a command.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def run_line(report: Any) -> str:
    """One line per article of ``tandem run``: how many segments have a translation, per language.

    ``report`` is a :class:`tandem.report.ArticleReport`.

    >>> from types import SimpleNamespace as R
    >>> run_line(R(article="story", segments=2, output_dir="out/story",
    ...            targets=(R(language="ru", translated_segments=0), R(language="ja", translated_segments=2))))
    'story: 2 segments: ru 0/2 translated, ja 2/2 translated -> out/story/'
    """
    targets = ", ".join(f"{t.language} {t.translated_segments}/{report.segments} translated"
                        for t in report.targets)
    return f"{report.article}: {report.segments} segments: {targets} -> {report.output_dir}/"


def untranslated_warnings(report: Any) -> list[str]:
    """Warnings for languages with segments left empty, each with its real cause: ``--no-mt``, or a
    language the run left out (kept as the memory holds it).

    >>> from types import SimpleNamespace as R
    >>> untranslated_warnings(R(article="a", segments=3, kept=("ja",), machine_translation=True,
    ...     targets=(R(language="ru", origins={"none": 0}), R(language="ja", origins={"none": 2}))))
    ['a: 2 of 3 segments have no ja translation in the memory and were left empty (ja was not in --to)']
    """
    lines = []
    for t in report.targets:
        empty = t.origins.get("none", 0)
        if empty:
            why = (f"{t.language} was not in --to" if t.language in report.kept
                   else "--no-mt" if not report.machine_translation else "no model")
            lines.append(f"{report.article}: {empty} of {report.segments} segments have no {t.language} "
                         f"translation in the memory and were left empty ({why})")
    return lines


def merge_lines(results: Iterable[Any], folders: Iterable[Path]) -> list[str]:
    """What ``tandem merge`` reports: per file counts and rejections, then the rebuilt folders.

    *updated* is human work stored; *state changed* is MT or memory text the reviewer left as it
    was but gave another not-done state (it stays MT or memory text)."""
    lines = []
    for r in results:
        lines.append(f"{r.path}: {r.article} {r.target_lang}: {len(r.updated)} updated, "
                     f"{len(r.restated)} state changed, {len(r.unchanged)} unchanged, {len(r.untouched)} untouched, "
                     f"{len(r.rejected)} rejected, {len(r.missing)} not in the file")
        lines.extend(f"  rejected {unit}: {why}" for unit, why in r.rejected)
    return lines + [f"rebuilt {folder}/" for folder in folders]


def tm_import_line(path: Path, read: int, changed: int, refused: int, memory: Path) -> str:
    """What ``tandem tm import`` reports.

    >>> tm_import_line(Path("a.tmx"), 3, 2, 1, Path("out/tandem.db"))
    'a.tmx: 3 translations read, 2 new or changed, 1 refused (blank or not storable) -> out/tandem.db'
    """
    refused_part = f", {refused} refused (blank or not storable)" if refused else ""
    return f"{path}: {read} translations read, {changed} new or changed{refused_part} -> {memory}"


def models_list_lines(overview: dict) -> list[str]:
    """The table of ``tandem models list``, then the pairs a run can serve."""
    lines = [f"{p['from']}->{p['to']}  {p['name']}  {p['version']}  {p['size'] / 1e6:.1f} MB  {p['path']}"
             for p in overview["packages"]]
    if not overview["packages"]:
        lines.append(f"no translation packages installed in {overview['packages_dir']}")
    if overview["pairs"]:
        lines.append("pairs tandem run can serve: " + ", ".join(
            r["pair"] + (f" (via {r['via']})" if r["via"] else "") for r in overview["pairs"]))
    return lines


def available_lines(packages: Sequence[dict]) -> list[str]:
    """The table of ``tandem models available``, installed packages marked."""
    return [f"{p['from']}->{p['to']}  {p['name']}  {p['version']}  {p['from_name']} -> {p['to_name']}  "
            f"{'installed ' + p['installed'] if p['installed'] else ''}".rstrip() for p in packages]
