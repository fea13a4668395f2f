"""The coalescer learns what a batch costs by its size, promises a wait close to the
one a request then gets, refuses when that promise passes `max_delay`, and admits
again once its queue drains. A stand-in simulation sleeps as long as a batch would."""

import math
import statistics
import threading
import time

import pytest

from simulator.coalescer import DEFAULT_MAX_WAIT, BatchCost, Coalescer, Overloaded

FIXED = 0.05  # seconds a batch costs whatever its size
PER_HOUSEHOLD = 0.002  # seconds more for each household in it


def true_cost(size):
    return FIXED + PER_HOUSEHOLD * size


class Timed:
    """A stand-in for `simulate`: a batch of n takes FIXED + PER_HOUSEHOLD × n seconds,
    once `open` (set unless a test holds the batches)."""

    def __init__(self):
        self.open = threading.Event()
        self.open.set()
        self.started = threading.Event()
        self.sizes = []
        self.began = []  # when each batch began its work, once open

    def __call__(self, requests):
        self.sizes.append(len(requests))
        self.started.set()
        self.open.wait(timeout=10)
        self.began.append(time.monotonic())
        time.sleep(true_cost(len(requests)))
        return [f"results of {request}" for request in requests]


def run_batches(coalescer, sizes):
    """One batch of each size, one after the other (each submitted as one group: one
    by one, a loaded machine may pause the loop past the wait for company)."""
    for size in sizes:
        futures = coalescer.submit_group([f"warm-up {i}" for i in range(size)])
        for future in futures:
            future.result(timeout=10)


