"""Complete journeys in a real browser: the questionnaire answered as a person does
it, then the results page checked against the simulator run on the same household,
written as a v1 request."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from simulator.household import parse_request
from simulator.results import Results, simulate
from tests.browser.helpers import (
    axe_violations,
    check_accessibility,
    describe,
    is_focused,
    tab_to,
)

# One worker, one server, one browser (conftest.py).
pytestmark = pytest.mark.xdist_group("browser")

CHECK_ANSWERS = "Vérifiez vos réponses"
STATUS_SECTIONS = {
    "eligible": "#aides-eligibles",
    "not_computable": "#aides-non-calculables",
    "not_eligible": "#aides-non-eligibles",
}
PAID_PER = {"month": "par mois", "year": "par an", "once": "en une fois"}


@dataclass(frozen=True)
class Date:
    day: str
    month: str
    year: str


# An answer: text to type, the label of the option to choose, a date, or the labels
# of the boxes to tick.
Answer = str | Date | list[str]


@dataclass(frozen=True, eq=False)  # hashed by identity, for the cache below
class Journey:
    answers: dict[str, Answer]  # the question, as the page's h1 asks it → answer
    household: dict[str, Any]  # the same household, as a v1 request
    eligible: list[str] = field(default_factory=list)  # benefits it must be shown


SINGLE_IN_RENNES = Journey(
    answers={
        "Quel est le code postal de la commune où vous habitez ?": "35000",
        "Vivez-vous en couple ?": "Non",
        "Combien d'enfants à votre charge vivent avec vous ?": "0",
        "Quelle est votre date de naissance ?": Date("15", "4", "1988"),
        "Quelle est votre situation professionnelle ?": (
            "Demandeur ou demandeuse d'emploi"
        ),
        "Avez-vous un handicap reconnu ?": "Non",
        "Quelle est votre situation de logement ?": (
            "Hébergé(e) gratuitement (famille, amis…)"
        ),
        "Quelles ressources avez-vous eues ces 3 derniers mois ?": [
            "Aucune de ces ressources"
        ],
    },
    household={
        "household": {
            "commune": "35238",
            "housing": {"tenure": "hosted_free"},
            "members": [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1988-04-15",
                    "activity": "unemployed",
                }
            ],
        }
    },
    eligible=["rsa"],
)

COUPLE_WITH_TWO_CHILDREN_RENTING = Journey(
    answers={
        "Quel est le code postal de la commune où vous habitez ?": "44000",
        "Vivez-vous en couple ?": "Oui",
        "Combien d'enfants à votre charge vivent avec vous ?": "2",
        "Quelle est votre date de naissance ?": Date("11", "2", "1985"),
        "Quelle est votre situation professionnelle ?": "Salarié(e)",
        "Quelle est la date de naissance de votre conjoint ou conjointe ?": Date(
            "30", "7", "1987"
        ),
        "Quelle est la situation professionnelle de votre conjoint ou conjointe ?": (
            "Salarié(e)"
        ),
        "Quelle est la date de naissance de votre enfant n° 1 ?": Date(
            "8", "3", "2017"
        ),
        "Où votre enfant n° 1 est-il scolarisé ?": "École élémentaire (primaire)",
        "Quelle est la date de naissance de votre enfant n° 2 ?": Date(
            "21", "10", "2013"
        ),
        "Où votre enfant n° 2 est-il scolarisé ?": "Collège",
        "Parmi les personnes de votre foyer, lesquelles ont un handicap reconnu ?": [
            "Personne"
        ],
        "Quelle est votre situation de logement ?": "Locataire (ou colocataire)",
        "Quel type de logement louez-vous ?": "Un logement vide du parc privé",
        "Quel est le montant de votre loyer par mois, sans les charges ?": "780",
        "Quelles ressources avez-vous eues ces 3 derniers mois ?": ["Un salaire"],
        "Quel est votre salaire net par mois ?": "1600",
        "Quelles ressources votre conjoint ou conjointe a-t-il ou elle eues ces "
        "3 derniers mois ?": ["Un salaire"],
        "Quel est le salaire net par mois de votre conjoint ou conjointe ?": "900",
    },
    household={
        "household": {
            "commune": "44109",
            "housing": {
                "tenure": "tenant",
                "furnished": False,
                "social_housing": False,
                "rent": 780.0,
            },
            "members": [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1985-02-11",
                    "activity": "employed",
                    "incomes": {"salary": 1600.0},
                },
                {
                    "id": "partner",
                    "role": "partner",
                    "birth_date": "1987-07-30",
                    "activity": "employed",
                    "incomes": {"salary": 900.0},
                },
                {
                    "id": "child1",
                    "role": "child",
                    "birth_date": "2017-03-08",
                    "schooling": "primaire",
                },
                {
                    "id": "child2",
                    "role": "child",
                    "birth_date": "2013-10-21",
                    "schooling": "college",
                },
            ],
        }
    },
    eligible=["af"],
)

RETIREE_WITH_A_SMALL_PENSION = Journey(
    answers={
        "Quel est le code postal de la commune où vous habitez ?": "23000",
        "Dans quelle commune habitez-vous ?": "Guéret (23096)",
        "Vivez-vous en couple ?": "Non",
        "Combien d'enfants à votre charge vivent avec vous ?": "0",
        "Quelle est votre date de naissance ?": Date("30", "3", "1955"),
        "Quelle est votre situation professionnelle ?": "Retraité(e)",
        "Avez-vous un handicap reconnu ?": "Non",
        "Quelle est votre situation de logement ?": (
            "Propriétaire, sans emprunt en cours"
        ),
        "Quelles ressources avez-vous eues ces 3 derniers mois ?": [
            "Une pension de retraite"
        ],
        "Quel est le montant net de votre retraite par mois ?": "750",
    },
    household={
        "household": {
            "commune": "23096",
            "housing": {"tenure": "owner"},
            "members": [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1955-03-30",
                    "activity": "retired",
                    "incomes": {"pension": 750.0},
                }
            ],
        }
    },
    eligible=["aspa"],
)


# -- answering the questions ----------------------------------------------------------


def question_asked(page: Page) -> str:
    return " ".join(page.get_by_role("heading", level=1).inner_text().split())


def answer_with_the_mouse(page: Page, question: str, answer: Answer) -> None:
    if isinstance(answer, Date):
        page.get_by_label("Jour", exact=True).fill(answer.day)
        page.get_by_label("Mois", exact=True).fill(answer.month)
        page.get_by_label("Année", exact=True).fill(answer.year)
    elif isinstance(answer, list):
        for label in answer:
            page.get_by_label(label, exact=True).check()
    elif page.get_by_role("textbox", name=question, exact=True).count():
        page.get_by_label(question, exact=True).fill(answer)
    else:
        page.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Continuer").click()


def answer_with_the_keyboard(page: Page, question: str, answer: Answer) -> None:
    """Tab, Shift+Tab, arrows, Space, Enter and typing: never a click."""
    continue_button = page.get_by_role("button", name="Continuer")
    if isinstance(answer, Date):
        tab_to(page, page.get_by_role("textbox", name="Jour", exact=True))
        page.keyboard.type(answer.day)
        page.keyboard.press("Tab")
        page.keyboard.type(answer.month)
        page.keyboard.press("Tab")
        page.keyboard.type(answer.year)
        submit(page, "Enter")  # as in any text field
    elif isinstance(answer, list):
        for label in answer:
            tab_to(page, page.get_by_role("checkbox", name=label, exact=True))
            page.keyboard.press("Space")
        tab_to(page, continue_button)
        submit(page, "Space")
    elif page.get_by_role("textbox", name=question, exact=True).count():
        # From the button back up to the field, then Enter in the field.
        tab_to(page, continue_button)
        tab_to(page, page.get_by_role("textbox", name=question), back=True)
        page.keyboard.type(answer)
        submit(page, "Enter")
    else:
        # Tab enters the group on its first option; the arrows move on (and choose).
        option = page.get_by_role("radio", name=answer, exact=True)
        tab_to(page, page.get_by_role("radio").first)
        for _ in range(page.get_by_role("radio").count()):
            if is_focused(option):
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        expect(option).to_be_checked()
        tab_to(page, continue_button)
        submit(page, "Enter")


def submit(page: Page, key: str) -> None:
    """Press the key that sends the form, and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def start(page: Page) -> None:
    """From the home page, as everyone does."""
    page.goto("/")
    page.get_by_role("link", name="Commencer").click()


