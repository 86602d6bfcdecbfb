"""Atomic file output: a reader never sees a half-written file."""

from __future__ import annotations

import os
import re
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
    # The writer's process id is in the name, so a later run can tell the leftovers of a
    # killed writer from a file another live process is still writing (remove_leftovers).
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
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


_TEMPORARY = re.compile(r"\A\..+\.(\d+)\.[^./]+\.tmp\Z")


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete the temporary files :func:`write_atomic` left in ``folder`` when its process was
    killed (their process is gone); return them.  Files of live processes are left alone.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / ".page.html.999999999.abc123.tmp").write_text("half")
    >>> [p.name for p in remove_leftovers(folder)], list(folder.iterdir())
    (['.page.html.999999999.abc123.tmp'], [])
    """
    removed = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed  # no folder yet: nothing was left
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match and not _alive(int(match.group(1))) and entry.is_file():
            try:
                entry.unlink()
            except OSError as exc:
                raise OutputError(f"cannot remove a leftover temporary file: {exc.strerror}", path=str(entry)) from None
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**22  # another user's live process (or a number no pid can be)
    return True


def read_input(path: Path, max_bytes: int, what: str = "file", hint: str = "") -> bytes:
    """The bytes of the input file ``path``: at most ``max_bytes`` (more is one InputError, with
    ``hint`` saying how to allow more), and only from a regular file -- a FIFO would block,
    ``/dev/zero`` would never end.  ``what`` names the file in errors ("article", "XLIFF file")."""
    from tandem.errors import InputError

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO without writer would wait
    except FileNotFoundError:
        raise InputError(f"no such {what if what.endswith('file') else 'file'}", path=str(path)) from None
    except OSError as exc:  # Windows refuses to open a folder at all
        reason = f"is a directory, not {_an(what)}" if path.is_dir() else f"cannot read: {exc.strerror}"
        raise InputError(reason, path=str(path)) from None
    try:
        _check_regular(os.fstat(fd).st_mode, str(path), what)
    except InputError:
        os.close(fd)
        raise
    with open(fd, "rb") as f:
        try:
            data = f.read(max_bytes + 1)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", path=str(path)) from None
    if len(data) > max_bytes:
        raise InputError(f"{what} is larger than the limit of {max_bytes:,} bytes{hint}", path=str(path))
    return data


def _an(what: str) -> str:
    return f"{'an' if what[:1].lower() in 'aeiox' else 'a'} {what}"


def _check_regular(mode: int, where: str, what: str) -> None:
    """Refuse anything but a regular file (checked on the opened file, not the name)."""
    from tandem.errors import InputError

    if stat.S_ISDIR(mode):
        raise InputError(f"is a directory, not {_an(what)}", path=where)
    if not stat.S_ISREG(mode):
        kind = ("a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
                else "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "not a regular file")
        raise InputError(f"is {kind}, not a regular file", path=where)
