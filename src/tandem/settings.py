"""Settings: immutable objects, built once by the CLI through the factories here and passed
explicitly.  A :class:`Workspace` (output folder, memory) for every command; :class:`RunSettings`
(targets, engine, index, imports, XLIFF versions) for ``run``.  The environment is read by the
factories when a command runs, never when a module is imported."""

from __future__ import annotations

import math
import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tandem.errors import InputError

DEFAULT_TARGETS = ("ru", "ja")
DEFAULT_FUZZY_THRESHOLD = 75.0  # rapidfuzz ratio, 0-100: below this a match misleads more than it helps
SUPPORTED_DEVICES = ("cpu", "cuda", "auto")


def default_packages_dir() -> Path:
    """Where argos packages live: the same place argostranslate looks.

    ``ARGOS_PACKAGES_DIR`` wins, as in argostranslate; otherwise
    ``$XDG_DATA_HOME/argos-translate/packages``.
    """
    explicit = os.environ.get("ARGOS_PACKAGES_DIR")
    if explicit:
        return Path(explicit)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "argos-translate" / "packages"


CGROUP_ROOT = Path("/sys/fs/cgroup")
MAX_INTER_THREADS = 4  # more parallel batches than this: split the cores inside each batch instead


def cpu_quota_v2(cpu_max: str) -> int | None:
    """CPUs allowed by a cgroup v2 ``cpu.max`` ("QUOTA PERIOD" in microseconds, or "max" for no
    limit): ceil(quota / period), at least 1; None when there is no limit (or the text is not one).

    >>> cpu_quota_v2("150000 100000"), cpu_quota_v2("max 100000"), cpu_quota_v2("50000 100000")
    (2, None, 1)
    """
    fields = cpu_max.split()
    return _quota_cpus(fields[0], fields[1] if len(fields) > 1 else "100000") if fields else None


def cpu_quota_v1(cfs_quota_us: str, cfs_period_us: str) -> int | None:
    """CPUs allowed by cgroup v1 ``cpu.cfs_quota_us`` and ``cpu.cfs_period_us`` (quota -1: no limit).

    >>> cpu_quota_v1("-1", "100000"), cpu_quota_v1("300000", "100000")
    (None, 3)
    """
    return _quota_cpus(cfs_quota_us.strip(), cfs_period_us.strip())


def _quota_cpus(quota: str, period: str) -> int | None:
    if not (quota.isdigit() and period.isdigit()) or int(period) == 0 or int(quota) == 0:
        return None  # "max", -1 or unreadable: no limit
    return max(1, math.ceil(int(quota) / int(period)))


def cgroup_cpu_limit(root: Path = CGROUP_ROOT, membership: str | None = None) -> int | None:
    """The tightest CPU quota of this process's cgroup and its ancestors (v2 ``cpu.max``, v1
    ``cpu.cfs_quota_us``), or None when none is set.  ``membership`` is the text of
    ``/proc/self/cgroup`` (read when None); a path it names that is not under ``root`` (a container
    whose own cgroup is mounted at the root) falls back to the mount's root."""
    if membership is None:
        membership = _read_text(Path("/proc/self/cgroup")) or "0::/\n"
    limits = []
    for controllers, path in _memberships(membership):
        for folder in _cgroup_folders(root, controllers, path):
            limits.append(_folder_limit(folder, v2=not controllers))
    return min((n for n in limits if n is not None), default=None)


def _memberships(text: str) -> list[tuple[str, str]]:
    """(controllers, path) of each ``/proc/self/cgroup`` line; controllers "" is cgroup v2."""
    rows = [line.split(":", 2) for line in text.splitlines() if line.count(":") >= 2]
    return [(controllers, path) for _, controllers, path in rows
            if not controllers or "cpu" in controllers.split(",")]


