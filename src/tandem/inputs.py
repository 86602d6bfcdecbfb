"""Which files a run reads: article files, folders and glob patterns on the command line, and
the lines of a ``--from-list`` file (``-``: standard input).

A folder gives the article files under it (by extension, see :data:`tandem.readers.READERS`),
at any depth, in sorted order, leaving out hidden files and folders and the run's own output
folder (a run into ``news/output`` must not read its pages as articles).  A pattern (``*``,
``?``, ``[``) that is not itself a file gives the files it matches, sorted; ``**`` crosses
folders.  A name given twice is read once.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from tandem.errors import InputError
from tandem.readers import READERS

PATTERN_CHARS = frozenset("*?[")


def expand(arguments: Sequence[Path], listed: Iterable[str] = (), exclude: Path | None = None) -> list[Path]:
    """The article files of ``arguments`` and of the ``listed`` lines (blank lines and lines
    starting with ``#`` skipped), in the order given, each once.  ``exclude``: a folder whose
    files are never articles (the output folder).  A folder or pattern that gives nothing, or a
    list that names nothing, is an :class:`InputError`."""
    entries = [*arguments, *(Path(line.strip()) for line in listed
                             if line.strip() and not line.lstrip().startswith("#"))]
    if not entries:
        raise InputError("no article given (name files, folders or patterns, or --from-list FILE)")
    found: dict[Path, None] = {}
    for entry in entries:
        for path in _files_of(entry, exclude):
            found.setdefault(path, None)
    return list(found)


def read_list(name: Path, stdin: Iterable[str] | None = None) -> list[str]:
    """The lines of a ``--from-list`` file (``-``: ``stdin``)."""
    if str(name) == "-":
        if stdin is None:
            raise InputError("--from-list - needs standard input")
        return list(stdin)
    try:
        return name.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a readable UTF-8 text file"
        raise InputError(f"cannot read the article list: {reason}", path=str(name)) from None


def _files_of(entry: Path, exclude: Path | None) -> list[Path]:
    if entry.is_dir():
        files = sorted(_articles_under(entry, exclude))
        if not files:
            raise InputError(f"no article files ({', '.join(sorted(READERS))}) in the folder", path=str(entry))
        return files
    if not entry.exists() and PATTERN_CHARS & set(str(entry)):
        files = sorted(Path(p) for p in glob.glob(str(entry), recursive=True)
                       if Path(p).is_file() and Path(p).suffix.lower() in READERS and not _inside(Path(p), exclude))
        if not files:
            raise InputError("no article file matches the pattern", path=str(entry))
        return files
    return [entry]  # a file (or a missing one: the reader says so, with the other checks)


def _articles_under(folder: Path, exclude: Path | None) -> Iterator[Path]:
    for root, folders, files in os.walk(folder):
        here = Path(root)
        folders[:] = [f for f in folders if not f.startswith(".") and not _inside(here / f, exclude)]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in READERS:
                yield here / name


def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(folder))
    except ValueError:
        return False
