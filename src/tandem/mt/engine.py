"""Batched CTranslate2 inference over installed argos packages.

Everything argostranslate does per paragraph is done here once per article
and route step: all segments are tokenized with the package's own tokenizer,
sent in ONE ``translate_batch`` call (CTranslate2 sorts them by length and
batches them by tokens, at most ``max_batch_tokens`` at a time, over its
``inter_threads`` workers: see :meth:`Engine.batch_tokens`), and decoded.  ``argostranslate.translate`` is
never imported: it pulls in torch and costs seconds at start-up.

Length bound: CTranslate2 takes one ``max_decoding_length`` per call, so the
call uses the bound of the longest input (``length_ratio * tokens +
length_extra``) and each hypothesis is then cut to its own input's bound.
Splitting the call into length buckets would bound the compute per bucket
too, but costs batching efficiency on every article to guard against a
degenerate model; a real model stops at its end token long before the bound.

Alignment: for sentences with inline codes the caller asks for the cross-attention
(``translate(..., align=[...])``); the call then runs with ``return_attention=True`` and
each asked-for result carries an :class:`Alignment` per route step, which
:mod:`tandem.mt.codes` uses to put the codes back.  A call where nothing is asked for
is exactly the plain call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tandem.document import NOT_XML_CHARS, word_separator
from tandem.errors import ModelError
from tandem.mt.models import InstalledPackage
from tandem.settings import EngineSettings

# Pieces after which a long segment may be cut (clause punctuation, Latin and CJK).
CLAUSE_ENDS = (",", ";", ":", ")", "—", "–", "、", "，", "；", "：", "）")


@dataclass(frozen=True)
class MTResult:
    """One machine translation with its length-normalised log-probability.

    ``alternative`` is the beam's runner-up, offered to the reviewer as a
    candidate (None when the beam found nothing different).
    """

    text: str
    score: float
    alternative: str | None = None
    alternative_score: float | None = None
    alignment: tuple[Alignment, ...] = ()  # one per route step, when asked for (see Engine.translate)


@dataclass(frozen=True)
class Alignment:
    """What one route step's best hypothesis looked at: its cross-attention.

    ``attention[i][j]`` is the weight output piece ``target[i]`` gave source piece ``source[j]``
    (each row sums to 1).  A segment split into chunks has the chunks' pieces one after the other
    and a block-diagonal matrix (a chunk's output looked only at that chunk).  The target prefix,
    if any, is not among the pieces; pieces past the output's length bound are dropped, as in
    ``target_text``.
    """

    source_text: str  # what the step translated
    target_text: str  # what it produced (the step's MTResult.text)
    source: tuple[str, ...]
    target: tuple[str, ...]
    attention: tuple[tuple[float, ...], ...]
    tokenizer: str  # "sentencepiece" or "bpe": how the pieces mark words
    from_code: str
    to_code: str


@dataclass
class _LoadedModel:
    translator: object  # ctranslate2.Translator
    tokenizer: object  # argostranslate.tokenizer.Tokenizer


class Engine:
    """Translates lists of segments; each model is loaded once per process."""

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings
        self._loaded: dict[str, _LoadedModel] = {}

    def translate_route(self, steps: tuple[InstalledPackage, ...], texts: list[str],
                        align: Sequence[bool] | None = None, suppress: Sequence[str] = ()) -> list[MTResult]:
        """Translate through each package of a route in turn (one batched call per step).

        A pivot's score is the sum of its steps' scores: the log of the
        product of the two per-token mean probabilities.  ``align``: as for
        :meth:`translate`; an aligned result has one :class:`Alignment` per step.
        ``suppress``: target-language texts the last step must not produce.
        """
        results = [MTResult(text, 0.0) for text in texts]
        for number, package in enumerate(steps, start=1):
            last = number == len(steps)
            step = self.translate(package, [r.text for r in results], align, suppress if last else ())
            results = [MTResult(s.text, r.score + s.score, s.alternative,
                                None if s.alternative_score is None else r.score + s.alternative_score,
                                r.alignment + s.alignment)
                       for r, s in zip(results, step)]
        return results

    def translate(self, package: InstalledPackage, texts: list[str],
                  align: Sequence[bool] | None = None, suppress: Sequence[str] = ()) -> list[MTResult]:
        """Translate ``texts`` in one batched call; results keep the input order.

        ``align[i]`` true: result ``i`` also carries its :class:`Alignment` (the call then returns
        the attention; without any true ``align`` it is the plain call, no extra work).
        ``suppress``: texts (forbidden target terms) the decoder must not produce, as the
        model's tokenizer spells them (CTranslate2's ``suppress_sequences``).
        """
        if not texts:
            return []
        model = self.load(package)
        limit = self.settings.max_input_tokens
        pieces = [split_tokens(model.tokenizer.encode(text), limit, package.tokenizer) for text in texts]
        chunks = [chunk for chunk_list in pieces for chunk in chunk_list]
        options = self._options(package, chunks)
        attention = align is not None and any(align)
        if attention:
            options["return_attention"] = True
        sequences = suppressed_sequences(model.tokenizer, suppress)
        if sequences:
            options["suppress_sequences"] = sequences
        results = model.translator.translate_batch(chunks, **options)
        decoded = iter(self._decode(package, model, chunk, r) for chunk, r in zip(chunks, results))
        joiner = word_separator(package.to_code)
        joined = [_join([next(decoded) for _ in chunk_list], joiner) for chunk_list in pieces]
        if not attention:
            return joined
        return self._aligned(package, texts, pieces, results, joined, align)

    def _aligned(self, package: InstalledPackage, texts: list[str], pieces: list[list[list[str]]],
                 results: list, joined: list[MTResult], align: Sequence[bool]) -> list[MTResult]:
        """The asked-for results with their alignment; chunks of one text are joined with offsets."""
        out, position = [], 0
        for text, chunk_list, result, wanted in zip(texts, pieces, joined, align):
            chunk_results = results[position:position + len(chunk_list)]
            position += len(chunk_list)
            if wanted:
                result = replace(result, alignment=(self._alignment(package, text, chunk_list, chunk_results,
                                                                    result.text),))
            out.append(result)
        return out

    def _alignment(self, package: InstalledPackage, text: str, chunk_list: list[list[str]], chunk_results: list,
                   target_text: str) -> Alignment:
        width = sum(len(chunk) for chunk in chunk_list)
        target: list[str] = []
        rows: list[tuple[float, ...]] = []
        column = 0
        for chunk, result in zip(chunk_list, chunk_results):
            tokens = list(result.hypotheses[0]) if result.hypotheses else []
            matrix = list(result.attention[0]) if result.attention else []
            if package.target_prefix and tokens[:1] == [package.target_prefix]:
                tokens, matrix = tokens[1:], matrix[1:]
            tokens = tokens[:self.bound(len(chunk))]
            before, after = (0.0,) * column, (0.0,) * (width - column - len(chunk))
            for index, token in enumerate(tokens):
                row = matrix[index] if index < len(matrix) else ()
                row = tuple(float(w) for w in row[:len(chunk)]) + (0.0,) * max(0, len(chunk) - len(row))
                target.append(token)
                rows.append(before + row + after)
            column += len(chunk)
        return Alignment(source_text=text, target_text=target_text,
                         source=tuple(p for chunk in chunk_list for p in chunk), target=tuple(target),
                         attention=tuple(rows), tokenizer=package.tokenizer,
                         from_code=package.from_code, to_code=package.to_code)

    def bound(self, input_tokens: int) -> int:
        """Most tokens the decoder may produce for an input of ``input_tokens``.

        >>> Engine(EngineSettings(length_ratio=1.5, length_extra=10)).bound(20)
        40
        """
        return math.ceil(self.settings.length_ratio * input_tokens) + self.settings.length_extra

    def batch_tokens(self, total_tokens: int) -> int:
        """Tokens per batch: at most ``max_batch_tokens``, and few enough that every
        inter-thread worker gets a batch (a short article would otherwise be one
        batch on one worker while the other cores wait).

        >>> Engine(EngineSettings(inter_threads=2, max_batch_tokens=1024)).batch_tokens(900)
        450
        >>> Engine(EngineSettings(inter_threads=2, max_batch_tokens=1024)).batch_tokens(5000)
        1024
        """
        return max(1, min(self.settings.max_batch_tokens, math.ceil(total_tokens / self.settings.inter_threads)))

    def _options(self, package: InstalledPackage, chunks: list[list[str]]) -> dict:
        s = self.settings
        prefix = [[package.target_prefix]] * len(chunks) if package.target_prefix else None
        return dict(
            target_prefix=prefix,
            beam_size=s.beam_size,
            num_hypotheses=min(2, s.beam_size),  # the runner-up becomes a reviewer's candidate
            max_batch_size=self.batch_tokens(sum(len(c) for c in chunks)),
            batch_type="tokens",
            max_input_length=0,  # never truncate: over-long segments were split above
            max_decoding_length=self.bound(max(len(c) for c in chunks)) + (1 if prefix else 0),
            length_penalty=1.0,  # makes the score a per-token mean log-probability
            replace_unknowns=True,
            return_scores=True,
        )

    def _decode(self, package: InstalledPackage, model: _LoadedModel, chunk: list[str],
                result) -> list[tuple[str, float, int]]:
        """Text, score and output length of each hypothesis of one chunk, best first."""
        return [self._decode_hypothesis(package, model, chunk, tokens, float(score))
                for tokens, score in zip(result.hypotheses, result.scores)]

    def _decode_hypothesis(self, package: InstalledPackage, model: _LoadedModel, chunk: list[str],
                           tokens: list[str], score: float) -> tuple[str, float, int]:
        if package.target_prefix and tokens[:1] == [package.target_prefix]:
            tokens = tokens[1:]
        tokens = tokens[:self.bound(len(chunk))]  # each output bounded by its own input
        text = model.tokenizer.decode(tokens) if tokens else ""
        if package.target_prefix and text.startswith(package.target_prefix):
            text = text[len(package.target_prefix):]
        # A model can emit byte pieces that decode to control characters (or U+FFFD halves):
        # XML cannot hold them, and no translation needs them.
        return NOT_XML_CHARS.sub("", text).strip(), score, max(len(tokens), 1)

    def load(self, package: InstalledPackage) -> _LoadedModel:
        """Load (once) the model and tokenizer of ``package``."""
        key = str(package.path)
        if key not in self._loaded:
            self._loaded[key] = _LoadedModel(self._translator(package), _tokenizer(package))
        return self._loaded[key]

    def _translator(self, package: InstalledPackage):
        import ctranslate2  # deferred: only runs that translate pay for it

        tune_allocator()
        s = self.settings
        device = s.device
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        try:
            return ctranslate2.Translator(str(package.model_dir), device=device,
                                          compute_type=compute_type(ctranslate2, device, s.compute_type),
                                          inter_threads=s.inter_threads, intra_threads=s.intra_threads)
        except (RuntimeError, ValueError) as exc:  # no CUDA, unsupported compute type, broken model.bin
            raise ModelError(f"cannot load the model on {device}: {exc}", path=str(package.model_dir)) from exc


def suppressed_sequences(tokenizer, texts: Sequence[str]) -> list[list[str]]:
    """The token sequences of ``texts`` for ``suppress_sequences``, as the tokenizer spells each
    one at the start of a word; a text it cannot spell without unknown pieces is left out."""
    sequences = []
    for text in dict.fromkeys(t.strip() for t in texts):
        pieces = tokenizer.encode(text) if text else []
        if pieces and "<unk>" not in pieces:
            sequences.append(list(pieces))
    return sequences


def split_tokens(tokens: list[str], limit: int, kind: str = "sentencepiece") -> list[list[str]]:
    """Cut ``tokens`` into chunks of at most ``limit``, preferring clause ends, then word starts.

    >>> split_tokens(["▁a", ",", "▁b", "▁c", "▁d", ",", "▁e"], 4)
    [['▁a', ','], ['▁b', '▁c', '▁d', ','], ['▁e']]
    >>> split_tokens(["▁ab", "cd", "▁ef", "gh", "ij"], 3)
    [['▁ab', 'cd'], ['▁ef', 'gh', 'ij']]
    >>> split_tokens(["▁a"], 4)
    [['▁a']]
    """
    chunks, rest = [], list(tokens)
    while len(rest) > limit:
        cut = _cut_point(rest, limit, kind)
        chunks.append(rest[:cut])
        rest = rest[cut:]
    return chunks + [rest]


def _cut_point(tokens: list[str], limit: int, kind: str) -> int:
    """Length of the next chunk: after the last clause end, else before the last word start."""
    floor = max(limit // 2, 1)
    for cut in range(limit, floor - 1, -1):
        if tokens[cut - 1].removesuffix("@@").endswith(CLAUSE_ENDS):
            return cut
    for cut in range(limit, floor - 1, -1):
        if _starts_word(tokens, cut, kind):
            return cut
    return limit


def _starts_word(tokens: list[str], i: int, kind: str) -> bool:
    """SentencePiece marks a word start with "▁"; BPE marks a continued word with "@@"."""
    return tokens[i].startswith("▁") if kind == "sentencepiece" else not tokens[i - 1].endswith("@@")


def _join(chunks: list[list[tuple[str, float, int]]], joiner: str) -> MTResult:
    """One result from a segment's chunks (each a list of hypotheses, best first).

    The score is the token-weighted mean over the chunks.  The alternative
    exists only for a segment translated in one chunk: mixing runner-ups of
    several chunks would make a translation no beam ever produced.
    """
    best = [hypotheses[0] for hypotheses in chunks]
    text = joiner.join(p[0] for p in best if p[0])
    weight = sum(p[2] for p in best)
    result = MTResult(text, sum(p[1] * p[2] for p in best) / weight)
    runner_up = chunks[0][1] if len(chunks) == 1 and len(chunks[0]) > 1 else None
    if runner_up is None or runner_up[0] in ("", text):
        return result
    return MTResult(result.text, result.score, runner_up[0], runner_up[1])


def tune_allocator() -> bool:
    """Let glibc keep freed decoder buffers instead of unmapping them after every step.

    Beam search allocates and frees buffers of several MB at every decoding
    step; above glibc's default mmap threshold each one is a fresh mmap and
    munmap, i.e. page faults.  Raising the threshold (and the trim threshold)
    to 32 MB cut the system time of a 120-segment benchmark run from 5.6 s to
    1.6 s of CPU, and peak RSS did not grow.  Process-wide and idempotent;
    returns False where it does not apply (not glibc).
    """
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(None)
    m_trim_threshold, m_mmap_threshold, size = -1, -3, 32 * 1024 * 1024
    return bool(libc.mallopt(m_mmap_threshold, size)) and bool(libc.mallopt(m_trim_threshold, 2 * size))


def compute_type(ctranslate2, device: str, requested: str) -> str:
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
