"""The web application: a factory that assembles config, extensions and blueprints."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException

from webapp import db
from webapp.api import access
from webapp.commands import api_keys_command, init_db_command, purge_expired_command
from webapp.config import configure, instance_path
from webapp.extensions import csrf
from webapp.security import add_security_headers

TEMPLATES = "../templates"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; settings come from the environment, `config` overrides them."""
    app = Flask(
        __name__,
        instance_path=instance_path(config or {}, os.environ),
        template_folder=TEMPLATES,
    )
    configure(app, config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_security_headers(app)
    return app


def register_extensions(app: Flask) -> None:
    from webapp import i18n

    db.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    access.init_app(app)


def register_blueprints(app: Flask) -> None:
    # Imported here, as in Flask's tutorial: journeys import the simulator and
    # OpenFisca, which `import webapp` (gunicorn_conf, migrations) need not load.
    from webapp.api.views import blueprint as api
    from webapp.pages.views import blueprint as pages
    from webapp.questionnaire.views import blueprint as questionnaire
    from webapp.results.views import blueprint as results

    app.register_blueprint(pages)
    app.register_blueprint(questionnaire)
    app.register_blueprint(results)
    app.register_blueprint(api)


def register_errorhandlers(app: Flask) -> None:
    # HTML pages (webapp/errors.py), but problem details in JSON under /api/.
    from webapp.api.problems import http_error

    app.register_error_handler(HTTPException, http_error)


def register_commands(app: Flask) -> None:
    from webapp.cli_simulate import simulate  # loads OpenFisca: only when asked

    app.cli.add_command(init_db_command)
    app.cli.add_command(api_keys_command)
    app.cli.add_command(purge_expired_command)
    app.cli.add_command(simulate)


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
