"""MT benchmark: argostranslate's way vs. plain CTranslate2 at its best vs. `tandem run`.

    .venv/bin/python tests/bench/bench_mt.py [--segments N] [--size base] [--beam 4]

Builds (once, cached in tests/.data/bench/) a random-weight en->ru argos
package with tests/fixtures/tiny_argos_model.py, ``--no-eos`` so that every
output runs to the length bound like a real model on a long sentence, writes
an article of N sentences in paragraphs of 1-3 sentences, and measures on the
same model, beam size, length bound and segments:

- argos_style_s: one translate_batch per paragraph with argostranslate's
  default settings (inter_threads 1, intra_threads 0, max_batch_size 32 tokens);
- raw_best_s: the fastest of a sweep of plain CTranslate2 settings for ONE
  translate_batch over all segments (tokenize and detokenize included);
- tandem_s: the `tandem` console script end to end with its defaults
  (start-up, model loading, every output file), plus its peak RSS;
- cold_start_s: `tandem --help` (best of 5).

Model loading is excluded from argos_style_s and raw_best_s (it is timed
separately) and included in tandem_s.  Progress goes to stderr; the result is
one JSON object on stdout.  This is a script, not a test: timings depend on
the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tandem import segment  # noqa: E402
from tandem.mt.engine import Engine, tune_allocator  # noqa: E402
from tandem.mt.models import install_from_file  # noqa: E402
from tandem.readers import text as text_reader  # noqa: E402
from tandem.settings import EngineSettings  # noqa: E402
from tests.fixtures.tiny_argos_model import CORPUS, build_argos_model  # noqa: E402

TANDEM = Path(sys.executable).parent / "tandem"
ARGOS_SETTINGS = dict(inter_threads=1, intra_threads=0, max_batch_size=32)
SWEEP_BATCH_TOKENS = (256, 512, 1024)


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def build_model(size: str, cache: Path) -> Path:
    """The benchmark package, built once per size (byte-identical for the same arguments)."""
    archive = cache / f"translate-en_ru-{size}-noeos.argosmodel"
    if not archive.is_file():
        log(f"building the {size} model (once) ...")
        started = time.perf_counter()
        build_argos_model("en", "ru", archive, size=size, eos=False)
        log(f"built {archive} in {time.perf_counter() - started:.0f} s")
    return archive


def write_article(n: int, path: Path, seed: int) -> None:
    """N news-like sentences (from the fixture corpus, numbers varied) in paragraphs of 1-3."""
    rng = random.Random(seed)
    pool = [s.strip() + "." for line in CORPUS["en"].splitlines() for s in line.split(". ") if s.strip()]
    pool = [s.replace("..", ".").replace(".”.", ".”").replace('.".', '."') for s in pool]
    paragraphs, left = [], n
    while left:
        k = min(rng.randint(1, 3), left)
        paragraphs.append(" ".join(_vary(rng.choice(pool), rng) for _ in range(k)))
        left -= k
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _vary(sentence: str, rng: random.Random) -> str:
    """Change the figures, keeping their number of digits (so token counts stay realistic)."""
    return re.sub(r"\d+", lambda m: str(rng.randint(10 ** (len(m[0]) - 1), 10 ** len(m[0]) - 1)), sentence)


def load(model_dir: Path, **threads):
    import ctranslate2

    started = time.perf_counter()
    translator = ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8", **threads)
    return translator, time.perf_counter() - started


def translate(translator, tokenizer, groups: list[list[str]], bound: int, beam: int, **options) -> float:
    """Tokenize, translate (one call per group), detokenize; return wall and CPU seconds.

    CPU seconds (all threads of this process) are less disturbed by other
    processes on a shared machine than wall seconds; both are reported.
    """
    started, cpu_started = time.perf_counter(), _cpu_self()
    for group in groups:
        tokens = [tokenizer.encode(s) for s in group]
        results = translator.translate_batch(tokens, beam_size=beam, batch_type="tokens", max_input_length=0,
                                             max_decoding_length=bound, replace_unknowns=True,
                                             return_scores=True, **options)
        [tokenizer.decode(r.hypotheses[0]) for r in results]
    return time.perf_counter() - started, _cpu_self() - cpu_started


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sweep(model_dir: Path, tokenizer, segments: list[str], bound: int, beam: int, cores: int) -> list[dict]:
    """Plain CTranslate2, one call over all segments, for several thread splits and batch sizes."""
    splits = sorted({(1, cores), (cores, 1)} | ({(2, cores // 2)} if cores >= 4 else set()))
    configs = [dict(inter_threads=a, intra_threads=b, max_batch_size=t) for a, b in splits
               for t in SWEEP_BATCH_TOKENS]
    rows = []
    for config in configs:
        translator, _ = load(model_dir, inter_threads=config["inter_threads"], intra_threads=config["intra_threads"])
        seconds, cpu = translate(translator, tokenizer, [segments], bound, beam,
                                 max_batch_size=config["max_batch_size"])
        del translator
        rows.append({**config, "seconds": round(seconds, 2), "cpu_s": round(cpu, 2)})
        log(f"sweep {rows[-1]}")
    return rows


def run_tandem(article: Path, packages: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of `tandem run` as a user runs it."""
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages))
    cpu_before = _cpu_children()
    started = time.perf_counter()
    proc = subprocess.Popen([str(TANDEM), "run", str(article), "--to", "ru", "--out", str(out), "--offline"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_kb = 0
    while proc.poll() is None:  # ru_maxrss would count this big parent's memory (kept across exec)
        peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"tandem run failed with exit code {proc.returncode}")
    return seconds, _cpu_children() - cpu_before, peak_kb / 1024


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _vm_hwm_kb(pid: int) -> int:
    """Peak resident memory of a running process (VmHWM), 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


def cold_start() -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([str(TANDEM), "--help"], stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def machine() -> dict:
    import ctranslate2

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "ctranslate2": ctranslate2.__version__, "load_average_at_start": os.getloadavg()[0]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=120, help="sentences in the article (default 120)")
    parser.add_argument("--size", choices=("tiny", "base"), default="base")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=ROOT / "tests" / ".data" / "bench")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-mt-") as tmp:
        result = bench(args, Path(tmp))
    result["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))


def bench(args: argparse.Namespace, tmp: Path) -> dict:
    tuned = tune_allocator()  # what `tandem run` does: every measurement runs under the same allocator
    package = install_from_file(build_model(args.size, args.cache), tmp / "packages")
    article = tmp / "bench-article.txt"
    write_article(args.segments, article, args.seed)
    parsed = segment.segment_article(text_reader.read(article))
    groups = [[s.text for s in p.segments] for p in parsed.paragraphs]
    segments = [s for g in groups for s in g]
    defaults = EngineSettings(beam_size=args.beam)
    engine = Engine(defaults)
    tokenizer = engine.load(package).tokenizer
    lengths = [len(tokenizer.encode(s)) for s in segments]
    bound = engine.bound(max(lengths))  # what tandem uses for this article: the same bound everywhere
    log(f"{len(segments)} segments in {len(groups)} paragraphs, {sum(lengths)} source tokens, "
        f"longest {max(lengths)}, length bound {bound}")
    translator, load_s = load(package.model_dir, inter_threads=1, intra_threads=0)
    log("argos-style: one call per paragraph, argostranslate's settings ...")
    argos_s, argos_cpu = translate(translator, tokenizer, groups, bound, args.beam, length_penalty=0.2,
                        max_batch_size=ARGOS_SETTINGS["max_batch_size"])
    del translator
    log(f"argos_style_s {argos_s:.1f}")
    rows = sweep(package.model_dir, tokenizer, segments, bound, args.beam, os.cpu_count() or 1)
    best = min(rows, key=lambda r: r["seconds"])
    tandem_s, tandem_cpu, rss = run_tandem(article, tmp / "packages", tmp / "out")
    log(f"tandem_s {tandem_s:.1f}")
    return {
        "machine": machine(), "model": {"size": args.size, "package": package.name, "compute_type": "int8",
                                        "eos": False, "load_s": round(load_s, 2)},
        "segments": len(segments), "paragraphs": len(groups), "source_tokens": sum(lengths),
        "beam_size": args.beam, "length_bound_tokens": bound, "glibc_mmap_threshold_tuned": tuned,
        "tandem_defaults": {"inter_threads": defaults.inter_threads, "intra_threads": defaults.intra_threads,
                            "max_batch_tokens": defaults.max_batch_tokens},
        "argos_style_s": round(argos_s, 2), "argos_style_cpu_s": round(argos_cpu, 2),
        "raw_best_s": best["seconds"], "raw_best_settings": {k: v for k, v in best.items() if k != "seconds"},
        "sweep": rows, "tandem_s": round(tandem_s, 2), "tandem_cpu_s": round(tandem_cpu, 2),
        "cold_start_s": round(cold_start(), 3),
        "tandem_peak_rss_mb": round(rss, 1),
        "tandem_over_raw_best": round(tandem_s / best["seconds"], 3),
        "argos_style_over_tandem": round(argos_s / tandem_s, 2),
    }


if __name__ == "__main__":
    main()
