"""Tests for the copying argos package built by tests/fixtures/copy_model.py: its output is its
input, and the cross-attention of output token i points at source token i."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import ctranslate2
import numpy as np
import pytest
import sentencepiece as spm

from tandem.mt.engine import Engine
from tandem.mt.models import install_from_file
from tandem.settings import EngineSettings
from tests.fixtures.copy_model import MAX_SOURCE_TOKENS, attention_gap, build_copy_model, main

SENTENCES = [
    "I use Google every day.",
    "The council approved a $133.3 million radar upgrade on Tuesday, December 28.",
    "The navy asked for SM-3 Block IIA and RIM-161 compatibility; THAAD was not mentioned.",
    "“We have waited long enough,” said Mayor Elena Brandt.",
    'He called the price "excessive." Shares rose 4.2% (to 1,204.56 points) — again!',
    "Городской совет утвердил бюджет в размере 133,3 миллиона долларов.",
    "市議会は火曜日、1億3330万ドルの予算を承認した。",
    "Emoji 😀, ümlauts, 中文 and кириллица;  two spaces and a\ttab.",
    "Visit https://example.com/docs?id=42&lang=en or write to press@example.org.",
    "OK",
]
COMPUTE_TYPES = ["float32", "int8"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The en->ru and en->ja archives, and the en->ru package extracted."""
    root = tmp_path_factory.mktemp("copy-model")
    out = {to: build_copy_model("en", to, root / f"copy-en_{to}.argosmodel") for to in ("ru", "ja")}
    with zipfile.ZipFile(out["ru"]) as zf:
        zf.extractall(root / "x")
    out["dir"] = root / "x" / "translate-en_ru-1_0"
    return out


@pytest.fixture(scope="module")
def sp(built: dict[str, Path]) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_file=str(built["dir"] / "sentencepiece.model"))


@pytest.fixture(scope="module")
def translators(built: dict[str, Path]) -> dict[str, ctranslate2.Translator]:
    return {ct: ctranslate2.Translator(str(built["dir"] / "model"), compute_type=ct) for ct in COMPUTE_TYPES}


def test_package_layout_and_metadata(built: dict[str, Path]) -> None:
    for to in ("ru", "ja"):
        top = f"translate-en_{to}-1_0/"
        with zipfile.ZipFile(built[to]) as zf:
            names = zf.namelist()
            metadata = json.loads(zf.read(top + "metadata.json"))
            readme = zf.read(top + "README.md").decode()
        assert names == sorted(names) and {n.split("/")[0] for n in names} == {top.rstrip("/")}
        assert {top + f for f in ("sentencepiece.model", "model/model.bin", "model/config.json")} <= set(names)
        assert (metadata["from_code"], metadata["to_code"], metadata["type"]) == ("en", to, "translate")
        assert "copying test model" in metadata["name"] and "COPYING" in readme


def test_build_is_byte_identical_and_cli_works(built: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    again = tmp_path / "again.argosmodel"
    main(["--from", "en", "--to", "ru", str(again)])
    assert capsys.readouterr().out.strip() == str(again)
    assert again.read_bytes() == built["ru"].read_bytes()


def test_tokenizer_round_trips(sp: spm.SentencePieceProcessor) -> None:
    for text in SENTENCES:
        pieces = sp.encode(text, out_type=str)
        assert sp.decode(pieces) == text
        assert len(pieces) <= MAX_SOURCE_TOKENS
    assert sp.get_piece_size() == 512 and sum(sp.is_byte(i) for i in range(512)) == 256


@pytest.mark.parametrize("compute_type", COMPUTE_TYPES)
@pytest.mark.parametrize("beam", [1, 4])
def test_output_is_input(translators: dict, sp: spm.SentencePieceProcessor, compute_type: str,
                         beam: int) -> None:
    sources = [sp.encode(text, out_type=str) for text in SENTENCES]
    results = translators[compute_type].translate_batch(sources, beam_size=beam, return_scores=True)
    for text, source, result in zip(SENTENCES, sources, results):
        assert result.hypotheses[0] == source
        assert sp.decode(result.hypotheses[0]) == text
        assert result.scores[0] > -1e-3  # every copied piece has probability ~1


@pytest.mark.parametrize("compute_type", COMPUTE_TYPES)
@pytest.mark.parametrize("beam", [1, 4])
def test_attention_points_at_the_copied_source_piece(translators: dict, sp: spm.SentencePieceProcessor,
                                                     compute_type: str, beam: int) -> None:
    sources = [sp.encode(text, out_type=str) for text in SENTENCES]
    results = translators[compute_type].translate_batch(sources, beam_size=beam, return_attention=True)
    margins = []
    for source, result in zip(sources, results):
        attention = np.asarray(result.attention[0])
        assert attention.shape == (len(source), len(source))  # one row per output piece, no </s> row
        assert list(attention.argmax(axis=1)) == list(range(len(source)))
        others = attention - np.diag(np.diag(attention))
        margins.append(float((np.diag(attention) - others.max(axis=1)).min()))
    print(f"minimum attention margin ({compute_type}, beam {beam}): {min(margins):.9f}")
    assert min(margins) > 0.999
    assert attention_gap() > 40  # the score gap in nats behind that margin (see copy_model.py)


def test_every_piece_and_the_longest_source_copy(translators: dict, sp: spm.SentencePieceProcessor) -> None:
    pieces = [sp.id_to_piece(i) for i in range(4, sp.get_piece_size())]  # all but the specials
    rng = np.random.default_rng(0)
    longest = [pieces[i] for i in rng.integers(0, len(pieces), MAX_SOURCE_TOKENS)]
    sources = [pieces[:254], pieces[254:], longest, [pieces[0]] * 7, [pieces[-1]]]
    for translator in translators.values():
        results = translator.translate_batch(sources, beam_size=1, return_attention=True)
        for source, result in zip(sources, results):
            assert result.hypotheses[0] == source
            assert list(np.asarray(result.attention[0]).argmax(axis=1)) == list(range(len(source)))
    with pytest.raises(RuntimeError, match="position"):  # beyond the position table
        translators["float32"].translate_batch([longest + longest[:1]])


@pytest.mark.parametrize("compute_type", ["auto", "float32"])
def test_tandem_installs_it_and_its_engine_returns_the_input(built: dict[str, Path], tmp_path: Path,
                                                             compute_type: str) -> None:
    engine = Engine(EngineSettings(compute_type=compute_type))  # defaults: beam 4, 2 hypotheses
    for to in ("ru", "ja"):
        package = install_from_file(built[to], tmp_path / "packages")
        assert (package.from_code, package.to_code) == ("en", to)
        results = engine.translate(package, SENTENCES)
        assert [r.text for r in results] == [text.strip() for text in SENTENCES]
        assert all(r.score > -1e-3 for r in results)
