"""The question pages: one question per page, in the pattern of the design systems
(h1, back link, progress, one "Continuer" button, error summary), Post/Redirect/Get,
the relevance of each question, and check your answers."""

from __future__ import annotations

import pytest

from tests.pages import parse_page
from tests.webapp.journey import (
    COUPLE_WITH_TWO_CHILDREN,
    RETIREE_IN_GUERET,
    SINGLE_IN_RENNES,
    SUMMARY_PATH,
    Journey,
)

FIRST_QUESTION = "/simulation/question/postal_code"


@pytest.fixture
def journey(client) -> Journey:
    return Journey(client)


def answered_single(journey: Journey) -> Journey:
    assert journey.answer_all(SINGLE_IN_RENNES) == SUMMARY_PATH
    return journey


def post_without_reading(journey: Journey, path: str, fields: dict) -> str:
    """Send a form (with its token) and return the page it answers with."""
    response = journey.submit(path, fields)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# -- the pattern of a question page ----------------------------------------------------


def test_the_home_page_starts_the_journey_at_the_first_question(journey, client):
    home = journey.get("/")
    assert home.link_to("/simulation")

    response = client.get("/simulation")

    assert response.status_code == 302
    assert response.location == FIRST_QUESTION


def test_a_question_page_has_the_question_as_h1_a_back_link_progress_and_one_button(
    journey, client
):
    page = journey.get(FIRST_QUESTION)
    html = client.get(FIRST_QUESTION).get_data(as_text=True)

    assert page.h1 == ["Quel est le code postal de la commune où vous habitez ?"]
    assert page.title.startswith("Quel est le code postal")
    assert page.text_of("lien-retour") == "Retour"
    assert page.link_to("/")  # the first question goes back home
    assert page.text_of("progression") == "Étape 1 sur environ 8"
    assert page.text_of("continuer") == "Continuer"
    assert html.count('type="submit"') == 1
    assert '<label class="fr-label fr-label--heading" for="postal_code">' in html
    assert 'autocomplete="postal-code"' in html
    assert page.text_of("postal_code-indice").startswith("Celui de votre adresse")
    assert page.link_to("/simulation/enregistrer")


def test_every_page_of_three_journeys_is_well_formed(client):
    for typed in (SINGLE_IN_RENNES, COUPLE_WITH_TWO_CHILDREN, RETIREE_IN_GUERET):
        journey = Journey(client)
        journey.answer_all(typed)  # the page helper checks every page it reads
        journey.get(SUMMARY_PATH)
        assert len(journey.pages) == len(typed)
        with client.session_transaction() as session:
            session.clear()


def test_the_questions_asked_follow_the_household(client):
    asked = {}
    for name, typed in [
        ("single", SINGLE_IN_RENNES),
        ("couple", COUPLE_WITH_TWO_CHILDREN),
        ("retiree", RETIREE_IN_GUERET),
    ]:
        journey = Journey(client)
        journey.answer_all(typed)
        asked[name] = journey.asked
        with client.session_transaction() as session:
            session.clear()

    assert len(asked["single"]) == 10
    assert len(asked["couple"]) == 19
    assert len(asked["retiree"]) == 10
    assert "rent" not in asked["retiree"]
    assert "commune" in asked["retiree"]


def test_progress_counts_the_questions_known_so_far(journey):
    for key in ("postal_code", "couple"):
        response = journey.submit(f"/simulation/question/{key}", SINGLE_IN_RENNES[key])
        assert response.status_code == 302

    page = journey.get("/simulation/question/children")

    assert page.text_of("progression") == "Étape 3 sur environ 8"
    assert page.link_to("/simulation/question/couple")  # the back link


def test_an_answer_redirects_to_the_next_question(journey):
    response = journey.submit(FIRST_QUESTION, {"postal_code": "35000"})

    assert response.status_code == 302
    assert response.location == "/simulation/question/couple"


def test_a_form_without_its_csrf_token_is_refused(client):
    response = client.post(FIRST_QUESTION, data={"postal_code": "35000"})

    assert response.status_code == 400


# -- errors ----------------------------------------------------------------------------


def test_an_empty_answer_shows_the_error_summary_linking_to_the_field(journey):
    html = post_without_reading(journey, FIRST_QUESTION, {"postal_code": ""})
    page = parse_page(html)

    assert page.title.startswith("Erreur : Quel est le code postal")
    assert page.text_of("resume-erreurs-titre") == "Il y a un problème"
    message = "Saisissez le code postal de votre commune, par exemple 35000."
    assert message in page.text_of("resume-erreurs")
    assert page.link_to("#postal_code")
    assert page.text_of("postal_code-erreur") == f"Erreur : {message}"
    assert 'aria-describedby="postal_code-indice postal_code-erreur"' in html


def test_a_wrong_answer_is_shown_again_with_the_household_models_message(journey):
    html = post_without_reading(journey, FIRST_QUESTION, {"postal_code": "3500"})
    page = parse_page(html)

    assert "Le code postal compte 5 chiffres, par exemple 35000." in page.text
    assert 'value="3500"' in html  # what was typed stays in the box


