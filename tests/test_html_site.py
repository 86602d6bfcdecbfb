"""tandem.writers.site: the pages of one article, their languages, links and markers."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

import pytest
from lxml import html as lxml_html

from tandem import align, segment
from tandem.document import Origin, Translation
from tandem.errors import InputError
from tandem.readers.text import parse
from tandem.publish import site
from tests.fixtures import hand_translated

DAY = date(2026, 12, 28)
NAMES = ["index.html", "lighthouse.en.html", "lighthouse.ru.html", "lighthouse.ja.html",
         "lighthouse.en-ru.html", "lighthouse.en-ja.html"]
PAGE_LANG = {"index.html": "en", "lighthouse.en.html": "en", "lighthouse.ru.html": "ru",
             "lighthouse.ja.html": "ja", "lighthouse.en-ru.html": "ru", "lighthouse.en-ja.html": "ja"}
STATUS = {"ru": {"mt": "Машинный перевод", "tm": "Из памяти переводов", "human": "Проверено",
                 "none": "Не переведено"},
          "ja": {"mt": "機械翻訳", "tm": "翻訳メモリから", "human": "確認済み", "none": "未翻訳"}}


@pytest.fixture(scope="module")
def docs():
    return hand_translated.documents()


@pytest.fixture(scope="module")
def pages(docs):
    return {name: lxml_html.fromstring(data) for name, data in site.render_pages(docs, DAY).items()}


def test_one_article_gives_six_pages(pages):
    assert sorted(pages) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_page_language_charset_and_title(pages, name):
    page = pages[name]
    assert page.get("lang") == PAGE_LANG[name]
    head = page.find("head")
    assert head[0].tag == "meta" and head[0].get("charset") == "utf-8"
    assert page.findtext(".//title").strip()


def test_hreflang_alternates_are_the_same_on_every_page_and_reciprocal(pages):
    expected = {("en", "lighthouse.en.html"), ("ru", "lighthouse.ru.html"),
                ("ja", "lighthouse.ja.html"), ("x-default", "index.html")}
    for name, page in pages.items():
        links = {(link.get("hreflang"), link.get("href")) for link in page.cssselect('link[rel="alternate"]')}
        assert links == expected, name
    for hreflang, href in expected - {("x-default", "index.html")}:
        # The page each alternate points to is in that language and lists itself back.
        assert pages[href].get("lang") == hreflang
        assert (hreflang, href) in {(lk.get("hreflang"), lk.get("href"))
                                    for lk in pages[href].cssselect('link[rel="alternate"]')}


@pytest.mark.parametrize("target", ["ru", "ja"])
def test_bilingual_rows_have_languages_anchors_and_status(pages, docs, target):
    page = pages[f"lighthouse.en-{target}.html"]
    doc = next(d for d in docs if d.target_language == target)
    rows = page.cssselect("tr.segment")
    assert [r.get("id") for r in rows] == [p.segment.id for p in doc.pairs]
    for row, pair in zip(rows, doc.pairs):
        sid = pair.segment.id
        source, target_cell = row.cssselect("td")
        assert (source.get("lang"), source.get("id")) == ("en", f"{sid}-en")
        assert (target_cell.get("lang"), target_cell.get("id")) == (target, f"{sid}-{target}")
        assert row.cssselect("th.sid a")[0].get("href") == f"#{sid}"
        origin = pair.translation.origin.value
        badge = target_cell.cssselect(".status")[0]
        assert badge.text_content().strip().endswith(STATUS[target][origin])
        assert badge.cssselect(".visually-hidden") and badge.get("title")
        if pair.translation.text:
            assert target_cell.cssselect(".text")[0].text_content() == pair.translation.text
    paragraphs = page.cssselect("tbody.paragraph")
    assert [b.get("id") for b in paragraphs] == [f"p{p.number}" for p in doc.article.paragraphs]


@pytest.mark.parametrize("name", NAMES)
def test_ids_are_unique_and_every_internal_link_resolves(pages, name):
    page = pages[name]
    ids = [e.get("id") for e in page.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    for a in page.cssselect("a[href]"):
        href = a.get("href")
        if href.startswith("#"):
            assert href[1:] in ids, href
        else:
            assert unquote(href) in pages, href


def test_summary_and_notice_say_how_much_is_reviewed(pages):
    ru = pages["lighthouse.en-ru.html"]
    assert ru.cssselect(".summary")[0].text_content() == "Проверено 3 из 8 предложений (38\xa0%)."
    assert "машиной" in ru.cssselect(".notice")[0].text_content()
    ja = pages["lighthouse.en-ja.html"]
    assert ja.cssselect(".summary")[0].text_content() == "全8文のうち1文が確認済みです（12%）。"
    counts = [li.text_content().split()[-1] for li in ja.cssselect(".counts li")]
    assert counts == ["1", "1", "5", "1"]  # reviewed, memory, machine, missing


@pytest.mark.parametrize("reviewed, total, expected", [
    (1, 1, "Проверено 1 из 1 предложения (100\xa0%)."),
    (2, 21, "Проверено 2 из 21 предложения (10\xa0%)."),
    (0, 3, "Проверено 0 из 3 предложений (0\xa0%)."),
    (1234, 1234, "Проверено 1\xa0234 из 1\xa0234 предложений (100\xa0%)."),
])
def test_russian_summary_uses_plural_forms_and_russian_numbers(reviewed, total, expected):
    doc = _document_with_counts(reviewed, total)
    page = lxml_html.fromstring(site.render_pages([doc], DAY)["lighthouse.en-ru.html"])
    assert page.cssselect(".summary")[0].text_content() == expected


def _document_with_counts(reviewed: int, total: int):
    """A Russian document of ``total`` one-sentence paragraphs, the first ``reviewed`` reviewed."""
    text = "\n\n".join(f"Sentence number {i}." for i in range(total))
    article = segment.segment_article(parse(text, name="lighthouse", source_path="l.txt"))
    translations = [Translation(s.id, "ru", f"Предложение {i}.", Origin.HUMAN if i < reviewed else Origin.MT)
                    for i, s in enumerate(article.segments)]
    return align.align(article, "ru", translations)


def test_dates_are_written_per_locale(pages):
    assert "December 28, 2026" in pages["lighthouse.en.html"].cssselect("footer")[0].text_content()
    assert "28 декабря 2026\u202fг." in pages["lighthouse.ru.html"].cssselect("footer")[0].text_content()
    assert "2026年12月28日" in pages["lighthouse.ja.html"].cssselect("footer")[0].text_content()


def test_reading_pages_give_every_sentence_its_language_and_anchor(pages, docs):
    ru = pages["lighthouse.ru.html"]
    spans = ru.cssselect("span.segment")
    assert [s.get("id") for s in spans] == [p.segment.id for p in docs[0].pairs]
    assert [s.get("data-origin") for s in spans] == [p.translation.origin.value for p in docs[0].pairs]
    assert ru.cssselect("h1 span.segment")[0].get("id") == "p1.s1"
    missing = ru.get_element_by_id("p5.s1")
    assert missing.get("lang") == "en"  # untranslated: the original, marked as English
    assert missing.text_content() == docs[0].pairs[6].segment.text
    assert [s.get("lang") for s in spans] == ["en" if not p.translation.text else "ru" for p in docs[0].pairs]
    english = pages["lighthouse.en.html"].cssselect("span.segment")
    assert english and all(s.get("lang") == "en" and s.get("data-origin") is None for s in english)
    assert ru.get_element_by_id("p2.s1").text_content().startswith("СЕНТ-КЛЕМЕНТ-ПОЙНТ")


def test_japanese_sentences_carry_phrase_breaks_and_no_spaces(pages):
    ja = pages["lighthouse.ja.html"]
    paragraph = ja.get_element_by_id("p2")
    assert paragraph.text_content() == ("セント・クレメント・ポイント、5月4日 — 2年にわたり240万ドルをかけて改修された"
                                        "古い灯台が、土曜日に一般公開を再開した。初日には約400人が訪れた。")
    assert len(paragraph.cssselect("wbr")) > 5
    assert not pages["lighthouse.ru.html"].cssselect("wbr")


def test_index_names_each_language_in_itself(pages):
    index = pages["index.html"]
    links = {a.get("href"): (a.get("lang"), a.text_content()) for a in index.cssselect("main a[hreflang]")}
    assert links == {"lighthouse.en.html": ("en", "English"), "lighthouse.ru.html": ("ru", "Русский"),
                     "lighthouse.ja.html": ("ja", "日本語")}
    assert {a.get("href") for a in index.cssselect("main a")} >= {"lighthouse.en-ru.html", "lighthouse.en-ja.html"}


@pytest.mark.parametrize("name", NAMES)
def test_css_is_inline_covers_scripts_and_has_no_external_assets(pages, name):
    page = pages[name]
    css = "".join(s.text for s in page.cssselect("style"))
    assert not page.cssselect('link[rel="stylesheet"], script, img, iframe')
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert re.search(r":lang\(ja\)\s*\{[^}]*line-break:\s*strict", css)
    assert re.search(r":lang\(ru\)\s*\{[^}]*hyphens:\s*auto", css)
    assert '"Noto Sans CJK JP"' in css and "@media print" in css


@pytest.mark.parametrize("name", NAMES)
def test_headings_descend_in_order_and_landmarks_exist(pages, name):
    page = pages[name]
    levels = [int(h.tag[1]) for h in page.iter("h1", "h2", "h3", "h4")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    for landmark in ("body > header", "body > main", "body > footer", "header nav[aria-label]"):
        assert len(page.cssselect(landmark)) == 1, landmark


def test_language_without_a_catalog_gets_english_chrome(docs):
    source = docs[0].article
    german = align.align(source, "de", [Translation(s.id, "de", f"Satz {s.id}.", Origin.MT)
                                        for s in source.segments])
    pages = {n: lxml_html.fromstring(d) for n, d in site.render_pages([german], DAY).items()}
    reading = pages["lighthouse.de.html"]
    assert reading.get("lang") == "de" and reading.cssselect("header")[0].get("lang") == "en"
    assert pages["lighthouse.en-de.html"].get("lang") == "en"
    assert pages["lighthouse.en-de.html"].cssselect("td.target")[0].get("lang") == "de"


def test_file_names_are_percent_encoded_in_links(docs):
    from dataclasses import replace
    renamed = [replace(d, article=replace(d.article, name="Q&A #3 100%")) for d in docs]
    pages = site.render_pages(renamed, DAY)
    assert "Q&A #3 100%.en-ru.html" in pages
    index = lxml_html.fromstring(pages["index.html"])
    assert "Q%26A%20%233%20100%25.en-ru.html" in {a.get("href") for a in index.cssselect("a")}


def test_publish_writes_every_page(docs, tmp_path):
    written = site.publish_pages(docs, tmp_path / "out", DAY)
    assert sorted(p.name for p in written) == sorted(NAMES)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(NAMES)


def test_nothing_to_publish_and_mixed_articles_are_errors(docs):
    from dataclasses import replace
    with pytest.raises(InputError):
        site.render_pages([])
    other = replace(docs[1], article=replace(docs[1].article, name="other"))
    with pytest.raises(InputError):
        site.render_pages([docs[0], other])
    with pytest.raises(InputError):
        site.render_pages([docs[0], docs[0]])
