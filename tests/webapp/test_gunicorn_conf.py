"""Gunicorn settings used by the Procfile."""

from __future__ import annotations

import importlib
import sys
import types

import webapp.gunicorn_conf


def load_settings(monkeypatch, **environ):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(webapp.gunicorn_conf)


def test_app_is_preloaded_with_two_workers_by_default(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)

    settings = load_settings(monkeypatch)

    assert settings.preload_app is True
    assert settings.workers == 2


def test_workers_come_from_web_concurrency(monkeypatch):
    assert load_settings(monkeypatch, WEB_CONCURRENCY="5").workers == 5


def test_master_builds_the_tax_benefit_system_before_forking(monkeypatch):
    built = []
    # A stand-in for rules.system: building the real system takes seconds.
    fake_rules = types.ModuleType("rules.system")
    fake_rules.tax_benefit_system = lambda: built.append(1)
    monkeypatch.setitem(sys.modules, "rules.system", fake_rules)

    webapp.gunicorn_conf.on_starting(server=None)

    assert built == [1]