def _cgroup_folders(root: Path, controllers: str, path: str) -> list[Path]:
    """The cgroup's folder and its ancestors, in every mount where the cpu controller may be."""
    mounts = [root, root / "unified"] if not controllers else [root / controllers, root / "cpu"]
    parts = [part for part in path.split("/") if part and part != ".."]
    return [mount.joinpath(*parts[:n]) for mount in dict.fromkeys(mounts) for n in range(len(parts), -1, -1)]


def _folder_limit(folder: Path, v2: bool) -> int | None:
    if v2:
        text = _read_text(folder / "cpu.max")
        return cpu_quota_v2(text) if text else None
    quota, period = _read_text(folder / "cpu.cfs_quota_us"), _read_text(folder / "cpu.cfs_period_us")
    return cpu_quota_v1(quota, period) if quota and period else None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def usable_cpus(root: Path = CGROUP_ROOT, membership: str | None = None) -> int:
    """The CPUs this process may use: its CPU affinity (else ``os.cpu_count()``), further limited by
    its cgroup's CPU quota (rounded up), at least 1.  Read when called, never at import."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cpus = os.cpu_count() or 1
    limit = cgroup_cpu_limit(root, membership)
    return max(1, min(cpus, limit) if limit is not None else cpus)


def default_threads(cpus: int) -> tuple[int, int]:
    """The engine's default (inter_threads, intra_threads) for ``cpus`` usable CPUs: one batch per
    CPU, up to :data:`MAX_INTER_THREADS` batches in parallel, then the CPUs left shared out inside
    each batch; never more threads than CPUs.

    >>> [default_threads(n) for n in (1, 2, 3, 4, 6, 8, 16)]
    [(1, 1), (2, 1), (3, 1), (4, 1), (4, 1), (4, 2), (4, 4)]
    """
    inter = max(1, min(cpus, MAX_INTER_THREADS))
    return inter, max(1, cpus // inter)


def _default_inter_threads() -> int:
    """:func:`default_threads` for this machine, computed when the settings are built."""
    return default_threads(usable_cpus())[0]


def _default_intra_threads() -> int:
    """:func:`default_threads` for this machine, computed when the settings are built."""
    return default_threads(usable_cpus())[1]


@dataclass(frozen=True)
class EngineSettings:
    """How CTranslate2 runs.  The thread defaults fit the machine (:func:`default_threads` of
    :func:`usable_cpus`, decided when the settings are built); the others come from the MT benchmark."""

    device: str = "cpu"
    compute_type: str = "auto"
    beam_size: int = 4
    inter_threads: int = field(default_factory=_default_inter_threads)
    intra_threads: int = field(default_factory=_default_intra_threads)
    max_batch_tokens: int = 1024
    # Output length bound: a * input tokens + b, so a degenerate model stops.
    length_ratio: float = 1.5
    length_extra: int = 10
    # Longest input (in tokens) given to the model in one piece; longer segments
    # are split at clause punctuation and joined back (never truncated).
    max_input_tokens: int = 200

    def __post_init__(self) -> None:
        if self.device not in SUPPORTED_DEVICES:
            raise InputError(f"unknown device {self.device!r} (choose from {', '.join(SUPPORTED_DEVICES)})")
        if self.beam_size < 1:
            raise InputError("--beam-size must be at least 1")
        for name in ("inter_threads", "max_batch_tokens", "max_input_tokens"):
            if getattr(self, name) < 1:
                raise InputError(f"--{name.replace('_', '-')} must be at least 1")
        if self.intra_threads < 0:
            raise InputError("--intra-threads must be 0 (automatic) or more")


DEFAULT_PACKAGE_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"


def default_cache_dir() -> Path:
    """Where Tandem caches downloaded metadata: ``$XDG_CACHE_HOME/tandem``."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "tandem"


