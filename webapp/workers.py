"""Gunicorn's threaded worker, taught to leave new connections to a less busy worker.

Gunicorn's workers share one listening socket: when a connection comes, every idle
worker's loop wakes and the first to call `accept` gets it, however much work it
already holds. A threaded worker simulating a batch still accepts at once (its loop
runs between the simulation's bytecodes), and the batches it takes wait for its one
batch at a time (`webapp.api.views`) while the other worker may have nothing to do:
10 batches of 1,000 households sent 4 at a time to 2 workers kept one worker busy
25 s and the other 17 s (CPU, measured), so the last answer came after 26 s.

`BalancedThreadWorker` waits `ACCEPT_DELAY` seconds for each batch it holds before it
accepts: a worker holding none accepts at once and gets the connection; when every
worker holds some, the one holding fewest accepts first. A connection is never
refused nor lost: at worst it waits in the socket's queue for that delay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

ACCEPT_DELAY = 0.1  # seconds a worker waits before accepting, for each batch held
MAX_DELAY = 0.5  # and at most that: past a few batches, more make no difference

_held = 0
_held_lock = threading.Lock()


def batches_held() -> int:
    """The batches this process holds: being simulated or waiting to be."""
    return _held


@contextmanager
def holding_batch() -> Iterator[None]:
    """Count a batch as held by this process while inside."""
    global _held
    with _held_lock:
        _held += 1
    try:
        yield
    finally:
        with _held_lock:
            _held -= 1


def accept_delay(held: int) -> float:
    """Seconds to wait before accepting a connection while `held` batches are held."""
    return min(MAX_DELAY, ACCEPT_DELAY * held)


class BalancedThreadWorker(ThreadWorker):
    """A gthread worker that accepts later the more batches it holds."""

    def accept(self, server: Any, listener: Any) -> None:
        delay = accept_delay(batches_held())
        if delay:
            # Another worker, idle, takes the connection meanwhile; then the socket
            # has nothing left and gunicorn's accept passes (EAGAIN, non-blocking).
            time.sleep(delay)
        super().accept(server, listener)
