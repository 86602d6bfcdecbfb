"""The glossary: terms and what a translation must do with them, kept in the memory's file.

Table ``glossary_entries`` holds one row per source term of a concept (key: source language,
source term, concept id, so the same term in two concepts is two entries); ``glossary_terms``
its target terms, in the glossary's order, with their status.  Importing an entry again
replaces its details and translations (an upsert); reading all entries of a source language
is two queries, whatever their number.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from tandem.document import GlossaryEntry, TargetTerm, TermStatus
from tandem.memory.tm import now_utc

Key = tuple[str, str, str]  # source language, source term, concept


@dataclass(frozen=True)
class GlossaryCounts:
    """What an import did: entries new to the memory, changed, and already stored as they are."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


class GlossaryStore:
    """Reads and writes the glossary tables of an open memory."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def entries(self, source_language: str = "en", language: str | None = None) -> tuple[GlossaryEntry, ...]:
        """Every entry for ``source_language`` terms, sorted by term; with ``language``, only the
        entries that cover it (a term in it, or do-not-translate), with only its terms."""
        found = tuple(entry for _, entry in self._load(source_language))
        if language is None:
            return found
        return tuple(replace(e, translations=e.terms(language)) for e in found if e.covers(language))

    def count(self) -> int:
        """How many entries are stored, for every source language."""
        return self._db.execute("SELECT COUNT(*) FROM glossary_entries").fetchone()[0]

    def import_entries(self, entries: Sequence[GlossaryEntry]) -> GlossaryCounts:
        """Store ``entries``; the caller holds the transaction.  An entry already stored (same
        source language, term and concept) gets the new details and translations; the last of
        several with one key wins.  Where it came from (``origin``) is no change by itself."""
        batch = {_key(e): e for e in entries}
        stored = {_key(e): (row_id, e) for language in {k[0] for k in batch} for row_id, e in self._load(language)}
        added = updated = 0
        for key, entry in batch.items():
            if key not in stored:
                self._insert(entry)
                added += 1
            elif _content(stored[key][1]) != _content(entry):
                self._update(stored[key][0], entry)
                updated += 1
        return GlossaryCounts(added, updated, len(batch) - added - updated)

    def _load(self, source_language: str) -> list[tuple[int, GlossaryEntry]]:
        terms: dict[int, list[TargetTerm]] = {}
        for row in self._db.execute(
                "SELECT t.entry_id, t.language, t.text, t.status FROM glossary_terms t JOIN glossary_entries e "
                "ON e.id = t.entry_id WHERE e.source_lang = ? ORDER BY t.entry_id, t.position", (source_language,)):
            terms.setdefault(row["entry_id"], []).append(TargetTerm(row["language"], row["text"],
                                                                    TermStatus(row["status"])))
        rows = self._db.execute("SELECT * FROM glossary_entries WHERE source_lang = ? "
                                "ORDER BY lower(source_text), source_text, concept", (source_language,))
        return [(row["id"], _entry(row, terms.get(row["id"], ()))) for row in rows]

    def _insert(self, entry: GlossaryEntry) -> None:
        now = now_utc()
        row_id = self._db.execute(
            "INSERT INTO glossary_entries (source_lang, source_text, concept, do_not_translate, case_sensitive, "
            "note, part_of_speech, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*_key(entry), *_details(entry), now, now)).lastrowid
        self._insert_terms(row_id, entry.translations)

    def _update(self, row_id: int, entry: GlossaryEntry) -> None:
        self._db.execute("UPDATE glossary_entries SET do_not_translate = ?, case_sensitive = ?, note = ?, "
                         "part_of_speech = ?, origin = ?, updated_at = ? WHERE id = ?",
                         (*_details(entry), now_utc(), row_id))
        # Explicitly, not by ON DELETE CASCADE: the scratch memory of a run has foreign keys off.
        self._db.execute("DELETE FROM glossary_terms WHERE entry_id = ?", (row_id,))
        self._insert_terms(row_id, entry.translations)

    def _insert_terms(self, row_id: int, terms: Iterable[TargetTerm]) -> None:
        self._db.executemany("INSERT INTO glossary_terms (entry_id, position, language, text, status) "
                             "VALUES (?, ?, ?, ?, ?)",
                             [(row_id, n, t.language, t.text, t.status.value) for n, t in enumerate(terms)])


def _key(entry: GlossaryEntry) -> Key:
    return entry.source_language, entry.source, entry.concept


def _details(entry: GlossaryEntry) -> tuple:
    return (int(entry.do_not_translate), int(entry.case_sensitive), entry.note, entry.part_of_speech,
            entry.origin)


def _content(entry: GlossaryEntry) -> GlossaryEntry:
    """What an import compares: everything but the file the entry came from."""
    return replace(entry, origin="")


def _entry(row: sqlite3.Row, terms: Iterable[TargetTerm]) -> GlossaryEntry:
    return GlossaryEntry(row["source_text"], tuple(terms), source_language=row["source_lang"],
                         do_not_translate=bool(row["do_not_translate"]), case_sensitive=bool(row["case_sensitive"]),
                         note=row["note"], part_of_speech=row["part_of_speech"], concept=row["concept"],
                         origin=row["origin"])
