"""Views of the questionnaire: one question per page (Post/Redirect/Get), the
check-your-answers page, starting again, saving and resuming."""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from simulator.household import HouseholdError
from simulator.questionnaire import (
    AnswerError,
    Answers,
    Question,
    answer,
    find_question,
    next_question,
    question_for_error,
    questionnaire,
    questions,
    to_request,
)
from webapp.i18n import current_language
from webapp.questionnaire.answers import clear_answers, load_answers, store_answers
from webapp.questionnaire.forms import InvalidAnswer, question_form
from webapp.questionnaire.summary import summary
from webapp.saved_simulations import find_saved_simulation, save_simulation

blueprint = Blueprint("questionnaire", __name__, url_prefix="/simulation")


@blueprint.after_request
def not_stored(response: Response) -> Response:
    """Pages with a person's answers stay out of every cache (a shared computer's
    included)."""
    response.headers["Cache-Control"] = "no-store"
    return response


RETURN = "retour"
TO_SUMMARY = "recapitulatif"
SAVED_TOKEN = "saved_token"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def question_url(question: Question, returning: bool = False) -> str:
    step, _sep, member = question.key.partition("/")
    arguments = {"step": step, "member": member or None}
    if returning:
        arguments[RETURN] = TO_SUMMARY
    return url_for("questionnaire.question", **arguments)


def next_url(answers: Answers, returning: bool = False) -> str:
    """The next question not answered yet, else the check-your-answers page."""
    following = next_question(answers)
    if following is None:
        return url_for("questionnaire.check_answers")
    return question_url(following, returning)


@blueprint.get("")
def start() -> Response:
    """Where the "Commencer" button leads: the first question not answered yet."""
    return redirect(next_url(load_answers()))


@blueprint.route("/question/<step>", methods=("GET", "POST"))
@blueprint.route("/question/<step>/<member>", methods=("GET", "POST"))
def question(step: str, member: str | None = None) -> Response | str:
    answers = load_answers()
    language = current_language()
    key = f"{step}/{member}" if member else step
    asked = find_question(answers, key)
    if asked is None:
        if questionnaire().step(step) is None:
            abort(404)
        # Not asked for these answers (no partner, an owner's rent...): go on.
        return redirect(next_url(answers))
    returning = request.args.get(RETURN) == TO_SUMMARY
    form = question_form(asked, answers, language)
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            answers = answer(answers, asked, form.read())
        except InvalidAnswer as exc:
            errors = [str(exc)]
        except AnswerError as exc:
            errors = [error.message(language) for error in exc.errors]
        else:
            store_answers(answers)
            return redirect(next_url(answers, returning))
    return render_template(
        "questionnaire/question.html",
        form=form,
        question=asked,
        language=language,
        errors=errors,
        action=question_url(asked, returning),
        back_url=back_url(answers, asked, returning),
        progress=progress(answers, asked),
    )


def back_url(answers: Answers, asked: Question, returning: bool) -> str:
    if returning:
        return url_for("questionnaire.check_answers")
    asked_so_far = questions(answers)
    position = [q.key for q in asked_so_far].index(asked.key)
    if position == 0:
        return url_for("pages.home")
    return question_url(asked_so_far[position - 1])


def progress(answers: Answers, asked: Question) -> tuple[int, int]:
    """(position, total) among the questions known so far: the total may grow as
    the answers show more to ask, hence "environ"."""
    keys = [q.key for q in questions(answers)]
    return keys.index(asked.key) + 1, len(keys)


@blueprint.get("/recapitulatif")
def check_answers() -> Response | str:
    answers = load_answers()
    following = next_question(answers)
    if following is not None:
        return redirect(question_url(following))
    language = current_language()
    problems = []
    try:
        to_request(answers)
    except HouseholdError as exc:
        for error in exc.errors:
            at = question_for_error(answers, error)
            link = question_url(at, returning=True) if at else None
            problems.append((error.message(language), link))
    return render_template(
        "questionnaire/summary.html",
        sections=summary(answers, language),
        problems=problems,
        question_url=question_url,
        restart_form=FlaskForm(),
    )


@blueprint.post("/recommencer")
def restart() -> Response:
    """Erase the answers in progress (the saved ones stay until they expire)."""
    clear_answers()
    session.pop(SAVED_TOKEN, None)
    return redirect(url_for("questionnaire.start"))


@blueprint.route("/enregistrer", methods=("GET", "POST"))
def save() -> Response | str:
    """ "Reprendre plus tard": keep the answers under a link, without any identity."""
    answers = load_answers()
    form = FlaskForm()
    if not answers.answered:
        return redirect(url_for("questionnaire.start"))
    if form.validate_on_submit():
        saved = save_simulation(answers.to_json())
        session[SAVED_TOKEN] = saved.token
        return redirect(url_for("questionnaire.saved"))
    return render_template(
        "questionnaire/save.html", form=form, back_url=next_url(answers)
    )


@blueprint.get("/enregistree")
def saved() -> Response | str:
    token = session.get(SAVED_TOKEN)
    record = find_saved_simulation(token) if token else None
    if record is None:
        return redirect(url_for("questionnaire.save"))
    return render_template(
        "questionnaire/saved.html",
        link=url_for("questionnaire.resume", token=record.token, _external=True),
        expires_at=record.expires_at,
        back_url=next_url(load_answers()),
    )


@blueprint.route("/reprendre/<token>", methods=("GET", "POST"))
def resume(token: str) -> Response | tuple[str, int] | str:
    """A saved simulation's link: confirm, then take its answers back."""
    record = find_saved_simulation(token) if TOKEN_PATTERN.match(token) else None
    answers = Answers.from_json(record.answers) if record else None
    if answers is None:
        return render_template("questionnaire/link_invalid.html"), 404
    form = FlaskForm()
    if form.validate_on_submit():
        store_answers(answers)
        return redirect(next_url(answers))
    return render_template(
        "questionnaire/resume.html",
        form=form,
        expires_at=record.expires_at,
        days=current_app.config["SAVED_SIMULATION_DAYS"],
        replaces=bool(load_answers().answered),
    )
