"""Fixtures shared by the web app's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from webapp import create_app
from webapp.db import get_database


@pytest.fixture(scope="module")
def results_app(
    test_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """An app for a whole module (results pages are costly to reach: one per module)."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test secret key",
            "DATABASE_URL": test_database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        }
    )
    yield app
    get_database(app).engine.dispose()
