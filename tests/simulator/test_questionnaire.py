"""The questionnaire's steps, walked with answers, without the web: which questions
are asked for which household, what the answers make of the household, and the
household model's messages on wrong answers."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.household import parse_request
from simulator.questionnaire import (
    AnswerError,
    Answers,
    RoleText,
    answer,
    current_value,
    find_question,
    next_question,
    options,
    questionnaire,
    questions,
    to_request,
)

SINGLE_IN_RENNES = {
    "postal_code": "35000",
    "couple": False,
    "children": 0,
    "birth_date/me": "1988-04-15",
    "activity/me": "unemployed",
    "disability": [],
    "tenure": "tenant",
    "housing_type": "unfurnished",
    "rent": 450.0,
    "incomes/me": [],
}

COUPLE_WITH_TWO_CHILDREN = {
    "postal_code": "44000",
    "couple": True,
    "children": 2,
    "birth_date/me": "1985-02-11",
    "activity/me": "employed",
    "birth_date/partner": "1987-07-30",
    "activity/partner": "employed",
    "birth_date/child1": "2017-03-08",
    "schooling/child1": "primaire",
    "birth_date/child2": "2013-10-21",
    "schooling/child2": "college",
    "disability": [],
    "tenure": "tenant",
    "housing_type": "unfurnished",
    "rent": 780.0,
    "incomes/me": ["salary"],
    "salary/me": 1600.0,
    "incomes/partner": ["salary"],
    "salary/partner": 900.0,
}

RETIREE_IN_GUERET = {
    "postal_code": "23000",  # serves 15 communes: the questionnaire asks which
    "commune": "23096",
    "couple": False,
    "children": 0,
    "birth_date/me": "1955-03-30",
    "activity/me": "retired",
    "disability": [],
    "tenure": "owner",
    "incomes/me": ["pension"],
    "pension/me": 750.0,
}


def walk(
    given: dict[str, Any], answers: Answers | None = None
) -> tuple[Answers, list[str]]:
    """Answer each question asked with `given[key]`, until none is left."""
    answers = answers or Answers.new()
    asked: list[str] = []
    while (question := next_question(answers)) is not None:
        assert question.key in given, f"unexpected question {question.key}"
        assert question.key not in asked, f"{question.key} asked twice"
        asked.append(question.key)
        answers = answer(answers, question, given[question.key])
    return answers, asked


def give(answers: Answers, key: str, value: Any) -> Answers:
    question = find_question(answers, key)
    assert question is not None, f"{key} is not asked"
    return answer(answers, question, value)


def error_of(answers: Answers, key: str, value: Any) -> tuple[str, str]:
    question = find_question(answers, key)
    assert question is not None
    with pytest.raises(AnswerError) as caught:
        answer(answers, question, value)
    (error,) = caught.value.errors
    return error.fr, error.en


# -- the data --------------------------------------------------------------------------

ROLES_OF_BLOCK = {
    "household": [None],
    "adults": ["applicant", "partner"],
    "members": ["applicant", "partner", "child"],
}


def test_every_step_has_its_texts_in_french_and_english_for_every_role_it_asks():
    for block in questionnaire().blocks:
        for step in block.steps:
            roles = ROLES_OF_BLOCK[block.for_]
            if step.when and step.when.role:
                roles = list(step.when.role)
            for name in ("question", "hint", "summary", "required"):
                text = getattr(step, name)
                for role in roles:
                    if isinstance(text, RoleText):
                        assert role is not None, f"{step.id}.{name} per role"
                        per_role = getattr(text, role)
                        assert per_role is not None, f"{step.id}.{name}.{role}"
                        assert per_role.fr and per_role.en
                    else:
                        assert text.fr and text.en
            for option in step.options:
                assert option.label.fr and option.label.en


def test_steps_are_keyed_by_the_fields_they_fill_of_the_household_model():
    fills = {
        step.id: step.fills for block in questionnaire().blocks for step in block.steps
    }

    assert fills["birth_date"] == ("birth_date",)
    assert fills["rent"] == ("housing.rent",)
    assert fills["resident_since"] == ("resident_since",)
    assert fills["salary"] == ("incomes.salary",)


# -- how many questions ----------------------------------------------------------------


def test_a_single_adult_without_income_reaches_the_end_in_twelve_questions_or_fewer():
    _answers, asked = walk(SINGLE_IN_RENNES)

    assert len(asked) == 10
    assert len(asked) <= 12


def test_a_couple_with_two_children_is_asked_about_each_person():
    _answers, asked = walk(COUPLE_WITH_TWO_CHILDREN)

    assert len(asked) == 19
    assert asked[3:11] == [
        "birth_date/me",
        "activity/me",
        "birth_date/partner",
        "activity/partner",
        "birth_date/child1",
        "schooling/child1",
        "birth_date/child2",
        "schooling/child2",
    ]


def test_a_retired_owner_gets_no_housing_cost_question_and_chooses_the_commune():
    _answers, asked = walk(RETIREE_IN_GUERET)

    assert len(asked) == 10
    assert "commune" in asked
    assert not {"rent", "housing_type", "loan_payment"} & set(asked)


def test_the_answers_are_the_household_request_the_api_takes():
    answers, _asked = walk(COUPLE_WITH_TWO_CHILDREN)

    expected = parse_request(
        {
            "household": {
                "postal_code": "44000",
                "commune": "44109",
                "housing": {
                    "tenure": "tenant",
                    "rent": 780.0,
                    "furnished": False,
                    "social_housing": False,
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
        }
    )
    assert to_request(answers) == expected


# -- relevance rules -------------------------------------------------------------------


def keys(answers: Answers) -> set[str]:
    return {question.key for question in questions(answers)}


def test_rent_and_kind_of_rental_are_asked_of_tenants_only():
    answers, _ = walk(SINGLE_IN_RENNES)
    assert {"rent", "housing_type"} <= keys(answers)

    for tenure in ("owner", "owner_with_loan", "hosted_free", "homeless", "other"):
        changed = give(answers, "tenure", tenure)
        assert not {"rent", "housing_type"} & keys(changed), tenure


def test_the_loan_is_asked_of_owners_repaying_one_only():
    answers, _ = walk(RETIREE_IN_GUERET)
    assert "loan_payment" not in keys(answers)

    assert "loan_payment" in keys(give(answers, "tenure", "owner_with_loan"))


def test_no_child_question_without_children():
    answers, _ = walk(SINGLE_IN_RENNES)

    assert not [key for key in keys(answers) if key.endswith("/child1")]


def test_a_baby_is_not_asked_about_school():
    given = {**SINGLE_IN_RENNES, "children": 1, "birth_date/child1": "2026-03-12"}
    answers, asked = walk(given)

    assert "birth_date/child1" in asked
    assert "schooling/child1" not in keys(answers)


def test_partner_questions_only_for_a_couple():
    answers, asked = walk(SINGLE_IN_RENNES)
    assert not [key for key in keys(answers) if key.endswith("/partner")]

    couple = give(answers, "couple", True)
    assert {"birth_date/partner", "activity/partner", "incomes/partner"} <= keys(couple)


def test_the_disability_rate_is_asked_only_of_the_people_declared_disabled():
    answers, _ = walk(COUPLE_WITH_TWO_CHILDREN)
    assert not [key for key in keys(answers) if key.startswith("disability_rate")]

    declared = give(answers, "disability", ["child2"])
    rates = {key for key in keys(declared) if key.startswith("disability_rate")}
    assert rates == {"disability_rate/child2"}

    rated = give(declared, "disability_rate/child2", 0.8)
    assert to_request(rated).household.members[3].disability_rate == 0.8


def test_a_household_of_one_is_asked_the_disability_question_in_the_singular():
    answers = walk(SINGLE_IN_RENNES)[0]
    question = find_question(answers, "disability")

    assert question.text("question", "fr") == "Avez-vous un handicap reconnu ?"
    assert question.text("question", "en") == "Do you have a recognised disability?"


def test_student_questions_are_for_students_not_for_a_retiree():
    retiree, _ = walk(RETIREE_IN_GUERET)
    incomes = find_question(retiree, "incomes/me")

    assert "schooling/me" not in keys(retiree)
    assert "scholarship" not in dict(options(incomes, retiree))

    student = give(retiree, "activity/me", "student")
    assert "schooling/me" in keys(student)
    offered = dict(options(find_question(student, "incomes/me"), student))
    assert "scholarship" in offered
    assert "pension" not in offered


def test_since_when_in_the_commune_is_asked_in_paris_only():
    answers, _ = walk(SINGLE_IN_RENNES)
    assert "resident_since" not in keys(answers)

    in_paris = give(answers, "postal_code", "75011")
    assert "resident_since" in keys(in_paris)
    assert next_question(in_paris).key == "resident_since"
    assert find_question(in_paris, "resident_since").step.optional


def test_the_commune_is_asked_only_when_the_postal_code_serves_several():
    answers, asked = walk(SINGLE_IN_RENNES)
    assert "commune" not in asked
    assert answers.household["commune"] == "35238"

    several = give(answers, "postal_code", "23000")
    assert next_question(several).key == "commune"
    assert "commune" not in several.household


def test_an_income_amount_is_asked_only_when_that_income_is_declared():
    answers, _ = walk(COUPLE_WITH_TWO_CHILDREN)
    assert {"salary/me", "salary/partner"} <= keys(answers)
    assert "unemployment/me" not in keys(answers)

    changed = give(answers, "incomes/me", ["unemployment"])
    assert "salary/me" not in keys(changed)
    assert next_question(changed).key == "unemployment/me"


# -- changing answers keeps a valid household ------------------------------------------


def test_becoming_an_owner_erases_the_rent_and_the_household_stays_valid():
    answers, _ = walk(SINGLE_IN_RENNES)

    owner = give(answers, "tenure", "owner")

    assert owner.household["housing"] == {"tenure": "owner"}
    assert "rent" not in owner.answered
    assert to_request(owner).household.housing.tenure == "owner"


def test_fewer_children_drops_the_last_ones_and_their_answers():
    answers, _ = walk(COUPLE_WITH_TWO_CHILDREN)

    fewer = give(answers, "children", 1)

    assert [m["id"] for m in fewer.household["members"]] == ["me", "partner", "child1"]
    assert not [key for key in fewer.answered if key.endswith("/child2")]
    assert current_value(find_question(fewer, "children"), fewer) == 1


def test_more_children_asks_about_the_new_ones_only():
    answers, _ = walk(COUPLE_WITH_TWO_CHILDREN)

    more = give(answers, "children", 3)

    assert next_question(more).key == "birth_date/child3"


def test_no_longer_a_student_erases_the_studies_and_the_grant():
    given = {
        **SINGLE_IN_RENNES,
        "activity/me": "student",
        "schooling/me": "higher_education",
        "incomes/me": ["scholarship"],
        "scholarship/me": 300.0,
    }
    answers, _ = walk(given)
    assert to_request(answers).household.members[0].incomes.scholarship == 300.0

    working = give(answers, "activity/me", "employed")

    member = working.household["members"][0]
    assert "schooling" not in member
    assert "incomes" not in member
    assert "scholarship/me" not in working.answered


def test_leaving_the_couple_removes_the_partner():
    answers, _ = walk(COUPLE_WITH_TWO_CHILDREN)

    alone = give(answers, "couple", False)

    assert [m["role"] for m in alone.household["members"]] == [
        "applicant",
        "child",
        "child",
    ]
    assert next_question(alone) is None
    to_request(alone)


# -- messages --------------------------------------------------------------------------


def test_a_missing_answer_gets_the_steps_message_that_says_what_to_do():
    fr, en = error_of(Answers.new(), "postal_code", None)

    assert fr == "Saisissez le code postal de votre commune, par exemple 35000."
    assert en == "Enter the postal code of your town, for example 35000."


@pytest.mark.parametrize(
    ("value", "french"),
    [
        ("3500", "Le code postal compte 5 chiffres, par exemple 35000."),
        ("99999", "Aucune commune n'a le code postal 99999 : vérifiez-le."),
    ],
)
def test_a_wrong_postal_code_gets_the_household_models_message(value, french):
    assert error_of(Answers.new(), "postal_code", value)[0] == french


def test_a_birth_date_too_old_or_in_the_future_gets_the_models_messages():
    answers, _ = walk(SINGLE_IN_RENNES)

    assert error_of(answers, "birth_date/me", "1850-01-01")[0] == (
        "La date de naissance doit être postérieure à 1900."
    )
    fr, en = error_of(answers, "birth_date/me", "2999-01-01")
    assert fr.startswith("La date de naissance ne peut pas être après le mois simulé")
    assert en.startswith("The birth date cannot be after the simulated month")


def test_an_implausible_or_negative_amount_gets_the_models_messages():
    answers, _ = walk(SINGLE_IN_RENNES)

    assert error_of(answers, "rent", 50000.0)[0].startswith("Montant invraisemblable")
    assert error_of(answers, "rent", -5.0)[0].startswith(
        "Saisissez un nombre positif ou nul"
    )


def test_a_future_arrival_in_paris_gets_the_models_message():
    answers = give(walk(SINGLE_IN_RENNES)[0], "postal_code", "75011")

    fr, _en = error_of(answers, "resident_since", "2999-01")

    assert fr.startswith("La date d'arrivée dans la commune ne peut pas être après")


def test_the_optional_arrival_in_paris_can_be_left_empty():
    answers = give(walk(SINGLE_IN_RENNES)[0], "postal_code", "75011")

    answered = give(answers, "resident_since", None)

    assert "resident_since" in answered.answered
    assert next_question(answered) is None
    assert to_request(answered).household.resident_since is None


def test_too_many_children_is_refused_with_the_limit():
    fr, en = error_of(walk(SINGLE_IN_RENNES)[0], "children", 40)

    assert fr == "Saisissez un nombre entre 0 et 18."
    assert en == "Enter a number between 0 and 18."


def test_a_choice_that_is_not_offered_is_refused():
    fr, _en = error_of(walk(SINGLE_IN_RENNES)[0], "tenure", "castle")

    assert fr == "Choisissez votre situation de logement."


# -- stored answers --------------------------------------------------------------------


def test_stored_answers_come_back_the_same():
    answers, _ = walk(SINGLE_IN_RENNES)

    assert Answers.from_json(answers.to_json()) == answers


@pytest.mark.parametrize(
    "data",
    [
        None,
        "text",
        {"request": {}},
        {"request": {"household": {"members": []}}, "answered": []},
        {"request": {"household": {"members": [{"id": "me"}]}}, "answered": [3]},
    ],
)
def test_malformed_stored_answers_are_refused(data):
    assert Answers.from_json(data) is None
