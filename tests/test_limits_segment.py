"""Hostile segmentation input: rules that backtrack without end, articles that are
not files or never end, text in another encoding.  Each is one InputError."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from tandem import segment
from tandem.errors import InputError
from tandem.readers import read_article
from tandem.readers.text import MAX_ARTICLE_BYTES
from tests.test_segment import SAMPLE, SEMICOLON_SRX

# (a|aa)+$ tries every way to cut a run of a's before it fails on the final "b":
# 34 characters take about 7 s without a limit, one more character half as long again.
SLOW_AFTER = "<afterbreak>(a|aa)+$</afterbreak>"
SLOW_TEXT = "a" * 34 + "b"


def _rules(tmp_path: Path, *rules: str) -> Path:
    """A rules file whose one language rule holds ``rules`` (``<rule>`` elements)."""
    path = tmp_path / "user.srx"
    path.write_text(SEMICOLON_SRX.replace(
        '<rule break="yes"><beforebreak>;</beforebreak><afterbreak>\\s</afterbreak></rule>', "\n".join(rules)),
        encoding="utf-8")
    return path


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


def test_default_time_limit_is_documented():
    assert segment.RULES_TIME_LIMIT_S == 5.0


def test_catastrophic_rule_is_one_input_error_naming_file_and_rule(tmp_path):
    rules = _rules(tmp_path, f'<rule break="yes"><beforebreak>;</beforebreak>{SLOW_AFTER}</rule>')
    began = time.monotonic()
    with pytest.raises(InputError) as caught:
        segment.split_sentences(SLOW_TEXT, rules=rules, time_limit=0.3)
    assert time.monotonic() - began < 2
    error = caught.value
    assert error.exit_code == 2 and error.path == str(rules) and error.line == _line_of(rules, SLOW_AFTER)
    assert str(error) == (f"{rules}:{error.line}: the rule <beforebreak>;</beforebreak>{SLOW_AFTER} took more "
                          "than 0.3 s on a paragraph of 35 characters: its regular expression backtracks too "
                          "much (simplify it)")


def test_the_slow_rule_is_found_among_merged_rules(tmp_path):
    rules = _rules(tmp_path, '<rule break="yes"><beforebreak>;</beforebreak><afterbreak>\\s</afterbreak></rule>',
                   f'<rule break="yes"><beforebreak>[.]</beforebreak>{SLOW_AFTER}</rule>',
                   '<rule break="yes"><beforebreak>!</beforebreak><afterbreak>\\s</afterbreak></rule>')
    with pytest.raises(InputError, match=r"the rule <beforebreak>\[\.\]</beforebreak>") as caught:
        segment.split_sentences(SLOW_TEXT, rules=rules, time_limit=0.3)
    assert caught.value.line == _line_of(rules, SLOW_AFTER)


def test_slow_no_break_rule_is_caught_while_deciding(tmp_path):
    rules = _rules(tmp_path, '<rule break="no"><beforebreak>;</beforebreak><afterbreak>x(a|aa)+$</afterbreak>'
                             '</rule>',
                   '<rule break="yes"><beforebreak>;</beforebreak><afterbreak>x</afterbreak></rule>')
    with pytest.raises(InputError, match=r"afterbreak>x\(a\|aa\)\+\$</afterbreak> took more than 0.3 s"):
        segment.split_sentences(";x" + SLOW_TEXT, rules=rules, time_limit=0.3)


def test_the_limit_covers_the_whole_article_paragraph_by_paragraph(tmp_path):
    rules = _rules(tmp_path, f'<rule break="yes"><beforebreak>;</beforebreak>{SLOW_AFTER}</rule>')
    article = segment.text_reader.parse(f"Fine.\n\n{SLOW_TEXT}\n", name="a", source_path="a.txt")
    with pytest.raises(InputError, match="on a paragraph of 35 characters"):
        segment.segment_article(article, rules=rules, time_limit=0.3)


def test_no_limit_when_asked_and_fast_rules_are_unaffected(tmp_path):
    rules = tmp_path / "semicolons.srx"
    rules.write_text(SEMICOLON_SRX, encoding="utf-8")
    assert segment.split_sentences("One; two", rules=rules, time_limit=None) == [(0, 4), (5, 8)]
    assert segment.split_sentences("One; two", rules=rules, time_limit=0.5) == [(0, 4), (5, 8)]


def test_built_in_rules_have_no_time_limit():
    text = SAMPLE.read_text(encoding="utf-8")
    # A limit no real matching fits in: the built-in rules must ignore it.
    assert segment.split_sentences(text, time_limit=1e-9) == segment.split_sentences(text)


# --- articles -------------------------------------------------------------------------------

def test_article_larger_than_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"Word. " * 200)
    assert len(read_article(path, max_bytes=1200).text) == 1200
    with pytest.raises(InputError, match="article is larger than the limit of 1,199 bytes") as caught:
        read_article(path, max_bytes=1199)
    assert caught.value.path == str(path)
    assert MAX_ARTICLE_BYTES == 10_000_000


def test_standard_input_larger_than_the_limit_is_refused():
    with pytest.raises(InputError, match=r"^<stdin>: article is larger than the limit of 100 bytes \(--max-article-mb\)$"):
        segment.segment_source("-", stdin=io.BytesIO(b"x" * 101), max_bytes=100)
    assert segment.segment_source("-", stdin=io.BytesIO(b"x" * 100), max_bytes=100).text == "x" * 100


def test_symlink_to_a_device_is_refused(tmp_path):
    link = tmp_path / "null.txt"
    link.symlink_to("/dev/null")
    with pytest.raises(InputError, match=r"null\.txt: is a character device, not a regular file$"):
        read_article(link)


def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"pipe\.txt: is a FIFO \(named pipe\), not a regular file$"):
        read_article(fifo)


def test_directory_is_refused(tmp_path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(InputError, match="is a directory, not an article"):
        read_article(folder)


def test_ebcdic_article_is_one_line_naming_the_offset(tmp_path):
    path = tmp_path / "ebcdic.txt"
    path.write_bytes("Hello world.".encode("cp500"))
    with pytest.raises(InputError) as caught:
        read_article(path)
    assert str(caught.value) == f"{path}: not UTF-8 text (invalid byte at offset 2)"


def test_file_name_starting_with_a_dash_is_read(tmp_path):
    path = tmp_path / "-dash.txt"
    path.write_text("One. Two.", encoding="utf-8")
    assert [s.text for s in segment.segment_source(str(path)).segments] == ["One.", "Two."]
