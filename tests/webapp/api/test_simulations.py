"""POST /api/v1/simulations and /api/v1/simulations/batch: the results contract, one
vectorised simulation per batch, households alone and in a batch alike.

Three simulations for the whole module (about 5 s), made once by `answers`, without a
results cache: the batch computes its households itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from rules.system import rules_versions
from simulator import service
from simulator.engine import benefits_for
from webapp.api.openapi import request_examples
from webapp.api.schemas import BatchResults, Results
from webapp.workers import batches_held

from .conftest import conforms, fields, own_service, problem, read_example

pytestmark = pytest.mark.db

DOCUMENTED_BATCH = request_examples()["mixed-batch"]["value"]["simulations"]
# The documented batch (a household, then one with an impossible date), then a
# household of another shape, something that is not an object, an unknown field.
BATCH = [
    *DOCUMENTED_BATCH,
    read_example("couple-two-children"),
    42,
    {**read_example("student"), "pets": 2},
]


@dataclass
class Answers:
    single: Any
    english: Any
    batch: Any
    simulated: list[int]  # the number of households of each call to simulate()

    def json(self, name: str) -> Any:
        return json.loads(getattr(self, name).get_data())


@pytest.fixture(scope="module")
def answers(api) -> Answers:
    client = api.client
    with pytest.MonkeyPatch.context() as patch:
        service = own_service(patch, cached=False)
        single = client.post(
            "/api/v1/simulations",
            json=read_example("single-no-income"),
            headers={"X-Request-Id": "partner-42"},
        )
        english = client.post(
            "/api/v1/simulations",
            json=read_example("couple-two-children"),
            headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"},
        )
        batch = client.post(
            "/api/v1/simulations/batch",
            json={"simulations": BATCH},
            headers=api.bearer(),
        )
    return Answers(single, english, batch, service.simulated)


def test_a_household_gets_every_benefit_of_its_territory_with_its_variable(answers):
    assert answers.single.status_code == 200
    assert answers.single.mimetype == "application/json"
    conforms(Results, answers.single.get_data())
    results = answers.json("single")

    assert results["month"] == "2026-11"
    assert results["commune"] == "31555"
    catalog = list(benefits_for("31555"))
    expected = [(b.id, b.variable, b.label.fr) for b in catalog]
    assert [
        (b["id"], b["variable"], b["label"]) for b in results["benefits"]
    ] == expected
    assert {b["status"] for b in results["benefits"]} <= {
        "eligible",
        "not_eligible",
        "not_computable",
    }
    rsa = next(b for b in results["benefits"] if b["id"] == "rsa")
    assert rsa["status"] == "eligible" and rsa["amount"] > 0


def test_every_answer_carries_the_rules_versions_and_the_request_id(answers):
    assert answers.json("single")["rules"] == rules_versions()
    assert answers.json("batch")["rules"] == rules_versions()
    assert answers.single.headers["X-Request-Id"] == "partner-42"
    generated = answers.batch.headers["X-Request-Id"]
    assert len(generated) == 32 and int(generated, 16) >= 0


def test_labels_and_reasons_follow_accept_language(answers):
    assert answers.english.headers["Content-Language"] == "en"
    benefits = answers.json("english")["benefits"]
    catalog = {b.id: b for b in benefits_for("44109")}

    for benefit in benefits:
        assert benefit["label"] == catalog[benefit["id"]].label.en
    assert any(
        reason
        for benefit in benefits
        for reason in benefit["reasons"]
        if reason.startswith(("You", "Your", "The", "No "))
    )


def test_a_batch_answers_every_household_in_order_without_failing_the_good_ones(
    answers,
):
    assert answers.batch.status_code == 200
    conforms(BatchResults, answers.batch.get_data())
    items = answers.json("batch")["results"]

    assert [item["index"] for item in items] == [0, 1, 2, 3, 4]
    assert [item["status"] for item in items] == ["ok", "error", "ok", "error", "error"]
    assert fields(items[1]) == ["household.members[0].birth_date"]
    assert fields(items[3]) == [""]
    assert fields(items[4]) == ["pets"]
    assert items[0]["results"]["commune"] == "31555"
    assert items[2]["results"]["commune"] == "44109"
    assert "Saisissez une date réelle" in items[1]["errors"][0]["message"]


def test_a_household_alone_and_in_a_batch_gets_identical_results(answers):
    alone = answers.json("single")
    in_batch = answers.json("batch")["results"][0]["results"]

    assert json.dumps(in_batch, sort_keys=True) == json.dumps(alone, sort_keys=True)


def test_a_batch_is_computed_in_one_vectorised_simulation(answers):
    # One call per single simulation, then one call for the two valid households.
    assert answers.simulated == [1, 1, 2]


def test_a_batch_without_a_key_is_refused_before_anything_is_read(api):
    response = api.client.post("/api/v1/simulations/batch", json={"simulations": BATCH})

    body = problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "errors" not in body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], ""),
        ({}, "simulations"),
        ({"simulations": []}, "simulations"),
        ({"simulations": {"household": {}}}, "simulations"),
        ({"simulations": [{}], "lang": "en"}, "lang"),
    ],
)
def test_a_batch_body_of_the_wrong_shape_is_a_422_naming_the_field(api, body, field):
    response = api.client.post(
        "/api/v1/simulations/batch", json=body, headers=api.bearer()
    )

    assert fields(problem(response, 422)) == [field]


def test_a_batch_over_the_limit_is_a_422_saying_to_split_it(api):
    too_many = {"simulations": [{}] * 1001}

    response = api.client.post(
        "/api/v1/simulations/batch", json=too_many, headers=api.bearer()
    )

    body = problem(response, 422)
    assert fields(body) == ["simulations"]
    assert "1000" in body["errors"][0]["message"]


def test_the_batch_limit_is_a_setting(api, monkeypatch):
    monkeypatch.setitem(api.app.config, "API_BATCH_MAX", 2)

    response = api.client.post(
        "/api/v1/simulations/batch",
        json={"simulations": [{}, {}, {}]},
        headers=api.bearer(),
    )

    assert "au plus 2 simulations" in problem(response, 422)["errors"][0]["message"]


def test_a_batch_of_invalid_households_only_simulates_nothing(api, fresh_service):
    response = api.client.post(
        "/api/v1/simulations/batch?lang=en",
        json={"simulations": [{"month": "2026-13"}, None]},
        headers=api.bearer(),
    )

    items = response.get_json()["results"]
    assert [item["status"] for item in items] == ["error", "error"]
    assert "month" in fields(items[0]) and "household" in fields(items[0])
    assert items[0]["errors"][0]["message"].startswith("Enter a month")
    assert fresh_service.simulated == []


def test_a_batch_is_held_while_it_is_read_and_simulated_and_let_go_after(
    api, fresh_service, monkeypatch
):
    # What the worker sees (webapp.workers): it leaves new connections to a less
    # busy worker while a batch is held.
    held_while_simulating = []
    simulate_many = service.simulate_many

    def counting(requests):
        held_while_simulating.append(batches_held())
        return simulate_many(requests)

    monkeypatch.setattr(service, "simulate_many", counting)
    response = api.client.post(
        "/api/v1/simulations/batch",
        json={"simulations": DOCUMENTED_BATCH[:1]},
        headers=api.bearer(),
    )

    assert response.status_code == 200
    assert held_while_simulating == [1]
    assert batches_held() == 0