def answer_every_question(
    page: Page,
    journey: Journey,
    answer: Callable[[Page, str, Answer], None] = answer_with_the_mouse,
    on_each_page: Callable[[Page], None] | None = None,
) -> None:
    """Answer each question the pages ask, in their order, up to the check-your-
    answers page; fail on a question the journey does not expect, on an answer the
    page refuses, and if a question the journey expects was not asked."""
    asked: list[str] = []
    while (question := question_asked(page)) != CHECK_ANSWERS:
        assert question in journey.answers, (
            f"unexpected question {question!r} after {asked}"
        )
        assert question not in asked, f"asked again: {question!r}\n" + error_summary(
            page
        )
        if on_each_page:
            on_each_page(page)
        answer(page, question, journey.answers[question])
        page.wait_for_load_state()
        asked.append(question)
    assert sorted(asked) == sorted(journey.answers), "questions not asked"


def error_summary(page: Page) -> str:
    summary = page.locator("#resume-erreurs")
    return summary.inner_text() if summary.count() else ""


# -- the results ----------------------------------------------------------------------


@cache
def expected_results(journey: Journey) -> Results:
    """The simulator's results for the journey's household (seconds each: two
    tests share each household)."""
    return simulate([parse_request(journey.household)])[0]


def whole_euros(amount: float) -> int:
    return int(Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def shown_amount(text: str) -> Decimal:
    """'1 234 € par mois' → 1234; '0,50 € par an' → 0.50."""
    number = re.sub(r"[^\d,]", "", text.split("€")[0]).replace(",", ".")
    return Decimal(number)


def check_results(page: Page, journey: Journey) -> None:
    """The page shows each benefit under the status the simulator gives it, and
    each amount the simulator computes, rounded to the euro, per its period."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos résultats")
    results = expected_results(journey)
    for status, section in STATUS_SECTIONS.items():
        shown = page.evaluate(
            "section => [...document.querySelectorAll(section + ' .fr-benefit')]"
            ".map(element => element.id.replace(/^aide-/, ''))",
            section,
        )
        expected = [r.benefit.id for r in results.benefits if r.status == status]
        assert sorted(shown) == sorted(expected), f"{status} benefits"
    monthly_total = 0
    for result in results.benefits:
        if result.status != "eligible":
            continue
        benefit = result.benefit
        text = " ".join(page.locator(f"#montant-{benefit.id}").inner_text().split())
        if benefit.unit == "boolean":
            assert text == "Vous y avez droit", benefit.id
        elif benefit.unit == "percent":
            assert text.startswith("Réduction de"), (benefit.id, text)
        else:
            euros = whole_euros(result.amount)
            assert shown_amount(text) == euros, (benefit.id, text, result.amount)
            assert text.endswith(PAID_PER[benefit.paid_per]), (benefit.id, text)
            if benefit.paid_per == "month" and benefit.direction == "received":
                monthly_total += euros
    if monthly_total:
        total = page.locator("#total-mensuel").inner_text()
        assert shown_amount(total.split(":")[-1]) == monthly_total, total
    for benefit_id in journey.eligible:
        expect(page.locator(f"#aides-eligibles #aide-{benefit_id}")).to_be_visible()


def see_results(page: Page) -> None:
    page.get_by_role("link", name="Voir mes résultats").click()
    page.wait_for_load_state()


# -- the journeys ---------------------------------------------------------------------


def test_single_adult_without_income_hosted_free_in_rennes_is_shown_the_rsa(
    page: Page,
):
    start(page)

    answer_every_question(page, SINGLE_IN_RENNES)
    see_results(page)

    check_results(page, SINGLE_IN_RENNES)
    amount = page.locator("#montant-rsa").inner_text()
    assert shown_amount(amount) > 0 and "par mois" in amount


def test_couple_with_two_children_renting_every_page_has_no_axe_violation(
    page: Page,
):
    """axe-core on every page of the journey, an error message included."""
    violations: dict[str, str] = {}

    def check(page: Page) -> None:
        found = axe_violations(page)
        if found:
            violations[f"{page.url} ({question_asked(page)})"] = describe(found)

    page.goto("/")
    check(page)
    page.get_by_role("link", name="Commencer").click()
    page.get_by_role("button", name="Continuer").click()  # nothing typed
    expect(page.locator("#resume-erreurs")).to_be_visible()
    check(page)

    answer_every_question(page, COUPLE_WITH_TWO_CHILDREN_RENTING, on_each_page=check)
    check(page)
    see_results(page)
    # The what-if charts are on the page, and their table is open for axe to read.
    expect(page.locator("#si-revenus-changeaient svg[role=img]")).to_have_count(2)
    page.locator("#si-revenus-valeurs summary").click()
    expect(page.locator("#si-revenus-tableau")).to_be_visible()
    check(page)

    assert not violations, "\n".join(f"{u}:\n{d}" for u, d in violations.items())
    check_results(page, COUPLE_WITH_TWO_CHILDREN_RENTING)


def test_retiree_with_a_small_pension_is_shown_the_aspa_in_french_and_english(
    page: Page,
):
    start(page)

    answer_every_question(page, RETIREE_WITH_A_SMALL_PENSION)
    see_results(page)

    check_results(page, RETIREE_WITH_A_SMALL_PENSION)
    amount = shown_amount(page.locator("#montant-aspa").inner_text())
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    expect(page.locator("#aides-eligibles h2")).to_have_text(
        "Benefits you are entitled to"
    )
    expect(page.locator("#montant-aspa")).to_have_text(f"€{amount} a month")


def test_a_journey_is_completed_with_the_keyboard_alone(page: Page):
    page.goto("/")
    tab_to(page, page.get_by_role("link", name="Commencer"))
    submit(page, "Enter")

    answer_every_question(page, SINGLE_IN_RENNES, answer=answer_with_the_keyboard)
    tab_to(page, page.get_by_role("link", name="Voir mes résultats"))
    submit(page, "Enter")

    check_results(page, SINGLE_IN_RENNES)
    # The explanation opens with the keyboard too.
    why = page.locator("#pourquoi-rsa summary")
    tab_to(page, why)
    page.keyboard.press("Enter")
    expect(page.locator("#pourquoi-rsa")).to_have_attribute("open", "")


def test_language_switch_shows_the_questionnaire_in_english(page: Page):
    start(page)

    page.get_by_role("link", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What is the postal code of the town where you live?"
    )
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    page.get_by_role("link", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Quel est le code postal de la commune où vous habitez ?"
    )


def test_answers_saved_for_later_are_taken_back_in_another_browser(
    page: Page, make_context
):
    """The save-for-later pages, axe-core on each, and the link in a new browser."""
    start(page)
    page.get_by_label(
        "Quel est le code postal de la commune où vous habitez ?", exact=True
    ).fill("35000")
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("link", name="Reprendre plus tard").click()
    check_accessibility(page)
    page.get_by_role("button", name="Enregistrer mes réponses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vos réponses sont enregistrées"
    )
    check_accessibility(page)
    link = page.locator("#lien-sauvegarde").inner_text()

    elsewhere = make_context().new_page()
    elsewhere.goto(link)
    check_accessibility(elsewhere)
    elsewhere.get_by_role("button", name="Reprendre ma simulation").click()

    expect(elsewhere.get_by_role("heading", level=1)).to_have_text(
        "Vivez-vous en couple ?"
    )
