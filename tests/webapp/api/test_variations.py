"""POST /api/v1/simulations/variations: a household's benefits along an axis of one
income, consistent with /api/v1/simulations; every axis error names its field.

Two small axes and one simulation for the whole module (about 5 s), made once by
`answers`; the refusals simulate nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from rules.system import rules_versions
from simulator import service
from simulator.coalescer import Overloaded
from webapp.api.schemas import Variations

from .conftest import Api, conforms, fields, problem

VARIATIONS = "/api/v1/simulations/variations"
SIMULATIONS = "/api/v1/simulations"
SALARY = 1200.0
# A single employee, tenant in Rennes: her own salary is the middle point of the axis.
HOUSEHOLD = {
    "month": "2026-11",
    "household": {
        "commune": "35238",
        "housing": {"tenure": "tenant", "rent": 480.0},
        "members": [
            {
                "id": "ana",
                "role": "applicant",
                "birth_date": "1985-06-02",
                "activity": "employed",
                "incomes": {"salary": SALARY},
            }
        ],
    },
}
AXIS = {"member_id": "ana", "income": "salary", "start": 0, "stop": 2400, "steps": 5}


@dataclass
class Answers:
    axis: Any
    single: Any
    defaults: Any

    def json(self, name: str) -> Any:
        return json.loads(getattr(self, name).get_data())


@pytest.fixture(scope="module")
def answers(api: Api) -> Answers:
    client = api.client
    return Answers(
        axis=client.post(VARIATIONS, json={**HOUSEHOLD, "axis": AXIS}),
        single=client.post(SIMULATIONS, json=HOUSEHOLD),
        defaults=client.post(
            f"{VARIATIONS}?lang=en",
            json={**HOUSEHOLD, "axis": {"stop": 600, "steps": 2}},
        ),
    )


def test_the_answer_describes_its_axis_and_a_curve_per_benefit(answers):
    assert answers.axis.status_code == 200, answers.axis.get_data(as_text=True)
    assert answers.axis.mimetype == "application/json"
    conforms(Variations, answers.axis.get_data())
    axis = answers.json("axis")

    assert axis["month"] == "2026-11"
    assert axis["commune"] == "35238"
    assert axis["rules"] == rules_versions()
    assert axis["axis"] == AXIS
    assert axis["points"] == [0, 600, 1200, 1800, 2400]
    assert len(axis["disposable_income"]) == 5
    assert {len(benefit["amounts"]) for benefit in axis["benefits"]} == {5}


def test_the_benefits_are_those_of_the_results_with_their_labels(answers):
    single = answers.json("single")["benefits"]
    curves = answers.json("axis")["benefits"]

    described = ("id", "label", "period", "unit", "direction")
    assert [[c[k] for k in described] for c in curves] == [
        [b[k] for k in described] for b in single
    ]


def test_at_the_households_own_salary_the_amounts_are_its_results(answers):
    axis = answers.json("axis")
    own = axis["points"].index(SALARY)
    single = {b["id"]: b["amount"] for b in answers.json("single")["benefits"]}

    for curve in axis["benefits"]:
        assert curve["amounts"][own] == single[curve["id"]], curve["id"]


def test_disposable_income_is_the_salary_plus_the_monthly_benefits_received(answers):
    axis = answers.json("axis")
    own = axis["points"].index(SALARY)
    monthly_received = [
        b["amount"]
        for b in answers.json("single")["benefits"]
        if b["status"] == "eligible"
        and b["unit"] == "EUR"
        and b["direction"] == "received"
        and b["period"] == "month"
    ]

    assert monthly_received, "housing aid or the prime d'activité at least"
    expected = SALARY + sum(monthly_received)
    assert axis["disposable_income"][own] == pytest.approx(expected, abs=0.01)


def test_disposable_income_rises_with_the_salary(answers):
    income = answers.json("axis")["disposable_income"]

    assert all(low < high for low, high in zip(income, income[1:], strict=False))
    # Without a salary, she still has the minimum income and housing aid.
    assert income[0] > 0


def test_the_axis_defaults_to_the_applicant_and_her_salary_from_zero(answers):
    assert answers.defaults.status_code == 200
    defaults = answers.json("defaults")

    assert defaults["axis"] == {
        "member_id": "ana",
        "income": "salary",
        "start": 0,
        "stop": 600,
        "steps": 2,
    }
    assert defaults["points"] == [0, 600]
    assert answers.defaults.headers["Content-Language"] == "en"
    housing = next(b for b in defaults["benefits"] if b["id"] == "aide_logement")
    assert housing["label"] != next(
        b["label"] for b in answers.json("axis")["benefits"] if b["id"] == housing["id"]
    )


def test_the_default_number_of_points_is_101(client, monkeypatch):
    asked = {}

    def record(request, **axis):
        asked.update(axis)
        return {
            "month": request.month,
            "member_id": axis["member_id"],
            "income": axis["income"],
            "points": [],
            "benefits": {},
            "disposable_income": [],
        }

    monkeypatch.setattr(service, "variations", record)

    response = client.post(VARIATIONS, json={**HOUSEHOLD, "axis": {"stop": 3000}})

    assert response.status_code == 200
    assert asked == {
        "member_id": "ana",
        "income": "salary",
        "start": 0,
        "stop": 3000,
        "steps": 101,
    }


# -- errors ------------------------------------------------------------------------


def axis(**changes: Any) -> dict[str, Any]:
    return {**HOUSEHOLD, "axis": {**AXIS, **changes}}


def without(name: str) -> dict[str, Any]:
    return {key: value for key, value in axis().items() if key != name}


def member(**changes: Any) -> dict[str, Any]:
    body = axis()
    first = {**body["household"]["members"][0], **changes}
    return {**body, "household": {**body["household"], "members": [first]}}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (axis(member_id="ghost"), ["axis.member_id"]),
        (axis(income="lottery"), ["axis.income"]),
        (axis(steps=1), ["axis.steps"]),
        (axis(steps=1001), ["axis.steps"]),
        (axis(steps="abc"), ["axis.steps"]),
        (axis(steps=2.5), ["axis.steps"]),
        (axis(steps=True), ["axis.steps"]),
        (axis(start=100_001), ["axis.start"]),
        (axis(stop=-1), ["axis.stop"]),
        (axis(stop="3000"), ["axis.stop"]),
        (axis(pets=2), ["axis.pets"]),
        ({**HOUSEHOLD, "axis": {"start": 0}}, ["axis.stop"]),
        ({**HOUSEHOLD, "axis": [0, 3000]}, ["axis"]),
        (without("axis"), ["axis"]),
        ({**axis(), "pets": 2}, ["pets"]),
        (member(birth_date="1985-02-30"), ["household.members[0].birth_date"]),
        (without("household"), ["household"]),
        (
            {**member(birth_date="1985-02-30"), "axis": {"stop": "x"}},
            ["household.members[0].birth_date", "axis.stop"],
        ),
        ([axis()], [""]),
    ],
    ids=[
        "unknown-member",
        "unknown-income",
        "one-step",
        "too-many-steps",
        "steps-text",
        "steps-fraction",
        "steps-boolean",
        "start-above-the-bound",
        "negative-stop",
        "stop-text",
        "unknown-axis-field",
        "missing-stop",
        "axis-not-an-object",
        "missing-axis",
        "unknown-top-field",
        "impossible-birth-date",
        "missing-household",
        "household-and-axis",
        "not-an-object",
    ],
)
def test_a_wrong_request_is_a_422_naming_each_field(client, body, named):
    response = client.post(VARIATIONS, json=body)

    assert fields(problem(response, 422)) == named


def test_axis_messages_say_what_to_do_in_the_language_asked(client):
    response = client.post(
        f"{VARIATIONS}?lang=en", json=axis(member_id="ghost", steps="abc")
    )

    errors = {e["field"]: e["message"] for e in problem(response, 422)["errors"]}
    assert errors == {"axis.steps": "Whole number expected, e.g. 200."}
    response = client.post(f"{VARIATIONS}?lang=en", json=axis(member_id="ghost"))
    assert problem(response, 422)["errors"] == [
        {
            "field": "axis.member_id",
            "message": "No member of the household has the id 'ghost'.",
        }
    ]


def test_the_household_errors_are_those_of_a_simulation(client):
    wrong = member(birth_date="1985-02-30", incomes={"salary": -5})
    simulation = {key: value for key, value in wrong.items() if key != "axis"}

    along_an_axis = problem(client.post(VARIATIONS, json=wrong), 422)
    alone = problem(client.post(SIMULATIONS, json=simulation), 422)

    assert along_an_axis["errors"] == alone["errors"]


def test_the_axis_has_the_rate_limit_of_single_simulations(make_app):
    client = make_app(API_RATE_LIMIT_ANONYMOUS="1/minute").test_client()

    assert client.post(VARIATIONS, json=without("axis")).status_code == 422
    response = client.post(VARIATIONS, json=without("axis"))

    problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_a_busy_simulator_is_a_503_saying_when_to_retry(client, monkeypatch):
    def busy(request, **axis):
        raise Overloaded(retry_after=4, waiting=600)

    monkeypatch.setattr(service, "variations", busy)

    response = client.post(f"{VARIATIONS}?lang=en", json=axis())

    body = problem(response, 503)
    assert response.headers["Retry-After"] == "4"
    assert body["detail"] == "The service is busy: retry after 4 seconds."


def test_a_long_axis_counts_as_several_requests_against_the_limit(make_app):
    # One request per 200 points: two 1,000-point axes (5 each) pass a limit of 10,
    # a third request does not. A 422 counts too: the limit is taken before reading.
    client = make_app(API_RATE_LIMIT_ANONYMOUS="10/minute").test_client()
    long_axis = {"axis": {**AXIS, "steps": 1000, "income": "unknown"}}

    first = client.post(VARIATIONS, json={**HOUSEHOLD, **long_axis})
    second = client.post(VARIATIONS, json={**HOUSEHOLD, **long_axis})
    third = client.post(VARIATIONS, json=without("axis"))

    assert [first.status_code, second.status_code] == [422, 422]
    assert first.headers["X-RateLimit-Remaining"] == "5"
    problem(third, 429)


def test_a_short_axis_counts_as_one_request(make_app):
    client = make_app(API_RATE_LIMIT_ANONYMOUS="10/minute").test_client()
    short_axis = {"axis": {**AXIS, "steps": 200, "income": "unknown"}}

    response = client.post(VARIATIONS, json={**HOUSEHOLD, **short_axis})

    assert response.status_code == 422
    assert response.headers["X-RateLimit-Remaining"] == "9"
