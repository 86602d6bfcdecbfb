"""Batch benchmark (issue 13): many articles through one model, per article vs. one stream vs.
plain CTranslate2 vs. the Ray path, peak memory over batch size, and a scaling estimate.

    .venv/bin/python tests/bench/bench_batch.py [--articles 40] [--rounds 3] [--sweep-passes 2]
        [--seed 0] [--memory-sizes 100,1000] [--no-ray] [--result tests/bench/bench_batch.result.json]

The model is the COPYING test model at base size (tests/fixtures/copy_model.py --size base:
6+6 layers, d_model 512, 8 heads, FFN 2048, 16000 pieces, int8), built once into
tests/.data/bench/: its output is its input, so every output ends at its input's length
as a real model's does at its end token (a model that never stops, like bench_mt.py's
``--no-eos`` one, runs every batch to the longest bound and hides what batching gains).  Every
result is checked: each translation must equal its source segment.

The batch: ``--articles`` (default 40) plain-text news articles of 10-40 sentences (a headline
and paragraphs of 1-3 sentences), seeded, written as .txt files into one folder.  Their
sentences are the project's sample articles' (src/tandem/samples, as Tandem's reader and
segmenter give them, figures varied) and sentences from templates written for this benchmark;
every segment of the batch is distinct (Tandem translates a repeated sentence once, plain
CTranslate2 does not: duplicates would favour the stream).

Measured on the same model, beam (4), hypotheses (2), length bound rule (1.5 x tokens + 10 of
the call's longest input) and segments (those Tandem's segmenter finds):

1. ``per_article``: today's per-article way, emulated in this process: one
   ``Engine.translate_route`` call per article on its segments, one article after the other
   (tokenization and detokenization included; model loaded before, not timed);
2. ``stream``: ``tandem run DIR --to ru`` end to end (console script: start-up, model loading,
   every output file), with its peak RSS and report.json's stage seconds; when the installed
   CLI does not take a folder, the files are named one by one (same articles);
3. ``raw``: plain CTranslate2, ONE ``translate_batch`` over all segments of the batch
   (tokenize and detokenize included), the best of a sweep of inter/intra threads and batch
   tokens on this machine's cores (each setting ``--sweep-passes`` times, alternating order);
4. ``ray``: ``tandem run DIR --to ru --cluster 127.0.0.1:6379 --inter-threads 1 --intra-threads 1``
   on a local Ray cluster as the GUIDE's "Ray on one machine" starts it (a head and a second node,
   ``ray start --block --node-ip-address=127.0.0.1``, one CPU each, each in its own process
   group, stopped by killing exactly those groups and their sessions' processes), inside a
   network namespace whose only interface is loopback (``unshare --net --uts``; the driver joins
   it with ``nsenter``), as tests/test_cluster.py does: on the host's network Ray 2.x replaces
   127.0.0.1 by the host's address and its head probes the cloud metadata server.  Two one-CPU
   actors, one per node: the same two cores and the same batches as the local run's two
   inter-threads.  Cluster start-up (until ``ray.nodes()`` shows both nodes) is timed apart.
   Only when ``tandem.mt.cluster`` exists and ``ray`` is importable (else null).

The key comparisons (per_article, stream, raw best, ray) are repeated ``--rounds`` times in
alternating order (A B C D, D C B A, ...); the best of each is reported, with every run's
seconds and the load average after it (the machine is shared: CPU seconds are less disturbed).

Memory: ``tandem run`` on 100 and 1,000 small articles (3-6 sentences) with the tiny test model
(tests/.data/models/translate-en_ru.argosmodel, installed with ``tandem models install --file``
into a temporary packages folder): peak RSS (VmHWM) and whether it is flat within 20%.

Scaling: from one worker's throughput (plain CTranslate2 with 1 inter and 1 intra thread on a
share of the segments, in segments/s), the measured Ray overhead, and the driver-side seconds
per article (report.json's read, segment, plan, align, store and write stages), an estimate on
paper of 8 and 64 workers.  Progress goes to stderr; the JSON result is written to
``--result`` and printed.  This is a script, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tandem import segment  # noqa: E402
from tandem.mt import codes  # noqa: E402
from tandem.mt.engine import Engine, tune_allocator  # noqa: E402
from tandem.mt.models import install_from_file  # noqa: E402
from tandem.readers import read_article  # noqa: E402
from tandem.settings import EngineSettings  # noqa: E402
from tests.bench.bench_mt import _vm_hwm_kb  # noqa: E402 (one peak-RSS reader for both benchmarks)
from tests.fixtures.copy_model import build_copy_model  # noqa: E402
from tests.fixtures.tiny_argos_model import CORPUS  # noqa: E402

BIN = Path(sys.executable).parent
TANDEM, RAY = BIN / "tandem", BIN / "ray"
SAMPLES = ROOT / "src" / "tandem" / "samples"
SAMPLE_FILES = ("harbor-radar.txt", "harbor-vote.html", "harbor-vote.md", "ferry-strike-page.html")
TINY_MODEL = ROOT / "tests" / ".data" / "models" / "translate-en_ru.argosmodel"
SWEEP = [(2, 1, 1024), (2, 1, 2048), (1, 2, 1024)]  # inter, intra, batch tokens (512: slower in trials)
DRIVER_STAGES = ("read", "segment", "plan", "align", "store", "write")
PARTIAL = Path(tempfile.gettempdir()) / "bench_batch.partial.json"
RAY_ENGINE_OPTIONS = ["--inter-threads", "1", "--intra-threads", "1"]  # one actor per one-CPU node


def log(message: str) -> None:
    print(f"bench_batch [{time.strftime('%H:%M:%S')}]: {message}", file=sys.stderr, flush=True)


# -- the articles --------------------------------------------------------------------------------

TEMPLATES = [
    "The {org} said on {weekday} that it would spend {money} on {project} over the next {n1} years.",
    "{person}, a {role} at the {org}, told reporters that the plan was “{adj} but necessary.”",
    "About {big} residents of {place} lost power for {n1} hours after the storm, the utility said.",
    "Officials expect the work on the {structure} to finish by {month} {day}, {year}, weeks later than planned.",
    "The vote in the {body} was {n1}-{n2}, with {n3} members absent.",
    "Prices for {goods} rose {pct}% in {month}, the fastest increase since {year}.",
    "“We were told the {structure} was safe,” said {person}, who has lived in {place} for {n2} years.",
    "Police closed the road between {place} and {place2} for {n1} hours while crews cleared the debris.",
    "The company, based in {place}, employs about {big} people and reported a profit of {money} last year.",
    "A spokeswoman for the {org} declined to comment on the {thing}, citing an ongoing review.",
    "{person} said the {body} would meet again on {weekday} to discuss the {thing}.",
    "The {thing} drew criticism from {n1} neighborhood groups, who say it was approved without a public hearing.",
    "According to the {org}, {pct}% of the {goods} shipped through the port last year came from {place}.",
    "Engineers will inspect {n2} {structures} along the coast before the end of {month}.",
    "The ferry between {place} and {place2} will run every {n1} minutes during the festival, up from every {n2}.",
    "Schools in {place} will stay closed on {weekday} because of the strike, the district said.",
    "Under the agreement, the {org} will pay {money} to settle the claims, without admitting fault.",
    "Volunteers collected {n3} bags of litter from the beaches near {place} over the weekend.",
    "{person} won the seat with {pct}% of the vote, ending {n2} years of control by the {party} party.",
    "The forecast calls for winds of up to {n3} miles per hour and heavy rain across the {region}.",
    "Critics say the {thing} will cost taxpayers more than {money} and do little to reduce {problem}.",
    "The {org} opened an inquiry into the {incident} on {month} {day}, a week after the first complaints.",
    "Ticket sales for the {event} reached {big}, about {pct}% more than last year, organizers said.",
    "In a statement, the {org} said it had “no plans” to close the {facility} in {place}.",
    "Traffic on the {structure} fell by {pct}% after the toll was raised to ${n1}.{n2}.",
    "The {body} also approved a plan to hire {n3} more {workers} by the end of {year}.",
    "{person}, {n2}, was taken to hospital with minor injuries and released the same evening.",
    "Residents who want to speak at the hearing on {weekday} must register by {n1} p.m. the day before.",
    "The {org}'s annual report, released on {weekday}, shows a shortfall of {money} in the pension fund.",
    "Construction of the {facility} is expected to create {n3} jobs, most of them in {place}.",
    "{person} asked why the {org} had waited {n1} months to publish the {thing}.",
    "Two of the {n3} {workers} hired last spring have already left, the union said.",
]
FILLERS = {
    "org": ["harbor authority", "port commission", "water board", "transport ministry", "city council",
            "coast guard station", "regional health office", "school district", "ferry operator",
            "housing agency", "fire department", "chamber of commerce"],
    "person": ["Mayor Elena Brandt", "Tomas Reyes", "Dr. Ada Okafor", "Council member Jonas E. Smith",
               "Mira Lindqvist", "Capt. Hana Sato", "Priya Nandakumar", "Luis Ferreira", "Judge Carla Mendes",
               "Ivo Marsh", "Sen. Dana Holt", "Kofi Mensah"],
    "role": ["spokesman", "senior engineer", "board member", "budget analyst", "union leader", "lawyer"],
    "place": ["Port Alder", "Kestrel Bay", "Linden Cove", "Northbank", "Greywater", "Oakhaven", "Saltmarsh",
              "Marrow Point", "the Sandbar district", "East Ferris", "Hollin Ridge", "Copperfield"],
    "structure": ["northern breakwater", "river bridge", "coastal road", "old lighthouse", "ferry terminal",
                  "harbor wall", "tunnel", "dam"],
    "structures": ["bridges", "piers", "pumping stations", "radar masts", "sea walls", "culverts"],
    "goods": ["diesel", "wheat", "fresh fish", "timber", "coffee", "steel", "rice", "fertilizer"],
    "project": ["new housing", "the sewer network", "flood defenses", "school repairs", "the tram line",
                "electric buses"],
    "thing": ["budget", "audit", "contract", "zoning plan", "safety report", "parking rules", "tax proposal",
              "radar upgrade"],
    "body": ["council", "senate committee", "harbor board", "school board", "planning commission"],
    "incident": ["fuel spill", "ferry collision", "data breach", "bridge closure", "warehouse fire"],
    "event": ["jazz festival", "boat show", "marathon", "book fair", "harvest market"],
    "facility": ["fish market", "clinic", "rail depot", "battery plant", "library branch", "shipyard"],
    "workers": ["nurses", "teachers", "bus drivers", "inspectors", "lifeguards", "dock workers"],
    "party": ["Harbor", "Green", "Liberal", "Farmers'", "Civic"],
    "region": ["northern valleys", "eastern islands", "coast", "river delta", "southern plains"],
    "problem": ["congestion", "flooding", "noise", "crime", "waiting lists"],
    "adj": ["expensive", "late", "painful", "unpopular", "risky"],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "month": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"],
}
HEADLINES = [
    "{place} {body} approves {money} for {project}",
    "{workers} in {place} walk out as talks stall",
    "Storm leaves {big} homes without power in {place}",
    "{org} faces questions over {thing}",
    "{place} votes on {thing} after months of delay",
    "New {facility} for {place} to open in {year}",
]


def _fill(template: str, rng: random.Random) -> str:
    """A template with every slot filled; figures are drawn fresh each time."""
    values = {name: rng.choice(options) for name, options in FILLERS.items()}
    places = rng.sample(FILLERS["place"], 2)
    values.update(place=places[0], place2=places[1], n1=rng.randint(2, 12), n2=rng.randint(13, 60),
                  n3=rng.randint(61, 900), big=f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}",
                  money=f"${rng.randint(1, 999)}.{rng.randint(1, 9)} million",
                  pct=f"{rng.randint(1, 40)}.{rng.randint(0, 9)}", day=rng.randint(1, 28), year=rng.randint(1990, 2031))
    text = template.format(**values)
    return text[0].upper() + text[1:]


def sample_sentences() -> list[str]:
    """The sample articles' sentences as Tandem's reader and segmenter give them (plain text),
    and the test-model corpus's English lines; headlines and bylines (no final stop) left out."""
    found = []
    for name in SAMPLE_FILES:
        article = segment.segment_article(read_article(SAMPLES / name))
        found += [codes.model_text(s) if s.codes else s.text for p in article.paragraphs for s in p.segments]
    found += [s.strip() + "." for line in CORPUS["en"].splitlines() for s in line.split(". ") if s.strip()]
    cleaned = [re.sub(r"\.\.$", ".", s).replace(".”.", ".”").replace('.".', '."') for s in found]
    return list(dict.fromkeys(s for s in cleaned if s[-1] in ".”\"?!" and len(s.split()) >= 6))


