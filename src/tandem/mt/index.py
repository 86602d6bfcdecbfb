"""The argos package index: read it (with a cache), download and install from it.

The index is argospm's ``index.json``: a JSON list of package metadata
objects, each with ``from_code``, ``to_code``, ``package_version`` and
``links`` (download URLs, tried in order).  A ``sha256`` field, when an index
provides one, is checked.  Relative links are resolved against the index URL,
so a mirror can be a plain folder served over HTTP.

Every network access goes through :func:`_open`, which refuses when the
settings say ``offline``: ``--offline`` is a guarantee, not a hint.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from tandem.errors import InputError, ModelError
from tandem.fsutil import ensure_folder, write_atomic
from tandem.mt.models import (InstalledPackage, PackageLimits, install_from_file, installed_packages,
                              newest_for_pair)
from tandem.settings import IndexSettings

# Called with (bytes received so far, total bytes or None when the server does not say).
DownloadProgress = Callable[[int, "int | None"], None]
CHUNK = 64 * 1024


@dataclass(frozen=True)
class AvailablePackage:
    """One translation package listed in the index."""

    from_code: str
    to_code: str
    from_name: str
    to_name: str
    version: str
    links: tuple[str, ...]
    sha256: str = ""

    @property
    def name(self) -> str:
        """The argospm name, e.g. ``translate-en_ru``."""
        return f"translate-{self.from_code}_{self.to_code}"


def index_json_url(url: str) -> str:
    """The URL of ``index.json`` for ``ARGOS_PACKAGE_INDEX``.

    argostranslate appends ``index.json`` to a base URL; a URL that already
    names a ``.json`` file is used as it is.

    >>> index_json_url("https://example.org/argospm-index/main/")
    'https://example.org/argospm-index/main/index.json'
    >>> index_json_url("https://example.org/argospm-index/main")
    'https://example.org/argospm-index/main/index.json'
    >>> index_json_url("http://127.0.0.1:8000/mirror/index.json")
    'http://127.0.0.1:8000/mirror/index.json'
    """
    if urlsplit(url).path.endswith(".json"):
        return url
    return url if url.endswith("/index.json") else url.rstrip("/") + "/index.json"


def available_packages(settings: IndexSettings, refresh: bool = False) -> list[AvailablePackage]:
    """The translation packages of the index, from the cache when it is fresh enough.

    Offline, the cached copy is used whatever its age (and an error says so
    when there is none).
    """
    url = index_json_url(settings.url)
    cache = _cache_path(settings, url)
    if settings.offline or (not refresh and _is_fresh(cache, settings.max_age_s)):
        if not cache.is_file():
            raise ModelError(f"no cached copy of the package index {url} and --offline forbids "
                             "downloading it")
        return parse_index(cache.read_bytes(), url, where=str(cache))
    data = _fetch(url, settings)
    packages = parse_index(data, url, where=url)  # only a valid index replaces the cache
    write_atomic(cache, data)
    return packages


def parse_index(data: bytes, base_url: str, where: str = "") -> list[AvailablePackage]:
    """Parse ``index.json`` bytes; entries that are not translation packages are skipped."""
    try:
        entries = json.loads(data)
    except ValueError as exc:
        raise ModelError(f"the package index is not valid JSON ({exc})", path=where) from exc
    if not isinstance(entries, list):
        raise ModelError("the package index is not a JSON list of packages", path=where)
    return [p for p in (_package(e, base_url) for e in entries) if p is not None]


def _package(entry: object, base_url: str) -> AvailablePackage | None:
    if not isinstance(entry, dict) or entry.get("type", "translate") != "translate":
        return None
    links = entry.get("links") or []
    if not entry.get("from_code") or not entry.get("to_code") or not isinstance(links, list):
        return None
    return AvailablePackage(
        from_code=str(entry["from_code"]), to_code=str(entry["to_code"]),
        from_name=str(entry.get("from_name", "")), to_name=str(entry.get("to_name", "")),
        version=str(entry.get("package_version", "")),
        links=tuple(urljoin(base_url, str(link)) for link in links),
        sha256=str(entry.get("sha256", "") or "").lower())


def find_available(packages: list[AvailablePackage], from_code: str, to_code: str) -> AvailablePackage | None:
    """The index entry for a pair, the highest version if several."""
    return newest_for_pair(packages, from_code, to_code)


def install(pair: Sequence[str], archive: Path | None, packages_dir: Path, settings: IndexSettings,
            progress: DownloadProgress = lambda done, total: None, *,
            limits: PackageLimits = PackageLimits()) -> InstalledPackage:
    """``tandem models install``: install ``archive`` if given, else the index's package for ``pair``.

    Exactly one of the two must be given, and a pair is two codes.  ``limits``
    bound what unpacking the package may write.
    """
    if bool(archive) == bool(pair) or (pair and len(pair) != 2):
        raise InputError("give either FROM TO (e.g. `tandem models install en ja`) or --file PATH.argosmodel")
    if archive:
        return install_from_file(archive, packages_dir, limits)
    return install_from_index(pair[0], pair[1], packages_dir, settings, progress, limits=limits)


def install_from_index(from_code: str, to_code: str, packages_dir: Path, settings: IndexSettings,
                       progress: DownloadProgress = lambda done, total: None, *,
                       limits: PackageLimits = PackageLimits()) -> InstalledPackage:
    """Download the package for a pair, check it, and install it atomically."""
    package = find_available(available_packages(settings), from_code, to_code)
    if package is None:
        raise ModelError(f"the package index {index_json_url(settings.url)} has no "
                         f"{from_code}->{to_code} package")
    return install_available(package, packages_dir, settings, progress, limits=limits)


def install_available(package: AvailablePackage, packages_dir: Path, settings: IndexSettings,
                      progress: DownloadProgress = lambda done, total: None, *,
                      limits: PackageLimits = PackageLimits()) -> InstalledPackage:
    """Download ``package`` to a temporary file and install it from there."""
    if not package.links:
        raise ModelError(f"the package index lists no download link for {package.name}")
    ensure_folder(packages_dir, InputError)
    with tempfile.TemporaryDirectory(dir=packages_dir, prefix=".download-") as tmp:
        archive = Path(tmp) / f"{package.name}.argosmodel"
        download(package, archive, settings, progress)
        return install_from_file(archive, packages_dir, limits)


def download(package: AvailablePackage, dest: Path, settings: IndexSettings,
             progress: DownloadProgress = lambda done, total: None) -> None:
    """Fetch ``package`` into ``dest``, trying each link; check size and checksum."""
    errors = []
    for link in package.links:
        try:
            _download_one(link, dest, settings, progress)
        except ModelError as exc:
            if settings.offline:
                raise
            errors.append(str(exc))
            continue
        if package.sha256 and file_sha256(dest) != package.sha256:
            dest.unlink(missing_ok=True)
            raise ModelError(f"checksum mismatch for {package.name}: the download is not the "
                             "package the index describes", path=link)
        return
    raise ModelError(f"could not download {package.name}: {'; '.join(errors)}")


def _download_one(url: str, dest: Path, settings: IndexSettings, progress: DownloadProgress) -> None:
    with _open(url, settings) as response:
        total = _content_length(response)
        done = 0
        progress(done, total)
        try:
            with open(dest, "wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    progress(done, total)
        except (OSError, ValueError, http.client.HTTPException) as exc:  # IncompleteRead is one
            raise ModelError(f"download interrupted after {done} bytes ({type(exc).__name__})",
                             path=url) from exc
    if total is not None and done != total:
        raise ModelError(f"download incomplete: got {done} of {total} bytes", path=url)


def _open(url: str, settings: IndexSettings):
    """Open ``url`` for reading: the single door to the network."""
    if settings.offline:
        raise ModelError(f"--offline: refusing to access the network ({url})")
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "tandem"})
    try:
        return urllib.request.urlopen(request, timeout=settings.timeout)
    except urllib.error.HTTPError as exc:
        raise ModelError(f"download failed: HTTP {exc.code} {exc.reason}", path=url) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(f"cannot reach the package server ({reason})", path=url) from exc


def _fetch(url: str, settings: IndexSettings) -> bytes:
    with _open(url, settings) as response:
        try:
            return response.read()
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise ModelError(f"reading the package index failed ({type(exc).__name__})", path=url) from exc


def _content_length(response) -> int | None:
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def _cache_path(settings: IndexSettings, url: str) -> Path:
    return settings.cache_dir / f"index-{hashlib.sha256(url.encode()).hexdigest()[:16]}.json"


def _is_fresh(path: Path, max_age_s: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime < max_age_s
    except OSError:
        return False


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes (hex), read in chunks (packages are large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def available_overview(packages_dir: Path, settings: IndexSettings, refresh: bool = False) -> list[dict]:
    """What ``tandem models available`` shows: index entries, marked when installed."""
    installed = {(p.from_code, p.to_code): p.version for p in installed_packages(packages_dir)}
    return [{"from": p.from_code, "to": p.to_code, "name": p.name, "version": p.version,
             "from_name": p.from_name, "to_name": p.to_name, "links": list(p.links),
             "installed": installed.get((p.from_code, p.to_code))}
            for p in sorted(available_packages(settings, refresh), key=lambda p: (p.from_code, p.to_code))]
