"""Fixtures shared by every test: the app, its test client and CLI runner, and one
database per test process.

DATABASE_URL chooses the database server (CI runs the suite on SQLite, then on
PostgreSQL); without it each process gets a temporary SQLite file. On PostgreSQL each
process (each pytest-xdist worker) creates a database of its own, so that parallel
workers never see each other's tables, and drops it at the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, MetaData, NullPool, create_engine
from sqlalchemy.engine import URL

from tests.pages import Page, check_page
from webapp import create_app
from webapp.db import Database, database_url, get_database, upgrade


def create_worker_database(server: URL, name: str) -> URL:
    """Create an empty PostgreSQL database `name` on the server of `server`."""
    with maintenance_connection(server) as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return server.set(database=name)


def drop_worker_database(url: URL) -> None:
    with maintenance_connection(url) as connection:
        connection.exec_driver_sql(
            f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'
        )


@contextmanager
def maintenance_connection(url: URL) -> Iterator[Connection]:
    """A connection to the server's `postgres` database: CREATE and DROP DATABASE
    run from another database, outside a transaction."""
    engine = create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def reset_database(engine: Engine) -> None:
    """Leave the database empty, as a new one, for the next test."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    else:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)


@pytest.fixture(scope="session")
def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("DATABASE_URL")
    url = database_url(server) if server else None
    if url is None or url.get_backend_name() != "postgresql":
        # Never a developer's own SQLite file: the tests empty the database.
        yield f"sqlite:///{tmp_path_factory.mktemp('database') / 'test.db'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    own = create_worker_database(url, f"{url.database}_{worker}_{os.getpid()}")
    yield own.render_as_string(hide_password=False)
    drop_worker_database(own)


@pytest.fixture
def make_app(
    test_database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Flask]]:
    """Build apps; `make_app(SETTING=value)` overrides a setting."""
    apps: list[Flask] = []

    def make_app(**overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "DATABASE_URL": test_database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        return app

    yield make_app
    for app in apps:
        engine = get_database(app).engine
        if request.node.get_closest_marker("db"):
            reset_database(engine)
        engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def database(app: Flask, request: pytest.FixtureRequest) -> Database:
    """The app's database, migrated to the latest revision."""
    assert request.node.get_closest_marker("db"), "mark the test @pytest.mark.db"
    upgrade(app)
    return get_database(app)


@pytest.fixture
def get_page(client: FlaskClient) -> Callable[..., Page]:
    """GET an HTML page, check its status and structure, return it parsed."""

    def get_page(path: str, status: int = 200) -> Page:
        response = client.get(path)
        assert response.status_code == status
        assert response.mimetype == "text/html"
        return check_page(response.get_data(as_text=True))

    return get_page