@pytest.mark.parametrize(
    ("fields", "message", "anchor"),
    [
        (
            {"birth_date-day": "", "birth_date-month": "", "birth_date-year": ""},
            "Saisissez votre date de naissance.",
            "#birth_date-day",
        ),
        (
            {"birth_date-day": "12", "birth_date-month": "", "birth_date-year": "1990"},
            "Saisissez le jour, le mois et l'année, par exemple 27 3 1990.",
            "#birth_date-month",
        ),
        (
            {
                "birth_date-day": "31",
                "birth_date-month": "2",
                "birth_date-year": "1990",
            },
            "Saisissez une date qui existe, par exemple 27 3 1990.",
            "#birth_date-day",
        ),
        (
            {"birth_date-day": "1", "birth_date-month": "2", "birth_date-year": "90"},
            "Saisissez l'année en 4 chiffres, par exemple 1990.",
            "#birth_date-day",
        ),
        (
            {"birth_date-day": "1", "birth_date-month": "2", "birth_date-year": "1850"},
            "La date de naissance doit être postérieure à 1900.",
            "#birth_date-day",
        ),
    ],
)
def test_date_errors_say_what_to_type_and_link_to_the_box_to_fix(
    journey, fields, message, anchor
):
    for key in ("postal_code", "couple", "children"):
        journey.submit(f"/simulation/question/{key}", SINGLE_IN_RENNES[key])

    html = post_without_reading(journey, "/simulation/question/birth_date/me", fields)
    page = parse_page(html)

    assert message in page.text_of("resume-erreurs")
    assert page.link_to(anchor)
    assert page.h1 == ["Quelle est votre date de naissance ?"]
    assert page.title.startswith("Erreur : ")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez le montant de votre loyer, par exemple 450."),
        ("beaucoup", "Saisissez un montant en chiffres, par exemple 812,19."),
        ("-3", "Saisissez un nombre positif ou nul"),
        ("60000", "Montant invraisemblable : au plus 20 000 €."),
    ],
)
def test_amount_errors(journey, typed, message):
    for key in ("postal_code", "couple", "children", "birth_date/me", "activity/me",
                "disability", "tenure", "housing_type"):  # fmt: skip
        journey.submit(f"/simulation/question/{key}", SINGLE_IN_RENNES[key])

    page = parse_page(
        post_without_reading(journey, "/simulation/question/rent", {"rent": typed})
    )

    assert message in page.text_of("resume-erreurs")
    assert page.link_to("#rent")


def test_ticking_none_with_another_income_is_refused(journey):
    for key in list(SINGLE_IN_RENNES)[:-1]:
        journey.submit(f"/simulation/question/{key}", SINGLE_IN_RENNES[key])

    page = parse_page(
        post_without_reading(
            journey, "/simulation/question/incomes/me", {"incomes": ["none", "salary"]}
        )
    )

    assert "« Aucune de ces ressources » et une autre réponse" in page.text
    assert page.link_to("#incomes-salary")


def test_no_radio_chosen_gives_the_steps_message(journey):
    journey.submit(FIRST_QUESTION, SINGLE_IN_RENNES["postal_code"])

    page = parse_page(post_without_reading(journey, "/simulation/question/couple", {}))

    assert "Indiquez si vous vivez en couple." in page.text_of("resume-erreurs")
    assert page.link_to("#couple-yes")


# -- what is asked ---------------------------------------------------------------------


def test_a_postal_code_serving_several_communes_asks_which_one(journey):
    response = journey.submit(FIRST_QUESTION, {"postal_code": "01000"})
    assert response.location == "/simulation/question/commune"

    page = journey.get("/simulation/question/commune")

    assert page.h1 == ["Dans quelle commune habitez-vous ?"]
    assert "Bourg-en-Bresse (01053)" in page.text
    assert "Saint-Denis-lès-Bourg (01344)" in page.text
    assert ("input", "commune-01053", False) in page.fields


def test_paris_asks_since_when_marked_optional(journey):
    response = journey.submit(FIRST_QUESTION, {"postal_code": "75011"})
    assert response.location == "/simulation/question/resident_since"

    page = journey.get("/simulation/question/resident_since")

    assert page.h1 == ["Depuis quand habitez-vous à Paris ? (optionnel)"]
    empty = {"resident_since-month": "", "resident_since-year": ""}
    response = journey.submit("/simulation/question/resident_since", empty)
    assert response.location == "/simulation/question/couple"


