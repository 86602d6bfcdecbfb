"""Run the real ``tandem`` console script in a bounded child and judge what it did.

Every child gets a timeout, an address-space limit (so a runaway allocation fails in
the child instead of taking the machine down) and its own session, so that a timeout
or a deliberate kill reaches the whole process group it started and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "src" / "tandem" / "samples" / "harbor-radar.txt"
SAMPLE_TMX = SAMPLE.with_suffix(".tmx")
MODELS = ROOT / "tests" / ".data" / "models"
TANDEM = Path(sys.executable).parent / "tandem"
TIMEOUT_S = 60.0
MEMORY_LIMIT = 4 * 1024**3  # RLIMIT_AS of every child: far above a tiny-model run (~1 GB of mappings)
LANGS = ("ru", "ja")
CLEAN_ERROR, CORRECT_OUTPUT = "clean error", "correct output"
# Never parse these as outputs: the memory, SQLite's side files, model packages.
_NOT_OUTPUTS = (".db", ".db-journal", ".db-wal", ".db-shm", ".bin", ".model", ".argosmodel")


@dataclass(frozen=True)
class Result:
    """One finished (or timed-out, or killed) child."""

    argv: tuple[str, ...]
    returncode: int | None  # None: it timed out and its group was killed
    stdout: str
    stderr: str
    seconds: float

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def limit_memory() -> None:
    """preexec_fn of every child: cap its address space."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def child_env(packages: Path) -> dict[str, str]:
    """The environment of a child: the test models, and a package index nobody listens on
    (loopback port 9), so that a stray network call fails instead of leaving the machine."""
    env = dict(os.environ)
    env.update(ARGOS_PACKAGES_DIR=str(packages), ARGOS_PACKAGE_INDEX="http://127.0.0.1:9/",
               PYTHONDONTWRITEBYTECODE="1")
    return env


def start(args: Sequence[str | Path], packages: Path, cwd: Path, stdin: bool = False) -> subprocess.Popen:
    """Start ``tandem ARGS`` in a new session (its own process group)."""
    argv = [str(TANDEM), *map(str, args)]
    return subprocess.Popen(argv, cwd=cwd, env=child_env(packages), start_new_session=True,
                            preexec_fn=limit_memory, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_group(child: subprocess.Popen) -> None:
    """SIGKILL the process group of a child we started (its pid is the group id)."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the group is already gone


def finish(child: subprocess.Popen, started: float, stdin: bytes | None = None,
           timeout: float = TIMEOUT_S) -> Result:
    """Wait for ``child`` (feeding ``stdin``); past ``timeout`` kill its group."""
    try:
        out, err = child.communicate(stdin, timeout=timeout)
        code: int | None = child.returncode
    except subprocess.TimeoutExpired:
        kill_group(child)
        out, err = child.communicate()
        code = None
    return Result(tuple(child.args), code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                  time.perf_counter() - started)


def tandem(*args: str | Path, packages: Path, cwd: Path, stdin: bytes | None = None,
           timeout: float = TIMEOUT_S) -> Result:
    """Run ``tandem ARGS`` to completion (or to its timeout)."""
    started = time.perf_counter()
    child = start(args, packages, cwd, stdin=stdin is not None)
    return finish(child, started, stdin, timeout)


# --- what is on disk -----------------------------------------------------------------------

def snapshot(*roots: Path) -> dict[str, str]:
    """Every entry under ``roots``: a digest of regular files, the target of symlinks, the
    type of anything else.  Symlinks are never followed and FIFOs or devices never opened
    (a case may plant a FIFO or a link to /dev/zero)."""
    entries: dict[str, str] = {}
    for root in roots:
        if not os.path.lexists(root):
            continue
        entries[str(root)] = _describe(root)
        for folder, dirs, files in os.walk(root):
            for name in dirs + files:
                path = Path(folder, name)
                entries[str(path)] = _describe(path)
    return entries


def _describe(path: Path) -> str:
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        return "link:" + os.readlink(path)
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file:" + sha256(path)
    return f"special:{stat.S_IFMT(mode):o}"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Paths added, removed or modified between two snapshots."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def inside(path: str, roots: Iterable[Path]) -> bool:
    return any(Path(path) == r or Path(path).is_relative_to(r) for r in roots)


def output_problem(path: Path) -> str | None:
    """Why an output file is incomplete or unparseable (None: it is fine)."""
    name = path.name
    try:
        if name.endswith((".xlf", ".tmx", ".srx", ".xml")):
            etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        elif name.endswith(".html"):
            data = path.read_bytes()
            # lxml.html repairs anything, so a cut-off page parses: the end tag proves it is whole.
            if not data.rstrip().endswith(b"</html>"):
                return f"{name}: does not end with </html> (cut off)"
            lxml_html.document_fromstring(data)
        elif name.endswith(".json"):
            json.loads(path.read_text(encoding="utf-8"))
    except (etree.XMLSyntaxError, etree.ParserError, ValueError, OSError) as exc:
        return f"{name}: {type(exc).__name__}: {str(exc)[:200]}"
    return None


def outputs(folder: Path) -> list[Path]:
    """The output files under ``folder`` (temporary dot-files and the memory excluded)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
                  and not p.name.startswith(".") and not p.name.endswith(_NOT_OUTPUTS))