def _vary(sentence: str, rng: random.Random) -> str:
    """Change the figures, keeping their number of digits (token counts stay realistic)."""
    return re.sub(r"\d+", lambda m: str(rng.randint(10 ** (len(m[0]) - 1), 10 ** len(m[0]) - 1)), sentence)


class SentenceSource:
    """Distinct sentences: a sample sentence (figures varied; one without figures only once) or,
    two times in three, a filled template."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.samples, self.seen = rng, sample_sentences(), set()

    def sentence(self) -> str:
        for _ in range(1000):
            if self.rng.random() < 1 / 3 and self.samples:
                text = _vary(self.rng.choice(self.samples), self.rng)
                if not re.search(r"\d", text):
                    self.samples.remove(text)
            else:
                text = _fill(self.rng.choice(TEMPLATES), self.rng)
            if text not in self.seen:
                self.seen.add(text)
                return text
        raise RuntimeError("no new sentence in 1000 tries")

    def headline(self) -> str:
        for _ in range(1000):
            text = _fill(self.rng.choice(HEADLINES), self.rng)
            if text not in self.seen:
                self.seen.add(text)
                return text
        raise RuntimeError("no new headline in 1000 tries")


def write_articles(folder: Path, count: int, sentences: tuple[int, int], seed: int) -> list[Path]:
    """``count`` articles of a headline and ``sentences`` (min, max) sentences in paragraphs of 1-3."""
    rng = random.Random(seed)
    source = SentenceSource(rng)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        left, paragraphs = rng.randint(*sentences) - 1, [source.headline()]
        while left > 0:
            k = min(rng.randint(1, 3), left)
            paragraphs.append(" ".join(source.sentence() for _ in range(k)))
            left -= k
        path = folder / f"story-{number + 1:04d}.txt"
        path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def segments_of(paths: list[Path]) -> list[list[str]]:
    """Each article's segments as `tandem run` translates them (plain text: no codes)."""
    return [[s.text for p in segment.segment_article(read_article(path)).paragraphs for s in p.segments]
            for path in paths]


