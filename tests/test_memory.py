"""The SQLite translation memory: schema, lookups, transactions."""

from __future__ import annotations

import sqlite3

import pytest

from tandem import align, memory, segment
from tandem.document import ModelInfo, Origin, Translation
from tandem.errors import InputError
from tandem.memory import Entry, Reviewed, open_memory
from tandem.readers.text import parse

MODEL = ModelInfo("translate-en_ru", "1.0", "en", "ru")


def _article(text="One fish. Two fish.\n\nRed fish."):
    return segment.segment_article(parse(text, name="fish", source_path="in/fish.txt"))


def _doc(article, origin=Origin.MT, prefix="мт"):
    ts = [Translation(s.id, "ru", f"{prefix} {s.text}", origin, score=-0.5 if origin is Origin.MT else None,
                      model=MODEL if origin is Origin.MT else None) for s in article.segments]
    return align.align(article, "ru", ts)


def test_new_memory_stays_in_ram_until_persisted(tmp_path):
    path = tmp_path / "out" / "tandem.db"
    with open_memory(path) as tm:
        tm.save_run(_article(), [_doc(_article())])
        assert not path.exists()
        tm.persist()
    assert path.is_file()
    with open_memory(path) as tm:
        assert tm.count(Origin.MT) == 3
        assert tm.article_names() == ["fish"] and tm.article_names("fish.txt") == ["fish"]


def test_schema_version_is_the_number_of_migrations(tmp_path):
    path = tmp_path / "tm.db"
    with open_memory(path) as tm:
        tm.persist()
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == len(memory.MIGRATIONS) >= 1


def test_newer_schema_and_foreign_files_are_refused(tmp_path):
    newer = tmp_path / "newer.db"
    connection = sqlite3.connect(newer)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    with pytest.raises(InputError, match="newer"):
        open_memory(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a Tandem translation memory"):
        open_memory(junk)


def test_exact_lookup_prefers_human_then_tm_then_mt(tmp_path):
    article = _article()
    text = article.segments[0].text
    with open_memory(tmp_path / "tm.db") as tm:
        tm.save_run(article, [_doc(article)])
        assert tm.best_exact("en", "ru", text, "x").origin is Origin.MT
        tm.import_entries([Entry("en", "ru", text, "из памяти", Origin.TM, provenance="a.tmx")])
        assert tm.best_exact("en", "ru", text, "x").text == "из памяти"
        human = Translation("p1.s1", "ru", "рыба раз", Origin.HUMAN, state="final", provenance="r.xlf")
        tm.store_reviewed([Reviewed("fish", "en", text, human)])
        best = tm.best_exact("en", "ru", text, "p1.s1")
        assert (best.text, best.origin, best.state, best.provenance) == ("рыба раз", Origin.HUMAN, "final", "r.xlf")
        assert tm.load_translations(article, "ru")[0].text == "рыба раз"
        assert tm.best_exact("en", "ja", text, "x") is None


def test_a_failed_transaction_stores_nothing(tmp_path):
    with open_memory(tmp_path / "tm.db") as tm:
        with pytest.raises(RuntimeError):
            with tm.transaction():
                tm._upsert("en", "Hello.", Translation("", "ru", "Привет.", Origin.TM))
                raise RuntimeError("interrupted")
        assert tm.count() == 0


def test_article_is_rebuilt_from_the_memory(tmp_path):
    article = _article()
    with open_memory(tmp_path / "tm.db") as tm:
        tm.save_run(article, [_doc(article)])
        stored, targets = tm.load_article("fish")
        assert stored == article and targets == ("ru",)
        loaded = tm.load_translations(stored, "ru")
        assert [t.text for t in loaded] == [f"мт {s.text}" for s in article.segments]
        assert loaded[0].model == MODEL and loaded[0].score == -0.5


def test_entries_export_only_reviewed_and_memory_work(tmp_path):
    article = _article()
    with open_memory(tmp_path / "tm.db") as tm:
        tm.save_run(article, [_doc(article)])
        assert tm.entries("en") == []
        tm.import_entries([Entry("en", "ja", "Red fish.", "赤い魚。", Origin.TM)])
        assert [(e.source_text, e.target_lang, e.target_text) for e in tm.entries("en")] == \
            [("Red fish.", "ja", "赤い魚。")]
        assert tm.entries("en", ["ru"]) == []


def test_import_counts_only_new_or_changed_entries(tmp_path):
    entry = Entry("en", "ru", "Hi.", "Привет.", Origin.TM, provenance="a.tmx")
    with open_memory(tmp_path / "tm.db") as tm:
        assert tm.import_entries([entry]) == 1
        assert tm.import_entries([entry]) == 0
        assert tm.count() == 1


def _review(tm, article, text, name="r.xlf", state="final", segment=0):
    seg = article.segments[segment]
    human = Translation(seg.id, "ru", text, Origin.HUMAN, state=state, provenance=name)
    tm.store_reviewed([Reviewed(article.name, "en", seg.text, human)])


def test_reverting_a_review_makes_the_revert_the_latest(tmp_path):
    """Merge A, then B, then A again: A is what the memory now offers first."""
    article = _article()
    with open_memory(tmp_path / "tm.db") as tm:
        tm.save_run(article, [_doc(article)])
        for text in ("Рыба А.", "Рыба Б.", "Рыба А."):
            _review(tm, article, text)
        best = tm.best_exact("en", "ru", article.segments[0].text, "p1.s1")
        shown = tm.load_translations(article, "ru")[0]
    assert best.text == shown.text == "Рыба А."


def test_a_run_with_fewer_languages_keeps_the_others(tmp_path):
    article = _article()
    ja = align.align(article, "ja", [Translation(s.id, "ja", f"魚 {s.id}", Origin.HUMAN, state="final")
                                     for s in article.segments])
    with open_memory(tmp_path / "tm.db") as tm:
        tm.save_run(article, [_doc(article), ja])
        tm.save_run(article, [_doc(article, prefix="снова")])  # a run with --to ru only
        _, targets = tm.load_article("fish")
        kept = tm.load_translations(article, "ja")
    assert targets == ("ru", "ja")
    assert [t.text for t in kept] == [f"魚 {s.id}" for s in article.segments]


def test_a_source_edit_in_a_run_without_a_language_drops_only_its_stale_units(tmp_path):
    article = _article()
    ja = align.align(article, "ja", [Translation(s.id, "ja", f"魚 {s.id}", Origin.HUMAN, state="final")
                                     for s in article.segments])
    edited = _article("One fish. Blue fish.\n\nRed fish.")
    with open_memory(tmp_path / "tm.db") as tm:
        tm.save_run(article, [_doc(article), ja])
        tm.save_run(edited, [_doc(edited)])
        kept = tm.load_translations(edited, "ja")
    assert [(t.text, t.origin) for t in kept] == \
        [("魚 p1.s1", Origin.HUMAN), ("", Origin.NONE), ("魚 p2.s1", Origin.HUMAN)]


def test_a_write_sqlite_refuses_is_an_output_error(tmp_path):
    from tandem.errors import OutputError

    path = tmp_path / "tm.db"
    article = _article()
    with open_memory(path) as tm:
        tm.save_run(article, [_doc(article)])
        tm.persist()
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    readonly.row_factory = sqlite3.Row
    with memory.Memory(readonly, path, persisted=True) as tm:
        with pytest.raises(OutputError, match="cannot write the translation memory"):
            tm.import_entries([Entry("en", "ru", "Hi.", "Привет.", Origin.TM)])
        with pytest.raises(OutputError, match="cannot write the translation memory"):
            _review(tm, article, "Рыба.")
