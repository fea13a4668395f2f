"""Coalescing concurrent requests of a process into one vectorised simulation.

A simulation of 100 households costs little more than one of a single household, so
the requests that arrive while a simulation runs are gathered and simulated together
when it ends, and a batch waits at most `max_wait` (20 ms) for company, counted from
the end of the batch before: without it, the clients answered by a batch would come
back just too late for the next one, and would alternate between two half batches
(8 clients: batches of 4, 5.3 answers/s in one process, measured). It waits no longer
than company can be expected: once the clients the last batch answered and those who
waited then are all back (a client sending its requests one after the other is back
alone), it starts at once; after a quiet spell, a request waits `burst_wait` (3 ms)
for those who came at the same moment, not `max_wait` for company that is not on its
way (one household alone: about 20 ms sooner). The queue is bounded:
when the wait it promises exceeds `max_delay` or it holds `max_queue` requests, a
request is refused at once with `Overloaded` and a retry-after hint, rather than queued
without bound (the web layer answers 503 with Retry-After).

The promise comes from a cost model by batch size (`BatchCost`): a batch of n
households takes `fixed + per_household × n` seconds (about 1 s + 5 ms × n here, so
2.3 s for a full batch of 256 against 1 s for one), both learned from the batches run.
A request arriving now waits for the rest of the batch running (its estimate less the
time spent), then for the full batches the queue ahead of it forms, then for its own
batch, counted as large as the one running: under a steady load, those who arrive
before it is taken fill it as they filled the last. Retry-After is that wait rounded
up: the time the work now ahead needs. Time spent waiting for another simulation of
the process (`simulator.service.simulate_in_turn`) counts in a batch's seconds, so the
model learns it on average, but the coalescer cannot see such a simulation coming.

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
# Seconds a request arriving after a quiet spell waits for those sent at the same
# moment (a page's or a script's concurrent requests reach the worker within a
# millisecond or two).
DEFAULT_BURST_WAIT = 0.003
DEFAULT_MAX_QUEUE = 512
# Seconds of promised wait beyond which requests are refused: a person waits a few
# seconds for a page, not longer; a partner's client retries after Retry-After.
DEFAULT_MAX_DELAY = 5.0
# A batch's cost before any is measured (measured here: about 1.0 s for one household,
# 4 to 6 ms more for each other one).
DEFAULT_FIXED_SECONDS = 1.0
DEFAULT_SECONDS_PER_HOUSEHOLD = 0.005
# Weight of a past batch against the next one: the model follows the last ten or so.
MEMORY = 0.9


class Overloaded(Exception):
    """Too many requests are waiting: try again after `retry_after` seconds."""

    def __init__(self, retry_after: int, waiting: int) -> None:
        super().__init__(
            f"{waiting} simulations waiting; retry after {retry_after} seconds"
        )
        self.retry_after = retry_after
        self.waiting = waiting


class BatchCost:
    """Seconds a vectorised simulation of n households takes, `fixed + per_household
    × n`, fitted to the batches run by exponentially weighted least squares.

    The slope needs batches of different sizes: it is a ridge estimate pulled to the
    default, which counts as much as a spread of sizes Σw(n - mean)² of
    (max_batch / 8)². Batches all of one size (all of 1 when quiet, all full under a
    flood) fit the intercept through their cost and leave the slope to the default;
    sizes spread over tens of households decide it. Both stay non-negative.
    """

    def __init__(
        self,
        max_batch: int = DEFAULT_MAX_BATCH,
        fixed: float = DEFAULT_FIXED_SECONDS,
        per_household: float = DEFAULT_SECONDS_PER_HOUSEHOLD,
        memory: float = MEMORY,
    ) -> None:
        self.fixed = fixed
        self.per_household = per_household
        self.default_per_household = per_household
        self.memory = memory
        self.anchor = (max_batch / 8) ** 2
        # Weighted sums of the batches run: Σw, Σw·n, Σw·n², Σw·s, Σw·n·s.
        self._weight = self._sizes = self._squares = 0.0
        self._seconds = self._products = 0.0

    def seconds(self, size: int) -> float:
        """Estimated seconds of a batch of `size` households."""
        return self.fixed + self.per_household * size

    def observe(self, size: int, seconds: float) -> None:
        """Learn from a batch of `size` households that took `seconds`."""
        keep = self.memory
        self._weight = keep * self._weight + 1
        self._sizes = keep * self._sizes + size
        self._squares = keep * self._squares + size * size
        self._seconds = keep * self._seconds + seconds
        self._products = keep * self._products + size * seconds
        self._fit()

    def _fit(self) -> None:
        mean_size = self._sizes / self._weight
        mean_seconds = self._seconds / self._weight
        spread = max(0.0, self._squares - self._weight * mean_size**2)
        covariance = self._products - self._weight * mean_size * mean_seconds
        per_household = max(
            0.0,
            (covariance + self.anchor * self.default_per_household)
            / (spread + self.anchor),
        )
        fixed = mean_seconds - per_household * mean_size
        if fixed < 0:  # no batch costs less than nothing: a line through 0
            fixed = 0.0
            per_household = self._products / self._squares if self._squares else 0.0
        self.fixed = fixed
        self.per_household = max(0.0, per_household)


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
        max_callers: int | None = None,
        burst_wait: float = DEFAULT_BURST_WAIT,
    ) -> None:
        self.simulate_batch = simulate_batch
        self.max_batch = max_batch
        self.max_wait = max_wait
        self.burst_wait = min(burst_wait, max_wait)
        self.max_queue = max_queue
        self.max_delay = max_delay
        # Callers (threads) waiting for results at once: a threaded web worker keeps
        # threads free to refuse at once (see `_admit`). None: no bound.
        self.max_callers = max_callers
        self.batches = 0  # simulations run
        self.simulated = 0  # households simulated
        self.refused = 0
        # Seconds a batch takes by its size: what the promised wait is made of.
        self.cost = BatchCost(max_batch)
        self._start()

    def _start(self) -> None:
        """Fresh state for this process (a forked worker starts without threads)."""
        self._pid = os.getpid()
        self._lock = threading.Condition()
        self._queue: deque[Waiting] = deque()
        self._running = 0  # requests in the batch being simulated
        self._running_since = 0.0
        self._answered_at = 0.0  # when the last batch's results were handed out
        # The clients expected back soon after: those that batch answered and those
        # who were waiting when it did.
        self._expected = 0
        self._thread: threading.Thread | None = None
        self._callers = 0  # groups admitted whose results are not all given yet

    def submit(self, request: SimulationRequest) -> Results:
        """The results of one request, simulated with whatever else is waiting.

        Raises Overloaded at once when the wait would be too long.
        """
        return self.submit_async(request).result()

    def submit_async(self, request: SimulationRequest) -> Future[Results]:
        return self.submit_group([request])[0]

    def submit_group(
        self, requests: Sequence[SimulationRequest]
    ) -> list[Future[Results]]:
        """Requests admitted together (the points of one what-if axis): the wait is
        promised to the first, so that a group is never refused because of itself.
        At most `max_queue` requests."""
        if self._pid != os.getpid():
            self._start()
        group = [Waiting(request) for request in requests]
        with self._lock:
            self._admit(len(group))
            self._callers += 1
            self._queue.extend(group)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._serve, name="coalescer", daemon=True
                )
                self._thread.start()
            self._lock.notify()
        left = [len(group)]

        def answered(_future: Future[Results]) -> None:
            with self._lock:
                left[0] -= 1
                if not left[0]:
                    self._callers -= 1

        for waiting in group:
            waiting.future.add_done_callback(answered)
        return [waiting.future for waiting in group]

    def refuse_if_full(self, size: int = 1) -> None:
        """Raise Overloaded now if `size` requests would be refused: for a caller
        that can refuse before it reads a request (the web layer, before parsing and
        checking the body: under a flood, a refusal then costs little, and the
        simulation running keeps the processor). Queues nothing."""
        if self._pid != os.getpid():
            self._start()
        with self._lock:
            self._admit(size)

    def expected_wait(self) -> float:
        """Seconds a request arriving now would wait for its results: the rest of the
        batch running, the full batches queued ahead, then its own batch."""
        with self._lock:
            cost = self.cost
            wait = 0.0
            if self._running:
                spent = time.monotonic() - self._running_since
                wait += max(0.0, cost.seconds(self._running) - spent)
            full, before = divmod(len(self._queue), self.max_batch)
            wait += full * cost.seconds(self.max_batch)
            if before + 1 < self.max_batch:
                wait += self.max_wait  # its batch, not full, waits for company
            own = min(self.max_batch, max(before + 1, self._running))
            return wait + cost.seconds(own)

    def _admit(self, size: int = 1) -> None:
        """Refuse at once when the queue cannot take `size` more, when the wait
        promised to a request with others ahead of it passes `max_delay` (alone,
        never), or when `max_callers` callers already wait.

        The last bound is for threaded web workers: were all a worker's threads
        waiting for simulations, the requests coming in would wait in the server's
        own queue, unseen, until a batch ends, and be refused only then (800 clients
        against 2 workers of 256 threads: a 503 came after 1.6 s, and the requests
        admitted waited up to 20 s, counted from the client)."""
        queued = len(self._queue)
        ahead = queued + self._running
        wait = self.expected_wait()
        callers = self.max_callers is not None and self._callers >= self.max_callers
        if (
            queued + size > self.max_queue
            or (ahead and wait > self.max_delay)
            or (ahead and callers)
        ):
            self.refused += 1
            raise Overloaded(max(1, math.ceil(wait)), ahead)

    def _take(self) -> list[Waiting]:
        """Wait for requests; take up to max_batch of them."""
        with self._lock:
            while not self._queue:
                self._lock.wait()
            if self.max_wait > 0:
                deadline, expected = self._company()
                while len(self._queue) < min(self.max_batch, expected):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._lock.wait(left)
            batch = [
                self._queue.popleft()
                for _ in range(min(self.max_batch, len(self._queue)))
            ]
            self._running = len(batch)
            self._running_since = time.monotonic()
            return batch

    def _company(self) -> tuple[float, int]:
        """Until when the next batch waits for company, and for how many requests
        in all at most (called with the lock held and a request queued).

        After a batch, the wait is counted from the later of the first arrival and
        the batch's answers: the clients it answered come back a few milliseconds
        after it ends, while those who queued during it are already here; counted
        from the first arrival alone, the batch would leave without the former, and
        the clients would split into two half batches that alternate (measured: 8
        clients made batches of 4 and 5.3 answers/s). Once all those are here, no
        one else is on the way. A first request after a quiet spell (none arrived
        within `max_wait` of the last answers) waits `burst_wait` for those sent
        with it.
        """
        first = self._queue[0].since
        if first - self._answered_at <= self.max_wait:
            return max(first, self._answered_at) + self.max_wait, self._expected
        return first + self.burst_wait, self.max_batch

    def _serve(self) -> None:
        while True:
            batch = self._take()
            started = self._running_since
            simulated = 0
            try:
                simulated = self._run(batch)
            except Exception as error:  # never leave a caller waiting forever
                for waiting in batch:
                    if not waiting.future.done():
                        waiting.future.set_exception(error)
            elapsed = time.monotonic() - started
            with self._lock:
                self._answered_at = time.monotonic()
                self._expected = len(batch) + len(self._queue)
                self._running = 0
                # The first batch of a process may include building the rules (a
                # development server builds them on first use, 7 s): it would teach
                # the model that every batch takes that long, and refuse all.
                if simulated and self.batches:
                    self.cost.observe(simulated, elapsed)
                self.batches += 1
                self.simulated += len(batch)

    def _run(self, batch: list[Waiting]) -> int:
        """Simulate the batch; the households simulated together, 0 when it failed
        (one by one afterwards, its time says nothing of a batch's)."""
        live = [w for w in batch if w.future.set_running_or_notify_cancel()]
        if not live:
            return 0
        try:
            results = self.simulate_batch([w.request for w in live])
        except Exception as error:
            if len(live) == 1:
                live[0].future.set_exception(error)
                return 0
            # One household's failure must not fail the others: each on its own
            # (their results are the same alone).
            for waiting in live:
                try:
                    (result,) = self.simulate_batch([waiting.request])
                except Exception as single_error:
                    waiting.future.set_exception(single_error)
                else:
                    waiting.future.set_result(result)
            return 0
        for waiting, result in zip(live, results, strict=True):
            waiting.future.set_result(result)
        return len(live)
