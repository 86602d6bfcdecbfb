"""Machine translation on a Ray cluster (``tandem run --cluster ADDRESS``; ``pip install 'tandem[ray]'``).

Nothing here imports Ray until a run connects.

**Who does what.**  The driver (the ``tandem`` process) keeps everything that touches the memory
and the outputs, and all of :class:`~tandem.mt.engine.Engine`'s own work: tokenizing, splitting
long segments, the call's options, decoding, joining chunks, alignments.  :class:`ClusterEngine`
*is* that Engine, with one difference: the model's ``translate_batch`` runs on the workers.  A
worker is a Ray actor holding a :class:`TranslationWorker` (an Engine whose models are loaded
once); it receives whole batches of the pieces of the texts that need MT, with the call's options
(whether attention comes back, the forbidden terms' token sequences), and sends back hypotheses,
scores and attention.  The MTResults are then built by the same code as in a local run.

**Identical output.**  CTranslate2's results depend on which inputs share a batch (padding moves
the last bits of the scores, enough to tip a close beam choice), not on the thread counts (both
measured in tests/test_cluster.py).  A local call sorts its inputs by length with libstdc++'s ``std::sort``
(not stable) and cuts the sorted list into batches; :func:`plan_batches` reproduces that exactly,
ties included, and every batch goes to one worker whole, with the local call's options, in an
order that the worker's own sort leaves as it is (:func:`submission_order`).  So every segment
is computed in exactly the batch it has in a local run with the same options.

**Threads and resources.**  Each actor is one local engine: ``--inter-threads`` replicas of
``--intra-threads`` threads (0 means 1 here: Ray sets ``OMP_NUM_THREADS=1`` on its workers, and
CTranslate2's automatic 0 would then run one thread), asking Ray for ``inter x intra`` CPUs and,
with ``--device cuda``, one GPU.  There are as many actors as fit on the cluster's nodes
(:func:`actor_count`).  The batch plan is the local one: ``--inter-threads`` also sets how many
batches a short run is cut into at least.

**Models.**  ``ship`` (the default): the driver reads the package folder once, puts it in the
object store, and each actor unpacks it into a temporary folder, loads it and deletes the folder.
``shared``: every node has the package at the driver's path.  Either way a worker checks the
package's name, version and the sha256 of ``model.bin`` and of the tokenizer, computed on the
driver, before it translates, and refuses a different package.

**Failures.**  An actor whose process dies is restarted by Ray (``max_restarts``) and its unfinished
calls are retried (``max_task_retries``); a restarted actor loads its model again from the same
source.  A batch whose actor is gone for good goes to another actor.  Each batch's result is
taken once, by its index, so nothing is lost or duplicated.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import tempfile
import threading
import uuid
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tandem.errors import InputError, ModelError
from tandem.mt.engine import Engine, _tokenizer
from tandem.mt.index import file_sha256
from tandem.mt.models import InstalledPackage, read_package
from tandem.settings import EngineSettings

NAMESPACE = "tandem"  # the Ray namespace of the actors (named tandem-RUN-N: `ray list actors` shows them)
MODEL_MODES = ("ship", "shared")
MAX_RESTARTS = 3  # an actor's process may die this often before Ray gives it up
MAX_TASK_RETRIES = 3  # Ray resubmits a call whose actor died this often
MAX_ATTEMPTS = 4  # a batch goes to another actor at most this often when its actor is gone for good
START_TIMEOUT_S = 300.0  # longest wait for the actors to start and load a model (large packages travel)
CONNECT_TIMEOUT_S = 10.0  # for the head's port to answer at all
STRAGGLER_TIMEOUT_S = 30.0  # how much longer the other actors may take to start than the first


# --- CTranslate2's batching, reproduced -------------------------------------------------------

_SORT_THRESHOLD = 16  # libstdc++'s _S_threshold: shorter ranges are left to the insertion sort


def ctranslate2_order(lengths: Sequence[int]) -> list[int]:
    """Input indices in the order CTranslate2 sorts them before batching (``rebatch_input``):
    longest first, and ties as libstdc++'s ``std::sort`` leaves them (an introsort: not stable).

    >>> ctranslate2_order([2, 5, 5, 1])
    [1, 2, 0, 3]
    """
    order = list(range(len(lengths)))

    def before(i: int, j: int) -> bool:
        return lengths[i] > lengths[j]

    if order:
        _introsort(order, 0, len(order), 2 * (len(order).bit_length() - 1), before)
        _final_insertion_sort(order, before)
    return order


def _introsort(a: list[int], first: int, last: int, depth: int, before) -> None:
    while last - first > _SORT_THRESHOLD:
        if depth == 0:  # too many poor pivots: libstdc++ falls back to a heap sort
            _heap_sort(a, first, last, before)
            return
        depth -= 1
        cut = _partition_around_median(a, first, last, before)
        _introsort(a, cut, last, depth, before)
        last = cut


def _partition_around_median(a: list[int], first: int, last: int, before) -> int:
    x, y, z = first + 1, first + (last - first) // 2, last - 1  # the median of these becomes the pivot
    if before(a[x], a[y]):
        pick = y if before(a[y], a[z]) else z if before(a[x], a[z]) else x
    else:
        pick = x if before(a[x], a[z]) else z if before(a[y], a[z]) else y
    a[first], a[pick] = a[pick], a[first]
    low, high = first + 1, last
    while True:
        while before(a[low], a[first]):
            low += 1
        high -= 1
        while before(a[first], a[high]):
            high -= 1
        if low >= high:
            return low
        a[low], a[high] = a[high], a[low]
        low += 1


def _final_insertion_sort(a: list[int], before) -> None:
    head = min(len(a), _SORT_THRESHOLD)
    for i in range(1, head):
        if before(a[i], a[0]):
            a[:i + 1] = [a[i]] + a[:i]
        else:
            _linear_insert(a, i, before)
    for i in range(head, len(a)):  # the partitions guarantee a smaller element to the left
        _linear_insert(a, i, before)


def _linear_insert(a: list[int], last: int, before) -> None:
    value = a[last]
    while before(value, a[last - 1]):
        a[last] = a[last - 1]
        last -= 1
    a[last] = value


def _heap_sort(a: list[int], first: int, last: int, before) -> None:
    size = last - first
    for parent in range((size - 2) // 2, -1, -1):
        _adjust_heap(a, first, parent, size, a[first + parent], before)
    while last - first > 1:
        last -= 1
        value, a[last] = a[last], a[first]
        _adjust_heap(a, first, 0, last - first, value, before)


def _adjust_heap(a: list[int], first: int, hole: int, size: int, value: int, before) -> None:
    top, child = hole, hole
    while child < (size - 1) // 2:
        child = 2 * (child + 1)
        if before(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole], hole = a[first + child], child
    if size % 2 == 0 and child == (size - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole], hole = a[first + child - 1], child - 1
    parent = (hole - 1) // 2
    while hole > top and before(a[first + parent], value):
        a[first + hole], hole = a[first + parent], parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def plan_batches(lengths: Sequence[int], max_batch_size: int, batch_type: str = "tokens") -> list[list[int]]:
    """The batches one ``translate_batch(max_batch_size=..., batch_type=...)`` call makes of inputs
    of these lengths: input indices per batch, in row order.  A batch costs its size times its
    longest input (padding counts), as in CTranslate2.

    >>> plan_batches([3, 9, 4, 9, 2], 20)
    [[1, 3], [2, 0, 4]]
    """
    if max_batch_size == 0:
        max_batch_size, batch_type = len(lengths), "examples"
    batches: list[list[int]] = []
    batch: list[int] = []
    widest = 0
    for index in ctranslate2_order(lengths):
        step = lengths[index] if batch_type == "tokens" else 1
        widest = max(widest, step)
        if batch and (len(batch) + 1) * widest > max_batch_size:
            batches.append(batch)
            batch, widest = [], step
        batch.append(index)
    return batches + [batch] if batch else batches


def submission_order(batch: Sequence[int], lengths: Sequence[int]) -> list[int]:
    """``batch`` in the order to send it in so that the worker's CTranslate2, which sorts again,
    gets back exactly ``batch``'s rows: the sort moves elements by their lengths alone, so
    sending them through its inverse permutation first cancels it out.

    >>> lengths = [5] * 20
    >>> sent = submission_order(list(range(20)), lengths)
    >>> [sent[i] for i in ctranslate2_order([lengths[i] for i in sent])] == list(range(20))
    True
    """
    moved = ctranslate2_order([lengths[i] for i in batch])
    sent = [0] * len(batch)
    for row, position in enumerate(moved):
        sent[position] = batch[row]
    return sent


# --- Packages: identity and shipping ----------------------------------------------------------

@dataclass(frozen=True)
class PackageIdentity:
    """What makes two copies of a package the same package."""

    name: str
    version: str
    model_sha256: str
    tokenizer_sha256: str

    def __str__(self) -> str:
        return f"{self.name} {self.version} (model.bin {self.model_sha256[:12]}, tokenizer {self.tokenizer_sha256[:12]})"


@dataclass(frozen=True)
class PackageSource:
    """Where a worker gets a package: ``files`` (an object-store reference, or the files
    themselves) when shipped, else ``path`` on its own node; and what it must be."""

    identity: PackageIdentity
    files: object = None  # ObjectRef of (or a mapping) relative path -> bytes
    path: str | None = None


def package_identity(package: InstalledPackage, files: Mapping[str, bytes] | None = None) -> PackageIdentity:
    """Name, version and the sha256 of ``model.bin`` and of the tokenizer, from ``files`` if
    given (as :func:`package_files` names them), else from the folder."""
    tokenizer = package.tokenizer_file.name
    if files is not None:
        model, vocabulary = (hashlib.sha256(files[n]).hexdigest() for n in ("model/model.bin", tokenizer))
    else:
        model, vocabulary = file_sha256(package.model_dir / "model.bin"), file_sha256(package.tokenizer_file)
    return PackageIdentity(package.name, package.version, model, vocabulary)



def package_files(package: InstalledPackage) -> dict[str, bytes]:
    """What a worker needs of a package, by relative path: ``metadata.json``, the tokenizer (it
    is part of the identity) and the CTranslate2 ``model/`` folder; sentence-boundary data and
    the README stay behind."""
    names = [Path("metadata.json"), Path(package.tokenizer_file.name)]
    names += sorted(p.relative_to(package.path) for p in package.model_dir.rglob("*") if p.is_file())
    return {name.as_posix(): (package.path / name).read_bytes() for name in names}


def unpack(files: Mapping[str, bytes], folder: Path) -> Path:
    """Write shipped package files under ``folder`` (refusing any name that would leave it)."""
    root = folder.resolve()
    for name, data in files.items():
        target = (root / name).resolve()
        if root not in target.parents:
            raise ModelError(f"refused a shipped package file outside its folder: {name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


# --- The worker (inside each Ray actor) -------------------------------------------------------

@dataclass(frozen=True)
class TranslationOutput:
    """What CTranslate2 returned for one input, as the Engine reads it (``hypotheses``, ``scores``,
    ``attention``); the attention of the best hypothesis only, the one the Engine uses."""

    hypotheses: list[list[str]]
    scores: list[float]
    attention: list = field(default_factory=list)


class PackageMismatch(Exception):
    """A worker's copy of a package is not the driver's (plain, so that it pickles as it is)."""


class TranslationWorker:
    """One local engine on a node: its models loaded once, translating whole batches.

    Ray runs it as an actor (several calls at once, one per inter-thread replica); it is plain
    Python, so that it can be tried without a cluster.
    """

    def __init__(self, settings: EngineSettings) -> None:
        self._engine = Engine(settings)
        self._translators: dict[PackageIdentity, object] = {}
        self._lock = threading.Lock()  # two calls after a restart must not load a model twice
        self._busy_lock = threading.Lock()
        self._busy = 0

    def describe(self) -> dict:
        """This worker's process, the models it holds and how many batches it is translating."""
        return {"pid": os.getpid(), "busy": self._busy, "models": sorted(str(i) for i in self._translators)}

    def load(self, source: PackageSource) -> str:
        """Load the package of ``source`` (checked against its identity) unless it is loaded."""
        self._translator(source)
        return str(source.identity)

    def translate(self, source: PackageSource, batch: list[list[str]], prefixes: list[list[str]] | None,
                  options: dict) -> list[TranslationOutput]:
        """One whole batch, as the local call would translate it (``options`` are that call's)."""
        translator = self._translator(source)
        self._count_busy(+1)
        try:
            results = translator.translate_batch(batch, target_prefix=prefixes, **options)
        finally:
            self._count_busy(-1)
        return [TranslationOutput([list(h) for h in r.hypotheses], [float(s) for s in r.scores],
                                  [r.attention[0]] if r.attention else []) for r in results]

    def _count_busy(self, step: int) -> None:
        with self._busy_lock:  # calls run in one thread per replica
            self._busy += step

    def _translator(self, source: PackageSource):
        with self._lock:
            if source.identity not in self._translators:
                self._translators[source.identity] = self._load(source)
            return self._translators[source.identity]

    def _load(self, source: PackageSource):
        if source.files is None:
            return self._checked(read_package(Path(source.path)), source.identity)
        folder = Path(tempfile.mkdtemp(prefix="tandem-model-"))
        try:  # CTranslate2 holds the weights in memory once loaded: the files can go
            return self._checked(read_package(unpack(_fetch(source.files), folder)), source.identity)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _checked(self, package: InstalledPackage, expected: PackageIdentity):
        found = package_identity(package)
        if found != expected:
            raise PackageMismatch(f"this node's {found} is not the driver's {expected}; refusing to translate")
        return self._engine.load(package).translator


