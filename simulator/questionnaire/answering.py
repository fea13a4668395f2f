"""Answering a question: the answer written into the request, checked by the model."""

from __future__ import annotations

import copy
import datetime
from typing import Any

from simulator.household import (
    MAX_MEMBERS,
    FieldError,
    HouseholdError,
    SimulationRequest,
    parse_request,
)
from simulator.questionnaire.walk import (
    ROLE_ORDER,
    Answers,
    Question,
    every_question,
    holds,
    member_of,
    options,
    questions,
)
from simulator.territory import communes

# Each answer is checked by validating the partial request with the household model
# (missing parts filled in with stand-ins), so the questionnaire gives the model's
# own messages; the finished request goes through `parse_request` like any other.

PARTNER_ID = "partner"
MAX_CHILDREN = MAX_MEMBERS - 2
# Stand-ins that let a partial request validate, so that only the errors of the
# question being answered are shown. They never reach a simulation.
STAND_IN_BIRTH_DATE = "1990-01-01"
STAND_IN_COMMUNE = "75056"


class AnswerError(ValueError):
    """The answer cannot be taken; `errors` say why, in French and English."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.en}" for e in errors))
        self.errors = errors


def to_request(answers: Answers) -> SimulationRequest:
    """The finished household, validated like any request (raises HouseholdError)."""
    return parse_request(answers.request)


# -- reading and writing answers ------------------------------------------------------


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
