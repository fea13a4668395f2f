"""GET /api/v1/openapi.json: a valid OpenAPI 3.1 document generated from the models."""

from __future__ import annotations

import json

import jsonschema
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31

from simulator.household import SimulationRequest
from webapp.api.openapi import ROUTES
from webapp.api.schemas import RESPONSE_MODELS, VariationsRequest

from .conftest import read_example


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def as_component(schema: dict) -> dict:
    """A pydantic schema with its $defs moved to components, as the document has it."""
    schema = dict(schema)
    schema.pop("$defs", None)
    text = json.dumps(schema).replace("#/$defs/", "#/components/schemas/")
    return json.loads(text)


def test_the_document_is_valid_openapi_3_1(document):
    jsonschema.Draft202012Validator(OPENAPI_31).validate(document)
    assert document["openapi"] == "3.1.0"
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_route_is_documented_with_its_problems(document):
    for route in ROUTES:
        operation = document["paths"][route.path][route.method]
        assert operation["operationId"] == route.operation_id
        for status in route.errors:
            reference = operation["responses"][str(status)]["$ref"]
            response = document["components"]["responses"][reference.split("/")[-1]]
            content = response["content"]["application/problem+json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
            assert "X-Request-Id" in response["headers"]
    simulate = document["paths"]["/api/v1/simulations"]["post"]["responses"]
    assert {"400", "413", "415", "422"} <= set(simulate)


def test_a_busy_simulator_is_documented_where_requests_queue(document):
    paths = document["paths"]
    busy = document["components"]["responses"]["Problem503"]

    assert busy["headers"]["Retry-After"] == {
        "$ref": "#/components/headers/Retry-After"
    }
    for path in ("/api/v1/simulations", "/api/v1/simulations/variations"):
        responses = paths[path]["post"]["responses"]
        assert responses["503"] == {"$ref": "#/components/responses/Problem503"}
    # A batch is simulated at once, never queued.
    assert "503" not in paths["/api/v1/simulations/batch"]["post"]["responses"]


def test_the_what_if_axis_is_documented_with_its_body_answer_and_example(document):
    operation = document["paths"]["/api/v1/simulations/variations"]["post"]
    body = operation["requestBody"]["content"]["application/json"]
    schemas = document["components"]["schemas"]

    assert body["schema"] == {"$ref": "#/components/schemas/VariationsRequest"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Variations"
    }
    assert {"400", "413", "415", "422", "429"} <= set(operation["responses"])
    assert {} in operation["security"], "open without a key"
    example = body["examples"]["salary-axis"]["value"]
    assert example["household"] == read_example("paris-part-time-worker")["household"]
    assert set(example["axis"]) == set(schemas["Axis"]["properties"])
    assert schemas["VariationsRequest"]["required"] == ["household", "axis"]
    assert (
        schemas["Axis"]["properties"]["steps"] | {"minimum": 2, "maximum": 1000}
        == (schemas["Axis"]["properties"]["steps"])
    )


def test_the_schemas_are_the_models_own(document):
    schemas = document["components"]["schemas"]

    assert schemas["SimulationRequest"] == as_component(
        SimulationRequest.model_json_schema()
    )
    assert schemas["VariationsRequest"] == as_component(
        VariationsRequest.model_json_schema()
    )
    for model in RESPONSE_MODELS:
        assert schemas[model.__name__] == as_component(model.model_json_schema())
    assert schemas["Member"]["additionalProperties"] is False


def test_the_key_is_a_bearer_scheme_required_by_the_batch_only(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKey"] == {
        **schemes["apiKey"],
        "type": "http",
        "scheme": "bearer",
    }

    paths = document["paths"]
    assert paths["/api/v1/simulations/batch"]["post"]["security"] == [{"apiKey": []}]
    assert {} in paths["/api/v1/simulations"]["post"]["security"]


def test_the_request_examples_are_the_example_files(document):
    single = document["paths"]["/api/v1/simulations"]["post"]["requestBody"]
    examples = single["content"]["application/json"]["examples"]

    assert examples["single-no-income"]["value"] == read_example("single-no-income")


def test_the_batch_size_follows_the_setting(make_app):
    client = make_app(API_BATCH_MAX=5).test_client()

    document = client.get("/api/v1/openapi.json").get_json()

    batch = document["components"]["schemas"]["BatchRequest"]
    assert batch["properties"]["simulations"]["maxItems"] == 5


def test_the_document_carries_the_rules_versions_and_a_request_id(client):
    response = client.get("/api/v1/openapi.json", headers={"X-Request-Id": "doc-1"})

    assert response.get_json()["info"]["x-rules"]["openfisca-france"]
    assert response.headers["X-Request-Id"] == "doc-1"
