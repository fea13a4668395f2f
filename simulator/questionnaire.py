"""The resident questionnaire: steps as data (questionnaire.yaml), each asked only when
its relevance condition holds, whose answers are a partial household request (v1).

The answers are the request itself, as the API takes it, plus the keys of the
questions answered so far. Each answer is checked by validating the partial request
with the household model (missing parts filled in with stand-ins), so the
questionnaire gives the model's own messages; the finished request goes through
`parse_request` like any other.
"""

from __future__ import annotations

import copy
import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.household import (
    MAX_MEMBERS,
    FieldError,
    HouseholdError,
    SimulationRequest,
    parse_request,
)
from simulator.territory import communes

DATA_FILE = Path(__file__).with_name("questionnaire.yaml")
APPLICANT_ID = "me"
PARTNER_ID = "partner"
MAX_CHILDREN = MAX_MEMBERS - 2
ROLE_ORDER = {"applicant": 0, "partner": 1, "child": 2, "other": 3}
# Stand-ins that let a partial request validate, so that only the errors of the
# question being answered are shown. They never reach a simulation.
STAND_IN_BIRTH_DATE = "1990-01-01"
STAND_IN_COMMUNE = "75056"

Role = Literal["applicant", "partner", "child"]
InputType = Literal[
    "postal_code",
    "commune",
    "month",
    "yes_no",
    "count",
    "date",
    "radio",
    "members",
    "checkboxes",
    "percent",
    "amount",
]
Writer = Literal[
    "value",
    "option_fields",
    "postal_code",
    "partner",
    "children",
    "declare_disability",
    "declare_incomes",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    """A sentence in French (the reference) and English; {number} is a child's rank."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str, number: int | None = None) -> str:
        text = self.en if language == "en" else self.fr
        return text.replace("{number}", str(number)) if number is not None else text


class RoleText(Strict):
    """A sentence per role, for the questions that name a person."""

    applicant: Text | None = None
    partner: Text | None = None
    child: Text | None = None


class Condition(Strict):
    """Every test given must hold; `any` holds when one of its conditions does."""

    role: tuple[Role, ...] | None = None
    activity: tuple[str, ...] | None = None
    min_age: int | None = None
    declared: Literal["disability_rate"] | None = None
    declared_income: str | None = None
    tenure: tuple[str, ...] | None = None
    commune: tuple[str, ...] | None = None
    postal_code_ambiguous: bool | None = None
    any: tuple[Condition, ...] | None = None


class Option(Strict):
    value: str
    label: Text
    when: Condition | None = None
    # For `option_fields` steps: the fields the option sets.
    set: dict[str, bool | str | float] | None = None


class Step(Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    chapter: str
    input: InputType
    writes: Writer = "value"
    fills: tuple[str, ...] = ()
    optional: bool = False
    skipped_keeps_value: bool = False
    period: Literal["month", "year"] = "month"
    when: Condition | None = None
    question: Text | RoleText
    question_alone: Text | None = None
    hint: Text | RoleText
    summary: Text | RoleText
    required: Text | RoleText
    required_alone: Text | None = None
    none_label: Text | None = None
    options: tuple[Option, ...] = ()

    @model_validator(mode="after")
    def consistent(self) -> Step:
        if self.writes == "value" and len(self.fills) != 1:
            raise ValueError(f"{self.id}: a value step fills exactly one field")
        if self.input in ("radio", "checkboxes") and not self.options:
            raise ValueError(f"{self.id}: a {self.input} step needs options")
        if self.input in ("members", "checkboxes") and self.none_label is None:
            raise ValueError(f"{self.id}: a {self.input} step needs a none_label")
        return self


class Block(Strict):
    for_: Literal["household", "adults", "members"] = Field(alias="for")
    steps: tuple[Step, ...]


class Chapter(Strict):
    id: str
    title: Text


class Questionnaire(Strict):
    member_names: RoleText
    chapters: tuple[Chapter, ...]
    blocks: tuple[Block, ...]

    @model_validator(mode="after")
    def unique_steps_known_chapters(self) -> Questionnaire:
        ids = [step.id for block in self.blocks for step in block.steps]
        if len(ids) != len(set(ids)):
            raise ValueError("step ids must be unique")
        chapters = {chapter.id for chapter in self.chapters}
        for block in self.blocks:
            for step in block.steps:
                if step.chapter not in chapters:
                    raise ValueError(f"{step.id}: unknown chapter {step.chapter}")
        return self

    def step(self, step_id: str) -> tuple[Block, Step] | None:
        for block in self.blocks:
            for step in block.steps:
                if step.id == step_id:
                    return block, step
        return None


@functools.cache
def questionnaire() -> Questionnaire:
    """The steps, read once per process."""
    with DATA_FILE.open(encoding="utf-8") as stream:
        return Questionnaire.model_validate(yaml.safe_load(stream))


# -- answers ---------------------------------------------------------------------------


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


class AnswerError(ValueError):
    """The answer cannot be taken; `errors` say why, in French and English."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.en}" for e in errors))
        self.errors = errors


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


