"""Bilingual HTML writer: source and target side by side, one row per segment.

Rendered with Jinja2 with autoescaping on, so article text can never become
markup.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from tandem.document import BilingualDocument, Origin

ORIGIN_LABELS = {
    Origin.MT: "machine translation, not reviewed",
    Origin.TM: "from translation memory",
    Origin.HUMAN: "reviewed",
    Origin.NONE: "not translated yet",
}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("tandem.writers", "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def serialize(doc: BilingualDocument) -> bytes:
    """Return the bilingual page for ``doc`` as UTF-8 bytes."""
    template = _environment().get_template("bilingual.html.j2")
    paragraphs = [(p.number, doc.pairs_in_paragraph(p.number)) for p in doc.article.paragraphs]
    html = template.render(doc=doc, paragraphs=paragraphs, labels=ORIGIN_LABELS,
                           machine_made=any(p.translation.origin is Origin.MT for p in doc.pairs))
    return html.encode("utf-8")
