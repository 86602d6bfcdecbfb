"""The translation memory proper: every translation ever produced or reviewed.

Table ``translations``: a target text for a source text and language pair,
with its origin (``mt``/``tm``/``human``), state, model or reviewed file,
score and timestamps.  Rows are never deleted.  Lookups are batched: one
query finds every stored translation of all the sentences of an article.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from tandem.document import (Entry, InlineCode, ModelInfo, Origin, Translation, codes_from_json, codes_to_json,
                             target_problem)
from tandem.memory.db import placeholders

# Lookup preference among exact matches: reviewed work first, then imported
# memories, then human work still in review, then earlier machine translation;
# the latest first within each.
RANK = ("CASE WHEN reviewed(origin, state) THEN 0 WHEN origin = 'tm' THEN 1 WHEN origin = 'human' THEN 2 "
        "ELSE 3 END, updated_at DESC, id DESC")


@dataclass(frozen=True)
class Match:
    """A stored translation of a source text, with the codes of the source it was made for
    (a match is exact only when those are the segment's codes too)."""

    translation: Translation
    source_codes: str  # codes_to_json of the source's codes ('' for plain text)


class TranslationMemory:
    """Reads and writes the ``translations`` table of an open memory."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def exact(self, source_lang: str, target_lang: str, texts: Iterable[str]) -> dict[str, list[Match]]:
        """Every stored translation of each of ``texts`` (whatever codes its source had), best first
        (see ``RANK``); one query.

        The translations' ``segment_id`` is empty: the caller knows which segments it asks for.
        A blank target (only a memory written before imports refused them can hold one) is no
        translation and is never offered.
        """
        rows = self._db.execute(
            f"SELECT * FROM translations WHERE source_lang = ? AND target_lang = ? AND source_text IN "
            f"(SELECT value FROM json_each(?)) AND trim(target_text) != '' ORDER BY source_text, {RANK}",
            (source_lang, target_lang, json.dumps(sorted(set(texts)), ensure_ascii=False))).fetchall()
        found: dict[str, list[Match]] = {}
        for row in rows:
            found.setdefault(row["source_text"], []).append(Match(translation(row, ""), row["source_codes"]))
        return found

    def best_exact(self, source_lang: str, target_lang: str, source_text: str) -> Translation | None:
        """The best stored translation of exactly ``source_text`` that is not human work in review."""
        ranked = self.exact(source_lang, target_lang, [source_text]).get(source_text, [])
        return next((m.translation for m in ranked if not m.translation.in_review), None)

    def drafts(self, source_lang: str, target_lang: str, source_text: str) -> list[Translation]:
        """Every machine or memory translation ever stored for ``source_text``: what a run may
        have written into a file as the draft."""
        rows = self._db.execute(
            "SELECT * FROM translations WHERE source_lang = ? AND target_lang = ? AND source_text = ? "
            "AND origin IN ('mt', 'tm') ORDER BY id", (source_lang, target_lang, source_text))
        return [translation(r, "") for r in rows]

    def leverage_sources(self, source_lang: str, target_lang: str) -> list[str]:
        """Every source text with human or imported work for the pair (the fuzzy search space)."""
        rows = self._db.execute(
            "SELECT DISTINCT source_text FROM translations WHERE source_lang = ? AND target_lang = ? "
            "AND origin IN ('human', 'tm') ORDER BY source_text", (source_lang, target_lang))
        return [r["source_text"] for r in rows]

    def entries(self, source_lang: str, targets: Sequence[str] | None = None,
                origins: Sequence[Origin] = (Origin.HUMAN, Origin.TM)) -> list[Entry]:
        """The best entry per source text and target language (for TMX export); human work
        still in review is left out."""
        rows = self._db.execute(
            f"SELECT * FROM translations WHERE source_lang = ? AND origin IN ({placeholders(origins)}) "
            f"AND (origin != 'human' OR reviewed(origin, state)) ORDER BY source_text, target_lang, {RANK}",
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
        """Every human translation ever stored (what must never be lost)."""
        rows = self._db.execute("SELECT * FROM translations WHERE origin = 'human' ORDER BY id")
        return [_entry(r) for r in rows]

    def import_entries(self, entries: Sequence[Entry]) -> tuple[int, int]:
        """Store imported entries (TMX); return (new or changed, refused).  The caller holds the
        transaction.  An entry whose target is no translation (blank, or a character XML cannot
        hold) is refused, by the same rule as a reviewed unit in a merge."""
        changed = refused = 0
        for e in entries:
            if target_problem(e.target_text) or not e.source_text.strip():
                refused += 1
                continue
            t = Translation("", e.target_lang, e.target_text, e.origin, state=e.state, provenance=e.provenance)
            before = self._db.total_changes
            self.upsert(e.source_lang, e.source_text, t)
            changed += self._db.total_changes > before
        return changed, refused

    def upsert(self, source_lang: str, source_text: str, t: Translation, touch: bool = False,
               source_codes: tuple[InlineCode, ...] = ()) -> int:
        """The row id of ``t`` (a translation of ``source_text`` with ``source_codes``); insert it,
        or update its details if they changed (or ``touch``: a merge that reverts to an earlier
        review makes it the latest again)."""
        key = (source_lang, t.language, source_text, codes_to_json(source_codes), t.text, codes_to_json(t.codes),
               t.origin.value)
        values = (t.state, t.model.name if t.model else None, t.model.version if t.model else None,
                  t.provenance, t.score)
        row = self._db.execute(
            "SELECT id, state, model_name, model_version, provenance, score FROM translations WHERE "
            "source_lang = ? AND target_lang = ? AND source_text = ? AND source_codes = ? AND target_text = ? "
            "AND target_codes = ? AND origin = ?", key).fetchone()
        if row is None:
            now = now_utc()
            return self._db.execute("INSERT INTO translations (source_lang, target_lang, source_text, "
                                    "source_codes, target_text, target_codes, origin, state, model_name, "
                                    "model_version, provenance, score, created_at, updated_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    (*key, *values, now, now)).lastrowid
        if touch or tuple(row)[1:] != values:
            self._db.execute("UPDATE translations SET state = ?, model_name = ?, model_version = ?, "
                             "provenance = ?, score = ?, updated_at = ? WHERE id = ?", (*values, now_utc(), row[0]))
        return row[0]


def translation(row: sqlite3.Row, segment_id: str) -> Translation:
    """A ``translations`` row as the model's :class:`Translation` of segment ``segment_id``."""
    model = None
    if row["model_name"]:
        model = ModelInfo(row["model_name"], row["model_version"] or "", row["source_lang"], row["target_lang"])
    return Translation(segment_id=segment_id, language=row["target_lang"], text=row["target_text"],
                       origin=Origin(row["origin"]), score=row["score"], model=model, state=row["state"],
                       provenance=row["provenance"], codes=codes_from_json(row["target_codes"]))


def _entry(row: sqlite3.Row) -> Entry:
    return Entry(row["source_lang"], row["target_lang"], row["source_text"], row["target_text"],
                 Origin(row["origin"]), row["state"], row["provenance"], row["created_at"], row["updated_at"])


def now_utc() -> str:
    """The timestamp format of every row: ISO 8601, UTC, microseconds (orders correctly as text)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
