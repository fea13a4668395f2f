"""Our web process against `openfisca serve`, over HTTP on loopback, same households.

Starts each server in turn as production does, with the same number of workers:

- ours as the Procfile does: `flask --app webapp init-db`, then gunicorn with
  webapp/gunicorn_conf.py (a temporary SQLite database, rate limits off, an API key
  for the batch endpoint); households are POSTed to /api/v1/simulations as v1 JSON;
- the baseline: `openfisca serve` with OpenFisca-France and both extensions; each
  household is POSTed to /calculate as the complete OpenFisca situation our mapping
  builds (simulator.situation.build_situation, with the gross factors of
  simulator.gross), asking every catalog variable of the household's territory
  (amounts, explanation variables, limits) at its period.

Measures (medians unless stated): one household not cached; the same household again;
`--clients` concurrent clients sending different households for `--duration` seconds
(throughput, p95, errors, refusals); 10 batches of 1,000 households through the batch
API (ours); a what-if axis of 200 points (HTTP when the API has it, else in process);
an overload (`--overload-clients`, 800, for 20 s: how many 503 refusals, how fast,
then how long until a household is answered again); memory per worker (RSS from
/proc); time from start to first answer. Prints a table
of both sides, their ratios and the targets of issue 5, and stops the servers.

Usage: .venv/bin/python -m benchmarks.bench_http [--duration 60] [--clients 16]
       [--workers 2] [--skip-baseline] [--redis] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import corpus, household  # noqa: E402

BIN = Path(sys.executable).parent
MONTH = "2026-11"
REQUEST_TIMEOUT = 180.0  # seconds: the baseline may take long under load
START_TIMEOUT = 180.0


# -- servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    port: int
    started: float
    log: Path
    first_answer: float | None = None
    peak_rss: dict[int, float] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def sample_memory(self) -> None:
        for pid in self.workers():
            self.peak_rss[pid] = max(self.peak_rss.get(pid, 0.0), rss_mb(pid))

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def spawn(name: str, command: list[str], env: dict[str, str], log: Path) -> Server:
    port = int(env["BENCH_PORT"])
    stream = log.open("w")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=stream,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    return Server(name, process, port, time.monotonic(), log)


def our_environment(folder: Path, redis: bool) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
        INSTANCE_PATH=str(folder / "instance"),
        SECRET_KEY=secrets.token_hex(16),
        RATELIMIT_ENABLED="false",
        SESSION_COOKIE_SECURE="false",
    )
    if redis:
        env["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        env["RESULTS_CACHE_PREFIX"] = f"bench-{secrets.token_hex(4)}:"
    return env


def start_ours(folder: Path, workers: int, redis: bool) -> tuple[Server, str]:
    env = our_environment(folder, redis)
    flask = [str(BIN / "flask"), "--app", "webapp"]
    subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, check=True)
    created = subprocess.run(
        [*flask, "api-keys", "create", "--name", "benchmark"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    key = next(line for line in created.stdout.splitlines() if line.startswith("as_"))
    port = free_port()
    env.update(WEB_CONCURRENCY=str(workers), BENCH_PORT=str(port))
    command = [
        str(BIN / "gunicorn"),
        "--config",
        "webapp/gunicorn_conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "webapp:create_app()",
    ]
    return spawn("ours", command, env, folder / "ours.log"), key


def start_baseline(folder: Path, workers: int) -> Server:
    port = free_port()
    env = dict(os.environ, BENCH_PORT=str(port))
    command = [
        str(BIN / "openfisca"),
        "serve",
        "--country-package",
        "openfisca_france",
        "--extensions",
        "openfisca_france_local",
        "openfisca_paris",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    return spawn("openfisca serve", command, env, folder / "baseline.log")


# -- requests --------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    seconds: float
    retry_after: str | None = None
    body: Any = None


def post(
    url: str,
    payload: Any,
    headers: dict[str, str] | None = None,
    read: Callable[[bytes], Any] = json.loads,
) -> Answer:
    """POST `payload` (JSON data, or a body already encoded as bytes); the answer's
    body is what `read` makes of its bytes."""
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            body = read(response.read())
            return Answer(response.status, time.perf_counter() - started, body=body)
    except urllib.error.HTTPError as error:
        error.read()
        return Answer(
            error.code,
            time.perf_counter() - started,
            retry_after=error.headers.get("Retry-After"),
        )
    except (OSError, urllib.error.URLError):
        return Answer(0, time.perf_counter() - started)


def wait_first_answer(server: Server, probe: Callable[[], Answer]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} stopped: see {server.log}")
        if probe().status == 200:
            server.first_answer = time.monotonic() - server.started
            return
        time.sleep(0.25)
    raise RuntimeError(f"{server.name} gave no answer in {START_TIMEOUT} s")


# -- the households, both ways ---------------------------------------------------------


@dataclass
class Workload:
    """The same households as v1 JSON (ours) and OpenFisca situations (baseline)."""

    households: list[dict[str, Any]]
    situations: list[dict[str, Any]]
    excluded: list[str]  # catalog variables the baseline cannot compute


def baseline_situations(
    households: list[dict[str, Any]], known: set[str], failing: set[str]
) -> list[dict[str, Any]]:
    from simulator.engine import (
        benefits_for,
        catalog_variables,
        period_for,
        variable_layout,
    )
    from simulator.gross import gross_factors
    from simulator.household import parse_request
    from simulator.situation import EntityIds, build_situation

    requests = [parse_request(data) for data in households]
    factors = gross_factors(requests)
    plurals = {
        "individu": "individus",
        "famille": "familles",
        "foyer_fiscal": "foyers_fiscaux",
        "menage": "menages",
    }
    roles = {"parents", "enfants", "declarants", "personnes_a_charge"}
    roles |= {"personne_de_reference", "conjoint", "autres"}
    situations = []
    for index, request in enumerate(requests):
        mine = {
            (0, member, income): factor
            for (household, member, income), factor in factors.items()
            if household == index
        }
        situation = build_situation([request], mine)
        for entities in situation.values():
            for variables in entities.values():
                for name in [n for n in variables if n not in roles]:
                    if name not in known:
                        del variables[name]  # our own extension (resident_since)
        ids = EntityIds("h0_")
        people = [ids.person(m.id) for m in request.household.members]
        asked = catalog_variables(benefits_for(request.household.commune or ""))
        for variable in asked:
            if variable not in known or variable in failing:
                continue
            entity, unit = variable_layout(variable)
            period = period_for(unit, request.month)
            targets = {
                "individu": people,
                "famille": [ids.famille],
                "foyer_fiscal": [ids.foyer_fiscal],
                "menage": [ids.menage],
            }[entity]
            for target in targets:
                values = situation[plurals[entity]][target].setdefault(variable, {})
                values.setdefault(period, None)  # an input stays as it is
        situations.append(situation)
    return situations


def failing_in_baseline(known: set[str]) -> set[str]:
    """Catalog variables the baseline's rules cannot compute (they need our reforms:
    EPCI membership from the current official list, residence duration)."""
    from openfisca_core.simulation_builder import SimulationBuilder
    from openfisca_france import CountryTaxBenefitSystem

    from rules.system import checked_catalog
    from simulator.engine import catalog_variables
    from simulator.household import parse_request
    from simulator.situation import build_situation

    system = CountryTaxBenefitSystem()
    for extension in ("openfisca_france_local", "openfisca_paris"):
        system.load_extension(extension)
    sample = [
        parse_request(data)
        for data in corpus(40, seed=99, month=MONTH)
        if data["household"]["commune"] != "75118"
    ]
    situation = build_situation(sample)
    for entities in situation.values():
        for variables in entities.values():
            for name in [n for n in variables if isinstance(variables[n], dict)]:
                if name not in known:
                    del variables[name]
    failing = set()
    for variable in catalog_variables(checked_catalog()):
        if variable not in known:
            continue
        simulation = SimulationBuilder().build_from_entities(system, situation)
        unit = str(system.variables[variable].definition_period)
        period = MONTH[:4] if unit == "year" else MONTH
        try:
            simulation.calculate(variable, period)
        except Exception:
            failing.add(variable)
    return failing


def workload(size: int, seed: int, baseline: bool) -> Workload:
    households = corpus(size, seed=seed, month=MONTH)
    if not baseline:
        return Workload(households, [], [])
    from rules.system import tax_benefit_system

    known = set(tax_benefit_system().variables)  # ours: France, extensions, reforms
    from openfisca_france import CountryTaxBenefitSystem

    plain = CountryTaxBenefitSystem()
    for extension in ("openfisca_france_local", "openfisca_paris"):
        plain.load_extension(extension)
    known = set(plain.variables)
    del plain
    failing = failing_in_baseline(known)
    return Workload(
        households, baseline_situations(households, known, failing), sorted(failing)
    )


# -- scenarios -------------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def single(send: Callable[[Any], Answer], payloads: list[Any]) -> dict[str, Any]:
    answers = [send(payload) for payload in payloads]
    ok = [a.seconds for a in answers if a.status == 200]
    return {"median": median(ok), "errors": len(answers) - len(ok)}


def repeated(send: Callable[[Any], Answer], payload: Any, times: int) -> dict[str, Any]:
    send(payload)
    send(payload)  # both workers may have to see it once
    answers = [send(payload) for _ in range(times)]
    ok = [a.seconds for a in answers if a.status == 200]
    return {"median": median(ok), "errors": len(answers) - len(ok)}


def load(
    send: Callable[[Any], Answer],
    payloads: Iterator[Any],
    clients: int,
    duration: float,
    server: Server,
    pause_after_refusal: float = 0.0,
) -> dict[str, Any]:
    """`clients` threads sending different households until `duration` is over
    (after a 503, a client pauses `pause_after_refusal` seconds)."""
    lock = threading.Lock()
    answers: list[Answer] = []
    deadline = time.monotonic() + duration
    started = time.monotonic()

    def client() -> None:
        while time.monotonic() < deadline:
            with lock:
                payload = next(payloads, None)
            if payload is None:
                return
            answer = send(payload)
            with lock:
                answers.append(answer)
            if answer.status == 503 and pause_after_refusal:
                time.sleep(pause_after_refusal)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        server.sample_memory()
        time.sleep(1)
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ok = [a.seconds for a in answers if a.status == 200]
    refused = [a for a in answers if a.status == 503]
    return {
        "throughput": len(ok) / elapsed,
        "answered": len(ok),
        "p95": percentile(ok, 0.95),
        "median": median(ok),
        "errors": len(answers) - len(ok) - len(refused),
        "refused": len(refused),
        "refused_median": median([a.seconds for a in refused]),
        "retry_after": all(a.retry_after for a in refused),
        "seconds": elapsed,
    }


class Households:
    """Generated households without end, for any number of client threads: refused
    at once, 800 clients send tens of thousands in 20 s, and a household sent twice
    could be answered from the cache."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def __iter__(self) -> Households:
        return self

    def __next__(self) -> dict[str, Any]:
        with self._lock:
            return household(self._rng, MONTH)


