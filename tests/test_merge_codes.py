"""Merging targets with inline codes: reordered or renested codes are accepted (word order
changes between languages); a code missing, extra, duplicated, unknown or broken is refused for
that unit, with the reason, and the rest of the file merges."""

from __future__ import annotations

import pytest
from lxml import etree

from tandem import review
from tandem.document import Origin
from tandem.formats import OUTPUT_FORMATS, read_reviewed
from tandem.memory import open_memory
from tests.test_formats import _coded_doc

X = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


@pytest.fixture
def stored(tmp_path):
    doc = _coded_doc()
    path = tmp_path / "tandem.db"
    with open_memory(path) as memory:
        memory.save_run(doc.article, [doc], ("1.2",))
    return doc, path


def _reviewed(doc, tmp_path, edit):
    tree = etree.fromstring(OUTPUT_FORMATS["xliff12"].serialize(doc))
    units = tree.findall(".//x:trans-unit", X)
    edit([u.find("x:target", X) for u in units])
    path = tmp_path / "reviewed.en-ru.xlf"
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    return path


def _merge(path, memory_path):
    with open_memory(memory_path) as memory:
        with memory.transaction():
            (result,), _ = review.merge(memory, review.read_files([path]))
        return result, {t.segment_id: t for t in memory.articles.translations(memory.articles.load("coded").article, "ru")}


def _set(target, *parts):
    """Replace a target's content: strings are text, elements are copied in."""
    for child in list(target):
        target.remove(child)
    target.text = None
    for part in parts:
        if isinstance(part, str):
            if len(target):
                target[-1].tail = (target[-1].tail or "") + part
            else:
                target.text = (target.text or "") + part
        else:
            target.append(part)


def _x(id_="2"):
    """The sentence's line break (code 2), kept by every edit below."""
    return etree.Element(f"{{{X['x']}}}x", id=id_, ctype="lb")


def _g(id_, text, ctype="link"):
    g = etree.Element(f"{{{X['x']}}}g", id=id_, ctype=ctype)
    g.text = text
    return g


def test_reordered_codes_are_accepted_and_stored_where_the_reviewer_put_them(stored, tmp_path):
    doc, memory_path = stored

    def reorder(targets):
        _set(targets[0], "Каждый день я пользуюсь ", _g("1", "Гуглом"), ".", _x())

    result, shown = _merge(_reviewed(doc, tmp_path, reorder), memory_path)
    assert result.updated == ["p1.s1"] and not result.rejected
    t = shown["p1.s1"]
    assert t.origin is Origin.HUMAN and t.text == "Каждый день я пользуюсь Гуглом."
    assert [(c.id, c.role.value, c.offset, c.data) for c in t.codes] == [
        ("1", "open", 24, '<a href="https://example.org/g">'), ("1", "close", 30, "</a>"), ("2", "standalone", 31, "<br>")]


@pytest.mark.parametrize("edit, reason", [
    (lambda t: _set(t[0], "Я пользуюсь Гуглом каждый день.", _x()), "inline code(s) 1 of the source missing"),
    (lambda t: _set(t[0], "Я ", _g("1", "пользуюсь"), " ", _g("1", "Гуглом"), ".", _x()), "appears twice"),
    (lambda t: _set(t[0], "Я ", _g("9", "пользуюсь"), " ", _g("1", "Гуглом"), ".", _x()),
     "'9' in the target is not in the source"),
])
def test_a_target_with_wrong_codes_is_refused_for_that_unit_only(stored, tmp_path, edit, reason):
    doc, memory_path = stored

    def apply(targets):
        edit(targets)
        _set(targets[2], "Он длинный.")  # the other units: a plain edit of s3 must still merge...
        targets[2].append(etree.Element(f"{{{X['x']}}}ex", id="3"))  # ...with its isolated end kept

    result, shown = _merge(_reviewed(doc, tmp_path, apply), memory_path)
    (rejected,) = result.rejected
    assert rejected[0] == "p1.s1" and reason in rejected[1], rejected
    assert result.updated == ["p1.s3"] and shown["p1.s1"].origin is Origin.MT
    assert shown["p1.s3"].text == "Он длинный." and [c.role.value for c in shown["p1.s3"].codes] == ["end"]


def test_codes_read_back_from_xliff_2_are_checked_the_same_way(stored, tmp_path):
    doc, memory_path = stored
    data = OUTPUT_FORMATS["xliff21"].serialize(doc).decode()
    # delete the <ph/> of the line break from the first unit's target (it is the only one there)
    start = data.index("<target>")
    end = data.index("</target>", start)
    target = data[start:end]
    edited = target.replace(target[target.index("<ph "):target.index("/>", target.index("<ph ")) + 2], "")
    path = tmp_path / "reviewed.en-ru.xliff2.xlf"
    path.write_text(data[:start] + edited + data[end:], encoding="utf-8")
    (f,) = read_reviewed(path)
    result, _ = _merge(path, memory_path)
    assert result.rejected == [("p1.s1", "inline code(s) 2 of the source missing in the target")]