# -- measurements in this process ----------------------------------------------------------------

def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _check_copies(sources: list[str], outputs: list[str], what: str) -> None:
    """The copying model's output is its input: anything else is a broken measurement."""
    wrong = sum(1 for s, o in zip(sources, outputs) if s.strip() != o)
    if wrong or len(sources) != len(outputs):
        raise SystemExit(f"{what}: {wrong} of {len(sources)} outputs differ from their source")


def per_article(engine: Engine, package, articles: list[list[str]]) -> dict:
    """Today's way: one engine call per article, one after the other."""
    started, cpu = time.perf_counter(), _cpu_self()
    outputs = [engine.translate_route((package,), texts) for texts in articles]
    seconds, cpu = time.perf_counter() - started, _cpu_self() - cpu
    for texts, results in zip(articles, outputs):
        _check_copies(texts, [r.text for r in results], "per_article")
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "calls": len(articles)}


def load_translator(model_dir: Path, inter: int, intra: int):
    import ctranslate2

    started = time.perf_counter()
    translator = ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8",
                                        inter_threads=inter, intra_threads=intra)
    return translator, time.perf_counter() - started


def raw_call(translator, tokenizer, texts: list[str], batch_tokens: int, beam: int, bound_of) -> dict:
    """ONE translate_batch over ``texts`` with the engine's options; tokenize and detokenize
    (every hypothesis, as the engine does) included."""
    started, cpu = time.perf_counter(), _cpu_self()
    tokens = [tokenizer.encode(t) for t in texts]
    results = translator.translate_batch(
        tokens, beam_size=beam, num_hypotheses=min(2, beam), max_batch_size=batch_tokens, batch_type="tokens",
        max_input_length=0, max_decoding_length=bound_of(max(len(t) for t in tokens)), length_penalty=1.0,
        replace_unknowns=True, return_scores=True)
    decoded = [[tokenizer.decode(h) for h in r.hypotheses] for r in results]
    seconds, cpu = time.perf_counter() - started, _cpu_self() - cpu
    _check_copies(texts, [d[0].strip() for d in decoded], "raw")
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2)}


