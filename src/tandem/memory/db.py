"""The memory's SQLite file: connection, numbered migrations, transactions.

All of Tandem's SQL lives in this package.  The schema is versioned with
numbered migrations (``PRAGMA user_version``), each applied in its own write
transaction; the version is read inside that transaction, so two processes
opening a new memory at once cannot both apply the same migration.

"Reviewed" is defined once, in Python (:func:`tandem.document.is_reviewed_state`),
and registered as the SQL function ``reviewed(origin, state)``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tandem.document import Origin, is_reviewed_state
from tandem.errors import InputError, OutputError
from tandem.fsutil import ensure_folder

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the initial schema
        """CREATE TABLE translations (
            id INTEGER PRIMARY KEY, source_lang TEXT NOT NULL, target_lang TEXT NOT NULL,
            source_text TEXT NOT NULL, target_text TEXT NOT NULL, origin TEXT NOT NULL,
            state TEXT, model_name TEXT, model_version TEXT, provenance TEXT NOT NULL DEFAULT '',
            score REAL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            UNIQUE (source_lang, target_lang, source_text, target_text, origin))""",
        "CREATE INDEX translations_source ON translations (source_lang, target_lang, source_text)",
        """CREATE TABLE articles (
            name TEXT PRIMARY KEY, original TEXT NOT NULL, source_path TEXT NOT NULL,
            language TEXT NOT NULL, text TEXT NOT NULL, targets TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        """CREATE TABLE paragraphs (
            article TEXT NOT NULL REFERENCES articles (name), number INTEGER NOT NULL,
            text TEXT NOT NULL, start INTEGER NOT NULL, PRIMARY KEY (article, number))""",
        """CREATE TABLE segments (
            article TEXT NOT NULL REFERENCES articles (name), id TEXT NOT NULL, paragraph INTEGER NOT NULL,
            number INTEGER NOT NULL, text TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
            PRIMARY KEY (article, id))""",
        """CREATE TABLE units (
            article TEXT NOT NULL REFERENCES articles (name), target_lang TEXT NOT NULL,
            segment_id TEXT NOT NULL, translation_id INTEGER REFERENCES translations (id),
            candidates TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (article, target_lang, segment_id))""",
    ),
    (  # 2: work belongs to the sentence, not to its position; states of untouched drafts; output choice
        # The article's latest human translation of each source sentence (any state), whatever
        # its segment id: merge writes it, every run shows it wherever the sentence now is.
        """CREATE TABLE article_reviews (
            article TEXT NOT NULL REFERENCES articles (name), target_lang TEXT NOT NULL,
            source_text TEXT NOT NULL, translation_id INTEGER NOT NULL REFERENCES translations (id),
            updated_at TEXT NOT NULL, PRIMARY KEY (article, target_lang, source_text))""",
        """INSERT OR IGNORE INTO article_reviews
            SELECT u.article, u.target_lang, s.text, u.translation_id, t.updated_at FROM units u
            JOIN segments s ON s.article = u.article AND s.id = u.segment_id
            JOIN translations t ON t.id = u.translation_id WHERE t.origin = 'human'""",
        # A reviewer's state on MT or memory text they did not change (the text keeps its origin).
        "ALTER TABLE units ADD COLUMN state TEXT",
        # The XLIFF versions the article's outputs were last written in (JSON list).
        "ALTER TABLE articles ADD COLUMN xliff TEXT NOT NULL DEFAULT '[\"1.2\", \"2.1\"]'",
        "CREATE INDEX segments_text ON segments (article, text)",
    ),
    (  # 3: which file an article came from (resolved path), so another file of the same name is noticed
        "ALTER TABLE articles ADD COLUMN source_file TEXT",
    ),
    (  # 4: documents with inline markup: block kinds and codes; translations keyed by their codes too
        "ALTER TABLE articles ADD COLUMN format TEXT NOT NULL DEFAULT 'text'",
        "ALTER TABLE paragraphs ADD COLUMN kind TEXT NOT NULL DEFAULT 'paragraph'",
        "ALTER TABLE paragraphs ADD COLUMN level INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE paragraphs ADD COLUMN codes TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE paragraphs ADD COLUMN end_offset INTEGER",
        "ALTER TABLE paragraphs ADD COLUMN name TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE segments ADD COLUMN codes TEXT NOT NULL DEFAULT ''",
        # SQLite cannot change a UNIQUE constraint in place: the table is rebuilt (foreign keys are
        # off while migrating, see connect) and renamed; row ids, which units point at, are kept.
        """CREATE TABLE translations_v4 (
            id INTEGER PRIMARY KEY, source_lang TEXT NOT NULL, target_lang TEXT NOT NULL,
            source_text TEXT NOT NULL, source_codes TEXT NOT NULL DEFAULT '', target_text TEXT NOT NULL,
            target_codes TEXT NOT NULL DEFAULT '', origin TEXT NOT NULL,
            state TEXT, model_name TEXT, model_version TEXT, provenance TEXT NOT NULL DEFAULT '',
            score REAL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            UNIQUE (source_lang, target_lang, source_text, source_codes, target_text, target_codes, origin))""",
        """INSERT INTO translations_v4 (id, source_lang, target_lang, source_text, target_text, origin, state,
            model_name, model_version, provenance, score, created_at, updated_at)
            SELECT id, source_lang, target_lang, source_text, target_text, origin, state, model_name,
            model_version, provenance, score, created_at, updated_at FROM translations""",
        "DROP TABLE translations",
        "ALTER TABLE translations_v4 RENAME TO translations",
        "CREATE INDEX translations_source ON translations (source_lang, target_lang, source_text)",
    ),
    (  # 5: glossaries: one row per source term of a concept, its target terms in order
        """CREATE TABLE glossary_entries (
            id INTEGER PRIMARY KEY, source_lang TEXT NOT NULL, source_text TEXT NOT NULL,
            concept TEXT NOT NULL DEFAULT '', do_not_translate INTEGER NOT NULL DEFAULT 0,
            case_sensitive INTEGER NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '',
            part_of_speech TEXT NOT NULL DEFAULT '', origin TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
            UNIQUE (source_lang, source_text, concept))""",
        """CREATE TABLE glossary_terms (
            entry_id INTEGER NOT NULL REFERENCES glossary_entries (id) ON DELETE CASCADE,
            position INTEGER NOT NULL, language TEXT NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL,
            PRIMARY KEY (entry_id, position))""",
    ),
)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating it in place if needed) and migrate the memory file at ``path``."""
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        _prepare(connection)
        migrate(connection, path)  # foreign keys off meanwhile: migration 4 rebuilds a referenced table
        connection.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a Tandem translation memory ({exc})", path=str(path)) from None
    return connection


def create(path: Path) -> sqlite3.Connection:
    """Create the memory file in place (its folder too) and open it.

    SQLite creates the file on first use; two processes doing so at once are
    serialised by the migrations' write lock, so neither can overwrite the other.
    """
    ensure_folder(path.parent)
    try:
        return connect(path)
    except InputError as exc:
        raise OutputError(f"cannot create the translation memory: {exc.message}", path=str(path)) from None


def scratch() -> sqlite3.Connection:
    """An empty, migrated memory in RAM: what lookups see before a memory file exists."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    _prepare(connection)
    migrate(connection, Path(":memory:"))
    return connection


