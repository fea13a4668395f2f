"""Security headers, session cookie settings and CSRF protection."""

from __future__ import annotations

import pytest
from flask import session
from flask_wtf.csrf import generate_csrf

from tests.pages import parse_page

PATHS = ["/", "/page-inconnue", "/static/css/main.css"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_strict_transport_security_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/").headers

    response = client.get("/", base_url="https://localhost")

    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_is_secure_http_only_and_same_site_lax(make_app):
    app = make_app()

    @app.get("/remember")
    def remember():
        session["seen"] = True
        return "ok"

    response = app.test_client().get("/remember")

    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_secure_can_be_turned_off_for_plain_http(make_app, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")

    assert make_app().config["SESSION_COOKIE_SECURE"] is False


def test_a_form_posted_without_csrf_token_is_refused(make_app):
    app = make_app()

    @app.post("/form")
    def form():
        return "accepted"

    response = app.test_client().post("/form", data={"answer": "yes"})

    assert response.status_code == 400
    page = parse_page(response.get_data(as_text=True))
    assert page.h1 == ["Votre demande n'a pas pu être traitée"]


def test_a_form_posted_with_its_csrf_token_is_accepted(make_app):
    app = make_app()

    @app.route("/form", methods=["GET", "POST"])
    def form():
        return generate_csrf()

    client = app.test_client()
    token = client.get("/form").get_data(as_text=True)

    response = client.post("/form", data={"csrf_token": token})

    assert response.status_code == 200
