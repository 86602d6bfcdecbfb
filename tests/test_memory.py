"""The SQLite memory: file creation, schema and migrations, lookups, transactions,
and work that belongs to the sentence rather than to its position."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from tandem import align, segment
from tandem.document import ModelInfo, Origin, Translation
from tandem.errors import InputError, OutputError
from tandem.memory import Entry, Memory, Reviewed, db, open_memory
from tandem.readers.text import parse

MODEL = ModelInfo("translate-en_ru", "1.0", "en", "ru")
XLIFF = ("1.2", "2.1")


def _article(text="One fish. Two fish.\n\nRed fish."):
    return segment.segment_article(parse(text, name="fish", source_path="in/fish.txt"))


def _doc(article, origin=Origin.MT, prefix="мт", language="ru"):
    ts = [Translation(s.id, language, f"{prefix} {s.text}", origin, score=-0.5 if origin is Origin.MT else None,
                      model=MODEL if origin is Origin.MT else None) for s in article.segments]
    return align.align(article, language, ts)


def _review(memory, article, text, name="r.xlf", state="final", segment=0, language="ru"):
    seg = article.segments[segment]
    human = Translation(seg.id, language, text, Origin.HUMAN, state=state, provenance=name)
    memory.store_reviewed([Reviewed(article.name, "en", seg.text, human)])


def test_a_new_memory_is_created_in_place_by_its_first_write_only(tmp_path):
    path = tmp_path / "out" / "tandem.db"
    with open_memory(path) as memory:
        with memory.scratch():  # lookups and a scratch import never create the file
            memory.tm.import_entries([Entry("en", "ru", "Hi.", "Привет.", Origin.TM)])
        assert not path.exists() and memory.tm.count() == 0
        memory.save_run(_article(), [_doc(_article())], XLIFF)
        assert path.is_file()
    with open_memory(path) as memory:
        assert memory.tm.count(Origin.MT) == 3
        assert memory.articles.names() == ["fish"] and memory.articles.names("fish.txt") == ["fish"]


def _create_and_import(path: str, text: str) -> None:
    with open_memory(__import__("pathlib").Path(path)) as memory:
        memory.import_entries([Entry("en", "ru", text, f"{text} (ru)", Origin.TM)])


def test_two_processes_creating_the_memory_at_once_both_keep_their_work(tmp_path):
    """The old persist() copied a RAM database over the path and could erase a file another
    process had just created; creating in place lets SQLite's lock serialise them."""
    path = tmp_path / "tandem.db"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_create_and_import, args=(str(path), f"Sentence {i}.")) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    with open_memory(path) as memory:
        assert memory.tm.count(Origin.TM) == 4


def test_schema_version_is_the_number_of_migrations(tmp_path):
    path = tmp_path / "tm.db"
    with open_memory(path) as memory:
        memory.import_entries([Entry("en", "ru", "Hi.", "Привет.", Origin.TM)])
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == len(db.MIGRATIONS) >= 2


def test_a_schema_1_memory_is_migrated_with_its_reviews_attached_to_sentences(tmp_path):
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    for statement in db.MIGRATIONS[0]:
        connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.execute("INSERT INTO articles VALUES ('fish', 'fish.txt', 'fish.txt', 'en', 'Red fish.', "
                       "'[\"ru\"]', 'x')")
    connection.execute("INSERT INTO paragraphs VALUES ('fish', 1, 'Red fish.', 0)")
    connection.execute("INSERT INTO segments VALUES ('fish', 'p1.s1', 1, 1, 'Red fish.', 0, 9)")
    connection.execute("INSERT INTO translations VALUES (1, 'en', 'ru', 'Red fish.', 'Красная рыба.', 'human', "
                       "'final', NULL, NULL, 'r.xlf', NULL, 't', 't')")
    connection.execute("INSERT INTO units VALUES ('fish', 'ru', 'p1.s1', 1, '[]')")
    connection.close()
    with open_memory(path) as memory:
        assert memory.articles.reviews("fish", "ru")["Red fish."].translation.text == "Красная рыба."
        assert memory.articles.load("fish").xliff == XLIFF


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
    with open_memory(tmp_path / "tm.db") as memory:
        memory.save_run(article, [_doc(article)], XLIFF)
        assert memory.tm.best_exact("en", "ru", text).origin is Origin.MT
        memory.import_entries([Entry("en", "ru", text, "из памяти", Origin.TM, provenance="a.tmx")])
        assert memory.tm.best_exact("en", "ru", text).text == "из памяти"
        _review(memory, article, "рыба раз")
        best = memory.tm.best_exact("en", "ru", text)
        assert (best.text, best.origin, best.state, best.provenance) == ("рыба раз", Origin.HUMAN, "final", "r.xlf")
        assert memory.articles.translations(article, "ru")[0].text == "рыба раз"
        assert memory.tm.best_exact("en", "ja", text) is None


