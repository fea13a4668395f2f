"""Walking the steps: the answers so far, the questions and choices relevant to them."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from simulator.questionnaire.steps import (
    Block,
    Condition,
    Role,
    RoleText,
    Step,
    Text,
    questionnaire,
)
from simulator.territory import communes

APPLICANT_ID = "me"
ROLE_ORDER = {"applicant": 0, "partner": 1, "child": 2, "other": 3}


# -- answers and questions -------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """A partial v1 request and the keys of the questions answered, in order."""

    request: dict[str, Any]
    answered: tuple[str, ...] = ()

    @classmethod
    def new(cls) -> Answers:
        return cls(
            {"household": {"members": [{"id": APPLICANT_ID, "role": "applicant"}]}}
        )

    @classmethod
    def from_json(cls, data: Any) -> Answers | None:
        """Answers stored by `to_json`, or None when the data is not of that shape."""
        try:
            request, answered = data["request"], data["answered"]
            members = request["household"]["members"]
            shaped = (
                isinstance(answered, list)
                and all(isinstance(key, str) for key in answered)
                and isinstance(members, list)
                and all(isinstance(m, dict) and "id" in m for m in members)
                and [m.get("role") for m in members].count("applicant") == 1
            )
        except (KeyError, TypeError):
            return None
        return cls(request, tuple(answered)) if shaped else None

    def to_json(self) -> dict[str, Any]:
        return {"request": self.request, "answered": list(self.answered)}

    @property
    def household(self) -> dict[str, Any]:
        return self.request["household"]


@dataclass(frozen=True)
class Question:
    """A step asked of the household or of one member."""

    step: Step
    member_id: str | None = None
    role: Role | None = None
    number: int | None = None  # a child's rank, from 1
    alone: bool = False  # the household has one member

    @property
    def key(self) -> str:
        return (
            self.step.id
            if self.member_id is None
            else f"{self.step.id}/{self.member_id}"
        )

    def text(self, name: str, language: str) -> str:
        """The question, hint, summary or required message, in `language`."""
        if self.alone and getattr(self.step, f"{name}_alone", None) is not None:
            return getattr(self.step, f"{name}_alone").get(language)
        text = getattr(self.step, name)
        if isinstance(text, RoleText):
            text = getattr(text, self.role or "applicant")
        return text.get(language, self.number)


def member_name(
    member: dict[str, Any], household: dict[str, Any], language: str
) -> str:
    """'Vous', 'Votre conjoint ou conjointe', 'Votre enfant n° 2'."""
    text = getattr(questionnaire().member_names, member["role"], None)
    return text.get(language, child_number(member, household)) if text else member["id"]


def child_number(member: dict[str, Any], household: dict[str, Any]) -> int | None:
    if member.get("role") != "child":
        return None
    children = [m["id"] for m in household["members"] if m.get("role") == "child"]
    return children.index(member["id"]) + 1


def member_of(request: dict[str, Any], question: Question) -> dict[str, Any] | None:
    if question.member_id is None:
        return None
    members = request["household"]["members"]
    return next((m for m in members if m.get("id") == question.member_id), None)


# -- relevance -------------------------------------------------------------------------


def age(member: dict[str, Any], today: datetime.date) -> int | None:
    try:
        born = datetime.date.fromisoformat(member.get("birth_date") or "")
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def holds(
    condition: Condition | None,
    household: dict[str, Any],
    member: dict[str, Any] | None,
    today: datetime.date,
) -> bool:
    """Whether a relevance condition holds for these answers."""
    if condition is None:
        return True
    member = member or {}
    housing = household.get("housing") or {}
    tests = [
        (condition.role, lambda: member.get("role") in condition.role),
        (condition.activity, lambda: member.get("activity") in condition.activity),
        (condition.min_age, lambda: (age(member, today) or -1) >= condition.min_age),
        (condition.declared, lambda: condition.declared in member),
        (
            condition.declared_income,
            lambda: condition.declared_income in (member.get("incomes") or {}),
        ),
        (condition.tenure, lambda: housing.get("tenure") in condition.tenure),
        (condition.commune, lambda: household.get("commune") in condition.commune),
        (
            condition.postal_code_ambiguous,
            lambda: is_ambiguous(household) == condition.postal_code_ambiguous,
        ),
        (
            condition.any,
            lambda: any(holds(c, household, member, today) for c in condition.any),
        ),
    ]
    return all(test() for given, test in tests if given is not None)


def is_ambiguous(household: dict[str, Any]) -> bool:
    return len(communes().for_postal_code(household.get("postal_code") or "")) > 1


def block_members(
    block: Block, household: dict[str, Any]
) -> list[dict[str, Any] | None]:
    members = [m for m in household["members"] if m.get("role") in ROLE_ORDER]
    if block.for_ == "household":
        return [None]
    if block.for_ == "adults":
        return [m for m in members if m["role"] in ("applicant", "partner")]
    return [m for m in members if m["role"] != "other"]


def every_question(
    answers: Answers, today: datetime.date
) -> Iterator[tuple[Question, dict[str, Any] | None]]:
    """Every question the answers could lead to, relevant or not, in order.

    Evaluated lazily, so that a caller changing the answers while walking sees later
    questions as they become.
    """
    household = answers.household
    for block in questionnaire().blocks:
        for member in block_members(block, household):
            for step in block.steps:
                question = Question(
                    step,
                    member_id=member["id"] if member else None,
                    role=member["role"] if member else None,
                    number=child_number(member, household) if member else None,
                    alone=len(household["members"]) == 1,
                )
                yield question, member


def questions(answers: Answers, today: datetime.date | None = None) -> list[Question]:
    """The questions to ask for these answers, in order."""
    today = today or datetime.date.today()
    return [
        question
        for question, member in every_question(answers, today)
        if holds(question.step.when, answers.household, member, today)
    ]


def next_question(
    answers: Answers, today: datetime.date | None = None
) -> Question | None:
    """The first relevant question not answered yet; None when all are."""
    done = set(answers.answered)
    return next((q for q in questions(answers, today) if q.key not in done), None)


def find_question(
    answers: Answers, key: str, today: datetime.date | None = None
) -> Question | None:
    """The relevant question with this key, if any."""
    return next((q for q in questions(answers, today) if q.key == key), None)


def is_complete(answers: Answers, today: datetime.date | None = None) -> bool:
    return next_question(answers, today) is None


# -- choices ---------------------------------------------------------------------------


def options(question: Question, answers: Answers) -> list[tuple[str, Text]]:
    """The choices of a radio, checkbox, member or commune question."""
    household = answers.household
    if question.step.input == "commune":
        found = communes().for_postal_code(household.get("postal_code") or "")
        return [(c.code, Text(fr=c.name, en=c.name)) for c in found]
    if question.step.input == "members":
        return [
            (
                m["id"],
                Text(
                    fr=member_name(m, household, "fr"),
                    en=member_name(m, household, "en"),
                ),
            )
            for m in household["members"]
            if m.get("role") != "other"
        ]
    member = member_of(answers.request, question)
    today = datetime.date.today()
    return [
        (option.value, option.label)
        for option in question.step.options
        if holds(option.when, household, member, today)
    ]
