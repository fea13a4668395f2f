"""Property-based tests: Schemathesis generates requests from our own OpenAPI document
and sends them to the app through WSGI, with the real simulator.

Every answer must be documented (status, content type, headers, schema) and none may
be a server error. Schemathesis runs its phases per operation: the documented examples,
coverage (boundary values, missing and wrong fields, unexpected methods) and fuzzing
(positive and negative data). Few generated households are valid (they need a real
commune), so most requests stop at validation: the households that reach the
simulator (about 1.5 s each) are counted and bounded, and the last test here sends
valid households of its own, a few.
"""

from __future__ import annotations

import datetime
import json
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import negative_data_rejection

from simulator import service
from simulator.household import ANNUAL_INCOMES, MONTHLY_INCOMES, supported_months

from .conftest import own_service

pytestmark = pytest.mark.db

# Requests each operation must have received (500 in all at least). Most come from
# the coverage phase; the fuzzing phase draws 50 examples per operation, more for the
# catalog, whose only inputs are query parameters.
MINIMUM_REQUESTS = {
    "POST /api/v1/simulations": 150,
    "POST /api/v1/simulations/batch": 150,
    "POST /api/v1/simulations/variations": 150,
    "GET /api/v1/benefits": 150,
    "GET /api/docs": 5,
}  # Schemathesis leaves out the operation that serves the document itself.
MAX_EXAMPLES = {"list_benefits": 150}
# Schemathesis's households that reach the simulator: the examples of the document and
# the few the coverage phase derives from them (about 15; fewer, as the results cache
# answers the ones asked again).
MAX_SIMULATED = 40
# The what-if axis's points simulated: the coverage phase sends the documented
# example with the largest axis (1,000 points, about 4 s) a few times (5,800 in all).
MAX_AXIS_POINTS = 8000
SENT: Counter[str] = Counter()
SIMULATED: Counter[str] = Counter()


@pytest.fixture(scope="module")
def api_schema(api):
    config = SchemathesisConfig.from_dict(
        {
            "generation": {"database": "none", "max-examples": 50},
            "checks": {
                # The household contract says more than JSON Schema can (a commune
                # that exists, one applicant): data valid for the schema may get 422.
                "positive_data_acceptance": {"expected-statuses": ["2xx", "422"]},
            },
            "auth": {"openapi": {"apiKey": {"bearer": api.key}}},
            "operations": [
                {
                    "include-operation-id": operation_id,
                    "generation": {"max-examples": examples},
                }
                for operation_id, examples in MAX_EXAMPLES.items()
            ],
        }
    )
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", api.app, config=config
    )


@pytest.fixture
def counted() -> Iterator[None]:
    """Count the households and axis points simulated; at the end, check enough
    requests were sent."""
    variations = service.variations

    def counting_points(request, **axis):
        SIMULATED["axis points"] += axis["steps"]
        return variations(request, **axis)

    start = time.monotonic()
    with pytest.MonkeyPatch.context() as patch:
        own = own_service(patch)
        patch.setattr(service, "variations", counting_points)
        yield
        # Households looked up and missed in the cache: those the single and batch
        # endpoints simulated (the axis's copies are counted apart).
        SIMULATED["households"] += own.cache.misses
    print(f"\n{time.monotonic() - start:.1f} s; requests {SENT}; simulated {SIMULATED}")
    for label, minimum in MINIMUM_REQUESTS.items():
        assert SENT[label] >= minimum, label
    assert SENT.total() >= 500
    assert SIMULATED["households"] <= MAX_SIMULATED
    assert SIMULATED["axis points"] <= MAX_AXIS_POINTS


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_answer_is_documented_and_none_is_a_server_error(case, counted):
    SENT[case.operation.label] += 1
    # A batch answers 200 for a batch of invalid households, each with its errors:
    # data that breaks the schema inside `simulations` is not rejected as a whole.
    excluded = (
        [negative_data_rejection] if case.operation.path.endswith("/batch") else []
    )
    case.call_and_validate(excluded_checks=excluded)


# -- valid households ------------------------------------------------------------------
# Schemathesis cannot guess a commune that exists, so its households rarely reach the
# simulator. These are valid by construction, in places with local aids (and overseas,
# Corsica), for every month the API accepts.

