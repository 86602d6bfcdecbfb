"""The translated article in its own format: the source document with its text replaced.

:func:`render_translated` takes an article as a reader read it (``Article.text`` is the source
document; every paragraph's ``start``/``end`` is where its content sits) and each paragraph's
translation (plain text, and codes with offsets into it), and replaces exactly those spans:
everything else -- markup, scripts, URLs, front matter keys, whitespace -- is copied byte for
byte.  Inside a translated block:

- text is escaped for its place (HTML text or attribute, Markdown inline text, link title,
  YAML double-quoted string); text *between two codes* that reads as in the source keeps its
  source bytes (line wraps, character references), so a paragraph given its own source text
  and codes comes back exactly as it was;
- codes are matched to the source's by id and role (an isolated start/end counts as
  open/close) and written as the source markup (a translated ``title``/``alt`` inside a tag, or
  a Markdown link title inside its code, is replaced there).  Codes the source lacks are
  dropped (their data is untrusted); a code the translation lost is put back -- a lost pair
  around the whole text, a lost standalone code at its end -- so the markup stays whole;
  codes that overlap or close before they open are an error.

Markdown needs more than escaping: emphasis markers are moved off the spaces a translation
puts inside them (``** word**`` would not be emphasis) and written as ``*``/``**`` (``_``
does not work inside a word, as in Japanese), and a shortcut reference link ``[text]`` whose
text changed becomes ``[translated][text]`` so it still finds its definition.  Known limit:
emphasis runs that touch each other (``*a***b****c**``) are resolved by CommonMark's delimiter
rules, which a translation's new neighbours can change; and ``**"x"**`` next to CJK letters
needs spaces that Japanese text does not have.

Language: an HTML page gets ``lang`` (and ``xml:lang`` if it has one) on ``<html>``; the
element holding the translated blocks gets it too when it has a ``lang`` of its own (or always,
for a fragment without ``<html>``; a fragment of several top-level elements gets it on each of
them that holds a block).  Markdown front matter ``lang``/``language`` keys are set.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from tandem.document import Article, BlockKind, CodeKind, CodeRole, InlineCode, Paragraph
from tandem.errors import OutputError
from tandem.readers import html as html_reader, markdown as markdown_reader
from tandem.segment.codes import ordered, well_formed

Translations = Mapping[int, tuple[str, tuple[InlineCode, ...]]]
Edit = tuple[int, int, str]  # replace document[start:end] with the text

# NAME.LANG.html is the reading page and NAME.en-LANG.* the bilingual outputs: the translated
# HTML article says so in its name; a Markdown one follows the NAME.LANG.md convention of
# static site generators (Hugo), which no other output of Tandem uses.
_NAMES = {"html": "{name}.translated.{language}.html", "markdown": "{name}.{language}.md",
          "text": "{name}.translated.{language}.txt"}
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def output_name(article: Article, language: str) -> str:
    """The file name of ``article`` translated into ``language``, beside Tandem's other outputs.

    >>> from tandem.document import Article
    >>> output_name(Article("vote", "vote.html", "en", "", (), format="html"), "ru")
    'vote.translated.ru.html'
    >>> output_name(Article("vote", "vote.md", "en", "", (), format="markdown"), "ja")
    'vote.ja.md'
    """
    if not _LANGUAGE.fullmatch(language):
        raise ValueError(f"not a language code: {language!r}")
    return _NAMES[_format(article).name].format(name=article.name, language=language)


def render_translated(article: Article, translations: Translations, language: str) -> bytes:
    """``article`` in its own format (UTF-8) with every paragraph in ``translations`` replaced
    by its translation; a paragraph missing from it keeps its source."""
    fmt = _format(article)
    if not _LANGUAGE.fullmatch(language):
        raise ValueError(f"not a language code: {language!r}")
    document = article.text
    starts = fmt.code_starts(document, article.paragraphs)
    blocks = [_Block(p, s) for p, s in zip(article.paragraphs, starts)]
    inside = _nesting(blocks)
    renderer = _Renderer(document, fmt, translations, inside)
    edits = [renderer.block(b) for b in blocks if id(b) not in inside]
    if language != article.language:  # a document in its own language is left as it says
        edits += fmt.language_edits(article, blocks, language)
    return _apply(document, edits).encode("utf-8")


# ---------------------------------------------------------------------------------- blocks

@dataclass(eq=False)
class _Block:
    """A source paragraph with where its codes start in the document."""

    paragraph: Paragraph
    code_starts: tuple[int, ...]
    nested: list[tuple[int, _Block]] | None = None  # (code index, attribute block) inside its codes

    @property
    def end(self) -> int:
        return _end(self.paragraph)

    def code_span(self, index: int) -> tuple[int, int]:
        start = self.code_starts[index]
        return start, start + len(self.paragraph.codes[index].data)


def _nesting(blocks: list[_Block]) -> dict[int, _Block]:
    """Attribute blocks that sit inside another block's code (an ``alt`` in an ``<img>`` of a
    paragraph, a link title): id -> the block that writes them as part of that code."""
    holders = sorted((b for b in blocks if b.paragraph.codes), key=lambda b: b.paragraph.start)
    firsts = [b.paragraph.start for b in holders]
    inside: dict[int, _Block] = {}
    for block in blocks:
        if block.paragraph.kind is not BlockKind.ATTRIBUTE:
            continue
        at = bisect_right(firsts, block.paragraph.start) - 1
        if at < 0 or block.paragraph.start >= holders[at].end:
            continue
        holder = holders[at]
        for index in range(len(holder.paragraph.codes)):
            a, b = holder.code_span(index)
            if a <= block.paragraph.start and block.end <= b:
                holder.nested = [*(holder.nested or []), (index, block)]
                inside[id(block)] = holder
                break
        else:
            raise ValueError(f"paragraph {block.paragraph.number} overlaps paragraph {holder.paragraph.number}")
    return inside


def _apply(document: str, edits: Sequence[Edit]) -> str:
    parts, position = [], 0
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < position:
            raise ValueError(f"overlapping edits at offset {start}")
        parts += [document[position:start], text]
        position = end
    parts.append(document[position:])
    return "".join(parts)


class _Renderer:
    """Writes blocks: their translation (or source) in the format's syntax."""

    def __init__(self, document: str, fmt: _Format, translations: Translations,
                 inside: dict[int, _Block]) -> None:
        self.document, self.fmt, self.translations, self.inside = document, fmt, translations, inside

    def block(self, block: _Block) -> Edit:
        """The edit that writes ``block``: its span and what goes there."""
        p = block.paragraph
        text, codes = self.translations.get(p.number, (p.text, p.codes))
        if p.kind is BlockKind.ATTRIBUTE:
            if text == p.text:
                return p.start, block.end, self.document[p.start:block.end]
            rendered, end = self.fmt.attribute(self.document, p, text)
            return p.start, end, rendered
        same = text == p.text and tuple(codes) == p.codes
        codes = _repaired(p, text, codes)
        if not same:
            codes = self.fmt.tidy(text, codes)
        return p.start, block.end, "".join(self._pieces(block, text, codes, same))

    def _pieces(self, block: _Block, text: str, codes: list[InlineCode], same: bool) -> list[str]:
        source = _source_pieces(self.document, block)
        index = {(c.id, c.role): i for i, c in enumerate(block.paragraph.codes)}
        out, previous, offset = [], None, 0
        for at, code in enumerate([*codes, None]):
            key = (code.id, code.role) if code else None
            piece = text[offset:code.offset] if code else text[offset:]
            kept = source.get((previous, key))
            line_start = previous is None or self._is_break(block, previous)
            out.append(kept[1] if kept and kept[0] == piece else self.fmt.text(piece, block.paragraph, line_start))
            if code:
                data = self._code(block, index[key])
                out.append(data if same else self.fmt.code(self.document, block, index[key], data, (text, codes, at)))
                previous, offset = key, code.offset
        return out

    def _is_break(self, block: _Block, key: tuple[str, CodeRole]) -> bool:
        return any(c.kind is CodeKind.BREAK for c in block.paragraph.codes if (c.id, c.role) == key)

    def _code(self, block: _Block, index: int) -> str:
        """A source code's markup, with the attribute blocks inside it written as translated."""
        start, end = block.code_span(index)
        edits = [self.block(b) for i, b in block.nested or () if i == index]
        return _apply(self.document[:end], edits)[start:] if edits else self.document[start:end]


