"""Views of the partner API (v1): simulations (one, a batch, a what-if axis), the
catalog, the OpenAPI document and its documentation page.

The views are thin: read the JSON body, validate with the household contract, call the
simulator service once (simulator.service: cached, coalesced, bounded), answer its own
JSON. Errors are raised as `Problem`s (problems.py); a full simulator queue
(`Overloaded`) is a 503 with Retry-After.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import orjson
from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from pydantic_core import PydanticCustomError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from rules.catalog import Benefit
from rules.system import checked_catalog, rules_versions
from simulator import service
from simulator.coalescer import Overloaded
from simulator.engine import benefits_for
from simulator.household import (
    HouseholdBody,
    HouseholdError,
    SimulationRequest,
    parse_request,
    supported_months,
)
from simulator.results import Results
from webapp.api import access
from webapp.api.docs import documentation
from webapp.api.openapi import openapi_document
from webapp.api.problems import (
    LANGUAGES,
    Problem,
    add_api_headers,
    field_error,
    http_error,
    language,
    overloaded,
    say,
    unexpected_error,
)
from webapp.api.variations import check_failed, read_variations, variations_answer
from webapp.config import read_int
from webapp.extensions import csrf
from webapp.workers import holding_batch

DEFAULT_BATCH_MAX = 1000
DEFAULT_MAX_CONTENT_LENGTH = 10 * 1024 * 1024

blueprint = Blueprint("api", __name__, url_prefix="/api", static_folder="static")
# JSON and bearer keys: no session cookie to protect from cross-site forms.
csrf.exempt(blueprint)
access.protect(blueprint)
# HTTPException too, or the Exception handler would catch them first (Flask tries a
# blueprint's handlers before the app's).
blueprint.register_error_handler(HTTPException, http_error)
blueprint.register_error_handler(Exception, unexpected_error)
blueprint.register_error_handler(Overloaded, overloaded)
# On the app: 404 and 405 under /api/ match no route of the blueprint.
blueprint.after_app_request(add_api_headers)


@blueprint.record_once
def configure(state: Any) -> None:
    """Defaults for the API's settings; the environment or the app's config wins."""
    config = state.app.config
    config.setdefault(
        "API_BATCH_MAX", read_int(os.environ, "API_BATCH_MAX", DEFAULT_BATCH_MAX)
    )
    if config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: no limit
        config["MAX_CONTENT_LENGTH"] = read_int(
            os.environ, "MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH
        )


# -- endpoints -------------------------------------------------------------------------


@blueprint.post("/v1/simulations")
def simulate_one() -> ResponseReturnValue:
    lang = checked_language()
    # A full simulator refuses before the body is read and checked (a household the
    # cache holds is refused too, then): under a flood, refusals then cost little.
    service.coalescer().refuse_if_full()
    simulation = valid_request(read_json())
    answer = service.simulate_one(simulation).to_json(lang, fragments=True)
    return Response(orjson.dumps(answer), mimetype="application/json")


# One batch at a time in a process: a batch of 1,000 households holds about 200 MB
# while it is read and simulated, and a threaded worker must stay under 500 MB. The
# others wait here, their bodies not read yet.
_one_batch_at_a_time = threading.Lock()


@blueprint.post("/v1/simulations/batch")
@access.api_key_required
def simulate_batch() -> ResponseReturnValue:
    lang = checked_language()
    with holding_batch(), _one_batch_at_a_time:
        parsed: list[SimulationRequest | list[dict[str, Any]]] = []
        for item in batch_items(read_json()):
            try:
                parsed.append(valid_request(item))
            except Problem as problem:
                parsed.append(problem.errors)
        valid = [item for item in parsed if isinstance(item, SimulationRequest)]
        computed = service.simulate_many(valid)  # vectorised, cached ones aside
    # Written out household by household: the whole answer (50 kB a household)
    # is never held at once, and each household's results are let go once written.
    answer = batch_answer(deque(parsed), deque(computed), lang)
    del parsed, valid, computed
    return Response(answer, mimetype="application/json")


def batch_answer(
    parsed: Sequence[SimulationRequest | list[dict[str, Any]]],
    computed: Sequence[Results],
    lang: str,
) -> Iterator[bytes]:
    """The batch's JSON answer, `{"results": [...], "rules": {...}}`, in pieces.

    Written by orjson, as the single answer is: several times faster than `json` on
    a batch's 50 MB, in UTF-8, and a NaN or an infinity is written as null, never as
    the NaN that `json` writes and JSON forbids.

    Given deques, it empties them as it writes: a household's request and results
    (about 40 kB) are freed once written, not when the last one is, while the next
    batch of the process is read and simulated beside the answer still streaming.
    """
    answers = computed if isinstance(computed, deque) else deque(computed)
    items = parsed if isinstance(parsed, deque) else deque(parsed)
    yield b'{"results":['
    index = 0
    while items:
        item = items.popleft()
        if isinstance(item, SimulationRequest):
            written = answers.popleft().to_json(lang, fragments=True)
            entry = {"index": index, "status": "ok", "results": written}
        else:
            entry = {"index": index, "status": "error", "errors": item}
        del item
        yield (b"," if index else b"") + orjson.dumps(entry)
        index += 1
    yield b'],"rules":' + orjson.dumps(rules_versions()) + b"}"


@blueprint.post("/v1/simulations/variations")
def simulate_variations() -> ResponseReturnValue:
    lang = checked_language()
    simulation, axis = read_variations(read_json(), lang)
    try:
        computed = service.variations(simulation, **axis.model_dump())
    except HouseholdError as exc:  # the axis does not fit the household
        raise check_failed(exc, lang) from None
    return variations_answer(simulation, axis, computed, lang)


@blueprint.get("/v1/benefits")
def list_benefits() -> ResponseReturnValue:
    lang = checked_language()
    commune = request.args.get("commune")
    if commune is None:
        benefits = list(checked_catalog())
    else:
        commune = known_commune(commune, lang)
        benefits = list(benefits_for(commune))
    return {
        "rules": rules_versions(),
        "commune": commune,
        "benefits": [catalog_entry(benefit, lang) for benefit in benefits],
    }


@blueprint.get("/v1/openapi.json")
def openapi() -> ResponseReturnValue:
    return openapi_document(current_app.config["API_BATCH_MAX"])


@blueprint.get("/docs")
def docs() -> ResponseReturnValue:
    document = openapi_document(current_app.config["API_BATCH_MAX"])
    first_month, last_month = supported_months()
    return render_template(
        "api/docs.html",
        **documentation(document),
        first_month=first_month,
        last_month=last_month,
    )


# -- reading the input -----------------------------------------------------------------


def checked_language() -> str:
    asked = request.args.get("lang")
    if asked is not None and asked not in LANGUAGES:
        invalid(
            "lang",
            say("Choisissez la langue fr ou en.", "Choose the language fr or en."),
        )
    return language()


def read_json() -> Any:
    """The body as JSON, or a 415, 413 or 400 problem."""
    if request.mimetype != "application/json":
        sent = request.mimetype or say("aucun", "none")
        message = say(
            f"Envoyez le corps en JSON avec l'en-tête « Content-Type: "
            f"application/json » (reçu : {sent}).",
            f"Send the body as JSON with the header 'Content-Type: "
            f"application/json' (received: {sent}).",
        )
        raise Problem(415, message, [field_error("Content-Type", message)])
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        message = say(
            f"Le corps de la requête dépasse {limit} octets : découpez-le (un lot "
            "compte au plus quelques milliers de foyers).",
            f"The request body exceeds {limit} bytes: split it (a batch holds a few "
            "thousand households at most).",
        )
        raise Problem(413, message, [field_error("", message)]) from None
    try:
        return json.loads(raw, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        message = say(
            f"Le corps n'est pas un JSON valide (ligne {exc.lineno}, colonne "
            f"{exc.colno}) : {exc.msg}.",
            f"The body is not valid JSON (line {exc.lineno}, column {exc.colno}): "
            f"{exc.msg}.",
        )
    except UnicodeDecodeError:
        message = say(
            "Le corps n'est pas du texte UTF-8 : encodez le JSON en UTF-8.",
            "The body is not UTF-8 text: encode the JSON as UTF-8.",
        )
    except (ValueError, RecursionError):  # NaN, Infinity; absurdly deep nesting
        message = say(
            "Le corps n'est pas un JSON valide (NaN, Infinity ou imbrication trop "
            "profonde).",
            "The body is not valid JSON (NaN, Infinity or nesting too deep).",
        )
    raise Problem(400, message, [field_error("", message)])


def reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def valid_request(data: Any) -> SimulationRequest:
    """The household contract, for a month the rules can compute; else a 422."""
    lang = language()
    try:
        return parse_request(data)
    except HouseholdError as exc:
        raise Problem(422, None, [e.to_json(lang) for e in exc.errors]) from None


def batch_items(data: Any) -> list[Any]:
    """The list of simulations of a batch body, or a 422 naming what is wrong."""
    limit = current_app.config["API_BATCH_MAX"]
    if not isinstance(data, dict):
        invalid("", say("Objet JSON attendu.", "A JSON object is expected."))
    unknown = sorted(set(data) - {"simulations"})
    if unknown:
        invalid(
            unknown[0],
            say(
                "Champ inconnu : le lot ne contient que « simulations ».",
                "Unknown field: a batch holds 'simulations' only.",
            ),
        )
    items = data.get("simulations")
    if not isinstance(items, list) or not items:
        invalid(
            "simulations",
            say(
                "Donnez la liste des simulations (au moins une) : "
                '{"simulations": [{"household": ...}]}.',
                "Give the list of simulations (at least one): "
                '{"simulations": [{"household": ...}]}.',
            ),
        )
    if len(items) > limit:
        invalid(
            "simulations",
            say(
                f"Un lot compte au plus {limit} simulations (reçu : {len(items)}) : "
                "découpez-le.",
                f"A batch holds at most {limit} simulations (received: "
                f"{len(items)}): split it.",
            ),
        )
    return items


def known_commune(code: str, lang: str) -> str:
    """The commune's INSEE code (a district gives its city), checked as the household
    contract checks it, with the same messages."""
    try:
        return HouseholdBody.known_commune(code)
    except PydanticCustomError as exc:
        context = exc.context or {}
        invalid("commune", context.get(lang) or context.get("fr") or str(exc))


def invalid(field: str, message: str) -> NoReturn:
    raise Problem(422, None, [field_error(field, message)])


# -- answering -------------------------------------------------------------------------


def catalog_entry(benefit: Benefit, lang: str) -> dict[str, Any]:
    territory = benefit.territory
    return {
        "id": benefit.id,
        "label": benefit.label.get(lang),
        "description": benefit.description.get(lang),
        "institution": benefit.institution,
        "territory": {
            "national": territory.national,
            "communes": list(territory.communes),
            "epcis": list(territory.epcis),
            "departements": list(territory.departements),
            "regions": list(territory.regions),
        },
        "variable": benefit.variable,
        "entity": benefit.entity,
        "period": benefit.paid_per,
        "unit": benefit.unit,
        "direction": benefit.direction,
        "type": benefit.type,
        "how_to_apply": benefit.how_to_apply.to_json(lang),
        "documents": benefit.documents_json(lang),
        "legal_references": benefit.references_json(),
    }
