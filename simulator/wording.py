"""How OpenFisca's values are worded in the results' sentences, in French and English.

`clean` makes a value fit for JSON and for comparison (floats to the cent, enums by
name, dates in ISO form); `display` writes it for a sentence ("1 470,00 €", "€1,470.00",
"80 %"); `sentence` fills an explanation's sentence for "met" or "not met" in both
languages; `identity` tells apart values equal but written differently.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from rules.catalog import Explanation, Text


def identity(value: Any) -> tuple[Any, ...]:
    """A key telling apart values that are equal but display differently.

    1, 1.0 and True are equal, and so are 0.0 and -0.0 ("-0,00 €").
    """
    if type(value) is float:
        return (float, value, math.copysign(1.0, value))
    return (type(value), value)


def sentence(explanation: Explanation, met: bool, value: Any, limit: Any) -> Text:
    said = explanation.met if met else explanation.unmet
    return Text(
        fr=said.fr.format(
            value=display(value, explanation.format, "fr"),
            limit=display(limit, explanation.format, "fr"),
        ),
        en=said.en.format(
            value=display(value, explanation.format, "en"),
            limit=display(limit, explanation.format, "en"),
        ),
    )


def clean(value: Any) -> Any:
    """A JSON-friendly value: floats to the cent, enums by name, dates in ISO form."""
    kind = type(value)
    if kind is float:
        return round(value, 2) if math.isfinite(value) else None
    if kind is int or kind is bool or kind is str:
        return value
    if hasattr(value, "name") and not isinstance(value, str):
        return value.name
    if isinstance(value, float):
        return round(value, 2) if math.isfinite(value) else None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def display(value: Any, kind: str, language: str) -> str:
    if value is None:
        return ""
    if kind == "euros":
        number = f"{float(value):,.2f}"
        if language == "fr":
            return number.replace(",", "\u202f").replace(".", ",") + "\u00a0€"
        return f"€{number}"
    if kind == "percent":
        return (
            f"{float(value) * 100:.0f}\u00a0%"
            if language == "fr"
            else f"{float(value) * 100:.0f}%"
        )
    if kind == "years":  # the sentence says "ans" / "years" itself
        return str(int(float(value)))
    if kind == "number":
        return f"{float(value):g}"
    return str(value)
