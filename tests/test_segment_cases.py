"""The hand-written case table (tests/data/segment_cases.txt), one test per case."""

from __future__ import annotations

from collections import Counter

import pytest

from tandem.segment import split_sentences
from tests.segment_cases import load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c.language}-{c.name}" for c in CASES])
def test_case(case):
    spans = split_sentences(case.text, language=case.language)
    assert [case.text[a:b] for a, b in spans] == list(case.expected), case.about


def test_table_is_large_enough_and_covers_three_languages():
    counts = Counter(c.language for c in CASES)
    assert counts["en"] >= 60 and counts["ru"] >= 10 and counts["ja"] >= 10
    assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"


def test_every_expected_segment_is_in_its_input():
    for case in CASES:
        assert all(segment in case.text for segment in case.expected), case.name