def test_exact_lookup_of_an_article_is_one_batched_query(tmp_path):
    article = _article()
    with open_memory(tmp_path / "tm.db") as memory:
        memory.save_run(article, [_doc(article)], XLIFF)
        queries = []
        memory._db.set_trace_callback(queries.append)
        found = memory.tm.exact("en", "ru", [s.text for s in article.segments])
    assert len(queries) == 1 and set(found) == {s.text for s in article.segments}


def test_a_failed_transaction_stores_nothing(tmp_path):
    with open_memory(tmp_path / "tm.db") as memory:
        with pytest.raises(RuntimeError):
            with memory.transaction():
                memory.tm.upsert("en", "Hello.", Translation("", "ru", "Привет.", Origin.TM))
                raise RuntimeError("interrupted")
        assert memory.tm.count() == 0


def test_article_is_rebuilt_from_the_memory(tmp_path):
    article = _article()
    with open_memory(tmp_path / "tm.db") as memory:
        memory.save_run(article, [_doc(article)], ("2.1",))
        stored = memory.articles.load("fish")
        assert stored.article == article and stored.targets == ("ru",) and stored.xliff == ("2.1",)
        loaded = memory.articles.translations(stored.article, "ru")
        assert [t.text for t in loaded] == [f"мт {s.text}" for s in article.segments]
        assert loaded[0].model == MODEL and loaded[0].score == -0.5


def test_entries_export_only_reviewed_and_memory_work(tmp_path):
    article = _article()
    with open_memory(tmp_path / "tm.db") as memory:
        memory.save_run(article, [_doc(article)], XLIFF)
        assert memory.tm.entries("en") == []
        memory.import_entries([Entry("en", "ja", "Red fish.", "赤い魚。", Origin.TM)])
        assert [(e.source_text, e.target_lang, e.target_text) for e in memory.tm.entries("en")] == \
            [("Red fish.", "ja", "赤い魚。")]
        assert memory.tm.entries("en", ["ru"]) == []


def test_import_counts_new_or_changed_entries_and_refuses_blank_ones(tmp_path):
    entry = Entry("en", "ru", "Hi.", "Привет.", Origin.TM, provenance="a.tmx")
    blank = Entry("en", "ru", "Bye.", "   ", Origin.TM, provenance="a.tmx")
    with open_memory(tmp_path / "tm.db") as memory:
        assert memory.import_entries([entry, blank]) == (1, 1)
        assert memory.import_entries([entry]) == (0, 0)
        assert memory.tm.count() == 1


def test_reverting_a_review_makes_the_revert_the_latest(tmp_path):
    """Merge A, then B, then A again: A is what the memory now offers first."""
    article = _article()
    with open_memory(tmp_path / "tm.db") as memory:
        memory.save_run(article, [_doc(article)], XLIFF)
        for text in ("Рыба А.", "Рыба Б.", "Рыба А."):
            _review(memory, article, text)
        best = memory.tm.best_exact("en", "ru", article.segments[0].text)
        shown = memory.articles.translations(article, "ru")[0]
    assert best.text == shown.text == "Рыба А."


def test_a_review_belongs_to_its_sentence_wherever_the_sentence_is(tmp_path):
    article = _article("One fish. Two fish.\n\nOne fish.")
    with open_memory(tmp_path / "tm.db") as memory:
        memory.save_run(article, [_doc(article)], XLIFF)
        _review(memory, article, "Одна рыба.", state="needs-review-translation")
        shown = [t.text for t in memory.articles.translations(article, "ru")]
        reviews = memory.articles.reviews("fish", "ru")
    assert shown == ["Одна рыба.", "мт Two fish.", "Одна рыба."]  # every segment of that sentence
    assert reviews["One fish."].translation.in_review


def test_a_state_only_decision_is_kept_on_the_unit_not_on_the_shared_row(tmp_path):
    article = _article()
    seg = article.segments[0]
    with open_memory(tmp_path / "tm.db") as memory:
        memory.save_run(article, [_doc(article)], XLIFF)
        mt = memory.articles.translations(article, "ru")[0]
        memory.store_reviewed([Reviewed("fish", "en", seg.text, Translation(
            seg.id, "ru", mt.text, Origin.MT, state="needs-translation", model=MODEL))])
        shown = memory.articles.translations(article, "ru")[0]
        row = memory.tm.best_exact("en", "ru", seg.text)
    assert (shown.origin, shown.state, shown.model) == (Origin.MT, "needs-translation", MODEL)
    assert row.state is None


def test_a_write_sqlite_refuses_is_an_output_error(tmp_path):
    path = tmp_path / "tm.db"
    article = _article()
    with open_memory(path) as memory:
        memory.save_run(article, [_doc(article)], XLIFF)
    readonly = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    readonly.row_factory = sqlite3.Row
    readonly.create_function("reviewed", 2, lambda origin, state: 0)
    with Memory(readonly, path, on_disk=True) as memory:
        with pytest.raises(OutputError, match="cannot write the translation memory"):
            memory.import_entries([Entry("en", "ru", "Hi.", "Привет.", Origin.TM)])
        with pytest.raises(OutputError, match="cannot write the translation memory"):
            _review(memory, article, "Рыба.")
