from tandem import segment
from tandem.readers.text import parse


def spans(text):
    return [text[a:b] for a, b in segment.split_sentences(text)]


def test_basic_sentences_and_abbreviations():
    assert spans("Dr. Okafor spoke at 7 p.m. on Friday. Mr. Reyes did not.") == [
        "Dr. Okafor spoke at 7 p.m. on Friday.", "Mr. Reyes did not."]


def test_initials_and_money_do_not_break():
    assert spans("Jonas E. Smith paid $133.3 million. It rose.") == ["Jonas E. Smith paid $133.3 million.", "It rose."]


def test_quotes_close_the_sentence():
    assert spans("“We waited,” she said. “It worked.” Then silence.") == [
        "“We waited,” she said.", "“It worked.”", "Then silence."]


def test_segments_keep_article_offsets_and_ids():
    text = "Title\n\nOne. Two!  Three?\n"
    article = segment.segment_article(parse(text, name="a", source_path="a.txt"))
    ids = [s.id for s in article.segments]
    assert ids == ["p1.s1", "p2.s1", "p2.s2", "p2.s3"]
    for s in article.segments:
        assert text[s.start:s.end] == s.text