def _source_pieces(document: str, block: _Block) -> dict[tuple, tuple[str, str]]:
    """The source's text between each two neighbouring codes: (previous code, next code) ->
    (plain text, raw text)."""
    p = block.paragraph
    pieces, previous, offset, raw_at = {}, None, 0, p.start
    for code, start in [*zip(p.codes, block.code_starts), (None, block.end)]:
        key = (code.id, code.role) if code else None
        plain = p.text[offset:code.offset] if code else p.text[offset:]
        pieces[(previous, key)] = (plain, document[raw_at:start])
        if code:
            previous, offset, raw_at = key, code.offset, start + len(code.data)
    return pieces


def _repaired(source: Paragraph, text: str, codes: Sequence[InlineCode]) -> list[InlineCode]:
    """The translation's codes matched to the source's (see the module docstring), in order."""
    known = {(c.id, c.role) for c in source.codes}
    roles = {CodeRole.START: CodeRole.OPEN, CodeRole.END: CodeRole.CLOSE}
    kept = [replace(c, role=roles.get(c.role, c.role)) for c in codes]
    kept = [c for c in kept if (c.id, c.role) in known]
    have = {(c.id, c.role) for c in kept}
    lost = [c for c in source.codes if (c.id, c.role) not in have]
    opens = [c.id for c in lost if c.role is CodeRole.OPEN]
    ends = sorted((c for c in lost if c.role is not CodeRole.OPEN),  # closing in reverse: they nest
                  key=lambda c: -opens.index(c.id) if c.role is CodeRole.CLOSE and c.id in opens else -len(opens))
    kept = [replace(c, offset=0) for c in lost if c.role is CodeRole.OPEN] + kept + \
        [replace(c, offset=len(text)) for c in ends]
    # The translation's own order at one offset says how codes nest; the canonical order of
    # :func:`tandem.segment.codes.ordered` is the fallback for codes listed in any order.
    for candidate in (sorted(kept, key=lambda c: c.offset), ordered(kept)):
        if _nests(candidate):
            return candidate
    problem = well_formed(kept) or "pairs overlap"
    raise OutputError(f"paragraph {source.number}: the translation's codes are broken ({problem})")


