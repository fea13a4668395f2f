"""The simulator in process: one household, the cache, batches, coalescing, the what-if
axis, and the folded rules (gain and equivalence on at least 1,000 households).

Usage: .venv/bin/python benchmarks/bench_simulation.py [--households 1000]
       [--duration 20] [--clients 16]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import corpus  # noqa: E402
from rules.system import tax_benefit_system  # noqa: E402
from simulator import service  # noqa: E402
from simulator.cache import MemoryStore, ResultsCache, cache_key  # noqa: E402
from simulator.coalescer import Coalescer, Overloaded  # noqa: E402
from simulator.engine import (  # noqa: E402
    benefits_for,
    catalog_variables,
    entity_id_for,
    run,
    system_for,
)
from simulator.household import SimulationRequest, parse_request  # noqa: E402
from simulator.results import simulate  # noqa: E402

MONTH = "2026-11"
FOLDING_MONTHS = ["2024-06", "2025-12", "2026-11", "2027-07"]


def timed(function: Any, *args: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - start, value


def rss_mb() -> float:
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def requests_for(size: int, seed: int, month: str | None = MONTH):
    return [parse_request(data) for data in corpus(size, seed=seed, month=month)]


def single(requests: list[SimulationRequest], system: Any = None) -> float:
    times = [timed(run, [request], system)[0] for request in requests]
    return statistics.median(times)


def values_read(computed: Any, index: int, request: SimulationRequest) -> dict:
    values = computed.household(index)
    people = [values.ids.person(m.id) for m in request.household.members]
    read = {}
    for variable in catalog_variables(benefits_for(request.household.commune or "")):
        for person in people:
            entity_id = entity_id_for(variable, values.ids, person)
            read[(variable, entity_id)] = values.value(
                variable, request.month, entity_id
            )
    return read


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def folding_check(size: int) -> dict[str, Any]:
    """Every value the results read, with and without folding, on `size` households
    spread over four months; and the time of each."""
    per_month = max(1, size // len(FOLDING_MONTHS))
    requests = [
        request
        for rank, month in enumerate(FOLDING_MONTHS)
        for request in requests_for(per_month, 9000 + rank, month)
    ]
    folded_seconds, folded = timed(run, requests)
    plain_seconds, plain = timed(run, requests, tax_benefit_system())
    compared = differing = 0
    for index, request in enumerate(requests):
        a, b = values_read(folded, index, request), values_read(plain, index, request)
        compared += len(b)
        differing += sum(1 for key in b if not same(a[key], b[key]))
    return {
        "households": len(requests),
        "values": compared,
        "differing": differing,
        "folded": folded_seconds,
        "plain": plain_seconds,
    }


def coalesced_load(
    requests: list[SimulationRequest], clients: int, duration: float, wait: float
) -> dict[str, Any]:
    coalescer = Coalescer(simulate, max_wait=wait)
    queue = iter(requests)
    lock = threading.Lock()
    latencies: list[float] = []
    refused = 0
    deadline = time.monotonic() + duration

    def client() -> None:
        nonlocal refused
        while time.monotonic() < deadline:
            with lock:
                request = next(queue, None)
            if request is None:
                return
            started = time.perf_counter()
            try:
                coalescer.submit(request)
            except Overloaded:
                with lock:
                    refused += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "throughput": len(latencies) / elapsed,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] if latencies else None,
        "median": statistics.median(latencies) if latencies else None,
        "batches": coalescer.batches,
        "refused": refused,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=7)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--max-wait", type=float, default=20.0, help="ms")
    args = parser.parse_args()

    build, _ = timed(tax_benefit_system)
    prepare, _ = timed(service.prepare)
    fold_build = system_for(MONTH) is not tax_benefit_system()
    rows: list[tuple[str, str]] = []

    def row(name: str, value: str) -> None:
        rows.append((name, value))
        print(f"{name:<58} {value}", flush=True)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    row("tax-benefit system build", f"{build:.2f} s")
    row("prepare (catalog, communes, folded rules, warm-up)", f"{prepare:.2f} s")
    row("rules folded for the current month", "yes" if fold_build else "NO")

    sample = requests_for(args.sample, 11)
    folded = single(sample)
    plain = single(sample, tax_benefit_system())
    row(
        "one household, not cached (median), folded",
        f"{folded:.3f} s (without folding {plain:.3f} s)",
    )
    service.simulate_one(sample[0])
    hits = [timed(service.simulate_one, sample[0])[0] for _ in range(50)]
    hit = statistics.median(hits) * 1000
    row("same household again, from the cache (median)", f"{hit:.2f} ms")

    batch = requests_for(args.households, 12)
    seconds, results = timed(simulate, batch)
    row(
        f"{len(batch)} households, one vectorised simulation",
        f"{seconds:.2f} s ({seconds / len(batch) * 1000:.1f} ms a household)",
    )
    json_seconds, _ = timed(lambda: [r.to_json("fr") for r in results])
    row(f"{len(batch)} results to JSON", f"{json_seconds:.2f} s")
    store = MemoryStore(len(batch))
    cache = ResultsCache(store)
    pairs = list(zip(batch, results, strict=True))
    put_seconds, _ = timed(lambda: [cache.put(*pair) for pair in pairs])
    stored = sum(len(store.get(cache_key(request)) or b"") for request in batch)
    row(
        f"{len(batch)} results into the in-process cache",
        f"{put_seconds:.2f} s, {stored / len(batch) / 1000:.1f} kB an entry",
    )

    request = requests_for(1, 13)[0]
    member = request.household.applicant.id
    service.variations(request, member, "salary", 0, 3000, 5)
    axis, _ = timed(service.variations, request, member, "salary", 0, 4000, 200)
    row("what-if axis, 200 points", f"{axis:.2f} s")

    load = coalesced_load(
        requests_for(5000, 14), args.clients, args.duration, args.max_wait / 1000
    )
    row(
        f"{args.clients} threads, {args.duration:.0f} s, coalesced "
        f"(max wait {args.max_wait:g} ms)",
        f"{load['throughput']:.1f} households/s, p95 {load['p95']:.2f} s, "
        f"median {load['median']:.2f} s, {load['batches']} simulations, "
        f"{load['refused']} refused",
    )

    check = folding_check(args.households)
    row(
        f"folding equivalence, {check['households']} households over 4 months",
        f"{check['differing']} of {check['values']} values differ",
    )
    row(
        "  the same households folded / not folded",
        f"{check['folded']:.2f} s / {check['plain']:.2f} s",
    )
    row("memory of this process (RSS)", f"{rss_mb():.0f} MB")
    if check["differing"]:
        sys.exit("folding changed values: regenerate rules/folding.yaml")


if __name__ == "__main__":
    main()
