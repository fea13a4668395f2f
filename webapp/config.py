"""Settings, read only from the environment; tests override them with a dict."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

SECRET_KEY_FILE = "secret_key"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def instance_path(
    overrides: Mapping[str, Any], environ: Mapping[str, str]
) -> str | None:
    """Where the instance folder is: INSTANCE_PATH, else Flask's `instance/`."""
    path = overrides.get("INSTANCE_PATH") or environ.get("INSTANCE_PATH")
    return os.path.abspath(path) if path else None


def configure(
    app: Flask,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] = os.environ,
) -> None:
    """Fill app.config from the environment, then from `overrides`."""
    app.config.update(
        SECRET_KEY=environ.get("SECRET_KEY") or None,
        DATABASE_URL=environ.get("DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path, 'app.db')}",
        SAVED_SIMULATION_DAYS=read_int(environ, "SAVED_SIMULATION_DAYS", 30),
        CONTACT_EMAIL=environ.get("CONTACT_EMAIL") or None,
        SESSION_COOKIE_SECURE=read_bool(environ, "SESSION_COOKIE_SECURE", True),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # API access: limits in Flask-Limiter's notation ("30/minute", "5/second").
        RATELIMIT_ENABLED=read_bool(environ, "RATELIMIT_ENABLED", True),
        RATELIMIT_STORAGE_URI=environ.get("REDIS_URL") or "memory://",
        API_RATE_LIMIT_ANONYMOUS=environ.get("API_RATE_LIMIT_ANONYMOUS") or "30/minute",
        API_RATE_LIMIT_WITH_KEY=environ.get("API_RATE_LIMIT_WITH_KEY") or "600/minute",
        CORS_ORIGINS=read_list(environ, "CORS_ORIGINS"),
    )
    app.config.update(overrides or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def instance_secret_key(folder: Path) -> str:
    """A random key kept in the instance folder, so a development server's sessions
    survive restarts without anyone writing a secret into the code."""
    path = folder / SECRET_KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        draft = folder / f"{SECRET_KEY_FILE}.{os.getpid()}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as stream:
            stream.write(secrets.token_hex(32))
        try:
            # A link is atomic and never replaces: when several processes start at
            # once, the first key written wins and every process reads that one.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def read_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def read_list(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list, e.g. CORS_ORIGINS=https://a.fr,https://b.fr."""
    return tuple(
        item.strip() for item in environ.get(name, "").split(",") if item.strip()
    )


def read_int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a positive whole number, not {value!r}")
    return int(value)