def sweep(model_dir: Path, tokenizer, texts: list[str], beam: int, bound_of, passes: int = 2) -> list[dict]:
    """Every setting of SWEEP ``passes`` times, in alternating order (drift hits all alike): per
    setting the fastest run, with every run's seconds."""
    runs: dict[tuple, list[dict]] = {config: [] for config in SWEEP}
    for config in rounds_order(list(SWEEP), passes):
        inter, intra, batch_tokens = config
        translator, _ = load_translator(model_dir, inter, intra)
        run = {**raw_call(translator, tokenizer, texts, batch_tokens, beam, bound_of),
               "load_average": round(os.getloadavg()[0], 2)}
        del translator
        runs[config].append(run)
        log(f"raw sweep inter {inter}, intra {intra}, {batch_tokens} tokens: {run}")
    return [{"inter_threads": inter, "intra_threads": intra, "max_batch_tokens": batch_tokens,
             **best(done)} for (inter, intra, batch_tokens), done in runs.items()]


def one_worker(model_dir: Path, tokenizer, articles: list[list[str]], beam: int, bound_of) -> dict:
    """One worker = one core: plain CTranslate2, 1 inter and 1 intra thread, on every 4th article."""
    texts = [t for texts in articles[::4] for t in texts]
    translator, _ = load_translator(model_dir, 1, 1)
    result = raw_call(translator, tokenizer, texts, 1024, beam, bound_of)
    return {**result, "segments": len(texts), "segments_per_s": round(len(texts) / result["seconds"], 2)}


# -- `tandem run` as a user runs it --------------------------------------------------------------

def cli_help() -> str:
    return subprocess.run([str(TANDEM), "run", "--help"], capture_output=True, text=True).stdout


def tandem_run(folder: Path, packages: Path, out: Path, extra: list[str] = (), env: dict | None = None,
               enter=lambda argv: argv) -> dict:
    """Wall and CPU seconds, peak RSS of `tandem run` on every article of ``folder``, and the
    totals of its reports' stage seconds."""
    help_text = cli_help()
    inputs = [str(folder)] if "folder" in help_text else sorted(str(p) for p in folder.glob("*.txt"))
    quiet = ["--quiet"] if "--quiet" in help_text else []
    command = [str(TANDEM), "run", *inputs, "--to", "ru", "--out", str(out), "--offline", *quiet, *extra]
    env = dict(env or os.environ, ARGOS_PACKAGES_DIR=str(packages))
    if "--cluster" not in extra:
        env.pop("RAY_ADDRESS", None)
    errors = out.parent / f"{out.name}.stderr"
    cpu, started, peak_kb = _cpu_children(), time.perf_counter(), 0
    with errors.open("w") as stderr:
        proc = subprocess.Popen(enter(command), env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        while proc.poll() is None:  # ru_maxrss would count this big parent's memory (kept across exec)
            peak_kb = max(peak_kb, _vm_hwm_kb(proc.pid))
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"tandem run failed ({proc.returncode}): {errors.read_text()[-2000:]}")
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*/report.json"))]
    return {"seconds": round(seconds, 2), "cpu_s": round(_cpu_children() - cpu, 2),
            "peak_rss_mb": round(peak_kb / 1024, 1), "articles": len(reports),
            "load_average": round(os.getloadavg()[0], 2), "inputs": "folder" if len(inputs) == 1 else "files",
            "stage_s": stage_totals(reports), "reports": reports,
            "article_stage_s": [r.get("seconds", {}) for r in reports] if len(reports) <= 100 else None}


SHARED_STAGES = ("plan", "load_model", "translate")  # timed for many articles at once (a run's shared timer)


def stage_totals(reports: list[dict]) -> dict:
    """Stage seconds over the run.  An article's report carries its own stages plus the run's
    shared ones as they stood when it was written (cumulative over the windows so far): a shared
    stage's total is its largest value, every other stage is summed over the articles."""
    totals = {}
    for stage in sorted({k for r in reports for k in r.get("seconds", {})}):
        values = [r["seconds"].get(stage, 0.0) for r in reports]
        totals[stage] = round(max(values) if stage in SHARED_STAGES else sum(values), 3)
    return totals


def check_run(run: dict, articles: list[list[str]], out: Path, name: str) -> None:
    """Every article written, every segment translated, and in every article's XLIFF 1.2 each
    unit's target equals its source, as the copying model makes it (the runner-up candidate in
    ``<alt-trans>`` is another hypothesis, not a copy)."""
    assert run["articles"] == len(articles), (name, run["articles"], len(articles))
    translated = sum(r["targets"]["ru"]["translated_segments"] for r in run["reports"])
    assert translated == sum(len(a) for a in articles), (name, translated)
    units = 0
    for xliff in out.glob("*/*.en-ru.xlf"):
        pairs = re.findall(r'<trans-unit [^>]*>\s*<source xml:lang="en">(.*?)</source>\s*'  # not <alt-trans>
                           r'<target xml:lang="ru"[^>]*>(.*?)</target>',
                           xliff.read_text(encoding="utf-8"), re.S)
        assert pairs and all(s == t for s, t in pairs), f"{name}: a translation in {xliff.name} differs from its source"
        units += len(pairs)
    assert units == translated, (name, units, translated)


