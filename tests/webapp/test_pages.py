"""The information pages and the HTML error pages."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.pages import parse_page

INFORMATION_PAGES = ["/", "/donnees-personnelles", "/accessibilite"]


@pytest.mark.parametrize("path", INFORMATION_PAGES)
def test_every_information_page_is_well_formed_and_links_to_the_legal_pages(
    get_page, path
):
    page = get_page(path)

    assert page.title.endswith("Simulateur d'aides")
    assert page.link_to("#contenu"), "skip link to the main content"
    assert page.link_to("/donnees-personnelles")
    assert page.link_to("/accessibilite")


def test_home_page_says_what_the_service_does_what_to_prepare_and_how_long(get_page):
    page = get_page("/")

    assert page.h1 == ["Découvrez les aides auxquelles vous avez droit"]
    assert "Ce qu'il vous faut" in page.text
    assert "Environ 10 minutes" in page.text


def test_privacy_page_gives_the_retention_period_from_the_settings(make_app):
    client = make_app(SAVED_SIMULATION_DAYS=7).test_client()

    response = client.get("/donnees-personnelles")

    assert "gardées 7 jours" in " ".join(response.get_data(as_text=True).split())


def test_contact_email_appears_on_the_legal_pages_when_configured(make_app):
    client = make_app(CONTACT_EMAIL="contact@example.org").test_client()

    for path in ["/donnees-personnelles", "/accessibilite"]:
        assert b"mailto:contact@example.org" in client.get(path).data


def test_accessibility_statement_declares_the_conformity_status(get_page):
    page = get_page("/accessibilite")

    assert "non conforme" in page.text
    assert "Défenseur des droits" in page.text


def test_unknown_page_is_a_french_404_page(get_page):
    page = get_page("/cette-page-n-existe-pas", status=404)

    assert page.h1 == ["Page introuvable"]


def test_wrong_method_is_a_405_page_that_lists_the_allowed_methods(client):
    response = client.post("/accessibilite")

    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]
    page = parse_page(response.get_data(as_text=True))
    assert page.h1 == ["Cette action n'est pas possible sur cette page"]


def test_server_error_is_a_500_page_without_details(make_app):
    app: Flask = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom")

    assert response.status_code == 500
    assert "Une erreur est survenue" in response.get_data(as_text=True)
    assert "secret detail" not in response.get_data(as_text=True)


def test_errors_under_api_are_left_to_the_api(client):
    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert "Page introuvable" not in response.get_data(as_text=True)


def test_stylesheet_is_served_from_our_static_folder(client):
    response = client.get("/static/css/main.css")

    assert response.status_code == 200
    assert response.mimetype == "text/css"
    response.close()
