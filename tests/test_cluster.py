"""The MT on a Ray cluster (:mod:`tandem.mt.cluster`).

Without a cluster: CTranslate2's batching reproduced bit for bit, the package checks, the
resource requests, the one-line error without Ray.  With one (slow): a real two-node cluster
on loopback; ``tandem run --cluster`` writes byte for byte what a local run writes, models
shipped or shared, a different package refused, a worker killed mid-run changes nothing.

The cluster runs in a network namespace of its own (``unshare --net --uts``), whose only
interface is loopback and whose host name is ``localhost``: Ray resolves ``127.0.0.1`` to "the
address other machines reach" (through the host's default route), and its head probes the cloud
metadata server, so on the host's network it would bind the host's address and send packets
off the machine.  In the namespace it can reach nothing, takes 127.0.0.1 as the node address,
and every port is free.  Every socket of every process the tests start (and their children)
is checked to be on loopback.  The processes are stopped by killing exactly those.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import random
import signal
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pytest

from tandem import cli
from tandem.mt import cluster
from tandem.mt.engine import Alignment, Engine, MTResult
from tandem.mt.models import find_package
from tandem.settings import EngineSettings
from tests.conftest import ROOT, TANDEM

SAMPLES = ROOT / "src" / "tandem" / "samples"
RAY = Path(sys.executable).parent / "ray"
PORT = 6379  # the head's port; every port is free in the cluster's own network namespace
ARTICLES = {"harbor-radar.txt": "harbor-radar.txt", "harbor-vote.html": "harbor-vote.html",
            "harbor-vote.md": "harbor-vote-md.md", "harbor-vote-page.html": "harbor-vote-page.html",
            "ferry-strike-page.html": "ferry-strike-page.html"}
# Ray writes unix sockets under its temp folder; their paths must stay under 108 bytes.
RAY_TEMP_PARENT = "/tmp"


# --- Without a cluster ------------------------------------------------------------------------

class InProcessWorkers:
    """The driver's dispatch, with one :class:`TranslationWorker` in this process instead of actors."""

    def __init__(self, worker: cluster.TranslationWorker) -> None:
        self.worker = worker
        self.batches: list[int] = []

    def run(self, source, work, options):
        self.batches += [len(batch) for batch, _ in work]
        return [self.worker.translate(source, batch, prefixes, options) for batch, prefixes in work]


def _random_chunks(tokenizer, seed: int) -> list[list[str]]:
    """Inputs of few distinct lengths, so that many ties meet at batch boundaries."""
    rng = random.Random(seed)
    pieces = tokenizer.encode("the harbor radar council vote budget million December ships coast guard said")
    return [[rng.choice(pieces) for _ in range(rng.choice([3, 5, 5, 8, 8, 12]))] for _ in range(rng.choice([20, 40, 80]))]


def _same(a, b) -> bool:
    return a.hypotheses == b.hypotheses and a.scores == b.scores and list(a.attention[:1]) == list(b.attention[:1])


def test_batches_are_ctranslate2s_own_bit_for_bit(packages_dir):
    """Each batch of the plan run alone gives exactly what one local call gives (hypotheses, scores
    and attention, to the last bit); batches formed with a stable sort instead (ties in another
    order) do not, which shows that batch composition matters with this model."""
    package = find_package(packages_dir, "en", "ru")
    model = Engine(EngineSettings(inter_threads=1)).load(package)
    source = cluster.PackageSource(cluster.package_identity(package), files=cluster.package_files(package))
    workers = InProcessWorkers(cluster.TranslationWorker(EngineSettings(inter_threads=1)))
    remote = cluster._RemoteTranslator(workers, source)
    stable_differs = 0
    for seed in range(12):
        chunks = _random_chunks(model.tokenizer, seed)
        options = dict(beam_size=4, num_hypotheses=2, batch_type="tokens", max_batch_size=[40, 60, 100][seed % 3],
                       max_input_length=0, max_decoding_length=30, length_penalty=1.0, replace_unknowns=True,
                       return_scores=True, return_attention=seed % 2 == 0)
        local = model.translator.translate_batch(chunks, **options)
        assert all(_same(r, l) for r, l in zip(remote.translate_batch(chunks, **options), local)), seed
        stable_differs += _stable_sort_differences(model.translator, chunks, options, local)
    assert len(workers.batches) > 12  # the calls were really cut into several batches
    assert stable_differs > 0


