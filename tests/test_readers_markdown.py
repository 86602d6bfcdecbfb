"""The Markdown reader: CommonMark blocks, inline codes with the source's own markup, front
matter values, and offsets that survive containers, tabs and CRLF line ends."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.document import BlockKind, CodeKind, CodeRole
from tandem.errors import InputError
from tandem.readers import markdown as markdown_reader, read_article

SAMPLE = Path(__file__).resolve().parent.parent / "src" / "tandem" / "samples" / "harbor-vote.md"


def _parse(text: str):
    return markdown_reader.parse(text, name="t", source_path="t.md")


def _by_text(article, start: str):
    return next(p for p in article.paragraphs if p.text.startswith(start))


def test_the_sample_is_read_block_by_block():
    article = read_article(SAMPLE)
    assert article.format == "markdown"
    assert [(p.kind, p.level, p.name) for p in article.paragraphs[:4]] == [
        (BlockKind.ATTRIBUTE, 0, "front-matter:title"), (BlockKind.ATTRIBUTE, 0, "front-matter:summary"),
        (BlockKind.HEADING, 1, ""), (BlockKind.PARAGRAPH, 0, "")]
    assert article.paragraphs[1].text == ("The council voted 6-3 to buy a coastal radar after two fishing boats "
                                          "collided in fog last winter.")
    assert _by_text(article, '"We are flying blind').kind is BlockKind.QUOTE
    assert [p.text for p in article.paragraphs if p.kind is BlockKind.LIST_ITEM][2] == \
        "Five years of maintenance & spare parts, costing *about* $300,000"  # escapes decoded
    assert _by_text(article, "What the money buys").level == 2
    texts = " ".join(p.text for p in article.paragraphs)
    assert "range_nm" not in texts and "ad-slot" not in texts  # fenced code and an HTML block stay
    assert "harbor, council" not in texts and "2026-12-28" not in texts  # other front matter keys stay


def test_links_keep_their_urls_in_codes_and_their_titles_as_blocks():
    article = read_article(SAMPLE)
    p = _by_text(article, "Council members read")
    assert [(c.id, c.role, c.kind, c.data) for c in p.codes[:6]] == [
        ("1", CodeRole.OPEN, CodeKind.LINK, "["), ("2", CodeRole.OPEN, CodeKind.ITALIC, "*"),
        ("3", CodeRole.OPEN, CodeKind.BOLD, "**"), ("3", CodeRole.CLOSE, CodeKind.BOLD, "**"),
        ("2", CodeRole.CLOSE, CodeKind.ITALIC, "*"),
        ("1", CodeRole.CLOSE, CodeKind.LINK,
         '](https://portalder.example/council/harbor-safety-plan.pdf "Harbor Safety Plan, October draft")')]
    assert "https://" not in p.text
    assert [(c.kind, c.data, c.equiv) for c in p.codes if c.kind is CodeKind.PROTECTED] == [
        (CodeKind.PROTECTED, "`kestrel.conf`", "kestrel.conf")]
    assert p.codes[-1].data == "][office]"  # a reference link: the label is markup too
    title = _by_text(article, "Harbor Safety Plan, October draft")
    assert title.kind is BlockKind.ATTRIBUTE and title.name == "title"
    assert article.text[title.start:title.end] == "Harbor Safety Plan, October draft"


def test_a_link_that_wraps_and_spans_two_sentences_is_one_pair():
    p = _by_text(read_article(SAMPLE), "Harbor master")
    start, end = [c.offset for c in p.codes]
    assert p.text[start:end] == "His office wrote the report on the collision. It runs to 41 pages."


def test_images_breaks_and_raw_html():
    article = read_article(SAMPLE)
    assert [(p.name, p.text) for p in article.paragraphs if p.name in ("alt", "title")][1:] == [
        ("alt", "A grey radar mast on the north breakwater at dusk"), ("title", "The north breakwater")]
    caption = _by_text(article, "The mast would stand")
    assert caption.text == "The mast would stand where the old fog bell is today. Photo: City of Port Alder"
    assert [(c.kind, c.data) for c in caption.codes][-1] == (CodeKind.BREAK, "\\\n")
    brandt = _by_text(article, "Councilor Paul Brandt")
    assert [(c.kind, c.data) for c in brandt.codes] == [(CodeKind.RAW, '<abbr title="in his words">'),
                                                        (CodeKind.RAW, "</abbr>")]


def test_spans_are_the_blocks_content_and_codes_are_found_again():
    article = read_article(SAMPLE)
    starts = markdown_reader.code_starts(article.text, article.paragraphs)
    for p, code_starts in zip(article.paragraphs, starts):
        assert article.text[p.start:p.end] == article.text[p.start:p.end].strip()
        assert [article.text.startswith(c.data, s) for c, s in zip(p.codes, code_starts)] == [True] * len(p.codes)
    heading = next(p for p in article.paragraphs if p.kind is BlockKind.HEADING)
    assert article.text[heading.start:heading.end] == "Port Alder council approves *$4.2 million* harbor radar"


def test_containers_tabs_and_crlf_keep_offsets_right():
    text = "> Quoted *text*\r\n> goes on.\r\n\r\n-\tTabbed item\r\n\r\n1. First  \r\n   second\r\n"
    article = _parse(text)
    assert [(p.kind, p.text) for p in article.paragraphs] == [
        (BlockKind.QUOTE, "Quoted text goes on."), (BlockKind.LIST_ITEM, "Tabbed item"),
        (BlockKind.LIST_ITEM, "First second")]
    quote, item, numbered = article.paragraphs
    assert text[quote.start:quote.end] == "Quoted *text*\r\n> goes on."
    assert text[item.start:item.end] == "Tabbed item"
    assert [c.data for c in numbered.codes] == ["  \r\n   "]


def test_front_matter_is_parsed_safely_and_only_its_text_keys_are_translated():
    text = ("---\ntitle: !!python/object/apply:os.system [\"echo hi\"]\nsummary: 42\n"
            "description: 'It''s the council'\n---\nBody text.\n")
    article = _parse(text)
    assert [(p.name, p.text) for p in article.paragraphs] == [
        ("front-matter:description", "It's the council"), ("", "Body text.")]
    with pytest.raises(InputError, match="front matter is not valid YAML") as caught:
        _parse("---\ntitle: [unclosed\n---\nBody.\n")
    assert caught.value.line is not None
    assert [p.text for p in _parse("---\nnot front matter\n\nBody.\n").paragraphs] == ["not front matter", "Body."]


def test_odd_but_valid_markdown_is_read():
    cases = {
        "[a](</my url> 'title')": ["a", "title"],
        "[x](javascript:alert(1))": ["[x](javascript:alert(1))"],  # not a link in CommonMark
        "*a **b** c* and _d_ \\_e\\_": ["a b c and d _e_"],
        "``code with ` tick`` here": ["here"],
        "&copy; &#35; &nbsp;x": ["\u00a9 # \u00a0x"],
        "<span>raw</span> **bold**": ["raw bold"],
        "![img *alt*][ref] text\n\n[ref]: /i.png": ["text", "img alt"],
        "Line one\\\nline two": ["Line one line two"],
        "# Title #\n\nSetext\n===": ["Title", "Setext"],
        "<https://x.example> and <a@b.example>": ["and"],
    }
    for text, expected in cases.items():
        got = sorted(p.text for p in _parse(text).paragraphs)
        assert got == sorted(expected), text


def test_empty_markdown_is_refused(tmp_path: Path):
    path = tmp_path / "empty.md"
    path.write_text("```\nonly code\n```\n\n<div>only html</div>\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_article(path)
    assert read_article(path.rename(tmp_path / "b.markdown"), format="text").format == "text"


def test_list_items_know_their_list_type_and_depth():
    article = _parse("1. One.\n   - Sub *a*.\n2. Two.\n\n- Other.\n")
    assert [(p.text, p.kind, p.level, p.name) for p in article.paragraphs] == [
        ("One.", BlockKind.LIST_ITEM, 1, "ol"), ("Sub a.", BlockKind.LIST_ITEM, 2, "ul"),
        ("Two.", BlockKind.LIST_ITEM, 1, "ol"), ("Other.", BlockKind.LIST_ITEM, 1, "ul")]