def to_request(answers: Answers) -> SimulationRequest:
    """The finished household, validated like any request (raises HouseholdError)."""
    return parse_request(answers.request)


# -- reading and writing answers ------------------------------------------------------


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


def member_of(request: dict[str, Any], question: Question) -> dict[str, Any] | None:
    if question.member_id is None:
        return None
    members = request["household"]["members"]
    return next((m for m in members if m.get("id") == question.member_id), None)


def target(request: dict[str, Any], question: Question) -> dict[str, Any]:
    return member_of(request, question) or request["household"]


def get_path(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, name = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    if value is None:
        data.pop(name, None)
    else:
        data[name] = value


def current_value(question: Question, answers: Answers) -> Any:
    """The answer given so far to `question` (None if not answered)."""
    if question.key not in answers.answered:
        return None
    step = question.step
    data = target(answers.request, question)
    household = answers.household
    if step.writes == "option_fields":
        for option in step.options:
            if all(get_path(data, p) == v for p, v in (option.set or {}).items()):
                return option.value
        return None
    if step.writes == "partner":
        return any(m.get("role") == "partner" for m in household["members"])
    if step.writes == "children":
        return sum(m.get("role") == "child" for m in household["members"])
    if step.writes == "declare_disability":
        return [m["id"] for m in household["members"] if "disability_rate" in m]
    if step.writes == "declare_incomes":
        return list(data.get("incomes") or {})
    return get_path(data, step.fills[0])


def write(question: Question, request: dict[str, Any], value: Any) -> None:
    """Put an answer into the request, as the step's writer says."""
    step = question.step
    household = request["household"]
    data = target(request, question)
    members = household["members"]
    if step.writes == "value":
        set_path(data, step.fills[0], value)
    elif step.writes == "option_fields":
        option = next(o for o in step.options if o.value == value)
        for path, field_value in (option.set or {}).items():
            set_path(data, path, field_value)
    elif step.writes == "postal_code":
        household["postal_code"] = value
        served = [c.code for c in communes().for_postal_code(value)]
        if len(served) == 1:
            household["commune"] = served[0]
        elif household.get("commune") not in served:
            household.pop("commune", None)
    elif step.writes == "partner":
        members[:] = [m for m in members if m.get("role") != "partner"]
        if value:
            members.append({"id": PARTNER_ID, "role": "partner"})
    elif step.writes == "children":
        children = [m for m in members if m.get("role") == "child"][:value]
        children += [
            {"id": f"child{rank}", "role": "child"}
            for rank in range(len(children) + 1, value + 1)
        ]
        members[:] = [m for m in members if m.get("role") != "child"] + children
    elif step.writes == "declare_disability":
        for member in members:
            if member["id"] not in value:
                member.pop("disability_rate", None)
            else:
                member.setdefault("disability_rate", None)
    elif step.writes == "declare_incomes":
        incomes = data.setdefault("incomes", {})
        for kind in [o.value for o in step.options]:
            if kind in value:
                incomes.setdefault(kind, 0.0)
            else:
                incomes.pop(kind, None)
        if not incomes:
            data.pop("incomes")
    members.sort(key=lambda m: ROLE_ORDER.get(m.get("role"), 9))


def erase(question: Question, request: dict[str, Any]) -> None:
    """Take out what a question no longer relevant had filled in."""
    step = question.step
    data = target(request, question)
    if step.skipped_keeps_value:
        return
    for path in step.fills:
        set_path(data, path, None)
    if isinstance(data.get("incomes"), dict) and not data["incomes"]:
        data.pop("incomes")


def answer(
    answers: Answers,
    question: Question,
    value: Any,
    today: datetime.date | None = None,
) -> Answers:
    """The answers with `value` given to `question`; raises AnswerError when the
    household model rejects it."""
    today = today or datetime.date.today()
    paths = field_paths(question, answers.request)
    if value is None or value == "":
        if not question.step.optional:
            raise AnswerError([required_error(question, paths[0])])
        value = None
    check_choice(question, answers, value, paths[0])
    request = copy.deepcopy(answers.request)
    write(question, request, value)
    errors = partial_errors(request, field_paths(question, request))
    if errors:
        raise AnswerError(errors)
    answered = [key for key in answers.answered if key != question.key]
    return tidy(Answers(request, (*answered, question.key)), today)


def required_error(question: Question, path: str) -> FieldError:
    """The step's own message, which says what to answer."""
    return FieldError(
        path, question.text("required", "fr"), question.text("required", "en")
    )


def check_choice(question: Question, answers: Answers, value: Any, path: str) -> None:
    step = question.step
    if step.input in ("radio", "commune", "members", "checkboxes"):
        allowed = {choice for choice, _label in options(question, answers)}
        chosen = value if isinstance(value, list) else [value]
        if not set(chosen) <= allowed:
            raise AnswerError([required_error(question, path)])
    if step.input == "count" and not (
        isinstance(value, int) and 0 <= value <= MAX_CHILDREN
    ):
        raise AnswerError(
            [
                FieldError(
                    path,
                    f"Saisissez un nombre entre 0 et {MAX_CHILDREN}.",
                    f"Enter a number between 0 and {MAX_CHILDREN}.",
                )
            ]
        )


def tidy(answers: Answers, today: datetime.date) -> Answers:
    """Erase the answers of the questions that are no longer relevant, and the
    choices no longer offered, so that the request stays a valid household."""
    request = copy.deepcopy(answers.request)
    current = Answers(request, answers.answered)
    kept: set[str] = set()
    for question, _member in every_question(current, today):
        member = member_of(request, question)
        if not holds(question.step.when, request["household"], member, today):
            erase(question, request)
            continue
        kept.add(question.key)
        if question.step.writes == "declare_incomes" and member is not None:
            offered = {value for value, _label in options(question, current)}
            incomes = member.get("incomes") or {}
            for kind in [k for k in incomes if k not in offered]:
                del incomes[kind]
            if "incomes" in member and not incomes:
                del member["incomes"]
    return Answers(request, tuple(key for key in answers.answered if key in kept))


# -- validation of a partial request ---------------------------------------------------


def field_paths(question: Question, request: dict[str, Any]) -> list[str]:
    """The v1 paths of the fields a question fills (the first one for its errors)."""
    step = question.step
    if question.member_id is None:
        prefix = "household"
    else:
        ids = [m.get("id") for m in request["household"]["members"]]
        index = ids.index(question.member_id) if question.member_id in ids else 0
        prefix = f"household.members[{index}]"
    fills = step.fills or (step.id,)
    return [f"{prefix}.{path}" for path in fills]


def stand_ins(request: dict[str, Any]) -> dict[str, Any]:
    """A copy of a partial request with stand-ins for what is not answered yet."""
    data = copy.deepcopy(request)
    household = data["household"]
    if household.get("commune") is None:
        served = communes().for_postal_code(household.get("postal_code") or "")
        if served:
            household["commune"] = served[0].code
        elif household.get("postal_code") is None:
            household["commune"] = STAND_IN_COMMUNE
    housing = household.setdefault("housing", {})
    housing.setdefault("tenure", "other")
    if housing["tenure"] == "tenant":
        housing.setdefault("rent", 0.0)
    for member in household["members"]:
        member.setdefault("birth_date", STAND_IN_BIRTH_DATE)
    return data


def partial_errors(request: dict[str, Any], paths: list[str]) -> list[FieldError]:
    """The household model's errors on `paths` for a partial request."""
    try:
        parse_request(stand_ins(request))
    except HouseholdError as exc:
        return [
            error
            for error in exc.errors
            if any(
                error.field == path or error.field.startswith((f"{path}.", f"{path}["))
                for path in paths
            )
        ]
    return []


def question_for_error(
    answers: Answers, error: FieldError, today: datetime.date | None = None
) -> Question | None:
    """The question whose answer an error of the finished request is about."""
    for question in questions(answers, today):
        for path in field_paths(question, answers.request):
            if error.field == path or error.field.startswith(f"{path}."):
                return question
    return None
