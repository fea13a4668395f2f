"""The what-if axis of the API: reading its body, naming its errors, its answer.

The body is a simulation request with an `axis`: the household is validated as for
/simulations (same field names, same messages), the axis by the `Axis` model (JSON
types, unknown fields) and then by simulator.variations.check_axis (a member of the
household, a known income, amounts and steps in range); every axis error names its
field under `axis.`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from rules.system import checked_catalog, rules_versions
from simulator.household import (
    FieldError,
    HouseholdError,
    SimulationRequest,
    field_path,
    parse_request,
    translate,
)
from webapp.api.problems import Problem, field_error, say
from webapp.api.schemas import Axis

AXIS = "axis"
# Clearer than the household's generic ones for the axis's own fields.
AXIS_MESSAGES: dict[str, tuple[str, str]] = {
    "extra_forbidden": (
        "Champ inconnu : l'axe ne contient que member_id, income, start, stop et "
        "steps.",
        "Unknown field: the axis holds member_id, income, start, stop and steps only.",
    ),
    "int_type": (
        "Nombre entier attendu, par exemple 200.",
        "Whole number expected, e.g. 200.",
    ),
    "float_type": (
        "Montant attendu en euros, par exemple 1500.",
        "Amount in euros expected, e.g. 1500.",
    ),
}


def read_variations(data: Any, lang: str) -> tuple[SimulationRequest, Axis]:
    """The household and its axis (member_id defaulting to the applicant's), or a
    422 naming every field at fault."""
    if not isinstance(data, dict):
        message = say("Objet JSON attendu.", "A JSON object is expected.")
        raise Problem(422, None, [field_error("", message)])
    body = {name: value for name, value in data.items() if name != AXIS}
    errors: list[dict[str, Any]] = []
    simulation = axis = None
    try:
        simulation = parse_request(body)
    except HouseholdError as exc:
        errors += [error.to_json(lang) for error in exc.errors]
    if AXIS not in data:
        message = say(
            "Ce champ est obligatoire : donnez l'axe, par exemple "
            '{"income": "salary", "start": 0, "stop": 3000, "steps": 101}.',
            "This field is required: give the axis, for example "
            '{"income": "salary", "start": 0, "stop": 3000, "steps": 101}.',
        )
        errors.append(field_error(AXIS, message))
    else:
        try:
            axis = Axis.model_validate(data[AXIS])
        except ValidationError as exc:
            errors += [axis_error(details, lang) for details in exc.errors()]
    if errors or simulation is None or axis is None:
        raise Problem(422, None, errors)
    if axis.member_id is None:
        axis = axis.model_copy(update={"member_id": simulation.household.applicant.id})
    return simulation, axis


def axis_error(details: Any, lang: str) -> dict[str, Any]:
    """One pydantic error of the axis, named under `axis.`."""
    fr, en = AXIS_MESSAGES.get(details["type"]) or translate(details)[:2]
    return in_axis(FieldError(field_path(details["loc"]), fr, en), lang)


def in_axis(error: FieldError, lang: str) -> dict[str, Any]:
    """An error of the axis's checks (field `start`...) as a field of the body."""
    data = error.to_json(lang)
    data["field"] = f"{AXIS}.{error.field}" if error.field else AXIS
    return data


def check_failed(error: HouseholdError, lang: str) -> Problem:
    """The 422 for an axis simulator.variations refused (unknown member...)."""
    return Problem(422, None, [in_axis(e, lang) for e in error.errors])


def variations_answer(
    simulation: SimulationRequest, axis: Axis, computed: dict[str, Any], lang: str
) -> dict[str, Any]:
    """What simulator.variations computed, with the axis and each benefit's label."""
    catalog = {benefit.id: benefit for benefit in checked_catalog()}
    benefits = []
    for benefit_id, amounts in computed["benefits"].items():
        benefit = catalog[benefit_id]
        benefits.append(
            {
                "id": benefit.id,
                "label": benefit.label.get(lang),
                "period": benefit.paid_per,
                "unit": benefit.unit,
                "direction": benefit.direction,
                "amounts": amounts,
            }
        )
    return {
        "month": computed["month"],
        "commune": simulation.household.commune,
        "rules": rules_versions(),
        "axis": axis.model_dump(),
        "points": computed["points"],
        "benefits": benefits,
        "disposable_income": computed["disposable_income"],
    }
