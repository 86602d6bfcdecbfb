"""The CPUs a run may use (affinity, cgroup v1 and v2 quotas) and the engine's thread defaults
derived from them, computed when settings are built."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tandem import settings
from tandem.settings import (EngineSettings, cgroup_cpu_limit, cpu_quota_v1, cpu_quota_v2, default_threads,
                             run_settings, usable_cpus)


@pytest.mark.parametrize("text, cpus", [
    ("200000 100000\n", 2), ("150000 100000\n", 2), ("50000 100000\n", 1), ("400000 50000", 8),
    ("max 100000\n", None), ("max", None), ("", None), ("garbage here", None), ("0 100000", None),
])
def test_cgroup_v2_cpu_max(text, cpus):
    assert cpu_quota_v2(text) == cpus


@pytest.mark.parametrize("quota, period, cpus", [
    ("-1\n", "100000\n", None), ("100000\n", "100000\n", 1), ("250000", "100000", 3), ("1000", "100000", 1),
    ("100000", "0", None),
])
def test_cgroup_v1_cfs_quota(quota, period, cpus):
    assert cpu_quota_v1(quota, period) == cpus


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_v2_limit_of_the_process_cgroup(tmp_path):
    _write(tmp_path / "job" / "cpu.max", "150000 100000\n")
    assert cgroup_cpu_limit(tmp_path, "0::/job\n") == 2


def test_v2_the_tightest_ancestor_wins(tmp_path):
    _write(tmp_path / "a" / "cpu.max", "100000 100000\n")
    _write(tmp_path / "a" / "b" / "cpu.max", "max 100000\n")
    assert cgroup_cpu_limit(tmp_path, "0::/a/b\n") == 1


def test_v2_max_everywhere_is_no_limit(tmp_path):
    _write(tmp_path / "job" / "cpu.max", "max 100000\n")
    assert cgroup_cpu_limit(tmp_path, "0::/job\n") is None
    assert cgroup_cpu_limit(tmp_path, "0::/\n") is None  # no cpu.max at the root


def test_v2_a_path_outside_the_mount_falls_back_to_its_root(tmp_path):
    """A container whose own cgroup is mounted at /sys/fs/cgroup, while /proc/self/cgroup names
    the host's path."""
    _write(tmp_path / "cpu.max", "300000 100000\n")
    assert cgroup_cpu_limit(tmp_path, "0::/system.slice/docker-abc.scope\n") == 3


def test_v1_limit_in_the_cpu_controller(tmp_path):
    folder = tmp_path / "cpu,cpuacct" / "docker" / "abc"
    _write(folder / "cpu.cfs_quota_us", "200000\n")
    _write(folder / "cpu.cfs_period_us", "100000\n")
    membership = "12:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n"
    assert cgroup_cpu_limit(tmp_path, membership) == 2


def test_v1_no_quota(tmp_path):
    _write(tmp_path / "cpu" / "cpu.cfs_quota_us", "-1\n")
    _write(tmp_path / "cpu" / "cpu.cfs_period_us", "100000\n")
    assert cgroup_cpu_limit(tmp_path, "1:cpu:/\n") is None


def test_other_controllers_are_not_read(tmp_path):
    _write(tmp_path / "memory" / "cpu.cfs_quota_us", "100000\n")  # not a cpu controller: ignored
    _write(tmp_path / "memory" / "cpu.cfs_period_us", "100000\n")
    assert cgroup_cpu_limit(tmp_path, "4:memory:/\n") is None


def test_usable_cpus_is_the_affinity_when_smaller_than_the_count(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5})
    assert usable_cpus(tmp_path, "0::/\n") == 3


def test_usable_cpus_is_limited_by_the_quota(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)))
    _write(tmp_path / "job" / "cpu.max", "250000 100000\n")
    assert usable_cpus(tmp_path, "0::/job\n") == 3


def test_usable_cpus_the_affinity_below_the_quota_wins(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {1})
    _write(tmp_path / "job" / "cpu.max", "400000 100000\n")
    assert usable_cpus(tmp_path, "0::/job\n") == 1


def test_usable_cpus_without_affinity_uses_the_count(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert usable_cpus(tmp_path, "") == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert usable_cpus(tmp_path, "") == 1


def test_usable_cpus_on_this_machine_is_at_most_the_affinity():
    assert 1 <= usable_cpus() <= len(os.sched_getaffinity(0))


@pytest.mark.parametrize("cpus, threads", [(1, (1, 1)), (2, (2, 1)), (4, (4, 1)), (5, (4, 1)), (8, (4, 2)),
                                           (64, (4, 16))])
def test_thread_defaults_never_use_more_threads_than_cpus(cpus, threads):
    assert default_threads(cpus) == threads
    assert threads[0] * threads[1] <= cpus


def test_engine_defaults_follow_the_cpus_when_settings_are_built(monkeypatch):
    monkeypatch.setattr(settings, "usable_cpus", lambda: 8)
    assert (EngineSettings().inter_threads, EngineSettings().intra_threads) == (4, 2)
    assert run_settings().engine.inter_threads == 4
    monkeypatch.setattr(settings, "usable_cpus", lambda: 1)
    assert (run_settings().engine.inter_threads, run_settings().engine.intra_threads) == (1, 1)
    assert EngineSettings(inter_threads=3).inter_threads == 3  # an option still wins


def test_no_cpu_is_counted_at_import():
    """Importing every module with the CPU count poisoned, then restoring it: settings built
    afterwards see the real count."""
    code = ("import os, pkgutil, importlib, tandem\n"
            "real = os.sched_getaffinity\n"
            "os.sched_getaffinity = lambda pid: (_ for _ in ()).throw(AssertionError('read at import'))\n"
            "for m in pkgutil.walk_packages(tandem.__path__, 'tandem.'):\n"
            "    m.name.endswith('__main__') or importlib.import_module(m.name)\n"
            "os.sched_getaffinity = lambda pid: {0, 1, 2}\n"
            "from tandem.settings import run_settings\n"
            "print(run_settings().engine.inter_threads)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    limit = cgroup_cpu_limit()
    assert int(out) == default_threads(3 if limit is None else min(3, limit))[0]


def test_the_help_shows_the_derived_defaults(capsys):
    from tandem import cli

    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    inter, intra = default_threads(usable_cpus())
    assert f"(default: {inter} = one per usable CPU, {usable_cpus()} here, at most 4)" in text
    assert f"(default: {intra} = the usable CPUs shared out among the parallel batches, at least 1)" in text
