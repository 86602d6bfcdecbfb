"""Reliability sweep ("nothing lost, nothing escapes"): hostile inputs, kill -9, review sequences.

    .venv/bin/python tests/reliability/sweep.py                      # everything: hostile, 100 kills, 1000 sequences
    .venv/bin/python tests/reliability/sweep.py --hostile --kills 100
    .venv/bin/python tests/reliability/sweep.py --hostile --case xliff_fifo --case package_zip_bomb
    .venv/bin/python tests/reliability/sweep.py --sequences 50 --seed 7
    .venv/bin/python tests/reliability/sweep.py --snapshot --hostile   # git HEAD, not the tree being edited

(Any other Python re-runs the script with .venv/bin/python.)  Parts:

- ``--hostile``: every case of ``tests/reliability/hostile.py`` (the real console script on
  hostile articles, XLIFF, TMX, SRX, packages and options), each judged "clean error",
  "correct output" or "FAIL: reason";
- ``--kills N``: N kill -9 of ``run`` (with and without MT), ``merge`` and ``publish`` at
  seeded random moments, with the invariants of ``tests/reliability/kills.py`` after each;
- ``--sequences N``: ``tests/reliability/sequences.py``'s seeded random review sequences.

With none of the three flags, all three run (hostile, 100 kills, 1000 sequences).  Progress
goes to stderr; the result is one JSON object on stdout, also written to
``tests/reliability/sweep.result.json``.  Exit code 0 when nothing failed, 1 otherwise.
Every child runs with a 60 s timeout and a 4 GiB address-space limit.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
RESULT = Path(__file__).resolve().with_name("sweep.result.json")
sys.path.insert(0, str(ROOT))


def _in_venv() -> bool:
    return Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()


if __name__ == "__main__" and not _in_venv() and VENV_PYTHON.exists():
    # The harness needs lxml and runs .venv/bin/tandem: re-run under the project's venv.
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])

from tests.reliability import harness, hostile, kills  # noqa: E402


def log(message: str) -> None:
    print(f"sweep: {message}", file=sys.stderr, flush=True)


def install_packages(folder: Path) -> tuple[Path, Path]:
    """A packages folder with the tiny en->ru and en->ja models, installed with the console
    script; return it and the en->ru archive.  The archives are tests/.data/models/ (built by
    .ci/install), else built here."""
    archives = {to: harness.MODELS / f"translate-en_{to}.argosmodel" for to in harness.LANGS}
    if not all(a.is_file() for a in archives.values()):
        from tests.fixtures.tiny_argos_model import build_argos_model

        log("tests/.data/models/ is missing: building the tiny models")
        archives = {to: build_argos_model("en", to, folder.parent / f"translate-en_{to}.argosmodel")
                    for to in harness.LANGS}
    for archive in archives.values():
        result = harness.tandem("models", "install", "--file", archive, "--models-dir", folder,
                                packages=folder, cwd=folder.parent)
        if result.returncode != 0:
            raise SystemExit(f"sweep: cannot install {archive}: {result.stderr.strip()}")
    return folder, archives["ru"]


def use_snapshot(scratch: Path) -> str:
    """Run the committed sources (git HEAD) instead of the working tree: a copy of ``src`` and
    ``locales`` put first on every child's (and this process's) import path, so that edits in
    progress in the working tree do not show up as failures.  Return the commit."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    snapshot = scratch / "sources"
    snapshot.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD", "src", "locales"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(snapshot)], input=archive.stdout, check=True)
    # The editable install maps tandem.locales to the top-level locales/; a plain path needs it inside.
    shutil.copytree(snapshot / "locales", snapshot / "src" / "tandem" / "locales")
    # Compiled once here: the children never write bytecode, and would compile every module each run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(snapshot / "src")], check=True)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snapshot / "src"), os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, str(snapshot / "src"))
    where = subprocess.run([sys.executable, "-c", "import tandem; print(tandem.__file__)"], capture_output=True,
                           text=True, check=True).stdout.strip()
    if not Path(where).is_relative_to(snapshot):  # the editable install must not win
        raise SystemExit(f"sweep: the children would import {where}, not the snapshot")
    return commit


