"""The API's one error format: problem details (RFC 9457) as application/problem+json.

Every error under /api/ becomes a problem, whatever raised it: our views (`Problem`),
Flask and Werkzeug (unknown path, method, body too large), the access layer (keys,
rate limits). Each carries the rules versions and the request id, and, when the input
is at fault, an `errors` list of {field, message} in the requested language. A
simulator too busy to take a request (`Overloaded`) is a 503 with Retry-After.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Response, current_app, g, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from rules.system import rules_versions
from simulator.coalescer import Overloaded
from webapp.errors import render_error

API_PREFIX = "/api/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
LANGUAGES = ("fr", "en")
# A caller's request id is echoed when it is short and made of URL-safe characters;
# anything else could smuggle text into our logs or headers.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# Statuses the API documents (each has an anchor on /api/docs): title, default detail.
STATUSES: dict[int, dict[str, tuple[str, str]]] = {
    400: {
        "title": ("Requête mal formée", "Malformed request"),
        "detail": (
            "Le corps de la requête n'est pas un JSON valide.",
            "The request body is not valid JSON.",
        ),
    },
    401: {
        "title": ("Clé d'API manquante ou invalide", "Missing or invalid API key"),
        "detail": (
            "Envoyez une clé valide dans l'en-tête « Authorization: Bearer <clé> ».",
            "Send a valid key in the header 'Authorization: Bearer <key>'.",
        ),
    },
    403: {
        "title": ("Accès refusé", "Forbidden"),
        "detail": (
            "Cette clé d'API ne donne pas accès à cette ressource.",
            "This API key does not give access to this resource.",
        ),
    },
    404: {
        "title": ("Adresse inconnue", "Not found"),
        "detail": (
            "Aucune ressource de l'API à cette adresse : voir /api/docs.",
            "No API resource at this address: see /api/docs.",
        ),
    },
    405: {
        "title": ("Méthode non autorisée", "Method not allowed"),
        "detail": (
            "Cette adresse n'accepte pas cette méthode : voir l'en-tête Allow.",
            "This address does not accept this method: see the Allow header.",
        ),
    },
    413: {
        "title": ("Corps de requête trop volumineux", "Request body too large"),
        "detail": (
            "Le corps de la requête dépasse la taille maximale acceptée.",
            "The request body is larger than the accepted maximum.",
        ),
    },
    415: {
        "title": ("Type de contenu non pris en charge", "Unsupported media type"),
        "detail": (
            "Envoyez le corps en JSON, avec l'en-tête "
            "« Content-Type: application/json ».",
            "Send the body as JSON, with the header 'Content-Type: application/json'.",
        ),
    },
    422: {
        "title": ("Données invalides", "Invalid data"),
        "detail": (
            "La requête ne respecte pas le contrat : voir « errors ».",
            "The request breaks the contract: see 'errors'.",
        ),
    },
    429: {
        "title": ("Trop de requêtes", "Too many requests"),
        "detail": (
            "Limite de requêtes atteinte : réessayez après le délai de l'en-tête "
            "Retry-After.",
            "Rate limit reached: try again after the delay in the Retry-After header.",
        ),
    },
    500: {
        "title": ("Erreur interne", "Internal error"),
        "detail": (
            "Une erreur inattendue s'est produite ; elle est enregistrée. Donnez "
            "l'identifiant de requête (request_id) si vous nous contactez.",
            "An unexpected error happened; it is logged. Give the request id "
            "(request_id) if you contact us.",
        ),
    },
    503: {
        "title": ("Service surchargé", "Service busy"),
        "detail": (
            "Trop de simulations attendent en ce moment : réessayez après le délai "
            "de l'en-tête Retry-After.",
            "Too many simulations are waiting right now: try again after the delay in "
            "the Retry-After header.",
        ),
    },
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def language() -> str:
    """fr or en: `?lang=`, else the Accept-Language header, else French."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="fr") or "fr"


def say(fr: str, en: str) -> str:
    """The sentence in the language of this request."""
    return en if language() == "en" else fr


