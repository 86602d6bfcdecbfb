"""Markdown articles: CommonMark (markdown-it-py's ``commonmark`` preset) with YAML front matter.

Blocks are headings (HEADING, with a level), paragraphs, list items (LIST_ITEM) and block
quotes (QUOTE); code blocks, fences and raw HTML blocks stay as they are.  Inline markup
becomes :class:`~tandem.document.InlineCode`\\ s whose ``data`` is the source's own markup:
emphasis (``*``/``_``), strong (``**``/``__``) and links are pairs (a link's opening code is
``[``, its closing code ``](url "title")``, so the URL is never translated); images, inline code
and autolinks are standalone codes (IMAGE, PROTECTED), raw inline HTML a RAW code, a hard
break a BREAK code.  Backslash escapes and entities are decoded in the plain text.  Link and
image titles and image alt text are ATTRIBUTE blocks (``name`` "title"/"alt") at their span in
the source; so are the ``title``, ``summary`` and ``description`` of the front matter
(``name`` "front-matter:title"...), read with PyYAML's safe composer (no object is built).

markdown-it gives block tokens line ranges but no character offsets inside a line, so each
inline token is found again in the block's source, in order, with markdown-it's own link
helpers for the parts after a link text.  As with HTML, ``data`` is the source's markup
verbatim (raw HTML included) and is untrusted.

Not handled (they stay as in the source, untranslated): titles of reference definitions
(``[ref]: /url "title"``), GFM tables and other extensions outside CommonMark.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink, validateLink
from markdown_it.helpers import parseLinkDestination, parseLinkTitle
from markdown_it.token import Token

from tandem.document import Article, BlockKind, CodeKind, Paragraph
from tandem.errors import InputError
from tandem.readers.html import InlineRun

FILE_EXTENSIONS = (".md", ".markdown")
FRONT_MATTER_KEYS = ("title", "summary", "description")
LANGUAGE_KEYS = ("lang", "language")  # front matter keys a writer sets to the target language
_LINE_END = re.compile(r"\r\n|\r|\n")  # what markdown-it takes for a line end
_SPACES = " \t"
_PAIRS = {"em_open": CodeKind.ITALIC, "strong_open": CodeKind.BOLD, "s_open": CodeKind.STRIKE}


class _Unaligned(Exception):
    """A token could not be found in the source again (a bug, reported with the line)."""


def markdown_parser() -> MarkdownIt:
    """The CommonMark parser, with escapes and entities kept as tokens of their own."""
    return MarkdownIt("commonmark").disable("text_join")


def parse(text: str, *, name: str, source_path: str, language: str = "en") -> Article:
    """Read decoded Markdown ``text`` into an :class:`Article`.

    >>> a = parse("# Vote\\n\\nThe [council](/c \\"City council\\") *met*.\\n", name="x", source_path="x.md")
    >>> [(p.kind.value, p.name, p.text) for p in a.paragraphs]
    [('heading', '', 'Vote'), ('paragraph', '', 'The council met.'), ('attribute', 'title', 'City council')]
    >>> [(c.role.value, c.data) for c in a.paragraphs[1].codes]
    [('open', '['), ('close', '](/c "City council")'), ('open', '*'), ('close', '*')]
    """
    blocks = [block for block, _ in _blocks(text, source_path)]
    if not blocks:
        raise InputError("article is empty (no text to translate)", path=source_path)
    paragraphs = tuple(Paragraph(number=i, text=b.text, start=b.start, kind=b.kind, level=b.level,
                                 codes=b.codes, end=b.end, name=b.name)
                       for i, b in enumerate(sorted(blocks, key=lambda b: b.start), start=1))
    return Article(name=name, source_path=source_path, language=language, text=text,
                   paragraphs=paragraphs, format="markdown")


def code_starts(document: str, paragraphs: Sequence[Paragraph]) -> list[tuple[int, ...]]:
    """Where each code of each paragraph starts in ``document`` (for writers)."""
    found = {(b.start, b.end, b.name): starts for b, starts in _blocks(document, "<document>")}
    return [found.get((p.start, p.end, p.name), ()) if p.codes else () for p in paragraphs]


@dataclass(frozen=True)
class _Lines:
    """The document's lines: where each starts and its text without the line end."""

    starts: tuple[int, ...]
    texts: tuple[str, ...]

    @classmethod
    def of(cls, document: str) -> _Lines:
        starts, texts, position = [], [], 0
        for match in [*_LINE_END.finditer(document), None]:
            end = match.start() if match else len(document)
            starts.append(position)
            texts.append(document[position:end])
            position = match.end() if match else end
        return cls(tuple(starts), tuple(texts))


