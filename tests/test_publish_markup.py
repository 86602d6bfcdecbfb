"""tandem.publish.markup and the pages: inline codes as safe HTML, block kinds as structure.

Code ``data`` is the article's original markup and untrusted; every test that feeds it
hostile markup parses the output with lxml and checks that nothing active survives.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings, strategies as st
from lxml import html as lxml_html

from tandem import align, segment
from tandem.document import (Article, BlockKind, CodeKind, CodeRole, InlineCode, Origin, Paragraph, Translation)
from tandem.publish import html, markup, site

O, C, S, B, E = CodeRole.OPEN, CodeRole.CLOSE, CodeRole.STANDALONE, CodeRole.START, CodeRole.END
DAY = date(2026, 12, 28)
ACTIVE = ("script", "iframe", "object", "embed", "style", "svg", "math", "form", "input", "link", "meta", "base")


def code(id_: str, role: CodeRole, kind: CodeKind, data: str, offset: int, equiv: str = "") -> InlineCode:
    return InlineCode(id_, role, kind, data, offset, equiv)


def pair(id_: str, kind: CodeKind, opening: str, closing: str, start: int, end: int) -> list[InlineCode]:
    return [code(id_, O, kind, opening, start), code(id_, C, kind, closing, end)]


def fragment(value: str):
    """The rendered sentence as an lxml element (a <div> holding it)."""
    return lxml_html.fragment_fromstring(value or " ", create_parent="div")


def assert_inert(value: str) -> None:
    """Nothing active in ``value``: no scripts or embeds, no handlers or styles, only allowed URLs."""
    tree = fragment(value)
    assert not tree.xpath(" | ".join(f"//{tag}" for tag in ACTIVE)), value
    for element in tree.iter():
        for name, attribute in element.attrib.items():
            assert not name.lower().startswith("on") and name.lower() not in ("style", "id"), value
            # the one class a page gives: a glossary term's mark (never one from the document)
            assert name != "class" or (element.tag, attribute) in (("span", "term"), ("span", "term dnt")), value
            if name in ("href", "src"):
                scheme = urlsplit(attribute).scheme.lower()
                allowed = {"", "http", "https", "mailto"} if name == "href" else {"", "http", "https"}
                assert scheme in allowed, value
    # "javascript:" may be shown as text (escaped, inert, also in a title or alt tooltip); it must
    # never be in any other attribute
    assert not any("javascript:" in v.lower() or "data:" in v.lower()
                   for e in tree.iter() for k, v in e.attrib.items() if k not in ("title", "alt")), value


class _Balance(HTMLParser):
    """Checks that every element closes in the order it opened (void elements aside)."""

    VOID = {"br", "wbr", "img"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.broken = False

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.broken = True


def assert_well_formed(value: str) -> None:
    checker = _Balance()
    checker.feed(value)
    checker.close()
    assert not checker.broken and not checker.open, value


# -- links and emphasis ---------------------------------------------------------------------------

@pytest.mark.parametrize("codes, href, title", [
    (pair("1", CodeKind.LINK, '<a href="https://example.org/report?a=1&amp;b=2">', "</a>", 5, 15),
     "https://example.org/report?a=1&b=2", None),
    (pair("1", CodeKind.LINK, "[", '](../report.html#p2 "The report")', 5, 15), "../report.html#p2", "The report"),
    (pair("1", CodeKind.LINK, "<A HREF='mailto:desk@example.org' TITLE=Desk>", "</A>", 5, 15),
     "mailto:desk@example.org", "Desk"),
])
def test_links_keep_their_target(codes, href, title):
    out = markup.render("Read the report now.", codes, "en")
    links = fragment(out).cssselect("a")
    assert [(a.get("href"), a.get("title"), a.text_content()) for a in links] == [(href, title, "the report")]
    assert fragment(out).text_content() == "Read the report now."


def test_nested_emphasis_inside_a_link():
    text = "See the very bold plan here."
    codes = [*pair("1", CodeKind.LINK, '<a href="/plan">', "</a>", 4, 22),
             *pair("2", CodeKind.ITALIC, "<em>", "</em>", 8, 22),
             *pair("3", CodeKind.BOLD, "**", "**", 13, 17)]
    out = str(markup.render(text, codes, "en"))
    assert out == 'See <a href="/plan">the <em>very <strong>bold</strong> plan</em></a> here.'


def test_data_chooses_between_equivalent_elements_only():
    text = "bold strong struck"
    codes = [*pair("1", CodeKind.BOLD, "<b>", "</b>", 0, 4), *pair("2", CodeKind.BOLD, "<strong>", "</strong>", 5, 11),
             *pair("3", CodeKind.STRIKE, "<del>", "</del>", 12, 18)]
    assert str(markup.render(text, codes, "en")) == "<b>bold</b> <strong>strong</strong> <del>struck</del>"
    # A bold code whose markup claims to be a link is still bold, and only bold.
    hostile = pair("1", CodeKind.BOLD, '<a href="https://evil.example">', "</a>", 0, 4)
    assert str(markup.render("bold", hostile, "en")) == "<strong>bold</strong>"


def test_other_inline_kinds():
    text = "NATO H2O x2 small mark cite quote span"
    codes = [*pair("1", CodeKind.ABBR, '<abbr title="North Atlantic Treaty Organization">', "</abbr>", 0, 4),
             *pair("2", CodeKind.SUB, "<sub>", "</sub>", 6, 7),
             *pair("3", CodeKind.SUP, "<sup>", "</sup>", 10, 11),
             *pair("4", CodeKind.SMALL, "<small>", "</small>", 12, 17),
             *pair("5", CodeKind.MARK, "<mark>", "</mark>", 18, 22),
             *pair("6", CodeKind.CITE, "<cite>", "</cite>", 23, 27),
             *pair("7", CodeKind.QUOTE, "<q>", "</q>", 28, 33),
             *pair("8", CodeKind.SPAN, '<span lang="fr" dir="LTR" class="x">', "</span>", 34, 38),
             code("9", S, CodeKind.BREAK, "<br/>", 38)]
    out = str(markup.render(text, codes, "en"))
    assert out == ('<abbr title="North Atlantic Treaty Organization">NATO</abbr> H<sub>2</sub>O x<sup>2</sup> '
                   '<small>small</small> <mark>mark</mark> <cite>cite</cite> <q>quote</q> '
                   '<span lang="fr" dir="ltr">span</span><br>')


def test_a_link_around_an_image_at_one_offset_keeps_the_image_inside():
    codes = [code("1", O, CodeKind.LINK, '<a href="/big.png">', 4),
             code("2", S, CodeKind.IMAGE, '<img src="small.png" alt="Radar">', 4, "Radar mast"),
             code("1", C, CodeKind.LINK, "</a>", 4)]
    out = str(markup.render("See  above.", codes, "en"))
    assert out == 'See <a href="/big.png"><img src="small.png" alt="Radar mast"></a> above.'


def test_markdown_images_and_unsafe_images():
    ok = markup.render("Mast: .", [code("1", S, CodeKind.IMAGE, '![The mast](img/mast.jpg "Mast")', 6)], "en")
    assert fragment(ok).cssselect("img")[0].attrib == {"src": "img/mast.jpg", "alt": "The mast", "title": "Mast"}
    bad = markup.render("Mast: .", [code("1", S, CodeKind.IMAGE, '<img src="data:image/png;base64,AAAA" alt="M">', 6)],
                        "en")
    assert str(bad) == "Mast: M."  # the alt text stands in for an image that cannot be shown


def test_overlapping_and_unpaired_codes_still_give_well_formed_html():
    text = "one two three four"
    codes = [code("1", O, CodeKind.BOLD, "<b>", 0), code("2", O, CodeKind.ITALIC, "<i>", 4),
             code("1", C, CodeKind.BOLD, "</b>", 8), code("2", C, CodeKind.ITALIC, "</i>", 13),
             code("3", C, CodeKind.MARK, "</mark>", 99), code("4", O, CodeKind.SUP, "<sup>", 14)]
    out = str(markup.render(text, codes, "en"))
    assert_well_formed(out)
    assert fragment(out).text_content() == text
    assert out == "<mark><b>one <i>two </i></b><i>three</i> <sup>four</sup></mark>"


# -- a pair cut by a sentence boundary ------------------------------------------------------------

def _article(blocks: list[tuple], name: str = "marked", language: str = "en") -> Article:
    """A segmented article from (kind, level, text, codes[, block name]) blocks."""
    paragraphs, start, texts = [], 0, []
    for number, (kind, level, text, codes, *block_name) in enumerate(blocks, start=1):
        paragraphs.append(Paragraph(number, text, start, kind=kind, level=level, codes=tuple(codes),
                                    name="".join(block_name)))
        texts.append(text)
        start += len(text) + 2
    article = Article(name, f"{name}.html", language, "\n\n".join(texts), tuple(paragraphs), format="html")
    return segment.segment_article(article)


def _translation(segment_id: str, language: str, text: str, codes=(), origin=Origin.HUMAN) -> Translation:
    return Translation(segment_id, language, text, origin, codes=tuple(codes))


LINKED = "Read the report. It is long."
LINK = pair("1", CodeKind.LINK, '<a href="/report" onclick="steal()">', "</a>", 9, 19)  # "report. It"


def test_a_link_spanning_two_sentences_is_a_link_in_each():
    article = _article([(BlockKind.PARAGRAPH, 0, LINKED, LINK)])
    first, second = article.segments
    assert (first.codes[0].role, second.codes[0].role) == (B, E)
    context = (*first.codes, *second.codes)
    one = str(markup.render(first.text, first.codes, "en", context))
    two = str(markup.render(second.text, second.codes, "en", context))
    assert (one, two) == ('Read the <a href="/report">report.</a>', '<a href="/report">It</a> is long.')


def test_a_markdown_link_spanning_two_sentences_finds_its_target_on_the_end():
    codes = pair("1", CodeKind.LINK, "[", "](https://example.org/r)", 9, 19)
    first, second = _article([(BlockKind.PARAGRAPH, 0, LINKED, codes)]).segments
    context = (*first.codes, *second.codes)
    assert str(markup.render(first.text, first.codes, "en", context)) == \
        'Read the <a href="https://example.org/r">report.</a>'
    assert str(markup.render(first.text, first.codes, "en")) == "Read the report."  # alone: no target known
    assert str(markup.render(second.text, second.codes, "en")) == \
        '<a href="https://example.org/r">It</a> is long.'  # the end holds the target itself


def test_pages_show_a_split_link_on_both_sides_and_every_sentence_stays_well_formed():
    article = _article([(BlockKind.PARAGRAPH, 0, LINKED, LINK)])
    ru = [_translation("p1.s1", "ru", "Прочтите доклад.", [code("1", B, CodeKind.LINK, '<a href="/report">', 9)]),
          _translation("p1.s2", "ru", "Он длинный.", [code("1", E, CodeKind.LINK, "</a>", 2)])]
    pages = site.render_pages([align.align(article, "ru", ru)], DAY)
    bilingual = lxml_html.fromstring(pages["marked.en-ru.html"])
    for side in ("en", "ru"):
        for sid in ("p1.s1", "p1.s2"):
            cell = bilingual.get_element_by_id(f"{sid}-{side}")
            assert [a.get("href") for a in cell.cssselect(".text a")] == ["/report"], (sid, side)
            assert_well_formed(lxml_html.tostring(cell.cssselect(".text")[0], encoding="unicode"))
    reading = lxml_html.fromstring(pages["marked.ru.html"])
    assert [a.text_content() for a in reading.cssselect("#p1 a")] == ["доклад.", "Он"]
    assert reading.get_element_by_id("p1.s1").text_content() == "Прочтите доклад."


def test_a_span_over_three_sentences_covers_the_middle_one_too():
    text = "One here. Two here. Three here."
    article = _article([(BlockKind.PARAGRAPH, 0, text, pair("1", CodeKind.ITALIC, "<em>", "</em>", 4, 25))],
                       name="three")
    ru = [_translation(s.id, "ru", s.text, s.codes) for s in article.segments]
    reading = lxml_html.fromstring(site.render_pages([align.align(article, "ru", ru)], DAY)["three.ru.html"])
    assert [[em.text_content() for em in reading.get_element_by_id(sid).cssselect("em")]
            for sid in ("p1.s1", "p1.s2", "p1.s3")] == [["here."], ["Two here."], ["Three"]]


# -- protected spans ------------------------------------------------------------------------------

def test_protected_spans_are_code_or_untranslated_spans():
    text = "Run  or press  in ."
    codes = [code("1", S, CodeKind.PROTECTED, "<code>", 4, "npm install <pkg>"),
             code("2", S, CodeKind.PROTECTED, "<kbd>Ctrl+C</kbd>", 14),
             code("3", S, CodeKind.PROTECTED, '<span translate="no" onclick="x()">Tandem</span>', 18),
             code("4", S, CodeKind.PROTECTED, "``a `b` c``", 18)]
    out = str(markup.render(text, codes, "en"))
    assert out == ('Run <code translate="no">npm install &lt;pkg&gt;</code> or press <kbd translate="no">Ctrl+C</kbd>'
                   ' in <span translate="no">Tandem</span><code translate="no">a `b` c</code>.')


def test_japanese_gets_no_phrase_break_inside_protected_text():
    text = "設定で今日は天気ですと入力する。"
    codes = [*pair("1", CodeKind.PROTECTED, '<span translate="no">', "</span>", 3, 10)]
    out = str(markup.render(text, codes, "ja"))
    protected = fragment(out).cssselect("span")[0]
    assert protected.text_content() == "今日は天気です" and not protected.cssselect("wbr")


# -- hostile markup -------------------------------------------------------------------------------

HOSTILE_LINKS = [
    '<a href="javascript:alert(1)">',
    '<a href=" JaVaScRiPt:alert(1)">',
    '<a href="java&#x09;script:alert(1)">',
    '<a href="&#106;avascript:alert(1)">',
    '<a href="jav&#x0A;ascript:alert(1)">',
    '<a href="\x01javascript:alert(1)">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<a href="vbscript:msgbox(1)">',
    '<a href="file:///etc/passwd">',
    "<a href='\"><script>alert(1)</script>'>",
    '<a href=""><script>alert(1)</script>',
    '<a onclick="alert(1)" onmouseover="alert(2)" style="background:url(javascript:alert(3))">',
    "[",
]


@pytest.mark.parametrize("opening", HOSTILE_LINKS)
def test_hostile_links_become_their_text(opening):
    closing = "](javascript:alert(1))" if opening == "[" else "</a>"
    out = str(markup.render("Click here now.", pair("1", CodeKind.LINK, opening, closing, 6, 10), "en"))
    assert_inert(out)
    assert out == "Click here now."


@pytest.mark.parametrize("kind, data, equiv", [
    (CodeKind.IMAGE, '<img src=x onerror="alert(1)">', ""),
    (CodeKind.IMAGE, '<img src="javascript:alert(1)" alt="a">', ""),
    (CodeKind.IMAGE, "<img src='data:image/svg+xml,<svg onload=alert(1)>'>", ""),
    (CodeKind.IMAGE, '<img src="https://example.org/a.png" alt="<script>alert(1)</script>">', ""),
    (CodeKind.RAW, '<iframe src="https://evil.example/"></iframe>', ""),
    (CodeKind.RAW, '<object data="evil.swf"><embed src="evil.swf"></object>', ""),
    (CodeKind.RAW, "<script>alert(1)</script>", "<script>alert(2)</script>"),
    (CodeKind.RAW, '<svg><script href="x"/></svg>', ""),
    (CodeKind.RAW, "<!-- --><style>*{background:url(javascript:alert(1))}</style>", ""),
    (CodeKind.PROTECTED, "<code onclick=alert(1)>", "</code><script>alert(1)</script>"),
    (CodeKind.BREAK, '<br onload="alert(1)">', ""),
    (CodeKind.SPAN, '<iframe srcdoc="<script>alert(1)</script>">', "x"),
])
def test_hostile_standalone_codes_never_reach_the_output(kind, data, equiv):
    out = str(markup.render("Before  after.", [code("1", S, kind, data, 7, equiv)], "en"))
    assert_inert(out)
    assert_well_formed(out)


@pytest.mark.parametrize("kind, opening", [
    (CodeKind.BOLD, '<b style="color:red" onmouseover="alert(1)" class="x" id="p1.s1">'),
    (CodeKind.ABBR, '<abbr title="&quot; onmouseover=&quot;alert(1)">'),
    (CodeKind.SPAN, '<span lang="en&quot; onclick=&quot;alert(1)" dir="javascript:x">'),
    (CodeKind.RAW, '<iframe src="https://evil.example/">'),
    (CodeKind.RAW, '<object data="x">'),
    (CodeKind.QUOTE, '<q cite="javascript:alert(1)">'),
    (CodeKind.ITALIC, "<script>"),
])
def test_hostile_paired_codes_keep_only_the_element(kind, opening):
    out = str(markup.render("Some words here.", pair("1", kind, opening, "</x>", 5, 10), "en"))
    assert_inert(out)
    assert fragment(out).text_content() == "Some words here."


def test_text_and_entities_stay_text():
    text = 'AT&T said "<script>alert(1)</script>" &amp; &lt;b&gt; left.'
    out = str(markup.render(text, pair("1", CodeKind.BOLD, "<b>", "</b>", 0, 4), "en"))
    assert_inert(out)
    assert fragment(out).text_content() == text
    assert fragment(out).cssselect("b")[0].text == "AT&T"


DATA = st.sampled_from([*HOSTILE_LINKS, "</a>", "**", "`x`", "<b>", "<em>", "<img src=x onerror=alert(1)>",
                        "<iframe src=javascript:alert(1)>", "<object>", "<script>alert(1)</script>",
                        '"><svg onload=alert(1)>', "](javascript:alert(1))", "](/ok)", '<a href="/ok">',
                        "<span translate=no>", "<code>", "&lt;script&gt;", ""])


@st.composite
def coded_sentences(draw):
    text = draw(st.text(alphabet="ab <>&\"'今日は天気です。", max_size=30))
    codes = draw(st.lists(st.builds(code, st.sampled_from("123"), st.sampled_from(list(CodeRole)),
                                    st.sampled_from(list(CodeKind)), DATA, st.integers(-2, len(text) + 2),
                                    st.sampled_from(["", "<script>alert(1)</script>", "alt"])), max_size=6))
    return text, codes, draw(st.sampled_from(["en", "ja"]))


@settings(max_examples=300, deadline=None)
@given(coded_sentences())
def test_any_codes_give_inert_well_formed_html(case):
    text, codes, language = case
    out = str(markup.render(text, codes, language))
    assert_inert(out)
    assert_well_formed(out)


# -- Japanese phrase breaks -----------------------------------------------------------------------

def test_japanese_with_codes_keeps_phrase_breaks_outside_tags():
    text = "古い灯台が、土曜日に一般公開を再開した。"
    codes = [*pair("1", CodeKind.LINK, '<a href="/lighthouse" title="灯台">', "</a>", 0, 5),
             *pair("2", CodeKind.BOLD, "<b>", "</b>", 6, 12)]
    out = str(markup.render(text, codes, "ja"))
    tree = fragment(out)
    assert tree.text_content() == text
    assert len(tree.cssselect("wbr")) == len(html.phrases(text, "ja")) - 1 > 2
    assert not re.search(r"<[^>]*<wbr", out)  # a break never lands inside a tag
    assert [a.get("href") for a in tree.cssselect("a")] == ["/lighthouse"]
    # The same breaks as the unmarked sentence: codes do not move them.
    plain = str(markup.render(text, (), "ja"))
    assert re.sub(r"<(?!wbr)[^>]*>", "", out) == plain


def test_no_codes_renders_exactly_as_the_escaped_phrases():
    text = 'He said "<b>" & left. 今日は天気です。'
    assert str(markup.render(text, (), "ja")) == "<wbr>".join(str(markup.escape(p)) for p in html.phrases(text, "ja"))


# -- pages from documents with block kinds --------------------------------------------------------

BLOCKS = [
    (BlockKind.HEADING, 1, "Why the harbor needs radar?", []),
    (BlockKind.PARAGRAPH, 0, "The council met on Monday. It voted for the plan.",
     pair("1", CodeKind.ITALIC, "<em>", "</em>", 4, 11)),
    (BlockKind.HEADING, 2, "What changes", []),
    (BlockKind.LIST_ITEM, 0, "A new mast.", []),
    (BlockKind.LIST_ITEM, 0, "Two operators.", pair("2", CodeKind.LINK, '<a href="https://example.org/ops">', "</a>", 4,
                                                    13)),
    (BlockKind.QUOTE, 0, "We waited ten years. Now it happens.", []),
    (BlockKind.CAPTION, 0, "The old mast in 1952.", []),
    (BlockKind.TERM, 0, "Radar", []),
    (BlockKind.DEFINITION, 0, "A way to see ships in fog.", []),
]


@pytest.fixture(scope="module")
def kind_pages():
    article = _article(BLOCKS, name="kinds")
    translations = [_translation(s.id, "ru", f"Перевод {s.id}.", s.codes and [code(
        c.id, c.role, c.kind, c.data, min(c.offset, 8), c.equiv) for c in s.codes]) for s in article.segments]
    docs = [align.align(article, "ru", translations)]
    return {name: lxml_html.fromstring(data) for name, data in site.render_pages(docs, DAY).items()}


def test_reading_pages_show_headings_lists_quotes_figures_and_definitions(kind_pages):
    for name, lang in (("kinds.en.html", "en"), ("kinds.ru.html", "ru")):
        page = kind_pages[name]
        article = page.cssselect("article")[0]
        assert [h.get("id") for h in page.cssselect("h1 .segment")] == ["p1.s1"]  # the h1 heading is the headline
        assert [(h.tag, h.get("id")) for h in article.cssselect("h2, h3")] == [("h2", "p3")]
        assert [li.get("id") for li in article.cssselect("ul > li")] == ["p4", "p5"]
        assert len(article.cssselect("ul")) == 1
        assert [p.get("id") for p in article.cssselect("blockquote > p")] == ["p6"]
        assert [f.get("id") for f in article.cssselect("figure > figcaption")] == ["p7"]
        assert [(e.tag, e.get("id")) for e in article.cssselect("dl > *")] == [("dt", "p8"), ("dd", "p9")]
        assert [p.get("id") for p in article.cssselect("article > p[id]")] == ["p2"]
        assert all(s.get("lang") == lang for s in article.cssselect(".segment"))
        assert len(article.cssselect("a[href='https://example.org/ops']")) == 1
        assert article.cssselect("#p2 em")
        levels = [int(h.tag[1]) for h in page.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels.count(1) == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])), name


def test_reading_pages_rebuild_ordered_and_nested_lists():
    item = lambda level, text, tag: (BlockKind.LIST_ITEM, level, text, [], tag)
    article = _article([item(1, "First step.", "ol"), item(2, "A detail.", "ul"), item(3, "Deeper.", "ul"),
                        item(1, "Second step.", "ol"), (BlockKind.PARAGRAPH, 0, "Between lists.", []),
                        item(1, "Other list.", "ul"), item(1, "Numbered again.", "ol")], name="lists")
    translations = [_translation(s.id, "ru", f"Пункт {s.id}.") for s in article.segments]
    page = lxml_html.fromstring(site.render_pages([align.align(article, "ru", translations)], DAY)["lists.ru.html"])
    body = page.cssselect("article")[0]
    shape = lambda e: [(c.tag, c.get("id"), shape(c)) for c in e if c.tag in ("ol", "ul", "li")]
    assert shape(body) == [
        ("ol", None, [("li", "p1", [("ul", None, [("li", "p2", [("ul", None, [("li", "p3", [])])])])]),
                      ("li", "p4", [])]),
        ("ul", None, [("li", "p6", [])]), ("ol", None, [("li", "p7", [])])]
    assert [p.get("id") for p in body.cssselect("article > p[id]")] == ["p5"]


def test_a_figures_picture_is_on_the_reading_page_with_its_translated_alt_and_caption():
    from pathlib import Path
    from tandem.readers import read_article
    sample = Path(__file__).resolve().parent.parent / "src" / "tandem" / "samples" / "ferry-strike-page.html"
    article = segment.segment_article(read_article(sample))
    translations = [_translation(s.id, "ru", f"Перевод {s.id}.") for s in article.segments]
    pages = site.render_pages([align.align(article, "ru", translations)], DAY)
    alt = next(p for p in article.paragraphs if p.name == "alt")
    for name, wanted in (("ferry-strike-page.en.html", alt.text), ("ferry-strike-page.ru.html", f"Перевод p{alt.number}.s1.")):
        figure = lxml_html.fromstring(pages[name]).cssselect("article figure")[0]
        image = figure[0]
        assert (image.tag, image.get("src"), image.get("alt")) == ("img", "/uploads/2027/03/ferry-dock-800.jpg", wanted)
        assert [c.tag for c in figure] == ["img", "figcaption"], name


def test_bilingual_page_marks_kinds_and_keeps_one_row_per_sentence(kind_pages):
    page = kind_pages["kinds.en-ru.html"]
    assert page.cssselect("h1")[0].text_content() == "Перевод p1.s1."
    bodies = {b.get("id"): b.get("class") for b in page.cssselect("tbody.paragraph")}
    assert bodies["p1"] == "paragraph kind-heading level-1" and bodies["p2"] == "paragraph"
    assert bodies["p4"] == "paragraph kind-list-item" and bodies["p6"] == "paragraph kind-quote"
    assert bodies["p7"] == "paragraph kind-caption"
    headings = page.cssselect("#p3 .text[role=heading]")
    assert [(h.getparent().get("lang"), h.get("aria-level")) for h in headings] == [("en", "4"), ("ru", "4")]
    assert [r.get("id") for r in page.cssselect("tr.segment")] == [f"p{p}.s{s}" for p, s in
                                                                   ((1, 1), (2, 1), (2, 2), (3, 1), (4, 1), (5, 1),
                                                                    (6, 1), (6, 2), (7, 1), (8, 1), (9, 1))]
    assert page.cssselect("#p2\\.s1-en .text em")[0].text == "council"
    assert page.cssselect("#p5\\.s1-ru .text a")[0].get("href") == "https://example.org/ops"
    for name, tree in kind_pages.items():
        assert_inert_page(tree)


def assert_inert_page(tree) -> None:
    assert not tree.cssselect(", ".join(t for t in ACTIVE if t not in ("style", "meta", "link")))
    assert all(not n.startswith("on") for e in tree.iter() for n in e.attrib)


def test_hostile_codes_on_a_page_never_reach_it():
    text = "Click here. See the photo."
    codes = [*pair("1", CodeKind.LINK, '<a href="javascript:alert(document.cookie)">', "</a>", 6, 10),
             code("2", S, CodeKind.IMAGE, '<img src=x onerror="alert(1)">', 25, "photo"),
             code("3", S, CodeKind.RAW, "<script>alert(1)</script>", 11)]
    article = _article([(BlockKind.PARAGRAPH, 0, text, codes)], name="hostile")
    ru = [_translation(s.id, "ru", "Нажмите здесь.", [code("1", O, CodeKind.LINK, '<a href=" javascript:x">', 0),
                                                      code("1", C, CodeKind.LINK, "</a>", 7)])
          for s in article.segments]
    for name, data in site.render_pages([align.align(article, "ru", ru)], DAY).items():
        tree = lxml_html.fromstring(data)
        assert_inert_page(tree)
        assert all(urlsplit(a.get("href")).scheme in ("", "http", "https", "mailto") for a in tree.cssselect("a"))
        assert b"javascript" not in data and b"onerror" not in data, name


# -- Markdown specifics ---------------------------------------------------------------------------

@pytest.mark.parametrize("closing, href", [
    ("](https://en.wikipedia.org/wiki/Radar_(disambiguation))", "https://en.wikipedia.org/wiki/Radar_(disambiguation)"),
    ('](<my report.html> "Report")', "my report.html"),
    (r"](a\_b.html)", "a_b.html"),
    ("](&#106;avascript:alert(1))", None),
    ("](javascript&colon;alert(1))", None),
    ("][ref]", None),  # a reference link: its definition is elsewhere in the document
])
def test_markdown_link_targets(closing, href):
    out = markup.render("See the page.", pair("1", CodeKind.LINK, "[", closing, 4, 12), "en")
    assert_inert(str(out))
    assert [a.get("href") for a in fragment(out).cssselect("a")] == ([href] if href else [])


@pytest.mark.parametrize("data, equiv, href", [
    ("<https://example.org/a>", "https://example.org/a", "https://example.org/a"),
    ("<desk@example.org>", "desk@example.org", "mailto:desk@example.org"),
    ("<javascript:alert(1)>", "javascript:alert(1)", None),
])
def test_markdown_autolinks(data, equiv, href):
    out = markup.render("See .", [code("1", S, CodeKind.PROTECTED, data, 4, equiv)], "en")
    links = fragment(out).cssselect("a")
    assert [a.get("href") for a in links] == ([href] if href else [])
    assert fragment(out).text_content() == f"See {equiv}."


# -- attributes with blocks of their own ----------------------------------------------------------

def test_translated_alt_and_title_go_back_into_their_markup_and_not_into_the_text():
    text = "The new mast stands here."
    image = code("1", S, CodeKind.IMAGE, '<img src="mast.jpg" alt="A radar mast" title="Mast">', 24, "A radar mast")
    host = Paragraph(1, text, 0, codes=(image,), end=90)
    blocks = (host, Paragraph(2, "Mast", 70, kind=BlockKind.ATTRIBUTE, end=74, name="title"),
              Paragraph(3, "A radar mast", 40, kind=BlockKind.ATTRIBUTE, end=52, name="alt"))
    article = segment.segment_article(Article("alt", "alt.html", "en", "x" * 100, blocks, format="html"))
    assert site.attribute_places(article.paragraphs) == {2: site.AttributePlace(1, "1", "title"),
                                                         3: site.AttributePlace(1, "1", "alt")}
    words = {"p1.s1": "Новая мачта стоит здесь.", "p2.s1": "Мачта", "p3.s1": "Радарная мачта"}
    ru = [_translation(s.id, "ru", words[s.id], [code("1", S, CodeKind.IMAGE, image.data, 23, image.equiv)]
                       if s.id == "p1.s1" else ()) for s in article.segments]
    pages = site.render_pages([align.align(article, "ru", ru)], DAY)
    reading = lxml_html.fromstring(pages["alt.ru.html"])
    assert [(i.get("alt"), i.get("title")) for i in reading.cssselect("article img")] == [("Радарная мачта", "Мачта")]
    assert [p.get("id") for p in reading.cssselect("article [id^=p]") if "." not in p.get("id")] == ["p1"]
    bilingual = lxml_html.fromstring(pages["alt.en-ru.html"])
    assert [(i.get("alt"), i.get("title")) for i in bilingual.cssselect("td img")] == \
        [("A radar mast", "Mast"), ("Радарная мачта", "Мачта")]
    assert [b.get("class") for b in bilingual.cssselect("tbody")][1:] == ["paragraph kind-attribute"] * 2
