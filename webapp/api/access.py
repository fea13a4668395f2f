"""Access to the API: partners' keys (stored hashed), rate limits and CORS.

A key is sent as `Authorization: Bearer <key>`. Without one, a caller may run single
simulations at a low rate; with one, at a higher rate, and the batch endpoint opens.
Limits count per key, or per address for anonymous callers (Flask-Limiter: in memory
by default, in Redis when REDIS_URL is set).
"""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from simulator.variations import MAX_STEPS
from webapp.api.problems import keep_own_retry_after
from webapp.db import get_session, transaction
from webapp.models import ApiKey

KEY_PREFIX = "as_"
SHOWN_CHARACTERS = 8
View = TypeVar("View", bound=Callable[..., Any])


def hash_key(key: str) -> str:
    """Keys are 256 random bits: a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# -- managing keys (the `flask api-keys` commands) --------------------------------


def create_api_key(name: str, now: datetime | None = None) -> tuple[ApiKey, str]:
    """A new key for `name`; the key itself is returned once and never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(
        name=name,
        prefix=key[: len(KEY_PREFIX) + SHOWN_CHARACTERS],
        key_hash=hash_key(key),
        created_at=now or datetime.now(UTC),
    )
    with transaction() as session:
        session.add(record)
    return record, key


def list_api_keys() -> list[ApiKey]:
    return list(get_session().scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_api_key(key_id: int, now: datetime | None = None) -> ApiKey | None:
    """Revoke a key by its id; None when there is no such key."""
    with transaction() as session:
        record = session.get(ApiKey, key_id)
        if record is not None and record.revoked_at is None:
            record.revoked_at = now or datetime.now(UTC)
    return record


# -- authenticating a request ------------------------------------------------------


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_api_key() -> ApiKey | None:
    """The valid, unrevoked key of this request, if any (looked up once)."""
    if "api_key" not in g:
        g.api_key = None
        token = bearer_token()
        if token is not None:
            record = get_session().scalar(
                select(ApiKey).where(ApiKey.key_hash == hash_key(token))
            )
            g.api_key_record = record
            if record is not None and record.revoked_at is None:
                g.api_key = record
    return g.api_key


def authenticate() -> None:
    """Before every API request: a key that is sent must be valid.

    No key: the caller is anonymous (some endpoints then answer 401). A malformed
    header or an unknown key: 401. A revoked key: 403.
    """
    if "Authorization" not in request.headers:
        return
    if bearer_token() is None:
        abort(401, description="Send the key as 'Authorization: Bearer <key>'.")
    if current_api_key() is None:
        record = g.get("api_key_record")
        if record is not None and record.revoked_at is not None:
            abort(403, description="This API key has been revoked.")
        abort(401, description="Unknown API key.")
    mark_used(g.api_key)


USE_RECORDED_EVERY = timedelta(minutes=5)


def mark_used(record: ApiKey) -> None:
    """Note when a key was last used, at most every few minutes (not every call)."""
    now = datetime.now(UTC)
    if record.last_used_at is None or now - record.last_used_at > USE_RECORDED_EVERY:
        with transaction():
            record.last_used_at = now


def api_key_required(view: View) -> View:
    """The view answers 401 to callers without a valid key."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_api_key() is None:
            abort(401, description="This endpoint needs an API key.")
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


# -- rate limits ---------------------------------------------------------------------


def rate_limit_key() -> str:
    record = current_api_key()
    return f"key:{record.id}" if record is not None else f"ip:{get_remote_address()}"


def rate_limit() -> str:
    config = current_app.config
    if current_api_key() is not None:
        return config["API_RATE_LIMIT_WITH_KEY"]
    return config["API_RATE_LIMIT_ANONYMOUS"]


# Points of a what-if axis that count as one request against the caller's limit: an
# axis costs about one simulation per 200 points more than a single household, so a
# 1,000-point axis counts as five requests.
AXIS_POINTS_PER_REQUEST = 200


def request_cost() -> int:
    """What a request counts against its caller's limit: 1, or for a what-if axis one
    per AXIS_POINTS_PER_REQUEST points asked (a body that cannot be read counts 1;
    the view then says what is wrong with it)."""
    if request.endpoint != "api.simulate_variations":
        return 1
    try:
        body = request.get_json(silent=True)
    except Exception:  # too large: the view answers 413
        return 1
    axis = body.get("axis") if isinstance(body, dict) else None
    steps = axis.get("steps") if isinstance(axis, dict) else None
    if type(steps) is not int or steps <= 0:
        return 1
    return max(1, math.ceil(min(steps, MAX_STEPS) / AXIS_POINTS_PER_REQUEST))


limiter = Limiter(key_func=rate_limit_key, headers_enabled=True)


def init_app(app: Flask) -> None:
    """Configure the limiter from the app's settings (see webapp/config.py)."""
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Before the limiter's own: it then runs after the limiter has set its headers.
    app.after_request(keep_own_retry_after)
    limiter.init_app(app)


def protect(blueprint: Blueprint) -> None:
    """Keys, limits and CORS for every route of the API blueprint."""
    blueprint.before_request(authenticate)
    blueprint.after_request(allow_listed_origins)
    limiter.limit(rate_limit, key_func=rate_limit_key, cost=request_cost)(blueprint)


# -- CORS ----------------------------------------------------------------------------


def allow_listed_origins(response: Response) -> Response:
    """Browsers may call the API from the origins listed in CORS_ORIGINS only."""
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if origin and origin in current_app.config["CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = (
            "Authorization, Content-Type, X-Request-Id"
        )
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Expose-Headers"] = (
            "X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining"
        )
        response.headers["Access-Control-Max-Age"] = "600"
    return response
