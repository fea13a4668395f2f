"""The answers in progress, kept in the session cookie.

The cookie is signed (it cannot be altered) and stays on the person's device: nothing
is kept on the server unless they choose "Reprendre plus tard". The answers are a
partial household and the keys of the questions answered, well under the 4 kB a
cookie may hold, even for a large family. The cookie lasts until the browser closes.
"""

from __future__ import annotations

from flask import session

from simulator.questionnaire import Answers

SESSION_KEY = "answers"


def load_answers() -> Answers:
    """The answers in progress, or new ones."""
    return Answers.from_json(session.get(SESSION_KEY)) or Answers.new()


def store_answers(answers: Answers) -> None:
    session[SESSION_KEY] = answers.to_json()


def clear_answers() -> None:
    session.pop(SESSION_KEY, None)


def has_answers() -> bool:
    return bool(load_answers().answered)
