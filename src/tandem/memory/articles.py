"""The article store: each article's last-run source and what each segment shows.

Tables:

* ``articles``, ``paragraphs``, ``segments`` -- the last run's source of each
  article, so ``merge`` and ``publish`` can rebuild it without the file;
* ``units`` -- which translation each segment currently shows per target
  language, with the candidates offered beside it and a reviewer's state on
  text they left as it was;
* ``article_reviews`` -- the article's latest human translation of each
  source *sentence*, whatever position (segment id) the sentence has now.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath

from tandem.document import (Article, BilingualDocument, BlockKind, Candidate, Origin, Paragraph, Segment,
                             Translation, codes_from_json, codes_to_json)
from tandem.memory.tm import Match, now_utc, translation


@dataclass(frozen=True)
class StoredArticle:
    """An article as the memory holds it."""

    article: Article  # segmented, as last run
    targets: tuple[str, ...]  # every language it was ever run into
    xliff: tuple[str, ...]  # XLIFF versions its outputs were last written in
    source_file: str | None = None  # the resolved path of the file it was last run from


@dataclass(frozen=True)
class Shown:
    """What a segment of an article shows in one language: its source text then, and the translation."""

    source_text: str
    translation: Translation


class ArticleStore:
    """Reads and writes the article tables of an open memory."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def names(self, original: str | None = None) -> list[str]:
        """Stored article names, or those whose source file was named ``original``."""
        if original is None:
            return [r[0] for r in self._db.execute("SELECT name FROM articles ORDER BY name")]
        return [r[0] for r in self._db.execute("SELECT name FROM articles WHERE original = ? ORDER BY name",
                                               (original,))]

    def load(self, name: str) -> StoredArticle | None:
        """The article as last run (segmented), its languages and XLIFF versions; None if unknown."""
        row = self._db.execute("SELECT * FROM articles WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        by_paragraph: dict[int, list[Segment]] = {}
        for s in self._db.execute("SELECT * FROM segments WHERE article = ? ORDER BY paragraph, number", (name,)):
            by_paragraph.setdefault(s["paragraph"], []).append(
                Segment(paragraph=s["paragraph"], number=s["number"], text=s["text"], start=s["start"], end=s["end"],
                        codes=codes_from_json(s["codes"])))
        paragraphs = tuple(_paragraph(p, tuple(by_paragraph.get(p["number"], ())))
                           for p in self._db.execute("SELECT * FROM paragraphs WHERE article = ? ORDER BY number",
                                                     (name,)))
        article = Article(name=name, source_path=row["source_path"], language=row["language"],
                          text=row["text"], paragraphs=paragraphs, format=row["format"])
        return StoredArticle(article, tuple(json.loads(row["targets"])), tuple(json.loads(row["xliff"])),
                             row["source_file"])

    def shown(self, name: str, target_lang: str) -> dict[str, Shown]:
        """Segment id -> what it shows (its source text then, translation and candidates); one query."""
        rows = self._db.execute(
            "SELECT s.text AS segment_text, u.segment_id AS unit_id, u.candidates AS unit_candidates, "
            "u.state AS unit_state, t.* FROM units u JOIN segments s ON s.article = u.article "
            "AND s.id = u.segment_id LEFT JOIN translations t ON t.id = u.translation_id "
            "WHERE u.article = ? AND u.target_lang = ?", (name, target_lang))
        return {r["unit_id"]: Shown(r["segment_text"], _shown(r, r["unit_id"], target_lang)) for r in rows}

    def translations(self, article: Article, target_lang: str) -> list[Translation]:
        """The current translation of every segment of a stored article (empty where none)."""
        shown = self.shown(article.name, target_lang)
        return [shown[s.id].translation if s.id in shown else Translation(s.id, target_lang, "", Origin.NONE)
                for s in article.segments]

    def reviews(self, name: str, target_lang: str) -> dict[str, Match]:
        """Source text -> the article's latest human translation of that sentence (any state), with
        the codes of the source it was made for."""
        rows = self._db.execute(
            "SELECT t.* FROM article_reviews r JOIN translations t ON t.id = r.translation_id "
            "WHERE r.article = ? AND r.target_lang = ?", (name, target_lang))
        return {r["source_text"]: Match(translation(r, ""), r["source_codes"]) for r in rows}

    def matching(self, units: Sequence[tuple[str, str]]) -> list[str]:
        """Names of the articles that hold every (segment id, source text) of ``units``
        (whitespace runs compared collapsed, as a merge compares them)."""
        wanted = {unit_id: " ".join(text.split()) for unit_id, text in units}
        rows = self._db.execute("SELECT article, id, text FROM segments WHERE id IN (SELECT value FROM "
                                "json_each(?))", (json.dumps(sorted(wanted)),))
        hits: dict[str, int] = {}
        for r in rows:
            if " ".join(r["text"].split()) == wanted[r["id"]]:
                hits[r["article"]] = hits.get(r["article"], 0) + 1
        return sorted(name for name, count in hits.items() if count == len(wanted))

    def save_source(self, article: Article, targets: Sequence[str], xliff: Sequence[str]) -> None:
        """Replace the article's source and its units in ``targets`` (all the languages it has)."""
        name = article.name
        self._db.execute(
            "INSERT INTO articles (name, original, source_path, language, text, targets, updated_at, xliff, "
            "source_file, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
            "original = excluded.original, source_path = excluded.source_path, language = excluded.language, "
            "text = excluded.text, targets = excluded.targets, updated_at = excluded.updated_at, "
            "xliff = excluded.xliff, source_file = excluded.source_file, format = excluded.format",
            (name, PurePath(article.source_path).name, article.source_path, article.language, article.text,
             json.dumps(list(targets)), now_utc(), json.dumps(list(xliff)), source_file(article), article.format))
        for table in ("units", "segments", "paragraphs"):
            self._db.execute(f"DELETE FROM {table} WHERE article = ?", (name,))
        self._db.executemany(
            "INSERT INTO paragraphs (article, number, text, start, kind, level, codes, end_offset, name) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(name, p.number, p.text, p.start, p.kind.value, p.level, codes_to_json(p.codes), p.end, p.name)
             for p in article.paragraphs])
        self._db.executemany(
            "INSERT INTO segments (article, id, paragraph, number, text, start, end, codes) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(name, s.id, s.paragraph, s.number, s.text, s.start, s.end, codes_to_json(s.codes))
             for s in article.segments])

    def save_units(self, name: str, doc: BilingualDocument, row_ids: Sequence[int | None]) -> None:
        """What each segment of ``doc`` shows: the translation row ``row_ids[i]`` of pair ``i``."""
        self._db.executemany(
            "INSERT INTO units (article, target_lang, segment_id, translation_id, candidates, state) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(name, doc.target_language, p.segment.id, row_id, encode_candidates(p.translation.candidates),
              _unit_state(p.translation)) for p, row_id in zip(doc.pairs, row_ids)])

    def set_xliff(self, name: str, xliff: Sequence[str]) -> None:
        """Record the XLIFF versions the article's outputs are now written in."""
        self._db.execute("UPDATE articles SET xliff = ? WHERE name = ?", (json.dumps(list(xliff)), name))

    def record_review(self, name: str, target_lang: str, source_text: str, row_id: int, source_codes: str = "") -> None:
        """Make ``row_id`` the article's latest human translation of ``source_text``, and show it on
        every segment holding that sentence with those codes (the draft's candidates have done
        their job)."""
        self._db.execute(
            "INSERT INTO article_reviews VALUES (?, ?, ?, ?, ?) ON CONFLICT (article, target_lang, source_text) "
            "DO UPDATE SET translation_id = excluded.translation_id, updated_at = excluded.updated_at",
            (name, target_lang, source_text, row_id, now_utc()))
        self._db.execute(
            "UPDATE units SET translation_id = ?, candidates = '[]', state = NULL WHERE article = ? "
            "AND target_lang = ? AND segment_id IN (SELECT id FROM segments WHERE article = ? AND text = ? "
            "AND codes = ?)", (row_id, name, target_lang, name, source_text, source_codes))

    def record_state(self, name: str, target_lang: str, source_text: str, state: str, source_codes: str = "") -> None:
        """A reviewer's state on MT or memory text they left unchanged, on every segment of that sentence."""
        self._db.execute(
            "UPDATE units SET state = ? WHERE article = ? AND target_lang = ? AND segment_id IN "
            "(SELECT id FROM segments WHERE article = ? AND text = ? AND codes = ?)",
            (state, name, target_lang, name, source_text, source_codes))


