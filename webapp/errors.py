"""HTML error pages for the site; the JSON API answers its own errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import render_template, request
from werkzeug.exceptions import HTTPException

if TYPE_CHECKING:  # `import webapp` must not load the simulator (and OpenFisca)
    from simulator.coalescer import Overloaded

API_PREFIX = "/api/"

ErrorResponse = HTTPException | tuple[str, int, list[tuple[str, str]]]


def render_error(error: HTTPException) -> ErrorResponse:
    """Render errors/<code>.html, or the generic page for other codes.

    Under /api/ the error goes back untouched, for the API blueprint's handlers
    and its error format.
    """
    if request.path.startswith(API_PREFIX):
        return error
    code = error.code or 500
    page = render_template([f"errors/{code}.html", "errors/error.html"], error=error)
    # The exception's headers carry, e.g., the Allow header a 405 must send.
    return page, code, error.get_headers()


def render_overloaded(error: Overloaded) -> tuple[str, int, dict[str, str]]:
    """The page saying when to come back, while too many simulations wait: 503 with
    Retry-After (a blueprint registers it for the views that simulate)."""
    seconds = max(1, int(error.retry_after))
    page = render_template("errors/503.html", seconds=seconds)
    return page, 503, {"Retry-After": str(seconds)}
