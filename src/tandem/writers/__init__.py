"""Writers serialise a :class:`~tandem.document.BilingualDocument`.

One explicit registry: output kind -> (file-name pattern, serialiser).
HTML pages are not in it: they are rendered per article, from all of its
target languages at once (:mod:`tandem.writers.site`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tandem.document import BilingualDocument
from tandem.writers import tmx, xliff2, xliff12


@dataclass(frozen=True)
class Writer:
    """An output format: how to name its file and how to serialise it."""

    suffix: str  # appended to "NAME.en-ru"
    serialize: Callable[[BilingualDocument], bytes]
    every_segment: bool = True  # False: the format keeps only some segments (TMX: reviewed work)

    def file_name(self, doc: BilingualDocument) -> str:
        return f"{doc.article.name}.{doc.article.language}-{doc.target_language}{self.suffix}"


WRITERS: dict[str, Writer] = {
    "xliff12": Writer(".xlf", xliff12.serialize),
    "xliff21": Writer(".xliff2.xlf", xliff2.serialize),
    "tmx": Writer(".tmx", tmx.serialize, every_segment=False),
}
