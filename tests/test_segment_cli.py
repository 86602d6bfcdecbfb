"""`tandem segment` run as the installed console script."""

import json

import pytest

from tests.conftest import SAMPLE, run_tandem
from tests.test_segment import SEMICOLON_SRX

pytestmark = pytest.mark.slow


def test_text_format_lists_ids_and_segments_by_paragraph():
    result = run_tandem("segment", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "p1.s1\tPort Alder approves $133.3 million radar upgrade after a year of delays"
    assert lines[1] == ""
    assert "p6.s1\tThe upgrade follows a report by the U.S. Coast Guard that found gaps in coverage " \
           "near the northern breakwater." in lines
    assert sum(1 for line in lines if line) == 26


def test_jsonl_offsets_point_into_the_whole_input():
    text = SAMPLE.read_text(encoding="utf-8")
    result = run_tandem("segment", str(SAMPLE), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 26
    assert set(records[0]) == {"id", "paragraph", "start", "end", "text", "hash"}
    for record in records:
        assert text[record["start"]:record["end"]] == record["text"]
        assert record["id"].startswith(f"p{record['paragraph']}.s")
    assert len({r["hash"] for r in records}) == 26


def test_stdin_with_crlf_odd_spacing_and_a_bom():
    text = "Title line\r\n\r\nOne.   Two!\r\nThree?\r\n\r\nШла.  Ушла."
    result = run_tandem("segment", "-", "--format", "jsonl", stdin="\ufeff" + text)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["p1.s1", "p2.s1", "p2.s2", "p2.s3", "p3.s1", "p3.s2"]
    assert all(text[r["start"]:r["end"]] == r["text"] for r in records)


def test_lang_selects_target_side_rules():
    result = run_tandem("segment", "-", "--lang", "ja", stdin="工事が始まった。「本当か？」と彼は聞いた。\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["p1.s1\t工事が始まった。", "p1.s2\t「本当か？」と彼は聞いた。"]


def test_rules_option_changes_the_segmentation(tmp_path):
    rules = tmp_path / "semicolons.srx"
    rules.write_text(SEMICOLON_SRX, encoding="utf-8")
    text = "One. Two; three. Four\n"
    default = run_tandem("segment", "-", stdin=text)
    custom = run_tandem("segment", "-", "--rules", str(rules), stdin=text)
    assert default.stdout.splitlines() == ["p1.s1\tOne.", "p1.s2\tTwo; three.", "p1.s3\tFour"]
    assert custom.stdout.splitlines() == ["p1.s1\tOne. Two;", "p1.s2\tthree. Four"]


@pytest.mark.parametrize("content", ["<srx", SEMICOLON_SRX.replace("<beforebreak>;", "<beforebreak>(;")])
def test_bad_rules_file_is_one_error_line_and_exit_2(tmp_path, content):
    rules = tmp_path / "bad.srx"
    rules.write_text(content, encoding="utf-8")
    result = run_tandem("segment", str(SAMPLE), "--rules", str(rules))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"tandem: error: {rules}:") and result.stderr.count("\n") == 1


def test_missing_input_file_and_empty_stdin():
    missing = run_tandem("segment", "no-such-article.txt")
    assert missing.returncode == 2 and missing.stderr == "tandem: error: no-such-article.txt: no such file\n"
    empty = run_tandem("segment", "-", stdin="  \n")
    assert empty.returncode == 2 and "article is empty" in empty.stderr


def test_html_and_markdown_are_read_by_extension_or_named_with_codes_in_jsonl(tmp_path):
    from tandem.readers import read_article

    page = SAMPLE.parent / "harbor-vote.html"
    result = run_tandem("segment", str(page), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    paragraphs = {p.number: p.text for p in read_article(page).paragraphs}
    assert "<" not in "".join(r["text"] for r in records)  # the markup's plain text, never tags
    for record in records:
        assert paragraphs[record["paragraph"]][record["start"]:record["end"]] == record["text"]
    assert any(c["kind"] == "link" for r in records for c in r["codes"])
    named = run_tandem("segment", "-", "--article-format", "markdown", stdin="A *big* day. It [rained](/r).\n")
    assert named.stdout.splitlines() == ["p1.s1\tA big day.", "p1.s2\tIt rained."]
    markdown = tmp_path / "note.md"
    markdown.write_text("# Title\n\nOne. Two.\n", encoding="utf-8")
    assert run_tandem("segment", str(markdown)).stdout.splitlines() == ["p1.s1\tTitle", "", "p2.s1\tOne.", "p2.s2\tTwo."]