def driver_seconds(run: dict) -> dict:
    """The driver's own work per article: report.json's stages (read, segment, plan, align, store,
    write), and, more completely, the run's wall seconds less its MT and model loading (which adds
    start-up, the survey pass that checks every article first, and the memory's commits)."""
    per_stage = {s: run["stage_s"].get(s, 0.0) for s in DRIVER_STAGES}
    n = max(run["articles"], 1)
    rest = run["seconds"] - run["stage_s"].get("translate", 0.0) - run["stage_s"].get("load_model", 0.0)
    return {"per_article_s": round(sum(per_stage.values()) / n, 4),
            "per_article_by_stage_s": {s: round(v / n, 4) for s, v in per_stage.items()},
            "wall_minus_mt_per_article_s": round(rest / n, 4)}


# -- Ray on one machine (the GUIDE's recipe) -----------------------------------------------------

def ray_available() -> tuple[bool, str]:
    if importlib.util.find_spec("tandem.mt.cluster") is None:
        return False, "tandem.mt.cluster does not exist"
    if importlib.util.find_spec("ray") is None or not RAY.exists():
        return False, "ray is not installed in the venv"
    if "--cluster" not in cli_help():
        return False, "tandem run has no --cluster option"
    return True, ""


RAY_PORT = 6379  # the head's port: every port is free in the cluster's own network namespace
_NAMESPACE_HOLDER = """
import fcntl, socket, struct, time
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1  # bring lo up; name the host localhost
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH14s", fcntl.ioctl(probe, SIOCGIFFLAGS, struct.pack("16sH14s", b"lo", 0, b"")))[1]
fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | IFF_UP, b""))
socket.sethostname("localhost")
print("ready", flush=True)
time.sleep(24 * 3600)
"""


