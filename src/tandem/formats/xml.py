"""What every XML format shares: the one safe parser, ``xml:lang``, language
subtags, inline content, and the characters XML cannot hold.

Reviewed files come back from translators' machines, so they are untrusted:
entity expansion, DTD loading and network access are all off, and a document
that declares a DOCTYPE or entities at all is refused before any content is
looked at (billion laughs, external entities).  Every reader in Tandem goes
through :func:`parse`.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from tandem.document import NOT_XML_CHARS
from tandem.errors import InputError
from tandem.fsutil import read_input

XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
XML_SPACE = f"{{{XML_NS}}}space"

# A DOCTYPE can only appear in the prolog; the check is done on the bytes, in
# every encoding an XML prolog can be written in that we accept.
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parser() -> etree.XMLParser:
    """A parser that never expands entities, loads DTDs or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=False)


def parse(data: bytes, where: str) -> etree._Element:
    """Parse ``data`` and return the root element, or raise :class:`InputError`.

    >>> parse(b"<a>x</a>", "t.xml").text
    'x'
    >>> parse(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "t.xml")
    Traceback (most recent call last):
    ...
    tandem.errors.InputError: t.xml: refusing XML with a DOCTYPE or entity declarations (not allowed in XLIFF or TMX)
    """
    if _DECLARATION.search(_ascii_view(data)):
        raise InputError("refusing XML with a DOCTYPE or entity declarations (not allowed in XLIFF or TMX)",
                         path=where)
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise InputError(f"not well-formed XML: {_first_line(exc.msg)}", path=where, line=line) from None
    if root.getroottree().docinfo.doctype:
        raise InputError("refusing XML with a DOCTYPE", path=where)
    return root


def _first_line(message: str) -> str:
    """libxml2's message, cut to one line (some run over several, or quote huge values)."""
    line = (message or "syntax error").splitlines()[0]
    return line if len(line) <= 200 else line[:200] + "..."


def _ascii_view(data: bytes) -> bytes:
    """The bytes with UTF-16/32 padding removed, so ``<!DOCTYPE`` is found in any encoding."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        return data.replace(b"\x00", b"")
    return data


# Largest XML file read from outside (a reviewed XLIFF of a 10 MB article with its candidates
# stays well below it): a bigger one, or /dev/zero, is refused before it fills the memory.
MAX_XML_BYTES = 200_000_000


def read_bytes(path, what: str = "file") -> bytes:
    """A file's bytes, or one :class:`InputError` line saying why it cannot be read (not a
    regular file, larger than :data:`MAX_XML_BYTES`...)."""
    return read_input(Path(path), MAX_XML_BYTES, what)


def local_name(element: etree._Element) -> str:
    """The tag without its namespace (``{ns}unit`` -> ``unit``); '' for comments and PIs."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: etree._Element) -> str:
    """The namespace URI of ``element`` ('' if none)."""
    tag = element.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def child(element: etree._Element, name: str, ns: str) -> etree._Element | None:
    """The first child ``name`` in namespace ``ns`` ('' = no namespace)."""
    return element.find(f"{{{ns}}}{name}" if ns else name)


def primary_language(code: str | None) -> str:
    """The primary subtag of a language code, lower-cased; '' for anything that is not one.

    >>> primary_language("en-US"), primary_language("ZH_tw"), primary_language("../x"), primary_language(None)
    ('en', 'zh', '', '')
    """
    primary = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary.isascii() and primary.isalpha() and 2 <= len(primary) <= 3 else ""


def set_lang(element: etree._Element, language: str) -> etree._Element:
    """Set ``xml:lang`` and return the element (for chaining in writers)."""
    element.set(XML_LANG, language)
    return element


def inline_text(element: etree._Element | None, codes: frozenset[str] = frozenset()) -> str:
    """The text content of ``element``: children named in ``codes`` (native inline codes:
    ``<ph>``, ``<x/>``...) are dropped, ``<cp hex>`` is decoded, other markup is descended into.

    >>> inline_text(parse(b"<t>a<ph>&lt;b&gt;</ph>b<g>c</g></t>", "t"), frozenset({"ph"}))
    'abc'
    """
    if element is None:
        return ""
    parts = [element.text or ""]
    for kid in element:
        name = local_name(kid)
        if name == "cp":
            parts.append(code_point(kid.get("hex", "")))
        elif name and name not in codes:
            parts.append(inline_text(kid, codes))
        parts.append(kid.tail or "")
    return "".join(parts)


def code_point(hex_value: str) -> str:
    """The character an XLIFF 2 ``<cp hex>`` stands for; NUL for a value that is no character
    (the text is then refused, as for any character XML cannot hold).

    >>> code_point("41"), code_point("110000"), code_point("zz")
    ('A', '\\x00', '\\x00')
    """
    if re.fullmatch(r"[0-9A-Fa-f]{1,6}", hex_value) and int(hex_value, 16) <= 0x10FFFF:
        return chr(int(hex_value, 16))
    return "\x00"


def first_non_xml_char(text: str) -> re.Match[str] | None:
    """Where ``text`` holds a character XML 1.0 cannot hold (control characters, lone
    surrogates, U+FFFE/FFFF), or None.

    >>> first_non_xml_char("ok\\tfine") is None, first_non_xml_char("bad\\x00").start()
    (True, 3)
    """
    return NOT_XML_CHARS.search(text)


def to_bytes(root: etree._Element, inline: frozenset[str]) -> bytes:
    """The document as UTF-8 with an XML declaration, indented for people -- except inside the
    elements named in ``inline`` (``source``, ``target``...), whose content is text with inline
    codes, where any added whitespace would change the text (lxml's pretty printer adds it to an
    element holding only codes)."""
    _indent(root, inline, 0)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _indent(element: etree._Element, inline: frozenset[str], level: int) -> None:
    if local_name(element) in inline or not len(element):
        return
    inside, after = "\n" + "  " * (level + 1), "\n" + "  " * level
    if not (element.text or "").strip():
        element.text = inside
    for child in element:
        _indent(child, inline, level + 1)
        if not (child.tail or "").strip():
            child.tail = inside
    element[-1].tail = after
