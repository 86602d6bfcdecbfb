"""Atomic file output: a reader never sees a half-written file."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from tandem.errors import OutputError, TandemError


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and an atomic rename.

    The file gets the mode a plain ``open()`` would give it (``0o666`` less
    the umask), or keeps the mode of the file it replaces: published pages
    must stay readable by a web server, which ``mkstemp``'s 0600 is not.
    """
    ensure_folder(path.parent)
    mode = _target_mode(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fchmod(tmp.fileno(), mode)
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise OutputError(f"cannot write file: {exc.strerror}", path=str(path)) from exc


def write_text_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    write_atomic(path, text.encode("utf-8"))


def ensure_folder(folder: Path, error: type[TandemError] = OutputError) -> None:
    """Create ``folder`` (and its parents) or raise one ``error`` saying why."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise error("cannot create folder: a file of that name is in the way",
                    path=str(exc.filename or folder)) from None
    except OSError as exc:
        raise error(f"cannot create folder: {exc.strerror}", path=str(exc.filename or folder)) from None


def _target_mode(path: Path) -> int:
    """The replaced file's permission bits, else ``0o666 & ~umask``."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # The umask can only be read by setting it; set it straight back.
    current = os.umask(0o022)
    os.umask(current)
    return current