def _fetch(files):
    """The shipped files: from the object store, unless they came as they are."""
    if isinstance(files, Mapping):
        return files
    import ray

    return ray.get(files)


# --- Resources --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActorShape:
    """What one actor runs and what it asks Ray for."""

    inter_threads: int
    intra_threads: int
    num_gpus: int

    @property
    def num_cpus(self) -> int:
        return self.inter_threads * self.intra_threads

    def worker_settings(self, settings: EngineSettings) -> EngineSettings:
        """The actor's engine: the run's settings, with the threads pinned."""
        return replace(settings, inter_threads=self.inter_threads, intra_threads=self.intra_threads)

    def ray_options(self, name: str) -> dict:
        """``ActorClass.options(...)``: the resources, restarts and concurrency of one actor."""
        return dict(name=name, num_cpus=self.num_cpus, num_gpus=self.num_gpus, max_restarts=MAX_RESTARTS,
                    max_task_retries=MAX_TASK_RETRIES, max_concurrency=self.inter_threads,
                    scheduling_strategy="SPREAD")


def actor_shape(settings: EngineSettings, cluster_gpus: float = 0.0) -> ActorShape:
    """Each actor is a local engine of ``inter x intra`` threads (intra 0 becomes 1: see the
    module's docstring); ``cuda`` (or ``auto`` on a cluster with GPUs) asks one GPU per actor.

    >>> actor_shape(EngineSettings(inter_threads=2, intra_threads=0)).num_cpus
    2
    >>> actor_shape(EngineSettings(device="cuda")).num_gpus
    1
    """
    gpu = settings.device == "cuda" or (settings.device == "auto" and cluster_gpus >= 1)
    return ActorShape(settings.inter_threads, settings.intra_threads or 1, 1 if gpu else 0)


