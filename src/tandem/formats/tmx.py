"""TMX 1.4b: translation memory exchange, written and read.

* :func:`serialize` -- an article's reviewed and memory translations for one
  language pair (``NAME.en-ru.tmx``), as an output format of the registry.
* :func:`serialize_entries` -- ``tandem tm export``: a whole memory, one
  ``<tu>`` per source text with a ``<tuv>`` per target language.
* :func:`read_entries` -- ``tandem tm import`` and ``run --tm``.

Only reviewed (``human``, not still in review) and memory (``tm``) work is
exported: unreviewed machine translation does not belong in a translation memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from tandem import __version__
from tandem.document import BilingualDocument, Entry, Origin
from tandem.errors import InputError
from tandem.formats import xml

EXPORTED = (Origin.HUMAN, Origin.TM)
SUFFIX = ".tmx"
# Inline elements whose content is native markup, not text.
_CODES = frozenset({"bpt", "ept", "ph", "it", "ut"})


def serialize(doc: BilingualDocument) -> bytes:
    """The article's exportable translations into one language as TMX 1.4b bytes."""
    entries = [Entry(doc.article.language, doc.target_language, p.segment.text, p.translation.text,
                     p.translation.origin, p.translation.state, p.translation.provenance)
               for p in doc.pairs
               if p.translation.origin in EXPORTED and p.translation.text and not p.translation.in_review]
    return serialize_entries(entries, doc.article.language)


def serialize_entries(entries: Sequence[Entry], source_lang: str) -> bytes:
    """Entries grouped by source text, one ``<tu>`` each, in first-seen order."""
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {
        "creationtool": "Tandem", "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": "tandem-sqlite", "adminlang": "en", "srclang": source_lang, "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    units: dict[str, etree._Element] = {}
    for e in entries:
        if e.source_text not in units:
            units[e.source_text] = etree.SubElement(body, "tu")
            _tuv(units[e.source_text], source_lang, e.source_text, None)
        _tuv(units[e.source_text], e.target_lang, e.target_text, e)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _tuv(tu: etree._Element, lang: str, text: str, e: Entry | None) -> None:
    tuv = xml.set_lang(etree.SubElement(tu, "tuv"), lang)
    if e is not None:
        if e.updated_at:
            tuv.set("changedate", _tmx_date(e.updated_at))
        for kind, value in (("x-origin", e.origin.value), ("x-state", e.state), ("x-provenance", e.provenance)):
            if value:
                etree.SubElement(tuv, "prop", type=kind).text = value
    etree.SubElement(tuv, "seg").text = text


def _tmx_date(iso: str) -> str:
    """``2026-11-28T13:20:00.123Z`` -> ``20261128T132000Z`` (TMX's date format)."""
    return iso[:19].replace("-", "").replace(":", "") + "Z"


def read_entries(path: Path, source_lang: str = "en") -> list[Entry]:
    """Every (source, target) pair in a TMX file, as memory entries of origin ``tm``.

    Language codes are matched on their primary subtag (``en-US`` is ``en``);
    a ``<tuv>`` whose language is no language code is ignored, and so is a
    ``<tu>`` without a source-language variant.  Whether an entry is worth
    storing (blank text...) is the memory's decision, as for every import.
    """
    root = xml.parse(xml.read_bytes(path), str(path))
    if root.tag != "tmx" or root.find("body") is None:
        raise InputError("not a TMX file (no <tmx><body>)", path=str(path))
    entries = []
    for tu in root.find("body").iterfind("tu"):
        variants = [(xml.primary_language(_lang(tuv)), xml.inline_text(tuv.find("seg"), _CODES))
                    for tuv in tu.iterfind("tuv")]
        sources = [text for lang, text in variants if lang == source_lang and text.strip()]
        if sources:
            entries.extend(Entry(source_lang, lang, sources[0], text, Origin.TM, provenance=path.name)
                           for lang, text in variants if lang and lang != source_lang)
    return entries


def _lang(tuv: etree._Element) -> str:
    return tuv.get(xml.XML_LANG) or tuv.get("lang") or ""  # "lang" is TMX 1.1's attribute
