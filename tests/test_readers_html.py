"""The HTML reader: blocks and their kinds, plain text and codes, the article body of a saved
page, and hostile or broken markup."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from tandem.document import BlockKind, CodeKind, CodeRole
from tandem.errors import InputError
from tandem.readers import html as html_reader, read_article

SAMPLES = Path(__file__).resolve().parent.parent / "src" / "tandem" / "samples"
FRAGMENT = SAMPLES / "harbor-vote.html"
PAGE = SAMPLES / "harbor-vote-page.html"
LEGACY = SAMPLES / "harbor-vote-legacy.html"
BLOG = SAMPLES / "ferry-strike-page.html"  # a blog engine's saved page: divs, no <article> or <main>


def _parse(text: str, **options):
    return html_reader.parse(text, name="t", source_path="t.html", **options)


def _by_text(article, start: str):
    return next(p for p in article.paragraphs if p.text.startswith(start))


def test_the_fragment_is_read_block_by_block_with_kinds_and_levels():
    article = read_article(FRAGMENT)
    assert article.format == "html" and article.name == "harbor-vote"
    kinds = [(p.kind, p.level, p.name) for p in article.paragraphs]
    assert kinds[:3] == [(BlockKind.HEADING, 1, ""), (BlockKind.PARAGRAPH, 0, ""), (BlockKind.PARAGRAPH, 0, "")]
    assert [p.text for p in article.paragraphs if p.kind is BlockKind.LIST_ITEM] == [
        "A radar mast on the north breakwater, 18 meters tall",
        "Two screens in the pilots\u2019 station, with live tracks of every vessel",
        "Five years of maintenance & spare parts"]
    assert _by_text(article, "\u201cWe are flying blind").kind is BlockKind.QUOTE
    assert _by_text(article, "What the money buys").level == 2
    assert _by_text(article, "The mast would stand").kind is BlockKind.CAPTION
    assert _by_text(article, "Tuesday\u2019s vote").kind is BlockKind.CAPTION
    assert [p.text for p in article.paragraphs if p.kind is BlockKind.CELL] == [
        "Council member", "Vote", "Ines Okafor", "Yes", "Paul Brandt", "No"]
    assert [(p.kind, p.text) for p in article.paragraphs if p.kind in (BlockKind.TERM, BlockKind.DEFINITION)][:2] == [
        (BlockKind.TERM, "Cost"), (BlockKind.DEFINITION, "$4.2 million over five years, from the harbor fund")]
    assert [(p.name, p.text) for p in article.paragraphs if p.kind is BlockKind.ATTRIBUTE] == [
        ("title", "Harbor Safety Plan, October draft"),
        ("alt", "A grey radar mast on the north breakwater at dusk"),
        ("title", "vessel traffic service")]
    assert [p.number for p in article.paragraphs] == list(range(1, len(article.paragraphs) + 1))


def test_plain_text_collapses_whitespace_and_decodes_entities():
    article = read_article(FRAGMENT)
    lead = _by_text(article, "The Port Alder city council")
    assert lead.text == ("The Port Alder city council voted 6\u20133 on Tuesday to buy a coastal radar for the "
                         "harbor, ending a debate that began after two fishing boats collided in fog last winter.")
    assert "12\u00a0nautical miles" in _by_text(article, "The system").text  # &nbsp; is not a space
    assert _by_text(article, "By Mara").text == "By Mara Lindqvist \u00b7 December 28"


def test_every_span_is_the_blocks_content_in_the_document():
    article = read_article(PAGE)
    for p in article.paragraphs:
        raw = article.text[p.start:p.end]
        if p.kind is BlockKind.ATTRIBUTE:
            assert " ".join(html.unescape(raw).split()) == p.text
        else:
            assert raw == raw.strip() and not raw.startswith("<p")
            visible = " ".join(html.unescape(_strip_tags(raw)).split())
            assert visible.replace(" ", "") .startswith(p.text.replace(" ", "")[:10])


def _strip_tags(raw: str) -> str:
    import re
    return re.sub(r"<[^>]*>", " ", raw)


def test_links_with_nested_emphasis_are_paired_codes_with_the_markup_as_data():
    p = _by_text(read_article(FRAGMENT), "The system")
    pairs = [(c.id, c.role, c.kind, c.data) for c in p.codes if c.kind is not CodeKind.PROTECTED]
    assert pairs == [
        ("3", CodeRole.OPEN, CodeKind.LINK, '<a href="https://portalder.example/council/harbor-safety-plan.pdf" '
                                            'title="Harbor Safety Plan, October draft">'),
        ("4", CodeRole.OPEN, CodeKind.ITALIC, "<em>"),
        ("5", CodeRole.OPEN, CodeKind.BOLD, "<strong>"),
        ("5", CodeRole.CLOSE, CodeKind.BOLD, "</strong>"),
        ("4", CodeRole.CLOSE, CodeKind.ITALIC, "</em>"),
        ("3", CodeRole.CLOSE, CodeKind.LINK, "</a>")]
    link = [c.offset for c in p.codes if c.id == "3"]
    assert p.text[link[0]:link[1]] == "Harbor Safety Plan"
    bold = [c.offset for c in p.codes if c.id == "5"]
    assert p.text[bold[0]:bold[1]] == "Safety"


def test_translate_no_and_notranslate_become_protected_codes_outside_the_text():
    p = _by_text(read_article(FRAGMENT), "The system")
    protected = [c for c in p.codes if c.kind is CodeKind.PROTECTED]
    assert [(c.role, c.data, c.equiv) for c in protected] == [
        (CodeRole.STANDALONE, '<span translate="no">Kestrel SR-400</span>', "Kestrel SR-400"),
        (CodeRole.STANDALONE, '<span class="notranslate">Nordhavn Marine</span>', "Nordhavn Marine")]
    assert "Kestrel" not in p.text and "Nordhavn" not in p.text
    assert p.text.startswith("The system, a  built by , will cover")  # a visible code keeps its spaces
    assert [c.offset for c in protected] == [14, 24]


def test_a_link_spanning_two_sentences_is_one_pair_in_the_paragraph():
    p = _by_text(read_article(FRAGMENT), "Harbor master")
    (start, end) = [c.offset for c in p.codes]
    assert p.text[start:end] == ("His office wrote the report on the collision. "
                                 "It runs to 41 pages and names fog as the main cause.")


def test_breaks_images_and_inline_quotes():
    article = read_article(FRAGMENT)
    caption = _by_text(article, "The mast would stand")
    assert caption.text == "The mast would stand where the old fog bell is today. Photo: City of Port Alder"
    assert [(c.kind, c.role, c.data) for c in caption.codes][0] == (CodeKind.BREAK, CodeRole.STANDALONE, "<br>")
    quote = _by_text(article, "Councilor Paul Brandt")
    assert [(c.kind, c.data) for c in quote.codes] == [(CodeKind.QUOTE, "<q>"), (CodeKind.QUOTE, "</q>")]
    inline = _parse('<p>The <img src="m.jpg" alt="mast"> stands.</p>').paragraphs
    assert inline[0].text == "The  stands." and inline[0].codes[0].kind is CodeKind.IMAGE
    assert inline[0].codes[0].equiv == "mast" and inline[1].name == "alt"


def test_a_whole_saved_page_reads_the_story_and_none_of_its_furniture():
    page, fragment = read_article(PAGE), read_article(FRAGMENT)
    assert [(p.kind, p.text) for p in page.paragraphs] == [(p.kind, p.text) for p in fragment.paragraphs]
    everything = " ".join(p.text for p in page.paragraphs)
    for furniture in ("cookies", "Accept all", "Sports", "Share this story", "More from the harbor",
                      "Injected", "never a block", "All rights reserved", "Courier logo", "Search"):
        assert furniture not in everything


def test_a_page_without_article_or_main_leaves_its_furniture_out():
    article = read_article(LEGACY)
    texts = [p.text for p in article.paragraphs]
    assert texts[:2] == ["Council buys harbor radar after long debate", "PORT ALDER, Dec. 28 \u2014"]
    for furniture in ("cookies", "Most read", "Comments", "Finally!", "Copyright", "Home"):
        assert not any(furniture in t for t in texts)


def test_a_blog_engines_page_keeps_the_story_and_drops_skip_links_bars_widgets_and_related_posts():
    article = read_article(BLOG)
    texts = [p.text for p in article.paragraphs]
    assert texts[:2] == ["Ferry crews walk out as talks stall", "By Ines Okafor March 5, 2027"]
    assert texts[-2:] == ["The last strike, in 2019, lasted 11 days. Talks resume on Friday at 10 a.m. at the RLO.",
                          "Regional Labour Office"]
    assert [p.kind for p in article.paragraphs].count(BlockKind.LIST_ITEM) == 3  # the story's own list only
    for furniture in ("Skip to content", "Subscribe", "Advertisement", "Share this", "Related", "Bridge tolls",
                      "Leave a Reply", "About time", "Most read", "newsletter", "cookies", "Home", "Tagged"):
        assert not any(furniture in t for t in texts), furniture


def test_select_names_the_article_body():
    story = read_article(LEGACY, select="div.story-body")
    assert [p.text for p in story.paragraphs][-1] == "The north breakwater, where the mast will stand"
    comments = read_article(LEGACY, select="#comments .comment")
    assert [p.text for p in comments.paragraphs] == ["Finally! About time the council listened.",
                                                     "Half the price with the state grant, as usual."]
    with pytest.raises(InputError, match="matches nothing"):
        read_article(LEGACY, select="section.missing")
    with pytest.raises(InputError, match="bad CSS selector"):
        read_article(LEGACY, select="div[")


def test_readers_are_chosen_by_extension_or_named(tmp_path: Path):
    for name in ("a.htm", "b.HTML"):
        path = tmp_path / name
        path.write_text("<p>Hello <b>there</b>.</p>", encoding="utf-8")
        assert read_article(path).format == "html"
    text = tmp_path / "story.txt"
    text.write_text("<p>Hello.</p>", encoding="utf-8")
    assert read_article(text).paragraphs[0].text == "<p>Hello.</p>"
    assert read_article(text, format="html").paragraphs[0].text == "Hello."
    with pytest.raises(InputError, match="unknown article format"):
        read_article(text, format="docx")
    with pytest.raises(InputError, match="HTML articles only"):
        read_article(text, select="p")


def test_size_limit_encoding_and_emptiness_are_checked_as_for_text(tmp_path: Path):
    path = tmp_path / "big.html"
    path.write_bytes(b"<p>" + b"x" * 100 + b"</p>")
    with pytest.raises(InputError, match="larger than the limit"):
        read_article(path, max_bytes=50)
    path.write_bytes("<p>Caf\u00e9</p>".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_article(path)
    path.write_text("<html><head><title>T</title></head><body><nav>Menu</nav><script>x()</script></body></html>")
    with pytest.raises(InputError, match="empty"):
        read_article(path)


HOSTILE = """<p>Before<script>document.write("<p>evil</p>")</script> after.</p>
<img src=x onerror="alert('pwned')" alt="Harbor at night">
<p><a href="javascript:alert(1)" onclick="steal()">Click</a> &lt;script&gt;alert(2)&lt;/script&gt; &amp;amp;</p>
<style>p::after { content: "<b>styled</b>" }</style>
<svg onload="alert(3)"><text>vector text</text></svg>
<template><p>template text</p></template>
<!-- a comment with <p>markup</p> -->
<iframe srcdoc="<p>framed</p>"></iframe>
<p>Unclosed <b>bold <i>and italic</p>
<p>Stray </span></div> end tags and a lone < sign & an &unknown; entity
<li>Item without list<li>Second</ul></ol>
<a href=1>one<a href=2>two</a>
<p title='it&apos;s "quoted"'>Titled</p>
<math><mi>x</mi></math><pre>  keep   this  </pre>"""


def test_hostile_html_is_read_without_running_anything_and_scripts_never_become_blocks():
    article = _parse(HOSTILE)
    texts = [p.text for p in article.paragraphs]
    everything = " ".join(texts)
    for never in ("evil", "styled", "vector text", "template text", "markup", "framed", "keep", "alert(3)", "steal"):
        assert never not in everything
    first = article.paragraphs[0]
    assert first.text == "Before after." and first.codes[0].kind is CodeKind.RAW
    assert first.codes[0].data.startswith("<script>")  # kept in place, as untrusted data
    assert "Harbor at night" in texts
    click = _by_text(article, "Click")
    assert click.text == "Click <script>alert(2)</script> &amp;"  # decoded text, not markup
    assert click.codes[0].data == '<a href="javascript:alert(1)" onclick="steal()">'
    assert "Unclosed bold and italic" in texts
    assert [c.data for c in _by_text(article, "Unclosed").codes if c.role is CodeRole.CLOSE] == ["", ""]
    assert _by_text(article, "Stray").text == "Stray end tags and a lone < sign & an &unknown; entity"
    assert "Item without list" in texts and "Second onetwo" in texts  # as a browser shows them
    assert "it's \"quoted\"" in texts


def test_deeply_nested_markup_does_not_exhaust_the_stack():
    text = "<div>" * 20000 + "<p>Deep <b>inside</b>.</p>" + "</div>" * 20000
    assert [p.text for p in _parse(text).paragraphs] == ["Deep inside."]
    assert [p.text for p in _parse("<span>" * 5000 + "deep text").paragraphs] == ["deep text"]


def test_code_starts_find_every_code_again():
    for path in (FRAGMENT, PAGE, LEGACY):
        article = read_article(path)
        for p, starts in zip(article.paragraphs, html_reader.code_starts(article.text, article.paragraphs)):
            assert len(starts) == len(p.codes)
            for code, start in zip(p.codes, starts):
                assert article.text.startswith(code.data, start)


def test_list_items_know_their_list_type_and_depth():
    article = _parse("<ol><li>One.<ul><li>Sub.</li></ul></li><li>Two.</li></ol><ul><li>Other.</li></ul>")
    assert [(p.text, p.kind, p.level, p.name) for p in article.paragraphs] == [
        ("One.", BlockKind.LIST_ITEM, 1, "ol"), ("Sub.", BlockKind.LIST_ITEM, 2, "ul"),
        ("Two.", BlockKind.LIST_ITEM, 1, "ol"), ("Other.", BlockKind.LIST_ITEM, 1, "ul")]
