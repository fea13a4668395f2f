"""Turning OpenFisca's values into results (v1): status, amount, reasons, next steps."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from rules.catalog import Benefit, Condition, Explanation, NotComputableWhen, Text
from rules.system import rules_versions
from simulator.engine import (
    Computed,
    Values,
    benefits_for,
    group_id,
    parameter,
    run,
    variable_layout,
)
from simulator.household import (
    HouseholdBody,
    Member,
    SimulationRequest,
    month_start,
)
from simulator.simulation import release_memory
from simulator.wording import Sentence, clean, identity

Status = Literal["eligible", "not_eligible", "not_computable"]
# Households from which a simulation's memory is handed back to the system after it.
RELEASE_AFTER = 50


@dataclass(frozen=True, slots=True)
class ConditionResult:
    variable: str
    met: bool
    value: Any
    limit: Any
    # A `Sentence`, written in a language when asked; a `Text` when given whole.
    text: Sentence | Text

    def to_json(self, language: str) -> dict[str, Any]:
        return {
            "variable": self.variable,
            "met": self.met,
            "value": self.value,
            "limit": self.limit,
            "text": self.text.get(language),
        }


@dataclass(frozen=True, slots=True)
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

    def to_json(
        self, language: str = "fr", *, fragments: bool = False
    ) -> dict[str, Any]:
        """The benefit's results as JSON data; `fragments`: for `orjson.dumps` only,
        with the parts every household shares as JSON written once (`StaticParts`)."""
        benefit = self.benefit
        static = static_parts(benefit, language)
        data: dict[str, Any] = {
            "id": benefit.id,
            "label": static.label,
            "description": static.description,
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
            "how_to_apply": static.part(static.how_to_apply, fragments),
            "legal_references": static.part(static.legal_references, fragments),
        }
        if self.members:
            data["members"] = list(self.members)
        return data


@dataclass(frozen=True)
class StaticParts:
    """What a benefit's results say in a language whatever the household: its texts,
    how to apply and its legal references, these two as JSON (bytes: every answer
    shares them, and none can change them)."""

    label: str
    description: str
    how_to_apply: bytes
    legal_references: bytes

    @classmethod
    def of(cls, benefit: Benefit, language: str) -> StaticParts:
        how_to_apply = {
            **benefit.how_to_apply.to_json(language),
            "documents": benefit.documents_json(language),
        }
        return cls(
            label=benefit.label.get(language),
            description=benefit.description.get(language),
            how_to_apply=orjson.dumps(how_to_apply),
            legal_references=orjson.dumps(benefit.references_json()),
        )

    @staticmethod
    def part(written: bytes, fragment: bool) -> Any:
        """A part as new JSON data of the caller's own, or as an `orjson.Fragment`
        that `orjson.dumps` copies as it is (a third of a batch's answer)."""
        return orjson.Fragment(written) if fragment else orjson.loads(written)


# (id of the benefit, language) → (the benefit, its parts). Keyed by identity: hashing
# a catalog entry (about 10 µs) at every look-up would cost what the parts save. The
# benefit held here keeps its id from being reused; the catalog is loaded once, so
# this stays small.
_static_parts: dict[tuple[int, str], tuple[Benefit, StaticParts]] = {}


def static_parts(benefit: Benefit, language: str) -> StaticParts:
    """A benefit's `StaticParts`, built once per language, not once per household."""
    key = (id(benefit), language)
    found = _static_parts.get(key)
    if found is None:
        found = _static_parts[key] = (benefit, StaticParts.of(benefit, language))
    return found[1]


@dataclass(frozen=True, slots=True)
class Results:
    request: SimulationRequest
    benefits: tuple[BenefitResult, ...]
    rules: dict[str, str] = field(default_factory=rules_versions)

    @property
    def month(self) -> str:
        return self.request.month

    def eligible(self) -> list[BenefitResult]:
        return [b for b in self.benefits if b.status == "eligible"]

    def to_json(
        self, language: str = "fr", *, fragments: bool = False
    ) -> dict[str, Any]:
        """The results (v1) as JSON data; `fragments`: for `orjson.dumps` only, see
        `BenefitResult.to_json`."""
        return {
            "month": self.month,
            "commune": self.request.household.commune,
            "rules": dict(self.rules),
            "benefits": [
                benefit.to_json(language, fragments=fragments)
                for benefit in self.benefits
            ],
        }


def simulate(requests: Sequence[SimulationRequest]) -> list[Results]:
    """Results for every request, computed together in one simulation."""
    if not requests:
        return []
    computed = run(requests)
    memo = Memo()
    results = [
        build_results(computed, index, request, memo)
        for index, request in enumerate(requests)
    ]
    for part in computed.parts:  # the results hold Python values, not its arrays
        part.discard()
    if len(requests) >= RELEASE_AFTER:
        del computed
        release_memory()
    return results


@dataclass
class Memo:
    """What the results of a batch's households share: parameters, conditions (with
    their sentences, each written once a language for the whole batch), members'
    amounts and whole benefit results.

    Results are read-only, so households whose results for a benefit are equal share
    one object: of 1,000 corpus households' 27,700 benefit results, 10,100 differ, and
    of their 28,700 members' amounts, 151 (the results held 13 MB, then 8).
    """

    parameters: dict[tuple[str, str], float] = field(default_factory=dict)
    # (explanation, met, value, limit) → its result; many households share one.
    conditions: dict[tuple[Any, ...], ConditionResult] = field(default_factory=dict)
    # (member id, amount) → {"id", "amount"}
    members: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)
    # (benefit, status, amount, and the identities of its parts) → its result
    benefits: dict[tuple[Any, ...], BenefitResult] = field(default_factory=dict)

    def member(self, member_id: str, amount: Any) -> dict[str, Any]:
        key = (member_id, identity(amount))
        found = self.members.get(key)
        if found is None:
            found = self.members[key] = {"id": member_id, "amount": amount}
        return found

    def benefit_result(
        self,
        benefit: Benefit,
        status: Status,
        amount: float | bool | None,
        conditions: tuple[ConditionResult, ...],
        blocking: tuple[Text, ...] = (),
        members: tuple[dict[str, Any], ...] = (),
    ) -> BenefitResult:
        """The result made of these parts (each of them shared already)."""
        key = (
            id(benefit),
            status,
            identity(amount),
            tuple(map(id, conditions)),
            tuple(map(id, blocking)),
            tuple(map(id, members)),
        )
        found = self.benefits.get(key)
        if found is None:
            found = self.benefits[key] = BenefitResult(
                benefit, status, amount, conditions, blocking, members
            )
        return found

    def parameter(self, path: str, month: str) -> float:
        key = (path, month)
        found = self.parameters.get(key)
        if found is None:
            found = self.parameters[key] = parameter(path, month)
        return found


