"""Settings: one immutable object, built once by the CLI and passed explicitly."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tandem.errors import InputError

DEFAULT_TARGETS = ("ru", "ja")
XLIFF_VERSIONS = {"1.2": ("1.2",), "2.1": ("2.1",), "both": ("1.2", "2.1")}
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


@dataclass(frozen=True)
class EngineSettings:
    """How CTranslate2 runs. Defaults come from the MT benchmark on 2 cores."""

    device: str = "cpu"
    compute_type: str = "auto"
    beam_size: int = 4
    inter_threads: int = 2
    intra_threads: int = 1
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
class Settings:
    """Everything a run needs to know, decided before any work starts."""

    targets: tuple[str, ...] = DEFAULT_TARGETS
    source_language: str = "en"
    out_dir: Path = Path("output")
    packages_dir: Path = Path()
    engine: EngineSettings = EngineSettings()
    # Translation memory and review (issue 5)
    tm_db: Path | None = None  # None: OUT/tandem.db
    xliff: tuple[str, ...] = ("1.2", "2.1")
    machine_translation: bool = True  # False (--no-mt): segments the memory lacks stay empty
    tm_files: tuple[Path, ...] = ()  # TMX files imported before translating (--tm)
    fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD
    # Models (issue 4)
    index: IndexSettings = IndexSettings()
    install_models: bool = False  # download missing packages from the index before running

    @property
    def tm_path(self) -> Path:
        """The translation memory file: ``--tm-db``, else ``OUT/tandem.db``."""
        return self.tm_db or self.out_dir / "tandem.db"

    def __post_init__(self) -> None:
        if not self.targets:
            raise InputError("no target language given (--to)")
        for code in self.targets:
            check_language_code(code)
        if self.source_language in self.targets:
            raise InputError(f"target language equals the source language: {self.source_language}")
        if self.install_models and self.index.offline:
            raise InputError("--install-models needs the network; it cannot be combined with --offline")

    def check_article_folders(self, articles: Sequence[Path]) -> None:
        """Refuse, before anything is written, articles whose output folder ``OUT/NAME``
        cannot be created: a file is in the way, or it would be the memory file itself
        (an article ``tandem.db.txt`` writes to ``OUT/tandem.db``)."""
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise InputError("the output folder (--out) is a file", path=str(self.out_dir))
        memory = os.path.abspath(self.tm_path)
        for article in articles:
            folder = self.out_dir / article.stem
            if os.path.abspath(folder) == memory:
                raise InputError(f"the article's output folder {folder} would be the translation memory "
                                 "file; rename the article", path=str(article))
            if folder.exists() and not folder.is_dir():
                raise InputError(f"cannot write the article's outputs: a file is in the way at {folder}",
                                 path=str(article))


def article_folder_settings(folder: Path, tm_db: Path | None = None) -> tuple[Path, Settings]:
    """The article folder ``DIR/NAME`` that ``tandem publish`` was given, and the settings
    for it: ``DIR`` is the output folder (whose ``tandem.db`` is the default memory).

    ``.`` or ``..`` is resolved first, so that the folder has a name and a parent.

    >>> folder, settings = article_folder_settings(Path("out/story"))
    >>> folder, settings.out_dir
    (PosixPath('out/story'), PosixPath('out'))
    """
    if folder.name in ("", ".", ".."):
        folder = folder.resolve()
    return folder, Settings(out_dir=folder.parent, tm_db=tm_db)


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
    except (UnknownLocaleError, ValueError) as exc:
        raise InputError(message) from None


def parse_targets(value: str) -> tuple[str, ...]:
    """Parse ``--to ru,ja`` into ``("ru", "ja")`` keeping order, dropping repeats.

    >>> parse_targets("ru, ja,ru")
    ('ru', 'ja')
    """
    codes = [c.strip().lower() for c in value.split(",") if c.strip()]
    return tuple(dict.fromkeys(codes))


def parse_xliff_versions(value: str) -> tuple[str, ...]:
    """Parse ``--xliff 1.2|2.1|both``.

    >>> parse_xliff_versions("both")
    ('1.2', '2.1')
    """
    if value not in XLIFF_VERSIONS:
        raise InputError(f"unknown XLIFF version {value!r} (choose from {', '.join(XLIFF_VERSIONS)})")
    return XLIFF_VERSIONS[value]