def test_a_question_that_is_not_asked_redirects_to_the_next_one(journey, client):
    answered_single(journey)
    journey.submit(
        "/simulation/question/tenure?retour=recapitulatif", {"tenure": "owner"}
    )

    for path in ("/simulation/question/rent", "/simulation/question/salary/me",
                 "/simulation/question/birth_date/child1"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location == SUMMARY_PATH


def test_an_unknown_question_is_a_404_page(journey):
    journey.get("/simulation/question/shoe_size", status=404)


# -- check your answers ----------------------------------------------------------------


def test_the_summary_lists_every_answer_with_a_change_link(journey):
    answered_single(journey)

    page = journey.get(SUMMARY_PATH)

    assert page.h1 == ["Vérifiez vos réponses"]
    assert "35000 (Rennes)" in page.text_of("reponse-postal_code")
    assert page.text_of("reponse-rent") == (
        "Loyer mensuel hors charges 450 € par mois "
        "Modifier (Loyer mensuel hors charges)"
    )
    assert "15 avril 1988" in page.text_of("reponse-birth_date-me")
    assert "Demandeur ou demandeuse d'emploi" in page.text_of("reponse-activity-me")
    assert "Aucune de ces ressources" in page.text_of("reponse-incomes-me")
    assert page.link_to("/simulation/question/rent?retour=recapitulatif")
    assert page.link_to("/simulation/resultats")


def test_the_summary_is_not_shown_before_the_last_answer(journey, client):
    journey.submit(FIRST_QUESTION, {"postal_code": "35000"})

    response = client.get(SUMMARY_PATH)

    assert response.status_code == 302
    assert response.location == "/simulation/question/couple"


def test_changing_an_answer_from_the_summary_returns_to_the_summary(journey):
    answered_single(journey)
    path = "/simulation/question/rent?retour=recapitulatif"

    page = journey.get(path)
    assert page.link_to(SUMMARY_PATH)  # back goes to the summary
    assert 'value="450"' in journey.client.get(path).get_data(as_text=True)
    response = journey.submit(path, {"rent": "520,50"})

    assert response.status_code == 302
    assert response.location == SUMMARY_PATH
    summary = journey.get(SUMMARY_PATH)
    assert "520,50 € par mois" in summary.text_of("reponse-rent")


def test_a_change_that_opens_new_questions_asks_them_then_returns(journey):
    answered_single(journey)

    response = journey.submit(
        "/simulation/question/couple?retour=recapitulatif", {"couple": "yes"}
    )
    assert response.location == (
        "/simulation/question/birth_date/partner?retour=recapitulatif"
    )
    response = journey.submit(
        response.location,
        {"birth_date-day": "1", "birth_date-month": "6", "birth_date-year": "1990"},
    )
    assert (
        response.location
        == "/simulation/question/activity/partner?retour=recapitulatif"
    )
    response = journey.submit(response.location, {"activity": "inactive"})
    response = journey.submit(response.location, {"incomes": ["none"]})

    assert response.location == SUMMARY_PATH


def test_starting_again_erases_the_answers(journey, client):
    answered_single(journey)
    html = client.get(SUMMARY_PATH).get_data(as_text=True)
    token = html.split(
        'id="csrf_token_recommencer" name="csrf_token" type="hidden" value="'
    )[1]

    response = client.post(
        "/simulation/recommencer", data={"csrf_token": token.split('"')[0]}
    )

    assert response.location == "/simulation"
    assert client.get("/simulation").location == FIRST_QUESTION


def test_no_javascript_on_any_page_of_the_journey(journey, client):
    answered_single(journey)

    for path in [FIRST_QUESTION, SUMMARY_PATH, "/simulation/enregistrer"]:
        assert "<script" not in client.get(path).get_data(as_text=True)


def test_pages_with_answers_are_never_cached(journey, client):
    answered_single(journey)

    for path in (FIRST_QUESTION, SUMMARY_PATH):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_a_question_mark_never_starts_a_line_in_french(client):
    html = client.get(FIRST_QUESTION).get_data(as_text=True)

    assert "vous habitez\u00a0?</label></h1>" in html


def test_answers_the_household_model_refuses_are_listed_on_the_summary(journey, client):
    answered_single(journey)
    with client.session_transaction() as session:
        answers = session["answers"]
        answers["request"]["household"]["members"][0]["birth_date"] = "2999-01-01"
        session["answers"] = answers

    page = journey.get(SUMMARY_PATH)
    results = client.get("/simulation/resultats")

    assert page.title.startswith("Erreur : Vérifiez vos réponses")
    assert "ne peut pas être après le mois simulé" in page.text_of("resume-erreurs")
    assert page.link_to("/simulation/question/birth_date/me?retour=recapitulatif")
    assert "voir-resultats" not in page.ids
    assert results.status_code == 302
    assert results.location == SUMMARY_PATH


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/donnees-personnelles", 200),
        ("/accessibilite", 200),
        ("/cette-page-n-existe-pas", 404),
    ],
)
def test_the_information_and_error_pages_lead_to_the_journey(journey, path, status):
    assert journey.get(path, status=status).link_to("/simulation")


def test_the_server_error_page_leads_back_to_the_journey(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")

    assert response.status_code == 500
    assert parse_page(response.get_data(as_text=True)).link_to("/simulation")