@dataclass(frozen=True)
class IndexSettings:
    """Where the argos package index is, and whether the network may be used at all.

    ``url`` is argostranslate's ``ARGOS_PACKAGE_INDEX``: a base URL that
    ``index.json`` is appended to, or the full URL of a ``.json`` index.
    """

    url: str = DEFAULT_PACKAGE_INDEX
    cache_dir: Path = field(default_factory=default_cache_dir)
    offline: bool = False
    timeout: float = 30.0
    max_age_s: float = 24 * 3600  # a cached index younger than this is used as is

    @classmethod
    def from_environment(cls, offline: bool = False) -> "IndexSettings":
        """Read ``ARGOS_PACKAGE_INDEX`` (as argostranslate does) and the cache location."""
        return cls(url=os.environ.get("ARGOS_PACKAGE_INDEX") or DEFAULT_PACKAGE_INDEX,
                   cache_dir=default_cache_dir(), offline=offline)


@dataclass(frozen=True)
class Workspace:
    """Where a command works: the output folder and the memory.  Every command has one."""

    out_dir: Path = Path("output")
    tm_db: Path | None = None  # None: OUT/tandem.db

    @property
    def tm_path(self) -> Path:
        """The memory file: ``--tm-db``, else ``OUT/tandem.db``."""
        return self.tm_db or self.out_dir / "tandem.db"

    def article_folder(self, name: str) -> Path:
        """``OUT/NAME``: where an article's outputs go."""
        return self.out_dir / name

    def check_article_folders(self, names: Sequence[tuple[str, Path]]) -> None:
        """Refuse, before anything is written, articles (name, file) whose output folder cannot
        be created: a file is in the way, or it would be the memory file itself (an article
        ``tandem.db.txt`` writes to ``OUT/tandem.db``)."""
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise InputError("the output folder (--out) is a file", path=str(self.out_dir))
        blocked = next((p for p in self.out_dir.parents if p.exists() and not p.is_dir()), None)
        if blocked is not None:
            raise InputError(f"cannot create the output folder (--out): {blocked} is a file", path=str(self.out_dir))
        memory = os.path.abspath(self.tm_path)
        for name, path in names:
            folder = self.article_folder(name)
            if os.path.abspath(folder) == memory:
                raise InputError(f"the article's output folder {folder} would be the translation memory "
                                 "file; rename the article", path=str(path))
            if folder.exists() and not folder.is_dir():
                raise InputError(f"cannot write the article's outputs: a file is in the way at {folder}",
                                 path=str(path))


@dataclass(frozen=True)
class RunSettings:
    """Everything ``tandem run`` needs to know besides its workspace, decided before any work starts.

    Build it with :func:`run_settings` (the CLI does): that is where the environment is read.
    """

    packages_dir: Path
    index: IndexSettings
    targets: tuple[str, ...] = DEFAULT_TARGETS
    source_language: str = "en"
    engine: EngineSettings = field(default_factory=EngineSettings)  # built with the settings, not at import
    xliff: tuple[str, ...] = ("1.2", "2.1")  # ids of tandem.formats.XLIFF_VERSIONS
    machine_translation: bool = True  # False (--no-mt): segments the memory lacks stay empty
    tm_files: tuple[Path, ...] = ()  # TMX files imported before translating (--tm)
    glossary_files: tuple[Path, ...] = ()  # glossaries (TBX, CSV, TSV, DNT list) imported first (--glossary)
    enforce_terms: bool = False  # --enforce-terms: each glossary term's preferred target through a placeholder
    fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD
    install_models: bool = False  # download missing packages from the index before running
    replace: bool = False  # an article of the same name from another file replaces the stored one
    max_article_bytes: int = 10_000_000  # larger articles are refused (tandem.readers.text.MAX_ARTICLE_BYTES)
    article_format: str | None = None  # --format: the reader to use (None: by file extension)
    select: str | None = None  # --select: CSS selector of the article in a saved HTML page
    keep_going: bool = False  # --keep-going: a bad article is reported and skipped, the rest run
    cluster: str | None = None  # --cluster / RAY_ADDRESS: run the MT on this Ray cluster

    def __post_init__(self) -> None:
        if not self.targets:
            raise InputError("no target language given (--to)")
        check_language_codes(self.targets)
        if self.source_language in self.targets:
            raise InputError(f"target language equals the source language: {self.source_language}")
        if self.install_models and self.index.offline:
            raise InputError("--install-models needs the network; it cannot be combined with --offline")
        if self.cluster is not None and importlib.util.find_spec("ray") is None:
            raise InputError("--cluster needs Ray: pip install 'tandem[ray]'")  # before any work starts


