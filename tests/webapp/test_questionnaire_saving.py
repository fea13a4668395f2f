"""Save and resume ("Reprendre plus tard"): the answers kept server-side under an
unguessable token, without any identity, until they expire; links that lead nowhere
get a clear page with a way to start again."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from simulator.questionnaire import Answers
from tests.pages import parse_page
from tests.webapp.journey import CSRF_TOKEN, SINGLE_IN_RENNES, SUMMARY_PATH, Journey
from webapp.db import get_session
from webapp.models import SavedSimulation
from webapp.saved_simulations import save_simulation

pytestmark = pytest.mark.db

LINK = re.compile(
    r'id="lien-sauvegarde" href="http://localhost/simulation/reprendre/([^"]+)"'
)


def save(journey: Journey) -> str:
    """Save the answers from the save page; return the token of the link shown."""
    response = journey.submit("/simulation/enregistrer", {})
    assert response.status_code == 302
    assert response.location == "/simulation/enregistree"
    html = journey.client.get("/simulation/enregistree").get_data(as_text=True)
    return LINK.search(html).group(1)


def test_saving_keeps_the_answers_and_nothing_else_under_a_long_random_token(
    app, client, database
):
    journey = Journey(client)
    journey.answer_all(SINGLE_IN_RENNES)
    page = journey.get("/simulation/enregistrer")
    assert page.h1 == ["Reprendre plus tard"]
    assert "ni votre nom, ni votre adresse e-mail" in page.text
    assert "pendant 30 jours" in page.text

    token = save(journey)

    with app.app_context():
        (record,) = get_session().scalars(select(SavedSimulation)).all()
        with client.session_transaction() as session:
            assert record.answers == session["answers"]
        assert record.token == token
        assert len(token) >= 40
        assert record.expires_at - record.created_at == timedelta(days=30)
        assert set(record.answers) == {"request", "answered"}
    saved = journey.get("/simulation/enregistree")
    assert saved.h1 == ["Vos réponses sont enregistrées"]
    assert "valable jusqu'au" in saved.text


def test_the_retention_period_comes_from_the_settings(make_app, database):
    client = make_app(SAVED_SIMULATION_DAYS=7).test_client()
    journey = Journey(client)
    journey.answer_all(SINGLE_IN_RENNES)

    assert "pendant 7 jours" in journey.get("/simulation/enregistrer").text


def test_the_link_brings_the_answers_back_in_another_browser(app, client, database):
    journey = Journey(client)
    journey.answer_all(SINGLE_IN_RENNES)
    token = save(journey)

    elsewhere = Journey(app.test_client())
    page = elsewhere.get(f"/simulation/reprendre/{token}")
    assert page.h1 == ["Reprendre votre simulation"]
    response = elsewhere.submit(f"/simulation/reprendre/{token}", {})

    assert response.status_code == 302
    assert response.location == SUMMARY_PATH
    summary = elsewhere.get(SUMMARY_PATH)
    assert "15 avril 1988" in summary.text
    assert "450 € par mois" in summary.text


def test_resuming_half_way_goes_to_the_next_question(app, client, database):
    journey = Journey(client)
    journey.submit("/simulation/question/postal_code", {"postal_code": "35000"})
    token = save(journey)

    elsewhere = Journey(app.test_client())
    response = elsewhere.submit(f"/simulation/reprendre/{token}", {})

    assert response.location == "/simulation/question/couple"


def test_resuming_needs_the_forms_csrf_token(app, client, database):
    journey = Journey(client)
    journey.answer_all(SINGLE_IN_RENNES)
    token = save(journey)

    response = app.test_client().post(f"/simulation/reprendre/{token}")

    assert response.status_code == 400


def test_an_expired_link_gives_a_clear_page_to_start_again(app, client, database):
    with app.app_context():
        long_ago = datetime.now(UTC) - timedelta(days=31)
        token = save_simulation(Answers.new().to_json(), now=long_ago).token

    journey = Journey(client)
    page = journey.get(f"/simulation/reprendre/{token}", status=404)

    assert page.h1 == ["Ce lien ne permet pas de reprendre une simulation"]
    assert "Il a peut-être expiré" in page.text
    assert page.link_to("/simulation")


@pytest.mark.parametrize(
    "token",
    ["abc", "x" * 43, "a-b_c" * 10, "%27%20OR%201=1", "a" * 300],
)
def test_a_tampered_link_gives_the_same_clear_page(client, database, token):
    page = Journey(client).get(f"/simulation/reprendre/{token}", status=404)

    assert page.h1 == ["Ce lien ne permet pas de reprendre une simulation"]


def test_a_changed_character_in_a_real_link_finds_nothing(app, client, database):
    journey = Journey(client)
    journey.answer_all(SINGLE_IN_RENNES)
    token = save(journey)
    tampered = ("A" if token[0] != "A" else "B") + token[1:]

    journey.get(f"/simulation/reprendre/{tampered}", status=404)


def test_saved_answers_of_an_unknown_shape_are_not_taken(app, client, database):
    with app.app_context():
        token = save_simulation({"something": "else"}).token

    html = client.get(f"/simulation/reprendre/{token}").get_data(as_text=True)

    assert parse_page(html).h1 == ["Ce lien ne permet pas de reprendre une simulation"]


def test_there_is_nothing_to_save_before_the_first_answer(client, database):
    response = client.get("/simulation/enregistrer")

    assert response.status_code == 302
    assert response.location == "/simulation"


def test_every_question_page_offers_to_save(client):
    html = client.get("/simulation/question/postal_code").get_data(as_text=True)

    assert 'href="/simulation/enregistrer"' in html
    assert CSRF_TOKEN.search(html)