def _nests(codes: Sequence[InlineCode]) -> bool:
    """Whether ``codes``, written in this order, open and close like well-nested markup."""
    open_ids: list[str] = []
    for code in codes:
        if code.role is CodeRole.OPEN:
            open_ids.append(code.id)
        elif code.role is CodeRole.CLOSE:
            if not open_ids or open_ids.pop() != code.id:
                return False
    return not open_ids


# ---------------------------------------------------------------------------------- formats

class _Format:
    """What differs between formats: escaping, attributes, languages."""

    name = "text"

    def code_starts(self, document: str, paragraphs: Sequence[Paragraph]) -> list[tuple[int, ...]]:
        return [() for _ in paragraphs]

    def text(self, text: str, paragraph: Paragraph, line_start: bool) -> str:
        return text

    def attribute(self, document: str, paragraph: Paragraph, text: str) -> tuple[str, int]:
        """A translated attribute block's text, and the end of the span it replaces."""
        return text, _end(paragraph)

    def tidy(self, text: str, codes: list[InlineCode]) -> list[InlineCode]:
        return codes

    def code(self, document: str, block: _Block, index: int, data: str, where: tuple) -> str:
        """The markup of source code ``index`` in a translation (``where``: the translation's
        text, its codes in order, and this code's place among them)."""
        return data

    def language_edits(self, article: Article, blocks: Sequence[_Block], language: str) -> list[Edit]:
        return []


