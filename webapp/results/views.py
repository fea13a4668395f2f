"""Views of the results: simulate the finished answers and show them (HTML, PDF)."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for

from simulator.household import HouseholdError, SimulationRequest
from simulator.questionnaire import next_question, to_request
from simulator.service import Overloaded, simulate_one
from webapp.errors import render_overloaded
from webapp.i18n import current_language
from webapp.questionnaire.answers import load_answers
from webapp.questionnaire.views import next_url
from webapp.results.pdf import results_pdf
from webapp.results.presenter import present
from webapp.results.what_if import simulate_with_axis, what_if_view

blueprint = Blueprint("results", __name__, url_prefix="/simulation")
# Too many simulations waiting: a 503 page with Retry-After, for the page and the PDF.
blueprint.register_error_handler(Overloaded, render_overloaded)


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


@blueprint.get("/resultats")
def show() -> Response | str:
    request = finished_request()
    if isinstance(request, Response):
        return request
    # From the caches, else coalesced with other requests' simulations.
    results, axis, values = simulate_with_axis(request)
    language = current_language()
    return render_template(
        "results/results.html",
        view=present(results, language),
        what_if=what_if_view(axis, values, results, language),
    )


@blueprint.get("/resultats.pdf")
def download() -> Response:
    request = finished_request()
    if isinstance(request, Response):
        return request
    language = current_language()
    view = present(simulate_one(request), language)
    return Response(
        results_pdf(view, language),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="simulation-aides-{request.month}.pdf"'
            )
        },
    )