def closed_loop(coalescer, seconds, starts):
    """Clients in a closed loop for `seconds`, each starting after its delay in
    `starts` and sending its next request a few milliseconds after each answer (as
    a web client does)."""
    stop = time.monotonic() + seconds

    def client(number):
        time.sleep(starts[number])
        sent = 0
        while time.monotonic() < stop:
            coalescer.submit(f"client {number} request {sent}")
            sent += 1
            time.sleep(0.005)  # the answer travels back, the next request comes

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(starts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Small batches last, as in a quiet spell before a flood: a duration smoothed
# whatever the size would then promise full batches at the cost of small ones.
WARM_UP = [32, 8, 24, 16, 4, 1, 1, 1]


def create_trained_coalescer(**settings):
    fake = Timed()
    coalescer = Coalescer(fake, max_batch=32, **settings)
    run_batches(coalescer, WARM_UP)
    assert fake.sizes == WARM_UP, "each warm-up batch simulated together"
    return coalescer, fake


def start_batch(coalescer, fake, size):
    """Requests submitted together, once their batch is being simulated."""
    fake.started.clear()
    futures = coalescer.submit_group([f"running {i}" for i in range(size)])
    assert fake.started.wait(timeout=5)
    return futures


def test_the_cost_model_learns_the_fixed_and_per_household_cost_of_a_batch():
    coalescer, _ = create_trained_coalescer()
    assert coalescer.cost.fixed == pytest.approx(FIXED, abs=0.01)
    assert coalescer.cost.per_household == pytest.approx(PER_HOUSEHOLD, abs=0.0004)
    assert coalescer.cost.seconds(32) == pytest.approx(true_cost(32), rel=0.1)


def test_batches_of_a_single_size_fit_their_cost_but_leave_the_default_slope():
    cost = BatchCost(max_batch=256, fixed=1.0, per_household=0.005)
    for _ in range(5):
        cost.observe(8, 0.5)
    assert cost.per_household == 0.005
    assert cost.seconds(8) == pytest.approx(0.5)


def test_the_cost_model_never_goes_negative():
    bigger_is_faster = BatchCost(max_batch=256)
    for size, seconds in [(1, 2.0), (200, 0.5), (1, 2.0), (200, 0.5)]:
        bigger_is_faster.observe(size, seconds)
    assert bigger_is_faster.per_household >= 0
    assert bigger_is_faster.fixed >= 0

    nothing_for_small_batches = BatchCost(max_batch=256)
    for size, seconds in [(1, 0.0), (256, 2.0), (1, 0.0), (256, 2.0)]:
        nothing_for_small_batches.observe(size, seconds)
    assert nothing_for_small_batches.fixed == 0
    assert nothing_for_small_batches.seconds(256) == pytest.approx(2.0, rel=0.05)


def test_the_wait_promised_behind_a_nearly_empty_queue_is_the_wait_then_got():
    coalescer, fake = create_trained_coalescer()
    running = start_batch(coalescer, fake, 2)
    queued = [coalescer.submit_async(f"queued {i}") for i in range(2)]

    promised = coalescer.expected_wait()
    asked = time.monotonic()
    mine = coalescer.submit_async("mine")
    assert mine.result(timeout=10) == "results of mine"
    waited = time.monotonic() - asked

    for future in running + queued:
        future.result(timeout=10)
    assert fake.sizes[-2:] == [2, 3], "the queued ones and mine shared a batch"
    # Its batch, not full, waited max_wait after the running one for company
    # (counted from when the running one began: it had, before mine came).
    real = fake.began[-2] + true_cost(2) + DEFAULT_MAX_WAIT + true_cost(3) - asked
    assert real > DEFAULT_MAX_WAIT + true_cost(3)
    assert waited == pytest.approx(real, abs=0.03)
    assert promised == pytest.approx(waited, abs=0.03)


def test_the_wait_promised_behind_a_backlog_of_full_batches_is_the_wait_then_got():
    coalescer, fake = create_trained_coalescer()
    running = start_batch(coalescer, fake, 32)
    queued = coalescer.submit_group([f"queued {i}" for i in range(3 * 32 + 5)])

    promised = coalescer.expected_wait()
    asked = time.monotonic()
    mine = coalescer.submit_async("mine")
    # Under a steady load, others arrive while it waits and fill its batch.
    later = coalescer.submit_group([f"later {i}" for i in range(32 - 6)])
    assert mine.result(timeout=10) == "results of mine"
    waited = time.monotonic() - asked

    for future in running + queued + later:
        future.result(timeout=10)
    assert fake.sizes[-5:] == [32] * 5
    # The running batch had begun before mine came (a loaded machine may pause this
    # test between the two): mine waited for its rest, then four more.
    real = fake.began[-5] + 5 * true_cost(32) - asked
    assert real > 4 * true_cost(32)
    assert waited == pytest.approx(real, abs=0.03)
    assert promised == pytest.approx(waited, rel=0.1)


def test_a_request_is_refused_when_its_promised_wait_passes_the_bound_and_not_before():
    fake = Timed()
    coalescer = Coalescer(fake, max_batch=4, max_delay=0.32)
    # As learned: with a held batch of 4 past its cost, each batch of 4 ahead adds
    # 0.058 s, and a batch not full waits 0.02 s for company, so the promise passes
    # 0.32 s with 5 full batches queued (0.368 s).
    coalescer.cost = BatchCost(4, fixed=FIXED, per_household=PER_HOUSEHOLD)
    fake.open.clear()
    held = start_batch(coalescer, fake, 4)
    time.sleep(true_cost(4) + 0.02)

    admitted, promises = [], []
    with pytest.raises(Overloaded) as refused:
        for index in range(100):
            promises.append(coalescer.expected_wait())
            admitted.append(coalescer.submit_async(f"queued {index}"))

    assert len(admitted) == 5 * 4, "refused with 5 full batches queued, not before"
    assert all(promise <= 0.32 for promise in promises[:-1])
    assert promises[-1] > 0.32
    assert promises[-1] == pytest.approx(6 * true_cost(4) + DEFAULT_MAX_WAIT)
    assert refused.value.retry_after == math.ceil(promises[-1])
    assert refused.value.waiting == 4 + 20
    assert coalescer.refused == 1

    fake.open.set()
    for future in held + admitted:
        future.result(timeout=10)


def test_requests_are_admitted_again_once_the_queue_drains():
    fake = Timed()
    coalescer = Coalescer(fake, max_batch=4, max_delay=0.32)
    coalescer.cost = BatchCost(4, fixed=FIXED, per_household=PER_HOUSEHOLD)
    fake.open.clear()
    held = start_batch(coalescer, fake, 4)
    backlog = []
    with pytest.raises(Overloaded):
        for index in range(100):
            backlog.append(coalescer.submit_async(f"queued {index}"))
    assert len(backlog) >= 4 * 4

    fake.open.set()
    for future in held + backlog:
        future.result(timeout=10)

    # The held batch took longer than its cost; the batches after it, their cost.
    assert coalescer.expected_wait() < 0.32
    again = [coalescer.submit_async(f"again {i}") for i in range(3 * 4)]
    assert [future.result(timeout=10) for future in again] == [
        f"results of again {i}" for i in range(3 * 4)
    ]
    assert coalescer.refused == 1


def test_clients_answered_by_a_batch_share_the_next_with_those_who_waited():
    # Eight clients in a closed loop, each sending its next request a few
    # milliseconds after its answer (as a web client does): they must end up in
    # batches of eight, not alternate between two half batches — the four answered
    # by a batch coming back just after the four who queued during it were taken.
    fake = Timed()
    # A wider pause than the default, so that a loaded machine (the tests run on
    # two processes) does not make a client miss it now and then; batches longer
    # than it, as simulations are.
    coalescer = Coalescer(
        lambda requests: time.sleep(0.25) or fake(requests), max_wait=0.1
    )
    closed_loop(coalescer, seconds=3.5, starts=[0.0] * 4 + [0.15] * 4)  # two groups
    settled = fake.sizes[3:-1]  # past the start and before the clients stop
    assert len(settled) >= 5
    # Alternating halves would make it 4.
    assert sum(settled) / len(settled) >= 7, fake.sizes


def test_a_group_is_admitted_as_a_whole_and_never_refused_because_of_itself():
    # The points of a what-if axis, when batches are believed to take 10 s: each
    # point after the first would have "others ahead" promised more than 5 s.
    fake = Timed()
    coalescer = Coalescer(fake, max_delay=5.0)
    coalescer.cost = BatchCost(fixed=10.0, per_household=0.0)
    futures = coalescer.submit_group([f"point {i}" for i in range(5)])
    assert [f.result(timeout=10) for f in futures] == [
        f"results of point {i}" for i in range(5)
    ]
    assert fake.sizes == [5]
    assert coalescer.refused == 0


def test_a_group_the_queue_cannot_take_is_refused_whole():
    fake = Timed()
    coalescer = Coalescer(fake, max_queue=4)
    fake.open.clear()
    held = start_batch(coalescer, fake, 1)
    with pytest.raises(Overloaded):
        coalescer.submit_group([f"point {i}" for i in range(5)])
    assert coalescer.submit_group(["alone"])  # the queue was left as it was
    fake.open.set()
    for future in held:
        future.result(timeout=10)


def test_the_first_batch_of_a_process_does_not_teach_the_cost_model():
    # A development server builds the rules during its first batch.
    slow = Timed()
    coalescer = Coalescer(lambda requests: time.sleep(0.3) or slow(requests))
    coalescer.submit("first")
    fixed = coalescer.cost.fixed
    assert fixed == BatchCost().fixed
    coalescer.submit("second")
    assert coalescer.cost.fixed != fixed  # the batches after it do


def test_callers_past_the_bound_are_refused_at_once_and_admitted_once_answered():
    # A threaded web worker of 4 threads keeps 2 free: the third caller waiting for
    # results is refused, whatever the queue and the wait promised would allow.
    fake = Timed()
    coalescer = Coalescer(fake, max_callers=2, max_delay=60.0)
    fake.open.clear()
    held = start_batch(coalescer, fake, 1)  # a caller, its batch running
    axis = coalescer.submit_group([f"point {i}" for i in range(3)])  # one caller
    started = time.monotonic()
    with pytest.raises(Overloaded):
        coalescer.submit_async("a third caller")
    assert time.monotonic() - started < 0.5  # refused at once, not after the batch
    fake.open.set()
    for future in held + axis:
        future.result(timeout=10)
    deadline = time.monotonic() + 5
    while coalescer._callers and time.monotonic() < deadline:
        time.sleep(0.01)  # the callbacks run in the coalescer's thread
    assert coalescer._callers == 0
    assert coalescer.submit_async("admitted again").result(timeout=10)


def test_without_a_bound_on_callers_they_queue_as_the_wait_allows():
    fake = Timed()
    coalescer = Coalescer(fake, max_delay=60.0)
    fake.open.clear()
    held = start_batch(coalescer, fake, 1)
    others = [coalescer.submit_async(f"caller {i}") for i in range(5)]
    fake.open.set()
    assert [f.result(timeout=10) for f in held + others]
    assert coalescer.refused == 0


def test_a_client_sending_one_request_after_another_is_not_kept_waiting():
    # Nobody else is on the way: neither after a quiet spell nor when it comes back
    # alone after its answer. (Before, each request waited max_wait for company.)
    fake = Timed()
    coalescer = Coalescer(fake, max_wait=0.5)
    waits = []
    for index in range(4):
        asked = time.monotonic()
        assert coalescer.submit(f"request {index}") == f"results of request {index}"
        waits.append(fake.began[-1] - asked)
    assert fake.sizes == [1] * 4
    assert max(waits) < 0.1, waits


def test_a_batch_starts_once_every_client_it_answered_is_back():
    # Four clients in a closed loop, with a wait for company far longer than a
    # batch: the next batch starts when the four are back, not when the wait ends.
    fake = Timed()
    coalescer = Coalescer(fake, max_wait=0.5)
    closed_loop(coalescer, seconds=1.5, starts=[0.0] * 4)
    settled = fake.sizes[2:-1]
    # Waiting out max_wait, 1.5 s would hold 3 batches.
    assert len(settled) >= 8, fake.sizes
    assert sum(settled) / len(settled) >= 3.5, fake.sizes
    began = fake.began[2:-1]
    gaps = [b - a - true_cost(4) for a, b in zip(began, began[1:], strict=False)]
    assert statistics.median(gaps) < 0.1, gaps


def test_requests_sent_together_after_a_quiet_spell_share_one_batch():
    fake = Timed()
    coalescer = Coalescer(fake, max_wait=1.0, burst_wait=0.2)
    barrier = threading.Barrier(4)
    answers = {}

    def client(number):
        barrier.wait()
        answers[number] = coalescer.submit(f"request {number}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {n: f"results of request {n}" for n in range(4)}
    assert fake.sizes == [4]
    # They waited burst_wait for each other, not max_wait for company.
    assert fake.began[0] - started < 0.6


def test_the_service_reads_its_waits_from_the_environment(monkeypatch):
    from simulator import service

    monkeypatch.setenv("SIMULATOR_MAX_WAIT_MS", "40")
    monkeypatch.setenv("SIMULATOR_BURST_WAIT_MS", "7")
    configured = service.coalescer.__wrapped__()
    assert (configured.max_wait, configured.burst_wait) == (0.04, 0.007)
    monkeypatch.delenv("SIMULATOR_MAX_WAIT_MS")
    monkeypatch.delenv("SIMULATOR_BURST_WAIT_MS")
    default = service.coalescer.__wrapped__()
    assert (default.max_wait, default.burst_wait) == (0.02, 0.003)