def run_hostile(scratch: Path, packages: Path, archive: Path, names: list[str]) -> dict:
    """Every selected hostile case, with verdict tallies per category."""
    fixtures = hostile.Fixtures.build(scratch / "hostile", packages, archive)
    cases = [hostile.CASES[n] for n in names] if names else list(hostile.CASES.values())
    records = []
    for number, case in enumerate(cases, start=1):
        record = hostile.run_case(case, fixtures, scratch / "hostile" / "cases")
        records.append(record)
        log(f"hostile {number}/{len(cases)} {case.name}: {record['verdict'][:160]} ({record.get('seconds', '-')} s)")
    tally = Counter(_verdict_kind(r["verdict"]) for r in records)
    by_category: dict[str, Counter] = {}
    for r in records:
        by_category.setdefault(r["category"], Counter())[_verdict_kind(r["verdict"])] += 1
    return {"cases": len(records), "verdicts": dict(tally), "by_category": {k: dict(v) for k, v in by_category.items()},
            "results": records}


def _verdict_kind(verdict: str) -> str:
    return "FAIL" if verdict.startswith("FAIL") else verdict


def run_kills(scratch: Path, packages: Path, count: int, seed: int) -> dict:
    log("kills: building the workspace (sample + sample x15, MT, reviews merged)")
    world = kills.build_world(scratch / "kills", packages, repeats=15)
    try:
        return kills.sweep(world, count, seed, log)
    finally:
        kills.cleanup(world)


def run_sequences(count: int, seed: int, packages: Path) -> dict | str:
    """``tests/reliability/sequences.py``'s ``run``, if that module is there."""
    try:
        sequences = importlib.import_module("tests.reliability.sequences")
    except ModuleNotFoundError as exc:
        if exc.name in ("tests.reliability.sequences",):
            return "sequences: not available"
        raise
    log(f"sequences: {count} seeded random review sequences")
    started = time.perf_counter()
    result = sequences.run(count, seed, packages)
    return {**result, "seconds": round(time.perf_counter() - started, 1)}


def failures_of(result: dict) -> list:
    """Every failure of every part, in one list."""
    found = []
    for r in result.get("hostile", {}).get("results", []):
        if r["verdict"].startswith("FAIL"):
            found.append({"part": "hostile", "case": r["case"], "command": r.get("command"), "exit": r.get("exit"),
                          "verdict": r["verdict"], "stderr": r.get("stderr", "")})
    for f in result.get("kills", {}).get("failure_details", []):
        found.append({"part": "kills", **f})
    sequences = result.get("sequences")
    if isinstance(sequences, dict):
        for key in ("loss_details", "error_details"):
            found += [{"part": "sequences", **d} for d in sequences.get(key, [])]
    return found


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hostile", action="store_true", help="run the hostile-input cases")
    parser.add_argument("--case", action="append", default=[], choices=sorted(hostile.CASES), metavar="NAME",
                        help="only this hostile case (repeatable; implies --hostile)")
    parser.add_argument("--kills", type=int, default=None, metavar="N", help="kill -9 N commands")
    parser.add_argument("--sequences", type=int, default=None, metavar="N", help="run N random review sequences")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kills and sequences (default 0)")
    parser.add_argument("--snapshot", action="store_true",
                        help="test the committed sources (git HEAD), not the working tree being edited")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (its path is logged)")
    args = parser.parse_args(argv)
    args.hostile = args.hostile or bool(args.case)
    if not (args.hostile or args.kills is not None or args.sequences is not None):
        args.hostile, args.kills, args.sequences = True, 100, 1000
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="tandem-sweep-"))
    log(f"scratch folder {scratch}")
    result: dict = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "seed": args.seed,
                    "machine": {"python": platform.python_version(), "cores": os.cpu_count(),
                                "platform": platform.platform()},
                    "limits": {"timeout_s": harness.TIMEOUT_S, "address_space_bytes": harness.MEMORY_LIMIT}}
    try:
        result["sources"] = f"git HEAD {use_snapshot(scratch)}" if args.snapshot else "working tree"
        log(f"testing the sources of the {result['sources']}")
        packages, archive = install_packages(scratch / "packages")
        if args.hostile:
            result["hostile"] = run_hostile(scratch, packages, archive, args.case)
        if args.kills is not None:
            result["kills"] = run_kills(scratch, packages, args.kills, args.seed)
        if args.sequences is not None:
            result["sequences"] = run_sequences(args.sequences, args.seed, packages)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    result["failures"] = failures_of(result)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    # A hostile file name may hold surrogate escapes: show them as escapes instead of failing.
    text = json.dumps(result, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")
    RESULT.write_text(text + "\n", encoding="utf-8")
    print(text)
    log(f"done in {result['wall_s']} s: {len(result['failures'])} failure(s); written to {RESULT}")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
