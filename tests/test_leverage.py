"""Lookup order: the article's own human work -> reviewed -> exact TM/MT -> fuzzy candidates -> MT."""

from __future__ import annotations

from tandem import align, leverage, segment
from tandem.document import Origin, Translation
from tandem.memory import Entry, Reviewed, open_memory
from tandem.readers.text import parse

XLIFF = ("1.2", "2.1")


def _article(text):
    return segment.segment_article(parse(text, name="a", source_path="a.txt"))


def test_unknown_segments_go_to_mt_and_known_ones_do_not(tmp_path):
    article = _article("The harbor is closed. The ferry runs at noon.")
    with open_memory(tmp_path / "tm.db") as tm:
        tm.import_entries([Entry("en", "ru", "The harbor is closed.", "Гавань закрыта.", Origin.TM)])
        plan = leverage.plan(tm, article, "ru", 75)
    assert [s.text for s in plan.todo] == ["The ferry runs at noon."]
    assert plan.found["p1.s1"].origin is Origin.TM
    done = leverage.complete(plan, None)
    assert [(t.origin, t.text) for t in done] == [(Origin.TM, "Гавань закрыта."), (Origin.NONE, "")]


def test_fuzzy_match_is_a_candidate_never_the_target(tmp_path):
    article = _article("The harbor is closed today.")
    with open_memory(tmp_path / "tm.db") as tm:
        tm.import_entries([Entry("en", "ru", "The harbor is closed.", "Гавань закрыта.", Origin.TM),
                           Entry("en", "ru", "Completely different words here.", "Другое.", Origin.TM)])
        plan = leverage.plan(tm, article, "ru", 75)
    assert [s.id for s in plan.todo] == ["p1.s1"]
    mt = {"p1.s1": Translation("p1.s1", "ru", "машинный", Origin.MT)}
    (result,) = leverage.complete(plan, mt)
    assert result.text == "машинный" and result.origin is Origin.MT
    (candidate,) = result.candidates
    assert candidate.text == "Гавань закрыта." and candidate.source_text == "The harbor is closed."
    assert 75 <= candidate.match_quality < 100


def test_edited_segment_offers_its_old_reviewed_translation(tmp_path):
    old = _article("Ships wait outside the port for hours every single day.")
    new = _article("Boats now queue far beyond the old northern pier at dawn.")  # not similar at all
    with open_memory(tmp_path / "tm.db") as tm:
        doc = align.align(old, "ru", [Translation("p1.s1", "ru", "мт", Origin.MT)])
        tm.save_run(old, [doc], XLIFF)
        human = Translation("p1.s1", "ru", "Суда ждут.", Origin.HUMAN, state="final", provenance="r.xlf")
        tm.store_reviewed([Reviewed("a", "en", old.segments[0].text, human)])
        plan = leverage.plan(tm, new, "ru", 75)
    (candidate,) = plan.candidates["p1.s1"]
    assert (candidate.text, candidate.origin, candidate.provenance) == ("Суда ждут.", Origin.HUMAN, "r.xlf")
    assert candidate.match_quality < 75


def test_human_beats_earlier_mt_of_the_same_text(tmp_path):
    article = _article("Hello there.")
    with open_memory(tmp_path / "tm.db") as tm:
        tm.save_run(article, [align.align(article, "ru", [Translation("p1.s1", "ru", "мт", Origin.MT)])], XLIFF)
        human = Translation("p1.s1", "ru", "Привет.", Origin.HUMAN, state="translated")
        tm.store_reviewed([Reviewed("a", "en", "Hello there.", human)])
        plan = leverage.plan(tm, article, "ru", 75)
    assert plan.todo == () and plan.found["p1.s1"].text == "Привет."


