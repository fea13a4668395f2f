"""The simulator as a service: cached, coalesced, bounded; for the web and the API.

- `simulate_one(request)`: one household, from the cache or coalesced with the
  requests of other threads; raises `Overloaded` (retry_after in seconds) rather than
  queue without bound.
- `simulate_many(requests)`: a batch; the cached ones from the cache, the others in
  vectorised simulations of at most BATCH_SIZE (1,000) households.
- `variations(...)`: the what-if axis (simulator.variations), its points coalesced
  like single requests (so bounded by the same queue: may raise `Overloaded`);
  `simulate_with_variations(...)`: a household's results and its axis, simulated
  together (the cost of one simulation instead of two).
- `prepare()`: build the rules, catalog, folded rules and look-up tables once, before
  a server forks its workers, warm them with one simulation, and move everything
  built so far out of the garbage collector's sight (gc.freeze).

Settings (environment): REDIS_URL (shared cache, else in process), RESULTS_CACHE_*
(simulator.cache), SIMULATOR_MAX_BATCH, SIMULATOR_MAX_WAIT_MS, SIMULATOR_BURST_WAIT_MS,
SIMULATOR_MAX_QUEUE, SIMULATOR_MAX_DELAY_S, SIMULATOR_MAX_CALLERS (simulator.coalescer),
SIMULATOR_BATCH_SIZE (here), SIMULATOR_FOLDING=off (simulator.engine).
"""

from __future__ import annotations

import functools
import gc
import os
import threading
from collections.abc import Sequence
from typing import Any

from simulator.cache import ResultsCache, cache_from_environment
from simulator.coalescer import (
    DEFAULT_BURST_WAIT,
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_DELAY,
    DEFAULT_MAX_QUEUE,
    DEFAULT_MAX_WAIT,
    Coalescer,
    Overloaded,
)
from simulator.household import SimulationRequest, parse_request
from simulator.results import Results, simulate
from simulator.variations import variations as axis_variations

__all__ = [
    "Overloaded",
    "prepare",
    "simulate_many",
    "simulate_one",
    "simulate_with_variations",
    "variations",
]

# Households a simulation in simulate_many holds at most (SIMULATOR_BATCH_SIZE sets
# it). Measured in one process, 1,000 households in simulations of 1,000: 4.5 s and
# +46 to +61 MB of peak RSS; of 500: 6.0 s and +21 to +34 MB. Through the benchmark
# (gunicorn, 2 workers, 10 batch requests of 1,000, 4 in flight), with 1,000: 37 s
# and 433 MB at most a worker (the limit is 500 MB), now that results hold their
# sentences unwritten and simulations let go of their values when done.
BATCH_SIZE = 1000


def batch_size() -> int:
    """Households a simulation of `simulate_many` holds at most."""
    return max(1, int(os.environ.get("SIMULATOR_BATCH_SIZE", BATCH_SIZE)))


# One vectorised simulation at a time in a process: the coalescer's and the batches'
# (with threaded workers, two batch requests would otherwise hold two simulations'
# arrays at once, 800 MB measured, where one worker must stay under 500 MB). They
# would share the interpreter's lock anyway: taking turns costs no throughput.
_one_at_a_time = threading.Lock()


def _new_lock() -> None:
    global _one_at_a_time
    _one_at_a_time = threading.Lock()


os.register_at_fork(after_in_child=_new_lock)


def simulate_in_turn(requests: Sequence[SimulationRequest]) -> list[Results]:
    """`simulate`, once the process' other vectorised simulation is over."""
    with _one_at_a_time:
        return simulate(requests)


@functools.cache
def results_cache() -> ResultsCache:
    return cache_from_environment()


@functools.cache
def coalescer() -> Coalescer:
    environ = os.environ
    return Coalescer(
        simulate_in_turn,
        max_batch=int(environ.get("SIMULATOR_MAX_BATCH", DEFAULT_MAX_BATCH)),
        max_wait=float(environ.get("SIMULATOR_MAX_WAIT_MS", DEFAULT_MAX_WAIT * 1000))
        / 1000,
        burst_wait=float(
            environ.get("SIMULATOR_BURST_WAIT_MS", DEFAULT_BURST_WAIT * 1000)
        )
        / 1000,
        max_queue=int(environ.get("SIMULATOR_MAX_QUEUE", DEFAULT_MAX_QUEUE)),
        max_delay=float(environ.get("SIMULATOR_MAX_DELAY_S", DEFAULT_MAX_DELAY)),
        max_callers=int(environ["SIMULATOR_MAX_CALLERS"])
        if environ.get("SIMULATOR_MAX_CALLERS")
        else None,
    )


