"""HTML articles: a fragment as a CMS exports it, or a whole saved web page.

The document is tokenised with the standard library's :class:`html.parser.HTMLParser` (it
gives every tag's position and raw text, which lxml does not, and it never fails on malformed
markup), and a small tree is built with the HTML rules that matter for text: void elements,
implied ends of ``p``/``li``/``dt``/``dd``/cells, end tags closing what is still open inside.

*The article body* is the element ``select`` names (a CSS selector), else the ``<article>``
with the most text, else ``<main>`` (or ``role="main"``), else ``<body>``, else the whole
fragment; ``<head>`` and ``<nav>`` are never translated.  In a ``<main>`` or ``<body>``, page
furniture is left out too: ``aside``, ``footer``, ``form``, the ``<header>`` of the body,
landmark roles (banner, navigation, dialog...), and blocks whose class or id says cookie,
consent, newsletter, sidebar, comments, related, share, menu, footer...  (Measured on saved
pages against readability-lxml and trafilatura: on semantic markup this rule alone keeps every
story block and no furniture, where both extractors dropped headline, byline or caption
sentences; they return re-serialised text, not places in the source, so they could only ever
choose the element, which ``select`` does explicitly.)

*Blocks* are the runs of text between block-level tags; a run's kind comes from the nearest
enclosing ``h1``-``h6`` (HEADING), ``blockquote`` (QUOTE), ``li`` (LIST_ITEM), ``figcaption``
or table ``caption`` (CAPTION), ``td``/``th`` (CELL), ``dt``/``dd`` (TERM/DEFINITION), else it
is a PARAGRAPH.  ``img alt`` and any ``title`` attribute are ATTRIBUTE blocks of their own.
Inline elements become :class:`~tandem.document.InlineCode` pairs (``br``/``img``:
standalone); ``code``/``kbd``/``samp``/``var`` and anything marked ``translate="no"`` or
``class="notranslate"`` become one PROTECTED code holding the whole element; ``script``,
``style``, ``pre``, ``template``, ``svg``, ``math`` and comments are never translated (inside
a block, a RAW code keeps them in place).

Security: nothing is executed or fetched.  A code's ``data`` is the source's markup byte for
byte, scripts and ``on*=``/``javascript:`` attributes included: it is *untrusted*, and a
publisher must sanitise it before putting it in a page of its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from tandem.document import Article, BlockKind, CodeKind, CodeRole, InlineCode, Paragraph
from tandem.errors import InputError

FILE_EXTENSIONS = (".html", ".htm")

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Elements whose start and end delimit blocks (text never runs across them).
BLOCK = frozenset("""address article aside blockquote body caption center dd details dialog dir div dl
    dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main
    menu nav ol p pre section summary table tbody td tfoot th thead tr ul""".split())
# Never translated: their content is code, data or markup of another language.
SKIPPED = frozenset("script style pre template svg math noscript iframe object canvas video audio "
                    "textarea select head title".split())
NEVER_IN_BODY = frozenset({"head", "nav"})  # page furniture, whatever the body is
# Page furniture, skipped when the body is a <main> or <body> (not an <article> or a selection):
# landmarks and the class/id words sites give their banners, boxes and lists around a story.
FURNITURE_TAGS = frozenset({"aside", "footer", "form"})
FURNITURE_ROLES = frozenset("navigation banner contentinfo complementary dialog alertdialog search".split())
# Long words may begin a longer class name ("relatedposts", "sharedaddy"); short ones ("ad",
# "nav", "menu", "skip") must be whole parts of it, or "address" and "navy" would match.
_FURNITURE_WORDS = re.compile(r"(?:^|[-_])(?:(?:cookie|consent|gdpr|newsletter|sidebar|comment|related|shar(?:e|ing)|"
                              r"social|promo|advert|masthead|breadcrumb|footer|subscri|paywall|toolbar|topbar)\w*|"
                              r"(?:ads?|nav|menu|skip|top-bar|utility|login|signin|screen-reader-text|sr-only)"
                              r"(?:[-_]|$))", re.IGNORECASE)
PROTECTED = frozenset({"code", "kbd", "samp", "var"})
INLINE_KINDS = {"a": CodeKind.LINK, "em": CodeKind.ITALIC, "i": CodeKind.ITALIC, "strong": CodeKind.BOLD,
                "b": CodeKind.BOLD, "u": CodeKind.UNDERLINE, "s": CodeKind.STRIKE, "strike": CodeKind.STRIKE,
                "del": CodeKind.STRIKE, "q": CodeKind.QUOTE, "cite": CodeKind.CITE, "abbr": CodeKind.ABBR,
                "span": CodeKind.SPAN, "sub": CodeKind.SUB, "sup": CodeKind.SUP, "small": CodeKind.SMALL,
                "mark": CodeKind.MARK}
LISTS = ("ul", "ol", "menu")  # list containers; a list item's depth counts them
BLOCK_KINDS = {"blockquote": BlockKind.QUOTE, "li": BlockKind.LIST_ITEM, "figcaption": BlockKind.CAPTION,
               "caption": BlockKind.CAPTION, "td": BlockKind.CELL, "th": BlockKind.CELL,
               "dt": BlockKind.TERM, "dd": BlockKind.DEFINITION}
HEADINGS = {f"h{n}": n for n in range(1, 7)}
WHITESPACE = " \t\n\r\f"  # HTML's ASCII whitespace (a no-break space is text)
_IMPLIED_BY = {"li": ({"li"}, {"ul", "ol"}), "dt": ({"dt", "dd"}, {"dl"}), "dd": ({"dt", "dd"}, {"dl"}),
               "td": ({"td", "th"}, {"tr", "table"}), "th": ({"td", "th"}, {"tr", "table"}),
               "tr": ({"tr", "td", "th"}, {"table", "tbody", "thead", "tfoot"}),
               "tbody": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
               "thead": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
               "tfoot": ({"tbody", "thead", "tfoot", "tr", "td", "th"}, {"table"}),
               "a": ({"a"}, BLOCK)}
_P_SCOPE = frozenset("html table td th caption object template button".split())
_ATTRIBUTE = re.compile(r"""([^\s/>"'=][^\s/>=]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']*))?""")


# ---------------------------------------------------------------------------------- tokens

@dataclass
class Token:
    """One piece of the document: a tag, a run of text, or anything else (comment, doctype)."""

    kind: str  # "start", "empty" (<x/>), "end", "text", "other"
    start: int
    end: int = 0
    tag: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    decoded: str = ""  # text tokens: the text with character references decoded
    reference: bool = False  # a character reference, decoded once its end is known


class _Tokenizer(HTMLParser):
    """Records every parser event with its character offset in the document."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.tokens: list[Token] = []
        self._lines = [0] + [m.end() for m in re.finditer("\n", text)]

    def _at(self) -> int:
        line, column = self.getpos()
        return self._lines[line - 1] + column

    def _tag(self, kind: str, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {}
        for name, value in attrs:  # the first of a repeated attribute counts, as in browsers
            values.setdefault(name, value or "")
        self.tokens.append(Token(kind, self._at(), tag=tag, attrs=values))

    def handle_starttag(self, tag, attrs):
        self._tag("start", tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._tag("empty", tag, attrs)

    def handle_endtag(self, tag):
        self.tokens.append(Token("end", self._at(), tag=tag))

    def handle_data(self, data):
        self._text(data)

    def handle_entityref(self, name):
        self.tokens.append(Token("text", self._at(), reference=True))

    handle_charref = handle_entityref

    def _text(self, data: str) -> None:
        self.tokens.append(Token("text", self._at(), decoded=data))

    def handle_comment(self, data):
        self.tokens.append(Token("other", self._at()))

    handle_decl = handle_pi = unknown_decl = handle_comment


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of ``text[start:end]`` with offsets into ``text``; adjacent text is merged."""
    end = len(text) if end is None else end
    parser = _Tokenizer(text[start:end])
    parser.feed(text[start:end])
    parser.close()
    tokens: list[Token] = []
    for token, following in zip(parser.tokens, [*parser.tokens[1:], None]):
        token.start += start
        token.end = following.start + start if following else end
        if token.reference:  # decoded as a browser does, "&amp" without ";" included
            token.decoded = html.unescape(text[token.start:token.end])
        if token.kind == "text" and tokens and tokens[-1].kind == "text":
            tokens[-1].end, tokens[-1].decoded = token.end, tokens[-1].decoded + token.decoded
        else:
            tokens.append(token)
    return tokens


# ---------------------------------------------------------------------------------- tree

@dataclass(eq=False)
class Node:
    """An element: its start token, its end (token index, or None when implied) and children
    (nodes, or token indexes of text and other leaves)."""

    tag: str
    attrs: dict[str, str]
    start: int  # token index
    parent: Node | None = None
    children: list[Node | int] = field(default_factory=list)
    end: int | None = None
    raw_end: int = 0  # where the element ends in the document
    has_block: bool = False  # a block-level element inside: then it is a block boundary too
    text_length: int = 0

    @property
    def is_block(self) -> bool:
        return self.tag in BLOCK or self.has_block


def build_tree(tokens: Sequence[Token], length: int) -> Node:
    """A tree under a virtual root, built with the HTML parsing rules that matter for text."""
    builder = _TreeBuilder()
    for index, token in enumerate(tokens):
        if token.kind in ("start", "empty"):
            builder.open(token, index)
        elif token.kind == "end" and builder.counts.get(token.tag):
            while builder.stack[-1].tag != token.tag:
                builder.pop(token.start)
            builder.stack[-1].end = index
            builder.pop(token.end)
        else:  # text, comments, stray end tags: leaves of the open element
            builder.leaf(token, index)
    while len(builder.stack) > 1:
        builder.pop(length)
    return builder.stack[0]


class _TreeBuilder:
    """The stack of open elements, with a count per tag so that no rule scans a deep stack
    for an element that is not open at all."""

    def __init__(self) -> None:
        self.stack = [Node("#root", {}, -1)]
        self.counts: dict[str, int] = {}

    def open(self, token: Token, index: int) -> None:
        tag = token.tag
        if tag in BLOCK:
            self._close_through({"p"}, _P_SCOPE, token.start)
        if tag in _IMPLIED_BY:
            self._close_through(*_IMPLIED_BY[tag], token.start)
        if tag in HEADINGS and self.stack[-1].tag in HEADINGS:
            self.pop(token.start)
        node = Node(tag, token.attrs, index, parent=self.stack[-1])
        self.stack[-1].children.append(node)
        self.stack.append(node)
        self.counts[tag] = self.counts.get(tag, 0) + 1
        if tag in VOID or token.kind == "empty":  # <x/> is taken as empty, whatever x is
            self.pop(token.end)

    def leaf(self, token: Token, index: int) -> None:
        top = self.stack[-1]
        top.children.append(index)
        if token.kind == "text" and top.tag not in SKIPPED:
            top.text_length += len(token.decoded.strip())

    def pop(self, at: int) -> None:
        node = self.stack.pop()
        self.counts[node.tag] -= 1
        node.raw_end = max(at, node.raw_end)
        parent = self.stack[-1]
        parent.has_block |= node.is_block
        parent.text_length += node.text_length

    def _close_through(self, tags: Iterable[str], boundary: Iterable[str], at: int) -> None:
        """Close the nearest open element among ``tags`` unless a ``boundary`` element comes first."""
        if not any(self.counts.get(tag) for tag in tags):
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag in tags:
                while len(self.stack) > depth:
                    self.pop(at)
                return
            if self.stack[depth].tag in boundary:
                return


# ---------------------------------------------------------------------------------- inline runs

@dataclass
class _Item:
    start: int  # raw range in the document
    end: int
    text: str | None = None  # a text item, decoded; None for a code
    role: CodeRole = CodeRole.STANDALONE
    kind: CodeKind = CodeKind.RAW
    data: str = ""
    equiv: str = ""
    pair: int = -1  # index of the opening item, for a closing one


@dataclass(frozen=True)
class Built:
    """A block's plain text and codes, its content span and where each code starts."""

    text: str
    codes: tuple[InlineCode, ...]
    start: int
    end: int
    code_starts: tuple[int, ...]


class InlineRun:
    """Collects a block's text and inline markup in document order, then builds its plain
    text: whitespace collapsed as a browser renders it (a run of spaces is one space, kept
    before a paired code; a visible standalone code -- image, protected span -- keeps one space
    on each side; a line break is followed by one space, so the words it separates stay
    apart), ends trimmed."""

    def __init__(self, document: str) -> None:
        self.document = document
        self.items: list[_Item] = []

    def text(self, decoded: str, start: int, end: int) -> None:
        self.items.append(_Item(start, end, text=decoded))

    def open(self, kind: CodeKind, data: str, start: int, end: int) -> int:
        self.items.append(_Item(start, end, role=CodeRole.OPEN, kind=kind, data=data))
        return len(self.items) - 1

    def close(self, opened: int, data: str, start: int, end: int) -> None:
        kind = self.items[opened].kind
        self.items.append(_Item(start, end, role=CodeRole.CLOSE, kind=kind, data=data, pair=opened))

    def standalone(self, kind: CodeKind, data: str, start: int, end: int, equiv: str = "") -> None:
        self.items.append(_Item(start, end, kind=kind, data=data, equiv=equiv))

    def build(self) -> Built | None:
        """The block, or None when it has no text to translate."""
        lo, hi = self._trimmed()
        items = self.items[lo:hi]
        text, offsets = collapse(items)
        if not text:
            return None
        ids = _ids(items, lo)
        codes = tuple(InlineCode(ids[i], it.role, it.kind, it.data, offsets[i], it.equiv)
                      for i, it in enumerate(items) if it.text is None)
        starts = tuple(it.start for it in items if it.text is None)
        first = items[0]
        last = next(it for it in reversed(items) if it.text is not None or it.data)  # implied ends: no width
        start = first.start + _lead(self.document[first.start:first.end]) if first.text is not None else first.start
        end = last.end - _trail(self.document[last.start:last.end]) if last.text is not None else last.end
        starts = tuple(min(s, end) for s in starts)
        return Built(text, codes, start, end, starts)

    def _trimmed(self) -> tuple[int, int]:
        """The items without blank text and comment-like codes at either end (they stay in the
        skeleton)."""
        items = self.items
        lo, hi = 0, len(items)
        while lo < hi and _edge(items[lo]):
            lo += 1
        while hi > lo and _edge(items[hi - 1]):
            hi -= 1
        return lo, hi


def _edge(item: _Item) -> bool:
    if item.text is not None:
        return not item.text.strip(WHITESPACE)
    return item.kind is CodeKind.RAW and item.role is CodeRole.STANDALONE


def _lead(raw: str) -> int:
    return len(raw) - len(raw.lstrip(WHITESPACE))


def _trail(raw: str) -> int:
    return len(raw) - len(raw.rstrip(WHITESPACE))


def _ids(items: list[_Item], first: int) -> dict[int, str]:
    """Code ids 1, 2, ... in document order; a closing code takes its opening code's id
    (``first``: where ``items`` start in the run, which ``pair`` counts from)."""
    ids: dict[int, str] = {}
    count = 0
    for index, item in enumerate(items):
        if item.text is None and item.pair - first in ids:
            ids[index] = ids[item.pair - first]
        elif item.text is None:
            count += 1
            ids[index] = str(count)
    return ids


def collapse(items: Sequence[_Item]) -> tuple[str, dict[int, int]]:
    """The plain text of ``items`` and each code item's offset in it (see :class:`InlineRun`).

    >>> text, _ = collapse([_Item(0, 0, text="  The\\n   vote  "), _Item(0, 0, text=" passed. ")])
    >>> text
    'The vote passed.'
    """
    out: list[str] = []
    offsets: dict[int, int] = {}
    pending = False  # whitespace seen since the last character
    hold = False  # a visible code was just placed: the space after it counts on its own
    for index, item in enumerate(items):
        if item.text is not None:
            for char in item.text:
                if char in WHITESPACE:
                    pending = True
                    continue
                if pending and out and (out[-1] != " " or hold):
                    out.append(" ")
                out.append(char)
                pending = hold = False
            continue
        if item.kind is CodeKind.BREAK:  # a line break separates words as a space does
            offsets[index] = len(out)
            pending = hold = True
            continue
        if pending and out and (out[-1] != " " or hold):
            out.append(" ")
            pending = False
        offsets[index] = len(out)
        hold = item.role is CodeRole.STANDALONE and item.kind in (CodeKind.IMAGE, CodeKind.PROTECTED)
    text = "".join(out).rstrip(" ")
    return text, {i: min(o, len(text)) for i, o in offsets.items()}


# ---------------------------------------------------------------------------------- reading

def parse(text: str, *, name: str, source_path: str, language: str = "en", select: str | None = None) -> Article:
    """Read decoded HTML ``text`` into an :class:`Article` (``select``: a CSS selector naming the
    article body).

    >>> a = parse('<p>The <a href="/v">council</a> voted&nbsp;7&ndash;2.</p>', name="x", source_path="x.html")
    >>> p = a.paragraphs[0]
    >>> p.text, [(c.role.value, c.data, c.offset) for c in p.codes], a.text[p.start:p.end][:7]
    ('The council voted\\xa07–2.', [('open', '<a href="/v">', 4), ('close', '</a>', 11)], 'The <a ')
    """
    tokens = tokenize(text)
    root = build_tree(tokens, len(text))
    bodies, furniture = _bodies(root, select, source_path)
    blocks = _Walker(text, tokens, skip_furniture=furniture).blocks(bodies)
    if not blocks:
        raise InputError("article is empty (no text to translate)", path=source_path)
    paragraphs = tuple(_number(blocks))
    return Article(name=name, source_path=source_path, language=language, text=text,
                   paragraphs=paragraphs, format="html")


def _number(blocks: list[Paragraph]) -> Iterable[Paragraph]:
    for number, block in enumerate(sorted(blocks, key=lambda p: p.start), start=1):
        yield Paragraph(number=number, text=block.text, start=block.start, kind=block.kind,
                        level=block.level, codes=block.codes, end=block.end, name=block.name)


def _bodies(root: Node, select: str | None, where: str) -> tuple[list[Node], bool]:
    """The element(s) holding the article (see the module docstring), and whether page
    furniture must still be left out of them (a ``<main>`` or ``<body>``)."""
    if select is not None:
        return _selected(root, select, where), False
    nodes = list(_descendants(root))
    articles = [n for n in nodes if n.tag == "article" and not _inside(n, "article")]
    if articles:
        return [max(articles, key=lambda n: n.text_length)], False
    for wanted in (lambda n: n.tag == "main" or n.attrs.get("role") == "main", lambda n: n.tag == "body"):
        found = next((n for n in nodes if wanted(n)), None)
        if found is not None:
            return [found], True
    return [root], False  # a fragment: all of it is the article


def _furniture(node: Node) -> bool:
    """A site's banner, navigation, sidebar, comments or footer (not the story)."""
    if node.tag in FURNITURE_TAGS or node.attrs.get("role", "").strip().lower() in FURNITURE_ROLES:
        return True
    if node.tag == "header" and node.parent is not None and node.parent.tag == "body":
        return True  # the site's masthead; a <header> inside the story holds its headline
    words = node.attrs.get("class", "").split() + node.attrs.get("id", "").split()
    return any(_FURNITURE_WORDS.search(word) for word in words)


def _selected(root: Node, select: str, where: str) -> list[Node]:
    """The outermost elements matching the CSS selector ``select`` (lxml's cssselect, run on a
    copy of the tree: lxml cannot say where an element sits in the source)."""
    from lxml import etree
    from lxml.cssselect import CSSSelector, SelectorError

    try:
        selector = CSSSelector(select, translator="html")
    except SelectorError as exc:
        raise InputError(f"bad CSS selector {select!r}: {exc}", path=where) from None
    shadow: dict[etree._Element, Node] = {}
    top = etree.Element("html-root")
    pending = [(root, top)]
    while pending:
        node, element = pending.pop()
        for child in node.children:
            if isinstance(child, Node):
                pending.append((child, _shadow(element, child, shadow)))
    found = [shadow[e] for e in selector(top) if e in shadow]
    outermost = [n for n in found if not any(_is_ancestor(other, n) for other in found)]
    if not outermost:
        raise InputError(f"CSS selector {select!r} matches nothing in the document", path=where)
    return outermost


def _shadow(parent, node: Node, shadow: dict) -> object:
    from lxml import etree

    try:
        element = etree.SubElement(parent, node.tag)
    except ValueError:  # a tag name XML cannot hold: no selector can name it anyway
        element = etree.SubElement(parent, "x-unnamed")
    for name, value in node.attrs.items():
        try:
            element.set(name, value)
        except ValueError:  # an attribute name or value XML cannot hold
            pass
    shadow[element] = node
    return element


def _descendants(root: Node) -> Iterable[Node]:
    pending = [root]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(reversed([c for c in node.children if isinstance(c, Node)]))


def _inside(node: Node, tag: str) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def _is_ancestor(ancestor: Node, node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.parent
    return False


def _protected(node: Node) -> bool:
    return (node.tag in PROTECTED or node.attrs.get("translate", "").strip().lower() == "no"
            or "notranslate" in node.attrs.get("class", "").split())


class _Walker:
    """Turns the body's elements into blocks, one inline run at a time."""

    def __init__(self, document: str, tokens: Sequence[Token], *, skip_furniture: bool = False) -> None:
        self.document, self.tokens, self.skip_furniture = document, tokens, skip_furniture
        self.found: list[Paragraph] = []
        self.context: list[str] = []  # enclosing block-level tags
        self.run = InlineRun(document)
        self.open: dict[int, int] = {}  # id(node) -> index of its opening item

    def blocks(self, bodies: Sequence[Node]) -> list[Paragraph]:
        for body in bodies:
            self._walk(body)
        return self.found

    def _walk(self, body: Node) -> None:
        self._flush()
        self.context = [body.tag]
        stack = [iter(body.children)]
        nodes = [body]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                node = nodes.pop()
                if node is not body:
                    self._leave(node)
            elif isinstance(child, int):
                self._leaf(self.tokens[child])
            elif self._enter(child):
                stack.append(iter(child.children))
                nodes.append(child)
        self._flush()

    def _raw(self, node: Node) -> tuple[int, int]:
        return self.tokens[node.start].start, node.raw_end

    def _may_be_furniture(self, node: Node) -> bool:
        """A block, or an inline element straight in the body (a "skip to content" link): inside
        a story's paragraph an inline element is part of a sentence, whatever its class says."""
        return node.is_block or len(self.context) == 1

    def _enter(self, node: Node) -> bool:
        """Handle an element's start; True to go on into its children."""
        start, end = self._raw(node)
        tag_token = self.tokens[node.start]
        if (node.tag in NEVER_IN_BODY or (node.is_block and (node.tag in SKIPPED or _protected(node)))
                or (self.skip_furniture and self._may_be_furniture(node) and _furniture(node))):
            self._flush()
            return False
        if node.tag in SKIPPED:
            self.run.standalone(CodeKind.RAW, self.document[start:end], start, end)
            return False
        if _protected(node):
            equiv = " ".join(self._text_of(node).split())
            self.run.standalone(CodeKind.PROTECTED, self.document[start:end], start, end, equiv)
            return False
        self._attributes(node, tag_token)
        if node.is_block:
            self._flush()
            self.context.append(node.tag)
            return True
        data = self.document[tag_token.start:tag_token.end]
        if node.tag == "br":
            self.run.standalone(CodeKind.BREAK, data, tag_token.start, tag_token.end)
        elif node.tag == "img":
            self.run.standalone(CodeKind.IMAGE, data, tag_token.start, tag_token.end,
                                " ".join(node.attrs.get("alt", "").split()))
        elif node.tag in VOID or tag_token.kind == "empty":
            self.run.standalone(CodeKind.RAW, data, tag_token.start, tag_token.end)
        else:
            kind = INLINE_KINDS.get(node.tag, CodeKind.SPAN)
            self.open[id(node)] = self.run.open(kind, data, tag_token.start, tag_token.end)
            return True
        return False

    def _leave(self, node: Node) -> None:
        if node.is_block:
            self._flush()
            self.context.pop()
        elif id(node) in self.open:
            if node.end is None:  # implied by what came next: nothing in the source
                self.run.close(self.open.pop(id(node)), "", node.raw_end, node.raw_end)
            else:
                token = self.tokens[node.end]
                self.run.close(self.open.pop(id(node)), self.document[token.start:token.end],
                               token.start, token.end)

    def _leaf(self, token: Token) -> None:
        if token.kind == "text":
            self.run.text(token.decoded, token.start, token.end)
        else:  # a comment, a doctype, a stray end tag: kept where it is
            self.run.standalone(CodeKind.RAW, self.document[token.start:token.end], token.start, token.end)

    def _flush(self) -> None:
        built = self.run.build()
        self.run = InlineRun(self.document)
        if built is None:
            return
        kind, level, name = self._kind()
        self.found.append(Paragraph(number=0, text=built.text, start=built.start, kind=kind, level=level,
                                    codes=built.codes, end=built.end, name=name))

    def _kind(self) -> tuple[BlockKind, int, str]:
        """The block's kind, level (a heading's; a list item's depth, 1 at the top) and, for a list
        item, its list's element ("ul" or "ol"), so that pages rebuild the list as it was."""
        for tag in reversed(self.context):
            if tag in HEADINGS:
                return BlockKind.HEADING, HEADINGS[tag], ""
            if tag == "li":
                lists = [t for t in self.context if t in LISTS]
                return BlockKind.LIST_ITEM, max(1, len(lists)), "ol" if lists[-1:] == ["ol"] else "ul"
            if tag in BLOCK_KINDS:
                return BLOCK_KINDS[tag], 0, ""
        return BlockKind.PARAGRAPH, 0, ""

    def _attributes(self, node: Node, token: Token) -> None:
        """``alt`` of an image and any ``title``: blocks of their own, at their value's span."""
        names = ("alt", "title") if node.tag == "img" else ("title",)
        for name, (start, end) in attribute_values(self.document, token, names).items():
            text = " ".join(node.attrs.get(name, "").split())
            if text:
                self.found.append(Paragraph(number=0, text=text, start=start, end=end,
                                            kind=BlockKind.ATTRIBUTE, name=name))

    def _text_of(self, node: Node) -> str:
        """The decoded text inside ``node`` (a protected span's ``equiv``)."""
        parts, pending = [], [node]
        while pending:
            for child in reversed(pending.pop().children):
                if isinstance(child, Node):
                    pending.append(child)
                elif self.tokens[child].kind == "text":
                    parts.append((child, self.tokens[child].decoded))
        return "".join(text for _, text in sorted(parts))


def attribute_values(document: str, token: Token, names: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Where the values of the attributes ``names`` of a start tag sit in the document (inside
    the quotes), for those whose raw value decodes to what the parser read."""
    raw = document[token.start:token.end]
    head = re.match(r"<[^\s/>]+", raw)
    found: dict[str, tuple[int, int]] = {}
    for match in _ATTRIBUTE.finditer(raw, head.end() if head else 0):
        name, value = match.group(1).lower(), match.group(2)
        if name not in names or name in found or value is None:
            continue
        inner = (match.start(2) + 1, match.end(2) - 1) if value[:1] in "\"'" and value else match.span(2)
        if html.unescape(raw[inner[0]:inner[1]]) == token.attrs.get(name):
            found[name] = (token.start + inner[0], token.start + inner[1])
    return found


# ---------------------------------------------------------------------------------- writing support

def code_starts(document: str, paragraphs: Sequence[Paragraph]) -> list[tuple[int, ...]]:
    """Where each code of each paragraph starts in ``document`` (writers need the source's raw
    pieces between codes); ATTRIBUTE blocks and paragraphs without codes give ``()``."""
    return [_starts(document, p) if p.codes else () for p in paragraphs]


def _starts(document: str, paragraph: Paragraph) -> tuple[int, ...]:
    end = paragraph.end if paragraph.end is not None else paragraph.start + len(paragraph.text)
    tokens = [t for t in tokenize(document, paragraph.start, end) if t.kind != "text"]
    starts, index, position = [], 0, paragraph.start
    for code in paragraph.codes:
        if not code.data:  # an implied end: where the next piece of markup (or the block) ends
            starts.append(tokens[index].start if index < len(tokens) else end)
            continue
        if index == len(tokens) or not document.startswith(code.data, tokens[index].start):
            raise ValueError(f"paragraph {paragraph.number}: its codes are not in the document")
        starts.append(tokens[index].start)
        position = tokens[index].start + len(code.data)
        while index < len(tokens) and tokens[index].start < position:
            index += 1
    return tuple(starts)
