"""Gunicorn settings used by the Procfile."""

from __future__ import annotations

import importlib

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


def test_master_builds_the_rules_and_checks_the_catalog_before_forking():
    from rules.system import checked_catalog, tax_benefit_system

    webapp.gunicorn_conf.on_starting(server=None)

    assert tax_benefit_system.cache_info().currsize == 1
    assert checked_catalog.cache_info().currsize == 1
