"""Response models of the API (v1), mirroring what the endpoints send exactly.

The endpoints build their JSON with the simulator's own `to_json` (the results
contract); these models describe it for the OpenAPI document, and the tests validate
real responses against them, so that a drift on either side fails. The request model is
the household's own `SimulationRequest`; the what-if axis adds `Axis` to it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simulator.household import (
    ANNUAL_INCOMES,
    MAX_ANNUAL_AMOUNT,
    MONTHLY_INCOMES,
    SimulationRequest,
)
from simulator.variations import MAX_STEPS

Rules = Annotated[
    dict[str, str],
    Field(
        description="Versions of the rules packages that computed the answer, so that "
        "it can be reproduced.",
        examples=[{"openfisca-core": "44.7.1", "openfisca-france": "176.1.8"}],
    ),
]
Entity = Literal["individu", "famille", "foyer_fiscal", "menage"]
Period = Literal["month", "year", "once"]
Unit = Literal["EUR", "percent", "boolean"]
Direction = Annotated[
    Literal["received", "paid"],
    Field(
        description="'paid': the amount is what the household pays (a contribution), "
        "not what it receives; never add it to the benefits received."
    ),
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- results ---------------------------------------------------------------------------


class ConditionResult(Model):
    """One condition that decides eligibility, with the values compared."""

    variable: str = Field(description="The OpenFisca variable tested.")
    met: bool
    value: Any = Field(description="The household's value (number, boolean or text).")
    limit: Any = Field(description="The limit compared with, when there is one.")
    text: str = Field(description="The condition in plain words.")


class ApplyInstructions(Model):
    """How to claim the benefit."""

    url: str
    online_service: str | None
    form: str | None = Field(description="Paper form, e.g. 'Cerfa n°15481*01'.")
    where: str
    documents: list[str] = Field(description="What to prepare.")


class LegalReference(Model):
    title: str
    url: str


class MemberAmount(Model):
    """A benefit paid per person: each member's own amount."""

    id: str
    amount: float | bool | None


class BenefitResult(Model):
    """One benefit of the catalog that applies where the household lives."""

    id: str
    label: str
    description: str
    status: Literal["eligible", "not_eligible", "not_computable"]
    amount: float | bool | None = Field(
        description="What the law gives for the period (euros, percent or a yes/no "
        "entitlement); null when the benefit cannot be computed."
    )
    period: Period = Field(description="The period the amount covers.")
    unit: Unit
    direction: Direction
    institution: str
    variable: str = Field(description="The OpenFisca variable computed.")
    entity: Entity = Field(description="The OpenFisca entity holding the variable.")
    reasons: list[str] = Field(description="Why, unmet conditions first.")
    conditions: list[ConditionResult]
    how_to_apply: ApplyInstructions
    legal_references: list[LegalReference]
    members: list[MemberAmount] = Field(
        default_factory=list,
        description="Present for benefits paid per person: the amount of each member.",
    )


class Results(Model):
    """The results of one household (results contract v1)."""

    month: str = Field(
        description="The month simulated, YYYY-MM.", examples=["2026-11"]
    )
    commune: str = Field(description="INSEE code of the commune.", examples=["31555"])
    rules: Rules
    benefits: list[BenefitResult]


# -- errors ----------------------------------------------------------------------------


class CommuneChoice(Model):
    code: str
    name: str


class FieldProblem(Model):
    """What is wrong with one field of the input."""

    field: str = Field(
        description="Path of the field, e.g. household.members[1].birth_date; empty "
        "for the whole body.",
        examples=["household.members[0].birth_date"],
    )
    message: str = Field(description="What to do, in the requested language.")
    choices: list[CommuneChoice] = Field(
        default_factory=list,
        description="For a postal code that serves several communes: the communes to "
        "choose from.",
    )


class Problem(Model):
    """An error (RFC 9457 problem details), sent as application/problem+json."""

    type: str = Field(description="Link to the explanation of this kind of problem.")
    title: str
    status: int
    detail: str
    instance: str = Field(description="The path that was requested.")
    request_id: str = Field(description="Also in the X-Request-Id header.")
    rules: Rules
    errors: list[FieldProblem] = Field(
        default_factory=list,
        description="Present when the input is at fault: each field and what to do.",
    )


# -- batch -----------------------------------------------------------------------------


class BatchRequest(Model):
    """Many households, simulated together in one vectorised simulation."""

    simulations: list[SimulationRequest] = Field(min_length=1)


class BatchSuccess(Model):
    index: int = Field(description="Position of the household in the request.")
    status: Literal["ok"]
    results: Results


class BatchFailure(Model):
    index: int = Field(description="Position of the household in the request.")
    status: Literal["error"]
    errors: list[FieldProblem] = Field(
        description="Field paths are relative to the household's own request."
    )


