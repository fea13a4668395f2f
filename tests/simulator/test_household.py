"""The household model (v1): what it accepts, and how it explains what it refuses."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from simulator.household import (
    HouseholdError,
    SimulationRequest,
    household_json_schema,
    parse_request,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def create_member(**fields: Any) -> dict[str, Any]:
    """An adult applicant, changed by `fields` (a None value removes the field)."""
    member = {"id": "me", "role": "applicant", "birth_date": "1990-01-01"}
    member.update(fields)
    return {key: value for key, value in member.items() if value is not None}


def create_request(
    members: list[dict[str, Any]] | None = None,
    housing: dict[str, Any] | None = None,
    month: str | None = "2026-11",
    **household: Any,
) -> dict[str, Any]:
    """A valid request in Rennes, changed by the arguments (None removes a field)."""
    body: dict[str, Any] = {
        "commune": "35238",
        "housing": housing or {"tenure": "tenant", "rent": 500.0},
        "members": [create_member()] if members is None else members,
    }
    body.update(household)
    request = {"month": month, "household": body}
    return {
        key: {k: v for k, v in value.items() if v is not None}
        if isinstance(value, dict)
        else value
        for key, value in request.items()
        if value is not None
    }


def refusal(data: Any) -> HouseholdError:
    with pytest.raises(HouseholdError) as caught:
        parse_request(data)
    return caught.value


INVALID = [
    pytest.param(
        create_request([create_member(birth_date="2018-02-30")]),
        "household.members[0].birth_date",
        ["date réelle", "AAAA-MM-JJ"],
        ["real date", "YYYY-MM-DD"],
        id="an impossible date like 2018-02-30 is refused on the birth date",
    ),
    pytest.param(
        create_request([create_member(birth_date="2026-12-01")]),
        "household.members[0].birth_date",
        ["après le mois simulé", "2026-11"],
        ["after the simulated month", "2026-11"],
        id="a birth date after the simulated month is refused",
    ),
    pytest.param(
        create_request([create_member(birth_date="1899-12-31")]),
        "household.members[0].birth_date",
        ["postérieure à 1900"],
        ["after 1900"],
        id="a birth year before 1900 is refused as a typing mistake",
    ),
    pytest.param(
        create_request([create_member(incomes={"salary": -1.0})]),
        "household.members[0].incomes.salary",
        ["positif ou nul"],
        ["zero or more"],
        id="a negative salary is refused",
    ),
    pytest.param(
        create_request([create_member(incomes={"salary": 250_000.0})]),
        "household.members[0].incomes.salary",
        ["invraisemblable", "100\u202f000\u00a0€", "mensuels"],
        ["Implausible", "€100,000", "monthly"],
        id="a salary above the monthly bound is refused as implausible",
    ),
    pytest.param(
        create_request([create_member(incomes={"salary": "mille euros"})]),
        "household.members[0].incomes.salary",
        ["Nombre attendu", "812.19"],
        ["Number expected", "812.19"],
        id="a salary given as words is refused with an example of a number",
    ),
    pytest.param(
        create_request([create_member(activity="sleeping")]),
        "household.members[0].activity",
        ["Valeur inconnue", "'employed'", "'inactive'"],
        ["Unknown value", "'employed'", "'inactive'"],
        id="an unknown activity is refused with the list of activities",
    ),
    pytest.param(
        create_request(housing={"tenure": "castle"}),
        "household.housing.tenure",
        ["Valeur inconnue", "'owner_with_loan'"],
        ["Unknown value", "'owner_with_loan'"],
        id="an unknown tenure is refused with the list of tenures",
    ),
    pytest.param(
        create_request(
            [
                create_member(),
                create_member(id="p1", role="partner"),
                create_member(id="p2", role="partner"),
            ]
        ),
        "household.members",
        ["au plus un conjoint", "partner"],
        ["at most one partner", "partner"],
        id="two partners are refused",
    ),
    pytest.param(
        create_request([create_member(role="other")]),
        "household.members",
        ["exactement un demandeur", "applicant"],
        ["exactly one applicant", "applicant"],
        id="a household without an applicant is refused",
    ),
    pytest.param(
        create_request([create_member(), create_member(role="child")]),
        "household.members[1].id",
        ["« me »", "déjà utilisé"],
        ["'me'", "already used"],
        id="a member id used twice is refused on the second member",
    ),
    pytest.param(
        create_request(commune="99999"),
        "household.commune",
        ["Aucune commune", "99999"],
        ["No commune", "99999"],
        id="an unknown commune code like 99999 is refused",
    ),
    pytest.param(
        create_request(commune="3523"),
        "household.commune",
        ["5 caractères", "2A ou 2B"],
        ["5 characters", "2A or 2B"],
        id="a malformed commune code is refused with the expected format",
    ),
    pytest.param(
        create_request(commune=None, postal_code="00001"),
        "household.postal_code",
        ["Aucune commune", "00001"],
        ["No commune", "00001"],
        id="an unknown postal code is refused",
    ),
    pytest.param(
        create_request(commune=None, postal_code="01400"),
        "household.commune",
        ["plusieurs communes", "01093 (Châtillon-sur-Chalaronne)", "01328 (Romans)"],
        ["several communes", "01093 (Châtillon-sur-Chalaronne)", "01328 (Romans)"],
        id="a postal code covering several communes asks which one among them",
    ),
    pytest.param(
        create_request(commune="35238", postal_code="3500"),
        "household.postal_code",
        ["5 chiffres"],
        ["5 digits"],
        id="a malformed postal code is refused with the expected format",
    ),
    pytest.param(
        create_request(commune=None),
        "household.commune",
        ["commune de résidence", "postal_code"],
        ["commune of residence", "postal_code"],
        id="a household with neither commune nor postal code is refused",
    ),
    pytest.param(
        create_request(housing={"tenure": "owner", "rent": 500.0}),
        "household.housing.rent",
        ["ne concerne que les locataires", "tenant"],
        ["only applies to tenants", "tenant"],
        id="a rent given to an owner is refused",
    ),
    pytest.param(
        create_request(housing={"tenure": "tenant"}),
        "household.housing.rent",
        ["loyer mensuel hors charges"],
        ["monthly rent without charges"],
        id="a tenant without a rent is asked for it",
    ),
    pytest.param(
        create_request(housing={"tenure": "tenant", "rent": 500.0, "loan_payment": 1}),
        "household.housing.loan_payment",
        ["remboursent un prêt", "owner_with_loan"],
        ["owners repaying a loan", "owner_with_loan"],
        id="a loan payment given to a tenant is refused",
    ),
    pytest.param(
        create_request(housing={"tenure": "hosted_free", "furnished": True}),
        "household.housing.furnished",
        ["ne concerne que les locataires"],
        ["only applies to tenants"],
        id="furnished given to someone hosted free of charge is refused",
    ),
    pytest.param(
        create_request(housing={"tenure": "tenant", "rent": -10.0}),
        "household.housing.rent",
        ["positif ou nul"],
        ["zero or more"],
        id="a negative rent is refused",
    ),
    pytest.param(
        create_request(housing={"tenure": "tenant", "rent": 500, "furnished": "yes?"}),
        "household.housing.furnished",
        ["true ou false"],
        ["true or false"],
        id="furnished given as free text is refused as not a boolean",
    ),
    pytest.param(
        create_request(housing=None) | {"colour": "blue"},
        "colour",
        ["Champ inconnu", "retirez-le"],
        ["Unknown field", "remove it"],
        id="an unknown field at the top level is refused",
    ),
    pytest.param(
        create_request([create_member(nickname="Jo")]),
        "household.members[0].nickname",
        ["Champ inconnu"],
        ["Unknown field"],
        id="an unknown field inside a member is refused",
    ),
    pytest.param(
        create_request(month="2026-13"),
        "month",
        ["AAAA-MM", "2026-11"],
        ["YYYY-MM", "2026-11"],
        id="a month 2026-13 is refused with the expected format",
    ),
    pytest.param(
        create_request([create_member(history={"salary": {"2026-12": 100.0}})]),
        "household.members[0].history.salary.2026-12",
        ["historique", "dépasser le mois simulé", "2026-11"],
        ["history cannot go past the simulated month", "2026-11"],
        id="a history month after the simulated month is refused on that month",
    ),
    pytest.param(
        create_request([create_member(disability_rate=1.5)]),
        "household.members[0].disability_rate",
        ["taux entre 0 et 1", "0,8 pour 80"],
        ["rate between 0 and 1", "0.8 for 80%"],
        id="a disability rate of 1.5 is refused with how to write 80 percent",
    ),
    pytest.param(
        create_request([create_member(role="boss")]),
        "household.members[0].role",
        ["Valeur inconnue", "'applicant'", "'partner'"],
        ["Unknown value", "'applicant'", "'partner'"],
        id="an unknown role is refused with the list of roles",
    ),
    pytest.param(
        create_request([create_member(id="me and you")]),
        "household.members[0].id",
        ["lettres, chiffres"],
        ["letters, digits"],
        id="a member id with spaces is refused",
    ),
    pytest.param(
        create_request([]),
        "household.members",
        ["ne peut pas être vide"],
        ["cannot be empty"],
        id="an empty list of members is refused",
    ),
    pytest.param(
        create_request() | {"household": {"commune": "35238", "members": []}},
        "household.housing",
        ["obligatoire"],
        ["required"],
        id="a household without housing is refused",
    ),
    pytest.param(
        ["not", "an", "object"],
        "",
        ["Objet JSON attendu"],
        ["JSON object is expected"],
        id="a body that is not a JSON object is refused",
    ),
]


@pytest.mark.parametrize(("data", "field", "french", "english"), INVALID)
def test_an_invalid_household_is_refused_naming_the_field_in_both_languages(
    data: Any, field: str, french: list[str], english: list[str]
) -> None:
    errors = refusal(data).errors
    fields = [error.field for error in errors]
    assert field in fields
    error = errors[fields.index(field)]
    for words in french:
        assert words in error.message("fr")
    for words in english:
        assert words in error.message("en")
    assert error.fr != error.en


def test_an_invalid_household_is_refused_with_one_error_per_wrong_field() -> None:
    data = create_request(
        [create_member(birth_date="2018-02-30", incomes={"salary": -5.0})],
        commune="99999",
    )
    fields = sorted(error.field for error in refusal(data).errors)
    assert fields == [
        "household.commune",
        "household.members[0].birth_date",
        "household.members[0].incomes.salary",
    ]


def test_the_error_of_an_ambiguous_postal_code_carries_the_choices() -> None:
    data = create_request(commune=None, postal_code="01400")
    (error,) = refusal(data).errors
    assert error.context is not None
    choices = error.context["choices"]
    assert {"code": "01093", "name": "Châtillon-sur-Chalaronne"} in choices
    assert len(choices) == len({choice["code"] for choice in choices}) > 1
    assert error.to_json("en")["choices"] == choices
    assert error.to_json("en")["field"] == "household.commune"


def test_household_error_says_every_field_in_its_text() -> None:
    error = refusal(create_request([create_member(birth_date="2018-02-30")]))
    assert "household.members[0].birth_date" in str(error)


def test_a_minimal_household_is_accepted_with_defaults() -> None:
    data = create_request(housing={"tenure": "hosted_free"})
    request = parse_request(data)
    assert isinstance(request, SimulationRequest)
    assert request.month == "2026-11"
    assert request.household.commune == "35238"
    applicant = request.household.applicant
    assert applicant.id == "me"
    assert applicant.birth_date == datetime.date(1990, 1, 1)
    assert applicant.incomes.salary == 0
    assert applicant.disability_rate is None


def test_a_postal_code_served_by_one_commune_resolves_to_it() -> None:
    request = parse_request(create_request(commune=None, postal_code="35000"))
    assert request.household.commune == "35238"


def test_a_paris_district_code_normalises_to_paris() -> None:
    request = parse_request(create_request(commune="75112"))
    assert request.household.commune == "75056"


def test_a_corsica_commune_code_is_accepted() -> None:
    request = parse_request(create_request(commune="2A004"))
    assert request.household.commune == "2A004"


def test_a_birth_during_the_simulated_month_is_accepted() -> None:
    members = [create_member(), create_member(id="baby", role="child")]
    members[1]["birth_date"] = "2026-11-30"
    assert parse_request(create_request(members)).household.members[1].id == "baby"


def test_the_month_defaults_to_the_current_month() -> None:
    request = parse_request(create_request(month=None))
    assert request.month == datetime.date.today().strftime("%Y-%m")


def test_the_json_schema_describes_the_household_fields() -> None:
    schema = household_json_schema()
    assert set(schema["properties"]) == {"month", "household"}
    assert schema["required"] == ["household"]
    definitions = schema["$defs"]
    assert {"commune", "postal_code", "housing", "members"} <= set(
        definitions["HouseholdBody"]["properties"]
    )
    member = definitions["Member"]["properties"]
    assert {"id", "role", "birth_date", "activity", "disability_rate"} <= set(member)
    assert {"incomes", "history", "schooling"} <= set(member)
    assert "self_employment_annual" in definitions["Incomes"]["properties"]
    tenure = json.dumps(definitions["Housing"]["properties"]["tenure"])
    assert "owner_with_loan" in tenure
    assert definitions["Member"]["additionalProperties"] is False


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def test_there_are_examples_of_at_least_eight_household_shapes() -> None:
    names = {path.name for path in example_files()}
    assert len(names) >= 8
    assert "single-no-income.json" in names


@pytest.mark.parametrize("path", example_files(), ids=lambda path: path.name)
def test_every_example_is_a_valid_request_for_november_2026(path: Path) -> None:
    request = parse_request(json.loads(path.read_text(encoding="utf-8")))
    assert request.month == "2026-11"


def test_amounts_must_be_numbers_not_text_or_booleans():
    for value in ("812.19", True):
        data = {
            "month": "2026-11",
            "household": {
                "commune": "35238",
                "housing": {"tenure": "hosted_free"},
                "members": [
                    {
                        "id": "me",
                        "role": "applicant",
                        "birth_date": "1990-01-01",
                        "incomes": {"salary": value},
                    }
                ],
            },
        }
        with pytest.raises(HouseholdError) as caught:
            parse_request(data)
        assert caught.value.errors[0].field == "household.members[0].incomes.salary"


def test_a_postal_code_that_does_not_serve_the_commune_is_rejected():
    data = {
        "month": "2026-11",
        "household": {
            "commune": "75056",
            "postal_code": "35000",
            "housing": {"tenure": "hosted_free"},
            "members": [{"id": "me", "role": "applicant", "birth_date": "1990-01-01"}],
        },
    }
    with pytest.raises(HouseholdError) as caught:
        parse_request(data)
    (problem,) = caught.value.errors
    assert problem.field == "household.postal_code"
    assert "35000" in problem.fr and "75056" in problem.en


def test_arrival_in_the_commune_after_the_simulated_month_is_rejected():
    data = {
        "month": "2026-11",
        "household": {
            "commune": "75056",
            "resident_since": "2027-01",
            "housing": {"tenure": "hosted_free"},
            "members": [{"id": "me", "role": "applicant", "birth_date": "1990-01-01"}],
        },
    }
    with pytest.raises(HouseholdError) as caught:
        parse_request(data)
    assert caught.value.errors[0].field == "household.resident_since"


def test_a_malformed_history_month_names_the_month_without_marker():
    data = {
        "month": "2026-11",
        "household": {
            "commune": "35238",
            "housing": {"tenure": "hosted_free"},
            "members": [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1990-01-01",
                    "history": {"salary": {"2026-1": 100}},
                }
            ],
        },
    }
    with pytest.raises(HouseholdError) as caught:
        parse_request(data)
    assert caught.value.errors[0].field == "household.members[0].history.salary.2026-1"


@pytest.mark.parametrize("month", ["2019-06", "9999-12", "0001-01"])
def test_a_month_the_rules_cannot_compute_is_rejected_with_the_range(month):
    data = {
        "month": month,
        "household": {
            "commune": "35238",
            "housing": {"tenure": "hosted_free"},
            "members": [{"id": "me", "role": "applicant", "birth_date": "1990-01-01"}],
        },
    }
    with pytest.raises(HouseholdError) as caught:
        parse_request(data)
    (problem,) = caught.value.errors
    assert problem.field == "month"
    assert "2023-01" in problem.fr and "2023-01" in problem.en
