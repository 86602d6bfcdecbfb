"""Options and error messages, in-process through ``cli.main(argv)`` (as sqlite-utils tests its
CLI): exit codes, one-line errors, and a CLI that stays a thin wrapper."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tandem import cli
from tandem.formats import XLIFF_CHOICES
from tests.conftest import SAMPLE

SAMPLE_TMX = SAMPLE.with_suffix(".tmx")


def _main(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _one_error_line(err: str, fragment: str) -> None:
    assert err.startswith("tandem: error: ") and err.count("\n") == 1 and fragment in err, err


@pytest.fixture
def offline_run(tmp_path, capsys):
    """The sample run from the memory alone (sample TMX, --no-mt): no model."""
    article = tmp_path / "harbor-radar.txt"
    shutil.copy(SAMPLE, article)
    out = tmp_path / "out"
    code, stdout, err = _main(capsys, "run", str(article), "--tm", str(SAMPLE_TMX), "--no-mt", "--out", str(out))
    assert code == 0, err
    return article, out


def test_the_cli_choices_match_the_format_registry():
    assert cli.XLIFF_CHOICES == XLIFF_CHOICES


def test_the_cli_module_imports_no_heavy_or_business_modules():
    code = ("import sys, tandem.cli; heavy = [m for m in ('lxml', 'sqlite3', 'ctranslate2', 'tandem.pipeline', "
            "'tandem.memory') if m in sys.modules]; print(heavy)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_run_prints_a_total_line_and_with_verbose_one_line_per_article(offline_run, capsys):
    article, out = offline_run
    total = f"1 article, 26 segments: ru 26/26 translated, ja 26/26 translated -> {out}/\n"
    code, stdout, err = _main(capsys, "run", str(article), "--no-mt", "--out", str(out))
    assert code == 0 and stdout == total
    code, stdout, err = _main(capsys, "run", str(article), "--no-mt", "--out", str(out), "--verbose")
    assert code == 0 and stdout == f"harbor-radar: 26 segments: ru 26/26 translated, ja 26/26 translated -> " \
                                   f"{out / 'harbor-radar'}/\n" + total
    assert "from the memory: ru 26, ja 26; 0 left for the translator (--no-mt)" in err


def test_run_xliff_2_1_only_removes_the_1_2_file(offline_run, capsys):
    article, out = offline_run
    folder = out / "harbor-radar"
    assert (folder / "harbor-radar.en-ru.xlf").is_file()
    assert _main(capsys, "run", str(article), "--no-mt", "--xliff", "2.1", "--out", str(out))[0] == 0
    assert not (folder / "harbor-radar.en-ru.xlf").exists() and (folder / "harbor-radar.en-ru.xliff2.xlf").is_file()


@pytest.mark.parametrize("argv, fragment", [
    (["run", "missing.txt", "--no-mt"], "missing.txt: no such file"),
    (["run", "SAMPLE", "--to", "xx", "--no-mt"], "unknown language code 'xx'"),
    (["run", "SAMPLE", "--to", "en", "--no-mt"], "target language equals the source language: en"),
    (["run", "SAMPLE", "--install-models", "--offline"], "--install-models needs the network"),
    (["merge", "missing.xlf"], "no such file"),
    (["publish", "nowhere/story"], "no such article folder"),
    (["omegat", "nowhere/story"], "no such article folder"),
    (["tm", "export", "x.tmx", "--to", "xx"], "unknown language code 'xx'"),
    (["tm", "import", "missing.tmx"], "missing.tmx: no such file"),
    (["segment", "missing.txt"], "no such file"),
])
def test_bad_input_is_one_error_line_and_exit_2(tmp_path, capsys, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    argv = [str(SAMPLE) if a == "SAMPLE" else a for a in argv]
    code, stdout, err = _main(capsys, *argv)
    assert (code, stdout) == (2, "")
    _one_error_line(err, fragment)
    assert not (tmp_path / "output").exists()


def test_merge_and_publish_need_an_existing_memory(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.xlf").write_text('<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">'
                                    '<file original="a.txt" source-language="en" target-language="ru">'
                                    '<body/></file></xliff>', encoding="utf-8")
    code, _, err = _main(capsys, "merge", "r.xlf")
    assert code == 2
    _one_error_line(err, "no translation memory at output/tandem.db")


def test_omegat_refuses_a_language_the_article_does_not_have(offline_run, capsys):
    _, out = offline_run
    code, _, err = _main(capsys, "omegat", str(out / "harbor-radar"), "--to", "de")
    assert code == 2
    _one_error_line(err, "has no de translation (it has ru, ja)")


def test_omegat_writes_one_project_per_language(offline_run, capsys):
    _, out = offline_run
    code, stdout, _ = _main(capsys, "omegat", str(out / "harbor-radar"))
    assert code == 0 and stdout.count("OmegaT project: ") == 2
    for lang in ("ru", "ja"):
        assert (out / "harbor-radar" / f"omegat-{lang}" / "omegat.project").is_file()


def test_tm_import_reports_entries_it_refuses(tmp_path, capsys):
    blank = tmp_path / "blank.tmx"
    blank.write_text('<tmx version="1.4"><header srclang="en"/><body>'
                     '<tu><tuv xml:lang="en"><seg>Hello.</seg></tuv><tuv xml:lang="ru"><seg>   </seg></tuv></tu>'
                     '<tu><tuv xml:lang="en"><seg>Bye.</seg></tuv><tuv xml:lang="ru"><seg>Пока.</seg></tuv></tu>'
                     '<tu><tuv xml:lang="en"><seg>Odd.</seg></tuv><tuv xml:lang="../x"><seg>Странно.</seg></tuv></tu>'
                     '</body></tmx>', encoding="utf-8")
    code, stdout, _ = _main(capsys, "tm", "import", str(blank), "--out", str(tmp_path / "out"))
    assert code == 0 and "2 translations read, 1 new or changed, 1 refused (blank or not storable)" in stdout


def test_debug_shows_the_traceback(capsys):
    with pytest.raises(Exception):
        cli.main(["--debug", "segment", "missing-file.txt"])
