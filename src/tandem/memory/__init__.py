"""The memory: one SQLite file that keeps every translation forever, and each
article's last-run source with what each of its segments shows.

* :mod:`tandem.memory.db` -- connection, numbered migrations, transactions;
* :mod:`tandem.memory.tm` -- the translation memory (``translations``);
* :mod:`tandem.memory.articles` -- the article store;
* :mod:`tandem.memory.glossary` -- the glossary (terms, their translations and statuses).

:class:`Memory` joins them for the writes that span both (a run, a merge),
each one transaction, so an interrupted run or merge leaves the memory as it
was.  A memory that does not exist yet is an empty one in RAM until the first
write creates the file in place (so a run that fails early leaves no file,
and two processes creating it at once cannot overwrite each other's work).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from tandem.document import (Article, BilingualDocument, Entry, GlossaryEntry, InlineCode, Origin, Translation,
                             codes_to_json)
from tandem.errors import InputError
from tandem.memory import db
from tandem.memory.articles import ArticleStore, Shown, StoredArticle
from tandem.memory.glossary import GlossaryCounts, GlossaryStore
from tandem.memory.tm import TranslationMemory

__all__ = ["Entry", "GlossaryCounts", "Memory", "Reviewed", "Shown", "StoredArticle", "open_memory",
           "open_existing_memory"]


@dataclass(frozen=True)
class Reviewed:
    """A reviewer's decision on one sentence of an article, as merge stores it: human work,
    or (origin MT/TM) a new state on text the reviewer left as it was."""

    article: str
    source_lang: str
    source_text: str
    translation: Translation  # segment_id names the article's segment
    source_codes: tuple[InlineCode, ...] = ()  # the segment's codes (the translation's own are in it)


class Memory:
    """An open memory; use as a context manager (see :func:`open_memory`)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, on_disk: bool) -> None:
        self.path = path
        self._on_disk = on_disk
        self._use(connection)

    def _use(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self.tm = TranslationMemory(connection)
        self.articles = ArticleStore(connection)
        self.glossary = GlossaryStore(connection)

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    @property
    def on_disk(self) -> bool:
        """False while the memory is a scratch one in RAM (no file yet)."""
        return self._on_disk

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything inside is stored, or nothing.  Creates the file first
        if the memory is still in RAM."""
        if not self._on_disk and not self._db.in_transaction:
            self._db.close()
            self._use(db.create(self.path))
            self._on_disk = True
        with db.transaction(self._db, self.path):
            yield

    @contextmanager
    def scratch(self) -> Iterator[None]:
        """A transaction that is always rolled back: lookups that see changes (a TMX import)
        that are not to be kept yet.  Never creates the file."""
        with db.transaction(self._db, self.path, rollback=True):
            yield

    def import_entries(self, entries: Sequence[Entry]) -> tuple[int, int]:
        """Store imported entries (TMX) in one transaction: (new or changed, refused as no translation)."""
        with self.transaction():
            return self.tm.import_entries(entries)

    def import_glossary(self, files: Sequence[Sequence[GlossaryEntry]]) -> list[GlossaryCounts]:
        """Store the entries of glossary files in one transaction: what it did, per file (a later
        file's entry replaces an earlier file's of the same term and concept)."""
        with self.transaction():
            return [self.glossary.import_entries(entries) for entries in files]

    def save_run(self, article: Article, docs: Sequence[BilingualDocument], xliff: Sequence[str]) -> None:
        """Store an article's source, its translations and what each segment now shows, for every
        language in ``docs`` (a run gives all the languages the article has, run or kept)."""
        with self.transaction():
            self.articles.save_source(article, [d.target_language for d in docs], xliff)
            for doc in docs:
                row_ids = [None if p.translation.origin is Origin.NONE
                           else self.tm.upsert(article.language, p.segment.text, _row_form(p.translation),
                                               source_codes=p.segment.codes)
                           for p in doc.pairs]
                self.articles.save_units(article.name, doc, row_ids)

    def store_reviewed(self, reviewed: Sequence[Reviewed]) -> None:
        """Store a merge's decisions in one transaction.  Human work becomes the article's latest
        translation of its sentence, shown on every segment holding that sentence."""
        with self.transaction():
            for r in reviewed:
                t = r.translation
                if t.origin is Origin.HUMAN:
                    row_id = self.tm.upsert(r.source_lang, r.source_text, t, touch=True, source_codes=r.source_codes)
                    self.articles.record_review(r.article, t.language, r.source_text, row_id,
                                                codes_to_json(r.source_codes))
                elif t.state:
                    self.articles.record_state(r.article, t.language, r.source_text, t.state,
                                               codes_to_json(r.source_codes))


def _row_form(t: Translation) -> Translation:
    """A translation as its ``translations`` row holds it: a reviewer's state on MT or memory
    text belongs to the article's unit, not to the row other articles share."""
    return replace(t, state=None) if t.origin in (Origin.MT, Origin.TM) else t


def open_memory(path: Path) -> Memory:
    """Open (and migrate) the memory at ``path``; an empty one in RAM if there is no file yet."""
    if path.exists():
        return Memory(db.connect(path), path, on_disk=True)
    return Memory(db.scratch(), path, on_disk=False)


def open_existing_memory(path: Path) -> Memory:
    """Open the memory at ``path`` for commands that need earlier work (merge, publish, export)."""
    if not path.is_file():
        raise InputError(f"no translation memory at {path}: run `tandem run` first (or give --tm-db)")
    return open_memory(path)
