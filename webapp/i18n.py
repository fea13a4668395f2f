"""Languages: French by default, English on request (Flask-Babel), and the switch.

The choice is kept in the session cookie, so it needs no JavaScript and no account:
the switch is a plain link that sets it and comes back to the same page.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from flask import (
    Blueprint,
    Flask,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import Babel
from werkzeug.wrappers import Response

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
SESSION_KEY = "lang"
TRANSLATIONS = Path(__file__).parent / "translations"

babel = Babel()
blueprint = Blueprint("i18n", __name__)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    compile_catalogs(TRANSLATIONS, app)
    babel.init_app(app, locale_selector=current_language)
    app.register_blueprint(blueprint)
    app.context_processor(language_context)
    app.jinja_env.filters["french_spacing"] = french_spacing


def current_language() -> str:
    """The language chosen with the switch, else French."""
    chosen = session.get(SESSION_KEY) if has_request_context() else None
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def language_context() -> dict[str, object]:
    language = current_language()
    other = next(code for code in LANGUAGES if code != language)
    return {
        "current_language": language,
        "other_language": other,
        "other_language_name": LANGUAGE_NAMES[other],
        # The page to come back to after switching (full_path ends in "?").
        "here": request.full_path.rstrip("?"),
        "format_day": format_day,
        "format_month": format_month,
        "format_euros": format_euros,
    }


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site, else the home page: the switch must
    not send people elsewhere (an open redirect)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return url_for("pages.home")


@blueprint.get("/langue/<language>")
def switch_language(language: str) -> Response:
    """Remember the language and return to the page the person was on."""
    if language in LANGUAGES:
        session[SESSION_KEY] = language
    return redirect(local_path(request.args.get("suivant")))


def compile_catalogs(directory: Path, app: Flask | None = None) -> None:
    """Compile each messages.po whose messages.mo is missing or older.

    `make install` compiles them; this covers a checkout where it was not run (the
    .mo files are build products, not kept in git). Written atomically, as several
    test processes may start at once.
    """
    for po_path in directory.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as stream:
                catalog = read_po(stream)
            descriptor, draft = tempfile.mkstemp(dir=po_path.parent, suffix=".mo")
            with os.fdopen(descriptor, "wb") as stream:
                write_mo(stream, catalog)
            os.replace(draft, mo_path)
        except OSError as exc:  # a read-only install: `make install` compiles them
            if app is not None:
                app.logger.warning("Could not compile %s: %s", po_path, exc)


# -- formatting numbers and dates the way each language writes them ------------------


def french_spacing(text: str) -> str:
    """Non-breaking spaces before ? ! : ; in French, so that a question mark never
    starts a line on its own."""
    if current_language() != "fr":
        return text
    for mark in "?!:;":
        text = text.replace(f" {mark}", f"\u00a0{mark}")
    return text


def format_euros(value: float, language: str, cents: bool = False) -> str:
    """'1 234 €' in French, '€1,234' in English; to the cent when asked."""
    pattern = "#,##0.00" if cents else "#,##0"
    number = format_decimal(value, format=pattern, locale=language)
    return f"{number}\u00a0€" if language == "fr" else f"€{number}"


def format_rate(rate: float, language: str) -> str:
    """A rate (0.8) as a percentage: '80 %' in French, '80%' in English."""
    number = format_decimal(rate * 100, format="#,##0.#", locale=language)
    return f"{number}\u00a0%" if language == "fr" else f"{number}%"


def format_day(date: datetime.date, language: str) -> str:
    """'15 avril 1988', '15 April 1988'."""
    return format_date(date, format="d MMMM y", locale=language)


def format_month(date: datetime.date, language: str) -> str:
    """'novembre 2026', 'November 2026'."""
    return format_date(date, format="LLLL y", locale=language)