def unparseable(folder: Path) -> list[str]:
    """Every output under ``folder`` that is incomplete or does not parse."""
    return [problem for path in outputs(folder) if (problem := output_problem(path))]


def dot_files(folder: Path) -> list[str]:
    """Entries whose name starts with '.' under ``folder``: a leftover temporary file."""
    if not folder.is_dir():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*"))


def integrity(db: Path) -> str:
    """``PRAGMA integrity_check`` of a memory ("ok" when sound; "absent" when there is none).

    Opened read-write, as the next tandem would: SQLite rolls back a hot journal a killed
    writer left, which is the recovery the check must see."""
    if not db.exists():
        return "absent"
    try:
        connection = sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=10)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        return f"{type(exc).__name__}: {exc}"
    return "; ".join(str(r[0]) for r in rows)


def copy_tree(source: Path, destination: Path) -> Path:
    """A copy of a template folder (symlinks kept as links)."""
    shutil.copytree(source, destination, symlinks=True)
    return destination


# --- verdicts --------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What one case did, and the case's own extra findings."""

    result: Result
    changed: list[str]  # paths under the watched roots that changed
    writes: tuple[Path, ...]  # where a successful command may write
    problems: list[str] = field(default_factory=list)

    def require(self, condition: bool, reason: str) -> "Outcome":
        """Record ``reason`` as a failure unless ``condition`` holds."""
        if not condition:
            self.problems.append(reason)
        return self


def judge(outcome: Outcome, expect: str) -> str:
    """The verdict: "clean error", "correct output" or "FAIL: reason".

    ``expect`` is "error", "output" or "either": what the README promises for the case.
    """
    r = outcome.result
    if r.returncode is None:
        return f"FAIL: timed out after {r.seconds:.0f} s (process group killed)"
    if "Traceback (most recent call last)" in r.stderr:
        return f"FAIL: traceback: {_last_line(r.stderr)}"
    if r.returncode == 0:
        verdict, problems = CORRECT_OUTPUT, _output_problems(outcome)
        if expect == "error":
            problems.insert(0, "expected a clean error, got exit 0")
    elif r.returncode in (1, 2):
        verdict, problems = CLEAN_ERROR, _error_problems(outcome)
        if expect == "output":
            problems.insert(0, f"expected correct output, got exit {r.returncode}: {_first_line(r.stderr)}")
    else:
        return f"FAIL: exit code {r.returncode} ({_signal_name(r.returncode)}): {_last_line(r.stderr)}"
    problems += outcome.problems
    return "FAIL: " + "; ".join(problems) if problems else verdict


def _error_problems(outcome: Outcome) -> list[str]:
    """A clean error is one ``tandem: error:`` line and no change anywhere."""
    lines, problems = outcome.result.stderr_lines, []
    if len(lines) != 1 or not lines[0].startswith("tandem: error:"):
        problems.append(f"{len(lines)} stderr lines, expected one 'tandem: error:' line: "
                        + " | ".join(line[:160] for line in lines[:3]))
    if outcome.changed:
        memories = [p for p in outcome.changed if p.endswith(".db")]
        what = f"tandem.db changed ({', '.join(memories)})" if memories else "files changed"
        problems.append(f"refused, yet {what}: {_shown(outcome.changed)}")
    return problems


def _output_problems(outcome: Outcome) -> list[str]:
    """Correct output: nothing outside the intended folders, every output parses, no
    temporary file left behind."""
    problems = []
    # Creating --out creates its missing parents too: those folders are not an escape.
    parents = {str(a) for root in outcome.writes for a in root.parents}
    outside = [p for p in outcome.changed if not inside(p, outcome.writes)
               and not (p in parents and os.path.isdir(p) and not os.path.islink(p))]
    if outside:
        problems.append(f"wrote outside {_shown(map(str, outcome.writes))}: {_shown(outside)}")
    for root in outcome.writes:
        if root.is_dir():
            problems += unparseable(root)
            leftovers = dot_files(root)
            if leftovers:
                problems.append(f"temporary files left in {root.name}: {_shown(leftovers)}")
            if (root / "tandem.db").exists() and (check := integrity(root / "tandem.db")) != "ok":
                problems.append(f"tandem.db integrity_check: {check}")
    return problems


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0][:300] if lines else "(no stderr)"


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no stderr)"


def _shown(items: Iterable[str], limit: int = 4) -> str:
    items = list(items)
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _signal_name(code: int) -> str:
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return "signal"
    return "unexpected"