class BatchResults(Model):
    """One entry per household, in the order of the request."""

    rules: Rules
    results: list[Annotated[BatchSuccess | BatchFailure, Field(discriminator="status")]]


# -- what-if axis ----------------------------------------------------------------------

AXIS_INCOMES = (*MONTHLY_INCOMES, *ANNUAL_INCOMES)
DEFAULT_AXIS_INCOME = "salary"
DEFAULT_STEPS = 101  # every hundredth of the range: round amounts for round bounds
Amount = Annotated[
    float,
    Field(
        allow_inf_nan=False,
        # Documented, checked by simulator.variations.check_axis (with its messages):
        # at most 100,000 for a monthly income, 1,200,000 for an annual one.
        json_schema_extra={"minimum": 0, "maximum": MAX_ANNUAL_AMOUNT},
    ),
]


class Axis(Model):
    """Which income varies, and over which amounts: `steps` evenly spaced amounts
    from `start` to `stop` (both included), in euros, monthly net (annual for
    self_employment_annual); at most 100,000 for a monthly income."""

    model_config = ConfigDict(extra="forbid", strict=True)

    member_id: str | None = Field(
        default=None,
        description="The id of the member whose income varies; absent or null: the "
        "applicant.",
        examples=["me"],
    )
    income: str = Field(
        default=DEFAULT_AXIS_INCOME,
        description="The income that varies. Each point replaces that income's "
        "amount and its history: the household as if it had always earned it.",
        json_schema_extra={"enum": list(AXIS_INCOMES)},
    )
    start: Amount = Field(default=0.0, description="The first amount.")
    stop: Amount = Field(description="The last amount (may be below `start`).")
    steps: int = Field(
        default=DEFAULT_STEPS,
        description="The number of points, both ends included.",
        json_schema_extra={"minimum": 2, "maximum": MAX_STEPS},
    )


class VariationsRequest(SimulationRequest):
    """A household (as for one simulation) and the income to vary over an axis."""

    axis: Axis


class ResolvedAxis(Model):
    """The axis simulated, defaults filled in."""

    member_id: str
    income: str
    start: float
    stop: float
    steps: int


class BenefitCurve(Model):
    """One benefit of the results, at every point of the axis."""

    id: str
    label: str
    period: Period = Field(description="The period each amount covers.")
    unit: Unit
    direction: Direction
    amounts: list[float | bool | None] = Field(
        description="The amount at each point, as 'amount' in the results: null "
        "where the benefit cannot be computed."
    )


class Variations(Model):
    """A household's benefits and disposable income as one of its incomes varies."""

    month: str = Field(
        description="The month simulated, YYYY-MM.", examples=["2026-11"]
    )
    commune: str = Field(description="INSEE code of the commune.", examples=["75056"])
    rules: Rules
    axis: ResolvedAxis
    points: list[float] = Field(description="The income's amount at each point.")
    benefits: list[BenefitCurve] = Field(
        description="Every benefit of the results (same ids, labels and order)."
    )
    disposable_income: list[float] = Field(
        description="At each point, the monthly money of the applicant's family "
        "(applicant, partner, children; not the other members of the home) in the "
        "month simulated: their net incomes (salary, unemployment benefit, pensions, "
        "alimony, scholarship, a twelfth of the self-employment income; not "
        "benefits_received, which the benefits computed replace) plus the benefits "
        "that are eligible, in euros, received (not a contribution paid) and paid by "
        "month."
    )


# -- catalog ---------------------------------------------------------------------------


class Territory(Model):
    """Where a benefit applies: nationwide, or in any of the listed areas."""

    national: bool
    communes: list[str] = Field(description="INSEE commune codes.")
    epcis: list[str] = Field(description="SIREN numbers of the EPCI.")
    departements: list[str]
    regions: list[str]


class ApplyChannel(Model):
    url: str
    online_service: str | None
    form: str | None
    where: str


class CatalogBenefit(Model):
    """A benefit the simulator knows."""

    id: str
    label: str
    description: str
    institution: str
    territory: Territory
    variable: str = Field(description="The OpenFisca variable computed.")
    entity: Entity
    period: Period = Field(description="The period the amount covers.")
    unit: Unit
    direction: Direction
    type: Literal["amount", "boolean"]
    how_to_apply: ApplyChannel
    documents: list[str]
    legal_references: list[LegalReference]


class Catalog(Model):
    """The benefit catalog, or the benefits that apply in one commune."""

    rules: Rules
    commune: str | None = Field(description="The commune asked for, if any.")
    benefits: list[CatalogBenefit]


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    Results,
    BatchResults,
    Variations,
    Catalog,
    Problem,
)
