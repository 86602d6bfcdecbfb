"""MT benchmark: argostranslate's way vs. plain CTranslate2 at its best vs. `tandem run`,
on a plain-text article and on the same article marked up as HTML.

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
  (start-up, model loading, every output file), plus its peak RSS; the best of
  2 runs (= tandem_plain_s);
- cold_start_s: `tandem --help` (best of 5).

The marked-up article (``markup`` in the result) is the same sentences written as
a CMS's HTML fragment: an ``<h1>`` and ``<p>`` blocks, with links, ``<em>``,
``<strong>`` (a link around emphasis now and then) in about 80% of the sentences,
a few ``<br>`` between sentences, a ``<code>`` protected figure now and then and
two links that run from one sentence into the next.  The script asserts that
Tandem's HTML reader and segmenter give exactly the plain article's sentences (as
the model sees them), so both articles cost the same MT.  Then:

- tandem_plain_s, tandem_markup_s: `tandem run` on each, best of 2, run in the
  order plain, markup, markup, plain, each into a fresh output folder; every run's
  seconds are in ``markup.tandem_runs`` (the spread is the machine's noise), the
  fastest run's report.json stage seconds in ``markup.stage_s``;
  tandem_markup_over_plain is their ratio, tandem_markup_codes_written the
  inline codes the markup run wrote into the translations (report.json's
  ``mt_codes``: written, placed with confidence, at the safe place);
- engine_attention_off_s / _on_s: Tandem's Engine.translate on the HTML
  article's distinct sentences (what `tandem run` sends), once without alignment
  and once with it asked for the sentences with codes (CTranslate2's
  return_attention, for the whole call), after a full warm-up call, best of 2
  each in the order off, on, on, off (every call in ``engine_calls_s``); alignment_s is the
  Python part of the "on" call (attention into matrices);
- placement_s: tandem.mt.batch.translate replaying those results (codes placed
  into the translations, runner-ups too), best of 3, for both articles;
- read_and_segment_s: reader + segmenter for both articles, best of 3.

What is left of tandem_markup_s - tandem_plain_s after attention, alignment and
placement is the HTML reader and the writers (compare the ``stage_s``).

Model loading is excluded from argos_style_s, raw_best_s and the engine calls
(it is timed separately) and included in the `tandem run` times.  Progress goes
to stderr; the result is one JSON object on stdout.  This is a script, not a
test: timings depend on the machine and on what else runs on it (the 1-minute
load average at the start and at the end is in ``machine``, after each `tandem
run` in ``markup.tandem_runs``, where it counts the benchmark's own two busy
threads too; CPU seconds, beside wall seconds, are less disturbed by other processes).
"""

from __future__ import annotations

import argparse
import html
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
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tandem import segment  # noqa: E402
from tandem.document import Article, CodeRole  # noqa: E402
from tandem.mt import batch, codes  # noqa: E402
from tandem.mt.engine import Engine, tune_allocator  # noqa: E402
from tandem.mt.models import install_from_file  # noqa: E402
from tandem.mt.routes import Route  # noqa: E402
from tandem.readers import read_article  # noqa: E402
from tandem.report import Timer  # noqa: E402
from tandem.settings import EngineSettings, usable_cpus  # noqa: E402
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


def article_paragraphs(n: int, seed: int) -> list[list[str]]:
    """N news-like sentences (from the fixture corpus, numbers varied) in paragraphs of 1-3."""
    rng = random.Random(seed)
    pool = [s.strip() + "." for line in CORPUS["en"].splitlines() for s in line.split(". ") if s.strip()]
    pool = [s.replace("..", ".").replace(".”.", ".”").replace('.".', '."') for s in pool]
    paragraphs, left = [], n
    while left:
        k = min(rng.randint(1, 3), left)
        paragraphs.append([_vary(rng.choice(pool), rng) for _ in range(k)])
        left -= k
    return paragraphs


def write_article(paragraphs: list[list[str]], path: Path) -> None:
    """The plain-text article: paragraphs separated by blank lines."""
    path.write_text("\n\n".join(" ".join(p) for p in paragraphs) + "\n", encoding="utf-8")


# -- the same article as a CMS's HTML fragment --------------------------------------------------