def _blocks(document: str, where: str) -> list[tuple[Paragraph, tuple[int, ...]]]:
    lines = _Lines.of(document)
    found, body_line = _front_matter(document, lines, where)
    source = "\n".join(["" if i < body_line else t for i, t in enumerate(lines.texts)])
    tokens = markdown_parser().parse(source)
    containers: list[BlockKind] = []
    lists: list[str] = []  # the enclosing lists' elements, "ul" or "ol"
    for index, token in enumerate(tokens):
        if token.type in ("blockquote_open", "list_item_open"):
            containers.append(BlockKind.QUOTE if token.type == "blockquote_open" else BlockKind.LIST_ITEM)
        elif token.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(token.tag)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "inline" and token.map:
            kind, level = _kind(tokens[index - 1], containers, len(lists))
            name = lists[-1] if kind is BlockKind.LIST_ITEM else ""
            try:
                found.extend(_Inline(document, lines, token).blocks(kind, level, name))
            except _Unaligned as exc:
                raise InputError(f"cannot place Markdown inline markup ({exc})", path=where,
                                 line=token.map[0] + 1) from None
    return found


def _kind(parent: Token, containers: list[BlockKind], list_depth: int) -> tuple[BlockKind, int]:
    """The block's kind and level: a heading's, or a list item's depth (1 at the top)."""
    if parent.type == "heading_open":
        return BlockKind.HEADING, int(parent.tag[1:])
    kind = containers[-1] if containers else BlockKind.PARAGRAPH
    return kind, (list_depth if kind is BlockKind.LIST_ITEM else 0)


# ---------------------------------------------------------------------------------- front matter

def front_matter_values(document: str, keys: Sequence[str] = FRONT_MATTER_KEYS,
                        where: str = "<document>") -> list[tuple[str, int, int, str]]:
    """``(key, start, end, value)`` of the top-level string ``keys`` of the YAML front matter
    (``start``/``end``: the whole scalar in ``document``, quotes included)."""
    lines = _Lines.of(document)
    bounds = _front_matter_lines(lines)
    if bounds is None:
        return []
    import yaml

    base = lines.starts[1]
    try:
        root = yaml.compose(document[base:lines.starts[bounds]], Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        raise InputError(f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}",
                         path=where, line=line) from None
    if not isinstance(root, yaml.MappingNode):
        return []
    values = []
    for key, value in root.value:
        if (isinstance(key, yaml.ScalarNode) and key.value in keys and isinstance(value, yaml.ScalarNode)
                and value.tag == "tag:yaml.org,2002:str"):
            raw = document[base + value.start_mark.index:base + value.end_mark.index]
            start = base + value.start_mark.index
            values.append((key.value, start, start + len(raw.rstrip()), value.value))
    return values


def _front_matter_lines(lines: _Lines) -> int | None:
    """The line that closes a ``---`` front matter opened on the first line, or None."""
    if not lines.texts or lines.texts[0].rstrip() != "---":
        return None
    return next((i for i in range(1, len(lines.texts)) if lines.texts[i].rstrip() in ("---", "...")), None)


def _front_matter(document: str, lines: _Lines, where: str) -> tuple[list, int]:
    """The front matter's translatable values as blocks, and the first line of the body."""
    closing = _front_matter_lines(lines)
    if closing is None:
        return [], 0
    blocks = [(Paragraph(number=0, text=" ".join(value.split()), start=start, end=end,
                         kind=BlockKind.ATTRIBUTE, name=f"front-matter:{key}"), ())
              for key, start, end, value in front_matter_values(document, where=where) if value.strip()]
    return blocks, closing + 1


# ---------------------------------------------------------------------------------- inline

