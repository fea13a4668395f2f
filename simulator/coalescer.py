"""Coalescing concurrent requests of a process into one vectorised simulation.

A simulation of 100 households costs little more than one of a single household, so
the requests that arrive while a simulation runs are gathered and simulated together
when it ends, and a request waits at most `max_wait` (20 ms) for company: without it,
the clients answered by a batch would come back just too late for the next one, and
16 clients would alternate between two half batches (8 households/s in one process
instead of 15, measured). The queue is bounded:
when the wait it promises exceeds `max_delay` or it holds `max_queue` requests, a
request is refused at once with `Overloaded` and a retry-after hint, rather than queued
without bound (the web layer answers 503 with Retry-After).

A household's results are the same alone, coalesced or in a batch (every simulation
computes the same things in the same order, see `simulator.engine.Part`).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from simulator.household import SimulationRequest
from simulator.results import Results, simulate

DEFAULT_MAX_BATCH = 256
DEFAULT_MAX_WAIT = 0.02  # seconds a request waits for others
DEFAULT_MAX_QUEUE = 512
# Seconds of promised wait beyond which requests are refused: a person waits a few
# seconds for a page, not longer; a partner's client retries after Retry-After.
DEFAULT_MAX_DELAY = 5.0


class Overloaded(Exception):
    """Too many requests are waiting: try again after `retry_after` seconds."""

    def __init__(self, retry_after: int, waiting: int) -> None:
        super().__init__(
            f"{waiting} simulations waiting; retry after {retry_after} seconds"
        )
        self.retry_after = retry_after
        self.waiting = waiting


@dataclass
class Waiting:
    request: SimulationRequest
    future: Future[Results] = field(default_factory=Future)
    since: float = field(default_factory=time.monotonic)


class Coalescer:
    """Simulates the requests submitted from many threads in shared batches."""

    def __init__(
        self,
        simulate_batch: Callable[[Sequence[SimulationRequest]], list[Results]] = (
            simulate
        ),
        max_batch: int = DEFAULT_MAX_BATCH,
        max_wait: float = DEFAULT_MAX_WAIT,
        max_queue: int = DEFAULT_MAX_QUEUE,
        max_delay: float = DEFAULT_MAX_DELAY,
    ) -> None:
        self.simulate_batch = simulate_batch
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.max_queue = max_queue
        self.max_delay = max_delay
        self.batches = 0  # simulations run
        self.simulated = 0  # households simulated
        self.refused = 0
        # Seconds a batch takes, smoothed: what the retry-after hint is made of.
        self.batch_seconds = 1.0
        self._start()

    def _start(self) -> None:
        """Fresh state for this process (a forked worker starts without threads)."""
        self._pid = os.getpid()
        self._lock = threading.Condition()
        self._queue: deque[Waiting] = deque()
        self._running = 0  # requests in the batch being simulated
        self._thread: threading.Thread | None = None

    def submit(self, request: SimulationRequest) -> Results:
        """The results of one request, simulated with whatever else is waiting.

        Raises Overloaded at once when the wait would be too long.
        """
        return self.submit_async(request).result()

    def submit_async(self, request: SimulationRequest) -> Future[Results]:
        if self._pid != os.getpid():
            self._start()
        waiting = Waiting(request)
        with self._lock:
            self._admit()
            self._queue.append(waiting)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._serve, name="coalescer", daemon=True
                )
                self._thread.start()
            self._lock.notify()
        return waiting.future

    def expected_wait(self) -> float:
        """Seconds a request arriving now would wait for its results."""
        ahead = len(self._queue) + self._running
        return (math.ceil((ahead + 1) / self.max_batch) + 1) * self.batch_seconds

    def _admit(self) -> None:
        waiting = len(self._queue)
        wait = self.expected_wait()
        if waiting >= self.max_queue or (self._running and wait > self.max_delay):
            self.refused += 1
            raise Overloaded(max(1, math.ceil(wait)), waiting + self._running)

    def _take(self) -> list[Waiting]:
        """Wait for requests; take up to max_batch of them."""
        with self._lock:
            while not self._queue:
                self._lock.wait()
            if self.max_wait > 0:
                deadline = self._queue[0].since + self.max_wait
                while len(self._queue) < self.max_batch:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._lock.wait(left)
            batch = [
                self._queue.popleft()
                for _ in range(min(self.max_batch, len(self._queue)))
            ]
            self._running = len(batch)
            return batch

    def _serve(self) -> None:
        while True:
            batch = self._take()
            started = time.monotonic()
            try:
                self._run(batch)
            except Exception as error:  # never leave a caller waiting forever
                for waiting in batch:
                    if not waiting.future.done():
                        waiting.future.set_exception(error)
            elapsed = time.monotonic() - started
            with self._lock:
                self._running = 0
                self.batches += 1
                self.simulated += len(batch)
                self.batch_seconds = 0.7 * self.batch_seconds + 0.3 * elapsed

    def _run(self, batch: list[Waiting]) -> None:
        live = [w for w in batch if w.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            results = self.simulate_batch([w.request for w in live])
        except Exception as error:
            if len(live) == 1:
                live[0].future.set_exception(error)
                return
            # One household's failure must not fail the others: each on its own
            # (their results are the same alone).
            for waiting in live:
                try:
                    (result,) = self.simulate_batch([waiting.request])
                except Exception as single_error:
                    waiting.future.set_exception(single_error)
                else:
                    waiting.future.set_result(result)
            return
        for waiting, result in zip(live, results, strict=True):
            waiting.future.set_result(result)