MARKED_SHARE = 0.8  # sentences with a link, <em> or <strong> (one or two spans)
CODE_SHARE = 0.15  # sentences with a <code> protected span (if one has a figure or a code-like word)
BREAK_SHARE = 0.1  # joins of two sentences of a paragraph written with a <br>
CROSS_LINKS = 2  # links that run from one sentence into the next
_LEAD, _TRAIL = "“\"[(", "”\"]),.:;!?"
_CODE_LIKE = re.compile(r"\d|-|[A-Z]{2}")  # words a <code> may hold: figures, SM-3, IIA


def write_html_article(paragraphs: list[list[str]], path: Path, seed: int) -> None:
    """The same sentences as an HTML fragment: the first paragraph an ``<h1>``, the others ``<p>``,
    with inline markup in most sentences, whose plain text is exactly the plain article's.

    Markup is chosen by its own random generator, so the plain article is the one the
    benchmark always wrote.  Tags sit inside a word's surrounding punctuation (``"<em>a
    clear success</em>."``), as an editor puts them; ``title`` attributes are left out
    (they would be units of their own).
    """
    rng = random.Random(seed + 7919)
    joins = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p) - 1)]
    cross = set(rng.sample(joins, min(CROSS_LINKS, len(joins))))
    blocks = []
    for i, sentences in enumerate(paragraphs):
        words = [s.split(" ") for s in sentences]
        marks: list[dict[int, tuple[str, str]]] = [{} for _ in sentences]  # word -> (opening, closing)
        for j in range(len(sentences)):
            if (i, j) in cross:  # from the last two words of sentence j to the first two of j+1
                href = html.escape(_href(words[j][-2:] + words[j + 1][:2], rng))
                _mark(marks[j], max(0, len(words[j]) - 2), None, f'<a href="{href}">', "")
                _mark(marks[j + 1], None, min(1, len(words[j + 1]) - 1), "", "</a>")
            elif (i, j - 1) not in cross:
                _sentence_markup(marks[j], words[j], rng)
        rendered = [" ".join(_word(w, marks[j].get(k)) for k, w in enumerate(words[j]))
                    for j in range(len(sentences))]
        text = rendered[0]
        for j in range(1, len(rendered)):
            text += ("<br>\n" if rng.random() < BREAK_SHARE else " ") + rendered[j]
        tag = "h1" if i == 0 else "p"
        blocks.append(f"<{tag}>{text}</{tag}>")
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")


def _sentence_markup(marks: dict[int, tuple[str, str]], words: list[str], rng: random.Random) -> None:
    """One or two spans of 1-3 words (link, emphasis, bold, a link around emphasis), and now
    and then a protected ``<code>`` word, never overlapping."""
    taken: set[int] = set()
    wanted = (1 if rng.random() < 0.6 else 2) if rng.random() < MARKED_SHARE else 0
    for _ in range(20 * wanted):
        if not wanted:
            break
        first = rng.randrange(len(words))
        last = min(len(words) - 1, first + rng.randint(0, 2))
        span = set(range(first, last + 1))
        if span & taken or not all(_core(words[k]) for k in span):
            continue
        kind = rng.choices(("a", "em", "strong", "a+em"), weights=(45, 25, 20, 10))[0]
        href = html.escape(_href(words[first:last + 1], rng))
        opening, closing = {"a": (f'<a href="{href}">', "</a>"), "em": ("<em>", "</em>"),
                            "strong": ("<strong>", "</strong>"),
                            "a+em": (f'<a href="{href}"><em>', "</em></a>")}[kind]
        _mark(marks, first, last, opening, closing)
        taken |= span
        wanted -= 1
    if rng.random() < CODE_SHARE:  # a name, figure or model number; never the first word
        free = [k for k in range(1, len(words)) if k not in taken and _CODE_LIKE.search(_core(words[k]))]
        if free:
            _mark(marks, (k := rng.choice(free)), k, "<code>", "</code>")


def _mark(marks: dict[int, tuple[str, str]], first: int | None, last: int | None, opening: str,
          closing: str) -> None:
    """Add an opening tag before word ``first``'s text and a closing one after word ``last``'s."""
    if first is not None:
        marks[first] = (marks.get(first, ("", ""))[0] + opening, marks.get(first, ("", ""))[1])
    if last is not None:
        marks[last] = (marks.get(last, ("", ""))[0], closing + marks.get(last, ("", ""))[1])