class _Where:
    """Maps offsets in an inline token's content (its lines, container markers and indentation
    removed by markdown-it) to offsets in the document."""

    def __init__(self, content: str, first_line: int, lines: _Lines) -> None:
        pieces = content.split("\n")
        self.bounds: list[tuple[int, int, int]] = []  # content offset, document offset, added spaces
        offset = 0
        for k, piece in enumerate(pieces):
            number = first_line + k
            if number >= len(lines.texts):
                raise _Unaligned("a line past the end")
            column, added = _locate(piece, lines.texts[number], last=k == len(pieces) - 1)
            self.bounds.append((offset, lines.starts[number] + column, added))
            offset += len(piece) + 1
        self._keys = [b[0] for b in self.bounds]

    def __call__(self, offset: int) -> int:
        start, base, added = self.bounds[bisect_right(self._keys, offset) - 1]
        return base + max(0, offset - start - added)


def _locate(piece: str, line: str, *, last: bool) -> tuple[int, int]:
    """Where ``piece`` (a line of inline content) sits in the document ``line``; and how many
    of its leading spaces are not in the line (markdown-it expands a tab of indentation)."""
    for added in (0, len(piece) - len(piece.lstrip(_SPACES))):
        rest = piece[added:]
        if not last and line.endswith(rest):
            return len(line) - len(rest), added
        if last and (column := line.rfind(rest)) >= 0:
            return column, added
    raise _Unaligned(f"line {piece[:40]!r} is not in the source")