def overload(
    send: Callable[[Any], Answer],
    payloads: Iterator[Any],
    clients: int,
    duration: float,
    server: Server,
) -> dict[str, Any]:
    """Far more clients than capacity for `duration` seconds, then one client: how
    many were refused (503), how fast, and how long until a household is answered
    again."""
    flood = load(send, payloads, clients, duration, server, pause_after_refusal=0.2)
    started = time.monotonic()
    statuses = []
    while time.monotonic() - started < 60:
        answer = send(next(payloads))
        statuses.append(answer.status)
        if answer.status == 200:
            break
        time.sleep(1)
    recovered = statuses[-1] == 200
    flood["recovered_after"] = time.monotonic() - started if recovered else None
    flood["statuses_after"] = statuses
    return flood


# The entries of a batch answer as orjson writes them (no spaces): a string cannot
# hold an unescaped quote, so this matches the entries and nothing inside them.
BATCH_ENTRY = re.compile(rb'\{"index":(\d+),"status":"(ok|error)"')


def batch_entries(body: bytes) -> list[tuple[bytes, bytes]]:
    """A batch answer's entries as (index, status), found without parsing the whole
    answer (about 50 MB for 1,000 households: `json.loads` takes over a second of
    the cores the server runs on)."""
    return BATCH_ENTRY.findall(body)