def _stable_sort_differences(translator, chunks, options, local) -> int:
    """Results that differ from the local call when the batches come from a stable sort."""
    lengths, differ = [len(c) for c in chunks], 0
    order = sorted(range(len(chunks)), key=lambda i: -lengths[i])
    batch, widest, batches = [], 0, []
    for index in order:
        widest = max(widest, lengths[index])
        if batch and (len(batch) + 1) * widest > options["max_batch_size"]:
            batches.append(batch)
            batch, widest = [], lengths[index]
        batch.append(index)
    for batch in batches + [batch]:
        sent = cluster.submission_order(batch, lengths)
        for index, result in zip(sent, translator.translate_batch([chunks[i] for i in sent], **options)):
            differ += not _same(result, local[index])
    return differ


def test_thread_counts_do_not_change_results(packages_dir):
    """So an actor may run other thread counts than the local engine (--intra-threads 0 is 1 there)."""
    import ctranslate2

    package = find_package(packages_dir, "en", "ru")
    model = Engine(EngineSettings(inter_threads=1, intra_threads=1)).load(package)
    chunks = _random_chunks(model.tokenizer, 5)
    options = dict(beam_size=4, num_hypotheses=2, batch_type="tokens", max_batch_size=100, max_decoding_length=30,
                   return_scores=True, return_attention=True)
    one = model.translator.translate_batch(chunks, **options)
    other = ctranslate2.Translator(str(package.model_dir), inter_threads=2, intra_threads=2, compute_type="auto")
    assert all(_same(a, b) for a, b in zip(other.translate_batch(chunks, **options), one))


def test_plan_follows_ctranslate2s_rules():
    # Cost is size x longest (padding): 9+9 fills 20, then 4, 3, 2 (12 <= 20).
    assert cluster.plan_batches([3, 9, 4, 9, 2], 20) == [[1, 3], [2, 0, 4]]
    assert cluster.plan_batches([3, 9, 4], 0) == [[1, 2, 0]]  # 0: one batch
    assert cluster.plan_batches([30, 2], 20) == [[0], [1]]  # an input longer than a batch goes alone
    assert cluster.plan_batches([1, 1, 1], 2, "examples") == [[0, 1], [2]]
    lengths = [random.Random(3).choice([4, 4, 7]) for _ in range(100)]
    plan = cluster.plan_batches(lengths, 64)
    assert sorted(i for b in plan for i in b) == list(range(100))
    for batch in plan:
        sent = cluster.submission_order(batch, lengths)
        assert [sent[i] for i in cluster.ctranslate2_order([lengths[i] for i in sent])] == batch


def test_engine_results_are_identical_through_the_worker_path(packages_dir):
    """The whole Engine (split segments, alignments, pivot-free route) over the in-process worker."""
    package = find_package(packages_dir, "en", "ru")
    texts = [f"The council voted {n} times on the harbor radar, said the mayor of Port Alder." for n in range(30)]
    texts.append(", ".join(["the council met in the city hall on Tuesday"] * 12) + ".")  # split into chunks
    settings = EngineSettings(max_input_tokens=16, max_batch_tokens=256)
    align = [i % 3 == 0 for i in range(len(texts))]
    local = Engine(settings).translate_route((package,), texts, align)
    engine = Engine(settings)
    source = cluster.PackageSource(cluster.package_identity(package), path=str(package.path))
    model = engine.load(package)
    model.translator = cluster._RemoteTranslator(InProcessWorkers(cluster.TranslationWorker(settings)), source)
    assert engine.translate_route((package,), texts, align) == local