def actor_count(nodes: Sequence[Mapping[str, float]], shape: ActorShape) -> int:
    """How many actors of ``shape`` fit on the alive nodes (each node's ``Resources``): the sum of
    what fits on each (summing the cluster's CPUs first would count actors no node can hold).

    >>> actor_count([{"CPU": 1.0}, {"CPU": 5.0}], ActorShape(2, 1, 0))
    2
    >>> actor_count([{"CPU": 8.0, "GPU": 1.0}, {"CPU": 8.0}], ActorShape(2, 1, 1))
    1
    """
    def fits(resources: Mapping[str, float]) -> int:
        count = int(resources.get("CPU", 0) // shape.num_cpus)
        return min(count, int(resources.get("GPU", 0) // shape.num_gpus)) if shape.num_gpus else count

    return sum(fits(node) for node in nodes)


# --- The driver side --------------------------------------------------------------------------

class _Workers:
    """The run's actors, and the dispatch of batches over them."""

    def __init__(self, ray, actors: list, depth: int) -> None:
        self._ray = ray
        self.actors = list(actors)
        self._depth = depth  # calls in flight per actor: its replicas busy and as many queued

    def put(self, value) -> object:
        """``value`` in the object store, once for all actors."""
        return self._ray.put(value)

    def load(self, source: PackageSource) -> None:
        """Every actor loads the package (and checks it) before anything is translated; an actor
        that dies doing so (beyond Ray's restarts) is left out."""
        calls = [(actor, actor.load.remote(source)) for actor in self.actors]
        for actor, call in calls:
            try:
                self._get(call)
            except _died(self._ray):
                self.actors.remove(actor)
        if not self.actors:
            raise ModelError("every Ray worker of this run died while loading the model")

    def run(self, source: PackageSource, work: list[tuple[list, list | None]], options: dict) -> list[list]:
        """Each (batch, prefixes) of ``work`` translated once, results by index."""
        options_ref = self._ray.put(options)
        results: list = [None] * len(work)
        queue, attempts = deque(range(len(work))), [0] * len(work)
        pending: dict = {}
        while queue or pending:
            self._submit(queue, pending, attempts, source, work, options_ref)
            [ref], _ = self._ray.wait(list(pending), num_returns=1)
            index, actor = pending.pop(ref)
            try:
                results[index] = self._get(ref)
            except self._ray.exceptions.RayActorError as exc:
                self._lost(actor, exc, index, attempts, queue)
        return results

    def _submit(self, queue, pending, attempts, source, work, options_ref) -> None:
        """Fill every actor up to its depth, the least loaded first."""
        if queue and not self.actors:
            raise ModelError("every Ray worker of this run died; the translation cannot go on")
        load = {id(a): 0 for a in self.actors}
        for _, actor in pending.values():
            load[id(actor)] = load.get(id(actor), 0) + 1
        while queue:
            actor = min(self.actors, key=lambda a: load[id(a)])
            if load[id(actor)] >= self._depth:
                return
            index = queue.popleft()
            attempts[index] += 1
            batch, prefixes = work[index]
            pending[actor.translate.remote(source, batch, prefixes, options_ref)] = (index, actor)
            load[id(actor)] += 1

    def _lost(self, actor, exc, index: int, attempts: list[int], queue: deque) -> None:
        """A batch whose actor died beyond Ray's retries goes to another actor."""
        if isinstance(exc, _died(self._ray)) and actor in self.actors:
            self.actors.remove(actor)
        if attempts[index] >= MAX_ATTEMPTS:
            raise ModelError(f"a batch failed on {attempts[index]} Ray workers: {exc}") from exc
        queue.appendleft(index)

    def _get(self, refs):
        """``ray.get``, with a worker's own failure (a refused package, a broken model) as a ModelError."""
        try:
            return self._ray.get(refs, timeout=START_TIMEOUT_S)
        except self._ray.exceptions.GetTimeoutError as exc:
            raise ModelError(f"the Ray workers did not answer within {START_TIMEOUT_S:.0f} s") from exc
        except self._ray.exceptions.RayTaskError as exc:
            raise ModelError(f"a Ray worker failed: {exc.cause}") from exc

    def close(self) -> None:
        for actor in self.actors:
            self._ray.kill(actor)
        self.actors = []


def _died(ray) -> type:
    """The error of an actor gone for good (Ray before 2.10 has only the general one)."""
    return getattr(ray.exceptions, "ActorDiedError", ray.exceptions.RayActorError)


class _Connection:
    """The driver's link to the cluster: connected, and the actors started, on first use."""

    def __init__(self, address: str, settings: EngineSettings) -> None:
        self.address = address
        self.settings = settings
        self._ray = None
        self._workers: _Workers | None = None
        self._owner = False  # True: this connection called ray.init, so it shuts Ray down

    def workers(self) -> _Workers:
        if self._workers is None:
            ray = self._connect()
            shape = actor_shape(self.settings, ray.cluster_resources().get("GPU", 0.0))
            self._workers = _start_workers(ray, shape, self.settings)
        return self._workers

    def _connect(self):
        os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # read by Ray when it connects; no report leaves
        ray = _import_ray()
        if not ray.is_initialized():
            _check_listening(self.address)
            try:
                ray.init(address=self.address, namespace=NAMESPACE, log_to_driver=False,
                         logging_level=logging.WARNING, include_dashboard=False)
            except (ConnectionError, ValueError, RuntimeError) as exc:
                raise InputError(f"cannot connect to the Ray cluster at {self.address}: {exc}") from None
            self._owner = True
        self._ray = ray
        return ray

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None
        if self._owner and self._ray is not None and self._ray.is_initialized():
            self._ray.shutdown()
        self._owner = False


def _start_workers(ray, shape: ActorShape, settings: EngineSettings) -> _Workers:
    """As many actors as fit, each of ``shape``; those not started soon after the first are given up
    (another job may hold their CPUs)."""
    count = actor_count([n["Resources"] for n in ray.nodes() if n.get("Alive")], shape)
    if count == 0:
        gpus = f" and {shape.num_gpus} GPU" if shape.num_gpus else ""
        raise ModelError(f"no node of the Ray cluster has {shape.num_cpus} CPUs{gpus} for one translation worker "
                         f"(--inter-threads {shape.inter_threads} x --intra-threads {shape.intra_threads})")
    # describe() runs in a group of its own, so that it answers while every replica translates.
    remote, run = ray.remote(concurrency_groups={"control": 1})(TranslationWorker), uuid.uuid4().hex[:8]
    actors = [remote.options(**shape.ray_options(f"tandem-{run}-{i}")).remote(shape.worker_settings(settings))
              for i in range(count)]
    probes = [actor.describe.options(concurrency_group="control").remote() for actor in actors]
    first, rest = ray.wait(probes, num_returns=1, timeout=START_TIMEOUT_S)
    more, _ = ray.wait(rest, num_returns=len(rest), timeout=STRAGGLER_TIMEOUT_S) if first and rest else ([], [])
    started = {ref.hex() for ref in first + more}
    for actor, probe in zip(actors, probes):
        if probe.hex() not in started:
            ray.kill(actor)
    if not started:
        raise ModelError(f"no Ray worker started within {START_TIMEOUT_S:.0f} s")
    return _Workers(ray, [a for a, p in zip(actors, probes) if p.hex() in started], depth=2 * shape.inter_threads)


def _check_listening(address: str) -> None:
    """Refuse at once a ``host:port`` where nothing listens: ``ray.init`` would retry for minutes.
    Other forms (``auto``, ``ray://...``) are left to Ray."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or "://" in address:
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise InputError(f"cannot connect to the Ray cluster at {address}: {exc.strerror or exc}") from None


def _import_ray():
    try:
        import ray
    except ImportError:
        raise InputError("--cluster needs Ray: pip install 'tandem[ray]'") from None
    return ray


@dataclass
class _RemoteModel:
    """What :meth:`Engine.load` returns, with the model's calls going to the cluster."""

    translator: object
    tokenizer: object


class _RemoteTranslator:
    """Stands in for ``ctranslate2.Translator`` on the driver: ``translate_batch`` cuts the call
    into CTranslate2's own batches and runs each, whole, on a worker."""

    def __init__(self, workers: _Workers, source: PackageSource) -> None:
        self._workers = workers
        self._source = source

    def translate_batch(self, chunks: list[list[str]], target_prefix: list | None = None,
                        **options) -> list[TranslationOutput]:
        lengths = [len(c) for c in chunks]
        plan = [submission_order(b, lengths)
                for b in plan_batches(lengths, options.get("max_batch_size", 0), options.get("batch_type", "examples"))]
        work = [([chunks[i] for i in order], [target_prefix[i] for i in order] if target_prefix else None)
                for order in plan]
        results: list = [None] * len(chunks)
        for order, outputs in zip(plan, self._workers.run(self._source, work, options)):
            for index, output in zip(order, outputs):
                results[index] = output
        return results


class ClusterEngine(Engine):
    """The :class:`Engine` of a run with ``--cluster``: the same interface (``load``,
    ``translate_route``, ``translate``, ``settings``) and the same results, the model calls
    made on a Ray cluster.

    Connecting (and starting the actors) happens on the first :meth:`load`; :meth:`close` (or
    leaving a ``with`` block, or dropping the engine) kills the actors and disconnects.
    ``models``: ``ship`` (the driver sends each package through the object store) or ``shared``
    (every node has the package at the driver's path).
    """

    def __init__(self, settings: EngineSettings, address: str, models: str = "ship") -> None:
        if models not in MODEL_MODES:
            raise InputError(f"unknown cluster model mode {models!r} (choose from {', '.join(MODEL_MODES)})")
        _import_ray()  # refuse now, before any work, when Ray is missing
        super().__init__(settings)
        self.address = address
        self.models = models
        self._connection = _Connection(address, settings)
        self._close = weakref.finalize(self, self._connection.close)

    def load(self, package: InstalledPackage) -> _RemoteModel:
        """Connect (once), put the package where the workers get it, have every worker load it
        (refused on a mismatch: :class:`~tandem.errors.ModelError`); the tokenizer stays here."""
        key = str(package.path)
        if key not in self._loaded:
            workers = self._connection.workers()
            source = self._source(package)
            workers.load(source)
            self._loaded[key] = _RemoteModel(_RemoteTranslator(workers, source), _tokenizer(package))
        return self._loaded[key]

    def _source(self, package: InstalledPackage) -> PackageSource:
        if self.models == "shared":
            return PackageSource(package_identity(package), path=str(package.path))
        files = package_files(package)
        return PackageSource(package_identity(package, files), files=self._connection.workers().put(files))

    def close(self) -> None:
        """Kill this run's actors and disconnect (idempotent)."""
        self._close()

    def __enter__(self) -> "ClusterEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
