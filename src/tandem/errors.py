"""One exception hierarchy for the whole library.

Library code raises these and never prints or exits; only :mod:`tandem.cli`
turns them into ``tandem: error: ...`` lines and exit codes.
"""

from __future__ import annotations


class TandemError(Exception):
    """Base class: an error the user can act on, shown as one line."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | None = None,
                 line: int | None = None, unit: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.unit = unit

    def __str__(self) -> str:
        where = self.path or ""
        if self.line is not None:
            where += f":{self.line}"
        if self.unit is not None:
            where += f" (unit {self.unit})"
        return printable(f"{where}: {self.message}" if where else self.message)


def printable(text: str) -> str:
    r"""``text`` as one printable line: control characters (a newline in a file name) escaped, and
    characters that cannot be encoded (a file name that is not UTF-8) written as escapes.

    >>> print(printable("two\nlines"), printable("bad\udcffname"))
    two\nlines bad\udcffname
    """
    escaped = "".join(repr(ch)[1:-1] if ch < " " or ch == "\x7f" else ch for ch in text)
    return escaped.encode("utf-8", "backslashreplace").decode("utf-8")


class InputError(TandemError):
    """The user's input (an article, an option, a file) cannot be used."""

    exit_code = 2


class ModelError(TandemError):
    """A translation model is missing, broken or cannot be installed."""

    exit_code = 2


class OutputError(TandemError):
    """An output could not be written."""

    exit_code = 1


class QualityGateError(TandemError):
    """A quality gate said no: ``publish --strict`` found unreviewed MT or error findings.

    Exit code 3, so that a publishing script can tell "refused on quality" from a bad input (2).
    """

    exit_code = 3
