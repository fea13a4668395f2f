"""The resident questionnaire: steps as data, walked and answered into a household."""

# Each step is asked only when its relevance condition holds (walk). The answers are
# the request itself, as the API takes it (v1), plus the keys of the questions answered
# so far; the finished request goes through `parse_request` like any other (answering).

from simulator.questionnaire.answering import (
    AnswerError,
    answer,
    current_value,
    question_for_error,
    to_request,
)
from simulator.questionnaire.steps import (
    Questionnaire,
    RoleText,
    Step,
    Text,
    questionnaire,
)
from simulator.questionnaire.walk import (
    Answers,
    Question,
    find_question,
    is_complete,
    member_name,
    next_question,
    options,
    questions,
)

__all__ = [
    "AnswerError",
    "Answers",
    "Question",
    "Questionnaire",
    "RoleText",
    "Step",
    "Text",
    "answer",
    "current_value",
    "find_question",
    "is_complete",
    "member_name",
    "next_question",
    "options",
    "question_for_error",
    "questionnaire",
    "questions",
    "to_request",
]