class _Inline:
    """Finds one inline token's children in the source, feeding an :class:`InlineRun`."""

    def __init__(self, document: str, lines: _Lines, token: Token) -> None:
        self.document, self.src = document, token.content
        self.where = _Where(token.content, token.map[0], lines)
        self.children = token.children or []
        self.run = InlineRun(document)
        self.attributes: list[tuple[Paragraph, tuple[int, ...]]] = []
        self.at = 0  # cursor in the content
        self.opened: list[int] = []

    def blocks(self, kind: BlockKind, level: int, name: str = "") -> list[tuple[Paragraph, tuple[int, ...]]]:
        index = 0
        while index < len(self.children):
            index = self._token(index)
        built = self.run.build()
        found = list(self.attributes)
        if built is not None:
            found.append((Paragraph(number=0, text=built.text, start=built.start, end=built.end, kind=kind,
                                    level=level, codes=built.codes, name=name), built.code_starts))
        return found

    def _expect(self, literal: str) -> int:
        if not self.src.startswith(literal, self.at):
            raise _Unaligned(f"expected {literal[:20]!r} at {self.src[self.at:self.at + 20]!r}")
        return self.at + len(literal)

    def _span(self, start: int, end: int) -> tuple[str, int, int]:
        a, b = self.where(start), self.where(end)
        return self.document[a:b], a, b

    def _token(self, index: int) -> int:
        """Consume child ``index``; the index of the next child to consume."""
        token = self.children[index]
        kind = token.type
        if kind == "text":
            end = self._expect(token.content)
            self.run.text(token.content, self.where(self.at), self.where(end))
        elif kind == "text_special":
            end = self._expect(token.markup)
            self.run.text(token.content, self.where(self.at), self.where(end))
        elif kind in ("softbreak", "hardbreak"):
            end = self._break()
            data, a, b = self._span(self.at, end)
            if kind == "softbreak":
                self.run.text(" ", a, b)
            else:
                self.run.standalone(CodeKind.BREAK, data, a, b)
        elif kind == "code_inline":
            end = self._code_span(token.markup)
            self.run.standalone(CodeKind.PROTECTED, *self._span(self.at, end), token.content)
        elif kind == "html_inline":
            end = self._expect(token.content)
            self.run.standalone(CodeKind.RAW, *self._span(self.at, end))
        elif kind in _PAIRS:
            end = self._expect(token.markup)
            self.opened.append(self.run.open(_PAIRS[kind], *self._span(self.at, end)))
        elif kind in ("em_close", "strong_close", "s_close"):
            end = self._expect(token.markup)
            self.run.close(self.opened.pop(), *self._span(self.at, end))
        elif kind == "link_open" and token.markup == "autolink":
            return self._autolink(index, token)
        elif kind == "link_open":
            end = self._expect("[")
            self.opened.append(self.run.open(CodeKind.LINK, *self._span(self.at, end)))
        elif kind == "link_close":
            end = self._link_tail(self._expect("]"), image=False)
            self.run.close(self.opened.pop(), *self._span(self.at, end))
        elif kind == "image":
            end = self._image(token)
        else:
            raise _Unaligned(f"unknown inline token {kind}")
        self.at = end
        return index + 1

    def _break(self) -> int:
        position = self.at
        if self.src.startswith("\\\n", position):
            position += 1
        while position < len(self.src) and self.src[position] in _SPACES:
            position += 1
        if not self.src.startswith("\n", position):
            raise _Unaligned("a line break without a line end")
        position += 1
        while position < len(self.src) and self.src[position] in _SPACES:
            position += 1
        return position

    def _code_span(self, marker: str) -> int:
        start = self._expect(marker)
        for run in re.finditer("`+", self.src[start:]):
            if len(run.group()) == len(marker):
                return start + run.end()
        raise _Unaligned("an inline code span without its end")

    def _autolink(self, index: int, token: Token) -> int:
        end = self.src.index(">", self._expect("<")) + 1
        data, a, b = self._span(self.at, end)
        self.run.standalone(CodeKind.PROTECTED, data, a, b, data[1:-1])
        self.at = end
        while self.children[index].type != "link_close":
            index += 1
        return index + 1

    def _image(self, token: Token) -> int:
        label_start = self._expect("![")
        label_end = label_start + len(token.content)
        if not self.src.startswith(token.content + "]", label_start):
            raise _Unaligned("an image label")
        end = self._link_tail(label_end + 1, image=True)
        alt = " ".join(_plain(token.children or []).split())
        self.run.standalone(CodeKind.IMAGE, *self._span(self.at, end), alt)
        if alt:
            self._attribute("alt", alt, label_start, label_end)
        return end

    def _link_tail(self, position: int, *, image: bool) -> int:
        """The end of what follows a link text's ``]``: ``(url "title")``, ``[label]``, ``[]`` or
        nothing, decided as markdown-it's link and image rules decide; the title is a block."""
        src, size = self.src, len(self.src)
        if position < size and src[position] == "(":
            found = self._inline_destination(position + 1)
            if found is not None or image:
                if found is None:
                    raise _Unaligned("an image destination")
                return found
        if position < size and src[position] == "[":
            close = _label_end(src, position)
            if close >= 0:
                return close + 1
        return position

    def _inline_destination(self, position: int) -> int | None:
        src, size = self.src, len(self.src)
        position = _skip_blank(src, position)
        destination = parseLinkDestination(src, position, size)
        if destination.ok and validateLink(normalizeLink(destination.str)):
            position = destination.pos
        before_title = position
        position = _skip_blank(src, position)
        title = parseLinkTitle(src, position, size)
        if position < size and before_title != position and title.ok:
            if title.str.strip():
                self._attribute("title", " ".join(title.str.split()), position + 1, title.pos - 1)
            position = _skip_blank(src, title.pos)
        return position + 1 if position < size and src[position] == ")" else None

    def _attribute(self, name: str, text: str, start: int, end: int) -> None:
        a, b = self.where(start), self.where(end)
        self.attributes.append((Paragraph(number=0, text=text, start=a, end=b, kind=BlockKind.ATTRIBUTE,
                                          name=name), ()))


def _skip_blank(src: str, position: int) -> int:
    while position < len(src) and src[position] in " \t\n":
        position += 1
    return position


def _label_end(src: str, position: int) -> int:
    """The ``]`` that closes the reference label opening at ``position``, or -1."""
    index = position + 1
    while index < len(src):
        if src[index] == "\\":
            index += 2
            continue
        if src[index] == "[":
            return -1
        if src[index] == "]":
            return index
        index += 1
    return -1


def _plain(children: Sequence[Token]) -> str:
    """An image's alt text as markdown-it renders it: the label's text without markup."""
    parts = []
    for token in children:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain(token.children or []))
    return "".join(parts)
