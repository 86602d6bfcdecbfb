"""Property: no sequence of runs (all languages or one), source edits (edit, insert, delete a
sentence, a new first paragraph, revert), reviews in XLIFF 1.2 and 2.1 with any state, and merges
of old copies ever loses the latest human translation of a sentence from the XLIFF, the TMX or
the pages.  The steps and the invariant live in ``tests/reliability/sequences.py``, shared with
the full sweep, which runs 1,000 seeded sequences."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from tests.reliability.sequences import LANGS, POOL, STATES, Loop, apply

languages = st.sampled_from([LANGS, ("ru",), ("ja",)])
reviews = st.sampled_from(["1.2", "2.1"]).flatmap(lambda version: st.tuples(
    st.just("review"), st.sampled_from(LANGS), st.just(version), st.integers(0, 7),
    st.sampled_from(STATES[version]), st.integers(0, 2)))
operations = st.lists(st.one_of(
    st.tuples(st.just("run"), languages),
    st.tuples(st.just("edit"), st.sampled_from(["edit", "insert", "delete", "paragraph", "revert"]),
              st.integers(0, 7), st.integers(0, len(POOL) - 1)),
    reviews,
    st.tuples(st.just("old"), st.integers(0, 9)),
), min_size=1, max_size=10)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
@example(ops=[("edit", "edit", 1, 0), ("run", LANGS), ("review", "ru", "1.2", 0, "final", 0)])  # a sentence twice
@example(ops=[("review", "ru", "2.1", 0, None, 0), ("edit", "edit", 0, 3), ("run", LANGS), ("edit", "revert", 0, 0),
              ("run", LANGS)])
# A, B, then A again; the revert must survive a source edit and its undo
@example(ops=[("review", "ru", "1.2", 0, "final", 0), ("review", "ru", "1.2", 0, "final", 1),
              ("review", "ru", "1.2", 0, "final", 0), ("edit", "edit", 0, 3), ("run", LANGS),
              ("edit", "revert", 0, 0), ("run", LANGS)])
# the pre-review file merged after the review
@example(ops=[("review", "ru", "1.2", 0, "final", 0), ("old", 0)])
# issue 10, first finding: a sentence whose id moved in a run without that language, then reviewed in it
@example(ops=[("edit", "insert", 0, 5), ("run", ("ru",)), ("review", "ja", "1.2", 1, "needs-review-translation", 0),
              ("run", LANGS)])
# ...whose id moved in a run with that language: its in-review draft must not go to MT
@example(ops=[("review", "ja", "2.1", 1, "initial", 1), ("edit", "paragraph", 0, 6), ("run", LANGS)])
# ...a sentence deleted above a reviewed one, in a --to ru run, then a merge of the Japanese
@example(ops=[("review", "ja", "1.2", 2, "signed-off", 2), ("edit", "delete", 0, 0), ("run", ("ru",)),
              ("review", "ja", "1.2", 1, "translated", 0), ("run", ("ja",))])
def test_no_sequence_of_runs_edits_and_merges_loses_human_work(packages_dir, ops):
    with tempfile.TemporaryDirectory() as tmp:
        loop = Loop(Path(tmp), packages_dir)
        loop.run()
        for op in ops:
            apply(loop, op)
        loop.run()
        loop.check()
