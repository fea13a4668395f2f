"""Settings read from the environment, and their defaults."""

from __future__ import annotations

import pytest
from flask import Flask

from webapp.config import configure, instance_secret_key
from webapp.db import database_url


def configured(tmp_path, environ, **overrides) -> Flask:
    app = Flask("webapp", instance_path=str(tmp_path))
    configure(app, overrides, environ=environ)
    return app


def test_defaults_are_an_sqlite_file_in_the_instance_folder_and_30_days(tmp_path):
    app = configured(tmp_path, {})

    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'app.db'}"
    assert app.config["SAVED_SIMULATION_DAYS"] == 30
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["CONTACT_EMAIL"] is None


def test_settings_come_from_the_environment(tmp_path):
    environ = {
        "SECRET_KEY": "from the environment",
        "DATABASE_URL": "postgresql+psycopg://app@db.internal/app",
        "SAVED_SIMULATION_DAYS": "7",
        "SESSION_COOKIE_SECURE": "no",
        "CONTACT_EMAIL": "contact@example.org",
    }

    config = configured(tmp_path, environ).config

    assert config["SECRET_KEY"] == "from the environment"
    assert config["DATABASE_URL"] == "postgresql+psycopg://app@db.internal/app"
    assert config["SAVED_SIMULATION_DAYS"] == 7
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["CONTACT_EMAIL"] == "contact@example.org"
    assert not (tmp_path / "secret_key").exists()


def test_overrides_win_over_the_environment(tmp_path):
    app = configured(tmp_path, {"SAVED_SIMULATION_DAYS": "7"}, SAVED_SIMULATION_DAYS=3)

    assert app.config["SAVED_SIMULATION_DAYS"] == 3


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SAVED_SIMULATION_DAYS", "0"),
        ("SAVED_SIMULATION_DAYS", "thirty"),
        ("SESSION_COOKIE_SECURE", "maybe"),
    ],
)
def test_a_malformed_setting_stops_the_start_with_its_name(tmp_path, name, value):
    with pytest.raises(ValueError, match=name):
        configured(tmp_path, {name: value})


def test_without_secret_key_a_random_one_is_stored_in_the_instance_folder(tmp_path):
    first = configured(tmp_path, {}).config["SECRET_KEY"]
    second = configured(tmp_path, {}).config["SECRET_KEY"]

    assert len(first) == 64
    assert first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert instance_secret_key(tmp_path / "elsewhere") != first


def test_create_app_uses_the_instance_path_from_the_environment(monkeypatch, tmp_path):
    from webapp import create_app

    for name in ("DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))

    app = create_app()

    assert app.instance_path == str(tmp_path)
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'app.db'}"
    assert (tmp_path / "secret_key").exists()
    app.extensions["database"].engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "postgres://user:pw@host:5432/name",
        "postgresql://user:pw@host:5432/name",
        "postgresql+psycopg://user:pw@host:5432/name",
    ],
)
def test_postgresql_urls_from_hosting_platforms_use_psycopg_3(url):
    parsed = database_url(url)

    assert parsed.drivername == "postgresql+psycopg"
    assert parsed.database == "name"
