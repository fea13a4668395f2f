"""Gunicorn settings (see the Procfile).

Building the tax-benefit system takes seconds and hundreds of megabytes, so the
master process prepares the simulator once before forking (simulator.service.prepare:
the rules, the checked catalog, the folded rules and look-up tables, warmed with one
simulation and frozen out of the collector's sight): every worker then shares it
(copy-on-write) and answers its first request at full speed. `preload_app` also
creates the app in the master; the factory opens no database connection, so the
workers share no pooled connection.
"""

from __future__ import annotations

import os
from typing import Any

preload_app = True
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads (gunicorn's gthread worker), so that the requests a worker holds at once
# reach its coalescer together and are simulated in one simulation; enough of them
# that under overload the coalescer, not gunicorn's own queue, sees the requests
# waiting and refuses them early (503 with Retry-After). A waiting thread costs little.
threads = int(os.environ.get("GUNICORN_THREADS", "256"))
# Threaded workers that leave a new connection to a worker holding fewer batches
# (webapp.workers).
worker_class = "webapp.workers.BalancedThreadWorker"
# A simulation of a large batch may take longer than gunicorn's default 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))


def on_starting(server: Any) -> None:
    """Prepare the simulator in the master, before the workers fork.

    The benefit catalog is checked against the rules there too: a catalog naming a
    variable that does not exist stops the service here rather than giving wrong
    results.
    """
    from simulator import service

    # At most half of a worker's threads wait for simulations at once: the others
    # stay free to refuse the next requests at once (simulator.coalescer, `_admit`).
    os.environ.setdefault("SIMULATOR_MAX_CALLERS", str(max(1, threads // 2)))
    service.prepare()
