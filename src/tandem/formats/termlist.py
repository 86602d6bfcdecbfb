"""Term lists: CSV and TSV glossaries with a header row, and plain do-not-translate lists.

A CSV (``,``) or TSV (tab) glossary is UTF-8, with or without a BOM, quoted the way
spreadsheets quote.  Its first row names the columns:

* a language code (``en``, ``ru``, ``ja``; ``en-US`` counts as ``en``): that language's terms.
  The source-language column is required; the others hold preferred translations.
* ``LANG:admitted``, ``LANG:deprecated``, ``LANG:forbidden`` (and ``LANG:preferred``, the same as
  ``LANG``): translations into LANG with that status (``ru:forbidden``: a variant not to use).
* ``concept`` (or ``id``): groups synonyms (as a TBX concept); ``note``; ``pos`` (part of
  speech, e.g. ``properNoun``); ``dnt`` (do not translate) and ``case`` (case-sensitive): yes or
  no, empty for Tandem's default (see :func:`tandem.document.glossary_entry`).

A cell holds several terms separated by ``|`` (``Сергей Лавров|Лавров``; a term cannot contain
``|``); several source terms make one entry each, with the same translations.  Each row gives
one entry per source term; blank rows, and columns with an empty name and no values (what
spreadsheets add), are skipped.  A missing header, an unknown column or
language code, an empty source term, a row with more or fewer cells than the header, or a bad
yes/no is one :class:`InputError` with the line, and nothing is read.

A do-not-translate list (``.txt``) has one term per line; blank lines and lines starting with
``#`` are skipped.  Every term is marked do-not-translate.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tandem.document import NOT_XML_CHARS, GlossaryEntry, TargetTerm, TermStatus, glossary_entry
from tandem.errors import InputError, OutputError
from tandem.formats import xml
from tandem.fsutil import read_input

SEPARATOR = "|"
MAX_BYTES = 50_000_000  # a term list of a million rows is still far below
_EXTRA = {"concept": "concept", "id": "concept", "note": "note", "pos": "pos", "dnt": "dnt", "case": "case"}
_STATUSES = {s.value: s for s in TermStatus}
_YES, _NO = frozenset({"yes", "true", "1", "y"}), frozenset({"no", "false", "0", "n"})
_COLUMNS_HINT = ("a term list starts with a header row such as en,ru,ja; other columns: concept, note, pos, "
                 "dnt, case, LANG:admitted, LANG:deprecated, LANG:forbidden")


@dataclass(frozen=True)
class _Column:
    """What a header cell names: a language's terms (with a status) or an extra field."""

    field: str  # "terms", one of _EXTRA's values, or "unnamed" (a spreadsheet's trailing empty column)
    language: str = ""
    status: TermStatus = TermStatus.PREFERRED


def read_csv(path: Path, source_language: str = "en") -> tuple[GlossaryEntry, ...]:
    """The entries of a comma-separated term list."""
    return _read_table(path, ",", source_language)


def read_tsv(path: Path, source_language: str = "en") -> tuple[GlossaryEntry, ...]:
    """The entries of a tab-separated term list."""
    return _read_table(path, "\t", source_language)


def read_dnt(path: Path, source_language: str = "en") -> tuple[GlossaryEntry, ...]:
    """The entries of a do-not-translate list: one term per line, ``#`` comments."""
    entries = []
    for number, line in enumerate(_decode(path).split("\n"), 1):
        term = " ".join(line.split())
        if term and not term.startswith("#"):
            _check_term(term, path, number)
            entries.append(glossary_entry(term, do_not_translate=True, source_language=source_language,
                                          origin=path.name))
    return tuple(entries)


def _decode(path: Path) -> str:
    data = read_input(path, MAX_BYTES, "glossary file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=str(path),
                         line=data[:exc.start].count(b"\n") + 1) from None


def _read_table(path: Path, delimiter: str, source_language: str) -> tuple[GlossaryEntry, ...]:
    reader = csv.reader(io.StringIO(_decode(path), newline=""), delimiter=delimiter, strict=True)
    kind = "TSV" if delimiter == "\t" else "CSV"
    entries: list[GlossaryEntry] = []
    try:
        header = _next_row(reader)
        if header is None:
            raise InputError(f"empty term list ({_COLUMNS_HINT})", path=str(path))
        columns = _columns(header, source_language, path, reader.line_num)
        while (row := _next_row(reader)) is not None:
            line = reader.line_num
            if len(row) != len(columns):
                raise InputError(f"row has {len(row)} cells, the header {len(columns)}", path=str(path), line=line)
            entries.extend(_row_entries(row, columns, source_language, path, line))
    except csv.Error as exc:
        raise InputError(f"not well-formed {kind}: {exc}", path=str(path), line=reader.line_num) from None
    return tuple(entries)


def _next_row(reader) -> list[str] | None:
    """The next row that is not blank, or None at the end."""
    return next((row for row in reader if any(cell.strip() for cell in row)), None)


