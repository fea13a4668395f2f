"""Where a simulation's time goes, when someone asks: seconds by phase.

`recording()` collects, for the code run inside it (in the same thread or task), the
seconds spent in each `phase(name)`: the benchmarks use it to show what bounds the
throughput (`benchmarks/bench_http.py`). Outside a recording a phase costs one context
variable look-up; phases of the same name add up, and a phase inside another counts
in both.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager

# The phases the simulator records (simulator.gross, simulator.engine).
GROSS_UP = "gross-up"  # the light simulations that find gross incomes from nets
FINAL = "final simulation"  # the simulation results are read from, built and computed
CATALOG = "catalog"  # within it: the variables the results read (engine.Part.compute)

_seconds: contextvars.ContextVar[dict[str, float] | None] = contextvars.ContextVar(
    "simulator_phase_seconds", default=None
)


@contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Phase name → seconds spent in it while the block runs (filled as it runs)."""
    seconds: dict[str, float] = {}
    token = _seconds.set(seconds)
    try:
        yield seconds
    finally:
        _seconds.reset(token)


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Count the block's seconds as `name` in the recording under way, if any."""
    seconds = _seconds.get()
    if seconds is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