def _paragraph(row: sqlite3.Row, segments: tuple[Segment, ...]) -> Paragraph:
    return Paragraph(number=row["number"], text=row["text"], start=row["start"], segments=segments,
                     kind=BlockKind(row["kind"]), level=row["level"], codes=codes_from_json(row["codes"]),
                     end=row["end_offset"], name=row["name"])


def source_file(article: Article) -> str:
    """The resolved path of the file an article was read from: what tells two files of one name apart."""
    return os.path.realpath(article.source_path)


def _unit_state(t: Translation) -> str | None:
    """The state kept on the unit: only a reviewer's state on text that is not human work
    (human work carries its own state in ``translations``)."""
    return t.state if t.origin in (Origin.MT, Origin.TM) else None


def _shown(row: sqlite3.Row, segment_id: str, target_lang: str) -> Translation:
    """A unit row (joined to its translation) as the translation it shows, with its candidates."""
    candidates = decode_candidates(row["unit_candidates"])
    if row["id"] is None:  # left empty (--no-mt, or no model for that language)
        return Translation(segment_id, target_lang, "", Origin.NONE, candidates=candidates)
    shown = replace(translation(row, segment_id), candidates=candidates)
    return replace(shown, state=row["unit_state"]) if row["unit_state"] else shown


def encode_candidates(candidates: Sequence[Candidate]) -> str:
    return json.dumps([[c.text, c.origin.value, c.match_quality, c.source_text, c.provenance]
                       + ([codes_to_json(c.codes)] if c.codes else []) for c in candidates], ensure_ascii=False)


def decode_candidates(data: str) -> tuple[Candidate, ...]:
    return tuple(Candidate(text, Origin(origin), quality, source, provenance, codes_from_json(codes[0] if codes else ""))
                 for text, origin, quality, source, provenance, *codes in json.loads(data))
