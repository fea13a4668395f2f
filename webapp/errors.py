"""HTML error pages for the site; the JSON API answers its own errors."""

from __future__ import annotations

from flask import render_template, request
from werkzeug.exceptions import HTTPException

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