class _Html(_Format):
    name = "html"

    def code_starts(self, document, paragraphs):
        return html_reader.code_starts(document, paragraphs)

    def text(self, text, paragraph, line_start):
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def attribute(self, document, paragraph, text):
        quote = document[paragraph.start - 1] if paragraph.start else ""
        escaped = text.replace("&", "&amp;")
        if quote in ("'", '"'):
            return escaped.replace(quote, "&#39;" if quote == "'" else "&quot;"), _end(paragraph)
        return '"' + escaped.replace('"', "&quot;") + '"', _end(paragraph)  # an unquoted value gets quotes

    def language_edits(self, article, blocks, language):
        tokens = html_reader.tokenize(article.text)
        edits = []
        page = next((t for t in tokens if t.kind in ("start", "empty") and t.tag == "html"), None)
        if page is not None:
            edits += _set_lang(article.text, page, language, xml=True)
        for holder in _holders(article.text, tokens, blocks, page is not None):
            edits += _set_lang(article.text, holder, language, xml=False)
        return edits


def _holders(document: str, tokens, blocks: Sequence[_Block], has_page: bool) -> list:
    """The start tags that must say the article's language besides ``<html>``: every element
    around all the blocks that has a ``lang`` of its own, and in a fragment the outermost
    element around them (or each top-level element holding a block)."""
    spans = [(b.paragraph.start, b.end) for b in blocks if b.paragraph.kind is not BlockKind.ATTRIBUTE]
    if not spans:
        return []
    root = html_reader.build_tree(tokens, len(document))
    around, node = [], root
    while True:  # down the elements whose start tag ends before every block and that hold them all
        inner = [c for c in node.children if isinstance(c, html_reader.Node)
                 and tokens[c.start].end <= spans[0][0] and spans[-1][1] <= c.raw_end]
        if not inner:
            break
        node = inner[0]
        around.append(node)
    holders = [n for n in around if "lang" in n.attrs and n.tag != "html"]
    if not has_page and around and around[0] not in holders:
        holders.insert(0, around[0])
    elif not has_page and not around:
        holders = [c for c in root.children if isinstance(c, html_reader.Node)
                   and any(tokens[c.start].end <= a and b <= c.raw_end for a, b in spans)]
    return [tokens[n.start] for n in holders]


def _set_lang(document: str, tag, language: str, *, xml: bool) -> list[Edit]:
    names = ("lang", "xml:lang") if xml else ("lang",)
    values = html_reader.attribute_values(document, tag, names)
    edits = [(a, b, language) for a, b in values.values()]
    if "lang" not in values:
        at = tag.start + 1 + len(tag.tag)
        edits.append((at, at, f' lang="{language}"'))
    return edits