def _split(word: str) -> tuple[str, str, str]:
    core = word.lstrip(_LEAD)
    lead = word[:len(word) - len(core)]
    stripped = core.rstrip(_TRAIL)
    return lead, stripped, core[len(stripped):]


def _core(word: str) -> str:
    return _split(word)[1]


def _word(word: str, mark: tuple[str, str] | None) -> str:
    lead, core, trail = (html.escape(part, quote=False) for part in _split(word))
    opening, closing = mark or ("", "")
    return f"{lead}{opening}{core}{closing}{trail}"


def _href(words: list[str], rng: random.Random) -> str:
    slug = "-".join(re.sub(r"[^a-z0-9]+", "", w.lower()) for w in words).strip("-") or "story"
    site = rng.choice(("https://news.example/2026/", "/archive/", "https://city.example/records/"))
    return f"{site}{slug}?ref=bench&id={rng.randint(100, 999)}"


def check_same_sentences(plain: Article, marked: Article) -> dict:
    """The HTML article's sentences, as the model sees them, are the plain article's (assert),
    paragraph by paragraph; and how much markup they carry."""
    def sentences(article: Article) -> list[list[str]]:
        return [[codes.model_text(s) for s in p.segments] for p in article.paragraphs]

    assert sentences(marked) == sentences(plain), "the HTML article's sentences differ from the plain article's"
    assert not any(s.codes for p in plain.paragraphs for s in p.segments)
    segments = [s for p in marked.paragraphs for s in p.segments]
    kinds = Counter(c.kind.value for s in segments for c in s.codes if c.role is not CodeRole.CLOSE)
    isolated = sum(1 for s in segments for c in s.codes if c.role in (CodeRole.START, CodeRole.END))
    return {"segments_with_codes": sum(1 for s in segments if s.codes),
            "source_codes": sum(kinds.values()), "source_codes_by_kind": dict(sorted(kinds.items())),
            "isolated_codes": isolated}


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