def _run_and_review(tm, article, text, state="final", name="r.xlf"):
    tm.save_run(article, [align.align(article, "ru", [Translation(s.id, "ru", "мт", Origin.MT)
                                                      for s in article.segments])], XLIFF)
    seg = article.segments[0]
    human = Translation(seg.id, "ru", text, Origin.HUMAN, state=state, provenance=name)
    tm.store_reviewed([Reviewed(article.name, "en", seg.text, human)])


def test_work_in_review_is_a_candidate_elsewhere_never_the_target(tmp_path):
    first = _article("The pier reopens in May.")
    other = segment.segment_article(parse("The pier reopens in May.", name="b", source_path="b.txt"))
    with open_memory(tmp_path / "tm.db") as tm:
        _run_and_review(tm, first, "Причал откроется в мае?", state="needs-translation")
        same_article = leverage.plan(tm, first, "ru", 75)
        elsewhere = leverage.plan(tm, other, "ru", 75)
    # its own segment keeps showing the reviewer's unfinished work...
    assert (same_article.found["p1.s1"].text, same_article.found["p1.s1"].in_review) == \
        ("Причал откроется в мае?", True)
    # ...another article gets the earlier MT as target and the work in review as a candidate
    found = elsewhere.found["p1.s1"]
    assert (found.text, found.origin) == ("мт", Origin.MT)
    assert [(c.text, c.origin) for c in found.candidates] == [("Причал откроется в мае?", Origin.HUMAN)]


def test_a_rerun_keeps_the_review_its_segment_shows(tmp_path):
    """Another article's later review of the same sentence does not replace this article's own."""
    first = _article("The pier reopens in May.")
    other = segment.segment_article(parse("The pier reopens in May.", name="b", source_path="b.txt"))
    with open_memory(tmp_path / "tm.db") as tm:
        _run_and_review(tm, first, "Причал откроется в мае.")
        _run_and_review(tm, other, "Пирс снова откроют в мае.")
        again = leverage.plan(tm, first, "ru", 75)
    assert again.found["p1.s1"].text == "Причал откроется в мае."


def test_a_rerun_keeps_work_in_review_over_an_earlier_finished_review(tmp_path):
    article = _article("The pier reopens in May.")
    with open_memory(tmp_path / "tm.db") as tm:
        _run_and_review(tm, article, "Причал откроется в мае.")
        seg = article.segments[0]
        later = Translation(seg.id, "ru", "Пирс откроют в мае?", Origin.HUMAN, state="needs-review-translation")
        tm.store_reviewed([Reviewed("a", "en", seg.text, later)])
        again = leverage.plan(tm, article, "ru", 75)
    assert (again.found["p1.s1"].text, again.found["p1.s1"].in_review) == ("Пирс откроют в мае?", True)


def test_a_sentence_that_moved_keeps_its_work_in_review(tmp_path):
    """Work belongs to the sentence: inserted text above moves its id, not its translation."""
    before = _article("The pier reopens in May.")
    after = _article("A new first sentence. The pier reopens in May.")
    with open_memory(tmp_path / "tm.db") as tm:
        _run_and_review(tm, before, "Пирс откроют в мае?", state="needs-review-translation")
        plan = leverage.plan(tm, after, "ru", 75)
    assert [s.id for s in plan.todo] == ["p1.s1"]
    assert (plan.found["p1.s2"].text, plan.found["p1.s2"].in_review) == ("Пирс откроют в мае?", True)


def test_planning_an_article_costs_the_same_queries_whatever_its_length(tmp_path):
    short = _article("One. Two.")
    long = _article(" ".join(f"Sentence number {i} is here." for i in range(60)))
    with open_memory(tmp_path / "tm.db") as tm:
        tm.import_entries([Entry("en", "ru", "Sentence number 1 is there.", "Предложение.", Origin.TM)])
        counts = []
        for article in (short, long):
            queries = []
            tm._db.set_trace_callback(queries.append)
            leverage.Planner(tm, 75).plan(article, "ru")
            counts.append(len(queries))
    assert counts[0] == counts[1] <= 5
