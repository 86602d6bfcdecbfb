from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.readers import read_article
from tandem.readers.text import parse


def test_blank_line_separated_paragraphs_keep_offsets():
    text = "Title\n\nFirst line\nsame paragraph.\n\n\n  Second.  \n"
    article = parse(text, name="a", source_path="a.txt")
    assert [p.text for p in article.paragraphs] == ["Title", "First line\nsame paragraph.", "Second."]
    for p in article.paragraphs:
        assert text[p.start:p.start + len(p.text)] == p.text


def test_one_paragraph_per_line_when_there_are_no_blank_lines():
    text = "One.\r\nTwo. Three.\r\nFour.\r\n"
    article = parse(text, name="a", source_path="a.txt")
    assert [p.text for p in article.paragraphs] == ["One.", "Two. Three.", "Four."]
    assert [p.number for p in article.paragraphs] == [1, 2, 3]


def test_reader_rejects_non_utf8_with_offset(tmp_path: Path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\u00e9 society.".encode("latin-1"))
    with pytest.raises(InputError, match="offset 3"):
        read_article(path)


def test_reader_accepts_bom_and_names_article_after_stem(tmp_path: Path):
    path = tmp_path / "story.txt"
    path.write_bytes("\ufeffHello there.".encode("utf-8"))
    article = read_article(path)
    assert article.name == "story" and article.paragraphs[0].text == "Hello there."


def test_unknown_extension_is_refused(tmp_path: Path):
    path = tmp_path / "story.docx"
    path.write_bytes(b"x")
    with pytest.raises(InputError, match="unsupported article type"):
        read_article(path)
