"""/api/docs: a documentation page rendered on the server from the OpenAPI document,
whose curl commands work when pasted into a shell."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from webapp.api.openapi import ROUTES

REPOSITORY = Path(__file__).resolve().parents[3]
COMMAND = re.compile(r'<pre class="api-command"><code>(.*?)</code></pre>', re.DOTALL)


def test_the_page_is_well_formed_and_documents_every_operation(get_page):
    page = get_page("/api/docs")

    assert page.h1 == ["Documentation de l'API partenaires"]
    for route in ROUTES:
        assert f"{route.method.upper()} {route.path}" in page.text
        assert page.link_to(f"#operation-{route.operation_id}")
    assert page.link_to("/api/v1/openapi.json")
    assert page.link_to("#schema-SimulationRequest")
    assert "application/problem+json" in page.text
    assert "Authorization: Bearer" in page.text


def test_the_page_loads_nothing_from_elsewhere(client):
    text = client.get("/api/docs").get_data(as_text=True)

    assert "<script" not in text
    assert re.findall(r'(?:src|href)="(?:https?:)?//', text) == []
    stylesheet = re.search(r'<link rel="stylesheet" href="(/api/static/[^"]+)"', text)
    css = client.get(stylesheet.group(1))
    assert css.status_code == 200 and css.mimetype == "text/css"
    css.close()


def test_the_page_explains_every_problem_status_at_its_anchor(get_page):
    page = get_page("/api/docs")

    for status in (400, 401, 403, 404, 405, 413, 415, 422, 429, 500, 503):
        assert f"erreur-{status}" in page.ids


@pytest.fixture(scope="module")
def live_api(api) -> Iterator[str]:
    """The module's app served on a free local port, for real curl commands."""
    server = make_server("127.0.0.1", 0, api.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.mark.db
def test_the_curl_commands_work_when_pasted(api, live_api):
    with urllib.request.urlopen(f"{live_api}/api/docs") as response:
        page = response.read().decode("utf-8")
    commands = [html.unescape(command) for command in COMMAND.findall(page)]
    assert len(commands) == 6
    environment = {**os.environ, "API_KEY": api.key}

    answers = []
    for command in commands:
        assert command.startswith("curl -s ") and f"{live_api}/api/" in command
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=REPOSITORY,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        answers.append(json.loads(done.stdout))

    single_file, single_inline, batch, axis, catalog, document = answers
    assert [b["id"] for b in single_file["benefits"]]
    labels = [[b["label"] for b in a["benefits"]] for a in (single_file, single_inline)]
    assert labels[0] != labels[1]  # the second one asks for English
    assert [item["status"] for item in batch["results"]] == ["ok", "error"]
    assert axis["points"] == [0, 500, 1000, 1500, 2000]
    assert {len(b["amounts"]) for b in axis["benefits"]} == {5}
    assert catalog["commune"] == "35238"
    assert document["openapi"] == "3.1.0"