class LocalRay:
    """The GUIDE's "Ray on one machine" (a head and a second node, ``ray start --block
    --node-ip-address=127.0.0.1``, one CPU each, each in its own process group), inside a network
    namespace of its own whose only interface is loopback, as tests/test_cluster.py does: on the
    host's network Ray 2.x replaces 127.0.0.1 by the host's address and its head probes the cloud
    metadata server.  Stopped by killing exactly the processes of our groups and sessions."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.groups, self.nodes = tmp, [], []
        self.address = f"127.0.0.1:{RAY_PORT}"
        self.ray_temp = Path(tempfile.mkdtemp(prefix="bray-", dir="/tmp"))  # unix socket paths < 108 bytes
        self.env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
        self.env.pop("RAY_ADDRESS", None)
        self.holder: subprocess.Popen | None = None

    def start(self) -> float:
        """The namespace, then both nodes; seconds until ``ray.nodes()`` shows two alive nodes."""
        started = time.perf_counter()
        self.holder = self._spawn("namespace", ["unshare", "--net", "--uts", "--fork",
                                                sys.executable, "-c", _NAMESPACE_HOLDER])
        self._until(lambda: (self.tmp / "ray-namespace.log").read_text().startswith("ready"), "the namespace")
        self._spawn("head", self.enter([str(RAY), "start", "--head", *self._options(0), f"--port={RAY_PORT}",
                                        "--include-dashboard=false"]))
        self._wait(1, started)
        self._spawn("node", self.enter([str(RAY), "start", f"--address={self.address}", *self._options(1)]))
        self._wait(2, started)
        return time.perf_counter() - started

    def enter(self, argv: list[str]) -> list[str]:
        """``argv`` run in the namespace (nsenter execs it: the pid is the command's)."""
        return ["nsenter", f"--target={self.holder.pid}", "--net", "--uts", "--", *argv]

    def _options(self, number: int) -> list[str]:
        low = 20000 + 1000 * number  # distinct ports for the two nodes (they share the namespace)
        options = ["--block", "--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats",
                   f"--min-worker-port={low}", f"--max-worker-port={low + 999}",
                   f"--node-manager-port={low - 10}", f"--object-manager-port={low - 11}",
                   f"--dashboard-agent-listen-port={low - 12}", f"--dashboard-agent-grpc-port={low - 13}",
                   f"--metrics-export-port={low - 14}", f"--runtime-env-agent-port={low - 15}"]
        return options + ([f"--temp-dir={self.ray_temp}"] if number == 0 else [])

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        with (self.tmp / f"ray-{name}.log").open("w") as log_file:
            proc = subprocess.Popen(argv, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.groups.append(proc)
        return proc

    def _until(self, ready, what: str, timeout: float = 60) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{what} did not come up in {timeout:.0f} s")

    def _wait(self, nodes: int, started: float, timeout: float = 180) -> None:
        probe = ("import json,ray,sys; ray.init(address=sys.argv[1], logging_level='ERROR'); "
                 "print(json.dumps([n['Resources'].get('CPU', 0) for n in ray.nodes() if n['Alive']]))")
        while time.perf_counter() - started < timeout:
            if any(p.poll() is not None for p in self.groups):
                raise RuntimeError(f"a Ray process exited: see {self.tmp}/ray-*.log")
            done = subprocess.run(self.enter([sys.executable, "-c", probe, self.address]), env=self.env,
                                  capture_output=True, text=True, timeout=120)
            lines = done.stdout.strip().splitlines()
            if done.returncode == 0 and lines and len(json.loads(lines[-1])) == nodes:
                self.nodes = json.loads(lines[-1])
                return
            time.sleep(0.5)
        raise RuntimeError(f"the Ray cluster did not show {nodes} nodes in {timeout:.0f} s")

    def interfaces(self) -> list[str]:
        """The namespace's network interfaces (only lo)."""
        lines = Path(f"/proc/{self.holder.pid}/net/dev").read_text().splitlines()[2:]
        return [line.split(":")[0].strip() for line in lines]

    def stop(self) -> list[int]:
        """SIGTERM each group and every other process of its session (Ray's workers get process
        groups of their own, in our session), SIGKILL what is left after 15 s; returns the pids
        still alive (none)."""
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            for proc in self.groups:
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    pass
            for pid in self._alive():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.time() + wait
            while time.time() < deadline and self._alive():
                time.sleep(0.5)
        for proc in self.groups:
            proc.poll()
        shutil.rmtree(self.ray_temp, ignore_errors=True)
        return self._alive()

    def _alive(self) -> list[int]:
        """Live (not zombie) processes whose session is one of ours: everything we began."""
        sessions = {proc.pid for proc in self.groups}  # start_new_session: pid = pgid = sid
        alive = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[3]) in sessions and fields[0] != "Z":
                    alive.append(int(entry.name))
        return alive


# -- the benchmark -------------------------------------------------------------------------------

def build_model(cache: Path) -> Path:
    """The base-size copying package, built once per version of its builder (cached by its hash)."""
    builder = ROOT / "tests" / "fixtures" / "copy_model.py"
    digest = hashlib.sha256(builder.read_bytes()).hexdigest()[:10]
    archive = cache / f"copy-en_ru-base-{digest}.argosmodel"
    if not archive.is_file():
        log("building the base-size copying model (once) ...")
        started = time.perf_counter()
        for stale in cache.glob("copy-en_ru-base-*.argosmodel"):
            stale.unlink()
        build_copy_model("en", "ru", archive, size="base")
        log(f"built {archive} in {time.perf_counter() - started:.0f} s")
    return archive


def rounds_order(names: list[str], rounds: int) -> list[str]:
    return [n for r in range(rounds) for n in (names if r % 2 == 0 else names[::-1])]


def best(runs: list[dict]) -> dict:
    fastest = min(runs, key=lambda r: r["seconds"])
    return {**{k: v for k, v in fastest.items() if k != "reports"},
            "runs_s": [r["seconds"] for r in runs], "runs_cpu_s": [r["cpu_s"] for r in runs],
            "runs_load_average": [r.get("load_average") for r in runs]}


def git_state() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout.strip()

    sources = sorted((ROOT / "src" / "tandem").rglob("*.py"))
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:12]
    return {"head": git("log", "--oneline", "-1"), "src_digest": digest,
            "uncommitted_src": [line for line in git("status", "--short", "src").splitlines()]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=40, help="news articles in the batch (default 40)")
    parser.add_argument("--rounds", type=int, default=3, help="repeats of the key comparisons (default 3)")
    parser.add_argument("--sweep-passes", type=int, default=2, help="repeats of the raw sweep (default 2)")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory-sizes", default="100,1000", help="batches of small articles for peak RSS")
    parser.add_argument("--no-ray", action="store_true", help="leave the Ray path out")
    parser.add_argument("--cache", type=Path, default=ROOT / "tests" / ".data" / "bench")
    parser.add_argument("--result", type=Path, default=ROOT / "tests" / "bench" / "bench_batch.result.json")
    args = parser.parse_args(argv)
    started, load_at_start, git_at_start = time.perf_counter(), os.getloadavg(), git_state()
    log(f"load average at start: {load_at_start}; {git_at_start['head'][:60]}")
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        result = bench(args, Path(tmp))
    result["machine"] = machine(load_at_start)
    result["git"] = {"at_start": git_at_start, "at_end": git_state()}  # the same src_digest: no edit during the run
    result["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    args.result.write_text(text + "\n", encoding="utf-8")
    print(text)
    log(f"done in {result['benchmark_wall_s']:.0f} s; load average at end {result['machine']['load_average_at_end']}")


def machine(load_at_start: tuple[float, float, float]) -> dict:
    import ctranslate2

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "ctranslate2": ctranslate2.__version__,
            "load_average_at_start": [round(x, 2) for x in load_at_start],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}


def bench(args: argparse.Namespace, tmp: Path) -> dict:
    tuned = tune_allocator()  # what `tandem run` does: every measurement runs under the same allocator
    package = install_from_file(build_model(args.cache), tmp / "packages")
    folder = tmp / "batch"
    paths = write_articles(folder, args.articles, (10, 40), args.seed)
    articles = segments_of(paths)
    texts = [t for a in articles for t in a]
    assert len(set(texts)) == len(texts), "the batch repeats a segment"
    engine = Engine(EngineSettings(beam_size=args.beam))
    tokenizer = engine.load(package).tokenizer
    lengths = [len(tokenizer.encode(t)) for t in texts]
    words = sum(len(t.split()) for t in texts)
    log(f"{len(paths)} articles, {len(texts)} segments ({min(map(len, articles))}-{max(map(len, articles))} "
        f"per article), {sum(lengths)} source tokens ({sum(lengths) / words:.2f} per word), longest {max(lengths)}")
    rows = sweep(package.model_dir, tokenizer, texts, args.beam, engine.bound, args.sweep_passes)
    top = min(rows, key=lambda r: r["seconds"])
    translator, load_s = load_translator(package.model_dir, top["inter_threads"], top["intra_threads"])
    available, why_not = (False, "--no-ray") if args.no_ray else ray_available()
    measured = key_comparisons(args, tmp, folder, articles, engine, package, translator, tokenizer, top,
                               available)
    del translator
    worker = one_worker(package.model_dir, tokenizer, articles, args.beam, engine.bound)
    log(f"one worker (1 inter, 1 intra thread): {worker}")
    memory = memory_runs(tmp, [int(n) for n in args.memory_sizes.split(",") if n], args.seed)
    return summarize(args, measured, rows, top, worker, memory, available, why_not, tuned, load_s,
                     {"articles": len(paths), "segments": len(texts), "source_tokens": sum(lengths),
                      "words": words, "tokens_per_word": round(sum(lengths) / words, 2),
                      "longest_tokens": max(lengths),
                      "segments_per_article": {"min": min(map(len, articles)), "max": max(map(len, articles)),
                                               "mean": round(len(texts) / len(paths), 1)},
                      "bytes": sum(p.stat().st_size for p in paths)})