class _Markdown(_Format):
    name = "markdown"
    _ALWAYS = re.compile(r"([\\`*_\[\]<])|&(?=[#A-Za-z])")
    _LINE_START = re.compile(r"^([#>+=~-])|^(\d+)([.)])")

    def code_starts(self, document, paragraphs):
        return markdown_reader.code_starts(document, paragraphs)

    def text(self, text, paragraph, line_start):
        text = " ".join(text.splitlines()) if "\n" in text or "\r" in text else text
        text = self._ALWAYS.sub(lambda m: "\\" + m.group(), text)
        if paragraph.kind is BlockKind.HEADING:
            text = text.replace("#", "\\#")
        if line_start:
            text = self._LINE_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}",
                                        text.lstrip())
        return text

    def attribute(self, document, paragraph, text):
        text, end = " ".join(text.split()), _end(paragraph)
        if paragraph.name.startswith("front-matter:"):
            return json.dumps(text, ensure_ascii=False), end  # a YAML double-quoted scalar
        if paragraph.name == "title":  # inside "...", '...' or (...)
            close = ")" if document[paragraph.start - 1] == "(" else document[paragraph.start - 1]
            text = text.replace("\\", "\\\\")
            for char in {close, "(" if close == ")" else close}:
                text = text.replace(char, "\\" + char)
            return re.sub(r"&(?=[#A-Za-z])", r"\\&", text), end
        return _alt(document, paragraph, self.text(text, paragraph, False))

    def tidy(self, text, codes):
        """Emphasis markers off the spaces: ``* word *`` is not emphasis in CommonMark."""
        moved = []
        for at, code in enumerate(codes):
            offset, others = code.offset, {c.offset for c in codes if c is not code}
            # the text beside the marker: after an opening code that is last at its offset,
            # before a closing code that is first at its offset
            step = 1 if code.role is CodeRole.OPEN else -1
            beside = at + step < 0 or at + step >= len(codes) or codes[at + step].offset != offset
            if beside and code.kind in (CodeKind.ITALIC, CodeKind.BOLD, CodeKind.STRIKE):
                edge = offset if step == 1 else offset - 1
                while 0 <= edge < len(text) and text[edge].isspace() and offset + step not in others:
                    offset += step
                    edge += step
            moved.append(replace(code, offset=offset))
        opened = {c.id: (i, c.offset) for i, c in enumerate(moved) if c.role is CodeRole.OPEN}
        # Empty: no text inside and no code either (``*`code`*`` holds a code span: kept).
        empty = {c.id for i, c in enumerate(moved) if c.role is CodeRole.CLOSE and c.id in opened
                 and c.offset <= opened[c.id][1] and i == opened[c.id][0] + 1
                 and c.kind in (CodeKind.ITALIC, CodeKind.BOLD, CodeKind.STRIKE)}
        kept = [c for c in moved if c.id not in empty]  # an empty "****" would be text
        return next((c for c in (sorted(kept, key=lambda c: c.offset), ordered(kept)) if _nests(c)), kept)

    def code(self, document, block, index, data, where):
        code = block.paragraph.codes[index]
        if code.kind in (CodeKind.ITALIC, CodeKind.BOLD) and set(data) == {"_"} and _inside_word(code, *where[:2]):
            return "*" * len(data)
        if code.kind is CodeKind.LINK and code.role is CodeRole.CLOSE and data in ("]", "][]"):
            opening = next(i for i, c in enumerate(block.paragraph.codes)
                           if c.id == code.id and c.role is CodeRole.OPEN)
            label = document[block.code_span(opening)[1]:block.code_starts[index]]
            return f"][{label}]"
        return data

    def language_edits(self, article, blocks, language):
        values = markdown_reader.front_matter_values(article.text, markdown_reader.LANGUAGE_KEYS)
        return [(start, end, language) for _, start, end, _ in values]


def _inside_word(code: InlineCode, text: str, codes: Sequence[InlineCode]) -> bool:
    """Whether an emphasis pair touches a letter outside it (``_`` cannot open or close there,
    ``*`` can), with no other code beside its markers (whose ``*`` it could run into)."""
    pair = [c for c in codes if c.id == code.id]
    if len(pair) != 2:
        return False
    start, end = pair[0].offset, pair[1].offset
    touching = (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum())
    crowded = any(c.id != code.id and c.offset in (start, end) for c in codes)
    return touching and not crowded


def _end(paragraph: Paragraph) -> int:
    return paragraph.end if paragraph.end is not None else paragraph.start + len(paragraph.text)


def _alt(document: str, paragraph: Paragraph, rendered: str) -> tuple[str, int]:
    """A translated image alt; the alt of ``![alt]`` or ``![alt][]`` is also the reference
    label, so it becomes ``![translated][alt]``."""
    end = _end(paragraph)
    label = document[paragraph.start:end]
    if document.startswith("][]", end):
        return f"{rendered}][{label}]", end + 3
    if document[end + 1:end + 2] in ("(", "["):
        return rendered, end
    return f"{rendered}][{label}", end


_FORMATS = {f.name: f for f in (_Format(), _Html(), _Markdown())}


def _format(article: Article) -> _Format:
    fmt = _FORMATS.get(article.format)
    if fmt is None:
        raise ValueError(f"no writer for articles of format {article.format!r}")
    return fmt
