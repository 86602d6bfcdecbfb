"""Translation memory: one SQLite file that keeps every translation forever.

All of Tandem's SQL lives here.  The schema is versioned with numbered
migrations (``PRAGMA user_version``), each applied in its own transaction;
every write is one transaction, so an interrupted run or merge leaves the
memory as it was.

Tables:

* ``translations`` -- every target text ever produced or reviewed for a source
  text and language pair, with its origin (``mt``/``tm``/``human``), state,
  model or reviewed file, score and timestamps.  Rows are never deleted.
* ``articles``, ``paragraphs``, ``segments`` -- the last run's source of each
  article, so ``merge`` and ``publish`` can rebuild it without the file.
* ``units`` -- which translation each segment of an article currently shows
  per target language, with the candidates offered to the reviewer.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path, PurePath

from tandem.document import (REVIEWED_STATES, Article, BilingualDocument, Candidate, Entry, ModelInfo, Origin,
                             Paragraph, Segment, Translation)
from tandem.errors import InputError, OutputError

__all__ = ["Entry", "Memory", "Reviewed", "open_memory"]  # Entry lives in document.py; re-exported

# Human work whose state says the reviewer is done (document.is_reviewed_state).
_REVIEWED = f"(origin = 'human' AND (state IS NULL OR state IN ({', '.join(repr(s) for s in REVIEWED_STATES)})))"
# Lookup preference among exact matches: reviewed work first, then imported
# memories, then human work still in review, then earlier machine translation.
_RANK = f"CASE WHEN {_REVIEWED} THEN 0 WHEN origin = 'tm' THEN 1 WHEN origin = 'human' THEN 2 ELSE 3 END"

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
)


@dataclass(frozen=True)
class Reviewed:
    """A reviewed translation of one article segment, as merge stores it."""

    article: str
    source_lang: str
    source_text: str
    translation: Translation  # origin human; segment_id names the article's segment


class Memory:
    """An open translation memory.  Use as a context manager; see :func:`open_memory`."""

    def __init__(self, connection: sqlite3.Connection, path: Path, persisted: bool) -> None:
        self._db = connection
        self.path = path
        self._persisted = persisted  # False: lives in RAM until persist() writes the file

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # -- lookups ---------------------------------------------------------------

    def best_exact(self, source_lang: str, target_lang: str, source_text: str, segment_id: str,
                   origins: Sequence[Origin] = (Origin.HUMAN, Origin.TM, Origin.MT),
                   in_review: bool = False) -> Translation | None:
        """The best stored translation of exactly ``source_text``: reviewed, then TM, then MT.

        Human work still in review is only considered with ``in_review`` (after TM).
        """
        marks = ",".join("?" * len(origins))
        skip = "" if in_review else f"AND (origin != 'human' OR {_REVIEWED}) "
        row = self._db.execute(
            f"SELECT * FROM translations WHERE source_lang = ? AND target_lang = ? AND source_text = ? "
            f"AND origin IN ({marks}) {skip}ORDER BY {_RANK}, updated_at DESC, id DESC LIMIT 1",
            (source_lang, target_lang, source_text, *[o.value for o in origins])).fetchone()
        return _translation(row, segment_id) if row else None

    def in_review(self, source_lang: str, target_lang: str, source_text: str, segment_id: str) -> Translation | None:
        """The latest human translation of ``source_text`` still in review, or None."""
        row = self._db.execute(
            f"SELECT * FROM translations WHERE source_lang = ? AND target_lang = ? AND source_text = ? "
            f"AND origin = 'human' AND NOT {_REVIEWED} ORDER BY updated_at DESC, id DESC LIMIT 1",
            (source_lang, target_lang, source_text)).fetchone()
        return _translation(row, segment_id) if row else None

    def drafts(self, source_lang: str, target_lang: str, source_text: str, segment_id: str) -> list[Translation]:
        """Every machine or memory translation ever stored for ``source_text``: what a run may
        have written into a file as the draft."""
        rows = self._db.execute(
            "SELECT * FROM translations WHERE source_lang = ? AND target_lang = ? AND source_text = ? "
            "AND origin IN ('mt', 'tm') ORDER BY id", (source_lang, target_lang, source_text))
        return [_translation(r, segment_id) for r in rows]

    def leverage_sources(self, source_lang: str, target_lang: str) -> list[str]:
        """Every source text with reviewed or imported work for the pair (fuzzy search space)."""
        rows = self._db.execute(
            "SELECT DISTINCT source_text FROM translations WHERE source_lang = ? AND target_lang = ? "
            "AND origin IN ('human', 'tm') ORDER BY source_text", (source_lang, target_lang))
        return [r["source_text"] for r in rows]

    def current_unit(self, article: str, target_lang: str, segment_id: str) -> tuple[str, Translation] | None:
        """What the article's segment showed after the last run or merge: (source text,
        translation with the candidates offered beside it)."""
        row = self._db.execute(
            "SELECT s.text AS segment_text, u.candidates AS unit_candidates, t.* FROM units u "
            "JOIN segments s ON s.article = u.article AND s.id = u.segment_id "
            "JOIN translations t ON t.id = u.translation_id "
            "WHERE u.article = ? AND u.target_lang = ? AND u.segment_id = ?",
            (article, target_lang, segment_id)).fetchone()
        return (row["segment_text"], _shown(row, segment_id)) if row else None

    def article_names(self, original: str | None = None) -> list[str]:
        """Stored article names, or those whose source file was named ``original``."""
        if original is None:
            return [r[0] for r in self._db.execute("SELECT name FROM articles ORDER BY name")]
        rows = self._db.execute("SELECT name FROM articles WHERE original = ? ORDER BY name", (original,))
        return [r[0] for r in rows]

    def load_article(self, name: str) -> tuple[Article, tuple[str, ...]] | None:
        """The article as last run (segmented) and its target languages, or None."""
        row = self._db.execute("SELECT * FROM articles WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        segments = self._db.execute("SELECT * FROM segments WHERE article = ? ORDER BY paragraph, number",
                                    (name,)).fetchall()
        paragraphs = tuple(
            Paragraph(number=p["number"], text=p["text"], start=p["start"], segments=tuple(
                Segment(paragraph=s["paragraph"], number=s["number"], text=s["text"], start=s["start"], end=s["end"])
                for s in segments if s["paragraph"] == p["number"]))
            for p in self._db.execute("SELECT * FROM paragraphs WHERE article = ? ORDER BY number", (name,)))
        article = Article(name=name, source_path=row["source_path"], language=row["language"],
                          text=row["text"], paragraphs=paragraphs)
        return article, tuple(json.loads(row["targets"]))

    def load_translations(self, article: Article, target_lang: str) -> list[Translation]:
        """The current translation of every segment of a stored article (empty where none)."""
        rows = self._db.execute(
            "SELECT u.segment_id AS unit_id, u.candidates AS unit_candidates, t.* FROM units u "
            "LEFT JOIN translations t ON t.id = u.translation_id WHERE u.article = ? AND u.target_lang = ?",
            (article.name, target_lang)).fetchall()
        by_id = {r["unit_id"]: r for r in rows}
        result = []
        for segment in article.segments:
            row = by_id.get(segment.id)
            if row is not None and row["id"] is not None:
                result.append(_shown(row, segment.id))
                continue
            candidates = _decode_candidates(row["unit_candidates"]) if row else ()  # left empty (--no-mt)
            result.append(Translation(segment.id, target_lang, "", Origin.NONE, candidates=candidates))
        return result

    def entries(self, source_lang: str, targets: Sequence[str] | None = None,
                origins: Sequence[Origin] = (Origin.HUMAN, Origin.TM)) -> list[Entry]:
        """The best entry per source text and target language (for TMX export); human work
        still in review is left out."""
        marks = ",".join("?" * len(origins))
        rows = self._db.execute(
            f"SELECT * FROM translations WHERE source_lang = ? AND origin IN ({marks}) "
            f"AND (origin != 'human' OR {_REVIEWED}) ORDER BY source_text, target_lang, {_RANK}, updated_at DESC, id DESC",
            (source_lang, *[o.value for o in origins])).fetchall()
        best: dict[tuple[str, str], Entry] = {}
        for r in rows:
            if targets is None or r["target_lang"] in targets:
                best.setdefault((r["source_text"], r["target_lang"]), _entry(r))
        return list(best.values())

    def count(self, origin: Origin | None = None) -> int:
        """How many translations are stored (of one origin, or all)."""
        if origin is None:
            return self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM translations WHERE origin = ?",
                                (origin.value,)).fetchone()[0]

    def human_entries(self) -> list[Entry]:
        """Every reviewed translation ever stored (what must never be lost)."""
        rows = self._db.execute("SELECT * FROM translations WHERE origin = 'human' ORDER BY id")
        return [_entry(r) for r in rows]

    # -- writes (each one transaction) -------------------------------------------

    def save_run(self, article: Article, docs: Sequence[BilingualDocument]) -> None:
        """Store an article's source, its translations and what each segment now shows."""
        with self.transaction():
            self._store_source(article, tuple(d.target_language for d in docs))
            for doc in docs:
                self._store_units(article, doc)

    def store_reviewed(self, reviewed: Sequence[Reviewed]) -> None:
        """Store reviewed translations and make their article's segments show them: one transaction.

        Identical sentences elsewhere in the article get the same reviewed text.
        """
        with self.transaction():
            for r in reviewed:
                t = r.translation
                # touch: a merge that reverts to an earlier review makes it the latest again
                row_id = self._upsert(r.source_lang, r.source_text, t, touch=True)
                # The reviewed segment and every identical sentence of the article show the
                # latest review (as a re-run would); the draft's candidates have done their job.
                self._db.execute(
                    "UPDATE units SET translation_id = ?, candidates = '[]' WHERE article = ? AND target_lang = ? "
                    "AND (segment_id = ? OR segment_id IN (SELECT id FROM segments WHERE article = ? AND text = ?))",
                    (row_id, r.article, t.language, t.segment_id, r.article, r.source_text))

    def import_entries(self, entries: Sequence[Entry]) -> int:
        """Store imported entries (TMX) in one transaction; return how many were new or changed."""
        changed = 0
        with self.transaction():
            for e in entries:
                t = Translation("", e.target_lang, e.target_text, e.origin, state=e.state, provenance=e.provenance)
                before = self._db.total_changes
                self._upsert(e.source_lang, e.source_text, t)
                changed += self._db.total_changes > before
        return changed

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction: everything inside is stored, or nothing."""
        if self._db.in_transaction:  # nested: part of the enclosing transaction
            yield
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:  # locked, read-only, disk full...
            raise OutputError(f"cannot write the translation memory: {exc}", path=str(self.path)) from None

    def persist(self) -> None:
        """Make sure the memory is on disk (a new memory lives in RAM until its first save)."""
        if self._persisted:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with sqlite3.connect(self.path) as target:
                self._db.backup(target)
            target.close()
        except (OSError, sqlite3.Error) as exc:
            raise OutputError(f"cannot write the translation memory: {exc}", path=str(self.path)) from exc
        self._db.close()
        self._db = _connect(self.path)
        self._persisted = True

    def _store_source(self, article: Article, targets: tuple[str, ...]) -> None:
        """Replace the article's source; keep other languages' units where their segment is unchanged."""
        name = article.name
        row = self._db.execute("SELECT targets FROM articles WHERE name = ?", (name,)).fetchone()
        known = json.loads(row["targets"]) if row else []
        self._db.execute(
            "INSERT INTO articles (name, original, source_path, language, text, targets, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET original = excluded.original, "
            "source_path = excluded.source_path, language = excluded.language, text = excluded.text, "
            "targets = excluded.targets, updated_at = excluded.updated_at",
            (name, PurePath(article.source_path).name, article.source_path, article.language, article.text,
             json.dumps(list(dict.fromkeys([*known, *targets]))), _now()))
        marks = ",".join("?" * len(targets))
        self._db.execute(f"DELETE FROM units WHERE article = ? AND target_lang IN ({marks})", (name, *targets))
        self._drop_stale_units(article)
        for table in ("segments", "paragraphs"):
            self._db.execute(f"DELETE FROM {table} WHERE article = ?", (name,))
        self._db.executemany("INSERT INTO paragraphs VALUES (?, ?, ?, ?)",
                             [(name, p.number, p.text, p.start) for p in article.paragraphs])
        self._db.executemany("INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [(name, s.id, s.paragraph, s.number, s.text, s.start, s.end) for s in article.segments])

    def _drop_stale_units(self, article: Article) -> None:
        """Units (of languages not in this run) whose segment's text changed or vanished: they showed
        a translation of another sentence.  Their segments read as untranslated until that language runs."""
        texts = {s.id: s.text for s in article.segments}
        rows = self._db.execute("SELECT u.target_lang, u.segment_id, s.text FROM units u LEFT JOIN segments s "
                                "ON s.article = u.article AND s.id = u.segment_id WHERE u.article = ?",
                                (article.name,)).fetchall()
        self._db.executemany("DELETE FROM units WHERE article = ? AND target_lang = ? AND segment_id = ?",
                             [(article.name, r[0], r[1]) for r in rows if texts.get(r[1]) != r[2]])

    def _store_units(self, article: Article, doc: BilingualDocument) -> None:
        for pair in doc.pairs:
            t = pair.translation
            row_id = None if t.origin is Origin.NONE else self._upsert(article.language, pair.segment.text, t)
            self._db.execute("INSERT INTO units VALUES (?, ?, ?, ?, ?)",
                             (article.name, doc.target_language, pair.segment.id, row_id,
                              _encode_candidates(t.candidates)))

    def _upsert(self, source_lang: str, source_text: str, t: Translation, touch: bool = False) -> int:
        """The row id of ``t``; insert it, or update its details if they changed (or ``touch``)."""
        key = (source_lang, t.language, source_text, t.text, t.origin.value)
        values = (t.state, t.model.name if t.model else None, t.model.version if t.model else None,
                  t.provenance, t.score)
        row = self._db.execute(
            "SELECT id, state, model_name, model_version, provenance, score FROM translations WHERE "
            "source_lang = ? AND target_lang = ? AND source_text = ? AND target_text = ? AND origin = ?",
            key).fetchone()
        if row is None:
            now = _now()
            return self._db.execute("INSERT INTO translations (source_lang, target_lang, source_text, "
                                    "target_text, origin, state, model_name, model_version, provenance, "
                                    "score, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    (*key, *values, now, now)).lastrowid
        if touch or tuple(row)[1:] != values:
            self._db.execute("UPDATE translations SET state = ?, model_name = ?, model_version = ?, "
                             "provenance = ?, score = ?, updated_at = ? WHERE id = ?", (*values, _now(), row[0]))
        return row[0]


def open_memory(path: Path) -> Memory:
    """Open (and migrate) the memory at ``path``.

    A memory that does not exist yet is built in RAM and only written to
    ``path`` by :meth:`Memory.persist`, so a run that fails early leaves no file.
    """
    if path.exists():
        return Memory(_connect(path), path, persisted=True)
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.row_factory = sqlite3.Row
    _migrate(connection, path)
    return Memory(connection, path, persisted=False)


def open_existing_memory(path: Path) -> Memory:
    """Open the memory at ``path`` for commands that need earlier work (merge, publish, export)."""
    if not path.is_file():
        raise InputError(f"no translation memory at {path}: run `tandem run` first (or give --tm-db)")
    return open_memory(path)


def _connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        _migrate(connection, path)
    except sqlite3.DatabaseError as exc:
        raise InputError(f"not a Tandem translation memory ({exc})", path=str(path)) from None
    return connection


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Apply the numbered migrations the database has not seen, each in a transaction."""
    current = connection.execute("PRAGMA user_version").fetchone()[0]
    if current > len(MIGRATIONS):
        raise InputError(f"translation memory schema {current} is newer than this Tandem knows "
                         f"({len(MIGRATIONS)}); upgrade Tandem", path=str(path))
    for number in range(current + 1, len(MIGRATIONS) + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number - 1]:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number:d}")  # an int: nothing to inject
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")


