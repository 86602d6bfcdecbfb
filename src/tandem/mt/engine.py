"""Batched CTranslate2 inference over installed argos packages.

Everything argostranslate does per paragraph is done here once per article
and language pair: all segments are tokenized with the package's own
tokenizer, sent in one ``translate_batch`` call (CTranslate2 sorts them by
length and batches them by tokens), and decoded.  ``argostranslate.translate``
is never imported: it pulls in torch and costs seconds at start-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tandem.mt.models import InstalledPackage
from tandem.settings import EngineSettings


@dataclass(frozen=True)
class MTResult:
    """One machine translation with its length-normalised log-probability."""

    text: str
    score: float


@dataclass
class _LoadedModel:
    translator: object  # ctranslate2.Translator
    tokenizer: object  # argostranslate.tokenizer.Tokenizer


class Engine:
    """Translates lists of segments; each model is loaded once per process."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._loaded: dict[str, _LoadedModel] = {}

    def translate(self, package: InstalledPackage, texts: list[str]) -> list[MTResult]:
        """Translate ``texts`` in one batched call; results keep the input order."""
        if not texts:
            return []
        model = self.load(package)
        tokens = [model.tokenizer.encode(text) for text in texts]
        results = model.translator.translate_batch(tokens, **self._options(package, tokens))
        return [self._decode(package, model, r) for r in results]

    def _options(self, package: InstalledPackage, tokens: list[list[str]]) -> dict:
        s = self.settings
        longest = max(len(t) for t in tokens)
        prefix = [[package.target_prefix]] * len(tokens) if package.target_prefix else None
        return dict(
            target_prefix=prefix,
            beam_size=s.beam_size,
            max_batch_size=s.max_batch_tokens,
            batch_type="tokens",
            max_decoding_length=math.ceil(s.length_ratio * longest) + s.length_extra,
            length_penalty=1.0,  # makes the score a per-token mean log-probability
            replace_unknowns=True,
            return_scores=True,
        )

    @staticmethod
    def _decode(package: InstalledPackage, model: _LoadedModel, result) -> MTResult:
        text = model.tokenizer.decode(result.hypotheses[0])
        if package.target_prefix and text.startswith(package.target_prefix):
            text = text[len(package.target_prefix):]
        return MTResult(text=text.strip(), score=float(result.scores[0]))

    def load(self, package: InstalledPackage) -> _LoadedModel:
        """Load (once) the model and tokenizer of ``package``."""
        key = str(package.path)
        if key not in self._loaded:
            self._loaded[key] = _LoadedModel(self._translator(package), _tokenizer(package))
        return self._loaded[key]

    def _translator(self, package: InstalledPackage):
        import ctranslate2  # deferred: only runs that translate pay for it

        s = self.settings
        device = s.device
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        return ctranslate2.Translator(str(package.model_dir), device=device,
                                      compute_type=_compute_type(ctranslate2, device, s.compute_type),
                                      inter_threads=s.inter_threads, intra_threads=s.intra_threads)


def _compute_type(ctranslate2, device: str, requested: str) -> str:
    """``auto`` means int8 where the device supports it (fastest on CPU)."""
    if requested != "auto":
        return requested
    supported = ctranslate2.get_supported_compute_types(device)
    return "int8" if "int8" in supported else "default"


def _tokenizer(package: InstalledPackage):
    # argostranslate.tokenizer imports only sentencepiece: cheap, and it is
    # exactly the tokenization argostranslate applies to the package.
    from argostranslate.tokenizer import BPETokenizer, SentencePieceTokenizer

    if package.tokenizer == "bpe":
        return BPETokenizer(package.tokenizer_file, package.from_code, package.to_code)
    return SentencePieceTokenizer(package.tokenizer_file)