def key_comparisons(args, tmp: Path, folder: Path, articles, engine, package, translator, tokenizer, top,
                    ray_ok: bool) -> dict:
    """per_article, stream, raw (best sweep setting) and ray, in alternating order."""
    texts = [t for a in articles for t in a]
    sweep_runs = [{"seconds": s, "cpu_s": c, "load_average": a, "from": "sweep"}
                  for s, c, a in zip(top["runs_s"], top["runs_cpu_s"], top["runs_load_average"])]
    runs: dict[str, list[dict]] = {"per_article": [], "stream": [], "raw": sweep_runs, "ray": []}
    cluster, startup, interfaces = None, None, None
    names = ["per_article", "stream", "raw"] + (["ray"] if ray_ok else [])
    try:
        if ray_ok:
            cluster = LocalRay(tmp)
            log(f"starting a local Ray cluster at {cluster.address} ...")
            startup = cluster.start()
            interfaces = cluster.interfaces()
            log(f"Ray cluster up in {startup:.1f} s: node CPUs {cluster.nodes}, interfaces {cluster.interfaces()}")
        for n, name in enumerate(rounds_order(names, args.rounds)):
            log(f"{name} (run {n + 1}) ...")
            if name == "per_article":
                run = {**per_article(engine, package, articles), "load_average": round(os.getloadavg()[0], 2)}
            elif name == "raw":
                run = {**raw_call(translator, tokenizer, texts, top["max_batch_tokens"], args.beam, engine.bound),
                       "load_average": round(os.getloadavg()[0], 2)}
            else:
                out = tmp / f"out-{name}-{n}"
                if name == "ray":  # two one-CPU actors, one per node: the same batches as the local run
                    extra = ["--cluster", cluster.address, *RAY_ENGINE_OPTIONS]
                    run = tandem_run(folder, tmp / "packages", out, extra, cluster.env, cluster.enter)
                else:
                    run = tandem_run(folder, tmp / "packages", out)
                check_run(run, articles, out, name)
                shutil.rmtree(out)
            runs[name].append(run)
            log(f"{name}: {run['seconds']:.1f} s ({run['cpu_s']:.1f} CPU s), load {os.getloadavg()[0]:.2f}")
            PARTIAL.write_text(json.dumps({k: [{x: y for x, y in r.items() if x != "reports"} for r in v]
                                           for k, v in runs.items()}, indent=1))  # in case the run is cut short
    finally:
        left = cluster.stop() if cluster else []
        if cluster:
            log(f"Ray cluster stopped (process groups killed; still alive: {left or 'none'})")
    return {"runs": runs, "ray_startup_s": None if startup is None else round(startup, 1),
            "ray_left_alive": left, "ray_node_cpus": cluster.nodes if cluster else None,
            "ray_namespace_interfaces": interfaces}


def memory_runs(tmp: Path, sizes: list[int], seed: int) -> dict:
    """Peak RSS of `tandem run` on batches of small articles, tiny test model."""
    packages = tmp / "tiny-packages"
    subprocess.run([str(TANDEM), "models", "install", "--file", str(TINY_MODEL), "--models-dir", str(packages)],
                   check=True, stdout=subprocess.DEVNULL)
    rows = {}
    for size in sizes:
        folder = tmp / f"small-{size}"
        paths = write_articles(folder, size, (3, 6), seed + size)
        out = tmp / f"out-small-{size}"
        log(f"memory: tandem run on {size} small articles ...")
        run = tandem_run(folder, packages, out)
        rows[str(size)] = {k: v for k, v in run.items() if k not in ("reports", "article_stage_s")}
        rows[str(size)].update(segments=sum(r["segments"] for r in run["reports"]), driver=driver_seconds(run))
        log(f"memory: {size} articles: {run['seconds']:.1f} s, peak RSS {run['peak_rss_mb']} MB")
        shutil.rmtree(out)
        shutil.rmtree(folder)
    return rows