COMMUNES = [
    "31555", "35238", "75056", "69123", "44109", "34172",
    "93066", "59350", "2A004", "97411", "13055",
]  # fmt: skip
ACTIVITIES = [
    "employed", "self_employed", "unemployed", "student", "apprentice",
    "retired", "inactive",
]  # fmt: skip
SCHOOLING = ["none", "maternelle", "primaire", "college", "lycee", "higher_education"]


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year}-{month:02d}" <= last:
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


MONTHS = months_between(*supported_months())
amounts = st.floats(min_value=0, max_value=5000, allow_nan=False).map(
    lambda x: round(x, 2)
)


@st.composite
def incomes(draw) -> dict[str, float]:
    kinds = draw(st.sets(st.sampled_from(MONTHLY_INCOMES + ANNUAL_INCOMES), max_size=3))
    return {
        kind: draw(amounts) * (10 if kind in ANNUAL_INCOMES else 1) for kind in kinds
    }


@st.composite
def person(draw, index: int, role: str, born: tuple[int, int]) -> dict[str, Any]:
    member: dict[str, Any] = {
        "id": f"{role}{index}",
        "role": role,
        "birth_date": draw(
            st.dates(datetime.date(born[0], 1, 1), datetime.date(born[1], 12, 31))
        ).isoformat(),
        "incomes": draw(incomes()),
    }
    if role == "child":
        member["schooling"] = draw(st.none() | st.sampled_from(SCHOOLING))
    else:
        member["activity"] = draw(st.sampled_from(ACTIVITIES))
    if draw(st.booleans()):
        member["disability_rate"] = draw(st.sampled_from([0.0, 0.5, 0.8, 1.0]))
    return {key: value for key, value in member.items() if value is not None}


@st.composite
def households(draw, month: str) -> dict[str, Any]:
    tenure = draw(
        st.sampled_from(
            ["tenant", "owner", "owner_with_loan", "hosted_free", "homeless", "other"]
        )
    )
    housing: dict[str, Any] = {"tenure": tenure}
    if tenure == "tenant":
        housing["rent"] = draw(st.floats(0, 2000).map(lambda x: round(x, 2)))
        housing["furnished"] = draw(st.booleans())
        housing["social_housing"] = draw(st.booleans())
    if tenure == "owner_with_loan" and draw(st.booleans()):
        housing["loan_payment"] = draw(amounts)
    members = [draw(person(0, "applicant", (1925, 2008)))]
    if draw(st.booleans()):
        members.append(draw(person(0, "partner", (1925, 2008))))
    for index in range(draw(st.integers(0, 3))):
        members.append(draw(person(index, "child", (2004, 2022))))
    if draw(st.booleans()):
        members.append(draw(person(0, "other", (1925, 2008))))
    household: dict[str, Any] = {
        "commune": draw(st.sampled_from(COMMUNES)),
        "housing": housing,
        "members": members,
    }
    if draw(st.booleans()):
        household["resident_since"] = draw(
            st.sampled_from(months_between("1950-01", month))
        )
    return {"month": month, "household": household}


@settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    batch=st.sampled_from(MONTHS).flatmap(
        lambda month: st.lists(households(month), min_size=1, max_size=4)
    )
)
def test_valid_households_are_simulated_alike_alone_and_in_a_batch(
    api, api_schema, batch
):
    client = api.client
    single_operation = api_schema["/api/v1/simulations"]["POST"]
    batch_operation = api_schema["/api/v1/simulations/batch"]["POST"]

    with pytest.MonkeyPatch.context() as patch:
        own_service(patch, cached=False)  # the batch computes batch[0] again
        alone = client.post("/api/v1/simulations?lang=en", json=batch[0])
        together = client.post(
            "/api/v1/simulations/batch?lang=en",
            json={"simulations": batch},
            headers=api.bearer(),
        )

    assert alone.status_code == 200, alone.get_data(as_text=True)
    assert together.status_code == 200, together.get_data(as_text=True)
    single_operation.validate_response(alone)
    batch_operation.validate_response(together)
    items = json.loads(together.get_data())["results"]
    assert [item["status"] for item in items] == ["ok"] * len(batch)
    first = items[0]["results"]
    assert json.dumps(first, sort_keys=True) == json.dumps(
        alone.get_json(), sort_keys=True
    )
