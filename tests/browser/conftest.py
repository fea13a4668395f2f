"""Fixtures of the real-browser tests: the app served on a free local port, Debian's
Chromium driven by Playwright, and a fresh browser context per test.

`make install-test` installs what they need: Chromium with apt-get (as root),
Playwright from PyPI (its driver, never its browsers: they cannot be downloaded here)
and axe-core from the npm registry. When one is missing the tests fail and say so.

The browser tests form one pytest-xdist group (`make test` distributes with
--dist loadgroup): one worker runs them all with one server and one browser, while
the other runs the rest of the suite.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    sync_playwright,
)
from werkzeug.serving import make_server

from webapp import create_app
from webapp.db import get_database, upgrade

CHROMIUM = "/usr/bin/chromium"
# The flags this machine's probe used: without the background-networking ones
# Chromium keeps calling Google's hosts, which the closed network refuses. Playwright
# adds --headless and --no-sandbox itself, and starts each browser on a new, empty
# profile (it refuses --user-data-dir in `launch`).
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = (
    f"The browser tests need Chromium at {CHROMIUM}: run `make install-test` as root, "
    "or install Debian's chromium package (sudo apt-get install chromium)."
)
# Generous: a results page runs a simulation, seconds long, longer still while the
# other test worker keeps the second core busy.
TIMEOUT_MS = 60_000
WARM_UP_HOUSEHOLD = {
    "household": {
        "commune": "75056",
        "housing": {"tenure": "hosted_free"},
        "members": [{"id": "me", "role": "applicant", "birth_date": "1990-01-01"}],
    }
}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by werkzeug in a background thread; yields its base URL."""
    folder = tmp_path_factory.mktemp("live_server")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser tests secret key",
            # A SQLite file of its own even when DATABASE_URL names PostgreSQL:
            # these tests are about pages, not about the database server.
            "DATABASE_URL": f"sqlite:///{folder / 'browser.db'}",
            "INSTANCE_PATH": str(folder / "instance"),
            "RATELIMIT_ENABLED": False,
            # Plain HTTP on 127.0.0.1: a Secure cookie would never come back.
            "SESSION_COOKIE_SECURE": False,
        }
    )
    upgrade(app)
    warm_up_the_simulator()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        get_database(app).engine.dispose()


def warm_up_the_simulator() -> None:
    """Build the tax-benefit system and run a first simulation (about 15 s) before
    serving, as gunicorn builds it before forking: otherwise the first results page
    takes longer than a page is given to load."""
    from simulator.household import parse_request
    from simulator.results import simulate

    simulate([parse_request(WARM_UP_HOUSEHOLD)])


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def make_context(
    browser: Browser, live_server: str
) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts (each with cookies of its own) on the live server,
    closed after the test; options are Playwright's, e.g. java_script_enabled."""
    contexts: list[BrowserContext] = []

    def make_context(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=live_server, locale="fr-FR", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_context: Callable[..., BrowserContext]) -> Iterator[Page]:
    """A tab in a new context. The test fails if the Content-Security-Policy blocked
    anything on the pages it visited: the CSP stays in force in these tests."""
    page = make_context().new_page()
    blocked: list[str] = []

    def record_blocked(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", record_blocked)
    yield page
    assert not blocked, "blocked by the CSP:\n" + "\n".join(blocked)