def test_worker_refuses_another_package(packages_dir):
    package = find_package(packages_dir, "en", "ru")
    files = cluster.package_files(package)
    assert set(files) >= {"metadata.json", "sentencepiece.model", "model/model.bin"}
    identity = cluster.package_identity(package, files)
    assert identity == cluster.package_identity(package)  # from the bytes or from the folder: the same
    worker = cluster.TranslationWorker(EngineSettings())
    assert worker.load(cluster.PackageSource(identity, files=files)) == str(identity)
    for other in (replace(identity, version="9.9"), replace(identity, model_sha256="0" * 64)):
        with pytest.raises(cluster.PackageMismatch, match="not the driver's"):
            worker.load(cluster.PackageSource(other, files=files))
    changed = dict(files, **{"sentencepiece.model": files["sentencepiece.model"] + b"\0"})
    with pytest.raises(cluster.PackageMismatch):
        worker.load(cluster.PackageSource(replace(identity, version="1.1"), files=changed))
    with pytest.raises(Exception, match="outside its folder"):
        cluster.unpack({"../escape": b""}, Path(tempfile.mkdtemp()))


def test_resource_requests():
    shape = cluster.actor_shape(EngineSettings(inter_threads=2, intra_threads=0))
    assert (shape.num_cpus, shape.num_gpus) == (2, 0)
    assert shape.worker_settings(EngineSettings(intra_threads=0)).intra_threads == 1  # never 0 on Ray
    gpu = cluster.actor_shape(EngineSettings(device="cuda", inter_threads=1, intra_threads=4))
    options = gpu.ray_options("tandem-x-0")
    assert (options["num_gpus"], options["num_cpus"], options["max_concurrency"]) == (1, 4, 1)
    assert options["max_restarts"] > 0 and options["max_task_retries"] > 0
    assert cluster.actor_shape(EngineSettings(device="auto"), cluster_gpus=2).num_gpus == 1
    assert cluster.actor_shape(EngineSettings(device="auto")).num_gpus == 0
    assert cluster.actor_count([{"CPU": 8.0, "GPU": 2.0}, {"CPU": 4.0, "GPU": 1.0}], gpu) == 3
    assert cluster.actor_count([{"CPU": 1.0}, {"CPU": 1.0}], shape) == 0


def test_results_pickle():
    alignment = Alignment("a b", "x y", ("▁a", "▁b"), ("▁x", "▁y"), ((1.0, 0.0), (0.0, 1.0)), "sentencepiece",
                          "en", "ru")
    result = MTResult("x y", -0.5, "y x", -0.9, (alignment,))
    output = cluster.TranslationOutput([["▁x"]], [-0.5], [[[1.0]]])
    assert pickle.loads(pickle.dumps(result)) == result
    assert pickle.loads(pickle.dumps(output)) == output
    error = pickle.loads(pickle.dumps(cluster.PackageMismatch("differs")))
    assert str(error) == "differs"


