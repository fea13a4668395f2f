"""How the API writes results: orjson, the parts every household shares written once
per benefit and language, and the same answer as `json.dumps` of `to_json` wrote.

One simulation for the module (about 2 s): the examples and households of the
benchmark corpus (every kind of territory) in one batch, asked in French, then in
English (from the results cache).
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import orjson
import pytest

from benchmarks.corpus import corpus
from rules.catalog import Benefit, Text
from rules.system import checked_catalog, rules_versions
from simulator import service
from simulator.household import parse_request
from simulator.results import BenefitResult, ConditionResult, Results, static_parts
from webapp.api.schemas import BatchResults
from webapp.api.views import batch_answer

from .conftest import EXAMPLES, conforms, own_service, read_example

pytestmark = pytest.mark.db

HOUSEHOLDS = [
    *(read_example(path.stem) for path in sorted(EXAMPLES.glob("*.json"))),
    *corpus(30, seed=3, month="2026-11"),
]
LANGUAGES = ("fr", "en")
SHARED = ("label", "description", "how_to_apply", "legal_references")


def reject_constant(name: str) -> NoReturn:
    raise AssertionError(f"{name} written: JSON has no such number")


def strict_loads(body: bytes) -> Any:
    return json.loads(body, parse_constant=reject_constant)


@dataclass
class Batch:
    bodies: dict[str, bytes]  # by language
    computed: dict[str, list[Results]]  # what the view wrote, by language


@pytest.fixture(scope="module")
def batch(api) -> Batch:
    bodies: dict[str, bytes] = {}
    computed: dict[str, list[Results]] = {}
    with pytest.MonkeyPatch.context() as patch:
        own_service(patch)
        simulate_many = service.simulate_many
        for lang in LANGUAGES:

            def capturing(requests: Any, lang: str = lang) -> list[Results]:
                computed[lang] = simulate_many(requests)
                return computed[lang]

            patch.setattr(service, "simulate_many", capturing)
            response = api.client.post(
                f"/api/v1/simulations/batch?lang={lang}",
                json={"simulations": HOUSEHOLDS},
                headers=api.bearer(),
            )
            assert response.status_code == 200, response.get_data(as_text=True)
            assert response.mimetype == "application/json"
            bodies[lang] = response.get_data()
    return Batch(bodies, computed)


def old_answer(dumps: Any, computed: list[Results], lang: str) -> str:
    """The batch answer as it was written before orjson: the app's JSON provider
    (`json.dumps`, sorted keys, ASCII) on `to_json`, household by household."""
    entries = [
        dumps({"index": index, "status": "ok", "results": results.to_json(lang)})
        for index, results in enumerate(computed)
    ]
    rules = dumps(rules_versions())
    return '{"results": [' + ",".join(entries) + '], "rules": ' + rules + "}"


def catalog_parts(benefit: Benefit, lang: str) -> dict[str, Any]:
    """A benefit's parts that are the same for every household, from the catalog."""
    return {
        "label": benefit.label.get(lang),
        "description": benefit.description.get(lang),
        "how_to_apply": {
            **benefit.how_to_apply.to_json(lang),
            "documents": benefit.documents_json(lang),
        },
        "legal_references": benefit.references_json(),
    }


def parts_of(written: dict[str, Any]) -> dict[str, Any]:
    return {name: written[name] for name in SHARED}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_batch_answer_reads_as_the_one_json_dumps_wrote(api, batch, lang):
    body = batch.bodies[lang]
    conforms(BatchResults, body)

    written = strict_loads(body)
    old = json.loads(old_answer(api.app.json.dumps, batch.computed[lang], lang))

    assert len(written["results"]) == len(HOUSEHOLDS)
    assert {item["status"] for item in written["results"]} == {"ok"}
    assert written == old


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_shared_parts_of_each_benefit_are_the_catalog_s_in_the_language(
    batch, lang
):
    catalog = {benefit.id: benefit for benefit in checked_catalog()}
    other = "en" if lang == "fr" else "fr"

    for item in strict_loads(batch.bodies[lang])["results"]:
        for benefit in item["results"]["benefits"]:
            expected = catalog_parts(catalog[benefit["id"]], lang)
            assert parts_of(benefit) == expected
            assert parts_of(benefit) != catalog_parts(catalog[benefit["id"]], other)


