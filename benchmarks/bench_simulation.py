"""Time one household's full screening and 1,000 households in one simulation.

Baseline, measured in the same run: the same households screened one simulation each
(what a per-request OpenFisca call costs), extrapolated from a sample.

Usage: .venv/bin/python benchmarks/bench_simulation.py [--batch 1000] [--sample 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import corpus  # noqa: E402
from rules.system import tax_benefit_system  # noqa: E402
from simulator.household import parse_request  # noqa: E402
from simulator.results import simulate  # noqa: E402


def timed(function, *args):
    start = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - start, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=5)
    args = parser.parse_args()

    build, _system = timed(tax_benefit_system)
    requests = [parse_request(data) for data in corpus(args.batch)]
    simulate(requests[:1])  # first call: caches, catalog, commune tables

    singles = [timed(simulate, [request])[0] for request in requests[: args.sample]]
    one = statistics.median(singles)
    batch, results = timed(simulate, requests)
    assert len(results) == len(requests)
    baseline = one * len(requests)

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"tax-benefit system build         {build:8.2f} s")
    print(f"one household, full screening    {one:8.2f} s  (median of {len(singles)})")
    print(
        f"{len(requests)} households, one simulation {batch:8.2f} s  "
        f"({batch / len(requests) * 1000:.1f} ms a household)"
    )
    print(
        f"baseline: {len(requests)} one at a time   {baseline:8.2f} s  (extrapolated)"
    )
    print(f"speed-up of the batch over the baseline: {baseline / batch:.1f}x")


if __name__ == "__main__":
    main()