def test_cluster_without_ray_is_one_line_error(tmp_path, packages_dir, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails, as without the extra
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    article = tmp_path / "story.txt"
    article.write_text("The council met on Tuesday.\n", encoding="utf-8")
    code = cli.main(["run", str(article), "--out", str(tmp_path / "out"), "--cluster", "127.0.0.1:1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1] == "tandem: error: --cluster needs Ray: pip install 'tandem[ray]'"
    assert "Traceback" not in err


def test_nothing_listening_is_refused_at_once(tmp_path, packages_dir, monkeypatch, capsys):
    """ray.init would retry for minutes; the engine checks the head's port first."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
    article = tmp_path / "story.txt"
    article.write_text("The council met on Tuesday.\n", encoding="utf-8")
    code = cli.main(["run", str(article), "--out", str(tmp_path / "out"), "--cluster", f"127.0.0.1:{port}"])
    assert code == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith(f"tandem: error: cannot connect to the Ray cluster "
                                                              f"at 127.0.0.1:{port}: ")


def test_ray_is_not_imported_without_cluster():
    code = "import sys, tandem.cli, tandem.pipeline, tandem.mt.cluster; tandem.cli.build_parser(); print('ray' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- A real cluster on loopback ---------------------------------------------------------------

class LoopbackCluster:
    """A head and a second node (1 CPU each) in a network namespace of their own.

    Every process is started in its own process group; :meth:`processes` is those groups and
    every descendant (Ray's workers get process groups of their own), and :meth:`stop` kills
    exactly those.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.temp = Path(tempfile.mkdtemp(prefix="tray-", dir=RAY_TEMP_PARENT))
        self.groups: list[int] = []
        self.started: list[subprocess.Popen] = []
        self.holder: subprocess.Popen | None = None
        self.address = f"127.0.0.1:{PORT}"

    # starting and stopping

    def start(self) -> None:
        self.holder = self._spawn(self._unshare() + [sys.executable, "-c", _NAMESPACE_HOLDER], "namespace")
        self._wait(lambda: (self.folder / "namespace.log").read_text().startswith("ready"), "the namespace")
        self.popen([str(RAY), "start", "--head", *self._node_options(0), f"--port={PORT}",
                    "--include-dashboard=false"], "head")
        self._wait(lambda: PORT in self.listening_ports(), "the head")
        self.popen([str(RAY), "start", f"--address={self.address}", *self._node_options(1)], "node")
        self._wait(lambda: len([n for n in self.helper("nodes") if n["alive"]]) == 2, "the second node", 90)

    def _node_options(self, number: int) -> list[str]:
        """Distinct ports for the two nodes (they share the namespace); the rest Ray picks."""
        low = 20000 + 1000 * number
        options = ["--block", "--node-ip-address=127.0.0.1", "--num-cpus=1", "--disable-usage-stats",
                   f"--min-worker-port={low}", f"--max-worker-port={low + 999}",
                   f"--node-manager-port={low - 10}", f"--object-manager-port={low - 11}",
                   f"--dashboard-agent-listen-port={low - 12}", f"--dashboard-agent-grpc-port={low - 13}",
                   f"--metrics-export-port={low - 14}", f"--runtime-env-agent-port={low - 15}"]
        return options + ([f"--temp-dir={self.temp}"] if number == 0 else [])

    def stop(self) -> None:
        """Kill every process the cluster started (a snapshot first: workers outlive their raylet),
        and wait until they are gone."""
        survivors = self.processes()
        for group in self.groups:
            _kill(lambda: os.killpg(group, signal.SIGKILL))
        for pid, started in survivors.items():
            if _start_time(pid) == started:
                _kill(lambda: os.kill(pid, signal.SIGKILL))
        for process in self.started:
            process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while any(_start_time(pid) == started for pid, started in survivors.items()) and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(self.temp, ignore_errors=True)

    # running things inside the namespace

    def _unshare(self) -> list[str]:
        user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
        return ["unshare", "--net", "--uts", "--fork", *user]

    def _enter(self) -> list[str]:
        user = [] if os.geteuid() == 0 else ["--user", "--preserve-credentials"]
        return ["nsenter", f"--target={self.holder.pid}", "--net", "--uts", *user, "--"]

    def _spawn(self, argv: list[str], log: str, **options) -> subprocess.Popen:
        env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", **options.pop("env", {}))
        with open(self.folder / f"{log}.log", "w") as stream:  # the child keeps its own copy
            process = subprocess.Popen(argv, stdout=stream, stderr=subprocess.STDOUT, start_new_session=True,
                                       env=env, cwd=options.pop("cwd", ROOT), **options)
        self.groups.append(process.pid)
        self.started.append(process)
        return process

    def popen(self, argv: list[str], log: str, **options) -> subprocess.Popen:
        """Start ``argv`` in the namespace, in a process group of its own."""
        return self._spawn(self._enter() + argv, log, **options)

    def run(self, argv: list[str], log: str, timeout: float = 600, **options) -> tuple[int, str]:
        process = self.popen(argv, log, **options)
        code = process.wait(timeout=timeout)
        return code, (self.folder / f"{log}.log").read_text()

    def helper(self, command: str, *args: str, timeout: float = 120) -> object:
        """Run :func:`_helper` in the namespace: a Ray driver that prints one JSON value."""
        return self.answer(self.helper_start(command, *args), command, timeout)

    def helper_start(self, command: str, *args: str) -> subprocess.Popen:
        code = "import sys; from tests.test_cluster import _helper; _helper(sys.argv[1:])"
        return self.popen([sys.executable, "-c", code, command, self.address, *args], f"helper-{command}")

    def answer(self, helper: subprocess.Popen, command: str, timeout: float = 120) -> object:
        """The answer a helper printed, once it has ended."""
        code = helper.wait(timeout=timeout)
        output = (self.folder / f"helper-{command}.log").read_text()
        assert code == 0, output
        [answer] = [line for line in output.splitlines() if line.startswith("ANSWER ")][-1:]
        return json.loads(answer.removeprefix("ANSWER "))  # Ray may print its own lines after it

    def tandem(self, *args: str, packages: Path, log: str = "tandem", wait: bool = True):
        """``tandem ARGS --cluster ADDRESS`` in the namespace (a Popen if not ``wait``)."""
        argv = [str(TANDEM), *args, "--cluster", self.address]
        env = {"ARGOS_PACKAGES_DIR": str(packages)}
        return self.run(argv, log, env=env) if wait else self.popen(argv, log, env=env)

    def _wait(self, ready, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except (OSError, AssertionError, ValueError):
                pass
            time.sleep(0.3)
        logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in sorted(self.folder.glob("*.log")))
        raise AssertionError(f"{what} did not come up within {timeout} s\n{logs}")

    # what the processes are and what they do on the network

    def processes(self) -> dict[int, str]:
        """pid -> start time of every process of the started groups and every descendant."""
        table = _process_table()
        found = {pid for pid, (_, group, _) in table.items() if group in self.groups}
        children: dict[int, list[int]] = {}
        for pid, (parent, _, _) in table.items():
            children.setdefault(parent, []).append(pid)
        todo = list(found)
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return {pid: table[pid][2] for pid in found}

    def listening_ports(self) -> set[int]:
        """Ports listened on in the namespace (by any process)."""
        return {local[1] for _, local, _, state, _ in _socket_table(self.holder.pid) if state == "0A"}

    def network_violations(self) -> list[str]:
        """Every socket of the cluster's processes not between loopback addresses (a listening
        socket's peer is the unspecified address); also any interface but ``lo`` in the namespace."""
        bad = [f"pid {pid} {proto} {local} -> {remote}" for pid, proto, local, remote, _ in _sockets(self.processes())
               if not _loopback(local[0]) or not (_loopback(remote[0]) or _unspecified(remote))]
        interfaces = [line.split(":")[0].strip() for line in
                      Path(f"/proc/{self.holder.pid}/net/dev").read_text().splitlines()[2:]]
        return bad + [f"interface {name} in the namespace" for name in interfaces if name != "lo"]


_NAMESPACE_HOLDER = """
import fcntl, socket, struct, time
# bring lo up (a new network namespace starts with it down) and name the host localhost
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH14s", fcntl.ioctl(probe, SIOCGIFFLAGS, struct.pack("16sH14s", b"lo", 0, b"")))[1]
fcntl.ioctl(probe, SIOCSIFFLAGS, struct.pack("16sH14s", b"lo", flags | IFF_UP, b""))
socket.sethostname("localhost")
print("ready", flush=True)
time.sleep(24 * 3600)
"""


def _kill(action) -> None:
    try:
        action()
    except (ProcessLookupError, ChildProcessError, PermissionError):
        pass


def _process_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent, process group, start time) of every live process (zombies are gone already)."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                table[int(entry)] = (int(fields[1]), int(fields[2]), fields[19])
    return table


def _start_time(pid: int) -> str | None:
    """The start time of a live process ``pid`` (None once it has ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else fields[19]


def _sockets(pids) -> list[tuple[int, str, tuple, tuple, str]]:
    """(pid, protocol, local, remote, state) of every TCP/UDP socket the processes hold, read in
    each process's own network namespace (/proc/PID/net/*)."""
    found = []
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            table = _socket_table(pid)
        except OSError:
            continue  # the process ended meanwhile
        inodes = {link[8:-1] for link in links if link.startswith("socket:[")}
        found += [(pid, proto, local, remote, state) for proto, local, remote, state, inode in table if inode in inodes]
    return found


def _socket_table(pid: int) -> list[tuple[str, tuple, tuple, str, str]]:
    """(protocol, local, remote, state, inode) of every TCP/UDP socket in the network namespace of ``pid``."""
    import ipaddress

    def address(text: str) -> tuple:
        raw, port = text.split(":")
        data = bytes.fromhex(raw)
        if len(data) == 4:
            return ipaddress.IPv4Address(data[::-1]), int(port, 16)
        return ipaddress.IPv6Address(b"".join(data[i:i + 4][::-1] for i in range(0, 16, 4))), int(port, 16)

    rows = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        for fields in (line.split() for line in Path(f"/proc/{pid}/net/{proto}").read_text().splitlines()[1:]):
            rows.append((proto, address(fields[1]), address(fields[2]), fields[3], fields[9]))
    return rows


def _loopback(ip) -> bool:
    """127.0.0.1 or ::1 (also as ::ffff:127.0.0.1, how a dual-stack socket shows it)."""
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip) in ("127.0.0.1", "::1")


def _unspecified(address: tuple) -> bool:
    """The peer of a listening (or unconnected) socket: 0.0.0.0 or ::, port 0."""
    return address[0].is_unspecified and address[1] == 0


def _helper(argv: list[str]) -> None:
    """Inside the namespace, a Ray driver: ``nodes`` (every node, alive or not), ``busy`` (the
    pid and name of the first actor of a run seen translating), ``engine PACKAGES`` (the
    ClusterEngine's own checks).  Prints its answer as one line ``ANSWER json``."""
    import ray

    command, address, *args = argv
    ray.init(address=address, namespace=cluster.NAMESPACE, log_to_driver=False, logging_level=logging.ERROR)
    if command == "nodes":
        value = [{"alive": n["Alive"], "cpus": n["Resources"].get("CPU", 0)} for n in ray.nodes()]
    elif command == "busy":
        value = _busy_actor(ray)
    else:
        value = _engine_checks(Path(args[0]), address)
    print("ANSWER", json.dumps(value), flush=True)


def _busy_actor(ray) -> dict:
    """Poll this namespace's tandem actors until one is translating (its describe() answers in a
    concurrency group of its own)."""
    from ray.util import list_named_actors

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for entry in list_named_actors(all_namespaces=True):
            if entry["namespace"] == cluster.NAMESPACE and entry["name"].startswith("tandem-"):
                try:
                    state = ray.get(ray.get_actor(entry["name"]).describe.options(concurrency_group="control")
                                    .remote(), timeout=5)
                except Exception:  # gone, or restarting: look again
                    continue
                if state["busy"]:
                    return {"name": entry["name"], "pid": state["pid"]}
        time.sleep(0.05)
    return {}


def _engine_checks(packages: Path, address: str) -> dict:
    """Shared models: the same results as a local engine; a node whose copy of a package is not
    the driver's (here: the driver expects another version) is refused."""
    from tandem.errors import ModelError

    package = find_package(packages, "en", "ru")
    texts = [f"The harbor radar was approved by {n} votes on December 28, the council said." for n in range(40)]
    settings = EngineSettings(inter_threads=1, max_batch_tokens=128)
    with cluster.ClusterEngine(settings, address, models="shared") as engine:
        same = engine.translate_route((package,), texts) == Engine(settings).translate_route((package,), texts)
        workers = engine._connection.workers()
        actors = len(workers.actors)
        other = find_package(packages, "en", "ja")
        expected = replace(cluster.package_identity(other), version="0.9")
        try:
            workers.load(cluster.PackageSource(expected, path=str(other.path)))
            refused = ""
        except ModelError as exc:
            refused = str(exc)
    return {"same": same, "actors": actors, "refused": refused}


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory):
    if shutil.which("unshare") is None or shutil.which("nsenter") is None:
        pytest.fail("the cluster tests need unshare and nsenter (util-linux)")
    started = LoopbackCluster(tmp_path_factory.mktemp("ray-cluster"))
    try:
        started.start()
        yield started
    finally:
        started.stop()
    assert not set(started.processes()), "processes of the cluster outlived it"


def _articles(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for sample, name in ARTICLES.items():
        shutil.copy(SAMPLES / sample, folder / name)
    return [str(folder / name) for name in ARTICLES.values()]


def _outputs(out: Path) -> dict[str, object]:
    """Every output file's bytes; report.json without its timings; the memory's rows without
    their timestamps."""
    found: dict[str, object] = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if path.name == "report.json":
            report = json.loads(path.read_text())
            report.pop("seconds")
            found[name] = report
        elif path.suffix == ".db":
            found[name] = _memory_rows(path)
        else:
            found[name] = path.read_bytes()
    return found


def _memory_rows(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        rows = {}
        for table in tables:
            columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})") if not c[1].endswith("_at")]
            rows[table] = sorted(map(repr, db.execute(f"SELECT {', '.join(columns)} FROM {table}")))
    return rows


def _local_run(folder: Path, packages: Path, *args: str) -> Path:
    out = folder / "out"
    env = dict(os.environ, ARGOS_PACKAGES_DIR=str(packages))
    env.pop("RAY_ADDRESS", None)
    result = subprocess.run([str(TANDEM), "run", *args, "--out", str(out)], capture_output=True, text=True,
                            env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_two_nodes_on_loopback_only(ray_cluster):
    nodes = ray_cluster.helper("nodes")
    assert [n["alive"] for n in nodes] == [True, True] and sum(n["cpus"] for n in nodes) == 2
    assert ray_cluster.network_violations() == []


@pytest.mark.slow
def test_cluster_run_writes_what_a_local_run_writes(ray_cluster, packages_dir, tmp_path):
    """Both models shipped to both nodes; every output file the same (``--inter-threads 1``: an
    actor of the default 2 would not fit on these 1-CPU nodes, and the batch plan follows it)."""
    options = ["--inter-threads", "1", "--max-batch-tokens", "256"]
    articles = _articles(tmp_path / "articles")  # one place: the memory records where each came from
    local = _local_run(tmp_path / "local", packages_dir, *articles, *options)
    out = tmp_path / "cluster" / "out"
    code, log = ray_cluster.tandem("run", *articles, "--out", str(out), *options, packages=packages_dir,
                                   log="identical")
    assert code == 0, log
    assert "Traceback" not in log
    expected, found = _outputs(local), _outputs(out)
    assert sorted(found) == sorted(expected)
    assert [name for name in expected if found[name] != expected[name]] == []
    assert ray_cluster.network_violations() == []


@pytest.mark.slow
def test_shared_models_and_a_different_package_refused(ray_cluster, packages_dir):
    checks = ray_cluster.helper("engine", str(packages_dir))
    assert checks["same"] and checks["actors"] == 2
    assert "not the driver's" in checks["refused"] and "translate-en_ja 1.0" in checks["refused"]


def _long_article(path: Path, sentences: int) -> Path:
    """Distinct sentences (a repeated one is translated once), in the style of the samples."""
    rng = random.Random(7)
    words = ("council", "harbor", "radar", "budget", "ships", "coast", "guard", "mayor", "ferry", "strike",
             "vote", "million", "December", "Tuesday", "report", "system", "port", "city")
    lines = [f"The {rng.choice(words)} {' '.join(rng.choice(words) for _ in range(rng.randint(6, 20)))} "
             f"cost ${n}.{rng.randint(1, 9)} million, officials said." for n in range(sentences)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_worker_killed_mid_run_changes_nothing(ray_cluster, packages_dir, tmp_path):
    """An actor's process is killed while it translates: Ray restarts it, its batches are
    translated again, and the run writes exactly what a local run writes."""
    options = ["--to", "ru", "--inter-threads", "1", "--max-batch-tokens", "256"]
    article = _long_article(tmp_path / "long.txt", 600)
    local = _local_run(tmp_path / "local", packages_dir, str(article), *options)
    out = tmp_path / "cluster" / "out"
    watcher = ray_cluster.helper_start("busy")  # connected before the run starts: it misses nothing
    run = ray_cluster.tandem("run", str(article), "--out", str(out), *options, packages=packages_dir, log="killed",
                             wait=False)
    busy = ray_cluster.answer(watcher, "busy", timeout=180)
    assert busy, "no actor was seen translating"
    assert busy["pid"] in ray_cluster.processes()  # a process this test started (a child of its raylet)
    violations = ray_cluster.network_violations()  # the driver is running now: its sockets too
    os.kill(busy["pid"], signal.SIGKILL)
    code = run.wait(timeout=600)
    log = (ray_cluster.folder / "killed.log").read_text()
    assert code == 0, log
    assert _outputs(out) == _outputs(local), log
    assert violations == []
