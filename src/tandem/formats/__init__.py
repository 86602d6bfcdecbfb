"""File formats: each module writes the model and reads what tools send back.

* :mod:`tandem.formats.xliff12`, :mod:`tandem.formats.xliff2` -- XLIFF for CAT tools;
* :mod:`tandem.formats.tmx` -- TMX 1.4b for translation memories;
* :mod:`tandem.formats.tbx`, :mod:`tandem.formats.termlist` -- glossaries (TBX; CSV, TSV and
  do-not-translate lists), in :data:`GLOSSARY_FORMATS`;
* :mod:`tandem.formats.xliff` -- what the XLIFF versions share (reviewed-file model, states);
* :mod:`tandem.formats.xml` -- the safe parser and XML helpers every format uses.

This module is the one registry: the XLIFF versions (from which the CLI's
``--xliff`` choices are derived) and the per-language output formats a run
writes, and the glossary formats.  HTML pages are not here: they are rendered per article, from all of
its languages at once (:mod:`tandem.publish.site`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tandem.document import BilingualDocument, GlossaryEntry
from tandem.errors import InputError
from tandem.formats import tbx, termlist, tmx, xliff2, xliff12, xml
from tandem.formats.xliff import ReviewedFile, XliffVersion, file_name

__all__ = ["XLIFF_VERSIONS", "XLIFF_CHOICES", "OUTPUT_FORMATS", "GLOSSARY_FORMATS", "GlossaryFormat", "OutputFormat",
           "ReviewedFile", "XliffVersion", "glossary_format", "output_kinds", "parse_xliff_choice", "read_glossary",
           "read_reviewed"]

XLIFF_VERSIONS: dict[str, XliffVersion] = {v.id: v for v in (xliff12.VERSION, xliff2.VERSION)}
BOTH = "both"
XLIFF_CHOICES: tuple[str, ...] = (*XLIFF_VERSIONS, BOTH)


@dataclass(frozen=True)
class OutputFormat:
    """A per-language output: how to name its file and how to serialise a document."""

    kind: str  # "xliff12", "xliff21", "tmx"
    suffix: str  # appended to "NAME.en-LANG"
    serialize: Callable[[BilingualDocument], bytes]
    every_segment: bool = True  # False: the format keeps only some segments (TMX: reviewed work)

    def file_name(self, doc: BilingualDocument) -> str:
        return file_name(doc, self.suffix)


OUTPUT_FORMATS: dict[str, OutputFormat] = {
    **{v.kind: OutputFormat(v.kind, v.suffix, v.serialize) for v in XLIFF_VERSIONS.values()},
    "tmx": OutputFormat("tmx", tmx.SUFFIX, tmx.serialize, every_segment=False),
}


@dataclass(frozen=True)
class GlossaryFormat:
    """A glossary file format: the file name endings it is known by, how to read it and (if it
    can hold translations) how to write the entries for a source language and target languages."""

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[Path, str], tuple[GlossaryEntry, ...]]
    write: Callable[[Sequence[GlossaryEntry], str, Sequence[str]], bytes] | None = None


def _write_tbx(entries: Sequence[GlossaryEntry], source_language: str, targets: Sequence[str]) -> bytes:
    if len(targets) != 1:
        raise InputError("a TBX glossary is for one language pair: give one target language (--to)")
    return tbx.write(entries, source_language, targets[0])


GLOSSARY_FORMATS: dict[str, GlossaryFormat] = {
    "tbx": GlossaryFormat("tbx", (tbx.SUFFIX,), tbx.read, _write_tbx),
    "csv": GlossaryFormat("csv", (".csv",), termlist.read_csv, termlist.write_csv),
    "tsv": GlossaryFormat("tsv", (".tsv", ".tab"), termlist.read_tsv, termlist.write_tsv),
    "dnt": GlossaryFormat("dnt", (".txt",), termlist.read_dnt),
}


def glossary_format(path: Path, name: str | None = None) -> GlossaryFormat:
    """The glossary format called ``name``, else the one ``path``'s extension names.

    >>> glossary_format(Path("names.TSV")).name, glossary_format(Path("x.txt"), "csv").name
    ('tsv', 'csv')
    """
    if name is not None:
        if name not in GLOSSARY_FORMATS:
            raise InputError(f"unknown glossary format {name!r} (choose from {', '.join(GLOSSARY_FORMATS)})")
        return GLOSSARY_FORMATS[name]
    suffix = path.suffix.lower()
    found = next((f for f in GLOSSARY_FORMATS.values() if suffix in f.suffixes), None)
    if found is None:
        endings = ", ".join(s for f in GLOSSARY_FORMATS.values() for s in f.suffixes)
        raise InputError(f"unknown glossary file type (expected {endings}, or give --format)", path=str(path))
    return found


def read_glossary(path: Path, format: str | None = None, source_language: str = "en") -> tuple[GlossaryEntry, ...]:
    """The entries of one glossary file, read whole (a bad file is one :class:`InputError`)."""
    return glossary_format(path, format).read(path, source_language)


def parse_xliff_choice(value: str) -> tuple[str, ...]:
    """The XLIFF version ids an ``--xliff`` choice stands for.

    >>> parse_xliff_choice("both"), parse_xliff_choice("2.1")
    (('1.2', '2.1'), ('2.1',))
    """
    if value == BOTH:
        return tuple(XLIFF_VERSIONS)
    if value not in XLIFF_VERSIONS:
        raise InputError(f"unknown XLIFF version {value!r} (choose from {', '.join(XLIFF_CHOICES)})")
    return (value,)


def output_kinds(xliff_versions: Sequence[str]) -> tuple[str, ...]:
    """The output formats written with the chosen XLIFF versions: those, and every other format.

    >>> output_kinds(("2.1",))
    ('xliff21', 'tmx')
    """
    xliff_kinds = {v.kind for v in XLIFF_VERSIONS.values()}
    chosen = {XLIFF_VERSIONS[v].kind for v in xliff_versions}
    return tuple(k for k in OUTPUT_FORMATS if k not in xliff_kinds or k in chosen)


def read_reviewed(path: Path) -> list[ReviewedFile]:
    """Parse a reviewed XLIFF document safely into its files, with the reader of its version.

    The version is recognised by the root's namespace (or, for tools that write
    none, by its ``version`` attribute): a document in any other namespace is
    refused, whatever its ``version`` attribute says.
    """
    root = xml.parse(xml.read_bytes(path), str(path))
    version = _version_of(root)
    if version is None or xml.local_name(root) != "xliff":
        raise InputError("not an XLIFF document Tandem can read (expected <xliff> in the XLIFF 1.2 or 2.x "
                         "namespace)", path=str(path))
    files = [f for f in root if xml.local_name(f) == "file" and xml.namespace(f) == xml.namespace(root)]
    if not files:
        raise InputError("XLIFF document has no <file>", path=str(path))
    return [version.read_file(path, root, f) for f in files]


def _version_of(root) -> XliffVersion | None:
    """The registered version whose namespace the document uses (2.0, 2.1 and 2.2 share one);
    without a namespace, the one whose major version the ``version`` attribute names."""
    namespace = xml.namespace(root)
    if namespace:
        return next((v for v in XLIFF_VERSIONS.values() if namespace == v.namespace), None)
    major = root.get("version", "").split(".")[0]
    return next((v for v in XLIFF_VERSIONS.values() if major and v.id.split(".")[0] == major), None)