def test_an_answer_changed_by_its_caller_changes_no_other(batch):
    first, second = batch.computed["fr"][:2]
    catalog = {benefit.id: benefit for benefit in checked_catalog()}

    changed = first.to_json("fr")
    for benefit in changed["benefits"]:
        benefit["how_to_apply"]["url"] = "changed"
        benefit["how_to_apply"]["documents"].append("changed")
        benefit["legal_references"][0]["title"] = "changed"
        benefit["legal_references"].append({"title": "changed", "url": "changed"})
    shared = static_parts(first.benefits[0].benefit, "fr")
    with pytest.raises(dataclasses.FrozenInstanceError):
        shared.how_to_apply = b"{}"

    for results in (first, second):
        for answer in (
            results.to_json("fr"),
            strict_loads(orjson.dumps(results.to_json("fr", fragments=True))),
        ):
            assert "changed" not in json.dumps(answer)
            for benefit in answer["benefits"]:
                assert parts_of(benefit) == catalog_parts(catalog[benefit["id"]], "fr")


def not_finite_results() -> Results:
    """Results with every number the simulator hands over that could be non-finite."""
    request = parse_request(read_example("single-no-income"))
    benefit = checked_catalog()[0]
    condition = ConditionResult(
        benefit.explanations[0].variable,
        False,
        float("inf"),
        float("-inf"),
        Text(fr="Condition", en="Condition"),
    )
    result = BenefitResult(
        benefit,
        "not_eligible",
        float("nan"),
        (condition,),
        (),
        ({"id": "me", "amount": float("nan")},),
    )
    return Results(request, (result,))


def test_nan_and_infinity_are_written_as_null_in_both_answers(api, monkeypatch):
    results = not_finite_results()
    monkeypatch.setattr(service, "simulate_one", lambda request: results)
    monkeypatch.setattr(service, "simulate_many", lambda requests: [results])
    household = read_example("single-no-income")

    single = api.client.post("/api/v1/simulations", json=household)
    in_batch = api.client.post(
        "/api/v1/simulations/batch",
        json={"simulations": [household]},
        headers=api.bearer(),
    )

    assert single.status_code == in_batch.status_code == 200
    answers = [
        strict_loads(single.get_data()),
        strict_loads(in_batch.get_data())["results"][0]["results"],
    ]
    for answer in answers:
        (benefit,) = answer["benefits"]
        assert benefit["amount"] is None
        assert benefit["members"] == [{"id": "me", "amount": None}]
        (condition,) = benefit["conditions"]
        assert condition["value"] is None and condition["limit"] is None


def test_float32_derived_numbers_are_written_as_the_same_numbers():
    # OpenFisca computes in float32; the results hold them as Python floats, rounded
    # to the cent or not.
    generator = np.random.default_rng(2026)
    raw = generator.standard_normal(5000) * 10.0 ** generator.integers(-8, 9, 5000)
    singles = raw.astype(np.float32).tolist()
    numbers = [
        *singles,
        *(round(number, 2) for number in singles),
        0.0,
        -0.0,
        1e-7,
        1e16,
        1.5e300,
        5e-324,
        123456789.01,
    ]
    request = parse_request(read_example("single-no-income"))
    members = tuple({"id": f"m{i}", "amount": x} for i, x in enumerate(numbers))
    result = BenefitResult(checked_catalog()[0], "eligible", 1.0, members=members)

    body = b"".join(batch_answer([request], [Results(request, (result,))], "fr"))

    (benefit,) = strict_loads(body)["results"][0]["results"]["benefits"]
    written = [member["amount"] for member in benefit["members"]]
    assert written == numbers
    assert [math.copysign(1.0, x) for x in written] == [
        math.copysign(1.0, x) for x in numbers
    ]
