"""Gunicorn settings used by the Procfile."""

from __future__ import annotations

import importlib

import webapp.gunicorn_conf
from simulator import service


def load_settings(monkeypatch, **environ):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(webapp.gunicorn_conf)


def test_app_is_preloaded_with_two_workers_by_default(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    settings = load_settings(monkeypatch)

    assert settings.preload_app is True
    assert settings.workers == 2


def test_workers_have_threads_so_that_concurrent_requests_are_coalesced(monkeypatch):
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)

    assert load_settings(monkeypatch).threads == 256
    assert load_settings(monkeypatch, GUNICORN_THREADS="8").threads == 8


def test_workers_come_from_web_concurrency(monkeypatch):
    assert load_settings(monkeypatch, WEB_CONCURRENCY="5").workers == 5


def test_the_master_prepares_the_simulator_before_forking(monkeypatch):
    # prepare() itself (rules, checked catalog, warm-up, gc.freeze) is the simulator
    # service's business; here, only that the master calls it, once.
    calls = []
    monkeypatch.setattr(service, "prepare", lambda: calls.append("prepare"))
    monkeypatch.delenv("SIMULATOR_MAX_CALLERS", raising=False)  # set by on_starting

    webapp.gunicorn_conf.on_starting(server=None)

    assert calls == ["prepare"]


def test_half_of_a_workers_threads_at_most_wait_for_simulations(monkeypatch):
    monkeypatch.setattr(service, "prepare", lambda: None)
    monkeypatch.delenv("SIMULATOR_MAX_CALLERS", raising=False)
    settings = load_settings(monkeypatch, GUNICORN_THREADS="8")

    settings.on_starting(server=None)

    assert service.coalescer.__wrapped__().max_callers == 4
    monkeypatch.setenv("SIMULATOR_MAX_CALLERS", "6")  # set by the operator: kept
    settings.on_starting(server=None)
    assert service.coalescer.__wrapped__().max_callers == 6
