"""Views of the results: simulate the finished answers and show them (HTML, PDF)."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for

from simulator.household import HouseholdError, SimulationRequest
from simulator.questionnaire import next_question, to_request
from simulator.results import simulate
from webapp.i18n import current_language
from webapp.questionnaire.answers import load_answers
from webapp.questionnaire.views import next_url
from webapp.results.pdf import results_pdf
from webapp.results.presenter import ResultsView, present

blueprint = Blueprint("results", __name__, url_prefix="/simulation")


@blueprint.after_request
def not_stored(response: Response) -> Response:
    """Pages with a person's answers stay out of every cache (a shared computer's
    included)."""
    response.headers["Cache-Control"] = "no-store"
    return response


def finished_request() -> SimulationRequest | Response:
    """The household of the answers, or where to go to finish them."""
    answers = load_answers()
    if next_question(answers) is not None:
        return redirect(next_url(answers))
    try:
        return to_request(answers)
    except HouseholdError:
        return redirect(url_for("questionnaire.check_answers"))


def results_view(request: SimulationRequest) -> ResultsView:
    return present(simulate([request])[0], current_language())


@blueprint.get("/resultats")
def show() -> Response | str:
    request = finished_request()
    if isinstance(request, Response):
        return request
    return render_template("results/results.html", view=results_view(request))


@blueprint.get("/resultats.pdf")
def download() -> Response:
    request = finished_request()
    if isinstance(request, Response):
        return request
    view = results_view(request)
    return Response(
        results_pdf(view, current_language()),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="simulation-aides-{request.month}.pdf"'
            )
        },
    )