def batches(
    server: Server, key: str, households: list[dict[str, Any]], size: int, senders: int
) -> dict[str, Any]:
    """The batches POSTed by `senders` threads; timed from the first request to the
    last answer. The bodies are encoded before, and each answer is checked by its
    status and its entries (one per household, in order, each "ok"), not parsed:
    the client shares the server's cores and must not slow it down. The first
    batch's answer is also parsed completely after the timing, a check of the
    shortcut."""
    chunks = [households[i : i + size] for i in range(0, len(households), size)]
    bodies = [json.dumps({"simulations": chunk}).encode() for chunk in chunks]
    answers: dict[int, Answer] = {}
    lock = threading.Lock()
    queue = iter(enumerate(bodies))

    def sender() -> None:
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            number, body = item
            answer = post(
                server.url("/api/v1/simulations/batch"),
                body,
                {"Authorization": f"Bearer {key}"},
                read=lambda raw, number=number: (
                    raw if number == 0 else batch_entries(raw)
                ),
            )
            with lock:
                answers[number] = answer

    started = time.monotonic()
    threads = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        server.sample_memory()
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    failed = 0
    for number, chunk in enumerate(chunks):
        answer = answers.get(number)
        if answer is None or answer.status != 200:
            failed += 1
            continue
        if number == 0:
            parsed = json.loads(answer.body)["results"]
            entries = [(str(r["index"]).encode(), r["status"].encode()) for r in parsed]
            if entries != batch_entries(answer.body):
                failed += 1
                continue
        else:
            entries = answer.body
        if entries != [(str(i).encode(), b"ok") for i in range(len(chunk))]:
            failed += 1
    return {"seconds": elapsed, "batches": len(chunks), "errors": failed}


