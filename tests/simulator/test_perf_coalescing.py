"""A household gets exactly the same results alone, coalesced and inside a batch; the
coalescer gathers concurrent requests and refuses early when overloaded."""

import random
import threading
import time

import pytest

from benchmarks.corpus import household
from simulator import service
from simulator.coalescer import Coalescer, Overloaded
from simulator.household import parse_request
from simulator.results import simulate


def create_household(commune, members, month="2026-11", housing=None, **extra):
    return parse_request(
        {
            "month": month,
            "household": {
                "commune": commune,
                "housing": housing or {"tenure": "tenant", "rent": 650.0},
                "members": members,
                **extra,
            },
        }
    )


def adult(member_id, role, born, activity, **incomes):
    member = {"id": member_id, "role": role, "birth_date": born, "activity": activity}
    if incomes:
        member["incomes"] = incomes
    return member


# Different territories (local aids), incomes read through the gross-up (salary,
# pension, unemployment benefit with a history), months, and household shapes.
HOUSEHOLDS = [
    create_household(
        "75056",
        [
            adult("me", "applicant", "1985-03-02", "employed", salary=1450.0),
            {"id": "kid", "role": "child", "birth_date": "2015-06-01"},
        ],
        resident_since="2015-01",
    ),
    create_household(
        "35238",
        [
            adult("me", "applicant", "1958-01-20", "retired", pension=1100.0),
            adult("you", "partner", "1962-07-07", "employed", salary=2300.0),
        ],
    ),
    create_household(
        "69123",
        [
            {
                **adult("me", "applicant", "1990-10-10", "unemployed"),
                "incomes": {"unemployment": 980.0},
                "history": {"salary": {"2026-01": 1500.0, "2026-02": 1500.0}},
            },
            {"id": "young", "role": "child", "birth_date": "2007-02-01"},
        ],
    ),
    create_household(
        "23096",
        [adult("me", "applicant", "1999-05-05", "student", scholarship=300.0)],
        housing={"tenure": "hosted_free"},
    ),
    create_household(
        "93066",
        [
            adult("me", "applicant", "1980-01-01", "inactive"),
            {"id": "c1", "role": "child", "birth_date": "2012-09-09"},
            {"id": "c2", "role": "child", "birth_date": "2020-04-04"},
        ],
        month="2025-06",
    ),
    create_household(
        "97411",
        [
            adult("me", "applicant", "1975-12-12", "employed", salary=3800.0),
            {"id": "granny", "role": "other", "birth_date": "1940-01-01"},
        ],
        housing={"tenure": "owner_with_loan", "loan_payment": 900.0},
    ),
]


@pytest.fixture(scope="module")
def alone():
    return [simulate([request])[0].to_json("fr") for request in HOUSEHOLDS]


def test_a_household_gets_the_same_results_inside_a_batch_as_alone(alone):
    import random

    filler = [
        parse_request(household(random.Random(seed), "2026-11")) for seed in range(4)
    ]
    batch = [*filler[:2], *HOUSEHOLDS, *filler[2:]]
    together = simulate(batch)[2 : 2 + len(HOUSEHOLDS)]
    assert [results.to_json("fr") for results in together] == alone


def test_a_household_gets_the_same_results_coalesced_as_alone(alone):
    # Sent within the wait given to requests arriving together after a quiet spell.
    coalescer = Coalescer(max_wait=2.0, max_batch=64, burst_wait=2.0)
    futures = [coalescer.submit_async(request) for request in HOUSEHOLDS]
    coalesced = [future.result(timeout=120).to_json("fr") for future in futures]
    assert coalesced == alone
    assert coalescer.batches == 1, "submitted together, simulated together"


def test_concurrent_threads_share_simulations():
    requests = HOUSEHOLDS[:4]
    coalescer = Coalescer(max_wait=0.5)
    answers = [None] * len(requests)

    def ask(index):
        answers[index] = coalescer.submit(requests[index])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(answer is not None for answer in answers)
    assert coalescer.batches < len(requests)
    assert coalescer.simulated == len(requests)


