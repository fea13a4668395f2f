"""Fixtures shared by every test: the app, its test client and CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.pages import Page, check_page
from webapp import create_app


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., Flask]:
    """Build apps; `make_app(SETTING=value)` overrides a setting."""

    def make_app(**overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            **overrides,
        }
        return create_app(config)

    return make_app


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
def get_page(client: FlaskClient) -> Callable[..., Page]:
    """GET an HTML page, check its status and structure, return it parsed."""

    def get_page(path: str, status: int = 200) -> Page:
        response = client.get(path)
        assert response.status_code == status
        assert response.mimetype == "text/html"
        return check_page(response.get_data(as_text=True))

    return get_page