def _columns(header: list[str], source_language: str, path: Path, line: int) -> list[_Column]:
    columns = [_column(cell, source_language, path, line) for cell in header]
    duplicate = next((cell for cell, c in zip(header, columns) if c.field != "unnamed" and columns.count(c) > 1),
                     None)
    if duplicate is not None:
        raise InputError(f"header row: column {duplicate.strip()!r} appears twice", path=str(path), line=line)
    if _Column("terms", source_language) not in columns:
        raise InputError(f"header row: no {source_language!r} column for the source terms ({_COLUMNS_HINT})",
                         path=str(path), line=line)
    return columns


def _column(cell: str, source_language: str, path: Path, line: int) -> _Column:
    name = cell.strip().lower()
    if not name:
        return _Column("unnamed")
    if name in _EXTRA:
        return _Column(_EXTRA[name])
    code, _, status = name.partition(":")
    language = _language(code)
    if not language or (status and status not in _STATUSES) or (status and language == source_language):
        raise InputError(f"header row: {cell.strip()!r} is neither a language code nor a column Tandem knows "
                         f"({_COLUMNS_HINT})", path=str(path), line=line)
    return _Column("terms", language, _STATUSES[status] if status else TermStatus.PREFERRED)


def _language(code: str) -> str:
    """The primary subtag of ``code`` if CLDR knows the language, else ''."""
    from tandem.settings import check_language_code  # babel: only when a term list is read

    primary = xml.primary_language(code)
    if not primary:
        return ""
    try:
        check_language_code(primary)
    except InputError:
        return ""
    return primary


def _row_entries(row: list[str], columns: list[_Column], source_language: str, path: Path,
                 line: int) -> list[GlossaryEntry]:
    unnamed = next((n for n, (c, cell) in enumerate(zip(columns, row), 1) if c.field == "unnamed" and cell.strip()), 0)
    if unnamed:
        raise InputError(f"a value in column {unnamed}, which the header row does not name", path=str(path), line=line)
    sources = _terms(row[columns.index(_Column("terms", source_language))], path, line)
    if not sources:
        raise InputError("empty source term", path=str(path), line=line)
    translations = [TargetTerm(c.language, term, c.status) for c, cell in zip(columns, row)
                    if c.field == "terms" and c.language != source_language for term in _terms(cell, path, line)]
    extra = {c.field: " ".join(cell.split()) for c, cell in zip(columns, row) if c.field not in ("terms", "unnamed")}
    return [glossary_entry(source, translations, do_not_translate=_yes_no(extra.get("dnt", ""), path, line),
                           case_sensitive=_yes_no(extra.get("case", ""), path, line), note=extra.get("note", ""),
                           part_of_speech=extra.get("pos", ""), concept=extra.get("concept", ""),
                           origin=path.name, source_language=source_language)
            for source in sources]


def _terms(cell: str, path: Path, line: int) -> list[str]:
    terms = [" ".join(part.split()) for part in cell.split(SEPARATOR)]
    for term in terms:
        _check_term(term, path, line)
    return [t for t in terms if t]


def _check_term(term: str, path: Path, line: int) -> None:
    if NOT_XML_CHARS.search(term):
        raise InputError("term contains a character XML cannot hold", path=str(path), line=line)


def _yes_no(value: str, path: Path, line: int) -> bool | None:
    if not value:
        return None
    if value.lower() not in _YES | _NO:
        raise InputError(f"expected yes, no or nothing, not {value!r}", path=str(path), line=line)
    return value.lower() in _YES


# -- writing ----------------------------------------------------------------------------------

def write_csv(entries: Sequence[GlossaryEntry], source_language: str, targets: Sequence[str]) -> bytes:
    """A comma-separated term list that :func:`read_csv` reads back as the same entries."""
    return _write_table(entries, source_language, targets, ",")


def write_tsv(entries: Sequence[GlossaryEntry], source_language: str, targets: Sequence[str]) -> bytes:
    """A tab-separated term list that :func:`read_tsv` reads back as the same entries."""
    return _write_table(entries, source_language, targets, "\t")


def _write_table(entries: Sequence[GlossaryEntry], source_language: str, targets: Sequence[str],
                 delimiter: str) -> bytes:
    """The entries that cover one of ``targets``, one row each; a status column only when used.
    Every flag is written out (yes/no), so reading back needs no default."""
    chosen = [e for e in entries if any(e.covers(t) for t in targets)]
    used = {(t.language, t.status) for e in chosen for t in e.translations}
    languages = [(lang, status) for lang in targets for status in TermStatus
                 if status is TermStatus.PREFERRED or (lang, status) in used]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow([source_language, *(lang if status is TermStatus.PREFERRED else f"{lang}:{status.value}"
                                        for lang, status in languages), "concept", "note", "pos", "dnt", "case"])
    for e in chosen:
        cells = [_cell([e.source])]
        cells += [_cell([t.text for t in e.terms(lang) if t.status is status]) for lang, status in languages]
        writer.writerow([*cells, e.concept, e.note, e.part_of_speech, _yes(e.do_not_translate), _yes(e.case_sensitive)])
    return out.getvalue().encode("utf-8")


def _cell(terms: list[str]) -> str:
    bad = next((t for t in terms if SEPARATOR in t), None)
    if bad is not None:
        raise OutputError(f"term {bad!r} holds {SEPARATOR!r}, which separates terms in a term list: export as TBX")
    return SEPARATOR.join(terms)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
