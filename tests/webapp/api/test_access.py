"""API access: keys stored hashed and managed from the command line, rate limits, CORS.

The mechanics are tested on a small blueprint protected like the API, so that no test
here waits for a simulation; the API's own tests check its endpoints use them.
"""

from __future__ import annotations

import re

import pytest
from flask import Blueprint, Flask

from webapp.api.access import (
    api_key_required,
    create_api_key,
    hash_key,
    list_api_keys,
    protect,
    revoke_api_key,
)
from webapp.db import get_session
from webapp.models import ApiKey

pytestmark = pytest.mark.db

probe = Blueprint("probe", __name__, url_prefix="/api/probe")
protect(probe)


@probe.get("/open")
def open_view():
    return {"ok": True}


@probe.get("/closed")
@api_key_required
def closed_view():
    return {"ok": True}


@pytest.fixture
def make_api_app(make_app, database):
    def make(**settings) -> Flask:
        app = make_app(**settings)
        app.register_blueprint(probe)
        from webapp.db import upgrade

        upgrade(app)
        return app

    return make


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_new_key_is_shown_once_and_stored_only_as_a_hash(make_api_app):
    app = make_api_app()
    with app.app_context():
        record, key = create_api_key("CCAS de Rennes")
        stored = get_session().get(ApiKey, record.id)
        assert stored.key_hash == hash_key(key)
        assert key not in (stored.key_hash, stored.prefix, stored.name)
        assert key.startswith(stored.prefix)
        assert len(key) > 40


def test_the_cli_creates_lists_and_revokes_keys(make_api_app):
    app = make_api_app()
    runner = app.test_cli_runner()
    created = runner.invoke(args=["api-keys", "create", "--name", "France Services"])
    assert created.exit_code == 0, created.output
    key = re.search(r"^(as_\S+)$", created.output, re.MULTILINE).group(1)
    listed = runner.invoke(args=["api-keys", "list"])
    assert "France Services" in listed.output and "active" in listed.output
    assert key not in listed.output
    key_id = listed.output.split("\t")[0]
    revoked = runner.invoke(args=["api-keys", "revoke", key_id])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert "revoked" in runner.invoke(args=["api-keys", "list"]).output
    missing = runner.invoke(args=["api-keys", "revoke", "999"])
    assert missing.exit_code != 0 and "999" in missing.output


def test_an_endpoint_needing_a_key_answers_401_without_one(make_api_app):
    client = make_api_app().test_client()
    assert client.get("/api/probe/closed").status_code == 401
    assert client.get("/api/probe/open").status_code == 200


def test_a_valid_key_opens_the_endpoint_and_is_marked_used(make_api_app):
    app = make_api_app()
    with app.app_context():
        record, key = create_api_key("partner")
    client = app.test_client()
    assert client.get("/api/probe/closed", headers=bearer(key)).status_code == 200
    with app.app_context():
        assert get_session().get(ApiKey, record.id).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer as_not-a-key", "Basic dXNlcjpwYXNz", "Bearer ", "as_key-without-scheme"],
)
def test_an_unknown_or_malformed_key_answers_401(make_api_app, header):
    client = make_api_app().test_client()
    response = client.get("/api/probe/open", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_revoked_key_answers_403(make_api_app):
    app = make_api_app()
    with app.app_context():
        record, key = create_api_key("former partner")
        revoke_api_key(record.id)
        assert list_api_keys()[0].revoked_at is not None
    response = app.test_client().get("/api/probe/closed", headers=bearer(key))
    assert response.status_code == 403


def test_anonymous_callers_are_limited_per_address_with_retry_after(make_api_app):
    client = make_api_app(API_RATE_LIMIT_ANONYMOUS="3/minute").test_client()
    statuses = [client.get("/api/probe/open").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/probe/open")
    assert int(refused.headers["Retry-After"]) > 0


def test_a_key_gets_its_own_higher_limit(make_api_app):
    app = make_api_app(
        API_RATE_LIMIT_ANONYMOUS="2/minute", API_RATE_LIMIT_WITH_KEY="5/minute"
    )
    with app.app_context():
        _record, key = create_api_key("partner")
    client = app.test_client()
    anonymous = [client.get("/api/probe/open").status_code for _ in range(3)]
    keyed = [
        client.get("/api/probe/open", headers=bearer(key)).status_code for _ in range(6)
    ]
    assert anonymous == [200, 200, 429]
    assert keyed == [200] * 5 + [429]


def test_limits_can_be_switched_off_for_benchmarks(make_api_app):
    client = make_api_app(
        RATELIMIT_ENABLED=False, API_RATE_LIMIT_ANONYMOUS="1/minute"
    ).test_client()
    assert {client.get("/api/probe/open").status_code for _ in range(5)} == {200}


def test_cors_allows_the_listed_origins_only(make_api_app):
    client = make_api_app(CORS_ORIGINS=("https://partenaire.example",)).test_client()
    allowed = client.get(
        "/api/probe/open", headers={"Origin": "https://partenaire.example"}
    )
    assert (
        allowed.headers["Access-Control-Allow-Origin"] == "https://partenaire.example"
    )
    other = client.get("/api/probe/open", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/probe/open",
        headers={
            "Origin": "https://partenaire.example",
            "Access-Control-Request-Method": "POST",
        },
    )
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_with_redis_the_counters_live_in_redis_shared_by_every_worker(make_api_app):
    import uuid

    import redis

    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": prefix,
        "API_RATE_LIMIT_ANONYMOUS": "2/minute",
    }
    first_worker = make_api_app(**settings).test_client()
    second_worker = make_api_app(**settings).test_client()
    server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        assert first_worker.get("/api/probe/open").status_code == 200
        assert second_worker.get("/api/probe/open").status_code == 200
        # The third call, on either worker, is over the shared limit.
        assert first_worker.get("/api/probe/open").status_code == 429
        assert list(server.scan_iter(f"*{prefix}*"))
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)