class Gate:
    """A stand-in for `simulate` that holds every batch until released."""

    def __init__(self):
        self.release = threading.Event()
        self.started = threading.Event()
        self.batches = []

    def __call__(self, requests):
        self.batches.append(list(requests))
        self.started.set()
        self.release.wait(timeout=30)
        return [f"results of {id(r)}" for r in requests]


def test_a_full_queue_refuses_at_once_with_a_retry_after_hint():
    gate = Gate()
    coalescer = Coalescer(gate, max_queue=2, max_batch=8)
    running = coalescer.submit_async(HOUSEHOLDS[0])
    assert gate.started.wait(timeout=5)
    queued = [coalescer.submit_async(request) for request in HOUSEHOLDS[1:3]]
    with pytest.raises(Overloaded) as refused:
        coalescer.submit_async(HOUSEHOLDS[3])
    assert refused.value.retry_after >= 1
    assert refused.value.waiting == 3
    gate.release.set()
    assert running.result(timeout=5) == f"results of {id(HOUSEHOLDS[0])}"
    assert [f.result(timeout=5) for f in queued] == [
        f"results of {id(r)}" for r in HOUSEHOLDS[1:3]
    ]
    assert gate.batches[1] == HOUSEHOLDS[1:3], "the waiting ones shared a batch"


def test_a_promised_wait_beyond_the_bound_is_refused():
    gate = Gate()
    coalescer = Coalescer(gate, max_batch=1, max_delay=3.0)
    coalescer.cost.fixed = 2.0  # as measured on earlier batches
    coalescer.submit_async(HOUSEHOLDS[0])
    assert gate.started.wait(timeout=5)
    with pytest.raises(Overloaded) as refused:
        coalescer.submit_async(HOUSEHOLDS[1])
    assert refused.value.retry_after >= 3
    gate.release.set()


def test_one_failing_household_does_not_fail_the_others():
    def fragile(requests):
        if any(r is HOUSEHOLDS[1] for r in requests):
            if len(requests) > 1:
                raise RuntimeError("the batch fails")
            raise ValueError("this household fails")
        return [f"ok {id(r)}" for r in requests]

    coalescer = Coalescer(fragile, max_wait=0.5)
    futures = [coalescer.submit_async(r) for r in HOUSEHOLDS[:3]]
    assert futures[0].result(timeout=5) == f"ok {id(HOUSEHOLDS[0])}"
    assert futures[2].result(timeout=5) == f"ok {id(HOUSEHOLDS[2])}"
    with pytest.raises(ValueError, match="this household fails"):
        futures[1].result(timeout=5)


def test_a_process_runs_one_vectorised_simulation_at_a_time(monkeypatch):
    # Batches and coalesced requests take turns: two simulations' arrays at once
    # would double a worker's memory.
    running = []
    overlaps = []
    lock = threading.Lock()

    def recording(requests):
        with lock:
            running.append(1)
            overlaps.append(len(running))
        time.sleep(0.05)
        with lock:
            running.pop()
        return [object() for _ in requests]

    monkeypatch.setattr(service, "simulate", recording)
    monkeypatch.setattr(service, "BATCH_SIZE", 2)
    monkeypatch.setattr(service, "results_cache", NoCache)
    coalescer = Coalescer(service.simulate_in_turn, max_wait=0)
    requests = [
        parse_request(household(random.Random(seed), month="2026-11"))
        for seed in range(1, 9)
    ]

    batch = threading.Thread(target=service.simulate_many, args=(requests,))
    batch.start()
    singles = [coalescer.submit_async(request) for request in requests[:4]]
    batch.join()
    for future in singles:
        future.result()

    assert len(overlaps) >= 5  # four chunks of the batch and the coalesced ones
    assert max(overlaps) == 1


class NoCache:
    """A results cache that keeps nothing."""

    def get(self, request):
        return None

    def put(self, request, results):
        pass
