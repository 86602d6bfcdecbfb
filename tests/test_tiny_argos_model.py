"""Tests for the random-weight argos package builder in tests/fixtures/tiny_argos_model.py."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import ctranslate2
import pytest
import sentencepiece as spm

from tests.fixtures.tiny_argos_model import SIZES, build_argos_model, main

SCRIPT_RE = {"ru": re.compile(r"[\u0400-\u04FF]"), "ja": re.compile(r"[\u3040-\u30FF\u4E00-\u9FFF]")}
NAMES = {"ru": "Russian", "ja": "Japanese"}
SOURCES = [
    "The minister said on Friday that the talks would continue next week.",
    "Prices rose 3.4% in October, the statistics office reported.",
    "“We are ready,” the coach told reporters before the match.",
    "The firm won a $133.3 million contract for SM-3 Block IIA missiles on December 28.",
    "[the] committee will meet again in January.",
    'He said "no" and left.',
    "Hello.",
    "OK",
    "Emoji 😀, ümlauts, 中文 and кириллица must not crash the tokenizer.",
    "Thousands of people gathered in the square to watch the fireworks, and police closed "
    "several roads near the river until late on Sunday evening.",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Build and extract one tiny en->ru and one tiny en->ja package."""
    out = {}
    for to in ("ru", "ja"):
        root = tmp_path_factory.mktemp(to)
        path = build_argos_model("en", to, root / f"en_{to}.argosmodel")
        with zipfile.ZipFile(path) as zf:
            zf.extractall(root / "x")
        out[to], out[f"{to}_dir"] = path, root / "x" / f"translate-en_{to}-1_0"
    return out


def test_sizes_are_declared() -> None:
    assert set(SIZES) >= {"tiny", "base"}


@pytest.mark.parametrize("to", ["ru", "ja"])
def test_zip_layout_and_metadata(built: dict[str, Path], to: str) -> None:
    top = f"translate-en_{to}-1_0/"
    with zipfile.ZipFile(built[to]) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {n.split("/")[0] for n in names} == {top.rstrip("/")}
        for required in ("metadata.json", "sentencepiece.model", "README.md",
                         "model/model.bin", "model/config.json"):
            assert top + required in names
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zf.infolist())
        metadata = json.loads(zf.read(top + "metadata.json"))
        readme = zf.read(top + "README.md").decode()
    assert metadata["package_version"] == "1.0" and metadata["argos_version"] == "1.9.0"
    assert metadata["type"] == "translate"
    assert (metadata["from_code"], metadata["from_name"]) == ("en", "English")
    assert (metadata["to_code"], metadata["to_name"]) == (to, NAMES[to])
    assert "random" in readme.lower() and "meaningless" in readme.lower()


def test_build_is_byte_identical_and_cli_works(built: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    again = tmp_path / "again.argosmodel"
    main(["--from", "en", "--to", "ru", str(again)])
    assert capsys.readouterr().out.strip() == str(again)
    assert again.read_bytes() == built["ru"].read_bytes()


@pytest.mark.parametrize("to", ["ru", "ja"])
def test_vocabulary_matches_sentencepiece(built: dict[str, Path], to: str) -> None:
    pkg = built[f"{to}_dir"]
    sp = spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
    vocab = json.loads((pkg / "model" / "shared_vocabulary.json").read_text(encoding="utf-8"))
    assert vocab == [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    assert vocab[:4] == ["<unk>", "<s>", "</s>", "<blank>"]


@pytest.mark.parametrize("to", ["ru", "ja"])
def test_translation_is_nonempty_and_in_target_script(built: dict[str, Path], to: str) -> None:
    pkg = built[f"{to}_dir"]
    sp = spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))
    translator = ctranslate2.Translator(str(pkg / "model"), device="cpu", intra_threads=1)
    tokens = [sp.encode(text, out_type=str) for text in SOURCES]
    results = translator.translate_batch(tokens, beam_size=4, max_decoding_length=60)
    assert len(results) == len(SOURCES)
    outputs = [sp.decode_pieces(r.hypotheses[0]) for r in results]
    for source, output in zip(SOURCES, outputs):
        assert output.strip(), f"empty output for {source!r}"
        assert SCRIPT_RE[to].search(output), f"{output!r} has no {to} script characters"
    assert len(set(outputs)) > 1  # the output depends on the input


def test_argostranslate_reads_the_package(built: dict[str, Path]) -> None:
    from argostranslate.package import Package
    from argostranslate.tokenizer import SentencePieceTokenizer

    package = Package(built["ja_dir"])
    assert (package.from_code, package.to_code) == ("en", "ja")
    assert (package.from_name, package.to_name) == ("English", "Japanese")
    assert isinstance(package.tokenizer, SentencePieceTokenizer)
    assert package.tokenizer.encode("Hello world.")
    assert "meaningless" in package.get_readme().lower()
