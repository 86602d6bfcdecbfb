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


@pytest.mark.parametrize("char, offset", [("\x00", 5), ("\x07", 5), ("\ufffe", 5), ("\ud800", 5)])
def test_characters_xml_cannot_hold_are_refused_with_the_offset(tmp_path: Path, char, offset):
    path = tmp_path / "bad.txt"
    path.write_bytes(("Hello" + char + " world.").encode("utf-8", "surrogatepass"))
    with pytest.raises(InputError) as caught:
        read_article(path)
    message = str(caught.value)
    if char == "\ud800":  # a lone surrogate is not even UTF-8
        assert "not UTF-8" in message
    else:
        assert f"character offset {offset}" in message and f"U+{ord(char):04X}" in message
    assert "\n" not in message


def test_tabs_newlines_and_astral_characters_are_kept(tmp_path: Path):
    path = tmp_path / "ok.txt"
    path.write_text("Tab\there.\r\n\U0001F600 fine.\n", encoding="utf-8")
    assert [p.text for p in read_article(path).paragraphs] == ["Tab\there.", "\U0001F600 fine."]