class HouseholdValues:
    """What one household's results read: its values by member, and its members."""

    def __init__(self, values: Values, request: SimulationRequest) -> None:
        part, ids = values.part, values.ids
        household = request.household
        self.part = part
        self.profile = values.profile
        self.month = request.month
        self.columns = part.columns_at(request.month, values.profile)
        self.household = household
        self.applicant = household.applicant
        self.family = family_members(household)
        self.children = [m for m in household.members if m.role == "child"]
        self.persons = {
            member.id: part.position("individu", ids.person(member.id))
            for member in household.members
        }
        self.groups = {
            entity: part.position(entity, group_id(entity, ids))
            for entity in part.simulation.populations
            if entity != "individu"
        }

    def value(self, variable: str, member_id: str) -> Any:
        """The variable for a member: theirs, or that of their group if it is one's."""
        column = self.columns.get(variable)
        if column is None:
            column = self.part.column_at(variable, self.month, self.profile)
        entity = variable_layout(variable)[0]
        if entity == "individu":
            return column[self.persons[member_id]]
        return column[self.groups[entity]]


def build_results(
    computed: Computed,
    index: int,
    request: SimulationRequest,
    memo: Memo | None = None,
) -> Results:
    values = HouseholdValues(computed.household(index), request)
    memo = memo or Memo()
    results = tuple(
        benefit_result(values, benefit, memo)
        for benefit in benefits_for(request.household.commune or "")
    )
    return Results(request, results)


