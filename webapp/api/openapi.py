"""The OpenAPI 3.1 document of the API, generated from the models and a route table.

Schemas come from pydantic (the household's `SimulationRequest`, the response models of
`webapp.api.schemas`); paths are assembled from `ROUTES`; request examples are the
household files of `examples/`, the same ones the documentation's curl commands post.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic.json_schema import models_json_schema

from rules.system import rules_versions
from simulator.household import FIRST_MONTH, SimulationRequest
from webapp.api.access import AXIS_POINTS_PER_REQUEST
from webapp.api.problems import LANGUAGES, STATUSES
from webapp.api.schemas import (
    DEFAULT_AXIS_INCOME,
    DEFAULT_STEPS,
    RESPONSE_MODELS,
    BatchRequest,
    VariationsRequest,
)

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
REF = "#/components/schemas/{model}"
KEY_SCHEME = "apiKey"
JSON = "application/json"
PROBLEM = "application/problem+json"

Access = Literal["open", "key_required"]


@dataclass(frozen=True)
class Route:
    """One operation of the API, as the document and the documentation page show it."""

    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    response: str | None  # component schema of the 200 answer; None: an HTML page
    errors: tuple[int, ...]
    body: str | None = None  # component schema of the JSON body
    parameters: tuple[str, ...] = ("lang", "Accept-Language")
    access: Access = "open"
    examples: tuple[str, ...] = ()  # names of request examples (see request_examples)


# Every route answers 401/403 to a bad key (sent keys are always checked), 429 to a
# caller over its limit and 500 to a bug; the body-reading ones 400, 413, 415, 422.
ACCESS_ERRORS = (401, 403, 429, 500)
BODY_ERRORS = (400, 413, 415, 422)

ROUTES: tuple[Route, ...] = (
    Route(
        "post",
        "/api/v1/simulations",
        "simulate",
        "Simulate one household",
        "Every benefit of the catalog that applies where the household lives, with its "
        "status, amount, reasons and how to apply (results contract v1). The month "
        f"defaults to the current one; the rules compute the months from {FIRST_MONTH} "
        "to December of next year. A household asked again is answered from a cache; "
        "others are simulated together with the requests that arrive at the same "
        "time. When too many simulations are waiting, the answer is a 503 with a "
        "Retry-After header (seconds): retry after that delay.",
        response="Results",
        errors=BODY_ERRORS + ACCESS_ERRORS + (503,),
        body="SimulationRequest",
        examples=("single-no-income", "couple-two-children"),
    ),
    Route(
        "post",
        "/api/v1/simulations/batch",
        "simulate_batch",
        "Simulate many households at once (API key required)",
        "Up to API_BATCH_MAX households (1,000 by default), computed together in one "
        "vectorised simulation and answered in the same order. A household that breaks "
        "the contract gets its own errors and does not fail the others.",
        response="BatchResults",
        errors=BODY_ERRORS + ACCESS_ERRORS,
        body="BatchRequest",
        access="key_required",
        examples=("mixed-batch",),
    ),
    Route(
        "post",
        "/api/v1/simulations/variations",
        "simulate_variations",
        "What if an income changed: benefits along an axis",
        "The household of a simulation request and an 'axis': the benefits and the "
        "disposable income of the household at 'steps' evenly spaced amounts of one "
        "member's income, from 'start' to 'stop' (euros, monthly net; annual for "
        "self_employment_annual). Each point is the household as if that income had "
        "always been that amount (its history is replaced). Defaults: member_id the "
        f"applicant, income '{DEFAULT_AXIS_INCOME}', start 0, steps {DEFAULT_STEPS} "
        "(2 to 1,000); 'stop' is required. The points are simulated together, in "
        "vectorised simulations shared with the other requests of the moment. Axis "
        "errors name their field under 'axis.' "
        "(axis.member_id, axis.steps...); household errors are those of "
        "/api/v1/simulations. Against the rate limit, an axis counts as one request "
        f"per {AXIS_POINTS_PER_REQUEST} points (a 1,000-point axis counts 5). When too "
        "many simulations are waiting, the answer is a 503 with a Retry-After header "
        "(seconds).",
        response="Variations",
        errors=BODY_ERRORS + ACCESS_ERRORS + (503,),
        body="VariationsRequest",
        examples=("salary-axis",),
    ),
    Route(
        "get",
        "/api/v1/benefits",
        "list_benefits",
        "The benefit catalog",
        "Every benefit the simulator knows, or with 'commune' only those that apply "
        "there (national ones and the local ones of that territory).",
        response="Catalog",
        errors=(422, *ACCESS_ERRORS),
        parameters=("commune", "lang", "Accept-Language"),
    ),
    Route(
        "get",
        "/api/v1/openapi.json",
        "openapi",
        "This OpenAPI document",
        "Generated from the models the API validates with.",
        response="OpenAPI",
        errors=ACCESS_ERRORS,
        parameters=(),
    ),
    Route(
        "get",
        "/api/docs",
        "documentation",
        "The documentation page",
        "This document as a web page, with curl examples.",
        response=None,
        errors=ACCESS_ERRORS,
        parameters=(),
    ),
)

PARAMETERS: dict[str, dict[str, Any]] = {
    "lang": {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of labels, reasons and error messages. Without it, "
        "the Accept-Language header decides; French by default.",
        "schema": {"type": "string", "enum": list(LANGUAGES), "default": "fr"},
    },
    "Accept-Language": {
        "name": "Accept-Language",
        "in": "header",
        "required": False,
        "description": "Used when 'lang' is not given: English if preferred to French.",
        "schema": {"type": "string"},
    },
    "commune": {
        "name": "commune",
        "in": "query",
        "required": False,
        "description": "INSEE code of a commune: only the benefits that apply there.",
        "schema": {"type": "string", "pattern": r"^(\d{5}|2[AB]\d{3})$"},
        "example": "35238",
    },
}

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": {
        "description": "The request's id: yours when you sent a well-formed one (up "
        "to 64 letters, digits, '.', '_', ':' or '-'), else a new one. Quote it when "
        "you contact us.",
        "required": True,
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "required": True,
        "schema": {"type": "string"},
    },
    "WWW-Authenticate": {
        "description": "The authentication scheme: Bearer.",
        "required": True,
        "schema": {"type": "string"},
    },
}
ERROR_HEADERS = {429: "Retry-After", 503: "Retry-After", 401: "WWW-Authenticate"}


def read_example(name: str) -> dict[str, Any]:
    with (EXAMPLES_DIR / f"{name}.json").open(encoding="utf-8") as stream:
        return json.load(stream)


def request_examples() -> dict[str, dict[str, Any]]:
    """Named request bodies that work: posted by the tests, shown on /api/docs."""
    invalid = read_example("single-no-income")
    invalid = {
        **invalid,
        "household": {
            **invalid["household"],
            "members": [
                {**invalid["household"]["members"][0], "birth_date": "1990-02-30"}
            ],
        },
    }
    return {
        "single-no-income": {
            "summary": "A single person without income, tenant in Toulouse",
            "value": read_example("single-no-income"),
        },
        "couple-two-children": {
            "summary": "A working couple with two children, tenants in Nantes",
            "value": read_example("couple-two-children"),
        },
        "mixed-batch": {
            "summary": "Two households, the second one with an impossible birth date",
            "value": {"simulations": [read_example("single-no-income"), invalid]},
        },
        "salary-axis": {
            "summary": "A part-time worker in Paris, if her salary went from 0 to "
            "2,000 € a month (5 points)",
            "value": {
                **read_example("paris-part-time-worker"),
                "axis": {
                    "member_id": "me",
                    "income": "salary",
                    "start": 0,
                    "stop": 2000,
                    "steps": 5,
                },
            },
        },
    }


def component_schemas(batch_max: int) -> dict[str, Any]:
    _, top = models_json_schema(
        [
            (model, "validation")
            for model in (SimulationRequest, BatchRequest, VariationsRequest)
        ]
        + [(model, "validation") for model in RESPONSE_MODELS],
        ref_template=REF,
    )
    schemas = top["$defs"]
    schemas["BatchRequest"]["properties"]["simulations"]["maxItems"] = batch_max
    schemas["OpenAPI"] = {
        "type": "object",
        "description": "An OpenAPI 3.1 document.",
        "required": ["openapi", "info", "paths"],
    }
    return schemas


def problem_response(status: int) -> dict[str, Any]:
    headers = {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}}
    if status in ERROR_HEADERS:
        name = ERROR_HEADERS[status]
        headers[name] = {"$ref": f"#/components/headers/{name}"}
    return {
        "description": STATUSES[status]["title"][1],
        "headers": headers,
        "content": {PROBLEM: {"schema": {"$ref": REF.format(model="Problem")}}},
    }


def operation(route: Route, examples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if route.response is None:
        success = {"text/html": {"schema": {"type": "string"}}}
    else:
        success = {JSON: {"schema": {"$ref": REF.format(model=route.response)}}}
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "headers": {"X-Request-Id": {"$ref": "#/components/headers/X-Request-Id"}},
            "content": success,
        }
    }
    for status in route.errors:
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    document: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "description": route.description,
        "parameters": [
            {"$ref": f"#/components/parameters/{name}"} for name in route.parameters
        ],
        "responses": responses,
        # An empty requirement: the key is optional (it raises the rate limit).
        "security": [{KEY_SCHEME: []}]
        if route.access == "key_required"
        else [{}, {KEY_SCHEME: []}],
    }
    if route.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {
                JSON: {
                    "schema": {"$ref": REF.format(model=route.body)},
                    "examples": {name: examples[name] for name in route.examples},
                }
            },
        }
    return document


@functools.cache
def openapi_document(batch_max: int) -> dict[str, Any]:
    """The whole document; `batch_max` is the app's API_BATCH_MAX."""
    examples = request_examples()
    paths: dict[str, Any] = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method] = operation(route, examples)
    statuses = sorted({status for route in ROUTES for status in route.errors})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Simulateur d'aides — partner API",
            "version": "1.0.0",
            "description": "Which French social benefits a household can claim, how "
            "much, why, and how to apply, computed with OpenFisca-France. Errors are "
            "problem details (RFC 9457, application/problem+json). Every answer "
            "carries the versions of the rules ('rules') and an X-Request-Id header.",
            "x-rules": rules_versions(),
        },
        "paths": paths,
        "components": {
            "schemas": component_schemas(batch_max),
            "parameters": PARAMETERS,
            "headers": HEADERS,
            "responses": {
                f"Problem{status}": problem_response(status) for status in statuses
            },
            "securitySchemes": {
                KEY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key: 'Authorization: Bearer <key>'. "
                    "Required for the batch endpoint; elsewhere it raises the rate "
                    "limit.",
                }
            },
        },
    }
