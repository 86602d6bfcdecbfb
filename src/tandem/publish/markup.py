"""A sentence's inline codes turned back into safe HTML for the published pages.

A code's ``data`` is the article's original markup and is never trusted: it may hold event
handlers, ``javascript:`` URLs, styles or whole scripts.  So markup is never copied.  The
code's *kind* decides which element may appear; ``data`` is parsed only to refine it (``<b>``
or ``<strong>``) and to read the few attributes kept (a link's ``href`` and ``title``, an
abbreviation's ``title``, an image's ``src`` and ``alt``, a span's ``lang``/``dir``), each
checked; then clean markup is built from scratch, with all text escaped.  The result goes
through nh3 (the ammonia sanitizer) with a strict allow-list as a second line of defence.

URLs: links keep ``http``, ``https``, ``mailto`` and relative URLs; images keep ``http``,
``https`` and relative ones.  Anything else (``javascript:``, ``data:``, ``vbscript:``...)
turns the link into its text and the image into its alt text.

Pairs cut by a sentence boundary (START in one sentence, END in a later one) open or close
their element within the sentence, so every sentence's HTML is well formed on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from html import unescape
from html.parser import HTMLParser

import nh3
from markupsafe import Markup, escape

from tandem.document import CodeKind, CodeRole, InlineCode
from tandem.publish.html import phrases

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

# kind -> (the element built by default, the elements ``data`` may choose instead)
PAIRED = {
    CodeKind.LINK: ("a", ()),
    CodeKind.BOLD: ("strong", ("b", "strong")),
    CodeKind.ITALIC: ("em", ("i", "em")),
    CodeKind.UNDERLINE: ("u", ("u", "ins")),
    CodeKind.STRIKE: ("s", ("s", "del")),
    CodeKind.QUOTE: ("q", ()),
    CodeKind.CITE: ("cite", ()),
    CodeKind.ABBR: ("abbr", ()),
    CodeKind.SPAN: ("span", ()),
    CodeKind.SUB: ("sub", ()),
    CodeKind.SUP: ("sup", ()),
    CodeKind.SMALL: ("small", ()),
    CodeKind.MARK: ("mark", ()),
}
PROTECTED_TAGS = ("code", "kbd", "samp", "var")

# The second line of defence: only what this module builds may survive nh3.
ALLOWED_TAGS = frozenset({"a", "strong", "b", "em", "i", "u", "ins", "s", "del", "q", "cite", "abbr", "span",
                          "sub", "sup", "small", "mark", "br", "wbr", "img", *PROTECTED_TAGS})
ALLOWED_ATTRIBUTES = {"*": {"lang"}, "a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt", "title"}}
ALLOWED_ATTRIBUTES["span"] = {"title"}  # a glossary term's expected translation (see term_codes)
ALLOWED_VALUES = {"span": {"translate": {"no"}, "dir": {"ltr", "rtl", "auto"}, "class": {"term", "term dnt"}},
                  **{tag: {"translate": {"no"}} for tag in PROTECTED_TAGS}}
# No rel is added: no link opens a new window (target is never kept), so none needs noopener.
NH3_OPTIONS = {"tags": set(ALLOWED_TAGS), "attributes": ALLOWED_ATTRIBUTES, "tag_attribute_values": ALLOWED_VALUES,
               "url_schemes": set(LINK_SCHEMES), "link_rel": None, "strip_comments": True}

LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*\Z")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# Browsers drop tabs and line breaks anywhere in a URL ("java\tscript:") and C0 controls and
# spaces at its ends: do the same before looking at the scheme.
URL_IGNORED = re.compile(r"[\t\n\r]")
URL_STRIP = "".join(map(chr, range(0x21)))
# No real URL needs these raw; they only appear in attempts to break out of an attribute.
URL_REFUSED = re.compile(r"[\x00-\x1f\x7f<>\"`\\]")
# Markdown: ``](url "title")`` closes a link, ``![alt](src "title")`` is an image; the URL is
# ``<any text>`` or has no spaces and at most one level of balanced parentheses.
MD_TARGET = (r"""\(\s*(?:<([^<>\n]*)>|((?:[^\s()]|\([^\s()]*\))*))"""
             r"""(?:\s+(?:"([^"]*)"|'([^']*)'|\(([^()]*)\)))?\s*\)\s*\Z""")