def run_settings(*, to: str = ",".join(DEFAULT_TARGETS), models_dir: Path | None = None, xliff: str = "both",
                 no_mt: bool = False, tm_files: Sequence[Path] = (), offline: bool = False,
                 install_models: bool = False, engine: EngineSettings | None = None,
                 replace: bool = False, max_article_bytes: int = 10_000_000, article_format: str | None = None,
                 select: str | None = None, glossary_files: Sequence[Path] = (),
                 enforce_terms: bool = False, keep_going: bool = False, cluster: str | None = None) -> RunSettings:
    """The one factory of run settings: option values in, validated settings out (reads
    ``ARGOS_PACKAGES_DIR``, ``ARGOS_PACKAGE_INDEX``, ``RAY_ADDRESS`` (when ``--cluster`` is not
    given, as ``ray.init`` reads it) and the XDG folders, here and only here)."""
    from tandem.formats import parse_xliff_choice  # here: `tandem --help` stays fast

    return RunSettings(packages_dir=models_dir or default_packages_dir(),
                       index=IndexSettings.from_environment(offline=offline), targets=parse_targets(to),
                       engine=engine or EngineSettings(), xliff=parse_xliff_choice(xliff),
                       machine_translation=not no_mt, tm_files=tuple(tm_files), install_models=install_models,
                       replace=replace, max_article_bytes=max_article_bytes, article_format=article_format,
                       select=select, glossary_files=tuple(glossary_files), enforce_terms=enforce_terms,
                       keep_going=keep_going, cluster=cluster or os.environ.get("RAY_ADDRESS") or None)


def publish_workspace(folder: Path, tm_db: Path | None = None) -> tuple[Path, Workspace]:
    """The article folder ``DIR/NAME`` that ``tandem publish`` was given, and its workspace:
    ``DIR`` is the output folder (whose ``tandem.db`` is the default memory).

    ``.`` or ``..`` is resolved first, so that the folder has a name and a parent.

    >>> folder, workspace = publish_workspace(Path("out/story"))
    >>> folder, workspace.out_dir
    (PosixPath('out/story'), PosixPath('out'))
    """
    if folder.name in ("", ".", ".."):
        folder = folder.resolve()
    return folder, Workspace(out_dir=folder.parent, tm_db=tm_db)


def check_language_codes(codes: Sequence[str]) -> None:
    """Refuse any code CLDR does not know (see :func:`check_language_code`)."""
    for code in codes:
        check_language_code(code)


def check_language_code(code: str) -> None:
    """Refuse a code CLDR does not know (pages name and format each language from CLDR).

    >>> check_language_code("de")
    >>> check_language_code("xx")
    Traceback (most recent call last):
    ...
    tandem.errors.InputError: unknown language code 'xx' (expected e.g. ru, ja)
    """
    from babel import Locale, UnknownLocaleError  # imported here: `tandem --help` stays fast

    message = f"unknown language code {code!r} (expected e.g. ru, ja)"
    if not code.isalpha() or not 2 <= len(code) <= 3:
        raise InputError(message)
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        raise InputError(message) from None


def parse_targets(value: str) -> tuple[str, ...]:
    """Parse ``--to ru,ja`` into ``("ru", "ja")`` keeping order, dropping repeats.

    >>> parse_targets("ru, ja,ru")
    ('ru', 'ja')
    """
    codes = [c.strip().lower() for c in value.split(",") if c.strip()]
    return tuple(dict.fromkeys(codes))