def summarize(args, measured: dict, rows: list[dict], top: dict, worker: dict, memory: dict, ray_ok: bool,
              why_not: str, tuned: bool, load_s: float, batch: dict) -> dict:
    runs = measured["runs"]
    picked = {name: best(done) for name, done in runs.items() if done}
    stream, raw, per = picked["stream"], picked["raw"], picked["per_article"]
    ray = picked.get("ray")
    driver = driver_seconds(min(runs["stream"], key=lambda r: r["seconds"]))
    sizes = sorted(memory, key=int)
    flat = (memory[sizes[-1]]["peak_rss_mb"] / memory[sizes[0]]["peak_rss_mb"]) if len(sizes) > 1 else None
    ratios = {
        "stream_over_raw": round(stream["seconds"] / raw["seconds"], 3),
        "stream_over_raw_cpu": round(stream["cpu_s"] / raw["cpu_s"], 3),
        "per_article_over_stream": round(per["seconds"] / stream["seconds"], 3),
        "per_article_over_raw": round(per["seconds"] / raw["seconds"], 3),
        "ray_over_local": round(ray["seconds"] / stream["seconds"], 3) if ray else None,
        "ray_over_raw": round(ray["seconds"] / raw["seconds"], 3) if ray else None,
    }
    return {
        "model": {"builder": "tests/fixtures/copy_model.py --size base", "compute_type": "int8",
                                      "load_s": round(load_s, 2), "copies": True},
        "batch": batch, "beam_size": args.beam, "num_hypotheses": min(2, args.beam),
        "length_bound": "1.5 x tokens + 10 of the call's longest input", "glibc_mmap_threshold_tuned": tuned,
        "per_article_s": per["seconds"], "stream_s": stream["seconds"], "raw_best_s": raw["seconds"],
        "ray_s": ray["seconds"] if ray else None, "ray_startup_s": measured["ray_startup_s"],
        "ray_not_measured": None if ray_ok else why_not, "ratios": ratios,
        "targets": {"stream_over_raw_max": 1.10, "ray_over_local_max": 1.3,
                    "stream_within_target": ratios["stream_over_raw"] <= 1.10,
                    "ray_within_target": None if ray is None else ratios["ray_over_local"] <= 1.3},
        "stream_peak_rss_mb": stream["peak_rss_mb"], "stream_inputs": stream["inputs"],
        "stream_stage_s": stream["stage_s"],
        "stream_segments_per_s": round(batch["segments"] / stream["seconds"], 2),
        "raw_best_settings": {k: top[k] for k in ("inter_threads", "intra_threads", "max_batch_tokens")},
        "sweep": rows, "runs": picked, "ray_left_alive": measured["ray_left_alive"],
        "ray_node_cpus": measured["ray_node_cpus"], "ray_namespace_interfaces": measured["ray_namespace_interfaces"],
        "ray_engine_options": RAY_ENGINE_OPTIONS,
        "driver": driver, "one_worker": worker,
        "memory": {"model": "tests/.data/models/translate-en_ru.argosmodel (tiny, random weights)",
                   "articles": "3-6 sentences each", "runs": memory,
                   "peak_rss_largest_over_smallest": None if flat is None else round(flat, 3),
                   "flat_within_20_percent": None if flat is None else flat <= 1.2},
        "scaling": scaling(worker, ray, raw["seconds"], driver, batch),
    }


def scaling(worker: dict, ray: dict | None, raw_s: float, driver: dict, batch: dict) -> dict:
    """On paper, for 8 and 64 one-CPU workers.

    MT: N x one worker's segments/s (1 inter, 1 intra thread) / the Ray overhead (Ray's seconds over
    plain CTranslate2's on the same cores; at least 1).  Parallelism: a window of
    ``tandem.pipeline.WINDOW_SEGMENTS`` segments is cut into batches of ``max_batch_tokens``; no
    more workers than batches can be busy.  Driver: its seconds per article (the run's wall seconds
    less MT and model loading: one process, between the windows' MT calls, not overlapped with them).
    Network: each segment's text out and two hypotheses back, plus framing."""
    from tandem import pipeline

    overhead = max(1.0, ray["seconds"] / raw_s) if ray else 1.0
    window = getattr(pipeline, "WINDOW_SEGMENTS", None) or batch["segments"]
    tokens_per_segment = batch["source_tokens"] / batch["segments"]
    batches_per_window = math.ceil(window * tokens_per_segment / EngineSettings().max_batch_tokens)
    per_segment_driver_s = driver["wall_minus_mt_per_article_s"] * batch["articles"] / batch["segments"]
    bytes_per_segment = 2 * batch["bytes"] / batch["segments"] + 200
    estimate = {}
    for n in (8, 64):
        busy = min(n, batches_per_window)
        mt = busy * worker["segments_per_s"] / overhead
        total = 1 / (1 / mt + per_segment_driver_s)
        estimate[str(n)] = {
            "busy_workers": busy, "mt_segments_per_s": round(mt, 1),
            "driver_alone_segments_per_s": round(1 / per_segment_driver_s, 1),
            "estimate_segments_per_s": round(total, 1),
            "mt_share_of_time": round((1 / mt) / (1 / mt + per_segment_driver_s), 2),
            "overlapped_estimate_segments_per_s": round(min(n * worker["segments_per_s"] / overhead,
                                                            1 / per_segment_driver_s), 1),
            "network_mbit_s": round(total * bytes_per_segment * 8 / 1e6, 2)}
    return {"one_worker_segments_per_s": worker["segments_per_s"], "ray_overhead_used": round(overhead, 3),
            "ray_overhead_measured": ray is not None, "window_segments": window,
            "batches_per_window": batches_per_window,
            "driver_s_per_article": driver["wall_minus_mt_per_article_s"],
            "driver_s_per_segment": round(per_segment_driver_s, 5),
            "ray_segments_per_s_per_actor": round(batch["segments"] / ray["seconds"] / 2, 2) if ray else None,
            "bytes_per_segment_on_the_wire": round(bytes_per_segment), "workers": estimate}


if __name__ == "__main__":
    main()