def simulate_one(request: SimulationRequest) -> Results:
    """One household's results: cached, else coalesced. May raise Overloaded."""
    cache = results_cache()
    found = cache.get(request)
    if found is not None:
        return found
    results = coalescer().submit(request)
    cache.put(request, results)
    return results


def coalesced(requests: Sequence[SimulationRequest]) -> list[Results]:
    """Requests simulated by the coalescer, with whatever else is waiting, at most a
    batch at a time: submitted all at once, more requests than the queue holds (an
    axis of 1,000 points, when it holds 512) would be refused by an idle server.

    Raises Overloaded when the queue cannot take the next batch; those not yet
    simulated are not simulated then.
    """
    size = max(1, min(coalescer().max_batch, coalescer().max_queue))
    results: list[Results] = []
    for start in range(0, len(requests), size):
        futures = coalescer().submit_group(requests[start : start + size])
        results += [future.result() for future in futures]
    return results


def variations(
    request: SimulationRequest,
    member_id: str,
    income: str,
    start: float,
    stop: float,
    steps: int,
) -> dict[str, Any]:
    """The what-if axis (simulator.variations), coalesced. May raise Overloaded."""
    return axis_variations(
        request, member_id, income, start, stop, steps, simulate_batch=coalesced
    )


def simulate_with_variations(
    request: SimulationRequest,
    member_id: str,
    income: str,
    start: float,
    stop: float,
    steps: int,
) -> tuple[Results, dict[str, Any]]:
    """A household's results (cached, else simulated) and its what-if axis, the
    household and the axis' points in the same coalesced simulation.

    May raise Overloaded, or HouseholdError for an axis out of bounds.
    """
    cache = results_cache()
    found = cache.get(request)
    own: list[Results] = []

    def together(copies: Sequence[SimulationRequest]) -> list[Results]:
        if found is not None:
            return coalesced(copies)
        computed = coalesced([request, *copies])
        own.append(computed[0])
        return computed[1:]

    axis = axis_variations(
        request, member_id, income, start, stop, steps, simulate_batch=together
    )
    if found is not None:
        return found, axis
    cache.put(request, own[0])
    return own[0], axis


def simulate_many(requests: Sequence[SimulationRequest]) -> list[Results]:
    """Every request's results, in order: cached ones from the cache, the others in
    vectorised simulations (the same results as one by one)."""
    cache = results_cache()
    found: list[Results | None] = [cache.get(request) for request in requests]
    missing = [index for index, results in enumerate(found) if results is None]
    size = batch_size()
    for start in range(0, len(missing), size):
        chunk = missing[start : start + size]
        for index, results in zip(
            chunk, simulate_in_turn([requests[i] for i in chunk]), strict=True
        ):
            found[index] = results
            cache.put(requests[index], results)
    return [results for results in found if results is not None]


SAMPLE = {
    "household": {
        "commune": "75056",
        "housing": {"tenure": "tenant", "rent": 600.0},
        "members": [
            {
                "id": "me",
                "role": "applicant",
                "birth_date": "1990-01-01",
                "activity": "employed",
                "incomes": {"salary": 1200.0},
            }
        ],
    }
}


def prepare() -> None:
    """Build and warm everything a worker needs, once (call before forking)."""
    from rules.system import checked_catalog, tax_benefit_system
    from simulator.engine import system_for
    from simulator.household import current_month
    from simulator.territory import communes

    tax_benefit_system()
    checked_catalog()
    communes()
    system_for(current_month())
    simulate([parse_request(SAMPLE)])  # parameters at the months read, caches
    # A million long-lived objects (rules, catalog, communes): the collector need not
    # scan them on every collection (1,000 households: 6.4 s -> 5.4 s, measured), and
    # forked workers then share their pages instead of copying them.
    gc.collect()
    gc.freeze()