MD_LINK_CLOSE = re.compile(r"\]" + MD_TARGET)
MD_IMAGE = re.compile(r"!\[([^\]]*)\]" + MD_TARGET)
MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
MD_CODE = re.compile(r"(`+)\s?(.*?)\s?\1\Z", re.S)
# A Markdown autolink, <https://example.org> or <desk@example.org> (read as a protected span).
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>\Z")


def render(text: str, codes: Sequence[InlineCode], language: str,
           paragraph_codes: Sequence[InlineCode] = (),
           attributes: Mapping[str, Mapping[str, str]] | None = None) -> Markup:
    """``text`` with its ``codes`` as safe HTML, with BudouX ``<wbr>`` breaks in Japanese.

    ``paragraph_codes`` are the codes of the whole paragraph (this side of it): a pair cut by a
    sentence boundary keeps its ``href`` on the other sentence's code (HTML ``<a href>`` on the
    start, Markdown ``](url)`` on the end), so each half finds it there.  ``attributes`` give
    the page's own wording of attributes, ``{code id: {"alt": ..., "title": ...}}`` (the
    translated alt of an image), used instead of the markup's.

    >>> from tandem.document import CodeKind, CodeRole, InlineCode
    >>> link = [InlineCode("1", CodeRole.OPEN, CodeKind.LINK, '<a href="/x" onclick="evil()">', 4),
    ...         InlineCode("1", CodeRole.CLOSE, CodeKind.LINK, "</a>", 8)]
    >>> str(render("See this & more.", link, "en"))
    'See <a href="/x">this</a> &amp; more.'
    >>> str(render("a < b", (), "en"))
    'a &lt; b'
    """
    if not codes:
        # Escaped text cannot be markup: the same bytes the pages have always had.
        return Markup("<wbr>").join(escape(piece) for piece in phrases(text, language))
    root = _Builder(text, codes, paragraph_codes, attributes or {}).build()
    html = "".join(_serialise(root, text, _breaks(text, language)))
    return Markup(sanitise(html))


def term_codes(spans: Sequence[tuple[int, int, str, bool]]) -> tuple[InlineCode, ...]:
    """Glossary terms to mark on a page, ``(start, end, expected translation, do not translate)``
    in a sentence's text, as pairs of TERM codes (ids ``t1``, ``t2``... beside the sentence's own
    numbered codes) for :func:`render`: a ``<span class="term" title="...">`` around each.

    >>> str(render("Lavrov spoke.", term_codes([(0, 6, "Лавров", False)]), "en"))
    '<span class="term" title="Лавров">Lavrov</span> spoke.'
    """
    codes: list[InlineCode] = []
    for number, (start, end, expected, dnt) in enumerate(spans, start=1):
        equiv = "dnt" if dnt else ""
        codes += [InlineCode(f"t{number}", CodeRole.OPEN, CodeKind.TERM, expected, start, equiv),
                  InlineCode(f"t{number}", CodeRole.CLOSE, CodeKind.TERM, "", end, equiv)]
    return tuple(codes)


def covering_codes(sentences: Sequence[tuple[str, Sequence[InlineCode]]]) -> list[tuple[InlineCode, ...]]:
    """Each sentence's codes (one paragraph's sentences, in order), with a pair added for every
    span that covers the sentence whole: a span cut by two boundaries has its start and end in
    two sentences and no code in the ones between, which are inside it all the same.

    >>> from tandem.document import CodeKind, CodeRole, InlineCode
    >>> bold = lambda role, at: InlineCode("1", role, CodeKind.BOLD, "<b>", at)
    >>> parts = covering_codes([("One.", [bold(CodeRole.START, 0)]), ("Two.", []), ("Three.", [bold(CodeRole.END, 6)])])
    >>> [[(c.role.value, c.offset) for c in part] for part in parts]
    [[('start', 0)], [('open', 0), ('close', 4)], [('end', 6)]]
    """
    started: dict[str, InlineCode] = {}  # spans started in an earlier sentence and not ended yet
    result = []
    for text, codes in sentences:
        own = {c.id for c in codes}
        around = [c for code_id, c in started.items() if code_id not in own]  # outermost first
        opens = [replace(c, role=CodeRole.OPEN, offset=0) for c in around]
        closes = [replace(c, role=CodeRole.CLOSE, offset=len(text), data="") for c in reversed(around)]
        result.append((*opens, *codes, *closes))
        for code in codes:
            if code.role is CodeRole.START:
                started[code.id] = code
            elif code.role is CodeRole.END:
                started.pop(code.id, None)
    return result


