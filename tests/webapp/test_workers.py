"""The gunicorn worker that leaves new connections to a worker holding fewer batches
(webapp.workers), and the batches the API counts as held."""

from __future__ import annotations

import threading

import pytest
from gunicorn.workers.gthread import ThreadWorker

import webapp.gunicorn_conf
from webapp import workers
from webapp.workers import (
    ACCEPT_DELAY,
    MAX_DELAY,
    BalancedThreadWorker,
    accept_delay,
    batches_held,
    holding_batch,
)


def test_gunicorn_runs_the_balanced_threaded_worker():
    assert webapp.gunicorn_conf.worker_class == "webapp.workers.BalancedThreadWorker"
    assert issubclass(BalancedThreadWorker, ThreadWorker)


def test_the_delay_grows_with_the_batches_held_up_to_a_bound():
    assert accept_delay(0) == 0
    assert accept_delay(1) == ACCEPT_DELAY
    assert accept_delay(2) == 2 * ACCEPT_DELAY
    assert accept_delay(1000) == MAX_DELAY
    assert ACCEPT_DELAY < MAX_DELAY


@pytest.fixture
def worker(monkeypatch):
    """A worker whose accepts and sleeps are recorded, in order."""
    events = []
    monkeypatch.setattr(
        ThreadWorker,
        "accept",
        lambda self, server, listener: events.append(("accept", listener)),
    )
    monkeypatch.setattr(
        workers.time, "sleep", lambda seconds: events.append(("sleep", seconds))
    )
    balanced = object.__new__(BalancedThreadWorker)  # gunicorn's arbiter builds it
    balanced.events = events
    return balanced


def test_a_worker_holding_no_batch_accepts_at_once(worker):
    worker.accept(("127.0.0.1", 8000), "listener")
    assert worker.events == [("accept", "listener")]


def test_a_worker_holding_batches_waits_in_proportion_then_accepts(worker):
    with holding_batch(), holding_batch():
        worker.accept(("127.0.0.1", 8000), "listener")
    assert worker.events == [("sleep", 2 * ACCEPT_DELAY), ("accept", "listener")]


def test_batches_are_counted_while_held_even_when_they_fail():
    assert batches_held() == 0
    with holding_batch():
        assert batches_held() == 1
        with pytest.raises(RuntimeError), holding_batch():
            assert batches_held() == 2
            raise RuntimeError("a batch that failed")
        assert batches_held() == 1
    assert batches_held() == 0


def test_the_count_is_exact_under_concurrent_batches():
    start = threading.Barrier(8)

    def batch():
        start.wait()
        for _ in range(1000):
            with holding_batch():
                pass

    threads = [threading.Thread(target=batch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert batches_held() == 0
