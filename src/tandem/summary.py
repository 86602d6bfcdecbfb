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

    ``report`` is a :class:`tandem.pipeline.ArticleReport`.

    >>> from types import SimpleNamespace as R
    >>> run_line(R(article="story", segments=2, output_dir="out/story",
    ...            targets={"ru": {"translated_segments": 0}, "ja": {"translated_segments": 2}}))
    'story: 2 segments: ru 0/2 translated, ja 2/2 translated -> out/story/'
    """
    targets = ", ".join(f"{lang} {t['translated_segments']}/{report.segments} translated"
                        for lang, t in report.targets.items())
    return f"{report.article}: {report.segments} segments: {targets} -> {report.output_dir}/"


def untranslated_warnings(report: Any) -> list[str]:
    """Warnings for languages whose segments were left empty (``--no-mt``)."""
    return [f"{report.article}: {empty} of {report.segments} segments have no {lang} translation in the "
            "memory and were left empty for the translator (--no-mt)"
            for lang, target in report.targets.items()
            if (empty := target.get("origins", {}).get("none", 0))]


def merge_lines(results: Iterable[Any], folders: Iterable[Path]) -> list[str]:
    """What ``tandem merge`` reports: per file counts and rejections, then the rebuilt folders."""
    lines = []
    for r in results:
        lines.append(f"{r.path}: {r.article} {r.target_lang}: {len(r.updated)} updated, "
                     f"{len(r.unchanged)} unchanged, {len(r.rejected)} rejected, {len(r.missing)} not in the file")
        lines.extend(f"  rejected {unit}: {why}" for unit, why in r.rejected)
    return lines + [f"rebuilt {folder}/" for folder in folders]


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