def sanitise(html: str) -> str:
    """``html`` through nh3 with the allow-list of the elements this module builds."""
    return nh3.clean(html, **NH3_OPTIONS)


def safe_url(url: str | None, schemes: frozenset[str] = LINK_SCHEMES) -> str | None:
    """``url`` if it is relative or in one of ``schemes``, else None.

    >>> safe_url("https://example.org/a?b=1"), safe_url("../a.html#x"), safe_url("mailto:a@b.org")
    ('https://example.org/a?b=1', '../a.html#x', 'mailto:a@b.org')
    >>> safe_url(" JaVa\\tScript:alert(1)"), safe_url("data:text/html,x"), safe_url('x"><script>')
    (None, None, None)
    """
    if url is None:
        return None
    url = URL_IGNORED.sub("", url).strip(URL_STRIP)
    if not url or URL_REFUSED.search(url):
        return None
    scheme = SCHEME.match(url)
    if scheme and scheme.group(1).lower() not in schemes:
        return None
    return url


# -- reading the untrusted markup ---------------------------------------------------------------

class _TagReader(HTMLParser):
    """The first start tag of a piece of markup (name and attributes) and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities in attributes are decoded: &#106;avascript:
        self.tag: str | None = None
        self.attributes: dict[str, str] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.tag is None:
            self.tag = tag
            for name, value in attrs:  # in document order; the first of a repeated one wins, as in browsers
                self.attributes.setdefault(name, value or "")

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _read_tag(data: str) -> _TagReader:
    reader = _TagReader()
    reader.feed(data)
    reader.close()
    return reader


def _opening_tag(datas: Sequence[str]) -> _TagReader | None:
    """The first of ``datas`` that is an HTML start tag (Markdown's ``](<url>)`` is not one)."""
    for data in datas:
        if data.lstrip().startswith("<"):
            reader = _read_tag(data)
            if reader.tag is not None:
                return reader
    return None


def _markdown_target(datas: Sequence[str]) -> tuple[str, str] | None:
    """(url, title) from a Markdown link's closing ``](url "title")``."""
    for data in datas:
        found = MD_LINK_CLOSE.search(data)
        if found:
            return _markdown_parts(found.groups())
    return None


def _markdown_parts(groups: Sequence[str | None]) -> tuple[str, str]:
    """(url, title) from MD_TARGET's groups, with Markdown's backslash escapes and entities decoded
    (so ``&#106;avascript:`` is seen for what it is)."""
    url = groups[0] if groups[0] is not None else groups[1] or ""
    title = next((t for t in groups[2:] if t), "")
    return _markdown_text(url), _markdown_text(title)


def _markdown_text(value: str) -> str:
    return unescape(MD_ESCAPE.sub(r"\1", value))


# -- building a tree ------------------------------------------------------------------------------

@dataclass
class _Node:
    """An element to write (``tag`` None: write only its children) or, with ``span``, a text run."""

    tag: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    children: list[_Node] = field(default_factory=list)
    span: tuple[int, int] | None = None  # a text run: [start, end) of the sentence's text
    literal: str = ""  # text that is not in the sentence (a protected span's own text)
    void: bool = False
    reopened: bool = False  # reopened after an overlapping pair closed: dropped if nothing follows

    def copy(self) -> _Node:
        """The same element, empty: to reopen it after closing an overlapping pair."""
        return _Node(self.tag, self.attributes, reopened=True)


class _Builder:
    """Turns a sentence's codes into a tree: well formed whatever order or overlap they come in."""

    def __init__(self, text: str, codes: Sequence[InlineCode], paragraph_codes: Sequence[InlineCode],
                 attributes: Mapping[str, Mapping[str, str]]) -> None:
        self.text = text
        self.attributes = attributes
        self.codes = _normalised(codes, len(text))
        self.datas: dict[str, list[str]] = {}
        for code in (*self.codes, *paragraph_codes):  # this sentence's own markup first
            self.datas.setdefault(code.id, []).append(code.data)
        self.root = _Node()
        self.stack: list[tuple[str, _Node]] = [("", self.root)]

    def build(self) -> _Node:
        """The tree: ENDs open at the start, then text and codes in offset order."""
        ends = [(i, c) for i, c in enumerate(self.codes) if c.role is CodeRole.END]
        for _, code in sorted(ends, key=lambda item: (-item[1].offset, -item[0])):  # outermost first
            self._open(code)
        cursor = 0
        for offset, here in _by_offset(self.codes):
            self._text(cursor, offset)
            cursor = offset
            self._close_earlier(here)
            for code in _same_offset_order(here):
                self._place(code)
        self._text(cursor, len(self.text))
        return self.root

    def _text(self, start: int, end: int) -> None:
        if end > start:
            self.stack[-1][1].children.append(_Node(span=(start, end)))

    def _close_earlier(self, here: list[tuple[int, InlineCode]]) -> None:
        """Close the spans opened before this offset, innermost first."""
        closing = [c for _, c in here if c.role is CodeRole.END or (c.role is CodeRole.CLOSE and self._depth(c.id))]
        for code in sorted(closing, key=lambda c: -self._depth(c.id)):
            self._close(code.id)

    def _place(self, code: InlineCode) -> None:
        if code.role in (CodeRole.OPEN, CodeRole.START):
            self._open(code)
        elif code.role is CodeRole.CLOSE:
            self._close(code.id)
        elif code.role is CodeRole.STANDALONE:
            node = _standalone(code, self.attributes.get(code.id, {}))
            if node is not None:
                self.stack[-1][1].children.append(node)

    def _depth(self, code_id: str) -> int:
        """Where the span ``code_id`` is open on the stack (0: not open)."""
        return next((i for i in range(len(self.stack) - 1, 0, -1) if self.stack[i][0] == code_id), 0)

    def _open(self, code: InlineCode) -> None:
        node = _element(code, self.datas.get(code.id, [code.data]), self.attributes.get(code.id, {}))
        self.stack[-1][1].children.append(node)
        self.stack.append((code.id, node))

    def _close(self, code_id: str) -> None:
        """Close ``code_id``; spans opened inside it and still open are closed and reopened."""
        depth = self._depth(code_id)
        if not depth:
            return  # never opened (or already closed): nothing to do
        inner = self.stack[depth + 1:]
        del self.stack[depth:]
        for inner_id, node in inner:
            reopened = node.copy()
            self.stack[-1][1].children.append(reopened)
            self.stack.append((inner_id, reopened))


def _normalised(codes: Sequence[InlineCode], length: int) -> list[InlineCode]:
    """Offsets inside the text; a pair missing one side in this sentence is isolated."""
    roles = {(c.id, c.role) for c in codes}
    result = []
    for code in codes:
        role = code.role
        if role is CodeRole.OPEN and (code.id, CodeRole.CLOSE) not in roles:
            role = CodeRole.START
        elif role is CodeRole.CLOSE and (code.id, CodeRole.OPEN) not in roles:
            role = CodeRole.END
        offset = min(max(code.offset, 0), length)
        if (role, offset) != (code.role, code.offset):
            code = InlineCode(code.id, role, code.kind, code.data, offset, code.equiv)
        result.append(code)
    return result


def _by_offset(codes: list[InlineCode]) -> Iterator[tuple[int, list[tuple[int, InlineCode]]]]:
    """Codes grouped by offset, in offset order, each with its index in the list."""
    for offset in sorted({c.offset for c in codes}):
        yield offset, [(i, c) for i, c in enumerate(codes) if c.offset == offset]


def _same_offset_order(here: list[tuple[int, InlineCode]]) -> list[InlineCode]:
    """The codes at one offset in list order (document order), but a close never before its
    open: ``<a><img></a>`` at one offset keeps the image inside the link."""
    open_index = {c.id: i for i, c in here if c.role is CodeRole.OPEN}

    def key(item: tuple[int, InlineCode]) -> float:
        index, code = item
        if code.role is CodeRole.CLOSE and code.id in open_index:
            return max(index, open_index[code.id] + 0.5)
        return index

    return [c for _, c in sorted(here, key=key)]


# -- elements from codes ----------------------------------------------------------------------------

def _element(code: InlineCode, datas: Sequence[str], own: Mapping[str, str]) -> _Node:
    """The element a paired code opens (a transparent node when none may be built); ``own``
    holds the page's wording of its title."""
    if code.kind is CodeKind.PROTECTED:
        return _Node(_protected_tag(code.data), (("translate", "no"),))
    if code.kind is CodeKind.TERM:
        dnt = code.equiv == "dnt"
        return _Node("span", (("class", "term dnt" if dnt else "term"), ("title", code.data)))
    if code.kind not in PAIRED:
        return _Node()  # raw markup and unknown kinds: only the text inside shows
    default, choices = PAIRED[code.kind]
    tag = _opening_tag(datas)
    chosen = tag.tag if tag is not None and tag.tag in choices else default
    attributes = tag.attributes if tag is not None else {}
    if code.kind is CodeKind.LINK:
        return _link(attributes, datas, own)
    kept: list[tuple[str, str]] = []
    title = own.get("title") or attributes.get("title")
    if code.kind is CodeKind.ABBR and title:
        kept.append(("title", title))
    if LANGUAGE_TAG.match(attributes.get("lang", "")):
        kept.append(("lang", attributes["lang"]))
    if code.kind is CodeKind.SPAN and attributes.get("dir", "").lower() in ("ltr", "rtl", "auto"):
        kept.append(("dir", attributes["dir"].lower()))
    return _Node(chosen, tuple(kept))


def _link(attributes: dict[str, str], datas: Sequence[str], own: Mapping[str, str]) -> _Node:
    """``<a href>`` when the target is safe, else the link's text alone."""
    href, title = attributes.get("href"), attributes.get("title", "")
    if href is None:
        href, title = _markdown_target(datas) or (None, "")
    href, title = safe_url(href), own.get("title") or title
    if href is None:
        return _Node()
    return _Node("a", (("href", href),) + ((("title", title),) if title else ()))


def _standalone(code: InlineCode, own: Mapping[str, str]) -> _Node | None:
    """A line break, an image, a protected span; other standalone codes show their equiv text."""
    if code.kind is CodeKind.BREAK:
        return _Node("br", void=True)
    if code.kind is CodeKind.IMAGE:
        return _image(code, own)
    if code.kind is CodeKind.PROTECTED:
        return _autolink(code) or _Node(_protected_tag(code.data), (("translate", "no"),),
                                        [_Node(literal=code.equiv or _protected_text(code.data))])
    return _Node(literal=code.equiv) if code.equiv else None


def _autolink(code: InlineCode) -> _Node | None:
    """A Markdown autolink (``<https://...>``, ``<desk@example.org>``) as a link, when safe."""
    found = AUTOLINK.match(code.data)
    if found is None:
        return None
    target = found.group(1)
    href = safe_url(target if ":" in target else f"mailto:{target}")
    label = _Node(literal=code.equiv or target)
    return _Node("a", (("href", href),), [label]) if href else label


def _image(code: InlineCode, own: Mapping[str, str]) -> _Node | None:
    """``<img src alt>`` when the source is safe, else the alt text."""
    src, alt, title = _image_parts(code)
    alt, title = own.get("alt") or code.equiv or alt, own.get("title") or title
    src = safe_url(src, IMAGE_SCHEMES)
    if src is None:
        return _Node(literal=alt) if alt else None
    return _Node("img", (("src", src), ("alt", alt)) + ((("title", title),) if title else ()), void=True)


def block_image(tag: str, alt: str, title: str = "") -> Markup:
    """An image outside any sentence (a figure's picture), from its ``<img ...>`` tag, as safe
    HTML with the page's ``alt`` and ``title``; nothing when its ``src`` is not a safe URL.

    >>> str(block_image('<img src="/a.jpg" onerror="x()" alt="old">', "new"))
    '<img src="/a.jpg" alt="new">'
    >>> str(block_image('<img src="javascript:x()">', "alt"))
    ''
    """
    node = _image(InlineCode("image", CodeRole.STANDALONE, CodeKind.IMAGE, tag, 0, alt), {"alt": alt, "title": title})
    if node is None or node.tag != "img":
        return Markup("")
    return Markup("".join(_serialise(node, "", frozenset())))


def _image_parts(code: InlineCode) -> tuple[str | None, str, str]:
    """(src, alt, title) as an image's markup gives them."""
    tag = _opening_tag([code.data])
    if tag is not None and tag.tag == "img":
        return tag.attributes.get("src"), tag.attributes.get("alt", ""), tag.attributes.get("title", "")
    markdown = MD_IMAGE.search(code.data)
    if markdown:
        src, title = _markdown_parts(markdown.groups()[1:])
        return src, markdown.group(1), title
    return None, "", ""


def attribute_slots(codes: Sequence[InlineCode]) -> list[tuple[str, str, str]]:
    """(code id, attribute name, value) of every ``alt`` and ``title`` in the codes' markup, in
    document order: the attributes a reader gives blocks of their own (``BlockKind.ATTRIBUTE``),
    so the page can put their translations back in place.  Values are as readers give them:
    decoded, whitespace collapsed; an image's alt is its equiv text.

    >>> from tandem.document import CodeKind, CodeRole, InlineCode
    >>> attribute_slots([InlineCode("1", CodeRole.STANDALONE, CodeKind.IMAGE, '<img title="A" alt="b">', 0, "b")])
    [('1', 'title', 'A'), ('1', 'alt', 'b')]
    """
    slots = []
    for code in codes:
        for name, value in _attributes_of(code):
            value = " ".join(value.split())
            if value:
                slots.append((code.id, name, value))
    return slots


def _attributes_of(code: InlineCode) -> Iterator[tuple[str, str]]:
    if code.kind is CodeKind.IMAGE and not code.data.lstrip().startswith("<"):
        _, alt, title = _image_parts(code)
        yield "alt", code.equiv or alt
        yield "title", title
        return
    tag = _opening_tag([code.data])
    if tag is not None:
        for name in tag.attributes:  # attribute order, as in the document
            if name == "title" or (name == "alt" and tag.tag == "img"):
                yield name, code.equiv if name == "alt" and code.equiv else tag.attributes[name]
    elif code.kind is CodeKind.LINK and code.role in (CodeRole.CLOSE, CodeRole.END):
        yield "title", (_markdown_target([code.data]) or ("", ""))[1]


def _protected_tag(data: str) -> str:
    """``code``/``kbd``/``samp``/``var`` as the markup says (Markdown backticks: ``code``), else span."""
    if data.startswith("`"):
        return "code"
    tag = _read_tag(data).tag
    return tag if tag in PROTECTED_TAGS else "span"


def _protected_text(data: str) -> str:
    """What a protected span shows when it has no equiv text: the text inside its markup."""
    backticks = MD_CODE.match(data)
    if backticks:
        return backticks.group(2)
    return "".join(_read_tag(data).text)


# -- writing --------------------------------------------------------------------------------------

def _breaks(text: str, language: str) -> frozenset[int]:
    """Offsets where a phrase break (``<wbr>``) goes: between BudouX phrases."""
    offsets, position = set(), 0
    for piece in phrases(text, language)[:-1]:
        position += len(piece)
        offsets.add(position)
    return frozenset(offsets)


def _serialise(node: _Node, text: str, breaks: frozenset[int], protected: bool = False) -> Iterator[str]:
    """HTML for ``node``: text escaped, attribute values escaped and quoted.

    Phrase breaks go only into text runs (never into a tag), and not into protected spans,
    which are code or names, not phrases."""
    if node.span is not None:
        yield from _text_run(text, node.span, () if protected else breaks)
        return
    if node.literal:
        yield str(escape(node.literal))
        return
    if _left_empty(node):
        return
    if node.tag:
        attributes = "".join(f' {name}="{escape(value)}"' for name, value in node.attributes)
        yield f"<{node.tag}{attributes}>"
        if node.void:
            return
    inner = protected or ("translate", "no") in node.attributes
    for child in node.children:
        yield from _serialise(child, text, breaks, inner)
    if node.tag:
        yield f"</{node.tag}>"


def _left_empty(node: _Node) -> bool:
    """A reopened element with nothing after it (the sentence ended): not worth writing."""
    return node.reopened and all(_left_empty(child) for child in node.children)


def _text_run(text: str, span: tuple[int, int], breaks: frozenset[int] | tuple[()]) -> Iterator[str]:
    start, end = span
    cuts = sorted(b for b in breaks if start <= b < end and b > 0)
    for cut in cuts:
        yield str(escape(text[start:cut]))
        yield "<wbr>"
        start = cut
    yield str(escape(text[start:end]))
