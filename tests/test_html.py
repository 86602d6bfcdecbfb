"""tandem.writers.html: review summaries, headlines, BudouX phrases, escaping."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, strategies as st
from lxml import html as lxml_html

from tandem import align, segment
from tandem.document import Origin, Translation, word_separator
from tandem.readers.text import parse
from tandem.publish import html, site
from tests.fixtures import hand_translated

TRICKY = ('He wrote <script>alert("x")</script> & left. “Fine,” she said — [the] <b>end</b>.\n\n'
          "Second paragraph with 'single' & \"double\" quotes and &amp; entity-like text.")
TARGET = 'Перевод <script>alert(1)</script> & «{i}» "q" \'s\' &lt;'


@pytest.fixture
def tricky_docs():
    article = segment.segment_article(parse(TRICKY, name='x"><img src=x>', source_path="in/t.txt"))
    docs = []
    for language in ("ru", "ja"):
        translations = [Translation(s.id, language, TARGET.format(i=i), Origin.MT)
                        for i, s in enumerate(article.segments)]
        docs.append(align.align(article, language, translations))
    return docs


def test_article_text_and_name_appear_as_text_on_every_page(tricky_docs):
    pages = site.render_pages(tricky_docs, date(2026, 12, 28))
    for name, data in pages.items():
        page = lxml_html.fromstring(data)
        assert not page.cssselect("script, img, b"), name
        assert "<script>" not in data.decode("utf-8"), name
    bilingual = lxml_html.fromstring(pages['x"><img src=x>.en-ru.html'])
    sources = [td.text_content() for td in bilingual.cssselect("td.source")]
    assert sources == [s.text for s in tricky_docs[0].article.segments]
    targets = [td.cssselect(".text")[0].text_content() for td in bilingual.cssselect("td.target")]
    assert targets == [TARGET.format(i=i) for i in range(len(targets))]


def test_japanese_text_keeps_escaping_between_phrase_breaks(tricky_docs):
    page = lxml_html.fromstring(site.render_pages(tricky_docs)['x"><img src=x>.en-ja.html'])
    cell = page.cssselect("td.target .text")[0]
    assert cell.text_content() == TARGET.format(i=0)
    assert not page.cssselect("td.target script")


def test_summary_counts_segments_by_origin():
    ru = hand_translated.documents()[0]
    assert html.summarize(ru) == html.ReviewSummary(total=8, reviewed=3, memory=2, machine=2, missing=1)
    assert not html.summarize(ru).fully_reviewed


@pytest.mark.parametrize("text, expected", [
    ("Lighthouse museum reopens after $2.4 million repair", 1),
    ("The museum reopened on Saturday.", None),
    ("“It is back,” she said.”", None),
])
def test_headline_is_a_single_unpunctuated_first_sentence(text, expected):
    article = segment.segment_article(parse(text + "\n\nBody text. More text.", name="a", source_path="a.txt"))
    found = html.headline(article.paragraphs)
    assert (found.number if found else None) == expected


def test_japanese_is_cut_into_budoux_phrases():
    text = "古い灯台が、土曜日に一般公開を再開した。"
    pieces = html.phrases(text, "ja")
    assert len(pieces) > 2 and "".join(pieces) == text
    assert html.phrases(text, "ru") == [text]


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_phrases_never_lose_or_add_characters(text):
    assert "".join(html.phrases(text, "ja")) == text


def test_phrase_breaks_never_fall_inside_numbers_or_latin_words():
    text = "「Signals & <Lamps>」と題した展示では、1890年から1952年までの日誌とSM-3 Block IIAが紹介された。"
    pieces = html.phrases(text, "ja")
    assert "".join(pieces) == text
    for left, right in zip(pieces, pieces[1:]):
        assert not (left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum()), \
            (left, right)


def test_sentences_are_joined_without_spaces_only_in_japanese():
    assert word_separator("ja") == "" and word_separator("ru") == " "


def _notices(origin: Origin) -> list[str]:
    """The review notices of the en-ru bilingual page and the ru reading page, all segments from ``origin``."""
    source = hand_translated.article()
    translations = [Translation(s.id, "ru", "Проверочный текст.", origin) for s in source.segments]
    pages = site.render_pages([align.align(source, "ru", translations)], date(2026, 12, 28))
    return [lxml_html.fromstring(pages[name]).cssselect("p.notice")[0].text_content()
            for name in ("lighthouse.en-ru.html", "lighthouse.ru.html")]


def test_the_notice_says_machine_only_when_machine_translation_is_on_the_page():
    for notice in _notices(Origin.TM):
        assert "не проверена редактором" in notice and "машин" not in notice
    for notice in _notices(Origin.MT):
        assert "машин" in notice