def _prepare(connection: sqlite3.Connection) -> None:
    connection.row_factory = sqlite3.Row
    connection.create_function("reviewed", 2, _reviewed, deterministic=True)


def _reviewed(origin: str, state: str | None) -> int:
    """SQL ``reviewed(origin, state)``: human work the reviewer marked as done."""
    return int(origin == Origin.HUMAN.value and is_reviewed_state(state))


def migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Apply the numbered migrations the database has not seen, each in a transaction.

    The version is read again inside each write transaction: another process may
    have applied the migration meanwhile (both opened a new memory at once).
    """
    _check_version(_version(connection), path)
    while _version(connection) < len(MIGRATIONS):
        connection.execute("BEGIN IMMEDIATE")
        try:
            number = _version(connection) + 1
            if number <= len(MIGRATIONS):
                for statement in MIGRATIONS[number - 1]:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number:d}")  # an int: nothing to inject
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


def _version(connection: sqlite3.Connection) -> int:
    return connection.execute("PRAGMA user_version").fetchone()[0]


def _check_version(current: int, path: Path) -> None:
    if current > len(MIGRATIONS):
        raise InputError(f"translation memory schema {current} is newer than this Tandem knows "
                         f"({len(MIGRATIONS)}); upgrade Tandem", path=str(path))


@contextmanager
def transaction(connection: sqlite3.Connection, path: Path, rollback: bool = False) -> Iterator[None]:
    """One write transaction: everything inside is stored, or nothing (always nothing
    with ``rollback``: a scratch view of what a change would look like, which takes the write
    lock only if it writes, so lookups do not hold other processes up)."""
    if connection.in_transaction:  # nested: part of the enclosing transaction
        yield
        return
    try:
        connection.execute("BEGIN" if rollback else "BEGIN IMMEDIATE")
        try:
            yield
            connection.execute("ROLLBACK" if rollback else "COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:  # locked, read-only, disk full...
        raise OutputError(f"cannot write the translation memory: {exc}", path=str(path)) from None


def placeholders(values) -> str:
    """``?, ?, ?`` for a parameterised ``IN (...)``."""
    return ", ".join("?" * len(values))
