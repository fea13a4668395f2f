"""Turning OpenFisca's values into results (v1): status, amount, reasons, next steps."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rules.catalog import Benefit, Condition, Explanation, NotComputableWhen, Text
from rules.system import rules_versions
from simulator.engine import Computed, Values, benefits_for, entity_id_for, run
from simulator.household import (
    HouseholdBody,
    Member,
    SimulationRequest,
    month_start,
)
from simulator.simulation import release_memory
from simulator.situation import EntityIds

Status = Literal["eligible", "not_eligible", "not_computable"]
# Households from which a simulation's memory is handed back to the system after it.
RELEASE_AFTER = 50


@dataclass(frozen=True)
class ConditionResult:
    variable: str
    met: bool
    value: Any
    limit: Any
    text: Text

    def to_json(self, language: str) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "met": self.met,
            "value": self.value,
            "limit": self.limit,
            "text": self.text.get(language),
        }


@dataclass(frozen=True)
class BenefitResult:
    benefit: Benefit
    status: Status
    amount: float | bool | None
    conditions: tuple[ConditionResult, ...] = ()
    not_computable_reasons: tuple[Text, ...] = ()
    members: tuple[dict[str, Any], ...] = ()

    def reasons(self, language: str) -> list[str]:
        if self.status == "not_computable":
            return [text.get(language) for text in self.not_computable_reasons]
        ordered = sorted(self.conditions, key=lambda c: c.met)  # unmet ones first
        return [condition.text.get(language) for condition in ordered]

    def to_json(self, language: str = "fr") -> dict[str, Any]:
        benefit = self.benefit
        data: dict[str, Any] = {
            "id": benefit.id,
            "label": benefit.label.get(language),
            "description": benefit.description.get(language),
            "status": self.status,
            "amount": self.amount,
            "period": benefit.paid_per,
            "unit": benefit.unit,
            "direction": benefit.direction,
            "institution": benefit.institution,
            "variable": benefit.variable,
            "entity": benefit.entity,
            "reasons": self.reasons(language),
            "conditions": [c.to_json(language) for c in self.conditions],
            "how_to_apply": {
                **benefit.how_to_apply.to_json(language),
                "documents": benefit.documents_json(language),
            },
            "legal_references": benefit.references_json(),
        }
        if self.members:
            data["members"] = list(self.members)
        return data


@dataclass(frozen=True)
class Results:
    request: SimulationRequest
    benefits: tuple[BenefitResult, ...]
    rules: dict[str, str] = field(default_factory=rules_versions)

    @property
    def month(self) -> str:
        return self.request.month

    def eligible(self) -> list[BenefitResult]:
        return [b for b in self.benefits if b.status == "eligible"]

    def to_json(self, language: str = "fr") -> dict[str, Any]:
        return {
            "month": self.month,
            "commune": self.request.household.commune,
            "rules": dict(self.rules),
            "benefits": [benefit.to_json(language) for benefit in self.benefits],
        }


def simulate(requests: Sequence[SimulationRequest]) -> list[Results]:
    """Results for every request, computed together in one simulation."""
    if not requests:
        return []
    computed = run(requests)
    results = [
        build_results(computed, index, request)
        for index, request in enumerate(requests)
    ]
    if len(requests) >= RELEASE_AFTER:
        del computed
        release_memory()
    return results


def build_results(
    computed: Computed, index: int, request: SimulationRequest
) -> Results:
    values = computed.household(index)
    household = request.household
    results = tuple(
        benefit_result(values, values.ids, request, benefit)
        for benefit in benefits_for(household.commune or "")
    )
    return Results(request, results)


def family_members(household: HouseholdBody) -> list[Member]:
    return [m for m in household.members if m.role != "other"]


def benefit_result(
    computed: Values, ids: EntityIds, request: SimulationRequest, benefit: Benefit
) -> BenefitResult:
    household = request.household
    month = request.month
    applicant_id = ids.person(household.applicant.id)

    focus = household.applicant
    if benefit.entity == "individu":
        per_member = [
            (member, computed.value(benefit.variable, month, ids.person(member.id)))
            for member in family_members(household)
        ]
        members = tuple(
            {"id": member.id, "amount": clean(value)} for member, value in per_member
        )
        # The reasons speak of the first member who gets it (a child of 19 may get
        # a youth aid their parent does not), else of the applicant.
        focus = next((m for m, value in per_member if value), household.applicant)
        if benefit.type == "boolean":
            amount: float | bool = any(bool(value) for _, value in per_member)
        elif benefit.unit == "percent":  # a reduction rate: the best one, not a sum
            amount = round(max(float(value) for _, value in per_member), 2)
        else:
            amount = round(sum(float(value) for _, value in per_member), 2)
    else:
        members = ()
        entity_id = entity_id_for(benefit.variable, ids, applicant_id)
        value = computed.value(benefit.variable, month, entity_id)
        amount = bool(value) if benefit.type == "boolean" else round(float(value), 2)

    conditions = tuple(
        condition_result(computed, ids, request, explanation, focus)
        for explanation in benefit.explanations
    )
    blocking = tuple(
        rule.message
        for rule in benefit.not_computable
        if matches(rule.when, household, month)
    )
    if blocking:
        return BenefitResult(benefit, "not_computable", None, conditions, blocking)
    eligible = bool(amount) if benefit.type == "boolean" else amount > 0
    status: Status = "eligible" if eligible else "not_eligible"
    return BenefitResult(benefit, status, amount, conditions, (), members)


def age_on(member: Member, month: str) -> int:
    """Age in whole years on the first day of `month`."""
    day = month_start(month)
    born = member.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def matches(when: NotComputableWhen, household: HouseholdBody, month: str) -> bool:
    if household.housing.tenure in when.tenure:
        return True
    if "resident_since" in when.missing and household.resident_since is None:
        return True
    if "child_schooling" in when.missing and any(
        member.role == "child"
        and member.schooling is None
        and age_on(member, month) >= when.child_age_at_least
        for member in household.members
    ):
        return True
    for member in household.members:
        if member.activity in when.activity:
            return True
        if any(getattr(member.incomes, income) > 0 for income in when.income):
            return True
    return False


def condition_result(
    computed: Values,
    ids: EntityIds,
    request: SimulationRequest,
    explanation: Explanation,
    focus: Member,
) -> ConditionResult:
    """Whether an explanation's condition holds, and its sentence with the values.

    `focus`: the member an individual condition speaks of unless it asks for "any".
    """
    household = request.household
    if explanation.who == "any_member":
        candidates = family_members(household)
    elif explanation.who == "any_child":
        candidates = [m for m in household.members if m.role == "child"]
    else:
        candidates = [focus]
    outcome: tuple[bool, Any, Any] = (False, None, None)  # no child: not met
    for member in candidates:
        person_id = ids.person(member.id)
        entity_id = entity_id_for(explanation.variable, ids, person_id)
        value = clean(computed.value(explanation.variable, request.month, entity_id))
        met, limit = test(
            computed, explanation.condition, value, request, ids, person_id
        )
        outcome = (met, value, limit)
        if met:
            break
    met, value, limit = outcome
    sentence = explanation.met if met else explanation.unmet
    text = Text(
        fr=sentence.fr.format(
            value=display(value, explanation.format, "fr"),
            limit=display(limit, explanation.format, "fr"),
        ),
        en=sentence.en.format(
            value=display(value, explanation.format, "en"),
            limit=display(limit, explanation.format, "en"),
        ),
    )
    return ConditionResult(explanation.variable, met, value, limit, text)


def test(
    computed: Values,
    condition: Condition,
    value: Any,
    request: SimulationRequest,
    ids: EntityIds,
    person_id: str,
) -> tuple[bool, Any]:
    if value is None:  # not finite, or nobody to ask
        return False, None
    if condition.equals is not None:
        return bool(value) == condition.equals, None
    if condition.positive:
        return float(value) > 0, None
    for name, compare in (
        ("above", lambda a, b: a > b),
        ("at_least", lambda a, b: a >= b),
        ("below", lambda a, b: a < b),
        ("at_most", lambda a, b: a <= b),
    ):
        reference = getattr(condition, name)
        if reference is not None:
            if reference.variable is not None:
                entity_id = entity_id_for(reference.variable, ids, person_id)
                limit = clean(
                    computed.value(reference.variable, request.month, entity_id)
                )
            else:
                limit = computed.parameter(reference.parameter or "", request.month)
            return compare(float(value), float(limit)), limit
    raise ValueError("condition without a test")  # the catalog schema forbids it


def clean(value: Any) -> Any:
    """A JSON-friendly value: floats to the cent, enums by name, dates in ISO form."""
    if hasattr(value, "name") and not isinstance(value, str):
        return value.name
    if isinstance(value, float):
        return round(value, 2) if math.isfinite(value) else None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def display(value: Any, kind: str, language: str) -> str:
    if value is None:
        return ""
    if kind == "euros":
        number = f"{float(value):,.2f}"
        if language == "fr":
            return number.replace(",", "\u202f").replace(".", ",") + "\u00a0€"
        return f"€{number}"
    if kind == "percent":
        return (
            f"{float(value) * 100:.0f}\u00a0%"
            if language == "fr"
            else f"{float(value) * 100:.0f}%"
        )
    if kind == "years":  # the sentence says "ans" / "years" itself
        return str(int(float(value)))
    if kind == "number":
        return f"{float(value):g}"
    return str(value)
