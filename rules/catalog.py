"""The benefit catalog: one YAML file per benefit in rules/benefits, and its schema."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

CATALOG_DIR = Path(__file__).parent / "benefits"

Entity = Literal["individu", "famille", "foyer_fiscal", "menage"]
# The household model's values (simulator.household uses these very types).
Activity = Literal[
    "employed",
    "self_employed",
    "unemployed",
    "student",
    "apprentice",
    "retired",
    "inactive",
]
Income = Literal[
    "salary",
    "unemployment",
    "pension",
    "disability_pension",
    "alimony_received",
    "self_employment_annual",
    "scholarship",
    "benefits_received",
]
Tenure = Literal[
    "tenant", "owner", "owner_with_loan", "hosted_free", "homeless", "other"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A sentence in French (the reference) and English."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.fr


class Territory(Strict):
    """Where a benefit applies: nationwide, or the listed areas (any of them)."""

    national: bool = False
    communes: tuple[str, ...] = ()
    epcis: tuple[str, ...] = ()  # SIREN numbers of the EPCI
    departements: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @model_validator(mode="after")
    def national_or_areas(self) -> Territory:
        areas = self.communes or self.epcis or self.departements or self.regions
        if self.national == bool(areas):
            raise ValueError("territory is either national: true or a list of areas")
        return self


class HowToApply(Strict):
    url: HttpUrl
    online_service: HttpUrl | None = None
    form: str | None = None  # e.g. "Cerfa n°15481*01"
    where: Text

    def to_json(self, language: str) -> dict[str, Any]:
        return {
            "url": str(self.url),
            "online_service": str(self.online_service) if self.online_service else None,
            "form": self.form,
            "where": self.where.get(language),
        }


class LegalReference(Strict):
    title: str
    url: HttpUrl


class Reference(Strict):
    """A limit read from the rules: another variable or a dated parameter."""

    variable: str | None = None
    parameter: str | None = None  # dotted path in the parameter tree

    @model_validator(mode="after")
    def exactly_one(self) -> Reference:
        if (self.variable is None) == (self.parameter is None):
            raise ValueError("give exactly one of variable or parameter")
        return self


class Condition(Strict):
    """What the explanation variable must be for the condition to be met."""

    equals: bool | None = None
    positive: Literal[True] | None = None
    above: Reference | None = None
    at_least: Reference | None = None
    below: Reference | None = None
    at_most: Reference | None = None

    @model_validator(mode="after")
    def exactly_one(self) -> Condition:
        given = [v for v in self.model_dump().values() if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one test: equals, above, at_least, ...")
        return self


class Explanation(Strict):
    """A variable that decides eligibility, with a plain sentence for each outcome.

    Sentences may use {value} and {limit}, formatted according to `format`.
    """

    variable: str
    # For a variable of the individu entity: whose value decides. "any_member" and
    # "any_child" are met when one of them meets the condition.
    who: Literal["applicant", "any_member", "any_child"] = "applicant"
    condition: Condition
    format: Literal["euros", "number", "years", "percent", "none"] = "none"
    met: Text
    unmet: Text


class NotComputableWhen(Strict):
    """A household situation the model cannot compute (any listed item matches).

    `missing`: an optional answer the benefit needs and the household did not give
    ("resident_since": when the household came to live in its commune;
    "child_schooling": the school level of a child).
    """

    activity: tuple[Activity, ...] = ()
    income: tuple[Income, ...] = ()
    tenure: tuple[Tenure, ...] = ()
    missing: tuple[Literal["resident_since", "child_schooling"], ...] = ()
    # With "child_schooling": only children of at least this age need a school level
    # (a grant for collège pupils need not ask about a baby).
    child_age_at_least: int = Field(default=0, ge=0)


class NotComputable(Strict):
    when: NotComputableWhen
    message: Text


class Benefit(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text
    description: Text
    institution: str
    territory: Territory
    variable: str
    entity: Entity
    period: Literal["month", "year"]
    # What the amount covers when it differs from the variable's period: a grant paid
    # once a year that OpenFisca holds in a monthly variable.
    amount_period: Literal["month", "year", "once"] | None = None
    unit: Literal["EUR", "percent", "boolean"]
    type: Literal["amount", "boolean"]
    # "paid": the amount is what the household pays (a contribution), never counted
    # in what it receives.
    direction: Literal["received", "paid"] = "received"
    how_to_apply: HowToApply
    documents: tuple[Text, ...] = Field(min_length=1)
    legal_references: tuple[LegalReference, ...] = Field(min_length=1)
    explanations: tuple[Explanation, ...] = Field(min_length=1)
    not_computable: tuple[NotComputable, ...] = ()

    @model_validator(mode="after")
    def unit_matches_type(self) -> Benefit:
        if (self.type == "boolean") != (self.unit == "boolean"):
            raise ValueError(
                "a boolean benefit has unit boolean, an amount has EUR or percent"
            )
        return self

    def references_json(self) -> list[dict[str, str]]:
        return [
            {"title": reference.title, "url": str(reference.url)}
            for reference in self.legal_references
        ]

    def documents_json(self, language: str) -> list[str]:
        return [document.get(language) for document in self.documents]

    @property
    def paid_per(self) -> str:
        """The period the amount covers, for display and monthly totals."""
        return self.amount_period or self.period


def load_benefit(path: Path) -> Benefit:
    with path.open(encoding="utf-8") as stream:
        benefit = Benefit.model_validate(yaml.safe_load(stream))
    if benefit.id != path.stem:
        raise ValueError(f"{path.name}: id {benefit.id!r} differs from the file name")
    return benefit


@functools.cache
def load_catalog(directory: Path = CATALOG_DIR) -> tuple[Benefit, ...]:
    """Every benefit of the catalog, in file-name order."""
    return tuple(load_benefit(path) for path in sorted(directory.glob("*.yaml")))


def json_schema() -> dict:
    """The JSON Schema of a catalog entry, for partners and for the tests."""
    return Benefit.model_json_schema()


def catalog_problems(system: Any, catalog: tuple[Benefit, ...]) -> list[str]:
    """What in the catalog does not match the tax-benefit system (empty when sound).

    Run at start-up: a benefit naming a variable that does not exist, or with another
    entity or period than the variable, would give wrong results.
    """
    problems = []
    instant = system.get_parameters_at_instant("2026-01-01")
    for benefit in catalog:
        where = f"rules/benefits/{benefit.id}.yaml"
        variable = system.variables.get(benefit.variable)
        if variable is None:
            problems.append(f"{where}: unknown variable {benefit.variable}")
            continue
        if variable.entity.key != benefit.entity:
            problems.append(
                f"{where}: {benefit.variable} belongs to {variable.entity.key}, "
                f"not {benefit.entity}"
            )
        if str(variable.definition_period) != benefit.period:
            problems.append(
                f"{where}: {benefit.variable} is defined by "
                f"{variable.definition_period}, not {benefit.period}"
            )
        if (variable.value_type is bool) != (benefit.type == "boolean"):
            problems.append(f"{where}: {benefit.variable} type is not {benefit.type}")
        for explanation in benefit.explanations:
            names = [explanation.variable]
            condition = explanation.condition
            for reference in (
                condition.above,
                condition.at_least,
                condition.below,
                condition.at_most,
            ):
                if reference is not None and reference.variable is not None:
                    names.append(reference.variable)
                if reference is not None and reference.parameter is not None:
                    try:
                        node = instant
                        for part in reference.parameter.split("."):
                            node = node[part]
                        float(node)
                    except (KeyError, AttributeError, TypeError, ValueError):
                        problems.append(
                            f"{where}: parameter {reference.parameter} is not a number"
                        )
            problems.extend(
                f"{where}: unknown explanation variable {name}"
                for name in names
                if name not in system.variables
            )
    return problems