def machine(load_at_start: float) -> dict:
    import ctranslate2

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "ctranslate2": ctranslate2.__version__, "load_average_at_start": round(load_at_start, 2),
            "load_average_at_end": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=120, help="sentences in the article (default 120)")
    parser.add_argument("--size", choices=("tiny", "base"), default="base")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=ROOT / "tests" / ".data" / "bench")
    args = parser.parse_args(argv)
    started, load_at_start = time.perf_counter(), os.getloadavg()[0]  # 1-minute load average
    with tempfile.TemporaryDirectory(prefix="bench-mt-") as tmp:
        result = bench(args, Path(tmp), load_at_start)
    result["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))


def bench(args: argparse.Namespace, tmp: Path, load_at_start: float) -> dict:
    tuned = tune_allocator()  # what `tandem run` does: every measurement runs under the same allocator
    package = install_from_file(build_model(args.size, args.cache), tmp / "packages")
    article, marked_article = tmp / "bench-article.txt", tmp / "bench-article.html"
    sentences = article_paragraphs(args.segments, args.seed)
    write_article(sentences, article)
    write_html_article(sentences, marked_article, args.seed)
    parsed, read_plain_s = read_and_segment(article)
    marked, read_marked_s = read_and_segment(marked_article)
    markup = check_same_sentences(parsed, marked)
    groups = [[s.text for s in p.segments] for p in parsed.paragraphs]
    segments = [s for g in groups for s in g]
    defaults = EngineSettings(beam_size=args.beam)
    engine = TimedEngine(defaults)
    tokenizer = engine.load(package).tokenizer
    lengths = [len(tokenizer.encode(s)) for s in segments]
    bound = engine.bound(max(lengths))  # what tandem uses for this article: the same bound everywhere
    log(f"{len(segments)} segments in {len(groups)} paragraphs, {sum(lengths)} source tokens, "
        f"longest {max(lengths)}, length bound {bound}; the HTML article: {markup['source_codes']} codes "
        f"in {markup['segments_with_codes']} segments")
    translator, load_s = load(package.model_dir, inter_threads=1, intra_threads=0)
    log("argos-style: one call per paragraph, argostranslate's settings ...")
    argos_s, argos_cpu = translate(translator, tokenizer, groups, bound, args.beam, length_penalty=0.2,
                        max_batch_size=ARGOS_SETTINGS["max_batch_size"])
    del translator
    log(f"argos_style_s {argos_s:.1f}")
    rows = sweep(package.model_dir, tokenizer, segments, bound, args.beam, os.cpu_count() or 1)
    best = min(rows, key=lambda r: r["seconds"])
    runs = tandem_runs({"plain": article, "markup": marked_article}, tmp / "packages", tmp)
    plain, marked_run = runs["plain"], runs["markup"]
    assert plain["report"]["segments"] == marked_run["report"]["segments"] == len(segments)
    attention = attention_cost(engine, package, marked, parsed)
    return {
        "machine": machine(load_at_start), "model": {"size": args.size, "package": package.name, "compute_type": "int8",
                                        "eos": False, "load_s": round(load_s, 2)},
        "segments": len(segments), "paragraphs": len(groups), "source_tokens": sum(lengths),
        "beam_size": args.beam, "length_bound_tokens": bound, "glibc_mmap_threshold_tuned": tuned,
        "tandem_defaults": {"inter_threads": defaults.inter_threads, "intra_threads": defaults.intra_threads,
                            "max_batch_tokens": defaults.max_batch_tokens, "usable_cpus": usable_cpus()},
        "raw_best_threads_are_tandem_defaults": (best["inter_threads"], best["intra_threads"])
        == (defaults.inter_threads, defaults.intra_threads),
        "argos_style_s": round(argos_s, 2), "argos_style_cpu_s": round(argos_cpu, 2),
        "raw_best_s": best["seconds"], "raw_best_settings": {k: v for k, v in best.items() if k != "seconds"},
        "sweep": rows, "tandem_s": plain["seconds"], "tandem_cpu_s": plain["cpu_s"],
        "cold_start_s": round(cold_start(), 3),
        "tandem_peak_rss_mb": plain["peak_rss_mb"],
        "tandem_over_raw_best": round(plain["seconds"] / best["seconds"], 3),
        "argos_style_over_tandem": round(argos_s / plain["seconds"], 2),
        "tandem_plain_s": plain["seconds"], "tandem_markup_s": marked_run["seconds"],
        "tandem_markup_over_plain": round(marked_run["seconds"] / plain["seconds"], 3),
        "tandem_markup_cpu_over_plain": round(marked_run["cpu_s"] / plain["cpu_s"], 3),
        "tandem_markup_codes_written": marked_run["report"]["targets"]["ru"].get("mt_codes", {}).get("written"),
        "markup": {
            "article": "the same sentences as an HTML fragment (h1 + p), inline markup in most of them",
            "html_bytes": marked_article.stat().st_size, "text_bytes": article.stat().st_size, **markup,
            "read_and_segment_s": {"plain": round(read_plain_s, 4), "markup": round(read_marked_s, 4)},
            "tandem_runs": {name: {k: v for k, v in run.items() if k != "report"} for name, run in runs.items()},
            "mt_codes": marked_run["report"]["targets"]["ru"].get("mt_codes"),
            "stage_s": {name: run["report"]["seconds"] for name, run in runs.items()},
            **attention,
        },
    }


class TimedEngine(Engine):
    """Tandem's engine, timing the Python side of alignment (building the matrices it returns)."""

    alignment_s = 0.0

    def _aligned(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super()._aligned(*args, **kwargs)
        finally:
            self.alignment_s += time.perf_counter() - started


def read_and_segment(path: Path) -> tuple[Article, float]:
    """The article as `tandem run` reads and segments it, and the best of 3 times for that."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        article = segment.segment_article(read_article(path))
        times.append(time.perf_counter() - started)
    return article, min(times)


def tandem_runs(articles: dict[str, Path], packages: Path, tmp: Path, rounds: int = 2) -> dict[str, dict]:
    """`tandem run` on each article ``rounds`` times, in the order A B B A (drift on the machine
    hits both alike), each into a fresh output folder (no memory from an earlier run): per
    article the fastest run, with every run's wall seconds, and that run's report.json."""
    names = list(articles)
    order = [name for r in range(rounds) for name in (names if r % 2 == 0 else names[::-1])]
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for n, name in enumerate(order):
        out = tmp / f"out-{name}-{n}"
        seconds, cpu, rss = run_tandem(articles[name], packages, out)
        report = json.loads((out / articles[name].stem / "report.json").read_text(encoding="utf-8"))
        runs[name].append({"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(rss, 1),
                           "load_average": round(os.getloadavg()[0], 2), "report": report})
        log(f"tandem run {name}: {seconds:.1f} s ({cpu:.1f} CPU s), load {os.getloadavg()[0]:.2f}")
    result = {}
    for name, done in runs.items():
        fastest = min(done, key=lambda r: r["seconds"])
        result[name] = {**fastest, "runs_s": [r["seconds"] for r in done], "runs_cpu_s": [r["cpu_s"] for r in done],
                        "runs_load_average": [r["load_average"] for r in done]}
    return result


def attention_cost(engine: TimedEngine, package, marked: Article, plain: Article) -> dict:
    """Where the markup's cost is, measured in this process on Tandem's own engine and code:

    - the same engine call as `tandem run` makes for the HTML article (every distinct sentence,
      as the model sees it, once; alignment asked for the ones with codes, so CTranslate2
      returns attention for the whole call), and the same call without alignment: after an
      untimed warm-up call, best of 2 each, in the order off, on, on, off; ``alignment_s`` is the Python part of the fastest
      "on" call (turning attention into matrices);
    - ``placement_s``: the translate phase's own work after MT (:func:`tandem.mt.batch.translate`
      replaying the engine's results above: codes placed, runner-ups too), for both articles.
    """
    segments = [s for p in marked.paragraphs for s in p.segments]
    wanted: dict[str, bool] = {}
    for s in segments:
        text = codes.model_text(s)
        wanted[text] = wanted.get(text, False) or bool(s.codes)
    texts, align = list(wanted), list(wanted.values())
    engine.translate(package, texts)  # warm-up: the translator's first full call is slower (buffers, page faults)
    calls: dict[str, list[tuple]] = {"off": [], "on": []}
    for name in ("off", "on", "on", "off"):  # drift on the machine and a first call's cost hit both alike
        engine.alignment_s = 0.0
        started, cpu_started = time.perf_counter(), _cpu_self()
        results = engine.translate(package, texts, align if name == "on" else None)
        calls[name].append((results, time.perf_counter() - started, _cpu_self() - cpu_started, engine.alignment_s))
        log(f"engine call, attention {name}: {calls[name][-1][1]:.1f} s ({calls[name][-1][2]:.1f} CPU s)")
    timed = {name: min(done, key=lambda call: call[1]) for name, done in calls.items()}
    assert sum(1 for r in timed["on"][0] if r.alignment) == sum(align)
    assert [r.text for r in timed["on"][0]] == [r.text for r in timed["off"][0]]  # attention changes no output
    route = Route(steps=(package,))
    placement = {}
    for name, article, results in (("markup", marked, timed["on"][0]), ("plain", plain, timed["off"][0])):
        placement[name] = _replayed(article, route, dict(zip(texts, results)))
    return {
        "engine_texts": len(texts), "engine_texts_aligned": sum(align),
        "engine_attention_off_s": round(timed["off"][1], 3), "engine_attention_on_s": round(timed["on"][1], 3),
        "engine_attention_off_cpu_s": round(timed["off"][2], 3), "engine_attention_on_cpu_s": round(timed["on"][2], 3),
        "engine_attention_on_over_off": round(timed["on"][1] / timed["off"][1], 3),
        "engine_attention_on_over_off_cpu": round(timed["on"][2] / timed["off"][2], 3),
        "engine_calls_s": {name: [round(call[1], 2) for call in done] for name, done in calls.items()},
        "engine_calls_cpu_s": {name: [round(call[2], 2) for call in done] for name, done in calls.items()},
        "alignment_s": round(timed["on"][3], 3),
        "placement_s": {name: round(seconds, 4) for name, seconds in placement.items()},
    }


class _Replay:
    """An engine that returns results already computed (by the real engine, above)."""

    def __init__(self, results: dict) -> None:
        self.results = results

    def load(self, package) -> None:
        pass

    def translate_route(self, steps, texts, align=None, **options):
        return [self.results[t] for t in texts]


def _replayed(article: Article, route: Route, results: dict) -> float:
    """Seconds of :func:`tandem.mt.batch.translate` without its MT (best of 3)."""
    job = batch.Job(article=article.name, language="ru",
                    segments=tuple(s for p in article.paragraphs for s in p.segments))
    times = []
    for _ in range(3):
        started = time.perf_counter()
        batch.translate([job], {"ru": route}, _Replay(results), Timer(), notes={})
        times.append(time.perf_counter() - started)
    return min(times)


if __name__ == "__main__":
    main()
