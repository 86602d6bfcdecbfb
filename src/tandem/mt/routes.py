"""Translation routes: which installed packages take the source into each target.

A route is one package (en->ru) or, when no direct package is installed, two
packages through a pivot language (en->de, then de->ja), as argostranslate
does with its "pivot" translations.  :func:`resolve_routes` is what
``tandem run`` calls: it finds a route for every target, optionally installs
missing packages from the index first, and otherwise fails with the exact
commands that would install them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tandem.document import ModelInfo
from tandem.errors import ModelError
from tandem.mt.models import InstalledPackage, installed_packages, missing_message, newest_for_pair
from tandem.settings import IndexSettings


@dataclass(frozen=True)
class Route:
    """The packages that translate ``from_code`` into ``to_code``, applied in order."""

    steps: tuple[InstalledPackage, ...]

    @property
    def from_code(self) -> str:
        return self.steps[0].from_code

    @property
    def to_code(self) -> str:
        return self.steps[-1].to_code

    @property
    def pivot(self) -> str | None:
        """The intermediate language of a two-step route, else None."""
        return self.steps[0].to_code if len(self.steps) > 1 else None

    @property
    def info(self) -> ModelInfo:
        """Model identity for reports: ``translate-en_de+translate-de_ja`` for a pivot."""
        if len(self.steps) == 1:
            return self.steps[0].info
        return ModelInfo("+".join(p.name for p in self.steps), "+".join(p.version for p in self.steps),
                         self.from_code, self.to_code)

    def describe(self) -> str:
        """``en->ja via de`` or ``en->ru``."""
        pair = f"{self.from_code}->{self.to_code}"
        return f"{pair} via {self.pivot}" if self.pivot else pair


def find_route(packages: list[InstalledPackage], from_code: str, to_code: str) -> Route | None:
    """A direct route if one is installed, else a pivot through one other language.

    When several pivots are possible the alphabetically first pivot language
    wins, so the choice is deterministic.
    """
    direct = newest_for_pair(packages, from_code, to_code)
    if direct is not None:
        return Route((direct,))
    for first in sorted(_all(packages, from_code), key=lambda p: p.to_code):
        second = newest_for_pair(packages, first.to_code, to_code)
        if second is not None and first.to_code != from_code:
            return Route((newest_for_pair(packages, from_code, first.to_code), second))
    return None


def servable_routes(packages: list[InstalledPackage]) -> list[Route]:
    """Every pair the installed packages can translate, directly or through one pivot."""
    codes = sorted({p.from_code for p in packages} | {p.to_code for p in packages})
    routes = (find_route(packages, a, b) for a in codes for b in codes if a != b)
    return [r for r in routes if r is not None]


def resolve_routes(packages_dir: Path, from_code: str, targets: tuple[str, ...], index: IndexSettings,
                   install: bool = False, progress: Callable[[str], None] = lambda _: None) -> dict[str, Route]:
    """A route for every target; with ``install``, download missing packages first.

    Without ``install`` a missing pair fails with a message naming the
    online and the offline install command for each.
    """
    routes = _routes(packages_dir, from_code, targets)
    missing = [to for to, route in routes.items() if route is None]
    if missing and install:
        from tandem.mt.index import install_from_index  # network code only when asked for

        for to in missing:
            progress(f"installing the {from_code}->{to} package from {index.url}")
            package = install_from_index(from_code, to, packages_dir, index)
            progress(f"installed {package.name} {package.version} in {package.path}")
        routes = _routes(packages_dir, from_code, targets)
        missing = [to for to, route in routes.items() if route is None]
    if missing:
        raise ModelError(missing_message(packages_dir, from_code, missing))
    return routes  # type: ignore[return-value]


def _routes(packages_dir: Path, from_code: str, targets: tuple[str, ...]) -> dict[str, Route | None]:
    packages = installed_packages(packages_dir)
    return {to: find_route(packages, from_code, to) for to in targets}


def _all(packages: list[InstalledPackage], from_code: str) -> list[InstalledPackage]:
    return [p for p in packages if p.from_code == from_code]


def models_overview(packages_dir: Path) -> dict:
    """What ``tandem models list`` shows: installed packages and the pairs they serve."""
    from tandem.mt.models import package_size

    packages = installed_packages(packages_dir)
    return {
        "packages_dir": str(packages_dir),
        "packages": [{"from": p.from_code, "to": p.to_code, "name": p.name, "version": p.version,
                      "size": package_size(p), "path": str(p.path)} for p in packages],
        "pairs": [{"pair": f"{r.from_code}->{r.to_code}", "from": r.from_code, "to": r.to_code,
                   "via": r.pivot, "packages": [p.name for p in r.steps]} for r in servable_routes(packages)],
    }