def request_id() -> str:
    """The caller's X-Request-Id when well formed, else a new one (uuid4 hex)."""
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def add_api_headers(response: Response) -> Response:
    """Request id and language on every answer under /api/, errors included."""
    if is_api_request():
        response.headers["X-Request-Id"] = request_id()
        response.headers["Content-Language"] = language()
        response.vary.add("Accept-Language")
    return response


class Problem(HTTPException):
    """An error our views raise, with the fields of the input at fault."""

    def __init__(
        self,
        code: int,
        detail: str | None = None,
        errors: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        super().__init__(description=detail)
        self.code = code
        self.errors = [dict(error) for error in errors]


def field_error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def problem_type(status: int) -> str:
    """A link to the explanation of the problem on /api/docs, for documented ones."""
    if status not in STATUSES:
        return "about:blank"
    return url_for("api.docs", _external=True, _anchor=f"erreur-{status}")


def problem_response(
    status: int,
    detail: str | None = None,
    errors: Iterable[Mapping[str, Any]] = (),
    headers: Iterable[tuple[str, str]] = (),
) -> Response:
    texts = STATUSES.get(status)
    if texts is not None:
        title = say(*texts["title"])
        detail = detail or say(*texts["detail"])
    else:
        title = HTTP_STATUS_CODES.get(status, "Error")
        detail = detail or title
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path,
        "request_id": request_id(),
        "rules": rules_versions(),
    }
    errors = list(errors)
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        current_app.json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE
    )
    for name, value in headers:
        response.headers.add(name, value)
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", "Bearer")
    return response


def kept_headers(error: HTTPException) -> list[tuple[str, str]]:
    """The exception's own headers (Allow for a 405, Retry-After for a 429...)."""
    response = error.get_response()
    return [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in ("content-type", "content-length")
    ]


def custom_description(error: HTTPException) -> str | None:
    """The description given when raising, not the class's generic English one."""
    if error.description == type(error).description:
        return None
    return error.description


def http_error(error: HTTPException) -> ResponseReturnValue:
    """Under /api/: a problem. Elsewhere: the site's HTML error page.

    Registered on the app, not only on the API blueprint: Flask asks a blueprint's
    handlers only once one of its routes matched, and an unknown path or method under
    /api/ matches none.
    """
    if not is_api_request():
        return render_error(error)
    status = error.code or 500
    if isinstance(error, Problem):
        return problem_response(status, error.description, error.errors)
    return problem_response(status, custom_description(error), (), kept_headers(error))


def overloaded(error: Overloaded) -> ResponseReturnValue:
    """The simulator's queue is full: a 503 saying how long to wait (Retry-After)."""
    seconds = error.retry_after
    current_app.logger.warning(
        "Simulator overloaded (request %s): %s", request_id(), error
    )
    message = say(
        f"Le service est très sollicité : réessayez dans {seconds} secondes.",
        f"The service is busy: retry after {seconds} seconds.",
    )
    g.own_retry_after = str(seconds)
    return problem_response(503, message, headers=[("Retry-After", str(seconds))])


def keep_own_retry_after(response: Response) -> Response:
    """After the rate limiter: a response's own Retry-After (a busy simulator's
    delay) wins while the caller has requests left.

    Flask-Limiter sets Retry-After on every response to the later of the response's
    own value and the reset of the caller's window (up to a minute away), which would
    tell a client to wait a minute for a simulator free in two seconds. Registered
    before the limiter, so that it runs after it (Flask runs them in reverse order).
    """
    own = g.get("own_retry_after")
    if own is not None and response.headers.get("X-RateLimit-Remaining") != "0":
        response.headers["Retry-After"] = own
    return response


def unexpected_error(error: Exception) -> ResponseReturnValue:
    """A bug: logged with its request id, answered 500 without internals."""
    current_app.logger.exception(
        "Unexpected error in the API (request %s)", request_id()
    )
    return http_error(InternalServerError())
