"""Fixtures of the API tests: a module-wide app with a migrated database and a key
(one simulation costs about 1.5 s: modules simulate once and assert many times), a
simulator service of a test's own (cache, coalescer, counted simulations), and
helpers that check the error format."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import BaseModel

from simulator import service
from simulator.cache import MemoryStore, ResultsCache
from simulator.coalescer import Coalescer
from simulator.household import SimulationRequest
from simulator.results import Results, simulate
from tests.conftest import reset_database
from webapp import create_app
from webapp.api.access import create_api_key
from webapp.api.schemas import Problem
from webapp.db import get_database, upgrade

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def read_example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Api:
    app: Flask
    key: str

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture(scope="module")
def api(
    test_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """An app for a whole module, with its database migrated and one API key; the
    database is emptied at the end, as the `database` fixture does for one test."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "DATABASE_URL": test_database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "RATELIMIT_ENABLED": False,
        }
    )
    upgrade(app)
    with app.app_context():
        _record, key = create_api_key("tests")
    yield Api(app, key)
    engine = get_database(app).engine
    reset_database(engine)
    engine.dispose()


class NoStore:
    """A store that keeps nothing: every request is simulated."""

    def get(self, key: str) -> bytes | None:
        return None

    def set(self, key: str, value: bytes) -> None:
        pass


class Service:
    """The simulator service as one test sees it, and what it simulated."""

    def __init__(self, cache: ResultsCache, **coalescer_settings: Any) -> None:
        self.cache = cache
        self.coalescer = Coalescer(self.simulate, **coalescer_settings)
        self.simulated: list[int] = []  # households, per simulation

    def simulate(self, requests: Sequence[SimulationRequest]) -> list[Results]:
        self.simulated.append(len(requests))
        return simulate(requests)


def own_service(
    patch: pytest.MonkeyPatch, cached: bool = True, **coalescer_settings: Any
) -> Service:
    """Give simulator.service a results cache and a coalescer of their own (the
    process-wide ones would carry results from test to test), counting what they
    simulate; `cached=False`: a cache that keeps nothing."""
    own = Service(
        ResultsCache(MemoryStore() if cached else NoStore()), **coalescer_settings
    )
    patch.setattr(service, "results_cache", lambda: own.cache)
    patch.setattr(service, "coalescer", lambda: own.coalescer)
    patch.setattr(service, "simulate", own.simulate)
    return own


@pytest.fixture
def fresh_service(monkeypatch: pytest.MonkeyPatch) -> Service:
    return own_service(monkeypatch)


def conforms(model: type[BaseModel], body: bytes | str) -> BaseModel:
    """The JSON body validated against a response model (unknown keys are errors)."""
    return model.model_validate_json(body)


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert the response is a well-formed problem of that status; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    conforms(Problem, response.get_data())
    body = json.loads(response.get_data())
    assert body["status"] == status
    assert body["instance"] == response.request.path
    assert body["rules"]["openfisca-france"]
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert body["type"].endswith(f"/api/docs#erreur-{status}")
    return body


def fields(body: dict[str, Any]) -> list[str]:
    return [error["field"] for error in body.get("errors", [])]