def family_members(household: HouseholdBody) -> list[Member]:
    return [m for m in household.members if m.role != "other"]


def benefit_result(
    values: HouseholdValues, benefit: Benefit, memo: Memo
) -> BenefitResult:
    household = values.household
    month = values.month

    focus = values.applicant
    if benefit.entity == "individu":
        per_member = [
            (member, values.value(benefit.variable, member.id))
            for member in values.family
        ]
        members = tuple(
            memo.member(member.id, clean(value)) for member, value in per_member
        )
        # The reasons speak of the first member who gets it (a child of 19 may get
        # a youth aid their parent does not), else of the applicant.
        focus = next((m for m, value in per_member if value), values.applicant)
        if benefit.type == "boolean":
            amount: float | bool = any(bool(value) for _, value in per_member)
        elif benefit.unit == "percent":  # a reduction rate: the best one, not a sum
            amount = round(max(float(value) for _, value in per_member), 2)
        else:
            amount = round(sum(float(value) for _, value in per_member), 2)
    else:
        members = ()
        value = values.value(benefit.variable, values.applicant.id)
        amount = bool(value) if benefit.type == "boolean" else round(float(value), 2)

    conditions = tuple(
        condition_result(values, explanation, focus, memo)
        for explanation in benefit.explanations
    )
    blocking = tuple(
        rule.message
        for rule in benefit.not_computable
        if matches(rule.when, household, month)
    )
    if blocking:
        status: Status = "not_computable"
        return memo.benefit_result(benefit, status, None, conditions, blocking)
    eligible = bool(amount) if benefit.type == "boolean" else amount > 0
    status = "eligible" if eligible else "not_eligible"
    return memo.benefit_result(benefit, status, amount, conditions, (), members)


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
    values: HouseholdValues, explanation: Explanation, focus: Member, memo: Memo
) -> ConditionResult:
    """Whether an explanation's condition holds, and its sentence with the values.

    `focus`: the member an individual condition speaks of unless it asks for "any".
    """
    if explanation.who == "any_member":
        candidates = values.family
    elif explanation.who == "any_child":
        candidates = values.children
    else:
        candidates = [focus]
    outcome: tuple[bool, Any, Any] = (False, None, None)  # no child: not met
    for member in candidates:
        value = clean(values.value(explanation.variable, member.id))
        met, limit = test(values, explanation.condition, value, member.id, memo)
        outcome = (met, value, limit)
        if met:
            break
    met, value, limit = outcome
    key = (id(explanation), met, identity(value), identity(limit))
    found = memo.conditions.get(key)
    if found is None:
        text = Sentence(explanation, met, value, limit)
        found = ConditionResult(explanation.variable, met, value, limit, text)
        memo.conditions[key] = found
    return found


COMPARISONS = (
    ("above", operator.gt),
    ("at_least", operator.ge),
    ("below", operator.lt),
    ("at_most", operator.le),
)


def test(
    values: HouseholdValues,
    condition: Condition,
    value: Any,
    member_id: str,
    memo: Memo,
) -> tuple[bool, Any]:
    if value is None:  # not finite, or nobody to ask
        return False, None
    if condition.equals is not None:
        return bool(value) == condition.equals, None
    if condition.positive:
        return float(value) > 0, None
    for name, compare in COMPARISONS:
        reference = getattr(condition, name)
        if reference is not None:
            if reference.variable is not None:
                limit = clean(values.value(reference.variable, member_id))
            else:
                limit = memo.parameter(reference.parameter or "", values.month)
            return compare(float(value), float(limit)), limit
    raise ValueError("condition without a test")  # the catalog schema forbids it
