"""The one safe way to parse XML that comes from outside (XLIFF, TMX).

Reviewed files come back from translators' machines, so they are untrusted:
entity expansion, DTD loading and network access are all off, and a document
that declares a DOCTYPE or entities at all is refused before any content is
looked at (billion laughs, external entities).  Every reader in Tandem goes
through :func:`parse`.
"""

from __future__ import annotations

import re

from lxml import etree

from tandem.errors import InputError

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
        raise InputError(f"not well-formed XML: {exc.msg}", path=where, line=line) from None
    if root.getroottree().docinfo.doctype:
        raise InputError("refusing XML with a DOCTYPE", path=where)
    return root


def _ascii_view(data: bytes) -> bytes:
    """The bytes with UTF-16/32 padding removed, so ``<!DOCTYPE`` is found in any encoding."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        return data.replace(b"\x00", b"")
    return data


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
