"""Loads the segmentation case table tests/data/segment_cases.txt.

Shared by tests/test_segment_cases.py and tests/compare_segmenters.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CASES_FILE = Path(__file__).resolve().parent / "data" / "segment_cases.txt"


@dataclass(frozen=True)
class Case:
    language: str
    name: str
    about: str
    text: str
    expected: tuple[str, ...]


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    """Parse the table: ``[lang] name: about``, ``> input`` lines, ``= segment`` lines."""
    cases, header, inputs, expected = [], None, [], []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("> "):
            inputs.append(line[2:])
        elif line.startswith("= "):
            expected.append(line[2:])
        elif line.startswith("[") and "] " in line:
            header = line
        elif not line.strip() or line.startswith("#"):
            if header:
                cases.append(_case(header, inputs, expected))
            header, inputs, expected = None, [], []
        else:
            raise ValueError(f"{path}: cannot read line {line!r}")
    return cases


def _case(header: str, inputs: list[str], expected: list[str]) -> Case:
    language, rest = header[1:].split("] ", 1)
    name, about = rest.split(": ", 1)
    if not inputs or not expected:
        raise ValueError(f"case {name} needs '> ' input and '= ' expected lines")
    return Case(language, name, about, "\n".join(inputs), tuple(expected))