def _translation(row: sqlite3.Row, segment_id: str) -> Translation:
    model = None
    if row["model_name"]:
        model = ModelInfo(row["model_name"], row["model_version"] or "", row["source_lang"], row["target_lang"])
    return Translation(segment_id=segment_id, language=row["target_lang"], text=row["target_text"],
                       origin=Origin(row["origin"]), score=row["score"], model=model, state=row["state"],
                       provenance=row["provenance"])


def _shown(row: sqlite3.Row, segment_id: str) -> Translation:
    """A unit's translation with the candidates it was offered with (row of units joined to translations)."""
    return replace(_translation(row, segment_id), candidates=_decode_candidates(row["unit_candidates"]))


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(row["source_lang"], row["target_lang"], row["source_text"], row["target_text"],
                 Origin(row["origin"]), row["state"], row["provenance"], row["created_at"], row["updated_at"])


def _encode_candidates(candidates: Sequence[Candidate]) -> str:
    return json.dumps([[c.text, c.origin.value, c.match_quality, c.source_text, c.provenance]
                       for c in candidates], ensure_ascii=False)


def _decode_candidates(data: str) -> tuple[Candidate, ...]:
    return tuple(Candidate(text, Origin(origin), quality, source, provenance)
                 for text, origin, quality, source, provenance in json.loads(data))


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
