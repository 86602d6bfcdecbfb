"""Article names: the one way a file name becomes the name of an article's output folder.

``OUT/NAME/`` and every ``NAME.*`` file inside it come from this name, so it
must never climb out of the output folder, hide, or take a name Tandem's own
files use there.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from tandem.errors import InputError

MEMORY_FILE = "tandem.db"
# The memory and SQLite's files beside it, in the output folder.
RESERVED = frozenset({MEMORY_FILE, f"{MEMORY_FILE}-journal", f"{MEMORY_FILE}-wal", f"{MEMORY_FILE}-shm"})
# Longest name: file names are at most 255 bytes, and NAME gets ".en-xx.xliff2.xlf" and a
# temporary ".NAME....tmp" around it.
MAX_NAME_BYTES = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def article_name(path: str | PurePath) -> str:
    """The article name of the file at ``path``: its stem, refused if it cannot be a folder name.

    >>> article_name("news/harbor-radar.txt"), article_name("2026.12.01 vote.md")
    ('harbor-radar', '2026.12.01 vote')
    >>> article_name("...txt")
    Traceback (most recent call last):
    ...
    tandem.errors.InputError: ...txt: the article name '..' (the file name without its extension) cannot be an output folder: it is '.' or '..'; rename the file
    """
    name = PurePath(path).stem
    why = _unusable(name)
    if why:
        raise InputError(f"the article name {name!r} (the file name without its extension) cannot be an "
                         f"output folder: {why}; rename the file", path=str(path))
    return name


def _unusable(name: str) -> str | None:
    if name in ("", ".", ".."):
        return "it is '.' or '..'" if name else "it is empty"
    if name.startswith("."):
        return "it starts with '.' (hidden, and the prefix of Tandem's temporary files)"
    if _UNSAFE.search(name):
        return "it holds a path separator or a control character"
    if any("\ud800" <= ch <= "\udfff" for ch in name):
        return "it is not valid UTF-8"
    if name in RESERVED:
        return "it is the name of the translation memory file"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"it is longer than {MAX_NAME_BYTES} bytes"
    return None