def axis_in_process(points: int) -> float:
    from simulator.household import parse_request
    from simulator.service import prepare
    from simulator.variations import variations

    prepare()  # as a worker would be

    request = parse_request(corpus(1, seed=3, month=MONTH)[0])
    member = request.household.applicant.id
    variations(request, member, "salary", 0, 3000, 5)  # warm
    started = time.perf_counter()
    variations(request, member, "salary", 0, 4000, points)
    return time.perf_counter() - started


def phases_in_process(
    households: list[dict[str, Any]], size: int, batches: int
) -> dict[str, float] | None:
    """What a coalesced batch of `size` households costs in this process (servers
    stopped), by phase (simulator.timing): the median of `batches` batches, after two
    to warm up. The final simulation (the catalog's variables and the taxable income
    they read) is what the load's throughput cannot go below: the other phases could
    cost nothing and a batch would still take that long. None when `households` do
    not make three full batches."""
    from simulator.household import parse_request
    from simulator.results import simulate
    from simulator.service import prepare
    from simulator.timing import CATALOG, FINAL, GROSS_UP, recording

    prepare()  # as a worker would be
    requests = [parse_request(data) for data in households]
    batches = min(batches, len(requests) // size - 2)
    if batches < 1:
        return None
    measured: list[dict[str, float]] = []
    for index in range(batches + 2):
        chunk = requests[index * size : (index + 1) * size]
        started = time.perf_counter()
        with recording() as seconds:
            simulate(chunk)
        if index >= 2:
            measured.append({**seconds, "batch": time.perf_counter() - started})
    found = {
        key: statistics.median(m.get(key, 0.0) for m in measured)
        for key in ("batch", GROSS_UP, FINAL, CATALOG)
    }
    return {**found, "size": size, "batches": batches}


# -- the run ---------------------------------------------------------------------------


def run_ours(args: argparse.Namespace, folder: Path, work: Workload) -> dict[str, Any]:
    server, key = start_ours(folder, args.workers, args.redis)
    households = work.households
    results: dict[str, Any] = {}
    try:

        def send(payload: Any) -> Answer:
            return post(server.url("/api/v1/simulations"), payload)

        wait_first_answer(server, lambda: send(households[-1]))
        server.sample_memory()
        results["first_answer"] = server.first_answer
        results["single"] = single(send, households[: args.single])
        results["cached"] = repeated(send, households[0], args.repeats)
        server.sample_memory()
        rest = iter(households[args.single + 1 : args.load_households])
        results["load"] = load(send, rest, args.clients, args.duration, server)
        results["rss_before_batches"] = sorted(server.peak_rss.values())
        batch_households = corpus(args.batch_total, seed=args.seed + 1, month=MONTH)
        results["batch"] = batches(
            server, key, batch_households, args.batch_size, args.batch_senders
        )
        axis = post(
            server.url("/api/v1/simulations/variations"),
            {
                **households[1],
                "axis": {
                    "member_id": "me",
                    "income": "salary",
                    "start": 0,
                    "stop": 4000,
                    "steps": 200,
                },
            },
        )
        if axis.status == 200 and len(axis.body["points"]) == 200:
            results["axis"] = {"seconds": axis.seconds, "where": "HTTP"}
        else:
            results["axis"] = {
                "seconds": axis_in_process(200),
                "where": f"in process (HTTP {axis.status})",
            }
        results["overload"] = overload(
            send,
            Households(args.seed + 2),
            args.overload_clients,
            args.overload_duration,
            server,
        )
        server.sample_memory()
        results["rss"] = sorted(server.peak_rss.values())
    finally:
        server.stop()
    return results


def run_baseline(
    args: argparse.Namespace, folder: Path, work: Workload
) -> dict[str, Any]:
    server = start_baseline(folder, args.workers)
    situations = work.situations
    results: dict[str, Any] = {}
    try:

        def send(payload: Any) -> Answer:
            return post(server.url("/calculate"), payload)

        wait_first_answer(server, lambda: send(situations[-1]))
        server.sample_memory()
        results["first_answer"] = server.first_answer
        results["single"] = single(send, situations[: args.single])
        results["cached"] = repeated(send, situations[0], min(args.repeats, 5))
        server.sample_memory()
        rest = iter(situations[args.single + 1 :])
        results["load"] = load(send, rest, args.clients, args.duration, server)
        server.sample_memory()
        results["rss"] = sorted(server.peak_rss.values())
    finally:
        server.stop()
    return results


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "-"
    if unit == "ms":
        return f"{value * 1000:.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.1f} {unit}"


def report(ours: dict[str, Any], base: dict[str, Any], args: argparse.Namespace):
    rows = []

    def row(name, mine, theirs, shown_ratio, target, holds):
        rows.append((name, mine, theirs, shown_ratio, target, holds))

    single_ours = ours["single"]["median"]
    single_base = base.get("single", {}).get("median")
    row(
        "one household, not cached (median)",
        fmt(single_ours),
        fmt(single_base),
        ratio(single_ours, single_base),
        "<= 0.25 of baseline",
        holds(single_base and single_ours <= single_base / 4),
    )
    cached = ours["cached"]["median"]
    row(
        "same household again (median)",
        fmt(cached, "ms"),
        fmt(base.get("cached", {}).get("median"), "ms"),
        ratio(cached, base.get("cached", {}).get("median")),
        "<= 20 ms",
        holds(cached is not None and cached <= 0.020),
    )
    lo, lb = ours["load"], base.get("load", {})
    row(
        f"{args.clients} clients, {args.duration:.0f} s: throughput",
        fmt(lo["throughput"], "req/s"),
        fmt(lb.get("throughput"), "req/s"),
        ratio(lo["throughput"], lb.get("throughput")),
        ">= 50x baseline",
        holds(lb.get("throughput") and lo["throughput"] >= 50 * lb["throughput"]),
    )
    row(
        f"{args.clients} clients: p95 latency",
        fmt(lo["p95"]),
        fmt(lb.get("p95")),
        ratio(lo["p95"], lb.get("p95")),
        "<= 1.5 s",
        holds(lo["p95"] is not None and lo["p95"] <= 1.5),
    )
    row(
        f"{args.clients} clients: errors / 503 refusals",
        f"{lo['errors']} / {lo['refused']}",
        f"{lb.get('errors', '-')} / {lb.get('refused', '-')}",
        "",
        "no error",
        holds(lo["errors"] == 0),
    )
    batch = ours["batch"]
    row(
        f"{args.batch_total} households, batches of {args.batch_size}",
        fmt(batch["seconds"]),
        "-",
        "",
        "<= 20 s",
        holds(batch["errors"] == 0 and batch["seconds"] <= 20),
    )
    axis = ours["axis"]
    row(
        f"what-if axis, 200 points ({axis['where']})",
        fmt(axis["seconds"]),
        "-",
        "",
        "<= 1 s",
        holds(axis["seconds"] <= 1),
    )
    flood = ours["overload"]
    sent = flood["answered"] + flood["refused"] + flood["errors"]
    row(
        f"overload, {args.overload_clients} clients {args.overload_duration:.0f} s: "
        "503 refusals, median time to a 503",
        f"{flood['refused']} of {sent}, {fmt(flood['refused_median'])}",
        "-",
        "",
        "503 + Retry-After, early",
        holds(
            flood["refused"]
            and flood["retry_after"]
            and flood["errors"] == 0
            and flood["refused_median"] <= 1.0
        ),
    )
    row(
        "overload: p95 of the requests admitted",
        fmt(flood["p95"]),
        "-",
        "",
        "bounded (<= max delay + a batch)",
        holds(flood["p95"] is not None and flood["p95"] <= 15),
    )
    row(
        "overload over: first household answered after",
        fmt(flood["recovered_after"]),
        "-",
        "",
        "recovers by itself",
        holds(flood["recovered_after"] is not None),
    )
    rss, base_rss = ours["rss"], base.get("rss", [])
    before = ours["rss_before_batches"]
    row(
        "RSS per worker (max) before the batches",
        fmt(max(before) if before else None, "MB"),
        fmt(max(base_rss) if base_rss else None, "MB"),
        ratio(max(before) if before else None, max(base_rss) if base_rss else None),
        "<= 500 MB",
        holds(bool(before) and max(before) <= 500),
    )
    row(
        "RSS per worker (max), batches included",
        fmt(max(rss) if rss else None, "MB"),
        fmt(max(base_rss) if base_rss else None, "MB"),
        ratio(max(rss) if rss else None, max(base_rss) if base_rss else None),
        "<= 500 MB",
        holds(bool(rss) and max(rss) <= 500),
    )
    row(
        "start to first answer",
        fmt(ours["first_answer"]),
        fmt(base.get("first_answer")),
        ratio(ours["first_answer"], base.get("first_answer")),
        "<= 15 s",
        holds(ours["first_answer"] <= 15),
    )
    widths = [max(len(str(r[i])) for r in rows) for i in range(6)]
    header = ("measure", "ours", "openfisca serve", "ratio", "target", "holds")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for line in (header, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)))
    if ours.get("phases"):
        report_phases(ours["phases"], lo["throughput"], lb.get("throughput"), args)


