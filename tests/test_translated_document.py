"""The translated article in its own format: the source comes back byte for byte from its own
texts, and translated texts (codes moved) give a document of the same structure."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
import yaml
from hypothesis import example, HealthCheck, assume, given, settings, strategies as st
from markdown_it import MarkdownIt

from tandem.document import Article, BlockKind, CodeKind, CodeRole, InlineCode
from tandem.errors import InputError, OutputError
from tandem.publish.document import output_name, render_translated
from tandem.readers import html as html_reader, markdown as markdown_reader, read_article

SAMPLES = Path(__file__).resolve().parent.parent / "src" / "tandem" / "samples"
HTML_SAMPLES = [SAMPLES / n for n in ("harbor-vote.html", "harbor-vote-page.html", "harbor-vote-legacy.html")]
MARKDOWN = SAMPLES / "harbor-vote.md"
FILLER = "Городской совет одобрил покупку берегового радара для гавани после долгих споров "


def _own(article: Article) -> dict:
    return {p.number: (p.text, p.codes) for p in article.paragraphs}


def _upper(article: Article) -> dict:
    return {p.number: (p.text.upper(), p.codes) for p in article.paragraphs}


def _russian(article: Article) -> dict:
    """A fixed Russian text at least twice as long as each block, its codes moved in proportion
    (their order, so their nesting, kept)."""
    result = {}
    for p in article.paragraphs:
        size = 2 * len(p.text) + 10
        text = (FILLER * (size // len(FILLER) + 1))[:size].strip() + "."
        scale = len(text) / max(len(p.text), 1)
        result[p.number] = (text, tuple(replace(c, offset=math.floor(c.offset * scale)) for c in p.codes))
    return result


def _html_tree(text: str) -> list:
    """Every element with its attributes, but not the translatable ones (nor ``lang``)."""
    root = lxml.html.document_fromstring(text) if "<html" in text else \
        lxml.html.fragment_fromstring(text, create_parent="div")
    return [(e.tag if isinstance(e.tag, str) else "#other",
             sorted((k, v) for k, v in e.attrib.items() if k not in ("alt", "title", "lang", "xml:lang")))
            for e in root.iter()]


def _markdown_tree(text: str) -> list:
    """The token tree without texts: types, tags, nesting, URLs, code and raw HTML."""
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    out = []

    def walk(tokens):
        for t in tokens:
            if t.type in ("text", "softbreak"):
                continue
            urls = tuple(sorted((k, v) for k, v in (t.attrs or {}).items() if k in ("href", "src")))
            kept = t.content if t.type in ("code_inline", "fence", "code_block", "html_block", "html_inline") else ""
            out.append((t.type, t.tag, t.nesting, urls, kept))
            if t.type != "image":  # an alt text is plain text: its emphasis is not kept
                walk(t.children or [])

    walk(MarkdownIt("commonmark").parse(body))
    return out


# ---------------------------------------------------------------------------------- HTML

@pytest.mark.parametrize("path", HTML_SAMPLES, ids=lambda p: p.name)
def test_html_comes_back_byte_for_byte_from_its_own_texts(path: Path):
    article = read_article(path)
    assert render_translated(article, _own(article), "en") == path.read_bytes()
    assert render_translated(article, {}, "en") == path.read_bytes()


@pytest.mark.parametrize("path", HTML_SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("translate", [_upper, _russian], ids=["upper", "russian"])
def test_translated_html_has_the_same_element_tree(path: Path, translate):
    article = read_article(path)
    out = render_translated(article, translate(article), "ru").decode("utf-8")
    assert _html_tree(out) == _html_tree(article.text)
    again = html_reader.parse(out, name="t", source_path="t.html")
    assert [(p.kind, p.level, p.name) for p in again.paragraphs] == \
        [(p.kind, p.level, p.name) for p in article.paragraphs]
    if translate is _upper:
        assert [p.text for p in again.paragraphs] == [p.text.upper() for p in article.paragraphs]


def test_translated_html_keeps_links_attributes_and_protected_names():
    article = read_article(HTML_SAMPLES[0])
    out = render_translated(article, _upper(article), "ru").decode("utf-8")
    assert '<a href="https://portalder.example/council/harbor-safety-plan.pdf" ' \
           'title="HARBOR SAFETY PLAN, OCTOBER DRAFT"><em>HARBOR <strong>SAFETY</strong> PLAN</em></a>' in out
    assert '<span translate="no">Kestrel SR-400</span>' in out
    assert 'alt="A GREY RADAR MAST ON THE NORTH BREAKWATER AT DUSK"' in out
    assert "MAINTENANCE &amp; SPARE PARTS" in out
    assert out.startswith('<article lang="ru" class="story" id="story-4821">')


def test_lang_goes_on_html_and_on_an_article_that_says_its_own():
    page = read_article(HTML_SAMPLES[1])
    out = render_translated(page, {}, "ja").decode("utf-8")
    assert '<html lang="ja">' in out and 'lang="ja"' not in out.split("<html", 1)[1].split(">", 1)[1]
    legacy = render_translated(read_article(HTML_SAMPLES[2]), {}, "ru").decode("utf-8")
    assert 'xml:lang="ru" lang="ru"' in legacy
    inner = '<html><body><article lang="en"><p>One.</p></article></body></html>'
    assert render_translated(_html(inner), {}, "ru").decode() == \
        '<html lang="ru"><body><article lang="ru"><p>One.</p></article></body></html>'
    siblings = "<h1>Title</h1>\n<p>Text.</p>\n<div>footer</div>"
    assert render_translated(_html(siblings), {}, "ru").decode() == \
        '<h1 lang="ru">Title</h1>\n<p lang="ru">Text.</p>\n<div lang="ru">footer</div>'


def _html(text: str) -> Article:
    return html_reader.parse(text, name="t", source_path="t.html")


def test_translated_text_is_escaped_and_attributes_quoted():
    article = _html('<p title=plain>Fish &amp; chips</p><img alt=\'x\' src="a.png">')
    translations = {2: ("<script>alert(1)</script> & more", ()), 1: ('say "hi"', ()), 3: ("it's", ())}
    out = render_translated(article, translations, "en").decode()
    assert out == ('<p title="say &quot;hi&quot;">&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p>'
                   '<img alt=\'it&#39;s\' src="a.png">')


def test_codes_are_matched_by_id_repaired_and_checked():
    article = _html('<p>The <a href="/c">council</a> met <b>today</b>.</p>')
    p = article.paragraphs[0]
    link, bold = p.codes[:2], p.codes[2:]
    moved = ("Сегодня совет собрался.", (replace(bold[0], offset=0), replace(bold[1], offset=7),
                                          replace(link[0], offset=8), replace(link[1], offset=13)))
    assert render_translated(article, {1: moved}, "ru").decode() == \
        '<p lang="ru"><b>Сегодня</b> <a href="/c">совет</a> собрался.</p>'
    isolated = ("Совет собрался.", (replace(link[0], role=CodeRole.START, offset=0),
                                    replace(link[1], role=CodeRole.END, offset=5)))
    assert render_translated(article, {1: isolated}, "ru").decode() == \
        '<p lang="ru"><b><a href="/c">Совет</a> собрался.</b></p>'  # the lost pair wraps the text
    foreign = InlineCode("9", CodeRole.STANDALONE, CodeKind.RAW, "<script>x()</script>", 0)
    assert "<script>" not in render_translated(article, {1: ("Текст.", (foreign,))}, "ru").decode()
    broken = ("Совет.", (replace(link[1], offset=0), replace(link[0], offset=3), *bold))
    with pytest.raises(OutputError, match="paragraph 1"):
        render_translated(article, {1: broken}, "ru")


def test_a_paragraph_missing_from_the_translations_keeps_its_source():
    article = read_article(HTML_SAMPLES[0])
    lead = next(p for p in article.paragraphs if p.text.startswith("The Port Alder city council"))
    out = render_translated(article, {lead.number: ("Совет одобрил радар.", ())}, "ru").decode()
    assert "<p>Совет одобрил радар.</p>" in out
    assert "<h1>Port Alder council approves <em>$4.2 million</em> harbor radar</h1>" in out


# ---------------------------------------------------------------------------------- Markdown

def test_markdown_comes_back_byte_for_byte_from_its_own_texts():
    article = read_article(MARKDOWN)
    assert render_translated(article, _own(article), "en") == MARKDOWN.read_bytes()


@pytest.mark.parametrize("translate", [_upper, _russian], ids=["upper", "russian"])
def test_translated_markdown_parses_to_the_same_structure_and_urls(translate):
    article = read_article(MARKDOWN)
    out = render_translated(article, translate(article), "ru").decode("utf-8")
    assert _markdown_tree(out) == _markdown_tree(article.text)
    front = yaml.safe_load(out.split("---\n")[1])
    assert front["lang"] == "ru" and front["tags"] == ["harbor", "council", "radar"]
    assert front["title"] == translate(article)[1][0]
    again = markdown_reader.parse(out, name="t", source_path="t.md")
    assert [(p.kind, p.level, p.name) for p in again.paragraphs] == \
        [(p.kind, p.level, p.name) for p in article.paragraphs]


def test_markdown_links_stay_links_when_their_text_changes():
    text = "See the [harbor office] and [the plan][] or _this_ **one**.\n\n[harbor office]: /o\n[the plan]: /p\n"
    article = markdown_reader.parse(text, name="t", source_path="t.md")
    p = article.paragraphs[0]
    japanese = "港湾事務所と計画またはこれとひとつを参照"
    codes = [replace(c, offset=o) for c, o in zip(p.codes, (2, 5, 6, 8, 10, 12, 13, 16))]
    out = render_translated(article, {1: (japanese, tuple(codes))}, "ja").decode()
    assert out.startswith("港湾[事務所][harbor office]と[計画][the plan]また*はこ*れ**とひと**つを参照")
    assert _markdown_tree(out) == _markdown_tree(text)


def test_markdown_escapes_what_would_become_markup():
    article = markdown_reader.parse("Plain text.\n\nSecond *one*.\n", name="t", source_path="t.md")
    second = article.paragraphs[1]
    translations = {1: ("1. # [not] <b>a</b> *list* & &amp; `x`", ()),
                    2: (" spaced ", (replace(second.codes[0], offset=0), replace(second.codes[1], offset=8)))}
    out = render_translated(article, translations, "ru").decode()
    tree = MarkdownIt("commonmark").parse(out)
    assert [t.type for t in tree] == ["paragraph_open", "inline", "paragraph_close"] * 2
    assert tree[1].content and [c.type for c in tree[1].children] == ["text"]
    assert tree[1].children[0].content == "1. # [not] <b>a</b> *list* & &amp; `x`"
    assert "*spaced*" in out  # emphasis moved off the spaces, or it would not be emphasis


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["", "# ", "> ", "- ", "1. ", "## ", "> - "]),
                          st.lists(st.sampled_from([
                              "harbor", "radar", "Vote", "7-2", " ", " ", " *fog* ", " **mast** ", " _pier_ ",
                              "[link](/u \"Link title\")", "[ref]", "[text][ref]", "`code`", "![alt *x*](/i.png)",
                              "<b>", "</b>", "\\*", "&amp;", "&copy;", "  \n", "\n", "<https://e.example/a>",
                              "*", "_", "[", "]", "2 * 3", "a_b_c", "<!-- c -->", "\t", " **bold *nested* bold** ",
                          ]), min_size=1, max_size=12)), min_size=1, max_size=5))
@example(blocks=[("", ["*", "`code`", "*", " **bold *nested* bold** "])])  # emphasis holding only a code span
def test_any_commonmark_round_trips_and_keeps_its_structure(blocks):
    text = "\n\n".join(prefix + "".join(parts) for prefix, parts in blocks) + "\n\n[ref]: /r \"Ref\"\n"
    try:
        article = markdown_reader.parse(text, name="t", source_path="t.md")
    except InputError as exc:
        assume("empty" not in str(exc))
        raise
    assert render_translated(article, _own(article), "en").decode() == text
    upper = render_translated(article, _upper(article), "ru").decode()
    assert _markdown_tree(upper) == _markdown_tree(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([
    "<p>", "</p>", "<b>", "</b>", "<a href='/x' title='Go there'>", "</a>", "<br>", "<img alt='pic' src=x>",
    "<ul><li>", "<li>", "</ul>", "<script>var x='<p>';</script>", "<!-- c -->", "&amp;", "&nbsp;", "< ", "&",
    "harbor", "radar", " ", "\n", "<span translate=no>", "</span>", "<div>", "</div>", "<code>x &lt;</code>",
    "<h2>", "</h2>", "<table><tr><td>", "</td>", "<q>", "</q>", "<em>", "</em>", "</i>", "<pre>a  b</pre>",
]), min_size=1, max_size=40))
def test_any_html_round_trips_and_keeps_its_tree(parts):
    text = "".join(parts)
    try:
        article = html_reader.parse(text, name="t", source_path="t.html")
    except InputError as exc:
        assume("empty" not in str(exc))
        raise
    assert render_translated(article, _own(article), "en").decode() == text
    upper = render_translated(article, _upper(article), "en").decode()
    assert _html_tree(upper) == _html_tree(text)


# ---------------------------------------------------------------------------------- names, text

def test_output_names_never_collide_with_the_other_outputs():
    html_article, md_article = read_article(HTML_SAMPLES[0]), read_article(MARKDOWN)
    names = {output_name(html_article, "ru"), output_name(md_article, "ru"), output_name(html_article, "ja")}
    assert names == {"harbor-vote.translated.ru.html", "harbor-vote.ru.md", "harbor-vote.translated.ja.html"}
    taken = {f"harbor-vote.{x}.html" for x in ("en", "ru", "ja", "en-ru", "en-ja")} | {"index.html", "report.json"}
    assert not names & taken
    with pytest.raises(ValueError):
        output_name(html_article, "../ru")
    with pytest.raises(ValueError):
        render_translated(html_article, {}, "ru/x")


def test_plain_text_articles_are_written_too(tmp_path: Path):
    path = tmp_path / "note.txt"
    path.write_text("First line.\n\nSecond  line.\n", encoding="utf-8")
    article = read_article(path)
    assert output_name(article, "ru") == "note.translated.ru.txt"
    assert render_translated(article, {2: ("Вторая строка.", ())}, "ru").decode() == "First line.\n\nВторая строка.\n"
    assert article.paragraphs[0].kind is BlockKind.PARAGRAPH
