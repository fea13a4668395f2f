"""Views of the information pages: home, personal data, accessibility statement."""

from __future__ import annotations

from flask import Blueprint, render_template

blueprint = Blueprint("pages", __name__)


@blueprint.get("/")
def home() -> str:
    return render_template("pages/home.html")


@blueprint.get("/donnees-personnelles")
def privacy() -> str:
    return render_template("pages/privacy.html")


@blueprint.get("/accessibilite")
def accessibility() -> str:
    return render_template("pages/accessibility.html")