def report_phases(
    phases: dict[str, float],
    throughput: float,
    baseline: float | None,
    args: argparse.Namespace,
) -> None:
    """A batch of the load's size in process, by phase, and the most throughput the
    load could reach were everything but the final simulation free."""
    from simulator.timing import CATALOG, FINAL, GROSS_UP

    size = phases["size"]
    print(
        f"\nin process, a batch of {size} households (what {args.clients} clients on "
        f"{args.workers} workers make at most), median of {phases['batches']}:"
    )
    print(f"  whole batch, results included     {fmt(phases['batch'])}")
    print(f"  gross-up (light simulations)      {fmt(phases[GROSS_UP])}")
    print(
        f"  final simulation                  {fmt(phases[FINAL])}, of which the "
        f"catalog's variables {fmt(phases[CATALOG])}"
    )
    most = args.workers * size / phases[FINAL]
    against = f" = {most / baseline:.0f}x the baseline" if baseline else ""
    print(
        f"  most the load could reach were requests, gross-up and results free: "
        f"{args.workers} x {size} / {phases[FINAL]:.3f} s = {most:.0f} req/s{against}"
        f" (measured: {throughput:.1f} req/s)"
    )


def holds(condition: Any) -> str:
    return "yes" if condition else "NO"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--single", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--load-households", type=int, default=4000)
    parser.add_argument("--batch-total", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--batch-senders",
        type=int,
        default=4,
        help="batch requests in flight at once (twice the workers: a threaded worker "
        "may take two while the other has none)",
    )
    parser.add_argument("--seed", type=int, default=505)
    parser.add_argument("--overload-clients", type=int, default=800)
    parser.add_argument("--overload-duration", type=float, default=20.0)
    parser.add_argument(
        "--phase-batches",
        type=int,
        default=30,
        help="batches of the load's size timed in process, by phase, at the end",
    )
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--redis", action="store_true", help="results cache in Redis")
    parser.add_argument("--json", type=Path, help="write the measures there too")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores; {args.workers} workers a server")
    baseline_size = args.single + 1 + max(200, int(args.clients * args.duration / 2))
    print("preparing households...", flush=True)
    work = workload(args.load_households, args.seed, baseline=False)
    if not args.skip_baseline:
        base_work = workload(baseline_size, args.seed, baseline=True)
        work.situations = base_work.situations
        work.excluded = base_work.excluded
        print(f"baseline cannot compute (left out): {', '.join(work.excluded)}")
    with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
        print("ours...", flush=True)
        ours = run_ours(args, Path(folder), work)
        base: dict[str, Any] = {}
        if not args.skip_baseline:
            print("openfisca serve...", flush=True)
            base = run_baseline(args, Path(folder), work)
    size = max(1, args.clients // args.workers)
    print(f"in process, batches of {size}...", flush=True)
    ours["phases"] = phases_in_process(
        work.households[-(args.phase_batches + 2) * size :], size, args.phase_batches
    )
    report(ours, base, args)
    if args.json:
        args.json.write_text(json.dumps({"ours": ours, "baseline": base}, indent=2))


if __name__ == "__main__":
    main()
